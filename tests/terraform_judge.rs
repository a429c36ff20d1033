//! The real `terraform` CLI judges what kite synthesizes (doc/adr/0009).
//!
//! No provider can be downloaded here, so the test builds the stand-in
//! provider of `standin-provider/` (the bundled schemas, served over the
//! plugin protocol), installs it for terraform through a filesystem mirror,
//! and runs, for every stack in the manifest of a full `kite synth` and
//! every variant of the configuration below: `init`, `validate`, `plan`,
//! `apply`, and a second `plan` that must find nothing to change. Planted
//! defects show that the same judge fails what it should.
//!
//! Needs terraform 1.11 or later on PATH; `KITE_SKIP_TERRAFORM=1` skips.

mod common;
#[path = "common/terraform_home.rs"]
mod terraform_home;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use terraform_home::{TerraformHome, locate_terraform};

/// The configurations every stack is judged in: name and environment.
fn variants() -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    vec![
        ("without a domain", vec![]),
        (
            "with a domain",
            vec![
                ("KITE_DOMAIN", "example.com".to_owned()),
                ("CLOUDFLARE_API_TOKEN", random_token()),
            ],
        ),
        (
            "with a domain, bot tokens, a budget and the package from the build stack",
            vec![
                ("KITE_DOMAIN", "example.com".to_owned()),
                ("CLOUDFLARE_API_TOKEN", random_token()),
                ("TELEGRAM_BOT_TOKEN", format!("1:{}", random_token())),
                ("TELEGRAM_DEV_BOT_TOKEN", format!("2:{}", random_token())),
                ("KITE_BUDGET_USD", "20".to_owned()),
                ("KITE_ALERT_EMAIL", "ops@example.com".to_owned()),
                ("KITE_LAMBDA_SOURCE", "s3".to_owned()),
                (
                    "KITE_GITHUB_REPOSITORY",
                    "k1te-chat/k1te-serverless".to_owned(),
                ),
            ],
        ),
    ]
}

/// The settings that are secrets: they must appear nowhere terraform writes.
const SECRETS: [&str; 3] = [
    "CLOUDFLARE_API_TOKEN",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_DEV_BOT_TOKEN",
];

/// Longest a single terraform command may take before the test gives up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

#[test]
fn every_stack_passes_init_validate_plan_apply_and_a_clean_second_plan() {
    let Some(judge) = Judge::new() else { return };
    let mut judged = Vec::new();
    for (variant, vars) in variants() {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let project = synth(&vars);
        let stacks = manifest_stacks(&project);
        assert!(!stacks.is_empty(), "the manifest lists no stack");
        let dirs: BTreeMap<String, PathBuf> = stacks
            .iter()
            .map(|(name, dir, _)| (name.clone(), dir.clone()))
            .collect();
        // Each stack after the stacks it reads; the others side by side.
        for wave in waves(&stacks) {
            std::thread::scope(|s| {
                for (name, dir, _) in wave {
                    let judge = &judge;
                    let (dirs, vars) = (&dirs, &vars);
                    s.spawn(move || {
                        let env = secret_inputs(dir, vars);
                        judge.full_cycle(dir, dirs, &env, &format!("stack `{name}` {variant}"));
                    });
                }
            });
        }
        // No secret reached a file: neither the output nor a state.
        for (setting, value) in vars.iter().filter(|(k, _)| SECRETS.contains(k)) {
            for (path, bytes) in common::tree_bytes(&project.path().join("cdktf.out")) {
                assert!(
                    !String::from_utf8_lossy(&bytes).contains(value),
                    "{variant}: {setting} is in {}",
                    path.display()
                );
            }
        }
        judged.extend(
            stacks
                .into_iter()
                .map(|(name, _, _)| format!("{name} {variant}")),
        );
    }
    assert!(
        judged.iter().any(|s| s.starts_with("kite "))
            && judged.iter().any(|s| s.starts_with("local ")),
        "{judged:?}"
    );
}

