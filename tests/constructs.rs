//! The higher-level AWS constructs used the way other stacks would use
//! them: names, settings, and several APIs in front of one function.

use kite::aws::constructs::http_api::HttpStageSettings;
use kite::aws::constructs::websocket_api::WebSocketStageSettings;
use kite::aws::constructs::{Function, FunctionProps, HttpApi, LambdaCode, Role, WebSocketApi};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::expr::Tf;
use kite::synth::synthesize;
use kite::validate::{Schemas, validate};
use kite::{Stack, template};
use serde_json::{Value, json};

struct Fixture {
    stack: Stack,
    function: Function,
    _dir: tempfile::TempDir,
}

fn with_function(props: impl FnOnce(FunctionProps) -> FunctionProps) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("code.zip");
    std::fs::write(&zip, b"code").unwrap();
    let mut stack = Stack::new("s");
    let root = stack.root();
    let role = Role::for_service(&mut stack, &root, "exec", "lambda.amazonaws.com");
    let code = LambdaCode::from_file(&mut stack, &root, "code", &zip).unwrap();
    let function = Function::new(
        &mut stack,
        &root,
        "orders",
        props(FunctionProps::new(role.arn(), code)),
    );
    Fixture {
        stack,
        function,
        _dir: dir,
    }
}

fn synthesized(stack: Stack) -> Value {
    let s = synthesize(stack).expect("synthesizes");
    let findings = validate(&s, &Schemas::bundled());
    assert!(findings.is_empty(), "{findings:?}");
    s.document()
}

fn only<'a>(doc: &'a Value, type_name: &str) -> Vec<&'a Value> {
    doc["resource"][type_name]
        .as_object()
        .map(|m| m.values().collect())
        .unwrap_or_default()
}

#[test]
fn a_function_routed_from_two_apis_may_be_invoked_from_both() {
    let Fixture {
        mut stack,
        function,
        _dir,
    } = with_function(|p| p.handler("h").runtime("java17"));
    let root = stack.root();
    for id in ["public-api", "admin-api"] {
        let api = HttpApi::new(&mut stack, &root, id);
        let stage = api.stage(&mut stack, "prod", &HttpStageSettings::default());
        stage.lambda_route(&mut stack, "ANY /orders", &function);
        stage.lambda_route(&mut stack, "GET /orders/{id}", &function);
    }
    let doc = synthesized(stack);
    let permissions = only(&doc, "aws_lambda_permission");
    assert_eq!(permissions.len(), 2, "one per API, however many routes");
    let mut sources: Vec<&str> = permissions
        .iter()
        .map(|p| p["source_arn"].as_str().unwrap())
        .collect();
    sources.sort();
    assert!(
        sources[0].contains("aws_apigatewayv2_api.admin-api_"),
        "{sources:?}"
    );
    assert!(
        sources[1].contains("aws_apigatewayv2_api.public-api_"),
        "{sources:?}"
    );
    let ids: Vec<&str> = permissions
        .iter()
        .map(|p| p["statement_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"allow-invocation-for-apigateway-amazonaws-com"));
    assert!(ids.contains(&"allow-invocation-for-apigateway-amazonaws-com-2"));
}

#[test]
fn a_published_function_points_its_alias_at_the_new_version() {
    let Fixture { stack, .. } = with_function(|p| p.runtime("java17").handler("h").publish(true));
    let doc = synthesized(stack);
    let function = only(&doc, "aws_lambda_function")[0];
    assert_eq!(function["publish"], true);
    let alias = only(&doc, "aws_lambda_alias")[0];
    assert!(
        alias.get("lifecycle").is_none(),
        "the alias follows each published version"
    );

    let Fixture { stack, .. } = with_function(|p| p.runtime("java17").handler("h"));
    let doc = synthesized(stack);
    assert!(
        only(&doc, "aws_lambda_function")[0]
            .get("publish")
            .is_none()
    );
    assert_eq!(
        only(&doc, "aws_lambda_alias")[0]["lifecycle"],
        json!({"ignore_changes": ["function_version"]})
    );
}

#[test]
fn names_can_be_built_from_references_and_the_rest_customized() {
    let mut stack = Stack::new("s");
    let root = stack.root();
    let env: Tf<String> = stack.variable(
        &root,
        "environment",
        kite::output::Variable::<String>::new(),
    );
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("code.zip");
    std::fs::write(&zip, b"code").unwrap();
    let role = Role::with_name(
        &mut stack,
        &root,
        "exec",
        template![env.clone(), "-exec"] as Tf<String>,
        PolicyDocument::assumed_by_service("lambda.amazonaws.com"),
    );
    let code = LambdaCode::from_file(&mut stack, &root, "code", &zip).unwrap();
    Function::new(
        &mut stack,
        &root,
        "orders",
        FunctionProps::new(role.arn(), code)
            .function_name(template![env.clone(), "-orders"] as Tf<String>)
            .runtime("provided.al2023")
            .handler("bootstrap")
            .customize(|f| {
                f.reserved_concurrent_executions(5)
                    .layers([Tf::<kite::expr::Arn>::literal(
                        "arn:aws:lambda:eu-north-1:1:layer:l:1",
                    )])
            }),
    );
    HttpApi::named(
        &mut stack,
        &root,
        "api",
        template![env, "-api"] as Tf<String>,
    );
    let doc = synthesized(stack);
    assert_eq!(
        only(&doc, "aws_iam_role")[0]["name"],
        "${var.environment}-exec"
    );
    let function = only(&doc, "aws_lambda_function")[0];
    assert_eq!(function["function_name"], "${var.environment}-orders");
    assert_eq!(function["reserved_concurrent_executions"], 5);
    assert_eq!(
        function["layers"],
        json!(["arn:aws:lambda:eu-north-1:1:layer:l:1"])
    );
    let logs = only(&doc, "aws_cloudwatch_log_group")[0];
    assert_eq!(logs["name"], "/aws/lambda/${var.environment}-orders");
    assert_eq!(
        only(&doc, "aws_apigatewayv2_api")[0]["name"],
        "${var.environment}-api"
    );
}

#[test]
fn stage_defaults_leave_throttling_to_the_account_and_log_no_messages() {
    let mut stack = Stack::new("s");
    let root = stack.root();
    let http = HttpApi::new(&mut stack, &root, "http");
    http.stage(&mut stack, "prod", &HttpStageSettings::default());
    let ws = WebSocketApi::new(&mut stack, &root, "ws", "$request.body.action");
    ws.stage(&mut stack, "prod", &WebSocketStageSettings::default());
    let doc = synthesized(stack);
    for stage in only(&doc, "aws_apigatewayv2_stage") {
        let settings = stage["default_route_settings"].as_object().unwrap();
        assert!(
            !settings.contains_key("throttling_rate_limit")
                && !settings.contains_key("throttling_burst_limit"),
            "{settings:?}"
        );
        assert_ne!(
            settings.get("data_trace_enabled"),
            Some(&json!(true)),
            "message bodies are not logged by default"
        );
        if let Some(level) = settings.get("logging_level") {
            assert_eq!(level, "ERROR");
        }
    }
}

#[test]
fn statements_can_cover_all_resources() {
    let doc = PolicyDocument::new()
        .statement(Statement::allow(["logs:CreateLogGroup"]).on_all_resources());
    let text = serde_json::to_value(doc.to_json()).unwrap();
    let parsed: Value = serde_json::from_str(text.as_str().unwrap()).unwrap();
    assert_eq!(parsed["Statement"][0]["Resource"], "*");
}
