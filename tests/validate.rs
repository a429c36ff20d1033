//! `kite validate`: one planted defect per check, each reported with its
//! construct path; every stack variant clean; a user's schema file.

mod common;

use std::process::ExitCode;

use kite::aws::AwsProvider;
use kite::aws::apigatewayv2::{
    Apigatewayv2DomainName, Apigatewayv2DomainNameArgs,
    Apigatewayv2DomainNameDomainNameConfiguration,
    Apigatewayv2DomainNameDomainNameConfigurationArgs,
};
use kite::aws::cloudwatch::{
    CloudwatchLogGroup, DataAwsCloudwatchLogGroup, DataAwsCloudwatchLogGroupArgs,
};
use kite::aws::dynamodb::{
    DynamodbTable, DynamodbTableArgs, DynamodbTableAttribute, DynamodbTableAttributeArgs,
};
use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::aws::lambda::{
    LambdaFunction, LambdaFunctionArgs, LambdaFunctionEnvironment, LambdaFunctionLoggingConfig,
    LambdaFunctionLoggingConfigArgs,
};
use kite::aws::policy::PolicyDocument;
use kite::block::RawBlock;
use kite::cloudflare::zone::{DataCloudflareZone, DataCloudflareZoneFilter};
use kite::expr::{Arn, Tf};
use kite::provider::ProviderRequirement;
use kite::synth::synthesize;
use kite::validate::{Finding, Schemas, Severity, validate};
use kite::{App, Stack};
use serde_json::json;

/// A role Lambda may assume.
fn lambda_role() -> IamRole {
    IamRole::new(IamRoleArgs {
        assume_role_policy: (PolicyDocument::assumed_by_service("lambda.amazonaws.com")).into(),
    })
}

/// A small valid stack: a role, a function using it, a log group, a table.
fn base() -> Stack {
    let mut stack = Stack::new("v");
    let root = stack.root();
    stack.provider(AwsProvider::new().region("eu-north-1"));
    let role = stack.add(&root.child("svc"), "role", lambda_role().name("svc-role"));
    let logs = stack.add(
        &root.child("svc"),
        "logs",
        CloudwatchLogGroup::new()
            .name("/aws/lambda/svc")
            .retention_in_days(7),
    );
    stack.add(
        &root.child("svc"),
        "fn",
        LambdaFunction::new(LambdaFunctionArgs {
            function_name: "svc".into(),
            role: role.arn(),
        })
        .runtime("java17")
        .handler("h")
        .filename("f.zip")
        .memory_size(128)
        .environment(LambdaFunctionEnvironment::new().variables([("A", "b")]))
        .logging_config(
            LambdaFunctionLoggingConfig::new(LambdaFunctionLoggingConfigArgs {
                log_format: "JSON".into(),
            })
            .log_group(logs.name()),
        ),
    );
    stack.add(
        &root,
        "table",
        DynamodbTable::new(DynamodbTableArgs {
            name: "v.Items".into(),
        })
        .hash_key("id")
        .attribute(DynamodbTableAttribute::new(DynamodbTableAttributeArgs {
            name: "id".into(),
            r#type: "S".into(),
        })),
    );
    stack
}

/// The logical ids of the base stack's function and role.
fn fn_id() -> String {
    kite::id::logical_id(&["svc", "fn"])
}

fn role_id() -> String {
    kite::id::logical_id(&["svc", "role"])
}

/// A custom domain at `v/domain`.
fn custom_domain(stack: &mut Stack) -> kite::aws::apigatewayv2::Apigatewayv2DomainNameRef {
    let root = stack.root();
    let cert = Tf::<Arn>::literal("arn:aws:acm:eu-north-1:123456789012:certificate/x");
    stack.add(
        &root,
        "domain",
        Apigatewayv2DomainName::new(Apigatewayv2DomainNameArgs {
            domain_name: "api.example.com".into(),
            domain_name_configuration: Apigatewayv2DomainNameDomainNameConfiguration::new(
                Apigatewayv2DomainNameDomainNameConfigurationArgs {
                    certificate_arn: cert,
                    endpoint_type: "REGIONAL".into(),
                    security_policy: "TLS_1_2".into(),
                },
            ),
        }),
    )
}

fn findings(stack: Stack) -> Vec<Finding> {
    let synthesized = synthesize(stack).expect("structurally valid");
    validate(&synthesized, &Schemas::bundled())
}

/// The stack has exactly one finding, an error at `path` whose message
/// contains `text`.
fn one_error(stack: Stack, path: &str, text: &str) -> Finding {
    let found = findings(stack);
    assert_eq!(
        found.len(),
        1,
        "expected one finding, got:\n{}",
        render(&found)
    );
    let f = found.into_iter().next().unwrap();
    assert_eq!(f.severity, Severity::Error, "{f}");
    assert_eq!(f.path.as_deref(), Some(path), "{f}");
    assert!(f.message.contains(text), "{f}");
    assert_eq!(f.stack, "v");
    f
}

fn render(found: &[Finding]) -> String {
    found
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn lambda_block(stack: &mut Stack) -> &mut kite::Block {
    let address = kite::Address::resource("aws_lambda_function", fn_id());
    let handle = stack.declared(&address).expect("the base stack's function");
    stack.block(&handle)
}

#[test]
fn the_base_stack_is_clean() {
    let found = findings(base());
    assert!(found.is_empty(), "{}", render(&found));
}

#[test]
fn an_unknown_resource_type_is_an_error_with_the_closest_name() {
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(
        &root,
        "typo",
        RawBlock::resource("aws_lamda_function", json!({})),
    );
    let f = one_error(
        stack,
        "v/typo",
        "`aws_lamda_function` is not a resource type of hashicorp/aws; did you mean `aws_lambda_function`?",
    );
    assert_eq!(f.json_path, "resource.aws_lamda_function.typo");
}

#[test]
fn a_raw_block_of_any_bundled_type_is_checked() {
    // aws_sns_topic has no construct of kite's: its schema is bundled all the same.
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(
        &root,
        "topic",
        RawBlock::resource(
            "aws_sns_topic",
            json!({"name": "t", "delivery_polcy": "{}"}),
        ),
    );
    one_error(
        stack,
        "v/topic",
        "`delivery_polcy` is not an argument of `aws_sns_topic`; did you mean `delivery_policy`?",
    );
}

#[test]
fn an_unknown_data_source_type_is_an_error() {
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(
        &root,
        "who",
        RawBlock::data("aws_caller_identities", json!({})),
    );
    let found = findings(stack);
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert_eq!(found[0].severity, Severity::Error);
    assert_eq!(found[0].path.as_deref(), Some("v/who"));
    assert!(
        found[0]
            .message
            .contains("`aws_caller_identities` is not a data source type of hashicorp/aws")
    );
}

#[test]
fn an_unknown_argument_is_reported_with_a_suggestion() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("runtim", "java21");
    let f = one_error(
        stack,
        "v/svc/fn",
        "`runtim` is not an argument of `aws_lambda_function`; did you mean `runtime`?",
    );
    assert_eq!(
        f.json_path,
        format!("resource.aws_lambda_function.{}.runtim", fn_id())
    );
}

