//! The `build` stack: where the Lambda package is kept, and the identity CI
//! uploads it and updates the stages' functions with (SPEC §5.1b).

use anyhow::Result;
use kite::aspect::Tags;
use kite::aws::AwsProvider;
use kite::aws::caller::DataAwsCallerIdentity;
use kite::aws::constructs::{Bucket, BucketProps, Role};
use kite::aws::iam::{IamOpenidConnectProvider, IamOpenidConnectProviderArgs};
use kite::aws::partition::DataAwsPartition;
use kite::aws::policy::{PolicyDocument, Statement};
use kite::aws::region::DataAwsRegion;
use kite::backend::S3Backend;
use kite::expr::{Arn, Tf};
use kite::output::Output;
use kite::{Stack, template};

use crate::config::{BuildConfig, GITHUB_OIDC_HOST, KiteConfig};
use crate::stage::Stage;

/// Where CI puts the package in the bucket.
pub const PACKAGE_KEY: &str = "k1te-serverless/function.zip";

/// The functions of a stage, whose code CI may update.
const FUNCTIONS: [&str; 3] = ["ws-handler", "tg-handler", "lifecycle-handler"];

/// The `build` stack and its packages' bucket (the stages read it through
/// its state when they take their code from S3).
pub fn build(config: &KiteConfig, settings: &BuildConfig) -> Result<(Stack, Bucket)> {
    let mut stack = Stack::new("build");
    let root = stack.root();
    stack.provider(AwsProvider::new());
    stack.set_backend(
        S3Backend::new(
            &config.state_bucket,
            "build/terraform.tfstate",
            &config.state_region,
        )
        .encrypt(true)
        .use_lockfile(true),
    );
    stack.set_required_version(">= 1.11");
    stack.aspect(Tags::new("aws", [("app", "k1te-chat")]));

    // Every package CI uploads, old ones kept a month to roll back to.
    let packages = Bucket::new(
        &mut stack,
        &root,
        "packages",
        BucketProps::new("k1te-chat-packages-")
            .versioned(true)
            .expire_old_versions_after_days(30)
            .abort_uploads_after_days(1),
    );
    stack.output(&root, "packages-bucket", Output::new(packages.name()));
    stack.output(
        &root,
        "package-key",
        Output::new(Tf::<String>::from(PACKAGE_KEY)),
    );

    if let Some(repository) = &settings.github_repository {
        // An account has one OIDC provider per URL: use the one named, or
        // create it.
        let provider: Tf<Arn> = match &settings.github_oidc_provider_arn {
            Some(arn) => Tf::<Arn>::literal(arn.as_str()),
            None => stack
                .add(
                    &root,
                    "github-oidc",
                    IamOpenidConnectProvider::new(IamOpenidConnectProviderArgs {
                        url: format!("https://{GITHUB_OIDC_HOST}").into(),
                        client_id_list: ["sts.amazonaws.com"].into(),
                    }),
                )
                .arn(),
        };
        // Workflows of that repository, with short-lived credentials.
        let trust = PolicyDocument::new().statement(
            Statement::allow(["sts:AssumeRoleWithWebIdentity"])
                .principal("Federated", provider.cast::<String>())
                .condition(
                    "StringEquals",
                    &format!("{GITHUB_OIDC_HOST}:aud"),
                    ["sts.amazonaws.com"],
                )
                .condition(
                    "StringLike",
                    &format!("{GITHUB_OIDC_HOST}:sub"),
                    [format!("repo:{repository}:*")],
                ),
        );
        let ci = Role::with_name(&mut stack, &root, "ci", "k1te-chat-ci", trust);
        let packages_arn: Tf<Arn> = template![packages.arn(), "/k1te-serverless/*"];
        ci.grant_statement(
            &mut stack,
            "allow-upload-packages",
            Statement::allow(["s3:PutObject", "s3:GetObject"]).resource(packages_arn),
        );
        // The stages' functions, by ARN: their names are known here, and
        // their stacks read this one (a reference back would be a cycle).
        let region = stack.data(&root, "region", DataAwsRegion::new());
        let account = stack.data(&root, "account", DataAwsCallerIdentity::new());
        let partition = stack.data(&root, "partition", DataAwsPartition::new());
        let mut update = Statement::allow([
            "lambda:UpdateFunctionCode",
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
        ]);
        for stage in [Stage::PROD, Stage::DEV] {
            for function in FUNCTIONS {
                let arn: Tf<Arn> = template![
                    "arn:",
                    partition.partition(),
                    ":lambda:",
                    region.region(),
                    ":",
                    account.account_id(),
                    ":function:",
                    stage.named(function)
                ];
                update = update.resource(arn);
            }
        }
        ci.grant_statement(&mut stack, "allow-update-functions", update);
        stack.output(&root, "ci-role-arn", Output::new(ci.arn()));
    }
    Ok((stack, packages))
}
