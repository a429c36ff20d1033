//! The `kite` command line, for any [`App`].
//!
//! `main` only maps the outcome of [`run`] to an exit status ([`exit`]);
//! every user error becomes one message on stderr and status 3.

pub mod exit;
mod graph;
pub mod project;
mod signals;
mod terraform;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::app::{App, StackDef};
use crate::env::Env;
use crate::synth::output_dir::{Holder, OutputDir, Wait, WrittenStack};
use crate::synth::{self, StackError, SynthesizedStack};
use crate::validate::{Finding, Schemas, Severity};

use exit::Outcome;
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
    /// Draw stacks (default: all): each resource and data source a node,
    /// boxed by construct, references and depends_on as edges.
    Graph(graph::GraphArgs),
    /// Print the completion script for a shell (see the README for where
    /// to put it).
    Completions {
        /// The shell to print the script for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
struct OutDir {
    /// The output directory [default: cdktf.out in the project directory].
    #[arg(long = "out", value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Fail at once when another kite is using the output directory,
    /// instead of waiting for it to finish.
    #[arg(long)]
    no_wait: bool,
}

impl OutDir {
    /// The directory: as given (relative to where kite was started), or
    /// `cdktf.out` in the project directory.
    fn path(&self, place: &Place) -> PathBuf {
        match &self.dir {
            Some(dir) => place.cwd.join(dir),
            None => place.project.join("cdktf.out"),
        }
    }

    fn wait(&self) -> Wait {
        if self.no_wait { Wait::No } else { Wait::Yes }
    }
}

/// Where kite runs: the directory it was started in, against which paths on
/// the command line are relative, and the project directory.
struct Place {
    cwd: PathBuf,
    project: PathBuf,
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

/// Runs the command line of `app` and returns the exit status. SIGINT and
/// SIGTERM are handled from here on (see the README's Command line).
pub fn main(app: App) -> ExitCode {
    main_with_args(&app, std::env::args_os())
}

/// As [`main`], with these arguments (the first is the program name): for
/// programs that run a kite command as their whole job.
pub fn main_with_args(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let mut io = Io {
        stdout: &mut Stream::new("standard output", stdout.lock()),
        stderr: &mut Stream::new("standard error", stderr.lock()),
        exiting: true,
    };
    if let Err(e) = signals::install() {
        let _ = writeln!(
            io.stderr,
            "warning: cannot handle SIGINT and SIGTERM ({e}): a signal stops kite without waiting for terraform"
        );
    }
    let place = || -> Result<Place> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let project = project::find(
            &cwd,
            std::env::var_os(project::PROJECT_DIR_VARIABLE).as_deref(),
        )?;
        Ok(Place { cwd, project })
    };
    run_io(app, args, place, &mut io)
}

/// Runs the command line with these arguments (the first is the program
/// name) in the project directory `cwd`, writing kite's own messages to
/// `stdout` and `stderr`. terraform's output goes to the process's own
/// streams. Signals are left as the program has them.
pub fn run_with(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    cwd: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> ExitCode {
    let mut io = Io {
        stdout: &mut Stream::new("standard output", stdout),
        stderr: &mut Stream::new("standard error", stderr),
        exiting: false,
    };
    let place = || {
        Ok(Place {
            cwd: cwd.to_path_buf(),
            project: cwd.to_path_buf(),
        })
    };
    run_io(app, args, place, &mut io)
}

fn run_io(
    app: &App,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
    place: impl FnOnce() -> Result<Place>,
    io: &mut Io,
) -> ExitCode {
    let outcome = match Cli::try_parse_from(args) {
        // A completion script needs no project.
        Ok(Cli {
            command: Command::Completions { shell },
        }) => completions(shell, io),
        Ok(cli) => place().and_then(|place| run(app, cli, &place, io)),
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(io.stderr, "{text}");
                Ok(Outcome::Usage)
            } else {
                write!(io.stdout, "{text}")
                    .map(|()| Outcome::Success)
                    .map_err(anyhow::Error::from)
            }
        }
    };
    let outcome = outcome.and_then(|outcome| {
        io.stdout.flush()?;
        Ok(outcome)
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) if closed_output(&e) => Outcome::ClosedOutput,
        Err(e) => {
            let _ = writeln!(io.stderr, "error: {}", render_error(&e));
            match terraform::interrupted(&e) {
                Some(signal) => Outcome::Signal(signal),
                None => Outcome::Failed,
            }
        }
    };
    let _ = io.stderr.flush();
    outcome.into()
}

