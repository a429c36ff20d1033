//! A stand-in `terraform` for tests of the commands that drive it: an
//! executable first on PATH that records what it was asked, plays
//! terraform's part in the stack's directory (plan files, JSON messages, a
//! deployed state, outputs), and exits with the status the test picks. No
//! real terraform, provider or network. Included by the tests that use it
//! (`#[path = "common/standin.rs"] mod standin;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A project directory with a stand-in `terraform` (and `tofu`) on PATH.
pub struct Harness {
    pub project: tempfile::TempDir,
    pub bin: tempfile::TempDir,
}

/// One recorded invocation.
#[derive(Debug, PartialEq)]
pub struct Call {
    pub program: String,
    pub cwd: PathBuf,
    pub args: Vec<String>,
    pub token: String,
    pub aws_profile: String,
    /// `TF_VAR_telegram_bot_token`: a secret input.
    pub bot_token: String,
}

impl Call {
    fn empty() -> Self {
        Call {
            program: String::new(),
            cwd: PathBuf::new(),
            args: Vec::new(),
            token: String::new(),
            aws_profile: String::new(),
            bot_token: String::new(),
        }
    }

    /// The stack whose directory it ran in.
    pub fn stack(&self) -> String {
        self.cwd
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The terraform subcommand (`init`, `plan`, `show`, `apply`).
    pub fn subcommand(&self) -> &str {
        self.args.first().map(String::as_str).unwrap_or("")
    }
}

pub const STAND_IN: &str = r#"#!/bin/sh
# A stand-in terraform. Records its name, working directory, arguments and
# environment in $STANDIN_LOG, then plays terraform's part in the stack's
# directory (the stack is the directory's name):
# - plan -out=FILE [-json] [-destroy] [-detailed-exitcode]: saves the changes
#   in FILE: the lines of the file STANDIN_CHANGES names ("ACTION ADDRESS"),
#   else a create for each resource of cdk.tf.json when the stack is not
#   deployed (a delete for each when it is and -destroy is given);
# - show -json FILE: the changes as `resource_changes`; show FILE: as text;
# - apply FILE: marks the stack deployed (destroyed for a destroy plan) in
#   standin.state beside cdk.tf.json;
# - output -json: the outputs of cdk.tf.json once deployed, `{}` before.
# With -json, plan and apply print terraform's JSON messages, or replay the
# file STANDIN_REPLAY_PLAN / STANDIN_REPLAY_APPLY names. Each exits with
# STANDIN_EXIT_<SUBCOMMAND> (0 by default; plan -detailed-exitcode: 2 with
# changes). Every STANDIN_ setting can be given for one stack:
# STANDIN_EXIT_PLAN_kite_dev ('-' as '_') wins over STANDIN_EXIT_PLAN.
# Shell builtins only: PATH holds nothing else.
{
  printf 'program=%s\n' "${0##*/}"
  printf 'cwd=%s\n' "$PWD"
  printf 'token=%s\n' "${CLOUDFLARE_API_TOKEN:-}"
  printf 'aws_profile=%s\n' "${AWS_PROFILE:-}"
  printf 'bot_token=%s\n' "${TF_VAR_telegram_bot_token:-}"
  for a in "$@"; do printf 'arg=%s\n' "$a"; done
  printf 'end\n'
} >> "$STANDIN_LOG"
stack=${PWD##*/}
key=; s=$stack
while [ -n "$s" ]; do c=${s%"${s#?}"}; s=${s#?}; [ "$c" = - ] && c=_; key=$key$c; done
setting() { eval "value=\${STANDIN_$1_$key-\${STANDIN_$1-}}"; printf '%s' "$value"; }
print_file() { while IFS= read -r l || [ -n "$l" ]; do printf '%s\n' "$l"; done < "$1"; }
deployed() { [ -f standin.state ] && read -r st < standin.state && [ "$st" = deployed ]; }
# The names of a section of cdk.tf.json: TYPE.NAME of resources, NAME of outputs.
names() {
  section=; type=
  while IFS= read -r line; do
    case "$line" in
      "  \"$1\": {") section=$1 ;;
      '  "'*) section= ;;
      '    "'*'": {')
        [ "$section" = "$1" ] || continue
        type=${line#    \"}; type=${type%%\"*}
        [ "$1" = output ] && printf '%s\n' "$type" ;;
      '      "'*'": {')
        [ "$section" = resource ] && [ "$1" = resource ] || continue
        name=${line#      \"}; printf '%s.%s\n' "$type" "${name%%\"*}" ;;
    esac
  done < cdk.tf.json
}
status() { value=$(setting "$1"); printf '%s' "${value:-0}"; }
command=$1; shift
flags=; file=
for a in "$@"; do
  case "$a" in
    -out=*) file=${a#-out=} ;;
    -*) flags="$flags $a" ;;
    *) [ "$command" = plan ] || file=$a ;;
  esac
