//! Blocks: the resources and data sources of a stack, typed or raw, with their
//! meta-arguments and overrides.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::address::{Address, BlockKind};
use crate::body::Body;
use crate::construct::Scope;
use crate::expr::scan::Reference;
use crate::expr::{Expr, Tf};
use crate::json_path::{remove_path, set_path};
use crate::provider::{ProviderRef, ProviderRequirement};

/// A generated type of block: a typed view of a [`Body`].
pub trait BlockType: Sized {
    fn into_body(self) -> Body;
    fn from_body(body: Body) -> Self;
}

/// A typed resource type (generated from a provider's schema).
pub trait Resource: BlockType {
    /// The Terraform type name: `aws_dynamodb_table`.
    const TYPE: &'static str;
    /// The provider that implements the type.
    const PROVIDER: ProviderRequirement;
    /// Whether the type takes a `tags` map that tagging aspects fill.
    const TAGGABLE: bool;
    /// The handle `Stack::add` returns.
    type Ref: From<BlockRef>;
}

/// A typed data source type (generated from a provider's schema).
pub trait DataSource: BlockType {
    const TYPE: &'static str;
    const PROVIDER: ProviderRequirement;
    type Ref: From<BlockRef>;
}

/// Refers to a declared block: renders references to its attributes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BlockRef {
    address: Address,
    /// Where the block is in its stack's list: handles find their block
    /// without a lookup table.
    index: usize,
    /// The stack the block is declared in.
    stack: std::sync::Arc<str>,
}

impl BlockRef {
    pub(crate) fn new(address: Address, index: usize, stack: std::sync::Arc<str>) -> Self {
        BlockRef {
            address,
            index,
            stack,
        }
    }

    /// The name of the stack the block is declared in.
    pub fn stack(&self) -> &str {
        &self.stack
    }

    /// Where the block is in its stack's list of blocks.
    pub fn index(&self) -> usize {
        self.index
    }

    pub fn address(&self) -> &Address {
        &self.address
    }

    /// The attribute `name` of the block, as an expression of type `T`.
    pub fn attr<T>(&self, name: &str) -> Tf<T> {
        Tf::from_expr(self.expr().attr(name))
    }

    /// The whole block as an object value.
    pub fn expr(&self) -> Expr {
        Expr::Declared(self.stack.clone(), Box::new(self.address.clone()))
    }
}

/// Anything that refers to a declared block: every typed handle, and
/// [`BlockRef`] itself.
pub trait Handle {
    fn block_ref(&self) -> &BlockRef;
}

impl Handle for BlockRef {
    fn block_ref(&self) -> &BlockRef {
        self
    }
}

/// The handle of a typed block, which knows the block's type: what
/// [`Stack::update`](crate::Stack::update) changes through.
pub trait TypedHandle: Handle {
    type Block: BlockType;
}

/// The `lifecycle` meta-argument.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Lifecycle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prevent_destroy: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_before_destroy: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignore_changes: Vec<String>,
}

impl Lifecycle {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Lifecycle::default()
    }
}

/// A change to a block's final JSON, applied after everything else (as
/// cdktf's `addOverride`).
#[derive(Clone, Debug)]
pub(crate) enum Override {
    Set(String, Result<Value, String>),
    Remove(String),
}

/// A resource or data source as the stack holds it: its body (typed, or
/// raw JSON), meta-arguments and overrides.
#[derive(Clone, Debug)]
pub struct Block {
    /// The stack the block is declared in.
    pub(crate) stack: std::sync::Arc<str>,
    pub(crate) kind: BlockKind,
    /// Borrowed for typed blocks.
    pub(crate) type_name: Cow<'static, str>,
    pub(crate) logical_id: std::sync::Arc<str>,
    pub(crate) scope: Scope,
    /// Index of the block's provider requirement in the stack's list.
    pub(crate) requirement: Option<usize>,
    pub(crate) taggable: bool,
    pub(crate) content: Content,
    /// Meta-arguments and overrides: most blocks have none, and stacks hold
    /// thousands of blocks.
    pub(crate) meta: Option<Box<Meta>>,
}

/// What a block's arguments are.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    /// A generated type's body: typed values, whose references are known.
    Typed(Body),
    /// A raw block's JSON: its strings are Terraform templates, read for
    /// references; or why it could not be serialized.
    Raw(Box<Result<Map<String, Value>, String>>),
}

/// The meta-arguments and overrides of a block.
#[derive(Clone, Debug, Default)]
pub(crate) struct Meta {
    pub(crate) depends_on: Vec<Address>,
    /// `depends_on` entries naming blocks of other stacks: Terraform cannot
    /// order blocks across states (synthesis refuses them).
    pub(crate) foreign: Vec<(std::sync::Arc<str>, Address)>,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) provider: Option<ProviderRef>,
    pub(crate) overrides: Vec<Override>,
}

