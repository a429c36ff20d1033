//! What generated bindings build on (`use kite::bindings::*`): the body a
//! type wraps, the traits it implements, and the expression types of its
//! arguments.
//!
//! A generated type demands its required arguments by name:
//!
//! ```
//! # use kite::aws::iam::{IamRolePolicy, IamRolePolicyArgs};
//! IamRolePolicy::new(IamRolePolicyArgs { policy: "{}".into(), role: "r".into() });
//! ```
//!
//! ```compile_fail
//! # use kite::aws::iam::{IamRolePolicy, IamRolePolicyArgs};
//! // `role` is required: without it, this does not compile.
//! IamRolePolicy::new(IamRolePolicyArgs { policy: "{}".into() });
//! ```
//!
//! and an argument of one type does not take another:
//!
//! ```compile_fail
//! # use kite::aws::lambda::{LambdaFunction, LambdaFunctionArgs};
//! # use kite::aws::iam::{IamRole, IamRoleArgs};
//! # let mut stack = kite::Stack::new("s");
//! # let root = stack.root();
//! let role = stack.add(&root, "r", IamRole::new(IamRoleArgs { assume_role_policy: "{}".into() }));
//! // A function takes its role's ARN, not its name.
//! LambdaFunction::new(LambdaFunctionArgs { function_name: "f".into(), role: role.name() });
//! ```

pub use crate::block::{BlockRef, BlockType, DataSource, Handle, Resource, TypedHandle};
pub use crate::body::{Body, Value};
pub use crate::expr::{Any, Arn, Expr, List, Map, Number, Object, Set, Tf, field};
pub use crate::provider::{Provider, ProviderRequirement};
