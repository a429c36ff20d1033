//! kite's exit statuses: the one place that maps what happened to them.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1, 2, ... | terraform's own status, passed through (`plan -detailed-exitcode`: 2 = changes) |
//! | 3 | kite's own error: configuration, synthesis, validation, I/O, a busy output with `--no-wait` |
//! | 64 | the command line is wrong (`--help` and `--version` are 0) |
//! | 128+N | kite was stopped by signal N before terraform ran (130 SIGINT, 143 SIGTERM); terraform was stopped by signal N; 141 (SIGPIPE) when standard output was closed by its reader |
//!
//! A run over several stacks (`kite deploy --all`) returns the status of
//! its first failure, or 128 + N when a signal kept stacks from running;
//! `kite diff --detailed-exitcode` returns 0 (no changes), 2 (changes) or 1
//! (a stack failed) over all the stacks it ran.
//!
//! terraform itself exits 0, 1 or 2: never 3 or 64.

use std::process::{ExitCode, ExitStatus};

/// kite's own error.
pub const KITE_ERROR: u8 = 3;
/// A command line that cannot be parsed (BSD's `EX_USAGE`).
pub const USAGE: u8 = 64;
/// SIGPIPE's number: standard output was closed by its reader.
const SIGPIPE: i32 = 13;

/// What a run of kite came to.
#[derive(Debug)]
pub(crate) enum Outcome {
    Success,
    /// terraform ran, and this is how it ended.
    Terraform(ExitStatus),
    /// kite's own error, already reported on stderr.
    Failed,
    /// The arguments could not be parsed.
    Usage,
    /// kite was stopped by this signal before it started terraform.
    Signal(i32),
    /// Standard output was closed by its reader (`kite list | head -1`):
    /// kite stops quietly, as a program killed by SIGPIPE.
    ClosedOutput,
    /// A run over stacks ended with this status (the first failure's, or
    /// 0/2/1 for `diff --detailed-exitcode`; see doc/adr/0015).
    Run(u8),
}

impl Outcome {
    pub(crate) fn status(&self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Terraform(status) => terraform_status(*status),
            Outcome::Failed => KITE_ERROR,
            Outcome::Usage => USAGE,
            Outcome::Signal(n) => by_signal(*n),
            Outcome::ClosedOutput => by_signal(SIGPIPE),
            Outcome::Run(status) => *status,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        ExitCode::from(outcome.status())
    }
}

/// 128 + N, as a shell reports a program stopped by signal N.
pub(crate) fn by_signal(n: i32) -> u8 {
    u8::try_from(128 + n.clamp(1, 127)).unwrap_or(255)
}

/// terraform's status as kite's: its exit code unchanged, or 128 + N when a
/// signal stopped it.
pub(crate) fn terraform_status(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(KITE_ERROR);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return by_signal(signal);
        }
    }
    KITE_ERROR
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn status(raw: i32) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        ExitStatus::from_raw(raw)
    }

    #[cfg(unix)]
    #[test]
    fn terraform_s_statuses_pass_through_and_never_look_like_kite_s() {
        assert_eq!(Outcome::Terraform(status(0)).status(), 0);
        assert_eq!(Outcome::Terraform(status(1 << 8)).status(), 1);
        assert_eq!(Outcome::Terraform(status(2 << 8)).status(), 2);
        // Killed by SIGKILL (raw wait status 9).
        assert_eq!(Outcome::Terraform(status(9)).status(), 137);
    }

    #[test]
    fn kite_s_own_statuses() {
        assert_eq!(Outcome::Success.status(), 0);
        assert_eq!(Outcome::Failed.status(), 3);
        assert_eq!(Outcome::Usage.status(), 64);
        assert_eq!(Outcome::Signal(2).status(), 130);
        assert_eq!(Outcome::Signal(15).status(), 143);
        assert_eq!(Outcome::ClosedOutput.status(), 141);
    }
}
