//! The chat's serverless backend on AWS (SPEC §5.1, §5.1a), one definition
//! for every stage: `kite` (production) and `kite-dev` (development).

use anyhow::{Context, Result};
use kite::aspect::Tags;
use kite::aws::AwsProvider;
use kite::aws::constructs::http_api::HttpStageSettings;
use kite::aws::constructs::websocket_api::WebSocketStageSettings;
use kite::aws::constructs::{
    ApiGatewayAccountRole, Bucket, BucketProps, Certificate, DnsValidatedCertificate,
    ExistingCertificate, Function, FunctionProps, HttpApi, LambdaCode, MonthlyBudget, Role,
    SecureParameter, WebSocketApi,
};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::aws::region::DataAwsRegion;
use kite::backend::S3Backend;
use kite::block::Handle;
use kite::cloudflare::CloudflareProvider;
use kite::cloudflare::constructs::CloudflareZone;
use kite::expr::Tf;
use kite::{Address, Env, Stack, template};

use crate::config::{BuildConfig, KiteConfig, LambdaSource, StageConfig};
use crate::dynamodb_schema::{DynamodbSchema, SchemaOptions};
use crate::stage::Stage;

const QUARKUS_HANDLER: &str =
    "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

/// The stages, `kite` (production) and `kite-dev` (development), and the
/// `build` stack whose bucket they take their code from with
/// `KITE_LAMBDA_SOURCE=s3`: built together, so that they can read it.
pub fn build_group(env: &Env) -> Result<Vec<Stack>> {
    let config = KiteConfig::from_env(env)?;
    let (build, packages) = crate::build::build(&config, &BuildConfig::from_env(env)?)?;
    let prod = build_stage(env, &Stage::PROD, &config, &packages)?;
    let dev = build_stage(env, &Stage::DEV, &config, &packages)?;
    Ok(vec![prod, dev, build])
}

