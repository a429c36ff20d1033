//! References between stacks: a handle of stack A used in stack B.
//!
//! Stacks built together (an [`App`](crate::App) group) are linked before
//! synthesis: each value of B that reads a block of A is replaced by a read
//! of A's state (a `terraform_remote_state` data source of B, configured
//! from A's backend), A gets an output with that value, named after the
//! block's construct path and the attribute (stable across runs), and B's
//! manifest entry lists A among its dependencies. A cycle of stacks is
//! refused with the construct paths that make it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::address::{Address, BlockKind};
use crate::block::Content;
use crate::body::Body;
use crate::collections::{map_of, set_of};
use crate::construct::Scope;
use crate::expr::scan::Reference;
use crate::expr::{Expr, Step, Tf};
use crate::output::Output;
use crate::stack::Stack;
use crate::synth::Problem;
use crate::terraform::{DataTerraformRemoteState, DataTerraformRemoteStateArgs};

/// Consumer → producer → each value read: the consumer's construct path
/// and the producer's output.
type StackEdges = BTreeMap<Arc<str>, BTreeMap<Arc<str>, Vec<(String, String)>>>;

/// Where a stack reads another's state: `data.terraform_remote_state.<producer>-state`.
pub(crate) fn remote_state_id(producer: &str) -> String {
    format!("{producer}-state")
}

/// A reference to `data.terraform_remote_state.<name>`: the data source's
/// logical id and, when it reads `outputs.<output>`, the output's name.
pub(crate) fn remote_state_read(reference: &Reference) -> Option<(&str, Option<&str>)> {
    let Address::Block {
        kind: crate::address::BlockKind::Data,
        type_name,
        name,
    } = &reference.address
    else {
        return None;
    };
    if type_name != "terraform_remote_state" {
        return None;
    }
    let output = match reference.steps.as_slice() {
        [Step::Attr(first), Step::Attr(output), ..] if first == "outputs" => Some(output.as_str()),
        _ => None,
    };
    Some((name, output))
}

/// The stacks whose state a synthesized stack reads, among its
/// `dependencies`, each with the names of the outputs it reads there
/// (`data.terraform_remote_state.<producer>-state.outputs.<name>` in
/// `references`): what `kite diff` checks the producer's state for before
/// planning the consumer.
pub fn state_reads<'a>(
    dependencies: &[String],
    references: impl IntoIterator<Item = &'a Reference>,
) -> BTreeMap<String, BTreeSet<String>> {
    let ids: BTreeMap<String, &String> = map_of(
        dependencies
            .iter()
            .map(|d| (Scope::root().child(&remote_state_id(d)).logical_id(), d)),
    );
    let mut reads: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for reference in references {
        let Some((name, output)) = remote_state_read(reference) else {
            continue;
        };
        let Some(producer) = ids.get(name) else {
            continue;
        };
        let outputs = reads.entry((*producer).clone()).or_default();
        if let Some(output) = output {
            outputs.insert(output.to_owned());
        }
    }
    reads
}

/// A value of a producer that a consumer reads.
#[derive(Clone, Debug)]
struct Export {
    producer: Arc<str>,
    /// The value, as the producer renders it.
    value: Expr,
    /// The output's scope in the producer (`exports/<block path>/<steps>`).
    output: Scope,
}

/// Links the references between `stacks`, or says why it cannot: a cycle
/// of stacks. (A read of a block its stack does not have is linked all the
/// same, its output named after the address; synthesis of the producer then
/// reports the output's dangling reference.)
pub fn link(stacks: &mut [Stack]) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    // Handles of stacks outside these are left as they are: synthesis
    // refuses them, with the stack's other problems.
    let mut edges = StackEdges::new();
    let mut exports: Vec<Export> = Vec::new();
    // A stack alone in its group reads no other stack of it: there is
    // nothing to rewrite, and its blocks need not be walked.
    let consumers = if stacks.len() > 1 { stacks.len() } else { 0 };
    for i in 0..consumers {
        // What may change is taken out of the consumer, so that the other
        // stacks can be read (indexed) while it is rewritten.
        let consumer = &mut stacks[i];
        let own = consumer.id.clone();
        let name = consumer.name.clone();
        let mut blocks = std::mem::take(&mut consumer.blocks);
        let mut providers = std::mem::take(&mut consumer.providers);
        let mut outputs = std::mem::take(&mut consumer.outputs);
        let mut found: Vec<(String, Export)> = Vec::new();
        let mut producers = Producers::new(stacks);
        let mut rewrite_body = |body: &mut Body, path: &dyn Fn() -> String| {
            body.for_each_expr_mut(&mut |e| rewrite(e, &own, &mut producers, path, &mut found));
        };
        for block in &mut blocks {
            if let Content::Typed(body) = &mut block.content {
                rewrite_body(body, &|| block.scope.path_in(&name));
            }
        }
        for provider in &mut providers {
            rewrite_body(&mut provider.body, &|| format!("{name} (provider)"));
        }
        for decl in &mut outputs {
            let scope = &decl.scope;
            let path = || scope.path_in(&name);
            rewrite(
                decl.output.value_mut(),
                &own,
                &mut producers,
                &path,
                &mut found,
            );
        }
        let consumer = &mut stacks[i];
        consumer.blocks = blocks;
        consumer.providers = providers;
        consumer.outputs = outputs;
        for (path, export) in found {
            let producer_path = export.output.path_in(&export.producer);
            edges
                .entry(own.clone())
                .or_default()
                .entry(export.producer.clone())
                .or_default()
                .push((path, producer_path));
            exports.push(export);
        }
    }
    // Declared dependencies count for cycles too.
    for stack in stacks.iter() {
        for dependency in &stack.dependencies {
            edges
                .entry(stack.id.clone())
                .or_default()
                .entry(dependency.as_str().into())
                .or_default();
        }
    }
    if let Some(cycle) = stack_cycle(&edges) {
        problems.push(Problem::stack_wide(describe_cycle(&cycle, &edges)));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    add_outputs(stacks, &exports);
    add_state_reads(stacks, &edges);
    Ok(())
}