impl Block {
    pub(crate) fn typed(
        stack: std::sync::Arc<str>,
        kind: BlockKind,
        type_name: &'static str,
        scope: Scope,
        body: Body,
    ) -> Self {
        Self::new(
            stack,
            kind,
            Cow::Borrowed(type_name),
            scope,
            Content::Typed(body),
        )
    }

    pub(crate) fn raw(
        stack: std::sync::Arc<str>,
        kind: BlockKind,
        type_name: String,
        scope: Scope,
        body: Result<Value, String>,
    ) -> Self {
        let body = body.and_then(|value| match value {
            Value::Object(map) => Ok(map),
            other => Err(format!(
                "its body must serialize to a JSON object, not {}",
                json_kind(&other)
            )),
        });
        Self::new(
            stack,
            kind,
            Cow::Owned(type_name),
            scope,
            Content::Raw(Box::new(body)),
        )
    }

    fn new(
        stack: std::sync::Arc<str>,
        kind: BlockKind,
        type_name: Cow<'static, str>,
        scope: Scope,
        content: Content,
    ) -> Self {
        let logical_id = scope.logical_id().into();
        Block {
            stack,
            kind,
            type_name,
            logical_id,
            scope,
            requirement: None,
            taggable: false,
            content,
            meta: None,
        }
    }

    fn meta(&mut self) -> &mut Meta {
        self.meta.get_or_insert_with(Default::default)
    }

    pub fn kind(&self) -> BlockKind {
        self.kind
    }

    /// The Terraform type: `aws_iam_role`.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The name of the block in Terraform (its logical id).
    pub fn logical_id(&self) -> &str {
        &self.logical_id
    }

    pub fn address(&self) -> Address {
        Address::Block {
            kind: self.kind,
            type_name: self.type_name.clone(),
            name: self.logical_id.clone(),
        }
    }