/// Whether `e` is a write to a pipe whose reader has gone (`kite list |
/// head -1`): kite then stops quietly.
fn closed_output(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Where kite's own messages go.
struct Io<'a> {
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    /// The process exits when the command is done: large trees need not be
    /// freed one allocation at a time first.
    exiting: bool,
}

/// A stream whose write errors say which stream failed.
struct Stream<W> {
    name: &'static str,
    inner: W,
}

impl<W: Write> Stream<W> {
    fn new(name: &'static str, inner: W) -> Self {
        Stream { name, inner }
    }

    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("cannot write to {}: {e}", self.name))
    }
}

impl<W: Write> Write for Stream<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush().map_err(|e| self.named(e))
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

fn run(app: &App, cli: Cli, place: &Place, io: &mut Io) -> Result<Outcome> {
    let env = Env::load(&place.project)?;
    match cli.command {
        Command::Synth {
            stacks,
            out,
            checks,
        } => {
            let schemas = checks.schemas(&place.cwd)?;
            synth(
                app,
                &env,
                &stacks,
                &out.path(place),
                out.wait(),
                schemas.as_ref(),
                io,
                Summary::Stdout,
            )?;
            Ok(Outcome::Success)
        }
        Command::Validate { stacks, schema } => {
            let schemas = load_schemas(schema.as_deref(), &place.cwd)?;
            validate(app, &env, &stacks, &schemas, io)
        }
        Command::List => list(app, &env, io),
        Command::Diff { target } => drive(app, &env, target, place, &["plan"], io),
        Command::Deploy {
            target,
            auto_approve,
        } => drive(
            app,
            &env,
            target,
            place,
            &approved("apply", auto_approve),
            io,
        ),
        Command::Destroy {
            target,
            auto_approve,
        } => drive(
            app,
            &env,
            target,
            place,
            &approved("destroy", auto_approve),
            io,
        ),
        Command::Output { target, json } => {
            let args: &[&str] = if json {
                &["output", "-json"]
            } else {
                &["output"]
            };
            drive(app, &env, target, place, args, io)
        }
        Command::Graph(args) => graph::run(app, &env, args, &place.cwd, io),
        Command::Completions { shell } => completions(shell, io),
    }
}

