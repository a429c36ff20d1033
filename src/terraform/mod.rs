//! Terraform's built-in provider: `terraform_data` and `terraform_remote_state`.

// Generated code is formatted by its generator.
#[rustfmt::skip]
mod generated;

pub use generated::*;
