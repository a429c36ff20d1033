//! Rust source for a [`Model`](crate::model::Model).
//!
//! The code is plain and small per type, so that thousands of types compile
//! fast: a type wraps kite's `Body`; each setter is one generic line (only
//! compiled where used); getters are one line each; no derives but `Clone`
//! and `Debug`, no macros.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{Field, Kind, Model, Module, Shape, TypeDef};
use crate::overlay::Overlay;

/// How the generated code refers to kite.
#[derive(Clone, Debug)]
pub struct Target {
    /// `crate` inside kite itself, `kite` in a user's crate.
    pub kite: String,
    /// Shown in each file's header: what it was generated from.
    pub source_note: String,
}

/// The files of one provider, by path relative to its output directory.
pub fn files(model: &Model, overlay: &Overlay, target: &Target) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut root = header(target);
    let _ = writeln!(
        root,
        "//! Typed resources and data sources of `{}`{}.\n",
        overlay.source,
        if overlay.flat {
            String::new()
        } else {
            format!(
                ", one module per service (the first word of a type's name after `{}_`, or the overlay's prefix)",
                overlay.local_name
            )
        }
    );
    root.push_str(LINTS);
    let _ = writeln!(
        root,
        "use {}::bindings::ProviderRequirement;\n",
        target.kite
    );
    if overlay.builtin {
        let _ = writeln!(
            root,
            "/// `{}`, built into Terraform: no `required_providers` entry.\npub const PROVIDER: ProviderRequirement = ProviderRequirement::builtin({:?}, {:?});\n",
            overlay.source, overlay.local_name, overlay.source
        );
    } else {
        let _ = writeln!(
            root,
            "/// `{}` at `{}`, the versions these types were generated from.\npub const PROVIDER: ProviderRequirement = ProviderRequirement::new({:?}, {:?}, {:?});\n",
            overlay.source, overlay.version, overlay.local_name, overlay.source, overlay.version
        );
    }
    if let Some(provider) = &model.provider {
        let _ = writeln!(
            root,
            "pub mod provider;\npub use provider::{};\n",
            provider.name
        );
        let mut code = header(target);
        let _ = writeln!(
            code,
            "//! The `provider \"{}\"` configuration block.\n",
            overlay.local_name
        );
        code.push_str(LINTS);
        code.push_str(&prelude(target));
        let mut all = vec![provider.clone()];
        all.extend(model.provider_types.iter().cloned());
        for t in &all {
            type_code(&mut code, t, "super::PROVIDER");
        }
        files.insert("provider.rs".to_owned(), code);
    }
    if overlay.flat {
        root.push_str(&prelude(target));
        for module in model.modules.values() {
            for t in &module.types {
                type_code(&mut root, t, "PROVIDER");
            }
        }
    } else {
        for module in model.modules.values() {
            let compiled = Compiled::of(overlay, module);
            if let Some(f) = compiled.module_gate() {
                let _ = writeln!(root, "#[cfg(feature = {f:?})]");
            }
            let _ = writeln!(root, "pub mod {};", ident_of_module(&module.name));
            files.insert(
                format!("{}.rs", module.name),
                module_code(module, overlay, &compiled, target),
            );
        }
    }
    files.insert("mod.rs".to_owned(), root);
    files
}

/// How a module is compiled, from the overlay's features and
/// `always_compiled`.
pub enum Compiled {
    /// Whatever the features: the overlay names none, or every type of the
    /// module is always compiled.
    Always,
    /// With its feature.
    WithFeature(String),
    /// Its types listed in `always_compiled` whatever the features; the
    /// rest with its feature.
    Partly(String),
}

impl Compiled {
    pub fn of(overlay: &Overlay, module: &Module) -> Compiled {
        let Some(prefix) = &overlay.feature_prefix else {
            return Compiled::Always;
        };
        let feature = format!("{prefix}-{}", module.name.replace('_', "-"));
        let always = module
            .types
            .iter()
            .filter(|t| always_compiled(overlay, t))
            .count();
        match always {
            0 => Compiled::WithFeature(feature),
            n if n == module.types.len() => Compiled::Always,
            _ => Compiled::Partly(feature),
        }
    }

