//! `kite diff|deploy|destroy` over one stack or several (doc/adr/0015).
//!
//! A run synthesizes the selected stacks once and holds the output's lock
//! to its end. It orders them by their dependencies ([`order`]), then, per
//! stack, in the stack's directory: `terraform init`; for diff and deploy,
//! a check that every stack whose state it reads has outputs; `plan
//! -out=kite.tfplan -json`; `show -json kite.tfplan`, whose changes make
//! the summary; for deploy and destroy, a confirmation (unless
//! `--auto-approve`) and `apply -json kite.tfplan`. The plan file is removed
//! afterwards, whatever happened. terraform's JSON messages are rendered
//! for the user ([`diagnostics`]); what it printed is kept, as it printed
//! it, in `terraform.log` in the stack's directory (`--raw` shows it
//! instead). With `--parallelism N`, a stack starts as soon as every stack
//! it must follow has succeeded, up to N at once; their `init`s take turns
//! (a shared plugin cache is not safe for two at once). The first failure stops
//! the run: running stacks finish, no other starts.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use clap::Args;
use serde_json::{Value, json};

use super::diagnostics::{self, BlockIndex, Diagnostic, Rendered};
use super::exit::{self, Outcome};
use super::order::{self, Direction};
use super::plan::Changes;
use super::terraform::{self, Source};
use super::{Checks, Io, OutDir, Place, Summary, Terraform, json, passthrough, signals};
use crate::app::App;
use crate::channel::{self, RecvTimeoutError, Sender};
use crate::collections::map_of;
use crate::env::Env;
use crate::input::{MANIFEST_LIMIT, read_limited_regular};
use crate::synth::manifest::Manifest;
use crate::synth::written::Record;

/// The plan file kite saves in a stack's directory and removes after use.
pub(crate) const PLAN_FILE: &str = "kite.tfplan";
/// What terraform printed in the last run, in the stack's directory.
pub(crate) const LOG_FILE: &str = "terraform.log";

/// The stacks a run works on, and how.
#[derive(Debug, Args)]
pub(super) struct Targets {
    /// The stacks (every stack with --all; needed when the app has more
    /// than one).
    pub(super) stacks: Vec<String>,
    /// Every stack of the app.
    #[arg(long, conflicts_with = "stacks")]
    pub(super) all: bool,
    /// How many stacks may run at once; a stack starts when every stack it
    /// depends on has succeeded.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub(super) parallelism: u16,
    /// Show terraform's own output instead of kite's rendering of its JSON
    /// messages (both are kept in terraform.log in the stack's directory).
    #[arg(long)]
    pub(super) raw: bool,
    /// Print the summary as one JSON document on stdout (terraform's
    /// messages go to stderr; errors are JSON).
    #[arg(long)]
    pub(super) json: bool,
    #[command(flatten)]
    pub(super) out: OutDir,
    #[command(flatten)]
    pub(super) checks: Checks,
    /// Arguments for `terraform plan`, after `--`: `-target=ADDRESS`,
    /// `-replace=ADDRESS`, `-refresh=false`, `-var NAME=VALUE`.
    #[arg(last = true, value_name = "TERRAFORM_ARGS")]
    pub(super) terraform_args: Vec<String>,
}

/// What a run does to each stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verb {
    Diff { detailed_exitcode: bool },
    Deploy { auto_approve: bool },
    Destroy { auto_approve: bool },
}

impl Verb {
    fn name(self) -> &'static str {
        match self {
            Verb::Diff { .. } => "diff",
            Verb::Deploy { .. } => "deploy",
            Verb::Destroy { .. } => "destroy",
        }
    }

    /// Whether it applies a plan, after asking unless told not to.
    fn applies(self) -> Option<bool> {
        match self {
            Verb::Diff { .. } => None,
            Verb::Deploy { auto_approve } | Verb::Destroy { auto_approve } => Some(auto_approve),
        }
    }

    fn direction(self) -> Direction {
        match self {
            Verb::Destroy { .. } => Direction::DependentsFirst,
            _ => Direction::DependenciesFirst,
        }
    }
}

/// One stack of the run.
struct RunStack {
    name: String,
    dir: PathBuf,
    /// terraform with the stack's secret inputs in its environment.
    terraform: Terraform,
    /// The stacks whose state it reads, and the outputs it reads there.
    reads: BTreeMap<String, BTreeSet<String>>,
}

/// How a stack's part of the run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Succeeded,
    Failed,
    /// Stopped by a signal.
    Interrupted,
    NotRun,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Interrupted => "interrupted",
            State::NotRun => "not_run",
        }
    }
}

/// What happened to one stack.
#[derive(Clone, Debug)]
struct StackReport {
    name: String,
    state: State,
    /// The status this stack's failure gives the run.
    status: Option<u8>,
    changes: Option<Changes>,
    /// Whether a plan was applied.
    applied: bool,
    /// Why it failed or did not run.
    message: Option<String>,
    diagnostics: Vec<Diagnostic>,
    elapsed: Duration,
    log: Option<PathBuf>,
}

