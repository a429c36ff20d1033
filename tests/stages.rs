//! The two stages: `kite-dev` beside production in one account and one
//! Cloudflare zone, sharing no account-scoped name; secrets kept out of the
//! output; production's data protected; the budget.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{BinRun, kite_bin};
use serde_json::Value;

const PROD_TOKEN: &str = "123456:AAbbCCddEEffGGhhIIjjKKll-prod-random-7f3a";
const DEV_TOKEN: &str = "654321:AAbbCCddEEffGGhhIIjjKKll-dev-random-9c1e";

fn synth(vars: &[(&str, &str)]) -> BinRun {
    let run = kite_bin(&["synth"], vars);
    assert!(run.status.success(), "kite synth failed:\n{}", run.stderr);
    run
}

fn with_domain() -> Vec<(&'static str, &'static str)> {
    vec![
        ("KITE_DOMAIN", "k1te.chat"),
        ("CLOUDFLARE_API_TOKEN", "test-token-not-secret"),
    ]
}

fn everything() -> Vec<(&'static str, &'static str)> {
    let mut vars = with_domain();
    vars.extend([
        ("TELEGRAM_BOT_TOKEN", PROD_TOKEN),
        ("TELEGRAM_DEV_BOT_TOKEN", DEV_TOKEN),
        ("KITE_BUDGET_USD", "20"),
        ("KITE_ALERT_EMAIL", "ops@example.com"),
    ]);
    vars
}

/// The attributes that name what a resource is in the account (or the
/// zone): what two stages must not share.
const NAMING: &[&str] = &[
    "name",
    "name_prefix",
    "bucket",
    "bucket_prefix",
    "function_name",
    "domain_name",
    "role",
];

/// Each resource's identity in the account: its type and the values of its
/// naming attributes, with references to literal attributes of other blocks
/// of the stack replaced by their values, and references to computed ones
/// (an id AWS chooses) by a value of the referenced block alone, unique to
/// the stack. Computed from the synthesized JSON, not from a list of names.
fn identities(stack: &str, doc: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (t, blocks) in doc["resource"].as_object().unwrap() {
        for (name, block) in blocks.as_object().unwrap() {
            let parts: Vec<String> = NAMING
                .iter()
                .filter_map(|key| block.get(*key).map(|v| (key, v)))
                .map(|(key, v)| format!("{key}={}", resolve(stack, doc, v, 0)))
                .collect();
            if !parts.is_empty() {
                out.insert(format!("{t}: {}", parts.join(", ")));
            }
            let _ = name;
        }
    }
    out
}

