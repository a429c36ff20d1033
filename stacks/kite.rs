//! The `kite` stack: the chat's serverless backend on AWS (SPEC §5.1).

use anyhow::{Context, Result};
use kite::aspect::Tags;
use kite::aws::AwsProvider;
use kite::aws::constructs::http_api::HttpStageSettings;
use kite::aws::constructs::websocket_api::WebSocketStageSettings;
use kite::aws::constructs::{
    ApiGatewayAccountRole, DnsValidatedCertificate, Function, FunctionProps, HttpApi, LambdaCode,
    Role, WebSocketApi,
};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::aws::region::DataAwsRegion;
use kite::backend::S3Backend;
use kite::block::Handle;
use kite::cloudflare::CloudflareProvider;
use kite::cloudflare::constructs::CloudflareZone;
use kite::expr::Tf;
use kite::{Address, Env, Stack, template};

use crate::config::KiteConfig;
use crate::dynamodb_schema::{DynamodbSchema, SchemaOptions};

const STAGE: &str = "prod";
const QUARKUS_HANDLER: &str =
    "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

pub fn build(env: &Env) -> Result<Stack> {
    let config = KiteConfig::from_env(env)?;
    let mut stack = Stack::new("kite");
    let root = stack.root();

    // Region and credentials come from the environment, as with the AWS CLI.
    stack.provider(AwsProvider::new());
    stack.set_backend(
        S3Backend::new(
            &config.state_bucket,
            "kite/terraform.tfstate",
            &config.state_region,
        )
        .encrypt(true)
        .use_lockfile(true),
    );
    // S3-native state locking needs Terraform 1.11.
    stack.set_required_version(">= 1.11");
    stack.aspect(Tags::new("aws", [("app", "k1te-chat")]));
    let region = stack.data(&root, "current-region", DataAwsRegion::new());

    let schema = DynamodbSchema::new(
        &mut stack,
        &root,
        STAGE,
        SchemaOptions {
            // Production's data can be restored to any second of the last
            // 35 days (doc/adr/0012: checkov CKV_AWS_28).
            point_in_time_recovery: true,
            prevent_destroy: false,
        },
    );

    let lambda_role = Role::for_service(
        &mut stack,
        &root,
        "lambda-execution-role",
        "lambda.amazonaws.com",
    );
    lambda_role.attach_managed_policy(&mut stack, "service-role/AWSLambdaBasicExecutionRole");
    let api_gateway = ApiGatewayAccountRole::new(&mut stack, &root, "apigateway-principal");
    let code = LambdaCode::from_file(&mut stack, &root, "k1te-serverless", &config.lambda_zip)
        .context("the Lambda package cannot be used")?;

    let ws_api = WebSocketApi::new(&mut stack, &root, "ws-api", "$request.body.[0]");
    let ws_endpoint: Tf<String> = template![
        "https://",
        ws_api.api().id(),
        ".execute-api.",
        region.region(),
        ".amazonaws.com/",
        STAGE
    ];
    let handler = |stack: &mut Stack, id: &str, kind: &str| {
        let props = FunctionProps::new(lambda_role.arn(), code.clone())
            .handler(QUARKUS_HANDLER)
            .runtime("java17")
            .architecture("arm64")
            .memory_size(128)
            .timeout(15)
            .env("QUARKUS_LAMBDA_HANDLER", kind)
            .env("SERVERLESS_ENVIRONMENT", STAGE)
            .env("WS_API_EXECUTION_ENDPOINT", ws_endpoint.clone());
        Function::new(stack, &root, id, props)
    };
    let ws_handler = handler(&mut stack, "ws-handler", "ws");
    let tg_handler = handler(&mut stack, "tg-handler", "tg");
    let lifecycle_handler = handler(&mut stack, "lifecycle-handler", "lifecycle");

    // WebSocket API: connection events and messages go to ws-handler; PING is
    // answered by API Gateway.
    let ws_stage = ws_api.stage(
        &mut stack,
        STAGE,
        &WebSocketStageSettings {
            throttling_rate_limit: Some(10),
            throttling_burst_limit: Some(5),
            logging_level: "INFO".into(),
            data_trace_enabled: true,
            ..WebSocketStageSettings::default()
        },
    );
    let ws_integration =
        ws_stage.lambda_integration(&mut stack, "default", &ws_handler, api_gateway.role());
    ws_handler.grant_invoke(&mut stack, api_gateway.role());
    for route_key in ["$connect", "$disconnect", "$default"] {
        ws_stage.route(&mut stack, route_key, &ws_integration);
    }
    ws_stage.mock_route(&mut stack, "PING", r#"["PONG"]"#);

    // HTTP API: the Telegram webhook.
    let http_api = HttpApi::new(&mut stack, &root, "http-api");
    let http_stage = http_api.stage(
        &mut stack,
        STAGE,
        &HttpStageSettings {
            throttling_rate_limit: Some(10),
            throttling_burst_limit: Some(5),
            ..HttpStageSettings::default()
        },
    );
    http_stage.lambda_route(&mut stack, "ANY /tg", &tg_handler);

    // What the handlers may do: use the tables, and post to WebSocket clients.
    let data_grant = lambda_role.grant(
        &mut stack,
        &format!("allow-dynamodb-{STAGE}"),
        PolicyDocument::new().statement(schema.read_write()),
    );
    let connections_grant = lambda_role.grant_statement(
        &mut stack,
        &format!("allow-execute-api-ws-api-{STAGE}"),
        Statement::allow(["execute-api:ManageConnections"]).resource(ws_stage.connections_arn()),
    );

    // The lifecycle handler runs on every apply and destroy; it needs its
    // grants in place first.
    let invocation =
        lifecycle_handler.invoke_on_every_change(&mut stack, &root, "lifecycle-invocation", "{}");
    stack
        .block(&invocation)
        .depends_on(&data_grant)
        .depends_on(&connections_grant);

    if let Some(domain) = &config.domain {
        // The token reaches the provider through the environment only.
        stack.provider(CloudflareProvider::new());
        let zone = CloudflareZone::lookup(&mut stack, &root, domain);
        let certificate =
            DnsValidatedCertificate::for_zone(&mut stack, &root, &format!("{domain}-cert"), &zone);

        let ws_host = format!("ws.{domain}");
        let ws_domain = ws_api.custom_domain(&mut stack, &ws_host, &certificate);
        ws_stage.map_domain(&mut stack, &ws_domain);
        let ws_record = zone.cname(&mut stack, &ws_host, ws_domain.target_domain_name());

        let api_host = format!("api.{domain}");
        let api_domain = http_api.custom_domain(&mut stack, &api_host, &certificate);
        http_stage.map_domain(&mut stack, &api_domain);
        let api_record = zone.cname(&mut stack, &api_host, api_domain.target_domain_name());

        // The cdktf app's records were `cloudflare_record`s (Cloudflare 4):
        // their state moves to the renamed type.
        for record in [
            ws_record.block_ref(),
            api_record.block_ref(),
            certificate.validation_record(),
        ] {
            if let Address::Block { name, .. } = record.address() {
                stack.moved(
                    Address::resource("cloudflare_record", name.as_str()),
                    record,
                );
            }
        }
    }
    Ok(stack)
}
