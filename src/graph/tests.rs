use serde_json::json;

use super::*;
use crate::block::{BlockRef, RawBlock};
use crate::synth::synthesize;
use crate::{Scope, Stack};

/// A raw resource at `scope/id` whose `value` argument is `value`.
fn add(stack: &mut Stack, scope: &Scope, id: &str, value: serde_json::Value) -> BlockRef {
    stack.add_raw(
        scope,
        id,
        RawBlock::resource("null_resource", json!({ "triggers": { "value": value } })),
    )
}

/// A stack of constructs of every shape the boxes handle:
///
/// - `top` directly in the stack;
/// - `api/{api, stage/{route, integration}, domain/record}`: a box with a
///   nested box of two and a construct of one block;
/// - `only/inner/{a, b}`: a construct that holds nothing but one construct;
/// - `single/x`: a first-level construct of one block;
/// - a data source, references and a `depends_on`.
fn shapes() -> SynthesizedStack {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let region = stack.data(&root, "region", crate::aws::region::DataAwsRegion::new());
    let top = add(&mut stack, &root, "top", json!("literal"));
    let api_scope = root.child("api");
    let api = add(&mut stack, &api_scope, "api", json!(region.region()));
    let stage = api_scope.child("stage");
    let integration = add(
        &mut stack,
        &stage,
        "integration",
        json!(api.attr::<String>("id")),
    );
    // Two references to one block make one edge.
    add(
        &mut stack,
        &stage,
        "route",
        json!([
            integration.attr::<String>("id"),
            integration.attr::<String>("id"),
            api.attr::<String>("id")
        ]),
    );
    add(
        &mut stack,
        &api_scope.child("domain"),
        "record",
        json!(api.attr::<String>("id")),
    );
    let inner = root.child("only").child("inner");
    add(&mut stack, &inner, "a", json!(1));
    let b = add(&mut stack, &inner, "b", json!(2));
    stack.block(&b).depends_on(&top);
    // A depends_on beside a reference to the same block is one edge, a
    // reference.
    stack.block(&b).depends_on(&api);
    stack
        .block(&b)
        .set_override("triggers.api", api.attr::<String>("id"));
    add(&mut stack, &root.child("single"), "x", json!(3));
    synthesize(stack).expect("the stack synthesizes")
}

fn address(graph: &Graph, id: NodeId) -> String {
    graph.node(id).address.to_string()
}

/// Node labels of a box, as `label = address`.
fn labels(graph: &Graph, cluster: &Cluster) -> Vec<String> {
    cluster
        .nodes
        .iter()
        .map(|(id, label)| format!("{label} = {}", address(graph, *id)))
        .collect()
}

#[test]
fn a_node_per_block_with_its_construct_path() {
    let graph = Graph::of([&shapes()]);
    assert_eq!(graph.stacks(), ["app"]);
    let nodes: Vec<(&str, &str)> = graph
        .nodes()
        .iter()
        .map(|n| (n.path.as_str(), n.address.type_name().unwrap_or_default()))
        .collect();
    // In construct path order.
    assert_eq!(
        nodes,
        [
            ("app/api/api", "null_resource"),
            ("app/api/domain/record", "null_resource"),
            ("app/api/stage/integration", "null_resource"),
            ("app/api/stage/route", "null_resource"),
            ("app/only/inner/a", "null_resource"),
            ("app/only/inner/b", "null_resource"),
            ("app/region", "aws_region"),
            ("app/single/x", "null_resource"),
            ("app/top", "null_resource"),
        ]
    );
    let region = &graph.nodes()[6];
    assert_eq!(region.address.to_string(), "data.aws_region.region");
    assert_eq!(type_label(&region.address), "data.aws_region");
    assert_eq!(graph.nodes()[8].address.to_string(), "null_resource.top");
}

