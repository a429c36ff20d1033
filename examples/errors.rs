//! What kite says about stacks with mistakes in them. Try:
//!
//! ```sh
//! cargo run --example errors -- synth fine
//! cargo run --example errors -- synth dangling   # a handle of another stack
//! cargo run --example errors -- synth cycle      # two roles that need each other
//! ```
//!
//! The failing runs print the construct paths involved, exit with status 3,
//! and leave the previous `cdktf.out` as it was.

use std::process::ExitCode;

use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::aws::policy::PolicyDocument;
use kite::expr::Tf;
use kite::{App, Stack, template};

fn fine() -> Stack {
    let mut stack = Stack::new("fine");
    let root = stack.root();
    let role = stack.add(
        &root.child("app"),
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: (PolicyDocument::assumed_by_service("lambda.amazonaws.com")).into(),
        })
        .name("app-role"),
    );
    stack.add(
        &root.child("app"),
        "grant",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: role.name(),
        }),
    );
    stack
}

/// A policy for a role declared in another stack: Terraform would find no
/// such resource in this configuration.
fn dangling() -> Stack {
    let mut other = Stack::new("other");
    let other_root = other.root();
    let role = other.add(
        &other_root.child("shared"),
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );

    let mut stack = Stack::new("dangling");
    let root = stack.root();
    stack.add(
        &root.child("app"),
        "grant",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: role.name(),
        }),
    );
    stack
}

/// Each role's description names the other: neither can be created first.
fn cycle() -> Stack {
    let mut stack = Stack::new("cycle");
    let root = stack.root();
    let first = stack.add(
        &root.child("app"),
        "first",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    let second = stack.add(
        &root.child("app"),
        "second",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        })
        .description(template!["after ", first.name()] as Tf<String>),
    );
    stack.block(&first).depends_on(&second);
    stack
}

fn main() -> ExitCode {
    let app = App::new()
        .stack("fine", "a stack without mistakes", |_| Ok(fine()))
        .stack("dangling", "refers to a block of another stack", |_| {
            Ok(dangling())
        })
        .stack("cycle", "two blocks that depend on each other", |_| {
            Ok(cycle())
        });
    kite::cli::main(app)
}
