//! Configuration from the environment and the project's `.env` file.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Mutex;

use crate::collections::map_of;
use crate::input::{DOTENV_LIMIT, read_limited};

/// The variables a stack is built with: the process environment over the
/// project's `.env` file (a real environment variable wins).
///
/// Values are kept as the operating system gave them: a value that is not
/// valid UTF-8 is an error when a stack or the command line asks for it as
/// text ([`Env::get`]), never a silently unset variable, and a path is used
/// byte for byte ([`Env::get_os`]).
#[derive(Debug)]
pub struct Env {
    project_root: PathBuf,
    vars: BTreeMap<String, OsString>,
    /// Variables that came from `.env` and not from the process environment:
    /// what child processes (terraform) must be given explicitly.
    from_dotenv: BTreeMap<String, String>,
    /// What building stacks found worth saying without failing, for the
    /// command line to print.
    warnings: Mutex<Vec<String>>,
}

impl Clone for Env {
    fn clone(&self) -> Self {
        Env {
            project_root: self.project_root.clone(),
            vars: self.vars.clone(),
            from_dotenv: self.from_dotenv.clone(),
            warnings: Mutex::new(self.warnings_snapshot()),
        }
    }
}

/// A `.env` file that cannot be read.
#[derive(Debug)]
pub struct EnvError {
    pub path: PathBuf,
    /// The line the problem is on, when it is one line.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "cannot read {}, line {line}: ", self.path.display())?,
            None => write!(f, "cannot read {}: ", self.path.display())?,
        }
        write!(
            f,
            "{}. Each line of a .env file is `NAME=value` (see .env.example.txt); fix the line or remove the file",
            self.message
        )
    }
}

impl std::error::Error for EnvError {}

/// A variable whose value is not valid UTF-8, asked for as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotUnicode {
    pub name: String,
    pub value: OsString,
}

impl fmt::Display for NotUnicode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not valid UTF-8 (its value is \"{}\", invalid bytes shown as \\x..): set it to UTF-8 text in .env or the environment, or unset it",
            self.name,
            self.value.as_encoded_bytes().escape_ascii()
        )
    }
}

impl std::error::Error for NotUnicode {}

/// A path that has to be written into Terraform JSON as text, and is not
/// valid UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathNotUnicode {
    pub path: PathBuf,
    /// What the path is for ("the local state file").
    pub what: String,
}

impl fmt::Display for PathNotUnicode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the path of {} is not valid UTF-8 (\"{}\", invalid bytes shown as \\x..), and Terraform JSON holds paths as UTF-8 text: move the project to a directory whose path is valid UTF-8",
            self.what,
            self.path.as_os_str().as_encoded_bytes().escape_ascii()
        )
    }
}

impl std::error::Error for PathNotUnicode {}

/// `path` as text for Terraform JSON, exactly: an error naming it (and
/// `what` it is for) when it is not valid UTF-8, never a lossy conversion.
pub fn path_text<'a>(path: &'a Path, what: &str) -> Result<&'a str, PathNotUnicode> {
    path.to_str().ok_or_else(|| PathNotUnicode {
        path: path.to_path_buf(),
        what: what.to_owned(),
    })
}