#[test]
fn boxes_follow_the_constructs() {
    let graph = Graph::of([&shapes()]);
    let clusters = graph.clusters();
    assert_eq!(clusters.len(), 1, "one box per stack");
    let stack = &clusters[0];
    assert_eq!((stack.path.as_str(), stack.label.as_str()), ("app", "app"));
    let node_labels: Vec<&str> = stack.nodes.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        node_labels,
        ["region", "top"],
        "blocks directly in the stack"
    );

    let boxes: Vec<(&str, &str)> = stack
        .clusters
        .iter()
        .map(|c| (c.path.as_str(), c.label.as_str()))
        .collect();
    assert_eq!(
        boxes,
        [
            ("app/api", "api"),
            // A construct that holds only one construct shares its box.
            ("app/only/inner", "only/inner"),
            // A first-level construct gets a box even for one block.
            ("app/single", "single"),
        ]
    );

    let api = &stack.clusters[0];
    let api_nodes: Vec<&str> = api.nodes.iter().map(|(_, l)| l.as_str()).collect();
    // The construct of one block is no box: its block says where it is.
    assert_eq!(api_nodes, ["api", "domain/record"]);
    assert_eq!(api.clusters.len(), 1);
    let stage = &api.clusters[0];
    assert_eq!(
        (stage.path.as_str(), stage.label.as_str()),
        ("app/api/stage", "stage")
    );
    let stage_nodes: Vec<&str> = stage.nodes.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(stage_nodes, ["integration", "route"]);
    assert!(stage.clusters.is_empty());

    let only = labels(&graph, &stack.clusters[1]);
    assert_eq!(only.len(), 2);
    assert!(
        only[0].starts_with("a = null_resource.only_inner_a_"),
        "{only:?}"
    );
    assert!(
        only[1].starts_with("b = null_resource.only_inner_b_"),
        "{only:?}"
    );

    // Every node is in exactly one box.
    fn count(c: &Cluster) -> usize {
        c.nodes.len() + c.clusters.iter().map(count).sum::<usize>()
    }
    assert_eq!(count(stack), graph.nodes().len());
}

#[test]
fn references_and_depends_on_are_edges_once_each() {
    let graph = Graph::of([&shapes()]);
    let by_path = |path: &str| {
        NodeId(
            graph
                .nodes()
                .iter()
                .position(|n| n.path == path)
                .unwrap_or_else(|| panic!("no node at {path}")),
        )
    };
    let mut edges: Vec<(String, String, EdgeKind)> = graph
        .edges()
        .iter()
        .map(|e| {
            (
                graph.node(e.from).path.clone(),
                graph.node(e.to).path.clone(),
                e.kind,
            )
        })
        .collect();
    edges.sort();
    let r = EdgeKind::Reference;
    let d = EdgeKind::DependsOn;
    let expected: Vec<(String, String, EdgeKind)> = [
        ("app/api/api", "app/region", r),
        ("app/api/domain/record", "app/api/api", r),
        ("app/api/stage/integration", "app/api/api", r),
        ("app/api/stage/route", "app/api/api", r),
        ("app/api/stage/route", "app/api/stage/integration", r),
        ("app/only/inner/b", "app/api/api", r),
        ("app/only/inner/b", "app/top", d),
    ]
    .iter()
    .map(|(a, b, k)| (a.to_string(), b.to_string(), *k))
    .collect();
    assert_eq!(edges, expected);
    assert_eq!(
        graph.find(0, &graph.node(by_path("app/top")).address),
        Some(by_path("app/top"))
    );
}

#[test]
fn labels_wrap_at_separators() {
    assert_eq!(wrap("fn", 30), ["fn"]);
    assert_eq!(
        wrap(
            "api-gateway-execution-role-managed-AmazonAPIGatewayPushToCloudWatchLogs-attachment",
            30
        ),
        [
            // Broken after the last `-` that fits.
            "api-gateway-execution-role-",
            // No separator in the second half of the line: cut at the width.
            "managed-AmazonAPIGatewayPushTo",
            "CloudWatchLogs-attachment"
        ]
    );
    // Every line fits, and nothing is lost.
    let long = "k1te.chat/k1te.chat-cert-validation-record/record";
    let lines = wrap(long, 20);
    assert!(lines.iter().all(|l| l.chars().count() <= 20), "{lines:?}");
    assert_eq!(lines.concat(), long);
}

/// Two stacks of an app, and a reference from one to the other.
fn two_stacks() -> Graph {
    let mut producer = Stack::new("producer");
    let root = producer.root();
    add(&mut producer, &root.child("bucket"), "bucket", json!("b"));
    let mut consumer = Stack::new("consumer");
    let root = consumer.root();
    add(&mut consumer, &root.child("app"), "fn", json!("f"));
    let producer = synthesize(producer).unwrap();
    let consumer = synthesize(consumer).unwrap();
    let mut graph = Graph::of([&producer, &consumer]);
    let from = graph.nodes().iter().position(|n| n.stack == 1).unwrap();
    let to = graph.nodes().iter().position(|n| n.stack == 0).unwrap();
    graph.add_edge(NodeId(from), NodeId(to), EdgeKind::Reference);
    graph
}

