//! What a user meets in the first hour with the `kite` binary: pipes and
//! full disks, where kite finds the project, exit statuses, and inputs that
//! never end.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn kite(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kite"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("KITE_LAMBDA_ZIP", common::fixture_zip());
    cmd
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    dir
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `kite list | head -1`, with a reader that is gone before kite writes.
/// Before: "error: Broken pipe" and status 1.
#[test]
fn a_closed_pipe_on_stdout_ends_kite_quietly() {
    let dir = project();
    let mut child = kite(dir.path(), &["list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(stderr_of(&out), "", "nothing on stderr");
    assert_eq!(
        out.status.code(),
        Some(141),
        "as a program stopped by SIGPIPE"
    );
}

/// Before: "error: No space left on device (os error 28)", with no word of
/// what was being written.
#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_says_which_write_failed_and_that_the_output_was_written() {
    let dir = project();
    let out = kite(dir.path(), &["synth", "local"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cdktf.out was written, but its summary could not be printed: cannot write to standard output: No space left on device"),
        "{stderr}"
    );
    assert!(
        dir.path()
            .join("cdktf.out/stacks/local/cdk.tf.json")
            .is_file()
    );
}

#[test]
fn exit_statuses_tell_usage_errors_from_kite_s_own() {
    let dir = project();
    let status = |args: &[&str]| kite(dir.path(), args).output().unwrap().status.code();
    assert_eq!(status(&["synth", "--bogus"]), Some(64), "usage error");
    assert_eq!(status(&[]), Some(64), "no command");
    assert_eq!(status(&["--help"]), Some(0));
    assert_eq!(status(&["--version"]), Some(0));
    assert_eq!(
        status(&["synth", "nonexistent"]),
        Some(3),
        "kite's own error"
    );
    assert_eq!(status(&["list"]), Some(0));
}

/// A checkout of the project: its crate, its settings, a subdirectory.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"infra\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "KITE_STATE_BUCKET=bucket-of-the-project\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("stacks/deeper")).unwrap();
    dir
}

/// Before: run from `stacks/`, kite read no `.env`, wrote `stacks/cdktf.out`
/// and put the local state and DynamoDB data under `stacks/`.
#[test]
fn from_a_subdirectory_kite_uses_the_project_directory() {
    let project = checkout();
    let root = project.path().canonicalize().unwrap();
    let sub = root.join("stacks/deeper");
    let out = kite(&sub, &["synth"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!sub.join("cdktf.out").exists());
    let kite_doc = common::read_json(&root.join("cdktf.out/stacks/kite/cdk.tf.json"));
    assert_eq!(
        kite_doc["terraform"]["backend"]["s3"]["bucket"], "bucket-of-the-project",
        "the project's .env"
    );
    let local = common::read_json(&root.join("cdktf.out/stacks/local/cdk.tf.json"));
    assert_eq!(
        local["terraform"]["backend"]["local"]["path"],
        root.join("terraform.local.tfstate").to_str().unwrap()
    );
    let text = local.to_string();
    assert!(
        text.contains(root.join("docker/dynamodb").to_str().unwrap()),
        "{text}"
    );
    // A directory given on the command line is relative to where kite runs.
    let out = kite(&sub, &["synth", "local", "--out", "here"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(sub.join("here/stacks/local/cdk.tf.json").is_file());
}

#[test]
fn outside_any_project_kite_refuses_and_says_where_to_run_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = kite(dir.path(), &["synth"]).output().unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("is not in a kite project")
            && stderr.contains("Cargo.toml")
            && stderr.contains(".env")
            && stderr.contains("KITE_PROJECT_DIR"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // KITE_PROJECT_DIR names it.
    let project = project();
    let out = kite(dir.path(), &["synth", "local"])
        .env("KITE_PROJECT_DIR", project.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(project.path().join("cdktf.out").is_dir());
}

/// Before: `/dev/zero` was read until memory ran out (9 GB in 8 s). The
/// address space is limited here, so that a regression fails instead of
/// filling the machine's memory.
#[cfg(target_os = "linux")]
#[test]
fn an_endless_schema_file_stops_at_the_limit() {
    let dir = project();
    let started = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 4194304; exec '{}' validate --schema /dev/zero",
            env!("CARGO_BIN_EXE_kite")
        ))
        .current_dir(dir.path())
        .env_clear()
        .env("KITE_LAMBDA_ZIP", common::fixture_zip())
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(
            "cannot use the schema file /dev/zero: it is larger than 64 MiB, the most kite reads from a schema file"
        ),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_schema_file_above_the_limit_is_refused_by_name() {
    let dir = project();
    let big = dir.path().join("providers.json");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(64 * 1024 * 1024 + 1)
        .unwrap();
    let out = kite(
        dir.path(),
        &["synth", "local", "--schema", "providers.json"],
    )
    .output()
    .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("providers.json: it is larger than 64 MiB"),
        "{stderr}"
    );
    assert!(!dir.path().join("cdktf.out").exists());
}
