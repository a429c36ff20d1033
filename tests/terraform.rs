//! `kite diff|deploy|destroy|output` on one stack against a stand-in
//! terraform (`common/standin.rs`): an executable first on PATH that records
//! what it was asked and exits with the status the test picks. No real
//! terraform, provider or network. Runs over several stacks are in
//! `tests/multistack.rs`.

mod common;
#[path = "common/standin.rs"]
mod standin;

use std::process::Command;

use serde_json::Value;
#[cfg(unix)]
use standin::send;
use standin::{Harness, same_dir, stderr, strings};

/// kite's calls for a stack that has changes: `init`, `plan` saving
/// kite.tfplan with JSON messages, `show -json` of it (the summary), and
/// `show` of it (the plan, for the user), then `apply` of it when deploying.
fn planned(extra_plan: &[&str]) -> Vec<Vec<String>> {
    let mut plan = strings(&["plan", "-input=false", "-out=kite.tfplan", "-json"]);
    plan.extend(strings(extra_plan));
    plan.push("-no-color".into());
    vec![
        strings(&["init", "-input=false", "-no-color"]),
        plan,
        strings(&["show", "-json", "-no-color", "kite.tfplan"]),
    ]
}

fn applied() -> Vec<String> {
    strings(&["apply", "-input=false", "-json", "-no-color", "kite.tfplan"])
}

#[test]
fn diff_synthesizes_then_inits_and_plans_in_the_stack_directory() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut expected = planned(&[]);
    expected.push(strings(&["show", "-no-color", "kite.tfplan"]));
    assert_eq!(h.args(), expected);
    for call in h.calls() {
        assert_eq!(call.program, "terraform");
        assert!(
            same_dir(&call.cwd, &h.stack_dir("local")),
            "{}",
            call.cwd.display()
        );
    }
    assert!(
        h.stack_dir("local").join("cdk.tf.json").is_file(),
        "synthesized first"
    );
    assert!(!h.stack_dir("kite").exists(), "only the stack asked for");
    assert!(
        !h.stack_dir("local").join("kite.tfplan").exists(),
        "the plan file is removed: it can hold sensitive values"
    );
    // The plan's changes, rendered with construct paths, and the summary.
    let stdout = standin::stdout(&out);
    assert!(
        stdout
            .contains("+ create local/local/Channels (aws_dynamodb_table.local_Channels_6BBB7BA3)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  # aws_dynamodb_table.local_Channels_6BBB7BA3 will be: create"),
        "terraform's own rendering of the plan: {stdout}"
    );
    assert!(
        stdout.contains("local  plan: 4 to add, 0 to change, 0 to destroy"),
        "{stdout}"
    );
}

/// Every call ran in the stack's directory.
fn assert_ran_in(h: &Harness, stack: &str) {
    let calls = h.calls();
    assert!(!calls.is_empty());
    for call in calls {
        assert!(
            same_dir(&call.cwd, &h.stack_dir(stack)),
            "{} ran in {}",
            call.args.join(" "),
            call.cwd.display()
        );
    }
}

