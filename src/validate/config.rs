//! Stack-level configuration: providers, `required_providers`, backends.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use crate::collections::{map_of, set_of};

use super::Report;
use super::blocks::Blocks;
use super::body::{At, Kind, Named, Shape, check_body};
use super::node::Node;
use super::path::JsonPath;
use super::schema::{ProviderSchemas, Schema, Schemas, TypeKind};

/// What a stack says about its providers, and their schemas.
pub(crate) struct Providers<'a> {
    /// `required_providers`: local name → source and schema, resolved once.
    required: BTreeMap<String, (String, Option<&'a ProviderSchemas>)>,
    schemas: &'a Schemas,
}

/// The schema of a block's type, or why there is none.
pub(crate) enum Lookup<'a> {
    Found(Arc<Schema>),
    /// No schema for the provider at all: nothing can be checked.
    UnknownProvider(String),
    /// The provider's schema has no such type.
    UnknownType {
        source: String,
        provider: &'a ProviderSchemas,
    },
    /// Terraform's own types (`terraform_data`, `terraform_remote_state`).
    Builtin,
}

/// The local name of Terraform's built-in provider (`terraform.io/builtin/terraform`).
const BUILTIN: &str = "terraform";

impl<'a> Providers<'a> {
    pub(crate) fn of(doc: &Value, schemas: &'a Schemas) -> Self {
        let required = doc["terraform"]["required_providers"]
            .as_object()
            .map(|entries| {
                map_of(entries.iter().filter_map(|(k, v)| {
                    let source = v["source"].as_str()?.to_owned();
                    let schema = schemas.provider(&source);
                    Some((k.clone(), (source, schema)))
                }))
            })
            .unwrap_or_default();
        Providers { required, schemas }
    }

    /// The source address of a local name (Terraform's default: `hashicorp/<name>`).
    pub(crate) fn source(&self, local: &str) -> String {
        match self.required.get(local) {
            Some((source, _)) => source.clone(),
            None if local == BUILTIN => "terraform.io/builtin/terraform".into(),
            None => format!("hashicorp/{local}"),
        }
    }

    pub(crate) fn provider_schema(&self, local: &str) -> Option<&'a ProviderSchemas> {
        match self.required.get(local) {
            Some((_, schema)) => *schema,
            None => self.schemas.provider(&self.source(local)),
        }
    }

    /// The schema of `type_name` in the provider of local name `local`.
    pub(crate) fn lookup_in(&self, kind: Kind, type_name: &str, local: &str) -> Lookup<'a> {
        let provider = match self.provider_schema(local) {
            Some(provider) => provider,
            None if local == BUILTIN => return Lookup::Builtin,
            None => return Lookup::UnknownProvider(self.source(local)),
        };
        let kind = match kind {
            Kind::Resource => TypeKind::Resource,
            Kind::Data => TypeKind::Data,
        };
        match provider.get(kind, type_name) {
            Some(schema) => Lookup::Found(schema),
            None => Lookup::UnknownType {
                source: self.source(local),
                provider,
            },
        }
    }
}

/// The last schema lookup, kept for the next: blocks of one type, and
/// references to one type, mostly come in runs (a thousand tables, a
/// thousand policies each reading its table), and each lookup searches the
/// provider's sorted type names.
#[derive(Default)]
pub(crate) struct LastLookup<'d, 'a> {
    last: Option<((Kind, &'d str, &'d str), Lookup<'a>)>,
}

impl<'d, 'a> LastLookup<'d, 'a> {
    /// What [`Providers::lookup_in`] finds for `type_name` in the provider
    /// of local name `local`.
    pub(crate) fn get(
        &mut self,
        providers: &Providers<'a>,
        kind: Kind,
        type_name: &'d str,
        local: &'d str,
    ) -> &Lookup<'a> {
        let key = (kind, type_name, local);
        if self.last.as_ref().is_some_and(|(k, _)| *k != key) {
            self.last = None;
        }
        &self
            .last
            .get_or_insert_with(|| (key, providers.lookup_in(kind, type_name, local)))
            .1
    }
}

