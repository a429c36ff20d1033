//! `kite diff|deploy|destroy` over several stacks with the real terraform
//! (1.11 or later on PATH) and the stand-in provider of `standin-provider/`
//! (doc/adr/0009), installed from a filesystem mirror: terraform's
//! diagnostics on a planted error traced to construct paths, and a run of
//! `examples/multistack.rs` whose `app` reads `build`'s real state.
//! `KITE_SKIP_TERRAFORM=1` skips, as for `tests/terraform_judge.rs`.

mod common;
#[path = "common/standin.rs"]
mod standin;
#[path = "common/terraform_home.rs"]
mod terraform_home;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use standin::{stderr, stdout};
use terraform_home::TerraformHome;

/// terraform's home: a mirror holding the stand-in provider under the
/// bundled providers' addresses, and a CLI configuration that installs from
/// it. `None` when told to skip.
struct Real(TerraformHome);

impl Real {
    fn new() -> Option<Real> {
        TerraformHome::new("skipped").map(Real)
    }

    /// Runs the multistack example in `project` with the real terraform.
    fn run(&self, project: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        Command::new(standin::example("multistack"))
            .args(args)
            .current_dir(project)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.0.home.path())
            .env("TF_CLI_CONFIG_FILE", self.0.cli_config())
            // The terraform whose version was checked.
            .env("TERRAFORM_BINARY_NAME", &self.0.terraform)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .envs(vars.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // An empty .env makes it the project directory.
    std::fs::write(dir.path().join(".env"), "").unwrap();
    dir
}

fn assert_status(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// The planted misspelt argument, let through by `--no-validate`: terraform
/// refuses it, and kite names the bucket's construct path, its address, and
/// terraform's summary and detail; `--raw` shows terraform's own text, and
/// terraform.log keeps its JSON.
#[test]
fn terraform_s_error_on_a_planted_argument_names_the_construct_path() {
    let Some(real) = Real::new() else { return };
    let dir = project();
    let planted = [("MULTISTACK_PLANT", "misspelt")];
    let out = real.run(dir.path(), &["diff", "site", "--no-validate"], &planted);
    assert_status(&out, 1, "terraform's plan fails");
    let err = stderr(&out);
    assert!(
        err.contains(
            "error: site/pages/bucket (aws_s3_bucket.pages_bucket_C5CCFFD4): Extraneous JSON object property\n  No argument or block type is named \"bucket_prefx\"."
        ),
        "{err}"
    );
    assert!(
        !err.contains("╷"),
        "terraform's box drawing is not shown: {err}"
    );
    let log =
        std::fs::read_to_string(dir.path().join("cdktf.out/stacks/site/terraform.log")).unwrap();
    assert!(
        log.contains(r#""summary":"Extraneous JSON object property""#),
        "{log}"
    );
    assert!(
        log.contains("Terraform has been successfully initialized!"),
        "{log}"
    );

    let out = real.run(
        dir.path(),
        &["diff", "site", "--no-validate", "--raw"],
        &planted,
    );
    assert_status(&out, 1, "--raw");
    let err = stderr(&out);
    assert!(
        err.contains("Error: Extraneous JSON object property"),
        "{err}"
    );
    assert!(err.contains("bucket_prefx"), "{err}");
}

/// `deploy --all` applies build, then app (whose plan reads build's state)
/// and site; a `diff --all --detailed-exitcode` then finds no changes (0),
/// and `destroy --all` takes them down the other way round. Before any
/// deploy, `diff app` says to deploy build first instead of terraform's
/// "Unable to find remote state".
#[test]
fn a_run_over_three_stacks_with_the_real_terraform() {
    let Some(real) = Real::new() else { return };
    let dir = project();
    let out = real.run(dir.path(), &["diff", "app"], &[]);
    assert_status(&out, 3, "app's producer has no state");
    assert!(
        stderr(&out).contains("deploy `build` first (`kite deploy build`)"),
        "{}",
        stderr(&out)
    );

    let out = real.run(
        dir.path(),
        &[
            "deploy",
            "--all",
            "--auto-approve",
            "--parallelism",
            "2",
            "--json",
        ],
        &[],
    );
    assert_status(&out, 0, "deploy --all");
    let doc: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["order"], serde_json::json!(["build", "app", "site"]));
    for (i, added) in [(0, 1), (1, 2), (2, 1)] {
        assert_eq!(doc["stacks"][i]["changes"]["add"], added, "{doc}");
        assert_eq!(doc["stacks"][i]["applied"], true, "{doc}");
    }

    let out = real.run(dir.path(), &["diff", "--all", "--detailed-exitcode"], &[]);
    assert_status(&out, 0, "nothing to change after the deploy");

    let out = real.run(
        dir.path(),
        &["destroy", "--all", "--auto-approve", "--json"],
        &[],
    );
    assert_status(&out, 0, "destroy --all");
    let doc: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["order"], serde_json::json!(["site", "app", "build"]));
    assert_eq!(doc["stacks"][1]["changes"]["destroy"], 2, "{doc}");
}
