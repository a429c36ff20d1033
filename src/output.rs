//! Outputs and input variables of a stack.

use std::marker::PhantomData;

use serde_json::{Map, Value};

use crate::address::Address;
use crate::block::Handle;
use crate::construct::Scope;
use crate::expr::{Any, Arn, Expr, List, Map as MapOf, Number, Set, Tf};

/// A value the stack reports after `apply` (`terraform output`).
#[derive(Clone, Debug)]
pub struct Output {
    value: Expr,
    description: Option<String>,
    sensitive: Option<bool>,
    depends_on: Vec<Address>,
}

impl Output {
    /// An output of `value`: a reference, a template, or literal text.
    pub fn new<T>(value: impl Into<Tf<T>>) -> Self {
        Output {
            value: value.into().into_expr(),
            description: None,
            sensitive: None,
            depends_on: Vec::new(),
        }
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Hides the value in Terraform's plan and apply output.
    pub fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = Some(sensitive);
        self
    }

    pub fn depends_on(mut self, other: &impl Handle) -> Self {
        self.depends_on.push(other.block_ref().address().clone());
        self
    }

    /// The value's expression.
    pub(crate) fn value(&self) -> &Expr {
        &self.value
    }

    pub(crate) fn value_mut(&mut self) -> &mut Expr {
        &mut self.value
    }

    pub(crate) fn to_json(&self) -> Result<Value, String> {
        let mut out = Map::new();
        out.insert(
            "value".into(),
            serde_json::to_value(&self.value).map_err(|e| e.to_string())?,
        );
        if let Some(d) = &self.description {
            out.insert("description".into(), Value::String(d.clone()));
        }
        if let Some(s) = self.sensitive {
            out.insert("sensitive".into(), Value::Bool(s));
        }
        if !self.depends_on.is_empty() {
            let deps = self.depends_on.iter().map(|a| Value::String(a.to_string()));
            out.insert("depends_on".into(), Value::Array(deps.collect()));
        }
        Ok(out.into())
    }
}

/// The Terraform type constraint of a value type, for variables.
pub trait TypeConstraint {
    fn type_constraint() -> String;
}

impl TypeConstraint for String {
    fn type_constraint() -> String {
        "string".into()
    }
}

impl TypeConstraint for Arn {
    fn type_constraint() -> String {
        "string".into()
    }
}

impl TypeConstraint for Number {
    fn type_constraint() -> String {
        "number".into()
    }
}

impl TypeConstraint for bool {
    fn type_constraint() -> String {
        "bool".into()
    }
}

impl TypeConstraint for Any {
    fn type_constraint() -> String {
        "any".into()
    }
}

impl<T: TypeConstraint> TypeConstraint for List<T> {
    fn type_constraint() -> String {
        format!("list({})", T::type_constraint())
    }
}

impl<T: TypeConstraint> TypeConstraint for Set<T> {
    fn type_constraint() -> String {
        format!("set({})", T::type_constraint())
    }
}

impl<T: TypeConstraint> TypeConstraint for MapOf<T> {
    fn type_constraint() -> String {
        format!("map({})", T::type_constraint())
    }
}

/// An input variable of type `T` (`terraform apply -var ...`).
#[derive(Clone, Debug)]
pub struct Variable<T> {
    pub(crate) default: Option<Expr>,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: Option<bool>,
    pub(crate) nullable: Option<bool>,
    pub(crate) ephemeral: Option<bool>,
    value_type: PhantomData<fn() -> T>,
}

impl<T: TypeConstraint> Variable<T> {
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Variable {
            default: None,
            description: None,
            sensitive: None,
            nullable: None,
            ephemeral: None,
            value_type: PhantomData,
        }
    }

    /// The value when none is given. Terraform needs a literal here.
    pub fn default(mut self, value: impl Into<Tf<T>>) -> Self {
        self.default = Some(value.into().into_expr());
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    pub fn sensitive(mut self, sensitive: bool) -> Self {
        self.sensitive = Some(sensitive);
        self
    }

    pub fn nullable(mut self, nullable: bool) -> Self {
        self.nullable = Some(nullable);
        self
    }

    /// Terraform keeps the value out of the plan and the state (1.10+): it
    /// can only be used where ephemeral values may go, such as write-only
    /// arguments.
    pub fn ephemeral(mut self, ephemeral: bool) -> Self {
        self.ephemeral = Some(ephemeral);
        self
    }

    pub(crate) fn to_json(&self) -> Result<Value, String> {
        let mut out = Map::new();
        out.insert("type".into(), Value::String(T::type_constraint()));
        if let Some(default) = &self.default {
            let value = literal_json(default).ok_or_else(|| {
                format!(
                    "the default value `{}` is not a literal: Terraform needs a variable's default to be known before planning",
                    default.to_hcl()
                )
            })?;
            out.insert("default".into(), value);
        }
        if let Some(d) = &self.description {
            out.insert("description".into(), Value::String(d.clone()));
        }
        if let Some(s) = self.sensitive {
            out.insert("sensitive".into(), Value::Bool(s));
        }
        if let Some(n) = self.nullable {
            out.insert("nullable".into(), Value::Bool(n));
        }
        if let Some(e) = self.ephemeral {
            out.insert("ephemeral".into(), Value::Bool(e));
        }
        Ok(out.into())
    }
}

/// A literal expression as plain JSON: variable defaults are not templates,
/// so nothing is escaped.
fn literal_json(expr: &Expr) -> Option<Value> {
    Some(match expr {
        Expr::Null => Value::Null,
        Expr::Str(s) => Value::String(s.clone()),
        Expr::Num(n) => Value::Number(n.clone()),
        Expr::Bool(b) => Value::Bool(*b),
        Expr::List(items) => Value::Array(items.iter().map(literal_json).collect::<Option<_>>()?),
        Expr::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Some((k.clone(), literal_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Expr::Ref(_) | Expr::Declared(..) | Expr::Get(..) | Expr::Call(..) | Expr::Template(_) => {
            return None;
        }
    })
}

/// An output as the stack holds it.
#[derive(Clone, Debug)]
pub(crate) struct OutputDecl {
    pub(crate) scope: Scope,
    pub(crate) output: Output,
}

/// A variable as the stack holds it: its JSON, or why it has none.
#[derive(Clone, Debug)]
pub(crate) struct VariableDecl {
    pub(crate) scope: Scope,
    pub(crate) json: Result<Value, String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variable_defaults_are_literal_json() {
        let v = Variable::<String>::new()
            .default("${not-a-reference}")
            .description("d");
        assert_eq!(
            v.to_json().unwrap(),
            json!({"type": "string", "default": "${not-a-reference}", "description": "d"})
        );
        let l = Variable::<List<Number>>::new().default([1, 2]);
        assert_eq!(
            l.to_json().unwrap(),
            json!({"type": "list(number)", "default": [1, 2]})
        );
    }

    #[test]
    fn a_default_that_is_not_a_literal_is_refused() {
        let r: Tf<String> =
            Tf::from_expr(Expr::reference(Address::resource("a_b", "c")).attr("id"));
        let err = Variable::<String>::new().default(r).to_json().unwrap_err();
        assert!(err.contains("a_b.c.id"), "{err}");
    }

    #[test]
    fn outputs_render_value_and_options() {
        let o = Output::new("x").sensitive(true).description("d");
        assert_eq!(
            o.to_json().unwrap(),
            json!({"value": "x", "sensitive": true, "description": "d"})
        );
    }
}