#[test]
fn a_computed_only_argument_is_reported() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("qualified_arn", "arn:aws:lambda:x");
    one_error(
        stack,
        "v/svc/fn",
        "`qualified_arn` is computed by the provider",
    );
}

#[test]
fn a_missing_required_argument_is_reported() {
    let mut stack = base();
    lambda_block(&mut stack).remove_override("role");
    one_error(stack, "v/svc/fn", "missing the required argument `role`");
}

#[test]
fn blocks_of_one_type_are_each_checked_for_what_they_require() {
    // Validation reads a shape's required names once and reuses them: the
    // blocks after the first must still be checked, each on its own.
    let mut stack = base();
    let root = stack.root();
    let table = |name: &str| {
        DynamodbTable::new(DynamodbTableArgs { name: name.into() })
            .hash_key("id")
            .attribute(DynamodbTableAttribute::new(DynamodbTableAttributeArgs {
                name: "id".into(),
                r#type: "S".into(),
            }))
    };
    let no_type = stack.add(&root, "no-type", table("v.NoType"));
    stack.add(&root, "complete", table("v.Complete"));
    let no_name = stack.add(&root, "no-name", table("v.NoName"));
    stack.block(&no_type).remove_override("attribute.0.type");
    stack.block(&no_name).remove_override("name");
    let found = findings(stack);
    assert_eq!(found.len(), 2, "{}", render(&found));
    for (path, text) in [
        ("v/no-type", "missing the required argument `type`"),
        ("v/no-name", "missing the required argument `name`"),
    ] {
        assert!(
            found
                .iter()
                .any(|f| f.path.as_deref() == Some(path) && f.message.contains(text)),
            "no `{text}` at {path} in:\n{}",
            render(&found)
        );
    }
}

#[test]
fn a_missing_required_nested_block_is_reported() {
    let mut stack = base();
    let d = custom_domain(&mut stack);
    stack.block(&d).remove_override("domain_name_configuration");
    one_error(
        stack,
        "v/domain",
        "missing the required block `domain_name_configuration`",
    );
}

#[test]
fn a_single_block_given_twice_is_reported() {
    let mut stack = base();
    lambda_block(&mut stack)
        .set_override("environment", json!([{"variables": {}}, {"variables": {}}]));
    one_error(stack, "v/svc/fn", "at most 1 `environment` block, not 2");
}

#[test]
fn a_block_given_as_a_value_is_reported() {
    let mut stack = base();
    let root = stack.root();
    let handle = stack
        .declared(&kite::Address::resource("aws_dynamodb_table", "table"))
        .unwrap();
    stack.block(&handle).set_override("attribute", "id");
    let _ = root;
    one_error(
        stack,
        "v/table",
        "`attribute` is a nested block: give an object (or a list of objects), not a string",
    );
}

#[test]
fn an_unknown_argument_inside_a_nested_block_is_reported() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("logging_config.log_fromat", "JSON");
    let found = findings(stack);
    assert!(
        found.iter().any(|f| f
            .message
            .contains("`log_fromat` is not an argument of the `logging_config` block")
            && f.path.as_deref() == Some("v/svc/fn")),
        "{}",
        render(&found)
    );
}

#[test]
fn literal_values_of_the_wrong_type_are_reported() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("memory_size", "lots");
    let f = one_error(
        stack,
        "v/svc/fn",
        "`memory_size` must be a number, not a string \"lots\"",
    );
    assert_eq!(
        f.json_path,
        format!("resource.aws_lambda_function.{}.memory_size", fn_id())
    );

    let mut stack = base();
    lambda_block(&mut stack).set_override("architectures", "arm64");
    one_error(
        stack,
        "v/svc/fn",
        "`architectures` must be a list, not a string",
    );

    let mut stack = base();
    lambda_block(&mut stack).set_override("tags", json!(["app"]));
    one_error(stack, "v/svc/fn", "`tags` must be a map, not a list");

    let mut stack = base();
    lambda_block(&mut stack).set_override("publish", 1);
    one_error(stack, "v/svc/fn", "`publish` must be a bool, not a number");
}

#[test]
fn values_terraform_converts_or_computes_are_accepted() {
    let mut stack = base();
    let root = stack.root();
    let timeout = stack.variable(
        &root,
        "timeout",
        kite::output::Variable::<kite::expr::Number>::new(),
    );
    lambda_block(&mut stack)
        .set_override("memory_size", "256")
        .set_override("publish", "true")
        .set_override("timeout", timeout)
        .set_override("description", 42);
    let found: Vec<Finding> = findings(stack)
        .into_iter()
        .filter(|f| f.json_path.contains(&fn_id()))
        .collect();
    assert!(found.is_empty(), "{}", render(&found));
}

#[test]
fn a_reference_to_an_attribute_the_type_lacks_is_reported() {
    let mut stack = base();
    let root = stack.root();
    let bad: Tf<String> = Tf::from_expr(
        kite::expr::Expr::reference(kite::Address::resource("aws_iam_role", role_id()))
            .attr("arnn"),
    );
    stack.add(
        &root,
        "policy",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: bad,
        }),
    );
    let expected = format!(
        "the reference to `aws_iam_role.{}`: the type has no attribute `arnn`; did you mean `arn`?",
        role_id()
    );
    let f = one_error(stack, "v/policy", &expected);
    assert_eq!(f.json_path, "resource.aws_iam_role_policy.policy");
}