/// Each defect, planted in a copy of the `kite` stack, and what terraform
/// must say about it.
#[test]
fn planted_defects_make_terraform_fail() {
    let Some(judge) = Judge::new() else { return };
    let project = synth(&[]);
    let dir = project.path().join("cdktf.out/stacks/kite");
    let file = dir.join("cdk.tf.json");
    let original = common::read_json(&file);
    judge.prepare(&dir, &BTreeMap::new());
    judge.ok(&dir, &["init", "-input=false"], "kite: init");
    judge.ok(&dir, &["validate"], "kite as synthesized: validate");

    let function = first_block(&original, "aws_lambda_function");
    let [table_a, table_b] = [0, 1].map(|i| {
        original["resource"]["aws_dynamodb_table"]
            .as_object()
            .expect("the kite stack has DynamoDB tables")
            .keys()
            .nth(i)
            .expect("two tables")
            .clone()
    });
    type Plant = Box<dyn Fn(&mut Value)>;
    let cycle = vec![
        "Error: Cycle:".to_owned(),
        format!("aws_dynamodb_table.{table_a}"),
        format!("aws_dynamodb_table.{table_b}"),
    ];
    let defects: Vec<(&str, Plant, Vec<String>)> = vec![
        (
            "an undeclared reference",
            Box::new(move |doc| {
                doc["resource"]["aws_lambda_function"][&function]["role"] =
                    json!("${aws_iam_role.not_declared.arn}");
            }),
            strings(&[
                "Reference to undeclared resource",
                "aws_iam_role.not_declared",
            ]),
        ),
        (
            "a misspelt argument",
            Box::new({
                let function = first_block(&original, "aws_lambda_function");
                move |doc| {
                    let block = doc["resource"]["aws_lambda_function"][&function]
                        .as_object_mut()
                        .unwrap();
                    let v = block
                        .remove("memory_size")
                        .expect("functions set memory_size");
                    block.insert("memory_sise".to_owned(), v);
                }
            }),
            // kite writes JSON: terraform's wording for JSON differs from HCL's.
            strings(&[
                "Extraneous JSON object property",
                "memory_sise",
                r#"Did you mean "memory_size"?"#,
            ]),
        ),
        (
            "a missing required argument",
            Box::new({
                let function = first_block(&original, "aws_lambda_function");
                move |doc| {
                    doc["resource"]["aws_lambda_function"][&function]
                        .as_object_mut()
                        .unwrap()
                        .remove("function_name");
                }
            }),
            strings(&[
                "Missing required argument",
                r#"The argument "function_name" is required"#,
            ]),
        ),
        (
            "a depends_on cycle",
            Box::new(move |doc| {
                let tables = &mut doc["resource"]["aws_dynamodb_table"];
                tables[&table_a]["depends_on"] = json!([format!("aws_dynamodb_table.{table_b}")]);
                tables[&table_b]["depends_on"] = json!([format!("aws_dynamodb_table.{table_a}")]);
            }),
            cycle,
        ),
    ];
    for (defect, plant, expected) in defects {
        let mut doc = original.clone();
        plant(&mut doc);
        std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
        let run = judge.run(&dir, &["validate"]);
        assert!(
            !run.success,
            "terraform validate accepted {defect}:\n{}",
            run.text
        );
        for text in &expected {
            assert!(
                run.text.contains(text.as_str()),
                "terraform validate on {defect}: expected {text:?} in:\n{}",
                run.text
            );
        }
    }
}

