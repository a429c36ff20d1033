//! terraform's machine-readable messages in the user's words.
//!
//! `plan -json` and `apply -json` print one JSON object a line (terraform's
//! "machine-readable UI"). Diagnostics name the block they are about by its
//! Terraform address (`address`), or by a place in a configuration file
//! (`range.filename`, `range.start.line`). kite wrote `cdk.tf.json`, and each
//! block there carries its construct path (`"//": {"metadata": {"path"}}`):
//! an address is looked up among the blocks, a line is mapped to the block
//! whose text holds it. Each diagnostic is printed as
//!
//! ```text
//! error: <construct path> (<address>): <summary>
//!   <detail>
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::block::construct_path;
use crate::collections::map_of;
use crate::synth::files::CONFIG_FILE;
use crate::validate::Severity;

/// A block of `cdk.tf.json`: its address, construct path and lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub address: String,
    pub path: Option<String>,
    /// First and last line (1-based) of the block's object in the file.
    pub lines: (usize, usize),
}

/// The blocks of one stack's `cdk.tf.json`, by address and by line.
#[derive(Clone, Debug, Default)]
pub(crate) struct BlockIndex {
    blocks: Vec<Block>,
    by_address: BTreeMap<String, usize>,
}

impl BlockIndex {
    /// Reads `cdk.tf.json` in `dir`; an empty index when it cannot be read.
    pub fn load(dir: &Path) -> BlockIndex {
        std::fs::read_to_string(dir.join(CONFIG_FILE))
            .map(|text| BlockIndex::from_text(&text))
            .unwrap_or_default()
    }

    pub fn from_text(text: &str) -> BlockIndex {
        let doc = parse(text).unwrap_or(Value::Null);
        let mut blocks: Vec<Block> = block_lines(text)
            .into_iter()
            .map(|(keys, lines)| {
                let [section, type_name, name] = &keys;
                let path = doc[section][type_name][name]
                    .as_object()
                    .and_then(construct_path)
                    .map(str::to_owned);
                let address = if section == "data" {
                    format!("data.{type_name}.{name}")
                } else {
                    format!("{type_name}.{name}")
                };
                Block {
                    address,
                    path,
                    lines,
                }
            })
            .collect();
        crate::collections::sort_by_key(&mut blocks, |b| b.lines);
        let by_address = map_of(
            blocks
                .iter()
                .enumerate()
                .map(|(i, b)| (b.address.clone(), i)),
        );
        BlockIndex { blocks, by_address }
    }

    /// The block at an address as terraform prints it (`aws_x.y`,
    /// `aws_x.y[0]`, `data.aws_x.y["k"]`).
    pub fn by_address(&self, address: &str) -> Option<&Block> {
        let base = address.split('[').next().unwrap_or(address);
        self.by_address.get(base).map(|&i| &self.blocks[i])
    }

    /// The innermost block whose lines hold `line`.
    pub fn by_line(&self, line: usize) -> Option<&Block> {
        self.blocks
            .iter()
            .filter(|b| b.lines.0 <= line && line <= b.lines.1)
            .min_by_key(|b| b.lines.1 - b.lines.0)
    }
}

/// The line ranges of the objects at `resource.TYPE.NAME` and
/// `data.TYPE.NAME` in a JSON text, found by reading its structure (strings
/// and escapes included), whatever its layout.
fn block_lines(text: &str) -> Vec<([String; 3], (usize, usize))> {
    struct Frame {
        object: bool,
        /// The key this container is the value of (in an object).
        key: Option<String>,
        start: usize,
    }
    let mut found = Vec::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut key: Option<String> = None;
    let mut line = 1;
    let mut chars = text.chars();
    // In an object, strings alternate between keys and values.
    let mut expect_key = false;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '"' => {
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                s.push(escaped);
                            }
                        }
                        '"' => break,
                        c => s.push(c),
                    }
                }
                if expect_key {
                    key = Some(s);
                    expect_key = false;
                }
            }
            '{' | '[' => {
                frames.push(Frame {
                    object: c == '{',
                    key: key.take(),
                    start: line,
                });
                expect_key = c == '{';
            }
            '}' | ']' => {
                if let Some(frame) = frames.pop() {
                    // frames: the root, the section, the type, then this one.
                    if frame.object && frames.len() == 3 {
                        let keys: Vec<Option<&String>> = frames[1..]
                            .iter()
                            .map(|f| f.key.as_ref())
                            .chain([frame.key.as_ref()])
                            .collect();
                        if let [Some(section), Some(type_name), Some(name)] = keys.as_slice() {
                            if *section == "resource" || *section == "data" {
                                found.push((
                                    [(*section).clone(), (*type_name).clone(), (*name).clone()],
                                    (frame.start, line),
                                ));
                            }
                        }
                    }
                }
                key = None;
                expect_key = false;
            }
            ',' => {
                key = None;
                expect_key = frames.last().is_some_and(|f| f.object);
            }
            ':' => expect_key = false,
            _ => {}
        }
    }
    found
}

