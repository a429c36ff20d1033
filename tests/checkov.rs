//! checkov, the IaC scanner, reads every stack kite writes (doc/adr/0012).
//! Runs when checkov is installed: `KITE_CHECKOV` (which `.ci/run` sets) or
//! `checkov` on PATH; skipped otherwise. `.ci/checkov.py` judges the failed
//! checks against the accepted list.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::kite_bin;
use serde_json::Value;

fn checkov() -> Option<String> {
    let program = std::env::var("KITE_CHECKOV").unwrap_or_else(|_| "checkov".into());
    let found = Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    found.then_some(program)
}

fn scan(checkov: &str, dir: &Path) -> Child {
    Command::new(checkov)
        .args([
            "--skip-download",
            "--soft-fail",
            "--framework",
            "terraform_json",
        ])
        .args(["-o", "json", "-d"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn report(child: Child) -> Value {
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "checkov failed");
    serde_json::from_slice(&output.stdout).expect("checkov reports JSON")
}

/// (check id, block name, passed) of every result in `file` of a report.
fn results<'a>(report: &'a Value, file: &str) -> Vec<(&'a str, &'a str, bool)> {
    let mut out = Vec::new();
    for (key, passed) in [("passed_checks", true), ("failed_checks", false)] {
        for r in report["results"][key].as_array().unwrap() {
            if r["file_path"] == file {
                let resource = r["resource"].as_str().unwrap();
                let name = resource.rsplit('.').next().unwrap();
                out.push((r["check_id"].as_str().unwrap(), name, passed));
            }
        }
    }
    out
}

#[test]
fn checkov_parses_every_stack_and_production_tables_have_point_in_time_recovery() {
    let Some(checkov) = checkov() else {
        eprintln!("skipped: checkov is not installed (see .ci/run)");
        return;
    };
    let with_domain = kite_bin(
        &["synth"],
        &[
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "test-token-not-secret"),
        ],
    );
    let without_domain = kite_bin(&["synth", "kite"], &[]);
    assert!(with_domain.status.success(), "{}", with_domain.stderr);
    assert!(without_domain.status.success(), "{}", without_domain.stderr);
    assert!(
        with_domain.out().join("stacks/kite/kite.tf").is_file(),
        "what checkov cannot read is in kite.tf"
    );
    let scans = [
        scan(&checkov, &with_domain.out()),
        scan(&checkov, &without_domain.out()),
    ];
    let [with, without] = scans.map(report);

    for report in [&with, &without] {
        assert_eq!(report["check_type"], "terraform_json");
        assert_eq!(
            report["summary"]["parsing_errors"], 0,
            "{}",
            report["results"]["parsing_errors"]
        );
    }
    for (report, file) in [
        (&with, "/stacks/kite/cdk.tf.json"),
        (&with, "/stacks/local/cdk.tf.json"),
        (&without, "/stacks/kite/cdk.tf.json"),
    ] {
        let results = results(report, file);
        assert!(results.len() > 2, "checkov runs the checks of {file}");
        let recovery: Vec<(&str, bool)> = results
            .iter()
            .filter(|(check, ..)| *check == "CKV_AWS_28")
            .map(|(_, name, passed)| (*name, *passed))
            .collect();
        let production = file.contains("kite");
        let mut expected = if production {
            vec![
                ("prod_Channels_C3BF2098", true),
                ("prod_Members_E8FBF67D", true),
            ]
        } else {
            // DynamoDB Local's throwaway tables: accepted in .ci/checkov-accepted.txt.
            vec![
                ("local_Channels_6BBB7BA3", false),
                ("local_Members_4D8AD555", false),
            ]
        };
        let mut recovery = recovery;
        recovery.sort();
        expected.sort();
        assert_eq!(recovery, expected, "point-in-time recovery in {file}");
    }
}
