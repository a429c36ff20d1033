//! Pictures of stacks (`kite graph`): every resource and data source is a
//! node labelled with its construct path and Terraform type, boxed by the
//! constructs that hold it, and the references and `depends_on` between
//! blocks are edges.
//!
//! A [`Graph`] is read from synthesized stacks: their final JSON, after
//! aspects and overrides, which is what terraform orders its work by. Each
//! block's construct path comes from its `//` metadata and its references
//! from the scanner synthesis checks them with, so the picture shows what
//! terraform will see.
//!
//! A graph holds any number of stacks, each drawn as a cluster of its own.
//! An edge may join nodes of two stacks (a cross-stack reference,
//! [`Graph::add_edge`]); it is then drawn between their clusters.
//!
//! [`Graph::to_dot`] writes Graphviz's DOT; [`Graph::to_svg`] (feature
//! `graph-svg`) lays the graph out and draws it in-process.

mod dot;
#[cfg(feature = "graph-svg")]
mod svg;

use std::borrow::Cow;
use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use serde_json::{Map, Value};

use crate::address::{Address, BlockKind};
use crate::block::construct_path;
use crate::construct::Scope;
use crate::cross_stack::{remote_state_id, remote_state_read};
use crate::synth::{SynthesizedStack, block_references, collect_references, parse_address};

/// Stacks, their blocks, and what depends on what.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    stacks: Vec<String>,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    /// Each node by its stack and address.
    index: HashMap<(usize, Address), NodeId>,
    /// Each edge by its nodes.
    edge_index: HashMap<(NodeId, NodeId), usize>,
}

/// A node of a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(usize);

/// A resource or data source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Its stack: an index into [`Graph::stacks`].
    pub stack: usize,
    pub address: Address,
    /// Its construct path, starting with the stack's name
    /// (`kite/ws-handler/fn`).
    pub path: String,
}

/// Why one block depends on another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// An argument refers to the other block (`${TYPE.NAME.attr}`).
    Reference,
    /// The other block is in its `depends_on`.
    DependsOn,
}

/// `from` depends on `to`: terraform creates `to` first. Drawn as an arrow
/// from `from` to `to`, as `terraform graph` draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
}

/// A box of the picture: a stack, or a construct of one, with what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// The construct path (the stack's name for a stack).
    pub path: String,
    /// What the box says: the construct's id, or ids joined by `/` where
    /// boxes that would hold nothing but one box are merged.
    pub label: String,
    /// Boxes inside this one.
    pub clusters: Vec<Cluster>,
    /// Nodes directly in this box, each with its label: its construct path
    /// below the box.
    pub nodes: Vec<(NodeId, String)>,
}

impl Graph {
    pub fn new() -> Self {
        Graph::default()
    }

