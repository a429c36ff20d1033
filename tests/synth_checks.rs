//! What synthesis refuses, and how it says so: every problem names the
//! stack, the construct path and the fix.

use kite::aws::AwsProvider;
use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::block::RawBlock;
use kite::expr::{Expr, Number, Tf};
use kite::output::{Output, Variable};
use kite::provider::ProviderRequirement;
use kite::synth::{StackError, synthesize};
use kite::{Address, Stack, template};
use serde_json::json;

fn error_of(stack: Stack) -> StackError {
    match synthesize(stack) {
        Ok(_) => panic!("synthesis should have failed"),
        Err(e) => e,
    }
}

/// A role with an empty trust policy: a typed block to hang checks on.
fn role() -> IamRole {
    IamRole::new(IamRoleArgs {
        assume_role_policy: "{}".into(),
    })
}

fn reference(address: Address, attr: &str) -> Tf<String> {
    Tf::from_expr(Expr::reference(address).attr(attr))
}

#[test]
fn a_reference_to_an_undeclared_block_is_refused_with_both_paths() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let missing = reference(Address::resource("aws_s3_bucket", "nowhere"), "arn");
    stack.add(
        &root.child("api"),
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: missing,
        }),
    );
    let err = error_of(stack);
    assert_eq!(err.stack, "app");
    assert_eq!(err.problems.len(), 1);
    let p = &err.problems[0];
    assert_eq!(p.path.as_deref(), Some("app/api/role"));
    assert!(
        p.message.contains("`aws_s3_bucket.nowhere`"),
        "{}",
        p.message
    );
    assert!(
        p.message.contains("not declared in stack `app`"),
        "{}",
        p.message
    );
    let text = err.to_string();
    assert!(
        text.starts_with("stack `app` cannot be synthesized (1 problem):"),
        "{text}"
    );
}

#[test]
fn a_handle_from_another_stack_is_a_dangling_reference() {
    let mut other = Stack::new("other");
    let other_root = other.root();
    let foreign = other.add(&other_root, "foreign", role());
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add(
        &root,
        "policy",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: "{}".into(),
            role: foreign.name(),
        }),
    );
    let err = error_of(stack);
    assert!(err.problems[0].message.contains("aws_iam_role.foreign"));
    assert_eq!(err.problems[0].path.as_deref(), Some("app/policy"));
}

#[test]
fn raw_blocks_and_overrides_are_checked_like_typed_ones() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let raw = stack.add_raw(&root, "raw", RawBlock::resource("null_resource", json!({})));
    stack
        .block(&raw)
        .set_override("triggers.x", "${aws_instance.ghost.id}");
    let err = error_of(stack);
    assert_eq!(err.problems[0].path.as_deref(), Some("app/raw"));
    assert!(err.problems[0].message.contains("aws_instance.ghost"));
}

#[test]
fn a_dependency_cycle_is_printed_as_construct_paths() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let a = stack.add(&root.child("x"), "a", role());
    let b = stack.add(
        &root.child("y"),
        "b",
        IamRole::new(IamRoleArgs {
            assume_role_policy: (template!["{", a.name(), "}"] as Tf<String>),
        }),
    );
    stack.block(&a).depends_on(&b);
    let err = error_of(stack);
    assert_eq!(err.problems.len(), 1, "{err}");
    let msg = &err.problems[0].message;
    assert!(
        msg.contains("dependency cycle: app/x/a → app/y/b → app/x/a"),
        "{msg}"
    );
}

#[test]
fn depends_on_a_block_that_is_not_declared_is_refused() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    stack
        .block(&r)
        .set_override("depends_on", ["aws_s3_bucket.gone"]);
    let err = error_of(stack);
    assert!(
        err.problems[0]
            .message
            .contains("depends on `aws_s3_bucket.gone`"),
        "{err}"
    );
}

#[test]
fn two_blocks_with_one_address_are_refused_with_both_paths() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    // Single components keep only [A-Za-z0-9_-]: both become `k1techat`.
    stack.add(&root, "k1te.chat", role());
    stack.add(&root, "k1techat", role());
    let err = error_of(stack);
    let p = &err.problems[0];
    assert_eq!(p.path.as_deref(), Some("app/k1techat"));
    assert!(
        p.message.contains(
            "app/k1te.chat and app/k1techat both have the address `aws_iam_role.k1techat`"
        ),
        "{}",
        p.message
    );
}

#[test]
fn two_constructs_at_one_path_are_refused() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add(&root, "same", role());
    stack.output(&root, "same", Output::new(Tf::<String>::from("x")));
    let err = error_of(stack);
    assert_eq!(err.problems[0].path.as_deref(), Some("app/same"));
    assert!(
        err.problems[0]
            .message
            .contains("two constructs have this path"),
        "{err}"
    );
}