impl StackReport {
    fn new(name: &str) -> Self {
        StackReport {
            name: name.to_owned(),
            state: State::NotRun,
            status: None,
            changes: None,
            applied: false,
            message: None,
            diagnostics: Vec::new(),
            elapsed: Duration::ZERO,
            log: None,
        }
    }
}

/// From a stack's thread to the thread that prints.
enum Event {
    Line {
        stack: usize,
        text: String,
        /// stderr rather than stdout.
        error: bool,
        /// A JSON document of its own (under `--json`): not prefixed.
        json: bool,
    },
    Ask {
        stack: usize,
        question: String,
        reply: Sender<Answer>,
    },
    Done {
        stack: usize,
        report: Box<StackReport>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    Interrupted,
}

/// A producer's output names, or why they cannot be read: read once.
type ProducerOutputs = OnceLock<Result<BTreeSet<String>, String>>;

/// What every stack's thread shares.
struct Shared<'a> {
    verb: Verb,
    raw: bool,
    /// `--json`: errors and diagnostics on stderr are JSON.
    json: bool,
    user_args: &'a [String],
    apply_args: Vec<String>,
    selected: BTreeSet<String>,
    /// `OUT/stacks`.
    stacks_dir: PathBuf,
    /// terraform without any stack's secrets: for reading producers' outputs.
    terraform: Terraform,
    /// Each producer's outputs, read once per run.
    producers: Mutex<BTreeMap<String, Arc<ProducerOutputs>>>,
    /// The stacks `init` succeeded in during this run.
    initialized: Mutex<BTreeSet<String>>,
    /// Held while a `terraform init` runs: one at a time, since inits
    /// sharing a plugin cache (`TF_PLUGIN_CACHE_DIR`, `plugin_cache_dir`)
    /// at once can fail ("text file busy") or leave a provider half
    /// written; terraform does not make the cache safe for that.
    init_turn: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A terraform command as the logs show it: `$ terraform plan ...`.
fn command_line(t: &Terraform, args: &[String]) -> String {
    format!("$ {} {}", t.binary(), passthrough::shown(args))
}

impl Shared<'_> {
    /// `terraform init -input=false` in `dir` with `t`, in turn with every
    /// other init of the run: `log` gets the command line, then each line
    /// and `on_line` each line. Returns the arguments, for messages.
    fn init(
        &self,
        t: &Terraform,
        dir: &Path,
        log: &(dyn Fn(&str) + Sync),
        on_line: &(dyn Fn(&str) + Sync),
    ) -> (Vec<String>, Result<std::process::ExitStatus>) {
        let args = t.arguments_with(&["init", "-input=false"], &[]);
        log(&command_line(t, &args));
        let _turn = lock(&self.init_turn);
        let status = t.run_lines(dir, &args, &|_source, line| {
            log(line);
            on_line(line);
        });
        (args, status)
    }
}

/// The stacks named, every stack with `--all`, or the app's only stack; in
/// the app's order.
fn select(app: &App, targets: &Targets, verb: Verb) -> Result<Vec<String>> {
    let all: Vec<&str> = app.stacks().iter().map(|d| d.name()).collect();
    if targets.all || (targets.stacks.is_empty() && all.len() == 1) {
        return Ok(all.iter().map(|s| (*s).to_owned()).collect());
    }
    if targets.stacks.is_empty() {
        let command = verb.name();
        bail!(
            "this app has {} stacks ({}): name the ones to {command}, as `kite {command} {}`, or pass --all",
            all.len(),
            all.join(", "),
            all.first().copied().unwrap_or("STACK")
        );
    }
    let chosen = app.select(&targets.stacks)?;
    Ok(all
        .iter()
        .filter(|n| chosen.iter().any(|d| d.name() == **n))
        .map(|n| (*n).to_owned())
        .collect())
}

/// The dependencies the output's manifest lists, for the stacks this run
/// did not synthesize.
fn manifest_dependencies(out: &Path) -> BTreeMap<String, Vec<String>> {
    read_limited_regular(&out.join("manifest.json"), MANIFEST_LIMIT, "a manifest")
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Manifest>(&bytes).ok())
        .map(|m| map_of(m.stacks.into_iter().map(|(name, s)| (name, s.dependencies))))
        .unwrap_or_default()
}

