//! Reading the files a user points kite at, with a bound: a schema file, a
//! `.env`, a manifest. A device such as `/dev/zero` or a file of gigabytes
//! stops at the limit with an error that says so, instead of filling memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The most kite reads from a `--schema` file: the full aws provider's
/// schema is about 12 MiB.
pub const SCHEMA_LIMIT: u64 = 64 * 1024 * 1024;
/// The most kite reads from a `.env` file.
pub const DOTENV_LIMIT: u64 = 1024 * 1024;
/// The most kite reads from an output directory's `manifest.json`.
pub const MANIFEST_LIMIT: u64 = 16 * 1024 * 1024;

/// The whole content of `path`, or an error of kind `FileTooLarge` when it
/// has more than `limit` bytes (only `limit + 1` bytes are ever read).
/// `what` names the kind of file in that error ("a schema file").
pub fn read_limited(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_open(file, len, limit, what)
}

/// [`read_limited`] for a file that kite writes itself (a manifest, the
/// fingerprints file): anything but a regular file is an error of kind
/// `InvalidInput`, found without waiting on a named pipe that has no
/// writer (opening one for reading would block).
pub fn read_limited_regular(path: &Path, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Reads of a regular file ignore it.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("it is not a regular file, as {what} must be"),
        ));
    }
    read_open(file, metadata.len(), limit, what)
}

/// The content of an open file of about `len` bytes, up to `limit`.
fn read_open(file: File, len: u64, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    let hint = len.min(limit);
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0) + 1);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it is larger than {}, the most kite reads from {what}",
                size(limit)
            ),
        ));
    }
    Ok(bytes)
}

/// A size for messages: `64 MiB`, `1 KiB`, `12 bytes`.
pub fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 && bytes % 1024 == 0 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_limited(&path, 5, "a file").unwrap(), b"12345");
    }

    #[test]
    fn one_byte_over_the_limit_is_an_error_that_names_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![b'x'; 2049]).unwrap();
        let err = read_limited(&path, 2048, "a test file").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert_eq!(
            err.to_string(),
            "it is larger than 2 KiB, the most kite reads from a test file"
        );
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_stops_at_the_limit() {
        let err = read_limited(Path::new("/dev/zero"), 1024 * 1024, "a file").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        assert!(err.to_string().contains("1 MiB"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_not_read_as_a_file_of_kite_and_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("manifest.json");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &pipe,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        // No writer: reading it as a plain file would wait forever.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_limited_regular(&pipe, 1024, "a manifest"));
        });
        let err = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("returns at once")
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            "it is not a regular file, as a manifest must be"
        );
        let file = dir.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_limited_regular(&file, 5, "a file").unwrap(), b"12345");
        let err = read_limited_regular(&file, 4, "a file").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size(SCHEMA_LIMIT), "64 MiB");
        assert_eq!(size(1024), "1 KiB");
        assert_eq!(size(52_428_801), "50.0 MiB");
        assert_eq!(size(12), "12 bytes");
    }
}