done
set -- "$command" "$@"
has() { case "$flags " in *" $1 "*) return 0 ;; esac; return 1; }
version='{"@level":"info","@message":"Terraform 1.11.4","type":"version","terraform":"1.11.4","ui":"1.2"}'
case "$1" in
  init) echo "Initializing the backend..."; exit "$(status EXIT_INIT)" ;;
  output)
    if has -json; then
      if deployed; then
        sep=; printf '{'
        for o in $(names output); do printf '%s"%s":{"sensitive":false,"type":"string","value":"standin"}' "$sep" "$o"; sep=,; done
        printf '}\n'
      else
        echo '{}'
      fi
    fi
    exit "$(status EXIT_OUTPUT)" ;;
  plan)
    if has -destroy; then echo 'plan destroy' > "$file"; else echo 'plan apply' > "$file"; fi
    changes=$(setting CHANGES)
    if [ -n "$changes" ]; then
      print_file "$changes" >> "$file"
    elif has -destroy; then
      deployed && for r in $(names resource); do echo "delete $r"; done >> "$file"
    else
      deployed || for r in $(names resource); do echo "create $r"; done >> "$file"
    fi
    n=0; add=0; change=0; remove=0
    while read -r action addr; do
      case "$action" in
        create) add=$((add+1)) ;; update) change=$((change+1)) ;; delete) remove=$((remove+1)) ;;
        replace) add=$((add+1)); remove=$((remove+1)) ;; *) continue ;;
      esac
      n=$((n+1))
    done < "$file"
    replay=$(setting REPLAY_PLAN)
    if [ -n "$replay" ]; then
      print_file "$replay"
    elif has -json; then
      echo "$version"
      while read -r action addr; do
        [ "$action" = plan ] && continue
        printf '{"@level":"info","@message":"%s: Plan to %s","type":"planned_change","change":{"resource":{"addr":"%s"},"action":"%s"}}\n' "$addr" "$action" "$addr" "$action"
      done < "$file"
      printf '{"@level":"info","@message":"Plan: %s to add, %s to change, %s to destroy.","type":"change_summary","changes":{"add":%s,"change":%s,"remove":%s,"operation":"plan"}}\n' $add $change $remove $add $change $remove
    else
      echo "Plan: $add to add, $change to change, $remove to destroy."
    fi
    code=$(setting EXIT_PLAN)
    if [ -z "$code" ]; then code=0; has -detailed-exitcode && [ $n -gt 0 ] && code=2; fi
    exit "$code" ;;
  show)
    [ -f "$file" ] || { echo "Error: Failed to read the given file as a state or plan file" >&2; exit 1; }
    if has -json; then
      sep=; printf '{"format_version":"1.2","terraform_version":"1.11.4","resource_changes":['
      while read -r action addr; do
        case "$action" in plan) continue ;; replace) acts='"delete","create"' ;; *) acts="\"$action\"" ;; esac
        printf '%s{"address":"%s","change":{"actions":[%s]}}' "$sep" "$addr" "$acts"; sep=,
      done < "$file"
      printf ']}\n'
    else
      while read -r action addr; do [ "$action" = plan ] || printf '  # %s will be: %s\n' "$addr" "$action"; done < "$file"
    fi
    exit "$(status EXIT_SHOW)" ;;
  apply)
    replay=$(setting REPLAY_APPLY)
    if [ -n "$replay" ]; then
      print_file "$replay"
    elif has -json; then
      echo "$version"
      while read -r action addr; do
        [ "$action" = plan ] && continue
        printf '{"@level":"info","@message":"%s: Plan to %s","type":"planned_change","change":{"resource":{"addr":"%s"},"action":"%s"}}\n' "$addr" "$action" "$addr" "$action"
        printf '{"@level":"info","@message":"%s: %s complete","type":"apply_complete","hook":{"resource":{"addr":"%s"},"action":"%s"}}\n' "$addr" "$action" "$addr" "$action"
      done < "$file"
      echo '{"@level":"info","@message":"Apply complete!","type":"change_summary"}'
    else
      echo "Apply complete!"
    fi
    code=$(status EXIT_APPLY)
    if [ "$code" = 0 ]; then
      read -r first kind < "$file"
      if [ "$kind" = destroy ]; then echo destroyed > standin.state; else echo deployed > standin.state; fi
    fi
    exit "$code" ;;
  destroy) exit "$(status EXIT_DESTROY)" ;;