pub(super) fn run(
    app: &App,
    env: &Env,
    place: &Place,
    verb: Verb,
    targets: Targets,
    io: &mut Io,
) -> Result<Outcome> {
    passthrough::check(&targets.terraform_args)?;
    let names = select(app, &targets, verb)?;
    if verb.applies() == Some(false) && !std::io::stdin().is_terminal() {
        bail!(
            "kite {0} asks before it changes anything, and its standard input is not a terminal: pass --auto-approve to {0} without asking",
            verb.name()
        );
    }
    let base = Terraform::from_env(env)?;
    let schemas = targets.checks.schemas(&place.cwd)?;
    let out = targets.out.path(place);
    let started = Instant::now();
    crate::fingerprints::load(&out);
    let record = Record::load(&out);
    let defs = app.select(&names)?;
    let mut done =
        super::check_stacks(app, env, &defs, schemas.as_ref(), record.as_ref(), &out, io)?;
    // A stack whose state a selected stack reads is synthesized too (not
    // run): its outputs are read from its directory.
    if !matches!(verb, Verb::Destroy { .. }) {
        let mut producers: Vec<String> = Vec::new();
        for stack in &done {
            let facts = super::StackFacts::of(stack);
            for producer in facts.reads.keys() {
                if !names.contains(producer) && !producers.contains(producer) {
                    producers.push(producer.clone());
                }
            }
        }
        if !producers.is_empty() {
            let defs = app.select(&producers)?;
            done.extend(super::check_stacks(
                app,
                env,
                &defs,
                schemas.as_ref(),
                record.as_ref(),
                &out,
                io,
            )?);
        }
    }
    let summary = if targets.json {
        Summary::Quiet
    } else {
        Summary::Stderr
    };
    let checked = super::Checked {
        stacks: done,
        record,
    };
    let synthesized =
        super::write_stacks(env, checked, &out, targets.out.wait(), io, summary, started)?;
    let synth_json = if targets.json {
        Some(super::json_synth(env, &out, &synthesized, io))
    } else {
        None
    };

    let mut dependencies = manifest_dependencies(&out);
    for facts in &synthesized.facts {
        dependencies.insert(facts.name.clone(), facts.dependencies.clone());
    }
    let order = order::order(&names, &dependencies, verb.direction()).map_err(|cycle| {
        anyhow!(
            "the stacks {} depend on each other, as {} lists them: synthesize them again (`kite synth`) to update it",
            cycle.join(", "),
            out.join("manifest.json").display()
        )
    })?;
    let mut stacks: Vec<RunStack> = Vec::with_capacity(order.sequence.len());
    for name in &order.sequence {
        let i = synthesized
            .written
            .iter()
            .position(|w| &w.name == name)
            .ok_or_else(|| anyhow!("stack `{name}` was not written"))?;
        let written = &synthesized.written[i];
        let dir = written
            .config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| out.join("stacks").join(name));
        stacks.push(RunStack {
            name: name.clone(),
            dir,
            terraform: base.clone().with_secrets(env, &written.secrets)?,
            reads: synthesized.facts[i].reads.clone(),
        });
    }
    let shared = Shared {
        verb,
        raw: targets.raw,
        json: targets.json,
        user_args: &targets.terraform_args,
        apply_args: passthrough::for_apply(&targets.terraform_args),
        selected: names.iter().cloned().collect(),
        stacks_dir: synthesized.output.path().join("stacks"),
        terraform: base,
        producers: Mutex::new(BTreeMap::new()),
        initialized: Mutex::new(BTreeSet::new()),
        init_turn: Mutex::new(()),
    };
    let after: Vec<Vec<usize>> = stacks
        .iter()
        .map(|s| {
            order.after[&s.name]
                .iter()
                .filter_map(|p| stacks.iter().position(|t| &t.name == p))
                .collect()
        })
        .collect();
    let printer = Printer {
        names: stacks.iter().map(|s| s.name.clone()).collect(),
        prefix: stacks.len() > 1,
        json: targets.json,
    };
    let run_started = Instant::now();
    let (reports, first_failure, write_error) = {
        let _run = signals::RunGuard::new();
        execute(
            &shared,
            &stacks,
            &after,
            usize::from(targets.parallelism),
            &printer,
            io,
        )
    };
    let signal = signals::received();
    let status = run_status(verb, &reports, first_failure, signal);
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if targets.json {
        let document = json!({
            "command": verb.name(),
            "order": order.sequence,
            "stacks": reports.iter().map(report_json).collect::<Vec<_>>(),
            "succeeded": names_in(&reports, State::Succeeded),
            "failed": names_in(&reports, State::Failed),
            "interrupted": names_in(&reports, State::Interrupted),
            "not_run": names_in(&reports, State::NotRun),
            "signal": signal,
            "exit_status": status,
            "synth": synth_json,
            "elapsed_ms": json::millis(run_started.elapsed()),
        });
        writeln!(io.stdout, "{document}")?;
    } else {
        print_summary(io.stdout, verb, &reports, signal)?;
    }
    drop(synthesized.output);
    Ok(Outcome::Run(status))
}

fn names_in(reports: &[StackReport], state: State) -> Vec<&str> {
    reports
        .iter()
        .filter(|r| r.state == state)
        .map(|r| r.name.as_str())
        .collect()
}

/// The run's exit status: the first failure's; 128 + N when a signal kept
/// stacks from running; with `diff --detailed-exitcode`, 1 for a failure
/// and 2 for changes.
fn run_status(
    verb: Verb,
    reports: &[StackReport],
    first_failure: Option<usize>,
    signal: Option<i32>,
) -> u8 {
    let detailed = matches!(
        verb,
        Verb::Diff {
            detailed_exitcode: true
        }
    );
    if let Some(first) = first_failure {
        return match (detailed, signal) {
            (true, Some(n)) => exit::by_signal(n),
            (true, None) => 1,
            (false, _) => reports[first].status.unwrap_or(exit::KITE_ERROR),
        };
    }
    if let Some(n) = signal {
        if reports.iter().any(|r| r.state != State::Succeeded) {
            return exit::by_signal(n);
        }
    }
    if detailed && reports.iter().any(|r| r.changes.is_some_and(|c| c.any())) {
        return 2;
    }
    0
}

