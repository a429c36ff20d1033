//! Terraform expressions as typed Rust values.
//!
//! [`Expr`] is an expression tree that knows how to render itself as Terraform
//! JSON; [`Tf<T>`] wraps one with the type of value it evaluates to, so that a
//! role's ARN (`Tf<Arn>`) cannot be passed where a name (`Tf<String>`) is
//! expected. Nobody writes `${` by hand: literals are escaped when rendered,
//! and references, templates, indexing and function calls are built from
//! values.

mod fields;
pub mod functions;
mod render;
pub mod scan;
#[cfg(test)]
pub(crate) mod strategies;

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::{Serialize, Serializer};

use crate::address::Address;

pub use fields::Fields;
pub use render::{escape_template, is_identifier};

/// A Terraform expression.
///
/// Stacks hold many thousands of expressions, so the rarer large variants
/// are boxed: an expression takes 32 bytes, not 72.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Null,
    /// A literal string; `${` and `%{` in it are escaped when rendered.
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
    List(Vec<Expr>),
    Object(Fields),
    /// The block or variable at an address: `aws_iam_role.x`, `var.y`.
    Ref(Box<Address>),
    /// A block declared in the stack named first, as its handle refers to
    /// it: within that stack it renders as [`Expr::Ref`]; used in another
    /// stack of the same app, it is read through the other stack's state
    /// (see [`crate::cross_stack`]).
    Declared(std::sync::Arc<str>, Box<Address>),
    /// An attribute, index or key of another expression.
    Get(Box<(Expr, Step)>),
    /// A function call: `tolist(x)`, its name and arguments.
    Call(Box<(String, Vec<Expr>)>),
    /// A string template: the parts concatenated.
    Template(Vec<Expr>),
}

/// One step of a traversal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Step {
    /// `.name`
    Attr(String),
    /// `[0]`
    Index(u64),
    /// `["key"]`
    Key(String),
}

impl Expr {
    /// A reference to the block or variable at `address`.
    pub fn reference(address: Address) -> Expr {
        Expr::Ref(Box::new(address))
    }

    /// `self.name`
    pub fn attr(self, name: impl Into<String>) -> Expr {
        Expr::Get(Box::new((self, Step::Attr(name.into()))))
    }

    /// `self[index]`
    pub fn index(self, index: u64) -> Expr {
        Expr::Get(Box::new((self, Step::Index(index))))
    }

    /// `self["key"]`
    pub fn key(self, key: impl Into<String>) -> Expr {
        Expr::Get(Box::new((self, Step::Key(key.into()))))
    }

    /// `name(args...)`
    pub fn call(name: impl Into<String>, args: Vec<Expr>) -> Expr {
        Expr::Call(Box::new((name.into(), args)))
    }

