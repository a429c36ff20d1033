//! `kite synth` and `kite list` driven in-process on temporary project
//! directories, with apps built for the test.

mod common;

use std::path::Path;
use std::process::ExitCode;

use kite::aws::iam::{IamRole, IamRoleArgs};
use kite::block::RawBlock;
use kite::expr::{Expr, Tf};
use kite::provider::ProviderRequirement;
use kite::{Address, App, Stack, template};
use serde_json::json;

/// What a stack of the test app should contain.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Good,
    Changed,
    Dangling,
    Cycle,
}

fn alpha(variant: Variant, asset: &Path) -> Stack {
    let mut stack = Stack::new("alpha");
    let root = stack.root();
    let role = stack.add(
        &root.child("svc"),
        "role",
        IamRole::new(IamRoleArgs {
            assume_role_policy: "{}".into(),
        })
        .name("alpha-role"),
    );
    let file = stack.asset(&root.child("bundle"), "asset", asset).unwrap();
    stack.add_raw(
        &root,
        "marker",
        RawBlock::resource(
            "null_resource",
            json!({"triggers": {"file": file.path(), "changed": variant == Variant::Changed}}),
        )
        .provider(ProviderRequirement::new("null", "hashicorp/null", "~> 3.2")),
    );
    match variant {
        Variant::Good | Variant::Changed => {}
        Variant::Dangling => {
            let ghost: Tf<String> = Tf::from_expr(
                Expr::reference(Address::resource("aws_s3_bucket", "ghost")).attr("id"),
            );
            stack.add(
                &root.child("svc"),
                "broken",
                IamRole::new(IamRoleArgs {
                    assume_role_policy: ghost,
                }),
            );
        }
        Variant::Cycle => {
            let other = stack.add(
                &root.child("svc"),
                "other",
                IamRole::new(IamRoleArgs {
                    assume_role_policy: template!["{", role.name(), "}"],
                }),
            );
            stack.block(&role).depends_on(&other);
        }
    }
    stack
}

fn app(variant: Variant, beta_name: &'static str, asset: &Path) -> App {
    let asset = asset.to_path_buf();
    App::new()
        .stack("alpha", "the first", move |_| Ok(alpha(variant, &asset)))
        .stack("beta", "the second", move |_| {
            let mut s = Stack::new("beta");
            let root = s.root();
            s.add(
                &root,
                "role",
                IamRole::new(IamRoleArgs {
                    assume_role_policy: "{}".into(),
                })
                .name(beta_name),
            );
            Ok(s)
        })
        .stack("needs-config", "fails to build", |env| {
            if env.get("KITE_TEST_NEEDS_CONFIG")?.is_none() {
                anyhow::bail!("KITE_TEST_NEEDS_CONFIG is not set: set it to anything");
            }
            Ok(Stack::new("needs-config"))
        })
}

struct Run {
    code: ExitCode,
    stdout: String,
    stderr: String,
}