/// One of terraform's diagnostics, placed in the stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Diagnostic {
    pub severity: Severity,
    pub stack: String,
    /// The construct path of the block it is about.
    pub path: Option<String>,
    /// The block's Terraform address.
    pub address: Option<String>,
    pub summary: String,
    pub detail: String,
    /// The configuration file and line terraform named.
    pub file: Option<String>,
    pub line: Option<usize>,
}

impl Diagnostic {
    /// Reads the `diagnostic` object of a terraform JSON message (or of
    /// `terraform validate -json`), and places it in the stack's blocks.
    pub fn from_json(value: &Value, stack: &str, index: &BlockIndex) -> Diagnostic {
        let severity = match value["severity"].as_str() {
            Some("warning") => Severity::Warning,
            _ => Severity::Error,
        };
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        let file = value["range"]["filename"].as_str().map(str::to_owned);
        let line = value["range"]["start"]["line"]
            .as_u64()
            .and_then(|l| usize::try_from(l).ok());
        let mut address = value["address"].as_str().map(str::to_owned);
        let mut path = None;
        if let Some(block) = address.as_deref().and_then(|a| index.by_address(a)) {
            path = block.path.clone();
        } else if let Some(block) = file
            .as_deref()
            .filter(|f| *f == CONFIG_FILE)
            .and(line)
            .and_then(|line| index.by_line(line))
            .or_else(|| {
                // The block terraform quotes: `resource.TYPE.NAME`.
                let context = value["snippet"]["context"].as_str()?;
                let address = context.strip_prefix("resource.").unwrap_or(context);
                index.by_address(address)
            })
        {
            path = block.path.clone();
            address.get_or_insert_with(|| block.address.clone());
        }
        Diagnostic {
            severity,
            stack: stack.to_owned(),
            path,
            address,
            summary: text("summary"),
            detail: text("detail"),
            file,
            line,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.severity.name())?;
        match (&self.path, &self.address) {
            (Some(path), Some(address)) => write!(f, "{path} ({address}): ")?,
            (Some(path), None) => write!(f, "{path}: ")?,
            (None, Some(address)) => write!(f, "stack `{}` ({address}): ", self.stack)?,
            (None, None) => write!(f, "stack `{}`: ", self.stack)?,
        }
        f.write_str(&self.summary)?;
        if self.path.is_none() {
            if let (Some(file), Some(line)) = (&self.file, self.line) {
                write!(f, " ({file} line {line})")?;
            }
        }
        for detail in self.detail.lines() {
            if detail.is_empty() {
                writeln!(f)?;
            } else {
                write!(f, "\n  {detail}")?;
            }
        }
        Ok(())
    }
}

/// A diagnostic as kite prints it under `--json`: `{"error": {...}}` or
/// `{"warning": {...}}`, with the human text as `message` and its parts
/// (`stack`, `path`, `address`, `summary`, `detail`, `file`, `line`).
pub(crate) fn to_json(d: &Diagnostic) -> Value {
    let mut fields = serde_json::to_value(d).unwrap_or(Value::Null);
    if let Some(object) = fields.as_object_mut() {
        object.remove("severity");
        object.insert("message".into(), Value::String(d.to_string()));
    }
    serde_json::json!({ d.severity.name(): fields })
}

/// What one line of terraform's JSON output comes to for the user.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rendered {
    /// A line to show.
    Text(String),
    /// A diagnostic, to show and to keep.
    Diagnostic(Diagnostic),
    /// Nothing to show (terraform's version, a refresh starting).
    Nothing,
}

/// Whether a line of terraform's JSON output is a planned change (which
/// `apply` of a saved plan prints again).
pub(crate) fn is_planned_change(line: &str) -> bool {
    parse(line).is_ok_and(|m| m["type"] == "planned_change")
}

/// JSON text as a value. Parsed as bytes, as terraform's other outputs
/// are: one deserializer compiled for all of them.
fn parse(text: &str) -> serde_json::Result<Value> {
    serde_json::from_slice(text.as_bytes())
}