#[test]
fn each_stack_is_a_box_and_an_edge_may_join_two() {
    let graph = two_stacks();
    let clusters = graph.clusters();
    let names: Vec<&str> = clusters.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(names, ["producer", "consumer"]);
    assert_eq!(clusters[0].clusters[0].path, "producer/bucket");
    assert_eq!(clusters[1].clusters[0].path, "consumer/app");
    let edge = graph.edges()[0];
    assert_ne!(graph.node(edge.from).stack, graph.node(edge.to).stack);

    let dot = graph.to_dot();
    assert!(dot.contains("subgraph \"cluster_producer\" {"), "{dot}");
    assert!(dot.contains("subgraph \"cluster_consumer\" {"), "{dot}");
    assert!(
        dot.contains("\n  \"consumer:null_resource.app_fn_"),
        "the edge is outside both stacks' boxes: {dot}"
    );
}

/// A consumer's block that reads a producer's block (doc/adr/0016), linked
/// as `App::group` links them, then synthesized.
fn linked_stacks() -> Vec<SynthesizedStack> {
    use crate::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
    let mut producer = Stack::new("producer");
    let root = producer.root();
    let role = producer.add(
        &root.child("bucket"),
        "bucket",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    let mut consumer = Stack::new("consumer");
    let root = consumer.root();
    consumer.add(
        &root.child("app"),
        "fn",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: role.name(),
        }),
    );
    let mut stacks = vec![producer, consumer];
    crate::cross_stack::link(&mut stacks).expect("the stacks link");
    stacks
        .into_iter()
        .map(|s| synthesize(s).expect("synthesizes"))
        .collect()
}

#[test]
fn a_cross_stack_reference_is_an_edge_to_the_block_read() {
    let stacks = linked_stacks();
    let graph = Graph::of(&stacks);
    let edges: Vec<(String, String)> = graph
        .edges()
        .iter()
        .map(|e| {
            (
                graph.node(e.from).path.clone(),
                graph.node(e.to).path.clone(),
            )
        })
        .collect();
    // To the producer's block, through its output, and to the data source
    // that reads the producer's state.
    assert!(
        edges.contains(&("consumer/app/fn".into(), "producer/bucket/bucket".into())),
        "{edges:?}"
    );
    assert!(
        edges.contains(&("consumer/app/fn".into(), "consumer/producer-state".into())),
        "{edges:?}"
    );
    assert_eq!(edges.len(), 2, "{edges:?}");
    // Without the producer in the picture, no edge leaves the stack.
    let alone = Graph::of([&stacks[1]]);
    assert_eq!(alone.edges().len(), 1);
}

#[test]
fn dot_quotes_what_it_must() {
    let mut stack = Stack::new("q");
    let root = stack.root();
    let a = add(&mut stack, &root.child("say \"hi\" \\ <b>"), "a", json!(1));
    add(
        &mut stack,
        &root.child("say \"hi\" \\ <b>"),
        "b",
        json!(a.attr::<String>("id")),
    );
    let graph = Graph::of([&synthesize(stack).unwrap()]);
    let dot = graph.to_dot();
    assert!(
        dot.contains("subgraph \"cluster_q/say \\\"hi\\\" \\\\ <b>\" {"),
        "{dot}"
    );
    assert!(dot.contains("label=\"say \\\"hi\\\" \\\\ <b>\""), "{dot}");
    // Node labels are HTML: markup in an id is text.
    assert!(dot.contains("label=<a<BR/><FONT"), "{dot}");
    assert!(!dot.contains("label=<<b>"), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 1);
}

#[cfg(feature = "graph-svg")]
mod svg {
    use super::*;

