//! The files of a stack's directory.
//!
//! In memory a synthesized stack is its blocks, kept typed, and the rest of
//! its configuration as JSON ([`super::SynthesizedStack::document`] joins
//! them). On disk it is two files that Terraform reads as one configuration
//! (it reads every `*.tf` and `*.tf.json` of a directory):
//!
//! - [`CONFIG_FILE`], `cdk.tf.json`, in cdktf's layout: blocks, outputs,
//!   variables, providers, the backend and `required_providers`;
//! - [`NATIVE_FILE`], `kite.tf`, in Terraform's native syntax, with what
//!   checkov's Terraform JSON parser cannot read: `terraform.required_version`
//!   and the `moved`, `import` and `removed` blocks. It is written only when
//!   the stack has any of them.
//!
//! checkov parses every `*.tf.json` of a directory, and fails on any
//! top-level block whose entries are not objects (doc/adr/0012), so a second
//! JSON file would not do.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value};

use super::json::{Sorted, by_key};
use super::{SynthesizedBlock, SynthesizedStack};
use crate::address::BlockKind;

/// The stack's configuration in Terraform JSON, as cdktf names it.
pub const CONFIG_FILE: &str = "cdk.tf.json";

/// The rest of the stack's configuration, in Terraform's native syntax.
pub const NATIVE_FILE: &str = "kite.tf";

/// Top-level sections written to [`NATIVE_FILE`] whole, in this order.
const NATIVE_SECTIONS: [&str; 3] = ["moved", "import", "removed"];

/// `terraform` settings written to [`NATIVE_FILE`].
const NATIVE_SETTINGS: [&str; 1] = ["required_version"];

/// Arguments whose value is an address, written as a traversal.
const ADDRESS_ARGUMENTS: [&str; 3] = ["from", "to", "provider"];

const HEADER: &str = "\
# Written by kite, with cdk.tf.json beside it: Terraform reads both files as
# one configuration. This one holds what checkov's Terraform JSON parser
# cannot read: Terraform's required version and the moved, import and
# removed blocks.
";

/// The part of a stack's document that [`CONFIG_FILE`] holds: all of it but
/// what [`native_file`] writes. Serializes with sorted keys, its blocks
/// straight from the stack, without building the document.
pub struct JsonPart<'a> {
    /// The configuration but its blocks.
    pub sections: &'a Value,
    /// Sorted by kind (resources first), type and name.
    pub blocks: Vec<&'a SynthesizedBlock>,
}

impl<'a> JsonPart<'a> {
    pub fn of(stack: &'a SynthesizedStack) -> Self {
        JsonPart {
            sections: &stack.sections,
            blocks: stack.blocks_as_written().collect(),
        }
    }
}

impl Serialize for JsonPart<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(document) = self.sections else {
            return Sorted(self.sections).serialize(serializer);
        };
        let entries = self.entries(document);
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (key, section) in entries {
            map.serialize_entry(key, &section)?;
        }
        map.end()
    }
}

impl<'s> JsonPart<'s> {
    /// The document's sections, by key. Outside `serialize`, which each
    /// serializer instantiates: one sort for all of them.
    fn entries<'a>(&'a self, document: &'s Map<String, Value>) -> Vec<(&'a str, Section<'a>)> {
        let mut entries: Vec<(&str, Section)> = Vec::with_capacity(document.len() + 2);
        let data_from = self
            .blocks
            .partition_point(|b| b.kind == BlockKind::Resource);
        let (resources, data) = self.blocks.split_at(data_from);
        for (key, blocks) in [("resource", resources), ("data", data)] {
            if !blocks.is_empty() {
                entries.push((key, Section::Blocks(blocks)));
            }
        }
        for (key, value) in document {
            if NATIVE_SECTIONS.contains(&key.as_str()) {
                continue;
            }
            match value {
                Value::Object(settings) if key == "terraform" => {
                    if settings
                        .keys()
                        .any(|k| !NATIVE_SETTINGS.contains(&k.as_str()))
                    {
                        entries.push((key, Section::Settings(settings)));
                    }
                }
                other => entries.push((key, Section::Whole(other))),
            }
        }
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        entries
    }
}

