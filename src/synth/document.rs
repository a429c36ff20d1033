//! Building the `cdk.tf.json` of a stack, after checking it.
//!
//! Synthesis runs in phases, each adding to one list of problems: unique
//! construct paths, rendering, unique addresses, references and
//! `depends_on` (and cycles through them), moves, imports and removals,
//! outputs, variables, providers. Only a stack without problems is
//! assembled into a document.

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde_json::{Map, Value, json};

use crate::address::{Address, BlockKind};
use crate::aspect::Aspect;
use crate::block::{Block, Override};
use crate::expr::is_identifier;
use crate::expr::scan::Reference;
use crate::json_path::{remove_path, set_path};
use crate::output::{OutputDecl, VariableDecl};
use crate::provider::{ProviderConfig, ProviderRequirement};
use crate::stack::{Import, Removal, Stack};

use super::block::SynthesizedBlock;
use super::graph::find_cycle;
use super::references::{depends_on_list, depends_on_of};
use super::{Problem, StackError, SynthesizedStack, VERSION};

/// A block after rendering.
struct Rendered {
    block: SynthesizedBlock,
    /// Its construct path is another construct's too (reported already).
    duplicate_path: bool,
}

/// Checks a stack and renders its Terraform JSON. Nothing is written: either
/// every check passes, or every problem found is returned.
pub fn synthesize(stack: Stack) -> Result<SynthesizedStack, StackError> {
    let Stack {
        name,
        mut blocks,
        providers,
        requirements,
        block_requirements,
        backend,
        outputs,
        variables,
        assets,
        aspects,
        required_version,
        moves,
        imports,
        removals,
        overrides,
        dependencies,
        secrets,
        ..
    } = stack;
    let mut problems = Vec::new();

    apply_aspects(&aspects, &mut blocks);
    let block_paths: Vec<String> = blocks.iter().map(|b| b.scope.path_in(&name)).collect();
    let other_paths: Vec<(String, &str)> = outputs
        .iter()
        .map(|o| (o.scope.path_in(&name), "an output"))
        .chain(
            variables
                .iter()
                .map(|v| (v.scope.path_in(&name), "a variable")),
        )
        .chain(assets.iter().map(|a| (a.scope.path_in(&name), "an asset")))
        .collect();
    let duplicate_paths =
        duplicate_construct_paths(&blocks, &block_paths, &other_paths, &mut problems);

    let mut required = RequiredProviders::default();
    for r in &requirements {
        required.set(r.clone());
    }
    for (r, first_user) in &block_requirements {
        required.add(r, &first_user.path_in(&name), &mut problems);
    }

    let rendered = render_blocks(blocks, block_paths, &duplicate_paths, &mut problems);
    let index = AddressIndex::new(&rendered, &mut problems);
    let references = References {
        stack: &name,
        index: &index,
        variables: variables.iter().map(|v| v.scope.logical_id()).collect(),
    };
    references.check_blocks(&rendered, &providers, &mut problems);
    references.check_moves(&moves, &rendered, &mut problems);
    references.check_imports(&imports, &rendered, &mut problems);
    references.check_removals(&removals, &moves, &rendered, &mut problems);
    let (output_json, output_tree, output_references) =
        render_outputs(&outputs, &name, &references, &mut problems);
    // The index of every address is no longer needed: its memory goes
    // before the stack is assembled.
    drop(references);
    drop(index);
    let variable_json = render_variables(&variables, &name, &mut problems);
    let provider_json = render_providers(&providers, &mut required, &mut problems);
    check_stack_overrides(&overrides, &mut problems);

    if !problems.is_empty() {
        return Err(StackError {
            stack: name,
            problems,
        });
    }

    let resource_count = rendered
        .iter()
        .filter(|b| b.block.kind == BlockKind::Resource)
        .count();
    let mut document = Map::new();
    let mut metadata = Map::new();
    if let Some(b) = &backend {
        metadata.insert("backend".into(), json!(b.type_name()));
    }
    metadata.insert("stackName".into(), json!(name));
    metadata.insert("version".into(), json!(VERSION));
    document.insert(
        "//".into(),
        json!({"metadata": metadata, "outputs": output_tree}),
    );
    let blocks: Vec<SynthesizedBlock> = rendered.into_iter().map(|r| r.block).collect();
    // Addresses are unique: the order is total.
    let mut written_order: Vec<u32> = (0..blocks.len() as u32).collect();
    written_order.sort_unstable_by(|&a, &b| {
        blocks[a as usize]
            .order_key()
            .cmp(&blocks[b as usize].order_key())
    });
    insert_nonempty(&mut document, "output", output_json);
    insert_nonempty(&mut document, "variable", variable_json);
    if !provider_json.is_empty() {
        document.insert("provider".into(), json!(provider_json));
    }
    if !moves.is_empty() {
        let moved = moves
            .iter()
            .map(|(from, to)| json!({"from": from.to_string(), "to": to.to_string()}));
        document.insert("moved".into(), Value::Array(moved.collect()));
    }
    if !imports.is_empty() {
        let imported = imports
            .iter()
            .map(|i| json!({"to": i.to.to_string(), "id": i.id}));
        document.insert("import".into(), Value::Array(imported.collect()));
    }
    if !removals.is_empty() {
        let removed = removals.iter().map(|(from, removal)| {
            json!({"from": from.to_string(), "lifecycle": {"destroy": *removal == Removal::Destroy}})
        });
        document.insert("removed".into(), Value::Array(removed.collect()));
    }
    let mut terraform = Map::new();
    if let Some(b) = &backend {
        terraform.insert("backend".into(), json!({ b.type_name(): b.to_json() }));
    }
    if !required.entries.is_empty() {
        let entries: Map<String, Value> = required
            .entries
            .values()
            .map(|(r, _)| {
                (
                    r.local_name.to_string(),
                    json!({"source": r.source, "version": r.version}),
                )
            })
            .collect();
        terraform.insert("required_providers".into(), Value::Object(entries));
    }
    if let Some(v) = required_version {
        terraform.insert("required_version".into(), json!(v));
    }
    insert_nonempty(&mut document, "terraform", terraform);
    if let Err(e) = apply_stack_overrides(&mut document, overrides) {
        return Err(StackError {
            stack: name,
            problems: vec![Problem::stack_wide(e)],
        });
    }

    Ok(SynthesizedStack {
        name,
        sections: Value::Object(document),
        blocks,
        written_order,
        assets,
        resource_count,
        references: output_references,
        dependencies,
        secrets,
        clean_against_bundled: false,
        native: Default::default(),
        digest: Default::default(),
    })
}

