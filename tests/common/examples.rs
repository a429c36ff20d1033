//! What the generated example tests (`tests/bindings_*.rs`) share: the
//! values examples are built with, and the checks run on them.

use kite::Stack;
use kite::expr::{Any, Arn, Expr, Number, Tf};
use kite::synth::{synthesize, to_pretty_json};
use kite::validate::{Check, Schemas, validate};
use proptest::prelude::*;
use serde_json::Value;

/// Builds one example into a stack.
pub type Example = fn(&mut Values, &mut Stack);

/// Hands out the values an example is built with, and remembers them, so
/// that they can be found again in the rendered output.
pub struct Values {
    strings: Vec<String>,
    numbers: Vec<i32>,
    bools: Vec<bool>,
    next: usize,
    pub given_strings: Vec<String>,
    pub given_numbers: Vec<i64>,
    pub given_bools: Vec<bool>,
}

impl Values {
    /// Plain values every check accepts: `example`, `1`, `true`.
    pub fn fixed() -> Self {
        Self::random(vec!["example".into()], vec![1], vec![true])
    }

    /// Values drawn from these pools, in turn.
    pub fn random(strings: Vec<String>, numbers: Vec<i32>, bools: Vec<bool>) -> Self {
        Values {
            strings,
            numbers,
            bools,
            next: 0,
            given_strings: Vec::new(),
            given_numbers: Vec::new(),
            given_bools: Vec::new(),
        }
    }

    fn take(&mut self) -> usize {
        self.next += 1;
        self.next
    }

    fn text(&mut self) -> String {
        let i = self.take();
        self.strings[i % self.strings.len()].clone()
    }

    pub fn string(&mut self) -> Tf<String> {
        let s = self.text();
        self.given_strings.push(s.clone());
        s.into()
    }

    pub fn arn(&mut self) -> Tf<Arn> {
        let s = format!("arn:aws:iam::123456789012:role/{}", self.text());
        self.given_strings.push(s.clone());
        Tf::<Arn>::literal(s)
    }

    pub fn number(&mut self) -> Tf<Number> {
        let i = self.take();
        let n = self.numbers[i % self.numbers.len()];
        self.given_numbers.push(n.into());
        n.into()
    }

    pub fn boolean(&mut self) -> Tf<bool> {
        let i = self.take();
        let b = self.bools[i % self.bools.len()];
        self.given_bools.push(b);
        b.into()
    }

    /// A value of a dynamic type: a string.
    pub fn any(&mut self) -> Tf<Any> {
        let s = self.text();
        self.given_strings.push(s.clone());
        Tf::from_expr(Expr::Str(s))
    }

    /// A block nested deeper than kite types: an object of these fields.
    pub fn object_of(fields: Vec<(&str, Tf<Any>)>) -> Tf<Any> {
        Tf::from_expr(Expr::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.into_expr()))
                .collect::<kite::expr::Fields>(),
        ))
    }

    /// Repeated blocks nested deeper than kite types.
    pub fn list_of(items: Vec<Tf<Any>>) -> Tf<Any> {
        Tf::from_expr(Expr::List(items.into_iter().map(Tf::into_expr).collect()))
    }
}

/// Text made of what matters to templates and JSON: `$`, `%`, braces,
/// quotes, backslashes, newlines, non-ASCII letters.
pub fn text() -> impl Strategy<Value = String> {
    "[ab$%{}\"\\\\\n é€]{0,16}"
}

/// What Terraform reads from template text without interpolations: `$${`
/// is `${` and `%%{` is `%{`, scanning left to right.
pub fn terraform_reads(template: &str) -> String {
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
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Every example synthesizes, and validates against the bundled schemas
/// without a finding.
pub fn check_examples(examples: &[(&str, Example)]) {
    assert!(!examples.is_empty());
    let schemas = Schemas::bundled();
    let mut failures = Vec::new();
    for (name, example) in examples {
        let mut stack = Stack::new("ex");
        example(&mut Values::fixed(), &mut stack);
        match synthesize(stack) {
            Ok(synthesized) => {
                for f in validate(&synthesized, &schemas) {
                    failures.push(format!("{name}: {f}"));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail:\n{}",
        failures.len(),
        examples.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// An example built with random values renders, parses back with every
/// value where it was put (literal text read back by Terraform as written),
/// and validates against the schema (AWS's naming limits aside: random
/// names break them).
pub fn check_round_trip(name: &str, example: Example, mut values: Values) {
    let mut stack = Stack::new("ex");
    example(&mut values, &mut stack);
    let synthesized = synthesize(stack).unwrap_or_else(|e| panic!("{name}: {e}"));
    let findings: Vec<String> = validate(&synthesized, &Schemas::bundled())
        .into_iter()
        .filter(|f| f.check != Check::AwsLimits)
        .map(|f| f.to_string())
        .collect();
    assert!(findings.is_empty(), "{name}: {}", findings.join("\n"));
    let text = to_pretty_json(&synthesized.document());
    let parsed: Value = serde_json::from_str(&text).unwrap();
    let mut leaves = Leaves::default();
    for section in ["resource", "data", "provider"] {
        leaves.collect(&parsed[section]);
    }
    let mut strings: Vec<String> = leaves.strings.iter().map(|s| terraform_reads(s)).collect();
    strings.sort();
    values.given_strings.sort();
    assert_eq!(strings, values.given_strings, "{name}: the strings");
    leaves.numbers.sort();
    values.given_numbers.sort();
    assert_eq!(leaves.numbers, values.given_numbers, "{name}: the numbers");
    leaves.bools.sort();
    values.given_bools.sort();
    assert_eq!(leaves.bools, values.given_bools, "{name}: the bools");
}

/// The values of a JSON document, less the `//` metadata.
#[derive(Default)]
struct Leaves {
    strings: Vec<String>,
    numbers: Vec<i64>,
    bools: Vec<bool>,
}

impl Leaves {
    fn collect(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.strings.push(s.clone()),
            Value::Number(n) => self.numbers.push(n.as_i64().unwrap_or(i64::MIN)),
            Value::Bool(b) => self.bools.push(*b),
            Value::Array(items) => items.iter().for_each(|v| self.collect(v)),
            Value::Object(map) => {
                for (k, v) in map {
                    if k != "//" {
                        self.collect(v);
                    }
                }
            }
            Value::Null => {}
        }
    }
}