/// Keys of the `s3` backend (Terraform 1.11).
const S3_BACKEND: &[&str] = &[
    "bucket",
    "key",
    "region",
    "encrypt",
    "use_lockfile",
    "dynamodb_table",
    "dynamodb_endpoint",
    "kms_key_id",
    "acl",
    "profile",
    "shared_credentials_files",
    "shared_config_files",
    "workspace_key_prefix",
    "endpoints",
    "use_path_style",
    "force_path_style",
    "skip_credentials_validation",
    "skip_region_validation",
    "skip_metadata_api_check",
    "skip_requesting_account_id",
    "skip_s3_checksum",
    "sse_customer_key",
    "max_retries",
    "retry_mode",
    "sts_region",
    "insecure",
    "allowed_account_ids",
    "forbidden_account_ids",
    "assume_role",
    "assume_role_with_web_identity",
    "custom_ca_bundle",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "use_dualstack_endpoint",
    "use_fips_endpoint",
    "access_key",
    "secret_key",
    "token",
    "use_legacy_workflow",
];
const S3_REQUIRED: &[&str] = &["bucket", "key"];
/// Keys of the `local` backend.
const LOCAL_BACKEND: &[&str] = &["path", "workspace_dir"];

pub(crate) fn check(doc: &Value, blocks: Blocks, providers: &Providers, report: &mut Report) {
    let required = doc["terraform"]["required_providers"].as_object();
    for (local, entry) in required.into_iter().flatten() {
        let json_path = format!("terraform.required_providers.{local}");
        for key in ["source", "version"] {
            if !entry[key].is_string() {
                report.error(
                    None,
                    &json_path,
                    format!("provider `{local}` needs a `{key}` in required_providers"),
                );
            }
        }
    }

    // Every provider used has a required_providers entry.
    // Every provider used, with what uses it first (and that block's path).
    let mut used: BTreeMap<&str, (String, Option<&str>)> = BTreeMap::new();
    blocks.for_each_seen(|seen| {
        used.entry(seen.local).or_insert_with(|| {
            (
                format!("the {} type `{}`", seen.section, seen.type_name),
                seen.path,
            )
        });
    });
    for local in doc["provider"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        used.entry(local)
            .or_insert_with(|| ("a provider configuration".into(), None));
    }
    for (local, (by, path)) in &used {
        if *local != BUILTIN && !required.is_some_and(|r| r.contains_key(*local)) {
            report.error(
                *path,
                &format!("terraform.required_providers.{local}"),
                format!("provider `{local}` is used by {by} but has no required_providers entry: add its source and version (Stack::require_provider, or RawBlock::provider)"),
            );
        }
    }

    // Provider configurations against the provider's schema.
    for (local, configs) in doc["provider"].as_object().into_iter().flatten() {
        let configs: Vec<&Value> = match configs {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        let schema = providers.provider_schema(local);
        for (i, config) in configs.iter().enumerate() {
            let json_path = format!("provider.{local}.{i}");
            match schema.and_then(|s| s.config()) {
                Some(schema) => {
                    let Some(body) = Node::Json(config).object() else {
                        report.error(None, &json_path, "a provider configuration must be an object");
                        continue;
                    };
                    let json = JsonPath::Root(&json_path);
                    let at = At { path: None, json: &json };
                    check_body(body, &["alias", "//"], Shape::of(&schema.block), &Named::Provider(local), at, report);
                }
                None => report.warning(
                    None,
                    &json_path,
                    format!(
                        "no schema for provider {}: its configuration is not checked (pass --schema with `terraform providers schema -json` output)",
                        providers.source(local)
                    ),
                ),
            }
        }
    }

    // The backend.
    for (backend, config) in doc["terraform"]["backend"]
        .as_object()
        .into_iter()
        .flatten()
    {
        let json_path = format!("terraform.backend.{backend}");
        let (known, needed): (&[&str], &[&str]) = match backend.as_str() {
            "s3" => (S3_BACKEND, S3_REQUIRED),
            "local" => (LOCAL_BACKEND, &[]),
            other => {
                report.warning(
                    None,
                    &json_path,
                    format!("the `{other}` backend is not checked"),
                );
                continue;
            }
        };
        let keys: BTreeSet<&str> = set_of(
            config
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.as_str()),
        );
        for key in &keys {
            if !known.contains(key) {
                let candidates: Vec<String> = known.iter().map(|k| k.to_string()).collect();
                report.error(
                    None,
                    &format!("{json_path}.{key}"),
                    format!(
                        "`{key}` is not an argument of the {backend} backend{}",
                        super::did_you_mean(key, candidates.iter())
                    ),
                );
            }
        }
        for key in needed {
            if !keys.contains(key) {
                report.error(
                    None,
                    &json_path,
                    format!("the {backend} backend needs `{key}`"),
                );
            }
        }
    }
}
