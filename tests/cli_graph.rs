//! `kite graph`, run as the built binary. The SVG tests need the
//! `graph-svg` feature, which is off by default: `.ci/run` runs this file
//! and the library's graph tests again with it.

mod common;

use common::{BinRun, kite_bin};

fn assert_ok(run: &BinRun) {
    assert_eq!(
        run.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn dot_is_for_graphviz() {
    let run = kite_bin(&["graph", "local", "--format", "dot"], &[]);
    assert_ok(&run);
    let dot = &run.stdout;
    assert!(dot.starts_with("digraph kite {\n"), "{dot}");
    assert!(dot.ends_with("}\n"));
    assert!(dot.contains("subgraph \"cluster_local\" {"), "{dot}");
    assert!(
        dot.contains("subgraph \"cluster_local/dynamodb-local\" {"),
        "{dot}"
    );
    assert!(dot.contains(
        "\"local:docker_container.dynamodb-local_dynamodb-local-container_E27A1008\" -> \"local:docker_image.dynamodb-local_dynamodb-local-image_C1A19DB4\";"
    ), "{dot}");
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
}

/// An error is one paragraph on stderr, with kite's status.
fn assert_error(run: &BinRun, status: i32, says: &[&str]) {
    assert_eq!(run.status.code(), Some(status), "{}", run.stderr);
    assert_eq!(run.stdout, "", "nothing on stdout");
    for text in says {
        assert!(
            run.stderr.contains(text),
            "missing {text:?} in:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn errors_say_what_is_wrong() {
    let run = kite_bin(&["graph", "nonexistent"], &[]);
    assert_error(
        &run,
        3,
        &["no stack named `nonexistent`", "the stacks are: kite"],
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let run = kite_bin(&["graph", "local", "--out", "missing/dir/local.svg"], &[]);
    assert_error(
        &run,
        3,
        &[
            "cannot write the picture to",
            "missing/dir/local.svg",
            "--out",
        ],
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);

    let run = kite_bin(&["graph", "local", "--format", "png"], &[]);
    assert_error(&run, 64, &["invalid value 'png'", "dot, svg"]);

    // A stack that cannot be built draws nothing.
    let run = kite_bin(
        &["graph", "kite", "--out", "kite.svg"],
        &[("KITE_DOMAIN", "k1te.chat")],
    );
    assert_error(&run, 3, &["CLOUDFLARE_API_TOKEN", "No picture was drawn"]);
    assert!(!run.dir.path().join("kite.svg").exists());
}

#[cfg(not(feature = "graph-svg"))]
#[test]
fn without_the_svg_feature_kite_writes_dot_and_says_why_not_svg() {
    let run = kite_bin(&["graph", "local"], &[]);
    assert_ok(&run);
    assert!(run.stdout.starts_with("digraph kite {"), "{}", run.stdout);
    let run = kite_bin(&["graph", "local", "--format", "svg"], &[]);
    assert_error(
        &run,
        3,
        &["without the `graph-svg` feature", "--format dot"],
    );
}

#[cfg(feature = "graph-svg")]
mod svg {
    use std::path::Path;

    use super::*;

    /// The settings the README's picture is drawn with.
    const DOMAIN: &[(&str, &str)] = &[
        ("KITE_DOMAIN", "k1te.chat"),
        ("CLOUDFLARE_API_TOKEN", "dummy-token"),
    ];

    /// The committed picture of the `kite` stack, shown in the README.
    const PICTURE: &str = "doc/kite-stack.svg";

    /// The resources and data sources `kite synth` writes for a stack.
    fn synthesized_blocks(stack: &str, vars: &[(&str, &str)]) -> Vec<String> {
        let run = kite_bin(&["synth", stack], vars);
        assert_ok(&run);
        common::addresses(&run.stack_json(stack))
            .into_iter()
            .filter(|a| !a.starts_with("output."))
            .collect()
    }

    /// The `<title>`s of the `<g>` elements of one class, in document order.
    fn titles(doc: &roxmltree::Document, class: &str) -> Vec<String> {
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

    #[test]
    fn the_svg_of_the_kite_stack_has_a_node_per_block_boxed_by_construct() {
        let run = kite_bin(&["graph", "kite"], DOMAIN);
        assert_ok(&run);
        let doc = roxmltree::Document::parse(&run.stdout).expect("the SVG is well-formed XML");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        assert_eq!(
            doc.root_element().tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );

        let mut nodes = titles(&doc, "node");
        nodes.sort();
        let blocks = synthesized_blocks("kite", DOMAIN);
        assert!(blocks.len() > 50, "{blocks:?}");
        assert_eq!(nodes, blocks, "one node per resource and data source");
        assert!(nodes.contains(&"data.cloudflare_zone.k1techat_zone_2BA96C68".to_owned()));

        let clusters = titles(&doc, "cluster");
        for construct in [
            "kite",
            "kite/ws-api",
            "kite/ws-api/prod-stage",
            "kite/ws-handler",
            "kite/tg-handler",
            "kite/http-api",
            "kite/prod",
            "kite/k1te.chat",
        ] {
            assert!(
                clusters.iter().any(|c| c == construct),
                "no box for {construct}: {clusters:?}"
            );
        }

        let edges = titles(&doc, "edge");
        for edge in [
            // A reference: the alias names its function.
            "aws_lambda_alias.ws-handler_alias_74C29111 -> aws_lambda_function.ws-handler_fn_B90684D3",
            // A depends_on: the Members table waits for Channels.
            "aws_dynamodb_table.prod_Members_E8FBF67D -> aws_dynamodb_table.prod_Channels_C3BF2098",
            // Across constructs: the certificate's record reads the zone.
            "cloudflare_dns_record.k1techat_k1techat-cert-validation-record_50F5C28D -> data.cloudflare_zone.k1techat_zone_2BA96C68",
        ] {
            assert!(edges.iter().any(|e| e == edge), "no edge {edge}");
        }
        let dashed = doc
            .descendants()
            .filter(|n| n.has_tag_name("path") && n.attribute("stroke-dasharray").is_some())
            .count();
        assert!(dashed >= 1, "depends_on edges are dashed");
    }

    #[test]
    fn the_readme_s_picture_is_up_to_date() {
        let run = kite_bin(&["graph", "kite", "--format", "svg"], DOMAIN);
        assert_ok(&run);
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join(PICTURE);
        let committed = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed == run.stdout,
            "{PICTURE} is not what `kite graph kite` draws now. Refresh it with:\n\
             KITE_DOMAIN=k1te.chat CLOUDFLARE_API_TOKEN=dummy-token KITE_LAMBDA_ZIP=tests/fixtures/function.zip cargo run --features graph-svg -- graph kite --out {PICTURE}"
        );
    }

    #[test]
    fn a_picture_is_the_same_bytes_every_time() {
        let first = kite_bin(&["graph", "kite"], DOMAIN);
        let second = kite_bin(&["graph", "kite"], DOMAIN);
        assert_ok(&first);
        assert!(first.stdout == second.stdout, "two runs drew two pictures");
    }

    #[test]
    fn without_a_stack_every_stack_of_the_app_is_drawn() {
        let run = kite_bin(&["graph"], &[]);
        assert_ok(&run);
        let doc = roxmltree::Document::parse(&run.stdout).unwrap();
        let clusters = titles(&doc, "cluster");
        assert!(clusters.iter().any(|c| c == "kite"), "{clusters:?}");
        assert!(clusters.iter().any(|c| c == "local"), "{clusters:?}");
    }

    #[test]
    fn two_stacks_are_two_boxes() {
        let run = kite_bin(&["graph", "kite", "local"], &[]);
        assert_ok(&run);
        let doc = roxmltree::Document::parse(&run.stdout).unwrap();
        let clusters = titles(&doc, "cluster");
        assert_eq!(
            clusters
                .iter()
                .filter(|c| !c.contains('/'))
                .collect::<Vec<_>>(),
            ["kite", "local"]
        );
        assert!(clusters.iter().any(|c| c == "local/dynamodb-local"));
        let mut nodes = titles(&doc, "node");
        nodes.sort();
        let mut blocks = synthesized_blocks("kite", &[]);
        blocks.extend(synthesized_blocks("local", &[]));
        blocks.sort();
        assert_eq!(nodes, blocks);

        // The boxes of the two stacks do not overlap.
        let rect = |title: &str| -> [f64; 4] {
            let g = doc
                .descendants()
                .find(|n| {
                    n.attribute("class") == Some("cluster")
                        && n.children().any(|c| c.text() == Some(title))
                })
                .unwrap();
            let r = g.children().find(|c| c.has_tag_name("rect")).unwrap();
            let n = |a: &str| r.attribute(a).unwrap().parse::<f64>().unwrap();
            [n("x"), n("y"), n("width"), n("height")]
        };
        let (a, b) = (rect("kite"), rect("local"));
        let overlap =
            a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
        assert!(!overlap, "kite {a:?} and local {b:?} overlap");
    }

    #[test]
    fn out_writes_a_file_and_its_extension_picks_the_format() {
        let run = kite_bin(&["graph", "local", "--out", "local.dot"], &[]);
        assert_ok(&run);
        let dot = std::fs::read_to_string(run.dir.path().join("local.dot")).unwrap();
        assert!(dot.starts_with("digraph kite {"), "{dot}");
        assert!(run.stdout.contains("local.dot"), "{}", run.stdout);

        let run = kite_bin(&["graph", "local", "--out", "local.svg"], &[]);
        assert_ok(&run);
        let svg = std::fs::read_to_string(run.dir.path().join("local.svg")).unwrap();
        roxmltree::Document::parse(&svg).expect("an SVG file");
    }

    #[test]
    fn a_cross_stack_reference_is_an_edge_between_stack_boxes() {
        // The stages take their Lambda code from build's bucket.
        let vars = [("KITE_LAMBDA_SOURCE", "s3")];
        let run = kite_bin(&["graph", "build", "kite"], &vars);
        assert_ok(&run);
        let doc = roxmltree::Document::parse(&run.stdout).unwrap();
        let clusters = titles(&doc, "cluster");
        assert_eq!(
            clusters
                .iter()
                .filter(|c| !c.contains('/'))
                .collect::<Vec<_>>(),
            ["build", "kite"]
        );
        let mut nodes = titles(&doc, "node");
        nodes.sort();
        let mut blocks = synthesized_blocks("build", &vars);
        blocks.extend(synthesized_blocks("kite", &vars));
        blocks.sort();
        assert_eq!(nodes, blocks);
        let edges = titles(&doc, "edge");
        for function in ["ws-handler_fn_B90684D3", "tg-handler_fn_04FDFCE7"] {
            let edge =
                format!("aws_lambda_function.{function} -> aws_s3_bucket.packages_bucket_92F4E109");
            assert!(edges.contains(&edge), "no edge {edge}");
        }
    }
}
