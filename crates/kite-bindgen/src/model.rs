//! From a provider's schema and overlay to the types to generate: one per
//! resource, data source, nested block and object-valued attribute, grouped
//! into modules.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};

use crate::names::{camel, doc_lines, ident};
use crate::overlay::Overlay;
use kite_schema::{
    AttributeSchema as Attribute, BlockSchema as Block, Cty, Nesting, ProviderSchema,
};

/// The type of an argument or attribute, as kite's expression types name it.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    Arn,
    Num,
    Bool,
    Any,
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>),
    /// A generated object type.
    Named(String),
}

impl Ty {
    pub fn rust(&self) -> String {
        match self {
            Ty::Str => "String".into(),
            Ty::Arn => "Arn".into(),
            Ty::Num => "Number".into(),
            Ty::Bool => "bool".into(),
            Ty::Any => "Any".into(),
            Ty::List(t) => format!("List<{}>", t.rust()),
            Ty::Set(t) => format!("Set<{}>", t.rust()),
            Ty::Map(t) => format!("Map<{}>", t.rust()),
            Ty::Named(n) => n.clone(),
        }
    }

    fn with_arn(self) -> Ty {
        match self {
            Ty::Str => Ty::Arn,
            Ty::List(t) => Ty::List(Box::new(t.with_arn())),
            Ty::Set(t) => Ty::Set(Box::new(t.with_arn())),
            other => other,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Shape {
    /// An argument: an expression of this type.
    Attr(Ty),
    /// A nested block of a generated type (`None`: deeper than the depth
    /// limit, given as an untyped value). `once`: written as one object,
    /// else as a list. `state`: what reading it gives.
    Block {
        ty: Option<String>,
        once: bool,
        state: Ty,
        /// For an untyped block: what it needs at least (its required
        /// arguments and blocks), for examples.
        least: Vec<(String, Least)>,
    },
}

/// The least value of an untyped nested block's field.
#[derive(Clone, Debug)]
pub enum Least {
    Value(Ty),
    Object(Vec<(String, Least)>),
    List(Box<Least>),
}

#[derive(Clone, Debug)]
pub struct Field {
    /// The schema's name.
    pub tf: String,
    /// The setter, and the field of the required-arguments struct.
    pub setter: String,
    /// The getter.
    pub getter: String,
    pub docs: Vec<String>,
    pub required: bool,
    pub settable: bool,
    pub deprecated: bool,
    pub shape: Shape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Resource {
        taggable: bool,
    },
    Data,
    Provider,
    /// A nested block.
    Block,
    /// The value of an object attribute; `settable`: a builder, else only a
    /// marker whose fields can be read.
    Object {
        settable: bool,
    },
}

#[derive(Clone, Debug)]
pub struct TypeDef {
    pub name: String,
    pub kind: Kind,
    /// Where it is in the schema: `aws_lambda_function` or `aws_lambda_function.environment`.
    pub tf_path: String,
    /// The Terraform type it belongs to.
    pub tf_type: String,
    pub docs: Vec<String>,
    pub fields: Vec<Field>,
}

impl TypeDef {
    pub fn required(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.required && f.settable)
    }

    pub fn optional(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.required && f.settable)
    }
}

/// The types of one module, in a fixed order.
#[derive(Debug, Default)]
pub struct Module {
    pub name: String,
    pub types: Vec<TypeDef>,
}

/// Everything generated for one provider.
#[derive(Debug)]
pub struct Model {
    pub provider: Option<TypeDef>,
    /// Types of the provider configuration's nested blocks.
    pub provider_types: Vec<TypeDef>,
    pub modules: BTreeMap<String, Module>,
}

/// Methods every handle has (the `Handle` trait).
const HANDLE_METHODS: &[&str] = &["block_ref"];
/// Views of object values have no methods but their getters.
const TF_METHODS: &[&str] = &[];
/// Methods of builders.
const BUILDER_METHODS: &[&str] = &["new"];

struct Builder<'a> {
    overlay: &'a Overlay,
    depth_limit: usize,
    /// Every name given so far, with the names derived from it (`Args`,
    /// `Ref`, `Fields`): a nested type whose name is taken gets a suffix.
    taken: std::cell::RefCell<BTreeSet<String>>,
}

