//! The arguments and nested blocks of a block, against its schema.

use serde_json::{Map, Value};

use crate::block::json_kind;
use crate::expr::scan::has_interpolation;

use super::config::{Lookup, Providers};
use super::schema::{AttributeSchema, BlockSchema, Cty, NestedBlock, Nesting};
use super::{Report, did_you_mean};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Resource,
    Data,
}

/// Meta-arguments: Terraform's, not the provider's.
const META: &[&str] = &[
    "//",
    "depends_on",
    "lifecycle",
    "provider",
    "count",
    "for_each",
    "provisioner",
    "connection",
];

const LIFECYCLE: &[&str] = &[
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "precondition",
    "postcondition",
];

/// Where a finding is: the block's construct path and a JSON path.
pub(crate) struct At<'a> {
    pub path: Option<&'a str>,
    pub json_path: String,
}

pub(crate) fn check_block(
    kind: Kind,
    type_name: &str,
    block: &Value,
    providers: &Providers,
    path: Option<&str>,
    json_path: &str,
    report: &mut Report,
) {
    let Some(body) = block.as_object() else {
        report.error(
            path,
            json_path,
            format!("a block must be an object, not {}", json_kind(block)),
        );
        return;
    };
    let what = match kind {
        Kind::Resource => "resource",
        Kind::Data => "data source",
    };
    match providers.lookup(kind, type_name, block) {
        Lookup::UnknownProvider(source) => report.warning(
            path,
            json_path,
            format!("no schema for provider {source}: the {what} `{type_name}` is not checked (pass --schema with `terraform providers schema -json` output)"),
        ),
        Lookup::UnknownType { source, provider } => {
            let types = match kind {
                Kind::Resource => provider.resource_schemas.keys(),
                Kind::Data => provider.data_source_schemas.keys(),
            };
            report.error(
                path,
                json_path,
                format!("`{type_name}` is not a {what} type of {source}{}", did_you_mean(type_name, types)),
            );
        }
        Lookup::Found(schema) => {
            let arguments: Map<String, Value> = body
                .iter()
                .filter(|(k, _)| !META.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            check_body(&arguments, schema, &format!("`{type_name}`"), path, json_path, report);
            if let Some(lifecycle) = body.get("lifecycle") {
                check_lifecycle(lifecycle, schema, path, &format!("{json_path}.lifecycle"), report);
            }
        }
    }
}

/// Checks the arguments and nested blocks of `body`; `what` names the block
/// in messages.
pub(crate) fn check_body(
    body: &Map<String, Value>,
    schema: &BlockSchema,
    what: &str,
    path: Option<&str>,
    json_path: &str,
    report: &mut Report,
) {
    for (key, value) in body {
        if key == "//" {
            continue;
        }
        let here = format!("{json_path}.{key}");
        if let Some(attr) = schema.attributes.get(key) {
            check_attribute(
                key,
                attr,
                value,
                what,
                &At {
                    path,
                    json_path: here,
                },
                report,
            );
        } else if let Some(nested) = schema.block_types.get(key) {
            check_nested_block(
                key,
                nested,
                value,
                what,
                &At {
                    path,
                    json_path: here,
                },
                report,
            );
        } else {
            let candidates = schema.attributes.keys().chain(schema.block_types.keys());
            report.error(
                path,
                &here,
                format!(
                    "`{key}` is not an argument of {what}{}",
                    did_you_mean(key, candidates)
                ),
            );
        }
    }
    for (name, attr) in &schema.attributes {
        if attr.required && body.get(name).is_none_or(Value::is_null) {
            report.error(
                path,
                json_path,
                format!("{what} is missing the required argument `{name}`"),
            );
        }
    }
    for (name, nested) in &schema.block_types {
        if nested.min_items >= 1 && body.get(name).is_none_or(Value::is_null) {
            report.error(
                path,
                json_path,
                format!("{what} is missing the required block `{name}`"),
            );
        }
    }
}

fn check_attribute(
    key: &str,
    attr: &AttributeSchema,
    value: &Value,
    what: &str,
    at: &At,
    report: &mut Report,
) {
    if attr.is_computed_only() {
        report.error(
            at.path,
            &at.json_path,
            format!("`{key}` is computed by the provider: {what} cannot set it (read it from the handle instead)"),
        );
        return;
    }
    if attr.deprecated {
        report.warning(
            at.path,
            &at.json_path,
            format!("`{key}` of {what} is deprecated"),
        );
    }
    if let Some(nested) = &attr.nested_type {
        if value.as_str().is_some_and(has_interpolation) || value.is_null() {
            return;
        }
        let inner_what = format!("`{key}` of {what}");
        let objects: Vec<(&Map<String, Value>, String)> = match (nested.nesting_mode, value) {
            (Nesting::Single | Nesting::Group, Value::Object(m)) => vec![(m, at.json_path.clone())],
            (Nesting::List | Nesting::Set, Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::Object(m) => out.push((m, format!("{}.{i}", at.json_path))),
                        other => report.error(
                            at.path,
                            &format!("{}.{i}", at.json_path),
                            format!("{inner_what} holds objects, not {}", json_kind(other)),
                        ),
                    }
                }
                out
            }
            (Nesting::Map, Value::Object(m)) => m
                .iter()
                .filter_map(|(k, v)| v.as_object().map(|o| (o, format!("{}.{k}", at.json_path))))
                .collect(),
            (_, other) => {
                report.error(
                    at.path,
                    &at.json_path,
                    format!(
                        "{inner_what} must be {}, not {}",
                        nesting_word(nested.nesting_mode),
                        json_kind(other)
                    ),
                );
                return;
            }
        };
        let schema = BlockSchema {
            attributes: nested.attributes.clone(),
            block_types: Default::default(),
        };
        for (object, json_path) in objects {
            check_body(object, &schema, &inner_what, at.path, &json_path, report);
        }
        return;
    }
    if let Some(t) = &attr.r#type {
        check_value(key, value, &Cty::parse(t), at, report);
    }
}

