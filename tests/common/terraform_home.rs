//! terraform with the stand-in provider of `standin-provider/` installed for
//! it (doc/adr/0009): found on PATH (or skipped with `KITE_SKIP_TERRAFORM=1`),
//! its version checked, the provider built once per test process and put in
//! a filesystem mirror under every bundled provider's address, and a CLI
//! configuration that installs from that mirror. Shared by
//! `tests/terraform_judge.rs` and `tests/terraform_cli.rs`.

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

pub const SKIP_VAR: &str = "KITE_SKIP_TERRAFORM";

/// The terraform binary, and a home holding the mirror and `terraform.tfrc`.
pub struct TerraformHome {
    pub terraform: PathBuf,
    pub home: tempfile::TempDir,
}

impl TerraformHome {
    /// terraform and its home, or None (after saying `skipped_note`) when
    /// the environment asks to skip.
    pub fn new(skipped_note: &str) -> Option<TerraformHome> {
        let skip = std::env::var_os(SKIP_VAR);
        let terraform = match locate_terraform(std::env::var_os("PATH").as_deref(), skip.as_deref())
        {
            Ok(Some(t)) => t,
            Ok(None) => {
                // Straight to stderr: the test harness captures eprintln!.
                let _ = writeln!(std::io::stderr(), "note: {SKIP_VAR}=1: {skipped_note}");
                return None;
            }
            Err(e) => panic!("{e}"),
        };
        check_version(&terraform);
        let binary = match standin() {
            Ok(b) => b,
            Err(e) => panic!("{e}"),
        };
        let home = tempfile::tempdir().unwrap();
        let mirror = home.path().join("mirror");
        for (address, version) in bundled_providers() {
            // Unpacked layout: HOSTNAME/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION
            let name = address.rsplit('/').next().unwrap();
            let dir = mirror.join(&address).join(&version).join(platform());
            std::fs::create_dir_all(&dir).unwrap();
            let target = dir.join(format!("terraform-provider-{name}_v{version}"));
            std::fs::copy(&binary, &target).unwrap_or_else(|e| {
                panic!(
                    "cannot copy {} to {}: {e}",
                    binary.display(),
                    target.display()
                )
            });
        }
        let config = format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path = {}\n  }}\n}}\n",
            json!(mirror.to_str().unwrap())
        );
        std::fs::write(home.path().join("terraform.tfrc"), config).unwrap();
        Some(TerraformHome { terraform, home })
    }

    /// The CLI configuration file to give terraform (`TF_CLI_CONFIG_FILE`).
    pub fn cli_config(&self) -> PathBuf {
        self.home.path().join("terraform.tfrc")
    }
}

/// Where terraform is: `Ok(None)` to skip, an error saying what to do when
/// it is missing.
pub fn locate_terraform(
    path: Option<&OsStr>,
    skip: Option<&OsStr>,
) -> Result<Option<PathBuf>, String> {
    if skip.is_some_and(|s| s == "1") {
        return Ok(None);
    }
    let found = path
        .into_iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("terraform"))
        .find(|candidate| is_executable(candidate));
    match found {
        Some(t) => Ok(Some(t)),
        None => Err(format!(
            "terraform is not on PATH: the tests that let terraform judge kite's output need \
             Terraform 1.11 or later (https://developer.hashicorp.com/terraform/install); \
             install it, or set {SKIP_VAR}=1 to skip them"
        )),
    }
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

fn check_version(terraform: &Path) {
    let out = Command::new(terraform)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", terraform.display()));
    let version: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let version = version["terraform_version"].as_str().unwrap_or("unknown");
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    assert!(
        (major, minor) >= (1, 11),
        "{} is terraform {version}; kite's output needs Terraform 1.11 or later \
         (https://developer.hashicorp.com/terraform/install), or set {SKIP_VAR}=1",
        terraform.display()
    );
}

/// Builds the stand-in provider once per test process; concurrent tests
/// wait for the one build. Its own target directory: the `cargo test` that
/// runs this holds the lock of the usual one.
fn standin() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let target = root.join("target/standin");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let _ = writeln!(
                std::io::stderr(),
                "note: building the stand-in provider into {} (minutes the first time)",
                target.display()
            );
            let mut build = Command::new(cargo);
            // The variables cargo sets for this test process describe kite,
            // and some build scripts (ring's) rebuild when they change: left
            // in, they would make this build and a plain one from a shell
            // (.ci/run's) rebuild each other's dependencies.
            for (key, _) in std::env::vars_os() {
                let key = key.to_string_lossy();
                let set_by_cargo = [
                    "CARGO_PKG_",
                    "CARGO_MANIFEST_",
                    "CARGO_CRATE_",
                    "CARGO_BIN_",
                    "CARGO_PRIMARY_",
                ]
                .iter()
                .any(|p| key.starts_with(p))
                    || key == "CARGO_TARGET_TMPDIR"
                    || key == "OUT_DIR";
                if set_by_cargo {
                    build.env_remove(key.as_ref());
                }
            }
            let out = build
                .args([
                    "build",
                    "--locked",
                    "--profile",
                    "standin",
                    "-p",
                    "standin-provider",
                ])
                .arg("--target-dir")
                .arg(&target)
                .current_dir(root)
                .output()
                .map_err(|e| format!("cannot run cargo to build the stand-in provider: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "building the stand-in provider failed:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Ok(target.join("standin/standin-provider"))
        })
        .clone()
}

/// The providers the stand-in serves and their versions, as the bundled
/// schema's record of its making gives them.
fn bundled_providers() -> Vec<(String, String)> {
    let meta = crate::common::read_json(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/providers-full.schema.meta.json"),
    );
    let providers = meta["providers"]
        .as_object()
        .expect("providers in the schema meta");
    providers
        .iter()
        .map(|(address, p)| {
            let version = p["version"].as_str().expect("a provider version");
            (address.clone(), version.to_owned())
        })
        .collect()
}

/// terraform's name for this machine's platform (`linux_amd64`).
fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}
