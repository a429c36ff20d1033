//! What generated bindings build on (`use kite::bindings::*`): the body a
//! type wraps, the traits it implements, and the expression types of its
//! arguments.

pub use crate::block::{BlockRef, BlockType, DataSource, Handle, Resource, TypedHandle};
pub use crate::body::{Body, Value};
pub use crate::expr::{Any, Arn, Expr, List, Map, Number, Object, Set, Tf, field};
pub use crate::provider::{Provider, ProviderRequirement};