    /// Whether the block has this address (compared without building one).
    pub(crate) fn is_at(&self, address: &Address) -> bool {
        matches!(address, Address::Block { kind, type_name, name }
            if *kind == self.kind && *type_name == self.type_name && *name == self.logical_id)
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The local name of the provider that implements the type (`aws`): the
    /// prefix of the type name.
    pub fn provider_name(&self) -> &str {
        self.type_name
            .split_once('_')
            .map_or(&*self.type_name, |(prefix, _)| prefix)
    }

    /// Whether tagging aspects add tags to this block.
    pub fn is_taggable(&self) -> bool {
        self.taggable
    }

    /// The typed body, before meta-arguments and overrides; `None` for a
    /// raw block.
    pub fn body(&self) -> Option<&Body> {
        match &self.content {
            Content::Typed(body) => Some(body),
            Content::Raw(_) => None,
        }
    }

    /// The typed body, to change (aspects do); see [`Block::body`].
    pub fn body_mut(&mut self) -> Option<&mut Body> {
        match &mut self.content {
            Content::Typed(body) => Some(body),
            Content::Raw(_) => None,
        }
    }

    /// A raw block's JSON body; `None` for a typed block, or one that could
    /// not be serialized (synthesis reports why).
    pub fn raw_body_mut(&mut self) -> Option<&mut Map<String, Value>> {
        match &mut self.content {
            Content::Raw(body) => (**body).as_mut().ok(),
            Content::Typed(_) => None,
        }
    }

    /// Adds a `depends_on` entry.
    pub fn depends_on(&mut self, other: &impl Handle) -> &mut Self {
        let other = other.block_ref();
        let address = other.address().clone();
        if other.stack() != &*self.stack {
            let stack = other.stack().into();
            self.meta().foreign.push((stack, address));
            return self;
        }
        let meta = self.meta();
        if !meta.depends_on.contains(&address) {
            meta.depends_on.push(address);
        }
        self
    }

    /// Replaces the `lifecycle` meta-argument.
    pub fn lifecycle(&mut self, lifecycle: Lifecycle) -> &mut Self {
        self.meta().lifecycle = lifecycle;
        self
    }

    pub fn prevent_destroy(&mut self, prevent: bool) -> &mut Self {
        self.meta().lifecycle.prevent_destroy = Some(prevent);
        self
    }

    pub fn create_before_destroy(&mut self, create_first: bool) -> &mut Self {
        self.meta().lifecycle.create_before_destroy = Some(create_first);
        self
    }

    /// Adds attributes whose changes Terraform ignores.
    pub fn ignore_changes<S: Into<String>>(
        &mut self,
        attributes: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        self.meta()
            .lifecycle
            .ignore_changes
            .extend(attributes.into_iter().map(Into::into));
        self
    }

    /// Sets the `provider` meta-argument (a provider alias).
    pub fn provider(&mut self, provider: &ProviderRef) -> &mut Self {
        self.meta().provider = Some(provider.clone());
        self
    }

    /// Sets the value at a dot-separated JSON path of the final block,
    /// creating objects on the way (as cdktf's `addOverride`). A numeric
    /// segment indexes an existing array. Plain strings are Terraform
    /// templates, as in any `.tf.json`; pass a `Tf` for escaped literal text
    /// or references.
    pub fn set_override(&mut self, path: &str, value: impl Serialize) -> &mut Self {
        let value = serde_json::to_value(value).map_err(|e| e.to_string());
        self.meta()
            .overrides
            .push(Override::Set(path.to_owned(), value));
        self
    }

    /// Removes the value at a dot-separated JSON path of the final block.
    pub fn remove_override(&mut self, path: &str) -> &mut Self {
        self.meta()
            .overrides
            .push(Override::Remove(path.to_owned()));
        self
    }

    /// The block as synthesis keeps it, and the references of its
    /// arguments. A typed body stays typed, its references taken from its
    /// expressions; what was written as JSON (a raw body, overrides) becomes
    /// the block's final JSON — body, meta-arguments, metadata (with its
    /// construct path `path`), then overrides — and is read for them.
    pub(crate) fn finish(self, path: &str) -> Result<(Final, Vec<Reference>), String> {
        let mut meta = self.meta;
        let overrides = meta
            .as_mut()
            .map(|m| std::mem::take(&mut m.overrides))
            .unwrap_or_default();
        let mut references = Vec::new();
        let content = match self.content {
            // A body that names a meta-argument itself (`Body::insert`) is
            // checked and written as JSON, where the meta-argument wins.
            Content::Typed(mut body)
                if overrides.is_empty()
                    && !body
                        .iter()
                        .any(|(name, _)| crate::synth::META_KEYS.contains(&name)) =>
            {
                body.collect_references(&mut references);
                body.normalize();
                Final::Typed(body, meta)
            }
            content => {
                let meta_entries = meta_json(path, &self.logical_id, meta.as_deref());
                let mut out = match content {
                    Content::Typed(mut body) => {
                        // A meta-argument wins over a body entry of its
                        // name: what it shadows is not written, nor read
                        // for references.
                        for (name, _) in &meta_entries {
                            while body.remove(name).is_some() {}
                        }
                        body.collect_references(&mut references);
                        body.to_json_map(meta_entries)
                    }
                    Content::Raw(body) => {
                        let body = (*body)?;
                        crate::synth::block_references(&body, &mut references);
                        let mut out = Map::with_capacity(body.len() + meta_entries.len());
                        out.extend(body);
                        for (meta_name, value) in meta_entries {
                            out.insert(meta_name.to_owned(), value);
                        }
                        out
                    }
                };
                if !overrides.is_empty() {
                    for o in overrides {
                        match o {
                            Override::Set(path, value) => {
                                let value = value.map_err(|e| format!("override `{path}`: {e}"))?;
                                set_path(&mut out, &path, value)?;
                            }
                            Override::Remove(path) => remove_path(&mut out, &path)?,
                        }
                    }
                    // Overrides are JSON: what they set or removed is read anew.
                    references.clear();
                    crate::synth::block_references(&out, &mut references);
                }
                Final::Json(Box::new(Value::Object(out)))
            }
        };
        // Kept until validation, sized exactly: most blocks have one or two
        // references, and a vector's first growth reserves room for four.
        references.shrink_to_fit();
        Ok((content, references))
    }
}

/// A block after synthesis: typed, or its final JSON.
#[derive(Clone, Debug)]
pub(crate) enum Final {
    /// A typed body and its meta-arguments, rendered when read or written.
    Typed(Body, Option<Box<Meta>>),
    /// The final JSON object of a raw block or of one with overrides.
    Json(Box<Value>),
}

/// One meta-argument of a block as it is written, or its metadata (`//`).
pub(crate) enum MetaArgument<'a> {
    Metadata { path: &'a str, logical_id: &'a str },
    DependsOn(&'a [Address]),
    Lifecycle(&'a Lifecycle),
    Provider(&'a ProviderRef),
}

/// A block's meta-arguments, sorted by name (`//` first, as written).
pub(crate) fn meta_arguments<'a>(
    path: &'a str,
    logical_id: &'a str,
    meta: Option<&'a Meta>,
) -> Vec<(&'static str, MetaArgument<'a>)> {
    let mut entries = Vec::with_capacity(4);
    entries.push(("//", MetaArgument::Metadata { path, logical_id }));
    if let Some(meta) = meta {
        if !meta.depends_on.is_empty() {
            entries.push(("depends_on", MetaArgument::DependsOn(&meta.depends_on)));
        }
        if !meta.lifecycle.is_empty() {
            entries.push(("lifecycle", MetaArgument::Lifecycle(&meta.lifecycle)));
        }
        if let Some(provider) = &meta.provider {
            entries.push(("provider", MetaArgument::Provider(provider)));
        }
    }
    entries
}

/// A block's meta-arguments as JSON values, sorted by name.
pub(crate) fn meta_json(
    path: &str,
    logical_id: &str,
    meta: Option<&Meta>,
) -> Vec<(&'static str, Value)> {
    meta_arguments(path, logical_id, meta)
        .into_iter()
        .map(|(name, argument)| (name, argument.to_json()))
        .collect()
}

impl MetaArgument<'_> {
    pub(crate) fn to_json(&self) -> Value {
        match self {
            MetaArgument::Metadata { path, logical_id } => {
                let mut metadata = Map::with_capacity(2);
                metadata.insert("path".into(), Value::String((*path).to_owned()));
                metadata.insert("uniqueId".into(), Value::String((*logical_id).to_owned()));
                let mut comment = Map::with_capacity(1);
                comment.insert("metadata".into(), Value::Object(metadata));
                Value::Object(comment)
            }
            MetaArgument::DependsOn(addresses) => Value::Array(
                addresses
                    .iter()
                    .map(|a| Value::String(a.to_string()))
                    .collect(),
            ),
            MetaArgument::Lifecycle(lifecycle) => {
                // Sorted by name, as written.
                let mut map = Map::new();
                if let Some(first) = lifecycle.create_before_destroy {
                    map.insert("create_before_destroy".into(), Value::Bool(first));
                }
                if !lifecycle.ignore_changes.is_empty() {
                    let names = lifecycle.ignore_changes.iter().cloned();
                    map.insert(
                        "ignore_changes".into(),
                        Value::Array(names.map(Value::String).collect()),
                    );
                }
                if let Some(prevent) = lifecycle.prevent_destroy {
                    map.insert("prevent_destroy".into(), Value::Bool(prevent));
                }
                Value::Object(map)
            }
            MetaArgument::Provider(provider) => Value::String(provider.to_string()),
        }
    }
}

impl Serialize for MetaArgument<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            MetaArgument::Metadata { path, logical_id } => {
                struct Metadata<'a>(&'a str, &'a str);
                impl Serialize for Metadata<'_> {
                    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                        let mut map = s.serialize_map(Some(2))?;
                        map.serialize_entry("path", self.0)?;
                        map.serialize_entry("uniqueId", self.1)?;
                        map.end()
                    }
                }
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("metadata", &Metadata(path, logical_id))?;
                map.end()
            }
            MetaArgument::DependsOn(addresses) => {
                let mut list = serializer.serialize_seq(Some(addresses.len()))?;
                for address in *addresses {
                    list.serialize_element(&address.to_string())?;
                }
                list.end()
            }
            MetaArgument::Lifecycle(_) => self.to_json().serialize(serializer),
            MetaArgument::Provider(provider) => serializer.collect_str(provider),
        }
    }
}