/// A naming value with the references in it resolved (see [`identities`]).
fn resolve(stack: &str, doc: &Value, value: &Value, depth: usize) -> String {
    let Some(text) = value.as_str() else {
        return value.to_string();
    };
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        let reference = &rest[start + 2..end];
        out.push_str(&resolve_reference(stack, doc, reference, depth));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

fn resolve_reference(stack: &str, doc: &Value, reference: &str, depth: usize) -> String {
    let parts: Vec<&str> = reference.split('.').collect();
    let (section, t, name, attr) = match parts.as_slice() {
        ["data", t, name, attr, ..] => ("data", *t, *name, *attr),
        [t, name, attr, ..] => ("resource", *t, *name, *attr),
        _ => return format!("<{stack}:{reference}>"),
    };
    match doc[section][t][name].get(attr) {
        Some(v) if depth < 8 && v.is_string() => resolve(stack, doc, v, depth + 1),
        // Computed by AWS: unique to this block, so to this stack.
        _ => format!("<{stack}:{section}.{t}.{name}.{attr}>"),
    }
}

#[test]
fn the_two_stages_share_no_account_scoped_name_nor_dns_record() {
    for vars in [vec![], with_domain(), everything()] {
        let run = synth(&vars);
        let prod = identities("kite", &run.stack_json("kite"));
        let dev = identities("kite-dev", &run.stack_json("kite-dev"));
        assert!(prod.len() > 30 && dev.len() > 25, "{prod:?}\n{dev:?}");
        let shared: Vec<&String> = prod.intersection(&dev).collect();
        assert!(shared.is_empty(), "shared by both stages: {shared:#?}");
        // The resolver sees through references: the alias names are the
        // functions' names, with the stage's prefix in development.
        assert!(
            dev.iter()
                .any(|i| i.starts_with("aws_lambda_alias: name=dev-ws-handler-alias")),
            "{dev:#?}"
        );
    }
}

#[test]
fn development_is_its_own_stack_and_needs_production_deployed() {
    let run = synth(&with_domain());
    let manifest = common::read_json(&run.out().join("manifest.json"));
    assert_eq!(
        manifest["stacks"]["kite-dev"]["dependencies"],
        serde_json::json!(["kite"])
    );
    assert_eq!(
        manifest["stacks"]["kite"]["dependencies"],
        serde_json::json!([])
    );
    let dev = run.stack_json("kite-dev");
    assert_eq!(
        dev["terraform"]["backend"]["s3"]["key"],
        "kite-dev/terraform.tfstate"
    );
    let tables: BTreeMap<&str, &Value> = dev["resource"]["aws_dynamodb_table"]
        .as_object()
        .unwrap()
        .values()
        .map(|t| (t["name"].as_str().unwrap(), t))
        .collect();
    assert_eq!(
        tables.keys().copied().collect::<Vec<_>>(),
        ["dev.Channels", "dev.Members"]
    );
    for table in tables.values() {
        assert_eq!(table["point_in_time_recovery"]["enabled"], false);
        assert!(table["lifecycle"]["prevent_destroy"] != true);
    }
    // The account's API Gateway settings are production's alone.
    assert!(dev["resource"].get("aws_api_gateway_account").is_none());
    // One validation record in the zone: development uses production's certificate.
    assert!(dev["resource"].get("aws_acm_certificate").is_none());
    let lookup = dev["data"]["aws_acm_certificate"].as_object().unwrap();
    assert_eq!(lookup.len(), 1);
    let lookup = lookup.values().next().unwrap();
    assert_eq!(lookup["domain"], "k1te.chat");
    assert_eq!(lookup["statuses"], serde_json::json!(["ISSUED"]));
    let records: BTreeSet<&str> = dev["resource"]["cloudflare_dns_record"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        records,
        BTreeSet::from(["api-dev.k1te.chat", "ws-dev.k1te.chat"])
    );
    assert!(
        dev.get("moved").is_none(),
        "nothing to move: dev never was cdktf's"
    );
    // The stage's name is the API stages' name.
    for stage in dev["resource"]["aws_apigatewayv2_stage"]
        .as_object()
        .unwrap()
        .values()
    {
        assert_eq!(stage["name"], "dev");
    }
}

#[test]
fn production_keeps_its_data() {
    let run = synth(&[]);
    let prod = run.stack_json("kite");
    for table in prod["resource"]["aws_dynamodb_table"]
        .as_object()
        .unwrap()
        .values()
    {
        assert_eq!(table["point_in_time_recovery"]["enabled"], true);
        assert_eq!(table["lifecycle"]["prevent_destroy"], true);
    }
    let bucket = prod["resource"]["aws_s3_bucket"].as_object().unwrap();
    let bucket = bucket.values().next().unwrap();
    assert_eq!(bucket["force_destroy"], false);
    assert_eq!(bucket["bucket_prefix"], "prod-k1te-chat-object-store-");
    let dev = run.stack_json("kite-dev");
    let dev_bucket = dev["resource"]["aws_s3_bucket"].as_object().unwrap();
    assert_eq!(dev_bucket.values().next().unwrap()["force_destroy"], true);
}

#[test]
fn the_attachments_bucket_is_private_expiring_and_granted_to_the_handlers() {
    let run = synth(&with_domain());
    for (stack, origin) in [
        ("kite", "https://k1te.chat"),
        ("kite-dev", "https://dev.k1te.chat"),
    ] {
        let doc = run.stack_json(stack);
        let r = &doc["resource"];
        let block = r["aws_s3_bucket_public_access_block"].as_object().unwrap();
        let block = block.values().next().unwrap();
        for key in [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ] {
            assert_eq!(block[key], true, "{stack} {key}");
        }
        let lifecycle = r["aws_s3_bucket_lifecycle_configuration"]
            .as_object()
            .unwrap();
        let rules = &lifecycle.values().next().unwrap()["rule"];
        assert_eq!(rules[0]["expiration"][0]["days"], 7);
        assert_eq!(
            rules[1]["abort_incomplete_multipart_upload"][0]["days_after_initiation"],
            1
        );
        let cors = r["aws_s3_bucket_cors_configuration"].as_object().unwrap();
        let rule = &cors.values().next().unwrap()["cors_rule"][0];
        assert_eq!(
            rule["allowed_origins"],
            serde_json::json!([origin]),
            "{stack}"
        );
        assert_eq!(
            rule["allowed_methods"],
            serde_json::json!(["GET", "PUT", "HEAD"])
        );
        // Object actions on the objects, listing on the bucket itself.
        let grant = r["aws_iam_role_policy"]
            .as_object()
            .unwrap()
            .values()
            .find(|p| p["name"] == "allow-s3-object-store")
            .unwrap();
        let policy: Value = serde_json::from_str(grant["policy"].as_str().unwrap()).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        let arn = "${aws_s3_bucket.object-store_bucket_CB60F774.arn}";
        assert_eq!(statements[0]["Resource"], format!("{arn}/*"));
        assert!(
            statements[0]["Action"]
                .as_array()
                .unwrap()
                .contains(&"s3:PutObject".into())
        );
        assert_eq!(statements[1]["Action"], "s3:ListBucket");
        assert_eq!(statements[1]["Resource"], arn);
        for function in r["aws_lambda_function"].as_object().unwrap().values() {
            assert_eq!(
                function["environment"]["variables"]["BUCKET_NAME"],
                "${aws_s3_bucket.object-store_bucket_CB60F774.bucket}"
            );
        }
    }
    // Without a domain nor origins, browsers get no access.
    let run = synth(&[]);
    assert!(
        run.stack_json("kite")["resource"]
            .get("aws_s3_bucket_cors_configuration")
            .is_none()
    );
}

#[test]
fn bot_tokens_go_to_ssm_through_write_only_arguments_and_nowhere_else() {
    let run = synth(&everything());
    let files = common::tree_bytes(&run.out());
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for token in [PROD_TOKEN, DEV_TOKEN] {
            let secret = token.split_once(':').unwrap().1;
            assert!(!text.contains(secret), "{} holds a token", path.display());
        }
    }
    for (stack, stage, setting) in [
        ("kite", "prod", "TELEGRAM_BOT_TOKEN"),
        ("kite-dev", "dev", "TELEGRAM_DEV_BOT_TOKEN"),
    ] {
        let doc = run.stack_json(stack);
        let parameter = doc["resource"]["aws_ssm_parameter"].as_object().unwrap();
        let parameter = parameter.values().next().unwrap();
        assert_eq!(parameter["type"], "SecureString");
        assert_eq!(
            parameter["name"],
            format!("/k1te-chat/{stage}/telegram-bot-token")
        );
        assert_eq!(parameter["value_wo"], "${var.telegram_bot_token}");
        assert!(parameter.get("value").is_none());
        assert!(parameter["value_wo_version"].as_u64().is_some());
        let variable = &doc["variable"]["telegram_bot_token"];
        assert_eq!(variable["ephemeral"], true);
        assert_eq!(variable["sensitive"], true);
        assert!(variable["description"].as_str().unwrap().contains(setting));
        for function in doc["resource"]["aws_lambda_function"]
            .as_object()
            .unwrap()
            .values()
        {
            assert_eq!(
                function["environment"]["variables"]["TELEGRAM_BOT_TOKEN_PARAMETER"],
                format!("/k1te-chat/{stage}/telegram-bot-token")
            );
        }
        let grant = doc["resource"]["aws_iam_role_policy"]
            .as_object()
            .unwrap()
            .values()
            .find(|p| p["name"] == "allow-read-telegram-bot-token")
            .unwrap();
        let policy: Value = serde_json::from_str(grant["policy"].as_str().unwrap()).unwrap();
        assert_eq!(policy["Statement"][0]["Action"], "ssm:GetParameter");
        assert!(
            policy["Statement"][0]["Resource"]
                .as_str()
                .unwrap()
                .contains("aws_ssm_parameter.")
        );
        assert_eq!(policy["Statement"][1]["Action"], "kms:Decrypt");
        assert!(
            policy["Statement"][1]["Resource"]
                .as_str()
                .unwrap()
                .contains("data.aws_kms_alias.")
        );
    }
    // A changed token changes the version, so Terraform sends it again.
    let version = |run: &BinRun| {
        run.stack_json("kite")["resource"]["aws_ssm_parameter"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["value_wo_version"]
            .clone()
    };
    let mut other = everything();
    other.retain(|(k, _)| *k != "TELEGRAM_BOT_TOKEN");
    other.push((
        "TELEGRAM_BOT_TOKEN",
        "123456:AAbbCCddEEffGGhhIIjjKKll-prod-random-0000",
    ));
    assert_ne!(version(&run), version(&synth(&other)));
    assert_eq!(version(&run), version(&synth(&everything())));
}

#[test]
fn the_budget_is_production_only_and_alerts_at_80_actual_and_100_forecast() {
    let run = synth(&everything());
    let prod = run.stack_json("kite");
    let budget = prod["resource"]["aws_budgets_budget"].as_object().unwrap();
    let budget = budget.values().next().unwrap();
    assert_eq!(budget["budget_type"], "COST");
    assert_eq!(budget["time_unit"], "MONTHLY");
    assert_eq!(budget["limit_amount"], "20");
    assert_eq!(budget["limit_unit"], "USD");
    let notifications: BTreeSet<(String, u64)> = budget["notification"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            assert_eq!(
                n["subscriber_email_addresses"],
                serde_json::json!(["ops@example.com"])
            );
            (
                n["notification_type"].as_str().unwrap().to_owned(),
                n["threshold"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notifications,
        BTreeSet::from([("ACTUAL".to_owned(), 80), ("FORECASTED".to_owned(), 100)])
    );
    assert!(
        run.stack_json("kite-dev")["resource"]
            .get("aws_budgets_budget")
            .is_none()
    );
    assert!(
        synth(&[]).stack_json("kite")["resource"]
            .get("aws_budgets_budget")
            .is_none()
    );
}

#[test]
fn bad_stage_settings_stop_synthesis_with_the_setting_named() {
    for (vars, expected) in [
        (
            vec![
                ("KITE_BUDGET_USD", "lots"),
                ("KITE_ALERT_EMAIL", "ops@example.com"),
            ],
            "KITE_BUDGET_USD=`lots` is not an amount of US dollars",
        ),
        (
            vec![
                ("KITE_BUDGET_USD", "20"),
                ("KITE_ALERT_EMAIL", "not an address"),
            ],
            "which is not an e-mail address",
        ),
        (
            vec![("KITE_DEV_BUCKET_ORIGINS", "example.com")],
            "KITE_DEV_BUCKET_ORIGINS has `example.com`, which is not a web origin",
        ),
        (
            vec![
                ("TELEGRAM_BOT_TOKEN", PROD_TOKEN),
                ("TELEGRAM_DEV_BOT_TOKEN", PROD_TOKEN),
            ],
            "TELEGRAM_DEV_BOT_TOKEN is the same token as TELEGRAM_BOT_TOKEN",
        ),
    ] {
        let run = kite_bin(&["synth"], &vars);
        assert_eq!(run.status.code(), Some(3), "{vars:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{vars:?}: {}", run.stderr);
        assert!(
            !run.stderr.contains("AAbbCC"),
            "no token in messages: {}",
            run.stderr
        );
        assert!(!run.out().exists(), "nothing written");
    }
}
