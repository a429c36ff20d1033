//! Every typed resource, data source and provider configuration, with every
//! argument and nested block set, checked against the bundled provider
//! schemas: a misspelled or misshapen setter fails here even when no stack
//! uses it.

use std::collections::BTreeSet;
use std::path::Path;

use kite::Stack;
use kite::aws::AwsProvider;
use kite::aws::acm::{AcmCertificate, AcmCertificateValidation};
use kite::aws::apigateway::ApiGatewayAccount;
use kite::aws::apigatewayv2::*;
use kite::aws::cloudwatch::CloudwatchLogGroup;
use kite::aws::dynamodb::DynamodbTable;
use kite::aws::iam::{IamPolicy, IamRole, IamRolePolicy, IamRolePolicyAttachment};
use kite::aws::lambda::*;
use kite::aws::provider::{AssumeRole, Endpoints};
use kite::aws::region::{DataAwsCallerIdentity, DataAwsPartition, DataAwsRegion};
use kite::block::{DataSource, Resource};
use kite::cloudflare::CloudflareProvider;
use kite::cloudflare::dns::{CloudflareDnsRecord, DataCloudflareZone};
use kite::docker::DockerProvider;
use kite::docker::container::DockerContainer;
use kite::docker::image::DockerImage;
use kite::docker::network::DockerNetwork;
use kite::docker::volume::DockerVolume;
use kite::macros::Example;
use kite::synth::synthesize;
use kite::validate::{Schemas, validate};

/// Adds every argument set of a resource type, and returns its type name.
fn add<R: Resource + Example>(stack: &mut Stack) -> &'static str {
    let root = stack.root();
    stack.add(&root, R::TYPE, R::example());
    R::TYPE
}

fn read<D: DataSource + Example>(stack: &mut Stack) -> &'static str {
    let root = stack.root();
    stack.data(&root, D::TYPE, D::example());
    D::TYPE
}

/// The Terraform types declared with `resource!` and `data_source!` in `src/`.
fn declared_types() -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().map(str::trim) {
                if line.starts_with("//") {
                    continue;
                }
                if let Some(rest) = line.strip_prefix("pub struct ") {
                    if let Some((_, after)) = rest.split_once("(\"") {
                        if let Some((type_name, tail)) = after.split_once('"') {
                            if tail.starts_with(", provider") {
                                types.insert(type_name.to_owned());
                            }
                        }
                    }
                }
            }
        }
    }
    types
}

#[test]
fn every_typed_argument_and_block_exists_in_the_provider_schemas() {
    let mut stack = Stack::new("coverage");
    stack.provider(
        AwsProvider::new()
            .region("eu-north-1")
            .profile("example-1")
            .allowed_account_ids(["123456789012"])
            .endpoints(
                Endpoints::new()
                    .dynamodb("http://localhost:8000")
                    .s3("http://s3")
                    .sts("http://sts")
                    .lambda("http://l")
                    .iam("http://i")
                    .service("sqs", "http://q"),
            )
            .default_tags([("app", "example-1")])
            .assume_role(
                AssumeRole::new(kite::expr::Tf::<kite::expr::Arn>::literal(
                    "arn:aws:iam::1:role/r",
                ))
                .session_name("s")
                .external_id("e")
                .duration("1h"),
            )
            .max_retries(3)
            .s3_use_path_style(true)
            .skip_credentials_validation(true)
            .skip_metadata_api_check(true)
            .skip_region_validation(true)
            .skip_requesting_account_id(true),
    );
    stack.provider(AwsProvider::new().alias("other").region("eu-west-1"));
    stack.provider(
        CloudflareProvider::new()
            .base_url("https://api.example.com")
            .user_agent_operator_suffix("kite"),
    );
    stack.provider(
        DockerProvider::new()
            .host("unix:///var/run/docker.sock")
            .context("default")
            .cert_path("/certs")
            .ssh_opts(["-o", "StrictHostKeyChecking=no"])
            .disable_docker_daemon_check(true)
            .registry_auth("registry.example.com", "/home/u/.docker/config.json"),
    );

    let covered: BTreeSet<String> = [
        add::<AcmCertificate>(&mut stack),
        add::<AcmCertificateValidation>(&mut stack),
        add::<ApiGatewayAccount>(&mut stack),
        add::<Apigatewayv2Api>(&mut stack),
        add::<Apigatewayv2ApiMapping>(&mut stack),
        add::<Apigatewayv2DomainName>(&mut stack),
        add::<Apigatewayv2Integration>(&mut stack),
        add::<Apigatewayv2IntegrationResponse>(&mut stack),
        add::<Apigatewayv2Route>(&mut stack),
        add::<Apigatewayv2RouteResponse>(&mut stack),
        add::<Apigatewayv2Stage>(&mut stack),
        add::<CloudwatchLogGroup>(&mut stack),
        add::<DynamodbTable>(&mut stack),
        add::<IamPolicy>(&mut stack),
        add::<IamRole>(&mut stack),
        add::<IamRolePolicy>(&mut stack),
        add::<IamRolePolicyAttachment>(&mut stack),
        add::<LambdaAlias>(&mut stack),
        add::<LambdaFunction>(&mut stack),
        add::<LambdaFunctionUrl>(&mut stack),
        add::<LambdaInvocation>(&mut stack),
        add::<LambdaPermission>(&mut stack),
        add::<CloudflareDnsRecord>(&mut stack),
        add::<DockerContainer>(&mut stack),
        add::<DockerImage>(&mut stack),
        add::<DockerNetwork>(&mut stack),
        add::<DockerVolume>(&mut stack),
        read::<DataAwsRegion>(&mut stack),
        read::<DataAwsCallerIdentity>(&mut stack),
        read::<DataAwsPartition>(&mut stack),
        read::<DataCloudflareZone>(&mut stack),
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(
        covered,
        declared_types(),
        "every declared type is covered here"
    );

    let synthesized = synthesize(stack).expect("the coverage stack synthesizes");
    let doc = &synthesized.document;
    // The examples really set everything: spot checks of deep blocks.
    let function = &doc["resource"]["aws_lambda_function"]["aws_lambda_function"];
    assert_eq!(
        function["vpc_config"]["subnet_ids"],
        serde_json::json!(["example-1"])
    );
    assert_eq!(function["logging_config"]["log_format"], "example-1");
    let container = &doc["resource"]["docker_container"]["docker_container"];
    assert_eq!(
        container["healthcheck"]["test"],
        serde_json::json!(["example-1"])
    );
    assert_eq!(container["ports"][0]["internal"], 1);

    let findings = validate(&synthesized, &Schemas::bundled());
    let listing: Vec<String> = findings.iter().map(|f| f.to_string()).collect();
    assert!(findings.is_empty(), "{}", listing.join("\n"));
}
