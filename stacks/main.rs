//! The Kite chat's infrastructure: the `kite` (production) and `kite-dev`
//! (development) stages on AWS and the `local` stack (Docker), wired to
//! kite's command line.

mod build;
mod config;
mod dynamodb_schema;
#[path = "kite.rs"]
mod kite_stack;
mod local;
mod stage;

use std::process::ExitCode;

use kite::App;

// Synthesis allocates many small objects; mimalloc makes large stacks about
// a third faster than the system allocator (see README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn app() -> App {
    App::new()
        .group(
            &[
                (
                    "kite",
                    "production: DynamoDB, API Gateway, Lambda, IAM, logs, attachments, optional Cloudflare domain",
                ),
                (
                    "kite-dev",
                    "development: the same application at stage dev, beside production",
                ),
                (
                    "build",
                    "the Lambda package's bucket, and the CI role that uploads it",
                ),
            ],
            kite_stack::build_group,
        )
        .stack(
            "local",
            "development: DynamoDB Local in Docker with the chat's tables",
            local::build,
        )
}

fn main() -> ExitCode {
    kite::cli::main(app())
}