/// The names generated code derives from a type's name.
const DERIVED: [&str; 4] = ["", "Args", "Ref", "Fields"];

pub fn build(schema: &ProviderSchema, overlay: &Overlay, depth_limit: usize) -> Result<Model> {
    let b = Builder {
        overlay,
        depth_limit,
        taken: Default::default(),
    };
    let top_level: Vec<String> = schema
        .resource_schemas
        .keys()
        .map(|tf| resource_name(tf, overlay))
        .chain(
            schema
                .data_source_schemas
                .keys()
                .map(|tf| data_name(tf, overlay)),
        )
        .collect();
    for name in &top_level {
        b.reserve(name);
    }
    let mut modules: BTreeMap<String, Module> = BTreeMap::new();
    for (kind, types) in [
        ("resource", &schema.resource_schemas),
        ("data", &schema.data_source_schemas),
    ] {
        for (tf, s) in types {
            let module_name = if overlay.flat {
                String::new()
            } else {
                overlay.module_of(tf)
            };
            let module = modules
                .entry(module_name.clone())
                .or_insert_with(|| Module {
                    name: module_name,
                    types: Vec::new(),
                });
            let (name, kind) = if kind == "resource" {
                let taggable = taggable(tf, &s.block, overlay);
                (resource_name(tf, overlay), Kind::Resource { taggable })
            } else {
                (data_name(tf, overlay), Kind::Data)
            };
            b.block_type(&name, kind, tf, tf, &s.block, 0, &mut module.types)?;
        }
    }
    let mut provider_types = Vec::new();
    let provider = match (&schema.provider, overlay.builtin) {
        (Some(p), false) => {
            let name = format!("{}Provider", camel(&overlay.local_name));
            let mut types = Vec::new();
            b.block_type(
                &name,
                Kind::Provider,
                "provider",
                "provider",
                &p.block,
                0,
                &mut types,
            )?;
            let main = types.remove(0);
            provider_types = types;
            Some(main)
        }
        _ => None,
    };
    let clashes: Vec<String> = modules
        .values()
        .filter_map(|m| check_unique(m.types.iter().map(|t| (&t.name, &t.tf_path)), &m.name).err())
        .map(|e| e.to_string())
        .collect();
    if !clashes.is_empty() {
        bail!("{}", clashes.join("\n"));
    }
    Ok(Model {
        provider,
        provider_types,
        modules,
    })
}

/// Names of what generated code uses from kite: a type may not have one.
const KITE_NAMES: &[&str] = &[
    "Any",
    "Arn",
    "BlockRef",
    "BlockType",
    "Body",
    "DataSource",
    "Expr",
    "Handle",
    "List",
    "Map",
    "Number",
    "Object",
    "Provider",
    "ProviderRequirement",
    "Resource",
    "Set",
    "Tf",
    "TypedHandle",
    "Value",
    "field",
];

/// A resource's type: its Terraform type without the provider's prefix,
/// in camel case (`aws_sqs_queue` → `SqsQueue`), as cdktf names it; with
/// the prefix where the short name is one kite uses (`cloudflare_list` →
/// `CloudflareList`).
fn resource_name(tf: &str, overlay: &Overlay) -> String {
    overlay.names.get(tf).cloned().unwrap_or_else(|| {
        let short = camel(
            tf.strip_prefix(&format!("{}_", overlay.local_name))
                .unwrap_or(tf),
        );
        if KITE_NAMES.contains(&short.as_str()) {
            camel(tf)
        } else {
            short
        }
    })
}

/// A data source's type: `Data` and its whole Terraform type in camel case
/// (`aws_region` → `DataAwsRegion`), as cdktf names it.
fn data_name(tf: &str, overlay: &Overlay) -> String {
    overlay
        .names
        .get(&format!("data.{tf}"))
        .cloned()
        .unwrap_or_else(|| format!("Data{}", camel(tf)))
}

