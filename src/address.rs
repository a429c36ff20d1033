//! Terraform addresses: how one block of a configuration names another.

use std::borrow::Cow;
use std::fmt;

/// Whether a block manages infrastructure (`resource`) or reads it (`data`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Address {
    /// `TYPE.NAME` (a resource) or `data.TYPE.NAME` (a data source).
    Block {
        kind: BlockKind,
        /// Borrowed for typed blocks: their type names are constants.
        type_name: Cow<'static, str>,
        name: String,
    },
    /// `var.NAME`: an input variable.
    Variable { name: String },
}

impl Address {
    pub fn resource(type_name: impl Into<Cow<'static, str>>, name: impl Into<String>) -> Self {
        Address::Block {
            kind: BlockKind::Resource,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn data(type_name: impl Into<Cow<'static, str>>, name: impl Into<String>) -> Self {
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
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Block {
                kind: BlockKind::Resource,
                type_name,
                name,
            } => write!(f, "{type_name}.{name}"),
            Address::Block {
                kind: BlockKind::Data,
                type_name,
                name,
            } => write!(f, "data.{type_name}.{name}"),
            Address::Variable { name } => write!(f, "var.{name}"),
        }
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
    }
}