#[test]
fn references_into_nested_blocks_are_followed() {
    let mut stack = base();
    let root = stack.root();
    let d = custom_domain(&mut stack);
    let good = d.target_domain_name();
    let bad: Tf<String> = d.domain_name_configuration().at(0).get("target_domain_nam");
    stack.add_raw(
        &root,
        "good",
        RawBlock::resource("aws_cloudwatch_log_group", json!({"name": good})),
    );
    stack.add_raw(
        &root,
        "bad",
        RawBlock::resource("aws_cloudwatch_log_group", json!({"name": bad})),
    );
    let f = one_error(
        stack,
        "v/bad",
        "`domain_name_configuration`: the type has no attribute `target_domain_nam`; did you mean `target_domain_name`?",
    );
    assert_eq!(f.json_path, "resource.aws_cloudwatch_log_group.bad");
}

#[test]
fn an_unknown_provider_configuration_key_is_reported() {
    let mut stack = base();
    stack.set_override("provider.aws.0.regoin", "eu-west-1");
    let found = findings(stack);
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert_eq!(
        found[0].path, None,
        "provider configurations belong to the stack"
    );
    assert!(
        found[0]
            .message
            .contains("`regoin` is not an argument of provider `aws`; did you mean `region`?"),
        "{}",
        found[0]
    );
    assert_eq!(found[0].json_path, "provider.aws.0.regoin");
}

#[test]
fn a_provider_without_required_providers_entry_is_reported() {
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(&root, "n", RawBlock::resource("null_resource", json!({})));
    let found = findings(stack);
    let errors: Vec<&Finding> = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", render(&found));
    assert!(errors[0].message.contains("provider `null` is used by the resource type `null_resource` but has no required_providers entry"));
    assert_eq!(
        errors[0].path.as_deref(),
        Some("v/n"),
        "named by the first block that needs it"
    );
    assert!(found.iter().any(|f| f.severity == Severity::Warning
        && f.path.as_deref() == Some("v/n")
        && f.message.contains("no schema for provider hashicorp/null")));
}

#[test]
fn a_required_providers_entry_without_version_is_reported() {
    let mut stack = base();
    stack.remove_override("terraform.required_providers.aws.version");
    let found = findings(stack);
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert!(
        found[0]
            .message
            .contains("provider `aws` needs a `version` in required_providers")
    );
}

#[test]
fn backend_keys_are_checked() {
    let mut stack = base();
    stack.set_backend(kite::backend::S3Backend::new("b", "k", "eu-north-1"));
    stack.set_override("terraform.backend.s3.use_lock_file", true);
    let found = findings(stack);
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert!(
        found[0].message.contains(
            "`use_lock_file` is not an argument of the s3 backend; did you mean `use_lockfile`?"
        ),
        "{}",
        found[0]
    );

    let mut stack = base();
    stack.set_backend(kite::backend::LocalBackend::new("/tmp/x.tfstate"));
    stack.set_override("terraform.backend.local.bucket", "b");
    assert!(
        findings(stack)[0]
            .message
            .contains("`bucket` is not an argument of the local backend")
    );

    let mut stack = base();
    stack.set_backend(kite::backend::S3Backend::new("b", "k", "eu-north-1"));
    stack.remove_override("terraform.backend.s3.key");
    assert!(
        findings(stack)[0]
            .message
            .contains("the s3 backend needs `key`")
    );
}

#[test]
fn aws_naming_limits_are_checked_on_literals() {
    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "short",
        DynamodbTable::new(DynamodbTableArgs { name: "ab".into() }),
    );
    one_error(
        stack,
        "v/short",
        "DynamoDB table names have 3 to 255 characters; `ab` has 2",
    );

    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "spaced",
        DynamodbTable::new(DynamodbTableArgs {
            name: "chat items".into(),
        }),
    );
    one_error(
        stack,
        "v/spaced",
        "DynamoDB table names may only contain A-Z a-z 0-9 _ . -; `chat items` contains ` `",
    );

    let mut stack = base();
    lambda_block(&mut stack).set_override("function_name", "f".repeat(65));
    one_error(
        stack,
        "v/svc/fn",
        "Lambda function names have 1 to 64 characters",
    );

    let mut stack = base();
    lambda_block(&mut stack).set_override("function_name", "svc.v2");
    one_error(
        stack,
        "v/svc/fn",
        "Lambda function names may only contain A-Z a-z 0-9 _ -; `svc.v2` contains `.`",
    );

    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "role2",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        })
        .name("my role"),
    );
    one_error(stack, "v/role2", "IAM role names may only contain");

    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "grant",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: "svc-role".into(),
        })
        .name("p".repeat(129)),
    );
    one_error(
        stack,
        "v/grant",
        "IAM inline policy names have 1 to 128 characters",
    );

    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "lg",
        CloudwatchLogGroup::new().name("/aws/lambda/x y"),
    );
    one_error(stack, "v/lg", "CloudWatch log group names may only contain");

    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "lg",
        CloudwatchLogGroup::new().name("/x").retention_in_days(8),
    );
    one_error(stack, "v/lg", "not 8; the nearest is 7");
}

#[test]
fn names_known_only_at_apply_are_not_checked() {
    let mut stack = base();
    let root = stack.root();
    let region = stack.data(&root, "region", kite::aws::region::DataAwsRegion::new());
    stack.add(
        &root,
        "t",
        DynamodbTable::new(DynamodbTableArgs {
            name: (kite::template!["x ", region.region()] as Tf<String>),
        }),
    );
    let found = findings(stack);
    assert!(found.is_empty(), "{}", render(&found));
}

#[test]
fn ignore_changes_must_name_arguments_of_the_type() {
    let mut stack = base();
    lambda_block(&mut stack).ignore_changes(["source_code_hash", "enviroment"]);
    one_error(
        stack,
        "v/svc/fn",
        "ignore_changes names `enviroment`, which is not an argument of the type; did you mean `environment`?",
    );
}

#[test]
fn nested_attributes_are_checked_like_blocks() {
    let mut stack = base();
    let root = stack.root();
    stack.require_provider(kite::cloudflare::PROVIDER);
    let zone = stack.data(
        &root,
        "zone",
        DataCloudflareZone::new().filter(DataCloudflareZoneFilter::new().name("example.org")),
    );
    stack.block(&zone).set_override("filter.nme", "example.org");
    one_error(
        stack,
        "v/zone",
        "`nme` is not an argument of `filter` of `cloudflare_zone`; did you mean `name`?",
    );
}