fn nesting_word(nesting: Nesting) -> &'static str {
    match nesting {
        Nesting::Single | Nesting::Group => "an object",
        Nesting::List | Nesting::Set => "a list of objects",
        Nesting::Map => "a map of objects",
    }
}

fn check_nested_block(
    name: &str,
    nested: &NestedBlock,
    value: &Value,
    what: &str,
    at: &At,
    report: &mut Report,
) {
    let block_what = format!("the `{name}` block of {what}");
    let items: Vec<(&Value, String)> = match (nested.nesting_mode, value) {
        (_, Value::Null) => return,
        (Nesting::Map, Value::Object(m)) => m
            .iter()
            .map(|(k, v)| (v, format!("{}.{k}", at.json_path)))
            .collect(),
        (_, Value::Object(_)) => vec![(value, at.json_path.clone())],
        (Nesting::Single | Nesting::Group, Value::Array(items)) if items.len() > 1 => {
            report.error(
                at.path,
                &at.json_path,
                format!(
                    "`{name}` is a single block: give one object, not {} of them",
                    items.len()
                ),
            );
            return;
        }
        (Nesting::Map, other) => {
            report.error(
                at.path,
                &at.json_path,
                format!(
                    "`{name}` is a map of blocks: give an object of labelled blocks, not {}",
                    json_kind(other)
                ),
            );
            return;
        }
        (_, Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (v, format!("{}.{i}", at.json_path)))
            .collect(),
        (_, other) => {
            report.error(
                at.path,
                &at.json_path,
                format!(
                    "`{name}` is a nested block: give an object (or a list of objects), not {}",
                    json_kind(other)
                ),
            );
            return;
        }
    };
    let count = items.len() as u64;
    if nested.max_items > 0 && count > nested.max_items {
        report.error(
            at.path,
            &at.json_path,
            format!(
                "{what} takes at most {} `{name}` block{}, not {count}",
                nested.max_items,
                if nested.max_items == 1 { "" } else { "s" }
            ),
        );
    }
    if count < nested.min_items {
        report.error(
            at.path,
            &at.json_path,
            format!(
                "{what} needs at least {} `{name}` blocks, not {count}",
                nested.min_items
            ),
        );
    }
    for (item, json_path) in items {
        match item.as_object() {
            Some(body) => check_body(
                body,
                &nested.block,
                &block_what,
                at.path,
                &json_path,
                report,
            ),
            None => report.error(
                at.path,
                &json_path,
                format!("{block_what} must be an object, not {}", json_kind(item)),
            ),
        }
    }
}

