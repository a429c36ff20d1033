//! The `build` stack: the packages' bucket, the CI role GitHub Actions
//! assume, and the stages taking their code from it through its state.

mod common;

use std::collections::BTreeSet;

use common::{BinRun, kite_bin};
use serde_json::{Value, json};

fn synth(vars: &[(&str, &str)]) -> BinRun {
    let run = kite_bin(&["synth"], vars);
    assert!(run.status.success(), "kite synth failed:\n{}", run.stderr);
    run
}

fn policy_of(doc: &Value, name: &str) -> Value {
    let grant = doc["resource"]["aws_iam_role_policy"]
        .as_object()
        .unwrap()
        .values()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no grant {name}"));
    serde_json::from_str(grant["policy"].as_str().unwrap()).unwrap()
}

#[test]
fn the_packages_bucket_keeps_versions_a_month() {
    let run = synth(&[]);
    let build = run.stack_json("build");
    let r = &build["resource"];
    let versioning = r["aws_s3_bucket_versioning"].as_object().unwrap();
    assert_eq!(
        versioning.values().next().unwrap()["versioning_configuration"]["status"],
        "Enabled"
    );
    let rules = &r["aws_s3_bucket_lifecycle_configuration"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["rule"];
    let old = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|rule| rule["id"] == "expire-old-versions")
        .unwrap();
    assert_eq!(
        old["noncurrent_version_expiration"][0]["noncurrent_days"],
        30
    );
    let block = r["aws_s3_bucket_public_access_block"].as_object().unwrap();
    assert_eq!(
        block.values().next().unwrap()["restrict_public_buckets"],
        true
    );
    assert_eq!(
        build["output"]["package-key"]["value"],
        "k1te-serverless/function.zip"
    );
    assert!(
        build["output"]["packages-bucket"]["value"]
            .as_str()
            .unwrap()
            .contains("aws_s3_bucket.")
    );
    // Without a repository: no CI identity at all.
    assert!(r.get("aws_iam_role").is_none());
    assert!(r.get("aws_iam_openid_connect_provider").is_none());
    assert_eq!(
        build["terraform"]["backend"]["s3"]["key"],
        "build/terraform.tfstate"
    );
}

#[test]
fn github_workflows_of_one_repository_may_upload_packages_and_update_the_functions_only() {
    let run = synth(&[("KITE_GITHUB_REPOSITORY", "k1te-chat/k1te-serverless")]);
    let build = run.stack_json("build");
    let r = &build["resource"];
    let provider = r["aws_iam_openid_connect_provider"].as_object().unwrap();
    let provider = provider.values().next().unwrap();
    assert_eq!(
        provider["url"],
        "https://token.actions.githubusercontent.com"
    );
    assert_eq!(provider["client_id_list"], json!(["sts.amazonaws.com"]));
    let role = r["aws_iam_role"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(role["name"], "k1te-chat-ci");
    let trust: Value = serde_json::from_str(role["assume_role_policy"].as_str().unwrap()).unwrap();
    let statement = &trust["Statement"][0];
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    assert!(
        statement["Principal"]["Federated"][0]
            .as_str()
            .unwrap()
            .contains("aws_iam_openid_connect_provider.")
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:aud"],
        json!(["sts.amazonaws.com"])
    );
    assert_eq!(
        statement["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"],
        json!(["repo:k1te-chat/k1te-serverless:*"])
    );
    let upload = policy_of(&build, "allow-upload-packages");
    assert!(
        upload["Statement"][0]["Resource"]
            .as_str()
            .unwrap()
            .ends_with("/k1te-serverless/*")
    );
    let update = policy_of(&build, "allow-update-functions");
    let arns: BTreeSet<String> = update["Statement"][0]["Resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let a = a.as_str().unwrap();
            assert!(
                a.contains(":lambda:") && !a.contains('*'),
                "by ARN, not *: {a}"
            );
            a.rsplit(":function:").next().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        arns,
        BTreeSet::from(
            [
                "ws-handler",
                "tg-handler",
                "lifecycle-handler",
                "dev-ws-handler",
                "dev-tg-handler",
                "dev-lifecycle-handler"
            ]
            .map(String::from)
        )
    );
    assert!(
        build["output"]["ci-role-arn"]["value"]
            .as_str()
            .unwrap()
            .contains("aws_iam_role.")
    );

    // An account's existing provider is used, not created again.
    let arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    let run = synth(&[
        ("KITE_GITHUB_REPOSITORY", "k1te-chat/k1te-serverless"),
        ("KITE_GITHUB_OIDC_PROVIDER_ARN", arn),
    ]);
    let build = run.stack_json("build");
    assert!(
        build["resource"]
            .get("aws_iam_openid_connect_provider")
            .is_none()
    );
    let role = build["resource"]["aws_iam_role"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert!(role["assume_role_policy"].as_str().unwrap().contains(arn));
}

#[test]
fn with_s3_as_the_source_the_stages_read_the_bucket_from_the_build_stack_state() {
    let run = synth(&[("KITE_LAMBDA_SOURCE", "s3")]);
    let manifest = common::read_json(&run.out().join("manifest.json"));
    assert_eq!(manifest["stacks"]["kite"]["dependencies"], json!(["build"]));
    assert_eq!(
        manifest["stacks"]["kite-dev"]["dependencies"],
        json!(["kite", "build"])
    );
    assert_eq!(manifest["stacks"]["build"]["dependencies"], json!([]));
    let build = run.stack_json("build");
    let exported: Vec<&String> = build["output"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("exports_"))
        .collect();
    assert_eq!(exported.len(), 1, "{exported:?}");
    for stack in ["kite", "kite-dev"] {
        let doc = run.stack_json(stack);
        let state = &doc["data"]["terraform_remote_state"]["build-state"];
        assert_eq!(state["backend"], "s3");
        assert_eq!(state["config"]["key"], "build/terraform.tfstate");
        for function in doc["resource"]["aws_lambda_function"]
            .as_object()
            .unwrap()
            .values()
        {
            assert_eq!(
                function["s3_bucket"],
                format!(
                    "${{data.terraform_remote_state.build-state.outputs.{}}}",
                    exported[0]
                )
            );
            assert_eq!(function["s3_key"], "k1te-serverless/function.zip");
            assert!(
                function.get("filename").is_none() && function.get("source_code_hash").is_none()
            );
        }
        // No package is copied into the stage's directory.
        assert!(!run.out().join("stacks").join(stack).join("assets").exists());
    }
}

#[test]
fn by_default_the_stages_ship_the_package_file_and_need_no_build_stack() {
    let run = synth(&[]);
    let manifest = common::read_json(&run.out().join("manifest.json"));
    assert_eq!(manifest["stacks"]["kite"]["dependencies"], json!([]));
    assert_eq!(
        manifest["stacks"]["kite-dev"]["dependencies"],
        json!(["kite"])
    );
    let kite = run.stack_json("kite");
    assert!(
        kite.get("data")
            .and_then(|d| d.get("terraform_remote_state"))
            .is_none()
    );
    assert!(
        run.stack_json("build")["output"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.starts_with("exports_"))
    );
}