#[test]
fn each_object_of_a_nested_attribute_is_checked_for_what_it_requires() {
    let mut stack = base();
    let root = stack.root();
    stack.require_provider(kite::cloudflare::PROVIDER);
    let rule = |expression: Option<&str>| match expression {
        Some(e) => json!({"action": "block", "expression": e}),
        None => json!({"action": "block"}),
    };
    stack.add_raw(
        &root,
        "firewall",
        RawBlock::resource(
            "cloudflare_ruleset",
            json!({
                "kind": "zone",
                "name": "firewall",
                "phase": "http_request_firewall_custom",
                "zone_id": "z",
                "rules": [rule(Some("true")), rule(None), rule(Some("false"))],
            }),
        ),
    );
    let f = one_error(
        stack,
        "v/firewall",
        "`rules` of `cloudflare_ruleset` is missing the required argument `expression`",
    );
    assert_eq!(f.json_path, "resource.cloudflare_ruleset.firewall.rules.1");
}

#[test]
fn each_reference_is_checked_against_its_own_target_type() {
    // One block reads, in turn: a role's `unique_id`, a role whose
    // provider has no schema (nothing to check), a log group's
    // `skip_destroy` (a resource's only) and a log group data source's
    // `creation_time` (the data source's only). Each is checked against its
    // own target's schema, though reads of one type come one after another.
    let mut stack = base();
    let root = stack.root();
    let role = stack.add(&root, "reader-role", lambda_role());
    let unchecked_role = stack.add(&root, "elsewhere-role", lambda_role());
    stack
        .block(&unchecked_role)
        .set_override("provider", "elsewhere");
    let logs = stack.add(
        &root,
        "kept-logs",
        CloudwatchLogGroup::new().skip_destroy(true),
    );
    let found_logs = stack.data(
        &root,
        "found-logs",
        DataAwsCloudwatchLogGroup::new(DataAwsCloudwatchLogGroupArgs {
            name: "/aws/lambda/other".into(),
        }),
    );
    let unknown: Tf<Arn> = kite::block::Handle::block_ref(&unchecked_role).attr("not_an_attribute");
    stack.add(
        &root,
        "reader",
        CloudwatchLogGroup::new()
            .name(role.unique_id())
            .kms_key_id(unknown)
            .skip_destroy(logs.skip_destroy())
            .retention_in_days(found_logs.creation_time()),
    );
    let found = findings(stack);
    assert!(
        !found.iter().any(|f| f.message.contains("the reference to")),
        "{}",
        render(&found)
    );
}

/// Runs kite's CLI in-process on a project directory with this app.
fn kite_cli(app: &App, dir: &std::path::Path, args: &[&str]) -> (ExitCode, String, String) {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("kite").chain(args.iter().copied());
    let code = kite::cli::run_with(app, argv, dir, &mut stdout, &mut stderr);
    (
        code,
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

fn app_with_defect() -> App {
    App::new().stack("v", "a stack with a typo", |_| {
        let mut stack = base();
        lambda_block(&mut stack).set_override("runtim", "java21");
        Ok(stack)
    })
}

#[test]
fn synth_refuses_an_invalid_stack_unless_told_not_to_validate() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = kite_cli(&app_with_defect(), dir.path(), &["synth"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("stack `v` does not match the provider schemas (1 error)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: v/svc/fn: `runtim` is not an argument"),
        "{stderr}"
    );
    assert!(stderr.contains("--no-validate"), "{stderr}");
    assert!(!dir.path().join("cdktf.out").exists());

    let (code, _, stderr) = kite_cli(&app_with_defect(), dir.path(), &["synth", "--no-validate"]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(dir.path().join("cdktf.out/stacks/v/cdk.tf.json").is_file());
}

#[test]
fn validate_reports_findings_and_fails_on_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = kite_cli(&app_with_defect(), dir.path(), &["validate"]);
    assert_eq!(code, ExitCode::from(3));
    assert_eq!(stdout.trim(), "v            1 error, 0 warnings");
    assert!(
        stderr.starts_with("error: v/svc/fn: `runtim` is not an argument of `aws_lambda_function`"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("cdktf.out").exists(),
        "validate writes nothing"
    );
}

#[test]
fn every_stack_variant_validates_with_zero_findings() {
    for vars in [
        vec![],
        vec![("KITE_DOMAIN", "k1te.chat"), ("CLOUDFLARE_API_TOKEN", "t")],
        vec![
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "t"),
            ("TELEGRAM_BOT_TOKEN", "1:abcdefghijklmnopqrstuvwxyz"),
            ("TELEGRAM_DEV_BOT_TOKEN", "2:abcdefghijklmnopqrstuvwxyz"),
            ("KITE_BUDGET_USD", "20"),
            ("KITE_ALERT_EMAIL", "ops@example.com"),
        ],
        // The stages' code from the build stack, which has a CI role.
        vec![
            ("KITE_LAMBDA_SOURCE", "s3"),
            ("KITE_GITHUB_REPOSITORY", "k1te-chat/k1te-serverless"),
        ],
    ] {
        let run = common::kite_bin(&["validate"], &vars);
        assert!(run.status.success(), "{vars:?}: {}", run.stderr);
        assert_eq!(run.stderr, "", "no finding, not even a warning");
        assert_eq!(
            run.stdout.lines().collect::<Vec<_>>(),
            [
                "kite         0 errors, 0 warnings",
                "kite-dev     0 errors, 0 warnings",
                "build        0 errors, 0 warnings",
                "local        0 errors, 0 warnings"
            ]
        );
    }
}

const NULL_SCHEMA: &str = r#"{
  "format_version": "1.0",
  "provider_schemas": {
    "registry.terraform.io/hashicorp/null": {
      "provider": {"version": 0, "block": {}},
      "resource_schemas": {
        "null_resource": {
          "version": 0,
          "block": {
            "attributes": {
              "id": {"type": "string", "computed": true},
              "triggers": {"type": ["map", "string"], "optional": true}
            }
          }
        }
      }
    }
  }
}"#;

fn app_with_null_resource() -> App {
    null_resource_app("trigers")
}

/// The base stack and a `null_resource` whose one argument is named `key`.
fn null_resource_app(key: &'static str) -> App {
    App::new().stack("v", "a null resource", move |_| {
        let mut stack = base();
        let root = stack.root();
        stack.add_raw(
            &root,
            "n",
            RawBlock::resource("null_resource", json!({ key: {"a": "b"} }))
                .provider(ProviderRequirement::new("null", "hashicorp/null", "~> 3.2")),
        );
        Ok(stack)
    })
}

#[test]
fn a_user_schema_file_checks_providers_kite_does_not_bundle() {
    let dir = tempfile::tempdir().unwrap();
    // Without it: the type cannot be checked, which is a warning.
    let (code, stdout, stderr) = kite_cli(&app_with_null_resource(), dir.path(), &["validate"]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(stdout.trim(), "v            0 errors, 1 warning");
    assert!(
        stderr.contains("no schema for provider hashicorp/null"),
        "{stderr}"
    );

    std::fs::write(dir.path().join("null.schema.json"), NULL_SCHEMA).unwrap();
    let (code, stdout, stderr) = kite_cli(
        &app_with_null_resource(),
        dir.path(),
        &["validate", "--schema", "null.schema.json"],
    );
    assert_eq!(code, ExitCode::from(3));
    assert_eq!(stdout.trim(), "v            1 error, 0 warnings");
    assert!(
        stderr.contains(
            "error: v/n: `trigers` is not an argument of `null_resource`; did you mean `triggers`?"
        ),
        "{stderr}"
    );
}

#[test]
fn a_user_schema_replaces_the_bundled_one_for_its_providers() {
    // An "older" aws provider whose Lambda functions have no logging_config.
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/providers-full.schema.json"
    ))
    .unwrap();
    let bundled: serde_json::Value = serde_json::from_str(&full).unwrap();
    let mut aws = bundled["provider_schemas"]["registry.terraform.io/hashicorp/aws"].clone();
    aws["resource_schemas"]["aws_lambda_function"]["block"]["block_types"]
        .as_object_mut()
        .unwrap()
        .remove("logging_config");
    let file = json!({"format_version": "1.0", "provider_schemas": {"registry.terraform.io/hashicorp/aws": aws}});
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("old-aws.json"), file.to_string()).unwrap();
    let app = App::new().stack("v", "the base stack", |_| Ok(base()));
    let (code, _, stderr) = kite_cli(&app, dir.path(), &["validate", "--schema", "old-aws.json"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("`logging_config` is not an argument of `aws_lambda_function`"),
        "{stderr}"
    );
}