enum Section<'a> {
    Whole(&'a Value),
    /// The `terraform` block without the settings [`NATIVE_FILE`] holds.
    Settings(&'a Map<String, Value>),
    /// `resource` or `data`: the blocks by type, then by name.
    Blocks(&'a [&'a SynthesizedBlock]),
}

/// Blocks of one type, by name.
struct OfType<'a>(&'a [&'a SynthesizedBlock]);

impl Serialize for OfType<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for block in self.0 {
            map.serialize_entry(&block.logical_id, block)?;
        }
        map.end()
    }
}

impl Serialize for Section<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Section::Whole(value) => Sorted(value).serialize(serializer),
            Section::Blocks(blocks) => {
                let mut map = serializer.serialize_map(None)?;
                for of_type in blocks.chunk_by(|a, b| a.type_name == b.type_name) {
                    map.serialize_entry(&*of_type[0].type_name, &OfType(of_type))?;
                }
                map.end()
            }
            Section::Settings(settings) => {
                let entries = by_key(
                    settings
                        .iter()
                        .filter(|(k, _)| !NATIVE_SETTINGS.contains(&k.as_str()))
                        .collect(),
                );
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &Sorted(v))?;
                }
                map.end()
            }
        }
    }
}

/// The text of [`NATIVE_FILE`] for a stack's document, or `None` when the
/// document has nothing that goes there. Fails on a value that native
/// syntax cannot hold where it is (an address that is not one).
pub fn native_file(document: &Value) -> Result<Option<String>, String> {
    let Value::Object(document) = document else {
        return Ok(None);
    };
    let mut blocks: Vec<String> = Vec::new();
    if let Some(Value::Object(terraform)) = document.get("terraform") {
        let settings: Vec<(&str, &Value)> = NATIVE_SETTINGS
            .iter()
            .filter_map(|&k| terraform.get(k).map(|v| (k, v)))
            .collect();
        if !settings.is_empty() {
            let mut text = String::from("terraform {\n");
            write_attributes(&settings, 1, "terraform", &mut text)?;
            text.push_str("}\n");
            blocks.push(text);
        }
    }
    for section in NATIVE_SECTIONS {
        let bodies: Vec<&Value> = match document.get(section) {
            None => continue,
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
        };
        for body in bodies {
            let Value::Object(body) = body else {
                return Err(format!("a `{section}` block is not a JSON object: {body}"));
            };
            let mut text = String::new();
            write_block(section, body, 0, &mut text)?;
            blocks.push(text);
        }
    }
    if blocks.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!("{HEADER}\n{}", blocks.join("\n"))))
}

/// `name { ... }` at `depth`: the attributes (their `=` aligned, as
/// `terraform fmt` does), then the nested blocks.
fn write_block(
    name: &str,
    body: &Map<String, Value>,
    depth: usize,
    out: &mut String,
) -> Result<(), String> {
    let indent = "  ".repeat(depth);
    out.push_str(&indent);
    out.push_str(name);
    out.push_str(" {\n");
    let attributes: Vec<(&str, &Value)> = body
        .iter()
        .filter(|(_, v)| !v.is_object())
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    write_attributes(&attributes, depth + 1, name, out)?;
    for (k, v) in body {
        if let Value::Object(nested) = v {
            write_block(k, nested, depth + 1, out)?;
        }
    }
    out.push_str(&indent);
    out.push_str("}\n");
    Ok(())
}

fn write_attributes(
    attributes: &[(&str, &Value)],
    depth: usize,
    block: &str,
    out: &mut String,
) -> Result<(), String> {
    let width = attributes.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (key, value) in attributes {
        if !crate::expr::is_identifier(key) {
            return Err(format!(
                "`{key}` in a `{block}` block is not an argument name"
            ));
        }
        out.push_str(&"  ".repeat(depth));
        out.push_str(key);
        out.push_str(&" ".repeat(width - key.len()));
        out.push_str(" = ");
        match value {
            Value::String(address) if ADDRESS_ARGUMENTS.contains(key) => {
                if !is_traversal(address) {
                    return Err(format!(
                        "`{key} = \"{address}\"` in a `{block}` block is not an address"
                    ));
                }
                out.push_str(address);
            }
            other => write_expression(other, out)?,
        }
        out.push('\n');
    }
    Ok(())
}

