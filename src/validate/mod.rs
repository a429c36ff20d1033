//! Offline validation: a synthesized stack checked against provider schemas,
//! what `terraform validate` would find without downloading any provider.
//!
//! Every block is checked the same way whether it was typed, raw or
//! overridden: the checks read what is written, a typed body through its
//! typed values ([`node`]), anything else as its final JSON.

mod aws_limits;
mod blocks;
mod body;
#[rustfmt::skip]
mod bundled;
mod config;
mod node;
mod path;
mod references;
pub mod schema;

use std::fmt;

use serde_json::Value;

use crate::synth::{References, SynthesizedStack};

use blocks::Blocks;

pub use schema::{ProviderSchemas, SchemaError, Schemas, TypeKind};

/// How bad a finding (or one of terraform's diagnostics) is: errors stop
/// synthesis, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// `error` or `warning`, as messages and JSON say it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Which check found something.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// Providers, `required_providers`, the backend.
    Configuration,
    /// A block's arguments and nested blocks against its type's schema.
    Schema,
    /// AWS's naming limits on literal names.
    AwsLimits,
    /// References name attributes their types have.
    References,
}

/// Something wrong in a synthesized stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub check: Check,
    pub stack: String,
    /// The construct path of the block, when the finding is in one.
    pub path: Option<String>,
    /// Where in the stack's JSON: `resource.aws_iam_role.x.name`.
    pub json_path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = self.severity.name();
        match &self.path {
            Some(path) => write!(
                f,
                "{severity}: {path}: {} (at {})",
                self.message, self.json_path
            ),
            None => write!(
                f,
                "{severity}: stack `{}`: {} (at {})",
                self.stack, self.message, self.json_path
            ),
        }
    }
}

/// Collects findings for one stack.
pub(crate) struct Report<'a> {
    stack: &'a str,
    /// The check running now: what its findings are attributed to.
    check: Check,
    findings: Vec<Finding>,
}

impl<'a> Report<'a> {
    fn new(stack: &'a str) -> Self {
        Report {
            stack,
            check: Check::Configuration,
            findings: Vec::new(),
        }
    }

    pub(crate) fn error(
        &mut self,
        path: Option<&str>,
        json_path: &dyn fmt::Display,
        message: impl Into<String>,
    ) {
        self.push(Severity::Error, path, json_path, message);
    }

    pub(crate) fn warning(
        &mut self,
        path: Option<&str>,
        json_path: &dyn fmt::Display,
        message: impl Into<String>,
    ) {
        self.push(Severity::Warning, path, json_path, message);
    }

    fn push(
        &mut self,
        severity: Severity,
        path: Option<&str>,
        json_path: &dyn fmt::Display,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            check: self.check,
            stack: self.stack.to_owned(),
            path: path.map(str::to_owned),
            json_path: json_path.to_string(),
            message: message.into(),
        });
    }
}

/// Checks a synthesized stack against provider schemas, with the
/// references synthesis found.
pub fn validate(stack: &SynthesizedStack, schemas: &Schemas) -> Vec<Finding> {
    let blocks = Blocks::Synthesized(stack);
    check(
        &stack.name,
        &stack.sections,
        blocks,
        &stack.references,
        schemas,
    )
}

/// Checks the Terraform JSON of a stack against provider schemas, reading
/// its strings for references.
pub fn validate_document(stack: &str, doc: &Value, schemas: &Schemas) -> Vec<Finding> {
    check(
        stack,
        doc,
        Blocks::Document(doc),
        &references::read(doc),
        schemas,
    )
}

/// `doc` holds the stack's configuration but its blocks (it may hold them
/// too: they are read from `blocks`).
fn check(
    stack: &str,
    doc: &Value,
    blocks: Blocks,
    found: &[References],
    schemas: &Schemas,
) -> Vec<Finding> {
    let mut report = Report::new(stack);
    let providers = config::Providers::of(doc, schemas);
    config::check(doc, blocks, &providers, &mut report);
    let mut last = config::LastLookup::default();
    blocks.for_each(|seen, block| {
        let root = path::JsonPath::Root(seen.section);
        let of_type = root.key(seen.type_name);
        let json = of_type.key(seen.name);
        let at = body::At {
            path: seen.path,
            json: &json,
        };
        let lookup = last.get(&providers, seen.kind, seen.type_name, seen.local);
        report.check = Check::Schema;
        body::check_block(seen.kind, seen.type_name, block, lookup, at, &mut report);
        report.check = Check::AwsLimits;
        aws_limits::check(seen.type_name, block, at, &mut report);
    });
    report.check = Check::References;
    references::check(blocks, found, &providers, &mut report);
    let mut findings = report.findings;
    crate::collections::sort_by(&mut findings, |a, b| {
        (a.severity, &a.json_path).cmp(&(b.severity, &b.json_path))
    });
    findings
}

/// The closest of `candidates` to `name`, when close enough to suggest.
pub(crate) fn closest<S: AsRef<str>>(name: &str, candidates: impl Iterator<Item = S>) -> Option<S> {
    candidates
        .map(|c| (strsim::jaro_winkler(name, c.as_ref()), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` for the closest candidate, or nothing.
pub(crate) fn did_you_mean<S: AsRef<str>>(
    name: &str,
    candidates: impl Iterator<Item = S>,
) -> String {
    closest(name, candidates)
        .map(|c| format!("; did you mean `{}`?", c.as_ref()))
        .unwrap_or_default()
}
