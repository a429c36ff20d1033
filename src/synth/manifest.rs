//! `manifest.json`: the stacks of an output directory, in cdktf's format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
