//! Rendering expressions as Terraform JSON values and native syntax.

use std::borrow::Cow;
use std::fmt::Write;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::{Expr, Fields, Step};

/// Escapes literal text for a Terraform string template: `${` → `$${` and
/// `%{` → `%%{`, so an IAM policy variable such as `${aws:username}` reaches
/// AWS as written.
pub fn escape_template(text: &str) -> Cow<'_, str> {
    if !super::scan::has_template_opening(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("${", "$${").replace("%{", "%%{"))
}

/// The fields with their keys escaped, sorted again. Outside
/// [`serialize`], which each serializer instantiates: one sort for all.
fn escaped_sorted(fields: &Fields) -> Vec<(Cow<'_, str>, &Expr)> {
    let mut escaped: Vec<(Cow<'_, str>, &Expr)> = fields
        .iter()
        .map(|(k, v)| (escape_template(k), v))
        .collect();
    escaped.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    escaped
}

pub(super) fn serialize<S: Serializer>(expr: &Expr, serializer: S) -> Result<S::Ok, S::Error> {
    if !serializer.is_human_readable() {
        return serialize_structure(expr, serializer);
    }
    match expr {
        Expr::Null => serializer.serialize_unit(),
        Expr::Str(s) => serializer.serialize_str(&escape_template(s)),
        Expr::Num(n) => n.serialize(serializer),
        Expr::Bool(b) => serializer.serialize_bool(*b),
        Expr::List(items) => {
            let mut seq = serializer.serialize_seq(Some(items.len()))?;
            for item in items {
                seq.serialize_element(item)?;
            }
            seq.end()
        }
        Expr::Object(fields) => {
            // Keys of map values are templates in Terraform JSON too, and
            // written sorted: escaping can change their order.
            let mut map = serializer.serialize_map(Some(fields.len()))?;
            if fields.keys().any(|k| super::scan::has_template_opening(k)) {
                for (k, v) in escaped_sorted(fields) {
                    map.serialize_entry(&k, v)?;
                }
            } else {
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
            }
            map.end()
        }
        Expr::Template(parts) => {
            let mut out = String::new();
            write_template_body(parts, &mut out, false);
            serializer.serialize_str(&out)
        }
        Expr::Ref(_) | Expr::Declared(..) | Expr::Get(..) | Expr::Call(..) => {
            let mut out = String::from("${");
            write_hcl(expr, &mut out);
            out.push('}');
            serializer.serialize_str(&out)
        }
    }
}

/// The expression's tree, part by part, for a serializer that is not
/// human-readable: the digest of a synth's output (`synth::digest`), which
/// need not render references and templates as text, since the text is a
/// function of the tree.
fn serialize_structure<S: Serializer>(expr: &Expr, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeTupleVariant;
    const NAME: &str = "Expr";
    match expr {
        Expr::Null => serializer.serialize_unit_variant(NAME, 0, "Null"),
        Expr::Str(s) => serializer.serialize_newtype_variant(NAME, 1, "Str", s),
        Expr::Num(n) => serializer.serialize_newtype_variant(NAME, 2, "Num", n),
        Expr::Bool(b) => serializer.serialize_newtype_variant(NAME, 3, "Bool", b),
        Expr::List(items) => serializer.serialize_newtype_variant(NAME, 4, "List", items),
        Expr::Object(fields) => {
            let mut variant =
                serializer.serialize_tuple_variant(NAME, 5, "Object", fields.len())?;
            for field in fields.iter() {
                variant.serialize_field(&field)?;
            }
            variant.end()
        }
        Expr::Ref(address) => serializer.serialize_newtype_variant(NAME, 6, "Ref", address),
        Expr::Declared(stack, address) => {
            let mut variant = serializer.serialize_tuple_variant(NAME, 7, "Declared", 2)?;
            variant.serialize_field(&**stack)?;
            variant.serialize_field(address)?;
            variant.end()
        }
        Expr::Get(get) => {
            let mut variant = serializer.serialize_tuple_variant(NAME, 8, "Get", 2)?;
            variant.serialize_field(&get.0)?;
            variant.serialize_field(&get.1)?;
            variant.end()
        }
        Expr::Call(call) => {
            let mut variant = serializer.serialize_tuple_variant(NAME, 9, "Call", 2)?;
            variant.serialize_field(&call.0)?;
            variant.serialize_field(&call.1)?;
            variant.end()
        }
        Expr::Template(parts) => serializer.serialize_newtype_variant(NAME, 10, "Template", parts),
    }
}

/// The expression as a JSON value, as [`serialize`] writes it (keys of
/// objects escaped; the writer sorts them).
pub(super) fn to_json(expr: &Expr) -> serde_json::Value {
    use serde_json::Value;
    match expr {
        Expr::Null => Value::Null,
        Expr::Str(s) => Value::String(escape_template(s).into_owned()),
        Expr::Num(n) => Value::Number(n.clone()),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::List(items) => Value::Array(items.iter().map(to_json).collect()),
        Expr::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (escape_template(k).into_owned(), to_json(v)))
                .collect(),
        ),
        Expr::Template(parts) => {
            let mut out = String::new();
            write_template_body(parts, &mut out, false);
            Value::String(out)
        }
        Expr::Ref(_) | Expr::Declared(..) | Expr::Get(..) | Expr::Call(..) => {
            let mut out = String::from("${");
            write_hcl(expr, &mut out);
            out.push('}');
            Value::String(out)
        }
    }
}

