//! `kite diff|deploy|destroy|output` against a stand-in terraform: an
//! executable first on PATH that records what it was asked and exits with
//! the status the test picks. No real terraform, provider or network.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A project directory with a stand-in `terraform` (and `tofu`) on PATH.
struct Harness {
    project: tempfile::TempDir,
    bin: tempfile::TempDir,
}

/// One recorded invocation.
#[derive(Debug, PartialEq)]
struct Call {
    program: String,
    cwd: PathBuf,
    args: Vec<String>,
    token: String,
    aws_profile: String,
    /// `TF_VAR_telegram_bot_token`: a secret input.
    bot_token: String,
}

const STAND_IN: &str = r#"#!/bin/sh
# Records its name, working directory, arguments and environment, then exits
# with STANDIN_EXIT_<SUBCOMMAND> (0 by default). Shell builtins only: PATH
# holds nothing else.
{
  printf 'program=%s\n' "${0##*/}"
  printf 'cwd=%s\n' "$PWD"
  printf 'token=%s\n' "${CLOUDFLARE_API_TOKEN:-}"
  printf 'aws_profile=%s\n' "${AWS_PROFILE:-}"
  printf 'bot_token=%s\n' "${TF_VAR_telegram_bot_token:-}"
  for a in "$@"; do printf 'arg=%s\n' "$a"; done
  printf 'end\n'
} >> "$STANDIN_LOG"
case "$1" in
  init) echo "Initializing the backend..."; exit "${STANDIN_EXIT_INIT:-0}" ;;
  output) [ "$2" = "-json" ] && echo '{"url":{"value":"https://x"}}'; exit "${STANDIN_EXIT_OUTPUT:-0}" ;;
  plan) exit "${STANDIN_EXIT_PLAN:-0}" ;;
  apply) exit "${STANDIN_EXIT_APPLY:-0}" ;;
  destroy) exit "${STANDIN_EXIT_DESTROY:-0}" ;;
esac
exit 0
"#;

impl Harness {
    fn new() -> Self {
        let bin = tempfile::tempdir().unwrap();
        for name in ["terraform", "tofu"] {
            let path = bin.path().join(name);
            std::fs::write(&path, STAND_IN).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let project = tempfile::tempdir().unwrap();
        // An empty .env makes it the project directory.
        std::fs::write(project.path().join(".env"), "").unwrap();
        Harness { project, bin }
    }

    fn log(&self) -> PathBuf {
        self.bin.path().join("calls.log")
    }

    /// Runs kite with PATH holding only the stand-ins.
    fn kite(&self, args: &[&str], vars: &[(&str, &str)]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_kite"))
            .args(args)
            .current_dir(self.project.path())
            .env_clear()
            .env("PATH", self.bin.path())
            .env("STANDIN_LOG", self.log())
            .env("KITE_LAMBDA_ZIP", common::fixture_zip())
            .envs(vars.iter().copied())
            .output()
            .unwrap()
    }

    fn calls(&self) -> Vec<Call> {
        let Ok(text) = std::fs::read_to_string(self.log()) else {
            return Vec::new();
        };
        let mut calls = Vec::new();
        let mut current = Call {
            program: String::new(),
            cwd: PathBuf::new(),
            args: Vec::new(),
            token: String::new(),
            aws_profile: String::new(),
            bot_token: String::new(),
        };
        for line in text.lines() {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            match key {
                "program" => current.program = value.to_owned(),
                "cwd" => current.cwd = PathBuf::from(value),
                "token" => current.token = value.to_owned(),
                "aws_profile" => current.aws_profile = value.to_owned(),
                "bot_token" => current.bot_token = value.to_owned(),
                "arg" => current.args.push(value.to_owned()),
                "end" => calls.push(std::mem::replace(
                    &mut current,
                    Call {
                        program: String::new(),
                        cwd: PathBuf::new(),
                        args: Vec::new(),
                        token: String::new(),
                        aws_profile: String::new(),
                        bot_token: String::new(),
                    },
                )),
                _ => panic!("unexpected log line {line}"),
            }
        }
        calls
    }

    fn stack_dir(&self, stack: &str) -> PathBuf {
        self.project.path().join("cdktf.out/stacks").join(stack)
    }

    fn args(&self) -> Vec<Vec<String>> {
        self.calls().into_iter().map(|c| c.args).collect()
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a.canonicalize().unwrap() == b.canonicalize().unwrap()
}

#[test]
fn diff_synthesizes_then_inits_and_plans_in_the_stack_directory() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        h.args(),
        [
            strings(&["init", "-input=false", "-no-color"]),
            strings(&["plan", "-no-color"])
        ]
    );
    for call in h.calls() {
        assert_eq!(call.program, "terraform");
        assert!(
            same_dir(&call.cwd, &h.stack_dir("local")),
            "{}",
            call.cwd.display()
        );
    }
    assert!(
        h.stack_dir("local").join("cdk.tf.json").is_file(),
        "synthesized first"
    );
    assert!(!h.stack_dir("kite").exists(), "only the stack asked for");
}

