//! Terraform provider schemas, as `terraform providers schema -json` writes
//! them, and a compact encoding of one type's schema.
//!
//! kite-bindgen reads schema files to generate typed bindings and encodes
//! every type's schema once; kite reads, when it validates a stack, only
//! the types the stack uses, in place. One set of types serves both: JSON
//! (human readable) and the compact binary form (an rkyv archive, read
//! without decoding).

use std::collections::BTreeMap;
use std::fmt;

use rkyv::Archive;
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

#[derive(Clone, Debug, Default, Serialize, Deserialize, Archive, rkyv::Serialize)]
pub struct Schema {
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub block: BlockSchema,
}

/// A block: its attributes and nested block types.
#[derive(Clone, Debug, Default, Serialize, Deserialize, Archive, rkyv::Serialize)]
// Recursive through its nested types: the bounds given by hand.
#[rkyv(serialize_bounds(
    __S: rkyv::ser::Writer + rkyv::ser::Allocator,
    __S::Error: rkyv::rancor::Source,
))]
#[rkyv(bytecheck(bounds(
    __C: rkyv::validation::ArchiveContext,
    <__C as rkyv::rancor::Fallible>::Error: rkyv::rancor::Source,
)))]
pub struct BlockSchema {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    #[rkyv(omit_bounds)]
    pub block_types: BTreeMap<String, NestedBlock>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    /// What a body of this block must give; filled in by [`encode`].
    #[serde(skip)]
    pub required: Vec<Required>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, Archive, rkyv::Serialize)]
// Recursive through its nested types: the bounds given by hand.
#[rkyv(serialize_bounds(
    __S: rkyv::ser::Writer + rkyv::ser::Allocator,
    __S::Error: rkyv::rancor::Source,
))]
#[rkyv(bytecheck(bounds(
    __C: rkyv::validation::ArchiveContext,
    <__C as rkyv::rancor::Fallible>::Error: rkyv::rancor::Source,
)))]
pub struct AttributeSchema {
    /// The attribute's type; `None` for a nested attribute.
    #[serde(default)]
    pub r#type: Option<Cty>,
    /// A nested attribute type (plugin framework providers).
    #[serde(default)]
    #[rkyv(omit_bounds)]
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

impl ArchivedAttributeSchema {
    /// Set by the provider only: configurations cannot set it.
    pub fn is_computed_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, Archive, rkyv::Serialize)]
pub struct NestedAttributes {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    pub nesting_mode: Nesting,
    /// What each object of this attribute must give; filled in by [`encode`].
    #[serde(skip)]
    pub required: Vec<Required>,
}

/// A name a body must give: terraform's JSON says it entry by entry
/// (`required`, `min_items`); the compact form lists them, in the schema's
/// order, so that validation reads only these rather than every entry for
/// every block.
#[derive(Clone, Debug, PartialEq, Eq, Archive, rkyv::Serialize)]
pub struct Required {
    pub name: String,
    pub kind: RequiredKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Archive, rkyv::Serialize)]
#[rkyv(derive(Clone, Copy, Debug, PartialEq, Eq))]
pub enum RequiredKind {
    /// A required argument (attribute).
    Argument,
    /// A nested block type with `min_items` of at least one.
    Block,
}

impl ArchivedRequiredKind {
    /// What it is, in a message: `argument` or `block`.
    pub fn word(self) -> &'static str {
        match self {
            ArchivedRequiredKind::Argument => "argument",
            ArchivedRequiredKind::Block => "block",
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, Archive, rkyv::Serialize)]
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
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Archive, rkyv::Serialize,
)]
#[rkyv(derive(Clone, Copy, Debug, PartialEq, Eq))]
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
#[derive(Clone, Debug, PartialEq, Archive, rkyv::Serialize)]
// A recursive type: the bounds its containers need, given by hand.
#[rkyv(serialize_bounds(
    __S: rkyv::ser::Writer + rkyv::ser::Allocator,
    __S::Error: rkyv::rancor::Source,
))]
#[rkyv(bytecheck(bounds(
    __C: rkyv::validation::ArchiveContext,
    <__C as rkyv::rancor::Fallible>::Error: rkyv::rancor::Source,
)))]
pub enum Cty {
    String,
    Number,
    Bool,
    Dynamic,
    List(#[rkyv(omit_bounds)] Box<Cty>),
    Set(#[rkyv(omit_bounds)] Box<Cty>),
    Map(#[rkyv(omit_bounds)] Box<Cty>),
    Object(#[rkyv(omit_bounds)] BTreeMap<String, Cty>),
    Tuple(#[rkyv(omit_bounds)] Vec<Cty>),
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

impl fmt::Display for Cty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cty::String => "a string",
            Cty::Number => "a number",
            Cty::Bool => "a bool",
            Cty::Dynamic => "any value",
            Cty::List(_) => "a list",
            Cty::Set(_) => "a set",
            Cty::Map(_) => "a map",
            Cty::Object(_) => "an object",
            Cty::Tuple(_) => "a tuple",
        })
    }
}

impl fmt::Display for ArchivedCty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArchivedCty::String => "a string",
            ArchivedCty::Number => "a number",
            ArchivedCty::Bool => "a bool",
            ArchivedCty::Dynamic => "any value",
            ArchivedCty::List(_) => "a list",
            ArchivedCty::Set(_) => "a set",
            ArchivedCty::Map(_) => "a map",
            ArchivedCty::Object(_) => "an object",
            ArchivedCty::Tuple(_) => "a tuple",
        })
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