#[test]
fn an_id_without_any_kept_character_is_refused() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add(&root, "...", role());
    let err = error_of(stack);
    assert!(
        err.problems
            .iter()
            .any(|p| p.message.contains("empty logical id")),
        "{err}"
    );
}

#[test]
fn a_provider_alias_must_be_configured() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    stack.block(&r).set_override("provider", "aws.nowhere");
    let err = error_of(stack);
    assert!(
        err.problems[0].message.contains("provider `aws.nowhere`"),
        "{err}"
    );
}

#[test]
fn two_default_configurations_of_a_provider_are_refused() {
    let mut stack = Stack::new("app");
    stack.provider(AwsProvider::new());
    stack.provider(AwsProvider::new().region("x"));
    let err = error_of(stack);
    assert!(
        err.problems[0]
            .message
            .contains("two default configurations"),
        "{err}"
    );
}

#[test]
fn conflicting_provider_requirements_are_refused_unless_the_stack_chooses() {
    let build = |choose: bool| {
        let mut stack = Stack::new("app");
        let root = stack.root();
        stack.add(&root, "r", role());
        stack.add_raw(
            &root,
            "x",
            RawBlock::resource("aws_thing", json!({})).provider(ProviderRequirement::new(
                "aws",
                "hashicorp/aws",
                "~> 5.0",
            )),
        );
        if choose {
            stack.require_provider(ProviderRequirement::new("aws", "hashicorp/aws", ">= 5.0"));
        }
        stack
    };
    let err = error_of(build(false));
    assert!(
        err.problems[0].message.contains("Stack::require_provider"),
        "{err}"
    );
    let doc = synthesize(build(true)).unwrap().document();
    assert_eq!(
        doc["terraform"]["required_providers"]["aws"]["version"],
        ">= 5.0"
    );
}

#[test]
fn a_variable_default_must_be_a_literal_and_references_to_variables_resolve() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let days = stack.variable(&root, "days", Variable::<Number>::new().default(7));
    stack.add_raw(
        &root,
        "x",
        RawBlock::resource("null_resource", json!({"triggers": {"d": days}})),
    );
    let doc = synthesize(stack).unwrap().document();
    assert_eq!(
        doc["resource"]["null_resource"]["x"]["triggers"]["d"],
        "${var.days}"
    );

    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    stack.variable(&root, "v", Variable::<String>::new().default(r.name()));
    let err = error_of(stack);
    assert!(err.problems[0].message.contains("not a literal"), "{err}");
}

#[test]
fn an_override_path_through_a_string_is_refused() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    stack
        .block(&r)
        .set_override("assume_role_policy.inner", "x");
    let err = error_of(stack);
    assert!(
        err.problems[0]
            .message
            .contains("override `assume_role_policy.inner`"),
        "{err}"
    );
}

#[test]
fn overrides_index_lists_and_remove_keys() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let raw = stack.add_raw(
        &root,
        "x",
        RawBlock::resource(
            "null_resource",
            json!({"list": [{"a": 1}, {"a": 2}], "drop": true}),
        ),
    );
    stack
        .block(&raw)
        .set_override("list.1.a", 3)
        .remove_override("drop")
        .remove_override("not.there");
    let doc = synthesize(stack).unwrap().document();
    let x = &doc["resource"]["null_resource"]["x"];
    assert_eq!(x["list"], json!([{"a": 1}, {"a": 3}]));
    assert!(x.get("drop").is_none());
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add(
        &root,
        "a",
        IamRole::new(IamRoleArgs {
            assume_role_policy: (reference(Address::resource("x_y", "one"), "id")),
        }),
    );
    stack.add(
        &root,
        "b",
        IamRole::new(IamRoleArgs {
            assume_role_policy: (reference(Address::resource("x_y", "two"), "id")),
        }),
    );
    let err = error_of(stack);
    assert_eq!(err.problems.len(), 2);
    assert!(err.to_string().contains("(2 problems)"));
}

#[test]
fn moves_go_to_declared_blocks_from_undeclared_addresses() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    stack.moved(Address::resource("aws_iam_role", "old"), &r);
    let doc = synthesize(stack).unwrap().document();
    assert_eq!(
        doc["moved"],
        json!([{"from": "aws_iam_role.old", "to": "aws_iam_role.r"}])
    );

    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    let other = stack.add(&root, "other", role());
    stack.moved(Address::resource("aws_iam_role", "other"), &r);
    let _ = other;
    let err = error_of(stack);
    assert!(
        err.problems[0]
            .message
            .contains("`aws_iam_role.other` is declared"),
        "{err}"
    );
}

