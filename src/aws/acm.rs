//! Certificate Manager.

use crate::expr::{Arn, List, Map, Set, Tf};

crate::resource! {
    /// A TLS certificate issued (or imported) by ACM.
    pub struct AcmCertificate("aws_acm_certificate", provider = super::PROVIDER, taggable = true) -> AcmCertificateRef {
        optional {
            domain_name: String,
            subject_alternative_names: List<String>,
            /// `DNS` or `EMAIL`.
            validation_method: String,
            /// `RSA_2048`, `EC_prime256v1`, ...
            key_algorithm: String,
            certificate_authority_arn: Arn,
            early_renewal_duration: String,
            region: String,
            tags: Map<String>,
        }
        blocks {
            options: AcmCertificateOptions,
        }
        attributes {
            arn: Arn,
            id: String,
            domain_name: String,
            /// The DNS records that prove control of each name (a set).
            domain_validation_options: Set<DomainValidationOption>,
            status: String,
            not_after: String,
        }
    }
}

crate::nested_block! {
    pub struct AcmCertificateOptions {
        optional {
            /// `ENABLED` or `DISABLED`.
            certificate_transparency_logging_preference: String,
        }
    }
}

/// Marker: one element of `domain_validation_options`.
#[derive(Clone, Copy, Debug)]
pub enum DomainValidationOption {}

impl Tf<DomainValidationOption> {
    pub fn domain_name(&self) -> Tf<String> {
        self.get("domain_name")
    }

    pub fn resource_record_name(&self) -> Tf<String> {
        self.get("resource_record_name")
    }

    pub fn resource_record_type(&self) -> Tf<String> {
        self.get("resource_record_type")
    }

    pub fn resource_record_value(&self) -> Tf<String> {
        self.get("resource_record_value")
    }
}

crate::resource! {
    /// Waits until a DNS-validated certificate is issued.
    pub struct AcmCertificateValidation("aws_acm_certificate_validation", provider = super::PROVIDER) -> AcmCertificateValidationRef {
        required {
            certificate_arn: Arn,
        }
        optional {
            validation_record_fqdns: List<String>,
            region: String,
        }
        attributes {
            certificate_arn: Arn,
            id: String,
        }
    }
}

impl AcmCertificateRef {
    /// The validation record at `index` (the options are a set, which
    /// Terraform cannot index, hence `tolist`).
    pub fn domain_validation_option(&self, index: u64) -> Tf<DomainValidationOption> {
        crate::expr::functions::tolist(self.domain_validation_options()).at(index)
    }
}
