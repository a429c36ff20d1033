//! What the checks read: a JSON value, or a typed body or expression read
//! as the JSON it is written as, without rendering it.
//!
//! Rendering every typed block to JSON only for validation to read it took
//! a fifth of a large stack's synthesis (doc/adr/0017); a [`Node`] answers
//! the same questions from the typed values. Property tests (below, and in
//! tests/validate.rs for whole blocks) hold the two readings equal.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::body::{self, Body};
use crate::expr::scan::has_interpolation;
use crate::expr::{Expr, Fields, escape_template};

/// A value of a block, as validation reads it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Node<'a> {
    Json(&'a Value),
    Expr(&'a Expr),
    /// A typed body, read as one object with the meta-arguments beside it
    /// (a block's, as JSON without the metadata comment; none for a
    /// nested block given once), as they are written.
    Body(&'a Body, &'a [(&'static str, Value)]),
    /// A nested block given any number of times: a list of objects.
    Bodies(&'a [Body]),
}

/// What a node is written as.
pub(crate) enum Read<'a> {
    Null,
    Bool,
    Number(&'a Number),
    /// A string without interpolations: its text as written (templates
    /// escaped).
    Text(Cow<'a, str>),
    /// A string with interpolations: an expression whose value only
    /// Terraform knows.
    Interpolated,
    List(List<'a>),
    Object(Object<'a>),
}

impl<'a> Node<'a> {
    pub(crate) fn read(self) -> Read<'a> {
        match self {
            Node::Json(value) => match value {
                Value::Null => Read::Null,
                Value::Bool(_) => Read::Bool,
                Value::Number(n) => Read::Number(n),
                Value::String(s) if has_interpolation(s) => Read::Interpolated,
                Value::String(s) => Read::Text(Cow::Borrowed(s)),
                Value::Array(items) => Read::List(List::Json(items)),
                Value::Object(map) => Read::Object(Object::Json(map)),
            },
            Node::Expr(expr) => match expr {
                Expr::Null => Read::Null,
                Expr::Bool(_) => Read::Bool,
                Expr::Num(n) => Read::Number(n),
                Expr::Str(s) => Read::Text(escape_template(s)),
                Expr::List(items) => Read::List(List::Exprs(items)),
                Expr::Object(fields) => Read::Object(Object::Fields(fields)),
                // Literal parts alone are written as literal text.
                Expr::Template(parts) if parts.iter().all(|p| matches!(p, Expr::Str(_))) => {
                    match expr.to_json() {
                        Value::String(text) => Read::Text(Cow::Owned(text)),
                        _ => Read::Interpolated,
                    }
                }
                Expr::Template(_)
                | Expr::Ref(_)
                | Expr::Declared(..)
                | Expr::Get(..)
                | Expr::Call(..) => Read::Interpolated,
            },
            Node::Body(body, meta) => Read::Object(Object::Body(normalized(body), meta)),
            Node::Bodies(bodies) => Read::List(List::Bodies(bodies)),
        }
    }

    pub(crate) fn is_null(self) -> bool {
        match self {
            Node::Json(value) => value.is_null(),
            Node::Expr(expr) => matches!(expr, Expr::Null),
            Node::Body(..) | Node::Bodies(_) => false,
        }
    }

    pub(crate) fn object(self) -> Option<Object<'a>> {
        match self.read() {
            Read::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The value under `key`, when this is an object that has it.
    pub(crate) fn get(self, key: &str) -> Option<Node<'a>> {
        self.object()?.get(key)
    }

    /// `a string`, `a list`, ...: what it is, for messages.
    pub(crate) fn kind_word(self) -> &'static str {
        match self.read() {
            Read::Null => "null",
            Read::Bool => "a bool",
            Read::Number(_) => "a number",
            Read::Text(_) | Read::Interpolated => "a string",
            Read::List(_) => "a list",
            Read::Object(_) => "an object",
        }
    }

    /// The JSON it is written as: a JSON node's own, a typed one rendered
    /// (for a message).
    pub(crate) fn to_json(self) -> Cow<'a, Value> {
        match self {
            Node::Json(value) => Cow::Borrowed(value),
            Node::Expr(expr) => Cow::Owned(expr.to_json()),
            Node::Body(body, meta) => Cow::Owned(Value::Object(body.to_json_map(meta.to_vec()))),
            Node::Bodies(bodies) => Cow::Owned(Value::Array(
                bodies
                    .iter()
                    .map(|b| Value::Object(b.to_json_map(Vec::new())))
                    .collect(),
            )),
        }
    }
}

/// A list node's items.
#[derive(Clone, Copy)]
pub(crate) enum List<'a> {
    Json(&'a [Value]),
    Exprs(&'a [Expr]),
    Bodies(&'a [Body]),
}

impl<'a> List<'a> {
    pub(crate) fn len(self) -> usize {
        match self {
            List::Json(items) => items.len(),
            List::Exprs(items) => items.len(),
            List::Bodies(items) => items.len(),
        }
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Node<'a>> {
        (0..self.len()).map(move |i| match self {
            List::Json(items) => Node::Json(&items[i]),
            List::Exprs(items) => Node::Expr(&items[i]),
            List::Bodies(items) => Node::Body(&items[i], &[]),
        })
    }
}

/// A body as the checks read it: sorted, one entry per name, as it is
/// written (synthesis normalizes every typed body, nested ones included).
fn normalized(body: &Body) -> &Body {
    debug_assert!(body.is_normalized(), "a body read before it is normalized");
    body
}

/// An object node's entries.
#[derive(Clone, Copy)]
pub(crate) enum Object<'a> {
    Json(&'a Map<String, Value>),
    Fields(&'a Fields),
    /// A typed body and the meta-arguments beside it (no name is in both:
    /// synthesis keeps a body that names a meta-argument as JSON).
    Body(&'a Body, &'a [(&'static str, Value)]),
}

impl<'a> Object<'a> {
    pub(crate) fn len(self) -> usize {
        match self {
            Object::Json(map) => map.len(),
            Object::Fields(fields) => fields.len(),
            Object::Body(body, meta) => body.len() + meta.len(),
        }
    }

    /// The value under `key` as written: the keys of an object value are
    /// templates, escaped when written; a body's and a JSON object's are
    /// read as they are.
    pub(crate) fn get(self, key: &str) -> Option<Node<'a>> {
        match self {
            Object::Json(map) => map.get(key).map(Node::Json),
            // Keys without a template opening are written as they are.
            Object::Fields(fields) if escape_template(key) == key => {
                fields.get(key).map(Node::Expr)
            }
            Object::Fields(fields) => fields
                .iter()
                .find(|(k, _)| escape_template(k) == key)
                .map(|(_, v)| Node::Expr(v)),
            Object::Body(body, meta) => body.get(key).map(value_node).or_else(|| {
                meta.iter()
                    .find(|(name, _)| *name == key)
                    .map(|(_, value)| Node::Json(value))
            }),
        }
    }

    /// The entries with their keys as written.
    pub(crate) fn iter(self) -> Entries<'a> {
        match self {
            Object::Json(map) => Entries::Json(map.iter()),
            Object::Fields(fields) => Entries::Fields(fields.into_iter()),
            Object::Body(body, meta) => Entries::Body(body.entries().iter(), meta.iter()),
        }
    }
}

fn value_node(value: &body::Value) -> Node<'_> {
    match value {
        body::Value::Expr(expr) => Node::Expr(expr),
        body::Value::Block(body) => Node::Body(body, &[]),
        body::Value::Blocks(bodies) => Node::Bodies(bodies),
    }
}

pub(crate) enum Entries<'a> {
    Json(serde_json::map::Iter<'a>),
    Fields(<&'a Fields as IntoIterator>::IntoIter),
    Body(
        std::slice::Iter<'a, (&'static str, body::Value)>,
        std::slice::Iter<'a, (&'static str, Value)>,
    ),
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Cow<'a, str>, Node<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Entries::Json(iter) => iter
                .next()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::Json(v))),
            Entries::Fields(iter) => iter
                .next()
                .map(|(k, v)| (escape_template(k), Node::Expr(v))),
            Entries::Body(body, meta) => match body.next() {
                Some((k, v)) => Some((Cow::Borrowed(*k), value_node(v))),
                None => meta.next().map(|(k, v)| (Cow::Borrowed(*k), Node::Json(v))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::strategies::expr;
    use proptest::prelude::*;

    /// Everything the checks read of a node, as one comparable text.
    fn reading(node: Node) -> String {
        match node.read() {
            Read::Null => "null".into(),
            Read::Bool => "bool".into(),
            Read::Number(n) => format!("number {n}"),
            Read::Text(text) => format!("text {text:?}"),
            Read::Interpolated => "interpolated".into(),
            Read::List(list) => {
                let items: Vec<String> = list.iter().map(reading).collect();
                format!("list {} [{}]", list.len(), items.join(", "))
            }
            Read::Object(object) => {
                // In any order: findings are sorted by where they are.
                let mut entries: Vec<String> = object
                    .iter()
                    .map(|(k, v)| {
                        let got = object.get(&k).map(reading);
                        assert_eq!(got, Some(reading(v)), "`{k}` is found by its key");
                        format!("{k:?}: {}", reading(v))
                    })
                    .collect();
                entries.sort();
                format!("object {} {{{}}}", object.len(), entries.join(", "))
            }
        }
    }

    proptest! {
        #[test]
        fn a_typed_expression_reads_as_its_json(expr in expr()) {
            let json = expr.to_json();
            prop_assert_eq!(reading(Node::Expr(&expr)), reading(Node::Json(&json)));
            prop_assert_eq!(Node::Expr(&expr).is_null(), json.is_null());
            prop_assert_eq!(Node::Expr(&expr).kind_word(), Node::Json(&json).kind_word());
            prop_assert_eq!(Node::Expr(&expr).to_json().into_owned(), json);
        }

        #[test]
        fn a_typed_body_reads_as_its_json(
            entries in prop::collection::vec((0..4usize, expr(), 0..3usize), 0..6),
        ) {
            const NAMES: [&str; 4] = ["a", "b", "rule", "z"];
            let mut body = Body::new();
            for (name, expr, kind) in entries {
                let name = NAMES[name];
                match kind {
                    0 => body.insert(name, body::Value::Expr(expr)),
                    1 => body.set_block(name, Body::of([("x", body::Value::Expr(expr))])),
                    _ => body.push_block(name, Body::of([("y", body::Value::Expr(expr))])),
                }
            }
            body.normalize();
            let json = Value::Object(body.to_json_map(Vec::new()));
            prop_assert_eq!(reading(Node::Body(&body, &[])), reading(Node::Json(&json)));
            // With meta-arguments, as a typed block is read.
            let meta = vec![
                ("depends_on", serde_json::json!(["aws_x.y"])),
                ("provider", serde_json::json!("aws.west")),
            ];
            let json = Value::Object(body.to_json_map(meta.clone()));
            prop_assert_eq!(reading(Node::Body(&body, &meta)), reading(Node::Json(&json)));
            prop_assert_eq!(Node::Body(&body, &meta).to_json().into_owned(), json);
        }
    }
}
