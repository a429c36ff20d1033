//! The `local` stack against the original's `local.cdk.tf.json`.

mod common;

use common::{kite_bin, reference};
use serde_json::{Value, json};

fn synth_local() -> (common::BinRun, String) {
    let run = kite_bin(&["synth", "local"], &[]);
    assert!(run.status.success(), "{}", run.stderr);
    let project = run.dir.path().to_string_lossy().into_owned();
    (run, project)
}

/// The reference with its `<project-dir>` placeholder filled in.
fn reference_for(project: &str) -> Value {
    let text = serde_json::to_string(&reference("local.cdk.tf.json")).unwrap();
    serde_json::from_str(&text.replace("<project-dir>", project)).unwrap()
}

#[test]
fn addresses_match_the_reference() {
    let (run, project) = synth_local();
    assert_eq!(
        common::addresses(&run.stack_json("local")),
        common::addresses(&reference_for(&project))
    );
    let tsv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference/addresses.tsv"
    ))
    .unwrap();
    let listed: Vec<String> = tsv
        .lines()
        .filter(|l| l.starts_with("local\t"))
        .map(|l| l.split('\t').nth(2).unwrap().to_owned())
        .collect();
    let mut listed = listed;
    listed.sort();
    assert_eq!(common::addresses(&run.stack_json("local")), listed);
}

#[test]
fn values_match_the_reference_except_provider_versions_and_metadata() {
    let (run, project) = synth_local();
    let mut ours = run.stack_json("local");
    let mut original = reference_for(&project);
    // The listed differences (doc/adr/0004), checked, then set aside.
    assert_eq!(
        original["terraform"]["required_providers"]["aws"],
        json!({"source": "aws", "version": "5.16.0"})
    );
    assert_eq!(
        ours["terraform"]["required_providers"]["aws"],
        json!({"source": "hashicorp/aws", "version": "~> 6.0"}),
        "SPEC §7"
    );
    assert_eq!(
        ours["terraform"]["required_providers"]["docker"],
        json!({"source": "kreuzwerker/docker", "version": "~> 3.0"}),
        "SPEC §7"
    );
    assert_eq!(
        ours["terraform"]["required_providers"]
            .as_object()
            .unwrap()
            .len(),
        2,
        "aws and docker, nothing else"
    );
    assert_eq!(
        ours["//"]["metadata"]["version"],
        env!("CARGO_PKG_VERSION"),
        "kite's version instead of cdktf's"
    );
    for doc in [&mut ours, &mut original] {
        doc["terraform"]
            .as_object_mut()
            .unwrap()
            .remove("required_providers");
        doc["//"]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("version");
    }
    assert_eq!(
        ours, original,
        "everything else is equal, the project path included"
    );
}

#[test]
fn the_stack_is_the_reviewed_snapshot_with_the_project_path_as_a_placeholder() {
    let (run, project) = synth_local();
    let text = std::fs::read_to_string(run.out().join("stacks/local/cdk.tf.json")).unwrap();
    // The absolute path, asserted here, is replaced in the snapshot.
    let doc: Value = serde_json::from_str(&text).unwrap();
    let container =
        &doc["resource"]["docker_container"]["dynamodb-local_dynamodb-local-container_E27A1008"];
    assert_eq!(
        container["volumes"][0]["host_path"],
        format!("{project}/docker/dynamodb")
    );
    assert!(
        std::path::Path::new(container["volumes"][0]["host_path"].as_str().unwrap()).is_absolute()
    );
    assert_eq!(
        doc["terraform"]["backend"]["local"]["path"],
        format!("{project}/terraform.local.tfstate")
    );
    assert_eq!(
        text.matches(project.as_str()).count(),
        2,
        "the project path appears only there"
    );
    insta::assert_snapshot!("local", text.replace(project.as_str(), "<project-dir>"));
}

#[test]
fn the_local_stack_needs_no_lambda_package_nor_token() {
    let run = kite_bin(
        &["synth", "local"],
        &[
            ("KITE_LAMBDA_ZIP", "/nowhere/function.zip"),
            ("KITE_DOMAIN", "k1te.chat"),
        ],
    );
    assert!(run.status.success(), "{}", run.stderr);
    assert!(!run.out().join("stacks/kite").exists());
}
