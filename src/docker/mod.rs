//! The Docker provider (`kreuzwerker/docker`, written against 3.6).

pub mod constructs;
pub mod container;
pub mod image;
pub mod network;
pub mod provider;
pub mod volume;

use crate::provider::ProviderRequirement;

/// `kreuzwerker/docker`, the versions these types were written against.
pub const PROVIDER: ProviderRequirement =
    ProviderRequirement::new("docker", "kreuzwerker/docker", "~> 3.0");

pub use provider::DockerProvider;