fn apply_aspects(aspects: &[Box<dyn Aspect>], blocks: &mut [Block]) {
    for aspect in aspects {
        for block in blocks.iter_mut() {
            aspect.visit(block);
        }
    }
}

/// Construct paths are unique across everything a stack declares. Returns
/// the indexes (blocks first, then the others) of the second and later
/// constructs at a path.
fn duplicate_construct_paths(
    blocks: &[Block],
    block_paths: &[String],
    other_paths: &[(String, &str)],
    problems: &mut Vec<Problem>,
) -> HashSet<usize> {
    let describe = |i: usize| match blocks.get(i) {
        Some(b) => format!("{} {}", kind_word(b.kind), b.type_name),
        None => other_paths[i - blocks.len()].1.to_owned(),
    };
    let mut duplicates = HashSet::default();
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity_and_hasher(
        block_paths.len() + other_paths.len(),
        Default::default(),
    );
    let all = block_paths
        .iter()
        .map(String::as_str)
        .chain(other_paths.iter().map(|(p, _)| p.as_str()));
    for (i, path) in all.enumerate() {
        if let Some(&first) = seen.get(path) {
            problems.push(Problem::at(
                path,
                format!(
                    "two constructs have this path ({}, then {}): give one of them another id",
                    describe(first),
                    describe(i)
                ),
            ));
            duplicates.insert(i);
        } else {
            seen.insert(path, i);
        }
    }
    duplicates
}

/// Each block finished ([`Block::finish`]): typed, or its final JSON.
fn render_blocks(
    blocks: Vec<Block>,
    paths: Vec<String>,
    duplicate_paths: &HashSet<usize>,
    problems: &mut Vec<Problem>,
) -> Vec<Rendered> {
    // Collected in place: the rendered blocks take the memory the blocks
    // had (stacks hold thousands).
    let render = |(i, (block, path)): (usize, (Block, String))| {
        if block.logical_id.is_empty() {
            problems.push(Problem::at(
                &path,
                format!(
                    "the construct id `{}` leaves an empty logical id (only the characters A-Z, a-z, 0-9, `_` and `-` are kept): use an id with some of them",
                    block.scope.id()
                ),
            ));
        }
        for (stack, address) in block.meta.iter().flat_map(|m| &m.foreign) {
            problems.push(Problem::at(
                &path,
                format!(
                    "depends on `{address}` of stack `{stack}`: Terraform orders blocks within one state only. Say that this stack needs that one deployed first (`Stack::depends_on_stack(\"{stack}\")`) instead"
                ),
            ));
        }
        let kind = block.kind;
        let logical_id = block.logical_id.clone();
        let type_name = block.type_name.clone();
        match block.finish(&path) {
            Ok((content, references)) => Some(Rendered {
                block: SynthesizedBlock {
                    kind,
                    type_name,
                    logical_id,
                    path,
                    references,
                    content,
                },
                duplicate_path: duplicate_paths.contains(&i),
            }),
            Err(e) => {
                problems.push(Problem::at(&path, format!("{type_name}: {e}")));
                None
            }
        }
    };
    blocks
        .into_iter()
        .zip(paths)
        .enumerate()
        .filter_map(render)
        .collect()
}

