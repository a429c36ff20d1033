//! Terraform's refactoring blocks, typed: `moved`, `import` and `removed`.
//! How they render, what synthesis refuses, where the output directory puts
//! them (`kite.tf`, doc/adr/0012), and that terraform itself accepts them
//! when it is on PATH.

mod common;

use std::path::Path;
use std::process::Command;

use kite::aws::iam::{IamRole, IamRoleArgs};
use kite::aws::region::DataAwsRegion;
use kite::backend::LocalBackend;
use kite::expr::{Expr, Tf};
use kite::synth::{StackError, SynthesizedStack, output_dir, synthesize};
use kite::terraform::TerraformData;
use kite::{Address, Removal, Stack, template};
use serde_json::json;

fn role(stack: &mut Stack, id: &str) -> kite::aws::iam::IamRoleRef {
    let root = stack.root();
    stack.add(
        &root,
        id,
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    )
}

fn error_of(stack: Stack) -> StackError {
    match synthesize(stack) {
        Ok(_) => panic!("synthesis should have failed"),
        Err(e) => e,
    }
}

fn messages(err: &StackError) -> Vec<String> {
    err.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn imports_and_removals_render_as_terraform_json_expects() {
    let mut stack = Stack::new("app");
    let a = role(&mut stack, "a");
    let b = role(&mut stack, "b");
    stack.import(&a, "lambda-execution-role");
    // An id may be a template of what the stack declares; `${` in literal
    // text is escaped like everywhere else.
    stack.import(&b, template!["${x}-", a.name()]);
    stack.removed(
        Address::resource("aws_iam_role_policy", "old"),
        Removal::Forget,
    );
    stack.removed(Address::resource("aws_iam_role", "gone"), Removal::Destroy);
    let doc = synthesize(stack).unwrap().document();
    assert_eq!(
        doc["import"],
        json!([
            {"to": "aws_iam_role.a", "id": "lambda-execution-role"},
            {"to": "aws_iam_role.b", "id": "$${x}-${aws_iam_role.a.name}"}
        ])
    );
    assert_eq!(
        doc["removed"],
        json!([
            {"from": "aws_iam_role_policy.old", "lifecycle": {"destroy": false}},
            {"from": "aws_iam_role.gone", "lifecycle": {"destroy": true}}
        ])
    );
}

#[test]
fn an_import_goes_to_a_resource_of_the_stack() {
    let mut other = Stack::new("other");
    let elsewhere = role(&mut other, "elsewhere");
    let mut stack = Stack::new("app");
    let root = stack.root();
    let region = stack.data(&root, "region", DataAwsRegion::new());
    stack.import(&elsewhere, "x");
    stack.import(&region, "eu-north-1");
    let err = error_of(stack);
    let messages = messages(&err);
    assert_eq!(messages.len(), 2, "{err}");
    assert!(
        messages[0].contains(
            "`import` goes to `aws_iam_role.elsewhere`, which is not declared in stack `app`"
        ),
        "{err}"
    );
    assert_eq!(err.problems[1].path.as_deref(), Some("app/region"));
    assert!(
        messages[1].contains("data source `data.aws_region.region`: only resources can adopt"),
        "{err}"
    );
}

#[test]
fn an_import_id_refers_only_to_declared_blocks() {
    let mut stack = Stack::new("app");
    let a = role(&mut stack, "a");
    let ghost: Tf<String> =
        Tf::from_expr(Expr::reference(Address::resource("aws_s3_bucket", "ghost")).attr("id"));
    stack.import(&a, ghost);
    let err = error_of(stack);
    assert_eq!(err.problems.len(), 1, "{err}");
    assert_eq!(err.problems[0].path.as_deref(), Some("app/a"));
    assert!(
        err.problems[0].message.contains(
            "the id of the `import` into `aws_iam_role.a` refers to `aws_s3_bucket.ghost`"
        ),
        "{err}"
    );
}

#[test]
fn a_resource_adopts_one_object() {
    let mut stack = Stack::new("app");
    let a = role(&mut stack, "a");
    stack.import(&a, "one");
    stack.import(&a, "two");
    let err = error_of(stack);
    assert_eq!(err.problems.len(), 1, "{err}");
    assert!(
        err.problems[0]
            .message
            .contains("`aws_iam_role.a` has two `import` entries"),
        "{err}"
    );
}

#[test]
fn a_removal_names_an_undeclared_resource_once_and_is_not_also_moved() {
    let mut stack = Stack::new("app");
    let a = role(&mut stack, "a");
    stack.removed(Address::resource("aws_iam_role", "a"), Removal::Forget);
    stack.removed(Address::resource("aws_iam_role", "old"), Removal::Forget);
    stack.removed(Address::resource("aws_iam_role", "old"), Removal::Destroy);
    stack.moved(Address::resource("aws_iam_role", "older"), &a);
    stack.removed(Address::resource("aws_iam_role", "older"), Removal::Forget);
    stack.removed(Address::data("aws_region", "r"), Removal::Forget);
    stack.removed(Address::variable("v"), Removal::Forget);
    stack.removed(
        Address::resource("aws_iam_role", "no such"),
        Removal::Forget,
    );
    let err = error_of(stack);
    let messages = messages(&err);
    let expected = [
        "app/a: `aws_iam_role.a` is declared, so it cannot be removed",
        "`aws_iam_role.old` has two `removed` entries",
        "`aws_iam_role.older` is both moved and removed",
        "`removed` names `data.aws_region.r`, which is not a resource address",
        "`removed` names `var.v`, which is not a resource address",
        "`removed` names `aws_iam_role.no such`, which is not a valid address",
    ];
    assert_eq!(messages.len(), expected.len(), "{err}");
    for (message, expected) in messages.iter().zip(expected) {
        assert!(
            message.starts_with(expected),
            "{message}\nexpected: {expected}"
        );
    }
}

#[test]
fn stack_overrides_cannot_write_refactoring_blocks_behind_the_checks() {
    for section in ["moved", "import", "removed"] {
        let mut stack = Stack::new("app");
        role(&mut stack, "a");
        stack.set_override(section, json!([{"from": "x.y", "to": "aws_iam_role.a"}]));
        let err = error_of(stack);
        assert_eq!(err.problems.len(), 1, "{err}");
        assert!(
            err.problems[0]
                .message
                .contains(&format!("changes a `{section}` block: use `Stack::moved`")),
            "{err}"
        );
    }
}

/// A stack of Terraform's built-in `terraform_data` (no provider to
/// download) with one of each refactoring block and a required version.
fn builtin_stack() -> SynthesizedStack {
    let mut stack = Stack::new("refactor");
    let root = stack.root();
    stack.set_backend(LocalBackend::new("/tmp/kite-refactor-test.tfstate"));
    stack.set_required_version(">= 1.7");
    let kept = stack.add(
        &root,
        "kept",
        TerraformData::new().input(Tf::from_expr(Expr::Str("k".into()))),
    );
    let adopted = stack.add(&root, "adopted", TerraformData::new());
    stack.moved(Address::resource("terraform_data", "renamed"), &kept);
    stack.import(&adopted, "a \"quoted\" id");
    stack.removed(
        Address::resource("terraform_data", "forgotten"),
        Removal::Forget,
    );
    synthesize(stack).unwrap()
}

#[test]
fn the_output_directory_writes_them_to_kite_tf_and_the_rest_to_cdk_tf_json() {
    let synthesized = builtin_stack();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    output_dir::write(&out, std::slice::from_ref(&synthesized)).unwrap();
    let stack_dir = out.join("stacks/refactor");
    let json = common::read_json(&stack_dir.join("cdk.tf.json"));
    for section in ["moved", "import", "removed"] {
        assert!(
            json.get(section).is_none(),
            "{section} is not in cdk.tf.json"
        );
    }
    assert_eq!(
        json["terraform"],
        json!({"backend": {"local": {"path": "/tmp/kite-refactor-test.tfstate"}}})
    );
    let native = std::fs::read_to_string(stack_dir.join("kite.tf")).unwrap();
    let blocks = native.split_once("\n\n").unwrap().1;
    assert_eq!(
        blocks,
        r#"terraform {
  required_version = ">= 1.7"
}

moved {
  from = terraform_data.renamed
  to   = terraform_data.kept
}

import {
  to = terraform_data.adopted
  id = "a \"quoted\" id"
}

removed {
  from = terraform_data.forgotten
  lifecycle {
    destroy = false
  }
}
"#
    );
    // Read back together, the two files are the one document.
    assert_eq!(common::stack_config(&stack_dir), synthesized.document());
}

