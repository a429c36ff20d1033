//! The `kite` stack against what the original app synthesized
//! (`tests/fixtures/reference/`): the same addresses and values, except the
//! differences listed here, each with its reason (doc/adr/0004).

mod common;

use std::collections::BTreeSet;

use common::{BinRun, kite_bin, reference};
use serde_json::Value;

const DOMAIN: [(&str, &str); 2] = [
    ("KITE_DOMAIN", "k1te.chat"),
    ("CLOUDFLARE_API_TOKEN", "test-token-not-secret"),
];

fn synth_kite(vars: &[(&str, &str)]) -> BinRun {
    let run = kite_bin(&["synth", "kite"], vars);
    assert!(run.status.success(), "kite synth failed:\n{}", run.stderr);
    run
}

/// Addresses of `addresses.tsv` for a stack.
fn reference_addresses(stack: &str, with_domain: bool) -> BTreeSet<String> {
    let tsv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reference/addresses.tsv"
    ))
    .unwrap();
    tsv.lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            (cols[0] == stack).then(|| (cols[1].to_owned(), cols[2].to_owned()))
        })
        // Without a domain, the domain's constructs are absent.
        .filter(|(path, _)| {
            with_domain
                || !(path.contains("k1te.chat")
                    || path.ends_with("/domain-name")
                    || path.ends_with("mapping")
                    || path.ends_with("/mapped-url"))
        })
        .map(|(_, address)| address)
        .collect()
}

/// The documented address differences (doc/adr/0004): Cloudflare 5 renamed
/// `cloudflare_record`, and each grant is its own `aws_iam_role_policy` (fix 2).
fn expected_addresses(with_domain: bool) -> BTreeSet<String> {
    let mut expected: BTreeSet<String> = reference_addresses("kite", with_domain)
        .into_iter()
        .map(|a| a.replace("cloudflare_record.", "cloudflare_dns_record."))
        .collect();
    for added in [
        "aws_iam_role_policy.lambda-execution-role_allow-dynamodb-prod_76EE48A2",
        "aws_iam_role_policy.lambda-execution-role_allow-execute-api-ws-api-prod_D02E6801",
        "aws_iam_role_policy.apigateway-principal_api-gateway-execution-role_allow-invoke-ws-handler_FF34EAE1",
    ] {
        expected.insert(added.to_owned());
    }
    expected
}

#[test]
fn addresses_match_the_reference_with_a_domain() {
    let run = synth_kite(&DOMAIN);
    let actual: BTreeSet<String> = common::addresses(&run.stack_json("kite"))
        .into_iter()
        .collect();
    assert_eq!(actual, expected_addresses(true));
    assert_eq!(actual.len(), 59);
}

#[test]
fn addresses_match_the_reference_without_a_domain() {
    let run = synth_kite(&[]);
    let actual: BTreeSet<String> = common::addresses(&run.stack_json("kite"))
        .into_iter()
        .collect();
    assert_eq!(actual, expected_addresses(false));
    // And the reference's own file without a domain has the same set, less our additions.
    let reference: BTreeSet<String> =
        common::addresses(&reference("kite-without-domain.cdk.tf.json"))
            .into_iter()
            .collect();
    let ours_less_grants: BTreeSet<String> = actual
        .into_iter()
        .filter(|a| !a.starts_with("aws_iam_role_policy."))
        .collect();
    assert_eq!(ours_less_grants, reference);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Added,
    Removed,
    Changed,
}

/// A JSON path (segments separated by `.`, `*` matches one segment) where
/// kite's output differs from the reference, and why.
struct Listed {
    pattern: &'static str,
    change: Change,
    reason: &'static str,
    domain_only: bool,
}

const fn listed(
    pattern: &'static str,
    change: Change,
    reason: &'static str,
    domain_only: bool,
) -> Listed {
    Listed {
        pattern,
        change,
        reason,
        domain_only,
    }
}

use Change::*;

