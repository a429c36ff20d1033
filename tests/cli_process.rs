//! Synthesis as a whole process, with the example programs that `cargo
//! test` builds: a failed synth leaves the previous output byte for byte as
//! it was, and one killed at any moment leaves the old output or the new
//! one, never a mix.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// An example program. `cargo test` builds the examples beside the `kite`
/// binary; when only this test target was built, the example is built into
/// a target directory of its own (cargo locks the one running the tests).
fn example(name: &str) -> PathBuf {
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

fn scale_example() -> PathBuf {
    example("scale")
}

/// Runs the `errors` example with `args` in `dir`.
fn errors_example(dir: &Path, args: &[&str]) -> std::process::Output {
    // An empty .env makes `dir` the project directory.
    if !dir.join(".env").exists() {
        std::fs::write(dir.join(".env"), "").unwrap();
    }
    Command::new(example("errors"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .output()
        .unwrap()
}

fn assert_refused_keeps_previous_output(stack: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let first = errors_example(dir.path(), &["synth", "fine"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let out = dir.path().join("cdktf.out");
    let before = common::tree_bytes(&out);
    assert!(before.keys().any(|p| p.ends_with("cdk.tf.json")));

    let run = errors_example(dir.path(), &["synth", "fine", stack]);
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    for text in expected {
        assert!(stderr.contains(text), "missing {text:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("Nothing was written"), "{stderr}");
    assert_eq!(
        common::tree_bytes(&out),
        before,
        "the previous output is byte-identical"
    );
}

#[test]
fn a_dangling_reference_fails_the_process_and_keeps_the_previous_output() {
    assert_refused_keeps_previous_output(
        "dangling",
        &[
            "stack `dangling` cannot be synthesized",
            "dangling/app/grant",
            "`aws_iam_role.shared_role_",
        ],
    );
}

#[test]
fn a_cycle_fails_the_process_and_keeps_the_previous_output() {
    assert_refused_keeps_previous_output(
        "cycle",
        &["dependency cycle: cycle/app/first → cycle/app/second → cycle/app/first"],
    );
}

fn synth(n: usize, out: &Path) {
    let status = Command::new(scale_example())
        .args([n.to_string(), out.display().to_string()])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_killed_synth_leaves_the_old_output_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cdktf.out");
    let (old_n, new_n) = (2000, 2001);

    // The two possible complete outputs.
    let reference_new = dir.path().join("reference-new");
    synth(new_n, &reference_new);
    let new_tree = common::tree_bytes(&reference_new);
    synth(old_n, &out);
    let old_tree = common::tree_bytes(&out);
    assert_ne!(old_tree, new_tree);

    // How long a full run takes, to spread the kills over it.
    let started = Instant::now();
    synth(new_n, &dir.path().join("timing"));
    let full = started.elapsed();

    let mut killed_while_running = 0;
    let mut saw_old = 0;
    for i in 0..12u32 {
        // Spread over the first 80% of a run, so most kills land in it.
        let delay = full * i * 8 / 120;
        let mut child = Command::new(scale_example())
            .args([new_n.to_string(), out.display().to_string()])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_while_running += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();

        let tree = common::tree_bytes(&out);
        if tree == old_tree {
            saw_old += 1;
        } else {
            assert!(
                tree == new_tree,
                "after a kill at {delay:?}, {} is neither the old output nor the new one",
                out.display()
            );
            // Start the next round from the old output again.
            std::fs::remove_dir_all(&out).unwrap();
            synth(old_n, &out);
        }
    }
    assert!(
        killed_while_running >= 6,
        "only {killed_while_running} kills landed while synth ran"
    );
    assert!(saw_old >= 1, "no kill landed before the swap");
}

/// A signal while synth writes the output (here, while it copies a large
/// Lambda package into the staging directory) removes the staging
/// directory and exits with 128 + N; the output is not created.
#[cfg(unix)]
fn assert_signal_during_synth_cleans_up(signal: &str, expected: i32) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    let package = dir.path().join("function.zip");
    // Large enough that copying and hashing it takes a while.
    std::fs::write(&package, vec![7u8; 48 * 1024 * 1024]).unwrap();
    let mut kite = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["synth", "kite"])
        .current_dir(dir.path())
        .env_clear()
        .env("KITE_LAMBDA_ZIP", &package)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while common::staging_dirs(dir.path()).is_empty() {
        assert!(
            kite.try_wait().unwrap().is_none(),
            "synth finished before it was signalled"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let sent = Command::new("kill")
        .args([format!("-{signal}"), kite.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = kite.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(expected),
        "{:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        common::staging_dirs(dir.path()),
        Vec::<String>::new(),
        "the staging directory is removed"
    );
    assert!(
        !dir.path().join("cdktf.out").exists(),
        "no output, rather than a partial one"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_synth_removes_the_staging_directory_and_exits_130() {
    assert_signal_during_synth_cleans_up("INT", 130);
}

#[cfg(unix)]
#[test]
fn sigterm_during_synth_removes_the_staging_directory_and_exits_143() {
    assert_signal_during_synth_cleans_up("TERM", 143);
}

/// The record of what was written names the program that wrote the output
/// by the file that holds its code, also when a loader runs it: through
/// `ld.so` (or valgrind), `/proc/self/exe` is the loader, the same for any
/// build, whose records would then vouch for each other's output.
#[cfg(target_os = "linux")]
#[test]
fn the_record_names_the_program_not_the_loader_that_runs_it() {
    use std::os::unix::fs::MetadataExt;
    let Some(loader) = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"]
        .into_iter()
        .find(|l| Path::new(l).is_file())
    else {
        eprintln!("no dynamic loader at a known path: nothing to check");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    let program = example("errors");
    let run = Command::new(loader)
        .arg(&program)
        .args(["synth", "fine"])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let record = common::read_json(&dir.path().join("cdktf.out/.kite-written.json"));
    assert_eq!(
        record["binary"]["ino"].as_u64(),
        Some(std::fs::metadata(&program).unwrap().ino()),
        "{record}"
    );
}
