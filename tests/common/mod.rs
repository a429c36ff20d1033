//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod examples;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` (relative path → bytes), to compare trees byte for
/// byte. The record of written files (`.kite-written.json`) is there with
/// a placeholder for its content: it names the files' inodes and times,
/// which differ between two outputs of the same stacks.
pub fn tree_bytes(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect(dir, dir, &mut files);
    files
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let record = path.file_name() == Some(kite::synth::written::FILE_NAME.as_ref());
            let bytes = if record {
                b"(the record of written files)".to_vec()
            } else {
                std::fs::read(&path).unwrap()
            };
            files.insert(rel, bytes);
        }
    }
}

/// Parses a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The addresses (`type.name`, `data.type.name`, `output.name`) of a cdk.tf.json.
pub fn addresses(doc: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for (section, prefix) in [("resource", ""), ("data", "data.")] {
        if let Some(types) = doc[section].as_object() {
            for (t, blocks) in types {
                for name in blocks.as_object().unwrap().keys() {
                    out.push(format!("{prefix}{t}.{name}"));
                }
            }
        }
    }
    if let Some(outputs) = doc["output"].as_object() {
        for name in outputs.keys() {
            out.push(format!("output.{name}"));
        }
    }
    out.sort();
    out
}

/// A run of the built `kite` binary.
pub struct BinRun {
    pub dir: tempfile::TempDir,
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl BinRun {
    pub fn out(&self) -> PathBuf {
        self.dir.path().join("cdktf.out")
    }

    pub fn stack_json(&self, stack: &str) -> serde_json::Value {
        read_json(&self.out().join("stacks").join(stack).join("cdk.tf.json"))
    }

    /// The stack's whole configuration, as Terraform reads it from the
    /// directory: `cdk.tf.json` with what `kite.tf` holds merged in.
    pub fn stack_config(&self, stack: &str) -> serde_json::Value {
        stack_config(&self.out().join("stacks").join(stack))
    }
}

/// The test Lambda package.
pub fn fixture_zip() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/function.zip")
}

/// Runs `kite ARGS` in a new project directory with exactly these
/// environment variables (plus `KITE_LAMBDA_ZIP` pointing at the test
/// package unless given), so the developer's own settings never leak in.
pub fn kite_bin(args: &[&str], vars: &[(&str, &str)]) -> BinRun {
    let dir = tempfile::tempdir().unwrap();
    kite_bin_in(dir, args, vars)
}

/// As [`kite_bin`], in `dir`. A `.env` (empty unless the test wrote one)
/// makes `dir` the project directory, as for a user of the installed binary.
pub fn kite_bin_in(dir: tempfile::TempDir, args: &[&str], vars: &[(&str, &str)]) -> BinRun {
    let dotenv = dir.path().join(".env");
    if !dotenv.exists() {
        std::fs::write(&dotenv, "").unwrap();
    }
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kite"));
    cmd.args(args).current_dir(dir.path()).env_clear();
    if !vars.iter().any(|(k, _)| *k == "KITE_LAMBDA_ZIP") {
        cmd.env("KITE_LAMBDA_ZIP", fixture_zip());
    }
    cmd.envs(vars.iter().copied());
    let output = cmd.output().expect("the kite binary runs");
    BinRun {
        dir,
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A stack directory's whole configuration: `cdk.tf.json` with `kite.tf`
/// (if any) merged in, in the JSON shape of the one document kite builds.
pub fn stack_config(dir: &Path) -> serde_json::Value {
    let mut doc = read_json(&dir.join("cdk.tf.json"));
    let native = dir.join("kite.tf");
    if native.exists() {
        let text = std::fs::read_to_string(&native).unwrap();
        merge_native(&mut doc, &text);
    }
    doc
}

/// Reads the native syntax kite writes into `kite.tf` (blocks of
/// `name = value` lines: quoted strings, literals, addresses) and merges it
/// into `doc`: `terraform` settings into its `terraform` object, each other
/// block appended to the list of its kind.
pub fn merge_native(doc: &mut serde_json::Value, text: &str) {
    use serde_json::{Map, Value};
    let mut stack: Vec<(String, Map<String, Value>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_suffix(" {") {
            stack.push((name.to_owned(), Map::new()));
        } else if line == "}" {
            let (name, body) = stack.pop().expect("a `}` closes a block");
            match stack.last_mut() {
                Some((_, parent)) => {
                    parent.insert(name, Value::Object(body));
                }
                None if name == "terraform" => {
                    let settings = doc["terraform"].as_object_mut().unwrap();
                    settings.extend(body);
                }
                None => {
                    let list = doc
                        .as_object_mut()
                        .unwrap()
                        .entry(name)
                        .or_insert_with(|| Value::Array(Vec::new()));
                    list.as_array_mut().unwrap().push(Value::Object(body));
                }
            }
        } else {
            let (key, value) = line.split_once(" = ").expect("an argument line");
            let value = value.trim();
            let value = if value.starts_with('"') {
                serde_json::from_str(value).expect("a quoted string JSON can read")
            } else if let Ok(literal) = serde_json::from_str::<Value>(value) {
                literal
            } else {
                Value::String(value.to_owned())
            };
            let (_, body) = stack.last_mut().expect("an argument inside a block");
            body.insert(key.trim().to_owned(), value);
        }
    }
    assert!(stack.is_empty(), "kite.tf closes every block");
}

/// The reference file of the original app.
pub fn reference(name: &str) -> serde_json::Value {
    read_json(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/reference")
            .join(name),
    )
}

/// Staging directories beside the output (`.cdktf.out.tmp-*`).
pub fn staging_dirs(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".cdktf.out.tmp-"))
        .collect()
}
