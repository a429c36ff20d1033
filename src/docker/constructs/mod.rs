//! Higher-level Docker constructs.

pub mod dynamodb_local;

pub use dynamodb_local::DynamodbLocal;
