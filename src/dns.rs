//! DNS zones, whatever provider hosts them: what constructs that need DNS
//! records (a certificate validated through DNS) ask of a zone.

use crate::block::BlockRef;
use crate::expr::Tf;
use crate::stack::Stack;

/// A record to add to a zone.
#[derive(Clone, Debug)]
pub struct DnsRecord {
    /// The record's name (a host name in the zone).
    pub name: Tf<String>,
    /// `CNAME`, `A`, `TXT`, ...
    pub record_type: Tf<String>,
    /// What the record points to.
    pub value: Tf<String>,
}

/// A DNS zone that records can be added to.
pub trait DnsZone {
    /// The zone's apex domain, as the provider reports it.
    fn domain_name(&self) -> Tf<String>;

    /// Adds a record to the zone, under the zone's construct as `id`.
    fn add_record(&self, stack: &mut Stack, id: &str, record: DnsRecord) -> BlockRef;
}
