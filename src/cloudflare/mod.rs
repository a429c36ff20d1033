//! The Cloudflare provider (`cloudflare/cloudflare`, written against 5.14).

pub mod constructs;
pub mod dns;
pub mod provider;

use crate::provider::ProviderRequirement;

/// `cloudflare/cloudflare`, the versions these types were written against.
pub const PROVIDER: ProviderRequirement =
    ProviderRequirement::new("cloudflare", "cloudflare/cloudflare", "~> 5.0");

pub use provider::CloudflareProvider;
