//! Terraform provider schemas, as `terraform providers schema -json` writes
//! them, and a compact encoding of one type's schema.
//!
//! kite-bindgen reads schema files to generate typed bindings and encodes
//! every type's schema once ([`compact`]); kite decodes, when it validates a
//! stack, only the types the stack uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub mod compact;

/// A schema file: provider schemas by full source address
/// (`registry.terraform.io/hashicorp/aws`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SchemaFile {
    #[serde(default)]
    pub provider_schemas: BTreeMap<String, ProviderSchema>,
}

impl SchemaFile {
    /// Parses the text of a `terraform providers schema -json` document.
    /// Here rather than at each caller: the deserializer is compiled once,
    /// with this crate, not again with kite's library (doc/adr/0011).
    pub fn from_json(text: &str) -> serde_json::Result<SchemaFile> {
        serde_json::from_str(text)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProviderSchema {
    /// The provider configuration block.
    pub provider: Option<Schema>,
    #[serde(default)]
    pub resource_schemas: BTreeMap<String, Schema>,
    #[serde(default)]
    pub data_source_schemas: BTreeMap<String, Schema>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Schema {
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub block: BlockSchema,
}

/// A block: its attributes and nested block types.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BlockSchema {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub block_types: BTreeMap<String, NestedBlock>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AttributeSchema {
    /// The attribute's type; `None` for a nested attribute.
    #[serde(default)]
    pub r#type: Option<Cty>,
    /// A nested attribute type (plugin framework providers).
    #[serde(default)]
    pub nested_type: Option<NestedAttributes>,
    #[serde(default)]
    pub description: Option<String>,
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
    /// Sent to the provider, never stored in the state (Terraform 1.11+).
    #[serde(default)]
    pub write_only: bool,
}

impl AttributeSchema {
    /// Set by the provider only: configurations cannot set it.
    pub fn is_computed_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NestedAttributes {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    pub nesting_mode: Nesting,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    #[default]
    Single,
    Group,
    List,
    Set,
    Map,
}

/// A cty type. In JSON it has cty's own form (`"string"`,
/// `["list", "string"]`, `["object", {...}]`); what is not understood is
/// `Dynamic`.
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

/// An object type's attributes, inserted rather than collected: `collect()`
/// compiles a sort and a bulk build for each pair type (kite's
/// doc/adr/0011).
pub(crate) fn object_of<T>(
    attributes: impl IntoIterator<Item = (String, T)>,
) -> BTreeMap<String, T> {
    let mut object = BTreeMap::new();
    object.extend(attributes);
    object
}

impl Cty {
    /// Parses the JSON form of a type.
    pub fn parse(value: &serde_json::Value) -> Cty {
        use serde_json::Value;
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
                (Some("object"), Some(Value::Object(attrs))) => Cty::Object(object_of(
                    attrs.iter().map(|(k, v)| (k.clone(), Cty::parse(v))),
                )),
                (Some("tuple"), Some(Value::Array(items))) => {
                    Cty::Tuple(items.iter().map(Cty::parse).collect())
                }
                _ => Cty::Dynamic,
            },
            _ => Cty::Dynamic,
        }
    }

    /// The JSON form of the type.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Value, json};
        match self {
            Cty::String => json!("string"),
            Cty::Number => json!("number"),
            Cty::Bool => json!("bool"),
            Cty::Dynamic => json!("dynamic"),
            Cty::List(t) => json!(["list", t.to_json()]),
            Cty::Set(t) => json!(["set", t.to_json()]),
            Cty::Map(t) => json!(["map", t.to_json()]),
            Cty::Object(attrs) => {
                let attrs: serde_json::Map<String, Value> = attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect();
                json!(["object", attrs])
            }
            Cty::Tuple(items) => {
                json!(["tuple", items.iter().map(Cty::to_json).collect::<Vec<_>>()])
            }
        }
    }
}

impl Serialize for Cty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Cty::parse(&value))
    }
}

/// `registry.terraform.io/<namespace>/<name>` for a source address
/// (`hashicorp/aws`, or a bare `aws`).
pub fn full_source(source: &str) -> String {
    match source.split('/').count() {
        1 => format!("registry.terraform.io/hashicorp/{source}"),
        2 => format!("registry.terraform.io/{source}"),
        _ => source.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cty_types_read_their_json_form_and_round_trip() {
        let json = serde_json::json!(["set", ["object", {"a": "string", "b": ["list", "number"]}]]);
        let t = Cty::parse(&json);
        let Cty::Set(inner) = &t else { panic!("{t:?}") };
        let Cty::Object(attrs) = &**inner else {
            panic!()
        };
        assert_eq!(attrs["b"], Cty::List(Box::new(Cty::Number)));
        assert_eq!(t.to_json(), json);
        let read: Cty = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(read, t);
        assert_eq!(serde_json::to_value(&t).unwrap(), json);
    }

    #[test]
    fn an_attribute_type_is_in_cty_json_form_in_a_schema_file() {
        let text = r#"{"type": ["map", "string"], "optional": true}"#;
        let attr: AttributeSchema = serde_json::from_str(text).unwrap();
        assert_eq!(attr.r#type, Some(Cty::Map(Box::new(Cty::String))));
        let back = serde_json::to_value(&attr).unwrap();
        assert_eq!(back["type"], serde_json::json!(["map", "string"]));
        let nested: AttributeSchema = serde_json::from_str(r#"{"optional": true}"#).unwrap();
        assert_eq!(nested.r#type, None);
    }
}