/// Every call ran in the stack's directory.
fn assert_ran_in(h: &Harness, stack: &str) {
    let calls = h.calls();
    assert!(!calls.is_empty());
    for call in calls {
        assert!(
            same_dir(&call.cwd, &h.stack_dir(stack)),
            "{} ran in {}",
            call.args.join(" "),
            call.cwd.display()
        );
    }
}

/// Runs `kite ARGS` against a fresh stand-in and checks that terraform was
/// asked for `init -input=false`, then exactly `expected`, in `stack`'s directory.
fn assert_drives(args: &[&str], stack: &str, expected: &[&str]) {
    let h = Harness::new();
    let out = h.kite(args, &[]);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ran_in(&h, stack);
    assert_eq!(
        h.args(),
        [
            strings(&["init", "-input=false", "-no-color"]),
            strings(&[expected, &["-no-color"]].concat())
        ],
        "{args:?}"
    );
}

#[test]
fn deploy_applies_and_approves_only_when_asked() {
    assert_drives(&["deploy", "local"], "local", &["apply"]);
    assert_drives(
        &["deploy", "local", "--auto-approve"],
        "local",
        &["apply", "-auto-approve"],
    );
}

#[test]
fn destroy_destroys_and_approves_only_when_asked() {
    assert_drives(&["destroy", "local"], "local", &["destroy"]);
    assert_drives(
        &["destroy", "local", "--auto-approve"],
        "local",
        &["destroy", "-auto-approve"],
    );
}

#[test]
fn output_prints_terraform_outputs_as_text_or_json() {
    assert_drives(&["output", "kite"], "kite", &["output"]);
    let h = Harness::new();
    let out = h.kite(&["output", "kite", "--json"], &[]);
    assert!(out.status.success());
    assert_eq!(
        h.args(),
        [
            strings(&["init", "-input=false", "-no-color"]),
            strings(&["output", "-json", "-no-color"])
        ]
    );
    // stdout is exactly what `terraform output -json` printed: init's and
    // kite's own messages went to stderr.
    let stdout = String::from_utf8(out.stdout).unwrap();
    let outputs: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    assert_eq!(outputs["url"]["value"], "https://x");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Initializing the backend"), "{stderr}");
    assert!(stderr.contains("Synthesized 1 stack"), "{stderr}");
}

