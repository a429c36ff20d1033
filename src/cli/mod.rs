//! The `kite` command line, for any [`App`].
//!
//! `main` only maps the result of [`run`] to an exit status; every user
//! error becomes one message on stderr and a non-zero status.

mod terraform;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::app::{App, StackDef};
use crate::env::Env;
use crate::synth::{self, StackError, SynthesizedStack};

pub use terraform::Terraform;

/// Synthesizes typed Rust stacks to Terraform JSON, and drives terraform.
#[derive(Debug, Parser)]
#[command(name = "kite", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Synthesize stacks (default: all) into the output directory.
    Synth {
        /// Stacks to synthesize; the others keep their previous output.
        stacks: Vec<String>,
        #[command(flatten)]
        out: OutDir,
    },
    /// List the stacks, their backends and resource counts.
    List,
    /// Synthesize, then `terraform init` and `terraform plan`.
    Diff {
        /// The stack (required when there is more than one).
        stack: Option<String>,
        #[command(flatten)]
        out: OutDir,
    },
    /// Synthesize, then `terraform init` and `terraform apply`.
    Deploy {
        stack: Option<String>,
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        #[command(flatten)]
        out: OutDir,
    },
    /// Synthesize, then `terraform init` and `terraform destroy`.
    Destroy {
        stack: Option<String>,
        /// Destroy without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        #[command(flatten)]
        out: OutDir,
    },
    /// Synthesize, then `terraform init` and `terraform output`.
    Output {
        stack: Option<String>,
        /// Print the outputs as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        out: OutDir,
    },
}

#[derive(Debug, Args)]
struct OutDir {
    /// The output directory.
    #[arg(long = "out", value_name = "DIR", default_value = "cdktf.out")]
    dir: PathBuf,
}

/// Runs the command line of `app` and returns the exit status.
pub fn main(app: App) -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(&app, cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", render_error(&e));
            ExitCode::FAILURE
        }
    }
}

/// The message of an error and its causes, without a backtrace.
fn render_error(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

fn run(app: &App, cli: Cli) -> Result<ExitCode> {
    let root = std::env::current_dir().context("cannot read the current directory")?;
    let env = Env::load(&root)?;
    match cli.command {
        Command::Synth { stacks, out } => {
            let mut stdout = std::io::stdout();
            synth(app, &env, &stacks, &out.dir, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::List => list(app, &env),
        Command::Diff { stack, out } => drive(app, &env, stack, &out.dir, &["plan"]),
        Command::Deploy {
            stack,
            auto_approve,
            out,
        } => {
            let args: &[&str] = if auto_approve {
                &["apply", "-auto-approve"]
            } else {
                &["apply"]
            };
            drive(app, &env, stack, &out.dir, args)
        }
        Command::Destroy {
            stack,
            auto_approve,
            out,
        } => {
            let args: &[&str] = if auto_approve {
                &["destroy", "-auto-approve"]
            } else {
                &["destroy"]
            };
            drive(app, &env, stack, &out.dir, args)
        }
        Command::Output { stack, json, out } => {
            let args: &[&str] = if json {
                &["output", "-json"]
            } else {
                &["output"]
            };
            drive(app, &env, stack, &out.dir, args)
        }
    }
}

/// Builds and synthesizes the named stacks (all when none is named), then
/// writes them; nothing is written unless every stack succeeds.
fn synth(
    app: &App,
    env: &Env,
    names: &[String],
    out: &Path,
    report: &mut dyn Write,
) -> Result<Vec<synth::output_dir::WrittenStack>> {
    let started = Instant::now();
    let defs = app.select(names)?;
    let mut done: Vec<SynthesizedStack> = Vec::with_capacity(defs.len());
    let mut failures: Vec<String> = Vec::new();
    for def in defs {
        match build_and_synthesize(app, def, env) {
            Ok(s) => done.push(s),
            Err(e) => failures.push(e),
        }
    }
    if !failures.is_empty() {
        bail!(
            "{}\nNothing was written; {} is unchanged.",
            failures.join("\n"),
            out.display()
        );
    }
    let written = synth::output_dir::write(out, &done)?;
    let elapsed = started.elapsed();
    for w in &written {
        let _ = writeln!(
            report,
            "{:<12} {:>5} resources  {}",
            w.name,
            w.resource_count,
            w.config_path.display()
        );
    }
    let _ = writeln!(
        report,
        "Synthesized {} stack{} in {:.1} ms",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(written)
}

fn build_and_synthesize(
    app: &App,
    def: &StackDef,
    env: &Env,
) -> std::result::Result<SynthesizedStack, String> {
    let stack = app
        .build(def, env)
        .map_err(|e| format!("stack `{}`: {}", def.name(), render_error(&e)))?;
    synth::synthesize(stack).map_err(|e: StackError| e.to_string())
}

fn list(app: &App, env: &Env) -> Result<ExitCode> {
    let mut failed = false;
    println!(
        "{:<12} {:<8} {:>9}  DESCRIPTION",
        "STACK", "BACKEND", "RESOURCES"
    );
    for def in app.stacks() {
        match app.build(def, env) {
            Ok(stack) => {
                let backend = stack.backend().map_or("-", |b| b.type_name());
                println!(
                    "{:<12} {:<8} {:>9}  {}",
                    def.name(),
                    backend,
                    stack.resource_count(),
                    def.description()
                );
            }
            Err(e) => {
                failed = true;
                println!(
                    "{:<12} {:<8} {:>9}  cannot be built: {}",
                    def.name(),
                    "?",
                    "?",
                    render_error(&e)
                );
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The one stack a terraform command works on.
fn one_stack(app: &App, stack: Option<String>, command: &str) -> Result<String> {
    let names: Vec<&str> = app.stacks().iter().map(StackDef::name).collect();
    match stack {
        Some(name) => {
            app.select(std::slice::from_ref(&name))?;
            Ok(name)
        }
        None if names.len() == 1 => Ok(names[0].to_owned()),
        None => bail!(
            "this app has {} stacks ({}): name the one to {command}, as `kite {command} {}`",
            names.len(),
            names.join(", "),
            names.first().copied().unwrap_or("STACK")
        ),
    }
}

/// Synthesizes one stack, then runs `terraform init` and the command in its
/// directory. terraform's exit status becomes kite's.
fn drive(
    app: &App,
    env: &Env,
    stack: Option<String>,
    out: &Path,
    args: &[&str],
) -> Result<ExitCode> {
    let name = one_stack(app, stack, command_name(args))?;
    let terraform = Terraform::from_env(env);
    let written = synth(
        app,
        env,
        std::slice::from_ref(&name),
        out,
        &mut std::io::stderr(),
    )?;
    let dir = written
        .first()
        .and_then(|w| w.config_path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out.join("stacks").join(&name));
    let init = terraform.run(&dir, &["init", "-input=false"])?;
    if !init.success() {
        eprintln!(
            "error: `{} init` failed in {}; not running `{}`",
            terraform.binary(),
            dir.display(),
            args.join(" ")
        );
        return Ok(exit_code(init));
    }
    Ok(exit_code(terraform.run(&dir, args)?))
}

fn command_name(args: &[&str]) -> &'static str {
    match args.first().copied() {
        Some("plan") => "diff",
        Some("apply") => "deploy",
        Some("destroy") => "destroy",
        _ => "output",
    }
}

fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => {
            eprintln!("error: terraform was stopped by a signal");
            ExitCode::FAILURE
        }
    }
}
