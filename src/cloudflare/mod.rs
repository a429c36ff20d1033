//! The Cloudflare provider (`cloudflare/cloudflare` 5.14): every resource and
//! data source, generated, one module per service (`kite::cloudflare::dns::DnsRecord`
//! for `cloudflare_dns_record`), and higher-level [`constructs`].

pub mod constructs;
// Generated code is formatted by its generator.
#[rustfmt::skip]
mod generated;

pub use generated::*;