#[test]
fn a_schema_file_that_is_not_one_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{\"not\": \"a schema\"}").unwrap();
    let app = App::new().stack("v", "the base stack", |_| Ok(base()));
    let (code, _, stderr) = kite_cli(&app, dir.path(), &["validate", "--schema", "bad.json"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("cannot use the schema file")
            && stderr.contains("terraform providers schema -json"),
        "{stderr}"
    );
    let (code, _, stderr) = kite_cli(&app, dir.path(), &["validate", "--schema", "missing.json"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(stderr.contains("missing.json"), "{stderr}");
}

#[test]
fn terraform_s_builtin_types_need_no_provider() {
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(
        &root,
        "marker",
        RawBlock::resource("terraform_data", json!({"input": "x"})),
    );
    let found = findings(stack);
    assert!(found.is_empty(), "{}", render(&found));
}

#[test]
fn a_set_cannot_be_indexed_without_tolist() {
    let mut stack = base();
    let root = stack.root();
    let cert = stack.add(
        &root,
        "cert",
        kite::aws::acm::AcmCertificate::new().domain_name("example.com"),
    );
    let indexed: Tf<String> = Tf::from_expr(
        kite::block::Handle::block_ref(&cert)
            .expr()
            .attr("domain_validation_options")
            .index(0)
            .attr("resource_record_name"),
    );
    stack.add_raw(
        &root,
        "bad",
        RawBlock::resource("aws_cloudwatch_log_group", json!({"name": indexed})),
    );
    let good = cert
        .domain_validation_option(0)
        .fields()
        .resource_record_name();
    stack.add_raw(
        &root,
        "good",
        RawBlock::resource("aws_cloudwatch_log_group", json!({"name": good})),
    );
    one_error(
        stack,
        "v/bad",
        "`domain_validation_options`: it is a set, which cannot be indexed: use tolist() first",
    );
}

#[test]
fn references_into_data_sources_are_checked() {
    let mut stack = base();
    let root = stack.root();
    let region = stack.data(&root, "region", kite::aws::region::DataAwsRegion::new());
    let typo: Tf<String> = kite::block::Handle::block_ref(&region).attr("regoin");
    stack.add_raw(
        &root,
        "lg",
        RawBlock::resource("aws_cloudwatch_log_group", json!({"name": typo})),
    );
    one_error(
        stack,
        "v/lg",
        "the reference to `data.aws_region.region`: the type has no attribute `regoin`; did you mean `region`?",
    );
}

#[test]
fn conversions_terraform_does_not_make_are_reported() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("publish", "1");
    assert!(findings(stack).is_empty(), "\"1\" is a bool to Terraform");

    let mut stack = base();
    lambda_block(&mut stack).set_override("memory_size", "inf");
    one_error(
        stack,
        "v/svc/fn",
        "`memory_size` must be a number, not a string \"inf\"",
    );
}

#[test]
fn too_few_blocks_are_reported() {
    let mut stack = base();
    let d = custom_domain(&mut stack);
    stack
        .block(&d)
        .set_override("domain_name_configuration", json!([]));
    one_error(
        stack,
        "v/domain",
        "needs at least 1 `domain_name_configuration` blocks, not 0",
    );
}

#[test]
fn a_single_block_given_as_a_list_of_two_is_reported() {
    let mut stack = base();
    let table = stack
        .declared(&kite::Address::resource("aws_dynamodb_table", "table"))
        .unwrap();
    stack
        .block(&table)
        .set_override("timeouts", json!([{"create": "5m"}, {"create": "6m"}]));
    one_error(
        stack,
        "v/table",
        "`timeouts` is a single block: give one object, not 2 of them",
    );
}

#[test]
fn unknown_lifecycle_arguments_are_reported() {
    let mut stack = base();
    lambda_block(&mut stack).set_override("lifecycle.prevent_destroyy", true);
    one_error(
        stack,
        "v/svc/fn",
        "`prevent_destroyy` is not a lifecycle argument; did you mean `prevent_destroy`?",
    );
}

#[test]
fn a_required_providers_entry_without_source_is_reported() {
    let mut stack = base();
    stack.remove_override("terraform.required_providers.aws.source");
    let found = findings(stack);
    assert_eq!(found.len(), 1, "{}", render(&found));
    assert!(
        found[0]
            .message
            .contains("provider `aws` needs a `source` in required_providers")
    );
    assert_eq!(found[0].json_path, "terraform.required_providers.aws");
}

#[test]
fn naming_limits_are_exact_at_their_bounds() {
    let cases: [(&str, &str, usize, &str); 4] = [
        (
            "aws_iam_role",
            "name",
            64,
            "IAM role names have 1 to 64 characters",
        ),
        (
            "aws_dynamodb_table",
            "name",
            255,
            "DynamoDB table names have 3 to 255 characters",
        ),
        (
            "aws_cloudwatch_log_group",
            "name",
            512,
            "CloudWatch log group names have 1 to 512 characters",
        ),
        (
            "aws_iam_role_policy",
            "name",
            128,
            "IAM inline policy names have 1 to 128 characters",
        ),
    ];
    for (type_name, attribute, max, message) in cases {
        for (len, ok) in [(max, true), (max + 1, false)] {
            let mut stack = base();
            let root = stack.root();
            stack.add_raw(
                &root,
                "named",
                RawBlock::resource(
                    type_name,
                    json!({attribute: "n".repeat(len), "policy": "{}", "role": "r"}),
                ),
            );
            let found: Vec<Finding> = findings(stack)
                .into_iter()
                .filter(|f| f.message.contains("characters"))
                .collect();
            if ok {
                assert!(
                    found.is_empty(),
                    "{type_name} with {len}: {}",
                    render(&found)
                );
            } else {
                assert_eq!(found.len(), 1, "{type_name} with {len}");
                assert!(found[0].message.contains(message), "{}", found[0]);
                assert_eq!(found[0].path.as_deref(), Some("v/named"));
            }
        }
    }
}

#[test]
fn iam_policy_names_take_only_iam_characters() {
    let mut stack = base();
    let root = stack.root();
    stack.add(
        &root,
        "grant",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: "svc-role".into(),
        })
        .name("read items"),
    );
    one_error(
        stack,
        "v/grant",
        "IAM inline policy names may only contain A-Z a-z 0-9 _ + = , . @ -; `read items` contains ` `",
    );
}

