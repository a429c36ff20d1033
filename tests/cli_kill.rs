//! A synth killed at any moment leaves the previous output exactly as it
//! was, or the new one complete: never a mix. The generated stack of
//! `examples/scale.rs` (built by `cargo test`) is large enough to be killed
//! while it hashes, renders or writes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn scale_example() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_kite"));
    let example = bin.parent().unwrap().join("examples").join("scale");
    assert!(
        example.is_file(),
        "{} is missing: `cargo test` builds the examples (or run `cargo build --example scale`)",
        example.display()
    );
    example
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
        let delay = full * i / 12;
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
