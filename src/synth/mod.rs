//! Synthesis: from a [`Stack`](crate::Stack) to Terraform JSON, checked, and
//! written to an output directory.

mod block;
mod digest;
mod document;
pub mod files;
mod graph;
mod json;
pub mod manifest;
pub mod output_dir;
mod references;
pub mod written;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::address::BlockKind;
use crate::asset::Asset;

pub use block::SynthesizedBlock;
pub use document::synthesize;
pub(crate) use graph::find_cycle;
pub use json::{to_pretty_json, write_pretty_json};
pub(crate) use references::{META_KEYS, block_references, collect_references, parse_address};

/// The version written into metadata and manifests.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A stack, checked and rendered as Terraform JSON.
#[derive(Clone, Debug)]
pub struct SynthesizedStack {
    pub name: String,
    /// The stack's configuration but its blocks, as Terraform JSON: outputs,
    /// variables, providers, settings, moves, imports, removals.
    /// [`SynthesizedStack::document`] is all of it.
    pub(crate) sections: Value,
    /// Its resources and data sources, in the order they were declared.
    pub(crate) blocks: Vec<SynthesizedBlock>,
    /// Indexes into `blocks` in the order they are written: by kind
    /// (resources first), type and name.
    pub(crate) written_order: Vec<u32>,
    /// Files to copy under the stack's directory.
    pub assets: Vec<Asset>,
    pub resource_count: usize,
    /// What each output refers to (each block holds its own references).
    pub references: Vec<References>,
    /// Stacks to deploy before this one (the manifest's `dependencies`).
    pub dependencies: Vec<String>,
    /// Variables kite gives terraform from settings when it runs it.
    pub secrets: Vec<crate::stack::SecretInput>,
    /// Whether the stack was found to match kite's bundled provider schemas,
    /// with no finding: the record of what was written remembers it.
    pub(crate) clean_against_bundled: bool,
    /// What its files hold, worked out when first asked (a synthesized
    /// stack does not change): `kite.tf`'s text, then the digest of both
    /// files' content.
    native: OnceLock<Result<Option<String>, String>>,
    digest: OnceLock<Option<digest::Digest>>,
}

impl SynthesizedStack {
    /// The stack's configuration as one Terraform JSON document, which the
    /// output directory holds as `cdk.tf.json` and, for the parts checkov
    /// cannot read, `kite.tf` ([`files`]). Built at each call: the stack
    /// keeps its blocks typed.
    pub fn document(&self) -> Value {
        let Value::Object(rest) = &self.sections else {
            return self.sections.clone();
        };
        // In the order synthesis used to assemble it: the metadata comment,
        // blocks, then the other sections.
        let mut sections = serde_json::Map::with_capacity(rest.len() + 2);
        if let Some(comment) = rest.get("//") {
            sections.insert("//".into(), comment.clone());
        }
        let resources_first = [BlockKind::Resource, BlockKind::Data]
            .into_iter()
            .flat_map(|kind| self.blocks.iter().filter(move |b| b.kind == kind));
        for block in resources_first {
            let of_kind = sections
                .entry(block.kind.json_key())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            let of_type = of_kind
                .as_object_mut()
                .map(|types| {
                    types
                        .entry(block.type_name.as_ref())
                        .or_insert_with(|| Value::Object(serde_json::Map::new()))
                })
                .and_then(Value::as_object_mut);
            if let Some(of_type) = of_type {
                of_type.insert(block.logical_id.to_string(), block.to_json().into_owned());
            }
        }
        for (key, value) in rest {
            sections
                .entry(key.as_str())
                .or_insert_with(|| value.clone());
        }
        Value::Object(sections)
    }

    /// Its resources and data sources, in the order they were declared.
    pub fn blocks(&self) -> &[SynthesizedBlock] {
        &self.blocks
    }

    /// Its blocks in the order they are written: by kind (resources
    /// first), type and name.
    pub(crate) fn blocks_as_written(&self) -> impl Iterator<Item = &SynthesizedBlock> {
        self.written_order.iter().map(|&i| &self.blocks[i as usize])
    }

    /// The text of its `kite.tf` ([`files::native_file`]): `None` when it
    /// has none, an error when it cannot be written.
    pub(crate) fn native_text(&self) -> Result<Option<&str>, &str> {
        match self
            .native
            .get_or_init(|| files::native_file(&self.sections))
        {
            Ok(text) => Ok(text.as_deref()),
            Err(e) => Err(e),
        }
    }

    /// The digest of what its files hold: its `cdk.tf.json` and its
    /// `kite.tf`, if it has one.
    pub(crate) fn content_digest(&self) -> Option<digest::Digest> {
        *self.digest.get_or_init(|| {
            let native = self.native_text().ok()?;
            digest::of(&(files::JsonPart::of(self), native))
        })
    }

    /// Every reference of the stack: its blocks', then its outputs'.
    pub fn all_references(&self) -> impl Iterator<Item = &crate::expr::scan::Reference> {
        let blocks = self.blocks.iter().flat_map(|b| &b.references);
        blocks.chain(self.references.iter().flat_map(|r| &r.references))
    }
}

/// The references of an output of a synthesized stack, or of a block of a
/// document read as JSON (a synthesized block holds its own).
#[derive(Clone, Debug)]
pub struct References {
    /// Where it is in the document: `resource.aws_iam_role.x`, `output.url`.
    pub json_path: String,
    /// Its construct path.
    pub path: String,
    pub references: Vec<crate::expr::scan::Reference>,
}

impl References {
    /// The JSON path of a block: `resource.aws_iam_role.x`, from its
    /// section (`resource` or `data`), type and name.
    pub(crate) fn block_json_path(section: &str, type_name: &str, name: &str) -> String {
        // Joined, not formatted: synthesis makes one per block.
        [section, ".", type_name, ".", name].concat()
    }
}

/// One thing wrong with a stack, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The construct path of what is wrong, when it is one construct.
    pub path: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Problem {
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            path: Some(path.into()),
            message: message.into(),
        }
    }

    pub fn stack_wide(message: impl Into<String>) -> Self {
        Problem {
            path: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{path}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A stack that cannot be synthesized, with everything found wrong in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackError {
    pub stack: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for StackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "stack `{}` cannot be synthesized ({n} problem{}):",
            self.stack,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n- {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StackError {}

#[cfg(test)]
mod tests {
    /// A synthesized stack can be shared between threads (a library user
    /// may validate several at once).
    #[test]
    fn a_synthesized_stack_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<super::SynthesizedStack>();
    }
}