/// A literal value against an attribute's type. Templates with
/// interpolations are expressions whose type only Terraform knows.
fn check_value(key: &str, value: &Value, ty: &Cty, at: &At, report: &mut Report) {
    if value.as_str().is_some_and(has_interpolation) {
        return;
    }
    let fits = match (ty, value) {
        (_, Value::Null) | (Cty::Dynamic, _) => true,
        (Cty::String, Value::String(_) | Value::Number(_) | Value::Bool(_)) => true,
        (Cty::Number, Value::Number(_)) => true,
        (Cty::Number, Value::String(s)) => s.trim().parse::<f64>().is_ok(),
        (Cty::Bool, Value::Bool(_)) => true,
        (Cty::Bool, Value::String(s)) => s == "true" || s == "false",
        (Cty::List(t) | Cty::Set(t), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value(
                    key,
                    item,
                    t,
                    &At {
                        path: at.path,
                        json_path: format!("{}.{i}", at.json_path),
                    },
                    report,
                );
            }
            true
        }
        (Cty::Map(t), Value::Object(m)) => {
            for (k, v) in m {
                check_value(
                    key,
                    v,
                    t,
                    &At {
                        path: at.path,
                        json_path: format!("{}.{k}", at.json_path),
                    },
                    report,
                );
            }
            true
        }
        (Cty::Object(attrs), Value::Object(m)) => {
            for (k, v) in m {
                let here = At {
                    path: at.path,
                    json_path: format!("{}.{k}", at.json_path),
                };
                match attrs.get(k) {
                    Some(t) => check_value(k, v, t, &here, report),
                    None => report.error(
                        at.path,
                        &here.json_path,
                        format!(
                            "`{k}` is not an attribute of `{key}`{}",
                            did_you_mean(k, attrs.keys())
                        ),
                    ),
                }
            }
            true
        }
        (Cty::Tuple(types), Value::Array(items)) => {
            for (i, (t, item)) in types.iter().zip(items).enumerate() {
                check_value(
                    key,
                    item,
                    t,
                    &At {
                        path: at.path,
                        json_path: format!("{}.{i}", at.json_path),
                    },
                    report,
                );
            }
            types.len() == items.len()
        }
        _ => false,
    };
    if !fits {
        report.error(
            at.path,
            &at.json_path,
            format!(
                "`{key}` must be {ty}, not {} {}",
                json_kind(value),
                preview(value)
            ),
        );
    }
}

fn preview(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

fn check_lifecycle(
    lifecycle: &Value,
    schema: &BlockSchema,
    path: Option<&str>,
    json_path: &str,
    report: &mut Report,
) {
    let Some(lifecycle) = lifecycle.as_object() else {
        report.error(path, json_path, "lifecycle must be an object");
        return;
    };
    for (key, value) in lifecycle {
        if !LIFECYCLE.contains(&key.as_str()) {
            let candidates: Vec<String> = LIFECYCLE.iter().map(|s| s.to_string()).collect();
            report.error(
                path,
                &format!("{json_path}.{key}"),
                format!(
                    "`{key}` is not a lifecycle argument{}",
                    did_you_mean(key, candidates.iter())
                ),
            );
            continue;
        }
        if key == "ignore_changes" {
            let Some(items) = value.as_array() else {
                if value != "all" {
                    report.error(
                        path,
                        &format!("{json_path}.{key}"),
                        "ignore_changes is a list of argument names, or \"all\"",
                    );
                }
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let name = item.as_str().unwrap_or_default();
                let root = name.split(['.', '[']).next().unwrap_or(name);
                if !schema.attributes.contains_key(root) && !schema.block_types.contains_key(root) {
                    let candidates = schema.attributes.keys().chain(schema.block_types.keys());
                    report.error(
                        path,
                        &format!("{json_path}.{key}.{i}"),
                        format!(
                            "ignore_changes names `{name}`, which is not an argument of the type{}",
                            did_you_mean(root, candidates)
                        ),
                    );
                }
            }
        }
    }
}
