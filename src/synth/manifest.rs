//! `manifest.json`: the stacks of an output directory, in cdktf's format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The content of `cdktf.out/manifest.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: String,
    pub stacks: BTreeMap<String, ManifestStack>,
}

/// One stack of the manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestStack {
    pub name: String,
    pub construct_path: String,
    pub working_directory: String,
    pub synthesized_stack_path: String,
    #[serde(default)]
    pub annotations: Vec<serde_json::Value>,
    #[serde(default)]
    pub dependencies: Vec<String>,
}

impl ManifestStack {
    pub fn new(name: &str) -> Self {
        ManifestStack {
            name: name.to_owned(),
            construct_path: name.to_owned(),
            working_directory: format!("stacks/{name}"),
            synthesized_stack_path: format!("stacks/{name}/cdk.tf.json"),
            annotations: Vec::new(),
            dependencies: Vec::new(),
        }
    }
}

/// Whether `bytes` are the `manifest.json` of an output directory that kite
/// or cdktf wrote: a JSON object with a `version` string and a `stacks`
/// object whose every entry has a `synthesizedStackPath` string. Any other
/// file of that name (a browser extension's, an npm package's) is not.
pub fn is_output_manifest(bytes: &[u8]) -> bool {
    let Ok(Value::Object(manifest)) = serde_json::from_slice::<Value>(bytes) else {
        return false;
    };
    let version = manifest.get("version").is_some_and(Value::is_string);
    let stacks = match manifest.get("stacks") {
        Some(Value::Object(stacks)) => stacks.values().all(|stack| {
            stack
                .get("synthesizedStackPath")
                .is_some_and(Value::is_string)
        }),
        _ => false,
    };
    version && stacks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kite_and_cdktf_manifests_are_recognized() {
        let kite = serde_json::to_vec(&Manifest {
            version: "0.1.0".into(),
            stacks: BTreeMap::from([("app".to_owned(), ManifestStack::new("app"))]),
        })
        .unwrap();
        assert!(is_output_manifest(&kite));
        assert!(is_output_manifest(br#"{"version":"0.1.0","stacks":{}}"#));
        // cdktf 0.18 writes more fields; they do not matter.
        assert!(is_output_manifest(
            br#"{"version":"0.18.0","stacks":{"kite":{"name":"kite","synthesizedStackPath":"stacks/kite/cdk.tf.json","annotations":[]}}}"#
        ));
    }

    #[test]
    fn other_files_named_manifest_json_are_not() {
        for other in [
            // A browser extension's.
            &br#"{"manifest_version":3,"name":"Tabs","version":"1.2"}"#[..],
            br#"{"version":"1","stacks":{"a":{"name":"a"}}}"#,
            br#"{"version":1,"stacks":{}}"#,
            br#"{"stacks":{}}"#,
            br#"[]"#,
            b"not json",
            b"",
        ] {
            assert!(
                !is_output_manifest(other),
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }
}
