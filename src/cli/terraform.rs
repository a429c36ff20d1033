//! Running the terraform binary in a stack's directory.

use std::io;
use std::path::Path;
use std::process::{Command, ExitStatus};

use anyhow::{Result, anyhow};

use crate::env::Env;

/// cdktf's variable for another binary, such as OpenTofu's `tofu`.
const BINARY_VARIABLE: &str = "TERRAFORM_BINARY_NAME";

/// The terraform binary and the environment it runs with.
#[derive(Clone, Debug)]
pub struct Terraform {
    binary: String,
    /// Variables from `.env`, passed to terraform's environment (never
    /// written to a file): `CLOUDFLARE_API_TOKEN`, AWS credentials.
    extra_env: Vec<(String, String)>,
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
        })
    }

    pub fn binary(&self) -> &str {
        &self.binary
    }

    /// Runs terraform with `args` in `dir`, its output streaming to the
    /// user, and waits for it. With `stdout_to_stderr`, what it prints goes
    /// to stderr, so that stdout holds only the command that follows
    /// (`terraform output -json` after `init`).
    pub fn run(&self, dir: &Path, args: &[&str], stdout_to_stderr: bool) -> Result<ExitStatus> {
        let mut command = Command::new(&self.binary);
        command
            .args(args)
            .current_dir(dir)
            .envs(self.extra_env.iter().map(|(k, v)| (k, v)));
        if stdout_to_stderr {
            command.stdout(std::process::Stdio::from(std::io::stderr()));
        }
        // Ctrl-C reaches terraform too (same process group); kite waits for
        // it to stop cleanly (releasing the state lock) and returns its status.
        static WAIT_ON_INTERRUPT: std::sync::Once = std::sync::Once::new();
        WAIT_ON_INTERRUPT.call_once(|| {
            let _ = ctrlc::set_handler(|| {});
        });
        command
            .status()
            .map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => anyhow!(
                    "the terraform binary `{}` was not found on PATH: install Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install), or set {BINARY_VARIABLE} to the binary to run (such as `tofu`)",
                    self.binary
                ),
                _ => anyhow!("cannot run `{} {}` in {}: {e}", self.binary, args.join(" "), dir.display()),
            })
    }
}
