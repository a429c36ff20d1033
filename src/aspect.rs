//! Aspects: changes applied to every block of a stack when it is
//! synthesized, such as tagging every taggable resource.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::address::BlockKind;
use crate::block::Block;
use crate::body::Value as BodyValue;
use crate::expr::{Expr, Map, Tf};

/// Visits every block of a stack before it is written.
pub trait Aspect {
    fn visit(&self, block: &mut Block);
}

/// Adds tags to every taggable resource of one provider. Tags a resource
/// sets itself win over these; a `tags` argument that is an expression (not
/// a map) is left as it is.
#[derive(Clone, Debug)]
pub struct Tags {
    provider: String,
    tags: BTreeMap<String, String>,
}

impl Tags {
    /// Tags for the resources of the provider named `provider` (`aws`).
    pub fn new<K: Into<String>, V: Into<String>>(
        provider: impl Into<String>,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Tags {
            provider: provider.into(),
            tags: tags
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

impl Aspect for Tags {
    fn visit(&self, block: &mut Block) {
        if block.kind() != BlockKind::Resource
            || !block.is_taggable()
            || block.provider_name() != self.provider
        {
            return;
        }
        if let Some(body) = block.body_mut() {
            if body.get("tags").is_none() {
                body.set(
                    "tags",
                    Tf::<Map<String>>::from_iter(Vec::<(String, String)>::new()),
                );
            }
            // A map of literal keys gains the missing tags; an expression
            // (another resource's tags, a function call) is left alone.
            if let Some(BodyValue::Expr(Expr::Object(existing))) = body.get_mut("tags") {
                for (k, v) in &self.tags {
                    if existing.get(k).is_none() {
                        existing.insert(k.clone(), Expr::Str(v.clone()));
                    }
                }
            }
        } else if let Some(body) = block.raw_body_mut() {
            // Raw bodies are templates: the tags are escaped as literal text.
            let tags = body
                .entry("tags")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(existing) = tags {
                for (k, v) in &self.tags {
                    existing
                        .entry(crate::expr::escape_template(k).into_owned())
                        .or_insert_with(|| {
                            Value::String(crate::expr::escape_template(v).into_owned())
                        });
                }
            }
        }
    }
}