fn kite(app: &App, dir: &Path, args: &[&str]) -> Run {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let argv = std::iter::once("kite").chain(args.iter().copied());
    let code = kite::cli::run_with(app, argv, dir, &mut stdout, &mut stderr);
    Run {
        code,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

fn project() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let asset = dir.path().join("function.zip");
    std::fs::write(&asset, b"PK fake zip").unwrap();
    (dir, asset)
}

/// A first, successful synth of both stacks.
fn synth_good(dir: &Path, asset: &Path) {
    let run = kite(
        &app(Variant::Good, "beta-role", asset),
        dir,
        &["synth", "alpha", "beta"],
    );
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
}

#[test]
fn synth_writes_the_cdktf_layout_and_a_summary() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "beta-role", &asset);
    let run = kite(&app, dir.path(), &["synth", "alpha", "beta"]);
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    let out = dir.path().join("cdktf.out");
    let manifest = common::read_json(&out.join("manifest.json"));
    assert_eq!(
        manifest["stacks"]["alpha"],
        json!({
            "name": "alpha",
            "constructPath": "alpha",
            "workingDirectory": "stacks/alpha",
            "synthesizedStackPath": "stacks/alpha/cdk.tf.json",
            "annotations": [],
            "dependencies": []
        })
    );
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    let doc = common::read_json(&out.join("stacks/alpha/cdk.tf.json"));
    let asset_path = doc["resource"]["null_resource"]["marker"]["triggers"]["file"]
        .as_str()
        .unwrap();
    assert!(
        out.join("stacks/alpha").join(asset_path).is_file(),
        "the asset is copied where the config says"
    );
    assert_eq!(
        std::fs::read(out.join("stacks/alpha").join(asset_path)).unwrap(),
        b"PK fake zip"
    );
    // No backend given: state beside the project, outside the replaced output.
    let state = dir.path().join("terraform.alpha.tfstate");
    assert_eq!(
        doc["terraform"]["backend"]["local"]["path"],
        state.to_str().unwrap()
    );

    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(
        lines[0].starts_with("alpha")
            && lines[0].contains("2 resources")
            && lines[0].contains("stacks/alpha/cdk.tf.json"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("beta") && lines[1].contains("1 resources"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("Synthesized 2 stacks in ") && lines[2].ends_with(" ms"),
        "{}",
        lines[2]
    );
}

#[test]
fn synth_is_byte_identical_across_runs() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "beta-role", &asset);
    let out = dir.path().join("cdktf.out");
    assert_eq!(
        kite(&app, dir.path(), &["synth", "alpha", "beta"]).code,
        ExitCode::SUCCESS
    );
    let first = common::tree_bytes(&out);
    assert_eq!(
        kite(&app, dir.path(), &["synth", "alpha", "beta"]).code,
        ExitCode::SUCCESS
    );
    assert_eq!(common::tree_bytes(&out), first);
}

#[test]
fn an_unchanged_output_is_neither_written_nor_swapped() {
    use std::os::unix::fs::MetadataExt;
    let (dir, asset) = project();
    let out = dir.path().join("cdktf.out");
    let identity = |path: &Path| {
        let m = std::fs::symlink_metadata(path).unwrap();
        (m.ino(), m.mtime(), m.mtime_nsec())
    };
    let files = |out: &Path| {
        [
            out.to_path_buf(),
            out.join("manifest.json"),
            out.join("stacks/alpha/cdk.tf.json"),
            out.join("stacks/beta/cdk.tf.json"),
        ]
        .map(|p| identity(&p))
    };
    synth_good(dir.path(), &asset);
    let first = files(&out);
    synth_good(dir.path(), &asset);
    assert_eq!(
        files(&out),
        first,
        "the same directory and files, untouched"
    );

    // One stack of two: the other's entry in the manifest is kept, unchanged.
    let one = kite(
        &app(Variant::Good, "beta-role", &asset),
        dir.path(),
        &["synth", "alpha"],
    );
    assert_eq!(one.code, ExitCode::SUCCESS, "{}", one.stderr);
    assert_eq!(files(&out), first, "synthesizing one unchanged stack");

    // A stray file among the assets is removed by a real write.
    let stray = out.join("stacks/alpha/assets/stray.zip");
    std::fs::write(&stray, b"old").unwrap();
    synth_good(dir.path(), &asset);
    assert!(!stray.exists(), "the stray asset was dropped");
    assert_ne!(files(&out)[0], first[0], "a new output was swapped in");
    let second = files(&out);

    // A changed file is written, and the whole output swapped.
    std::fs::write(out.join("stacks/beta/cdk.tf.json"), b"{}").unwrap();
    synth_good(dir.path(), &asset);
    assert_ne!(files(&out), second);
    assert_ne!(
        std::fs::read(out.join("stacks/beta/cdk.tf.json")).unwrap(),
        b"{}"
    );
}

