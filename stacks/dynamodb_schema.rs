//! The chat's DynamoDB tables: one definition for the `kite` and `local`
//! stacks.

use kite::aws::dynamodb::{
    DynamodbTable, DynamodbTableArgs, DynamodbTableAttribute, DynamodbTableAttributeArgs,
    DynamodbTableGlobalSecondaryIndex, DynamodbTableGlobalSecondaryIndexArgs,
    DynamodbTablePointInTimeRecovery, DynamodbTablePointInTimeRecoveryArgs, DynamodbTableRef,
    DynamodbTableTtl,
};
use kite::aws::policy::Statement;
use kite::{Scope, Stack, template};

/// What differs between environments.
#[derive(Clone, Copy, Debug)]
pub struct SchemaOptions {
    pub point_in_time_recovery: bool,
    pub prevent_destroy: bool,
}

/// The tables `<id>.Channels` and `<id>.Members`, at `scope/<id>/Channels`
/// and `scope/<id>/Members`.
#[derive(Clone, Debug)]
pub struct DynamodbSchema {
    pub channels: DynamodbTableRef,
    pub members: DynamodbTableRef,
}

/// What the handlers do with items: read, write, query, and scan.
const DATA_ACTIONS: [&str; 11] = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
    "dynamodb:TransactWriteItems",
];

impl DynamodbSchema {
    pub fn new(stack: &mut Stack, scope: &Scope, id: &str, options: SchemaOptions) -> Self {
        let scope = scope.child(id);
        let table = |name: &str| {
            DynamodbTable::new(DynamodbTableArgs {
                name: format!("{id}.{name}").into(),
            })
            .billing_mode("PAY_PER_REQUEST")
            .point_in_time_recovery(DynamodbTablePointInTimeRecovery::new(
                DynamodbTablePointInTimeRecoveryArgs {
                    enabled: options.point_in_time_recovery.into(),
                },
            ))
        };
        let attribute = |name: &str| {
            DynamodbTableAttribute::new(DynamodbTableAttributeArgs {
                name: name.into(),
                r#type: "S".into(),
            })
        };
        let channels = stack.add(
            &scope,
            "Channels",
            table("Channels")
                .hash_key("name")
                .attribute(attribute("name"))
                .ttl(DynamodbTableTtl::new().attribute_name("ttl").enabled(true)),
        );
        stack
            .block(&channels)
            .prevent_destroy(options.prevent_destroy);
        let members = stack.add(
            &scope,
            "Members",
            table("Members")
                .hash_key("channelName")
                .range_key("id")
                .attribute(attribute("channelName"))
                .attribute(attribute("id"))
                .attribute(attribute("connectionUri"))
                .global_secondary_index(DynamodbTableGlobalSecondaryIndex::new(
                    DynamodbTableGlobalSecondaryIndexArgs {
                        name: "ByConnection".into(),
                        hash_key: "connectionUri".into(),
                        projection_type: "ALL".into(),
                    },
                )),
        );
        stack
            .block(&members)
            .prevent_destroy(options.prevent_destroy)
            .depends_on(&channels);
        DynamodbSchema { channels, members }
    }

    /// Read and write access to the items of both tables and their indexes
    /// (`<table arn>/index/*`: queries on a secondary index need it).
    pub fn read_write(&self) -> Statement {
        let mut statement = Statement::allow(DATA_ACTIONS);
        for table in [&self.channels, &self.members] {
            statement = statement
                .resource(table.arn())
                .resource(template![table.arn(), "/index/*"]);
        }
        statement
    }
}