/// Renders one line of `terraform plan -json` or `apply -json`. A line that
/// is not JSON is shown as it is.
pub(crate) fn render_line(line: &str, stack: &str, index: &BlockIndex) -> Rendered {
    let Ok(message) = parse(line) else {
        return Rendered::Text(line.to_owned());
    };
    let text = message["@message"].as_str().unwrap_or_default();
    match message["type"].as_str().unwrap_or_default() {
        "version" | "refresh_start" | "outputs" => Rendered::Nothing,
        "diagnostic" => {
            Rendered::Diagnostic(Diagnostic::from_json(&message["diagnostic"], stack, index))
        }
        "planned_change" => {
            let change = &message["change"];
            let address = change["resource"]["addr"].as_str().unwrap_or_default();
            let action = change["action"].as_str().unwrap_or_default();
            let symbol = match action {
                "create" => "+",
                "delete" => "-",
                "update" => "~",
                "replace" => "-/+",
                "read" => "<=",
                "move" | "import" => ">",
                "remove" => "x",
                _ => " ",
            };
            let path = index.by_address(address).and_then(|b| b.path.as_deref());
            Rendered::Text(match path {
                Some(path) => format!("{symbol} {action} {path} ({address})"),
                None => format!("{symbol} {action} {address}"),
            })
        }
        _ if text.is_empty() => Rendered::Nothing,
        _ => Rendered::Text(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = r#"{
  "//": {
    "metadata": {
      "stackName": "s"
    }
  },
  "data": {
    "aws_region": {
      "current": {
        "//": {
          "metadata": {
            "path": "s/current",
            "uniqueId": "current"
          }
        }
      }
    }
  },
  "resource": {
    "aws_iam_role": {
      "app_role_1234": {
        "//": {
          "metadata": {
            "path": "s/app/role",
            "uniqueId": "app_role_1234"
          }
        },
        "name": "a \"quoted\" {name}",
        "tags": {
          "app": "x"
        }
      }
    }
  }
}
"#;

    #[test]
    fn blocks_are_found_by_address_and_by_line() {
        let index = BlockIndex::from_text(DOC);
        let role = index.by_address("aws_iam_role.app_role_1234").unwrap();
        assert_eq!(role.path.as_deref(), Some("s/app/role"));
        // `"app_role_1234": {` is line 21, its `}` line 32.
        assert_eq!(role.lines, (21, 32));
        assert_eq!(
            index.by_line(29).unwrap().address,
            "aws_iam_role.app_role_1234"
        );
        assert_eq!(
            index.by_line(10).unwrap().address,
            "data.aws_region.current"
        );
        assert_eq!(index.by_line(3), None);
        assert_eq!(
            index
                .by_address("aws_iam_role.app_role_1234[0]")
                .unwrap()
                .path
                .as_deref(),
            Some("s/app/role")
        );
    }

    #[test]
    fn a_diagnostic_names_the_construct_path_and_the_address() {
        let index = BlockIndex::from_text(DOC);
        let by_line = json!({
            "severity": "error",
            "summary": "Extraneous JSON object property",
            "detail": "No argument or block type is named \"nme\".\n\nDid you mean \"name\"?",
            "range": {"filename": "cdk.tf.json", "start": {"line": 29, "column": 9, "byte": 1}}
        });
        let d = Diagnostic::from_json(&by_line, "s", &index);
        assert_eq!(
            d.to_string(),
            "error: s/app/role (aws_iam_role.app_role_1234): Extraneous JSON object property\n  No argument or block type is named \"nme\".\n\n  Did you mean \"name\"?"
        );
        let by_address = json!({
            "severity": "warning",
            "summary": "Deprecated",
            "detail": "",
            "address": "data.aws_region.current"
        });
        assert_eq!(
            Diagnostic::from_json(&by_address, "s", &index).to_string(),
            "warning: s/current (data.aws_region.current): Deprecated"
        );
        let elsewhere = json!({
            "severity": "error",
            "summary": "Invalid block",
            "detail": "x",
            "range": {"filename": "kite.tf", "start": {"line": 3}}
        });
        assert_eq!(
            Diagnostic::from_json(&elsewhere, "s", &index).to_string(),
            "error: stack `s`: Invalid block (kite.tf line 3)\n  x"
        );
    }

    #[test]
    fn planned_changes_name_construct_paths() {
        let index = BlockIndex::from_text(DOC);
        let line = r#"{"@level":"info","@message":"aws_iam_role.app_role_1234: Plan to create","type":"planned_change","change":{"resource":{"addr":"aws_iam_role.app_role_1234"},"action":"create"}}"#;
        assert_eq!(
            render_line(line, "s", &index),
            Rendered::Text("+ create s/app/role (aws_iam_role.app_role_1234)".into())
        );
        assert_eq!(
            render_line(
                r#"{"type":"version","@message":"Terraform 1.11.4"}"#,
                "s",
                &index
            ),
            Rendered::Nothing
        );
        assert_eq!(
            render_line("not json", "s", &index),
            Rendered::Text("not json".into())
        );
    }
}