impl Env {
    /// Reads `<project_root>/.env` if there is one, under the process
    /// environment. The process environment itself is not changed.
    pub fn load(project_root: &Path) -> Result<Env, EnvError> {
        // Variables whose names are not UTF-8 cannot be asked for by name;
        // terraform still inherits them with the rest of the environment.
        let process: BTreeMap<String, OsString> =
            map_of(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v))));
        let path = project_root.join(".env");
        let dotenv = if path.is_file() {
            read_dotenv(&path)?
        } else {
            BTreeMap::new()
        };
        Ok(Env::layered(project_root, dotenv, process))
    }

    /// An environment of exactly these variables (for tests and embedding).
    pub fn from_vars<K: Into<String>, V: Into<OsString>>(
        project_root: &Path,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        let vars = map_of(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        Env::layered(project_root, BTreeMap::new(), vars)
    }

    fn layered(
        project_root: &Path,
        dotenv: BTreeMap<String, String>,
        process: BTreeMap<String, OsString>,
    ) -> Env {
        let from_dotenv: BTreeMap<String, String> =
            map_of(dotenv.into_iter().filter(|(k, _)| !process.contains_key(k)));
        let mut vars = process;
        vars.extend(
            from_dotenv
                .iter()
                .map(|(k, v)| (k.clone(), OsString::from(v))),
        );
        Env {
            project_root: project_root.to_path_buf(),
            vars,
            from_dotenv,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The value of a variable as text; an empty value counts as unset. A
    /// value that is not valid UTF-8 is an error that names the variable.
    pub fn get(&self, name: &str) -> Result<Option<&str>, NotUnicode> {
        match self.get_os(name) {
            None => Ok(None),
            Some(value) => value.to_str().map(Some).ok_or_else(|| NotUnicode {
                name: name.to_owned(),
                value: value.to_owned(),
            }),
        }
    }

    /// The value of a variable as the operating system has it (for paths);
    /// an empty value counts as unset.
    pub fn get_os(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .get(name)
            .map(OsString::as_os_str)
            .filter(|v| !v.is_empty())
    }

    /// The directory `.env` was read from; relative paths of the
    /// configuration are relative to it.
    pub fn project_root(&self) -> &Path {
        &self.project_root
    }

    /// Every variable, from the process's environment and `.env`.
    pub(crate) fn all_vars(&self) -> impl Iterator<Item = (&str, &OsStr)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_os_str()))
    }

    /// Variables from `.env` that the process environment does not have.
    pub fn dotenv_vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.from_dotenv
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Records something worth telling the user that does not stop the
    /// build (a Lambda package above the direct-upload limit); the command
    /// line prints it on stderr.
    pub fn warn(&self, message: impl Into<String>) {
        self.warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(message.into());
    }

    /// The warnings recorded since the last call.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .warnings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    fn warnings_snapshot(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The variables of a `.env` file; every error names the line.
fn read_dotenv(path: &Path) -> Result<BTreeMap<String, String>, EnvError> {
    let error = |line: Option<usize>, message: String| EnvError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let bytes =
        read_limited(path, DOTENV_LIMIT, "a .env file").map_err(|e| error(None, e.to_string()))?;
    if bytes.starts_with("\u{feff}".as_bytes()) {
        return Err(error(
            Some(1),
            "the file starts with a byte order mark (U+FEFF, invisible in most editors), which would become part of the first name: save the file as UTF-8 without BOM".into(),
        ));
    }
    if let Err(e) = std::str::from_utf8(&bytes) {
        let line = line_of(&bytes, e.valid_up_to());
        let byte = bytes[e.valid_up_to()];
        return Err(error(
            Some(line),
            format!(
                "it is not valid UTF-8 (byte 0x{byte:02X} at column {}): save the file as UTF-8",
                column_of(&bytes, e.valid_up_to())
            ),
        ));
    }
    // dotenvy reads through a buffer that asks for one line at a time, so
    // the lines handed out so far tell where an error is.
    let lines = Rc::new(Cell::new(0usize));
    let reader = OneLineAtATime {
        rest: &bytes,
        lines: Rc::clone(&lines),
    };
    let mut vars = BTreeMap::new();
    for item in dotenvy::from_read_iter(reader) {
        let (k, v) =
            item.map_err(|e| error(Some(lines.get().max(1)), describe_dotenv_error(&e)))?;
        vars.insert(k, v);
    }
    Ok(vars)
}

/// The 1-based line of the byte at `offset`.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The 1-based column (in bytes) of the byte at `offset`.
fn column_of(bytes: &[u8], offset: usize) -> usize {
    let start = bytes[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    offset - start + 1
}

/// A reader that never returns more than one line per call, counting the
/// lines it has handed out whole.
struct OneLineAtATime<'a> {
    rest: &'a [u8],
    lines: Rc<Cell<usize>>,
}

impl Read for OneLineAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.rest.is_empty() {
            return Ok(0);
        }
        let line_end = self
            .rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.rest.len(), |i| i + 1);
        let n = line_end.min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        if n == line_end {
            self.lines.set(self.lines.get() + 1);
        }
        Ok(n)
    }
}

