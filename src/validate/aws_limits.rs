//! AWS naming limits, checked on literal values: AWS documents them, and
//! Terraform only finds out when the API call fails halfway through an apply.

use super::Report;
use super::body::At;
use super::node::{Node, Read};

/// Days CloudWatch Logs accepts for `retention_in_days` (0: never expire).
const LOG_RETENTION_DAYS: &[u64] = &[
    0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A naming rule: length range and allowed characters.
struct NameRule {
    type_name: &'static str,
    attribute: &'static str,
    what: &'static str,
    min: usize,
    max: usize,
    allowed: fn(char) -> bool,
    allowed_text: &'static str,
}

fn dynamodb_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

fn lambda_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

fn iam_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-')
}

fn log_group_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#')
}

const RULES: &[NameRule] = &[
    NameRule {
        type_name: "aws_dynamodb_table",
        attribute: "name",
        what: "DynamoDB table names",
        min: 3,
        max: 255,
        allowed: dynamodb_char,
        allowed_text: "A-Z a-z 0-9 _ . -",
    },
    NameRule {
        type_name: "aws_lambda_function",
        attribute: "function_name",
        what: "Lambda function names",
        min: 1,
        max: 64,
        allowed: lambda_char,
        allowed_text: "A-Z a-z 0-9 _ -",
    },
    NameRule {
        type_name: "aws_iam_role",
        attribute: "name",
        what: "IAM role names",
        min: 1,
        max: 64,
        allowed: iam_char,
        allowed_text: "A-Z a-z 0-9 _ + = , . @ -",
    },
    NameRule {
        type_name: "aws_iam_role",
        attribute: "name_prefix",
        what: "IAM role name prefixes",
        min: 1,
        max: 38,
        allowed: iam_char,
        allowed_text: "A-Z a-z 0-9 _ + = , . @ -",
    },
    NameRule {
        type_name: "aws_iam_role_policy",
        attribute: "name",
        what: "IAM inline policy names",
        min: 1,
        max: 128,
        allowed: iam_char,
        allowed_text: "A-Z a-z 0-9 _ + = , . @ -",
    },
    NameRule {
        type_name: "aws_iam_policy",
        attribute: "name",
        what: "IAM policy names",
        min: 1,
        max: 128,
        allowed: iam_char,
        allowed_text: "A-Z a-z 0-9 _ + = , . @ -",
    },
    NameRule {
        type_name: "aws_cloudwatch_log_group",
        attribute: "name",
        what: "CloudWatch log group names",
        min: 1,
        max: 512,
        allowed: log_group_char,
        allowed_text: "A-Z a-z 0-9 _ - / . #",
    },
];

/// The text of a literal string (templates with interpolations are not
/// checked: their value is known only at apply).
fn literal(value: Node) -> Option<String> {
    match value.read() {
        Read::Text(s) => Some(s.replace("$${", "${").replace("%%{", "%{")),
        _ => None,
    }
}

pub(crate) fn check(type_name: &str, block: Node, at: At, report: &mut Report) {
    for rule in RULES.iter().filter(|r| r.type_name == type_name) {
        let Some(name) = block.get(rule.attribute).and_then(literal) else {
            continue;
        };
        let here = at.json.key(rule.attribute);
        let len = name.chars().count();
        if len < rule.min || len > rule.max {
            report.error(
                at.path(),
                &here,
                format!(
                    "{} have {} to {} characters; `{name}` has {len}",
                    rule.what, rule.min, rule.max
                ),
            );
        }
        if let Some(bad) = name.chars().find(|c| !(rule.allowed)(*c)) {
            report.error(
                at.path(),
                &here,
                format!(
                    "{} may only contain {}; `{name}` contains `{bad}`",
                    rule.what, rule.allowed_text
                ),
            );
        }
    }
    if type_name == "aws_cloudwatch_log_group" {
        let days = match block.get("retention_in_days").map(Node::read) {
            Some(Read::Number(n)) => n.as_u64(),
            Some(Read::Text(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if let Some(days) = days {
            if !LOG_RETENTION_DAYS.contains(&days) {
                let nearest = LOG_RETENTION_DAYS
                    .iter()
                    .min_by_key(|d| d.abs_diff(days))
                    .copied()
                    .unwrap_or(1);
                report.error(
                    at.path(),
                    &at.json.key("retention_in_days"),
                    format!("CloudWatch Logs keeps events 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days (0: forever), not {days}; the nearest is {nearest}"),
                );
            }
        }
    }
}