/// Where each address is declared, borrowed from the rendered blocks.
struct AddressIndex<'r> {
    by_address: HashMap<(BlockKind, &'r str, &'r str), usize>,
}

impl<'r> AddressIndex<'r> {
    /// Indexes the blocks, reporting two blocks at one address.
    fn new(rendered: &'r [Rendered], problems: &mut Vec<Problem>) -> Self {
        let mut by_address: HashMap<(BlockKind, &str, &str), usize> =
            HashMap::with_capacity_and_hasher(rendered.len(), Default::default());
        for (i, r) in rendered.iter().enumerate() {
            let block = &r.block;
            let key = (block.kind, &*block.type_name, &*block.logical_id);
            match by_address.get(&key) {
                Some(&first) if !r.duplicate_path => {
                    problems.push(Problem::at(
                        &block.path,
                        format!(
                            "{} and {} both have the address `{}` (logical ids keep only A-Z, a-z, 0-9, `_` and `-`): give one of them another id",
                            rendered[first].block.path,
                            block.path,
                            block.address()
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    by_address.insert(key, i);
                }
            }
        }
        AddressIndex { by_address }
    }

    /// The index of the block at `address`.
    fn get(&self, address: &Address) -> Option<usize> {
        match address {
            Address::Block {
                kind,
                type_name,
                name,
            } => self
                .by_address
                .get(&(*kind, &**type_name, &**name))
                .copied(),
            Address::Variable { .. } => None,
        }
    }
}

/// Checks what blocks and outputs refer to.
struct References<'a> {
    stack: &'a str,
    index: &'a AddressIndex<'a>,
    variables: HashSet<String>,
}

impl References<'_> {
    fn resolves(&self, address: &Address) -> bool {
        match address {
            Address::Variable { name } => self.variables.contains(name),
            Address::Block { .. } => self.index.get(address).is_some(),
        }
    }

    /// A reference through a handle of another stack, which linking did not
    /// turn into a read of that stack's state: what to say about it.
    fn foreign(&self, r: &Reference) -> Option<String> {
        let other = r.stack.as_deref()?;
        (other != self.stack).then(|| {
            format!(
                "refers to `{}` of stack `{other}`: a stack reads another's values through its state, which kite sets up when both stacks are built together (define them with `App::group`)",
                r.address
            )
        })
    }

    fn dangling(&self, what: &str, address: &Address) -> String {
        let hint = match address {
            Address::Variable { .. } => "declare the variable in this stack with `Stack::variable`",
            Address::Block { .. } => {
                "declare it in this stack (handles of another stack cannot be used here), or use a value instead of a reference"
            }
        };
        format!(
            "{what} `{address}`, which is not declared in stack `{}`: {hint}",
            self.stack
        )
    }

    /// References and `depends_on` of every block resolve, and form no cycle.
    fn check_blocks(
        &self,
        rendered: &[Rendered],
        providers: &[ProviderConfig],
        problems: &mut Vec<Problem>,
    ) {
        let mut edges: Vec<Vec<usize>> = vec![Vec::new(); rendered.len()];
        let aliases = providers_index(providers);
        for (i, rendered_block) in rendered.iter().enumerate() {
            let block = &rendered_block.block;
            for r in &block.references {
                if let Some(other) = self.foreign(r) {
                    problems.push(Problem::at(&block.path, other));
                } else if !self.resolves(&r.address) {
                    problems.push(Problem::at(
                        &block.path,
                        self.dangling("refers to", &r.address),
                    ));
                } else if let Some(j) = self.index.get(&r.address) {
                    edges[i].push(j);
                }
            }
            let depends_on = match (block.typed_depends_on(), block.json()) {
                (Some([]), _) | (None, None) => Vec::new(),
                // Checked as written: an address whose text reads as
                // another (a type named `data`) is refused.
                (Some(typed), _) => {
                    let written = typed.iter().map(|a| Value::String(a.to_string()));
                    depends_on_list(&Value::Array(written.collect()), &block.path, problems)
                }
                (None, Some(json)) => depends_on_of(json, &block.path, problems),
            };
            for target in depends_on {
                match self.index.get(&target) {
                    Some(j) => edges[i].push(j),
                    None => problems.push(Problem::at(
                        &block.path,
                        self.dangling("depends on", &target),
                    )),
                }
            }
            check_provider_meta(block, &aliases, problems);
        }
        if let Some(cycle) = find_cycle(&edges) {
            let mut chain: Vec<&str> = cycle
                .iter()
                .map(|&i| rendered[i].block.path.as_str())
                .collect();
            chain.push(&rendered[cycle[0]].block.path);
            problems.push(Problem::at(
                &rendered[cycle[0]].block.path,
                format!(
                    "dependency cycle: {}. Terraform cannot order these blocks: remove one of the references or depends_on entries",
                    chain.join(" → ")
                ),
            ));
        }
    }

    /// A move goes to a declared block, from an address no block has.
    fn check_moves(
        &self,
        moves: &[(Address, Address)],
        rendered: &[Rendered],
        problems: &mut Vec<Problem>,
    ) {
        for (from, to) in moves {
            if self.index.get(to).is_none() {
                problems.push(Problem::stack_wide(
                    self.dangling(&format!("`moved` from `{from}` goes to"), to),
                ));
            }
            if let Some(i) = self.index.get(from) {
                problems.push(Problem::at(
                    &rendered[i].block.path,
                    format!("`{from}` is declared, so nothing can be moved from it: remove the `moved` entry or rename the block"),
                ));
            }
        }
    }

    /// An import goes to a declared resource, at most one per resource, and
    /// its id refers only to what the stack declares.
    fn check_imports(
        &self,
        imports: &[Import],
        rendered: &[Rendered],
        problems: &mut Vec<Problem>,
    ) {
        let mut seen: HashSet<&Address> = HashSet::default();
        let mut found = Vec::new();
        for import in imports {
            let to = &import.to;
            let Some(i) = self.index.get(to) else {
                problems.push(Problem::stack_wide(self.dangling("`import` goes to", to)));
                continue;
            };
            let path = &rendered[i].block.path;
            if rendered[i].block.kind == BlockKind::Data {
                problems.push(Problem::at(
                    path,
                    format!("`import` goes to the data source `{to}`: only resources can adopt existing objects, so import into a resource"),
                ));
            }
            if !seen.insert(to) {
                problems.push(Problem::at(
                    path,
                    format!("`{to}` has two `import` entries: a resource adopts one object, so keep one of them"),
                ));
            }
            found.clear();
            import.id.collect_references(&mut found);
            for r in &found {
                if !self.resolves(&r.address) {
                    problems.push(Problem::at(
                        path,
                        self.dangling(
                            &format!("the id of the `import` into `{to}` refers to"),
                            &r.address,
                        ),
                    ));
                }
            }
        }
    }

    /// A removal names a resource address that no block has, once, and that
    /// no move takes its state from.
    fn check_removals(
        &self,
        removals: &[(Address, Removal)],
        moves: &[(Address, Address)],
        rendered: &[Rendered],
        problems: &mut Vec<Problem>,
    ) {
        let mut seen: HashSet<&Address> = HashSet::default();
        for (from, _) in removals {
            let Address::Block {
                kind: BlockKind::Resource,
                type_name,
                name,
            } = from
            else {
                problems.push(Problem::stack_wide(format!(
                    "`removed` names `{from}`, which is not a resource address: only resources leave the state this way"
                )));
                continue;
            };
            if !is_identifier(type_name) || !is_identifier(name) {
                problems.push(Problem::stack_wide(format!(
                    "`removed` names `{from}`, which is not a valid address (a type and a name, each a letter or `_`, then letters, digits, `_` and `-`): write the address as Terraform's state lists it"
                )));
                continue;
            }
            if let Some(i) = self.index.get(from) {
                problems.push(Problem::at(
                    &rendered[i].block.path,
                    format!("`{from}` is declared, so it cannot be removed: delete the block or the `removed` entry"),
                ));
            }
            if !seen.insert(from) {
                problems.push(Problem::stack_wide(format!(
                    "`{from}` has two `removed` entries: keep one of them"
                )));
            }
            if moves.iter().any(|(moved_from, _)| moved_from == from) {
                problems.push(Problem::stack_wide(format!(
                    "`{from}` is both moved and removed: its state can go to the new address or leave, not both; remove one of the entries"
                )));
            }
        }
    }
}

/// The `output` section and the `//` outputs tree.
fn render_outputs(
    outputs: &[OutputDecl],
    stack: &str,
    references: &References,
    problems: &mut Vec<Problem>,
) -> (
    Map<String, Value>,
    Map<String, Value>,
    Vec<super::References>,
) {
    let mut json = Map::new();
    let mut tree = Map::new();
    let mut paths: HashMap<String, String> = HashMap::default();
    let mut all = Vec::new();
    for decl in outputs {
        let mut found = Vec::new();
        let path = decl.scope.path_in(stack);
        let id = decl.scope.logical_id();
        let value = match decl.output.to_json() {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem::at(&path, format!("output: {e}")));
                continue;
            }
        };
        decl.output.value().collect_references(&mut found);
        for r in &found {
            if let Some(other) = references.foreign(r) {
                problems.push(Problem::at(&path, other));
            } else if !references.resolves(&r.address) {
                problems.push(Problem::at(
                    &path,
                    references.dangling("refers to", &r.address),
                ));
            }
        }
        if let Some(body) = value.as_object() {
            for target in depends_on_of(body, &path, problems) {
                if references.index.get(&target).is_none() {
                    problems.push(Problem::at(
                        &path,
                        references.dangling("depends on", &target),
                    ));
                }
            }
        }
        if let Some(first) = paths.insert(id.clone(), path.clone()) {
            if first != path {
                problems.push(Problem::at(
                    &path,
                    format!("{first} and {path} both have the output name `{id}`: give one of them another id"),
                ));
            }
        }
        insert_tree(&mut tree, stack, &decl.scope.components(), &id);
        if !found.is_empty() {
            all.push(super::References {
                json_path: format!("output.{id}"),
                path: path.clone(),
                references: found,
            });
        }
        json.insert(id, value);
    }
    (json, tree, all)
}

