//! A generated stack for measuring synthesis at scale: N DynamoDB tables,
//! each with an attribute, a TTL block, point-in-time recovery and tags,
//! and for each table an inline policy that references its ARN (2N
//! resources, N references).

use kite::Stack;
use kite::aws::AwsProvider;
use kite::aws::dynamodb::{
    DynamodbTable, DynamodbTableArgs, DynamodbTableAttribute, DynamodbTableAttributeArgs,
    DynamodbTablePointInTimeRecovery, DynamodbTablePointInTimeRecoveryArgs, DynamodbTableTtl,
};
use kite::aws::iam::{IamRolePolicy, IamRolePolicyArgs};
use kite::aws::policy::{PolicyDocument, Statement};
use kite::backend::LocalBackend;

pub fn scale_stack(tables: usize) -> Stack {
    let mut stack = Stack::new("scale");
    let root = stack.root();
    stack.provider(AwsProvider::new().region("eu-north-1"));
    stack.set_backend(LocalBackend::new("terraform.scale.tfstate"));
    for i in 0..tables {
        let scope = root.child(&format!("t{i}"));
        let table = stack.add(
            &scope,
            "table",
            DynamodbTable::new(DynamodbTableArgs {
                name: (format!("scale.Table{i}")).into(),
            })
            .billing_mode("PAY_PER_REQUEST")
            .hash_key("id")
            .attribute(DynamodbTableAttribute::new(DynamodbTableAttributeArgs {
                name: "id".into(),
                r#type: "S".into(),
            }))
            .ttl(
                DynamodbTableTtl::new()
                    .attribute_name("expires")
                    .enabled(true),
            )
            .point_in_time_recovery(DynamodbTablePointInTimeRecovery::new(
                DynamodbTablePointInTimeRecoveryArgs {
                    enabled: true.into(),
                },
            ))
            .tags([("app", "scale".to_owned()), ("index", i.to_string())]),
        );
        stack.add(
            &scope,
            "read",
            IamRolePolicy::new(IamRolePolicyArgs {
                policy: (PolicyDocument::new().statement(
                    Statement::allow(["dynamodb:GetItem", "dynamodb:Query"]).resource(table.arn()),
                ))
                .into(),
                role: "scale-role".into(),
            })
            .name(format!("read-table-{i}")),
        );
    }
    stack
}
