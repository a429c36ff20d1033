//! `--json`: one JSON document on stdout per command, and errors as JSON on
//! stderr, with the fields of the human message.
//!
//! Field names are snake_case; durations are milliseconds (`elapsed_ms`);
//! paths are as the human output shows them. A finding is
//! `{"severity", "check", "stack", "path", "json_path", "message"}`; an
//! error is `{"error": {"message", ...}}`, where `message` is the text the
//! human output prints after `error: `, and the other fields say where
//! (`stack`, `path`, `file`, `argument`, `signal`, `stacks`).

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::passthrough::Refused;
use super::signals::Interrupted;
use crate::app::UnknownStack;
use crate::synth::output_dir::{LockError, WriteError};
use crate::synth::{Problem, StackError};
use crate::validate::{Check, Finding};

pub(crate) fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

pub(crate) fn finding(f: &Finding) -> Value {
    json!({
        "severity": f.severity.name(),
        "check": match f.check {
            Check::Configuration => "configuration",
            Check::Schema => "schema",
            Check::AwsLimits => "aws_limits",
            Check::References => "references",
        },
        "stack": f.stack,
        "path": f.path,
        "json_path": f.json_path,
        "message": f.message,
    })
}

pub(crate) fn problem(stack: &str, p: &Problem) -> Value {
    json!({"stack": stack, "path": p.path, "message": p.message})
}

/// A warning that is not a finding: `{"severity": "warning", "stack", "message"}`.
pub(crate) fn warning(stack: &str, message: &str) -> Value {
    json!({"severity": "warning", "stack": stack, "path": null, "message": message})
}

/// A stack that synthesis refused, and why.
#[derive(Debug, Clone)]
pub(crate) struct StackFailure {
    pub stack: String,
    /// The paragraph the human output prints.
    pub message: String,
    pub problems: Vec<Problem>,
    /// Errors against the provider schemas.
    pub findings: Vec<Finding>,
}

impl StackFailure {
    pub fn to_json(&self) -> Value {
        json!({
            "stack": self.stack,
            "message": self.message,
            "problems": self.problems.iter().map(|p| problem(&self.stack, p)).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(finding).collect::<Vec<_>>(),
        })
    }
}

/// Synthesis refused stacks; nothing was written.
#[derive(Debug)]
pub(crate) struct SynthFailed {
    pub failures: Vec<StackFailure>,
    pub out: std::path::PathBuf,
}

impl std::fmt::Display for SynthFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.failures.iter().map(|s| s.message.as_str()).collect();
        write!(
            f,
            "{}\nNothing was written; {} is unchanged.",
            messages.join("\n"),
            self.out.display()
        )
    }
}

impl std::error::Error for SynthFailed {}

/// A stack named in an error that is otherwise a plain message.
#[derive(Debug)]
pub(crate) struct InStack {
    pub stack: String,
    pub message: String,
}

impl std::fmt::Display for InStack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for InStack {}

/// `{"error": {...}}` for an error: the human message, and the fields of
/// the kinds of error kite knows.
pub(crate) fn error(e: &anyhow::Error, message: &str) -> Value {
    let mut fields = Map::new();
    fields.insert("message".into(), json!(message));
    for cause in e.chain() {
        if let Some(failed) = cause.downcast_ref::<SynthFailed>() {
            fields.insert(
                "stacks".into(),
                failed.failures.iter().map(StackFailure::to_json).collect(),
            );
            fields.insert("file".into(), json!(failed.out.display().to_string()));
        } else if let Some(stack_error) = cause.downcast_ref::<StackError>() {
            fields.insert("stack".into(), json!(stack_error.stack));
            fields.insert(
                "problems".into(),
                stack_error
                    .problems
                    .iter()
                    .map(|p| problem(&stack_error.stack, p))
                    .collect(),
            );
        } else if let Some(unknown) = cause.downcast_ref::<UnknownStack>() {
            fields.insert("stack".into(), json!(unknown.name));
            fields.insert("known".into(), json!(unknown.known));
        } else if let Some(write) = cause.downcast_ref::<WriteError>() {
            fields.insert("file".into(), json!(write.path.display().to_string()));
        } else if let Some(lock) = cause.downcast_ref::<LockError>() {
            match lock {
                LockError::Busy { out, holder } => {
                    fields.insert("file".into(), json!(out.display().to_string()));
                    fields.insert("holder".into(), json!(holder.description));
                }
                LockError::Io(write) => {
                    fields.insert("file".into(), json!(write.path.display().to_string()));
                }
            }
        } else if let Some(refused) = cause.downcast_ref::<Refused>() {
            fields.insert("argument".into(), json!(refused.argument));
        } else if let Some(interrupted) = cause.downcast_ref::<Interrupted>() {
            fields.insert("signal".into(), json!(interrupted.0));
        } else if let Some(in_stack) = cause.downcast_ref::<InStack>() {
            fields
                .entry("stack")
                .or_insert_with(|| json!(in_stack.stack));
        }
    }
    json!({ "error": fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_carries_the_human_message_and_where() {
        let e = anyhow::Error::new(UnknownStack {
            name: "prod".into(),
            known: vec!["kite".into(), "local".into()],
        });
        let message = super::super::render_error(&e);
        let value = error(&e, &message);
        assert_eq!(value["error"]["message"], json!(message));
        assert_eq!(value["error"]["stack"], "prod");
        assert_eq!(value["error"]["known"], json!(["kite", "local"]));
    }

    #[test]
    fn a_refused_synthesis_lists_each_stack_and_its_problems() {
        let e = anyhow::Error::new(SynthFailed {
            failures: vec![StackFailure {
                stack: "s".into(),
                message: "stack `s` cannot be synthesized (1 problem):\n- s/a: dangling".into(),
                problems: vec![Problem::at("s/a", "dangling")],
                findings: vec![],
            }],
            out: "cdktf.out".into(),
        });
        let value = error(&e, &e.to_string());
        assert_eq!(value["error"]["stacks"][0]["stack"], "s");
        assert_eq!(value["error"]["stacks"][0]["problems"][0]["path"], "s/a");
        assert!(
            value["error"]["message"]
                .as_str()
                .unwrap()
                .ends_with("Nothing was written; cdktf.out is unchanged.")
        );
    }
}
