//! Higher-level Cloudflare constructs.

pub mod zone;

pub use zone::CloudflareZone;
