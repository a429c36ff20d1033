//! Setting and removing values at dot-separated paths of a JSON document:
//! what overrides do (`lifecycle.prevent_destroy`, `list.1.name`).

use serde_json::{Map, Value};

use crate::block::json_kind;

pub(crate) fn set_path(
    root: &mut Map<String, Value>,
    path: &str,
    value: Value,
) -> Result<(), String> {
    with_root(root, |root| {
        let (last, parents) = split_path(path)?;
        let parent = navigate(root, parents, true, path)?.ok_or("unreachable")?;
        match (parent, last.parse::<usize>()) {
            (Value::Array(items), Ok(i)) if i < items.len() => items[i] = value,
            (Value::Object(map), _) => {
                map.insert(last.to_owned(), value);
            }
            (other, _) => {
                return Err(format!(
                    "override `{path}`: the parent of `{last}` is {}, not an object",
                    json_kind(other)
                ));
            }
        }
        Ok(())
    })
}

pub(crate) fn remove_path(root: &mut Map<String, Value>, path: &str) -> Result<(), String> {
    with_root(root, |root| {
        let (last, parents) = split_path(path)?;
        match navigate(root, parents, false, path)? {
            Some(Value::Object(map)) => {
                map.remove(last);
            }
            Some(Value::Array(items)) => {
                if let Ok(i) = last.parse::<usize>() {
                    if i < items.len() {
                        items.remove(i);
                    }
                }
            }
            _ => {}
        }
        Ok(())
    })
}

fn with_root<R>(
    root: &mut Map<String, Value>,
    f: impl FnOnce(&mut Value) -> Result<R, String>,
) -> Result<R, String> {
    let mut value = Value::Object(std::mem::take(root));
    let result = f(&mut value);
    if let Value::Object(map) = value {
        *root = map;
    }
    result
}

fn split_path(path: &str) -> Result<(&str, Vec<&str>), String> {
    let mut segments: Vec<&str> = path.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "override path `{path}` has an empty segment: write segments separated by single dots, as `lifecycle.prevent_destroy`"
        ));
    }
    let last = segments.pop().unwrap_or_default();
    Ok((last, segments))
}

/// Walks `segments` from `value`: object keys, or indexes into arrays. With
/// `create`, missing objects are created; without, a missing step gives `None`.
fn navigate<'a>(
    mut value: &'a mut Value,
    segments: Vec<&str>,
    create: bool,
    path: &str,
) -> Result<Option<&'a mut Value>, String> {
    for segment in segments {
        if create && value.is_null() {
            *value = Value::Object(Map::new());
        }
        let next = match value {
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            Value::Object(map) => {
                if create && !map.contains_key(segment) {
                    map.insert(segment.to_owned(), Value::Object(Map::new()));
                }
                map.get_mut(segment)
            }
            _ => None,
        };
        value = match next {
            Some(v) => v,
            None if create => {
                return Err(format!(
                    "override `{path}`: cannot step into `{segment}` (not an object key or an index of a list there)"
                ));
            }
            None => return Ok(None),
        };
    }
    Ok(Some(value))
}
