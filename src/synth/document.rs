//! Building the `cdk.tf.json` of a stack, after checking it.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use serde_json::{Map, Value, json};

use crate::address::{Address, BlockKind};
use crate::block::{Override, json_kind, remove_path, set_path};
use crate::expr::scan::{self, Reference};
use crate::provider::ProviderRequirement;
use crate::stack::Stack;

use super::graph::find_cycle;
use super::{Problem, StackError, SynthesizedStack, VERSION};

/// Keys of a block whose values are not expressions.
const META_KEYS: &[&str] = &["//", "depends_on", "lifecycle", "provider"];

/// A block after rendering.
struct Rendered {
    kind: BlockKind,
    type_name: std::borrow::Cow<'static, str>,
    logical_id: String,
    path: String,
    body: Map<String, Value>,
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
        overrides,
        ..
    } = stack;
    let mut problems = Vec::new();

    for aspect in &aspects {
        for block in &mut blocks {
            aspect.visit(block);
        }
    }

    // Construct paths are unique across everything the stack declares.
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
    let mut duplicate_paths: HashSet<usize> = HashSet::default();
    {
        let describe = |i: usize| match blocks.get(i) {
            Some(b) => format!("{} {}", kind_word(b.kind), b.type_name),
            None => other_paths[i - blocks.len()].1.to_owned(),
        };
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
                duplicate_paths.insert(i);
            } else {
                seen.insert(path, i);
            }
        }
    }

    let mut required = RequiredProviders::default();
    for r in &requirements {
        required.set(r.clone());
    }
    for (r, first_user) in &block_requirements {
        required.add(r, &first_user.path_in(&name), &mut problems);
    }
    let mut rendered: Vec<Rendered> = Vec::with_capacity(blocks.len());
    let mut duplicate_rendered: Vec<bool> = Vec::with_capacity(blocks.len());
    for (i, (block, path)) in blocks.into_iter().zip(block_paths).enumerate() {
        if block.logical_id.is_empty() {
            problems.push(Problem::at(
                &path,
                format!(
                    "the construct id `{}` leaves an empty logical id (only the characters A-Z, a-z, 0-9, `_` and `-` are kept): use an id with some of them",
                    block.scope.id()
                ),
            ));
        }
        let kind = block.kind;
        let logical_id = block.logical_id.clone();
        let type_name = block.type_name.clone();
        let body = match block.render(&path) {
            Ok(body) => body,
            Err(e) => {
                problems.push(Problem::at(&path, format!("{type_name}: {e}")));
                continue;
            }
        };
        duplicate_rendered.push(duplicate_paths.contains(&i));
        rendered.push(Rendered {
            kind,
            type_name,
            logical_id,
            path,
            body,
        });
    }

    // Addresses, borrowed from the rendered blocks.
    let mut by_address: HashMap<(BlockKind, &str, &str), usize> =
        HashMap::with_capacity_and_hasher(rendered.len(), Default::default());
    for (i, block) in rendered.iter().enumerate() {
        let key = (block.kind, &*block.type_name, block.logical_id.as_str());
        match by_address.get(&key) {
            Some(&first) if !duplicate_rendered[i] => problems.push(Problem::at(
                &block.path,
                format!(
                    "{} and {} both have the address `{}` (logical ids keep only A-Z, a-z, 0-9, `_` and `-`): give one of them another id",
                    rendered[first].path,
                    block.path,
                    block_address(block)
                ),
            )),
            Some(_) => {}
            None => {
                by_address.insert(key, i);
            }
        }
    }
    let index_of = |address: &Address| match address {
        Address::Block {
            kind,
            type_name,
            name,
        } => by_address
            .get(&(*kind, &**type_name, name.as_str()))
            .copied(),
        Address::Variable { .. } => None,
    };

    let variable_ids: HashSet<String> = variables.iter().map(|v| v.scope.logical_id()).collect();
    let resolves = |address: &Address| match address {
        Address::Variable { name } => variable_ids.contains(name),
        Address::Block { .. } => index_of(address).is_some(),
    };
    let dangling = |what: &str, address: &Address| {
        let hint = match address {
            Address::Variable { .. } => "declare the variable in this stack with `Stack::variable`",
            Address::Block { .. } => {
                "declare it in this stack (handles of another stack cannot be used here), or use a value instead of a reference"
            }
        };
        format!("{what} `{address}`, which is not declared in stack `{name}`: {hint}")
    };

    // References and depends_on, checked and turned into dependency edges.
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); rendered.len()];
    let mut found: Vec<Reference> = Vec::new();
    let aliases = providers_index(&providers);
    for (i, block) in rendered.iter().enumerate() {
        found.clear();
        block_references(&block.body, &mut found);
        for r in &found {
            if !resolves(&r.address) {
                problems.push(Problem::at(&block.path, dangling("refers to", &r.address)));
            } else if let Some(j) = index_of(&r.address) {
                edges[i].push(j);
            }
        }
        for target in depends_on_of(&block.body, &block.path, &mut problems) {
            match index_of(&target) {
                Some(j) => edges[i].push(j),
                None => problems.push(Problem::at(&block.path, dangling("depends on", &target))),
            }
        }
        check_provider_meta(block, &aliases, &mut problems);
    }
    if let Some(cycle) = find_cycle(&edges) {
        let mut chain: Vec<&str> = cycle.iter().map(|&i| rendered[i].path.as_str()).collect();
        chain.push(&rendered[cycle[0]].path);
        problems.push(Problem::at(
            &rendered[cycle[0]].path,
            format!(
                "dependency cycle: {}. Terraform cannot order these blocks: remove one of the references or depends_on entries",
                chain.join(" → ")
            ),
        ));
    }
    drop(edges);

    // Moves: the new address is declared here; the old one is not.
    for (from, to) in &moves {
        if index_of(to).is_none() {
            problems.push(Problem::stack_wide(dangling(
                &format!("`moved` from `{from}` goes to"),
                to,
            )));
        }
        if let Some(i) = index_of(from) {
            problems.push(Problem::at(
                &rendered[i].path,
                format!("`{from}` is declared, so nothing can be moved from it: remove the `moved` entry or rename the block"),
            ));
        }
    }

    // Outputs.
    let mut output_json = Map::new();
    let mut output_tree = Map::new();
    let mut output_paths: HashMap<String, String> = HashMap::default();
    for decl in &outputs {
        let path = decl.scope.path_in(&name);
        let id = decl.scope.logical_id();
        let value = match decl.output.to_json() {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem::at(&path, format!("output: {e}")));
                continue;
            }
        };
        found.clear();
        collect_references(&value["value"], &mut found);
        for r in &found {
            if !resolves(&r.address) {
                problems.push(Problem::at(&path, dangling("refers to", &r.address)));
            }
        }
        for target in depends_on_of(
            value.as_object().unwrap_or(&Map::new()),
            &path,
            &mut problems,
        ) {
            if index_of(&target).is_none() {
                problems.push(Problem::at(&path, dangling("depends on", &target)));
            }
        }
        if let Some(first) = output_paths.insert(id.clone(), path.clone()) {
            if first != path {
                problems.push(Problem::at(
                    &path,
                    format!("{first} and {path} both have the output name `{id}`: give one of them another id"),
                ));
            }
        }
        insert_tree(&mut output_tree, &name, &decl.scope.components(), &id);
        output_json.insert(id, value);
    }

    // Variables.
    let mut variable_json = Map::new();
    for decl in &variables {
        match &decl.json {
            Ok(v) => {
                variable_json.insert(decl.scope.logical_id(), v.clone());
            }
            Err(e) => problems.push(Problem::at(
                decl.scope.path_in(&name),
                format!("variable: {e}"),
            )),
        }
    }

    // Providers.
    let mut provider_json: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut aliases: HashSet<(String, Option<String>)> = HashSet::default();
    for p in &providers {
        let local = p.requirement.local_name.to_string();
        required.add(
            &p.requirement,
            &format!("provider `{local}`"),
            &mut problems,
        );
        if !aliases.insert((local.clone(), p.alias.clone())) {
            problems.push(Problem::stack_wide(match &p.alias {
                Some(alias) => format!("provider `{local}` has two configurations with the alias `{alias}`: give each its own alias"),
                None => format!("provider `{local}` has two default configurations: give all but one an alias"),
            }));
        }
        match &p.body {
            Ok(body) => provider_json.entry(local).or_default().push(body.clone()),
            Err(e) => problems.push(Problem::stack_wide(format!("provider `{local}`: {e}"))),
        }
    }
    // Stack overrides are for what has no typed setter at the stack level;
    // blocks and outputs change through their own overrides, whose
    // references are checked above.
    for o in &overrides {
        let path = match o {
            Override::Set(path, _) | Override::Remove(path) => path,
        };
        let section = path.split('.').next().unwrap_or_default();
        if matches!(section, "resource" | "data" | "output") {
            problems.push(Problem::stack_wide(format!(
                "the stack override `{path}` changes a block: use `Stack::block(&handle).set_override` (or the output's own value), so that its references are checked"
            )));
        }
    }

    if !problems.is_empty() {
        return Err(StackError {
            stack: name,
            problems,
        });
    }

    let resource_count = rendered
        .iter()
        .filter(|b| b.kind == BlockKind::Resource)
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
    let mut resources: Map<String, Value> = Map::new();
    let mut data: Map<String, Value> = Map::new();
    for block in rendered {
        let section = match block.kind {
            BlockKind::Resource => &mut resources,
            BlockKind::Data => &mut data,
        };
        if let Value::Object(of_type) = section
            .entry(block.type_name)
            .or_insert_with(|| Value::Object(Map::new()))
        {
            of_type.insert(block.logical_id, Value::Object(block.body));
        }
    }
    insert_nonempty(&mut document, "resource", resources);
    insert_nonempty(&mut document, "data", data);
    insert_nonempty(&mut document, "output", output_json);
    insert_nonempty(&mut document, "variable", variable_json);
    if !provider_json.is_empty() {
        document.insert("provider".into(), json!(provider_json));
    }
    if !moves.is_empty() {
        let moved: Vec<Value> = moves
            .iter()
            .map(|(from, to)| json!({"from": from.to_string(), "to": to.to_string()}))
            .collect();
        document.insert("moved".into(), Value::Array(moved));
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
    for o in overrides {
        let applied = match o {
            Override::Set(path, value) => value
                .map_err(|e| format!("override `{path}`: {e}"))
                .and_then(|v| set_path(&mut document, &path, v)),
            Override::Remove(path) => remove_path(&mut document, &path),
        };
        if let Err(e) = applied {
            return Err(StackError {
                stack: name,
                problems: vec![Problem::stack_wide(e)],
            });
        }
    }

    Ok(SynthesizedStack {
        name,
        document: Value::Object(document),
        assets,
        resource_count,
    })
}

