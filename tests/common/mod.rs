//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` (relative path → bytes), to compare trees byte for byte.
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
            files.insert(rel, std::fs::read(&path).unwrap());
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