    /// The Cargo feature that compiles all of the module, if any.
    pub fn feature(&self) -> Option<&str> {
        match self {
            Compiled::Always => None,
            Compiled::WithFeature(f) | Compiled::Partly(f) => Some(f),
        }
    }

    /// The feature the module's declaration needs.
    pub fn module_gate(&self) -> Option<&str> {
        match self {
            Compiled::WithFeature(f) => Some(f),
            _ => None,
        }
    }

    /// The feature a type of the module needs besides the module's own.
    pub fn type_gate(&self, overlay: &Overlay, t: &TypeDef) -> Option<&str> {
        match self {
            Compiled::Partly(f) if !always_compiled(overlay, t) => Some(f),
            _ => None,
        }
    }
}

/// Whether a type is compiled whatever the features: the overlay lists the
/// Terraform type it belongs to (nested blocks go with their type).
fn always_compiled(overlay: &Overlay, t: &TypeDef) -> bool {
    overlay.always_compiled.contains(&t.tf_type)
}

fn ident_of_module(name: &str) -> String {
    crate::names::ident(name, &[])
}

/// Lints are for code people write: generated names follow the schema
/// (`add`, `into_x`), and descriptions are the provider's markdown.
const LINTS: &str = "#![allow(clippy::all, rustdoc::all)]\n\n";

fn header(target: &Target) -> String {
    format!(
        "// @generated by kite-bindgen from {}.\n// Do not edit: change the overlay or the generator, then run `cargo run -p kite-bindgen`.\n\n",
        target.source_note
    )
}

fn prelude(target: &Target) -> String {
    format!(
        "#[allow(unused_imports)]\nuse {}::bindings::*;\n\n",
        target.kite
    )
}

fn module_code(module: &Module, overlay: &Overlay, compiled: &Compiled, target: &Target) -> String {
    let mut code = header(target);
    let types: Vec<&str> = module
        .types
        .iter()
        .filter(|t| matches!(t.kind, Kind::Resource { .. } | Kind::Data))
        .map(|t| t.tf_type.as_str())
        .collect();
    let _ = writeln!(
        code,
        "//! `{}`: {}.\n",
        module.name,
        summarize(&types, &overlay.local_name)
    );
    code.push_str(LINTS);
    code.push_str(&prelude(target));
    match compiled {
        // Some types always, the rest with the module's feature: a module
        // within the file, its types re-exported where the others are.
        Compiled::Partly(f) => {
            let (always, gated): (Vec<&TypeDef>, Vec<&TypeDef>) = module
                .types
                .iter()
                .partition(|t| always_compiled(overlay, t));
            for t in always {
                type_code(&mut code, t, "super::PROVIDER");
            }
            let _ = writeln!(
                code,
                "/// The rest of `{}`, with the `{f}` feature.\n#[cfg(feature = {f:?})]\npub use gated::*;\n\n#[cfg(feature = {f:?})]\nmod gated {{\n    use super::*;\n",
                module.name
            );
            let mut inner = String::new();
            for t in gated {
                type_code(&mut inner, t, "super::super::PROVIDER");
            }
            for line in inner.lines() {
                if line.is_empty() {
                    code.push('\n');
                } else {
                    let _ = writeln!(code, "    {line}");
                }
            }
            code.push_str("}\n");
        }
        _ => {
            for t in &module.types {
                type_code(&mut code, t, "super::PROVIDER");
            }
        }
    }
    code
}

/// `aws_sqs_queue`, `aws_sqs_queue_policy` and 3 more.
fn summarize(types: &[&str], _local: &str) -> String {
    let shown: Vec<String> = types.iter().take(6).map(|t| format!("`{t}`")).collect();
    if types.len() > shown.len() {
        format!(
            "{} and {} more",
            shown.join(", "),
            types.len() - shown.len()
        )
    } else {
        shown.join(", ")
    }
}

fn docs(code: &mut String, lines: &[String], indent: &str) {
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(code, "{indent}///");
        } else {
            let _ = writeln!(code, "{indent}/// {line}");
        }
    }
}

