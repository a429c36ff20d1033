//! kite: typed Rust constructs in, Terraform JSON out.
//!
//! A program defines an [`App`] of named [`Stack`]s. Stacks hold blocks —
//! typed resources and data sources from the provider modules ([`aws`],
//! [`cloudflare`], [`docker`]), or raw ones — at places of a construct tree
//! ([`Scope`]); handles to declared blocks give typed references
//! ([`expr::Tf`]). Synthesis ([`synth`]) checks a stack and renders it as
//! Terraform JSON in cdktf's layout, and [`cli`] is the `kite` command line.

pub mod address;
pub mod app;
pub mod aspect;
pub mod asset;
pub mod backend;
pub mod bindings;
pub mod block;
pub mod body;
mod channel;
pub mod cli;
pub mod cloudflare;
mod collections;
pub mod construct;
pub mod cross_stack;
pub mod dns;
pub mod docker;
pub mod env;
pub mod expr;
pub mod fingerprints;
pub mod graph;
pub mod id;
pub mod input;
mod json_path;

pub mod aws;
pub mod output;
pub mod provider;
pub mod stack;
pub mod synth;
pub mod terraform;
pub mod validate;

pub use address::{Address, BlockKind};
pub use app::App;
pub use block::{Block, BlockRef, Handle, RawBlock, TypedHandle};
pub use body::Body;
pub use construct::Scope;
pub use env::Env;
pub use expr::Tf;
pub use stack::{Removal, Stack};

/// The README's examples compile (`cargo test` runs this as a doctest).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
