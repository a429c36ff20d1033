//! References: each names an attribute its block's type has.

use serde_json::Value;

use crate::address::{Address, BlockKind};
use crate::block::construct_path;
use crate::expr::Step;
use crate::expr::scan::Reference;
use crate::synth::{References, block_references, collect_references};

use super::blocks::Blocks;
use super::body::Kind;
use super::body::Shape;
use super::config::{LastLookup, Lookup, Providers};
use super::schema::{Cty, Nesting};
use super::{Report, did_you_mean};

/// The references of a document's blocks and outputs, read from its
/// strings (for documents that did not come from synthesis).
pub(crate) fn read(doc: &Value) -> Vec<References> {
    let mut all = Vec::new();
    for section in ["resource", "data"] {
        for (type_name, blocks) in doc[section].as_object().into_iter().flatten() {
            for (name, block) in blocks.as_object().into_iter().flatten() {
                let body = block.as_object();
                let mut found = Vec::new();
                if let Some(body) = body {
                    block_references(body, &mut found);
                }
                all.push(References {
                    json_path: References::block_json_path(section, type_name, name),
                    path: body.and_then(construct_path).unwrap_or_default().to_owned(),
                    references: found,
                });
            }
        }
    }
    for (name, output) in doc["output"].as_object().into_iter().flatten() {
        let mut found = Vec::new();
        collect_references(&output["value"], &mut found);
        all.push(References {
            json_path: format!("output.{name}"),
            path: String::new(),
            references: found,
        });
    }
    all
}

/// Every reference names an attribute its target's type has.
pub(crate) fn check(
    blocks: Blocks,
    found: &[References],
    providers: &Providers,
    report: &mut Report,
) {
    let mut last = LastLookup::default();
    if let Blocks::Synthesized(stack) = blocks {
        for block in stack.blocks() {
            let json_path = block.json_path();
            let path = Some(block.path.as_str());
            let refs = &block.references;
            check_all(refs, blocks, providers, path, &json_path, &mut last, report);
        }
    }
    for r in found {
        // Outputs are not blocks: their findings are stack-wide.
        let path = (!r.json_path.starts_with("output.")).then_some(r.path.as_str());
        check_all(
            &r.references,
            blocks,
            providers,
            path,
            &r.json_path,
            &mut last,
            report,
        );
    }
}

fn check_all<'d, 's>(
    found: &'d [Reference],
    blocks: Blocks<'d>,
    providers: &Providers<'s>,
    path: Option<&str>,
    json_path: &dyn std::fmt::Display,
    last: &mut LastLookup<'d, 's>,
    report: &mut Report,
) {
    for r in found {
        let Address::Block {
            kind,
            type_name,
            name,
        } = &r.address
        else {
            continue;
        };
        let schema_kind = match kind {
            BlockKind::Resource => Kind::Resource,
            BlockKind::Data => Kind::Data,
        };
        // Dangling references are refused by synthesis; here, the attribute.
        let Some(local) = blocks.local_name_of(*kind, type_name, name) else {
            continue;
        };
        let Lookup::Found(schema) = last.get(providers, schema_kind, type_name, local) else {
            continue;
        };
        if let Err(message) = walk(Shape::of(&schema.block), &r.steps) {
            report.error(
                path,
                json_path,
                format!("the reference to `{}`: {message}", r.address),
            );
        }
    }
}

/// Follows the steps of a reference through a block's schema.
fn walk(schema: Shape, steps: &[Step]) -> Result<(), String> {
    // `count` and `for_each` instances: `aws_x.y[0].id`.
    let steps = skip_indexes(steps);
    let Some((first, rest)) = steps.split_first() else {
        return Ok(());
    };
    let Step::Attr(name) = first else {
        return Ok(());
    };
    if let Some(attr) = schema.attributes.get(name.as_str()) {
        if let Some(nested) = attr.nested_type.as_ref() {
            let inner = Shape::of_nested(nested);
            if nested.nesting_mode == Nesting::Set && starts_with_index(rest) {
                return Err(format!(
                    "`{name}` is a set, which cannot be indexed: use tolist() first"
                ));
            }
            let rest = if nested.nesting_mode == Nesting::Single {
                rest
            } else {
                skip_indexes(rest)
            };
            return walk(inner, rest).map_err(|e| format!("`{name}`: {e}"));
        }
        return match attr.r#type.as_ref() {
            Some(ty) => walk_type(ty, rest),
            None => Ok(()),
        }
        .map_err(|e| format!("`{name}`: {e}"));
    }
    if let Some(block) = schema.block_type(name) {
        if block.nesting_mode == Nesting::Set && starts_with_index(rest) {
            return Err(format!(
                "`{name}` is a set of blocks, which cannot be indexed: use tolist() first"
            ));
        }
        let rest = match block.nesting_mode {
            Nesting::Single | Nesting::Group => rest,
            _ => skip_indexes(rest),
        };
        return walk(Shape::of(&block.block), rest).map_err(|e| format!("`{name}`: {e}"));
    }
    Err(format!(
        "the type has no attribute `{name}`{}",
        did_you_mean(name, schema.names())
    ))
}

fn walk_type(ty: &Cty, steps: &[Step]) -> Result<(), String> {
    let Some((first, rest)) = steps.split_first() else {
        return Ok(());
    };
    match (ty, first) {
        (Cty::Dynamic, _) => Ok(()),
        (Cty::List(t), Step::Index(_)) => walk_type(t, rest),
        (Cty::Set(_), Step::Index(_)) => {
            Err("it is a set, which cannot be indexed: use tolist() first".into())
        }
        (Cty::Map(t), Step::Key(_) | Step::Attr(_)) => walk_type(t, rest),
        (Cty::Tuple(ts), Step::Index(i)) => match ts.get(*i as usize) {
            Some(t) => walk_type(t, rest),
            None => Err(format!("index {i} is past the end of the tuple")),
        },
        (Cty::Object(attrs), Step::Attr(name) | Step::Key(name)) => {
            match attrs.get(name.as_str()) {
                Some(t) => walk_type(t, rest),
                None => Err(format!(
                    "it has no attribute `{name}`{}",
                    did_you_mean(name, attrs.keys().map(|k| k.as_str()))
                )),
            }
        }
        (ty, step) => Err(format!("{ty} cannot be followed by {}", describe(step))),
    }
}

fn describe(step: &Step) -> String {
    match step {
        Step::Attr(a) => format!("`.{a}`"),
        Step::Index(i) => format!("`[{i}]`"),
        Step::Key(k) => format!("`[\"{k}\"]`"),
    }
}

fn starts_with_index(steps: &[Step]) -> bool {
    matches!(steps.first(), Some(Step::Index(_)))
}

fn skip_indexes(steps: &[Step]) -> &[Step] {
    let n = steps
        .iter()
        .take_while(|s| matches!(s, Step::Index(_) | Step::Key(_)))
        .count();
    &steps[n..]
}