#[test]
fn retention_days_given_as_text_are_checked_too() {
    let mut stack = base();
    let root = stack.root();
    let lg = stack.add(&root, "lg", CloudwatchLogGroup::new().name("/x"));
    stack.block(&lg).set_override("retention_in_days", "8");
    one_error(stack, "v/lg", "not 8; the nearest is 7");
}

#[test]
fn object_typed_attributes_are_checked_field_by_field() {
    let schemas = Schemas::from_json(&json!({
        "provider_schemas": {
            "registry.terraform.io/example/thing": {
                "provider": {"block": {}},
                "resource_schemas": {
                    "thing_widget": {"block": {"attributes": {
                        "settings": {"type": ["object", {"size": "number", "name": "string"}], "optional": true}
                    }}}
                }
            }
        }
    })
    .to_string())
    .unwrap();
    let doc = json!({
        "terraform": {"required_providers": {"thing": {"source": "example/thing", "version": "~> 1.0"}}},
        "resource": {"thing_widget": {"w": {
            "//": {"metadata": {"path": "v/w", "uniqueId": "w"}},
            "settings": {"size": "big", "nme": "x"}
        }}}
    });
    let found = kite::validate::validate_document("v", &doc, &schemas);
    assert_eq!(found.len(), 2, "{}", render(&found));
    assert!(found.iter().all(|f| f.path.as_deref() == Some("v/w")));
    assert!(found.iter().any(|f| {
        f.message
            .contains("`nme` is not an attribute of `settings`; did you mean `name`?")
    }));
    assert!(found.iter().any(|f| {
        f.message
            .contains("`size` must be a number, not a string \"big\"")
            && f.json_path == "resource.thing_widget.w.settings.size"
    }));
}

#[test]
fn synth_checks_against_a_user_schema_file_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("null.schema.json"), NULL_SCHEMA).unwrap();
    let (code, _, stderr) = kite_cli(
        &app_with_null_resource(),
        dir.path(),
        &["synth", "--schema", "null.schema.json"],
    );
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("`trigers` is not an argument of `null_resource`"),
        "{stderr}"
    );
    assert!(!dir.path().join("cdktf.out").exists());
}

#[test]
fn a_missing_required_providers_entry_is_named_by_the_first_block_declared() {
    // Declared out of the order they are written: the finding names the
    // first block declared that needs the provider.
    let mut stack = base();
    let root = stack.root();
    stack.add_raw(&root, "zz", RawBlock::resource("null_resource", json!({})));
    stack.add_raw(&root, "aa", RawBlock::resource("null_resource", json!({})));
    let found = findings(stack);
    let missing: Vec<&Finding> = found
        .iter()
        .filter(|f| f.message.contains("has no required_providers entry"))
        .collect();
    assert_eq!(missing.len(), 1, "{}", render(&found));
    assert_eq!(
        missing[0].path.as_deref(),
        Some("v/zz"),
        "{}",
        render(&found)
    );
}

#[test]
fn a_block_kept_as_json_is_reported_at_the_path_its_metadata_says() {
    // `validate` and `validate_document` (the written file) agree, even
    // when an override changed the metadata.
    let mut stack = base();
    let role = stack
        .declared(&kite::Address::resource("aws_iam_role", role_id()))
        .expect("the base stack's role");
    stack
        .block(&role)
        .set_override("//.metadata.path", "elsewhere")
        .set_override("bogus_argument", 1);
    let synthesized = synthesize(stack).expect("structurally valid");
    let schemas = Schemas::bundled();
    let in_memory = validate(&synthesized, &schemas);
    let from_document = kite::validate::validate_document("v", &synthesized.document(), &schemas);
    assert_eq!(in_memory, from_document);
    let bogus: Vec<&Finding> = in_memory
        .iter()
        .filter(|f| f.message.contains("`bogus_argument` is not an argument"))
        .collect();
    assert_eq!(bogus.len(), 1, "{}", render(&in_memory));
    assert_eq!(bogus[0].path.as_deref(), Some("elsewhere"));
}

/// Validation reads a typed body through its typed values, not its JSON:
/// whatever a typed block holds, it finds what `validate_document` finds in
/// the written file.
mod typed_bodies_read_as_written {
    use kite::Address;
    use kite::block::{BlockType, Resource};
    use kite::body::{Body, Value};
    use kite::expr::Expr;
    use proptest::prelude::*;

    use super::*;

    struct Widget(Body);

    impl BlockType for Widget {
        fn into_body(self) -> Body {
            self.0
        }
        fn from_body(body: Body) -> Self {
            Widget(body)
        }
    }

    impl Resource for Widget {
        const TYPE: &'static str = "thing_widget";
        const PROVIDER: ProviderRequirement =
            ProviderRequirement::new("thing", "example/thing", "~> 1.0");
        const TAGGABLE: bool = false;
        type Ref = kite::BlockRef;
    }

