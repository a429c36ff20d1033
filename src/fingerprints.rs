//! The fingerprints of asset files (MD5 and SHA-256), remembered between
//! runs in the output directory, so that an unchanged Lambda package of tens
//! of megabytes is not read again on every synth.
//!
//! A file is the same file with the same content when its device, inode,
//! size, modification time and change time are the same: writing a file
//! changes its change time, which no user command can set back (`touch -d`
//! sets the modification time, and changes the change time doing so). A
//! file's fingerprints are remembered only once it has [settled](SETTLED).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

use base64::Engine;
use md5::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::asset::Fingerprint;

/// The file kite keeps the fingerprints in, in the output directory.
pub const FILE_NAME: &str = ".kite-fingerprints.json";

/// How long ago a file's change time must be for its identity ([`FileKey`])
/// to be trusted: more than any file system's timestamp granularity (FAT's
/// is two seconds). A file system whose clock ticks coarsely could give a
/// change made within the same tick as the identity was taken the same
/// change time.
pub const SETTLED: std::time::Duration = std::time::Duration::from_secs(3);

/// The time now, in nanoseconds since the epoch, as [`FileKey`] holds times.
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// What identifies a file whose content has not changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileKey {
    dev: u64,
    ino: u64,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl FileKey {
    /// Whether the file had not changed for [`SETTLED`] at `at_ns`: its
    /// identity, taken then, can be trusted.
    pub fn settled_at(&self, at_ns: i128) -> bool {
        self.ctime_ns + SETTLED.as_nanos() as i128 <= at_ns
    }

    /// The key of a file's metadata; `None` where the system has no inodes.
    pub fn of(metadata: &Metadata) -> Option<FileKey> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
            Some(FileKey {
                dev: metadata.dev(),
                ino: metadata.ino(),
                size: metadata.size(),
                mtime_ns: ns(metadata.mtime(), metadata.mtime_nsec()),
                ctime_ns: ns(metadata.ctime(), metadata.ctime_nsec()),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    key: FileKey,
    md5_hex: String,
    sha256_base64: String,
}

#[derive(Default)]
struct Cache {
    /// The fingerprints file as it was read: an unchanged one is not
    /// written again.
    text: Vec<u8>,
    /// What the output directory remembered.
    known: HashMap<FileKey, Entry>,
    /// What this run used: what is remembered next.
    used: HashMap<FileKey, Entry>,
}

thread_local! {
    /// The cache of the run on this thread (a program running kite commands
    /// on several threads gives each its own).
    static CACHE: RefCell<Option<Cache>> = const { RefCell::new(None) };
}

/// The most kite reads of a fingerprints file: far more than any stack's
/// assets need.
const LIMIT: u64 = 1024 * 1024;

/// Remembers the fingerprints kept in the output directory `out`, for the
/// assets stacks declare from now on. A missing or unreadable file is no
/// error: the assets are hashed.
pub fn load(out: &Path) {
    let text =
        crate::input::read_limited_regular(&out.join(FILE_NAME), LIMIT, "a fingerprints file")
            .unwrap_or_default();
    let known = serde_json::from_slice::<Vec<Entry>>(&text).unwrap_or_default();
    let cache = Cache {
        text,
        known: known.into_iter().map(|e| (e.key, e)).collect(),
        used: HashMap::new(),
    };
    CACHE.with(|slot| *slot.borrow_mut() = Some(cache));
}

/// Keeps the fingerprints this run used in the output directory `out`
/// (written to a temporary file, then renamed: never half a file).
pub fn save(out: &Path) -> io::Result<()> {
    let mut used: Vec<Entry> = CACHE.with(|slot| {
        slot.borrow()
            .as_ref()
            .map(|c| c.used.values().cloned().collect())
            .unwrap_or_default()
    });
    // The same fingerprints give the same file.
    crate::collections::sort_by_key(&mut used, |e| {
        (e.key.dev, e.key.ino, e.key.mtime_ns, e.key.ctime_ns)
    });
    if used.is_empty() {
        return Ok(());
    }
    let text = serde_json::to_vec(&used).map_err(io::Error::other)?;
    // Nothing changed since it was read: write nothing.
    let as_read = CACHE.with(|slot| slot.borrow().as_ref().is_some_and(|c| c.text == text));
    if as_read {
        return Ok(());
    }
    let temporary = out.join(format!("{FILE_NAME}.tmp"));
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, out.join(FILE_NAME))
}

/// The fingerprint of a file: remembered when the file is unchanged,
/// computed (and remembered) otherwise.
pub(crate) fn of(path: &Path, metadata: &Metadata) -> io::Result<(Fingerprint, Option<FileKey>)> {
    let key = FileKey::of(metadata);
    let remembered = key.and_then(|key| {
        CACHE.with(|slot| {
            let mut slot = slot.borrow_mut();
            let cache = slot.as_mut()?;
            let entry = cache.known.get(&key).cloned()?;
            cache.used.insert(key, entry.clone());
            Some(Fingerprint {
                md5_hex: entry.md5_hex,
                sha256_base64: entry.sha256_base64,
                size: key.size,
            })
        })
    });
    if let Some(fingerprint) = remembered {
        return Ok((fingerprint, key));
    }
    let fingerprint = hash(path)?;
    // Remembered only once the file has settled (see [`SETTLED`]): until
    // then it is hashed again at each run.
    if let Some(key) = key.filter(|key| key.settled_at(now_ns())) {
        CACHE.with(|slot| {
            if let Some(cache) = slot.borrow_mut().as_mut() {
                cache.used.insert(
                    key,
                    Entry {
                        key,
                        md5_hex: fingerprint.md5_hex.clone(),
                        sha256_base64: fingerprint.sha256_base64.clone(),
                    },
                );
            }
        });
    }
    Ok((fingerprint, key))
}

/// MD5 and SHA-256 of a file in one read, the two digests on two threads
/// (a machine with two cores hashes in the time of the slower one).
pub fn hash(path: &Path) -> io::Result<Fingerprint> {
    const CHUNK: usize = 1024 * 1024;
    let mut file = File::open(path)?;
    let mut sha = Sha256::new();
    let mut size = 0u64;
    let md5 = std::thread::scope(|scope| -> io::Result<_> {
        let (send, receive) = crate::channel::sync_channel::<std::sync::Arc<Vec<u8>>>(4);
        let md5 = scope.spawn(move || {
            let mut md5 = Md5::new();
            for chunk in receive {
                md5.update(&chunk[..]);
            }
            md5.finalize()
        });
        loop {
            // Filled by reading, not zeroed first.
            let mut buf = Vec::with_capacity(CHUNK);
            (&mut file).take(CHUNK as u64).read_to_end(&mut buf)?;
            if buf.is_empty() {
                break;
            }
            size += buf.len() as u64;
            let chunk = std::sync::Arc::new(buf);
            // The receiving thread only stops when the sender is dropped.
            let _ = send.send(chunk.clone());
            sha.update(&chunk[..]);
        }
        drop(send);
        md5.join()
            .map_err(|_| io::Error::other("the MD5 thread stopped"))
    })?;
    Ok(Fingerprint {
        md5_hex: hex::encode_upper(md5),
        sha256_base64: base64::engine::general_purpose::STANDARD.encode(sha.finalize()),
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_digests_are_those_of_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        // Empty, one byte, exactly two chunks, and more than one chunk.
        for len in [0, 1, 2 * 1024 * 1024, 3_000_000u32] {
            let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&path, &content).unwrap();
            let fp = hash(&path).unwrap();
            assert_eq!(fp.size, u64::from(len));
            assert_eq!(fp.md5_hex, hex::encode_upper(Md5::digest(&content)));
            assert_eq!(
                fp.sha256_base64,
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&content))
            );
        }
    }
}