/// The stacks of a group as producers: which are in it, and the scope of
/// each of their blocks, indexed (borrowed) for a stack only when a value
/// of it is first read: most stacks are read for a few values, or not at all.
struct Producers<'a> {
    stacks: &'a [Stack],
    scopes: FxHashMap<&'a str, FxHashMap<(BlockKind, &'a str, &'a str), &'a Scope>>,
}

impl<'a> Producers<'a> {
    fn new(stacks: &'a [Stack]) -> Self {
        Producers {
            stacks,
            scopes: FxHashMap::default(),
        }
    }

    fn in_group(&self, id: &str) -> bool {
        self.stacks.iter().any(|s| &*s.id == id)
    }

    /// The scope of the block at `address` in stack `id`.
    fn scope(&mut self, id: &str, address: &Address) -> Option<&'a Scope> {
        let Address::Block {
            kind,
            type_name,
            name,
        } = address
        else {
            return None;
        };
        let stacks = self.stacks;
        let stack = stacks.iter().find(|s| &*s.id == id)?;
        let scopes = self.scopes.entry(&*stack.id).or_insert_with(|| {
            stack
                .blocks
                .iter()
                .map(|b| ((b.kind, &*b.type_name, &*b.logical_id), &b.scope))
                .collect()
        });
        scopes.get(&(*kind, &**type_name, &**name)).copied()
    }
}

/// Replaces, in `expr`, each value read through a handle of another stack
/// by a read of that stack's state, and records it in `found` with the
/// construct path (`path`, made only then) of what reads it.
fn rewrite(
    expr: &mut Expr,
    own: &Arc<str>,
    producers: &mut Producers,
    path: &dyn Fn() -> String,
    found: &mut Vec<(String, Export)>,
) {
    if let Some((producer, address, steps)) =
        foreign_chain(expr, own).filter(|(producer, ..)| producers.in_group(producer))
    {
        let block_scope = producers
            .scope(&producer, &address)
            .cloned()
            .unwrap_or_else(|| Scope::root().child(&address.to_string()));
        let mut output = Scope::root().child("exports");
        for component in block_scope.components() {
            output = output.child(component);
        }
        for step in &steps {
            output = output.child(&match step {
                Step::Attr(name) | Step::Key(name) => name.clone(),
                Step::Index(i) => i.to_string(),
            });
        }
        let name = output.logical_id();
        let read = Expr::reference(Address::data(
            "terraform_remote_state",
            Scope::root()
                .child(&remote_state_id(&producer))
                .logical_id(),
        ))
        .attr("outputs")
        .attr(name);
        let value = std::mem::replace(expr, read);
        found.push((
            path(),
            Export {
                producer,
                value,
                output,
            },
        ));
        return;
    }
    match expr {
        Expr::List(items) | Expr::Template(items) => {
            for item in items {
                rewrite(item, own, producers, path, found);
            }
        }
        Expr::Call(call) => {
            for arg in &mut call.1 {
                rewrite(arg, own, producers, path, found);
            }
        }
        Expr::Object(fields) => {
            for value in fields.values_mut() {
                rewrite(value, own, producers, path, found);
            }
        }
        Expr::Get(get) => rewrite(&mut get.0, own, producers, path, found),
        Expr::Null
        | Expr::Str(_)
        | Expr::Num(_)
        | Expr::Bool(_)
        | Expr::Ref(_)
        | Expr::Declared(..) => {}
    }
}

