//! The eight bugs of the original app that kite fixes (SPEC §6). Each check
//! is run on kite's output, where it must hold, and on the original's
//! output (`tests/fixtures/reference/kite.cdk.tf.json`), where it must not:
//! so each test would fail on the original's behaviour.

mod common;

use base64::Engine;
use common::{kite_bin, reference};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn ours() -> Value {
    let run = kite_bin(
        &["synth", "kite"],
        &[
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "t0ken-value"),
        ],
    );
    assert!(run.status.success(), "{}", run.stderr);
    run.stack_json("kite")
}

fn original() -> Value {
    reference("kite.cdk.tf.json")
}

/// Asserts the check holds on kite's output and fails on the original's.
fn fixed(check: impl Fn(&Value) -> Result<(), String>) {
    if let Err(why) = check(&ours()) {
        panic!("kite's output does not pass: {why}");
    }
    assert!(
        check(&original()).is_err(),
        "the check passes on the original too, so it shows nothing"
    );
}

fn blocks<'a>(doc: &'a Value, t: &str) -> Vec<(&'a String, &'a Value)> {
    doc["resource"][t]
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

/// Every policy document (JSON text) granted to the role with this logical id,
/// inline or as aws_iam_role_policy.
fn policies_of_role(doc: &Value, role_id: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(inline) = doc["resource"]["aws_iam_role"][role_id]["inline_policy"].as_array() {
        out.extend(
            inline
                .iter()
                .filter_map(|p| p["policy"].as_str().map(String::from)),
        );
    }
    let role_ref = format!("${{aws_iam_role.{role_id}.name}}");
    for (_, p) in blocks(doc, "aws_iam_role_policy") {
        if p["role"] == role_ref.as_str() {
            out.push(p["policy"].as_str().unwrap_or_default().to_owned());
        }
    }
    out
}

/// Every statement of every policy granted to the role with this logical id.
fn statements_of_role(doc: &Value, role_id: &str) -> Vec<Value> {
    policies_of_role(doc, role_id)
        .iter()
        .filter_map(|p| serde_json::from_str::<Value>(p).ok())
        .flat_map(|doc| doc["Statement"].as_array().cloned().unwrap_or_default())
        .collect()
}

const LAMBDA_ROLE: &str = "lambda-execution-role_B0EE303E";

#[test]
fn fix_1_no_secret_is_written() {
    fixed(|doc| {
        for config in doc["provider"]["cloudflare"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if config.get("api_token").is_some() {
                return Err("the Cloudflare provider block has an api_token".into());
            }
        }
        Ok(())
    });
    // And the token's value appears nowhere under the output directory.
    let token = format!(
        "tok-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let run = kite_bin(
        &["synth"],
        &[
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", &token),
        ],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let files = common::tree_bytes(&run.out());
    assert!(files.len() >= 3, "manifest, stack and asset are written");
    for (path, bytes) in files {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token was written to {}",
            path.display()
        );
    }
    assert!(
        !run.stdout.contains(&token) && !run.stderr.contains(&token),
        "nor printed"
    );
}

#[test]
fn fix_2_grants_accumulate() {
    fixed(|doc| {
        let policies = policies_of_role(doc, LAMBDA_ROLE);
        let dynamodb = policies.iter().any(|p| p.contains("dynamodb:GetItem"));
        let connections = policies.iter().any(|p| p.contains("execute-api:"));
        if !(dynamodb && connections) {
            return Err(format!(
                "the Lambda role has DynamoDB: {dynamodb}, execute-api: {connections}"
            ));
        }
        for (name, role) in blocks(doc, "aws_iam_role") {
            if role.get("inline_policy").is_some() {
                return Err(format!("{name} manages inline policies exclusively"));
            }
        }
        Ok(())
    });
}

#[test]
fn fix_3_handlers_may_post_to_websocket_connections_of_the_real_api() {
    fixed(|doc| {
        let stage_arn =
            "${aws_apigatewayv2_stage.ws-api_prod-stage_A3D61528.execution_arn}/*/@connections/*";
        let statements = statements_of_role(doc, LAMBDA_ROLE);
        let ok = statements
            .iter()
            .any(|s| s["Action"] == "execute-api:ManageConnections" && s["Resource"] == stage_arn);
        if ok {
            Ok(())
        } else {
            Err(format!(
                "no ManageConnections on {stage_arn} in {statements:?}"
            ))
        }
    });
}

#[test]
fn fix_4_the_members_index_is_covered() {
    fixed(|doc| {
        let index = "${aws_dynamodb_table.prod_Members_E8FBF67D.arn}/index/*";
        let table = "${aws_dynamodb_table.prod_Members_E8FBF67D.arn}";
        let ok = statements_of_role(doc, LAMBDA_ROLE).iter().any(|s| {
            let resources = s["Resource"].as_array().cloned().unwrap_or_default();
            s["Action"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == "dynamodb:Query"))
                && resources.iter().any(|r| r == index)
                && resources.iter().any(|r| r == table)
        });
        if ok {
            Ok(())
        } else {
            Err("no Query grant on the Members table and its indexes".into())
        }
    });
}