/// Names Terraform reserves: no variable may have them.
const RESERVED_VARIABLE_NAMES: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

/// The `variable` section; names are identifiers, not reserved, and unique.
fn render_variables(
    variables: &[VariableDecl],
    stack: &str,
    problems: &mut Vec<Problem>,
) -> Map<String, Value> {
    let mut json = Map::new();
    let mut paths: HashMap<String, String> = HashMap::default();
    for decl in variables {
        let path = decl.scope.path_in(stack);
        let id = decl.scope.logical_id();
        if RESERVED_VARIABLE_NAMES.contains(&id.as_str()) {
            problems.push(Problem::at(
                &path,
                format!("`{id}` is a name Terraform reserves, which no variable may have: give the variable another id"),
            ));
        } else if !is_identifier(&id) {
            problems.push(Problem::at(
                &path,
                format!("the variable name `{id}` is not an identifier (a letter or `_`, then letters, digits, `_` and `-`): give the variable another id"),
            ));
        }
        if let Some(first) = paths.insert(id.clone(), path.clone()) {
            problems.push(Problem::at(
                &path,
                format!("{first} and {path} both have the variable name `{id}`: give one of them another id"),
            ));
        }
        match &decl.json {
            Ok(v) => {
                json.insert(id, v.clone());
            }
            Err(e) => problems.push(Problem::at(&path, format!("variable: {e}"))),
        }
    }
    json
}

