//! The AWS provider (`hashicorp/aws`, written against 6.25): typed resources
//! per service, and higher-level [`constructs`] that combine them.

pub mod acm;
pub mod apigateway;
pub mod apigatewayv2;
pub mod cloudwatch;
pub mod constructs;
pub mod dynamodb;
pub mod iam;
pub mod lambda;
pub mod policy;
pub mod provider;
pub mod region;

use crate::provider::ProviderRequirement;

/// `hashicorp/aws`, the versions these types were written against.
pub const PROVIDER: ProviderRequirement =
    ProviderRequirement::new("aws", "hashicorp/aws", "~> 6.0");

pub use provider::AwsProvider;
