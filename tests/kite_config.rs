//! The `kite` stack's configuration errors: each a clear message, a failing
//! exit status, and nothing written.

mod common;

use common::{kite_bin, kite_bin_in};

fn assert_refused(vars: &[(&str, &str)], expected: &[&str]) -> common::BinRun {
    let run = kite_bin(&["synth", "kite"], vars);
    assert_eq!(
        run.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    for text in expected {
        assert!(
            run.stderr.contains(text),
            "missing {text:?} in:\n{}",
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("RUST_BACKTRACE"),
        "{}",
        run.stderr
    );
    assert!(!run.out().exists(), "nothing is written");
    run
}

#[test]
fn a_domain_without_a_cloudflare_token_is_refused() {
    let run = assert_refused(
        &[("KITE_DOMAIN", "k1te.chat")],
        &[
            "stack `kite`",
            "KITE_DOMAIN is set to `k1te.chat`, but CLOUDFLARE_API_TOKEN is not",
            "dash.cloudflare.com",
        ],
    );
    assert_eq!(
        run.stderr.lines().count(),
        2,
        "one paragraph, then what was not written:\n{}",
        run.stderr
    );
}

#[test]
fn a_missing_lambda_package_names_the_path_and_the_build_command() {
    assert_refused(
        &[("KITE_LAMBDA_ZIP", "build/missing.zip")],
        &[
            "build/missing.zip does not exist",
            "./mvnw package -DskipTests",
            "KITE_LAMBDA_ZIP",
        ],
    );
}

#[test]
fn the_default_lambda_package_is_relative_to_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("k1te-cdktf");
    let package = dir.path().join("k1te-serverless/target/function.zip");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(package.parent().unwrap()).unwrap();
    std::fs::copy(common::fixture_zip(), &package).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kite"));
    let output = cmd
        .args(["synth", "kite"])
        .current_dir(&project)
        .env_clear()
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(project.join("cdktf.out/stacks/kite/cdk.tf.json").is_file());
}

#[test]
fn a_domain_that_is_not_a_host_name_is_refused() {
    assert_refused(
        &[
            ("KITE_DOMAIN", "https://k1te.chat"),
            ("CLOUDFLARE_API_TOKEN", "x"),
        ],
        &["KITE_DOMAIN=`https://k1te.chat` is not a host name"],
    );
    assert_refused(
        &[("KITE_DOMAIN", "localhost"), ("CLOUDFLARE_API_TOKEN", "x")],
        &["is not a host name"],
    );
}

#[test]
fn a_refused_configuration_leaves_the_previous_output_byte_identical() {
    let first = kite_bin(&["synth", "kite"], &[]);
    assert!(first.status.success(), "{}", first.stderr);
    let before = common::tree_bytes(&first.out());
    let again = kite_bin_in(
        first.dir,
        &["synth", "kite"],
        &[("KITE_DOMAIN", "k1te.chat")],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        again.stderr.contains("Nothing was written"),
        "{}",
        again.stderr
    );
    assert_eq!(common::tree_bytes(&again.out()), before);
}

#[test]
fn settings_come_from_dotenv_and_the_environment_wins() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "KITE_DOMAIN=example.org\nCLOUDFLARE_API_TOKEN=\"from-dotenv\"\nKITE_STATE_BUCKET=bucket-from-dotenv\n",
    )
    .unwrap();
    let run = kite_bin_in(
        dir,
        &["synth", "kite"],
        &[("KITE_STATE_BUCKET", "bucket-from-env")],
    );
    assert!(run.status.success(), "{}", run.stderr);
    let doc = run.stack_json("kite");
    assert_eq!(
        doc["data"]["cloudflare_zone"]["exampleorg_zone_808CAC21"]["filter"]["name"], "example.org",
        "{}",
        doc["data"]
    );
    assert_eq!(
        doc["terraform"]["backend"]["s3"]["bucket"],
        "bucket-from-env"
    );
    let all = common::tree_bytes(&run.out());
    assert!(
        all.values()
            .all(|b| !b.windows(11).any(|w| w == b"from-dotenv"))
    );
}

#[test]
fn unknown_stacks_and_bad_arguments_fail_cleanly() {
    let run = kite_bin(&["synth", "prod"], &[]);
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(
        run.stderr.trim(),
        "error: there is no stack named `prod`; the stacks are: kite, local"
    );
    let run = kite_bin(&["synth", "--bogus"], &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stderr.contains("--bogus"));
    let run = kite_bin(&["--help"], &[]);
    assert_eq!(run.status.code(), Some(0));
    for command in ["synth", "list", "diff", "deploy", "destroy", "output"] {
        assert!(
            run.stdout.contains(command),
            "{command} in help:\n{}",
            run.stdout
        );
    }
}
