//! The `provider "cloudflare"` configuration.

use serde::Serialize;

use crate::provider::{Provider, ProviderRequirement};

/// Configuration of the Cloudflare provider. There is deliberately no way to
/// set a token here: the provider reads `CLOUDFLARE_API_TOKEN` from the
/// environment when it plans or applies, so no secret is written to the
/// output.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CloudflareProvider {
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<crate::expr::Tf<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent_operator_suffix: Option<crate::expr::Tf<String>>,
}

impl CloudflareProvider {
    pub fn new() -> Self {
        CloudflareProvider::default()
    }

    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Another API endpoint (tests, proxies).
    pub fn base_url(mut self, url: impl Into<crate::expr::Tf<String>>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    pub fn user_agent_operator_suffix(
        mut self,
        suffix: impl Into<crate::expr::Tf<String>>,
    ) -> Self {
        self.user_agent_operator_suffix = Some(suffix.into());
        self
    }
}

impl Provider for CloudflareProvider {
    const REQUIREMENT: ProviderRequirement = super::PROVIDER;

    fn alias(&self) -> Option<&str> {
        self.alias.as_deref()
    }
}
