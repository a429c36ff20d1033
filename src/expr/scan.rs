//! Finding the references in Terraform JSON strings.
//!
//! Typed expressions give their references themselves; what was written
//! as JSON (raw blocks, overrides, documents read from files) is read here.
//! Every string there is a template; this module finds the traversals (`aws_iam_role.x.arn`, `data.aws_region.r.name`,
//! `var.env`) inside its `${ }` and `%{ }` sequences, skipping escapes,
//! function names, string literals and the symbols of `for` expressions.

use crate::address::Address;

use super::Step;

/// A reference found in a template: the address and the steps after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub address: Address,
    pub steps: Vec<Step>,
    /// The stack a handle of the block came from; `None` when the
    /// reference was written (a raw template) or built from an address.
    pub stack: Option<std::sync::Arc<str>>,
}

impl Reference {
    /// The first attribute named after the address, if any.
    pub fn attribute(&self) -> Option<&str> {
        match self.steps.first() {
            Some(Step::Attr(name)) => Some(name),
            _ => None,
        }
    }
}

/// Whether a template string has an interpolation or directive (an
/// unescaped `${` or `%{`): then its value is an expression.
pub fn has_interpolation(template: &str) -> bool {
    let s = template.as_bytes();
    let mut i = 0;
    while i + 1 < s.len() {
        match (s[i], s[i + 1]) {
            (b'$', b'$') | (b'%', b'%') if s.get(i + 2) == Some(&b'{') => i += 3,
            (b'$' | b'%', b'{') => return true,
            _ => i += 1,
        }
    }
    false
}

/// Whether a text has `${` or `%{` anywhere, escaped or not: text without
/// them is the same as a template and as a literal. One pass over the
/// bytes (two `contains` calls each set up a substring searcher: 6% of a
/// large synth, for strings that mostly have no `{` at all).
pub(crate) fn has_template_opening(text: &str) -> bool {
    let s = text.as_bytes();
    (1..s.len()).any(|i| s[i] == b'{' && matches!(s[i - 1], b'$' | b'%'))
}

/// Appends the references in a template string to `found`.
pub fn references(template: &str, found: &mut Vec<Reference>) {
    if !has_template_opening(template) {
        return;
    }
    let mut scanner = Scanner {
        s: template.as_bytes(),
        found,
        locals: Vec::new(),
        directive_locals: Vec::new(),
        directives: Vec::new(),
    };
    scanner.template(0, false);
}

struct Scanner<'a, 'f> {
    s: &'a [u8],
    found: &'f mut Vec<Reference>,
    /// Symbols of enclosing `for` expressions, with the bracket depth at
    /// which they were declared.
    locals: Vec<(String, usize)>,
    /// Symbols of enclosing `%{ for }` directives, which last until
    /// `%{ endfor }`, and where each directive's symbols start.
    directive_locals: Vec<String>,
    directives: Vec<usize>,
}