/// Prints what the stacks' threads send, with the stack's name before each
/// line when more than one stack runs.
struct Printer {
    names: Vec<String>,
    prefix: bool,
    json: bool,
}

impl Printer {
    fn print(
        &self,
        io: &mut Io,
        stack: usize,
        text: &str,
        error: bool,
        json: bool,
    ) -> std::io::Result<()> {
        let stream: &mut dyn Write = if error || self.json {
            &mut *io.stderr
        } else {
            &mut *io.stdout
        };
        for line in text.split('\n') {
            if self.prefix && !json {
                writeln!(stream, "[{}] {line}", self.names[stack])?;
            } else {
                writeln!(stream, "{line}")?;
            }
        }
        stream.flush()
    }
}

/// Runs the stacks: each in a thread of its own once the stacks before it
/// have succeeded, at most `parallelism` at once, none after a failure or a
/// signal. Returns each stack's report (in run order), the first failure,
/// and the first error writing kite's output (the run goes on without it).
fn execute(
    shared: &Shared,
    stacks: &[RunStack],
    after: &[Vec<usize>],
    parallelism: usize,
    printer: &Printer,
    io: &mut Io,
) -> (Vec<StackReport>, Option<usize>, Option<std::io::Error>) {
    let mut reports: Vec<StackReport> = stacks.iter().map(|s| StackReport::new(&s.name)).collect();
    let mut started = vec![false; stacks.len()];
    let mut first_failure: Option<usize> = None;
    let mut write_error: Option<std::io::Error> = None;
    let (tx, rx) = channel::channel::<Event>();
    std::thread::scope(|scope| {
        let mut running = 0usize;
        loop {
            if first_failure.is_none() && signals::received().is_none() {
                for i in 0..stacks.len() {
                    if running >= parallelism {
                        break;
                    }
                    let ready = !started[i]
                        && after[i]
                            .iter()
                            // A report is `NotRun` until its stack is done.
                            .all(|&p| reports[p].state == State::Succeeded);
                    if ready {
                        started[i] = true;
                        running += 1;
                        let tx = tx.clone();
                        let stack = &stacks[i];
                        scope.spawn(move || {
                            let report =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    run_stack(shared, stack, i, &tx)
                                }))
                                .unwrap_or_else(|_| {
                                    let mut report = StackReport::new(&stack.name);
                                    report.state = State::Failed;
                                    report.status = Some(exit::KITE_ERROR);
                                    report.message = Some("kite stopped unexpectedly".into());
                                    report
                                });
                            let _ = tx.send(Event::Done {
                                stack: i,
                                report: Box::new(report),
                            });
                        });
                    }
                }
            }
            if running == 0 {
                break;
            }
            let event = match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let printed = match event {
                Event::Line {
                    stack,
                    text,
                    error,
                    json,
                } => printer.print(io, stack, &text, error, json),
                Event::Ask {
                    stack,
                    question,
                    reply,
                } => {
                    let printed = printer.print(io, stack, &question, true, false);
                    let _ = reply.send(ask());
                    printed
                }
                Event::Done { stack, report } => {
                    running -= 1;
                    if matches!(report.state, State::Failed | State::Interrupted)
                        && first_failure.is_none()
                    {
                        first_failure = Some(stack);
                    }
                    reports[stack] = *report;
                    Ok(())
                }
            };
            if let Err(e) = printed {
                write_error.get_or_insert(e);
            }
        }
    });
    // Why the others did not run.
    let signal = signals::received();
    for i in 0..stacks.len() {
        if started[i] {
            continue;
        }
        let failed_before = after[i]
            .iter()
            .find(|&&p| reports[p].state != State::Succeeded)
            .map(|&p| stacks[p].name.clone());
        reports[i].message = Some(match (signal, failed_before, first_failure) {
            (Some(n), _, _) => format!("kite received signal {n}"),
            (None, Some(p), _) => format!("stack `{p}` did not succeed"),
            (None, None, Some(f)) => format!(
                "the run stopped at the failure of stack `{}`",
                stacks[f].name
            ),
            (None, None, None) => "not started".into(),
        });
    }
    (reports, first_failure, write_error)
}

/// Reads the user's answer from the terminal: `yes` or not, or a signal.
fn ask() -> Answer {
    static LINES: OnceLock<Mutex<channel::Receiver<Option<String>>>> = OnceLock::new();
    let lines = LINES.get_or_init(|| {
        let (tx, rx) = channel::channel();
        // Reads stdin for as long as the process lives: a read cannot be
        // abandoned, and a signal must not wait for the user to press Enter.
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            loop {
                let mut line = String::new();
                let read = stdin.read_line(&mut line);
                let end = !matches!(read, Ok(n) if n > 0);
                if tx.send((!end).then_some(line)).is_err() || end {
                    return;
                }
            }
        });
        Mutex::new(rx)
    });
    let lines = lock(lines);
    loop {
        if signals::received().is_some() {
            return Answer::Interrupted;
        }
        match lines.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(line)) if line.trim() == "yes" => return Answer::Yes,
            Ok(_) => return Answer::No,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return Answer::No,
        }
    }
}