    /// The graph of these stacks, each a cluster, with the edges inside
    /// each and the cross-stack references between them.
    pub fn of<'a>(stacks: impl IntoIterator<Item = &'a SynthesizedStack>) -> Self {
        let stacks: Vec<&SynthesizedStack> = stacks.into_iter().collect();
        let mut graph = Graph::new();
        for stack in &stacks {
            graph.add_stack(stack);
        }
        graph.link_stacks(&stacks);
        graph
    }

    /// Adds the cross-stack references among `stacks`, the stacks added so
    /// far in this order (doc/adr/0016): a block of one stack that reads
    /// `data.terraform_remote_state.<producer>-state.outputs.<name>` gets an
    /// edge to every block the producer's output `<name>` refers to, when
    /// the producer is drawn too. Its edge to the data source stays.
    pub fn link_stacks(&mut self, stacks: &[&SynthesizedStack]) {
        let mut found = Vec::new();
        // What each output of each stack refers to.
        let mut exports: HashMap<(usize, &str), Vec<NodeId>> = HashMap::default();
        for (i, stack) in stacks.iter().enumerate() {
            let Some(outputs) = stack.sections.get("output").and_then(Value::as_object) else {
                continue;
            };
            for (name, output) in outputs {
                found.clear();
                collect_references(&output["value"], &mut found);
                let nodes = found
                    .iter()
                    .filter_map(|r| self.find(i, &r.address))
                    .collect();
                exports.insert((i, name.as_str()), nodes);
            }
        }
        if exports.is_empty() {
            return;
        }
        // Which stack a remote state data source reads, by its name.
        let producers: HashMap<String, usize> = stacks
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    Scope::root().child(&remote_state_id(&s.name)).logical_id(),
                    i,
                )
            })
            .collect();
        for (i, stack) in stacks.iter().enumerate() {
            for block in &stack.blocks {
                let Some(from) = self.find(i, &block.address()) else {
                    continue;
                };
                let body = block.to_json();
                let Some(body) = body.as_object() else {
                    continue;
                };
                found.clear();
                block_references(body, &mut found);
                for r in &found {
                    let Some((name, Some(output))) = remote_state_read(r) else {
                        continue;
                    };
                    let Some(&producer) = producers.get(name).filter(|&&p| p != i) else {
                        continue;
                    };
                    for &to in exports.get(&(producer, output)).into_iter().flatten() {
                        self.add_edge(from, to, EdgeKind::Reference);
                    }
                }
            }
        }
    }

    /// Adds a stack: a node per resource and data source of its document,
    /// and an edge per block it refers to or depends on. Returns the
    /// stack's index.
    pub fn add_stack(&mut self, stack: &SynthesizedStack) -> usize {
        let index = self.stacks.len();
        self.stacks.push(stack.name.clone());
        // In construct path order: the picture does not depend on the order
        // the blocks were declared in.
        let rendered: Vec<(Address, Cow<Value>)> = stack
            .blocks
            .iter()
            .map(|block| (block.address(), block.to_json()))
            .collect();
        let mut blocks: Vec<(String, Address, &Map<String, Value>)> = rendered
            .iter()
            .filter_map(|(address, body)| {
                let body = body.as_object()?;
                let path = construct_path(body)
                    .map_or_else(|| format!("{}/{address}", stack.name), str::to_owned);
                Some((path, address.clone(), body))
            })
            .collect();
        crate::collections::sort_by(&mut blocks, |a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let mut ids = Vec::with_capacity(blocks.len());
        for (path, address, _) in &blocks {
            ids.push(self.add_node(Node {
                stack: index,
                address: address.clone(),
                path: path.clone(),
            }));
        }
        let mut found = Vec::new();
        for ((_, _, body), &from) in blocks.iter().zip(&ids) {
            found.clear();
            block_references(body, &mut found);
            for reference in &found {
                if let Some(to) = self.find(index, &reference.address) {
                    self.add_edge(from, to, EdgeKind::Reference);
                }
            }
            for target in depends_on(body) {
                if let Some(to) = self.find(index, &target) {
                    self.add_edge(from, to, EdgeKind::DependsOn);
                }
            }
        }
        index
    }

    /// Adds a node, or returns the one its stack already has at its address.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        let key = (node.stack, node.address.clone());
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = NodeId(self.nodes.len());
        self.nodes.push(node);
        self.index.insert(key, id);
        id
    }

    /// Adds an edge; the nodes may be in two stacks. Between two nodes
    /// there is at most one edge: a reference where there are both.
    pub fn add_edge(&mut self, from: NodeId, to: NodeId, kind: EdgeKind) {
        if from == to {
            return;
        }
        match self.edge_index.get(&(from, to)) {
            Some(&i) => self.edges[i].kind = self.edges[i].kind.min(kind),
            None => {
                self.edge_index.insert((from, to), self.edges.len());
                self.edges.push(Edge { from, to, kind });
            }
        }
    }

    /// The node of stack `stack` at `address`.
    pub fn find(&self, stack: usize, address: &Address) -> Option<NodeId> {
        self.index.get(&(stack, address.clone())).copied()
    }

    /// The stacks' names, in the order they were added.
    pub fn stacks(&self) -> &[String] {
        &self.stacks
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The boxes: one per stack, in it one per construct directly below the
    /// stack (`ws-api`, `prod`, ...), and inside those one per deeper
    /// construct that holds two blocks or more. A construct that would hold
    /// only one box is merged with it (`a/b`); a deeper construct with one
    /// block is not boxed, and that block's label says the construct
    /// (`api.k1te.chat/record`). Everything is sorted by construct id.
    pub fn clusters(&self) -> Vec<Cluster> {
        let mut trees: Vec<Tree> = self.stacks.iter().map(|_| Tree::default()).collect();
        for (i, node) in self.nodes.iter().enumerate() {
            let components: Vec<&str> = node.path.split('/').skip(1).collect();
            let (last, parents) = components.split_last().unwrap_or((&"", &[]));
            let mut tree = &mut trees[node.stack];
            for c in parents {
                tree = tree.children.entry(c).or_default();
            }
            tree.nodes.push((NodeId(i), (*last).to_owned()));
        }
        self.stacks
            .iter()
            .zip(&trees)
            .map(|(name, tree)| tree.cluster(name.clone(), name.clone(), true))
            .collect()
    }

    /// The graph in Graphviz's DOT language: clusters as `subgraph
    /// cluster_...`, `depends_on` edges dashed.
    pub fn to_dot(&self) -> String {
        dot::render(self)
    }

    /// The graph laid out and drawn as an SVG document, without Graphviz.
    /// The same graph gives the same bytes.
    #[cfg(feature = "graph-svg")]
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }
}

