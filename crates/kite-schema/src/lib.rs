//! Terraform provider schemas, as `terraform providers schema -json` writes
//! them, and a compact encoding of one type's schema.
//!
//! kite-bindgen reads schema files to generate typed bindings and encodes
//! every type's schema once; kite decodes, when it validates a stack, only
//! the types the stack uses. One set of types serves both: JSON (human
//! readable) and the compact binary form (postcard).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A schema file: provider schemas by full source address
/// (`registry.terraform.io/hashicorp/aws`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SchemaFile {
    #[serde(default)]
    pub provider_schemas: BTreeMap<String, ProviderSchema>,
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

/// The compact form of a cty type.
#[derive(Serialize, Deserialize)]
enum CompactCty {
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

impl Serialize for Cty {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return self.to_json().serialize(serializer);
        }
        let compact = match self.clone() {
            Cty::String => CompactCty::String,
            Cty::Number => CompactCty::Number,
            Cty::Bool => CompactCty::Bool,
            Cty::Dynamic => CompactCty::Dynamic,
            Cty::List(t) => CompactCty::List(t),
            Cty::Set(t) => CompactCty::Set(t),
            Cty::Map(t) => CompactCty::Map(t),
            Cty::Object(a) => CompactCty::Object(a),
            Cty::Tuple(t) => CompactCty::Tuple(t),
        };
        compact.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Cty {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            let value = serde_json::Value::deserialize(deserializer)?;
            return Ok(Cty::parse(&value));
        }
        Ok(match CompactCty::deserialize(deserializer)? {
            CompactCty::String => Cty::String,
            CompactCty::Number => Cty::Number,
            CompactCty::Bool => Cty::Bool,
            CompactCty::Dynamic => Cty::Dynamic,
            CompactCty::List(t) => Cty::List(t),
            CompactCty::Set(t) => Cty::Set(t),
            CompactCty::Map(t) => Cty::Map(t),
            CompactCty::Object(a) => Cty::Object(a),
            CompactCty::Tuple(t) => Cty::Tuple(t),
        })
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

/// `registry.terraform.io/<namespace>/<name>` for a source address
/// (`hashicorp/aws`, or a bare `aws`).
pub fn full_source(source: &str) -> String {
    match source.split('/').count() {
        1 => format!("registry.terraform.io/hashicorp/{source}"),
        2 => format!("registry.terraform.io/{source}"),
        _ => source.to_owned(),
    }
}

/// One type's schema in the compact form, without descriptions (what
/// validation needs).
pub fn encode(schema: &Schema) -> Vec<u8> {
    let mut stripped = schema.clone();
    strip_descriptions(&mut stripped.block);
    // Plain data always encodes.
    postcard::to_allocvec(&stripped).unwrap_or_default()
}

/// A type's schema from its compact form.
pub fn decode(bytes: &[u8]) -> Result<Schema, postcard::Error> {
    postcard::from_bytes(bytes)
}

fn strip_descriptions(block: &mut BlockSchema) {
    block.description = None;
    for a in block.attributes.values_mut() {
        strip_attribute(a);
    }
    for b in block.block_types.values_mut() {
        strip_descriptions(&mut b.block);
    }
}

fn strip_attribute(a: &mut AttributeSchema) {
    a.description = None;
    if let Some(nested) = &mut a.nested_type {
        for inner in nested.attributes.values_mut() {
            strip_attribute(inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cty_types_read_their_json_form_and_round_trip_compactly() {
        let json = serde_json::json!(["set", ["object", {"a": "string", "b": ["list", "number"]}]]);
        let t: Cty = serde_json::from_value(json.clone()).unwrap();
        let Cty::Set(inner) = &t else { panic!("{t:?}") };
        let Cty::Object(attrs) = &**inner else {
            panic!()
        };
        assert_eq!(attrs["b"], Cty::List(Box::new(Cty::Number)));
        assert_eq!(serde_json::to_value(&t).unwrap(), json);
        let bytes = postcard::to_allocvec(&t).unwrap();
        assert_eq!(postcard::from_bytes::<Cty>(&bytes).unwrap(), t);
    }

    #[test]
    fn a_schema_encodes_without_descriptions_and_decodes() {
        let text = r#"{"version": 2, "block": {"attributes": {
            "name": {"type": "string", "required": true, "description": "The name."},
            "tags": {"type": ["map", "string"], "optional": true}},
          "block_types": {"rule": {"nesting_mode": "list", "min_items": 1,
            "block": {"attributes": {"x": {"type": "number", "optional": true}}}}}}}"#;
        let schema: Schema = serde_json::from_str(text).unwrap();
        let decoded = decode(&encode(&schema)).unwrap();
        assert_eq!(decoded.version, 2);
        let name = &decoded.block.attributes["name"];
        assert!(name.required && name.description.is_none());
        assert_eq!(
            decoded.block.attributes["tags"].r#type,
            Some(Cty::Map(Box::new(Cty::String)))
        );
        assert_eq!(
            decoded.block.block_types["rule"].nesting_mode,
            Nesting::List
        );
        assert_eq!(decoded.block.block_types["rule"].min_items, 1);
    }
}
