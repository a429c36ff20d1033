//! Running the terraform binary in a stack's directory.

use std::io::{self, BufRead, BufReader, IsTerminal, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use anyhow::{Result, anyhow};

use super::signals::{self, Interrupted};
use crate::env::Env;
use crate::stack::SecretInput;

/// cdktf's variable for another binary, such as OpenTofu's `tofu`.
const BINARY_VARIABLE: &str = "TERRAFORM_BINARY_NAME";

/// The terraform binary and the environment it runs with.
#[derive(Clone, Debug)]
pub struct Terraform {
    binary: String,
    /// Variables from `.env`, passed to terraform's environment (never
    /// written to a file): `CLOUDFLARE_API_TOKEN`, AWS credentials.
    extra_env: Vec<(String, String)>,
    /// Whether terraform may colour its output: only when kite's stdout and
    /// stderr are both terminals, so that no escape codes reach a log.
    color: bool,
    /// Values that must not reach a log or kite's output should terraform
    /// print them: the stack's secret inputs, and credentials from `.env`
    /// or the environment ([`is_credential`]).
    secrets: Vec<String>,
}

/// The shortest value [`Terraform::redact`] replaces: shorter ones would
/// blank out ordinary words.
const SHORTEST_SECRET: usize = 8;

/// Whether a variable's name says it holds a credential
/// (`CLOUDFLARE_API_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `TELEGRAM_BOT_TOKEN`).
fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD"]
        .iter()
        .any(|w| name.contains(w))
        || name.ends_with("_KEY")
}

impl Terraform {
    /// The binary `TERRAFORM_BINARY_NAME` names (`terraform` when unset);
    /// an error when its value is not valid UTF-8.
    pub fn from_env(env: &Env) -> Result<Self> {
        let mut secrets: Vec<String> = env
            .all_vars()
            .filter(|(k, _)| is_credential(k))
            .filter_map(|(_, v)| v.to_str().map(str::to_owned))
            .collect();
        secrets.retain(|v| v.len() >= SHORTEST_SECRET);
        Ok(Terraform {
            binary: env.get(BINARY_VARIABLE)?.unwrap_or("terraform").to_owned(),
            extra_env: env
                .dotenv_vars()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            color: io::stdout().is_terminal() && io::stderr().is_terminal(),
            secrets,
        })
    }

