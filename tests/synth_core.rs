//! Synthesis of a small stack built with the framework: its JSON (an insta
//! snapshot, reviewed) and the facts that matter, asserted one by one.

mod common;

use kite::aws::AwsProvider;
use kite::aws::dynamodb::{
    DynamodbTable, DynamodbTableArgs, DynamodbTableAttribute, DynamodbTableAttributeArgs,
    DynamodbTablePointInTimeRecovery, DynamodbTablePointInTimeRecoveryArgs,
};
use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::aws::region::DataAwsRegion;
use kite::backend::S3Backend;
use kite::block::{Handle, RawBlock};
use kite::expr::{Arn, Number, Tf};
use kite::output::{Output, Variable};
use kite::synth::{synthesize, to_pretty_json};
use kite::{Stack, template};
use serde_json::json;

fn small_stack(asset_dir: &std::path::Path) -> Stack {
    let mut stack = Stack::new("demo");
    let root = stack.root();
    stack.provider(AwsProvider::new().region("eu-north-1"));
    let west = stack.provider(AwsProvider::new().alias("west").region("eu-west-1"));
    stack.set_backend(
        S3Backend::new("state", "demo/terraform.tfstate", "eu-north-1")
            .encrypt(true)
            .use_lockfile(true),
    );
    stack.set_required_version(">= 1.11");

    let region = stack.data(&root, "region", DataAwsRegion::new());
    let data = root.child("data");
    let table = stack.add(
        &data,
        "Items",
        DynamodbTable::new(DynamodbTableArgs {
            name: "demo.Items".into(),
        })
        .billing_mode("PAY_PER_REQUEST")
        .hash_key("id")
        .attribute(DynamodbTableAttribute::new(DynamodbTableAttributeArgs {
            name: "id".into(),
            r#type: "S".into(),
        }))
        .point_in_time_recovery(DynamodbTablePointInTimeRecovery::new(
            DynamodbTablePointInTimeRecoveryArgs {
                enabled: true.into(),
            },
        )),
    );
    stack.block(&table).prevent_destroy(true);

    let role = stack.add(
        &root.child("role"),
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: (PolicyDocument::assumed_by_service("lambda.amazonaws.com")).into(),
        })
        .name("demo-role"),
    );
    let policy = PolicyDocument::new().statement(
        Statement::allow(["dynamodb:GetItem"])
            .resource(table.arn())
            .resource(template![table.arn(), "/index/*"])
            .resource(Tf::<Arn>::literal("arn:aws:s3:::demo/${aws:username}/*")),
    );
    let grant = stack.add(
        &root.child("role"),
        "read-items",
        IamRolePolicy::new(IamRolePolicyArgs {
            policy: policy.into(),
            role: role.name(),
        })
        .name("read-items"),
    );
    stack.block(&grant).depends_on(&table);

    // A type that is not typed yet, with a reference, on the aliased provider.
    let raw = stack.add_raw(
        &root,
        "queue",
        RawBlock::resource(
            "aws_sqs_queue",
            json!({"name": "demo-queue", "message_retention_seconds": 86400}),
        )
        .taggable(),
    );
    stack
        .block(&raw)
        .provider(&west)
        .set_override(
            "tags.owner",
            template!["team-", region.region()] as Tf<String>,
        )
        .set_override("name", "demo-queue-2");

    let retention = stack.variable(
        &root,
        "retention",
        Variable::<Number>::new().default(7).description("days"),
    );
    let _ = retention;
    let asset_file = asset_dir.join("payload.zip");
    std::fs::write(&asset_file, b"not really a zip").unwrap();
    let asset = stack
        .asset(&root.child("bundle"), "asset", &asset_file)
        .unwrap();
    stack.output(&root.child("bundle"), "path", Output::new(asset.path()));
    stack.output(
        &root,
        "table-arn",
        Output::new(table.arn()).description("the table"),
    );
    stack.aspect(kite::aspect::Tags::new("aws", [("app", "demo")]));
    stack
}

