//! The `kite` command line, for any [`App`].
//!
//! `main` only maps the result of [`run`] to an exit status; every user
//! error becomes one message on stderr and a non-zero status.

mod terraform;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::app::{App, StackDef};
use crate::env::Env;
use crate::synth::{self, StackError, SynthesizedStack};
use crate::validate::{Finding, Schemas, Severity};

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
        #[command(flatten)]
        checks: Checks,
    },
    /// Check stacks (default: all) against the provider schemas, offline;
    /// nothing is written.
    Validate {
        stacks: Vec<String>,
        /// A `terraform providers schema -json` file for other provider
        /// versions; its providers replace the bundled ones.
        #[arg(long, value_name = "FILE")]
        schema: Option<PathBuf>,
    },
    /// List the stacks, their backends and resource counts.
    List,
    /// Synthesize, then `terraform init` and `terraform plan`.
    Diff {
        #[command(flatten)]
        target: Target,
    },
    /// Synthesize, then `terraform init` and `terraform apply`.
    Deploy {
        #[command(flatten)]
        target: Target,
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Synthesize, then `terraform init` and `terraform destroy`.
    Destroy {
        #[command(flatten)]
        target: Target,
        /// Destroy without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Synthesize, then `terraform init` and `terraform output`.
    Output {
        #[command(flatten)]
        target: Target,
        /// Print the outputs as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct OutDir {
    /// The output directory.
    #[arg(long = "out", value_name = "DIR", default_value = "cdktf.out")]
    dir: PathBuf,
}

/// The stack a terraform command works on, and where it is synthesized.
#[derive(Debug, Args)]
struct Target {
    /// The stack (required when there is more than one).
    stack: Option<String>,
    #[command(flatten)]
    out: OutDir,
    #[command(flatten)]
    checks: Checks,
}

/// How synthesis checks stacks against provider schemas.
#[derive(Debug, Args)]
struct Checks {
    /// Skip the check against the provider schemas (references, ids and
    /// cycles are still checked).
    #[arg(long)]
    no_validate: bool,
    /// A `terraform providers schema -json` file for other provider
    /// versions or providers; its providers replace the bundled ones.
    #[arg(long, value_name = "FILE", conflicts_with = "no_validate")]
    schema: Option<PathBuf>,
}

impl Checks {
    /// The schemas to check against, or `None` when told not to.
    fn schemas(&self, cwd: &Path) -> Result<Option<Schemas>> {
        if self.no_validate {
            return Ok(None);
        }
        Ok(Some(load_schemas(self.schema.as_deref(), cwd)?))
    }
}

/// The bundled schemas, with the providers of `file` replacing theirs.
fn load_schemas(file: Option<&Path>, cwd: &Path) -> Result<Schemas> {
    let bundled = Schemas::bundled();
    Ok(match file {
        Some(file) => bundled.overlaid_with(Schemas::from_file(&cwd.join(file))?),
        None => bundled,
    })
}

/// Runs the command line of `app` and returns the exit status.
pub fn main(app: App) -> ExitCode {
    main_with_args(&app, std::env::args_os())
}

/// As [`main`], with these arguments (the first is the program name): for
/// programs that run a kite command as their whole job.
pub fn main_with_args(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> ExitCode {
    let cwd = match std::env::current_dir() {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot read the current directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut io = Io {
        stdout: &mut std::io::stdout(),
        stderr: &mut std::io::stderr(),
        exiting: true,
    };
    run_io(app, args, &cwd, &mut io)
}

/// Runs the command line with these arguments (the first is the program
/// name) in the project directory `cwd`, writing kite's own messages to
/// `stdout` and `stderr`. terraform's output goes to the process's own
/// streams.
pub fn run_with(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let mut io = Io {
        stdout,
        stderr,
        exiting: false,
    };
    run_io(app, args, cwd, &mut io)
}

fn run_io(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    cwd: &Path,
    io: &mut Io,
) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(io.stderr, "{text}")
            } else {
                write!(io.stdout, "{text}")
            };
            return ExitCode::from(code);
        }
    };
    match run(app, cli, cwd, io) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.stderr, "error: {}", render_error(&e));
            ExitCode::FAILURE
        }
    }
}

