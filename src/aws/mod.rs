//! The AWS provider (`hashicorp/aws` 6.25): every resource and data source,
//! generated, one module per service (`kite::aws::sqs::SqsQueue` for
//! `aws_sqs_queue`; each module is compiled with its Cargo feature,
//! `aws-sqs`, but for the types the framework's constructs use, which are
//! always there); IAM policy documents; and higher-level [`constructs`] that
//! combine them.

mod augmentations;
pub use augmentations::aws_managed_policy;
pub mod constructs;
// Generated code is formatted by its generator.
#[rustfmt::skip]
mod generated;
pub mod policy;

pub use generated::*;
