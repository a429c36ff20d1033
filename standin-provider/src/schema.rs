//! The provider schemas kite bundles (`schemas/providers-full.schema.json`,
//! in the shape of `terraform providers schema -json`), compiled into this
//! binary, and their translation to the plugin protocol's schema messages.
//!
//! One resource type's schema is parsed only when a call needs it: Terraform
//! starts a provider process several times per command, and most of those
//! processes answer a handful of calls about a few types.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::proto::tfplugin6 as pb;
use crate::value::Type;

static SCHEMAS: &str = include_str!("../../schemas/providers-full.schema.json");

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    provider_schemas: HashMap<&'a str, &'a RawValue>,
}

#[derive(Deserialize)]
struct ProviderRaw<'a> {
    #[serde(borrow)]
    provider: &'a RawValue,
    #[serde(borrow, default)]
    resource_schemas: BTreeMap<&'a str, &'a RawValue>,
    #[serde(borrow, default)]
    data_source_schemas: BTreeMap<&'a str, &'a RawValue>,
}

/// One provider's schemas, each still raw JSON.
pub struct Provider {
    pub address: String,
    provider: &'static RawValue,
    resources: BTreeMap<&'static str, &'static RawValue>,
    data_sources: BTreeMap<&'static str, &'static RawValue>,
}

/// The bundled provider whose address ends in `/<name>` (`aws` picks
/// `registry.terraform.io/hashicorp/aws`).
pub fn provider(name: &str) -> Result<Provider, String> {
    let file: File<'static> =
        serde_json::from_str(SCHEMAS).map_err(|e| format!("bundled schemas: {e}"))?;
    let suffix = format!("/{name}");
    let (address, raw) = file
        .provider_schemas
        .iter()
        .find(|(address, _)| address.ends_with(&suffix))
        .ok_or_else(|| {
            let mut known: Vec<_> = file.provider_schemas.keys().collect();
            known.sort();
            format!("no bundled schema for provider {name:?}; bundled: {known:?}")
        })?;
    let raw: ProviderRaw<'static> =
        serde_json::from_str(raw.get()).map_err(|e| format!("schema of {address}: {e}"))?;
    Ok(Provider {
        address: (*address).to_owned(),
        provider: raw.provider,
        resources: raw.resource_schemas,
        data_sources: raw.data_source_schemas,
    })
}

/// What kind of block a schema belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Resource,
    DataSource,
}

impl Provider {
    pub fn resource_names(&self) -> impl Iterator<Item = &str> {
        self.resources.keys().copied()
    }

    pub fn data_source_names(&self) -> impl Iterator<Item = &str> {
        self.data_sources.keys().copied()
    }

    pub fn schema(&self, kind: Kind, type_name: &str) -> Result<Schema, String> {
        let table = match kind {
            Kind::Resource => &self.resources,
            Kind::DataSource => &self.data_sources,
        };
        let raw = table.get(type_name).ok_or_else(|| {
            let what = match kind {
                Kind::Resource => "resource type",
                Kind::DataSource => "data source",
            };
            format!("{} has no {what} {type_name:?}", self.address)
        })?;
        parse(raw)
    }

    pub fn provider_schema(&self) -> Result<Schema, String> {
        parse(self.provider)
    }

    /// Every schema in the protocol's shape, for GetProviderSchema.
    pub fn to_proto(&self) -> Result<pb::get_provider_schema::Response, String> {
        let convert = |table: &BTreeMap<&'static str, &'static RawValue>| {
            table
                .iter()
                .map(|(name, raw)| Ok(((*name).to_owned(), parse(raw)?.to_proto())))
                .collect::<Result<std::collections::HashMap<_, _>, String>>()
        };
        Ok(pb::get_provider_schema::Response {
            provider: Some(self.provider_schema()?.to_proto()),
            resource_schemas: convert(&self.resources)?,
            data_source_schemas: convert(&self.data_sources)?,
            diagnostics: Vec::new(),
            provider_meta: None,
            server_capabilities: Some(capabilities()),
        })
    }
}

pub fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        // Terraform may reuse the schema it got from an earlier start of this
        // provider instead of asking again: each start saves a large message.
        get_provider_schema_optional: true,
        move_resource_state: true,
    }
}

fn parse(raw: &RawValue) -> Result<Schema, String> {
    serde_json::from_str(raw.get()).map_err(|e| format!("bad schema: {e}"))
}

#[derive(Deserialize)]
pub struct Schema {
    #[serde(default)]
    pub version: i64,
    pub block: Block,
}

#[derive(Deserialize, Default)]
pub struct Block {
    #[serde(default)]
    pub attributes: BTreeMap<String, Attribute>,
    #[serde(default)]
    pub block_types: BTreeMap<String, BlockType>,
    #[serde(default)]
    pub deprecated: bool,
}