/// Removes the plan file when dropped: plan files can hold sensitive values.
struct PlanFile(PathBuf);

impl Drop for PlanFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// One stack's thread: what it says, and its log.
struct Job<'a> {
    stack: &'a RunStack,
    /// `--json`: errors and diagnostics are sent as JSON.
    json: bool,
    index: usize,
    tx: &'a Sender<Event>,
    log: Mutex<Option<File>>,
    blocks: OnceLock<BlockIndex>,
    diagnostics: Mutex<Vec<Diagnostic>>,
}

impl Job<'_> {
    fn say(&self, text: &str, error: bool) {
        let _ = self.tx.send(Event::Line {
            stack: self.index,
            text: self.stack.terraform.redact(text).into_owned(),
            error,
            json: false,
        });
    }

    /// A JSON document on stderr (under `--json`).
    fn say_json(&self, value: &Value) {
        let _ = self.tx.send(Event::Line {
            stack: self.index,
            text: self.stack.terraform.redact(&value.to_string()).into_owned(),
            error: true,
            json: true,
        });
    }

    /// An error that stops the stack: `error: ...`, or under `--json`
    /// `{"error": {"message", "stack", "exit_status"}}`.
    fn say_error(&self, stop: &Stop) {
        if self.json {
            self.say_json(&json!({"error": {
                "message": stop.message,
                "stack": self.stack.name,
                "exit_status": stop.status,
            }}));
        } else {
            self.say(&format!("error: {}", stop.message), true);
        }
    }

    fn log(&self, line: &str) {
        if let Some(file) = lock(&self.log).as_mut() {
            let _ = writeln!(file, "{}", self.stack.terraform.redact(line));
        }
    }

    /// Runs terraform with `args` in the stack's directory, logging the
    /// command line and every line, which `on_line` gets too; fails the
    /// stack unless it exits with one of `ok`.
    fn terraform(
        &self,
        args: &[String],
        ok: &[i32],
        on_line: &(dyn Fn(Source, &str) + Sync),
    ) -> Result<(), Stop> {
        let t = &self.stack.terraform;
        self.log_command(args);
        let status = t
            .run_lines(&self.stack.dir, args, &|source, line| {
                self.log(line);
                on_line(source, line);
            })
            .map_err(|e| Stop::from_error(&e))?;
        check_status(status, ok, |code| self.failed(args, code))
    }

    /// Runs terraform like [`Job::terraform`], capturing its standard
    /// output instead (neither logged nor shown: it may hold secrets);
    /// standard error is logged and shown.
    fn terraform_captured(&self, args: &[String]) -> Result<Vec<u8>, Stop> {
        let t = &self.stack.terraform;
        self.log_command(args);
        let (status, captured) = t
            .run_captured(&self.stack.dir, args, &|line| {
                self.log(line);
                self.say(line, true);
            })
            .map_err(|e| Stop::from_error(&e))?;
        check_status(status, &[0], |code| self.failed(args, code))?;
        Ok(captured)
    }

    /// The command line, into the log.
    fn log_command(&self, args: &[String]) {
        self.log(&command_line(&self.stack.terraform, args));
    }

    /// Why the stack stopped: terraform with `args` exited with `code`.
    fn failed(&self, args: &[String], code: u8) -> String {
        format!(
            "`{} {}` failed (exit {code}) in {}",
            self.stack.terraform.binary(),
            passthrough::shown(args),
            self.stack.dir.display()
        )
    }

    fn blocks(&self) -> &BlockIndex {
        self.blocks
            .get_or_init(|| BlockIndex::load(&self.stack.dir))
    }

    /// A line of terraform's JSON output, rendered.
    fn render(&self, line: &str) {
        let line = self.stack.terraform.redact(line);
        match diagnostics::render_line(&line, &self.stack.name, self.blocks()) {
            Rendered::Text(text) => self.say(&text, false),
            Rendered::Diagnostic(d) => {
                if self.json {
                    self.say_json(&diagnostics::to_json(&d));
                } else {
                    self.say(&d.to_string(), true);
                }
                lock(&self.diagnostics).push(d);
            }
            Rendered::Nothing => {}
        }
    }
}

/// Why a stack's part stopped early.
struct Stop {
    state: State,
    status: u8,
    message: String,
}

impl Stop {
    fn failed(status: u8, message: String) -> Self {
        // A command that failed after a signal was stopped by it.
        let state = if signals::received().is_some() {
            State::Interrupted
        } else {
            State::Failed
        };
        Stop {
            state,
            status,
            message,
        }
    }

    /// terraform could not be run, or was not started after a signal.
    fn from_error(e: &anyhow::Error) -> Self {
        match terraform::interrupted(e) {
            Some(signal) => Stop {
                state: State::Interrupted,
                status: exit::by_signal(signal),
                message: super::render_error(e),
            },
            None => Stop::failed(exit::KITE_ERROR, super::render_error(e)),
        }
    }
}

