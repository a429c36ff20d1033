//! A TLS certificate validated through a DNS zone.

use crate::block::BlockRef;
use crate::construct::Scope;
use crate::dns::{DnsRecord, DnsZone};
use crate::expr::{Arn, Tf};
use crate::stack::Stack;

use super::super::acm::{
    AcmCertificate, AcmCertificateRef, AcmCertificateValidation, AcmCertificateValidationArgs,
    AcmCertificateValidationRef, DataAwsAcmCertificate, DataAwsAcmCertificateRef,
};

/// A certificate that custom domains can use.
pub trait Certificate {
    fn arn(&self) -> Tf<Arn>;

    /// What must exist before the certificate can be used (its validation);
    /// `None` when it is usable already.
    fn ready(&self) -> Option<BlockRef>;
}

/// A certificate for a zone's apex and `*.` wildcard at `scope/<id>`:
/// `certificate` (replaced before it is destroyed), the validation record in
/// the zone (`<id>-validation-record` under the zone's construct), and
/// `validation`, which completes once ACM has seen the record.
#[derive(Clone, Debug)]
pub struct DnsValidatedCertificate {
    certificate: AcmCertificateRef,
    record: BlockRef,
    validation: AcmCertificateValidationRef,
}

impl DnsValidatedCertificate {
    pub fn for_zone(stack: &mut Stack, scope: &Scope, id: &str, zone: &impl DnsZone) -> Self {
        let scope = scope.child(id);
        let domain = zone.domain_name();
        let certificate = stack.add(
            &scope,
            "certificate",
            AcmCertificate::new()
                .domain_name(domain.clone())
                .subject_alternative_names([crate::template!["*.", domain] as Tf<String>])
                .validation_method("DNS"),
        );
        stack.block(&certificate).create_before_destroy(true);
        // The apex and the wildcard share one validation record.
        let option = certificate.domain_validation_option(1).fields();
        let record = zone.add_record(
            stack,
            &format!("{id}-validation-record"),
            DnsRecord {
                name: option.resource_record_name(),
                record_type: option.resource_record_type(),
                value: option.resource_record_value(),
            },
        );
        let validation = stack.add(
            &scope,
            "validation",
            AcmCertificateValidation::new(AcmCertificateValidationArgs {
                certificate_arn: certificate.arn(),
            }),
        );
        stack.block(&validation).depends_on(&record);
        DnsValidatedCertificate {
            certificate,
            record,
            validation,
        }
    }

    pub fn certificate(&self) -> &AcmCertificateRef {
        &self.certificate
    }

    /// The validation record in the zone.
    pub fn validation_record(&self) -> &BlockRef {
        &self.record
    }

    /// Depend on this before using the certificate.
    pub fn validation(&self) -> &AcmCertificateValidationRef {
        &self.validation
    }

    pub fn arn(&self) -> Tf<Arn> {
        self.certificate.arn()
    }
}

impl Certificate for DnsValidatedCertificate {
    fn arn(&self) -> Tf<Arn> {
        DnsValidatedCertificate::arn(self)
    }

    fn ready(&self) -> Option<BlockRef> {
        Some(crate::block::Handle::block_ref(&self.validation).clone())
    }
}

/// An issued certificate of another stack, looked up by its domain at
/// `scope/<id>` (the most recent issued one): a second stage's custom
/// domains share the first stage's wildcard certificate instead of
/// validating a certificate of their own, whose validation record would
/// have the same name in the zone.
#[derive(Clone, Debug)]
pub struct ExistingCertificate {
    certificate: DataAwsAcmCertificateRef,
}

impl ExistingCertificate {
    pub fn lookup(stack: &mut Stack, scope: &Scope, id: &str, domain: &str) -> Self {
        let certificate = stack.data(
            scope,
            id,
            DataAwsAcmCertificate::new()
                .domain(domain)
                .statuses(["ISSUED"])
                .most_recent(true),
        );
        ExistingCertificate { certificate }
    }

    pub fn certificate(&self) -> &DataAwsAcmCertificateRef {
        &self.certificate
    }
}

impl Certificate for ExistingCertificate {
    fn arn(&self) -> Tf<Arn> {
        self.certificate.arn()
    }

    fn ready(&self) -> Option<BlockRef> {
        None
    }
}