    /// The `<title>`s of the groups of one class.
    fn titles(svg: &str, class: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).expect("the SVG is XML");
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
            .map(|g| {
                g.children()
                    .find(|c| c.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// The rectangle of the first group of `class` titled `title`.
    fn rect(svg: &str, class: &str, title: &str) -> [f64; 4] {
        let doc = roxmltree::Document::parse(svg).unwrap();
        let g = doc
            .descendants()
            .find(|n| {
                n.attribute("class") == Some(class)
                    && n.children()
                        .any(|c| c.has_tag_name("title") && c.text() == Some(title))
            })
            .unwrap_or_else(|| panic!("no {class} {title}"));
        let r = g.children().find(|c| c.has_tag_name("rect")).unwrap();
        let n = |a: &str| r.attribute(a).unwrap().parse::<f64>().unwrap();
        [n("x"), n("y"), n("width"), n("height")]
    }

    fn inside(inner: [f64; 4], outer: [f64; 4]) -> bool {
        inner[0] >= outer[0]
            && inner[1] >= outer[1]
            && inner[0] + inner[2] <= outer[0] + outer[2]
            && inner[1] + inner[3] <= outer[1] + outer[3]
    }

    #[test]
    fn every_block_box_and_edge_is_drawn_inside_its_boxes() {
        let graph = Graph::of([&shapes()]);
        let svg = graph.to_svg();
        let mut nodes = titles(&svg, "node");
        nodes.sort();
        let mut addresses: Vec<String> = graph
            .nodes()
            .iter()
            .map(|n| n.address.to_string())
            .collect();
        addresses.sort();
        assert_eq!(nodes, addresses);
        let clusters = titles(&svg, "cluster");
        assert_eq!(
            clusters,
            [
                "app",
                "app/api",
                "app/api/stage",
                "app/only/inner",
                "app/single"
            ]
        );
        assert_eq!(titles(&svg, "edge").len(), graph.edges().len());

        for node in graph.nodes() {
            let box_path = match node.path.as_str() {
                "app/region" | "app/top" => "app",
                "app/api/domain/record" | "app/api/api" => "app/api",
                p if p.starts_with("app/api/stage/") => "app/api/stage",
                p if p.starts_with("app/only/") => "app/only/inner",
                _ => "app/single",
            };
            let drawn = rect(&svg, "node", &node.address.to_string());
            assert!(
                inside(drawn, rect(&svg, "cluster", box_path)),
                "{} is drawn outside {box_path}",
                node.path
            );
        }
        assert!(inside(
            rect(&svg, "cluster", "app/api/stage"),
            rect(&svg, "cluster", "app/api")
        ));
    }

    #[test]
    fn the_same_graph_gives_the_same_bytes() {
        let graph = Graph::of([&shapes()]);
        let first = graph.to_svg();
        assert_eq!(graph.to_svg(), first);
        assert_eq!(Graph::of([&shapes()]).to_svg(), first);
    }

    #[test]
    fn two_stacks_are_two_boxes_and_a_cross_stack_edge_joins_them() {
        let graph = two_stacks();
        let svg = graph.to_svg();
        assert_eq!(
            titles(&svg, "cluster")[..],
            ["producer", "producer/bucket", "consumer", "consumer/app"]
        );
        let producer = rect(&svg, "cluster", "producer");
        let consumer = rect(&svg, "cluster", "consumer");
        let overlap = producer[0] < consumer[0] + consumer[2]
            && consumer[0] < producer[0] + producer[2]
            && producer[1] < consumer[1] + consumer[3]
            && consumer[1] < producer[1] + producer[3];
        assert!(!overlap, "{producer:?} {consumer:?}");
        let edges = titles(&svg, "edge");
        assert_eq!(edges.len(), 1);
        assert!(edges[0].starts_with("null_resource.app_fn_"), "{edges:?}");
    }

    #[test]
    fn text_is_escaped() {
        let mut stack = Stack::new("q");
        let root = stack.root();
        add(&mut stack, &root.child("<&>"), "a", json!(1));
        let svg = Graph::of([&synthesize(stack).unwrap()]).to_svg();
        assert_eq!(titles(&svg, "cluster"), ["q", "q/<&>"]);
    }

    #[test]
    fn an_empty_stack_is_an_empty_box_and_no_stack_an_empty_picture() {
        let graph = Graph::of([&synthesize(Stack::new("empty")).unwrap()]);
        let svg = graph.to_svg();
        assert_eq!(titles(&svg, "cluster"), ["empty"]);
        assert!(titles(&svg, "node").is_empty());
        let svg = Graph::new().to_svg();
        assert!(titles(&svg, "cluster").is_empty());
    }
}
