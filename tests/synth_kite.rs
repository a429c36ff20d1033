//! The `kite` stack against what the original app synthesized
//! (`tests/fixtures/reference/`): the same addresses and values, except the
//! differences listed here, each with its reason (doc/adr/0004). The
//! comparison is with the stack's whole configuration: `cdk.tf.json` and
//! `kite.tf`, which holds what checkov cannot read in JSON (doc/adr/0012).

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
/// `cloudflare_record`, each grant is its own `aws_iam_role_policy` (fix 2),
/// and production gained the attachments' bucket (stages).
fn expected_addresses(with_domain: bool) -> BTreeSet<String> {
    let mut expected: BTreeSet<String> = reference_addresses("kite", with_domain)
        .into_iter()
        .map(|a| a.replace("cloudflare_record.", "cloudflare_dns_record."))
        .collect();
    for added in [
        "aws_iam_role_policy.lambda-execution-role_allow-dynamodb-prod_76EE48A2",
        "aws_iam_role_policy.lambda-execution-role_allow-execute-api-ws-api-prod_D02E6801",
        "aws_iam_role_policy.apigateway-principal_api-gateway-execution-role_allow-invoke-ws-handler_FF34EAE1",
        "aws_iam_role_policy.lambda-execution-role_allow-s3-object-store_D4DDD5A5",
        "aws_s3_bucket.object-store_bucket_CB60F774",
        "aws_s3_bucket_lifecycle_configuration.object-store_lifecycle_0DF48205",
        "aws_s3_bucket_public_access_block.object-store_public-access-block_8698A38F",
    ] {
        expected.insert(added.to_owned());
    }
    if with_domain {
        // Browsers may use the bucket from the domain's pages.
        expected.insert("aws_s3_bucket_cors_configuration.object-store_cors_7CD8A5EF".to_owned());
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
    assert_eq!(actual.len(), 64);
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
        .filter(|a| !a.starts_with("aws_iam_role_policy.") && !a.starts_with("aws_s3_bucket"))
        .collect();
    assert_eq!(ours_less_grants, reference);
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Added,
    Removed,
    Changed,
}

use Change::*;

/// What kite's value at a listed path must be.
enum Expect {
    /// Nothing: the path is gone.
    Gone,
    /// This JSON value.
    Json(&'static str),
    /// A check of kite's value, given the path, the reference and kite's
    /// document (with `cloudflare_dns_record` renamed back to pair up).
    Check(fn(&[String], &Value, &Value) -> Result<(), String>),
}

use Expect::*;

/// A JSON path (segments separated by `.`, `*` matches one segment) where
/// kite's output differs from the reference, why, and what kite has there.
struct Listed {
    pattern: &'static str,
    change: Change,
    expect: Expect,
    reason: &'static str,
    domain_only: bool,
}

const fn listed(
    pattern: &'static str,
    change: Change,
    expect: Expect,
    reason: &'static str,
    domain_only: bool,
) -> Listed {
    Listed {
        pattern,
        change,
        expect,
        reason,
        domain_only,
    }
}

/// The value at a path (array elements by index).
fn at<'a>(doc: &'a Value, path: &[String]) -> &'a Value {
    path.iter().fold(doc, |v, segment| match v {
        Value::Array(items) => segment
            .parse::<usize>()
            .ok()
            .and_then(|i| items.get(i))
            .unwrap_or(&Value::Null),
        other => &other[segment.as_str()],
    })
}

fn fixture_md5() -> String {
    kite::asset::fingerprint(&common::fixture_zip())
        .unwrap()
        .md5_hex
}

