//! The arguments and nested blocks of a block, against its schema.

use serde_json::Value;

use super::config::Lookup;
use super::node::{Node, Object, Read};
use super::path::JsonPath;
use super::schema::{
    Attribute, Block, Cty, NestedAttributes, NestedBlock, Nesting, Required, Table, TypeKind,
};
use super::{Report, did_you_mean};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Resource,
    Data,
}

/// Meta-arguments: Terraform's, not the provider's.
const META: &[&str] = &[
    "//",
    "depends_on",
    "lifecycle",
    "provider",
    "count",
    "for_each",
    "provisioner",
    "connection",
];

/// Comments: the only key nested objects may have that no schema lists.
const COMMENT: &[&str] = &["//"];

const LIFECYCLE: &[&str] = &[
    "create_before_destroy",
    "prevent_destroy",
    "ignore_changes",
    "replace_triggered_by",
    "precondition",
    "postcondition",
];

/// Where the checks are: the block's construct path (when there is a
/// block) and a JSON path.
#[derive(Clone, Copy)]
pub(crate) struct At<'a> {
    pub path: Option<&'a str>,
    pub json: &'a JsonPath<'a>,
}

impl<'a> At<'a> {
    fn at(self, json: &'a JsonPath<'a>) -> At<'a> {
        At {
            path: self.path,
            json,
        }
    }

    pub fn path(self) -> Option<&'a str> {
        self.path
    }
}

/// The attributes and nested block types a body may have, and the names it
/// must give.
#[derive(Clone, Copy)]
pub(crate) struct Shape<'s> {
    pub attributes: &'s Table<'s, Attribute<'s>>,
    /// `None` for nested attributes, which have no blocks.
    pub block_types: Option<&'s Table<'s, NestedBlock<'s>>>,
    /// Listed in the schema's compact form, in the schema's order.
    required: &'s [Required<'s>],
}

impl<'s> Shape<'s> {
    pub(crate) fn of(block: &'s Block<'s>) -> Self {
        Shape {
            attributes: &block.attributes,
            block_types: Some(&block.block_types),
            required: &block.required,
        }
    }

    /// The shape of each object of a nested attribute.
    pub(crate) fn of_nested(nested: &'s NestedAttributes<'s>) -> Self {
        Shape {
            attributes: &nested.attributes,
            block_types: None,
            required: &nested.required,
        }
    }

    pub(crate) fn block_type(&self, name: &str) -> Option<&'s NestedBlock<'s>> {
        self.block_types.and_then(|b| b.get(name))
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &'s str> {
        self.attributes
            .keys()
            .chain(self.block_types.into_iter().flat_map(|b| b.keys()))
    }
}

/// Checks a block of `type_name` against its schema, `lookup` (what
/// [`Providers::lookup_in`](super::config::Providers::lookup_in) finds for it).
pub(crate) fn check_block(
    kind: Kind,
    type_name: &str,
    block: Node,
    lookup: &Lookup,
    at: At,
    report: &mut Report,
) {
    let Some(body) = block.object() else {
        report.error(
            at.path(),
            at.json,
            format!("a block must be an object, not {}", block.kind_word()),
        );
        return;
    };
    let what = match kind {
        Kind::Resource => "resource",
        Kind::Data => "data source",
    };
    match lookup {
        Lookup::Builtin => {}
        Lookup::UnknownProvider(source) => report.warning(
            at.path(),
            at.json,
            format!("no schema for provider {source}: the {what} `{type_name}` is not checked (pass --schema with `terraform providers schema -json` output)"),
        ),
        Lookup::UnknownType { source, provider } => {
            let kind = match kind {
                Kind::Resource => TypeKind::Resource,
                Kind::Data => TypeKind::Data,
            };
            report.error(
                at.path(),
                at.json,
                format!(
                    "`{type_name}` is not a {what} type of {source}{}",
                    did_you_mean(type_name, provider.names(kind).into_iter())
                ),
            );
        }
        Lookup::Found(schema) => {
            let schema = &schema.block;
            check_body(body, META, Shape::of(schema), &Named::Type(type_name), at, report);
            // Meta-arguments are JSON, a typed block's rendered to be read.
            if let Some(lifecycle) = body.get("lifecycle") {
                let json = at.json.key("lifecycle");
                check_lifecycle(&lifecycle.to_json(), schema, at.at(&json), report);
            }
        }
    }
}

/// What a body is, for messages; rendered only when reported.
pub(crate) enum Named<'a> {
    Type(&'a str),
    Provider(&'a str),
    Block(&'a str, &'a Named<'a>),
    Attribute(&'a str, &'a Named<'a>),
}

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Named::Type(t) => write!(f, "`{t}`"),
            Named::Provider(p) => write!(f, "provider `{p}`"),
            Named::Block(name, of) => write!(f, "the `{name}` block of {of}"),
            Named::Attribute(name, of) => write!(f, "`{name}` of {of}"),
        }
    }
}

