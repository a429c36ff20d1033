//! What the generated AWS types gain by hand: conveniences the schema
//! cannot express (as AWS CDK's `*-augmentations` files).

use crate::expr::functions::tolist;
use crate::expr::{Arn, Tf};

use super::acm::{AcmCertificateDomainValidationOptions, AcmCertificateRef};
use super::apigatewayv2::{Apigatewayv2DomainNameRef, Apigatewayv2IntegrationRef};

impl AcmCertificateRef {
    /// The validation record at `index` (the options are a set, which
    /// Terraform cannot index, hence `tolist`).
    pub fn domain_validation_option(
        &self,
        index: u64,
    ) -> Tf<AcmCertificateDomainValidationOptions> {
        tolist(self.domain_validation_options()).at(index)
    }
}

impl Apigatewayv2IntegrationRef {
    /// `integrations/<id>`: what a route's `target` names.
    pub fn target(&self) -> Tf<String> {
        crate::template!["integrations/", self.id()]
    }
}

impl Apigatewayv2DomainNameRef {
    /// The host name to point a CNAME record at.
    pub fn target_domain_name(&self) -> Tf<String> {
        self.domain_name_configuration()
            .at(0)
            .fields()
            .target_domain_name()
    }

    /// The Route 53 zone of the target (for alias records).
    pub fn hosted_zone_id(&self) -> Tf<String> {
        self.domain_name_configuration()
            .at(0)
            .fields()
            .hosted_zone_id()
    }
}

/// The ARN of an AWS managed policy, from its name with path:
/// `service-role/AWSLambdaBasicExecutionRole`.
pub fn aws_managed_policy(name: &str) -> Tf<Arn> {
    Tf::<Arn>::literal(format!("arn:aws:iam::aws:policy/{name}"))
}