/// `provider`: how the code reaches the module's `PROVIDER` constant.
fn type_code(code: &mut String, t: &TypeDef, provider: &str) {
    let name = &t.name;
    match &t.kind {
        Kind::Resource { .. } => {
            let _ = writeln!(code, "/// The resource `{}`.", t.tf_path);
        }
        Kind::Data => {
            let _ = writeln!(code, "/// The data source `{}`.", t.tf_path);
        }
        Kind::Provider => {
            let _ = writeln!(
                code,
                "/// The provider configuration. Secrets (credentials, tokens) cannot be set here: the provider reads them from the environment, so none is written to the output."
            );
        }
        Kind::Block => {
            let _ = writeln!(code, "/// The nested block `{}`.", t.tf_path);
        }
        Kind::Object { .. } => {
            let _ = writeln!(code, "/// The value of `{}`.", t.tf_path);
        }
    }
    if !t.docs.is_empty() {
        let _ = writeln!(code, "///");
        docs(code, &t.docs, "");
    }
    if t.kind == (Kind::Object { settable: false }) {
        // Only read, never built: a marker for `Tf<...>`.
        let _ = writeln!(
            code,
            "#[derive(Clone, Copy, Debug)]\npub enum {name} {{}}\n"
        );
        getters_of_value(code, t);
        return;
    }
    newtype(code, "", name, "Body");
    let required: Vec<&Field> = t.required().collect();
    if !required.is_empty() {
        let _ = writeln!(
            code,
            "/// The required arguments of [`{name}`].\n#[derive(Clone, Debug)]\npub struct {name}Args {{"
        );
        for f in &required {
            docs(code, &f.docs, "    ");
            let _ = writeln!(code, "    pub {}: {},", f.setter, args_type(f));
        }
        let _ = writeln!(code, "}}\n");
    }
    let _ = writeln!(code, "impl {name} {{");
    if required.is_empty() {
        let _ = writeln!(
            code,
            "    #[inline]\n    pub fn new() -> Self {{\n        Self(Body::new())\n    }}\n"
        );
    } else {
        let _ = writeln!(
            code,
            "    /// With its required arguments; set the others with the methods of their names.\n    #[inline]\n    pub fn new(args: {name}Args) -> Self {{\n        Self(Body::of(["
        );
        for f in &required {
            let _ = writeln!(code, "            ({:?}, {}),", f.tf, args_value(f));
        }
        let _ = writeln!(code, "        ]))\n    }}\n");
    }
    if t.kind == Kind::Provider {
        let _ = writeln!(
            code,
            "    /// Makes this an extra configuration that blocks select with their `provider` meta-argument.\n    pub fn alias(mut self, alias: impl Into<String>) -> Self {{\n        self.0.set(\"alias\", Tf::<String>::from(alias.into()));\n        self\n    }}\n"
        );
    }
    for f in t.optional() {
        setter(code, f);
    }
    let _ = writeln!(code, "}}\n");
    match &t.kind {
        Kind::Resource { taggable } => {
            let _ = writeln!(
                code,
                "{}impl Resource for {name} {{\n    const TYPE: &'static str = {:?};\n    const PROVIDER: ProviderRequirement = {provider};\n    const TAGGABLE: bool = {taggable};\n    type Ref = {name}Ref;\n}}\n",
                block_type(name),
                t.tf_type
            );
            handle(code, t);
        }
        Kind::Data => {
            let _ = writeln!(
                code,
                "{}impl DataSource for {name} {{\n    const TYPE: &'static str = {:?};\n    const PROVIDER: ProviderRequirement = {provider};\n    type Ref = {name}Ref;\n}}\n",
                block_type(name),
                t.tf_type
            );
            handle(code, t);
        }
        Kind::Provider => {
            let _ = writeln!(
                code,
                "impl Provider for {name} {{\n    const REQUIREMENT: ProviderRequirement = super::PROVIDER;\n    fn alias(&self) -> Option<&str> {{\n        self.0.expr(\"alias\").and_then(Expr::as_literal_str)\n    }}\n    fn into_body(self) -> Body {{\n        self.0\n    }}\n}}\n"
            );
        }
        Kind::Block => {
            getters_of_value(code, t);
        }
        Kind::Object { .. } => {
            let _ = writeln!(
                code,
                "impl From<{name}> for Tf<{name}> {{\n    #[inline]\n    fn from(value: {name}) -> Self {{\n        Tf::from_expr(value.0.into_object())\n    }}\n}}\n"
            );
            getters_of_value(code, t);
        }
    }
}

