//! Provider schemas in the `terraform providers schema -json` format.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The schemas of aws 6.25, cloudflare 5.14 and docker 3.6.2 for the types
/// this project uses (`schemas/providers.schema.json`).
const BUNDLED: &str = include_str!("../../schemas/providers.schema.json");

/// Provider schemas, by full source address
/// (`registry.terraform.io/hashicorp/aws`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Schemas {
    #[serde(default)]
    pub provider_schemas: BTreeMap<String, ProviderSchema>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProviderSchema {
    /// Whether every type of the provider is here: true for a file from
    /// `terraform providers schema -json`, false for the bundled schemas,
    /// which hold the types kite has typed.
    #[serde(skip)]
    pub complete: bool,
    pub provider: Option<Schema>,
    #[serde(default)]
    pub resource_schemas: BTreeMap<String, Schema>,
    #[serde(default)]
    pub data_source_schemas: BTreeMap<String, Schema>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Schema {
    #[serde(default)]
    pub version: u64,
    pub block: BlockSchema,
}

/// A block: its attributes and nested block types.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct BlockSchema {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub block_types: BTreeMap<String, NestedBlock>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AttributeSchema {
    /// The attribute's type (given in cty's JSON form, parsed on load).
    #[serde(default, deserialize_with = "cty_type")]
    pub r#type: Option<Cty>,
    /// A nested attribute type (plugin framework providers).
    #[serde(default)]
    pub nested_type: Option<NestedAttributes>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub computed: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub deprecated: bool,
}

impl AttributeSchema {
    /// Set by the provider only: configurations cannot set it.
    pub fn is_computed_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NestedAttributes {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    pub nesting_mode: Nesting,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NestedBlock {
    pub nesting_mode: Nesting,
    #[serde(default)]
    pub block: BlockSchema,
    #[serde(default)]
    pub min_items: u64,
    #[serde(default)]
    pub max_items: u64,
}

/// How many of a nested block or attribute there may be, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    #[default]
    Single,
    Group,
    List,
    Set,
    Map,
}

/// A schema file that cannot be used.
#[derive(Debug)]
pub struct SchemaError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot use the schema file {}: {}. Produce one with `terraform providers schema -json > schema.json` in an initialized configuration",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for SchemaError {}

impl Schemas {
    /// The schemas compiled into kite.
    pub fn bundled() -> Schemas {
        // The bundled file is part of the build; the tests parse it.
        serde_json::from_str(BUNDLED).unwrap_or_default()
    }

    /// Reads a `terraform providers schema -json` file.
    pub fn from_file(path: &Path) -> Result<Schemas, SchemaError> {
        let error = |message: String| SchemaError {
            path: path.to_path_buf(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let schemas: Schemas = serde_json::from_str(&text)
            .map_err(|e| error(format!("not a provider schema document ({e})")))?;
        if schemas.provider_schemas.is_empty() {
            return Err(error("it has no `provider_schemas`".into()));
        }
        let mut schemas = schemas;
        for provider in schemas.provider_schemas.values_mut() {
            provider.complete = true;
        }
        Ok(schemas)
    }

    /// These schemas, with each provider of `other` replacing the same one here.
    pub fn overlaid_with(mut self, other: Schemas) -> Schemas {
        self.provider_schemas.extend(other.provider_schemas);
        self
    }

    /// The schema of a provider by its `required_providers` source
    /// (`hashicorp/aws`, `registry.terraform.io/hashicorp/aws`, or a bare `aws`).
    pub fn provider(&self, source: &str) -> Option<&ProviderSchema> {
        self.provider_schemas.get(&full_source(source))
    }
}

/// `registry.terraform.io/<namespace>/<name>` for a source address.
pub fn full_source(source: &str) -> String {
    match source.split('/').count() {
        1 => format!("registry.terraform.io/hashicorp/{source}"),
        2 => format!("registry.terraform.io/{source}"),
        _ => source.to_owned(),
    }
}

fn cty_type<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Cty>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    Ok(value.as_ref().map(Cty::parse))
}

/// A cty type.
#[derive(Clone, Debug, PartialEq)]
pub enum Cty {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Cty>),
    Set(Box<Cty>),
    Map(Box<Cty>),
    Object(BTreeMap<String, Cty>),
    Tuple(Vec<Cty>),
}

impl Cty {
    /// Parses the JSON form of a type; `Dynamic` for what is not understood.
    pub fn parse(value: &Value) -> Cty {
        match value {
            Value::String(s) => match s.as_str() {
                "string" => Cty::String,
                "number" => Cty::Number,
                "bool" => Cty::Bool,
                _ => Cty::Dynamic,
            },
            Value::Array(parts) => match (parts.first().and_then(Value::as_str), parts.get(1)) {
                (Some("list"), Some(t)) => Cty::List(Box::new(Cty::parse(t))),
                (Some("set"), Some(t)) => Cty::Set(Box::new(Cty::parse(t))),
                (Some("map"), Some(t)) => Cty::Map(Box::new(Cty::parse(t))),
                (Some("object"), Some(Value::Object(attrs))) => Cty::Object(
                    attrs
                        .iter()
                        .map(|(k, v)| (k.clone(), Cty::parse(v)))
                        .collect(),
                ),
                (Some("tuple"), Some(Value::Array(items))) => {
                    Cty::Tuple(items.iter().map(Cty::parse).collect())
                }
                _ => Cty::Dynamic,
            },
            _ => Cty::Dynamic,
        }
    }
}

impl fmt::Display for Cty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cty::String => f.write_str("a string"),
            Cty::Number => f.write_str("a number"),
            Cty::Bool => f.write_str("a bool"),
            Cty::Dynamic => f.write_str("any value"),
            Cty::List(_) => f.write_str("a list"),
            Cty::Set(_) => f.write_str("a set"),
            Cty::Map(_) => f.write_str("a map"),
            Cty::Object(_) => f.write_str("an object"),
            Cty::Tuple(_) => f.write_str("a tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_schemas_parse_and_hold_the_three_providers() {
        let schemas: Schemas = serde_json::from_str(BUNDLED).expect("the bundled schema parses");
        let aws = schemas.provider("hashicorp/aws").unwrap();
        assert!(aws.resource_schemas.contains_key("aws_lambda_function"));
        assert!(aws.data_source_schemas.contains_key("aws_region"));
        let cf = schemas.provider("cloudflare/cloudflare").unwrap();
        assert!(cf.resource_schemas.contains_key("cloudflare_dns_record"));
        assert!(schemas.provider("kreuzwerker/docker").is_some());
        assert!(
            schemas.provider("aws").is_some(),
            "a bare name is a hashicorp provider"
        );
    }

    #[test]
    fn cty_types_parse() {
        let t = Cty::parse(
            &serde_json::json!(["set", ["object", {"a": "string", "b": ["list", "number"]}]]),
        );
        let Cty::Set(inner) = t else { panic!() };
        let Cty::Object(attrs) = *inner else { panic!() };
        assert_eq!(attrs["a"], Cty::String);
        assert_eq!(attrs["b"], Cty::List(Box::new(Cty::Number)));
    }
}