fn same_as_reference_with_our_package(
    path: &[String],
    reference: &Value,
    ours: &Value,
) -> Result<(), String> {
    let expected = at(reference, path)
        .as_str()
        .unwrap_or_default()
        .replace("985CF1EAA1D116FCC9DD90171C39ED25", &fixture_md5());
    (at(ours, path) == expected.as_str())
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn base64_sha256_of_the_package(path: &[String], _: &Value, ours: &Value) -> Result<(), String> {
    let expected = kite::asset::fingerprint(&common::fixture_zip())
        .unwrap()
        .sha256_base64;
    (at(ours, path) == expected.as_str())
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn stage_of_the_same_api(path: &[String], _: &Value, ours: &Value) -> Result<(), String> {
    let stage = if path[2].starts_with("http-api") {
        "http-api_prod-stage_552018E7"
    } else {
        "ws-api_prod-stage_A3D61528"
    };
    let expected = format!("${{aws_apigatewayv2_stage.{stage}.name}}");
    (at(ours, path) == expected.as_str())
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn json_logs_to_own_group(path: &[String], _: &Value, ours: &Value) -> Result<(), String> {
    let function = path[2].split("_fn_").next().unwrap_or_default();
    let logs = kite::id::logical_id(&[function, "logs"]);
    let expected = serde_json::json!({"log_format": "JSON", "log_group": format!("${{aws_cloudwatch_log_group.{logs}.name}}")});
    (at(ours, path) == &expected)
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn legacy_index_modernized(path: &[String], reference: &Value, ours: &Value) -> Result<(), String> {
    // `content` pairs with the reference's `value`; `name` and `type` with themselves.
    let mut source = path.to_vec();
    if source.last().is_some_and(|l| l == "content") {
        *source.last_mut().unwrap() = "value".into();
    }
    let expected = at(reference, &source)
        .as_str()
        .unwrap_or_default()
        .replace(").1.", ")[1].");
    (at(ours, path) == expected.as_str())
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn moves_from_the_original_records(
    _: &[String],
    reference: &Value,
    ours: &Value,
) -> Result<(), String> {
    let expected: Vec<Value> = reference["resource"]["cloudflare_record"]
        .as_object()
        .map(|records| records.keys().map(|name| serde_json::json!({"from": format!("cloudflare_record.{name}"), "to": format!("cloudflare_dns_record.{name}")})).collect())
        .unwrap_or_default();
    let mut actual = ours["moved"].as_array().cloned().unwrap_or_default();
    actual.sort_by_key(|m| m["from"].to_string());
    (actual == expected)
        .then_some(())
        .ok_or_else(|| format!("expected {expected:?}"))
}

fn provider_versions_of_spec(path: &[String], _: &Value, ours: &Value) -> Result<(), String> {
    let expected = match path[2].as_str() {
        "aws" => "~> 6.0",
        "cloudflare" => "~> 5.0",
        other => return Err(format!("unexpected provider {other}")),
    };
    (at(ours, path) == expected)
        .then_some(())
        .ok_or_else(|| format!("expected {expected}"))
}

fn kite_version(path: &[String], _: &Value, ours: &Value) -> Result<(), String> {
    (at(ours, path) == env!("CARGO_PKG_VERSION"))
        .then_some(())
        .ok_or_else(|| "expected kite's version".into())
}

const LISTED: &[Listed] = &[
    listed(
        "provider.cloudflare.0.api_token",
        Removed,
        Gone,
        "fix 1: the token is read from the environment, never written",
        true,
    ),
    listed(
        "resource.aws_iam_role.*.inline_policy",
        Removed,
        Gone,
        "fix 2: grants are aws_iam_role_policy resources that accumulate",
        false,
    ),
    listed(
        "resource.aws_lambda_invocation.lifecycle-invocation.depends_on",
        Added,
        Json(
            r#"["aws_iam_role_policy.lambda-execution-role_allow-dynamodb-prod_76EE48A2", "aws_iam_role_policy.lambda-execution-role_allow-execute-api-ws-api-prod_D02E6801", "aws_iam_role_policy.lambda-execution-role_allow-s3-object-store_D4DDD5A5"]"#,
        ),
        "fix 2: the invocation waits for the grants it needs",
        false,
    ),
    listed(
        "resource.aws_dynamodb_table.*.point_in_time_recovery.enabled",
        Changed,
        Json("true"),
        "stages: production keeps its data (doc/adr/0014)",
        false,
    ),
    listed(
        "resource.aws_dynamodb_table.*.lifecycle.prevent_destroy",
        Changed,
        Json("true"),
        "stages: production's tables refuse to be destroyed (doc/adr/0014)",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.environment.variables.BUCKET_NAME",
        Added,
        Json(r#""${aws_s3_bucket.object-store_bucket_CB60F774.bucket}""#),
        "stages: the handlers store attachments in the stage's bucket",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.source_code_hash",
        Changed,
        Check(base64_sha256_of_the_package),
        "fix 5: base64 SHA-256, as AWS reports it",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_api_mapping.*.stage",
        Changed,
        Check(stage_of_the_same_api),
        "fix 6: a reference to the stage orders the mapping after it",
        true,
    ),
    listed(
        "resource.aws_lambda_function.*.logging_config",
        Added,
        Check(json_logs_to_own_group),
        "fix 7: JSON logs to the function's own log group, which it depends on",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_stage.http-api_prod-stage_552018E7.default_route_settings.logging_level",
        Removed,
        Gone,
        "fix 8: HTTP APIs have no execution logs",
        false,
    ),
    listed(
        "resource.aws_apigatewayv2_stage.http-api_prod-stage_552018E7.default_route_settings.data_trace_enabled",
        Removed,
        Gone,
        "fix 8: HTTP APIs have no execution logs",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.environment.variables.WS_API_EXECUTION_ENDPOINT",
        Changed,
        Json(
            r#""https://${aws_apigatewayv2_api.ws-api_1F19F1C4.id}.execute-api.${data.aws_region.current-region.region}.amazonaws.com/prod""#,
        ),
        "aws 6: data.aws_region's `name` is deprecated for `region`",
        false,
    ),
    listed(
        "resource.aws_lambda_function.*.filename",
        Changed,
        Check(same_as_reference_with_our_package),
        "the test package is not the original zip: same path rule, other MD5",
        false,
    ),
    listed(
        "output.k1te-serverless_path_F89D4C20.value",
        Changed,
        Check(same_as_reference_with_our_package),
        "the test package is not the original zip",
        false,
    ),
    listed(
        "resource.cloudflare_record.*.value",
        Removed,
        Gone,
        "cloudflare 5: `value` is `content`",
        true,
    ),
    listed(
        "resource.cloudflare_record.*.content",
        Added,
        Check(legacy_index_modernized),
        "cloudflare 5: `value` is `content`",
        true,
    ),
    listed(
        "resource.cloudflare_record.k1techat_k1techat-cert-validation-record_50F5C28D.name",
        Changed,
        Check(legacy_index_modernized),
        "the same expression with `[1]` for the legacy `.1` index",
        true,
    ),
    listed(
        "resource.cloudflare_record.k1techat_k1techat-cert-validation-record_50F5C28D.type",
        Changed,
        Check(legacy_index_modernized),
        "the same expression with `[1]` for the legacy `.1` index",
        true,
    ),
    listed(
        "resource.aws_acm_certificate_validation.*.depends_on",
        Changed,
        Json(r#"["cloudflare_dns_record.k1techat_k1techat-cert-validation-record_50F5C28D"]"#),
        "cloudflare 5: the record's type is cloudflare_dns_record",
        true,
    ),
    listed(
        "data.cloudflare_zone.*.name",
        Removed,
        Gone,
        "cloudflare 5: `name` is computed; the lookup is `filter.name`",
        true,
    ),
    listed(
        "data.cloudflare_zone.*.filter",
        Added,
        Json(r#"{"name": "k1te.chat"}"#),
        "cloudflare 5: the lookup is `filter.name`",
        true,
    ),
    listed(
        "resource.aws_dynamodb_table.*.point_in_time_recovery.enabled",
        Changed,
        Json("true"),
        "checkov CKV_AWS_28 (doc/adr/0012): production tables can be restored to any second of 35 days",
        false,
    ),
    listed(
        "moved",
        Added,
        Check(moves_from_the_original_records),
        "the renamed Cloudflare records take over the original's state",
        true,
    ),
    listed(
        "terraform.backend.s3.encrypt",
        Added,
        Json("true"),
        "SPEC §5.1: the state object is encrypted",
        false,
    ),
    listed(
        "terraform.backend.s3.use_lockfile",
        Added,
        Json("true"),
        "SPEC §5.1: S3-native locking, so two deploys cannot corrupt the state",
        false,
    ),
    listed(
        "terraform.required_version",
        Added,
        Json(r#"">= 1.11""#),
        "SPEC §5.1: S3 locking needs terraform >= 1.11",
        false,
    ),
    listed(
        "terraform.required_providers.*.version",
        Changed,
        Check(provider_versions_of_spec),
        "SPEC §7: aws ~> 6.0, cloudflare ~> 5.0",
        false,
    ),
    listed(
        "terraform.required_providers.aws.source",
        Changed,
        Json(r#""hashicorp/aws""#),
        "the registry address hashicorp/aws instead of cdktf's `aws`",
        false,
    ),
    listed(
        "//.metadata.version",
        Changed,
        Check(kite_version),
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

/// Differences between the blocks present in both, and every other section.
fn value_differences(reference: &Value, ours: &Value) -> Vec<(Vec<String>, Change)> {
    let mut out = Vec::new();
    let sections: BTreeSet<&String> = reference
        .as_object()
        .unwrap()
        .keys()
        .chain(ours.as_object().unwrap().keys())
        .collect();
    for section in sections {
        let mut path = vec![section.clone()];
        match section.as_str() {
            // Blocks present in both: addresses are compared by the address tests.
            "resource" | "data" => {
                for (t, blocks) in reference[section].as_object().into_iter().flatten() {
                    for (name, block) in blocks.as_object().into_iter().flatten() {
                        if let Some(theirs) = ours[section].get(t).and_then(|b| b.get(name)) {
                            let mut path = vec![section.clone(), t.clone(), name.clone()];
                            diff(block, theirs, &mut path, &mut out);
                        }
                    }
                }
            }
            "output" => {
                for (name, output) in reference[section].as_object().into_iter().flatten() {
                    if let Some(theirs) = ours[section].get(name) {
                        let mut path = vec![section.clone(), name.clone()];
                        diff(output, theirs, &mut path, &mut out);
                    }
                }
            }
            _ => match (reference.get(section), ours.get(section)) {
                (Some(a), Some(b)) => diff(a, b, &mut path, &mut out),
                (Some(_), None) => out.push((path, Removed)),
                (None, Some(_)) => out.push((path, Added)),
                (None, None) => {}
            },
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup();
    out
}

fn assert_value_parity(reference: &Value, ours: &Value, with_domain: bool) {
    let ours = comparable(ours.clone());
    let differences = value_differences(reference, &ours);
    let mut unexplained = Vec::new();
    for (path, change) in &differences {
        let Some(l) = LISTED
            .iter()
            .find(|l| l.change == *change && matches(l.pattern, path))
        else {
            unexplained.push(format!("{change:?} {}", path.join(".")));
            continue;
        };
        let value = at(&ours, path);
        let checked = match &l.expect {
            Gone => value
                .is_null()
                .then_some(())
                .ok_or_else(|| format!("still there: {value}")),
            Json(text) => {
                let expected: Value = serde_json::from_str(text).unwrap();
                (*value == expected)
                    .then_some(())
                    .ok_or_else(|| format!("expected {expected}"))
            }
            Check(check) => check(path, reference, &ours),
        };
        if let Err(why) = checked {
            unexplained.push(format!(
                "{change:?} {} is {value}, but {why} ({})",
                path.join("."),
                l.reason
            ));
        }
    }
    assert!(
        unexplained.is_empty(),
        "differences from the reference that are not listed, or not as listed:\n{}",
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
        &run.stack_config("kite"),
        true,
    );
}

#[test]
fn values_match_the_reference_except_the_listed_differences_without_a_domain() {
    let run = synth_kite(&[]);
    assert_value_parity(
        &reference("kite-without-domain.cdk.tf.json"),
        &run.stack_config("kite"),
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
    // What checkov cannot read in JSON is in kite.tf.
    assert!(doc.get("moved").is_none());
    assert!(doc["terraform"].get("required_version").is_none());
    let native = std::fs::read_to_string(run.out().join("stacks/kite/kite.tf")).unwrap();
    insta::assert_snapshot!("kite_native_with_domain", native);
    let doc = run.stack_config("kite");
    assert_eq!(doc["terraform"]["required_version"], ">= 1.11");
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
    assert!(doc["terraform"].get("required_version").is_none());
    assert_eq!(doc["output"].as_object().unwrap().len(), 3);
    // kite.tf holds the required version alone.
    let doc = run.stack_config("kite");
    assert_eq!(doc["terraform"]["required_version"], ">= 1.11");
    assert!(doc.get("moved").is_none());
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
        "aws_s3_bucket",
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
        run.stdout.contains("kite") && run.stdout.contains("47 resources"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_domain_whose_first_label_starts_with_a_digit_gives_valid_identifiers() {
    for domain in ["9gag.com", "1password.com", "123.com"] {
        let run = synth_kite(&[
            ("KITE_DOMAIN", domain),
            ("CLOUDFLARE_API_TOKEN", "test-token-not-secret"),
        ]);
        let doc = run.stack_json("kite");
        let mut names: Vec<&str> = Vec::new();
        for section in ["resource", "data"] {
            for blocks in doc[section].as_object().unwrap().values() {
                names.extend(blocks.as_object().unwrap().keys().map(String::as_str));
            }
        }
        names.extend(
            doc["output"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str),
        );
        let invalid: Vec<&&str> = names
            .iter()
            .filter(|n| !kite::expr::is_identifier(n))
            .collect();
        assert!(invalid.is_empty(), "{domain}: {invalid:?}");
        // The zone lookup and what refers to it agree on its name.
        let zone = doc["data"]["cloudflare_zone"].as_object().unwrap();
        let (zone_name, _) = zone.iter().next().unwrap();
        assert!(zone_name.starts_with('_'), "{zone_name}");
        let record = &doc["resource"]["cloudflare_dns_record"];
        assert!(
            record
                .to_string()
                .contains(&format!("data.cloudflare_zone.{zone_name}.zone_id")),
            "{record}"
        );
    }
}
