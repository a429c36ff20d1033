use std::process::ExitCode;

fn main() -> ExitCode {
    kite::cli::main(kite::App::new())
}
