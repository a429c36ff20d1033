//! What the stand-in plans and what it "creates": the provider-side rules a
//! real provider applies, reduced to the ones Terraform checks.
//!
//! - Plan: Terraform's proposed new state already holds the configuration,
//!   and the prior value of every computed attribute the configuration leaves
//!   null. So a computed attribute that is still null there is new: it is
//!   planned unknown ("known after apply"). Everything else stays as
//!   proposed; write-only attributes are planned null, as Terraform demands.
//! - Apply: every unknown becomes a deterministic fake value, derived from
//!   the resource type, the planned object and the attribute's path, shaped
//!   by the attribute's name where that is cheap (ids, ARNs, URLs, regions).
//!
//! After an apply nothing computed is null or unknown, so the next plan
//! proposes the prior state unchanged and the stand-in plans no change.

use std::collections::BTreeMap;

use crate::schema::{Attribute, Block, NestedType, Nesting};
use crate::value::{Number, Type, Value};

/// Plans `proposed` in place (see the module comment). `config` is the
/// resource's configuration, for the one attribute derived from another.
pub fn plan(block: &Block, proposed: &mut Value, config: &Value) {
    plan_block(block, proposed);
    derive_tags_all(block, proposed, config);
}

fn plan_block(block: &Block, value: &mut Value) {
    let Value::Map(attrs) = value else { return };
    for (name, attr) in &block.attributes {
        plan_attribute(attr, attrs.entry(name.clone()).or_insert(Value::Null));
    }
    for (name, nested) in &block.block_types {
        if let Some(v) = attrs.get_mut(name) {
            for_each_element(nested.nesting_mode, v, &mut |e| {
                plan_block(&nested.block, e)
            });
        }
    }
}

fn plan_attribute(attr: &Attribute, value: &mut Value) {
    if attr.write_only {
        *value = Value::Null;
    } else if attr.computed && *value == Value::Null {
        *value = Value::Unknown;
    } else if let Some(nested) = &attr.nested_type {
        for_each_element(nested.nesting_mode, value, &mut |e| plan_nested(nested, e));
    }
}

fn plan_nested(nested: &NestedType, value: &mut Value) {
    let Value::Map(attrs) = value else { return };
    for (name, attr) in &nested.attributes {
        plan_attribute(attr, attrs.entry(name.clone()).or_insert(Value::Null));
    }
}

fn for_each_element(nesting: Nesting, value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match (nesting, value) {
        (Nesting::Single | Nesting::Group, v) => f(v),
        (Nesting::List | Nesting::Set, Value::Seq(items)) => items.iter_mut().for_each(f),
        (Nesting::Map, Value::Map(items)) => items.values_mut().for_each(f),
        _ => {}
    }
}

/// The AWS provider's `tags_all` is the resource's tags merged with the
/// provider's default tags (kite sets none), known at plan time.
fn derive_tags_all(block: &Block, planned: &mut Value, config: &Value) {
    if !(block.attributes.contains_key("tags") && block.attributes.contains_key("tags_all")) {
        return;
    }
    let Value::Map(attrs) = planned else { return };
    let configured =
        matches!(config, Value::Map(c) if c.get("tags_all").is_some_and(|v| *v != Value::Null));
    if configured {
        return;
    }
    let tags_all = match attrs.get("tags") {
        Some(Value::Map(tags)) => Value::Map(tags.clone()),
        Some(Value::Unknown) => Value::Unknown,
        _ => Value::Map(BTreeMap::new()),
    };
    attrs.insert("tags_all".to_owned(), tags_all);
}

/// Replaces every unknown in `planned` (of type `ty`) with a fake value.
pub fn fill(type_name: &str, ty: &Type, planned: &mut Value) {
    let seed = fnv(
        fnv(FNV_OFFSET, type_name.as_bytes()),
        &crate::value::to_msgpack(ty, planned),
    );
    let ctx = Fill { type_name, seed };
    fill_special(&ctx, planned);
    ctx.fill(ty, planned, "", "");
}

/// Computed values kite's stacks index into, made as the real provider makes
/// them (a general fake would have the wrong number of elements).
fn fill_special(ctx: &Fill, planned: &mut Value) {
    let Value::Map(attrs) = planned else { return };
    if ctx.type_name == "aws_acm_certificate"
        && attrs.get("domain_validation_options") == Some(&Value::Unknown)
    {
        // One validation record per name on the certificate.
        let mut names = Vec::new();
        if let Some(Value::String(d)) = attrs.get("domain_name") {
            names.push(d.clone());
        }
        if let Some(Value::Seq(sans)) = attrs.get("subject_alternative_names") {
            names.extend(sans.iter().filter_map(|s| match s {
                Value::String(s) => Some(s.clone()),
                _ => None,
            }));
        }
        names.sort();
        names.dedup();
        let options = names
            .into_iter()
            .map(|name| {
                let base = name.trim_start_matches("*.");
                let token = hex(fnv(ctx.seed, base.as_bytes()));
                Value::Map(BTreeMap::from([
                    ("domain_name".to_owned(), Value::String(name.clone())),
                    (
                        "resource_record_name".to_owned(),
                        Value::String(format!("_{token}.{base}.")),
                    ),
                    (
                        "resource_record_type".to_owned(),
                        Value::String("CNAME".to_owned()),
                    ),
                    (
                        "resource_record_value".to_owned(),
                        Value::String(format!("_{token}.acm-validations.aws.")),
                    ),
                ]))
            })
            .collect();
        attrs.insert("domain_validation_options".to_owned(), Value::Seq(options));
    }
}

