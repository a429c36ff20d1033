//! The blocks of a synthesized stack: checked, and typed until they are read
//! or written.
//!
//! Rendering every block into one JSON document held most of a large
//! stack's memory (doc/adr/0017): a typed block is rendered only when
//! validation reads it, one block at a time, and is serialized straight to
//! the output.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use crate::address::{Address, BlockKind};
use crate::block::{Final, MetaArgument, meta_arguments, meta_json};
use crate::expr::scan::Reference;

use super::json::Sorted;

/// A resource or data source of a synthesized stack.
#[derive(Clone, Debug)]
pub struct SynthesizedBlock {
    pub kind: BlockKind,
    /// The Terraform type: `aws_iam_role`.
    pub type_name: Cow<'static, str>,
    /// The name of the block in Terraform.
    pub logical_id: std::sync::Arc<str>,
    /// Its construct path.
    pub path: String,
    /// What its arguments refer to, found once by synthesis (from typed
    /// expressions; raw JSON and overrides read as templates), so that
    /// validation need not read the block again.
    pub references: Vec<Reference>,
    pub(crate) content: Final,
}

impl SynthesizedBlock {
    pub fn address(&self) -> Address {
        Address::Block {
            kind: self.kind,
            type_name: self.type_name.clone(),
            name: self.logical_id.clone(),
        }
    }

    /// Where it is in the document: `resource.aws_iam_role.x`.
    pub fn json_path(&self) -> JsonPath<'_> {
        JsonPath(self)
    }

    /// Where it is written: sections in the order validation reads them
    /// (resources, then data sources), then by type and name, as the JSON
    /// writer sorts keys.
    pub(crate) fn order_key(&self) -> (BlockKind, &str, &str) {
        (self.kind, &self.type_name, &self.logical_id)
    }

    /// Its final JSON object: body, meta-arguments and metadata, as
    /// `cdk.tf.json` holds it. A typed block is rendered anew at each call.
    pub fn to_json(&self) -> Cow<'_, Value> {
        match &self.content {
            Final::Json(value) => Cow::Borrowed(value),
            Final::Typed(body, meta) => {
                let meta = meta_json(&self.path, &self.logical_id, meta.as_deref());
                Cow::Owned(Value::Object(body.to_json_map(meta)))
            }
        }
    }

    /// The meta-arguments of a typed block as written, less the metadata
    /// comment, which no check reads: what validation reads beside its
    /// typed body. Empty for a block kept as JSON, whose JSON holds them.
    pub(crate) fn checked_meta(&self) -> Vec<(&'static str, Value)> {
        match &self.content {
            Final::Typed(_, Some(meta)) => meta_arguments(&self.path, &self.logical_id, Some(meta))
                .into_iter()
                .filter(|(_, argument)| !matches!(argument, MetaArgument::Metadata { .. }))
                .map(|(name, argument)| (name, argument.to_json()))
                .collect(),
            Final::Typed(_, None) | Final::Json(_) => Vec::new(),
        }
    }

    /// The `provider` meta-argument (`aws.west`), when it is set to a
    /// string.
    pub fn provider(&self) -> Option<Cow<'_, str>> {
        match &self.content {
            Final::Json(value) => value.get("provider")?.as_str().map(Cow::Borrowed),
            Final::Typed(_, meta) => {
                let provider = meta.as_ref()?.provider.as_ref()?;
                Some(Cow::Owned(provider.to_string()))
            }
        }
    }

    /// The local name of the provider its `provider` meta-argument names
    /// (`aws` of `aws.west`), when that is set to a string.
    pub(crate) fn provider_local_name(&self) -> Option<&str> {
        match &self.content {
            Final::Json(value) => {
                let provider = value.get("provider")?.as_str()?;
                provider.split('.').next()
            }
            Final::Typed(_, meta) => {
                let local = &meta.as_ref()?.provider.as_ref()?.local_name;
                local.split('.').next()
            }
        }
    }

    /// The final JSON object of a block kept as JSON; `None` for a typed
    /// block, whose meta-arguments are typed.
    pub(crate) fn json(&self) -> Option<&Map<String, Value>> {
        match &self.content {
            Final::Json(value) => value.as_object(),
            Final::Typed(..) => None,
        }
    }

    /// The `depends_on` addresses of a typed block.
    pub(crate) fn typed_depends_on(&self) -> Option<&[Address]> {
        match &self.content {
            Final::Typed(_, meta) => Some(meta.as_deref().map_or(&[], |m| &m.depends_on)),
            Final::Json(_) => None,
        }
    }
}

/// Writes the block as [`SynthesizedBlock::to_json`] renders it, without
/// building it.
impl Serialize for SynthesizedBlock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.content {
            Final::Json(value) => Sorted(value).serialize(serializer),
            Final::Typed(body, meta) => body.serialize_merged(
                meta_arguments(&self.path, &self.logical_id, meta.as_deref()),
                serializer,
            ),
        }
    }
}

/// Where a block is in its stack's document (`resource.aws_iam_role.x`),
/// written only when it is reported.
pub struct JsonPath<'a>(&'a SynthesizedBlock);

impl std::fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let block = self.0;
        let section = block.kind.json_key();
        write!(f, "{section}.{}.{}", block.type_name, block.logical_id)
    }
}