/// Roots that are not blocks of the configuration.
const NON_BLOCK_ROOTS: &[&str] = &[
    "self",
    "count",
    "each",
    "path",
    "terraform",
    "local",
    "module",
    "true",
    "false",
    "null",
    "for",
    "in",
    "if",
];

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Scanner<'_, '_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    fn starts_with(&self, i: usize, pattern: &[u8]) -> bool {
        self.s.get(i..i + pattern.len()) == Some(pattern)
    }

    /// Scans template text from `i`; in a quoted string, up to its closing
    /// quote. Returns the position after the end.
    fn template(&mut self, mut i: usize, quoted: bool) -> usize {
        while let Some(c) = self.at(i) {
            if quoted && c == b'"' {
                return i + 1;
            }
            if quoted && c == b'\\' {
                i += 2;
                continue;
            }
            if self.starts_with(i, b"$${") || self.starts_with(i, b"%%{") {
                i += 3;
                continue;
            }
            if self.starts_with(i, b"%{") {
                i = self.directive(i + 2);
                continue;
            }
            if self.starts_with(i, b"${") {
                i = self.expression(i + 2);
                continue;
            }
            i += 1;
        }
        i
    }

    /// A `%{ ... }` directive: `for` symbols hold until `%{ endfor }`.
    fn directive(&mut self, i: usize) -> usize {
        let mut j = self.skip_spaces(i);
        if self.at(j) == Some(b'~') {
            j = self.skip_spaces(j + 1);
        }
        if !self.at(j).is_some_and(is_ident_start) {
            return self.expression(i);
        }
        let (word, end) = self.ident(j);
        match word.as_str() {
            "for" => {
                self.directives.push(self.directive_locals.len());
                let (symbols, after) = self.symbols_until_in(end);
                self.directive_locals.extend(symbols);
                self.expression(after)
            }
            "endfor" => {
                if let Some(start) = self.directives.pop() {
                    self.directive_locals.truncate(start);
                }
                self.expression(end)
            }
            _ => self.expression(i),
        }
    }

    /// Scans an expression up to its closing `}`. Returns the position after it.
    fn expression(&mut self, mut i: usize) -> usize {
        let mut depth = 0usize;
        let mut after_dot = false;
        let mut after_open = false;
        while let Some(c) = self.at(i) {
            let was_after_open = after_open;
            after_open = false;
            match c {
                b'"' => {
                    i = self.template(i + 1, true);
                    after_dot = false;
                }
                b'{' | b'[' | b'(' => {
                    depth += 1;
                    after_open = true;
                    after_dot = false;
                    i += 1;
                }
                b'}' | b']' | b')' => {
                    if depth == 0 {
                        return i + 1;
                    }
                    self.locals.retain(|(_, d)| *d < depth);
                    depth -= 1;
                    after_dot = false;
                    i += 1;
                }
                b'.' => {
                    after_dot = true;
                    i += 1;
                }
                c if c.is_ascii_whitespace() => i += 1,
                c if c.is_ascii_digit() => {
                    while self.at(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
                        i += 1;
                    }
                    after_dot = false;
                }
                c if is_ident_start(c) => {
                    let (ident, end) = self.ident(i);
                    if ident == "for" && was_after_open {
                        i = self.for_symbols(end, depth);
                    } else if after_dot {
                        i = end;
                    } else {
                        i = self.traversal(ident, end);
                    }
                    after_dot = false;
                }
                _ => {
                    after_dot = false;
                    i += 1;
                }
            }
        }
        i
    }

    fn ident(&self, start: usize) -> (String, usize) {
        let mut end = start;
        while self.at(end).is_some_and(is_ident_char) {
            end += 1;
        }
        (
            String::from_utf8_lossy(&self.s[start..end]).into_owned(),
            end,
        )
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        i
    }

    /// Records the symbols of `for a, b in ...` and returns the position after `in`.
    fn for_symbols(&mut self, i: usize, depth: usize) -> usize {
        let (symbols, after) = self.symbols_until_in(i);
        self.locals.extend(symbols.into_iter().map(|s| (s, depth)));
        after
    }

    /// The symbols of `a, b in`, and the position after `in`.
    fn symbols_until_in(&self, mut i: usize) -> (Vec<String>, usize) {
        let mut symbols = Vec::new();
        loop {
            i = self.skip_spaces(i);
            match self.at(i) {
                Some(b',') => i += 1,
                Some(c) if is_ident_start(c) => {
                    let (ident, end) = self.ident(i);
                    if ident == "in" {
                        return (symbols, end);
                    }
                    symbols.push(ident);
                    i = end;
                }
                _ => return (symbols, i),
            }
        }
    }

    /// Reads `.name` after `i`, if there is one.
    fn dotted_name(&self, i: usize) -> Option<(String, usize)> {
        if self.at(i) == Some(b'.') && self.at(i + 1).is_some_and(is_ident_start) {
            Some(self.ident(i + 1))
        } else {
            None
        }
    }

    /// A traversal that starts with `root` (already read, ending at `i`).
    fn traversal(&mut self, root: String, i: usize) -> usize {
        if self.at(self.skip_spaces(i)) == Some(b'(') {
            return i; // a function name
        }
        if NON_BLOCK_ROOTS.contains(&root.as_str())
            || self.locals.iter().any(|(name, _)| *name == root)
            || self.directive_locals.contains(&root)
        {
            return i;
        }
        let (address, i) = match root.as_str() {
            "var" => match self.dotted_name(i) {
                Some((name, end)) => (Address::variable(name), end),
                None => return i,
            },
            "data" => {
                let Some((type_name, end)) = self.dotted_name(i) else {
                    return i;
                };
                let Some((name, end)) = self.dotted_name(end) else {
                    return end;
                };
                (Address::data(type_name, name), end)
            }
            _ => match self.dotted_name(i) {
                Some((name, end)) => (Address::resource(root, name), end),
                None => return i,
            },
        };
        let (steps, i) = self.steps(i);
        self.found.push(Reference {
            address,
            steps,
            stack: None,
        });
        i
    }

    /// Attribute, index and key steps of a traversal.
    fn steps(&self, mut i: usize) -> (Vec<Step>, usize) {
        let mut steps = Vec::new();
        loop {
            if let Some((name, end)) = self.dotted_name(i) {
                steps.push(Step::Attr(name));
                i = end;
            } else if self.at(i) == Some(b'.') && self.at(i + 1).is_some_and(|c| c.is_ascii_digit())
            {
                let (index, end) = self.number(i + 1);
                steps.push(Step::Index(index));
                i = end;
            } else if self.at(i) == Some(b'[') {
                let j = self.skip_spaces(i + 1);
                if self.at(j).is_some_and(|c| c.is_ascii_digit()) {
                    let (index, end) = self.number(j);
                    let end = self.skip_spaces(end);
                    if self.at(end) != Some(b']') {
                        return (steps, i);
                    }
                    steps.push(Step::Index(index));
                    i = end + 1;
                } else if let Some((key, end)) = self.simple_string(j) {
                    let end = self.skip_spaces(end);
                    if self.at(end) != Some(b']') {
                        return (steps, i);
                    }
                    steps.push(Step::Key(key));
                    i = end + 1;
                } else {
                    return (steps, i);
                }
            } else {
                return (steps, i);
            }
        }
    }

    fn number(&self, start: usize) -> (u64, usize) {
        let mut end = start;
        let mut value: u64 = 0;
        while let Some(c) = self.at(end).filter(u8::is_ascii_digit) {
            value = value.saturating_mul(10).saturating_add(u64::from(c - b'0'));
            end += 1;
        }
        (value, end)
    }

    /// A quoted string without escapes or interpolation: `"key"`.
    fn simple_string(&self, start: usize) -> Option<(String, usize)> {
        if self.at(start) != Some(b'"') {
            return None;
        }
        let mut end = start + 1;
        while let Some(c) = self.at(end) {
            match c {
                b'"' => {
                    let key = String::from_utf8_lossy(&self.s[start + 1..end]).into_owned();
                    return Some((key, end + 1));
                }
                b'\\' | b'$' | b'%' => return None,
                _ => end += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(template: &str) -> Vec<String> {
        let mut found = Vec::new();
        references(template, &mut found);
        found
            .iter()
            .map(|r| {
                let steps: Vec<String> = r
                    .steps
                    .iter()
                    .map(|s| match s {
                        Step::Attr(a) => format!(".{a}"),
                        Step::Index(i) => format!("[{i}]"),
                        Step::Key(k) => format!("[{k:?}]"),
                    })
                    .collect();
                format!("{}{}", r.address, steps.concat())
            })
            .collect()
    }

    #[test]
    fn interpolations_are_told_from_escapes() {
        assert!(has_interpolation("${a.b}"));
        assert!(has_interpolation("x %{ if a }y%{ endif }"));
        assert!(!has_interpolation("$${aws:username}"));
        assert!(!has_interpolation("%%{x}"));
        assert!(!has_interpolation("plain $ and { }"));
        // `$` then the escape `$${`: literal text, as escape_template writes `$${`.
        assert!(!has_interpolation("$$${x}"));
    }

    #[test]
    fn plain_text_has_no_references() {
        assert!(refs("hello world").is_empty());
        assert!(refs("arn:aws:s3:::bucket/*").is_empty());
    }

    #[test]
    fn escaped_sequences_are_not_references() {
        assert!(refs("arn:aws:s3:::b/$${aws:username}").is_empty());
        assert!(refs("%%{ if x.y }").is_empty());
    }

    #[test]
    fn resource_data_and_variable_references() {
        assert_eq!(refs("${aws_iam_role.r.arn}"), ["aws_iam_role.r.arn"]);
        assert_eq!(
            refs(
                "https://${aws_apigatewayv2_api.a-1.id}.execute-api.${data.aws_region.current-region.name}.amazonaws.com"
            ),
            [
                "aws_apigatewayv2_api.a-1.id",
                "data.aws_region.current-region.name"
            ]
        );
        assert_eq!(refs("${var.env}"), ["var.env"]);
    }

    #[test]
    fn indexes_keys_and_function_calls() {
        assert_eq!(
            refs("${aws_x.y.domain_name_configuration[0].target_domain_name}"),
            ["aws_x.y.domain_name_configuration[0].target_domain_name"]
        );
        assert_eq!(
            refs(
                "${tolist(aws_acm_certificate.c.domain_validation_options)[1].resource_record_name}"
            ),
            ["aws_acm_certificate.c.domain_validation_options"]
        );
        assert_eq!(
            refs(r#"${aws_x.y.tags["app"]}"#),
            [r#"aws_x.y.tags["app"]"#]
        );
        assert_eq!(refs("${aws_x.y.list.1.name}"), ["aws_x.y.list[1].name"]);
    }

    #[test]
    fn strings_inside_expressions_are_templates_too() {
        assert_eq!(
            refs(r#"${jsonencode({"Resource" = "${aws_s3_bucket.b.arn}/*", "x" = "}"})}"#),
            ["aws_s3_bucket.b.arn"]
        );
    }

    #[test]
    fn for_expression_symbols_are_not_blocks() {
        assert_eq!(
            refs(
                "${[for o in aws_acm_certificate.c.domain_validation_options : o.resource_record_name]}"
            ),
            ["aws_acm_certificate.c.domain_validation_options"]
        );
        assert_eq!(refs("${{for k, v in var.m : k => v.x}}"), ["var.m"]);
    }

    #[test]
    fn for_directive_symbols_hold_until_endfor() {
        assert_eq!(
            refs("%{ for s in aws_x.y.list }${s.id} %{ endfor }${s.other}"),
            ["aws_x.y.list", "s.other"]
        );
        assert_eq!(
            refs("%{~ for k, v in var.m ~}${k}=${v.x}%{~ endfor ~}"),
            ["var.m"]
        );
    }

    #[test]
    fn keywords_and_other_roots_are_skipped() {
        assert!(refs("${each.value.x}").is_empty());
        assert!(refs("${path.module}/x").is_empty());
        assert!(refs("${true ? local.a.b : null}").is_empty());
    }

    #[test]
    fn a_whole_block_reference_has_no_steps() {
        let mut found = Vec::new();
        references("${aws_x.y}", &mut found);
        assert_eq!(found.len(), 1);
        assert!(found[0].steps.is_empty());
        assert_eq!(found[0].attribute(), None);
    }

    #[test]
    fn directives_are_scanned() {
        assert_eq!(refs("%{ if var.on }x%{ endif }"), ["var.on"]);
    }
}