struct Fill<'a> {
    type_name: &'a str,
    seed: u64,
}

impl Fill<'_> {
    /// Walks `value` of type `ty`; `path` names the position (for the hash),
    /// `name` is the innermost attribute name (for the shape of strings).
    fn fill(&self, ty: &Type, value: &mut Value, path: &str, name: &str) {
        match value {
            Value::Unknown => *value = self.fake(ty, path, name),
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let elem_ty = match ty {
                        Type::List(e) | Type::Set(e) => e.as_ref(),
                        Type::Tuple(elems) => &elems[i],
                        _ => return,
                    };
                    self.fill(elem_ty, item, &format!("{path}[{i}]"), name);
                }
            }
            Value::Map(entries) => {
                for (key, item) in entries.iter_mut() {
                    match ty {
                        Type::Map(e) => self.fill(e, item, &format!("{path}[{key:?}]"), name),
                        Type::Object(attrs) => {
                            if let Some(t) = attrs.get(key) {
                                self.fill(t, item, &format!("{path}.{key}"), key);
                            }
                        }
                        _ => return,
                    }
                }
            }
            Value::Dynamic(inner_ty, inner) => self.fill(inner_ty, inner, path, name),
            _ => {}
        }
    }

    fn fake(&self, ty: &Type, path: &str, name: &str) -> Value {
        let h = fnv(self.seed, path.as_bytes());
        match ty {
            Type::String => Value::String(self.fake_string(name, h)),
            Type::Number => Value::Number(Number::Int((h % 100) as i64 + 1)),
            Type::Bool => Value::Bool(false),
            // One element: configurations index into computed collections
            // (`...[0].target_domain_name`).
            Type::List(e) | Type::Set(e) => {
                Value::Seq(vec![self.fake(e, &format!("{path}[0]"), name)])
            }
            Type::Tuple(elems) => Value::Seq(
                elems
                    .iter()
                    .enumerate()
                    .map(|(i, e)| self.fake(e, &format!("{path}[{i}]"), name))
                    .collect(),
            ),
            Type::Map(_) => Value::Map(BTreeMap::new()),
            Type::Object(attrs) => Value::Map(
                attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), self.fake(t, &format!("{path}.{k}"), k)))
                    .collect(),
            ),
            Type::Dynamic => Value::Dynamic(
                Type::String,
                Box::new(Value::String(self.fake_string(name, h))),
            ),
        }
    }

    fn fake_string(&self, name: &str, h: u64) -> String {
        let token = &hex(h)[..12];
        let (provider, kind) = self
            .type_name
            .split_once('_')
            .unwrap_or(("", self.type_name));
        if name == "arn" || name.ends_with("_arn") {
            let (service, resource) = kind.split_once('_').unwrap_or((kind, kind));
            format!("arn:aws:{service}:us-east-1:123456789012:{resource}/{token}")
        } else if name == "id" {
            format!("{kind}-{token}")
        } else if name == "region" {
            "us-east-1".to_owned()
        } else if name.ends_with("url") || name.ends_with("endpoint") || name.ends_with("uri") {
            format!("https://{token}.{provider}.example")
        } else if name.ends_with("domain_name") || name == "hostname" || name == "fqdn" {
            format!("{token}.{provider}.example")
        } else {
            format!("{name}-{token}")
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a: stable across runs and Rust versions, unlike std's hasher.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Kind, provider};

    fn attrs(v: &Value) -> &BTreeMap<String, Value> {
        match v {
            Value::Map(m) => m,
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn create_then_replan_changes_nothing() {
        let aws = provider("aws").unwrap();
        let schema = aws.schema(Kind::Resource, "aws_acm_certificate").unwrap();
        let ty = schema.block.implied_type();
        let Type::Object(types) = &ty else { panic!() };
        let mut config: BTreeMap<String, Value> =
            types.keys().map(|k| (k.clone(), Value::Null)).collect();
        config.insert("domain_name".into(), Value::String("example.com".into()));
        config.insert(
            "subject_alternative_names".into(),
            Value::Seq(vec![Value::String("*.example.com".into())]),
        );
        config.insert(
            "tags".into(),
            Value::Map(BTreeMap::from([("app".into(), Value::String("k".into()))])),
        );
        config.insert("options".into(), Value::Seq(vec![]));
        config.insert("validation_option".into(), Value::Seq(vec![]));
        let config = Value::Map(config);

        let mut planned = config.clone();
        plan(&schema.block, &mut planned, &config);
        assert_eq!(attrs(&planned)["arn"], Value::Unknown);
        assert_eq!(
            attrs(&planned)["domain_name"],
            Value::String("example.com".into())
        );
        assert_eq!(attrs(&planned)["tags_all"], attrs(&config)["tags"]);

        let mut applied = planned.clone();
        fill("aws_acm_certificate", &ty, &mut applied);
        let Value::String(arn) = &attrs(&applied)["arn"] else {
            panic!()
        };
        assert!(arn.starts_with("arn:aws:acm:"), "{arn}");
        let Value::Seq(options) = &attrs(&applied)["domain_validation_options"] else {
            panic!()
        };
        assert_eq!(options.len(), 2);

        // Deterministic: the same plan fills the same values.
        let mut again = planned.clone();
        fill("aws_acm_certificate", &ty, &mut again);
        assert_eq!(again, applied);

        // The next plan proposes the prior state; nothing is left to compute.
        let mut replanned = applied.clone();
        plan(&schema.block, &mut replanned, &config);
        assert_eq!(replanned, applied);
    }
}