/// A JSON value as the native expression that means the same.
fn write_expression(value: &Value, out: &mut String) -> Result<(), String> {
    match value {
        Value::String(template) => quoted_template(template, out)?,
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expression(item, out)?;
            }
            out.push(']');
        }
        Value::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                quoted_template(k, out)?;
                out.push_str(" = ");
                write_expression(v, out)?;
            }
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
    Ok(())
}

/// `type.name`, `data.type.name`, `module.m.type.name[0]`: names separated
/// by dots, each maybe followed by `[index]` or `["key"]`.
fn is_traversal(text: &str) -> bool {
    let s = text.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == b'_' || s[i] == b'-') {
            i += 1;
        }
        if !crate::expr::is_identifier(&text[start..i]) {
            return false;
        }
        while s.get(i) == Some(&b'[') {
            let close = match s[i + 1..].iter().position(|&c| c == b']') {
                Some(n) => i + 1 + n,
                None => return false,
            };
            let inside = &text[i + 1..close];
            let index = !inside.is_empty() && inside.bytes().all(|c| c.is_ascii_digit());
            let key = inside.len() >= 2
                && inside.starts_with('"')
                && inside.ends_with('"')
                && !inside[1..inside.len() - 1].contains(['"', '\\', '$', '%']);
            if !index && !key {
                return false;
            }
            i = close + 1;
        }
        match s.get(i) {
            None => return true,
            Some(b'.') => i += 1,
            Some(_) => return false,
        }
    }
}

/// A Terraform JSON string, which is a template, as the quoted template of
/// native syntax that means the same. The literal text escapes its quotes,
/// backslashes and control characters; `$${` and `%%{` are the same escapes
/// in both syntaxes, and interpolations and directives (`${ ... }`,
/// `%{ ... }`) hold native syntax in both, so they are copied as they are.
fn quoted_template(template: &str, out: &mut String) -> Result<(), String> {
    let s = template.as_bytes();
    out.push('"');
    let mut literal_start = 0;
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(b"$${") || s[i..].starts_with(b"%%{") {
            i += 3;
        } else if s[i..].starts_with(b"${") || s[i..].starts_with(b"%{") {
            escape_literal(&template[literal_start..i], out);
            let end = sequence_end(s, i + 2).ok_or_else(|| {
                format!(
                    "the template `{template}` has a `{}` without its `}}`",
                    &template[i..i + 2]
                )
            })?;
            out.push_str(&template[i..end]);
            i = end;
            literal_start = i;
        } else {
            i += 1;
        }
    }
    escape_literal(&template[literal_start..], out);
    out.push('"');
    Ok(())
}