#[test]
fn deploy_plans_then_applies_the_saved_plan_with_auto_approve() {
    let h = Harness::new();
    let out = h.kite(&["deploy", "local", "--auto-approve"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ran_in(&h, "local");
    let mut expected = planned(&[]);
    expected.push(applied());
    assert_eq!(h.args(), expected);
    assert!(!h.stack_dir("local").join("kite.tfplan").exists());
    let stdout = standin::stdout(&out);
    assert!(
        stdout.contains("local  applied: 4 added, 0 changed, 0 destroyed"),
        "{stdout}"
    );
    // Deployed: the next plan has nothing to apply, and nothing is applied.
    h.clear_calls();
    let out = h.kite(&["deploy", "local", "--auto-approve"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(h.args(), planned(&[]));
    assert!(standin::stdout(&out).contains("local  no changes"));
}

#[test]
fn without_a_terminal_deploy_and_destroy_need_auto_approve() {
    for command in ["deploy", "destroy"] {
        let h = Harness::new();
        // Standard input is not a terminal here.
        let out = h.kite(&[command, "local"], &[]);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "kite {command} asks before it changes anything, and its standard input is not a terminal: pass --auto-approve"
            )),
            "{}",
            stderr(&out)
        );
        assert!(h.calls().is_empty(), "terraform is not run");
    }
}

#[test]
fn destroy_plans_the_destruction_and_applies_it() {
    let h = Harness::new();
    assert!(
        h.kite(&["deploy", "local", "--auto-approve"], &[])
            .status
            .success()
    );
    h.clear_calls();
    let out = h.kite(&["destroy", "local", "--auto-approve"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ran_in(&h, "local");
    let mut expected = planned(&["-destroy"]);
    expected.push(applied());
    assert_eq!(h.args(), expected);
    assert!(
        standin::stdout(&out).contains("local  destroyed: 0 added, 0 changed, 4 destroyed"),
        "{}",
        standin::stdout(&out)
    );
}

#[test]
fn output_prints_terraform_outputs_as_text_or_json() {
    let h = Harness::new();
    assert!(
        h.kite(&["deploy", "kite", "--auto-approve"], &[])
            .status
            .success()
    );
    h.clear_calls();
    let out = h.kite(&["output", "kite", "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        h.args(),
        [
            strings(&["init", "-input=false", "-no-color"]),
            strings(&["output", "-json", "-no-color"])
        ]
    );
    // stdout is exactly what `terraform output -json` printed: init's and
    // kite's own messages went to stderr.
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let outputs: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout:?}"));
    let declared = common::read_json(&h.stack_dir("kite").join("cdk.tf.json"));
    let declared: Vec<&String> = declared["output"].as_object().unwrap().keys().collect();
    assert!(!declared.is_empty());
    for name in declared {
        assert_eq!(outputs[name]["value"], "standin", "{stdout}");
    }
    let stderr = stderr(&out);
    assert!(stderr.contains("Initializing the backend"), "{stderr}");
    assert!(stderr.contains("Synthesized 1 stack"), "{stderr}");

    h.clear_calls();
    assert!(h.kite(&["output", "kite"], &[]).status.success());
    assert_eq!(h.args()[1], strings(&["output", "-no-color"]));
}

#[test]
fn a_failing_init_stops_before_plan_and_its_status_is_returned() {
    let h = Harness::new();
    let out = h.kite(
        &["deploy", "local", "--auto-approve"],
        &[("STANDIN_EXIT_INIT", "3")],
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(h.args(), [strings(&["init", "-input=false", "-no-color"])]);
    let stderr = stderr(&out);
    assert!(
        stderr.contains("`terraform init -input=false -no-color` failed in"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(exit 3); stack `local` was not planned"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Initializing the backend..."),
        "init's own output, shown when it fails: {stderr}"
    );
}

#[test]
fn terraform_s_exit_status_becomes_kite_s() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local"], &[("STANDIN_EXIT_PLAN", "1")]);
    assert_eq!(out.status.code(), Some(1));
    let out = h.kite(
        &["deploy", "local", "--auto-approve"],
        &[("STANDIN_EXIT_APPLY", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !h.stack_dir("local").join("kite.tfplan").exists(),
        "removed after a failed apply too"
    );
}

#[test]
fn the_token_reaches_terraform_s_environment_and_no_file() {
    let h = Harness::new();
    let token = format!("cf-token-{}", std::process::id());
    std::fs::write(
        h.project.path().join(".env"),
        format!("KITE_DOMAIN=k1te.chat\nCLOUDFLARE_API_TOKEN={token}\nAWS_PROFILE=from-dotenv\n"),
    )
    .unwrap();
    let out = h.kite(&["deploy", "kite", "--auto-approve"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let calls = h.calls();
    assert_eq!(calls.len(), 4, "init, plan, show, apply");
    for call in &calls {
        assert_eq!(call.token, token, "from .env into terraform's environment");
        assert_eq!(call.aws_profile, "from-dotenv");
    }
    for (path, bytes) in common::tree_bytes(&h.project.path().join("cdktf.out")) {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "token in {}",
            path.display()
        );
    }
}

#[test]
fn the_environment_wins_over_dotenv_for_terraform_too() {
    let h = Harness::new();
    std::fs::write(h.project.path().join(".env"), "AWS_PROFILE=from-dotenv\n").unwrap();
    assert!(
        h.kite(&["diff", "local"], &[("AWS_PROFILE", "from-env")])
            .status
            .success()
    );
    assert!(h.calls().iter().all(|c| c.aws_profile == "from-env"));
}

#[test]
fn terraform_binary_name_selects_another_binary() {
    let h = Harness::new();
    assert!(
        h.kite(&["diff", "local"], &[("TERRAFORM_BINARY_NAME", "tofu")])
            .status
            .success()
    );
    let calls = h.calls();
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|c| c.program == "tofu"));
}

#[test]
fn a_missing_binary_is_a_one_line_error() {
    let h = Harness::new();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["deploy", "local", "--auto-approve"])
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("`terraform` was not found on PATH"),
        "{stderr}"
    );
    assert!(
        lines[0].contains("install Terraform") && lines[0].contains("TERRAFORM_BINARY_NAME"),
        "{stderr}"
    );
    let out = h.kite(
        &["diff", "local"],
        &[("TERRAFORM_BINARY_NAME", "no-such-tf")],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("`no-such-tf` was not found"));
}

#[test]
fn without_a_stack_name_kite_says_which_stacks_exist() {
    let h = Harness::new();
    let out = h.kite(&["deploy", "--auto-approve"], &[]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "this app has 4 stacks (kite, kite-dev, build, local): name the ones to deploy, as `kite deploy kite`, or pass --all"
        ),
        "{stderr}"
    );
    assert!(h.calls().is_empty(), "terraform is not run");
    assert!(
        !h.project.path().join("cdktf.out").exists(),
        "nothing is synthesized"
    );
}

#[test]
fn a_stack_that_cannot_be_synthesized_is_not_handed_to_terraform() {
    let h = Harness::new();
    let out = h.kite(
        &["deploy", "kite", "--auto-approve"],
        &[("KITE_DOMAIN", "k1te.chat")],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CLOUDFLARE_API_TOKEN is not"));
    assert!(h.calls().is_empty());
}

#[test]
fn the_token_from_the_environment_reaches_terraform_too() {
    let h = Harness::new();
    let out = h.kite(
        &["diff", "kite"],
        &[
            ("KITE_DOMAIN", "k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "from-env-token"),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(h.calls().iter().all(|c| c.token == "from-env-token"));
    for (path, bytes) in common::tree_bytes(&h.project.path().join("cdktf.out")) {
        assert!(
            !bytes.windows(14).any(|w| w == b"from-env-token"),
            "token in {}",
            path.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn sigterm_reaches_terraform_and_kite_waits_for_it_and_returns_its_status() {
    let h = Harness::trapping();
    let mut kite = h.spawn(&["deploy", "local", "--auto-approve"], &[]);
    h.wait_for("apply-started", 1);
    // What a service manager or `timeout` sends to kite alone.
    send("TERM", kite.id());
    let status = kite.wait().unwrap();
    let state = h.state();
    assert_eq!(
        state.matches("TERM").count(),
        1,
        "terraform got the SIGTERM, once: {state}"
    );
    assert!(
        state.contains("apply-finished"),
        "terraform had stopped (and released the state lock) before kite exited: {state}"
    );
    assert_eq!(status.code(), Some(7), "terraform's status: {status:?}");
}

#[cfg(unix)]
#[test]
fn sigint_sent_to_kite_by_a_process_reaches_terraform_once() {
    let h = Harness::trapping();
    let mut kite = h.spawn(&["deploy", "local", "--auto-approve"], &[]);
    h.wait_for("apply-started", 1);
    send("INT", kite.id());
    let status = kite.wait().unwrap();
    let state = h.state();
    assert_eq!(state.matches("INT").count(), 1, "{state}");
    assert!(state.contains("apply-finished"), "{state}");
    assert_eq!(status.code(), Some(7), "{status:?}");
}

#[cfg(unix)]
#[test]
fn a_second_signal_is_forwarded_too() {
    let h = Harness::trapping();
    // This terraform stops only at the second signal, as a forced stop.
    let mut kite = h.spawn(
        &["deploy", "local", "--auto-approve"],
        &[("STANDIN_STOP_AFTER", "2")],
    );
    h.wait_for("apply-started", 1);
    send("TERM", kite.id());
    h.wait_for("TERM", 1);
    assert!(kite.try_wait().unwrap().is_none(), "kite still waits");
    send("TERM", kite.id());
    let status = kite.wait().unwrap();
    assert_eq!(h.state().matches("TERM").count(), 2, "{}", h.state());
    assert_eq!(status.code(), Some(7));
}

/// Ctrl-C in a terminal: the terminal sends SIGINT to kite and terraform
/// (one process group); kite must not send terraform a second one, which
/// would make it stop at once, leaving the state locked. In a terminal,
/// terraform keeps its colours.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_in_a_terminal_reaches_terraform_once_and_kite_returns_its_status() {
    use std::io::Write;
    let h = Harness::trapping();
    let kite = env!("CARGO_BIN_EXE_kite");
    // `script` runs kite on a new pseudo-terminal and copies its input
    // there: a 0x03 byte is Ctrl-C.
    let mut terminal = Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!("exec {kite} deploy local --auto-approve"))
        .arg("/dev/null")
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", h.bin.path().display()))
        .env("SHELL", "/bin/sh")
        .env("STANDIN_LOG", h.log())
        // terraform waits for a second SIGINT for 1.5 s: one forwarded by
        // kite would arrive in that time.
        .env("STANDIN_STOP_AFTER", "2")
        .env("STANDIN_TICKS", "15")
        .env("KITE_LAMBDA_ZIP", common::fixture_zip())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    h.wait_for("apply-started", 1);
    let mut keys = terminal.stdin.take().unwrap();
    keys.write_all(b"\x03").unwrap();
    keys.flush().unwrap();
    let started = std::time::Instant::now();
    while !h.state().contains("apply-finished") {
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = terminal.wait_with_output().unwrap();
    drop(keys);
    let state = h.state();
    assert_eq!(
        state.matches("INT").count(),
        1,
        "terraform got the terminal's SIGINT and no second one: {state}"
    );
    assert_eq!(output.status.code(), Some(7), "{output:?}");
    let apply = h.args().into_iter().find(|a| a[0] == "apply").unwrap();
    assert_eq!(
        apply,
        ["apply", "-input=false", "-json", "kite.tfplan"],
        "no -no-color in a terminal"
    );
}

#[test]
fn the_terraform_commands_take_the_schema_options_of_synth() {
    let h = Harness::new();
    let out = h.kite(&["diff", "local", "--no-validate"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected = planned(&[]);
    expected.push(strings(&["show", "-no-color", "kite.tfplan"]));
    assert_eq!(h.args(), expected);

    let h = Harness::new();
    let out = h.kite(
        &[
            "deploy",
            "local",
            "--auto-approve",
            "--schema",
            "missing.json",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot use the schema file"));
    assert!(
        h.calls().is_empty(),
        "nothing runs with a schema that cannot be read"
    );
}

/// Before: the `terraform` on PATH ran instead.
#[cfg(unix)]
#[test]
fn a_terraform_binary_name_that_is_not_utf8_is_an_error_naming_the_variable() {
    use std::os::unix::ffi::OsStrExt;
    let h = Harness::new();
    let out = Command::new(env!("CARGO_BIN_EXE_kite"))
        .args(["diff", "local"])
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", h.bin.path())
        .env("STANDIN_LOG", h.log())
        .env(
            "TERRAFORM_BINARY_NAME",
            std::ffi::OsStr::from_bytes(b"to\xfffu"),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("TERRAFORM_BINARY_NAME is not valid UTF-8") && stderr.contains(r"to\xfffu"),
        "{stderr}"
    );
    assert!(h.calls().is_empty(), "no terraform ran");
}

#[test]
fn a_stage_bot_token_reaches_terraform_through_its_environment_only() {
    let h = Harness::new();
    let token = "123456:AAbbCCddEEffGGhhIIjjKKll-secret-in-env";
    // From .env, as a user keeps it.
    std::fs::write(
        h.project.path().join(".env"),
        format!("TELEGRAM_DEV_BOT_TOKEN='{token}'\n"),
    )
    .unwrap();
    let out = h.kite(&["deploy", "kite-dev", "--auto-approve"], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = h.calls();
    assert_eq!(calls.len(), 4, "{calls:?}");
    for call in &calls {
        assert_eq!(call.bot_token, token, "TF_VAR_telegram_bot_token");
        assert!(
            call.args.iter().all(|a| !a.contains("AAbbCC")),
            "{:?}",
            call.args
        );
    }
    // Nothing synthesized holds it.
    for (path, bytes) in common::tree_bytes(&h.stack_dir("kite-dev")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret-in-env"),
            "{}",
            path.display()
        );
    }
}