    /// A template of the parts, with adjacent literal text merged.
    pub fn template(parts: Vec<Expr>) -> Expr {
        let mut merged: Vec<Expr> = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Expr::Template(inner) => {
                    for p in inner {
                        push_template_part(&mut merged, p);
                    }
                }
                other => push_template_part(&mut merged, other),
            }
        }
        match merged.len() {
            0 => Expr::Str(String::new()),
            1 if matches!(merged[0], Expr::Str(_)) => merged.pop().unwrap_or(Expr::Null),
            _ => Expr::Template(merged),
        }
    }

    /// True when the expression contains no reference or function call: its
    /// value is known without Terraform.
    pub fn is_literal(&self) -> bool {
        match self {
            Expr::Null | Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) => true,
            Expr::List(items) => items.iter().all(Expr::is_literal),
            Expr::Object(fields) => fields.values().all(Expr::is_literal),
            Expr::Template(parts) => parts.iter().all(Expr::is_literal),
            Expr::Ref(_) | Expr::Declared(..) | Expr::Get(..) | Expr::Call(..) => false,
        }
    }

    /// Appends the references in the expression — each block or variable
    /// it reads, with the steps after it — to `found`.
    pub fn collect_references(&self, found: &mut Vec<scan::Reference>) {
        match self {
            Expr::Null | Expr::Str(_) | Expr::Num(_) | Expr::Bool(_) => {}
            Expr::List(items) | Expr::Template(items) => {
                for item in items {
                    item.collect_references(found);
                }
            }
            Expr::Call(call) => {
                for arg in &call.1 {
                    arg.collect_references(found);
                }
            }
            Expr::Object(fields) => {
                for value in fields.values() {
                    value.collect_references(found);
                }
            }
            Expr::Ref(address) => found.push(scan::Reference {
                address: (**address).clone(),
                steps: Vec::new(),
                stack: None,
            }),
            Expr::Declared(stack, address) => found.push(scan::Reference {
                address: (**address).clone(),
                steps: Vec::new(),
                stack: Some(stack.clone()),
            }),
            Expr::Get(..) => {
                let (base, depth) = self.chain_base();
                let (address, stack) = match base {
                    Expr::Ref(address) => (address, None),
                    Expr::Declared(stack, address) => (address, Some(stack.clone())),
                    // `tolist(x)[0]`: the references are in the base.
                    other => return other.collect_references(found),
                };
                found.push(scan::Reference {
                    address: (**address).clone(),
                    steps: self.chain_steps(depth),
                    stack,
                });
            }
        }
    }

    /// The base of a chain of reads (`a` of `a.b[0].c`; the expression
    /// itself when it reads nothing) and the number of reads after it,
    /// found without copying a step: most chains turn out not to be
    /// wanted, or are then copied at their exact size.
    pub(crate) fn chain_base(&self) -> (&Expr, usize) {
        let mut base = self;
        let mut depth = 0;
        while let Expr::Get(get) = base {
            base = &get.0;
            depth += 1;
        }
        (base, depth)
    }

    /// The reads of a chain, from its base on (`b`, `0`, `c` of
    /// `a.b[0].c`), given their number ([`Expr::chain_base`]).
    pub(crate) fn chain_steps(&self, depth: usize) -> Vec<Step> {
        let mut steps = Vec::with_capacity(depth);
        let mut at = self;
        while let Expr::Get(get) = at {
            steps.push(get.1.clone());
            at = &get.0;
        }
        steps.reverse();
        steps
    }

    /// The literal string, when the expression is one.
    pub fn as_literal_str(&self) -> Option<&str> {
        match self {
            Expr::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The expression as a JSON value, as it is written.
    pub fn to_json(&self) -> serde_json::Value {
        render::to_json(self)
    }

    /// The expression as Terraform's native syntax, as it appears inside `${ }`.
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        render::write_hcl(self, &mut out);
        out
    }
}

fn push_template_part(parts: &mut Vec<Expr>, part: Expr) {
    let text = match part {
        Expr::Str(s) => s,
        Expr::Num(n) => n.to_string(),
        Expr::Bool(b) => b.to_string(),
        other => {
            parts.push(other);
            return;
        }
    };
    if let Some(Expr::Str(last)) = parts.last_mut() {
        last.push_str(&text);
    } else {
        parts.push(Expr::Str(text));
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        render::serialize(self, serializer)
    }
}

/// Marker: a Terraform number.
#[derive(Clone, Copy, Debug)]
pub enum Number {}

/// Marker: an Amazon Resource Name. An argument that takes an ARN does not
/// take a name, and the other way round; where an ARN really is wanted as
/// plain text, say so with [`Tf::cast`] (or put it in a template).
///
/// ```
/// # use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
/// # let mut stack = kite::Stack::new("s");
/// # let root = stack.root();
/// let role = stack.add(&root, "r", IamRole::new(IamRoleArgs { assume_role_policy: "{}".into() }));
/// // The role's name: compiles.
/// IamRolePolicy::new(IamRolePolicyArgs { policy: "{}".into(), role: role.name() });
/// ```
///
/// ```compile_fail
/// # use kite::aws::iam::{IamRole, IamRoleArgs, IamRolePolicy, IamRolePolicyArgs};
/// # let mut stack = kite::Stack::new("s");
/// # let root = stack.root();
/// let role = stack.add(&root, "r", IamRole::new(IamRoleArgs { assume_role_policy: "{}".into() }));
/// // Its ARN where a name goes: does not compile.
/// IamRolePolicy::new(IamRolePolicyArgs { policy: "{}".into(), role: role.arn() });
/// ```
#[derive(Clone, Copy, Debug)]
pub enum Arn {}

/// Marker: a list (or set) whose elements are `T`.
#[derive(Clone, Copy, Debug)]
pub struct List<T>(PhantomData<fn() -> T>);