#[test]
fn a_kite_tf_the_stack_no_longer_needs_is_not_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    output_dir::write(&out, &[builtin_stack()]).unwrap();
    let native = out.join("stacks/refactor/kite.tf");
    assert!(native.is_file());
    // Terraform's own files in the stack's directory are kept.
    std::fs::write(out.join("stacks/refactor/.terraform.lock.hcl"), "lock").unwrap();

    let mut plain = Stack::new("refactor");
    let root = plain.root();
    plain.add(&root, "kept", TerraformData::new());
    output_dir::write(&out, &[synthesize(plain).unwrap()]).unwrap();
    assert!(
        !native.exists(),
        "a stale kite.tf would still be read by terraform"
    );
    assert!(out.join("stacks/refactor/.terraform.lock.hcl").is_file());
}

/// Runs terraform with its output in the message when it fails.
fn terraform(dir: &Path, args: &[&str]) {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "terraform {} failed:\n{}{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn terraform_validates_both_files_as_one_configuration() {
    if Command::new("terraform").arg("version").output().is_err() {
        eprintln!("skipped: no terraform on PATH");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    output_dir::write(&out, &[builtin_stack()]).unwrap();
    let stack_dir = out.join("stacks/refactor");
    terraform(
        &stack_dir,
        &["init", "-backend=false", "-input=false", "-no-color"],
    );
    terraform(&stack_dir, &["validate", "-no-color"]);
    // kite.tf is as `terraform fmt` would write it.
    terraform(
        &stack_dir,
        &["fmt", "-check", "-diff", "-no-color", "kite.tf"],
    );
}
