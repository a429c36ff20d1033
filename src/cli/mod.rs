//! The `kite` command line, for any [`App`].
//!
//! `main` only maps the outcome of [`run`] to an exit status ([`exit`]);
//! every user error becomes one message on stderr and status 3.

mod diagnostics;
pub mod exit;
mod graph;
mod json;
mod order;
mod passthrough;
mod plan;
pub mod project;
mod run;
mod signals;
mod terraform;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::app::{App, StackDef};
use crate::env::Env;
use crate::synth::output_dir::{Holder, OutputDir, Wait, WrittenStack};
use crate::synth::written::Record;
use crate::synth::{self, StackError, SynthesizedStack};
use crate::validate::{Finding, Schemas, Severity};

use exit::Outcome;
use json::{StackFailure, SynthFailed};
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
        /// Print one JSON document on stdout (errors as JSON on stderr).
        #[arg(long)]
        json: bool,
    },
    /// Check stacks (default: all) against the provider schemas, offline;
    /// nothing is written.
    Validate {
        stacks: Vec<String>,
        /// A `terraform providers schema -json` file for other provider
        /// versions; its providers replace the bundled ones.
        #[arg(long, value_name = "FILE")]
        schema: Option<PathBuf>,
        /// Print one JSON document on stdout (errors as JSON on stderr).
        #[arg(long)]
        json: bool,
    },
    /// List the stacks, their backends and resource counts.
    List {
        /// Print one JSON document on stdout (errors as JSON on stderr).
        #[arg(long)]
        json: bool,
    },
    /// Synthesize, then `terraform init` and `terraform plan` in each stack,
    /// in dependency order.
    Diff {
        #[command(flatten)]
        target: run::Targets,
        /// Exit 0 when no stack has changes, 2 when one has, 1 when one
        /// failed.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Synthesize, then plan and apply each stack, in dependency order.
    Deploy {
        #[command(flatten)]
        target: run::Targets,
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
    },
    /// Synthesize, then plan the destruction of each stack and apply it,
    /// dependent stacks first.
    Destroy {
        #[command(flatten)]
        target: run::Targets,
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

impl Command {
    /// Whether the user asked for JSON (`--json`): errors are JSON too.
    fn json(&self) -> bool {
        match self {
            Command::Synth { json, .. }
            | Command::Validate { json, .. }
            | Command::List { json } => *json,
            Command::Diff { target, .. }
            | Command::Deploy { target, .. }
            | Command::Destroy { target, .. } => target.json,
            Command::Output { .. } | Command::Graph(_) | Command::Completions { .. } => false,
        }
    }
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
        json: false,
        warnings: Vec::new(),
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

/// Whether `args` (the first is the program name) is a command line kite
/// accepts, without running anything: what clap parses, and no argument
/// after `--` that kite refuses. `--help` and `--version` are accepted. For
/// tests that keep documentation in step with the command line; the error
/// is the message kite would print.
pub fn check_command_line(
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> std::result::Result<(), String> {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => return Ok(()),
        Err(e) => return Err(e.render().to_string()),
    };
    match &cli.command {
        Command::Diff { target, .. }
        | Command::Deploy { target, .. }
        | Command::Destroy { target, .. } => {
            passthrough::check(&target.terraform_args).map_err(|e| format!("error: {e}"))
        }
        _ => Ok(()),
    }
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
        json: false,
        warnings: Vec::new(),
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
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let outcome = match Cli::try_parse_from(&args) {
        // A completion script needs no project.
        Ok(Cli {
            command: Command::Completions { shell },
        }) => completions(shell, io),
        Ok(cli) => {
            io.json = cli.command.json();
            place().and_then(|place| run(app, cli, &place, io))
        }
        Err(e) => {
            let text = e.render().to_string();
            if e.use_stderr() {
                // `--json` before a mistake elsewhere: the error is JSON too.
                if args.iter().skip(1).any(|a| a == "--json") {
                    let message = text.lines().next().unwrap_or_default();
                    let message = message.strip_prefix("error: ").unwrap_or(message);
                    let value = serde_json::json!({"error": {"message": message, "usage": text}});
                    let _ = writeln!(io.stderr, "{value}");
                } else {
                    let _ = write!(io.stderr, "{text}");
                }
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
            report_error(&e, io);
            if let Some(signal) = terraform::interrupted(&e) {
                Outcome::Signal(signal)
            } else if e
                .chain()
                .any(|c| c.downcast_ref::<passthrough::Refused>().is_some())
            {
                Outcome::Usage
            } else {
                Outcome::Failed
            }
        }
    };
    let _ = io.stderr.flush();
    outcome.into()
}

/// Prints an error: `error: <message>`, or `{"error": {...}}` under
/// `--json`, from the same message.
fn report_error(e: &anyhow::Error, io: &mut Io) {
    let message = render_error(e);
    if io.json {
        let _ = writeln!(io.stderr, "{}", json::error(e, &message));
    } else {
        let _ = writeln!(io.stderr, "error: {message}");
    }
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
    /// `--json`: stdout holds one JSON document, errors are JSON.
    json: bool,
    /// Under `--json`, the warnings for the document.
    warnings: Vec<serde_json::Value>,
}

impl Io<'_> {
    /// A warning: on stderr, or kept for the JSON document.
    fn warn(&mut self, text: &str, value: serde_json::Value) -> io::Result<()> {
        if self.json {
            self.warnings.push(value);
            Ok(())
        } else {
            writeln!(self.stderr, "{text}")
        }
    }
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
            json,
        } => {
            let schemas = checks.schemas(&place.cwd)?;
            let out_path = out.path(place);
            let synthesized = synth(
                app,
                &env,
                &stacks,
                &out_path,
                out.wait(),
                schemas.as_ref(),
                io,
                if json {
                    Summary::Quiet
                } else {
                    Summary::Stdout
                },
            )?;
            if json {
                let document = json_synth(&env, &out_path, &synthesized, io);
                writeln!(io.stdout, "{document}")?;
            }
            Ok(Outcome::Success)
        }
        Command::Validate {
            stacks,
            schema,
            json: _,
        } => {
            let schemas = load_schemas(schema.as_deref(), &place.cwd)?;
            validate(app, &env, &stacks, &schemas, io)
        }
        Command::List { json: _ } => list(app, &env, io),
        Command::Diff {
            target,
            detailed_exitcode,
        } => run::run(
            app,
            &env,
            place,
            run::Verb::Diff { detailed_exitcode },
            target,
            io,
        ),
        Command::Deploy {
            target,
            auto_approve,
        } => run::run(
            app,
            &env,
            place,
            run::Verb::Deploy { auto_approve },
            target,
            io,
        ),
        Command::Destroy {
            target,
            auto_approve,
        } => run::run(
            app,
            &env,
            place,
            run::Verb::Destroy { auto_approve },
            target,
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

/// Where the summary of a synth goes: stdout for `kite synth`, stderr when
/// terraform's output follows on stdout, nowhere under `--json` (the
/// document holds it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Summary {
    Stdout,
    Stderr,
    Quiet,
}

/// What a synthesis wrote, and what the commands that follow need of it.
struct Synthesized {
    written: Vec<WrittenStack>,
    /// The output, locked: held through what follows (terraform).
    output: OutputDir,
    /// Of each stack written, in the same order.
    facts: Vec<StackFacts>,
    elapsed: Duration,
}

/// What a run over stacks needs to know of a synthesized stack.
#[derive(Clone, Debug)]
struct StackFacts {
    name: String,
    /// The stacks to deploy before it (the manifest's `dependencies`).
    dependencies: Vec<String>,
    /// The stacks whose state it reads, and the outputs it reads there.
    reads: BTreeMap<String, BTreeSet<String>>,
}

impl StackFacts {
    fn of(stack: &SynthesizedStack) -> Self {
        StackFacts {
            name: stack.name.clone(),
            dependencies: stack.dependencies.clone(),
            reads: crate::cross_stack::state_reads(&stack.dependencies, stack.all_references()),
        }
    }
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
) -> Result<Synthesized> {
    let started = Instant::now();
    let defs = app.select(names)?;
    // Unchanged assets keep the fingerprints the output remembers.
    crate::fingerprints::load(out);
    // Read once, before the lock (see `check_stacks`).
    let record = Record::load(out);
    let done = check_stacks(app, env, &defs, schemas, record.as_ref(), out, io)?;
    let checked = Checked {
        stacks: done,
        record,
    };
    write_stacks(env, checked, out, wait, io, summary, started)
}

/// Builds, synthesizes and checks the stacks `defs`; the stacks, or every
/// reason they cannot be written.
fn check_stacks(
    app: &App,
    env: &Env,
    defs: &[&StackDef],
    schemas: Option<&Schemas>,
    record: Option<&Record>,
    out: &Path,
    io: &mut Io,
) -> Result<Vec<SynthesizedStack>> {
    let mut done: Vec<SynthesizedStack> = Vec::with_capacity(defs.len());
    let mut failures: Vec<StackFailure> = Vec::new();
    // What this program found to match its bundled schemas before, the
    // output's record remembers: the same content against the same schemas
    // would give the same findings, none (doc/adr/0017). It was read
    // without the lock: a record half written does not parse, and one
    // written since says nothing false.
    let bundled = schemas.is_some_and(Schemas::are_bundled);
    let record = record.filter(|_| bundled);
    for built in build_and_synthesize(app, defs, env, io) {
        let mut synthesized = match built {
            Ok(s) => s,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if let Some(schemas) = schemas {
            let found_clean = record.as_ref().is_some_and(|r| r.found_clean(&synthesized));
            let findings = if found_clean {
                Vec::new()
            } else {
                crate::validate::validate(&synthesized, schemas)
            };
            synthesized.clean_against_bundled = bundled && findings.is_empty();
            let errors: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            for warning in findings.iter().filter(|f| f.severity == Severity::Warning) {
                io.warn(&warning.to_string(), json::finding(warning))?;
            }
            if !errors.is_empty() {
                let lines: Vec<String> = errors.iter().map(|f| f.to_string()).collect();
                failures.push(StackFailure {
                    stack: synthesized.name.clone(),
                    message: format!(
                        "stack `{}` does not match the provider schemas ({} error{}):\n{}\nFix the stack, or pass --no-validate to write it anyway.",
                        synthesized.name,
                        errors.len(),
                        if errors.len() == 1 { "" } else { "s" },
                        lines.join("\n")
                    ),
                    problems: Vec::new(),
                    findings: errors.into_iter().cloned().collect(),
                });
                continue;
            }
        }
        done.push(synthesized);
    }
    if !failures.is_empty() {
        return Err(SynthFailed {
            failures,
            out: out.to_path_buf(),
        }
        .into());
    }
    Ok(done)
}

/// Stacks checked and ready to be written, and the output's record as read
/// before the lock.
struct Checked {
    stacks: Vec<SynthesizedStack>,
    record: Option<Record>,
}

/// Locks the output directory and writes the checked stacks into it, then
/// prints the summary.
fn write_stacks(
    env: &Env,
    Checked {
        stacks: done,
        record,
    }: Checked,
    out: &Path,
    wait: Wait,
    io: &mut Io,
    summary: Summary,
    started: Instant,
) -> Result<Synthesized> {
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
    let written = output.write_with_record(&done, record)?;
    if let Err(e) = crate::fingerprints::save(out) {
        let text = format!(
            "warning: the assets' fingerprints could not be kept in {} ({e}); the next synth hashes them again",
            out.display()
        );
        let value = json::warning("", &text);
        io.warn(&text, value)?;
    }
    let facts: Vec<StackFacts> = done.iter().map(StackFacts::of).collect();
    if io.exiting {
        std::mem::forget(done);
    }
    let elapsed = started.elapsed();
    let report: &mut dyn Write = match summary {
        Summary::Stdout => &mut *io.stdout,
        Summary::Stderr => &mut *io.stderr,
        Summary::Quiet => &mut io::sink(),
    };
    print_summary(report, env, &written, elapsed).with_context(|| {
        format!(
            "{} was written, but its summary could not be printed",
            out.display()
        )
    })?;
    Ok(Synthesized {
        written,
        output,
        facts,
        elapsed,
    })
}

/// A path as the human output shows it: inside the project, relative to it.
fn shown_path<'a>(env: &Env, path: &'a Path) -> &'a Path {
    path.strip_prefix(env.project_root()).unwrap_or(path)
}

fn print_summary(
    report: &mut dyn Write,
    env: &Env,
    written: &[WrittenStack],
    elapsed: std::time::Duration,
) -> io::Result<()> {
    use std::fmt::Write as _;
    // Composed, then written at once: standard output is line-buffered.
    let mut text = String::with_capacity(64 * (written.len() + 1));
    for w in written {
        let _ = writeln!(
            text,
            "{:<12} {:>5} resources  {}",
            w.name,
            w.resource_count,
            shown_path(env, &w.config_path).display()
        );
    }
    let _ = writeln!(
        text,
        "Synthesized {} stack{} in {:.1} ms",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        elapsed.as_secs_f64() * 1000.0
    );
    report.write_all(text.as_bytes())?;
    report.flush()
}

/// `kite synth --json`'s document (also the `synth` member of a run's).
fn json_synth(env: &Env, out: &Path, s: &Synthesized, io: &mut Io) -> serde_json::Value {
    let stacks: Vec<serde_json::Value> = s
        .written
        .iter()
        .zip(&s.facts)
        .map(|(w, facts)| {
            serde_json::json!({
                "name": w.name,
                "resources": w.resource_count,
                "path": shown_path(env, &w.config_path).display().to_string(),
                "dependencies": facts.dependencies,
            })
        })
        .collect();
    serde_json::json!({
        "out": shown_path(env, out).display().to_string(),
        "stacks": stacks,
        "warnings": std::mem::take(&mut io.warnings),
        "elapsed_ms": json::millis(s.elapsed),
    })
}

/// Synthesizes in memory and reports every finding; fails when any is an error.
fn validate(
    app: &App,
    env: &Env,
    names: &[String],
    schemas: &Schemas,
    io: &mut Io,
) -> Result<Outcome> {
    let started = Instant::now();
    let defs = app.select(names)?;
    let mut failed = false;
    let mut documented: Vec<serde_json::Value> = Vec::new();
    for built in build_and_synthesize(app, &defs, env, io) {
        let synthesized = match built {
            Ok(s) => s,
            Err(e) => {
                failed = true;
                if io.json {
                    documented.push(serde_json::json!({
                        "name": e.stack,
                        "error": e.to_json(),
                    }));
                } else {
                    writeln!(io.stderr, "error: {}", e.message)?;
                }
                continue;
            }
        };
        let findings = crate::validate::validate(&synthesized, schemas);
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings.len() - errors;
        failed |= errors > 0;
        if io.json {
            documented.push(serde_json::json!({
                "name": synthesized.name,
                "resources": synthesized.resource_count,
                "dependencies": synthesized.dependencies,
                "errors": errors,
                "warnings": warnings,
                "findings": findings.iter().map(json::finding).collect::<Vec<_>>(),
            }));
            continue;
        }
        for f in &findings {
            writeln!(io.stderr, "{f}")?;
        }
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
    if io.json {
        let document = serde_json::json!({
            "stacks": documented,
            "warnings": std::mem::take(&mut io.warnings),
            "elapsed_ms": json::millis(started.elapsed()),
        });
        writeln!(io.stdout, "{document}")?;
    }
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// Prints what building a stack found worth saying.
fn print_warnings(env: &Env, stack: &str, io: &mut Io) -> io::Result<()> {
    for warning in env.take_warnings() {
        io.warn(
            &format!("warning: stack `{stack}`: {warning}"),
            json::warning(stack, &warning),
        )?;
    }
    Ok(())
}

/// Builds the stacks (each group once) and synthesizes each.
fn build_and_synthesize(
    app: &App,
    defs: &[&StackDef],
    env: &Env,
    io: &mut Io,
) -> Vec<std::result::Result<SynthesizedStack, StackFailure>> {
    let (built, others) = app.build_many_and_others(defs, env);
    if io.exiting {
        std::mem::forget(others);
    }
    let _ = print_warnings(env, &names_of(defs), io);
    built
        .into_iter()
        .map(|(def, stack)| {
            let stack = stack.map_err(|e| StackFailure {
                stack: def.name().to_owned(),
                message: format!("stack `{}`: {}", def.name(), render_error(&e)),
                problems: Vec::new(),
                findings: Vec::new(),
            })?;
            synth::synthesize(stack).map_err(|e: StackError| StackFailure {
                stack: e.stack.clone(),
                message: e.to_string(),
                problems: e.problems.clone(),
                findings: Vec::new(),
            })
        })
        .collect()
}

/// `a, b`: the names of stacks, for messages.
fn names_of(defs: &[&StackDef]) -> String {
    defs.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
}

fn list(app: &App, env: &Env, io: &mut Io) -> Result<Outcome> {
    let started = Instant::now();
    let mut failed = false;
    let defs: Vec<&StackDef> = app.stacks().iter().collect();
    let built = app.build_many(&defs, env);
    print_warnings(env, &names_of(&defs), io)?;
    if io.json {
        let mut stacks = Vec::new();
        for (def, built) in built {
            stacks.push(match built {
                Ok(stack) => serde_json::json!({
                    "name": def.name(),
                    "description": def.description(),
                    "backend": stack.backend().map(|b| b.type_name()),
                    "resources": stack.resource_count(),
                    "dependencies": stack.dependencies(),
                }),
                Err(e) => {
                    failed = true;
                    serde_json::json!({
                        "name": def.name(),
                        "description": def.description(),
                        "error": {"message": format!("cannot be built: {}", render_error(&e)), "stack": def.name()},
                    })
                }
            });
        }
        let document = serde_json::json!({
            "stacks": stacks,
            "warnings": std::mem::take(&mut io.warnings),
            "elapsed_ms": json::millis(started.elapsed()),
        });
        writeln!(io.stdout, "{document}")?;
        return Ok(if failed {
            Outcome::Failed
        } else {
            Outcome::Success
        });
    }
    let out = &mut *io.stdout;
    writeln!(
        out,
        "{:<12} {:<8} {:>9}  {:<14}  DESCRIPTION",
        "STACK", "BACKEND", "RESOURCES", "NEEDS"
    )?;
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
/// becomes kite's. (`kite output`; diff, deploy and destroy are [`run`]s.)
fn drive(
    app: &App,
    env: &Env,
    target: Target,
    place: &Place,
    args: &[&str],
    io: &mut Io,
) -> Result<Outcome> {
    let name = one_stack(app, target.stack, "output")?;
    let out = target.out.path(place);
    let terraform = Terraform::from_env(env)?;
    let schemas = target.checks.schemas(&place.cwd)?;
    let Synthesized {
        written,
        output: _locked,
        ..
    } = synth(
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
