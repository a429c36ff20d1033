//! The blocks validation reads: a synthesized stack's, typed bodies read
//! through their typed values, or those of a Terraform JSON document.

use serde_json::Value;

use crate::address::BlockKind;
use crate::block::{Final, construct_path};
use crate::synth::{SynthesizedBlock, SynthesizedStack};

use super::body::Kind;
use super::node::Node;

#[derive(Clone, Copy)]
pub(crate) enum Blocks<'a> {
    Synthesized(&'a SynthesizedStack),
    Document(&'a Value),
}

/// A block as validation sees it.
pub(crate) struct Seen<'a> {
    pub kind: Kind,
    /// Its section of the document: `resource` or `data`.
    pub section: &'static str,
    pub type_name: &'a str,
    pub name: &'a str,
    /// The local name of its provider: its `provider` meta-argument's, or
    /// the prefix of its type.
    pub local: &'a str,
    /// Its construct path, when known.
    pub path: Option<&'a str>,
}

impl<'a> Blocks<'a> {
    /// Calls `f` on every block as it is written (a typed block read
    /// through its typed body and its meta-arguments, without its metadata
    /// comment, which no check reads): resources first, then data sources,
    /// blocks of one type together.
    pub(crate) fn for_each(self, mut f: impl FnMut(Seen<'a>, Node)) {
        match self {
            Blocks::Synthesized(stack) => {
                for block in stack.blocks_as_written() {
                    let meta = block.checked_meta();
                    let node = match &block.content {
                        Final::Typed(body, _) => Node::Body(body, &meta),
                        Final::Json(value) => Node::Json(value),
                    };
                    f(seen(block), node);
                }
            }
            Blocks::Document(doc) => {
                for_each_in_document(doc, |seen, block| f(seen, Node::Json(block)));
            }
        }
    }

    /// Calls `f` on every block without rendering it: resources first,
    /// then data sources, each in the order declared.
    pub(crate) fn for_each_seen(self, mut f: impl FnMut(Seen<'a>)) {
        match self {
            Blocks::Synthesized(stack) => {
                let blocks = stack.blocks();
                let resources = blocks.iter().filter(|b| b.kind == BlockKind::Resource);
                let data = blocks.iter().filter(|b| b.kind == BlockKind::Data);
                resources.chain(data).for_each(|b| f(seen(b)));
            }
            Blocks::Document(doc) => for_each_in_document(doc, |seen, _| f(seen)),
        }
    }

    /// The local provider name of the block at this address, if there is one.
    pub(crate) fn local_name_of(
        self,
        kind: BlockKind,
        type_name: &str,
        name: &str,
    ) -> Option<&'a str> {
        match self {
            Blocks::Synthesized(stack) => {
                let blocks = stack.blocks();
                let i = stack
                    .written_order
                    .binary_search_by(|&i| {
                        blocks[i as usize].order_key().cmp(&(kind, type_name, name))
                    })
                    .ok()?;
                Some(local_name(&blocks[stack.written_order[i] as usize]))
            }
            Blocks::Document(doc) => {
                let (section, _) = section(kind);
                let (type_name, of_type) = doc[section].as_object()?.get_key_value(type_name)?;
                let block = of_type.as_object()?.get(name)?;
                Some(local_name_in_json(type_name, block))
            }
        }
    }
}

fn section(kind: BlockKind) -> (&'static str, Kind) {
    match kind {
        BlockKind::Resource => ("resource", Kind::Resource),
        BlockKind::Data => ("data", Kind::Data),
    }
}

fn seen(block: &SynthesizedBlock) -> Seen<'_> {
    // A block kept as JSON is checked as its JSON says, metadata included.
    let path = match block.json() {
        Some(json) => construct_path(json),
        None => Some(block.path.as_str()),
    };
    let (section, kind) = section(block.kind);
    Seen {
        kind,
        section,
        type_name: &block.type_name,
        name: &block.logical_id,
        local: local_name(block),
        path,
    }
}

fn for_each_in_document<'a>(doc: &'a Value, mut f: impl FnMut(Seen<'a>, &'a Value)) {
    for kind in [BlockKind::Resource, BlockKind::Data] {
        let (section, kind) = section(kind);
        let Some(types) = doc[section].as_object() else {
            continue;
        };
        for (type_name, blocks) in types {
            let Some(blocks) = blocks.as_object() else {
                continue;
            };
            for (name, block) in blocks {
                let seen = Seen {
                    kind,
                    section,
                    type_name,
                    name,
                    local: local_name_in_json(type_name, block),
                    path: block.as_object().and_then(construct_path),
                };
                f(seen, block);
            }
        }
    }
}

/// The local name of a block's provider: its `provider` meta-argument's,
/// or the prefix of its type.
fn local_name(block: &SynthesizedBlock) -> &str {
    match block.provider_local_name() {
        Some(local) => local,
        None => type_prefix(&block.type_name),
    }
}

fn local_name_in_json<'b>(type_name: &'b str, block: &'b Value) -> &'b str {
    match block["provider"].as_str() {
        Some(p) => p.split('.').next().unwrap_or(p),
        None => type_prefix(type_name),
    }
}

fn type_prefix(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}