#[test]
fn a_failing_init_stops_before_apply_and_its_status_is_returned() {
    let h = Harness::new();
    let out = h.kite(
        &["deploy", "local", "--auto-approve"],
        &[("STANDIN_EXIT_INIT", "3")],
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(h.args(), [strings(&["init", "-input=false", "-no-color"])]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`terraform init -input=false -no-color` failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`terraform apply -auto-approve -no-color` was not run"),
        "{stderr}"
    );
}

#[test]
fn terraform_s_exit_status_becomes_kite_s() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local"], &[("STANDIN_EXIT_PLAN", "2")]);
    assert_eq!(out.status.code(), Some(2));
    let out = h.kite(&["deploy", "local"], &[("STANDIN_EXIT_APPLY", "1")]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_token_reaches_terraform_s_environment_and_no_file() {
    let h = Harness::new();
    let token = format!("cf-token-{}", std::process::id());
    std::fs::write(
        h.project.path().join(".env"),
        format!("KITE_DOMAIN=k1te.chat\nCLOUDFLARE_API_TOKEN={token}\nAWS_PROFILE=from-dotenv\n"),
    )
    .unwrap();
    let out = h.kite(&["deploy", "kite"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = h.calls();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.token, token, "from .env into terraform's environment");
        assert_eq!(call.aws_profile, "from-dotenv");
    }
    for (path, bytes) in common::tree_bytes(&h.project.path().join("cdktf.out")) {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "token in {}",
            path.display()
        );
    }
}

#[test]
fn the_environment_wins_over_dotenv_for_terraform_too() {
    let h = Harness::new();
    std::fs::write(h.project.path().join(".env"), "AWS_PROFILE=from-dotenv\n").unwrap();
    assert!(
        h.kite(&["diff", "local"], &[("AWS_PROFILE", "from-env")])
            .status
            .success()
    );
    assert!(h.calls().iter().all(|c| c.aws_profile == "from-env"));
}

#[test]
fn terraform_binary_name_selects_another_binary() {
    let h = Harness::new();
    assert!(
        h.kite(&["diff", "local"], &[("TERRAFORM_BINARY_NAME", "tofu")])
            .status
            .success()
    );
    let calls = h.calls();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|c| c.program == "tofu"));
}