fn block_address(block: &Rendered) -> Address {
    Address::Block {
        kind: block.kind,
        type_name: block.type_name.clone(),
        name: block.logical_id.clone(),
    }
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

/// Every reference in the arguments of a block (not in its meta-arguments,
/// which are not expressions).
pub(crate) fn block_references(body: &Map<String, Value>, found: &mut Vec<Reference>) {
    for (key, value) in body {
        match key.as_str() {
            k if META_KEYS.contains(&k) => {}
            "dynamic" => collect_dynamic(value, found),
            _ => collect_references(value, found),
        }
    }
}

/// Every reference in the strings of a JSON value.
pub(crate) fn collect_references(value: &Value, found: &mut Vec<Reference>) {
    match value {
        Value::String(s) => scan::references(s, found),
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, found)),
        Value::Object(map) => {
            for (k, v) in map {
                // Keys of map values are templates too.
                scan::references(k, found);
                if k == "dynamic" {
                    collect_dynamic(v, found);
                } else {
                    collect_references(v, found);
                }
            }
        }
        _ => {}
    }
}

/// The references in `dynamic` blocks, less their iterator (`label.value`,
/// or the `iterator` name), which is no block of the configuration.
fn collect_dynamic(dynamic: &Value, found: &mut Vec<Reference>) {
    let Value::Object(blocks) = dynamic else {
        collect_references(dynamic, found);
        return;
    };
    for (label, specs) in blocks {
        let specs: Vec<&Value> = match specs {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for spec in specs {
            let iterator = spec["iterator"].as_str().unwrap_or(label);
            let mut inner = Vec::new();
            collect_references(spec, &mut inner);
            found.extend(inner.into_iter().filter(|r| {
                !matches!(&r.address, Address::Block { kind: BlockKind::Resource, type_name, .. } if type_name == iterator)
            }));
        }
    }
}

/// The addresses in a block's final `depends_on`.
fn depends_on_of(
    body: &Map<String, Value>,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Address> {
    let Some(value) = body.get("depends_on") else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        problems.push(Problem::at(
            path,
            format!(
                "depends_on must be a list of addresses, not {}",
                json_kind(value)
            ),
        ));
        return Vec::new();
    };
    let mut addresses = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().and_then(parse_address) {
            Some(a) => addresses.push(a),
            None => problems.push(Problem::at(
                path,
                format!(
                    "depends_on entry {item} is not the address of a block (`TYPE.NAME` or `data.TYPE.NAME`)"
                ),
            )),
        }
    }
    addresses
}

fn parse_address(text: &str) -> Option<Address> {
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        ["data", t, n] => Some(Address::data(t.to_string(), *n)),
        [t, n] if *t != "data" && *t != "var" => Some(Address::resource(t.to_string(), *n)),
        _ => None,
    }
}

fn providers_index(providers: &[crate::provider::ProviderConfig]) -> HashSet<String> {
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
fn check_provider_meta(block: &Rendered, aliases: &HashSet<String>, problems: &mut Vec<Problem>) {
    let Some(provider) = block.body.get("provider") else {
        return;
    };
    let Some(provider) = provider.as_str() else {
        problems.push(Problem::at(
            &block.path,
            "the provider meta-argument must be a string such as `aws.west`",
        ));
        return;
    };
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
