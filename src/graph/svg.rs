//! The graph laid out (dagre's layered layout, with clusters) and drawn as
//! SVG, in-process.
//!
//! Text is measured as a monospace font (0.6 em a character), which is
//! what the picture asks for; coordinates are written with one decimal, so
//! the same graph gives the same bytes.

use std::fmt::Write;

use dagre::graph::{Graph as Layout, GraphOptions};
use dagre::{EdgeLabel, LayoutOptions, NodeLabel, RankDir};

use super::dot::{CLUSTER_FILLS, html_text};
use super::{Cluster, EdgeKind, Graph, LABEL_WIDTH, type_label, wrap};
use crate::address::{Address, BlockKind};

const FONT: &str = "DejaVu Sans Mono, Menlo, Consolas, monospace";
/// Font sizes of a node's name and type, of a construct's box label and of
/// a stack's.
const NAME_SIZE: f64 = 12.0;
const TYPE_SIZE: f64 = 10.0;
const CLUSTER_SIZE: f64 = 10.0;
const STACK_SIZE: f64 = 13.0;
/// Width of a character, in em.
const CHAR_WIDTH: f64 = 0.6;
const PAD_X: f64 = 8.0;
const PAD_Y: f64 = 6.0;
const LINE: f64 = 1.25;

const INK: &str = "#33414f";
const MUTED: &str = "#6b7785";
const STROKE: &str = "#5b6b7f";
const CLUSTER_STROKE: &str = "#8a99a8";
const DATA_FILL: &str = "#eef5ff";

/// A node's text, and the size of its box.
struct NodeText {
    lines: Vec<String>,
    kind: String,
    width: f64,
    height: f64,
}

impl NodeText {
    fn new(label: &str, address: &Address) -> Self {
        let lines = wrap(label, LABEL_WIDTH);
        let kind = type_label(address);
        let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
        let width = (widest * NAME_SIZE).max(kind.chars().count() as f64 * TYPE_SIZE) * CHAR_WIDTH
            + 2.0 * PAD_X;
        let height = lines.len() as f64 * NAME_SIZE * LINE + TYPE_SIZE * LINE + 2.0 * PAD_Y;
        NodeText {
            lines,
            kind,
            width: width.ceil(),
            height: height.ceil(),
        }
    }
}

/// A box and its depth (0 for a stack).
struct Placed<'c> {
    cluster: &'c Cluster,
    depth: usize,
    key: String,
}

