//! The `kite` stack's configuration errors: each a clear message, a failing
//! exit status, and nothing written.

mod common;

use common::{kite_bin, kite_bin_in};

fn assert_refused(vars: &[(&str, &str)], expected: &[&str]) -> common::BinRun {
    let run = kite_bin(&["synth", "kite"], vars);
    assert_eq!(
        run.status.code(),
        Some(3),
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
    // The project's crate, as in a checkout of this repository.
    std::fs::write(project.join("Cargo.toml"), "[package]\nname = \"infra\"\n").unwrap();
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
    assert_eq!(again.status.code(), Some(3));
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
    assert_eq!(run.status.code(), Some(3));
    assert_eq!(
        run.stderr.trim(),
        "error: there is no stack named `prod`; the stacks are: kite, kite-dev, build, local"
    );
    let run = kite_bin(&["synth", "--bogus"], &[]);
    assert_eq!(run.status.code(), Some(64));
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

/// Runs `kite ARGS` in `dir` with these variables, values byte for byte.
#[cfg(unix)]
fn kite_os(
    dir: &std::path::Path,
    args: &[&str],
    vars: &[(&str, &std::ffi::OsStr)],
) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kite"));
    cmd.args(args).current_dir(dir).env_clear();
    if !vars.iter().any(|(k, _)| *k == "KITE_LAMBDA_ZIP") {
        cmd.env("KITE_LAMBDA_ZIP", common::fixture_zip());
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[cfg(unix)]
fn os(bytes: &[u8]) -> &std::ffi::OsStr {
    std::os::unix::ffi::OsStrExt::from_bytes(bytes)
}

#[cfg(unix)]
fn project_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "").unwrap();
    dir
}

#[cfg(unix)]
fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Before: the stack was synthesized without any domain, and a deploy
/// would have deleted the custom domains.
#[cfg(unix)]
#[test]
fn a_domain_that_is_not_utf8_is_an_error_naming_the_variable() {
    let dir = project_dir();
    let out = kite_os(
        dir.path(),
        &["synth", "kite"],
        &[
            ("KITE_DOMAIN", os(b"k1te\xff.chat")),
            ("CLOUDFLARE_API_TOKEN", os(b"t")),
        ],
    );
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("stack `kite`: KITE_DOMAIN is not valid UTF-8")
            && stderr.contains(r"k1te\xff.chat"),
        "{stderr}"
    );
    assert!(!dir.path().join("cdktf.out").exists());
}