/// The construct tree below a stack, as far as it holds blocks.
#[derive(Default)]
struct Tree<'a> {
    children: BTreeMap<&'a str, Tree<'a>>,
    /// Blocks whose parent construct this is, with their construct ids.
    nodes: Vec<(NodeId, String)>,
}

impl Tree<'_> {
    fn count(&self) -> usize {
        self.nodes.len() + self.children.values().map(Tree::count).sum::<usize>()
    }

    /// This construct as a box; `stack` for the stack itself, whose
    /// children are boxed even when they hold one block.
    fn cluster(&self, path: String, label: String, stack: bool) -> Cluster {
        let mut cluster = Cluster {
            path,
            label,
            clusters: Vec::new(),
            nodes: self.nodes.clone(),
        };
        for (id, child) in &self.children {
            let mut label = (*id).to_owned();
            let mut path = format!("{}/{id}", cluster.path);
            let mut child = child;
            while child.nodes.is_empty() && child.children.len() == 1 {
                let (id, only) = child.children.iter().next().expect("one child");
                label = format!("{label}/{id}");
                path = format!("{path}/{id}");
                child = only;
            }
            if stack || child.count() >= 2 {
                cluster.clusters.push(child.cluster(path, label, false));
            } else {
                child.flatten(&label, &mut cluster.nodes);
            }
        }
        crate::collections::sort_by(&mut cluster.nodes, |a, b| a.1.cmp(&b.1));
        cluster
    }

    /// Every block below this construct, labelled with its path from
    /// `prefix`.
    fn flatten(&self, prefix: &str, into: &mut Vec<(NodeId, String)>) {
        for (id, label) in &self.nodes {
            into.push((*id, format!("{prefix}/{label}")));
        }
        for (id, child) in &self.children {
            child.flatten(&format!("{prefix}/{id}"), into);
        }
    }
}

/// The addresses in a block's `depends_on` (synthesis has checked them).
fn depends_on(body: &Map<String, Value>) -> Vec<Address> {
    let Some(items) = body.get("depends_on").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_str)
        .filter_map(parse_address)
        .collect()
}

/// The widest line of a node's label, in characters.
const LABEL_WIDTH: usize = 30;

/// A node's label (its construct path below its box) in lines of at most
/// `width` characters, broken after a `-`, `/`, `.` or `_` where one is near
/// enough to the end, else at `width`.
fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest: Vec<char> = label.chars().collect();
    while rest.len() > width {
        let cut = (width / 2..width)
            .rev()
            .find(|&i| matches!(rest[i - 1], '-' | '/' | '.' | '_'))
            .unwrap_or(width);
        lines.push(rest[..cut].iter().collect());
        rest.drain(..cut);
    }
    lines.push(rest.into_iter().collect());
    lines
}

/// The second part of a node's label: its Terraform type, with `data.`
/// before a data source's.
fn type_label(address: &Address) -> String {
    match address {
        Address::Block {
            kind: BlockKind::Data,
            type_name,
            ..
        } => format!("data.{type_name}"),
        other => other.type_name().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests;