/// Two types of one module with one name: ask for a naming exception.
fn check_unique<'a>(
    names: impl Iterator<Item = (&'a String, &'a String)>,
    module: &str,
) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    let mut clashes = Vec::new();
    for (name, path) in names {
        for suffix in ["", "Ref", "Args"] {
            let full = format!("{name}{suffix}");
            if let Some(first) = seen.get(full.as_str()) {
                clashes.push(format!("`{full}` for both `{first}` and `{path}`"));
            }
        }
        seen.insert(name, path);
    }
    if !clashes.is_empty() {
        bail!(
            "module `{module}` would have two types of one name: {}. Add a naming exception to the overlay's [names] table",
            clashes.join("; ")
        );
    }
    Ok(())
}

/// A resource whose `tags` is a settable map of strings takes tags from
/// tagging aspects, unless the overlay says otherwise.
fn taggable(tf: &str, block: &Block, overlay: &Overlay) -> bool {
    let plain_map = block.attributes.get("tags").is_some_and(|a| {
        (a.optional || a.required) && a.r#type == Some(Cty::Map(Box::new(Cty::String)))
    });
    plain_map && !overlay.tags.exclude.contains(tf)
}

impl Builder<'_> {
    /// The type for `block` and, after it, those of its nested blocks and
    /// object attributes.
    #[allow(clippy::too_many_arguments)]
    fn block_type(
        &self,
        name: &str,
        kind: Kind,
        tf_type: &str,
        tf_path: &str,
        block: &Block,
        depth: usize,
        out: &mut Vec<TypeDef>,
    ) -> Result<()> {
        let at = out.len();
        out.push(TypeDef {
            name: name.to_owned(),
            kind: kind.clone(),
            tf_path: tf_path.to_owned(),
            tf_type: tf_type.to_owned(),
            docs: block
                .description
                .as_deref()
                .map(doc_lines)
                .unwrap_or_default(),
            fields: Vec::new(),
        });
        let taken_getters: &[&str] = match kind {
            Kind::Resource { .. } | Kind::Data | Kind::Provider => HANDLE_METHODS,
            _ => TF_METHODS,
        };
        let owner = if kind == Kind::Provider {
            "provider"
        } else {
            tf_type
        };
        let mut fields = Vec::new();
        // Attributes and blocks share one namespace in a schema; keep the
        // schema's order (sorted by name) for both together.
        let mut names: BTreeSet<&str> = block.attributes.keys().map(String::as_str).collect();
        names.extend(block.block_types.keys().map(String::as_str));
        for field_name in names {
            let path = sub_path(tf_path, field_name, tf_type);
            if self.overlay.is_secret(owner, &path) {
                continue;
            }
            let child_name = self.child_name(name, field_name, tf_type, &path);
            let field = if let Some(a) = block.attributes.get(field_name) {
                let ty = self.attribute_type(
                    a,
                    &child_name,
                    tf_type,
                    &format!("{tf_path}.{field_name}"),
                    depth,
                    out,
                )?;
                let ty = if self.overlay.is_arn(tf_type, &path) {
                    ty.with_arn()
                } else {
                    ty
                };
                Field {
                    tf: field_name.to_owned(),
                    setter: ident(field_name, BUILDER_METHODS),
                    getter: ident(field_name, taken_getters),
                    docs: attribute_docs(a),
                    required: a.required,
                    settable: a.required || a.optional,
                    deprecated: a.deprecated,
                    shape: Shape::Attr(ty),
                }
            } else {
                let nb = &block.block_types[field_name];
                let once = matches!(nb.nesting_mode, Nesting::Single | Nesting::Group)
                    || nb.max_items == 1;
                let typed = depth < self.depth_limit;
                let inner = if typed {
                    self.block_type(
                        &child_name,
                        Kind::Block,
                        tf_type,
                        &format!("{tf_path}.{field_name}"),
                        &nb.block,
                        depth + 1,
                        out,
                    )?;
                    Ty::Named(child_name.clone())
                } else {
                    Ty::Any
                };
                let state = match nb.nesting_mode {
                    Nesting::Single | Nesting::Group => inner,
                    Nesting::List => Ty::List(Box::new(inner)),
                    Nesting::Set => Ty::Set(Box::new(inner)),
                    Nesting::Map => Ty::Map(Box::new(inner)),
                };
                let state = if typed { state } else { Ty::Any };
                Field {
                    tf: field_name.to_owned(),
                    setter: ident(field_name, BUILDER_METHODS),
                    getter: ident(field_name, taken_getters),
                    docs: nb
                        .block
                        .description
                        .as_deref()
                        .map(doc_lines)
                        .unwrap_or_default(),
                    required: nb.min_items >= 1,
                    settable: true,
                    deprecated: nb.block.deprecated,
                    shape: Shape::Block {
                        ty: typed.then_some(child_name),
                        once,
                        state,
                        least: if typed {
                            Vec::new()
                        } else {
                            least_of(&nb.block)
                        },
                    },
                }
            };
            fields.push(field);
        }
        out[at].fields = fields;
        Ok(())
    }

    fn reserve(&self, name: &str) {
        let mut taken = self.taken.borrow_mut();
        for suffix in DERIVED {
            taken.insert(format!("{name}{suffix}"));
        }
    }

    fn is_free(&self, name: &str) -> bool {
        let taken = self.taken.borrow();
        DERIVED
            .iter()
            .all(|suffix| !taken.contains(&format!("{name}{suffix}")))
    }

    /// The name of a nested type: the parent's name and the field's
    /// (`LambdaFunction` + `logging_config`), unless the overlay names it;
    /// where that (or a name derived from it) is taken, with the suffix
    /// `Block`, then a number.
    fn child_name(&self, parent: &str, field: &str, tf_type: &str, path: &str) -> String {
        let name = match self.overlay.names.get(&format!("{tf_type}.{path}")) {
            Some(name) => name.clone(),
            None => {
                let natural = format!("{parent}{}", camel(field));
                let mut name = natural.clone();
                let mut n = 1;
                while !self.is_free(&name) {
                    name = if n == 1 {
                        format!("{natural}Block")
                    } else {
                        format!("{natural}Block{n}")
                    };
                    n += 1;
                }
                name
            }
        };
        self.reserve(&name);
        name
    }

    fn attribute_type(
        &self,
        a: &Attribute,
        name: &str,
        tf_type: &str,
        tf_path: &str,
        depth: usize,
        out: &mut Vec<TypeDef>,
    ) -> Result<Ty> {
        let settable = a.required || a.optional;
        if let Some(nested) = &a.nested_type {
            if depth >= self.depth_limit {
                return Ok(Ty::Any);
            }
            let at = out.len();
            out.push(TypeDef {
                name: name.to_owned(),
                kind: Kind::Object { settable },
                tf_path: tf_path.to_owned(),
                tf_type: tf_type.to_owned(),
                docs: Vec::new(),
                fields: Vec::new(),
            });
            let mut fields = Vec::new();
            for (field_name, inner) in &nested.attributes {
                let path = sub_path(tf_path, field_name, tf_type);
                let child = self.child_name(name, field_name, tf_type, &path);
                let ty = self.attribute_type(
                    inner,
                    &child,
                    tf_type,
                    &format!("{tf_path}.{field_name}"),
                    depth + 1,
                    out,
                )?;
                let ty = if self.overlay.is_arn(tf_type, &path) {
                    ty.with_arn()
                } else {
                    ty
                };
                fields.push(Field {
                    tf: field_name.clone(),
                    setter: ident(field_name, BUILDER_METHODS),
                    getter: ident(field_name, TF_METHODS),
                    docs: attribute_docs(inner),
                    required: inner.required,
                    settable: settable && (inner.required || inner.optional),
                    deprecated: inner.deprecated,
                    shape: Shape::Attr(ty),
                });
            }
            out[at].fields = fields;
            let object = Ty::Named(name.to_owned());
            return Ok(match nested.nesting_mode {
                Nesting::Single | Nesting::Group => object,
                Nesting::List => Ty::List(Box::new(object)),
                Nesting::Set => Ty::Set(Box::new(object)),
                Nesting::Map => Ty::Map(Box::new(object)),
            });
        }
        let cty = a.r#type.clone().unwrap_or(Cty::Dynamic);
        self.cty_type(&cty, name, tf_type, tf_path, settable, depth, out)
    }

    #[allow(clippy::too_many_arguments)]
    fn cty_type(
        &self,
        cty: &Cty,
        name: &str,
        tf_type: &str,
        tf_path: &str,
        settable: bool,
        depth: usize,
        out: &mut Vec<TypeDef>,
    ) -> Result<Ty> {
        Ok(match cty {
            Cty::String => Ty::Str,
            Cty::Number => Ty::Num,
            Cty::Bool => Ty::Bool,
            Cty::Dynamic | Cty::Tuple(_) => Ty::Any,
            Cty::List(t) => Ty::List(Box::new(
                self.cty_type(t, name, tf_type, tf_path, settable, depth, out)?,
            )),
            Cty::Set(t) => Ty::Set(Box::new(
                self.cty_type(t, name, tf_type, tf_path, settable, depth, out)?,
            )),
            Cty::Map(t) => Ty::Map(Box::new(
                self.cty_type(t, name, tf_type, tf_path, settable, depth, out)?,
            )),
            Cty::Object(attrs) => {
                if depth >= self.depth_limit {
                    return Ok(Ty::Any);
                }
                let at = out.len();
                out.push(TypeDef {
                    name: name.to_owned(),
                    kind: Kind::Object { settable },
                    tf_path: tf_path.to_owned(),
                    tf_type: tf_type.to_owned(),
                    docs: Vec::new(),
                    fields: Vec::new(),
                });
                let mut fields = Vec::new();
                for (field_name, inner) in attrs {
                    let path = sub_path(tf_path, field_name, tf_type);
                    let child = self.child_name(name, field_name, tf_type, &path);
                    let ty = self.cty_type(
                        inner,
                        &child,
                        tf_type,
                        &format!("{tf_path}.{field_name}"),
                        settable,
                        depth + 1,
                        out,
                    )?;
                    let ty = if self.overlay.is_arn(tf_type, &path) {
                        ty.with_arn()
                    } else {
                        ty
                    };
                    fields.push(Field {
                        tf: field_name.clone(),
                        setter: ident(field_name, BUILDER_METHODS),
                        getter: ident(field_name, TF_METHODS),
                        docs: Vec::new(),
                        // An object type needs every attribute.
                        required: settable,
                        settable,
                        deprecated: false,
                        shape: Shape::Attr(ty),
                    });
                }
                out[at].fields = fields;
                Ty::Named(name.to_owned())
            }
        })
    }
}

