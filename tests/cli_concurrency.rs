//! Several kite processes on one output directory: they take turns (an
//! advisory lock beside the output), so carry-over never loses a file and
//! no run's update is lost. `--no-wait` fails at once instead of waiting.

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

fn spawn(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Child {
    kite(dir, args, vars).spawn().unwrap()
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
            kite::aws::iam::IamRole::new(kite::aws::iam::IamRoleArgs {
                assume_role_policy: "{}".into(),
            })
            .name("role"),
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

/// Holds the output's lock as another kite would, saying who it is.
fn hold_lock(dir: &Path) -> std::fs::File {
    let path = dir.join(".cdktf.out.lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    fs4::FileExt::try_lock(&file).unwrap();
    std::fs::write(&path, "pid 4242: kite deploy kite\n").unwrap();
    file
}

#[test]
fn no_wait_fails_at_once_while_another_kite_holds_the_output() {
    let dir = project();
    assert_success(
        &kite(dir.path(), &["synth", "local"], &[]).output().unwrap(),
        "first synth",
    );
    let out = dir.path().join("cdktf.out");
    let before = common::tree_bytes(&out);
    let lock = hold_lock(dir.path());

    for args in [
        &["synth", "local", "--no-wait"][..],
        &["deploy", "local", "--auto-approve", "--no-wait"],
    ] {
        let started = Instant::now();
        let run = kite(dir.path(), args, &[("PATH", "/nonexistent")])
            .output()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} waited"
        );
        assert_eq!(run.status.code(), Some(3), "{args:?}");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("is in use by another kite (pid 4242: kite deploy kite; lock ")
                && stderr.contains(".cdktf.out.lock")
                && stderr.contains("--no-wait"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one paragraph: {stderr}");
    }
    assert_eq!(common::tree_bytes(&out), before, "nothing was written");
    drop(lock);
}

#[test]
fn a_second_kite_waits_for_the_first_says_so_once_and_then_runs() {
    let dir = project();
    let lock = hold_lock(dir.path());
    let child = spawn(dir.path(), &["synth", "local"], &[]);
    // kite says it waits after about a second; give it two.
    std::thread::sleep(Duration::from_millis(2000));
    assert!(
        !dir.path().join("cdktf.out").exists(),
        "nothing is written while another holds the lock"
    );
    drop(lock);
    let run = finish(child);
    assert_success(&run, "the waiting synth");
    let stderr = String::from_utf8_lossy(&run.stderr);
    let notices: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("kite: waiting for"))
        .collect();
    assert_eq!(notices.len(), 1, "{stderr}");
    assert!(
        notices[0].contains("pid 4242: kite deploy kite") && notices[0].contains("--no-wait"),
        "{stderr}"
    );
    assert!(
        dir.path()
            .join("cdktf.out/stacks/local/cdk.tf.json")
            .is_file()
    );
    // Who holds it is written into the lock file for the next one.
    let holder = std::fs::read_to_string(dir.path().join(".cdktf.out.lock")).unwrap();
    assert!(holder.starts_with("pid "), "{holder}");
    assert!(holder.contains("kite synth local"), "{holder}");
}

#[test]
fn what_changed_while_a_kite_waited_is_checked_again_before_it_writes() {
    let dir = project();
    assert_success(
        &kite(dir.path(), &["synth", "local"], &[]).output().unwrap(),
        "first synth",
    );
    let lock = hold_lock(dir.path());
    let child = spawn(dir.path(), &["synth", "local"], &[]);
    // The waiting synth checked the output before it began to wait (it
    // says so after about a second); meanwhile the directory stops being
    // an output.
    std::thread::sleep(Duration::from_millis(1500));
    let manifest = dir.path().join("cdktf.out/manifest.json");
    std::fs::write(&manifest, b"{\"someone\": \"else\"}").unwrap();
    let out = dir.path().join("cdktf.out");
    let before = common::tree_bytes(&out);
    drop(lock);
    let run = finish(child);
    assert!(
        !run.status.success(),
        "the synth replaced a directory that is no longer an output"
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("its manifest.json is not one kite or cdktf wrote"),
        "{stderr}"
    );
    assert_eq!(common::tree_bytes(&out), before, "nothing was written");
}

#[cfg(unix)]
#[test]
fn a_deploy_holds_the_output_until_terraform_has_finished() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let bin = tempfile::tempdir().unwrap();
    let marker = bin.path().join("apply-running");
    let terraform = bin.path().join("terraform");
    std::fs::write(
        &terraform,
        format!(
            // `show -json` of the saved plan: one change, so kite applies it.
            "#!/bin/sh\ncase \"$1\" in show) echo '{{\"resource_changes\":[{{\"change\":{{\"actions\":[\"create\"]}}}}]}}' ;; apply) : > '{m}'; sleep 2; rm '{m}' ;; esac\nexit 0\n",
            m = marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&terraform, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let deploy = spawn(
        dir.path(),
        &["deploy", "local", "--auto-approve"],
        &[("PATH", path.as_str())],
    );
    let started = Instant::now();
    while !marker.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "apply never ran"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let synth = kite(dir.path(), &["synth", "local", "--no-wait"], &[])
        .output()
        .unwrap();
    assert_eq!(synth.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&synth.stderr).contains("kite deploy local --auto-approve"),
        "{}",
        String::from_utf8_lossy(&synth.stderr)
    );
    assert!(marker.exists(), "terraform was still running");
    assert_success(&finish(deploy), "deploy");
}

/// Before kite has made anything a signal must clean up (here, while it
/// waits for the output's lock), SIGINT and SIGTERM end it at once with
/// 128 + N, in the signal handler, writing nothing.
#[cfg(unix)]
#[test]
fn a_signal_while_kite_waits_for_the_lock_ends_it_with_128_plus_n() {
    for (signal, expected) in [("INT", 130), ("TERM", 143)] {
        let dir = project();
        let lock = hold_lock(dir.path());
        let child = spawn(dir.path(), &["synth", "local"], &[]);
        // Long enough to reach the lock on a busy machine; a signal before
        // that must end kite the same way.
        std::thread::sleep(Duration::from_millis(300));
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let started = Instant::now();
        let run = finish(child);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{signal}: kite waited on"
        );
        assert_eq!(
            run.status.code(),
            Some(expected),
            "{signal}: {:?} {}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            !dir.path().join("cdktf.out").exists(),
            "{signal}: nothing written"
        );
        let left = common::staging_dirs(dir.path());
        assert!(left.is_empty(), "{signal}: staging left: {left:?}");
        drop(lock);
    }
}
