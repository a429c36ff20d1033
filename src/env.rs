//! Configuration from the environment and the project's `.env` file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The variables a stack is built with: the process environment over the
/// project's `.env` file (a real environment variable wins).
#[derive(Clone, Debug)]
pub struct Env {
    project_root: PathBuf,
    vars: BTreeMap<String, String>,
    /// Variables that came from `.env` and not from the process environment:
    /// what child processes (terraform) must be given explicitly.
    from_dotenv: BTreeMap<String, String>,
}

/// A `.env` file that cannot be read.
#[derive(Debug)]
pub struct EnvError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read {}: {}. Each line of a .env file is `NAME=value` (see .env.example.txt); fix the line or remove the file",
            self.path.display(),
            self.message
        )
    }
}

impl std::error::Error for EnvError {}

impl Env {
    /// Reads `<project_root>/.env` if there is one, under the process
    /// environment. The process environment itself is not changed.
    pub fn load(project_root: &Path) -> Result<Env, EnvError> {
        let process: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let path = project_root.join(".env");
        let mut dotenv = BTreeMap::new();
        if path.is_file() {
            let iter = dotenvy::from_path_iter(&path).map_err(|e| EnvError {
                path: path.clone(),
                message: e.to_string(),
            })?;
            for item in iter {
                let (k, v) = item.map_err(|e| EnvError {
                    path: path.clone(),
                    message: describe_dotenv_error(&e),
                })?;
                dotenv.insert(k, v);
            }
        }
        Ok(Env::layered(project_root, dotenv, process))
    }

    /// An environment of exactly these variables (for tests and embedding).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        project_root: &Path,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Env::layered(project_root, BTreeMap::new(), vars)
    }

    fn layered(
        project_root: &Path,
        dotenv: BTreeMap<String, String>,
        process: BTreeMap<String, String>,
    ) -> Env {
        let from_dotenv: BTreeMap<String, String> = dotenv
            .into_iter()
            .filter(|(k, _)| !process.contains_key(k))
            .collect();
        let mut vars = process;
        vars.extend(from_dotenv.clone());
        Env {
            project_root: project_root.to_path_buf(),
            vars,
            from_dotenv,
        }
    }

    /// The value of a variable; an empty value counts as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The directory `.env` was read from; relative paths of the
    /// configuration are relative to it.
    pub fn project_root(&self) -> &Path {
        &self.project_root
    }

    /// Variables from `.env` that the process environment does not have.
    pub fn dotenv_vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.from_dotenv
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn describe_dotenv_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, index) => {
            format!("cannot parse `{line}` (at character {index})")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_environment_wins_over_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        let dotenv = BTreeMap::from([
            ("A".to_string(), "from-file".to_string()),
            ("B".to_string(), "from-file".to_string()),
        ]);
        let process = BTreeMap::from([("A".to_string(), "from-process".to_string())]);
        let env = Env::layered(dir.path(), dotenv, process);
        assert_eq!(env.get("A"), Some("from-process"));
        assert_eq!(env.get("B"), Some("from-file"));
        let extra: Vec<_> = env.dotenv_vars().collect();
        assert_eq!(extra, [("B", "from-file")]);
    }

    #[test]
    fn empty_values_are_unset() {
        let env = Env::from_vars(Path::new("/p"), [("KITE_DOMAIN", "")]);
        assert_eq!(env.get("KITE_DOMAIN"), None);
    }

    #[test]
    fn a_malformed_dotenv_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "GOOD=1\nBAD LINE WITHOUT EQUALS\n").unwrap();
        let err = Env::load(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(".env"), "{text}");
        assert!(text.contains("BAD LINE"), "{text}");
    }

    #[test]
    fn single_quotes_keep_dollars_literal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), "KITE_TEST_ONLY_SINGLE='ab$cd$'\n").unwrap();
        let env = Env::load(dir.path()).unwrap();
        assert_eq!(env.get("KITE_TEST_ONLY_SINGLE"), Some("ab$cd$"));
    }

    #[test]
    fn dotenv_values_are_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".env"),
            "KITE_TEST_ONLY_VARIABLE_X=\"quoted value\"\n",
        )
        .unwrap();
        let env = Env::load(dir.path()).unwrap();
        assert_eq!(env.get("KITE_TEST_ONLY_VARIABLE_X"), Some("quoted value"));
    }
}