/// Before: a package path that is not UTF-8 fell back to the default path.
#[cfg(unix)]
#[test]
fn a_lambda_package_path_that_is_not_utf8_is_used_exactly() {
    let dir = project_dir();
    let build = dir.path().join(os(b"bu\xffild"));
    std::fs::create_dir_all(&build).unwrap();
    std::fs::copy(common::fixture_zip(), build.join("function.zip")).unwrap();
    let zip = build.join("function.zip");
    let out = kite_os(
        dir.path(),
        &["synth", "kite"],
        &[("KITE_LAMBDA_ZIP", zip.as_os_str())],
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let doc = common::read_json(&dir.path().join("cdktf.out/stacks/kite/cdk.tf.json"));
    let hash = doc["resource"]["aws_lambda_function"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()["source_code_hash"]
        .clone();
    let expected = kite::asset::fingerprint(&common::fixture_zip())
        .unwrap()
        .sha256_base64;
    assert_eq!(hash, expected.as_str(), "the package given, not another");

    // A file name Terraform JSON cannot hold is refused by name.
    let odd = dir.path().join(os(b"fun\xffction.zip"));
    std::fs::copy(common::fixture_zip(), &odd).unwrap();
    let out = kite_os(
        dir.path(),
        &["synth", "kite"],
        &[("KITE_LAMBDA_ZIP", odd.as_os_str())],
    );
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("KITE_LAMBDA_ZIP") && stderr.contains(r"fun\xffction.zip"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{FFFD}'), "{stderr}");
}

/// Before: the project directory became U+FFFD in `host_path` and in the
/// local state path.
#[cfg(unix)]
#[test]
fn a_project_directory_that_is_not_utf8_is_refused_where_terraform_json_needs_it() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join(os(b"pro\xffject"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".env"), "").unwrap();
    let out = kite_os(&dir, &["synth", "local"], &[]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let error = stderr.lines().next().unwrap();
    assert!(
        error.contains("the `local` stack's state file") && error.contains(r"pro\xffject"),
        "{stderr}"
    );
    assert!(!error.contains('\u{FFFD}'), "{stderr}");
    assert!(!dir.join("cdktf.out").exists());
    // The `kite` stack writes no path of the project: it is synthesized.
    let out = kite_os(&dir, &["synth", "kite"], &[]);
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[cfg(unix)]
fn assert_package_refused(path: &std::path::Path, expected: &str) {
    let dir = project_dir();
    let out = kite_os(
        dir.path(),
        &["synth", "kite"],
        &[("KITE_LAMBDA_ZIP", path.as_os_str())],
    );
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(expected),
        "missing {expected:?} in {stderr}"
    );
    assert!(!stderr.contains("does not exist"), "{stderr}");
    assert!(!dir.path().join("cdktf.out").exists());
}

/// Before: each said "does not exist".
#[cfg(unix)]
#[test]
fn a_lambda_package_that_is_a_directory_a_fifo_or_a_device_says_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    assert_package_refused(dir.path(), "is a directory, not a file");
    let fifo = dir.path().join("function.zip");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    assert_package_refused(&fifo, "is a FIFO (named pipe), not a file");
    assert_package_refused(
        std::path::Path::new("/dev/null"),
        "is a character device, not a file",
    );
}

/// Before: accepted, and Lambda refused it at deploy.
#[cfg(unix)]
#[test]
fn an_empty_lambda_package_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("function.zip");
    std::fs::write(&empty, b"").unwrap();
    assert_package_refused(
        &empty,
        "is empty (0 bytes), and Lambda refuses an empty package",
    );
}

/// Before: no word of it until `terraform apply` failed.
#[cfg(unix)]
#[test]
fn a_lambda_package_above_the_direct_upload_limit_gets_a_warning() {
    let dir = project_dir();
    let big = dir.path().join("function.zip");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(50 * 1024 * 1024 + 1).unwrap();
    let out = kite_os(
        dir.path(),
        &["synth", "kite"],
        &[("KITE_LAMBDA_ZIP", big.as_os_str())],
    );
    let stderr = stderr_of(&out);
    assert!(out.status.success(), "{stderr}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("warning: stack `kite`: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0]
            .contains("is 50.0 MiB, above Lambda's 50 MB limit for a package uploaded directly"),
        "{stderr}"
    );
    // Not for a package within the limit.
    let out = kite_os(dir.path(), &["synth", "kite"], &[]);
    assert!(!stderr_of(&out).contains("warning"), "{}", stderr_of(&out));
}

/// Before: the errors named no line (and a byte order mark was shown as an
/// invisible character).
#[cfg(unix)]
#[test]
fn dotenv_errors_name_the_line() {
    for (content, expected) in [
        (
            &b"\xef\xbb\xbfKITE_DOMAIN=k1te.chat\n"[..],
            ".env, line 1: the file starts with a byte order mark",
        ),
        (
            b"KITE_STATE_REGION=eu-north-1\nKITE_DOMAIN=k1te\xff.chat\n",
            ".env, line 2: it is not valid UTF-8",
        ),
        (
            b"# settings\n\nKITE_DOMAIN=${\n",
            ".env, line 3: cannot parse `${`",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), content).unwrap();
        let out = kite_os(dir.path(), &["synth", "kite"], &[]);
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(3), "{stderr}");
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}