#[test]
fn a_missing_binary_is_a_one_line_error() {
    let h = Harness::new();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["deploy", "local"])
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("`terraform` was not found on PATH"),
        "{stderr}"
    );
    assert!(
        lines[0].contains("install Terraform") && lines[0].contains("TERRAFORM_BINARY_NAME"),
        "{stderr}"
    );
    let out = h.kite(
        &["diff", "local"],
        &[("TERRAFORM_BINARY_NAME", "no-such-tf")],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no-such-tf` was not found"));
}

#[test]
fn without_a_stack_name_kite_says_which_stacks_exist() {
    let h = Harness::new();
    let out = h.kite(&["deploy"], &[]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "this app has 4 stacks (kite, kite-dev, build, local): name the one to deploy"
        ),
        "{stderr}"
    );
    assert!(h.calls().is_empty(), "terraform is not run");
    assert!(
        !h.project.path().join("cdktf.out").exists(),
        "nothing is synthesized"
    );
}

#[test]
fn a_stack_that_cannot_be_synthesized_is_not_handed_to_terraform() {
    let h = Harness::new();
    let out = h.kite(&["deploy", "kite"], &[("KITE_DOMAIN", "k1te.chat")]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CLOUDFLARE_API_TOKEN is not"));
    assert!(h.calls().is_empty());
}

#[test]
fn the_token_from_the_environment_reaches_terraform_too() {
    let h = Harness::new();
    let out = h.kite(
        &["diff", "kite"],
        &[
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "from-env-token"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(h.calls().iter().all(|c| c.token == "from-env-token"));
    for (path, bytes) in common::tree_bytes(&h.project.path().join("cdktf.out")) {
        assert!(
            !bytes.windows(14).any(|w| w == b"from-env-token"),
            "token in {}",
            path.display()
        );
    }
}

/// A terraform whose `apply` records each signal it gets (Perl counts two
/// that arrive together as two, where a shell's trap would run once), stops
/// after `STANDIN_STOP_AFTER` of them (1 by default; after `STANDIN_TICKS`
/// tenths of a second at most, 50 by default), then exits 7: a graceful
/// stop that releases the state lock.
#[cfg(unix)]
const TRAPPING_APPLY: &str = r#"  apply)
    exec perl -e '
      my $state = "$ENV{STANDIN_LOG}.state";
      my $n = 0;
      sub record { open(my $f, ">>", $state) or die; print $f "$_[0]\n"; close($f) }
      $SIG{INT} = sub { record("INT"); $n++ };
      $SIG{TERM} = sub { record("TERM"); $n++ };
      record("apply-started");
      my $stop = $ENV{STANDIN_STOP_AFTER} || 1;
      my $ticks = $ENV{STANDIN_TICKS} || 50;
      for (my $i = 0; $n < $stop && $i < $ticks; $i++) { select(undef, undef, undef, 0.1) }
      record("apply-finished");
      exit 7;
    ' ;;
"#;

#[cfg(unix)]
impl Harness {
    /// The stand-in terraform with [`TRAPPING_APPLY`].
    fn trapping() -> Self {
        let h = Harness::new();
        let script = STAND_IN.replace(
            "case \"$1\" in\n",
            &format!("case \"$1\" in\n{TRAPPING_APPLY}"),
        );
        std::fs::write(h.bin.path().join("terraform"), script).unwrap();
        h
    }

    fn state(&self) -> String {
        std::fs::read_to_string(self.bin.path().join("calls.log.state")).unwrap_or_default()
    }

    /// Waits until the stand-in's apply has started (and set its traps).
    fn wait_for(&self, text: &str, count: usize) {
        let started = std::time::Instant::now();
        while self.state().matches(text).count() < count {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "never saw {text}: {}",
                self.state()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    fn spawn_deploy(&self, vars: &[(&str, &str)]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_kite"))
            .args(["deploy", "local", "--auto-approve"])
            .current_dir(self.project.path())
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.bin.path().display()),
            )
            .env("STANDIN_LOG", self.log())
            .envs(vars.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    }
}

#[cfg(unix)]
fn send(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[cfg(unix)]
#[test]
fn sigterm_reaches_terraform_and_kite_waits_for_it_and_returns_its_status() {
    let h = Harness::trapping();
    let mut kite = h.spawn_deploy(&[]);
    h.wait_for("apply-started", 1);
    // What a service manager or `timeout` sends to kite alone.
    send("TERM", kite.id());
    let status = kite.wait().unwrap();
    let state = h.state();
    assert_eq!(
        state.matches("TERM").count(),
        1,
        "terraform got the SIGTERM, once: {state}"
    );
    assert!(
        state.contains("apply-finished"),
        "terraform had stopped (and released the state lock) before kite exited: {state}"
    );
    assert_eq!(status.code(), Some(7), "terraform's status: {status:?}");
}

#[cfg(unix)]
#[test]
fn sigint_sent_to_kite_by_a_process_reaches_terraform_once() {
    let h = Harness::trapping();
    let mut kite = h.spawn_deploy(&[]);
    h.wait_for("apply-started", 1);
    send("INT", kite.id());
    let status = kite.wait().unwrap();
    let state = h.state();
    assert_eq!(state.matches("INT").count(), 1, "{state}");
    assert!(state.contains("apply-finished"), "{state}");
    assert_eq!(status.code(), Some(7), "{status:?}");
}

#[cfg(unix)]
#[test]
fn a_second_signal_is_forwarded_too() {
    let h = Harness::trapping();
    // This terraform stops only at the second signal, as a forced stop.
    let mut kite = h.spawn_deploy(&[("STANDIN_STOP_AFTER", "2")]);
    h.wait_for("apply-started", 1);
    send("TERM", kite.id());
    h.wait_for("TERM", 1);
    assert!(kite.try_wait().unwrap().is_none(), "kite still waits");
    send("TERM", kite.id());
    let status = kite.wait().unwrap();
    assert_eq!(h.state().matches("TERM").count(), 2, "{}", h.state());
    assert_eq!(status.code(), Some(7));
}

/// Ctrl-C in a terminal: the terminal sends SIGINT to kite and terraform
/// (one process group); kite must not send terraform a second one, which
/// would make it stop at once, leaving the state locked. In a terminal,
/// terraform keeps its colours.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_in_a_terminal_reaches_terraform_once_and_kite_returns_its_status() {
    use std::io::Write;
    let h = Harness::trapping();
    let kite = env!("CARGO_BIN_EXE_kite");
    // `script` runs kite on a new pseudo-terminal and copies its input
    // there: a 0x03 byte is Ctrl-C.
    let mut terminal = Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!("exec {kite} deploy local --auto-approve"))
        .arg("/dev/null")
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", h.bin.path().display()))
        .env("SHELL", "/bin/sh")
        .env("STANDIN_LOG", h.log())
        // terraform waits for a second SIGINT for 1.5 s: one forwarded by
        // kite would arrive in that time.
        .env("STANDIN_STOP_AFTER", "2")
        .env("STANDIN_TICKS", "15")
        .env("KITE_LAMBDA_ZIP", common::fixture_zip())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    h.wait_for("apply-started", 1);
    let mut keys = terminal.stdin.take().unwrap();
    keys.write_all(b"\x03").unwrap();
    keys.flush().unwrap();
    let started = std::time::Instant::now();
    while !h.state().contains("apply-finished") {
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = terminal.wait_with_output().unwrap();
    drop(keys);
    let state = h.state();
    assert_eq!(
        state.matches("INT").count(),
        1,
        "terraform got the terminal's SIGINT and no second one: {state}"
    );
    assert_eq!(output.status.code(), Some(7), "{output:?}");
    let apply = h.args().into_iter().find(|a| a[0] == "apply").unwrap();
    assert_eq!(
        apply,
        ["apply", "-auto-approve"],
        "no -no-color in a terminal"
    );
}

#[test]
fn the_terraform_commands_take_the_schema_options_of_synth() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local", "--no-validate"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        h.args(),
        [
            strings(&["init", "-input=false", "-no-color"]),
            strings(&["plan", "-no-color"])
        ]
    );

    let h = Harness::new();
    let out = h.kite(&["deploy", "local", "--schema", "missing.json"], &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot use the schema file"));
    assert!(
        h.calls().is_empty(),
        "nothing runs with a schema that cannot be read"
    );
}

/// Before: the `terraform` on PATH ran instead.
#[cfg(unix)]
#[test]
fn a_terraform_binary_name_that_is_not_utf8_is_an_error_naming_the_variable() {
    use std::os::unix::ffi::OsStrExt;
    let h = Harness::new();
    let out = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["diff", "local"])
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", h.bin.path())
        .env("STANDIN_LOG", h.log())
        .env(
            "TERRAFORM_BINARY_NAME",
            std::ffi::OsStr::from_bytes(b"to\xfffu"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("TERRAFORM_BINARY_NAME is not valid UTF-8") && stderr.contains(r"to\xfffu"),
        "{stderr}"
    );
    assert!(h.calls().is_empty(), "no terraform ran");
}

#[test]
fn a_stage_bot_token_reaches_terraform_through_its_environment_only() {
    let h = Harness::new();
    let token = "123456:AAbbCCddEEffGGhhIIjjKKll-secret-in-env";
    // From .env, as a user keeps it.
    std::fs::write(
        h.project.path().join(".env"),
        format!("TELEGRAM_DEV_BOT_TOKEN='{token}'\n"),
    )
    .unwrap();
    let out = h.kite(&["deploy", "kite-dev", "--auto-approve"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = h.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    for call in &calls {
        assert_eq!(call.bot_token, token, "TF_VAR_telegram_bot_token");
        assert!(
            call.args.iter().all(|a| !a.contains("AAbbCC")),
            "{:?}",
            call.args
        );
    }
    // Nothing synthesized holds it.
    for (path, bytes) in common::tree_bytes(&h.stack_dir("kite-dev")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret-in-env"),
            "{}",
            path.display()
        );
    }
}