/// kite's `moved` blocks across types (cloudflare_record to
/// cloudflare_dns_record) with the old resources in the state: terraform
/// must move them (the provider's MoveResourceState) and plan no replacement.
#[test]
fn moved_blocks_move_existing_state_across_types() {
    let Some(judge) = Judge::new() else { return };
    let mut checked = 0;
    for (variant, vars) in variants() {
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let project = synth(&vars);
        for (name, dir, _) in manifest_stacks(&project) {
            let doc = common::read_json(&dir.join("cdk.tf.json"));
            let moves = moved_blocks(&dir);
            if moves.is_empty() {
                continue;
            }
            // A stack reading another's outputs plans only after that stack
            // is applied (the full cycle covers it); the same moves are
            // checked in the variant without the reads.
            if doc["data"]["terraform_remote_state"].is_object() {
                continue;
            }
            let what = format!("stack `{name}` {variant}");
            let mut resources = Vec::new();
            for (from, to) in &moves {
                let (from_type, from_name) = from.split_once('.').unwrap();
                // The provider of the old type is the provider of the new one.
                let local_name = to.split('_').next().unwrap();
                let source = doc["terraform"]["required_providers"][local_name]["source"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{what}: no required provider for {to}"));
                resources.push(json!({
                    "mode": "managed",
                    "type": from_type,
                    "name": from_name,
                    "provider": format!("provider[\"registry.terraform.io/{source}\"]"),
                    "instances": [{
                        "schema_version": 0,
                        "attributes": {"id": format!("existing-{from_name}")},
                        "sensitive_attributes": []
                    }]
                }));
            }
            judge.prepare(&dir, &BTreeMap::new());
            let state = json!({
                "version": 4,
                "terraform_version": "1.11.0",
                "serial": 1,
                "lineage": "00000000-0000-0000-0000-000000000000",
                "outputs": {},
                "resources": resources
            });
            let state_file = match doc["terraform"]["backend"]["local"]["path"].as_str() {
                Some(path) => dir.join(path),
                None => dir.join("terraform.tfstate"),
            };
            std::fs::write(&state_file, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
            judge.ok(&dir, &["init", "-input=false"], &what);
            let plan = judge.ok(&dir, &["plan", "-input=false"], &what);
            for (from, to) in &moves {
                assert!(
                    plan.text.contains(&format!("(moved from {from})"))
                        || plan.text.contains(&format!("{from} has moved to {to}")),
                    "{what}: the plan does not move {from} to {to}:\n{}",
                    plan.text
                );
                assert!(
                    !plan.text.contains(&format!("{to} must be replaced")),
                    "{what}: {to} is replaced, not moved:\n{}",
                    plan.text
                );
                checked += 1;
            }
        }
    }
    assert!(
        checked > 0,
        "no stack has moved blocks any more: this test can go"
    );
}

#[test]
fn without_terraform_the_tests_fail_saying_what_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let err = locate_terraform(Some(empty.path().as_os_str()), None).unwrap_err();
    assert!(err.contains("Terraform 1.11"), "{err}");
    assert!(err.contains("KITE_SKIP_TERRAFORM=1"), "{err}");

    // Skipping is asked for, not assumed.
    let skip = OsString::from("1");
    assert_eq!(
        locate_terraform(Some(empty.path().as_os_str()), Some(&skip)),
        Ok(None)
    );

    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("terraform");
    std::fs::write(&fake, "#!/bin/sh\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths([empty.path(), bin.path()]).unwrap();
    assert_eq!(locate_terraform(Some(&path), None), Ok(Some(fake)));
}

/// terraform with the stand-in provider installed for it.
struct Judge(TerraformHome);

/// One terraform run: success, and stdout then stderr.
struct Run {
    success: bool,
    code: Option<i32>,
    text: String,
}

impl Judge {
    /// The judge, or None (after saying so) when the environment asks to skip.
    fn new() -> Option<Judge> {
        TerraformHome::new("terraform does not judge kite's output in this run").map(Judge)
    }

    /// Runs terraform in `dir`, isolated from the developer's settings: its
    /// own CLI configuration, no plugin cache, no version check, no prompts.
    fn run(&self, dir: &Path, args: &[&str]) -> Run {
        self.run_with(dir, args, &[])
    }

    fn run_with(&self, dir: &Path, args: &[&str], env: &[(String, String)]) -> Run {
        let out = tempfile::tempdir_in(self.0.home.path()).unwrap();
        let (stdout, stderr) = (out.path().join("stdout"), out.path().join("stderr"));
        let mut child = Command::new(&self.0.terraform)
            .args(args)
            .arg("-no-color")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.0.home.path())
            .env("TF_CLI_CONFIG_FILE", self.0.cli_config())
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.0.terraform.display()));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > COMMAND_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut text = std::fs::read_to_string(&stdout).unwrap_or_default();
        text.push_str(&std::fs::read_to_string(&stderr).unwrap_or_default());
        if status.is_none() {
            text.push_str(&format!("\n(killed after {COMMAND_TIMEOUT:?})"));
        }
        Run {
            success: status.is_some_and(|s| s.success()),
            code: status.and_then(|s| s.code()),
            text,
        }
    }

    /// Runs terraform and fails the test, with terraform's output, unless it
    /// succeeds.
    fn ok(&self, dir: &Path, args: &[&str], what: &str) -> Run {
        self.ok_with(dir, args, &[], what)
    }

    fn ok_with(&self, dir: &Path, args: &[&str], env: &[(String, String)], what: &str) -> Run {
        let run = self.run_with(dir, args, env);
        assert!(
            run.success,
            "{what}: `terraform {}` failed (exit {:?}):\n{}",
            args.join(" "),
            run.code,
            run.text
        );
        run
    }

    /// A stack with a remote backend gets a local one, by an override file
    /// written beside kite's output (terraform merges `*_override.tf.json`),
    /// and so does each read of another stack's state (kite names them
    /// `<stack>-state`): it reads that stack's local state.
    fn prepare(&self, dir: &Path, stacks: &BTreeMap<String, PathBuf>) {
        let doc = common::read_json(&dir.join("cdk.tf.json"));
        if let Some(reads) = doc["data"]["terraform_remote_state"].as_object() {
            let mut overrides = serde_json::Map::new();
            for name in reads.keys() {
                let producer = name
                    .strip_suffix("-state")
                    .expect("kite's name for a state read");
                let state = stacks[producer].join("terraform.tfstate");
                overrides.insert(
                    name.clone(),
                    json!({"backend": "local", "config": {"path": state}}),
                );
            }
            std::fs::write(
                dir.join("remote_state_override.tf.json"),
                serde_json::to_vec_pretty(&json!({"data": {"terraform_remote_state": overrides}}))
                    .unwrap(),
            )
            .unwrap();
        }
        let backends = doc["terraform"]["backend"].as_object();
        if backends.is_some_and(|b| b.keys().any(|k| k != "local")) {
            let local = json!({"terraform": {"backend": {"local": {"path": "terraform.tfstate"}}}});
            std::fs::write(
                dir.join("backend_override.tf.json"),
                serde_json::to_vec_pretty(&local).unwrap(),
            )
            .unwrap();
        }
    }

    /// `env`: variables for terraform (kite's secret inputs, as `kite`
    /// passes them).
    fn full_cycle(
        &self,
        dir: &Path,
        stacks: &BTreeMap<String, PathBuf>,
        env: &[(String, String)],
        what: &str,
    ) {
        self.prepare(dir, stacks);
        self.ok_with(dir, &["init", "-input=false"], env, what);
        self.ok_with(dir, &["validate"], env, what);
        self.ok_with(dir, &["plan", "-input=false", "-out=tfplan"], env, what);
        self.ok_with(dir, &["apply", "-input=false", "tfplan"], env, what);
        let again = self.run_with(dir, &["plan", "-input=false", "-detailed-exitcode"], env);
        assert!(
            again.code == Some(0),
            "{what}: a second plan after apply must find no changes (exit 0), got exit {:?}:\n{}",
            again.code,
            again.text
        );
    }
}