const LISTED: &[Listed] = &[
    listed(
        "provider.cloudflare.0.api_token",
        Removed,
        "fix 1: the token is read from the environment, never written",
        true,
    ),
    listed(
        "resource.aws_iam_role.*.inline_policy",
        Removed,
        "fix 2: grants are aws_iam_role_policy resources that accumulate",
        false,
    ),
    listed(
        "resource.aws_lambda_invocation.lifecycle-invocation.depends_on",
        Added,
        "fix 2: the invocation waits for the grants it needs",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.source_code_hash",
        Changed,
        "fix 5: base64 SHA-256, as AWS reports it",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_api_mapping.*.stage",
        Changed,
        "fix 6: a reference to the stage orders the mapping after it",
        true,
    ),
    listed(
        "resource.aws_lambda_function.*.logging_config",
        Added,
        "fix 7: JSON logs to the function's own log group, which it depends on",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_stage.http-api_prod-stage_552018E7.default_route_settings.logging_level",
        Removed,
        "fix 8: HTTP APIs have no execution logs",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_stage.http-api_prod-stage_552018E7.default_route_settings.data_trace_enabled",
        Removed,
        "fix 8: HTTP APIs have no execution logs",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.environment.variables.WS_API_EXECUTION_ENDPOINT",
        Changed,
        "aws 6: data.aws_region's `name` is deprecated for `region`",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.filename",
        Changed,
        "the test package is not the original zip: same path rule, other MD5 (asserted below)",
        false,
    ),
    listed(
        "output.k1te-serverless_path_F89D4C20.value",
        Changed,
        "the test package is not the original zip (asserted below)",
        false,
    ),
    listed(
        "resource.cloudflare_record.*.value",
        Removed,
        "cloudflare 5: `value` is `content`",
        true,
    ),
    listed(
        "resource.cloudflare_record.*.content",
        Added,
        "cloudflare 5: `value` is `content`",
        true,
    ),
    listed(
        "resource.cloudflare_record.k1techat_k1techat-cert-validation-record_50F5C28D.name",
        Changed,
        "the same expression with `[1]` for the legacy `.1` index (asserted below)",
        true,
    ),
    listed(
        "resource.cloudflare_record.k1techat_k1techat-cert-validation-record_50F5C28D.type",
        Changed,
        "the same expression with `[1]` for the legacy `.1` index (asserted below)",
        true,
    ),
    listed(
        "resource.aws_acm_certificate_validation.*.depends_on",
        Changed,
        "cloudflare 5: the record's type is cloudflare_dns_record",
        true,
    ),
    listed(
        "data.cloudflare_zone.*.name",
        Removed,
        "cloudflare 5: `name` is computed; the lookup is `filter.name`",
        true,
    ),
    listed(
        "data.cloudflare_zone.*.filter",
        Added,
        "cloudflare 5: the lookup is `filter.name`",
        true,
    ),
    listed(
        "terraform.backend.s3.encrypt",
        Added,
        "SPEC §5.1: the state object is encrypted",
        false,
    ),
    listed(
        "terraform.backend.s3.use_lockfile",
        Added,
        "SPEC §5.1: S3-native locking, so two deploys cannot corrupt the state",
        false,
    ),
    listed(
        "terraform.required_version",
        Added,
        "SPEC §5.1: S3 locking needs terraform >= 1.11",
        false,
    ),
    listed(
        "terraform.required_providers.*.version",
        Changed,
        "SPEC §7: aws ~> 6.0, cloudflare ~> 5.0",
        false,
    ),
    listed(
        "terraform.required_providers.aws.source",
        Changed,
        "the registry address hashicorp/aws instead of cdktf's `aws`",
        false,
    ),
    listed(
        "//.metadata.version",
        Changed,
        "kite's version instead of cdktf's",
        false,
    ),
];

fn matches(pattern: &str, path: &[String]) -> bool {
    let segments: Vec<&str> = pattern.split('.').collect();
    segments.len() == path.len() && segments.iter().zip(path).all(|(s, p)| *s == "*" || s == p)
}

fn diff(
    reference: &Value,
    ours: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Change)>,
) {
    match (reference, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                path.push(k.clone());
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => diff(x, y, path, out),
                    (Some(_), None) => out.push((path.clone(), Removed)),
                    (None, Some(_)) => out.push((path.clone(), Added)),
                    (None, None) => {}
                }
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b))
            if a.len() == b.len() && a.iter().all(Value::is_object) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                path.push(i.to_string());
                diff(x, y, path, out);
                path.pop();
            }
        }
        (a, b) if a != b => out.push((path.clone(), Changed)),
        _ => {}
    }
}

/// Ours with `cloudflare_dns_record` renamed back, so blocks pair up.
fn comparable(mut ours: Value) -> Value {
    if let Some(records) = ours["resource"]
        .as_object_mut()
        .and_then(|r| r.remove("cloudflare_dns_record"))
    {
        ours["resource"]["cloudflare_record"] = records;
    }
    ours
}

