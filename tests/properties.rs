//! Properties of rendering and scanning, for any text: literal text never
//! becomes an expression, and references stay exactly what they are.

use kite::expr::functions::jsonencode;
use kite::expr::scan::{self, has_interpolation};
use kite::expr::{Expr, Tf};
use kite::{Address, template};
use proptest::prelude::*;

/// Text made of what matters to templates: `$`, `%`, braces, quotes,
/// backslashes, newlines, and a few letters.
fn text() -> impl Strategy<Value = String> {
    "[ab$%{}\"\\\\\n ]{0,24}"
}

fn rendered<T>(tf: &Tf<T>) -> String {
    serde_json::to_value(tf)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// What Terraform reads from template text without interpolations: `$${`
/// is `${` and `%%{` is `%{`, scanning left to right.
fn terraform_reads(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("$${") {
            out.push_str("${");
            rest = after;
        } else if let Some(after) = rest.strip_prefix("%%{") {
            out.push_str("%{");
            rest = after;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Whether Terraform, reading left to right as [`terraform_reads`] does,
/// meets an interpolation or a directive: `${` or `%{` that does not end an
/// escape (`$${`, `%%{`).
fn terraform_finds_an_opening(template: &str) -> bool {
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            rest = &rest[3..];
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            return true;
        } else {
            rest = &rest[c.len_utf8()..];
        }
    }
    false
}

#[test]
fn escapes_and_openings_are_read_left_to_right() {
    for (text, opens) in [
        ("", false),
        ("${a}", true),
        ("%{ if a }", true),
        ("$${a}", false),
        ("%%{ if a }", false),
        ("$$${a}", false),
        ("%%%{a}", false),
        ("%${a}", true),
        ("$%{a}", true),
        ("a $${b} ${c}", true),
        ("{$", false),
    ] {
        assert_eq!(has_interpolation(text), opens, "{text:?}");
        assert_eq!(terraform_finds_an_opening(text), opens, "{text:?}");
    }
}

fn role_arn() -> Tf<String> {
    Tf::from_expr(Expr::reference(Address::resource("aws_iam_role", "r")).attr("arn"))
}

proptest! {
    #[test]
    fn literal_text_is_read_back_as_written(s in text()) {
        let out = rendered(&Tf::<String>::from(s.as_str()));
        prop_assert!(!has_interpolation(&out), "{out:?}");
        prop_assert_eq!(terraform_reads(&out), s);
        let mut found = Vec::new();
        scan::references(&out, &mut found);
        prop_assert!(found.is_empty());
    }

    #[test]
    fn an_interpolation_is_found_where_terraform_finds_one(s in text()) {
        prop_assert_eq!(has_interpolation(&s), terraform_finds_an_opening(&s), "{:?}", s);
    }

    #[test]
    fn a_reference_between_any_texts_stays_one_reference(before in text(), after in text()) {
        let t: Tf<String> = template![before.as_str(), role_arn(), after.as_str()];
        let out = rendered(&t);
        let mut found = Vec::new();
        scan::references(&out, &mut found);
        prop_assert_eq!(found.len(), 1, "{:?}", out);
        prop_assert_eq!(&found[0].address, &Address::resource("aws_iam_role", "r"));
        prop_assert_eq!(found[0].attribute(), Some("arn"));
    }

    #[test]
    fn literal_text_inside_a_function_call_is_no_expression(s in text()) {
        let encoded = jsonencode(Tf::<String>::from(s.as_str()));
        let out = rendered(&encoded);
        let mut found = Vec::new();
        scan::references(&out, &mut found);
        prop_assert!(found.is_empty(), "{out:?}");
        // One interpolation: the call itself, closed once.
        prop_assert!(out.starts_with("${jsonencode(\"") && out.ends_with("\")}"), "{out:?}");
    }
}