fn run_stack(shared: &Shared, stack: &RunStack, index: usize, tx: &Sender<Event>) -> StackReport {
    let started = Instant::now();
    let log_path = stack.dir.join(LOG_FILE);
    let job = Job {
        stack,
        json: shared.json,
        index,
        tx,
        log: Mutex::new(None),
        blocks: OnceLock::new(),
        diagnostics: Mutex::new(Vec::new()),
    };
    let mut report = StackReport::new(&stack.name);
    match terraform::create_log(&log_path, false) {
        Ok(file) => {
            *lock(&job.log) = Some(file);
            report.log = Some(log_path);
        }
        Err(e) => {
            let text = format!(
                "cannot write {} ({e}); terraform's output is not kept",
                log_path.display()
            );
            if job.json {
                job.say_json(&json!({"warning": json::warning(&stack.name, &text)}));
            } else {
                job.say(&format!("warning: {text}"), true);
            }
        }
    }
    let result = stack_steps(shared, &job, &mut report);
    report.elapsed = started.elapsed();
    report.diagnostics = std::mem::take(&mut *lock(&job.diagnostics));
    match result {
        Ok(()) => report.state = State::Succeeded,
        Err(stop) => {
            job.say_error(&stop);
            report.state = stop.state;
            report.status = Some(stop.status);
            report.message = Some(stop.message);
        }
    }
    report
}

/// A terraform command that ended with `status`: fine when its exit code is
/// one of `ok`, else why it stopped the stack.
fn check_status(
    status: std::process::ExitStatus,
    ok: &[i32],
    what: impl FnOnce(u8) -> String,
) -> Result<(), Stop> {
    match status.code() {
        Some(code) if ok.contains(&code) => Ok(()),
        _ => {
            let kite_status = exit::terraform_status(status);
            Err(Stop::failed(kite_status, what(kite_status)))
        }
    }
}

fn stack_steps(shared: &Shared, job: &Job, report: &mut StackReport) -> Result<(), Stop> {
    let stack = job.stack;
    let t = &stack.terraform;
    let dir = &stack.dir;

    // init
    let init_lines: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let (args, status) = shared.init(t, dir, &|line| job.log(line), &|line| {
        if shared.raw {
            job.say(line, true);
        } else {
            lock(&init_lines).push(line.to_owned());
        }
    });
    let status = status.map_err(|e| Stop::from_error(&e))?;
    check_status(status, &[0], |code| {
        if !shared.raw {
            job.say(&lock(&init_lines).join("\n"), true);
        }
        format!(
            "`{} {}` failed in {} (exit {code}); stack `{}` was not planned",
            t.binary(),
            passthrough::shown(&args),
            dir.display(),
            stack.name
        )
    })?;
    lock(&shared.initialized).insert(stack.name.clone());

    // The stacks whose state it reads must have outputs.
    if !matches!(shared.verb, Verb::Destroy { .. }) {
        for (producer, read) in &stack.reads {
            let deployed_before =
                matches!(shared.verb, Verb::Deploy { .. }) && shared.selected.contains(producer);
            if deployed_before {
                continue;
            }
            check_producer(shared, &stack.name, producer, read)?;
        }
    }

    // plan
    let plan_file = PlanFile(dir.join(PLAN_FILE));
    let out_arg = format!("-out={PLAN_FILE}");
    let mut own: Vec<&str> = vec!["plan", "-input=false", &out_arg];
    if !shared.raw {
        own.push("-json");
    }
    let detailed = matches!(
        shared.verb,
        Verb::Diff {
            detailed_exitcode: true
        }
    );
    match shared.verb {
        Verb::Destroy { .. } => own.push("-destroy"),
        Verb::Diff { .. } if detailed => own.push("-detailed-exitcode"),
        _ => {}
    }
    let args = t.arguments_with(&own, shared.user_args);
    let ok: &[i32] = if detailed { &[0, 2] } else { &[0] };
    job.terraform(&args, ok, &|source, line| match source {
        Source::Stdout if !shared.raw => job.render(line),
        Source::Stdout => job.say(line, false),
        Source::Stderr => job.say(line, true),
    })?;

    // What the plan changes. `show -json` prints sensitive values in the
    // clear: it is read, never shown or logged.
    let args = t.arguments_with(&["show", "-json"], &[PLAN_FILE.to_owned()]);
    let shown = job.terraform_captured(&args)?;
    let changes = Changes::from_show_json(&shown).ok_or_else(|| {
        Stop::failed(
            exit::KITE_ERROR,
            format!(
                "`{} show -json {PLAN_FILE}` did not print a plan kite can read, in {}",
                t.binary(),
                dir.display()
            ),
        )
    })?;
    drop(shown);
    report.changes = Some(changes);

    let Some(auto_approve) = shared.verb.applies() else {
        if changes.any() && !shared.raw {
            show_plan(job)?;
        }
        return Ok(());
    };
    if !changes.any() {
        job.say("No changes: nothing to apply.", false);
        return Ok(());
    }
    if !auto_approve {
        if !shared.raw {
            show_plan(job)?;
        }
        let (reply, answer) = channel::channel();
        let _ = job.tx.send(Event::Ask {
            stack: job.index,
            question: format!(
                "{} stack `{}` ({changes})? Only `yes` is accepted:",
                match shared.verb {
                    Verb::Destroy { .. } => "Destroy",
                    _ => "Deploy",
                },
                stack.name
            ),
            reply,
        });
        match answer.recv() {
            Ok(Answer::Yes) => {}
            Ok(Answer::No) | Err(_) => {
                return Err(Stop::failed(
                    1,
                    format!(
                        "stack `{}` was not changed: the answer was not `yes`",
                        stack.name
                    ),
                ));
            }
            Ok(Answer::Interrupted) => {
                return Err(Stop {
                    state: State::Interrupted,
                    status: exit::by_signal(signals::received().unwrap_or(2)),
                    message: format!("stack `{}` was not changed: interrupted", stack.name),
                });
            }
        }
    }

    // apply
    let mut own: Vec<&str> = vec!["apply", "-input=false"];
    if !shared.raw {
        own.push("-json");
    }
    let mut trailing = shared.apply_args.clone();
    trailing.push(PLAN_FILE.to_owned());
    let args = t.arguments_with(&own, &trailing);
    job.terraform(&args, &[0], &|source, line| match source {
        // apply repeats the plan's planned changes: shown already.
        Source::Stdout if !shared.raw && !diagnostics::is_planned_change(line) => job.render(line),
        Source::Stdout if !shared.raw => {}
        Source::Stdout => job.say(line, false),
        Source::Stderr => job.say(line, true),
    })?;
    // The plan file goes now, and on every early return above.
    drop(plan_file);
    report.applied = true;
    Ok(())
}

