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

// The system allocator: these stacks are small, and mimalloc's start-up
// (its arena, faulted in as huge pages) cost more than it saved: with it
// `kite --version` took 1.1 ms longer, a synth of these stacks 0.3 to
// 1.7 ms (doc/adr/0017, last addendum). A program with large stacks may
// choose mimalloc, as `examples/scale.rs` does.

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
