//! File assets: files a stack ships next to its configuration (a Lambda
//! package), copied into the stack's output directory under a content hash.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use base64::Engine;
use md5::Md5;
use sha2::{Digest, Sha256};

use crate::construct::Scope;
use crate::expr::Tf;

/// A file of the stack, at `assets/<asset logical id>/<HASH>/<file name>`
/// relative to the stack's directory, where Terraform runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    pub(crate) scope: Scope,
    pub(crate) source: PathBuf,
    relative_path: String,
    fingerprint: Fingerprint,
    /// What identified the file when it was fingerprinted: a copy made
    /// later is of that content if the file still has it.
    key: Option<crate::fingerprints::FileKey>,
}

/// What identifies a file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// MD5, upper-case hex: the directory the file is copied to (as cdktf).
    pub md5_hex: String,
    /// SHA-256, base64: what AWS reports as a Lambda package's hash, and
    /// what Terraform's `filebase64sha256` computes.
    pub sha256_base64: String,
    pub size: u64,
}

/// Why a file cannot be an asset.
#[derive(Debug)]
pub enum AssetError {
    NotFound(PathBuf),
    /// Not a regular file, and what it is instead ("a directory").
    NotAFile(PathBuf, &'static str),
    /// A file name Terraform JSON cannot hold as text.
    NameNotUnicode(PathBuf),
    Unreadable(PathBuf, io::Error),
}

/// What a file that is not a regular file is, for messages: "a directory",
/// "a FIFO (named pipe)", "a character device", ...
pub fn describe_file_type(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

impl fmt::Display for AssetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetError::NotFound(p) => write!(f, "the file {} does not exist", p.display()),
            AssetError::NotAFile(p, what) => write!(
                f,
                "{} is {what}, not a regular file: an asset is one file (archive a directory first)",
                p.display()
            ),
            AssetError::NameNotUnicode(p) => write!(
                f,
                "the file name of \"{}\" is not valid UTF-8, and Terraform JSON names the asset's copy as UTF-8 text: rename the file",
                p.as_os_str().as_encoded_bytes().escape_ascii()
            ),
            AssetError::Unreadable(p, e) => write!(f, "cannot read {}: {e}", p.display()),
        }
    }
}

impl std::error::Error for AssetError {}

