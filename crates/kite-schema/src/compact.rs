//! One type's schema in the form validation reads: no descriptions, only the
//! flags validation looks at, each body's required names listed, encoded
//! with postcard. kite decodes a bundled type when a stack first uses it
//! (doc/adr/0017), its names borrowed from the bytes, each table one sorted
//! vector: the decoding allocates little.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Nesting;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema<'a> {
    #[serde(borrow)]
    pub block: Block<'a>,
}

/// A block: its attributes, nested block types and required names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Block<'a> {
    #[serde(borrow)]
    pub attributes: Table<'a, Attribute<'a>>,
    #[serde(borrow)]
    pub block_types: Table<'a, NestedBlock<'a>>,
    /// What a body of this block must give.
    #[serde(borrow)]
    pub required: Vec<Required<'a>>,
}

/// A name in a schema: borrowed from the encoded bytes, or owned when the
/// schema was read from a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Name<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Names and what they are, sorted by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table<'a, T>(#[serde(borrow)] Vec<(Name<'a>, T)>);

impl<T> Table<'_, T> {
    pub fn get(&self, name: &str) -> Option<&T> {
        let i = self
            .0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        Some(&self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(n, _)| n.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
}

impl<T> FromIterator<(String, T)> for Table<'_, T> {
    /// From names in sorted order (a `BTreeMap`'s): lookups bisect.
    fn from_iter<I: IntoIterator<Item = (String, T)>>(items: I) -> Self {
        let table: Vec<_> = items
            .into_iter()
            .map(|(n, v)| (Name(Cow::Owned(n)), v))
            .collect();
        debug_assert!(table.is_sorted_by(|a, b| a.0.as_str() < b.0.as_str()));
        Table(table)
    }
}

/// A cty type, as [`crate::Cty`], in the compact form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

impl From<&crate::Cty> for Cty {
    fn from(ty: &crate::Cty) -> Cty {
        use crate::Cty as Json;
        match ty {
            Json::String => Cty::String,
            Json::Number => Cty::Number,
            Json::Bool => Cty::Bool,
            Json::Dynamic => Cty::Dynamic,
            Json::List(t) => Cty::List(Box::new(Cty::from(&**t))),
            Json::Set(t) => Cty::Set(Box::new(Cty::from(&**t))),
            Json::Map(t) => Cty::Map(Box::new(Cty::from(&**t))),
            Json::Object(attrs) => Cty::Object(crate::object_of(
                attrs.iter().map(|(k, v)| (k.clone(), v.into())),
            )),
            Json::Tuple(items) => Cty::Tuple(items.iter().map(Cty::from).collect()),
        }
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attribute<'a> {
    /// The attribute's type; `None` for a nested attribute.
    pub r#type: Option<Cty>,
    #[serde(borrow)]
    pub nested_type: Option<NestedAttributes<'a>>,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub deprecated: bool,
}

impl Attribute<'_> {
    /// Set by the provider only: configurations cannot set it.
    pub fn is_computed_only(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedAttributes<'a> {
    #[serde(borrow)]
    pub attributes: Table<'a, Attribute<'a>>,
    pub nesting_mode: Nesting,
    /// What each object of this attribute must give.
    #[serde(borrow)]
    pub required: Vec<Required<'a>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NestedBlock<'a> {
    pub nesting_mode: Nesting,
    #[serde(borrow)]
    pub block: Block<'a>,
    pub min_items: u64,
    pub max_items: u64,
}

/// A name a body must give: terraform's JSON says it entry by entry
/// (`required`, `min_items`); the compact form lists them, in the schema's
/// order, so that validation reads only these rather than every entry for
/// every block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Required<'a> {
    #[serde(borrow)]
    pub name: Name<'a>,
    pub kind: RequiredKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequiredKind {
    /// A required argument (attribute).
    Argument,
    /// A nested block type with `min_items` of at least one.
    Block,
}

impl RequiredKind {
    /// What it is, in a message: `argument` or `block`.
    pub fn word(self) -> &'static str {
        match self {
            RequiredKind::Argument => "argument",
            RequiredKind::Block => "block",
        }
    }
}

impl From<&crate::Schema> for Schema<'_> {
    fn from(schema: &crate::Schema) -> Self {
        Schema {
            block: block(&schema.block),
        }
    }
}

/// The compact form of a type's schema, encoded.
pub fn encode(schema: &crate::Schema) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_allocvec(&Schema::from(schema))
}

/// Decodes what [`encode`] wrote, all of it, borrowing its names. For
/// kite's own bytes (the bundled schemas, generated and tested): a
/// malformed input is an error, but one nested a million levels deep
/// would overflow the stack.
pub fn decode(bytes: &[u8]) -> Result<Schema<'_>, postcard::Error> {
    match postcard::take_from_bytes(bytes)? {
        (schema, []) => Ok(schema),
        _ => Err(postcard::Error::DeserializeBadEncoding),
    }
}

