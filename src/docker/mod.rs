//! The Docker provider (`kreuzwerker/docker` 3.6): every resource and data
//! source, generated (`kite::docker::container::Container` for
//! `docker_container`), and higher-level [`constructs`].

pub mod constructs;
// Generated code is formatted by its generator.
#[rustfmt::skip]
mod generated;

pub use generated::*;