/// Where kite's own messages go.
struct Io<'a> {
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    /// The process exits when the command is done: large trees need not be
    /// freed one allocation at a time first.
    exiting: bool,
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

fn run(app: &App, cli: Cli, cwd: &Path, io: &mut Io) -> Result<ExitCode> {
    let env = Env::load(cwd)?;
    match cli.command {
        Command::Synth {
            stacks,
            out,
            checks,
        } => {
            let schemas = checks.schemas(cwd)?;
            synth(
                app,
                &env,
                &stacks,
                &cwd.join(out.dir),
                schemas.as_ref(),
                io,
                Summary::Stdout,
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { stacks, schema } => {
            let schemas = load_schemas(schema.as_deref(), cwd)?;
            validate(app, &env, &stacks, &schemas, io)
        }
        Command::List => list(app, &env, io),
        Command::Diff { target } => drive(app, &env, target, cwd, &["plan"], io),
        Command::Deploy {
            target,
            auto_approve,
        } => drive(app, &env, target, cwd, &approved("apply", auto_approve), io),
        Command::Destroy {
            target,
            auto_approve,
        } => drive(
            app,
            &env,
            target,
            cwd,
            &approved("destroy", auto_approve),
            io,
        ),
        Command::Output { target, json } => {
            let args: &[&str] = if json {
                &["output", "-json"]
            } else {
                &["output"]
            };
            drive(app, &env, target, cwd, args, io)
        }
    }
}

/// A terraform command that changes infrastructure, with `-auto-approve`
/// only when the user asked for it.
fn approved(command: &'static str, auto_approve: bool) -> Vec<&'static str> {
    let mut args = vec![command];
    if auto_approve {
        args.push("-auto-approve");
    }
    args
}

/// Where the summary of a synth goes: stdout for `kite synth`, stderr when
/// terraform's output follows on stdout.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Summary {
    Stdout,
    Stderr,
}

/// Builds and synthesizes the named stacks (all when none is named), checks
/// them against the provider schemas (unless `schemas` is `None`), then
/// writes them; nothing is written unless every stack succeeds.
fn synth(
    app: &App,
    env: &Env,
    names: &[String],
    out: &Path,
    schemas: Option<&Schemas>,
    io: &mut Io,
    summary: Summary,
) -> Result<Vec<synth::output_dir::WrittenStack>> {
    let started = Instant::now();
    let defs = app.select(names)?;
    let mut done: Vec<SynthesizedStack> = Vec::with_capacity(defs.len());
    let mut failures: Vec<String> = Vec::new();
    for def in defs {
        let synthesized = match build_and_synthesize(app, def, env, io) {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if let Some(schemas) = schemas {
            let findings = crate::validate::validate(&synthesized, schemas);
            let errors: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            for warning in findings.iter().filter(|f| f.severity == Severity::Warning) {
                writeln!(io.stderr, "{warning}")?;
            }
            if !errors.is_empty() {
                let lines: Vec<String> = errors.iter().map(|f| f.to_string()).collect();
                failures.push(format!(
                    "stack `{}` does not match the provider schemas ({} error{}):\n{}\nFix the stack, or pass --no-validate to write it anyway.",
                    synthesized.name,
                    errors.len(),
                    if errors.len() == 1 { "" } else { "s" },
                    lines.join("\n")
                ));
                continue;
            }
        }
        done.push(synthesized);
    }
    if !failures.is_empty() {
        bail!(
            "{}\nNothing was written; {} is unchanged.",
            failures.join("\n"),
            out.display()
        );
    }
    let written = synth::output_dir::write(out, &done)?;
    if io.exiting {
        std::mem::forget(done);
    }
    let elapsed = started.elapsed();
    let report: &mut dyn Write = match summary {
        Summary::Stdout => &mut *io.stdout,
        Summary::Stderr => &mut *io.stderr,
    };
    for w in &written {
        // Paths inside the project are shown relative to it.
        let shown = w
            .config_path
            .strip_prefix(env.project_root())
            .unwrap_or(&w.config_path);
        writeln!(
            report,
            "{:<12} {:>5} resources  {}",
            w.name,
            w.resource_count,
            shown.display()
        )?;
    }
    writeln!(
        report,
        "Synthesized {} stack{} in {:.1} ms",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        elapsed.as_secs_f64() * 1000.0
    )?;
    Ok(written)
}

/// Synthesizes in memory and reports every finding; fails when any is an error.
fn validate(
    app: &App,
    env: &Env,
    names: &[String],
    schemas: &Schemas,
    io: &mut Io,
) -> Result<ExitCode> {
    let defs = app.select(names)?;
    let mut failed = false;
    for def in defs {
        let synthesized = match build_and_synthesize(app, def, env, io) {
            Ok(s) => s,
            Err(e) => {
                failed = true;
                writeln!(io.stderr, "error: {e}")?;
                continue;
            }
        };
        let findings = crate::validate::validate(&synthesized, schemas);
        for f in &findings {
            writeln!(io.stderr, "{f}")?;
        }
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings.len() - errors;
        failed |= errors > 0;
        writeln!(
            io.stdout,
            "{:<12} {} error{}, {} warning{}",
            synthesized.name,
            errors,
            if errors == 1 { "" } else { "s" },
            warnings,
            if warnings == 1 { "" } else { "s" }
        )?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints what building a stack found worth saying.
fn print_warnings(env: &Env, stack: &str, stderr: &mut dyn Write) -> std::io::Result<()> {
    for warning in env.take_warnings() {
        writeln!(stderr, "warning: stack `{stack}`: {warning}")?;
    }
    Ok(())
}

fn build_and_synthesize(
    app: &App,
    def: &StackDef,
    env: &Env,
    io: &mut Io,
) -> std::result::Result<SynthesizedStack, String> {
    let built = app.build(def, env);
    let _ = print_warnings(env, def.name(), io.stderr);
    let stack = built.map_err(|e| format!("stack `{}`: {}", def.name(), render_error(&e)))?;
    synth::synthesize(stack).map_err(|e: StackError| e.to_string())
}

fn list(app: &App, env: &Env, io: &mut Io) -> Result<ExitCode> {
    let mut failed = false;
    let out = &mut *io.stdout;
    writeln!(
        out,
        "{:<12} {:<8} {:>9}  DESCRIPTION",
        "STACK", "BACKEND", "RESOURCES"
    )?;
    for def in app.stacks() {
        let built = app.build(def, env);
        print_warnings(env, def.name(), io.stderr)?;
        match built {
            Ok(stack) => {
                let backend = stack.backend().map_or("-", |b| b.type_name());
                writeln!(
                    out,
                    "{:<12} {:<8} {:>9}  {}",
                    def.name(),
                    backend,
                    stack.resource_count(),
                    def.description()
                )?;
            }
            Err(e) => {
                failed = true;
                writeln!(
                    out,
                    "{:<12} {:<8} {:>9}  cannot be built: {}",
                    def.name(),
                    "?",
                    "?",
                    render_error(&e)
                )?;
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
    target: Target,
    cwd: &Path,
    args: &[&str],
    io: &mut Io,
) -> Result<ExitCode> {
    let name = one_stack(app, target.stack, command_name(args))?;
    let out = cwd.join(target.out.dir);
    let out = out.as_path();
    let terraform = Terraform::from_env(env)?;
    let schemas = target.checks.schemas(cwd)?;
    let written = synth(
        app,
        env,
        std::slice::from_ref(&name),
        out,
        schemas.as_ref(),
        io,
        Summary::Stderr,
    )?;
    let dir = written
        .first()
        .and_then(|w| w.config_path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out.join("stacks").join(&name));
    let init = terraform.run(&dir, &["init", "-input=false"], true)?;
    if !init.success() {
        writeln!(
            io.stderr,
            "error: `{} init -input=false` failed in {}; `{} {}` was not run",
            terraform.binary(),
            dir.display(),
            terraform.binary(),
            args.join(" ")
        )?;
        return Ok(exit_code(init, io));
    }
    let status = terraform.run(&dir, args, false)?;
    Ok(exit_code(status, io))
}

fn command_name(args: &[&str]) -> &'static str {
    match args.first().copied() {
        Some("plan") => "diff",
        Some("apply") => "deploy",
        Some("destroy") => "destroy",
        _ => "output",
    }
}

fn exit_code(status: std::process::ExitStatus, io: &mut Io) -> ExitCode {
    match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => {
            let _ = writeln!(io.stderr, "error: terraform was stopped by a signal");
            ExitCode::FAILURE
        }
    }
}
