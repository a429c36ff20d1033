//! Higher-level AWS constructs: several resources that belong together,
//! with the wiring between them done once.

pub mod api_gateway_account;
mod api_stage;
pub mod bucket;
pub mod budget;
pub mod certificate;
pub mod function;
pub mod http_api;
pub mod lambda_code;
pub mod role;
pub mod secure_parameter;
pub mod websocket_api;

pub use api_gateway_account::ApiGatewayAccountRole;
pub use bucket::{Bucket, BucketProps};
pub use budget::MonthlyBudget;
pub use certificate::{Certificate, DnsValidatedCertificate, ExistingCertificate};
pub use function::{Function, FunctionProps};
pub use http_api::{HttpApi, HttpStage};
pub use lambda_code::LambdaCode;
pub use role::Role;
pub use secure_parameter::SecureParameter;
pub use websocket_api::{WebSocketApi, WebSocketStage};
