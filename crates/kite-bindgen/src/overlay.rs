//! What a provider's schema cannot say, kept by hand per provider: where its
//! requirement points, how its types are grouped into modules, which strings
//! are ARNs, which arguments must never be set (secrets), which types take
//! tags, and naming exceptions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// The provider's source in `required_providers` (`hashicorp/aws`);
    /// also picks its schema from the schema file.
    pub source: String,
    /// The name configurations use (`aws`); also the prefix of its types.
    pub local_name: String,
    /// The version constraint written into `required_providers`; empty for
    /// Terraform's built-in provider, which needs no entry.
    #[serde(default)]
    pub version: String,
    /// A provider built into Terraform (`terraform.io/builtin/terraform`):
    /// no `required_providers` entry, no provider configuration type.
    #[serde(default)]
    pub builtin: bool,
    /// Every type in one module (small providers) instead of one module per service.
    #[serde(default)]
    pub flat: bool,
    /// Cargo features are named `<feature_prefix>-<module>`; unset: no features.
    #[serde(default)]
    pub feature_prefix: Option<String>,
    /// Types (resources and data sources, by Terraform name) compiled
    /// whatever the features: the framework's constructs use them. The
    /// rest of their modules is behind the module's feature, like any other.
    #[serde(default)]
    pub always_compiled: BTreeSet<String>,
    /// Type-name prefixes (after the provider's prefix) that name a module of
    /// their own, instead of the first word: `api_gateway = "apigateway"`.
    #[serde(default)]
    pub modules: BTreeMap<String, String>,
    /// Rust names for types whose generated name would be awkward or clash,
    /// by Terraform type or by `type.path.to.field`.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Which strings hold ARNs.
    #[serde(default)]
    pub arns: Arns,
    /// Arguments never settable because they hold secrets: by type
    /// (`provider` for the provider configuration), dotted paths for nested ones.
    #[serde(default)]
    pub secrets: BTreeMap<String, Vec<String>>,
    /// Resources that take a `tags` map but are not tagged by tag aspects,
    /// and resources tagged although their `tags` is not a plain map.
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arns {
    /// Attribute names that are ARNs wherever they appear (`arn`).
    #[serde(default)]
    pub names: BTreeSet<String>,
    /// Suffixes of attribute names that are ARNs (`_arn`, `_arns`).
    #[serde(default)]
    pub suffixes: Vec<String>,
    /// More, per type: `aws_lambda_function = ["role", "layers"]`.
    #[serde(default)]
    pub types: BTreeMap<String, Vec<String>>,
    /// Names the rules above would type as ARNs, but which are not.
    #[serde(default)]
    pub not: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tags {
    #[serde(default)]
    pub exclude: BTreeSet<String>,
}

impl Overlay {
    pub fn read(path: &Path) -> Result<Overlay> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("{} is not a valid overlay", path.display()))
    }

    /// Whether the attribute `path` (dotted, below the type) of `tf_type` is an ARN.
    pub fn is_arn(&self, tf_type: &str, path: &str) -> bool {
        let name = path.rsplit('.').next().unwrap_or(path);
        let listed = |map: &BTreeMap<String, Vec<String>>| {
            map.get(tf_type)
                .is_some_and(|names| names.iter().any(|n| n == path))
        };
        if listed(&self.arns.not) {
            return false;
        }
        self.arns.names.contains(name)
            || self
                .arns
                .suffixes
                .iter()
                .any(|s| name.ends_with(s.as_str()))
            || listed(&self.arns.types)
    }

    /// Whether the argument `path` of `owner` (a type, or `provider`) is a secret.
    pub fn is_secret(&self, owner: &str, path: &str) -> bool {
        self.secrets
            .get(owner)
            .is_some_and(|names| names.iter().any(|n| n == path))
    }

    /// The module of a type: the longest listed prefix, or the first word.
    pub fn module_of(&self, tf_type: &str) -> String {
        let rest = tf_type
            .strip_prefix(&self.local_name)
            .and_then(|r| r.strip_prefix('_'))
            .unwrap_or(tf_type);
        let listed = self
            .modules
            .iter()
            .filter(|(prefix, _)| {
                rest == prefix.as_str() || rest.starts_with(&format!("{prefix}_"))
            })
            .max_by_key(|(prefix, _)| prefix.len());
        match listed {
            Some((_, module)) => module.clone(),
            None => rest.split('_').next().unwrap_or(rest).to_owned(),
        }
    }
}