/// A full `kite synth` with these variables, in a new project directory.
fn synth(vars: &[(&str, &str)]) -> tempfile::TempDir {
    let run = common::kite_bin(&["synth"], vars);
    assert!(
        run.status.success(),
        "kite synth failed with {vars:?}:\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    run.dir
}

/// The stacks in waves: each after every stack it depends on.
fn waves(stacks: &[(String, PathBuf, Vec<String>)]) -> Vec<Vec<&(String, PathBuf, Vec<String>)>> {
    let mut done: Vec<&str> = Vec::new();
    let mut waves = Vec::new();
    while done.len() < stacks.len() {
        let wave: Vec<_> = stacks
            .iter()
            .filter(|(name, _, deps)| {
                !done.contains(&name.as_str()) && deps.iter().all(|d| done.contains(&d.as_str()))
            })
            .collect();
        assert!(!wave.is_empty(), "the manifest's dependencies form a cycle");
        done.extend(wave.iter().map(|(name, _, _)| name.as_str()));
        waves.push(wave);
    }
    waves
}

/// What kite gives terraform for a stack's secret inputs: the value of
/// the setting each ephemeral variable is read from (its description says
/// which), as `TF_VAR_<name>`.
fn secret_inputs(dir: &Path, vars: &[(&str, &str)]) -> Vec<(String, String)> {
    let doc = common::read_json(&dir.join("cdk.tf.json"));
    let mut env = Vec::new();
    for (name, variable) in doc["variable"].as_object().into_iter().flatten() {
        if variable["ephemeral"] != true {
            continue;
        }
        let description = variable["description"].as_str().unwrap_or_default();
        let setting = description
            .rsplit("from the setting ")
            .next()
            .expect("kite's description of a secret input");
        let value = vars
            .iter()
            .find(|(k, _)| *k == setting)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| {
                panic!("{name} is read from {setting}, which the variant does not set")
            });
        env.push((format!("TF_VAR_{name}"), value.to_owned()));
    }
    env
}