impl Asset {
    /// Hashes `source` (streaming: the file is never held in memory whole).
    pub(crate) fn new(scope: Scope, source: &Path) -> Result<Asset, AssetError> {
        let metadata = std::fs::metadata(source).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => AssetError::NotFound(source.to_path_buf()),
            _ => AssetError::Unreadable(source.to_path_buf(), e),
        })?;
        if !metadata.is_file() {
            return Err(AssetError::NotAFile(
                source.to_path_buf(),
                describe_file_type(&metadata.file_type()),
            ));
        }
        let file_name = match source.file_name() {
            None => "asset",
            Some(name) => name
                .to_str()
                .ok_or_else(|| AssetError::NameNotUnicode(source.to_path_buf()))?,
        };
        let (fingerprint, key) = crate::fingerprints::of(source, &metadata)
            .map_err(|e| AssetError::Unreadable(source.to_path_buf(), e))?;
        let relative_path = format!(
            "assets/{}/{}/{}",
            scope.logical_id(),
            fingerprint.md5_hex,
            file_name
        );
        Ok(Asset {
            scope,
            source: source.to_path_buf(),
            relative_path,
            fingerprint,
            key,
        })
    }

    /// Copies the file to `dest`, which is then the content the stack was
    /// built with: the file must be unchanged since it was fingerprinted
    /// (same inode, size, modification and change times), or the copy is
    /// checked against the fingerprint as it is made.
    pub(crate) fn copy_to(&self, dest: &Path) -> io::Result<()> {
        let Some(key) = self.key else {
            return copy_checked(&self.source, dest, &self.fingerprint);
        };
        std::fs::copy(&self.source, dest)?;
        let now = std::fs::metadata(&self.source)
            .ok()
            .and_then(|m| crate::fingerprints::FileKey::of(&m));
        if now != Some(key) {
            let _ = std::fs::remove_file(dest);
            return Err(changed(&self.source));
        }
        Ok(())
    }

    /// The path Terraform reads the file from, relative to the stack's directory.
    pub fn path(&self) -> Tf<String> {
        Tf::<String>::from(self.relative_path.as_str())
    }

    pub fn relative_path(&self) -> &str {
        &self.relative_path
    }

    /// The base64 SHA-256 of the file, known at synthesis.
    pub fn base64_sha256(&self) -> Tf<String> {
        Tf::<String>::from(self.fingerprint.sha256_base64.as_str())
    }

    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    pub fn source(&self) -> &Path {
        &self.source
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

/// MD5 and SHA-256 of a file in one streaming pass.
pub fn fingerprint(path: &Path) -> io::Result<Fingerprint> {
    hash_copy(path, None)
}

/// Copies `source` to `dest` and hashes what was copied in the same pass:
/// the copy is known to be the content the stack was built with.
pub(crate) fn copy_checked(source: &Path, dest: &Path, expected: &Fingerprint) -> io::Result<()> {
    let copied = hash_copy(source, Some(dest))?;
    if copied != *expected {
        let _ = std::fs::remove_file(dest);
        return Err(changed(source));
    }
    Ok(())
}

fn changed(source: &Path) -> io::Error {
    io::Error::other(format!(
        "{} changed while kite was running (it is not what the stack was built with); run kite again once it is written",
        source.display()
    ))
}

/// Hashes `path`, writing what it reads to `copy_to` when given.
fn hash_copy(path: &Path, copy_to: Option<&Path>) -> io::Result<Fingerprint> {
    use std::io::Write;
    let mut file = File::open(path)?;
    let mut copy = match copy_to {
        Some(dest) => Some(io::BufWriter::with_capacity(64 * 1024, File::create(dest)?)),
        None => None,
    };
    let mut md5 = Md5::new();
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        md5.update(&buf[..n]);
        sha.update(&buf[..n]);
        if let Some(copy) = copy.as_mut() {
            copy.write_all(&buf[..n])?;
        }
        size += n as u64;
    }
    if let Some(mut copy) = copy {
        copy.flush()?;
    }
    let md5_hex = md5.finalize().iter().map(|b| format!("{b:02X}")).collect();
    let sha256_base64 = base64::engine::general_purpose::STANDARD.encode(sha.finalize());
    Ok(Fingerprint {
        md5_hex,
        sha256_base64,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_matches_known_digests() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hello.txt");
        std::fs::write(&path, b"hello\n").unwrap();
        let fp = fingerprint(&path).unwrap();
        // md5sum / sha256sum | base64 of "hello\n".
        assert_eq!(fp.md5_hex, "B1946AC92492D2347C6235B4D2611184");
        assert_eq!(
            fp.sha256_base64,
            "WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM="
        );
        assert_eq!(fp.size, 6);
    }

    #[test]
    fn asset_path_is_under_its_logical_id_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("function.zip");
        std::fs::write(&path, b"hello\n").unwrap();
        let scope = Scope::root().child("k1te-serverless").child("asset");
        let asset = Asset::new(scope, &path).unwrap();
        assert_eq!(
            asset.relative_path(),
            "assets/k1te-serverless_asset_C9C75246/B1946AC92492D2347C6235B4D2611184/function.zip"
        );
    }

    #[test]
    fn a_copy_is_checked_against_the_hash_the_stack_was_built_with() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("function.zip");
        std::fs::write(&source, b"built").unwrap();
        let expected = fingerprint(&source).unwrap();
        let dest = dir.path().join("copy.zip");
        copy_checked(&source, &dest, &expected).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"built");

        std::fs::write(&source, b"rebuilt meanwhile").unwrap();
        let err = copy_checked(&source, &dest, &expected).unwrap_err();
        assert!(
            err.to_string().contains("changed while kite was running"),
            "{err}"
        );
        assert!(
            !dest.exists(),
            "no copy that does not match its hash is left"
        );
    }

    #[test]
    fn missing_files_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let missing = Asset::new(Scope::root().child("a"), &dir.path().join("nope.zip"));
        assert!(matches!(missing, Err(AssetError::NotFound(_))));
        let directory = Asset::new(Scope::root().child("a"), dir.path());
        assert!(matches!(
            directory,
            Err(AssetError::NotAFile(_, "a directory"))
        ));
        let text = directory.unwrap_err().to_string();
        assert!(
            text.contains("is a directory, not a regular file"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_as_a_fifo_without_being_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.zip");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening a FIFO without a writer would block: refused before that.
        let err = Asset::new(Scope::root().child("a"), &fifo).unwrap_err();
        assert!(
            matches!(err, AssetError::NotAFile(_, "a FIFO (named pipe)")),
            "{err}"
        );
        let device = Asset::new(Scope::root().child("a"), Path::new("/dev/null")).unwrap_err();
        assert!(
            matches!(device, AssetError::NotAFile(_, "a character device")),
            "{device}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_name_that_is_not_utf8_is_refused_by_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"fun\xffction.zip"));
        std::fs::write(&path, b"zip").unwrap();
        let err = Asset::new(Scope::root().child("a"), &path).unwrap_err();
        assert!(matches!(err, AssetError::NameNotUnicode(_)), "{err}");
        let text = err.to_string();
        assert!(text.contains(r"fun\xffction.zip"), "{text}");
        assert!(!text.contains('\u{FFFD}'), "{text}");
    }
}
