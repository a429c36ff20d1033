//! The `local` stack: DynamoDB Local in Docker with the chat's tables, for
//! development (SPEC §5.2).

use anyhow::Result;
use kite::aws::AwsProvider;
use kite::aws::provider::AwsProviderEndpoints;
use kite::backend::LocalBackend;
use kite::docker::DockerProvider;
use kite::docker::constructs::DynamodbLocal;
use kite::env::path_text;
use kite::{Env, Stack};

use crate::dynamodb_schema::{DynamodbSchema, SchemaOptions};

const PORT: u16 = 8000;

pub fn build(env: &Env) -> Result<Stack> {
    let root_dir = env.project_root();
    let mut stack = Stack::new("local");
    let root = stack.root();
    // Both paths are written into Terraform JSON as text: exactly, or not at all.
    let state = root_dir.join("terraform.local.tfstate");
    stack.set_backend(LocalBackend::new(path_text(
        &state,
        "the `local` stack's state file",
    )?));
    stack.provider(DockerProvider::new());

    let data_dir = root_dir.join("docker/dynamodb");
    let data_dir = path_text(&data_dir, "DynamoDB Local's data directory (host_path)")?;
    let dynamodb = DynamodbLocal::new(&mut stack, &root, "dynamodb-local", data_dir, PORT);
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