#[derive(Deserialize)]
pub struct Attribute {
    #[serde(rename = "type")]
    pub ty: Option<serde_json::Value>,
    pub nested_type: Option<NestedType>,
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
    #[serde(default)]
    pub write_only: bool,
}

#[derive(Deserialize)]
pub struct NestedType {
    pub attributes: BTreeMap<String, Attribute>,
    pub nesting_mode: Nesting,
}

#[derive(Deserialize)]
pub struct BlockType {
    pub nesting_mode: Nesting,
    #[serde(default)]
    pub block: Block,
    #[serde(default)]
    pub min_items: i64,
    #[serde(default)]
    pub max_items: i64,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Nesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

impl Nesting {
    /// The type of a nested block or attribute of this nesting whose one
    /// element has type `object`.
    fn wrap(self, object: Type) -> Type {
        match self {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::List(Box::new(object)),
            Nesting::Set => Type::Set(Box::new(object)),
            Nesting::Map => Type::Map(Box::new(object)),
        }
    }
}

impl Block {
    /// The object type a block's values have.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|(name, a)| (name.clone(), a.implied_type()))
            .collect();
        for (name, bt) in &self.block_types {
            attrs.insert(name.clone(), bt.nesting_mode.wrap(bt.block.implied_type()));
        }
        Type::Object(attrs)
    }

    fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self
                .attributes
                .iter()
                .map(|(name, a)| a.to_proto(name))
                .collect(),
            block_types: self
                .block_types
                .iter()
                .map(|(name, bt)| pb::schema::NestedBlock {
                    type_name: name.clone(),
                    block: Some(bt.block.to_proto()),
                    nesting: match bt.nesting_mode {
                        Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                        Nesting::Group => pb::schema::nested_block::NestingMode::Group,
                        Nesting::List => pb::schema::nested_block::NestingMode::List,
                        Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                        Nesting::Map => pb::schema::nested_block::NestingMode::Map,
                    } as i32,
                    min_items: bt.min_items,
                    max_items: bt.max_items,
                })
                .collect(),
            // Descriptions are left out: Terraform needs none of them to
            // judge a configuration, and they are most of the schema's bytes.
            description: String::new(),
            description_kind: pb::StringKind::Plain as i32,
            deprecated: self.deprecated,
        }
    }
}

impl Attribute {
    pub fn implied_type(&self) -> Type {
        match (&self.nested_type, &self.ty) {
            (Some(nested), _) => nested.nesting_mode.wrap(nested.object_type()),
            (None, Some(ty)) => Type::from_json(ty).unwrap_or(Type::Dynamic),
            (None, None) => Type::Dynamic,
        }
    }

    fn to_proto(&self, name: &str) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: name.to_owned(),
            r#type: match (&self.nested_type, &self.ty) {
                (None, Some(ty)) => ty.to_string().into_bytes(),
                _ => Vec::new(),
            },
            nested_type: self.nested_type.as_ref().map(|n| pb::schema::Object {
                attributes: n
                    .attributes
                    .iter()
                    .map(|(name, a)| a.to_proto(name))
                    .collect(),
                nesting: match n.nesting_mode {
                    Nesting::Single | Nesting::Group => pb::schema::object::NestingMode::Single,
                    Nesting::List => pb::schema::object::NestingMode::List,
                    Nesting::Set => pb::schema::object::NestingMode::Set,
                    Nesting::Map => pb::schema::object::NestingMode::Map,
                } as i32,
            }),
            description: String::new(),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Plain as i32,
            deprecated: self.deprecated,
            write_only: self.write_only,
        }
    }
}

impl NestedType {
    pub fn object_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|(name, a)| (name.clone(), a.implied_type()))
                .collect(),
        )
    }
}

impl Schema {
    pub fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_schema_translates() {
        for name in ["aws", "cloudflare", "docker"] {
            let p = provider(name).unwrap();
            let proto = p.to_proto().unwrap();
            assert!(proto.resource_schemas.len() > 5, "{name}");
        }
    }

    #[test]
    fn nested_attributes_and_blocks_shape_the_type() {
        let p = provider("aws").unwrap();
        let s = p.schema(Kind::Resource, "aws_acm_certificate").unwrap();
        let Type::Object(attrs) = s.block.implied_type() else {
            panic!()
        };
        assert!(matches!(attrs["options"], Type::List(_)));
        assert!(matches!(attrs["validation_option"], Type::Set(_)));
        assert_eq!(attrs["arn"], Type::String);
        let cf = provider("cloudflare").unwrap();
        assert!(cf.address.ends_with("cloudflare/cloudflare"));
        assert!(provider("nope").err().unwrap().contains("bundled"));
    }
}