/// Differences between the blocks present in both, and the stack-level sections.
fn value_differences(reference: &Value, ours: &Value) -> Vec<(Vec<String>, Change)> {
    let ours = comparable(ours.clone());
    let mut out = Vec::new();
    for section in ["resource", "data", "output"] {
        let (Some(ref_types), Some(our_types)) =
            (reference[section].as_object(), ours[section].as_object())
        else {
            continue;
        };
        for (t, blocks) in ref_types {
            for (name, block) in blocks.as_object().unwrap() {
                let ours_block = if section == "output" {
                    ours[section].get(t)
                } else {
                    our_types.get(t).and_then(|b| b.get(name))
                };
                let (block, ours_block, mut path) = if section == "output" {
                    (blocks, ours_block, vec![section.to_owned(), t.clone()])
                } else {
                    (
                        block,
                        ours_block,
                        vec![section.to_owned(), t.clone(), name.clone()],
                    )
                };
                if let Some(ours_block) = ours_block {
                    diff(block, ours_block, &mut path, &mut out);
                }
                if section == "output" {
                    break;
                }
            }
        }
    }
    for section in ["terraform", "provider", "//"] {
        let mut path = vec![section.to_owned()];
        diff(&reference[section], &ours[section], &mut path, &mut out);
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup();
    out
}

fn assert_value_parity(reference: &Value, ours: &Value, with_domain: bool) {
    let differences = value_differences(reference, ours);
    let mut unexplained = Vec::new();
    for (path, change) in &differences {
        if !LISTED
            .iter()
            .any(|l| l.change == *change && matches(l.pattern, path))
        {
            unexplained.push(format!("{change:?} {}", path.join(".")));
        }
    }
    assert!(
        unexplained.is_empty(),
        "differences from the reference that are not listed:\n{}",
        unexplained.join("\n")
    );
    for l in LISTED.iter().filter(|l| with_domain || !l.domain_only) {
        assert!(
            differences
                .iter()
                .any(|(p, c)| *c == l.change && matches(l.pattern, p)),
            "listed difference `{}` ({:?}: {}) does not occur: remove it from the list",
            l.pattern,
            l.change,
            l.reason
        );
    }
}

#[test]
fn values_match_the_reference_except_the_listed_differences_with_a_domain() {
    let run = synth_kite(&DOMAIN);
    assert_value_parity(
        &reference("kite.cdk.tf.json"),
        &run.stack_json("kite"),
        true,
    );
}

#[test]
fn values_match_the_reference_except_the_listed_differences_without_a_domain() {
    let run = synth_kite(&[]);
    assert_value_parity(
        &reference("kite-without-domain.cdk.tf.json"),
        &run.stack_json("kite"),
        false,
    );
}

#[test]
fn listed_differences_that_look_alike_are_equivalent() {
    let run = synth_kite(&DOMAIN);
    let ours = run.stack_json("kite");
    let reference = reference("kite.cdk.tf.json");
    // The package path: same rule (asset id / MD5 of the file / name).
    let md5 = kite::asset::fingerprint(&common::fixture_zip())
        .unwrap()
        .md5_hex;
    let ref_path = reference["output"]["k1te-serverless_path_F89D4C20"]["value"]
        .as_str()
        .unwrap();
    let our_path = ours["output"]["k1te-serverless_path_F89D4C20"]["value"]
        .as_str()
        .unwrap();
    assert_eq!(
        our_path,
        ref_path.replace("985CF1EAA1D116FCC9DD90171C39ED25", &md5)
    );
    for f in [
        "ws-handler_fn_B90684D3",
        "tg-handler_fn_04FDFCE7",
        "lifecycle-handler_fn_52E50930",
    ] {
        assert_eq!(
            ours["resource"]["aws_lambda_function"][f]["filename"],
            our_path
        );
    }
    // The validation record: `tolist(x).1.y` and `tolist(x)[1].y` are one expression.
    let record = "k1techat_k1techat-cert-validation-record_50F5C28D";
    for attr in ["name", "type"] {
        let legacy = reference["resource"]["cloudflare_record"][record][attr]
            .as_str()
            .unwrap();
        let modern = ours["resource"]["cloudflare_dns_record"][record][attr]
            .as_str()
            .unwrap();
        assert_eq!(modern, legacy.replace(").1.", ")[1]."));
    }
    let value = reference["resource"]["cloudflare_record"][record]["value"]
        .as_str()
        .unwrap();
    assert_eq!(
        ours["resource"]["cloudflare_dns_record"][record]["content"],
        value.replace(").1.", ")[1].")
    );
}

#[test]
fn the_stack_with_a_domain_is_the_reviewed_snapshot() {
    let run = synth_kite(&DOMAIN);
    let text = std::fs::read_to_string(run.out().join("stacks/kite/cdk.tf.json")).unwrap();
    insta::assert_snapshot!("kite_with_domain", text);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["//"]["metadata"]["backend"], "s3");
    assert_eq!(
        doc["terraform"]["backend"]["s3"]["bucket"],
        "k1te-chat-tfstate"
    );
    assert_eq!(
        doc["terraform"]["backend"]["s3"]["key"],
        "kite/terraform.tfstate"
    );
    assert_eq!(doc["terraform"]["backend"]["s3"]["region"], "eu-north-1");
    assert_eq!(doc["provider"]["cloudflare"], serde_json::json!([{}]));
    assert_eq!(doc["output"].as_object().unwrap().len(), 5);
    // The renamed Cloudflare records take over the state of the original's.
    let moved = doc["moved"].as_array().unwrap();
    assert_eq!(moved.len(), 3);
    for m in moved {
        let (from, to) = (m["from"].as_str().unwrap(), m["to"].as_str().unwrap());
        assert_eq!(
            from.replace("cloudflare_record.", "cloudflare_dns_record."),
            to
        );
        let original = reference("kite.cdk.tf.json");
        let name = from.trim_start_matches("cloudflare_record.");
        assert!(
            original["resource"]["cloudflare_record"]
                .get(name)
                .is_some(),
            "{from} is an address of the original"
        );
    }
}