#[test]
fn stack_overrides_cannot_change_blocks_behind_the_checks() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add(&root, "r", role());
    stack.set_override("resource.aws_iam_role.r.name", "${aws_s3_bucket.ghost.id}");
    let err = error_of(stack);
    assert!(
        err.problems[0]
            .message
            .contains("the stack override `resource.aws_iam_role.r.name` changes a block"),
        "{err}"
    );

    let mut stack = Stack::new("app");
    stack.set_override("terraform.backend.s3.profile", "ops");
    stack.set_override("terraform.backend.s3.bucket", "b");
    let doc = synthesize(stack).unwrap().document();
    assert_eq!(
        doc["terraform"]["backend"]["s3"],
        json!({"bucket": "b", "profile": "ops"})
    );
}

#[test]
fn dynamic_block_iterators_and_directive_symbols_are_not_blocks() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    let days = stack.variable(&root, "names", Variable::<kite::expr::List<String>>::new());
    stack.add_raw(
        &root,
        "t",
        RawBlock::resource(
            "aws_dynamodb_table",
            json!({
                "name": "t",
                "dynamic": {
                    "attribute": {"for_each": days, "content": {"name": "${attribute.value}", "type": "S"}},
                    "replica": {"for_each": "${var.names}", "iterator": "r", "content": {"region_name": "${r.value}"}}
                },
                "tags": {"list": "%{ for n in var.names }${n}%{ endfor }"}
            }),
        ),
    );
    let doc = synthesize(stack).expect("no dangling reference").document();
    assert!(doc["resource"]["aws_dynamodb_table"]["t"]["dynamic"].is_object());

    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.add_raw(
        &root,
        "t",
        RawBlock::resource(
            "aws_dynamodb_table",
            json!({"dynamic": {"attribute": {"content": {"name": "${aws_x.ghost.id}"}}}}),
        ),
    );
    assert!(
        error_of(stack).problems[0].message.contains("aws_x.ghost"),
        "real references inside dynamic blocks are still checked"
    );
}

#[test]
fn variable_names_are_unique_identifiers_terraform_does_not_reserve() {
    let mut stack = Stack::new("app");
    let root = stack.root();
    stack.variable(&root, "env.name", Variable::<String>::new());
    stack.variable(&root, "envname", Variable::<String>::new());
    stack.variable(&root, "count", Variable::<Number>::new());
    // A name that would start with a digit starts with `_` (ADR 0002).
    let first = stack.variable(&root, "1st", Variable::<Number>::new());
    assert_eq!(first.expr().to_hcl(), "var._1st");
    let err = error_of(stack);
    let messages: Vec<&str> = err.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{err}");
    assert!(
        messages
            .iter()
            .any(|m| m
                .contains("app/env.name and app/envname both have the variable name `envname`")),
        "{err}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`count` is a name Terraform reserves")),
        "{err}"
    );
}

#[test]
fn a_typed_body_that_names_a_meta_argument_is_checked_as_one() {
    // `Body::insert` can put any name in a body: a `depends_on` or
    // `provider` there is the block's meta-argument, and checked as such.
    let mut stack = Stack::new("app");
    let root = stack.root();
    let r = stack.add(&root, "r", role());
    let body = stack.block(&r).body_mut().expect("a typed block");
    let missing = Expr::Str("aws_iam_role.missing".into());
    body.insert(
        "depends_on",
        kite::body::Value::Expr(Expr::List(vec![missing])),
    );
    body.insert(
        "provider",
        kite::body::Value::Expr(Expr::Str("aws.nope".into())),
    );
    let err = error_of(stack);
    let text = err.to_string();
    assert!(
        text.contains("depends on `aws_iam_role.missing`, which is not declared"),
        "{text}"
    );
    assert!(text.contains("uses provider `aws.nope`"), "{text}");
}

#[test]
fn depends_on_a_block_whose_address_reads_as_another_is_refused() {
    // A raw block of type `data` is written `data.r`: Terraform would read
    // a data source's address, so synthesis refuses it.
    let mut stack = Stack::new("app");
    let root = stack.root();
    let odd = stack.add_raw(&root, "r", RawBlock::resource("data", json!({})));
    let r = stack.add(&root, "role", role());
    stack.block(&r).depends_on(&odd);
    let err = error_of(stack);
    assert!(
        err.to_string()
            .contains("depends_on entry \"data.r\" is not the address of a block"),
        "{err}"
    );
}