/// Checks the arguments and nested blocks of `body`, leaving out the keys in `skip`.
pub(crate) fn check_body(
    body: Object,
    skip: &[&str],
    shape: Shape,
    what: &Named,
    at: At,
    report: &mut Report,
) {
    for (key, value) in body.iter() {
        if skip.contains(&&*key) {
            continue;
        }
        let json = at.json.key(&key);
        let here = at.at(&json);
        if let Some(attr) = shape.attributes.get(&key) {
            check_attribute(&key, attr, value, what, here, report);
        } else if let Some(nested) = shape.block_type(&key) {
            check_nested_block(&key, nested, value, what, here, report);
        } else {
            report.error(
                at.path(),
                &json,
                format!(
                    "`{key}` is not an argument of {what}{}",
                    did_you_mean(&key, shape.names())
                ),
            );
        }
    }
    for required in shape.required {
        let name = required.name.as_str();
        if body.get(name).is_none_or(Node::is_null) {
            report.error(
                at.path(),
                at.json,
                format!(
                    "{what} is missing the required {} `{name}`",
                    required.kind.word()
                ),
            );
        }
    }
}

fn check_attribute(
    key: &str,
    attr: &Attribute,
    value: Node,
    what: &Named,
    at: At,
    report: &mut Report,
) {
    if attr.is_computed_only() {
        report.error(
            at.path(),
            at.json,
            format!("`{key}` is computed by the provider: {what} cannot set it (read it from the handle instead)"),
        );
        return;
    }
    if attr.deprecated {
        report.warning(
            at.path(),
            at.json,
            format!("`{key}` of {what} is deprecated"),
        );
    }
    if let Some(nested) = attr.nested_type.as_ref() {
        let inner = Named::Attribute(key, what);
        let shape = Shape::of_nested(nested);
        match (nested.nesting_mode, value.read()) {
            (_, Read::Null | Read::Interpolated) => {}
            (Nesting::Single | Nesting::Group, Read::Object(m)) => {
                check_body(m, COMMENT, shape, &inner, at, report)
            }
            (Nesting::List | Nesting::Set, Read::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let json = at.json.index(i);
                    match item.object() {
                        Some(m) => check_body(m, COMMENT, shape, &inner, at.at(&json), report),
                        None => report.error(
                            at.path(),
                            &json,
                            format!("{inner} holds objects, not {}", item.kind_word()),
                        ),
                    }
                }
            }
            (Nesting::Map, Read::Object(m)) => {
                for (k, v) in m.iter() {
                    let json = at.json.key(&k);
                    if let Some(o) = v.object() {
                        check_body(o, COMMENT, shape, &inner, at.at(&json), report);
                    }
                }
            }
            (mode, _) => report.error(
                at.path(),
                at.json,
                format!(
                    "{inner} must be {}, not {}",
                    nesting_word(mode),
                    value.kind_word()
                ),
            ),
        }
        return;
    }
    if let Some(ty) = attr.r#type.as_ref() {
        check_value(key, value, ty, at, report);
    }
}

fn nesting_word(nesting: Nesting) -> &'static str {
    match nesting {
        Nesting::Single | Nesting::Group => "an object",
        Nesting::List | Nesting::Set => "a list of objects",
        Nesting::Map => "a map of objects",
    }
}

fn check_nested_block(
    name: &str,
    nested: &NestedBlock,
    value: Node,
    what: &Named,
    at: At,
    report: &mut Report,
) {
    let block_what = Named::Block(name, what);
    let shape = Shape::of(&nested.block);
    let check_item = |item: Node, at: At, report: &mut Report| match item.object() {
        Some(body) => check_body(body, COMMENT, shape, &block_what, at, report),
        None => report.error(
            at.path(),
            at.json,
            format!("{block_what} must be an object, not {}", item.kind_word()),
        ),
    };
    let count: usize = match (nested.nesting_mode, value.read()) {
        (_, Read::Null) => return,
        (Nesting::Map, Read::Object(m)) => {
            for (k, v) in m.iter() {
                let json = at.json.key(&k);
                check_item(v, at.at(&json), report);
            }
            m.len()
        }
        (_, Read::Object(_)) => {
            check_item(value, at, report);
            1
        }
        (Nesting::Single | Nesting::Group, Read::List(items)) if items.len() > 1 => {
            report.error(
                at.path(),
                at.json,
                format!(
                    "`{name}` is a single block: give one object, not {} of them",
                    items.len()
                ),
            );
            return;
        }
        (Nesting::Map, _) => {
            report.error(
                at.path(),
                at.json,
                format!(
                    "`{name}` is a map of blocks: give an object of labelled blocks, not {}",
                    value.kind_word()
                ),
            );
            return;
        }
        (_, Read::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                let json = at.json.index(i);
                check_item(item, at.at(&json), report);
            }
            items.len()
        }
        (_, _) => {
            report.error(
                at.path(),
                at.json,
                format!(
                    "`{name}` is a nested block: give an object (or a list of objects), not {}",
                    value.kind_word()
                ),
            );
            return;
        }
    };
    let count = count as u64;
    let (min_items, max_items) = (nested.min_items, nested.max_items);
    if max_items > 0 && count > max_items {
        report.error(
            at.path(),
            at.json,
            format!(
                "{what} takes at most {max_items} `{name}` block{}, not {count}",
                if max_items == 1 { "" } else { "s" }
            ),
        );
    }
    if count < min_items {
        report.error(
            at.path(),
            at.json,
            format!("{what} needs at least {min_items} `{name}` blocks, not {count}"),
        );
    }
}