esac
exit 0
"#;

/// A terraform whose `apply` records, in `$STANDIN_LOG.state`, each signal
/// it gets with its stack's name (Perl counts two that arrive together as
/// two, where a shell's trap would run once), stops after
/// `STANDIN_STOP_AFTER` of them (1 by default; after `STANDIN_TICKS` tenths
/// of a second at most, 50 by default), then exits 7: a graceful stop that
/// releases the state lock. With `STANDIN_BARRIER=N` it instead waits (5 s
/// at most) until N applies have started, records whether they did
/// (`barrier-met` or `barrier-timeout`), and succeeds: applies that only
/// pass it together ran at the same time.
#[cfg(unix)]
const TRAPPING_APPLY: &str = r#"  apply)
    exec perl -e '
      my $stack = $ARGV[0];
      my $state = "$ENV{STANDIN_LOG}.state";
      my $n = 0;
      sub record { open(my $f, ">>", $state) or die; print $f "$_[0] $stack\n"; close($f) }
      $SIG{INT} = sub { record("INT"); $n++ };
      $SIG{TERM} = sub { record("TERM"); $n++ };
      record("apply-started");
      if (my $barrier = $ENV{STANDIN_BARRIER}) {
        my $met = 0;
        for (my $i = 0; $i < 100 && !$met; $i++) {
          open(my $f, "<", $state) or die;
          my $started = grep { /^apply-started / } <$f>;
          close($f);
          if ($started >= $barrier) { $met = 1 } else { select(undef, undef, undef, 0.05) }
        }
        record($met ? "barrier-met" : "barrier-timeout");
        record("apply-finished");
        exit 0;
      }
      my $stop = $ENV{STANDIN_STOP_AFTER} || 1;
      my $ticks = $ENV{STANDIN_TICKS} || 50;
      for (my $i = 0; $n < $stop && $i < $ticks; $i++) { select(undef, undef, undef, 0.1) }
      record("apply-finished");
      exit 7;
    ' "$stack" ;;
"#;

/// A terraform whose `init` takes half a second, recording
/// `init-started STACK` and `init-finished STACK` in `$STANDIN_LOG.state`.
#[cfg(unix)]
const SLOW_INIT: &str = r#"  init)
    exec perl -e '
      my $stack = $ARGV[0];
      sub record { open(my $f, ">>", "$ENV{STANDIN_LOG}.state") or die; print $f "$_[0] $stack\n"; close($f) }
      record("init-started");
      select(undef, undef, undef, 0.5);
      record("init-finished");
      exit 0;
    ' "$stack" ;;
"#;

impl Harness {
    /// The stand-in terraform with [`SLOW_INIT`] (Perl on PATH: spawn it
    /// with [`Self::spawn_program`]).
    #[cfg(unix)]
    pub fn slow_inits() -> Self {
        let h = Harness::new();
        let script = STAND_IN.replace("case \"$1\" in\n", &format!("case \"$1\" in\n{SLOW_INIT}"));
        write_executable(&h.bin.path().join("terraform"), &script);
        h
    }

    pub fn new() -> Self {
        let bin = tempfile::tempdir().unwrap();
        for name in ["terraform", "tofu"] {
            write_executable(&bin.path().join(name), STAND_IN);
        }
        let project = tempfile::tempdir().unwrap();
        // An empty .env makes it the project directory.
        std::fs::write(project.path().join(".env"), "").unwrap();
        Harness { project, bin }
    }

    /// The stand-in terraform with [`TRAPPING_APPLY`].
    #[cfg(unix)]
    pub fn trapping() -> Self {
        let h = Harness::new();
        let script = STAND_IN.replace(
            "case \"$1\" in\n",
            &format!("case \"$1\" in\n{TRAPPING_APPLY}"),
        );
        write_executable(&h.bin.path().join("terraform"), &script);
        h
    }