fn block_type(name: &str) -> String {
    format!(
        "impl BlockType for {name} {{\n    #[inline]\n    fn into_body(self) -> Body {{\n        self.0\n    }}\n    #[inline]\n    fn from_body(body: Body) -> Self {{\n        Self(body)\n    }}\n}}\n\n"
    )
}

/// The type of a required argument in the `...Args` struct.
fn args_type(f: &Field) -> String {
    match &f.shape {
        Shape::Attr(ty) => format!("Tf<{}>", ty.rust()),
        Shape::Block { ty: Some(ty), .. } => ty.clone(),
        Shape::Block { ty: None, .. } => "Tf<Any>".into(),
    }
}

/// The value of a required argument, from the `...Args` struct.
fn args_value(f: &Field) -> String {
    let field = format!("args.{}", f.setter);
    match &f.shape {
        Shape::Attr(_) | Shape::Block { ty: None, .. } => format!("{field}.into()"),
        Shape::Block { once: true, .. } => format!("Value::Block({field}.0)"),
        Shape::Block { once: false, .. } => format!("Value::Blocks(vec![{field}.0])"),
    }
}

fn setter(code: &mut String, f: &Field) {
    docs(code, &f.docs, "    ");
    if f.deprecated {
        let _ = writeln!(
            code,
            "    #[deprecated(note = \"deprecated by the provider\")]"
        );
    }
    let name = &f.setter;
    let key = &f.tf;
    match &f.shape {
        Shape::Attr(ty) => {
            let _ = writeln!(
                code,
                "    pub fn {name}(mut self, value: impl Into<Tf<{}>>) -> Self {{\n        self.0.set({key:?}, value.into());\n        self\n    }}\n",
                ty.rust()
            );
        }
        Shape::Block {
            ty: Some(ty), once, ..
        } => {
            let call = if *once { "set_block" } else { "push_block" };
            if !*once && f.docs.is_empty() {
                let _ = writeln!(code, "    /// Adds one block; call again for more.");
            }
            let _ = writeln!(
                code,
                "    pub fn {name}(mut self, block: {ty}) -> Self {{\n        self.0.{call}({key:?}, block.0);\n        self\n    }}\n"
            );
        }
        Shape::Block { ty: None, once, .. } => {
            let shape = if *once {
                "an object"
            } else {
                "a list of objects"
            };
            let _ = writeln!(
                code,
                "    /// Nested deeper than kite types blocks: {shape}, written as given."
            );
            let _ = writeln!(
                code,
                "    pub fn {name}(mut self, value: impl Into<Tf<Any>>) -> Self {{\n        self.0.set({key:?}, value.into());\n        self\n    }}\n"
            );
        }
    }
}

/// The type a getter returns.
fn state_type(f: &Field) -> String {
    match &f.shape {
        Shape::Attr(ty) => ty.rust(),
        Shape::Block { state, .. } => state.rust(),
    }
}

fn handle(code: &mut String, t: &TypeDef) {
    let name = &t.name;
    newtype(
        code,
        &format!("/// A declared [`{name}`]: its attributes as typed references.\n"),
        &format!("{name}Ref"),
        "BlockRef",
    );
    let _ = writeln!(
        code,
        "impl From<BlockRef> for {name}Ref {{\n    #[inline]\n    fn from(block: BlockRef) -> Self {{\n        Self(block)\n    }}\n}}\n\nimpl Handle for {name}Ref {{\n    #[inline]\n    fn block_ref(&self) -> &BlockRef {{\n        &self.0\n    }}\n}}\n\nimpl TypedHandle for {name}Ref {{\n    type Block = {name};\n}}\n"
    );
    let _ = writeln!(code, "impl {name}Ref {{");
    for f in &t.fields {
        if !f.settable && !f.docs.is_empty() {
            docs(code, &f.docs, "    ");
        }
        let _ = writeln!(
            code,
            "    #[inline]\n    pub fn {}(&self) -> Tf<{}> {{\n        self.0.attr({:?})\n    }}\n",
            f.getter,
            state_type(f),
            f.tf
        );
    }
    let _ = writeln!(code, "}}\n");
}