/// terraform's own rendering of the saved plan (`terraform show`), for the
/// user to read.
fn show_plan(job: &Job) -> Result<(), Stop> {
    let args = job
        .stack
        .terraform
        .arguments_with(&["show"], &[PLAN_FILE.to_owned()]);
    job.terraform(&args, &[0], &|source, line| {
        job.say(line, source == Source::Stderr)
    })?;
    Ok(())
}

/// Fails the stack when `producer`, whose outputs `read` it reads through
/// its state, has no outputs yet, or not those: terraform would fail with
/// "Unable to find remote state" or an unknown attribute.
fn check_producer(
    shared: &Shared,
    consumer: &str,
    producer: &str,
    read: &BTreeSet<String>,
) -> Result<(), Stop> {
    let cell = lock(&shared.producers)
        .entry(producer.to_owned())
        .or_default()
        .clone();
    let outputs = cell
        .get_or_init(|| producer_outputs(shared, producer))
        .clone()
        .map_err(|message| Stop::failed(exit::KITE_ERROR, message))?;
    let deploy = format!("deploy `{producer}` first (`kite deploy {producer}`)");
    if outputs.is_empty() {
        return Err(Stop::failed(
            exit::KITE_ERROR,
            format!(
                "stack `{consumer}` reads the state of stack `{producer}`, which has no outputs yet: {deploy}"
            ),
        ));
    }
    let missing: Vec<&str> = read
        .iter()
        .filter(|o| !outputs.contains(*o))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(Stop::failed(
            exit::KITE_ERROR,
            format!(
                "stack `{consumer}` reads outputs of stack `{producer}` that its state does not have yet ({}): {deploy}",
                missing.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The names of a producer's outputs: `terraform output -json` in its
/// directory (after `init`, unless this run did it), logged in its
/// `terraform.log`.
fn producer_outputs(shared: &Shared, producer: &str) -> Result<BTreeSet<String>, String> {
    let dir = shared.stacks_dir.join(producer);
    let t = &shared.terraform;
    let log = terraform::create_log(&dir.join(LOG_FILE), true)
        .ok()
        .map(Mutex::new);
    let write = |line: &str| {
        if let Some(log) = &log {
            let _ = writeln!(lock(log), "{}", t.redact(line));
        }
    };
    let lines: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let cannot = |what: String| {
        format!(
            "cannot read the outputs of stack `{producer}`, whose state other stacks read: {what}"
        )
    };
    if !lock(&shared.initialized).contains(producer) {
        let (args, status) = shared.init(t, &dir, &write, &|line| {
            lock(&lines).push(t.redact(line).into_owned());
        });
        let status = status.map_err(|e| cannot(super::render_error(&e)))?;
        if !status.success() {
            return Err(cannot(format!(
                "`{} {}` failed in {} ({}):\n{}",
                t.binary(),
                passthrough::shown(&args),
                dir.display(),
                exit::terraform_status(status),
                lock(&lines).join("\n")
            )));
        }
    }
    let args = t.arguments_with(&["output", "-json"], &[]);
    write(&command_line(t, &args));
    let (status, bytes) = t
        .run_captured(&dir, &args, &|line| {
            write(line);
            lock(&lines).push(t.redact(line).into_owned());
        })
        .map_err(|e| cannot(super::render_error(&e)))?;
    if !status.success() {
        return Err(cannot(format!(
            "`{} {}` failed in {}:\n{}",
            t.binary(),
            passthrough::shown(&args),
            dir.display(),
            lock(&lines).join("\n")
        )));
    }
    let outputs: Value = serde_json::from_slice(&bytes)
        .map_err(|e| cannot(format!("`terraform output -json` did not print JSON ({e})")))?;
    Ok(outputs
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default())
}

fn report_json(r: &StackReport) -> Value {
    json!({
        "name": r.name,
        "status": r.state.name(),
        "exit_status": r.status,
        "changes": r.changes,
        "applied": r.applied,
        "message": r.message,
        "diagnostics": r.diagnostics,
        "elapsed_ms": json::millis(r.elapsed),
        "log": r.log.as_ref().map(|p| p.display().to_string()),
    })
}

/// The summary: a line per stack, then which stacks succeeded, failed and
/// did not run.
fn print_summary(
    out: &mut dyn Write,
    verb: Verb,
    reports: &[StackReport],
    signal: Option<i32>,
) -> std::io::Result<()> {
    let width = reports.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut lines: Vec<(&str, String, String)> = Vec::new();
    for r in reports {
        let what = match r.state {
            State::Succeeded => match (verb, r.changes) {
                (_, Some(c)) if !c.any() => "no changes".to_owned(),
                (Verb::Diff { .. }, Some(c)) => format!("plan: {c}"),
                (_, Some(c)) if r.applied => format!(
                    "{}: {}",
                    if matches!(verb, Verb::Destroy { .. }) {
                        "destroyed"
                    } else {
                        "applied"
                    },
                    applied(&c)
                ),
                _ => "succeeded".to_owned(),
            },
            State::Failed | State::Interrupted => {
                let mut text = format!(
                    "{} (status {})",
                    if r.state == State::Failed {
                        "failed"
                    } else {
                        "interrupted"
                    },
                    r.status.unwrap_or(exit::KITE_ERROR)
                );
                if let Some(c) = r.changes {
                    text.push_str(&format!(", planned {c}"));
                }
                let errors = r
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == crate::validate::Severity::Error)
                    .count();
                if errors > 0 {
                    text.push_str(&format!(
                        ", {errors} error{}",
                        if errors == 1 { "" } else { "s" }
                    ));
                }
                text
            }
            State::NotRun => format!("not run: {}", r.message.as_deref().unwrap_or("")),
        };
        let time = if r.state == State::NotRun {
            String::new()
        } else {
            format!("{:.1} s", r.elapsed.as_secs_f64())
        };
        lines.push((&r.name, what, time));
    }
    let what_width = lines.iter().map(|l| l.1.len()).max().unwrap_or(0);
    writeln!(out)?;
    writeln!(out, "Summary of kite {}:", verb.name())?;
    for (name, what, time) in lines {
        let line = format!("  {name:<width$}  {what:<what_width$}  {time}");
        writeln!(out, "{}", line.trim_end())?;
    }
    let mut parts = Vec::new();
    for (state, label) in [
        (State::Succeeded, "Succeeded"),
        (State::Failed, "Failed"),
        (State::Interrupted, "Interrupted"),
        (State::NotRun, "Not run"),
    ] {
        let names = names_in(reports, state);
        if !names.is_empty() {
            parts.push(format!("{label}: {}.", names.join(", ")));
        }
    }
    if let Some(n) = signal {
        parts.push(format!("Stopped by signal {n}."));
    }
    writeln!(out, "{}", parts.join(" "))?;
    out.flush()
}

/// Applied changes, in the past tense.
fn applied(c: &Changes) -> String {
    c.to_string()
        .replace(" to add", " added")
        .replace(" to change", " changed")
        .replace(" to destroy", " destroyed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        name: &str,
        state: State,
        status: Option<u8>,
        changes: Option<Changes>,
    ) -> StackReport {
        let mut r = StackReport::new(name);
        r.state = state;
        r.status = status;
        r.changes = changes;
        r
    }

    #[test]
    fn the_run_returns_the_first_failure_s_status() {
        let reports = [
            report("a", State::Succeeded, None, None),
            report("b", State::Failed, Some(1), None),
            report("c", State::NotRun, None, None),
        ];
        let deploy = Verb::Deploy { auto_approve: true };
        assert_eq!(run_status(deploy, &reports, Some(1), None), 1);
        let detailed = Verb::Diff {
            detailed_exitcode: true,
        };
        assert_eq!(run_status(detailed, &reports, Some(1), None), 1);
        assert_eq!(run_status(detailed, &reports, Some(1), Some(15)), 143);
    }

    #[test]
    fn detailed_exit_codes_say_whether_any_stack_has_changes() {
        let changed = Changes {
            add: 1,
            ..Changes::default()
        };
        let detailed = Verb::Diff {
            detailed_exitcode: true,
        };
        let none = [
            report("a", State::Succeeded, None, Some(Changes::default())),
            report("b", State::Succeeded, None, Some(Changes::default())),
        ];
        assert_eq!(run_status(detailed, &none, None, None), 0);
        let some = [
            report("a", State::Succeeded, None, Some(Changes::default())),
            report("b", State::Succeeded, None, Some(changed)),
        ];
        assert_eq!(run_status(detailed, &some, None, None), 2);
        let plain = Verb::Diff {
            detailed_exitcode: false,
        };
        assert_eq!(run_status(plain, &some, None, None), 0);
    }

    #[test]
    fn a_signal_that_kept_stacks_from_running_is_the_status() {
        let reports = [
            report("a", State::Succeeded, None, None),
            report("b", State::NotRun, None, None),
        ];
        assert_eq!(
            run_status(Verb::Deploy { auto_approve: true }, &reports, None, Some(2)),
            130
        );
    }
}
