//! IAM policy documents, built from typed statements.
//!
//! A document renders as the JSON text IAM expects, as a Terraform template:
//! literal text is escaped (an IAM policy variable such as
//! `${aws:username}` stays literal) and references to ARNs are
//! interpolated.

use std::collections::BTreeMap;

use crate::expr::{Arn, Expr, Tf};

/// A policy document: `{"Version": "2012-10-17", "Statement": [...]}`.
#[derive(Clone, Debug, Default)]
pub struct PolicyDocument {
    statements: Vec<Statement>,
}

/// Whether a statement allows or denies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement of a policy document.
#[derive(Clone, Debug)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    actions: Vec<String>,
    resources: Vec<Tf<Arn>>,
    principals: BTreeMap<String, Vec<Tf<String>>>,
    conditions: BTreeMap<String, BTreeMap<String, Vec<Tf<String>>>>,
}

impl PolicyDocument {
    pub fn new() -> Self {
        PolicyDocument::default()
    }

    pub fn statement(mut self, statement: Statement) -> Self {
        self.statements.push(statement);
        self
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The trust policy that lets an AWS service assume a role.
    pub fn assumed_by_service(service: &str) -> Self {
        PolicyDocument::new()
            .statement(Statement::allow(["sts:AssumeRole"]).principal("Service", service))
    }

    /// The document as JSON text (a Terraform template when it refers to
    /// other blocks).
    pub fn to_json(&self) -> Tf<String> {
        let mut w = JsonTemplate::default();
        w.text("{\"Version\":\"2012-10-17\",\"Statement\":[");
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                w.text(",");
            }
            s.write(&mut w);
        }
        w.text("]}");
        Tf::from_expr(Expr::template(w.finish()))
    }
}

impl From<PolicyDocument> for Tf<String> {
    fn from(doc: PolicyDocument) -> Self {
        doc.to_json()
    }
}

impl From<&PolicyDocument> for Tf<String> {
    fn from(doc: &PolicyDocument) -> Self {
        doc.to_json()
    }
}

impl Statement {
    /// A statement that allows `actions` (such as `dynamodb:GetItem`).
    pub fn allow<S: Into<String>>(actions: impl IntoIterator<Item = S>) -> Self {
        Statement::new(Effect::Allow, actions)
    }

    /// A statement that denies `actions`.
    pub fn deny<S: Into<String>>(actions: impl IntoIterator<Item = S>) -> Self {
        Statement::new(Effect::Deny, actions)
    }

    fn new<S: Into<String>>(effect: Effect, actions: impl IntoIterator<Item = S>) -> Self {
        Statement {
            sid: None,
            effect,
            actions: actions.into_iter().map(Into::into).collect(),
            resources: Vec::new(),
            principals: BTreeMap::new(),
            conditions: BTreeMap::new(),
        }
    }

    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// A resource the statement covers: an ARN, a reference to one, or a
    /// pattern (`Tf::<Arn>::literal("arn:aws:s3:::bucket/*")`).
    pub fn resource(mut self, arn: impl Into<Tf<Arn>>) -> Self {
        self.resources.push(arn.into());
        self
    }

    /// Every resource (`"Resource": "*"`), for actions that take no resource.
    pub fn on_all_resources(self) -> Self {
        self.resource(Tf::<Arn>::literal("*"))
    }

    pub fn resources<A: Into<Tf<Arn>>>(mut self, arns: impl IntoIterator<Item = A>) -> Self {
        self.resources.extend(arns.into_iter().map(Into::into));
        self
    }

    /// A principal, such as `("Service", "lambda.amazonaws.com")` or
    /// `("AWS", <account or role ARN>)`.
    pub fn principal(mut self, kind: &str, id: impl Into<Tf<String>>) -> Self {
        self.principals
            .entry(kind.to_owned())
            .or_default()
            .push(id.into());
        self
    }

    /// A condition: `test` (`StringEquals`), `variable` (`aws:SourceArn`), values.
    pub fn condition<V: Into<Tf<String>>>(
        mut self,
        test: &str,
        variable: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        self.conditions
            .entry(test.to_owned())
            .or_default()
            .entry(variable.to_owned())
            .or_default()
            .extend(values.into_iter().map(Into::into));
        self
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    pub fn actions(&self) -> &[String] {
        &self.actions
    }

    pub fn resource_list(&self) -> &[Tf<Arn>] {
        &self.resources
    }

    /// Keys in the order IAM's own examples use: Sid, Action, Resource,
    /// Effect, Principal, Condition.
    fn write(&self, w: &mut JsonTemplate) {
        w.text("{");
        if let Some(sid) = &self.sid {
            w.text("\"Sid\":");
            w.string(sid);
            w.text(",");
        }
        w.text("\"Action\":");
        if let [one] = self.actions.as_slice() {
            w.string(one);
        } else {
            w.list(self.actions.iter(), |w, a| w.string(a));
        }
        if !self.resources.is_empty() {
            w.text(",\"Resource\":");
            if let [one] = self.resources.as_slice() {
                w.value(one.expr());
            } else {
                w.list(self.resources.iter(), |w, r| w.value(r.expr()));
            }
        }
        w.text(",\"Effect\":");
        w.string(match self.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        });
        if !self.principals.is_empty() {
            w.text(",\"Principal\":{");
            for (i, (kind, ids)) in self.principals.iter().enumerate() {
                if i > 0 {
                    w.text(",");
                }
                w.string(kind);
                w.text(":");
                w.list(ids.iter(), |w, id| w.value(id.expr()));
            }
            w.text("}");
        }
        if !self.conditions.is_empty() {
            w.text(",\"Condition\":{");
            for (i, (test, vars)) in self.conditions.iter().enumerate() {
                if i > 0 {
                    w.text(",");
                }
                w.string(test);
                w.text(":{");
                for (j, (var, values)) in vars.iter().enumerate() {
                    if j > 0 {
                        w.text(",");
                    }
                    w.string(var);
                    w.text(":");
                    w.list(values.iter(), |w, v| w.value(v.expr()));
                }
                w.text("}");
            }
            w.text("}");
        }
        w.text("}");
    }
}