/// One type's schema in the compact form, without descriptions and with
/// each body's required names listed (what validation needs): an rkyv
/// archive, read in place ([`access`]) without decoding or allocating.
pub fn encode(schema: &Schema) -> Vec<u8> {
    let mut stripped = schema.clone();
    prepare_block(&mut stripped.block);
    // Plain data always encodes.
    rkyv::to_bytes::<rkyv::rancor::Error>(&stripped)
        .map(|bytes| bytes.to_vec())
        .unwrap_or_default()
}

/// A type's schema in its compact form, checked to be a valid archive
/// (the archive is read where it is, at any alignment).
pub fn access(bytes: &[u8]) -> Result<&ArchivedSchema, rkyv::rancor::Error> {
    rkyv::access::<ArchivedSchema, rkyv::rancor::Error>(bytes)
}

/// Strips a block's descriptions and lists what its bodies require, nested
/// blocks and attributes included.
fn prepare_block(block: &mut BlockSchema) {
    block.description = None;
    for a in block.attributes.values_mut() {
        prepare_attribute(a);
    }
    for b in block.block_types.values_mut() {
        prepare_block(&mut b.block);
    }
    let blocks = block
        .block_types
        .iter()
        .filter(|(_, nested)| nested.min_items >= 1)
        .map(|(name, _)| required(name, RequiredKind::Block));
    block.required = required_arguments(&block.attributes)
        .chain(blocks)
        .collect();
}

fn prepare_attribute(a: &mut AttributeSchema) {
    a.description = None;
    if let Some(nested) = &mut a.nested_type {
        for inner in nested.attributes.values_mut() {
            prepare_attribute(inner);
        }
        nested.required = required_arguments(&nested.attributes).collect();
    }
}

fn required_arguments(
    attributes: &BTreeMap<String, AttributeSchema>,
) -> impl Iterator<Item = Required> + '_ {
    attributes
        .iter()
        .filter(|(_, a)| a.required)
        .map(|(name, _)| required(name, RequiredKind::Argument))
}

fn required(name: &str, kind: RequiredKind) -> Required {
    Required {
        name: name.to_owned(),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cty_types_read_their_json_form_and_round_trip() {
        let json = serde_json::json!(["set", ["object", {"a": "string", "b": ["list", "number"]}]]);
        let t: Cty = serde_json::from_value(json.clone()).unwrap();
        let Cty::Set(inner) = &t else { panic!("{t:?}") };
        let Cty::Object(attrs) = &**inner else {
            panic!()
        };
        assert_eq!(attrs["b"], Cty::List(Box::new(Cty::Number)));
        assert_eq!(serde_json::to_value(&t).unwrap(), json);
    }

    #[test]
    fn a_schema_encodes_without_descriptions_and_reads_in_place() {
        let text = r#"{"version": 2, "block": {"attributes": {
            "name": {"type": "string", "required": true, "description": "The name."},
            "tags": {"type": ["map", "string"], "optional": true}},
          "block_types": {"rule": {"nesting_mode": "list", "min_items": 1,
            "block": {"attributes": {"x": {"type": "number", "optional": true}}}}}}}"#;
        let schema: Schema = serde_json::from_str(text).unwrap();
        let bytes = encode(&schema);
        // At any alignment: the bundled blob puts types one after another.
        let mut shifted = vec![0u8];
        shifted.extend_from_slice(&bytes);
        for bytes in [&bytes[..], &shifted[1..]] {
            let archived = access(bytes).unwrap();
            assert_eq!(archived.version, 2);
            let name = archived.block.attributes.get("name").unwrap();
            assert!(name.required && name.description.is_none());
            let tags = archived.block.attributes.get("tags").unwrap();
            let Some(ArchivedCty::Map(inner)) = tags.r#type.as_ref() else {
                panic!("tags is a map")
            };
            assert!(matches!(**inner, ArchivedCty::String));
            let rule = archived.block.block_types.get("rule").unwrap();
            assert_eq!(rule.nesting_mode, ArchivedNesting::List);
            assert_eq!(rule.min_items.to_native(), 1);
            let required: Vec<_> = archived
                .block
                .required
                .iter()
                .map(|r| (r.name.as_str(), r.kind.word()))
                .collect();
            assert_eq!(required, [("name", "argument"), ("rule", "block")]);
            assert!(rule.block.required.is_empty(), "`x` is optional");
        }
        assert!(access(&bytes[..4]).is_err(), "a cut archive is refused");
    }

    #[test]
    fn nested_attributes_list_what_each_object_requires() {
        let text = r#"{"block": {"attributes": {"origin": {"optional": true,
            "nested_type": {"nesting_mode": "list", "attributes": {
              "host": {"type": "string", "required": true},
              "port": {"type": "number", "optional": true},
              "address": {"type": "string", "required": true}}}}}}}"#;
        let schema: Schema = serde_json::from_str(text).unwrap();
        let bytes = encode(&schema);
        let archived = access(&bytes).unwrap();
        assert!(archived.block.required.is_empty(), "`origin` is optional");
        let origin = archived.block.attributes.get("origin").unwrap();
        let nested = origin.nested_type.as_ref().unwrap();
        let names: Vec<_> = nested.required.iter().map(|r| r.name.as_str()).collect();
        // In the schema's (sorted) order.
        assert_eq!(names, ["address", "host"]);
        assert!(
            nested
                .required
                .iter()
                .all(|r| r.kind == ArchivedRequiredKind::Argument)
        );
    }
}