/// The `provider` section: configurations by local name, at most one
/// default and one per alias.
fn render_providers(
    providers: &[ProviderConfig],
    required: &mut RequiredProviders,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Vec<Value>> {
    let mut json: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut aliases: HashSet<(String, Option<String>)> = HashSet::default();
    for p in providers {
        let local = p.requirement.local_name.to_string();
        required.add(&p.requirement, &format!("provider `{local}`"), problems);
        if !aliases.insert((local.clone(), p.alias.clone())) {
            problems.push(Problem::stack_wide(match &p.alias {
                Some(alias) => format!("provider `{local}` has two configurations with the alias `{alias}`: give each its own alias"),
                None => format!("provider `{local}` has two default configurations: give all but one an alias"),
            }));
        }
        let body = p.body.to_json_map(Vec::new());
        json.entry(local).or_default().push(Value::Object(body));
    }
    json
}

/// Stack overrides are for what has no typed setter at the stack level;
/// blocks and outputs change through their own overrides, whose references
/// are checked.
fn check_stack_overrides(overrides: &[Override], problems: &mut Vec<Problem>) {
    for o in overrides {
        let path = match o {
            Override::Set(path, _) | Override::Remove(path) => path,
        };
        let section = path.split('.').next().unwrap_or_default();
        if matches!(section, "moved" | "import" | "removed") {
            problems.push(Problem::stack_wide(format!(
                "the stack override `{path}` changes a `{section}` block: use `Stack::moved`, `Stack::import` or `Stack::removed`, so that it is checked"
            )));
        } else if matches!(section, "resource" | "data" | "output") {
            problems.push(Problem::stack_wide(format!(
                "the stack override `{path}` changes a block: use `Stack::block(&handle).set_override` (or the output's own value), so that its references are checked"
            )));
        }
    }
}

fn apply_stack_overrides(
    document: &mut Map<String, Value>,
    overrides: Vec<Override>,
) -> Result<(), String> {
    for o in overrides {
        match o {
            Override::Set(path, value) => {
                let value = value.map_err(|e| format!("override `{path}`: {e}"))?;
                set_path(document, &path, value)?;
            }
            Override::Remove(path) => remove_path(document, &path)?,
        }
    }
    Ok(())
}

fn kind_word(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Resource => "resource",
        BlockKind::Data => "data source",
    }
}