fn assert_failed_synth_keeps_previous_output(variant: Variant, expected: &[&str]) {
    let (dir, asset) = project();
    let out = dir.path().join("cdktf.out");
    synth_good(dir.path(), &asset);
    let before = common::tree_bytes(&out);
    assert!(!before.is_empty());

    let run = kite(
        &app(variant, "beta-changed", &asset),
        dir.path(),
        &["synth", "alpha", "beta"],
    );
    assert_eq!(run.code, ExitCode::from(3));
    for text in expected {
        assert!(
            run.stderr.contains(text),
            "missing {text:?} in:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("Nothing was written"), "{}", run.stderr);
    assert_eq!(
        common::tree_bytes(&out),
        before,
        "the previous output is byte-identical"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary directory is left: {leftovers:?}"
    );
}

#[test]
fn a_dangling_reference_fails_synth_and_keeps_the_previous_output() {
    assert_failed_synth_keeps_previous_output(
        Variant::Dangling,
        &[
            "stack `alpha` cannot be synthesized",
            "alpha/svc/broken",
            "`aws_s3_bucket.ghost`",
        ],
    );
}

#[test]
fn a_cycle_fails_synth_and_keeps_the_previous_output() {
    assert_failed_synth_keeps_previous_output(
        Variant::Cycle,
        &["dependency cycle: alpha/svc/role → alpha/svc/other → alpha/svc/role"],
    );
}

#[test]
fn a_stack_that_cannot_be_built_fails_synth_with_its_reason() {
    let (dir, asset) = project();
    let run = kite(&app(Variant::Good, "b", &asset), dir.path(), &["synth"]);
    assert_eq!(run.code, ExitCode::from(3));
    assert!(
        run.stderr
            .contains("stack `needs-config`: KITE_TEST_NEEDS_CONFIG is not set"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("cdktf.out").exists(), "nothing is written");
}

#[test]
fn an_unknown_stack_is_an_error_that_lists_the_known_ones() {
    let (dir, asset) = project();
    let run = kite(
        &app(Variant::Good, "b", &asset),
        dir.path(),
        &["synth", "gamma"],
    );
    assert_eq!(run.code, ExitCode::from(3));
    assert_eq!(
        run.stderr.trim(),
        "error: there is no stack named `gamma`; the stacks are: alpha, beta, needs-config"
    );
}

#[test]
fn synthesizing_some_stacks_keeps_the_others_and_what_terraform_wrote() {
    let (dir, asset) = project();
    let out = dir.path().join("cdktf.out");
    synth_good(dir.path(), &asset);
    // What terraform leaves in a stack's directory, and a stale asset.
    let alpha_dir = out.join("stacks/alpha");
    std::fs::create_dir_all(alpha_dir.join(".terraform/providers")).unwrap();
    std::fs::write(alpha_dir.join(".terraform/providers/plugin"), b"binary").unwrap();
    std::fs::write(alpha_dir.join(".terraform.lock.hcl"), b"lock").unwrap();
    std::fs::create_dir_all(alpha_dir.join("assets/stale")).unwrap();
    std::fs::write(alpha_dir.join("assets/stale/old.zip"), b"old").unwrap();
    let beta_before = std::fs::read(out.join("stacks/beta/cdk.tf.json")).unwrap();

    let run = kite(
        &app(Variant::Changed, "beta-changed", &asset),
        dir.path(),
        &["synth", "alpha"],
    );
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    assert_eq!(
        std::fs::read(alpha_dir.join(".terraform/providers/plugin")).unwrap(),
        b"binary"
    );
    assert_eq!(
        std::fs::read(alpha_dir.join(".terraform.lock.hcl")).unwrap(),
        b"lock"
    );
    assert!(
        !alpha_dir.join("assets/stale").exists(),
        "assets are regenerated"
    );
    let alpha_doc = common::read_json(&alpha_dir.join("cdk.tf.json"));
    assert_eq!(
        alpha_doc["resource"]["null_resource"]["marker"]["triggers"]["changed"],
        true
    );
    assert_eq!(
        std::fs::read(out.join("stacks/beta/cdk.tf.json")).unwrap(),
        beta_before,
        "beta was not synthesized this time"
    );
    let manifest = common::read_json(&out.join("manifest.json"));
    let names: Vec<&String> = manifest["stacks"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["alpha", "beta"]);
}

#[cfg(unix)]
#[test]
fn an_unchanged_asset_is_not_copied_again() {
    use std::os::unix::fs::MetadataExt;
    let (dir, asset) = project();
    let app = app(Variant::Good, "b", &asset);
    assert_eq!(
        kite(&app, dir.path(), &["synth", "alpha"]).code,
        ExitCode::SUCCESS
    );
    let doc = common::read_json(&dir.path().join("cdktf.out/stacks/alpha/cdk.tf.json"));
    let rel = doc["resource"]["null_resource"]["marker"]["triggers"]["file"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = dir.path().join("cdktf.out/stacks/alpha").join(&rel);
    let inode = std::fs::metadata(&path).unwrap().ino();
    assert_eq!(
        kite(&app, dir.path(), &["synth", "alpha"]).code,
        ExitCode::SUCCESS
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().ino(),
        inode,
        "the same file, linked into the new output"
    );

    std::fs::write(&asset, b"new content").unwrap();
    assert_eq!(
        kite(&app, dir.path(), &["synth", "alpha"]).code,
        ExitCode::SUCCESS
    );
    let doc = common::read_json(&dir.path().join("cdktf.out/stacks/alpha/cdk.tf.json"));
    let new_rel = doc["resource"]["null_resource"]["marker"]["triggers"]["file"]
        .as_str()
        .unwrap();
    assert_ne!(new_rel, rel, "new content, new hash directory");
    assert_eq!(
        std::fs::read(dir.path().join("cdktf.out/stacks/alpha").join(new_rel)).unwrap(),
        b"new content"
    );
}

#[test]
fn an_out_path_that_is_a_file_is_refused() {
    let (dir, asset) = project();
    std::fs::write(dir.path().join("cdktf.out"), b"keep me").unwrap();
    let run = kite(
        &app(Variant::Good, "b", &asset),
        dir.path(),
        &["synth", "alpha"],
    );
    assert_eq!(run.code, ExitCode::from(3));
    assert!(
        run.stderr.contains("it is not a directory"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("cdktf.out")).unwrap(),
        b"keep me"
    );
}

#[test]
fn synth_writes_where_out_says() {
    let (dir, asset) = project();
    let run = kite(
        &app(Variant::Good, "b", &asset),
        dir.path(),
        &["synth", "beta", "--out", "build/tf"],
    );
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    assert!(
        dir.path()
            .join("build/tf/stacks/beta/cdk.tf.json")
            .is_file()
    );
}

#[test]
fn list_shows_backends_counts_and_what_cannot_be_built() {
    let (dir, asset) = project();
    let run = kite(&app(Variant::Good, "b", &asset), dir.path(), &["list"]);
    assert_eq!(run.code, ExitCode::from(3), "one stack cannot be built");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("STACK"));
    let alpha: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(&alpha[..3], ["alpha", "local", "2"]);
    assert!(
        lines[3].contains("cannot be built: KITE_TEST_NEEDS_CONFIG is not set"),
        "{}",
        lines[3]
    );
}

#[test]
fn a_malformed_dotenv_is_reported_with_its_line() {
    let (dir, asset) = project();
    std::fs::write(dir.path().join(".env"), "OK=1\nthis is not a setting\n").unwrap();
    let run = kite(
        &app(Variant::Good, "b", &asset),
        dir.path(),
        &["synth", "beta"],
    );
    assert_eq!(run.code, ExitCode::from(3));
    assert!(
        run.stderr.contains(".env") && run.stderr.contains("this is not a setting"),
        "{}",
        run.stderr
    );
}

/// Only the holder of the output's lock makes staging directories, so under
/// the lock every one left beside the output belongs to a run that was
/// killed, however recent: each kill used to leave one for 15 minutes.
#[test]
fn staging_directories_of_killed_runs_are_removed_at_once() {
    let (dir, asset) = project();
    let killed = dir.path().join(".cdktf.out.tmp-k1LLed");
    let an_hour_old = dir.path().join(".cdktf.out.tmp-0ld0ne");
    let lookalike = dir.path().join(".cdktf.out.tmp-not-kites");
    for d in [&killed, &an_hour_old, &lookalike] {
        std::fs::create_dir_all(d.join("stacks")).unwrap();
    }
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::open(&an_hour_old)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let run = kite(
        &app(Variant::Good, "b", &asset),
        dir.path(),
        &["synth", "beta"],
    );
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    assert!(!killed.exists(), "a recent one is removed too");
    assert!(!an_hour_old.exists());
    assert!(
        lookalike.exists(),
        "a name kite does not make is not touched"
    );
}

#[test]
fn synth_refuses_to_replace_a_directory_that_is_not_an_output() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "b", &asset);
    std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
    let before = common::tree_bytes(dir.path());
    for out in [".", "..", "stacks/..", "/"] {
        let run = kite(&app, dir.path(), &["synth", "beta", "--out", out]);
        assert_eq!(run.code, ExitCode::from(3), "--out {out}");
        assert!(
            run.stderr.contains("not an output directory")
                || run.stderr.contains("holds it")
                || run.stderr.contains("names no directory"),
            "--out {out}: {}",
            run.stderr
        );
    }
    assert_eq!(common::tree_bytes(dir.path()), before, "nothing changed");

    let other = dir.path().join("src");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("main.rs"), b"fn main() {}").unwrap();
    let run = kite(&app, dir.path(), &["synth", "beta", "--out", "src"]);
    assert_eq!(run.code, ExitCode::from(3));
    assert!(
        run.stderr
            .contains("it is not an output directory (it has files but no manifest.json)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(other.join("main.rs")).unwrap(),
        b"fn main() {}"
    );

    // An empty directory, a new one, and a path with `..` in it are fine.
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    assert_eq!(
        kite(&app, dir.path(), &["synth", "beta", "--out", "empty"]).code,
        ExitCode::SUCCESS
    );
    let run = kite(
        &app,
        dir.path(),
        &["synth", "beta", "--out", "build/../cdktf.out"],
    );
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    assert!(
        dir.path()
            .join("cdktf.out/stacks/beta/cdk.tf.json")
            .is_file()
    );
}

#[cfg(unix)]
#[test]
fn synth_refuses_to_replace_a_symbolic_link() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "b", &asset);
    let target = dir.path().join("real-out");
    assert_eq!(
        kite(&app, dir.path(), &["synth", "beta", "--out", "real-out"]).code,
        ExitCode::SUCCESS
    );
    std::os::unix::fs::symlink(&target, dir.path().join("cdktf.out")).unwrap();
    let before = common::tree_bytes(&target);
    let run = kite(&app, dir.path(), &["synth", "beta"]);
    assert_eq!(run.code, ExitCode::from(3));
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(
        std::fs::symlink_metadata(dir.path().join("cdktf.out"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(common::tree_bytes(&target), before);
}

/// Before: any directory with a `manifest.json` counted as an output, and
/// a browser extension's folder was replaced.
#[test]
fn synth_refuses_a_directory_whose_manifest_kite_did_not_write() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "b", &asset);
    let extension = dir.path().join("extension");
    std::fs::create_dir_all(extension.join("icons")).unwrap();
    std::fs::write(
        extension.join("manifest.json"),
        br#"{"manifest_version": 3, "name": "Tabs", "version": "1.2"}"#,
    )
    .unwrap();
    std::fs::write(extension.join("icons/16.png"), b"png").unwrap();
    let before = common::tree_bytes(&extension);
    let run = kite(&app, dir.path(), &["synth", "beta", "--out", "extension"]);
    assert_eq!(run.code, ExitCode::from(3));
    assert!(
        run.stderr.contains(
            "it is not an output directory: its manifest.json is not one kite or cdktf wrote"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(common::tree_bytes(&extension), before, "left as it was");
}

#[test]
fn synth_replaces_an_output_that_cdktf_wrote() {
    let (dir, asset) = project();
    let app = app(Variant::Good, "b", &asset);
    let out = dir.path().join("cdktf.out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference/manifest.json"),
        out.join("manifest.json"),
    )
    .unwrap();
    let run = kite(&app, dir.path(), &["synth", "beta"]);
    assert_eq!(run.code, ExitCode::SUCCESS, "{}", run.stderr);
    assert!(out.join("stacks/beta/cdk.tf.json").is_file());
}