    pub fn log(&self) -> PathBuf {
        self.bin.path().join("calls.log")
    }

    /// `program ARGS` in the project directory, with PATH holding only the
    /// stand-ins (`with_system` adds /usr/bin and /bin, for Perl).
    pub fn command(&self, program: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(self.project.path())
            .env_clear()
            .env("PATH", self.bin.path())
            .env("STANDIN_LOG", self.log())
            .env("KITE_LAMBDA_ZIP", super::common::fixture_zip())
            .envs(vars.iter().copied());
        command
    }

    /// Runs kite with PATH holding only the stand-ins.
    pub fn kite(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.run(Path::new(env!("CARGO_BIN_EXE_kite")), args, vars)
    }

    /// Runs `program` (kite, or an example built on kite) as [`Self::kite`].
    pub fn run(&self, program: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.command(program, args, vars).output().unwrap()
    }

    /// Starts kite with Perl on PATH, its output discarded.
    #[cfg(unix)]
    pub fn spawn(&self, args: &[&str], vars: &[(&str, &str)]) -> std::process::Child {
        self.command(Path::new(env!("CARGO_BIN_EXE_kite")), args, vars)
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.bin.path().display()),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Starts `program` as [`Self::run`] does, with Perl on PATH and its
    /// output captured.
    #[cfg(unix)]
    pub fn spawn_program(
        &self,
        program: &Path,
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> std::process::Child {
        self.command(program, args, vars)
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.bin.path().display()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn calls(&self) -> Vec<Call> {
        let Ok(text) = std::fs::read_to_string(self.log()) else {
            return Vec::new();
        };
        let mut calls = Vec::new();
        let mut current = Call::empty();
        for line in text.lines() {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            match key {
                "program" => current.program = value.to_owned(),
                "cwd" => current.cwd = PathBuf::from(value),
                "token" => current.token = value.to_owned(),
                "aws_profile" => current.aws_profile = value.to_owned(),
                "bot_token" => current.bot_token = value.to_owned(),
                "arg" => current.args.push(value.to_owned()),
                "end" => calls.push(std::mem::replace(&mut current, Call::empty())),
                _ => panic!("unexpected log line {line}"),
            }
        }
        calls
    }

    /// Forgets the calls recorded so far.
    pub fn clear_calls(&self) {
        let _ = std::fs::remove_file(self.log());
    }

    pub fn stack_dir(&self, stack: &str) -> PathBuf {
        self.project.path().join("cdktf.out/stacks").join(stack)
    }

    pub fn args(&self) -> Vec<Vec<String>> {
        self.calls().into_iter().map(|c| c.args).collect()
    }

    /// `(stack, subcommand)` of each call, in order.
    pub fn steps(&self) -> Vec<(String, String)> {
        self.calls()
            .iter()
            .map(|c| (c.stack(), c.subcommand().to_owned()))
            .collect()
    }

    /// The stacks `subcommand` ran in, in order.
    pub fn stacks_of(&self, subcommand: &str) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|c| c.subcommand() == subcommand)
            .map(Call::stack)
            .collect()
    }

    /// What the trapping apply recorded.
    pub fn state(&self) -> String {
        std::fs::read_to_string(self.bin.path().join("calls.log.state")).unwrap_or_default()
    }

    /// Waits until the stand-in has recorded `text` `count` times.
    pub fn wait_for(&self, text: &str, count: usize) {
        let started = Instant::now();
        while self.state().matches(text).count() < count {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "never saw {text}: {}",
                self.state()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes a file into the harness's own directory (changes to replay,
    /// diagnostics), and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.bin.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// An example program. `cargo test` builds the examples beside the `kite`
/// binary; when only a test target was built, the example is built into a
/// target directory of its own (cargo locks the one running the tests).
pub fn example(name: &str) -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_kite"));
    let example = bin.parent().unwrap().join("examples").join(name);
    if example.is_file() {
        return example;
    }
    let target = bin.parent().unwrap().join("examples-for-tests");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--example", name, "--target-dir"])
        .arg(&target)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success(), "cargo build --example {name} failed");
    target.join("debug").join("examples").join(name)
}

/// Sends `signal` (`TERM`, `INT`) to `pid`.
#[cfg(unix)]
pub fn send(signal: &str, pid: u32) {
    let sent = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

pub fn same_dir(a: &Path, b: &Path) -> bool {
    a.canonicalize().unwrap() == b.canonicalize().unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