fn insert_nonempty(document: &mut Map<String, Value>, key: &str, section: Map<String, Value>) {
    if !section.is_empty() {
        document.insert(key.into(), Value::Object(section));
    }
}

fn providers_index(providers: &[ProviderConfig]) -> HashSet<String> {
    providers
        .iter()
        .filter_map(|p| {
            p.alias
                .as_ref()
                .map(|a| format!("{}.{a}", p.requirement.local_name))
        })
        .collect()
}

/// A block's `provider` meta-argument must name a configured alias.
fn check_provider_meta(
    block: &SynthesizedBlock,
    aliases: &HashSet<String>,
    problems: &mut Vec<Problem>,
) {
    let provider = match block.json() {
        Some(json) => match json.get("provider") {
            None => return,
            Some(Value::String(provider)) => Cow::Borrowed(provider.as_str()),
            Some(_) => {
                problems.push(Problem::at(
                    &block.path,
                    "the provider meta-argument must be a string such as `aws.west`",
                ));
                return;
            }
        },
        None => match block.provider() {
            Some(provider) => provider,
            None => return,
        },
    };
    let provider = provider.as_ref();
    if provider.contains('.') && !aliases.contains(provider) {
        problems.push(Problem::at(
            &block.path,
            format!(
                "uses provider `{provider}`, which is not configured in this stack: add a provider configuration with that alias"
            ),
        ));
    }
}

/// Inserts an output's logical id into the `//` outputs tree at its path.
fn insert_tree(tree: &mut Map<String, Value>, stack: &str, components: &[&str], id: &str) {
    let mut node = tree
        .entry(stack.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    let Some((last, parents)) = components.split_last() else {
        return;
    };
    for c in parents {
        let Value::Object(map) = node else {
            return;
        };
        node = map
            .entry(c.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = node {
        map.insert(last.to_string(), Value::String(id.to_owned()));
    }
}

/// The `required_providers` entries, each with where it was first asked for.
#[derive(Default)]
struct RequiredProviders {
    entries: BTreeMap<String, (ProviderRequirement, String)>,
    explicit: HashSet<String>,
}

impl RequiredProviders {
    fn add(&mut self, req: &ProviderRequirement, by: &str, problems: &mut Vec<Problem>) {
        if req.is_builtin() {
            return;
        }
        let key = req.local_name.to_string();
        if self.explicit.contains(&key) {
            return;
        }
        match self.entries.get(&key) {
            None => {
                self.entries.insert(key, (req.clone(), by.to_owned()));
            }
            Some((existing, first)) if existing != req => problems.push(Problem::stack_wide(format!(
                "provider `{key}` is required as {} {} by {first} and as {} {} by {by}: call `Stack::require_provider` to choose one",
                existing.source, existing.version, req.source, req.version
            ))),
            Some(_) => {}
        }
    }

    /// An explicit requirement replaces whatever blocks asked for.
    fn set(&mut self, req: ProviderRequirement) {
        let key = req.local_name.to_string();
        self.explicit.insert(key.clone());
        self.entries.insert(key, (req, "the stack".into()));
    }
}
