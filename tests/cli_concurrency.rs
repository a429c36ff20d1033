//! Several kite processes on one output directory: they take turns (an
//! advisory lock beside the output), so carry-over never loses a file and
//! no run's update is lost.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A project directory (an empty `.env` makes it one).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    dir
}

fn kite(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kite"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("KITE_LAMBDA_ZIP", common::fixture_zip())
        .envs(vars.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn finish(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// What `terraform init` leaves in a stack's directory: here a module
/// directory of many files (a directory is listed in several reads past a
/// few hundred entries: what a concurrent removal made carry-over miss).
const FILES: usize = 1500;

fn populate_terraform_dir(stack_dir: &Path) -> PathBuf {
    let modules = stack_dir.join(".terraform/modules");
    std::fs::create_dir_all(&modules).unwrap();
    for i in 0..FILES {
        std::fs::write(modules.join(format!("file-{i:04}.tf")), b"").unwrap();
    }
    modules
}

/// How long one `kite ARGS` takes here, to spread the second start over it.
fn duration_of(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    assert_success(&kite(dir, args, &[]).output().unwrap(), "timing run");
    started.elapsed()
}

/// Starts `first`, then `second` after `delay`; both must succeed.
fn race(mut first: Command, mut second: Command, delay: Duration) {
    let a = first.spawn().unwrap();
    std::thread::sleep(delay);
    let b = second.spawn().unwrap();
    let (a, b) = (finish(a), finish(b));
    assert_success(&a, "the first");
    assert_success(&b, &format!("the second, started {delay:?} later"));
}

const ROUNDS: u32 = 6;

#[test]
fn two_synths_at_once_never_lose_files_of_terraform() {
    let dir = project();
    assert_success(
        &kite(dir.path(), &["synth", "local"], &[]).output().unwrap(),
        "first synth",
    );
    let modules = populate_terraform_dir(&dir.path().join("cdktf.out/stacks/local"));
    let full = duration_of(dir.path(), &["synth", "local"]);
    for round in 0..ROUNDS {
        // The second starts anywhere in the first's run, so that one's
        // carry-over meets the other's swap.
        let delay = full * round / (ROUNDS * 5 / 3);
        race(
            kite(dir.path(), &["synth", "local"], &[]),
            kite(dir.path(), &["synth", "local"], &[]),
            delay,
        );
        assert_eq!(
            count_files(&modules),
            FILES,
            "the second started {delay:?} after the first: files under .terraform/ were lost"
        );
    }
}

#[test]
fn a_synth_of_one_stack_racing_another_loses_neither_update() {
    let dir = project();
    assert_success(
        &kite(dir.path(), &["synth"], &[]).output().unwrap(),
        "first synth",
    );
    let modules = populate_terraform_dir(&dir.path().join("cdktf.out/stacks/local"));
    let kite_json = dir.path().join("cdktf.out/stacks/kite/cdk.tf.json");
    let full = duration_of(dir.path(), &["synth", "kite"]);
    for round in 0..ROUNDS {
        let delay = full * round / (ROUNDS * 5 / 3);
        let bucket = format!("state-bucket-{round}");
        race(
            kite(
                dir.path(),
                &["synth", "kite"],
                &[("KITE_STATE_BUCKET", bucket.as_str())],
            ),
            kite(dir.path(), &["synth", "local"], &[]),
            delay,
        );
        let doc = common::read_json(&kite_json);
        assert_eq!(
            doc["terraform"]["backend"]["s3"]["bucket"], bucket,
            "`synth local` started {delay:?} after `synth kite`: the update of `kite` was lost (a deploy would apply a stale configuration)"
        );
        assert_eq!(count_files(&modules), FILES, "files of `local` were lost");
    }
}

/// Threads start together far more precisely than processes: several
/// writes into a directory that does not exist yet.
#[test]
fn writes_into_a_new_directory_at_once_all_succeed() {
    use std::sync::{Arc, Barrier};
    const WRITERS: usize = 4;
    let stacks = || {
        let mut stack = kite::Stack::new("app");
        let root = stack.root();
        stack.add(
            &root,
            "role",
            kite::aws::iam::IamRole::new("{}").name("role"),
        );
        vec![kite::synth::synthesize(stack).unwrap()]
    };
    let mut failures = Vec::new();
    for round in 0..30 {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        let barrier = Arc::new(Barrier::new(WRITERS));
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                let (out, barrier, stacks) = (out.clone(), Arc::clone(&barrier), stacks());
                std::thread::spawn(move || {
                    barrier.wait();
                    kite::synth::output_dir::write(&out, &stacks).map(|_| ())
                })
            })
            .collect();
        for writer in writers {
            if let Err(e) = writer.join().unwrap() {
                failures.push(format!("round {round}: {e}"));
            }
        }
        assert!(out.join("stacks/app/cdk.tf.json").is_file());
    }
    assert!(
        failures.is_empty(),
        "{} writes failed, such as: {}",
        failures.len(),
        failures[0]
    );
}
