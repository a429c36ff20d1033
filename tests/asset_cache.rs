//! The Lambda package's fingerprints are remembered in the output directory
//! between runs, once the package has settled, and a package that changed
//! is hashed again, even when its size and modification time were kept.

mod common;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use sha2::{Digest, Sha256};

/// `kite synth kite` in `project` with the package `p.zip`; the package's
/// `source_code_hash` as written.
fn synth_hash(project: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["synth", "kite"])
        .current_dir(project)
        .env_clear()
        .env("KITE_LAMBDA_ZIP", "p.zip")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = common::read_json(&project.join("cdktf.out/stacks/kite/cdk.tf.json"));
    let functions = doc["resource"]["aws_lambda_function"].as_object().unwrap();
    functions.values().next().unwrap()["source_code_hash"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The fingerprints file of the project's output, empty when there is none.
fn remembered(project: &Path) -> String {
    std::fs::read_to_string(
        project
            .join("cdktf.out")
            .join(kite::fingerprints::FILE_NAME),
    )
    .unwrap_or_default()
}

fn sha256_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    dir
}

#[test]
fn a_changed_package_with_the_same_size_and_modification_time_is_hashed_again() {
    let dir = project();
    let package = dir.path().join("p.zip");
    std::fs::write(&package, b"first build of the package").unwrap();
    // Settled, so that its fingerprints are remembered.
    std::thread::sleep(kite::fingerprints::SETTLED + std::time::Duration::from_millis(100));
    let first = synth_hash(dir.path());
    assert_eq!(first, sha256_base64(b"first build of the package"));
    assert!(remembered(dir.path()).contains(&first));

    // Same size, new content, the modification time put back (`touch -d`).
    let mtime = std::fs::metadata(&package).unwrap().modified().unwrap();
    std::fs::write(&package, b"second build, same length").unwrap();
    assert_eq!(std::fs::metadata(&package).unwrap().len(), 25);
    std::fs::File::options()
        .write(true)
        .open(&package)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    assert_eq!(
        std::fs::metadata(&package).unwrap().modified().unwrap(),
        mtime
    );
    let second = synth_hash(dir.path());
    assert_eq!(second, sha256_base64(b"second build, same length"));
    assert_ne!(first, second);
}

#[test]
fn an_unchanged_package_takes_its_fingerprints_from_the_output_directory() {
    let dir = project();
    std::fs::write(dir.path().join("p.zip"), b"the package").unwrap();
    let first = synth_hash(dir.path());
    // A file written just now could change again within its file system's
    // timestamp granularity, keeping its key: not remembered yet.
    assert!(!remembered(dir.path()).contains(&first));
    std::thread::sleep(kite::fingerprints::SETTLED + std::time::Duration::from_millis(100));
    assert_eq!(synth_hash(dir.path()), first);
    // Make the remembered digest recognisable: an unchanged file is not
    // read again, so the next run writes what the output remembers.
    let cache = dir
        .path()
        .join("cdktf.out")
        .join(kite::fingerprints::FILE_NAME);
    let remembered = remembered(dir.path());
    assert!(remembered.contains(&first), "{remembered}");
    std::fs::write(&cache, remembered.replace(&first, "remembered-not-read=")).unwrap();
    assert_eq!(synth_hash(dir.path()), "remembered-not-read=");
    // Any change of the file is seen: a new modification time is a new key.
    let package = dir.path().join("p.zip");
    std::fs::File::options()
        .write(true)
        .open(&package)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    assert_eq!(synth_hash(dir.path()), first);
}