/// Marker: a set of `T`. Sets have no order, so they cannot be indexed:
/// [`functions::tolist`] first.
///
/// ```compile_fail
/// # use kite::expr::{Set, Tf};
/// let names: Tf<Set<String>> = ["a", "b"].into();
/// names.at(0); // no: a set has no first element
/// ```
///
/// ```
/// # use kite::expr::{Set, Tf, functions::tolist};
/// let names: Tf<Set<String>> = ["a", "b"].into();
/// tolist(names).at(0);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Set<T>(PhantomData<fn() -> T>);

/// A list or a set: what `tolist` and `toset` take.
pub trait Collection {
    type Item;
}

impl<T> Collection for List<T> {
    type Item = T;
}

impl<T> Collection for Set<T> {
    type Item = T;
}

/// Marker: a map from strings to `T`.
#[derive(Clone, Copy, Debug)]
pub struct Map<T>(PhantomData<fn() -> T>);

/// Marker: a value of unknown shape (`any` in Terraform).
#[derive(Clone, Copy, Debug)]
pub enum Any {}

/// An expression that evaluates to a `T`.
pub struct Tf<T> {
    expr: Expr,
    value_type: PhantomData<fn() -> T>,
}

impl<T> Tf<T> {
    /// Wraps an expression, trusting the caller that it evaluates to a `T`.
    /// The escape hatch for what is not typed yet.
    pub fn from_expr(expr: Expr) -> Self {
        Tf {
            expr,
            value_type: PhantomData,
        }
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    pub fn into_expr(self) -> Expr {
        self.expr
    }

    /// The attribute `name` of this (object) value, as an expression of type `U`.
    pub fn get<U>(&self, name: &str) -> Tf<U> {
        Tf::from_expr(self.expr.clone().attr(name))
    }

    /// The same expression seen as another type: for values whose type
    /// Terraform converts (a number used as a string, say).
    pub fn cast<U>(self) -> Tf<U> {
        Tf::from_expr(self.expr)
    }

    /// Terraform's `null`: the argument is left unset.
    pub fn null() -> Self {
        Tf::from_expr(Expr::Null)
    }
}

/// A value with named fields (a nested block, an object attribute): its
/// generated view reads them as typed references.
pub trait Object {
    type Fields: From<Expr>;
}

impl<T: Object> Tf<T> {
    /// The fields of this value, each a typed reference:
    /// `certificate.domain_validation_option(0).fields().resource_record_name()`.
    pub fn fields(&self) -> T::Fields {
        T::Fields::from(self.expr.clone())
    }
}

/// The field `name` of an object value: what generated views return.
pub fn field<T>(of: &Expr, name: &str) -> Tf<T> {
    Tf::from_expr(of.clone().attr(name))
}

impl<T> Tf<List<T>> {
    /// The element at `index`: `list[index]`.
    pub fn at(&self, index: u64) -> Tf<T> {
        Tf::from_expr(self.expr.clone().index(index))
    }
}

impl<T> Tf<Map<T>> {
    /// The value at `key`: `map["key"]`.
    pub fn at_key(&self, key: &str) -> Tf<T> {
        Tf::from_expr(self.expr.clone().key(key))
    }
}

impl Tf<Arn> {
    /// An ARN known when the stack is written, such as an AWS managed policy.
    pub fn literal(arn: impl Into<String>) -> Self {
        Tf::from_expr(Expr::Str(arn.into()))
    }
}

impl<T> Clone for Tf<T> {
    fn clone(&self) -> Self {
        Tf::from_expr(self.expr.clone())
    }
}

impl<T> fmt::Debug for Tf<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.expr, f)
    }
}

impl<T> PartialEq for Tf<T> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl<T> Serialize for Tf<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.expr.serialize(serializer)
    }
}

impl From<&str> for Tf<String> {
    fn from(value: &str) -> Self {
        Tf::from_expr(Expr::Str(value.to_owned()))
    }
}

impl From<String> for Tf<String> {
    fn from(value: String) -> Self {
        Tf::from_expr(Expr::Str(value))
    }
}

impl From<&String> for Tf<String> {
    fn from(value: &String) -> Self {
        Tf::from_expr(Expr::Str(value.clone()))
    }
}

impl From<&Tf<String>> for Tf<String> {
    fn from(value: &Tf<String>) -> Self {
        value.clone()
    }
}

impl From<&Tf<Arn>> for Tf<Arn> {
    fn from(value: &Tf<Arn>) -> Self {
        value.clone()
    }
}