/// A literal value against an attribute's type. Templates with
/// interpolations are expressions whose type only Terraform knows.
fn check_value(key: &str, value: Node, ty: &Cty, at: At, report: &mut Report) {
    let fits = match (ty, value.read()) {
        (_, Read::Interpolated) => return,
        (_, Read::Null) | (Cty::Dynamic, _) => true,
        (Cty::String, Read::Text(_) | Read::Number(_) | Read::Bool) => true,
        (Cty::Number, Read::Number(_)) => true,
        (Cty::Number, Read::Text(s)) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        (Cty::Bool, Read::Bool) => true,
        // What Terraform converts from strings.
        (Cty::Bool, Read::Text(s)) => matches!(&*s, "true" | "false" | "1" | "0"),
        (Cty::List(t) | Cty::Set(t), Read::List(items)) => {
            for (i, item) in items.iter().enumerate() {
                let json = at.json.index(i);
                check_value(key, item, t, at.at(&json), report);
            }
            true
        }
        (Cty::Map(t), Read::Object(m)) => {
            for (k, v) in m.iter() {
                let json = at.json.key(&k);
                check_value(key, v, t, at.at(&json), report);
            }
            true
        }
        (Cty::Object(attrs), Read::Object(m)) => {
            for (k, v) in m.iter() {
                let json = at.json.key(&k);
                match attrs.get(&*k) {
                    Some(t) => check_value(&k, v, t, at.at(&json), report),
                    None => report.error(
                        at.path(),
                        &json,
                        format!(
                            "`{k}` is not an attribute of `{key}`{}",
                            did_you_mean(&k, attrs.keys().map(String::as_str))
                        ),
                    ),
                }
            }
            true
        }
        (Cty::Tuple(types), Read::List(items)) => {
            for (i, (t, item)) in types.iter().zip(items.iter()).enumerate() {
                let json = at.json.index(i);
                check_value(key, item, t, at.at(&json), report);
            }
            types.len() == items.len()
        }
        _ => false,
    };
    if !fits {
        report.error(
            at.path(),
            at.json,
            format!(
                "`{key}` must be {ty}, not {} {}",
                value.kind_word(),
                preview(value)
            ),
        );
    }
}

fn preview(value: Node) -> String {
    let text = value.to_json().to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

fn check_lifecycle(lifecycle: &Value, schema: &Block, at: At, report: &mut Report) {
    let Some(lifecycle) = lifecycle.as_object() else {
        report.error(at.path(), at.json, "lifecycle must be an object");
        return;
    };
    let shape = Shape::of(schema);
    for (key, value) in lifecycle {
        let json = at.json.key(key);
        if !LIFECYCLE.contains(&key.as_str()) {
            report.error(
                at.path(),
                &json,
                format!(
                    "`{key}` is not a lifecycle argument{}",
                    did_you_mean(key, LIFECYCLE.iter())
                ),
            );
            continue;
        }
        if key != "ignore_changes" {
            continue;
        }
        let Some(items) = value.as_array() else {
            if value != "all" {
                report.error(
                    at.path(),
                    &json,
                    "ignore_changes is a list of argument names, or \"all\"",
                );
            }
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let name = item.as_str().unwrap_or_default();
            let root = name.split(['.', '[']).next().unwrap_or(name);
            if !shape.attributes.contains_key(root) && shape.block_type(root).is_none() {
                report.error(
                    at.path(),
                    &json.index(i),
                    format!(
                        "ignore_changes names `{name}`, which is not an argument of the type{}",
                        did_you_mean(root, shape.names())
                    ),
                );
            }
        }
    }
}
