//! Running the terraform binary in a stack's directory.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::{Command, ExitStatus};

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
}

impl Terraform {
    /// The binary `TERRAFORM_BINARY_NAME` names (`terraform` when unset);
    /// an error when its value is not valid UTF-8.
    pub fn from_env(env: &Env) -> Result<Self> {
        Ok(Terraform {
            binary: env.get(BINARY_VARIABLE)?.unwrap_or("terraform").to_owned(),
            extra_env: env
                .dotenv_vars()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            color: io::stdout().is_terminal() && io::stderr().is_terminal(),
        })
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

    /// Runs terraform with `args` in `dir`, its output streaming to the
    /// user, and waits for it (see [`signals`] for SIGINT and SIGTERM). With
    /// `stdout_to_stderr`, what it prints goes to stderr, so that stdout
    /// holds only the command that follows (`terraform output -json` after
    /// `init`). An [`Interrupted`] error when kite received a signal before
    /// terraform could be started.
    pub fn run(&self, dir: &Path, args: &[&str], stdout_to_stderr: bool) -> Result<ExitStatus> {
        let args = self.arguments(args);
        let mut command = Command::new(&self.binary);
        command
            .args(&args)
            .current_dir(dir)
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)));
        if stdout_to_stderr {
            command.stdout(std::process::Stdio::from(std::io::stderr()));
        }
        match signals::run(&mut command) {
            Ok(Ok(status)) => Ok(status),
            Ok(Err(interrupted)) => Err(anyhow::Error::new(interrupted).context(format!(
                "`{} {}` was not started",
                self.binary,
                args.join(" ")
            ))),
            Err(e) => Err(match e.kind() {
                io::ErrorKind::NotFound => anyhow!(
                    "the terraform binary `{}` was not found on PATH: install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install), or set {BINARY_VARIABLE} to the binary to run (such as `tofu`)",
                    self.binary
                ),
                _ => anyhow!(
                    "cannot run `{} {}` in {}: {e}",
                    self.binary,
                    args.join(" "),
                    dir.display()
                ),
            }),
        }
    }
}

/// The signal that kept terraform from being started, if that is what `e` is.
pub(crate) fn interrupted(e: &anyhow::Error) -> Option<i32> {
    e.chain()
        .find_map(|cause| cause.downcast_ref::<Interrupted>())
        .map(|i| i.0)
}
