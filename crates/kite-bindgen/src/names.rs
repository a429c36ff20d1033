//! Rust names for Terraform names.

/// `aws_lambda_function` → `AwsLambdaFunction`; digits stay (`s3_bucket` → `S3Bucket`).
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split(['_', '-', '.']) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Words Rust reserves; a Terraform name equal to one is written as a raw
/// identifier (`r#type`), or with a trailing `_` where that is not allowed.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
    "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super"];

/// The identifier of a field, method or argument named `name` in Terraform,
/// avoiding the names in `taken` (methods the type already has).
pub fn ident(name: &str, taken: &[&str]) -> String {
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name.to_owned()
    };
    if taken.contains(&name.as_str()) || NOT_RAW.contains(&name.as_str()) {
        return format!("{name}_");
    }
    if KEYWORDS.contains(&name.as_str()) {
        return format!("r#{name}");
    }
    name
}

/// A description as doc comment lines: fenced code is marked as text (it is
/// HCL or shell, never Rust to test), and indentation is dropped so that no
/// line becomes an indented code block.
pub fn doc_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_code = false;
    for line in text.trim().lines() {
        let line = line.trim();
        if line.starts_with("```") {
            lines.push(if in_code { "```" } else { "```text" }.to_owned());
            in_code = !in_code;
        } else {
            lines.push(line.to_owned());
        }
    }
    // An unclosed fence would swallow what follows.
    if in_code {
        lines.push("```".to_owned());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel("dynamodb_table"), "DynamodbTable");
        assert_eq!(camel("s3_bucket"), "S3Bucket");
        assert_eq!(ident("type", &[]), "r#type");
        assert_eq!(ident("self", &[]), "self_");
        assert_eq!(ident("get", &["get"]), "get_");
        assert_eq!(ident("0rtt", &[]), "_0rtt");
    }

    #[test]
    fn code_in_descriptions_is_text() {
        let lines = doc_lines("Use it:\n    ```hcl\n    a = 1\n    ```\nDone.");
        assert_eq!(lines, ["Use it:", "```text", "a = 1", "```", "Done."]);
        assert_eq!(doc_lines("```\nx"), ["```text", "x", "```"]);
    }
}