    /// Every kind of attribute, nested attribute and nested block.
    fn schemas() -> Schemas {
        let endpoint = json!({"attributes": {
            "host": {"type": "string", "required": true},
            "port": {"type": "number", "optional": true}
        }});
        let rule = json!({"attributes": {
            "x": {"type": "string", "required": true},
            "y": {"type": "number", "optional": true}
        }});
        let nested = |mode: &str| {
            let mut nested = endpoint.clone();
            nested["nesting_mode"] = json!(mode);
            json!({"nested_type": nested, "optional": true})
        };
        Schemas::from_json(&json!({"provider_schemas": {"registry.terraform.io/example/thing": {
            "provider": {"block": {}},
            "resource_schemas": {"thing_widget": {"block": {
                "attributes": {
                    "name": {"type": "string", "required": true},
                    "size": {"type": "number", "optional": true},
                    "on": {"type": "bool", "optional": true},
                    "tags": {"type": ["map", "string"], "optional": true},
                    "ports": {"type": ["list", "number"], "optional": true},
                    "pair": {"type": ["tuple", ["string", "number"]], "optional": true},
                    "settings": {"type": ["object", {"size": "number", "name": "string"}], "optional": true},
                    "anything": {"type": "dynamic", "optional": true},
                    "id": {"type": "string", "computed": true},
                    "old": {"type": "string", "optional": true, "deprecated": true},
                    "target": nested("single"),
                    "targets": nested("list"),
                    "by_name": nested("map")
                },
                "block_types": {
                    "rule": {"nesting_mode": "list", "block": rule, "min_items": 1},
                    "config": {"nesting_mode": "single", "block": rule, "max_items": 1},
                    "named": {"nesting_mode": "map", "block": rule}
                }
            }}}
        }}})
        .to_string())
        .expect("a valid schema")
    }

    const NAMES: &[&str] = &[
        "name", "size", "on", "tags", "ports", "pair", "settings", "anything", "id", "old",
        "target", "targets", "by_name", "rule", "config", "named", "nme", "host", "port", "x", "y",
    ];

    fn text() -> impl Strategy<Value = String> {
        let parts = vec!["$", "%", "{", "}", "${", "a", "1", "true", "size", "é", " "];
        prop::collection::vec(prop::sample::select(parts), 0..5).prop_map(|p| p.concat())
    }