impl From<bool> for Tf<bool> {
    fn from(value: bool) -> Self {
        Tf::from_expr(Expr::Bool(value))
    }
}

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Tf<Number> {
            fn from(value: $t) -> Self {
                Tf::from_expr(Expr::Num(serde_json::Number::from(value)))
            }
        }
    )*};
}
number_from!(i32, i64, u8, u16, u32, u64, usize);

impl From<f64> for Tf<Number> {
    /// A non-finite float has no Terraform literal; it becomes `null`.
    fn from(value: f64) -> Self {
        Tf::from_expr(serde_json::Number::from_f64(value).map_or(Expr::Null, Expr::Num))
    }
}

impl<T, X: Into<Tf<T>>, const N: usize> From<[X; N]> for Tf<List<T>> {
    fn from(items: [X; N]) -> Self {
        Tf::from_expr(Expr::List(
            items.into_iter().map(|x| x.into().into_expr()).collect(),
        ))
    }
}

impl<T, X: Into<Tf<T>>> From<Vec<X>> for Tf<List<T>> {
    fn from(items: Vec<X>) -> Self {
        Tf::from_expr(Expr::List(
            items.into_iter().map(|x| x.into().into_expr()).collect(),
        ))
    }
}

impl<T, X: Into<Tf<T>>, const N: usize> From<[X; N]> for Tf<Set<T>> {
    fn from(items: [X; N]) -> Self {
        Tf::from_expr(Expr::List(
            items.into_iter().map(|x| x.into().into_expr()).collect(),
        ))
    }
}

impl<T, X: Into<Tf<T>>> From<Vec<X>> for Tf<Set<T>> {
    fn from(items: Vec<X>) -> Self {
        Tf::from_expr(Expr::List(
            items.into_iter().map(|x| x.into().into_expr()).collect(),
        ))
    }
}

impl<T, K: Into<String>, X: Into<Tf<T>>, const N: usize> From<[(K, X); N]> for Tf<Map<T>> {
    fn from(entries: [(K, X); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<T, K: Into<String>, X: Into<Tf<T>>> From<BTreeMap<K, X>> for Tf<Map<T>> {
    fn from(entries: BTreeMap<K, X>) -> Self {
        entries.into_iter().collect()
    }
}

impl<T, K: Into<String>, X: Into<Tf<T>>> FromIterator<(K, X)> for Tf<Map<T>> {
    fn from_iter<I: IntoIterator<Item = (K, X)>>(entries: I) -> Self {
        Tf::from_expr(Expr::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v.into().into_expr()))
                .collect(),
        ))
    }
}

impl<T, X: Into<Tf<T>>> FromIterator<X> for Tf<List<T>> {
    fn from_iter<I: IntoIterator<Item = X>>(items: I) -> Self {
        Tf::from_expr(Expr::List(
            items.into_iter().map(|x| x.into().into_expr()).collect(),
        ))
    }
}

/// Something that can be a part of a [`template!`](crate::template): literal
/// text or any expression.
pub trait TemplatePart {
    fn into_template_part(self) -> Expr;
}

impl TemplatePart for &str {
    fn into_template_part(self) -> Expr {
        Expr::Str(self.to_owned())
    }
}

impl TemplatePart for String {
    fn into_template_part(self) -> Expr {
        Expr::Str(self)
    }
}

impl TemplatePart for &String {
    fn into_template_part(self) -> Expr {
        Expr::Str(self.clone())
    }
}

impl<T> TemplatePart for Tf<T> {
    fn into_template_part(self) -> Expr {
        self.expr
    }
}

impl<T> TemplatePart for &Tf<T> {
    fn into_template_part(self) -> Expr {
        self.expr.clone()
    }
}

/// A string template from literal text and expressions:
/// `template!["arn:aws:logs:", region.name(), ":*"]` renders as
/// `"arn:aws:logs:${data.aws_region.x.name}:*"`. The result's type is
/// inferred (usually `Tf<String>`, or `Tf<Arn>` for an ARN built from parts).
#[macro_export]
macro_rules! template {
    ($($part:expr),* $(,)?) => {
        $crate::expr::Tf::from_expr($crate::expr::Expr::template(vec![
            $($crate::expr::TemplatePart::into_template_part($part)),*
        ]))
    };
}

#[cfg(test)]
mod tests;
