//! The `local` stack: DynamoDB Local in Docker with the chat's tables, for
//! development (SPEC §5.2).

use anyhow::Result;
use kite::aws::AwsProvider;
use kite::aws::provider::AwsProviderEndpoints;
use kite::backend::LocalBackend;
use kite::docker::DockerProvider;
use kite::docker::constructs::DynamodbLocal;
use kite::{Env, Stack};

use crate::dynamodb_schema::{DynamodbSchema, SchemaOptions};

const PORT: u16 = 8000;

pub fn build(env: &Env) -> Result<Stack> {
    let root_dir = env.project_root();
    let mut stack = Stack::new("local");
    let root = stack.root();
    stack.set_backend(LocalBackend::new(
        root_dir.join("terraform.local.tfstate").to_string_lossy(),
    ));
    stack.provider(DockerProvider::new());

    let dynamodb = DynamodbLocal::new(
        &mut stack,
        &root,
        "dynamodb-local",
        &root_dir.join("docker/dynamodb"),
        PORT,
    );
    // The tables are created in the container; nothing reaches AWS.
    stack.provider(
        AwsProvider::new()
            .region("eu-north-1")
            .endpoints(AwsProviderEndpoints::new().dynamodb(dynamodb.endpoint()))
            .skip_credentials_validation(true)
            // A string in the provider's schema.
            .skip_metadata_api_check("true")
            .skip_requesting_account_id(true),
    );
    let schema = DynamodbSchema::new(
        &mut stack,
        &root,
        "local",
        SchemaOptions {
            point_in_time_recovery: false,
            prevent_destroy: false,
        },
    );
    stack
        .block(&schema.channels)
        .depends_on(dynamodb.container());
    Ok(stack)
}