    fn expr() -> impl Strategy<Value = Expr> {
        let other = || Expr::reference(Address::resource("thing_widget", "other"));
        let leaf = prop_oneof![
            Just(Expr::Null),
            any::<bool>().prop_map(Expr::Bool),
            (-3i32..4000).prop_map(|n| Expr::Num(n.into())),
            text().prop_map(Expr::Str),
            // Literal parts alone: literal text, written as a template.
            prop::collection::vec(text().prop_map(Expr::Str), 0..3).prop_map(Expr::Template),
            prop::sample::select(vec!["name", "id", "nope"]).prop_map(move |a| other().attr(a)),
        ];
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::List),
                prop::collection::vec(
                    (
                        prop::sample::select(NAMES)
                            .prop_map(String::from)
                            .boxed()
                            .prop_union(text().boxed()),
                        inner.clone()
                    ),
                    0..3
                )
                .prop_map(|fields| Expr::Object(fields.into_iter().collect())),
                prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::Template),
                prop::collection::vec(inner, 0..2).prop_map(|args| Expr::call("tolist", args)),
            ]
        })
    }

    /// A body of entries named from `NAMES`: expressions, nested blocks
    /// given once, or lists of them.
    fn body(depth: u32) -> BoxedStrategy<Body> {
        let entry = (prop::sample::select(NAMES), expr(), 0..4u32);
        prop::collection::vec(entry, 0..5)
            .prop_flat_map(move |entries| {
                let nested = if depth == 0 {
                    Just(Vec::new()).boxed()
                } else {
                    prop::collection::vec(body(depth - 1), entries.len()).boxed()
                };
                (Just(entries), nested)
            })
            .prop_map(|(entries, mut nested)| {
                let mut body = Body::new();
                for (name, expr, kind) in entries {
                    match (kind, nested.pop()) {
                        (1, Some(block)) => body.set_block(name, block),
                        (2, Some(block)) => body.push_block(name, block),
                        (3, Some(block)) => {
                            body.insert(name, Value::Blocks(vec![block.clone(), block]))
                        }
                        _ => body.insert(name, Value::Expr(expr)),
                    }
                }
                body
            })
            .boxed()
    }

    #[test]
    fn a_required_name_a_meta_argument_gives_is_present_as_written() {
        // Terraform reserves these names, but a user's schema file may
        // list them: the block's meta-arguments are its arguments of those
        // names, as the written file says.
        let schemas = Schemas::from_json(
            &json!({"provider_schemas": {"registry.terraform.io/example/thing": {
                "provider": {"block": {}},
                "resource_schemas": {"thing_widget": {"block": {"attributes": {
                    "lifecycle": {"type": "dynamic", "required": true},
                    "depends_on": {"type": ["list", "string"], "required": true},
                    "provider": {"type": "string", "required": true}
                }}}}
            }}})
            .to_string(),
        )
        .expect("a valid schema");
        let mut stack = Stack::new("v");
        let root = stack.root();
        stack.require_provider(Widget::PROVIDER);
        let other = stack.add(&root, "other", Widget(Body::new()));
        let widget = stack.add(&root, "w", Widget(Body::new()));
        stack
            .block(&widget)
            .prevent_destroy(true)
            .depends_on(&other);
        let synthesized = synthesize(stack).expect("structurally valid");
        let typed = validate(&synthesized, &schemas);
        let written = kite::validate::validate_document("v", &synthesized.document(), &schemas);
        assert_eq!(render(&typed), render(&written));
        let of_w: Vec<&str> = typed
            .iter()
            .filter(|f| f.path.as_deref() == Some("v/w"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            of_w,
            ["`thing_widget` is missing the required argument `provider`"],
            "{}",
            render(&typed)
        );
    }

    #[test]
    fn a_reference_a_meta_argument_shadows_is_not_checked() {
        // A body entry named `depends_on` is replaced by the block's own
        // `depends_on` when written: its reference is not in the file, and
        // not checked.
        let mut stack = Stack::new("v");
        let root = stack.root();
        stack.require_provider(Widget::PROVIDER);
        let other = stack.add(&root, "other", Widget(Body::new()));
        let mut body = Body::new();
        let shadowed = Expr::reference(Address::resource("thing_widget", "other")).attr("nope");
        body.insert("depends_on", Value::Expr(Expr::List(vec![shadowed])));
        let widget = stack.add(&root, "w", Widget(body));
        stack.block(&widget).depends_on(&other);
        let synthesized = synthesize(stack).expect("structurally valid");
        let schemas = schemas();
        let typed = validate(&synthesized, &schemas);
        let written = kite::validate::validate_document("v", &synthesized.document(), &schemas);
        assert_eq!(render(&typed), render(&written));
        assert!(
            !typed.iter().any(|f| f.message.contains("nope")),
            "{}",
            render(&typed)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn findings_of_a_typed_body_are_those_of_its_json(
            body in body(2),
            ignored in prop::collection::vec(prop::sample::select(NAMES), 0..3),
        ) {
            let mut stack = Stack::new("v");
            let root = stack.root();
            stack.require_provider(Widget::PROVIDER);
            stack.add_raw(&root, "other", RawBlock::resource("thing_widget", json!({"name": "o"})));
            let widget = stack.add(&root, "w", Widget(body));
            if !ignored.is_empty() {
                stack.block(&widget).ignore_changes(ignored);
            }
            let synthesized = synthesize(stack).expect("structurally valid");
            let schemas = schemas();
            let typed = validate(&synthesized, &schemas);
            let written = kite::validate::validate_document("v", &synthesized.document(), &schemas);
            prop_assert_eq!(render(&typed), render(&written));
            prop_assert_eq!(typed, written);
        }

        #[test]
        fn aws_naming_limits_of_a_typed_body_are_those_of_its_json(
            name in text(),
            days in prop_oneof![(0u32..4000).prop_map(|d| Expr::Num(d.into())), text().prop_map(Expr::Str)],
        ) {
            let mut stack = base();
            let root = stack.root();
            let group = stack.add(&root, "lg", CloudwatchLogGroup::new().name(name));
            stack.block(&group).body_mut().expect("typed").insert("retention_in_days", Value::Expr(days));
            let synthesized = synthesize(stack).expect("structurally valid");
            let schemas = Schemas::bundled();
            let typed = validate(&synthesized, &schemas);
            let written = kite::validate::validate_document("v", &synthesized.document(), &schemas);
            prop_assert_eq!(typed, written);
        }
    }
}

/// The output's record remembers the stacks this program found to match
/// its bundled schemas with no finding, and a synth does not check that
/// same content again. Anything with a finding is checked, and its warnings
/// shown, at every synth; so is anything checked against a schema file, a
/// stack whose content changed, and whatever `--no-validate` wrote.
#[test]
fn a_synth_checks_again_all_but_what_this_program_found_clean() {
    let dir = tempfile::tempdir().unwrap();
    let record_path = dir.path().join("cdktf.out/.kite-written.json");
    let settle =
        || std::thread::sleep(kite::fingerprints::SETTLED + std::time::Duration::from_millis(100));
    let clean_of_v = || common::read_json(&record_path)["stacks"]["v"]["clean"].clone();
    let synth = |app: &App, args: &[&str]| {
        let args: Vec<&str> = std::iter::once("synth")
            .chain(args.iter().copied())
            .collect();
        kite_cli(app, dir.path(), &args)
    };
    let no_schema = "no schema for provider hashicorp/null";

    // A warning: shown at every synth, before and after the files are
    // recorded (the second synth); the record says the content is not clean.
    let warned = app_with_null_resource();
    for run in 0..3 {
        let (code, _, stderr) = synth(&warned, &[]);
        assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
        assert!(stderr.contains(no_schema), "run {run}: {stderr}");
        if run == 0 {
            settle();
        }
    }
    assert_eq!(clean_of_v(), json!(false));
    // A record of this program saying otherwise is believed for the same
    // content: the warning is not shown. This is how the check is skipped.
    // Another program's is not.
    let recorded = common::read_json(&record_path);
    let mut record = recorded.clone();
    record["stacks"]["v"]["clean"] = json!(true);
    record["binary"]["ino"] = json!(recorded["binary"]["ino"].as_u64().unwrap() + 1);
    std::fs::write(&record_path, record.to_string()).unwrap();
    let (code, _, stderr) = synth(&warned, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(
        stderr.contains(no_schema),
        "another program's record: {stderr}"
    );
    record["binary"] = recorded["binary"].clone();
    std::fs::write(&record_path, record.to_string()).unwrap();
    let (code, _, stderr) = synth(&warned, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(!stderr.contains(no_schema), "{stderr}");
    // But not for a schema file, which finds the typo.
    std::fs::write(dir.path().join("null.schema.json"), NULL_SCHEMA).unwrap();
    let (code, _, stderr) = synth(&warned, &["--schema", "null.schema.json"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(stderr.contains("`trigers` is not an argument"), "{stderr}");

    // Nor is content found clean against a schema file noted clean: only
    // the bundled schemas' findings are remembered.
    let typo_fixed = null_resource_app("triggers");
    let schema = ["--schema", "null.schema.json"];
    synth(&typo_fixed, &schema);
    settle();
    let (code, _, stderr) = synth(&typo_fixed, &schema);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(clean_of_v(), json!(false));
    let (code, _, stderr) = synth(&typo_fixed, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert!(stderr.contains(no_schema), "{stderr}");

    // What --no-validate writes and records is not clean: a synth checks it.
    let defect = app_with_defect();
    synth(&defect, &["--no-validate"]);
    settle();
    let (code, _, stderr) = synth(&defect, &["--no-validate"]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(clean_of_v(), json!(false));
    let (code, _, stderr) = synth(&defect, &[]);
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("does not match the provider schemas"),
        "{stderr}"
    );

    // Clean content, recorded by a --no-validate synth, then found clean.
    let clean = App::new().stack("v", "a valid stack", |_| Ok(base()));
    synth(&clean, &["--no-validate"]);
    settle();
    synth(&clean, &["--no-validate"]);
    assert_eq!(clean_of_v(), json!(false));
    let (code, _, stderr) = synth(&clean, &[]);
    assert_eq!(code, ExitCode::SUCCESS, "{stderr}");
    assert_eq!(
        clean_of_v(),
        json!(true),
        "noted by the synth that checked it"
    );
    // The same stack with a defect is another content: checked again.
    let (code, _, stderr) = synth(&defect, &[]);
    assert_eq!(code, ExitCode::from(3));
    assert!(
        stderr.contains("does not match the provider schemas"),
        "{stderr}"
    );
}
