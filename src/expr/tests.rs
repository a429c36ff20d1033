use std::collections::BTreeMap;

use serde_json::json;

use super::functions::{filebase64sha256, jsonencode, tolist};
use super::*;
use crate::address::Address;

fn json<T>(tf: &Tf<T>) -> serde_json::Value {
    serde_json::to_value(tf).unwrap()
}

fn cert() -> Tf<Any> {
    Tf::from_expr(Expr::reference(Address::resource(
        "aws_acm_certificate",
        "c",
    )))
}

fn role_arn() -> Tf<Arn> {
    Tf::from_expr(Expr::reference(Address::resource("aws_iam_role", "r")).attr("arn"))
}

#[test]
fn literal_strings_are_escaped() {
    let policy_var: Tf<String> = "arn:aws:s3:::bucket/${aws:username}/*".into();
    assert_eq!(
        json(&policy_var),
        json!("arn:aws:s3:::bucket/$${aws:username}/*")
    );
    let directive: Tf<String> = "%{ if true }".into();
    assert_eq!(json(&directive), json!("%%{ if true }"));
    let plain: Tf<String> = "no dollars $ here { }".into();
    assert_eq!(json(&plain), json!("no dollars $ here { }"));
}

#[test]
fn escaping_an_already_escaped_sequence_keeps_its_literal_meaning() {
    // For the literal text `$${`, Terraform reads `$$${` as `$` followed by
    // the escape `$${` (the text `${`): together `$${` again.
    assert_eq!(escape_template("$${"), "$$${");
}

#[test]
fn references_render_as_interpolations() {
    assert_eq!(json(&role_arn()), json!("${aws_iam_role.r.arn}"));
    let region: Tf<String> =
        Tf::from_expr(Expr::reference(Address::data("aws_region", "current")).attr("region"));
    assert_eq!(json(&region), json!("${data.aws_region.current.region}"));
    let var: Tf<String> = Tf::from_expr(Expr::reference(Address::variable("env")));
    assert_eq!(json(&var), json!("${var.env}"));
}

#[test]
fn numbers_and_bools_are_json_literals() {
    let n: Tf<Number> = 128.into();
    assert_eq!(json(&n), json!(128));
    let f: Tf<Number> = 2.5.into();
    assert_eq!(json(&f), json!(2.5));
    let b: Tf<bool> = true.into();
    assert_eq!(json(&b), json!(true));
}

#[test]
fn templates_mix_literals_and_references() {
    let url: Tf<String> = crate::template!["https://", role_arn(), "/prod"];
    assert_eq!(json(&url), json!("https://${aws_iam_role.r.arn}/prod"));
    let escaped: Tf<String> = crate::template!["${literal}", role_arn()];
    assert_eq!(json(&escaped), json!("$${literal}${aws_iam_role.r.arn}"));
}

#[test]
fn a_template_of_literals_only_is_a_literal() {
    let t: Tf<String> = crate::template!["a", "b", String::from("c")];
    assert_eq!(t.expr(), &Expr::Str("abc".into()));
    assert!(t.expr().is_literal());
}

#[test]
fn adjacent_literals_are_merged_so_that_split_sequences_are_escaped() {
    // "$" + "{x}" must not become an interpolation.
    let t: Tf<String> = crate::template!["$", "{x}", role_arn()];
    assert_eq!(json(&t), json!("$${x}${aws_iam_role.r.arn}"));
}