fn build_stage(env: &Env, stage: &Stage, config: &KiteConfig, packages: &Bucket) -> Result<Stack> {
    let settings = StageConfig::from_env(env, stage, config.domain.as_deref())?;
    let mut stack = Stack::new(stage.stack);
    let root = stack.root();

    // Region and credentials come from the environment, as with the AWS CLI.
    stack.provider(AwsProvider::new());
    stack.set_backend(
        S3Backend::new(
            &config.state_bucket,
            format!("{}/terraform.tfstate", stage.stack),
            &config.state_region,
        )
        .encrypt(true)
        .use_lockfile(true),
    );
    // S3-native state locking and write-only arguments need Terraform 1.11.
    stack.set_required_version(">= 1.11");
    stack.aspect(Tags::new("aws", [("app", "k1te-chat")]));
    let region = stack.data(&root, "current-region", DataAwsRegion::new());

    let schema = DynamodbSchema::new(
        &mut stack,
        &root,
        stage.name,
        SchemaOptions {
            point_in_time_recovery: stage.protect_data,
            prevent_destroy: stage.protect_data,
        },
    );

    let lambda_role = Role::for_service_named(
        &mut stack,
        &root,
        "lambda-execution-role",
        stage.named("lambda-execution-role"),
        "lambda.amazonaws.com",
    );
    lambda_role.attach_managed_policy(&mut stack, "service-role/AWSLambdaBasicExecutionRole");
    // API Gateway invokes the WebSocket handler as this role. The account's
    // CloudWatch role (one per account and region) is production's: the
    // other stage needs production deployed.
    let api_gateway_role = if stage.owns_account {
        ApiGatewayAccountRole::new(&mut stack, &root, "apigateway-principal")
            .role()
            .clone()
    } else {
        stack.depends_on_stack(Stage::PROD.stack);
        Role::for_service_named(
            &mut stack,
            &root.child("apigateway-principal"),
            "api-gateway-execution-role",
            stage.named("api-gateway-execution-role"),
            "apigateway.amazonaws.com",
        )
    };
    let code = match &config.lambda {
        LambdaSource::File(path) => {
            LambdaCode::from_file(&mut stack, &root, "k1te-serverless", path)
                .context("the Lambda package cannot be used")?
        }
        // The build stack's bucket, read through its state.
        LambdaSource::S3 => LambdaCode::from_s3(packages.name(), crate::build::PACKAGE_KEY),
    };

    // Chat attachments: private, kept a week, for the stage's own web pages.
    let object_store = Bucket::new(
        &mut stack,
        &root,
        "object-store",
        BucketProps::new(format!("{}-k1te-chat-object-store-", stage.name))
            .force_destroy(!stage.protect_data)
            .expire_after_days(7)
            .abort_uploads_after_days(1)
            .browser_origins(settings.browser_origins.iter().cloned()),
    );
    // The bot token: in SSM, never in the output nor the state.
    let bot_token = settings.bot_token.as_deref().map(|token| {
        SecureParameter::new(
            &mut stack,
            &root,
            "telegram-bot-token",
            &format!("/k1te-chat/{}/telegram-bot-token", stage.name),
            stage.bot_token_setting,
            token,
        )
    });

    let ws_api = WebSocketApi::named(
        &mut stack,
        &root,
        "ws-api",
        stage.named("ws-api"),
        "$request.body.[0]",
    );
    let ws_endpoint: Tf<String> = template![
        "https://",
        ws_api.api().id(),
        ".execute-api.",
        region.region(),
        ".amazonaws.com/",
        stage.name
    ];
    let handler = |stack: &mut Stack, id: &str, kind: &str| {
        let mut props = FunctionProps::new(lambda_role.arn(), code.clone())
            .function_name(stage.named(id))
            .handler(QUARKUS_HANDLER)
            .runtime("java17")
            .architecture("arm64")
            .memory_size(stage.memory_mb)
            .timeout(15)
            .log_retention_days(stage.log_retention_days)
            .env("QUARKUS_LAMBDA_HANDLER", kind)
            .env("SERVERLESS_ENVIRONMENT", stage.name)
            .env("WS_API_EXECUTION_ENDPOINT", ws_endpoint.clone())
            .env("BUCKET_NAME", object_store.name());
        if let Some(token) = &bot_token {
            props = props.env("TELEGRAM_BOT_TOKEN_PARAMETER", token.name());
        }
        Function::new(stack, &root, id, props)
    };
    let ws_handler = handler(&mut stack, "ws-handler", "ws");
    let tg_handler = handler(&mut stack, "tg-handler", "tg");
    let lifecycle_handler = handler(&mut stack, "lifecycle-handler", "lifecycle");

    // WebSocket API: connection events and messages go to ws-handler; PING is
    // answered by API Gateway.
    let ws_stage = ws_api.stage(
        &mut stack,
        stage.name,
        &WebSocketStageSettings {
            throttling_rate_limit: Some(10),
            throttling_burst_limit: Some(5),
            logging_level: "INFO".into(),
            data_trace_enabled: true,
            log_retention_days: stage.log_retention_days,
            ..WebSocketStageSettings::default()
        },
    );
    let ws_integration =
        ws_stage.lambda_integration(&mut stack, "default", &ws_handler, &api_gateway_role);
    ws_handler.grant_invoke(&mut stack, &api_gateway_role);
    for route_key in ["$connect", "$disconnect", "$default"] {
        ws_stage.route(&mut stack, route_key, &ws_integration);
    }
    ws_stage.mock_route(&mut stack, "PING", r#"["PONG"]"#);

    // HTTP API: the Telegram webhook.
    let http_api = HttpApi::named(&mut stack, &root, "http-api", stage.named("http-api"));
    let http_stage = http_api.stage(
        &mut stack,
        stage.name,
        &HttpStageSettings {
            throttling_rate_limit: Some(10),
            throttling_burst_limit: Some(5),
            log_retention_days: stage.log_retention_days,
            ..HttpStageSettings::default()
        },
    );
    http_stage.lambda_route(&mut stack, "ANY /tg", &tg_handler);

    // What the handlers may do: use the tables and the attachments, read
    // the bot token, and post to WebSocket clients.
    let mut grants = vec![
        lambda_role.grant(
            &mut stack,
            &format!("allow-dynamodb-{}", stage.name),
            PolicyDocument::new().statement(schema.read_write()),
        ),
        lambda_role.grant_statement(
            &mut stack,
            &format!("allow-execute-api-ws-api-{}", stage.name),
            Statement::allow(["execute-api:ManageConnections"])
                .resource(ws_stage.connections_arn()),
        ),
        object_store.grant_read_write(&mut stack, &lambda_role),
    ];
    if let Some(token) = &bot_token {
        grants.push(token.grant_read(&mut stack, &lambda_role));
    }

    // The lifecycle handler runs on every apply and destroy; it needs its
    // grants in place first.
    let invocation =
        lifecycle_handler.invoke_on_every_change(&mut stack, &root, "lifecycle-invocation", "{}");
    for grant in &grants {
        stack.block(&invocation).depends_on(grant);
    }

    if let Some(domain) = &config.domain {
        // The token reaches the provider through the environment only.
        stack.provider(CloudflareProvider::new());
        let zone = CloudflareZone::lookup(&mut stack, &root, domain);
        // One wildcard certificate covers every stage's hosts; production
        // validates it (one validation record in the zone), the others use it.
        let validated = stage.owns_account.then(|| {
            DnsValidatedCertificate::for_zone(&mut stack, &root, &format!("{domain}-cert"), &zone)
        });
        let existing;
        let certificate: &dyn Certificate = match &validated {
            Some(validated) => validated,
            None => {
                existing = ExistingCertificate::lookup(
                    &mut stack,
                    &root,
                    &format!("{domain}-cert"),
                    domain,
                );
                &existing
            }
        };

        let ws_host = stage.host("ws", domain);
        let ws_domain = ws_api.custom_domain(&mut stack, &ws_host, certificate);
        ws_stage.map_domain(&mut stack, &ws_domain);
        let ws_record = zone.cname(&mut stack, &ws_host, ws_domain.target_domain_name());

        let api_host = stage.host("api", domain);
        let api_domain = http_api.custom_domain(&mut stack, &api_host, certificate);
        http_stage.map_domain(&mut stack, &api_domain);
        let api_record = zone.cname(&mut stack, &api_host, api_domain.target_domain_name());

        if stage.from_cdktf {
            // The cdktf app's records were `cloudflare_record`s (Cloudflare
            // 4): their state moves to the renamed type.
            let mut records = vec![ws_record.block_ref(), api_record.block_ref()];
            records.extend(validated.as_ref().map(|c| c.validation_record()));
            for record in records {
                if let Address::Block { name, .. } = record.address() {
                    stack.moved(Address::resource("cloudflare_record", name.clone()), record);
                }
            }
        }
    }

    if let Some(budget) = &settings.budget {
        MonthlyBudget::new(
            &mut stack,
            &root,
            "monthly-budget",
            "k1te-chat-monthly",
            &budget.limit_usd,
            &budget.emails,
        );
    }
    Ok(stack)
}