/// Name, directory and dependencies of every stack in the manifest.
/// The `moved` blocks of a stack (`from`, `to`): kite writes them in HCL,
/// to `kite.tf` beside `cdk.tf.json` (doc/adr/0012).
fn moved_blocks(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join("kite.tf")) else {
        return Vec::new();
    };
    let mut moves = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "moved {" {
            continue;
        }
        let mut argument = |name: &str| {
            let line = lines.next().unwrap_or_default();
            let (key, value) = line.split_once('=').unwrap_or_default();
            assert_eq!(key.trim(), name, "kite.tf: `{line}` in a moved block");
            value.trim().to_owned()
        };
        let from = argument("from");
        let to = argument("to");
        moves.push((from, to));
    }
    moves
}

fn manifest_stacks(project: &tempfile::TempDir) -> Vec<(String, PathBuf, Vec<String>)> {
    let out = project.path().join("cdktf.out");
    let manifest = common::read_json(&out.join("manifest.json"));
    manifest["stacks"]
        .as_object()
        .expect("stacks in the manifest")
        .iter()
        .map(|(name, stack)| {
            let dir = stack["workingDirectory"]
                .as_str()
                .expect("a working directory");
            let deps = stack["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect();
            (name.clone(), out.join(dir), deps)
        })
        .collect()
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| (*t).to_owned()).collect()
}

fn first_block(doc: &Value, resource_type: &str) -> String {
    doc["resource"][resource_type]
        .as_object()
        .and_then(|blocks| blocks.keys().next())
        .unwrap_or_else(|| panic!("no {resource_type} in the stack"))
        .clone()
}

/// A token no test has seen before: kite passes it to terraform, and the
/// stand-in must not depend on its value. Fixed width, so it always has the
/// 20 or more characters a Telegram secret has, whatever the process id.
fn random_token() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:032x}{:08x}", nanos, std::process::id())
}
