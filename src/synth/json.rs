//! Canonical JSON text: keys sorted, two-space indentation, a final newline,
//! so that the same stack gives the same bytes on every run.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// Serializes with sorted keys whatever map type `serde_json` was built with.
pub(super) struct Sorted<'a>(pub(super) &'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                // Blocks are rendered sorted: most maps need no sorting.
                if map.keys().is_sorted() {
                    for (k, v) in map {
                        out.serialize_entry(k, &Sorted(v))?;
                    }
                } else {
                    for (k, v) in by_key(map.iter().collect()) {
                        out.serialize_entry(k, &Sorted(v))?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Sorted(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// Entries of a JSON object, by key. Outside the generic `serialize`
/// methods, which each serializer instantiates: one sort for all of them.
pub(super) fn by_key<'a>(
    mut entries: Vec<(&'a String, &'a Value)>,
) -> Vec<(&'a String, &'a Value)> {
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

/// The canonical text of a JSON value.
pub fn to_pretty_json(value: &Value) -> String {
    let mut out = Vec::with_capacity(4096);
    // Writing into memory cannot fail.
    let _ = write_pretty(&mut out, 4096, &Sorted(value));
    String::from_utf8(out).unwrap_or_default()
}

/// Writes the canonical text of a JSON value, streaming: large stacks are
/// never held in memory as text. Buffered (8 KiB), and `out` is flushed.
pub fn write_pretty_json(out: &mut impl std::io::Write, value: &Value) -> std::io::Result<()> {
    write_pretty(out, 8 * 1024, &Sorted(value))
}

/// Writes a value that serializes its own keys in order, as
/// [`write_pretty_json`] writes a JSON value, through a buffer of `buffer`
/// bytes. The destination is a trait object behind that buffer: the
/// serializer, instantiated for each type of value, is not instantiated
/// again for each destination (a file, a comparison with a file, memory),
/// and its many small writes stay calls into the buffer (doc/adr/0011).
pub(super) fn write_pretty(
    out: &mut dyn std::io::Write,
    buffer: usize,
    value: &impl Serialize,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::with_capacity(buffer, out);
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .map_err(std::io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_and_indented_by_two_spaces() {
        // Written unsorted: each map is sorted on the way out.
        let v = json!({"b": 1, "a": {"d": [1, {"z": 0, "y": 1}], "c": "x"}});
        assert_eq!(
            to_pretty_json(&v),
            "{\n  \"a\": {\n    \"c\": \"x\",\n    \"d\": [\n      1,\n      {\n        \"y\": 1,\n        \"z\": 0\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
        // Written sorted: the same text, the maps taken as they are.
        let v = json!({"a": {"c": "x", "d": [1, {"y": 1, "z": 0}]}, "b": 1});
        assert_eq!(
            to_pretty_json(&v),
            "{\n  \"a\": {\n    \"c\": \"x\",\n    \"d\": [\n      1,\n      {\n        \"y\": 1,\n        \"z\": 0\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }
}