#[test]
fn the_stack_without_a_domain_is_the_reviewed_snapshot() {
    let run = synth_kite(&[]);
    let text = std::fs::read_to_string(run.out().join("stacks/kite/cdk.tf.json")).unwrap();
    insta::assert_snapshot!("kite_without_domain", text);
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(
        doc["provider"].get("cloudflare").is_none(),
        "no Cloudflare provider without a domain"
    );
    assert!(
        doc["terraform"]["required_providers"]
            .get("cloudflare")
            .is_none()
    );
    assert!(doc["data"].get("cloudflare_zone").is_none());
    assert!(doc.get("moved").is_none());
    assert_eq!(doc["output"].as_object().unwrap().len(), 3);
}

#[test]
fn every_taggable_aws_resource_is_tagged_and_nothing_else() {
    let doc = synth_kite(&DOMAIN).stack_json("kite");
    let taggable = [
        "aws_acm_certificate",
        "aws_apigatewayv2_api",
        "aws_apigatewayv2_domain_name",
        "aws_apigatewayv2_stage",
        "aws_cloudwatch_log_group",
        "aws_dynamodb_table",
        "aws_iam_role",
        "aws_lambda_function",
    ];
    for (t, blocks) in doc["resource"].as_object().unwrap() {
        for (name, block) in blocks.as_object().unwrap() {
            if taggable.contains(&t.as_str()) {
                assert_eq!(
                    block["tags"],
                    serde_json::json!({"app": "k1te-chat"}),
                    "{t}.{name}"
                );
            } else if t == "cloudflare_dns_record" {
                assert_eq!(
                    block["tags"],
                    serde_json::json!([]),
                    "Cloudflare tags are not AWS tags: {name}"
                );
            } else {
                assert!(block.get("tags").is_none(), "{t}.{name} takes no tags");
            }
        }
    }
}

#[test]
fn synth_writes_the_manifest_and_the_asset() {
    let run = synth_kite(&[]);
    let manifest = common::read_json(&run.out().join("manifest.json"));
    assert_eq!(
        manifest["stacks"]["kite"]["synthesizedStackPath"],
        "stacks/kite/cdk.tf.json"
    );
    let doc = run.stack_json("kite");
    let path = doc["output"]["k1te-serverless_path_F89D4C20"]["value"]
        .as_str()
        .unwrap();
    let copied = run.out().join("stacks/kite").join(path);
    assert_eq!(
        std::fs::read(copied).unwrap(),
        std::fs::read(common::fixture_zip()).unwrap()
    );
    assert!(
        run.stdout.contains("kite") && run.stdout.contains("43 resources"),
        "{}",
        run.stdout
    );
}