pub(super) fn render(graph: &Graph) -> String {
    let clusters = graph.clusters();
    let mut layout: Layout<NodeLabel, EdgeLabel> = Layout::with_options(GraphOptions {
        directed: true,
        multigraph: false,
        compound: true,
    });
    let mut boxes: Vec<Placed> = Vec::new();
    let mut texts: Vec<Option<NodeText>> = (0..graph.nodes().len()).map(|_| None).collect();
    for cluster in &clusters {
        add_cluster(graph, cluster, None, 0, &mut layout, &mut boxes, &mut texts);
    }
    let mut edges = graph.edges().to_vec();
    edges.sort();
    for edge in &edges {
        layout.set_edge(
            node_key(edge.from.0),
            node_key(edge.to.0),
            Some(EdgeLabel::default()),
            None,
        );
    }
    dagre::layout(
        &mut layout,
        Some(LayoutOptions {
            rankdir: RankDir::LR,
            nodesep: 14.0,
            ranksep: 56.0,
            edgesep: 16.0,
            marginx: 12.0,
            marginy: 12.0,
            ..LayoutOptions::default()
        }),
    );

    let (mut width, mut height) = (0.0f64, 0.0f64);
    for key in layout.nodes() {
        if let Some(n) = layout.node(&key) {
            width = width.max(n.x.unwrap_or(0.0) + n.width / 2.0);
            height = height.max(n.y.unwrap_or(0.0) + n.height / 2.0);
        }
    }
    let (width, height) = ((width + 12.0).ceil(), (height + 12.0).ceil());

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\">",
        w = num(width),
        h = num(height)
    );
    let _ = writeln!(
        out,
        "<title>{}</title>",
        html_text(&graph.stacks().join(", "))
    );
    let _ = writeln!(
        out,
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{STROKE}\"/></marker></defs>"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        num(width),
        num(height)
    );

    for placed in &boxes {
        let Some(n) = layout.node(&placed.key) else {
            continue;
        };
        let (x, y) = (
            n.x.unwrap_or(0.0) - n.width / 2.0,
            n.y.unwrap_or(0.0) - n.height / 2.0,
        );
        let size = if placed.depth == 0 {
            STACK_SIZE
        } else {
            CLUSTER_SIZE
        };
        let _ = writeln!(
            out,
            "<g class=\"cluster\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"{CLUSTER_STROKE}\"/><text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{INK}\"{}>{}</text></g>",
            html_text(&placed.cluster.path),
            num(x),
            num(y),
            num(n.width),
            num(n.height),
            CLUSTER_FILLS[placed.depth.min(CLUSTER_FILLS.len() - 1)],
            num(x + 6.0),
            num(y + size + 1.0),
            num(size),
            if placed.depth == 0 {
                " font-weight=\"bold\""
            } else {
                ""
            },
            html_text(&placed.cluster.label),
        );
    }

    for edge in &edges {
        let Some(label) = layout.edge(&node_key(edge.from.0), &node_key(edge.to.0), None) else {
            continue;
        };
        let points: Vec<(f64, f64)> = label.points.iter().map(|p| (p.x, p.y)).collect();
        let d = curve(&points);
        let _ = writeln!(
            out,
            "<g class=\"edge\"><title>{} -&gt; {}</title><path d=\"{d}\" fill=\"none\" stroke=\"{STROKE}\"{} marker-end=\"url(#arrow)\"/></g>",
            html_text(&graph.node(edge.from).address.to_string()),
            html_text(&graph.node(edge.to).address.to_string()),
            if edge.kind == EdgeKind::DependsOn {
                " stroke-dasharray=\"5,3\""
            } else {
                ""
            },
        );
    }

    for (i, text) in texts.iter().enumerate() {
        let (Some(text), Some(n)) = (text, layout.node(&node_key(i))) else {
            continue;
        };
        let node = &graph.nodes()[i];
        let data = matches!(
            node.address,
            Address::Block {
                kind: BlockKind::Data,
                ..
            }
        );
        let (cx, cy) = (n.x.unwrap_or(0.0), n.y.unwrap_or(0.0));
        let (x, y) = (cx - text.width / 2.0, cy - text.height / 2.0);
        let _ = write!(
            out,
            "<g class=\"node\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{}\" stroke=\"{STROKE}\"{}/>",
            html_text(&node.address.to_string()),
            num(x),
            num(y),
            num(text.width),
            num(text.height),
            if data { DATA_FILL } else { "#ffffff" },
            if data {
                " stroke-dasharray=\"4,2\""
            } else {
                ""
            },
        );
        let mut baseline = y + PAD_Y + NAME_SIZE;
        for line in &text.lines {
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                num(cx),
                num(baseline),
                num(NAME_SIZE),
                html_text(line)
            );
            baseline += NAME_SIZE * LINE;
        }
        // The type's line is smaller than a name's.
        baseline += (TYPE_SIZE - NAME_SIZE) * LINE;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text></g>",
            num(cx),
            num(baseline),
            num(TYPE_SIZE),
            html_text(&text.kind)
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Adds a box, what is in it and the boxes inside it to the layout.
fn add_cluster<'c>(
    graph: &Graph,
    cluster: &'c Cluster,
    parent: Option<&str>,
    depth: usize,
    layout: &mut Layout<NodeLabel, EdgeLabel>,
    boxes: &mut Vec<Placed<'c>>,
    texts: &mut [Option<NodeText>],
) {
    let key = format!("c{}", boxes.len());
    layout.set_node(key.clone(), Some(NodeLabel::default()));
    layout.set_parent(&key, parent);
    boxes.push(Placed {
        cluster,
        depth,
        key: key.clone(),
    });
    for (id, label) in &cluster.nodes {
        let text = NodeText::new(label, &graph.node(*id).address);
        let node = node_key(id.0);
        layout.set_node(
            node.clone(),
            Some(NodeLabel {
                width: text.width,
                height: text.height,
                ..NodeLabel::default()
            }),
        );
        layout.set_parent(&node, Some(&key));
        texts[id.0] = Some(text);
    }
    for inner in &cluster.clusters {
        add_cluster(graph, inner, Some(&key), depth + 1, layout, boxes, texts);
    }
}

/// The path of an edge through its points: a uniform B-spline (d3's
/// `curveBasis`, as dagre's own renderer draws), which starts and ends at
/// the first and last points and bends smoothly between.
fn curve(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let p = |d: &mut String, (x, y): (f64, f64)| {
        let _ = write!(d, "{},{}", num(x), num(y));
    };
    let Some((&first, rest)) = points.split_first() else {
        return d;
    };
    d.push('M');
    p(&mut d, first);
    if rest.len() < 2 {
        for &point in rest {
            d.push_str(" L");
            p(&mut d, point);
        }
        return d;
    }
    let mix = |a: (f64, f64), b: (f64, f64), wa: f64, wb: f64| {
        (
            (a.0 * wa + b.0 * wb) / (wa + wb),
            (a.1 * wa + b.1 * wb) / (wa + wb),
        )
    };
    d.push_str(" L");
    p(&mut d, mix(first, rest[0], 5.0, 1.0));
    let (mut x0, mut x1) = (first, rest[0]);
    let segment = |d: &mut String, x0: (f64, f64), x1: (f64, f64), x: (f64, f64)| {
        d.push_str(" C");
        p(d, mix(x0, x1, 2.0, 1.0));
        d.push(' ');
        p(d, mix(x0, x1, 1.0, 2.0));
        d.push(' ');
        p(
            d,
            (
                (x0.0 + 4.0 * x1.0 + x.0) / 6.0,
                (x0.1 + 4.0 * x1.1 + x.1) / 6.0,
            ),
        );
    };
    for &point in &rest[1..] {
        segment(&mut d, x0, x1, point);
        (x0, x1) = (x1, point);
    }
    segment(&mut d, x0, x1, x1);
    d.push_str(" L");
    p(&mut d, x1);
    d
}

fn node_key(index: usize) -> String {
    format!("n{index}")
}

/// A coordinate with one decimal, without a trailing `.0` or a `-0`.
fn num(value: f64) -> String {
    let text = format!("{:.1}", value);
    let text = text.strip_suffix(".0").unwrap_or(&text);
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}
