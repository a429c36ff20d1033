//! Terraform's built-in functions, typed.
//!
//! Only the ones stacks reach for; [`call`] builds any other.

use super::{Any, Collection, Expr, List, Map, Set, Tf};

/// `name(args...)` for a function without a typed wrapper here.
pub fn call<T>(name: &str, args: Vec<Expr>) -> Tf<T> {
    Tf::from_expr(Expr::call(name, args))
}

/// `tolist(set)`: a set as a list, so that its elements can be indexed.
pub fn tolist<C: Collection>(collection: impl Into<Tf<C>>) -> Tf<List<C::Item>> {
    call("tolist", vec![collection.into().into_expr()])
}

/// `toset(list)`
pub fn toset<C: Collection>(collection: impl Into<Tf<C>>) -> Tf<Set<C::Item>> {
    call("toset", vec![collection.into().into_expr()])
}

/// `tomap(object)`
pub fn tomap<T>(object: impl Into<Tf<Map<T>>>) -> Tf<Map<T>> {
    call("tomap", vec![object.into().into_expr()])
}

/// `jsonencode(value)`: the value as a JSON string, built by Terraform.
pub fn jsonencode<T>(value: impl Into<Tf<T>>) -> Tf<String> {
    call("jsonencode", vec![value.into().into_expr()])
}

/// `jsondecode(string)`
pub fn jsondecode(json: impl Into<Tf<String>>) -> Tf<Any> {
    call("jsondecode", vec![json.into().into_expr()])
}

/// `file(path)`: the content of a file, read when Terraform plans.
pub fn file(path: impl Into<Tf<String>>) -> Tf<String> {
    call("file", vec![path.into().into_expr()])
}

/// `filebase64sha256(path)`: the base64 SHA-256 of a file, as AWS reports
/// the hash of a Lambda package.
pub fn filebase64sha256(path: impl Into<Tf<String>>) -> Tf<String> {
    call("filebase64sha256", vec![path.into().into_expr()])
}

/// `join(separator, list)`
pub fn join(separator: impl Into<Tf<String>>, list: impl Into<Tf<List<String>>>) -> Tf<String> {
    call(
        "join",
        vec![separator.into().into_expr(), list.into().into_expr()],
    )
}

/// `lower(string)`
pub fn lower(s: impl Into<Tf<String>>) -> Tf<String> {
    call("lower", vec![s.into().into_expr()])
}
