//! The body of a block: its arguments and nested blocks, kept as typed
//! values until the stack is rendered.
//!
//! Generated types ([`crate::aws`], [`crate::cloudflare`], ...) are thin
//! wrappers around a [`Body`]: each setter puts one value under the
//! schema's name for it. Rendering writes the entries sorted by name, and
//! references are collected from the expressions themselves, never by
//! reading rendered strings back.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::expr::scan::Reference;
use crate::expr::{Expr, Tf};

/// One value of a body.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An argument: a literal, a reference, a template, ...
    Expr(Expr),
    /// A nested block given once, written as an object.
    Block(Body),
    /// A nested block given any number of times, written as a list.
    Blocks(Vec<Body>),
}

/// Arguments and nested blocks by name, in the order they were set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    entries: Vec<(&'static str, Value)>,
}

impl Body {
    pub fn new() -> Self {
        Body::default()
    }

    /// A body of these arguments (the required arguments of a generated type).
    pub fn of<const N: usize>(entries: [(&'static str, Value); N]) -> Self {
        Body {
            entries: Vec::from(entries),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries as stored, as a slice (whose iterator has a name):
    /// sorted, one per name, once synthesis has normalized the body.
    pub(crate) fn entries(&self) -> &[(&'static str, Value)] {
        &self.entries
    }

    /// The entries in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    /// The entries sorted by name, as they are written; entries of one
    /// name (a body built with [`Body::of`] may have them) in the order set.
    pub fn sorted(&self) -> Vec<(&'static str, &Value)> {
        let mut entries: Vec<(&'static str, &Value)> = self.iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        entries
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The argument `name`, when it is set to an expression.
    pub fn expr(&self, name: &str) -> Option<&Expr> {
        match self.get(name) {
            Some(Value::Expr(e)) => Some(e),
            _ => None,
        }
    }

    /// Sets (or replaces) the value under `name`.
    pub fn insert(&mut self, name: &'static str, value: Value) {
        match self.get_mut(name) {
            Some(slot) => *slot = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Sets the argument `name`.
    pub fn set<T>(&mut self, name: &'static str, value: Tf<T>) {
        self.insert(name, Value::Expr(value.into_expr()));
    }

    /// Sets the nested block `name`, written once.
    pub fn set_block(&mut self, name: &'static str, block: Body) {
        self.insert(name, Value::Block(block));
    }

    /// Adds one more nested block `name`, written as a list.
    pub fn push_block(&mut self, name: &'static str, block: Body) {
        match self.get_mut(name) {
            Some(Value::Blocks(blocks)) => blocks.push(block),
            Some(slot) => *slot = Value::Blocks(vec![block]),
            None => self.entries.push((name, Value::Blocks(vec![block]))),
        }
    }

    /// Removes the value under `name` and returns it.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| *k == name)?;
        Some(self.entries.remove(i).1)
    }

    /// The body as an object expression: what a nested attribute (an
    /// attribute whose value is an object of known fields) is.
    pub fn into_object(self) -> Expr {
        Expr::Object(
            self.entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.into_expr()))
                .collect(),
        )
    }
}

impl<T> From<Tf<T>> for Value {
    fn from(value: Tf<T>) -> Self {
        Value::Expr(value.into_expr())
    }
}

impl Body {
    /// Calls `f` on every expression of the body, nested blocks' included.
    pub fn for_each_expr_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        for (_, value) in &mut self.entries {
            match value {
                Value::Expr(e) => f(e),
                Value::Block(b) => b.for_each_expr_mut(f),
                Value::Blocks(bs) => {
                    for b in bs {
                        b.for_each_expr_mut(f);
                    }
                }
            }
        }
    }

    /// Appends the references of every argument, nested ones included.
    pub fn collect_references(&self, found: &mut Vec<Reference>) {
        for (_, value) in &self.entries {
            value.collect_references(found);
        }
    }

    /// Visits the entries as they are written: sorted by name, one per name
    /// (the last set), merged with `more` (sorted by name too, one entry per
    /// name), whose entries win over the body's.
    pub(crate) fn for_each_merged<M, E>(
        &self,
        more: impl IntoIterator<Item = (&'static str, M)>,
        mut visit: impl FnMut(&'static str, Merged<'_, M>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut more = more.into_iter().peekable();
        let mut merge = |name: &'static str, value: &Value| {
            let mut replaced = false;
            while let Some((more_name, more_value)) = more.next_if(|(n, _)| *n <= name) {
                replaced |= more_name == name;
                visit(more_name, Merged::More(more_value))?;
            }
            if !replaced {
                visit(name, Merged::Body(value))?;
            }
            Ok(())
        };
        if self.is_normalized() {
            for (name, value) in &self.entries {
                merge(name, value)?;
            }
        } else {
            let sorted = self.sorted();
            for (i, &(name, value)) in sorted.iter().enumerate() {
                if sorted.get(i + 1).is_none_or(|(next, _)| *next != name) {
                    merge(name, value)?;
                }
            }
        }
        more.try_for_each(|(name, value)| visit(name, Merged::More(value)))
    }

    /// Whether the entries are sorted by name, one per name: as they are
    /// written.
    pub(crate) fn is_normalized(&self) -> bool {
        self.entries.is_sorted_by(|a, b| a.0 < b.0)
    }

    /// Sorts the entries by name, keeping the last set of each name, here
    /// and in nested blocks: as they are written, so that rendering and
    /// writing need not sort them again.
    pub(crate) fn normalize(&mut self) {
        if !self.is_normalized() {
            self.entries.sort_by(|a, b| a.0.cmp(b.0));
            // Of two entries of one name, the later is kept, where the
            // earlier was.
            self.entries.dedup_by(|later, earlier| {
                let same = later.0 == earlier.0;
                if same {
                    std::mem::swap(later, earlier);
                }
                same
            });
        }
        for (_, value) in &mut self.entries {
            match value {
                Value::Expr(_) => {}
                Value::Block(b) => b.normalize(),
                Value::Blocks(bs) => bs.iter_mut().for_each(Body::normalize),
            }
        }
    }

    /// The body as a JSON object with its entries sorted by name, as they
    /// are written (so the writer need not sort them again), merged with
    /// `more` as [`Body::for_each_merged`] merges them: one map, sized once.
    pub(crate) fn to_json_map(
        &self,
        more: Vec<(&'static str, serde_json::Value)>,
    ) -> serde_json::Map<String, serde_json::Value> {
        debug_assert!(more.windows(2).all(|w| w[0].0 < w[1].0), "unsorted");
        let mut map = serde_json::Map::with_capacity(self.entries.len() + more.len());
        let merged: Result<(), std::convert::Infallible> =
            self.for_each_merged(more, |name, value| {
                let value = match value {
                    Merged::Body(value) => value.to_json(),
                    Merged::More(value) => value,
                };
                map.insert(name.to_owned(), value);
                Ok(())
            });
        let Ok(()) = merged;
        map
    }

    /// Serializes the body as [`Body::to_json_map`] renders it, merged with
    /// `more`, without building it.
    pub(crate) fn serialize_merged<S: Serializer, M: Serialize>(
        &self,
        more: impl IntoIterator<Item = (&'static str, M)>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.for_each_merged(more, |name, value| match value {
            Merged::Body(value) => map.serialize_entry(name, value),
            Merged::More(value) => map.serialize_entry(name, &value),
        })?;
        map.end()
    }
}

/// An entry of a body merged with more entries ([`Body::for_each_merged`]).
pub(crate) enum Merged<'a, M> {
    Body(&'a Value),
    More(M),
}

/// As `Body::to_json_map` renders it: one way from a body to JSON, keys
/// sorted at every level.
impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_merged(std::iter::empty::<(&'static str, ())>(), serializer)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Expr(e) => e.serialize(serializer),
            Value::Block(b) => b.serialize(serializer),
            Value::Blocks(bs) => {
                let mut list = serializer.serialize_seq(Some(bs.len()))?;
                for b in bs {
                    list.serialize_element(b)?;
                }
                list.end()
            }
        }
    }
}

impl Value {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Expr(e) => e.to_json(),
            Value::Block(b) => serde_json::Value::Object(b.to_json_map(Vec::new())),
            Value::Blocks(bs) => serde_json::Value::Array(
                bs.iter()
                    .map(|b| serde_json::Value::Object(b.to_json_map(Vec::new())))
                    .collect(),
            ),
        }
    }

    /// The argument's expression; `None` for nested blocks.
    pub fn as_expr(&self) -> Option<&Expr> {
        match self {
            Value::Expr(e) => Some(e),
            Value::Block(_) | Value::Blocks(_) => None,
        }
    }

    pub fn collect_references(&self, found: &mut Vec<Reference>) {
        match self {
            Value::Expr(e) => e.collect_references(found),
            Value::Block(b) => b.collect_references(found),
            Value::Blocks(bs) => bs.iter().for_each(|b| b.collect_references(found)),
        }
    }

    /// The value as an expression: blocks become objects, lists of blocks
    /// lists of objects.
    pub fn into_expr(self) -> Expr {
        match self {
            Value::Expr(e) => e,
            Value::Block(b) => b.into_object(),
            Value::Blocks(bs) => Expr::List(bs.into_iter().map(Body::into_object).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replaces_and_push_block_appends() {
        let mut body = Body::new();
        body.set("name", Tf::<String>::from("a"));
        body.set("name", Tf::<String>::from("b"));
        body.push_block("rule", Body::new());
        body.push_block("rule", Body::new());
        assert_eq!(body.len(), 2);
        assert_eq!(body.expr("name"), Some(&Expr::Str("b".into())));
        assert!(matches!(body.get("rule"), Some(Value::Blocks(b)) if b.len() == 2));
        assert!(body.remove("rule").is_some());
        assert_eq!(body.len(), 1);
    }

    #[test]
    fn a_json_map_is_sorted_and_more_entries_win_over_the_body() {
        let mut nested = Body::new();
        nested.set("z", Tf::<bool>::from(true));
        nested.set("a", Tf::<bool>::from(false));
        let mut body = Body::new();
        body.set("provider", Tf::<String>::from("from the body"));
        body.set("name", Tf::<String>::from("n"));
        body.push_block("rule", nested);
        let more = vec![
            ("//", serde_json::json!({})),
            ("lifecycle", serde_json::json!({})),
            ("provider", serde_json::json!("aws.east")),
        ];
        let map = body.to_json_map(more.clone());
        assert_eq!(streamed(&body, &more), serde_json::to_string(&map).unwrap());
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["//", "lifecycle", "name", "provider", "rule"]);
        assert_eq!(map["provider"], "aws.east");
        // A body with a name twice keeps the last value, and `more` still
        // wins over both.
        let twice = Body::of([
            ("provider", Tf::<String>::from("first").into()),
            ("name", Tf::<String>::from("first").into()),
            ("provider", Tf::<String>::from("second").into()),
            ("name", Tf::<String>::from("second").into()),
        ]);
        assert_eq!(
            streamed(&twice, &more),
            serde_json::to_string(&twice.to_json_map(more.clone())).unwrap(),
            "written as rendered"
        );
        // Normalized once (as synthesis does), it renders and writes the same.
        let mut normalized = twice.clone();
        normalized.normalize();
        let kept: Vec<(&str, Option<&str>)> = normalized
            .iter()
            .map(|(k, v)| (k, v.as_expr().and_then(Expr::as_literal_str)))
            .collect();
        assert_eq!(
            kept,
            [("name", Some("second")), ("provider", Some("second"))]
        );
        assert_eq!(
            normalized.to_json_map(more.clone()),
            twice.to_json_map(more.clone())
        );
        assert_eq!(streamed(&normalized, &more), streamed(&twice, &more));
        let once = twice.to_json_map(more);
        assert_eq!(once["provider"], "aws.east");
        assert_eq!(once["name"], "second");
        assert_eq!(once.len(), 4);
        let rule: Vec<&str> = map["rule"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(rule, ["a", "z"]);
    }

    /// The body merged with `more`, serialized without building it.
    fn streamed(body: &Body, more: &[(&'static str, serde_json::Value)]) -> String {
        let mut out = Vec::new();
        let more = more.iter().map(|(k, v)| (*k, v));
        body.serialize_merged(more, &mut serde_json::Serializer::new(&mut out))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn entries_are_written_sorted() {
        let mut body = Body::new();
        body.set("zeta", Tf::<bool>::from(true));
        body.set("alpha", Tf::<bool>::from(false));
        let names: Vec<&str> = body.sorted().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["alpha", "zeta"]);
    }
}
