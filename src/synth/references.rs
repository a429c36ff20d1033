//! Finding the references and `depends_on` targets of blocks in their final
//! JSON.

use serde_json::{Map, Value};

use crate::address::{Address, BlockKind};
use crate::block::json_kind;
use crate::expr::scan::{self, Reference};

use super::Problem;

/// Keys of a block whose values are not expressions: its meta-arguments
/// and metadata comment.
pub(crate) const META_KEYS: &[&str] = &["//", "depends_on", "lifecycle", "provider"];

/// Every reference in the arguments of a block (not in its meta-arguments,
/// which are not expressions).
pub(crate) fn block_references(body: &Map<String, Value>, found: &mut Vec<Reference>) {
    for (key, value) in body {
        match key.as_str() {
            k if META_KEYS.contains(&k) => {}
            "dynamic" => collect_dynamic(value, found),
            _ => collect_references(value, found),
        }
    }
}

/// Every reference in the strings of a JSON value.
pub(crate) fn collect_references(value: &Value, found: &mut Vec<Reference>) {
    match value {
        Value::String(s) => scan::references(s, found),
        Value::Array(items) => items.iter().for_each(|v| collect_references(v, found)),
        Value::Object(map) => {
            for (k, v) in map {
                // Keys of map values are templates too.
                scan::references(k, found);
                if k == "dynamic" {
                    collect_dynamic(v, found);
                } else {
                    collect_references(v, found);
                }
            }
        }
        _ => {}
    }
}

/// The references in `dynamic` blocks, less their iterator (`label.value`,
/// or the `iterator` name), which is no block of the configuration.
fn collect_dynamic(dynamic: &Value, found: &mut Vec<Reference>) {
    let Value::Object(blocks) = dynamic else {
        collect_references(dynamic, found);
        return;
    };
    for (label, specs) in blocks {
        let specs: Vec<&Value> = match specs {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for spec in specs {
            let iterator = spec["iterator"].as_str().unwrap_or(label);
            let mut inner = Vec::new();
            collect_references(spec, &mut inner);
            found.extend(inner.into_iter().filter(|r| {
                !matches!(&r.address, Address::Block { kind: BlockKind::Resource, type_name, .. } if type_name == iterator)
            }));
        }
    }
}

/// The addresses in a block's final `depends_on`.
pub(crate) fn depends_on_of(
    body: &Map<String, Value>,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Address> {
    match body.get("depends_on") {
        Some(value) => depends_on_list(value, path, problems),
        None => Vec::new(),
    }
}

/// The addresses of a `depends_on` value as written.
pub(crate) fn depends_on_list(
    value: &Value,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Address> {
    let Value::Array(items) = value else {
        problems.push(Problem::at(
            path,
            format!(
                "depends_on must be a list of addresses, not {}",
                json_kind(value)
            ),
        ));
        return Vec::new();
    };
    let mut addresses = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str().and_then(parse_address) {
            Some(a) => addresses.push(a),
            None => problems.push(Problem::at(
                path,
                format!(
                    "depends_on entry {item} is not the address of a block (`TYPE.NAME` or `data.TYPE.NAME`)"
                ),
            )),
        }
    }
    addresses
}

pub(crate) fn parse_address(text: &str) -> Option<Address> {
    let parts: Vec<&str> = text.split('.').collect();
    match parts.as_slice() {
        ["data", t, n] => Some(Address::data(t.to_string(), *n)),
        [t, n] if *t != "data" && *t != "var" => Some(Address::resource(t.to_string(), *n)),
        _ => None,
    }
}
