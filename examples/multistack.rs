//! Stacks that depend on each other, for the commands over several stacks:
//! `build` owns a bucket, `app` grants a role access to it (reading the
//! bucket's ARN through `build`'s state), and `site` stands alone. Try:
//!
//! ```sh
//! cargo run --example multistack -- list
//! cargo run --example multistack -- diff app          # build has no state yet: says to deploy it first
//! cargo run --example multistack -- deploy --all --auto-approve --parallelism 2
//! cargo run --example multistack -- destroy --all --auto-approve
//! ```
//!
//! With `MULTISTACK_PLANT=misspelt`, `site`'s bucket gets an argument its
//! type does not have (`bucket_prefx`), which `--no-validate` lets through
//! for terraform to refuse: the tests check that kite names the bucket's
//! construct path in terraform's error.

use std::process::ExitCode;

use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::aws::s3::S3Bucket;
use kite::{App, Env, Stack, template};

/// `build` and `app`, built together: `app` uses a handle of `build`.
fn build_and_app(_env: &Env) -> anyhow::Result<Vec<Stack>> {
    let mut build = Stack::new("build");
    let root = build.root();
    let bucket = build.add(
        &root.child("packages"),
        "bucket",
        S3Bucket::new().bucket_prefix("packages-"),
    );

    let mut app = Stack::new("app");
    let root = app.root();
    let role = app.add(
        &root,
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: PolicyDocument::assumed_by_service("lambda.amazonaws.com").into(),
        }),
    );
    let read = PolicyDocument::new()
        .statement(Statement::allow(["s3:GetObject"]).resource(template![bucket.arn(), "/*"]));
    app.add(
        &root,
        "read-packages",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: read.into(),
            role: role.name(),
        }),
    );
    Ok(vec![build, app])
}

fn site(env: &Env) -> anyhow::Result<Stack> {
    let mut stack = Stack::new("site");
    let root = stack.root();
    let bucket = stack.add(
        &root.child("pages"),
        "bucket",
        S3Bucket::new().bucket_prefix("pages-"),
    );
    if env.get("MULTISTACK_PLANT")? == Some("misspelt") {
        stack
            .block(&bucket)
            .set_override("bucket_prefx", serde_json::json!("pages-"));
    }
    Ok(stack)
}

fn main() -> ExitCode {
    let app = App::new()
        .group(
            &[
                ("build", "the packages' bucket"),
                ("app", "a role that reads the packages"),
            ],
            build_and_app,
        )
        .stack("site", "a bucket of its own", site);
    kite::cli::main(app)
}
