//! Cloudflare DNS: zones and records.

use crate::expr::{List, Number};

crate::resource! {
    /// A DNS record (Cloudflare 5; `cloudflare_record` before).
    pub struct CloudflareDnsRecord("cloudflare_dns_record", provider = super::PROVIDER) -> CloudflareDnsRecordRef {
        required {
            zone_id: String,
            /// The record's name: a host name in the zone, or `@`.
            name: String,
            /// Seconds; `1` lets Cloudflare choose (automatic).
            ttl: Number,
            /// `A`, `AAAA`, `CNAME`, `TXT`, `MX`, ...
            r#type: String,
        }
        optional {
            /// What the record points to (`value` before Cloudflare 5).
            content: String,
            comment: String,
            priority: Number,
            /// Whether traffic goes through Cloudflare's proxy.
            proxied: bool,
            /// Cloudflare tags (`name:value` strings; not AWS-style tags).
            tags: List<String>,
        }
        blocks {
            settings: CloudflareDnsRecordSettings,
        }
        attributes {
            id: String,
            name: String,
            content: String,
            proxiable: bool,
        }
    }
}

crate::nested_block! {
    pub struct CloudflareDnsRecordSettings {
        optional {
            flatten_cname: bool,
            ipv4_only: bool,
            ipv6_only: bool,
        }
    }
}

crate::data_source! {
    /// Looks up one zone (Cloudflare 5: by `zone_id`, or by `filter`).
    pub struct DataCloudflareZone("cloudflare_zone", provider = super::PROVIDER) -> DataCloudflareZoneRef {
        optional {
            zone_id: String,
        }
        blocks {
            /// Which zone to find; `name` is computed-only outside it now.
            filter: DataCloudflareZoneFilter,
        }
        attributes {
            id: String,
            zone_id: String,
            /// The zone's domain name.
            name: String,
            name_servers: List<String>,
            status: String,
        }
    }
}

crate::nested_block! {
    pub struct DataCloudflareZoneFilter {
        optional {
            /// The domain name (`example.com`).
            name: String,
            /// `pending`, `active`, ...
            status: String,
            /// `all` or `any` of the conditions.
            r#match: String,
        }
        blocks {
            account: DataCloudflareZoneFilterAccount,
        }
    }
}

crate::nested_block! {
    pub struct DataCloudflareZoneFilterAccount {
        optional {
            id: String,
            name: String,
        }
    }
}