#[test]
fn a_dollar_right_before_an_interpolation_is_kept_literal() {
    let t: Tf<String> = crate::template!["price: $", role_arn()];
    let rendered = json(&t);
    assert_eq!(rendered, json!(r#"price: ${"$"}${aws_iam_role.r.arn}"#));
    // Not the escape `$${`, which would swallow the reference.
    assert!(!rendered.as_str().unwrap().contains("$${"));
}

#[test]
fn indexing_and_function_calls() {
    let options: Tf<List<Any>> = cert().get("domain_validation_options");
    let name: Tf<String> = tolist(options).at(1).get("resource_record_name");
    assert_eq!(
        json(&name),
        json!("${tolist(aws_acm_certificate.c.domain_validation_options)[1].resource_record_name}")
    );
    let hash = filebase64sha256("assets/x/function.zip");
    assert_eq!(
        json(&hash),
        json!("${filebase64sha256(\"assets/x/function.zip\")}")
    );
    let tags: Tf<Map<String>> = cert().get("tags");
    assert_eq!(
        json(&tags.at_key("app")),
        json!("${aws_acm_certificate.c.tags[\"app\"]}")
    );
}

#[test]
fn literals_inside_native_syntax_are_quoted_and_escaped() {
    let doc: Tf<Map<String>> = [
        ("Resource", Tf::<String>::from("a\"b\\c ${x}")),
        ("Arn", role_arn().cast()),
    ]
    .into();
    let encoded = jsonencode(doc);
    assert_eq!(
        json(&encoded),
        json!(r#"${jsonencode({"Arn" = aws_iam_role.r.arn, "Resource" = "a\"b\\c $${x}"})}"#)
    );
}

#[test]
fn templates_nested_in_function_calls_are_quoted_templates() {
    let inner: Tf<String> = crate::template![role_arn(), "/*"];
    let call: Tf<String> = super::functions::lower(inner);
    assert_eq!(json(&call), json!(r#"${lower("${aws_iam_role.r.arn}/*")}"#));
}

#[test]
fn lists_and_maps_render_element_by_element() {
    let list: Tf<List<String>> = ["a", "${b}"].into();
    assert_eq!(json(&list), json!(["a", "$${b}"]));
    let mixed: Tf<List<String>> = vec![Tf::from("a"), role_arn().cast()].into();
    assert_eq!(json(&mixed), json!(["a", "${aws_iam_role.r.arn}"]));
    let map: Tf<Map<String>> = BTreeMap::from([("z", "1"), ("a", "2")]).into();
    assert_eq!(json(&map), json!({"a": "2", "z": "1"}));
}

#[test]
fn an_arn_becomes_plain_text_only_when_asked() {
    let as_string: Tf<String> = role_arn().cast();
    assert_eq!(json(&as_string), json!("${aws_iam_role.r.arn}"));
    let literal = Tf::<Arn>::literal("arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_eq!(
        json(&literal),
        json!("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
}

#[test]
fn rendered_references_are_found_again_by_the_scanner() {
    let t: Tf<String> = crate::template![
        "x-",
        role_arn(),
        "-",
        tolist(cert().get::<List<Any>>("l"))
            .at(0)
            .get::<String>("n")
    ];
    let rendered = json(&t);
    let mut found = Vec::new();
    scan::references(rendered.as_str().unwrap(), &mut found);
    let addresses: Vec<String> = found.iter().map(|r| r.address.to_string()).collect();
    assert_eq!(addresses, ["aws_iam_role.r", "aws_acm_certificate.c"]);
    assert_eq!(found[0].attribute(), Some("arn"));
    assert_eq!(found[1].attribute(), Some("l"));
}

#[test]
fn every_dollar_right_before_an_interpolation_is_kept_literal() {
    for dollars in ["$", "$$", "$$$"] {
        let t: Tf<String> = crate::template!["a", dollars, role_arn()];
        let rendered = json(&t);
        assert_eq!(
            rendered,
            json!(format!("a${{\"{dollars}\"}}${{aws_iam_role.r.arn}}")),
            "{dollars}"
        );
        let mut found = Vec::new();
        scan::references(rendered.as_str().unwrap(), &mut found);
        assert_eq!(found.len(), 1, "the reference is still one: {rendered}");
    }
}

#[test]
fn literal_parts_of_a_hand_built_template_are_escaped_together() {
    // `100%` then `{ if x }`: apart, neither is a directive; joined, it is.
    let t: Tf<String> = Tf::from_expr(Expr::Template(vec![
        Expr::Str("100%".into()),
        Expr::Str("{ if x }".into()),
        role_arn().into_expr(),
    ]));
    assert_eq!(json(&t), json!("100%%{ if x }${aws_iam_role.r.arn}"));
}

#[test]
fn keys_of_map_values_are_escaped() {
    let tags: Tf<Map<String>> = [("${literal}", "v")].into();
    assert_eq!(json(&tags), json!({"$${literal}": "v"}));
}

#[test]
fn attribute_names_that_are_no_identifiers_are_written_as_keys() {
    let odd: Tf<String> = cert().get("x}${y");
    assert_eq!(json(&odd), json!("${aws_acm_certificate.c[\"x}$${y\"]}"));
    let mut found = Vec::new();
    scan::references(json(&odd).as_str().unwrap(), &mut found);
    assert_eq!(found.len(), 1, "still one reference, and nothing after it");
    assert_eq!(
        found[0].address,
        Address::resource("aws_acm_certificate", "c")
    );
}

#[test]
fn object_keys_are_written_in_the_order_of_their_escaped_text() {
    // `x${b` sorts after `x$a` as written, before it once escaped (`x$${b`).
    let tags: Tf<Map<String>> = [("x$a", "1"), ("x${b", "2")]
        .into_iter()
        .map(|(k, v)| (k, Tf::<String>::from(v)))
        .collect();
    let text = serde_json::to_string(&tags).unwrap();
    assert_eq!(text, r#"{"x$${b":"2","x$a":"1"}"#);
    // The value `to_json` builds holds the same entries.
    assert_eq!(
        tags.into_expr().to_json(),
        json!({"x$${b": "2", "x$a": "1"})
    );
}