#[test]
fn a_small_stack_synthesizes_to_the_reviewed_json() {
    let dir = tempfile::tempdir().unwrap();
    let synthesized = synthesize(small_stack(dir.path())).unwrap();
    let doc = &synthesized.document();

    insta::assert_snapshot!("small_stack", to_pretty_json(doc));

    // Facts, independent of the snapshot.
    assert_eq!(synthesized.resource_count, 4);
    assert_eq!(
        common::addresses(doc),
        [
            "aws_dynamodb_table.data_Items_F528722D",
            "aws_iam_role.role_3D9F059D",
            "aws_iam_role_policy.role_read-items_3CEB1477",
            "aws_sqs_queue.queue",
            "data.aws_region.region",
            "output.bundle_path_4E8FDBDA",
            "output.table-arn",
        ]
        .map(String::from)
        .to_vec(),
        "addresses follow the logical-id rule"
    );
    let table = &doc["resource"]["aws_dynamodb_table"]["data_Items_F528722D"];
    assert_eq!(table["//"]["metadata"]["path"], "demo/data/Items");
    assert_eq!(table["lifecycle"], json!({"prevent_destroy": true}));
    assert_eq!(
        table["tags"],
        json!({"app": "demo"}),
        "the aspect tags taggable AWS resources"
    );
    let grant = &doc["resource"]["aws_iam_role_policy"]["role_read-items_3CEB1477"];
    assert_eq!(grant["role"], "${aws_iam_role.role_3D9F059D.name}");
    assert_eq!(
        grant["depends_on"],
        json!(["aws_dynamodb_table.data_Items_F528722D"])
    );
    assert!(
        grant.get("tags").is_none(),
        "aws_iam_role_policy takes no tags"
    );
    let policy = grant["policy"].as_str().unwrap();
    assert!(policy.contains("\"${aws_dynamodb_table.data_Items_F528722D.arn}/index/*\""));
    assert!(
        policy.contains("$${aws:username}"),
        "IAM policy variables are escaped"
    );
    let queue = &doc["resource"]["aws_sqs_queue"]["queue"];
    assert_eq!(queue["provider"], "aws.west");
    assert_eq!(
        queue["name"], "demo-queue-2",
        "overrides have the last word"
    );
    assert_eq!(
        queue["tags"],
        json!({"app": "demo", "owner": "team-${data.aws_region.region.region}"})
    );
    assert_eq!(doc["provider"]["aws"].as_array().unwrap().len(), 2);
    assert_eq!(
        doc["terraform"]["required_providers"]["aws"],
        json!({"source": "hashicorp/aws", "version": "~> 6.0"})
    );
    assert_eq!(doc["terraform"]["backend"]["s3"]["use_lockfile"], true);
    assert_eq!(doc["terraform"]["required_version"], ">= 1.11");
    assert_eq!(
        doc["variable"]["retention"],
        json!({"type": "number", "default": 7, "description": "days"})
    );
    assert_eq!(doc["//"]["metadata"]["backend"], "s3");
    assert_eq!(
        doc["//"]["outputs"]["demo"]["bundle"]["path"],
        "bundle_path_4E8FDBDA"
    );
    let path = doc["output"]["bundle_path_4E8FDBDA"]["value"]
        .as_str()
        .unwrap();
    assert!(path.starts_with("assets/bundle_asset_"), "{path}");
    assert!(path.ends_with("/payload.zip"));
    assert_eq!(synthesized.assets.len(), 1);
}

#[test]
fn synthesis_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = to_pretty_json(&synthesize(small_stack(dir.path())).unwrap().document());
    let b = to_pretty_json(&synthesize(small_stack(dir.path())).unwrap().document());
    assert_eq!(a, b);
    assert!(a.ends_with("}\n"));
    assert!(
        a.starts_with("{\n  \"//\": {"),
        "two-space indentation, sorted keys"
    );
}

#[test]
fn a_handle_can_be_used_for_meta_arguments_of_any_block() {
    let mut stack = Stack::new("s");
    let root = stack.root();
    let a = stack.add(
        &root,
        "a",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    let b = stack.add(
        &root,
        "b",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    stack
        .block(&b)
        .depends_on(&a)
        .depends_on(&a)
        .create_before_destroy(true)
        .ignore_changes(["tags"]);
    assert_eq!(a.block_ref().address().to_string(), "aws_iam_role.a");
    let doc = synthesize(stack).unwrap().document();
    let b = &doc["resource"]["aws_iam_role"]["b"];
    assert_eq!(
        b["depends_on"],
        json!(["aws_iam_role.a"]),
        "no duplicate entries"
    );
    assert_eq!(
        b["lifecycle"],
        json!({"create_before_destroy": true, "ignore_changes": ["tags"]})
    );
}

#[test]
fn blocks_written_from_their_types_are_the_document_s_text() {
    // The writer serializes typed blocks straight from their bodies; the
    // document renders them as JSON. Both must give the same bytes, for
    // names sorting before `//` (`-x`), after it (`A`, `ümlaut`), keys that
    // escaping reorders, nested blocks and meta-arguments.
    let mut stack = Stack::new("bytes");
    let root = stack.root();
    stack.provider(AwsProvider::new().region("eu-north-1"));
    let west = stack.provider(AwsProvider::new().alias("west").region("eu-west-1"));
    let first = stack.add(
        &root,
        "first",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        }),
    );
    let odd = stack.add(
        &root,
        "odd",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{\"a\": \"${aws:username}\"}".into(),
        })
        .tags([("x$a", "1".to_owned()), ("x${b", "2".to_owned())]),
    );
    let block = stack.block(&odd);
    block
        .depends_on(&first)
        .provider(&west)
        .prevent_destroy(true)
        .ignore_changes(["tags"]);
    let body = block.body_mut().expect("a typed block");
    body.insert("-x", Tf::<String>::from("before the comment").into());
    body.insert("A", Tf::<String>::from("capital").into());
    body.insert("ümlaut", Tf::<String>::from("after ascii").into());
    let mut nested = kite::body::Body::new();
    nested.set("z", Tf::<bool>::from(true));
    nested.set("a", Tf::<String>::from("${not a reference}"));
    body.push_block("inline_policy", nested);
    let synthesized = synthesize(stack).expect("synthesizes");
    let dir = tempfile::tempdir().unwrap();
    kite::synth::output_dir::write(dir.path(), std::slice::from_ref(&synthesized))
        .expect("written");
    let written = std::fs::read_to_string(dir.path().join("stacks/bytes/cdk.tf.json")).unwrap();
    let mut document = synthesized.document();
    // `kite.tf` holds Terraform's required version, when there is one.
    if let Some(terraform) = document["terraform"].as_object_mut() {
        terraform.remove("required_version");
    }
    assert_eq!(written, to_pretty_json(&document));
    assert!(written.contains("\"x$${b\": \"2\""), "{written}");
    let odd = &written[written.find("\"odd\": {").expect("the odd block")..];
    let order: Vec<usize> = ["\"-x\"", "\"//\"", "\"A\"", "\"depends_on\"", "\"ümlaut\""]
        .iter()
        .map(|k| odd.find(k).expect(k))
        .collect();
    assert!(order.is_sorted(), "{written}");
}
