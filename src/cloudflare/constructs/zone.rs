//! A Cloudflare-hosted DNS zone, looked up by name, with records.

use crate::block::BlockRef;
use crate::construct::Scope;
use crate::dns::{DnsRecord, DnsZone};
use crate::expr::Tf;
use crate::stack::Stack;

use super::super::dns::{DnsRecord as CloudflareDnsRecord, DnsRecordArgs, DnsRecordRef};
use super::super::zone::{DataCloudflareZone, DataCloudflareZoneFilter, DataCloudflareZoneRef};

/// A zone at `scope/<domain>`: the lookup at `<domain>/zone`, each record at
/// `<domain>/<record id>/record`.
#[derive(Clone, Debug)]
pub struct CloudflareZone {
    scope: Scope,
    zone: DataCloudflareZoneRef,
}

impl CloudflareZone {
    /// Looks up the zone of `domain` (which must already exist in the account).
    pub fn lookup(stack: &mut Stack, scope: &Scope, domain: &str) -> Self {
        let scope = scope.child(domain);
        let zone = stack.data(
            &scope,
            "zone",
            DataCloudflareZone::new().filter(DataCloudflareZoneFilter::new().name(domain)),
        );
        CloudflareZone { scope, zone }
    }

    pub fn zone(&self) -> &DataCloudflareZoneRef {
        &self.zone
    }

    /// A record, not proxied, with automatic TTL.
    pub fn record(&self, stack: &mut Stack, id: &str, record: DnsRecord) -> DnsRecordRef {
        stack.add(
            &self.scope.child(id),
            "record",
            CloudflareDnsRecord::new(DnsRecordArgs {
                zone_id: self.zone.zone_id(),
                name: record.name,
                ttl: 1.into(),
                r#type: record.record_type,
            })
            .content(record.value)
            .proxied(false)
            .tags(Vec::<&str>::new()),
        )
    }

    /// A CNAME from `host` (a full host name, such as `api.example.com`) to
    /// `target`, at `<domain>/<host>/record`.
    pub fn cname(&self, stack: &mut Stack, host: &str, target: Tf<String>) -> DnsRecordRef {
        self.record(
            stack,
            host,
            DnsRecord {
                name: host.into(),
                record_type: "CNAME".into(),
                value: target,
            },
        )
    }
}

impl DnsZone for CloudflareZone {
    fn domain_name(&self) -> Tf<String> {
        self.zone.name()
    }

    fn add_record(&self, stack: &mut Stack, id: &str, record: DnsRecord) -> BlockRef {
        let r = self.record(stack, id, record);
        crate::block::Handle::block_ref(&r).clone()
    }
}