/// Writes the parts of a template. In a quoted native-syntax string
/// (`quoted`), literal text also escapes quotes, backslashes and control
/// characters.
fn write_template_body(parts: &[Expr], out: &mut String, quoted: bool) {
    // Adjacent literal parts are escaped as one text: split, `$` + `{x}`
    // would become an interpolation.
    let mut text = String::new();
    for part in parts {
        match part {
            Expr::Str(s) => text.push_str(s),
            other => {
                write_literal_before_interpolation(&text, out, quoted);
                text.clear();
                out.push_str("${");
                write_hcl(other, out);
                out.push('}');
            }
        }
    }
    write_literal(&text, out, quoted);
}

fn write_literal(text: &str, out: &mut String, quoted: bool) {
    if quoted {
        write_quoted_text(text, out);
    } else {
        out.push_str(&escape_template(text));
    }
}

/// Literal text followed by an interpolation. Dollars at its end would merge
/// with the `${` that follows (`$${` is an escape), so they are written as an
/// interpolation of their own: `${"$$"}`.
fn write_literal_before_interpolation(text: &str, out: &mut String, quoted: bool) {
    let kept = text.trim_end_matches('$');
    write_literal(kept, out, quoted);
    let dollars = text.len() - kept.len();
    if dollars > 0 {
        out.push_str("${\"");
        out.push_str(&"$".repeat(dollars));
        out.push_str("\"}");
    }
}

fn write_quoted_text(text: &str, out: &mut String) {
    let escaped = escape_template(text);
    for c in escaped.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// A Terraform identifier: a letter or `_`, then letters, digits, `_` and `-`.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Writes an expression in Terraform's native syntax.
pub(super) fn write_hcl(expr: &Expr, out: &mut String) {
    match expr {
        Expr::Null => out.push_str("null"),
        Expr::Str(s) => {
            out.push('"');
            write_quoted_text(s, out);
            out.push('"');
        }
        Expr::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Expr::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Expr::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_hcl(item, out);
            }
            out.push(']');
        }
        Expr::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push('"');
                write_quoted_text(k, out);
                out.push_str("\" = ");
                write_hcl(v, out);
            }
            out.push('}');
        }
        Expr::Ref(address) | Expr::Declared(_, address) => address.push_to(out),
        Expr::Get(get) => {
            let (base, step) = &**get;
            write_hcl(base, out);
            match step {
                // A name that is no identifier is written as a key, so it
                // cannot end the expression.
                Step::Attr(name) if is_identifier(name) => {
                    out.push('.');
                    out.push_str(name);
                }
                Step::Attr(name) | Step::Key(name) => {
                    out.push_str("[\"");
                    write_quoted_text(name, out);
                    out.push_str("\"]");
                }
                Step::Index(i) => {
                    let _ = write!(out, "[{i}]");
                }
            }
        }
        Expr::Call(call) => {
            let (name, args) = &**call;
            out.push_str(name);
            out.push('(');
            for (i, arg) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_hcl(arg, out);
            }
            out.push(')');
        }
        Expr::Template(parts) => {
            out.push('"');
            write_template_body(parts, out, true);
            out.push('"');
        }
    }
}