/// Writes JSON text as template parts: literal text, and references as
/// interpolations inside JSON strings. Referenced values (ARNs, names) must
/// not contain quotes or backslashes, which AWS identifiers never do.
#[derive(Default)]
struct JsonTemplate {
    parts: Vec<Expr>,
    /// Literal text not yet pushed: one part per run of text, not per token.
    text: String,
}

impl JsonTemplate {
    fn text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// A JSON string literal.
    fn string(&mut self, s: &str) {
        self.text.push('"');
        self.string_content(s);
        self.text.push('"');
    }

    /// The content of a JSON string, escaped, without the quotes.
    fn string_content(&mut self, s: &str) {
        // What JSON escapes: `"`, `\` and control characters. Actions and
        // ARNs have none, and go in as they are.
        if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
            self.text.push_str(s);
            return;
        }
        let quoted = serde_json::Value::from(s).to_string();
        self.text.push_str(&quoted[1..quoted.len() - 1]);
    }

    fn expression(&mut self, expr: &Expr) {
        if !self.text.is_empty() {
            self.parts.push(Expr::Str(std::mem::take(&mut self.text)));
        }
        self.parts.push(expr.clone());
    }

    /// A JSON string whose content is an expression.
    fn value(&mut self, expr: &Expr) {
        match expr {
            Expr::Str(s) => self.string(s),
            Expr::Template(parts) => {
                self.text("\"");
                for part in parts {
                    match part {
                        Expr::Str(s) => self.string_content(s),
                        other => self.expression(other),
                    }
                }
                self.text("\"");
            }
            other => {
                self.text("\"");
                self.expression(other);
                self.text("\"");
            }
        }
    }

    fn finish(mut self) -> Vec<Expr> {
        if !self.text.is_empty() {
            self.parts.push(Expr::Str(self.text));
        }
        self.parts
    }

    fn list<T>(&mut self, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut Self, T)) {
        self.text("[");
        for (i, item) in items.enumerate() {
            if i > 0 {
                self.text(",");
            }
            each(self, item);
        }
        self.text("]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::Address;

    fn json<T>(tf: &Tf<T>) -> serde_json::Value {
        serde_json::to_value(tf).unwrap()
    }

    proptest::proptest! {
        #[test]
        fn a_string_is_escaped_as_serde_json_escapes_it(s in "[a-z:*/\"\\\\\n\t\u{1}\u{7f}é😀]{0,12}") {
            let mut w = JsonTemplate::default();
            w.string(&s);
            proptest::prop_assert_eq!(w.text, serde_json::Value::from(s.as_str()).to_string());
        }
    }

    #[test]
    fn the_trust_policy_of_a_service_role_matches_the_original_text() {
        let doc = PolicyDocument::assumed_by_service("lambda.amazonaws.com");
        assert_eq!(
            json(&doc.to_json()),
            serde_json::json!(
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"lambda.amazonaws.com\"]}}]}"
            )
        );
    }

    #[test]
    fn references_are_interpolated_and_policy_variables_escaped() {
        let table: Tf<Arn> = Tf::from_expr(
            Expr::reference(Address::resource("aws_dynamodb_table", "t")).attr("arn"),
        );
        let doc = PolicyDocument::new().statement(
            Statement::allow(["dynamodb:GetItem", "dynamodb:Query"])
                .resource(table.clone())
                .resource(crate::template![table, "/index/*"])
                .resource(Tf::<Arn>::literal("arn:aws:s3:::b/${aws:username}/*")),
        );
        let text = json(&doc.to_json());
        let text = text.as_str().unwrap();
        assert_eq!(
            text,
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Action\":[\"dynamodb:GetItem\",\"dynamodb:Query\"],\"Resource\":[\"${aws_dynamodb_table.t.arn}\",\"${aws_dynamodb_table.t.arn}/index/*\",\"arn:aws:s3:::b/$${aws:username}/*\"],\"Effect\":\"Allow\"}]}"
        );
    }

    #[test]
    fn a_document_without_references_is_valid_json() {
        let doc = PolicyDocument::new().statement(
            Statement::deny(["s3:*"])
                .sid("NoS3")
                .resource(Tf::<Arn>::literal("*"))
                .condition("Bool", "aws:SecureTransport", ["false"]),
        );
        let text = doc.to_json().into_expr();
        let Expr::Str(text) = text else {
            panic!("a literal document is one literal string")
        };
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["Statement"][0]["Sid"], "NoS3");
        assert_eq!(parsed["Statement"][0]["Effect"], "Deny");
        assert_eq!(
            parsed["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"][0],
            "false"
        );
    }
}
