//! Higher-level AWS constructs: several resources that belong together,
//! with the wiring between them done once.

pub mod api_gateway_account;
mod api_stage;
#[cfg(feature = "aws-s3")]
pub mod bucket;
#[cfg(feature = "aws-budgets")]
pub mod budget;
pub mod certificate;
pub mod function;
pub mod http_api;
pub mod lambda_code;
pub mod role;
#[cfg(all(feature = "aws-ssm", feature = "aws-kms"))]
pub mod secure_parameter;
pub mod websocket_api;

pub use api_gateway_account::ApiGatewayAccountRole;
#[cfg(feature = "aws-s3")]
pub use bucket::{Bucket, BucketProps};
#[cfg(feature = "aws-budgets")]
pub use budget::MonthlyBudget;
pub use certificate::{Certificate, DnsValidatedCertificate, ExistingCertificate};
pub use function::{Function, FunctionProps};
pub use http_api::{HttpApi, HttpStage};
pub use lambda_code::LambdaCode;
pub use role::Role;
#[cfg(all(feature = "aws-ssm", feature = "aws-kms"))]
pub use secure_parameter::SecureParameter;
pub use websocket_api::{WebSocketApi, WebSocketStage};