/// Prints the completion script of `shell` for kite's commands.
fn completions(shell: clap_complete::Shell, io: &mut Io) -> Result<Outcome> {
    // Into memory first: the generator panics when a write fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kite", &mut script);
    io.stdout.write_all(&script)?;
    Ok(Outcome::Success)
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
/// locks the output directory and writes them; nothing is written unless
/// every stack succeeds. The lock is returned, to be held through what
/// follows (terraform).
#[allow(clippy::too_many_arguments)]
fn synth(
    app: &App,
    env: &Env,
    names: &[String],
    out: &Path,
    wait: Wait,
    schemas: Option<&Schemas>,
    io: &mut Io,
    summary: Summary,
) -> Result<(Vec<WrittenStack>, OutputDir)> {
    let started = Instant::now();
    let defs = app.select(names)?;
    // Unchanged assets keep the fingerprints the output remembers.
    crate::fingerprints::load(out);
    let mut done: Vec<SynthesizedStack> = Vec::with_capacity(defs.len());
    let mut failures: Vec<String> = Vec::new();
    for built in build_and_synthesize(app, &defs, env, io) {
        let synthesized = match built {
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
    let output = {
        let stderr = &mut *io.stderr;
        let mut told = |holder: &Holder| {
            let _ = writeln!(
                stderr,
                "kite: waiting for {}, which {holder} is using; pass --no-wait to fail instead of waiting",
                out.display()
            );
        };
        OutputDir::lock(out, wait, &mut told)?
    };
    let written = output.write(&done)?;
    if let Err(e) = crate::fingerprints::save(out) {
        writeln!(
            io.stderr,
            "warning: the assets' fingerprints could not be kept in {} ({e}); the next synth hashes them again",
            out.display()
        )?;
    }
    if io.exiting {
        std::mem::forget(done);
    }
    let elapsed = started.elapsed();
    let report: &mut dyn Write = match summary {
        Summary::Stdout => &mut *io.stdout,
        Summary::Stderr => &mut *io.stderr,
    };
    print_summary(report, env, &written, elapsed).with_context(|| {
        format!(
            "{} was written, but its summary could not be printed",
            out.display()
        )
    })?;
    Ok((written, output))
}

fn print_summary(
    report: &mut dyn Write,
    env: &Env,
    written: &[WrittenStack],
    elapsed: std::time::Duration,
) -> io::Result<()> {
    for w in written {
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
    report.flush()
}

/// Synthesizes in memory and reports every finding; fails when any is an error.
fn validate(
    app: &App,
    env: &Env,
    names: &[String],
    schemas: &Schemas,
    io: &mut Io,
) -> Result<Outcome> {
    let defs = app.select(names)?;
    let mut failed = false;
    for built in build_and_synthesize(app, &defs, env, io) {
        let synthesized = match built {
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
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Prints what building a stack found worth saying.
fn print_warnings(env: &Env, stack: &str, stderr: &mut dyn Write) -> io::Result<()> {
    for warning in env.take_warnings() {
        writeln!(stderr, "warning: stack `{stack}`: {warning}")?;
    }
    Ok(())
}

/// Builds the stacks (each group once) and synthesizes each.
fn build_and_synthesize(
    app: &App,
    defs: &[&StackDef],
    env: &Env,
    io: &mut Io,
) -> Vec<std::result::Result<SynthesizedStack, String>> {
    let built = app.build_many(defs, env);
    let _ = print_warnings(env, &names_of(defs), io.stderr);
    built
        .into_iter()
        .map(|(def, stack)| {
            let stack =
                stack.map_err(|e| format!("stack `{}`: {}", def.name(), render_error(&e)))?;
            synth::synthesize(stack).map_err(|e: StackError| e.to_string())
        })
        .collect()
}

/// `a, b`: the names of stacks, for messages.
fn names_of(defs: &[&StackDef]) -> String {
    defs.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
}

fn list(app: &App, env: &Env, io: &mut Io) -> Result<Outcome> {
    let mut failed = false;
    let out = &mut *io.stdout;
    writeln!(
        out,
        "{:<12} {:<8} {:>9}  {:<14}  DESCRIPTION",
        "STACK", "BACKEND", "RESOURCES", "NEEDS"
    )?;
    let defs: Vec<&StackDef> = app.stacks().iter().collect();
    let built = app.build_many(&defs, env);
    print_warnings(env, &names_of(&defs), io.stderr)?;
    for (def, built) in built {
        match built {
            Ok(stack) => {
                let backend = stack.backend().map_or("-", |b| b.type_name());
                let needs = if stack.dependencies().is_empty() {
                    "-".to_owned()
                } else {
                    stack.dependencies().join(",")
                };
                writeln!(
                    out,
                    "{:<12} {:<8} {:>9}  {:<14}  {}",
                    def.name(),
                    backend,
                    stack.resource_count(),
                    needs,
                    def.description()
                )?;
            }
            Err(e) => {
                failed = true;
                writeln!(
                    out,
                    "{:<12} {:<8} {:>9}  {:<14}  cannot be built: {}",
                    def.name(),
                    "?",
                    "?",
                    "?",
                    render_error(&e)
                )?;
            }
        }
    }
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
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
/// directory, holding the output's lock throughout. terraform's exit status
/// becomes kite's.
fn drive(
    app: &App,
    env: &Env,
    target: Target,
    place: &Place,
    args: &[&str],
    io: &mut Io,
) -> Result<Outcome> {
    let name = one_stack(app, target.stack, command_name(args))?;
    let out = target.out.path(place);
    let terraform = Terraform::from_env(env)?;
    let schemas = target.checks.schemas(&place.cwd)?;
    let (written, _locked) = synth(
        app,
        env,
        std::slice::from_ref(&name),
        &out,
        target.out.wait(),
        schemas.as_ref(),
        io,
        Summary::Stderr,
    )?;
    let dir = written
        .first()
        .and_then(|w| w.config_path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out.join("stacks").join(&name));
    let secrets = written
        .first()
        .map(|w| w.secrets.as_slice())
        .unwrap_or_default();
    let terraform = terraform.with_secrets(env, secrets)?;
    let init = terraform.run(&dir, &["init", "-input=false"], true)?;
    if !init.success() {
        writeln!(
            io.stderr,
            "error: `{} {}` failed in {}; `{} {}` was not run",
            terraform.binary(),
            terraform.arguments(&["init", "-input=false"]).join(" "),
            dir.display(),
            terraform.binary(),
            terraform.arguments(args).join(" ")
        )?;
        return Ok(Outcome::Terraform(init));
    }
    let status = terraform.run(&dir, args, false)?;
    if status.code().is_none() {
        writeln!(io.stderr, "error: terraform was stopped by a signal")?;
    }
    Ok(Outcome::Terraform(status))
}

fn command_name(args: &[&str]) -> &'static str {
    match args.first().copied() {
        Some("plan") => "diff",
        Some("apply") => "deploy",
        Some("destroy") => "destroy",
        _ => "output",
    }
}
