//! Providers: the plugins that implement resource types, their configuration
//! blocks and the `required_providers` entry each needs.

use std::borrow::Cow;
use std::fmt;

use crate::body::Body;

/// Where a provider comes from and which versions a stack accepts: one entry
/// of `terraform.required_providers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRequirement {
    /// The name configurations use for it (`aws`), also the prefix of its types.
    pub local_name: Cow<'static, str>,
    /// The registry address (`hashicorp/aws`).
    pub source: Cow<'static, str>,
    /// The version constraint (`~> 6.0`); empty for a provider built into
    /// Terraform, which needs no `required_providers` entry.
    pub version: Cow<'static, str>,
}

impl ProviderRequirement {
    pub const fn new(
        local_name: &'static str,
        source: &'static str,
        version: &'static str,
    ) -> Self {
        ProviderRequirement {
            local_name: Cow::Borrowed(local_name),
            source: Cow::Borrowed(source),
            version: Cow::Borrowed(version),
        }
    }

    /// A provider built into Terraform (`terraform.io/builtin/terraform`).
    pub const fn builtin(local_name: &'static str, source: &'static str) -> Self {
        ProviderRequirement {
            local_name: Cow::Borrowed(local_name),
            source: Cow::Borrowed(source),
            version: Cow::Borrowed(""),
        }
    }

    /// Whether Terraform has the provider built in: no `required_providers`
    /// entry names it.
    pub fn is_builtin(&self) -> bool {
        self.source.starts_with("terraform.io/builtin/")
    }

    /// The same provider with another version constraint.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Cow::Owned(version.into());
        self
    }
}

/// A typed provider configuration block (`provider "aws" { ... }`).
pub trait Provider {
    const REQUIREMENT: ProviderRequirement;

    /// The alias of this configuration; `None` for the default one.
    fn alias(&self) -> Option<&str>;

    fn into_body(self) -> Body;
}

/// Names a provider configuration for a block's `provider` meta-argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProviderRef {
    pub(crate) local_name: String,
    pub(crate) alias: Option<String>,
}

impl ProviderRef {
    pub fn new(local_name: impl Into<String>, alias: Option<String>) -> Self {
        ProviderRef {
            local_name: local_name.into(),
            alias,
        }
    }

    pub fn local_name(&self) -> &str {
        &self.local_name
    }

    pub fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }
}

impl fmt::Display for ProviderRef {
    /// `aws` or `aws.ALIAS`, as the `provider` meta-argument takes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.alias {
            Some(alias) => write!(f, "{}.{alias}", self.local_name),
            None => f.write_str(&self.local_name),
        }
    }
}

/// A provider configuration as the stack stores it.
#[derive(Clone, Debug)]
pub(crate) struct ProviderConfig {
    pub(crate) requirement: ProviderRequirement,
    pub(crate) alias: Option<String>,
    pub(crate) body: Body,
}