/// A nested block's or object's fields, read through a view type:
/// `value.fields().name()` (a per-type view keeps each type's getters in an
/// impl of its own, which compiles in linear time).
fn getters_of_value(code: &mut String, t: &TypeDef) {
    let name = &t.name;
    if t.fields.is_empty() {
        return;
    }
    newtype(
        code,
        &format!("/// The fields of a [`{name}`] value as typed references: `value.fields()`.\n"),
        &format!("{name}Fields"),
        "Expr",
    );
    let _ = writeln!(
        code,
        "impl From<Expr> for {name}Fields {{\n    #[inline]\n    fn from(value: Expr) -> Self {{\n        Self(value)\n    }}\n}}\n\nimpl Object for {name} {{\n    type Fields = {name}Fields;\n}}\n\nimpl {name}Fields {{"
    );
    for f in &t.fields {
        if !f.settable && !f.docs.is_empty() {
            docs(code, &f.docs, "    ");
        }
        let _ = writeln!(
            code,
            "    #[inline]\n    pub fn {}(&self) -> Tf<{}> {{\n        field(&self.0, {:?})\n    }}\n",
            f.getter,
            state_type(f),
            f.tf
        );
    }
    let _ = writeln!(code, "}}\n");
}

/// A public newtype over `inner`, `Clone` and `Debug`. `Debug` is written
/// out `#[inline]` rather than derived: a derived `fmt` is compiled into kite
/// for each of thousands of types whether a program uses it or not, an
/// inline one only where it is used (doc/adr/0011).
fn newtype(code: &mut String, docs: &str, name: &str, inner: &str) {
    let _ = writeln!(
        code,
        "{docs}#[derive(Clone)]\npub struct {name}({inner});\n\nimpl std::fmt::Debug for {name} {{\n    #[inline]\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        f.debug_tuple({name:?}).field(&self.0).finish()\n    }}\n}}\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `w_thing_a` always compiled; `w_thing_b` in the same module and
    /// `w_other` in its own are behind their modules' features.
    fn generated() -> (Model, Overlay, BTreeMap<String, String>) {
        let attribute = serde_json::json!({"name": {"type": "string", "optional": true}});
        let block = serde_json::json!({"block": {"attributes": attribute}});
        let schema: kite_schema::ProviderSchema = serde_json::from_value(serde_json::json!({
            "resource_schemas": {"w_thing_a": block, "w_thing_b": block, "w_other": block},
        }))
        .unwrap();
        let overlay: Overlay = toml::from_str(
            "source = \"x/w\"\nlocal_name = \"w\"\nfeature_prefix = \"w\"\nalways_compiled = [\"w_thing_a\"]\n",
        )
        .unwrap();
        let model = crate::model::build(&schema, &overlay, 6).unwrap();
        let target = Target {
            kite: "crate".into(),
            source_note: "a test".into(),
        };
        let files = files(&model, &overlay, &target);
        (model, overlay, files)
    }

    #[test]
    fn a_type_always_compiled_leaves_the_rest_of_its_module_behind_the_feature() {
        let (model, overlay, files) = generated();
        let root = &files["mod.rs"];
        // `thing` with no attribute before it: always there.
        assert!(
            root.contains("#[cfg(feature = \"w-other\")]\npub mod other;\npub mod thing;\n"),
            "{root}"
        );
        let thing = &files["thing.rs"];
        let a = thing.find("pub struct ThingA(Body);").unwrap();
        let gate = thing
            .find("#[cfg(feature = \"w-thing\")]\npub use gated::*;")
            .unwrap();
        let b = thing.find("    pub struct ThingB(Body);").unwrap();
        assert!(a < gate && gate < b, "{thing}");
        assert!(thing.contains("const PROVIDER: ProviderRequirement = super::super::PROVIDER;"));
        let features: Vec<Option<String>> = model
            .modules
            .values()
            .map(|m| Compiled::of(&overlay, m).feature().map(str::to_owned))
            .collect();
        assert_eq!(
            features,
            [Some("w-other".to_owned()), Some("w-thing".to_owned())]
        );
    }
}
