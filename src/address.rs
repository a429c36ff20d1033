//! Terraform addresses: how one block of a configuration names another.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

/// Whether a block manages infrastructure (`resource`) or reads it (`data`).
// Serialized only as structure (the digest of a synth's output, see
// `synth::digest`); Terraform JSON writes addresses as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum BlockKind {
    Resource,
    Data,
}

impl BlockKind {
    /// The top-level key of Terraform JSON that holds blocks of this kind.
    pub fn json_key(self) -> &'static str {
        match self {
            BlockKind::Resource => "resource",
            BlockKind::Data => "data",
        }
    }
}

/// The address of something an expression can refer to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Address {
    /// `TYPE.NAME` (a resource) or `data.TYPE.NAME` (a data source).
    Block {
        kind: BlockKind,
        /// Borrowed for typed blocks: their type names are constants.
        type_name: Cow<'static, str>,
        name: std::sync::Arc<str>,
    },
    /// `var.NAME`: an input variable.
    Variable { name: String },
}

impl Address {
    pub fn resource(
        type_name: impl Into<Cow<'static, str>>,
        name: impl Into<std::sync::Arc<str>>,
    ) -> Self {
        Address::Block {
            kind: BlockKind::Resource,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn data(
        type_name: impl Into<Cow<'static, str>>,
        name: impl Into<std::sync::Arc<str>>,
    ) -> Self {
        Address::Block {
            kind: BlockKind::Data,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn variable(name: impl Into<String>) -> Self {
        Address::Variable { name: name.into() }
    }

    /// The Terraform type of a resource or data source; `None` for a variable.
    pub fn type_name(&self) -> Option<&str> {
        match self {
            Address::Block { type_name, .. } => Some(type_name),
            Address::Variable { .. } => None,
        }
    }

    /// The parts of the address as written, joined by `.`: `data` before
    /// a data source's.
    fn parts(&self) -> (Option<&'static str>, &str, &str) {
        match self {
            Address::Block {
                kind: BlockKind::Resource,
                type_name,
                name,
            } => (None, type_name, name),
            Address::Block {
                kind: BlockKind::Data,
                type_name,
                name,
            } => (Some("data"), type_name, name),
            Address::Variable { name } => (None, "var", name),
        }
    }

    /// Appends the address as written: rendering writes one for every
    /// reference, and `write!` cost ten times more.
    pub(crate) fn push_to(&self, out: &mut String) {
        let (prefix, first, second) = self.parts();
        if let Some(prefix) = prefix {
            out.push_str(prefix);
            out.push('.');
        }
        out.push_str(first);
        out.push('.');
        out.push_str(second);
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, first, second) = self.parts();
        if let Some(prefix) = prefix {
            f.write_str(prefix)?;
            f.write_str(".")?;
        }
        f.write_str(first)?;
        f.write_str(".")?;
        f.write_str(second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_render_as_terraform_writes_them() {
        assert_eq!(
            Address::resource("aws_iam_role", "role_1").to_string(),
            "aws_iam_role.role_1"
        );
        assert_eq!(
            Address::data("aws_region", "current").to_string(),
            "data.aws_region.current"
        );
        assert_eq!(Address::variable("env").to_string(), "var.env");
        // Rendering appends the same text.
        for address in [
            Address::resource("aws_iam_role", "role_1"),
            Address::data("aws_region", "current"),
            Address::variable("env"),
        ] {
            let mut out = String::from("${");
            address.push_to(&mut out);
            out.push('}');
            assert_eq!(out, format!("${{{address}}}"));
        }
    }
}