#[test]
fn fix_5_the_source_code_hash_is_base64_sha256_of_the_package() {
    let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(
        std::fs::read(common::fixture_zip()).unwrap(),
    ));
    fixed(|doc| {
        for (name, f) in blocks(doc, "aws_lambda_function") {
            let hash = f["source_code_hash"].as_str().unwrap_or_default();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(hash)
                .unwrap_or_default();
            if decoded.len() != 32 {
                return Err(format!("{name}: {hash} is not a base64 SHA-256"));
            }
        }
        Ok(())
    });
    for (name, f) in blocks(&ours(), "aws_lambda_function") {
        assert_eq!(f["source_code_hash"], expected.as_str(), "{name}");
    }
}

#[test]
fn fix_6_api_mappings_reference_their_stage() {
    fixed(|doc| {
        let expected = [
            (
                "http-api_prod-stage_name-mapping_DA438C04",
                "${aws_apigatewayv2_stage.http-api_prod-stage_552018E7.name}",
            ),
            (
                "ws-api_prod-stage_domain-mapping_83415648",
                "${aws_apigatewayv2_stage.ws-api_prod-stage_A3D61528.name}",
            ),
        ];
        for (mapping, stage) in expected {
            let actual = &doc["resource"]["aws_apigatewayv2_api_mapping"][mapping]["stage"];
            if actual != stage {
                return Err(format!("{mapping}.stage is {actual}"));
            }
        }
        Ok(())
    });
}

#[test]
fn fix_7_functions_log_json_to_their_own_log_group() {
    fixed(|doc| {
        for (fn_id, logs_id) in [
            ("ws-handler_fn_B90684D3", "ws-handler_logs_6910F47E"),
            ("tg-handler_fn_04FDFCE7", "tg-handler_logs_5A52ABC2"),
            (
                "lifecycle-handler_fn_52E50930",
                "lifecycle-handler_logs_86E70071",
            ),
        ] {
            let config = &doc["resource"]["aws_lambda_function"][fn_id]["logging_config"];
            let group = format!("${{aws_cloudwatch_log_group.{logs_id}.name}}");
            // The reference makes the function depend on its log group.
            if config["log_format"] != "JSON" || config["log_group"] != group.as_str() {
                return Err(format!("{fn_id}: logging_config is {config}"));
            }
        }
        Ok(())
    });
}

#[test]
fn fix_8_only_the_websocket_stage_has_execution_logs() {
    fixed(|doc| {
        let http = &doc["resource"]["aws_apigatewayv2_stage"]["http-api_prod-stage_552018E7"]["default_route_settings"];
        let ws = &doc["resource"]["aws_apigatewayv2_stage"]["ws-api_prod-stage_A3D61528"]["default_route_settings"];
        if http.get("logging_level").is_some() || http.get("data_trace_enabled").is_some() {
            return Err(format!("the HTTP stage sets execution logs: {http}"));
        }
        if http["throttling_rate_limit"] != 10
            || http["throttling_burst_limit"] != 5
            || http["detailed_metrics_enabled"] != false
        {
            return Err(format!("the HTTP stage lost throttling or metrics: {http}"));
        }
        if ws["logging_level"] != "INFO" || ws["data_trace_enabled"] != true {
            return Err(format!("the WebSocket stage lost its execution logs: {ws}"));
        }
        Ok(())
    });
}