fn block(b: &crate::BlockSchema) -> Block<'static> {
    let blocks = b
        .block_types
        .iter()
        .filter(|(_, nested)| nested.min_items >= 1)
        .map(|(name, _)| required(name, RequiredKind::Block));
    Block {
        attributes: attributes(&b.attributes),
        block_types: b
            .block_types
            .iter()
            .map(|(name, nested)| {
                let nested = NestedBlock {
                    nesting_mode: nested.nesting_mode,
                    block: block(&nested.block),
                    min_items: nested.min_items,
                    max_items: nested.max_items,
                };
                (name.clone(), nested)
            })
            .collect(),
        required: required_arguments(&b.attributes).chain(blocks).collect(),
    }
}

fn attributes(
    all: &BTreeMap<String, crate::AttributeSchema>,
) -> Table<'static, Attribute<'static>> {
    all.iter()
        .map(|(name, a)| {
            let attribute = Attribute {
                r#type: a.r#type.as_ref().map(Cty::from),
                nested_type: a.nested_type.as_ref().map(|n| NestedAttributes {
                    attributes: attributes(&n.attributes),
                    nesting_mode: n.nesting_mode,
                    required: required_arguments(&n.attributes).collect(),
                }),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                deprecated: a.deprecated,
            };
            (name.clone(), attribute)
        })
        .collect()
}

fn required_arguments(
    attributes: &BTreeMap<String, crate::AttributeSchema>,
) -> impl Iterator<Item = Required<'static>> + '_ {
    attributes
        .iter()
        .filter(|(_, a)| a.required)
        .map(|(name, _)| required(name, RequiredKind::Argument))
}

fn required(name: &str, kind: RequiredKind) -> Required<'static> {
    Required {
        name: Name(Cow::Owned(name.to_owned())),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_encodes_what_validation_reads_and_decodes_back() {
        let text = r#"{"version": 2, "block": {"attributes": {
            "name": {"type": "string", "required": true, "description": "The name."},
            "arn": {"type": "string", "computed": true},
            "tags": {"type": ["map", "string"], "optional": true}},
          "block_types": {"rule": {"nesting_mode": "list", "min_items": 1,
            "block": {"attributes": {"x": {"type": "number", "optional": true}}}}}}}"#;
        let schema: crate::Schema = serde_json::from_str(text).unwrap();
        let bytes = encode(&schema).unwrap();
        assert!(
            !bytes.windows(9).any(|w| w == b"The name."),
            "descriptions are left out"
        );
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded, Schema::from(&schema));
        let block = &decoded.block;
        assert!(block.attributes.get("name").unwrap().required);
        assert!(block.attributes.get("arn").unwrap().is_computed_only());
        assert_eq!(
            block.attributes.get("tags").unwrap().r#type,
            Some(Cty::Map(Box::new(Cty::String)))
        );
        assert!(!block.attributes.contains_key("nam"));
        assert_eq!(
            block.attributes.keys().collect::<Vec<_>>(),
            ["arn", "name", "tags"]
        );
        let Name(Cow::Borrowed(_)) = &block.required[0].name else {
            panic!("names are borrowed from the bytes")
        };
        let rule = block.block_types.get("rule").unwrap();
        assert_eq!((rule.nesting_mode, rule.min_items), (Nesting::List, 1));
        let required: Vec<_> = block
            .required
            .iter()
            .map(|r| (r.name.as_str(), r.kind.word()))
            .collect();
        assert_eq!(required, [("name", "argument"), ("rule", "block")]);
        assert!(rule.block.required.is_empty(), "`x` is optional");

        assert!(decode(&bytes[..bytes.len() - 1]).is_err(), "a cut schema");
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err(), "bytes left over");
    }

    #[test]
    fn nested_attributes_list_what_each_object_requires() {
        let text = r#"{"block": {"attributes": {"origin": {"optional": true,
            "nested_type": {"nesting_mode": "list", "attributes": {
              "host": {"type": "string", "required": true},
              "port": {"type": "number", "optional": true},
              "address": {"type": "string", "required": true}}}}}}}"#;
        let schema: crate::Schema = serde_json::from_str(text).unwrap();
        let bytes = encode(&schema).unwrap();
        let decoded = decode(&bytes).unwrap();
        assert!(decoded.block.required.is_empty(), "`origin` is optional");
        let nested = decoded
            .block
            .attributes
            .get("origin")
            .unwrap()
            .nested_type
            .as_ref()
            .unwrap();
        let names: Vec<_> = nested.required.iter().map(|r| r.name.as_str()).collect();
        // In the schema's (sorted) order.
        assert_eq!(names, ["address", "host"]);
        assert!(
            nested
                .required
                .iter()
                .all(|r| r.kind == RequiredKind::Argument)
        );
    }
}
