//! `kite diff|deploy|destroy` over several stacks (doc/adr/0015), against
//! the stand-in terraform of `common/standin.rs`: dependency order, the
//! first failure stopping the run, the summaries (as text and `--json`),
//! producers without state, `--parallelism` and signals, `diff
//! --detailed-exitcode`, arguments after `--`, and terraform's diagnostics
//! traced to construct paths. Most tests drive `examples/multistack.rs`:
//! `build` (a bucket), `app` (reads the bucket's ARN from `build`'s state)
//! and `site` (on its own), in that order in the app.

mod common;
#[path = "common/standin.rs"]
mod standin;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use standin::{Harness, stderr, stdout};

fn multistack() -> PathBuf {
    standin::example("multistack")
}

/// Runs the multistack example in the harness's project.
fn run(h: &Harness, args: &[&str], vars: &[(&str, &str)]) -> Output {
    h.run(&multistack(), args, vars)
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{text}"))
}

/// The lines of stderr that are JSON documents (under `--json`, terraform's
/// own lines are text).
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The summary's line for a stack: `  <stack>  <what>  <time>`.
fn summary_line<'a>(out: &'a str, stack: &str) -> &'a str {
    let summary = out
        .split("Summary of kite ")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary in:\n{out}"));
    summary
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{stack} ")))
        .unwrap_or_else(|| panic!("no line for {stack} in:\n{summary}"))
}

/// A file of changes for the stand-in's `plan` (`ACTION ADDRESS` a line).
fn changes(h: &Harness, name: &str, lines: &[&str]) -> PathBuf {
    h.file(name, &(lines.join("\n") + "\n"))
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diagnostics")
        .join(name)
        .display()
        .to_string()
}

// ---------------------------------------------------------------- order

#[test]
fn deploy_and_diff_run_each_stack_after_its_dependencies_and_destroy_reverses() {
    let h = Harness::new();
    let out = run(&h, &["deploy", "--all", "--auto-approve"], &[]);
    ok(&out);
    assert_eq!(h.stacks_of("apply"), ["build", "app", "site"]);
    // app is planned only after build has been applied.
    let steps = h.steps();
    let build_applied = steps
        .iter()
        .position(|s| s == &("build".into(), "apply".into()))
        .unwrap();
    let app_planned = steps
        .iter()
        .position(|s| s == &("app".into(), "plan".into()))
        .unwrap();
    assert!(build_applied < app_planned, "{steps:?}");

    // Named in another order, the order is still the dependencies'.
    h.clear_calls();
    ok(&run(&h, &["diff", "site", "app", "build"], &[]));
    assert_eq!(h.stacks_of("plan"), ["build", "app", "site"]);

    h.clear_calls();
    ok(&run(&h, &["destroy", "--all", "--auto-approve"], &[]));
    assert_eq!(h.stacks_of("apply"), ["site", "app", "build"]);
    for call in h.calls().iter().filter(|c| c.subcommand() == "plan") {
        assert!(call.args.contains(&"-destroy".to_owned()), "{call:?}");
    }
}

/// The issue's "done when": kite's own stacks, with the stages taking their
/// package from the build stack, deploy build, then kite, then kite-dev,
/// and destroy the other way round.
#[test]
fn kite_s_stacks_deploy_build_kite_kite_dev_in_order_and_destroy_reverses_it() {
    let h = Harness::new();
    let s3 = [("KITE_LAMBDA_SOURCE", "s3")];
    let out = h.kite(&["deploy", "--all", "--auto-approve"], &s3);
    ok(&out);
    let applied = h.stacks_of("apply");
    let at = |s: &str| applied.iter().position(|a| a == s).unwrap();
    assert_eq!(applied.len(), 4, "{applied:?}");
    assert!(
        at("build") < at("kite") && at("kite") < at("kite-dev"),
        "{applied:?}"
    );

    h.clear_calls();
    ok(&h.kite(&["destroy", "--all", "--auto-approve"], &s3));
    let destroyed = h.stacks_of("apply");
    let at = |s: &str| destroyed.iter().position(|a| a == s).unwrap();
    assert!(
        at("kite-dev") < at("kite") && at("kite") < at("build"),
        "{destroyed:?}"
    );
}

