//! Which directory is the project: where `.env` is read, the default output
//! goes and relative settings (`KITE_LAMBDA_ZIP`) start.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// The variable that names the project directory explicitly.
pub const PROJECT_DIR_VARIABLE: &str = "KITE_PROJECT_DIR";

/// The project directory for a kite started in `cwd`:
///
/// 1. `KITE_PROJECT_DIR` when set (relative to `cwd`);
/// 2. else the nearest of `cwd` and its parents that holds a `Cargo.toml`
///    (the app's crate, run from any of its subdirectories);
/// 3. else `cwd`, if it holds a `.env` (an installed binary run where its
///    settings are);
/// 4. else none: kite refuses to guess, since state and data paths derive
///    from it.
pub fn find(cwd: &Path, project_dir: Option<&OsStr>) -> Result<PathBuf> {
    if let Some(dir) = project_dir.filter(|d| !d.is_empty()) {
        let dir = cwd.join(dir);
        if !dir.is_dir() {
            bail!(
                "{PROJECT_DIR_VARIABLE} names {}, which is not a directory: set it to the project directory (the one with the stacks' .env), or unset it",
                dir.display()
            );
        }
        return Ok(dir);
    }
    if let Some(root) = cwd.ancestors().find(|d| d.join("Cargo.toml").is_file()) {
        return Ok(root.to_path_buf());
    }
    if cwd.join(".env").is_file() {
        return Ok(cwd.to_path_buf());
    }
    bail!(
        "{} is not in a kite project: neither it nor a directory above it holds a Cargo.toml, and it holds no .env. kite reads .env, writes cdktf.out and places local state relative to the project directory: run kite there, create a .env in this directory (it may be empty) to make it the project directory, or set {PROJECT_DIR_VARIABLE}",
        cwd.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_cargo_toml_above_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let deep = root.join("stacks/sub");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\n").unwrap();
        // A .env of another tool below the project does not move the root.
        std::fs::write(root.join("stacks/.env"), "").unwrap();
        assert_eq!(find(&deep, None).unwrap(), root);
        assert_eq!(find(&root, None).unwrap(), root);
    }

    #[test]
    fn without_cargo_toml_a_dotenv_makes_the_current_directory_the_project() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "").unwrap();
        assert_eq!(find(dir.path(), None).unwrap(), dir.path());
    }

    #[test]
    fn without_either_kite_refuses_and_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(".env"), "").unwrap();
        let err = find(&sub, None).unwrap_err().to_string();
        assert!(err.contains("is not in a kite project"), "{err}");
        assert!(err.contains("KITE_PROJECT_DIR"), "{err}");
    }

    #[test]
    fn kite_project_dir_names_it_explicitly() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("infra");
        std::fs::create_dir_all(&project).unwrap();
        assert_eq!(
            find(dir.path(), Some(OsStr::new("infra"))).unwrap(),
            project
        );
        let err = find(dir.path(), Some(OsStr::new("missing")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a directory"), "{err}");
    }
}