/// The construct path in a rendered block's metadata (`"//": {"metadata":
/// {"path"}}`, as [`Block::render`] writes it).
pub(crate) fn construct_path(body: &Map<String, Value>) -> Option<&str> {
    body.get("//")?.get("metadata")?.get("path")?.as_str()
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A block of any Terraform type, for what is not typed yet. It gets the same
/// logical id, references, meta-arguments and checks as a typed one.
#[derive(Debug)]
pub struct RawBlock {
    pub(crate) kind: BlockKind,
    pub(crate) type_name: String,
    pub(crate) body: Result<Value, String>,
    pub(crate) requirement: Option<ProviderRequirement>,
    pub(crate) taggable: bool,
}

impl RawBlock {
    /// A resource of `type_name` with a body: anything that serializes to a
    /// JSON object. Put [`Tf`] values in it for references and escaped text.
    pub fn resource(type_name: impl Into<String>, body: impl Serialize) -> Self {
        Self::new(BlockKind::Resource, type_name.into(), body)
    }

    /// A data source of `type_name`.
    pub fn data(type_name: impl Into<String>, body: impl Serialize) -> Self {
        Self::new(BlockKind::Data, type_name.into(), body)
    }

    fn new(kind: BlockKind, type_name: String, body: impl Serialize) -> Self {
        RawBlock {
            kind,
            type_name,
            body: serde_json::to_value(body).map_err(|e| e.to_string()),
            requirement: None,
            taggable: false,
        }
    }

    /// The provider the type comes from, for `required_providers`.
    pub fn provider(mut self, requirement: ProviderRequirement) -> Self {
        self.requirement = Some(requirement);
        self
    }

    /// Lets tagging aspects add tags to this block.
    pub fn taggable(mut self) -> Self {
        self.taggable = true;
        self
    }
}