/// The required arguments and blocks of a block, recursively.
fn least_of(block: &Block) -> Vec<(String, Least)> {
    let mut out = Vec::new();
    for (name, a) in &block.attributes {
        if a.required {
            out.push((
                name.clone(),
                least_cty(a.r#type.as_ref().unwrap_or(&Cty::Dynamic)),
            ));
        }
    }
    for (name, b) in &block.block_types {
        if b.min_items >= 1 {
            let inner = Least::Object(least_of(&b.block));
            let once =
                matches!(b.nesting_mode, Nesting::Single | Nesting::Group) || b.max_items == 1;
            out.push((
                name.clone(),
                if once {
                    inner
                } else {
                    Least::List(Box::new(inner))
                },
            ));
        }
    }
    out
}

fn least_cty(cty: &Cty) -> Least {
    match cty {
        Cty::String => Least::Value(Ty::Str),
        Cty::Number => Least::Value(Ty::Num),
        Cty::Bool => Least::Value(Ty::Bool),
        Cty::List(t) | Cty::Set(t) => Least::List(Box::new(least_cty(t))),
        Cty::Object(attrs) => Least::Object(
            attrs
                .iter()
                .map(|(k, v)| (k.clone(), least_cty(v)))
                .collect(),
        ),
        Cty::Map(_) | Cty::Dynamic | Cty::Tuple(_) => Least::Value(Ty::Any),
    }
}

/// The path of a field below its Terraform type (`logging_config.log_group`).
fn sub_path(tf_path: &str, field: &str, tf_type: &str) -> String {
    match tf_path
        .strip_prefix(tf_type)
        .and_then(|p| p.strip_prefix('.'))
    {
        Some(parent) => format!("{parent}.{field}"),
        None => field.to_owned(),
    }
}

fn attribute_docs(a: &Attribute) -> Vec<String> {
    let mut docs = a.description.as_deref().map(doc_lines).unwrap_or_default();
    if a.write_only {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("Write-only: Terraform sends it to the provider and never stores it in the state (Terraform 1.11+).".into());
    }
    docs
}