// ------------------------------------------------- failures and summaries

#[test]
fn the_first_failure_stops_the_run_and_says_what_ran_failed_and_did_not_run() {
    let h = Harness::new();
    let out = run(
        &h,
        &["deploy", "--all", "--auto-approve"],
        &[("STANDIN_EXIT_APPLY_app", "1")],
    );
    assert_eq!(out.status.code(), Some(1), "app's apply status");
    assert_eq!(h.stacks_of("apply"), ["build", "app"], "site never started");
    assert!(!h.stacks_of("init").contains(&"site".to_owned()));
    let text = stdout(&out);
    assert!(
        summary_line(&text, "build").contains("applied: 1 added, 0 changed, 0 destroyed"),
        "{text}"
    );
    assert!(
        summary_line(&text, "app").contains("failed (status 1), planned 2 to add"),
        "{text}"
    );
    assert!(
        summary_line(&text, "site")
            .contains("not run: the run stopped at the failure of stack `app`"),
        "{text}"
    );
    assert!(
        text.contains("Succeeded: build. Failed: app. Not run: site."),
        "{text}"
    );
    let err = stderr(&out);
    assert!(
        err.contains("[app] error: `terraform apply -input=false -json -no-color kite.tfplan` failed (exit 1)"),
        "{err}"
    );
    for stack in ["build", "app"] {
        assert!(!h.stack_dir(stack).join("kite.tfplan").exists(), "{stack}");
    }

    // A stack after a failed one does not run either, whatever the order.
    let h = Harness::new();
    let out = run(
        &h,
        &["deploy", "--all", "--auto-approve", "--json"],
        &[("STANDIN_EXIT_PLAN_build", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc = parse(&stdout(&out));
    assert_eq!(doc["command"], "deploy");
    assert_eq!(doc["order"], serde_json::json!(["build", "app", "site"]));
    assert_eq!(doc["failed"], serde_json::json!(["build"]));
    assert_eq!(doc["not_run"], serde_json::json!(["app", "site"]));
    assert_eq!(doc["exit_status"], 1);
    assert_eq!(doc["stacks"][1]["message"], "stack `build` did not succeed");
    assert_eq!(doc["stacks"][0]["status"], "failed");
    // The failure, as JSON on stderr too.
    let errors = json_lines(&stderr(&out));
    let error = errors
        .iter()
        .find(|e| e["error"]["stack"] == "build")
        .unwrap_or_else(|| panic!("{}", stderr(&out)));
    assert!(
        error["error"]["message"].as_str().unwrap().contains(
            "`terraform plan -input=false -out=kite.tfplan -json -no-color` failed (exit 1)"
        ),
        "{error}"
    );
}

#[test]
fn the_summary_counts_changes_from_show_json_of_the_saved_plan() {
    let h = Harness::new();
    let plan = changes(
        &h,
        "site.changes",
        &[
            "create aws_s3_bucket.a",
            "update aws_s3_bucket.b",
            "replace aws_s3_bucket.c",
            "delete aws_s3_bucket.d",
        ],
    );
    // plan's own messages say something else: the summary must come from
    // `show -json` of the saved plan, not from them.
    let replay = h.file(
        "site.plan.jsonl",
        "{\"@level\":\"info\",\"@message\":\"Plan: 9 to add, 9 to change, 9 to destroy.\",\"type\":\"change_summary\",\"changes\":{\"add\":9,\"change\":9,\"remove\":9,\"operation\":\"plan\"}}\n",
    );
    let vars = [
        ("STANDIN_CHANGES_site", plan.to_str().unwrap()),
        ("STANDIN_REPLAY_PLAN_site", replay.to_str().unwrap()),
    ];
    let out = run(&h, &["diff", "build", "site"], &vars);
    ok(&out);
    let text = stdout(&out);
    assert!(
        summary_line(&text, "site")
            .contains("plan: 2 to add, 1 to change, 2 to destroy (1 replaced)"),
        "{text}"
    );
    assert!(
        summary_line(&text, "build").contains("plan: 1 to add, 0 to change, 0 to destroy"),
        "{text}"
    );
    assert!(text.contains("Succeeded: build, site."), "{text}");
    assert!(
        h.calls()
            .iter()
            .any(|c| c.stack() == "site" && c.args[..2] == ["show", "-json"]),
        "show -json of the plan"
    );

    let out = run(
        &h,
        &["deploy", "build", "site", "--auto-approve", "--json"],
        &vars,
    );
    ok(&out);
    let doc = parse(&stdout(&out));
    let site = &doc["stacks"][1];
    assert_eq!(site["name"], "site");
    assert_eq!(site["status"], "succeeded");
    assert_eq!(site["applied"], true);
    assert_eq!(
        site["changes"],
        serde_json::json!({"add": 2, "change": 1, "destroy": 2, "replace": 1, "import": 0, "forget": 0, "outputs": 0})
    );
    assert_eq!(doc["stacks"][0]["changes"]["add"], 1);
    assert_eq!(doc["succeeded"], serde_json::json!(["build", "site"]));
    assert_eq!(doc["exit_status"], 0);
    assert!(doc["elapsed_ms"].as_f64().is_some());
    assert_eq!(doc["synth"]["stacks"][0]["name"], "build");
}

#[test]
fn diff_of_a_stack_whose_producer_has_no_state_says_which_stack_to_deploy_first() {
    let h = Harness::new();
    let out = run(&h, &["diff", "app"], &[]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: stack `app` reads the state of stack `build`, which has no outputs yet: deploy `build` first (`kite deploy build`)"
        ),
        "{err}"
    );
    assert!(!err.contains("Unable to find remote state"), "{err}");
    // app was never planned; build's outputs were asked for.
    assert!(h.stacks_of("plan").is_empty(), "{:?}", h.steps());
    assert!(
        h.calls()
            .iter()
            .any(|c| c.stack() == "build" && c.subcommand() == "output"),
        "{:?}",
        h.steps()
    );
    assert!(
        summary_line(&stdout(&out), "app").contains("failed (status 3)"),
        "{}",
        stdout(&out)
    );

    // Under --json, the same message, as JSON.
    let out = run(&h, &["diff", "app", "--json"], &[]);
    assert_eq!(out.status.code(), Some(3));
    let doc = parse(&stdout(&out));
    assert!(
        doc["stacks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("deploy `build` first"),
        "{doc}"
    );

    // Once build is deployed, app can be planned.
    ok(&run(&h, &["deploy", "build", "--auto-approve"], &[]));
    h.clear_calls();
    ok(&run(&h, &["diff", "app"], &[]));
    assert_eq!(h.stacks_of("plan"), ["app"]);
}

// ---------------------------------------------------- detailed exit codes

#[test]
fn diff_detailed_exitcode_is_0_2_or_1_over_every_stack_it_ran() {
    let h = Harness::new();
    ok(&run(&h, &["deploy", "--all", "--auto-approve"], &[]));
    h.clear_calls();
    let diff = ["diff", "--all", "--detailed-exitcode"];

    let out = run(&h, &diff, &[]);
    assert_eq!(out.status.code(), Some(0), "no changes: {}", stdout(&out));
    for call in h.calls().iter().filter(|c| c.subcommand() == "plan") {
        assert!(call.args.contains(&"-detailed-exitcode".to_owned()));
    }

    // One stack of three has changes: 2.
    let update = changes(
        &h,
        "update",
        &["update aws_s3_bucket.pages_bucket_C5CCFFD4"],
    );
    let out = run(
        &h,
        &diff,
        &[("STANDIN_CHANGES_site", update.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));

    // One fails, another has changes: 1, and the run stops there.
    h.clear_calls();
    let out = run(
        &h,
        &diff,
        &[
            ("STANDIN_CHANGES_build", update.to_str().unwrap()),
            ("STANDIN_EXIT_PLAN_app", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_eq!(h.stacks_of("plan"), ["build", "app"]);

    // Without the flag, changes are a success.
    let out = run(
        &h,
        &["diff", "--all"],
        &[("STANDIN_CHANGES_site", update.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(0));
}

// ------------------------------------------------ parallelism and signals

/// `--parallelism 2`: build's and site's applies run at the same time (the
/// stand-in's applies wait at a barrier for each other); app, which needs
/// build, starts after it. Each of terraform's lines carries its stack's
/// name. At `--parallelism 1` the barrier is never met.
#[cfg(unix)]
#[test]
fn independent_stacks_run_at_once_with_parallelism_and_each_line_names_its_stack() {
    let h = Harness::trapping();
    let child = h.spawn_program(
        &multistack(),
        &[
            "deploy",
            "build",
            "site",
            "--auto-approve",
            "--parallelism",
            "2",
        ],
        &[("STANDIN_BARRIER", "2")],
    );
    let out = child.wait_with_output().unwrap();
    ok(&out);
    let state = h.state();
    assert_eq!(state.matches("barrier-met").count(), 2, "{state}");
    let text = stdout(&out);
    assert!(
        text.contains(
            "[build] + create build/packages/bucket (aws_s3_bucket.packages_bucket_92F4E109)"
        ),
        "{text}"
    );
    assert!(
        text.contains("[site] + create site/pages/bucket (aws_s3_bucket.pages_bucket_C5CCFFD4)"),
        "{text}"
    );
    let before_summary = text.split("Summary of kite").next().unwrap();
    for line in before_summary.lines().filter(|l| !l.is_empty()) {
        assert!(
            line.starts_with("[build] ") || line.starts_with("[site] "),
            "unprefixed: {line:?}\n{text}"
        );
    }

    // One at a time, the first apply waits for a second in vain.
    let h = Harness::trapping();
    let child = h.spawn_program(
        &multistack(),
        &["deploy", "build", "site", "--auto-approve"],
        &[("STANDIN_BARRIER", "2")],
    );
    ok(&child.wait_with_output().unwrap());
    assert!(h.state().contains("barrier-timeout build"), "{}", h.state());
}

/// Two stacks at once take turns for `terraform init`: inits that share a
/// plugin cache at once can fail ("text file busy", hashicorp/terraform-cdk
/// #2741). Their plans and applies still overlap.
#[cfg(unix)]
#[test]
fn parallel_stacks_take_turns_for_init() {
    let h = Harness::slow_inits();
    let child = h.spawn_program(
        &multistack(),
        &[
            "deploy",
            "build",
            "site",
            "--auto-approve",
            "--parallelism",
            "2",
        ],
        &[],
    );
    ok(&child.wait_with_output().unwrap());
    let state = h.state();
    let events: Vec<&str> = state.lines().collect();
    assert_eq!(events.len(), 4, "{state}");
    for pair in events.chunks(2) {
        let stack = pair[0]
            .strip_prefix("init-started ")
            .unwrap_or_else(|| panic!("{state}"));
        assert_eq!(
            pair[1],
            format!("init-finished {stack}"),
            "inits overlapped:\n{state}"
        );
    }
}

/// SIGTERM (what `timeout` or a CI runner sends kite) while two stacks
/// apply at once: each terraform gets it once, stops gracefully (releasing
/// its state lock) and exits before kite does; no other stack starts; the
/// summary says which were interrupted and which did not run.
#[cfg(unix)]
#[test]
fn sigterm_stops_every_running_terraform_and_kite_waits_for_them_all() {
    let h = Harness::trapping();
    let child = h.spawn_program(
        &multistack(),
        &["deploy", "--all", "--auto-approve", "--parallelism", "2"],
        &[],
    );
    h.wait_for("apply-started", 2);
    standin::send("TERM", child.id());
    let out = child.wait_with_output().unwrap();
    let state = h.state();
    for stack in ["build", "site"] {
        assert_eq!(
            state.matches(&format!("TERM {stack}")).count(),
            1,
            "{stack}'s terraform got the SIGTERM once: {state}"
        );
        assert!(
            state.contains(&format!("apply-finished {stack}")),
            "{stack}'s terraform stopped before kite exited: {state}"
        );
        assert!(!h.stack_dir(stack).join("kite.tfplan").exists());
    }
    assert!(
        !h.stacks_of("init").contains(&"app".to_owned()),
        "app never started"
    );
    assert_eq!(out.status.code(), Some(7), "terraform's status");
    let text = stdout(&out);
    assert!(
        text.contains("Interrupted: build, site. Not run: app. Stopped by signal 15."),
        "{text}"
    );
    assert!(
        summary_line(&text, "app").contains("not run: kite received signal 15"),
        "{text}"
    );
}

/// Ctrl-C in a terminal reaches kite and every terraform (one process
/// group): kite forwards nothing (a second SIGINT would make terraform stop
/// at once, holding its lock), waits for both to stop, and starts nothing
/// more.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_in_a_terminal_stops_every_running_terraform_once() {
    use std::io::Write;
    let h = Harness::trapping();
    let mut terminal = std::process::Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(format!(
            "exec {} deploy --all --auto-approve --parallelism 2",
            multistack().display()
        ))
        .arg("/dev/null")
        .current_dir(h.project.path())
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", h.bin.path().display()))
        .env("SHELL", "/bin/sh")
        .env("STANDIN_LOG", h.log())
        // Each terraform waits 1.5 s for a second SIGINT: one forwarded by
        // kite would arrive in that time.
        .env("STANDIN_STOP_AFTER", "2")
        .env("STANDIN_TICKS", "15")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    h.wait_for("apply-started", 2);
    let mut keys = terminal.stdin.take().unwrap();
    keys.write_all(b"\x03").unwrap();
    keys.flush().unwrap();
    let output = terminal.wait_with_output().unwrap();
    drop(keys);
    let state = h.state();
    for stack in ["build", "site"] {
        assert_eq!(
            state.matches(&format!("INT {stack}")).count(),
            1,
            "{stack}: the terminal's SIGINT and no second one: {state}"
        );
        assert!(
            state.contains(&format!("apply-finished {stack}")),
            "{state}"
        );
    }
    assert!(!h.stacks_of("init").contains(&"app".to_owned()));
    assert_eq!(output.status.code(), Some(7), "{output:?}");
}

// ------------------------------------------------------------------ --json

#[test]
fn list_validate_and_synth_print_one_json_document_each() {
    let h = Harness::new();
    let out = run(&h, &["list", "--json"], &[]);
    ok(&out);
    let doc = parse(&stdout(&out));
    let stacks = doc["stacks"].as_array().unwrap();
    let names: Vec<&str> = stacks.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["build", "app", "site"]);
    assert_eq!(stacks[1]["dependencies"], serde_json::json!(["build"]));
    assert_eq!(stacks[1]["resources"], 2);
    assert_eq!(stacks[1]["backend"], "local");
    assert_eq!(stacks[1]["description"], "a role that reads the packages");
    assert!(doc["elapsed_ms"].as_f64().is_some(), "{doc}");

    let out = run(&h, &["synth", "--json"], &[]);
    ok(&out);
    let doc = parse(&stdout(&out));
    assert_eq!(doc["out"], "cdktf.out");
    assert_eq!(
        doc["stacks"][0]["path"],
        "cdktf.out/stacks/build/cdk.tf.json"
    );
    assert_eq!(
        doc["stacks"][1]["dependencies"],
        serde_json::json!(["build"])
    );
    assert!(doc["elapsed_ms"].as_f64().unwrap() > 0.0);
    assert!(h.stack_dir("site").join("cdk.tf.json").is_file());

    let planted = [("MULTISTACK_PLANT", "misspelt")];
    let out = run(&h, &["validate", "--json"], &planted);
    assert_eq!(out.status.code(), Some(3));
    let doc = parse(&stdout(&out));
    let site = doc["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "site")
        .unwrap();
    assert_eq!(site["errors"], 1);
    assert_eq!(site["resources"], 1);
    let app = &doc["stacks"][1];
    assert_eq!(
        (&app["name"], &app["dependencies"], &app["errors"]),
        (&"app".into(), &serde_json::json!(["build"]), &0.into())
    );
    let finding = &site["findings"][0];
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["check"], "schema");
    assert_eq!(finding["stack"], "site");
    assert_eq!(finding["path"], "site/pages/bucket");
    assert_eq!(
        finding["json_path"],
        "resource.aws_s3_bucket.pages_bucket_C5CCFFD4.bucket_prefx"
    );
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("bucket_prefix")
    );
    assert!(doc["elapsed_ms"].as_f64().is_some());

    // A failed synth: nothing on stdout, the error as JSON on stderr.
    let out = run(&h, &["synth", "--json"], &planted);
    assert_eq!(out.status.code(), Some(3));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = parse(&stderr(&out));
    let failure = &err["error"]["stacks"][0];
    assert_eq!(failure["stack"], "site");
    assert_eq!(failure["findings"][0]["path"], "site/pages/bucket");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pass --no-validate to write it anyway"),
        "{err}"
    );
}

#[test]
fn errors_under_json_are_json_on_stderr_with_the_human_message() {
    let h = Harness::new();
    for (args, field, value) in [
        (
            &["deploy", "prod", "--json", "--auto-approve"][..],
            "stack",
            serde_json::json!("prod"),
        ),
        (
            &["diff", "site", "--json", "--", "-chdir=/tmp"][..],
            "argument",
            serde_json::json!("-chdir=/tmp"),
        ),
        (&["list", "--json", "--bogus"][..], "usage", Value::Null),
    ] {
        let human: Vec<&str> = args.iter().copied().filter(|a| *a != "--json").collect();
        let human = run(&h, &human, &[]);
        let out = run(&h, args, &[]);
        assert_eq!(out.status.code(), human.status.code(), "{args:?}");
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
        let err = parse(&stderr(&out));
        let message = err["error"]["message"].as_str().unwrap();
        assert!(
            stderr(&human).contains(message),
            "{args:?}: the JSON message {message:?} is the human one:\n{}",
            stderr(&human)
        );
        if value.is_null() {
            assert!(err["error"][field].is_string(), "{err}");
        } else {
            assert_eq!(err["error"][field], value, "{err}");
        }
    }
    assert!(h.calls().is_empty(), "no terraform ran");
}

// ----------------------------------------------------------- pass-through

#[test]
fn arguments_after_double_dash_reach_plan_after_kite_s_own() {
    let h = Harness::new();
    let out = run(
        &h,
        &[
            "deploy",
            "site",
            "--auto-approve",
            "--",
            "-target=aws_s3_bucket.pages_bucket_C5CCFFD4",
            "-refresh=false",
            "-var",
            "x=1",
            "-lock-timeout=5s",
        ],
        &[],
    );
    ok(&out);
    let args = h.args();
    let plan = args.iter().find(|a| a[0] == "plan").unwrap();
    assert_eq!(
        plan,
        &standin::strings(&[
            "plan",
            "-input=false",
            "-out=kite.tfplan",
            "-json",
            "-no-color",
            "-target=aws_s3_bucket.pages_bucket_C5CCFFD4",
            "-refresh=false",
            "-var",
            "x=1",
            "-lock-timeout=5s",
        ])
    );
    // The saved plan carries them to apply, which takes only what it can.
    let apply = args.iter().find(|a| a[0] == "apply").unwrap();
    assert_eq!(
        apply,
        &standin::strings(&[
            "apply",
            "-input=false",
            "-json",
            "-no-color",
            "-lock-timeout=5s",
            "kite.tfplan"
        ])
    );
    let init = args.iter().find(|a| a[0] == "init").unwrap();
    assert_eq!(
        init,
        &standin::strings(&["init", "-input=false", "-no-color"])
    );

    // A -var's value reaches terraform, but no file kite writes nor its
    // messages: it may be a secret.
    h.clear_calls();
    let secret = "x=pass-through-value-7f3a";
    let out = run(
        &h,
        &[
            "diff",
            "site",
            "--",
            "-var",
            secret,
            "-var=y=other-value-9c2e",
        ],
        &[("STANDIN_EXIT_PLAN", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    let plan = h.args().into_iter().find(|a| a[0] == "plan").unwrap();
    assert!(plan.contains(&secret.to_owned()), "{plan:?}");
    let log = std::fs::read_to_string(h.stack_dir("site").join("terraform.log")).unwrap();
    assert!(
        log.contains("-var x=(not logged) -var=y=(not logged)"),
        "{log}"
    );
    let lock = std::fs::read_to_string(h.project.path().join(".cdktf.out.lock")).unwrap();
    for (what, text) in [
        ("log", &log),
        ("lock", &lock),
        ("stderr", &stderr(&out)),
        ("stdout", &stdout(&out)),
    ] {
        assert!(
            !text.contains("pass-through-value") && !text.contains("other-value"),
            "{what}: {text}"
        );
    }

    // destroy's plan gets them too, after -destroy.
    h.clear_calls();
    ok(&run(
        &h,
        &["destroy", "site", "--auto-approve", "--", "-refresh=false"],
        &[],
    ));
    let plan = h.args().into_iter().find(|a| a[0] == "plan").unwrap();
    assert_eq!(
        plan[plan.len() - 3..],
        ["-destroy", "-no-color", "-refresh=false"]
    );
}

#[test]
fn arguments_kite_sets_itself_are_refused_after_double_dash_with_what_to_use() {
    let h = Harness::new();
    for (arg, instead) in [
        ("-auto-approve", "pass --auto-approve to kite"),
        (
            "-chdir=/tmp",
            "kite runs terraform in the stack's directory",
        ),
        ("-out=other.tfplan", "kite saves the plan as kite.tfplan"),
        ("-json", "pass --json to kite"),
        ("-input=true", "-input=false"),
        (
            "-detailed-exitcode",
            "pass --detailed-exitcode to `kite diff`",
        ),
    ] {
        let out = run(&h, &["deploy", "site", "--auto-approve", "--", arg], &[]);
        assert_eq!(out.status.code(), Some(64), "{arg}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "error: `{arg}` after `--` is refused: kite sets it itself; "
            )) && err.contains(instead),
            "{arg}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "one paragraph: {err}");
    }
    assert!(
        h.calls().is_empty(),
        "refused before synthesis and terraform"
    );
    assert!(!h.project.path().join("cdktf.out").exists());
}

// ------------------------------------------------------------ diagnostics

/// terraform's diagnostics, recorded from terraform 1.11 planning the
/// planted misspelt argument (`tests/fixtures/diagnostics/misspelt-plan.jsonl`,
/// which names a line of cdk.tf.json) and an apply error in terraform's
/// format that names the resource's address (`apply-denied.jsonl`),
/// replayed by the stand-in: kite prints each with the construct path, the
/// address, and terraform's summary and detail.
#[test]
fn recorded_diagnostics_are_printed_with_construct_path_address_summary_and_detail() {
    let h = Harness::new();
    let plan = fixture("misspelt-plan.jsonl");
    let vars = [
        ("MULTISTACK_PLANT", "misspelt"),
        ("STANDIN_REPLAY_PLAN", plan.as_str()),
        ("STANDIN_EXIT_PLAN", "1"),
    ];
    let out = run(&h, &["diff", "site", "--no-validate"], &vars);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: site/pages/bucket (aws_s3_bucket.pages_bucket_C5CCFFD4): Extraneous JSON object property\n  No argument or block type is named \"bucket_prefx\"."
        ),
        "{err}"
    );
    assert!(
        summary_line(&stdout(&out), "site").contains("failed (status 1), 1 error"),
        "{}",
        stdout(&out)
    );
    // terraform's own lines are in terraform.log, readable by its owner only.
    let log_path = h.stack_dir("site").join("terraform.log");
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("$ terraform plan -input=false -out=kite.tfplan -json -no-color"),
        "{log}"
    );
    assert!(
        log.contains(r#""summary":"Extraneous JSON object property""#),
        "{log}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log_path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    // Under --json: the diagnostic as JSON on stderr and in the document.
    let out = run(&h, &["diff", "site", "--no-validate", "--json"], &vars);
    assert_eq!(out.status.code(), Some(1));
    let doc = parse(&stdout(&out));
    let d = &doc["stacks"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "site/pages/bucket");
    assert_eq!(d["address"], "aws_s3_bucket.pages_bucket_C5CCFFD4");
    assert_eq!(d["summary"], "Extraneous JSON object property");
    assert_eq!(d["file"], "cdk.tf.json");
    assert_eq!(d["line"], 20);
    let errors = json_lines(&stderr(&out));
    assert!(
        errors
            .iter()
            .any(|e| e["error"]["path"] == "site/pages/bucket"
                && e["error"]["detail"] == "No argument or block type is named \"bucket_prefx\"."),
        "{}",
        stderr(&out)
    );

    // An apply error that names the resource's address.
    let apply = fixture("apply-denied.jsonl");
    let out = run(
        &h,
        &["deploy", "site", "--auto-approve"],
        &[
            ("STANDIN_REPLAY_APPLY", apply.as_str()),
            ("STANDIN_EXIT_APPLY", "1"),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: site/pages/bucket (aws_s3_bucket.pages_bucket_C5CCFFD4): creating S3 Bucket (pages-20261126034001): operation error S3: CreateBucket"),
        "{err}"
    );
}

#[test]
fn raw_shows_terraform_s_own_output_and_the_log_keeps_it_either_way() {
    let h = Harness::new();
    let out = run(&h, &["diff", "site", "--raw"], &[]);
    ok(&out);
    let plan = h.args().into_iter().find(|a| a[0] == "plan").unwrap();
    assert!(!plan.contains(&"-json".to_owned()), "{plan:?}");
    let text = stdout(&out);
    assert!(
        text.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "terraform's text: {text}"
    );
    assert!(!text.contains("+ create site/pages/bucket"), "{text}");
    assert!(
        stderr(&out).contains("Initializing the backend..."),
        "init too"
    );
    let log = std::fs::read_to_string(h.stack_dir("site").join("terraform.log")).unwrap();
    assert!(log.contains("Initializing the backend..."), "{log}");
    assert!(log.contains("Plan: 1 to add"), "{log}");

    // Without --raw, the log holds the JSON lines kite rendered.
    ok(&run(&h, &["diff", "site"], &[]));
    let log = std::fs::read_to_string(h.stack_dir("site").join("terraform.log")).unwrap();
    assert!(log.contains(r#""type":"planned_change""#), "{log}");
}

/// Should terraform or a provider ever print a credential kite passed it,
/// neither terraform.log nor kite's output holds it.
#[test]
fn a_secret_terraform_prints_reaches_neither_the_log_nor_the_output() {
    let h = Harness::new();
    let token = format!("cf-token-{}-never-logged", std::process::id());
    std::fs::write(
        h.project.path().join(".env"),
        format!("CLOUDFLARE_API_TOKEN={token}\n"),
    )
    .unwrap();
    let echo = h.file(
        "echo.jsonl",
        &format!(
            "{{\"@level\":\"error\",\"@message\":\"Error: bad token {token}\",\"type\":\"diagnostic\",\"diagnostic\":{{\"severity\":\"error\",\"summary\":\"Invalid token {token}\",\"detail\":\"\"}}}}\nplain {token}\n"
        ),
    );
    for args in [&["diff", "site"][..], &["diff", "site", "--raw"][..]] {
        let out = run(
            &h,
            args,
            &[
                ("STANDIN_REPLAY_PLAN", echo.to_str().unwrap()),
                ("STANDIN_EXIT_PLAN", "1"),
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let calls = h.calls();
        assert_eq!(calls.last().unwrap().token, token, "terraform has it");
        let log = std::fs::read_to_string(h.stack_dir("site").join("terraform.log")).unwrap();
        for (what, text) in [
            ("log", &log),
            ("stdout", &stdout(&out)),
            ("stderr", &stderr(&out)),
        ] {
            assert!(!text.contains(&token), "{args:?}: token in {what}:\n{text}");
        }
        for (what, text) in [("log", &log), ("stdout", &stdout(&out))] {
            assert!(
                text.contains("(sensitive value)"),
                "{args:?}: {what}:\n{text}"
            );
        }
    }
}