fn escape_literal(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// The position after the `}` that closes the sequence whose body starts
/// at `i`, skipping nested braces and quoted strings.
fn sequence_end(s: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0usize;
    while i < s.len() {
        match s[i] {
            b'"' => i = quoted_end(s, i + 1)?,
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i + 1),
            b'}' => {
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// The position after the quote that closes a quoted string inside a
/// sequence, whose text starts at `i` (it may hold templates of its own).
fn quoted_end(s: &[u8], mut i: usize) -> Option<usize> {
    while i < s.len() {
        if s[i] == b'\\' {
            i += 2;
        } else if s[i] == b'"' {
            return Some(i + 1);
        } else if s[i..].starts_with(b"$${") || s[i..].starts_with(b"%%{") {
            i += 3;
        } else if s[i..].starts_with(b"${") || s[i..].starts_with(b"%{") {
            i = sequence_end(s, i + 2)?;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn quoted(template: &str) -> String {
        let mut out = String::new();
        quoted_template(template, &mut out).unwrap();
        out
    }

    #[test]
    fn literal_text_is_escaped_and_sequences_are_copied() {
        assert_eq!(quoted("plain"), r#""plain""#);
        assert_eq!(quoted("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(quoted("$${x} %%{y}"), r#""$${x} %%{y}""#);
        assert_eq!(
            quoted("i-${aws_s3_bucket.b.id}\"x"),
            r#""i-${aws_s3_bucket.b.id}\"x""#
        );
        // Quotes, braces and templates inside a sequence are native syntax.
        assert_eq!(
            quoted(r#"${lookup(m, "a}\"b")}"#),
            r#""${lookup(m, "a}\"b")}""#
        );
        assert_eq!(
            quoted(r#"${jsonencode({a = "${x.y}"})}!"#),
            r#""${jsonencode({a = "${x.y}"})}!""#
        );
        assert_eq!(
            quoted("%{ if x }\"%{ endif }"),
            r#""%{ if x }\"%{ endif }""#
        );
    }

    #[test]
    fn an_unclosed_sequence_is_an_error() {
        let mut out = String::new();
        let err = quoted_template("a ${b", &mut out).unwrap_err();
        assert!(err.contains("without its `}`"), "{err}");
    }

    #[test]
    fn traversals_are_names_with_dots_and_indexes() {
        for ok in [
            "aws_iam_role.r",
            "data.aws_region.current-region",
            "module.m.aws_s3_bucket.b[0]",
            "aws_s3_bucket.b[\"key\"]",
            "aws.west",
        ] {
            assert!(is_traversal(ok), "{ok}");
        }
        for bad in [
            "",
            "aws_iam_role.",
            "aws_iam_role.r x",
            "9gag.r",
            "a.b[x]",
            "a.b[\"${x}\"]",
            "a.b\nc",
            "${aws_iam_role.r}",
        ] {
            assert!(!is_traversal(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_native_file_holds_the_version_and_the_refactoring_blocks() {
        let doc = json!({
            "resource": {"terraform_data": {"a": {}}},
            "terraform": {"required_version": ">= 1.11", "backend": {"local": {}}},
            "removed": [{"from": "terraform_data.gone", "lifecycle": {"destroy": false}}],
            "import": [{"to": "terraform_data.a", "id": "a-${terraform_data.b.id}"}],
            "moved": [{"from": "terraform_data.old", "to": "terraform_data.a"}]
        });
        let text = native_file(&doc).unwrap().unwrap();
        assert_eq!(
            text,
            format!(
                "{HEADER}
terraform {{
  required_version = \">= 1.11\"
}}

moved {{
  from = terraform_data.old
  to   = terraform_data.a
}}

import {{
  to = terraform_data.a
  id = \"a-${{terraform_data.b.id}}\"
}}

removed {{
  from = terraform_data.gone
  lifecycle {{
    destroy = false
  }}
}}
"
            )
        );
        let json = serde_json::to_value(JsonPart {
            sections: &doc,
            blocks: Vec::new(),
        })
        .unwrap();
        assert_eq!(
            json,
            json!({
                "resource": {"terraform_data": {"a": {}}},
                "terraform": {"backend": {"local": {}}}
            })
        );
    }

    #[test]
    fn a_document_without_those_parts_has_no_native_file_and_keeps_its_json() {
        let doc =
            json!({"terraform": {"required_version": ">= 1.11"}, "output": {"o": {"value": 1}}});
        assert_eq!(
            serde_json::to_value(JsonPart {
                sections: &doc,
                blocks: Vec::new()
            })
            .unwrap(),
            json!({"output": {"o": {"value": 1}}}),
            "a terraform block left empty is left out"
        );
        let doc = json!({"terraform": {"backend": {"local": {}}}});
        assert_eq!(native_file(&doc).unwrap(), None);
        assert_eq!(
            serde_json::to_value(JsonPart {
                sections: &doc,
                blocks: Vec::new()
            })
            .unwrap(),
            doc
        );
    }

    #[test]
    fn an_address_that_is_not_one_is_refused() {
        let doc = json!({"moved": [{"from": "a b", "to": "x.y"}]});
        let err = native_file(&doc).unwrap_err();
        assert!(err.contains("is not an address"), "{err}");
    }
}
