//! Synthesizes a generated stack of N tables as `kite synth` would (schema
//! checks included), as a whole process, so it can be timed and its memory
//! read from outside:
//!
//! ```sh
//! cargo build --release --example scale
//! /usr/bin/time -v target/release/examples/scale 10000 /tmp/scale.out
//! ```

#[path = "support/scale_stack.rs"]
mod scale_stack;

use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!(
            "usage: scale N OUT_DIR  (N tables and N policies, written to OUT_DIR in the cdktf.out layout)"
        );
        return ExitCode::from(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("error: N must be a number of tables, not `{n}`");
        return ExitCode::from(2);
    };
    let app = kite::App::new().stack("scale", "generated", move |_| {
        Ok(scale_stack::scale_stack(n))
    });
    kite::cli::main_with_args(&app, ["kite", "synth", "--out", out.as_str()])
}