/// When `expr` reads a block of another stack (`Declared(A, address)` and
/// the steps after it), that stack, the address and the steps.
fn foreign_chain(expr: &Expr, own: &Arc<str>) -> Option<(Arc<str>, Address, Vec<Step>)> {
    // Most chains read the stack's own blocks: no step is copied for them.
    let (base, depth) = expr.chain_base();
    let Expr::Declared(stack, address) = base else {
        return None;
    };
    if stack == own {
        return None;
    }
    Some((stack.clone(), (**address).clone(), expr.chain_steps(depth)))
}

/// Each producer's outputs for what its consumers read (one per value).
fn add_outputs(stacks: &mut [Stack], exports: &[Export]) {
    for stack in stacks.iter_mut() {
        let mut added: BTreeSet<String> = BTreeSet::new();
        let id = stack.id.clone();
        for export in exports.iter().filter(|e| e.producer == id) {
            let name = export.output.logical_id();
            if !added.insert(name) {
                continue;
            }
            let (parent, id) = split(&export.output);
            stack.output(
                &parent,
                &id,
                Output::new(Tf::<crate::expr::Any>::from_expr(export.value.clone()))
                    .description("read by another stack of the app through this stack's state"),
            );
        }
    }
}

/// A scope's parent and its own id.
fn split(scope: &Scope) -> (Scope, String) {
    let components = scope.components();
    let (last, parents) = components.split_last().unwrap_or((&"", &[]));
    let mut parent = Scope::root();
    for c in parents {
        parent = parent.child(c);
    }
    (parent, (*last).to_owned())
}

/// Each consumer's `terraform_remote_state` of each producer it reads, and
/// its dependency on it.
fn add_state_reads(stacks: &mut [Stack], edges: &StackEdges) {
    let backends: BTreeMap<Arc<str>, Option<crate::backend::Backend>> =
        map_of(stacks.iter().map(|s| (s.id.clone(), s.backend.clone())));
    for stack in stacks.iter_mut() {
        let Some(producers) = edges.get(&stack.id) else {
            continue;
        };
        for (producer, reads) in producers {
            stack.depends_on_stack(producer.as_ref());
            if reads.is_empty() {
                // A declared dependency without values read.
                continue;
            }
            let backend = backends.get(producer).cloned().flatten();
            let (kind, config) = match &backend {
                Some(b) => (b.type_name(), b.remote_state_config()),
                None => ("local", serde_json::json!({})),
            };
            let root = stack.root();
            stack.data(
                &root,
                &remote_state_id(producer),
                DataTerraformRemoteState::new(DataTerraformRemoteStateArgs {
                    backend: kind.into(),
                })
                .config(Tf::<crate::expr::Any>::from_expr(literal(&config))),
            );
        }
    }
}

/// A JSON value as a literal expression.
fn literal(value: &serde_json::Value) -> Expr {
    match value {
        serde_json::Value::Null => Expr::Null,
        serde_json::Value::Bool(b) => Expr::Bool(*b),
        serde_json::Value::Number(n) => Expr::Num(n.clone()),
        serde_json::Value::String(s) => Expr::Str(s.clone()),
        serde_json::Value::Array(items) => Expr::List(items.iter().map(literal).collect()),
        serde_json::Value::Object(fields) => Expr::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), literal(v)))
                .collect(),
        ),
    }
}

/// A cycle of stacks, first stack repeated last.
fn stack_cycle(edges: &StackEdges) -> Option<Vec<Arc<str>>> {
    let nodes: Vec<Arc<str>> = set_of(
        edges
            .keys()
            .chain(edges.values().flat_map(|p| p.keys()))
            .cloned(),
    )
    .into_iter()
    .collect();
    let index: BTreeMap<&Arc<str>, usize> = map_of(nodes.iter().enumerate().map(|(i, n)| (n, i)));
    let adjacency: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            edges
                .get(n)
                .map(|p| p.keys().map(|k| index[k]).collect())
                .unwrap_or_default()
        })
        .collect();
    crate::synth::find_cycle(&adjacency).map(|cycle| {
        let mut named: Vec<Arc<str>> = cycle.iter().map(|&i| nodes[i].clone()).collect();
        named.push(named[0].clone());
        named
    })
}

fn describe_cycle(cycle: &[Arc<str>], edges: &StackEdges) -> String {
    let mut links = Vec::new();
    for pair in cycle.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let why = edges
            .get(from)
            .and_then(|p| p.get(to))
            .and_then(|reads| reads.first())
            .map(|(consumer, producer)| format!("{consumer} reads {producer}"))
            .unwrap_or_else(|| format!("{from} declares that it needs {to}"));
        links.push(format!("`{from}` needs `{to}` ({why})"));
    }
    let names: Vec<&str> = cycle.iter().map(|s| s.as_ref()).collect();
    format!(
        "the stacks {} depend on each other: {}. Each stack must be deployable before the stacks that read it: move the values one of them reads into the other stack, or into a third stack both read",
        names.join(" → "),
        links.join("; ")
    )
}