    /// `line` with every secret value kite knows of replaced by
    /// `(sensitive value)`, as terraform itself shows them: for what kite
    /// writes to `terraform.log` and prints, should terraform or a provider
    /// ever print one.
    pub(crate) fn redact<'a>(&self, line: &'a str) -> std::borrow::Cow<'a, str> {
        let mut text = std::borrow::Cow::Borrowed(line);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = std::borrow::Cow::Owned(text.replace(secret.as_str(), "(sensitive value)"));
            }
        }
        text
    }

    /// Gives terraform the stack's secret inputs through its environment
    /// (`TF_VAR_<name>`), read from their settings: never on a command line,
    /// never in a file.
    pub fn with_secrets(mut self, env: &Env, secrets: &[SecretInput]) -> Result<Self> {
        for secret in secrets {
            let Some(value) = env.get(&secret.setting)? else {
                return Err(anyhow!(
                    "{} is not set, and the stack needs it for its variable `{}` (a secret input): set it in .env or the environment",
                    secret.setting,
                    secret.variable
                ));
            };
            self.extra_env
                .push((format!("TF_VAR_{}", secret.variable), value.to_owned()));
            if value.len() >= SHORTEST_SECRET {
                self.secrets.push(value.to_owned());
            }
        }
        Ok(self)
    }

    pub fn binary(&self) -> &str {
        &self.binary
    }

    /// The arguments terraform is run with for `args`: `-no-color` added
    /// when kite's output is not a terminal.
    pub fn arguments<'a>(&self, args: &[&'a str]) -> Vec<&'a str> {
        let mut all = args.to_vec();
        if !self.color {
            all.push("-no-color");
        }
        all
    }

    /// The arguments terraform is run with: kite's own (`args`), `-no-color`
    /// when kite's output is not a terminal, then `trailing` (the user's
    /// arguments after `--`, a plan file).
    pub(crate) fn arguments_with(&self, args: &[&str], trailing: &[String]) -> Vec<String> {
        let mut all: Vec<String> = self
            .arguments(args)
            .into_iter()
            .map(str::to_owned)
            .collect();
        all.extend(trailing.iter().cloned());
        all
    }

    fn command(&self, dir: &Path, args: &[impl AsRef<std::ffi::OsStr>]) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .current_dir(dir)
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs terraform with `args` in `dir`, its output streaming to the
    /// user, and waits for it (see [`signals`] for SIGINT and SIGTERM). With
    /// `stdout_to_stderr`, what it prints goes to stderr, so that stdout
    /// holds only the command that follows (`terraform output -json` after
    /// `init`). An [`Interrupted`] error when kite received a signal before
    /// terraform could be started.
    pub fn run(&self, dir: &Path, args: &[&str], stdout_to_stderr: bool) -> Result<ExitStatus> {
        let args = self.arguments(args);
        let mut command = self.command(dir, &args);
        if stdout_to_stderr {
            command.stdout(std::process::Stdio::from(std::io::stderr()));
        }
        let shown = args.join(" ");
        let mut child = self.spawn(&mut command, dir, &shown)?;
        signals::wait(&mut child).map_err(|e| self.failed_to_run(&shown, dir, e))
    }

    /// Runs terraform with exactly `args` in `dir`, without input, and hands
    /// each line it prints to `on_line` (from two threads: stdout's and
    /// stderr's), as it comes.
    pub(crate) fn run_lines(
        &self,
        dir: &Path,
        args: &[String],
        on_line: &(dyn Fn(Source, &str) + Sync),
    ) -> Result<ExitStatus> {
        let (mut child, shown) = self.spawn_piped(dir, args)?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        std::thread::scope(|scope| {
            if let Some(out) = stdout {
                scope.spawn(move || read_lines(out, |line| on_line(Source::Stdout, line)));
            }
            if let Some(err) = stderr {
                scope.spawn(move || read_lines(err, |line| on_line(Source::Stderr, line)));
            }
            signals::wait(&mut child).map_err(|e| self.failed_to_run(&shown, dir, e))
        })
    }

    /// Runs terraform with exactly `args` in `dir`, without input, and
    /// returns its status and what it printed on stdout; stderr's lines go
    /// to `on_stderr`.
    pub(crate) fn run_captured(
        &self,
        dir: &Path,
        args: &[String],
        on_stderr: &(dyn Fn(&str) + Sync),
    ) -> Result<(ExitStatus, Vec<u8>)> {
        let (mut child, shown) = self.spawn_piped(dir, args)?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        std::thread::scope(|scope| {
            let captured = scope.spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut out) = stdout {
                    let _ = out.read_to_end(&mut bytes);
                }
                bytes
            });
            if let Some(err) = stderr {
                scope.spawn(move || read_lines(err, on_stderr));
            }
            let status =
                signals::wait(&mut child).map_err(|e| self.failed_to_run(&shown, dir, e))?;
            Ok((status, captured.join().unwrap_or_default()))
        })
    }

    /// Starts terraform with `args` in `dir`, without input, its stdout and
    /// stderr piped; also the command line as kite shows it.
    fn spawn_piped(&self, dir: &Path, args: &[String]) -> Result<(Child, String)> {
        let mut command = self.command(dir, args);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = super::passthrough::shown(args);
        let child = self.spawn(&mut command, dir, &shown)?;
        Ok((child, shown))
    }

    /// Starts `command`; an [`Interrupted`] error when a signal came first.
    fn spawn(&self, command: &mut Command, dir: &Path, shown: &str) -> Result<Child> {
        match signals::spawn(command) {
            Ok(Ok(child)) => Ok(child),
            Ok(Err(interrupted)) => Err(anyhow::Error::new(interrupted)
                .context(format!("`{} {shown}` was not started", self.binary))),
            Err(e) => Err(self.failed_to_run(shown, dir, e)),
        }
    }

    fn failed_to_run(&self, shown: &str, dir: &Path, e: io::Error) -> anyhow::Error {
        match e.kind() {
            io::ErrorKind::NotFound => anyhow!(
                "the terraform binary `{}` was not found on PATH: install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install), or set {BINARY_VARIABLE} to the binary to run (such as `tofu`)",
                self.binary
            ),
            _ => anyhow!(
                "cannot run `{} {shown}` in {}: {e}",
                self.binary,
                dir.display()
            ),
        }
    }
}

/// Which of terraform's streams a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    Stdout,
    Stderr,
}

/// Hands each line of `stream` to `on_line`, without its line ending
/// (invalid UTF-8 replaced), until the stream ends.
fn read_lines(stream: impl Read, on_line: impl Fn(&str)) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    line.pop();
                }
                on_line(&String::from_utf8_lossy(&line));
            }
        }
    }
}

/// Creates (or empties) a file for terraform's output, readable by its
/// owner only (0600 on Unix): what terraform prints may name resources and
/// accounts, and the file is not meant for anyone else.
pub(crate) fn create_log(path: &Path, append: bool) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // A file from before keeps its mode: set it.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// The signal that kept terraform from being started, if that is what `e` is.
pub(crate) fn interrupted(e: &anyhow::Error) -> Option<i32> {
    e.chain()
        .find_map(|cause| cause.downcast_ref::<Interrupted>())
        .map(|i| i.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_secret_inputs_are_redacted() {
        let token = "cf-0123456789abcdef";
        let bot = "123456:AAbbCCddEEff";
        let env = Env::from_vars(
            Path::new("/p"),
            [
                ("CLOUDFLARE_API_TOKEN", token),
                ("AWS_SECRET_ACCESS_KEY", "short"),
                ("KITE_DOMAIN", "example.com"),
                ("TELEGRAM_DEV_BOT_TOKEN", bot),
                ("BOT", "plain-but-secret-input"),
            ],
        );
        let t = Terraform::from_env(&env)
            .unwrap()
            .with_secrets(
                &env,
                &[SecretInput {
                    variable: "bot".into(),
                    setting: "BOT".into(),
                }],
            )
            .unwrap();
        assert_eq!(
            t.redact(&format!(
                "token {token}, bot {bot}, input plain-but-secret-input"
            )),
            "token (sensitive value), bot (sensitive value), input (sensitive value)"
        );
        // Not credentials, or too short to be told from ordinary words.
        assert_eq!(t.redact("example.com short"), "example.com short");
        assert!(matches!(
            t.redact("nothing here"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn the_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("terraform.log");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(create_log(&path, false).unwrap());
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), 0, "emptied");
    }
}