fn describe_dotenv_error(e: &dotenvy::Error) -> String {
    match e {
        dotenvy::Error::LineParse(line, index) => {
            let line = line.trim_end_matches(['\n', '\r']);
            if line.contains("${") {
                format!(
                    "cannot parse `{line}` (at character {index}): `${{` starts a substitution that needs a closing `}}`; to write a literal `$`, put the value in single quotes"
                )
            } else {
                format!("cannot parse `{line}` (at character {index})")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &[u8]) -> Result<Env, EnvError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".env"), text).unwrap();
        Env::load(dir.path())
    }

    #[test]
    fn the_process_environment_wins_over_dotenv() {
        let dir = tempfile::tempdir().unwrap();
        let dotenv = BTreeMap::from([
            ("A".to_string(), "from-file".to_string()),
            ("B".to_string(), "from-file".to_string()),
        ]);
        let process = BTreeMap::from([("A".to_string(), OsString::from("from-process"))]);
        let env = Env::layered(dir.path(), dotenv, process);
        assert_eq!(env.get("A"), Ok(Some("from-process")));
        assert_eq!(env.get("B"), Ok(Some("from-file")));
        let extra: Vec<_> = env.dotenv_vars().collect();
        assert_eq!(extra, [("B", "from-file")]);
    }

    #[test]
    fn empty_values_are_unset() {
        let env = Env::from_vars(Path::new("/p"), [("KITE_DOMAIN", "")]);
        assert_eq!(env.get("KITE_DOMAIN"), Ok(None));
        assert_eq!(env.get_os("KITE_DOMAIN"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_value_that_is_not_utf8_is_an_error_naming_the_variable_not_unset() {
        use std::os::unix::ffi::OsStringExt;
        let value = OsString::from_vec(b"k1te\xff.chat".to_vec());
        let env = Env::from_vars(Path::new("/p"), [("KITE_DOMAIN", value.clone())]);
        let err = env.get("KITE_DOMAIN").unwrap_err();
        assert_eq!(err.name, "KITE_DOMAIN");
        let text = err.to_string();
        assert!(
            text.starts_with("KITE_DOMAIN is not valid UTF-8") && text.contains(r"k1te\xff.chat"),
            "{text}"
        );
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert_eq!(env.get_os("KITE_DOMAIN"), Some(value.as_os_str()));
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_is_refused_by_name_never_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(OsStr::from_bytes(b"/srv/pro\xffject/terraform.tfstate"));
        let err = path_text(path, "the local state file").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("the local state file"), "{text}");
        assert!(text.contains(r"/srv/pro\xffject"), "{text}");
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert_eq!(path_text(Path::new("/srv/x"), "x"), Ok("/srv/x"));
    }

    #[test]
    fn a_malformed_dotenv_names_the_file_and_line() {
        let err = load(b"GOOD=1\nBAD LINE WITHOUT EQUALS\n").unwrap_err();
        let text = err.to_string();
        assert_eq!(err.line, Some(2), "{text}");
        assert!(text.contains(".env, line 2: "), "{text}");
        assert!(text.contains("BAD LINE"), "{text}");
    }

    #[test]
    fn a_byte_order_mark_is_an_error_on_line_1() {
        let err = load(b"\xef\xbb\xbfKITE_DOMAIN=k1te.chat\n").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.to_string().contains("byte order mark"), "{err}");
    }

    #[test]
    fn invalid_utf8_is_an_error_on_its_line() {
        let err = load(b"A=1\nKITE_DOMAIN=k1te\xff.chat\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("not valid UTF-8 (byte 0xFF at column 17)"),
            "{text}"
        );
    }

    #[test]
    fn an_unclosed_substitution_is_an_error_on_its_line() {
        let err = load(b"# comment\n\nA=1\nKITE_DOMAIN=${\nB=2\n").unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.to_string().contains("single quotes"), "{err}");
    }

    #[test]
    fn errors_after_a_multi_line_value_count_its_lines() {
        let err = load(b"A=\"one\ntwo\nthree\"\nB C\n").unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
    }

    #[test]
    fn long_lines_are_counted_once() {
        let long = "X".repeat(20_000);
        let err = load(format!("A={long}\nB C\n").as_bytes()).unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }

    #[test]
    fn a_huge_dotenv_is_refused_without_being_read_whole() {
        let err = load(&vec![b'#'; 2 * 1024 * 1024]).unwrap_err();
        assert!(err.to_string().contains("larger than 1 MiB"), "{err}");
    }

    #[test]
    fn single_quotes_keep_dollars_literal() {
        let env = load(b"KITE_TEST_ONLY_SINGLE='ab$cd${'\n").unwrap();
        assert_eq!(env.get("KITE_TEST_ONLY_SINGLE"), Ok(Some("ab$cd${")));
    }

    #[test]
    fn dotenv_values_are_read() {
        let env = load(b"KITE_TEST_ONLY_VARIABLE_X=\"quoted value\"\r\n").unwrap();
        assert_eq!(
            env.get("KITE_TEST_ONLY_VARIABLE_X"),
            Ok(Some("quoted value"))
        );
    }

    #[test]
    fn warnings_are_taken_once() {
        let env = Env::from_vars(Path::new("/p"), [("A", "1")]);
        env.warn("big");
        assert_eq!(env.take_warnings(), ["big"]);
        assert!(env.take_warnings().is_empty());
    }
}
