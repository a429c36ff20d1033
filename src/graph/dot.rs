//! The graph in Graphviz's DOT language (`dot -Tsvg` draws it).

use std::fmt::Write;

use super::{Cluster, EdgeKind, Graph, LABEL_WIDTH, NodeId, type_label, wrap};
use crate::address::BlockKind;

/// Fill colours of boxes, by depth (a stack, then its constructs).
pub(super) const CLUSTER_FILLS: [&str; 4] = ["#f7f9fb", "#edf1f5", "#e2e8ef", "#d8e0e9"];

pub(super) fn render(graph: &Graph) -> String {
    let mut out = String::new();
    out.push_str("digraph kite {\n");
    out.push_str(
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.2, ranksep=0.5];\n",
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", color=\"#5b6b7f\", fontname=\"Courier\", fontsize=10];\n");
    out.push_str("  edge [color=\"#5b6b7f\", arrowsize=0.6];\n");
    for cluster in graph.clusters() {
        write_cluster(graph, &cluster, 0, &mut out);
    }
    let mut edges = graph.edges().to_vec();
    crate::collections::sort_by(&mut edges, Ord::cmp);
    for edge in edges {
        let _ = write!(
            out,
            "  {} -> {}",
            node_id(graph, edge.from),
            node_id(graph, edge.to)
        );
        if edge.kind == EdgeKind::DependsOn {
            out.push_str(" [style=dashed]");
        }
        out.push_str(";\n");
    }
    out.push_str("}\n");
    out
}

fn write_cluster(graph: &Graph, cluster: &Cluster, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth + 1);
    let _ = writeln!(
        out,
        "{indent}subgraph {} {{",
        quoted(&format!("cluster_{}", cluster.path))
    );
    let _ = writeln!(
        out,
        "{indent}  graph [label={}, tooltip={}, labeljust=l, style=\"rounded,filled\", fillcolor=\"{}\", color=\"#8a99a8\"{}];",
        quoted(&cluster.label),
        quoted(&cluster.path),
        CLUSTER_FILLS[depth.min(CLUSTER_FILLS.len() - 1)],
        if depth == 0 { ", fontsize=14" } else { "" }
    );
    for inner in &cluster.clusters {
        write_cluster(graph, inner, depth + 1, out);
    }
    for (id, label) in &cluster.nodes {
        let node = graph.node(*id);
        let mut html: Vec<String> = wrap(label, LABEL_WIDTH)
            .iter()
            .map(|l| html_text(l))
            .collect();
        html.push(format!(
            "<FONT POINT-SIZE=\"8\" COLOR=\"#6b7785\">{}</FONT>",
            html_text(&type_label(&node.address))
        ));
        let _ = write!(
            out,
            "{indent}  {} [label=<{}>, tooltip={}",
            node_id(graph, *id),
            html.join("<BR/>"),
            quoted(&node.address.to_string())
        );
        if matches!(
            node.address,
            crate::Address::Block {
                kind: BlockKind::Data,
                ..
            }
        ) {
            out.push_str(", style=\"rounded,filled,dashed\", fillcolor=\"#eef5ff\"");
        }
        out.push_str("];\n");
    }
    let _ = writeln!(out, "{indent}}}");
}

/// A node's DOT id: its stack and address, quoted.
fn node_id(graph: &Graph, id: NodeId) -> String {
    let node = graph.node(id);
    quoted(&format!("{}:{}", graph.stacks()[node.stack], node.address))
}

/// A DOT string: in double quotes, with `"` and `\` escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text in a DOT HTML label (and in XML).
pub(super) fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}
