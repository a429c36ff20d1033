//! What kite last wrote into an output directory, remembered in it
//! ([`FILE_NAME`]), so that a synth whose stacks did not change knows it
//! without serializing them and reading their files back.
//!
//! For each stack: the [digest](super::digest) of what its files hold and
//! each file's identity (device, inode, size, modification and change
//! times); for the whole record, the identity of the program that wrote it
//! (the file that holds its code, and kite's version), since another build
//! may write the same data as other bytes. A stack is unchanged when this
//! program finds its files with the same identities and computes the same
//! digest: rewriting a file, even to its old size and modification time
//! (`touch -d`), gives it a new change time, which no user command sets
//! back.
//!
//! A file's identity is recorded only once its change time is [`SETTLED`]
//! in the past: a file system whose clock ticks coarsely could give a
//! change made within the same tick the same change time. So a new output's
//! record names no stack; a later synth that compares a stack's files byte
//! for byte, finds them unchanged and settled, records them, writing the
//! record in place (an unchanged output gains no file, and its directory
//! keeps its modification time).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::SynthesizedStack;
use super::digest::Digest;
use super::files::{CONFIG_FILE, NATIVE_FILE};
use crate::fingerprints::{FileKey, now_ns};
use crate::input::read_limited;

/// The record, in the output directory.
pub const FILE_NAME: &str = ".kite-written.json";

/// How long files must have been unchanged to be recorded.
pub use crate::fingerprints::SETTLED;

/// The most kite reads of a record: far more than any output needs.
const LIMIT: u64 = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The program that wrote the files: the file that holds its code, and
    /// kite's version.
    binary: Option<FileKey>,
    kite: String,
    stacks: BTreeMap<String, Entry>,
}

/// The identities of a stack's files, taken when they were compared.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Identities {
    pub config: FileKey,
    /// `None`: the stack has no native file.
    pub native: Option<FileKey>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Entry {
    /// Of what the stack's files hold, in hexadecimal.
    digest: String,
    files: Identities,
    /// The identities of the directories that hold the stack's assets
    /// (see [`Record::vouches_for_asset_dirs`]), when they had settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    asset_dirs: Option<Vec<FileKey>>,
    /// When the identities were taken, in nanoseconds since the epoch.
    taken_ns: i128,
    /// Whether this program found the content to match its bundled
    /// provider schemas, with no finding.
    #[serde(default)]
    clean: bool,
}

impl Entry {
    /// Whether its files had not changed for [`SETTLED`] when their
    /// identities were taken.
    fn is_settled(&self) -> bool {
        self.files.settled_at(self.taken_ns)
    }

    /// Whether it is of the content whose digest is `digest`.
    fn holds(&self, digest: Option<Digest>) -> bool {
        digest.is_some_and(|digest| self.digest == hex::encode(digest))
    }
}

impl Identities {
    /// Whether the files had not changed for [`SETTLED`] at `at_ns`.
    fn settled_at(&self, at_ns: i128) -> bool {
        self.config.settled_at(at_ns) && self.native.is_none_or(|key| key.settled_at(at_ns))
    }
}

/// `keys`, when every one had settled at `at_ns`.
fn settled(keys: Vec<FileKey>, at_ns: i128) -> Option<Vec<FileKey>> {
    keys.iter().all(|key| key.settled_at(at_ns)).then_some(keys)
}

/// The identity of the file that holds this program's code, the same for
/// every run of one build (`None` where it cannot be known: nothing is then
/// vouched for, nor recorded).
fn this_binary() -> Option<FileKey> {
    static BINARY: OnceLock<Option<FileKey>> = OnceLock::new();
    *BINARY.get_or_init(|| {
        #[cfg(target_os = "linux")]
        let key = code_file();
        #[cfg(not(target_os = "linux"))]
        let key = std::env::current_exe().ok().and_then(|path| key_of(&path));
        key
    })
}

/// The file mapped where this function's code is: the program's own file
/// even when a loader runs it (`ld.so kite`, valgrind), for which
/// `/proc/self/exe` is the loader. Its identity is taken from the one stat
/// that shows its path still names the mapped file: `None` when the file
/// is gone or the path names another (a rebuild replaced it).
#[cfg(target_os = "linux")]
fn code_file() -> Option<FileKey> {
    use std::io::BufRead;
    use std::os::unix::fs::MetadataExt;
    let here = code_file as fn() -> Option<FileKey> as usize;
    // Read until the line is found, which is near the start: the kernel
    // writes the lines as they are read.
    let maps = std::io::BufReader::new(fs::File::open("/proc/self/maps").ok()?);
    maps.lines().map_while(Result::ok).find_map(|line| {
        // `start-end perms offset major:minor inode path`
        let mut fields = line.split_ascii_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        if !(start..end).contains(&here) {
            return None;
        }
        let (major, minor) = fields.nth(2)?.split_once(':')?;
        let major = u64::from_str_radix(major, 16).ok()?;
        let minor = u64::from_str_radix(minor, 16).ok()?;
        // glibc's `makedev`, as `st_dev` holds a device.
        let dev = ((major & 0xffff_f000) << 32)
            | ((major & 0xfff) << 8)
            | ((minor & 0xffff_ff00) << 12)
            | (minor & 0xff);
        let inode: u64 = fields.next()?.parse().ok()?;
        // The path is the rest of the line, spaces and all.
        let metadata = fs::metadata(&line[line.find('/')?..]).ok()?;
        let same = metadata.is_file() && metadata.ino() == inode && metadata.dev() == dev;
        if same { FileKey::of(&metadata) } else { None }
    })
}

/// How many names a file has.
fn links(metadata: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(metadata)
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        1
    }
}

fn key_of(path: &Path) -> Option<FileKey> {
    fs::symlink_metadata(path)
        .ok()
        .filter(fs::Metadata::is_file)
        .as_ref()
        .and_then(FileKey::of)
}

impl Record {
    /// The record of the output directory `out`, when it has one (a plain
    /// file: not a link, nor a pipe that would block). One that cannot be
    /// read, or does not parse (a run killed while writing it), is an
    /// empty record of no program, which a synth replaces.
    pub(crate) fn load(out: &Path) -> Option<Record> {
        let path = out.join(FILE_NAME);
        if !fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        let record = read_limited(&path, LIMIT, "a record of written files")
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        Some(record.unwrap_or(Record {
            binary: None,
            kite: String::new(),
            stacks: BTreeMap::new(),
        }))
    }

    /// A record of this program's writing, with no stacks yet.
    pub(super) fn new() -> Record {
        Record {
            binary: this_binary(),
            kite: super::VERSION.to_owned(),
            stacks: BTreeMap::new(),
        }
    }

    /// Whether this program wrote the record.
    fn is_ours(&self) -> bool {
        self.binary.is_some() && self.binary == this_binary() && self.kite == super::VERSION
    }

    /// Whether the directory `stack_dir` of stack `name` holds what this
    /// record says it held, unchanged since, and that is what `digest`
    /// (called only once the files are found unchanged) says a synth would
    /// write there now.
    pub(super) fn vouches_for(
        &self,
        name: &str,
        stack_dir: &Path,
        digest: impl FnOnce() -> Option<Digest>,
    ) -> bool {
        let Some(entry) = self.our_entry(name) else {
            return false;
        };
        entry.is_settled()
            && key_of(&stack_dir.join(CONFIG_FILE)) == Some(entry.files.config)
            && match entry.files.native {
                Some(native) => key_of(&stack_dir.join(NATIVE_FILE)) == Some(native),
                None => fs::symlink_metadata(stack_dir.join(NATIVE_FILE)).is_err(),
            }
            && entry.holds(digest())
    }

    /// Whether the directories that hold the assets of stack `name` have
    /// the identities `keys` (in the order [`Record::note_if_settled`] was
    /// given them), which the record took when their listing showed them
    /// to hold the stack's assets and nothing else: a directory's change
    /// time moves when an entry is added to it, removed or renamed, so they
    /// still hold that.
    pub(super) fn vouches_for_asset_dirs(&self, name: &str, keys: &[FileKey]) -> bool {
        // Only settled identities are recorded.
        self.our_entry(name)
            .is_some_and(|entry| entry.asset_dirs.as_deref() == Some(keys))
    }

    /// Records `keys` as the identities of the directories that hold the
    /// assets of stack `name`, found to hold those and nothing else, when
    /// they have settled.
    pub(super) fn note_asset_dirs(&mut self, name: &str, keys: Vec<FileKey>) {
        let now = now_ns();
        if let Some(entry) = self.stacks.get_mut(name) {
            entry.asset_dirs = settled(keys, now);
        }
    }

    /// The entry of stack `name`, when this program wrote the record.
    fn our_entry(&self, name: &str) -> Option<&Entry> {
        self.stacks.get(name).filter(|_| self.is_ours())
    }

    /// Whether this program found what `stack` holds now (by its digest)
    /// to match its bundled provider schemas, with no finding: checking it
    /// again would find the same, nothing.
    pub(crate) fn found_clean(&self, stack: &SynthesizedStack) -> bool {
        self.our_entry(&stack.name)
            .is_some_and(|entry| entry.clean && entry.holds(stack.content_digest()))
    }

    /// Whether the record says this program found the content of stack
    /// `name` to match its bundled provider schemas.
    pub(super) fn notes_clean(&self, name: &str) -> bool {
        self.stacks.get(name).is_some_and(|entry| entry.clean)
    }

    /// Notes that this program found the content of stack `name`, which
    /// the record vouches for, to match its bundled provider schemas.
    pub(super) fn note_clean(&mut self, name: &str) {
        if let Some(entry) = self.stacks.get_mut(name) {
            entry.clean = true;
        }
    }

    /// Records the files of stack `name`, found to hold what a synth
    /// writes now (with these `identities` when they were compared), whose
    /// content `digest` gives, and whether it was found `clean` (see
    /// [`Record::found_clean`]). Only files that have settled are recorded
    /// (see the module's documentation); whether they were. `asset_dirs`,
    /// the identities of the directories that hold the stack's assets
    /// taken before they were listed, are recorded when they have settled
    /// too (see [`Record::vouches_for_asset_dirs`]).
    pub(super) fn note_if_settled(
        &mut self,
        name: &str,
        identities: Identities,
        asset_dirs: Option<Vec<FileKey>>,
        clean: bool,
        digest: impl FnOnce() -> Option<Digest>,
    ) -> bool {
        self.note_at(now_ns(), name, identities, asset_dirs, clean, digest)
    }

    /// [`Record::note_if_settled`] at `taken_ns` (nanoseconds since the
    /// epoch): tests take identities "later" without waiting.
    pub(super) fn note_at(
        &mut self,
        taken_ns: i128,
        name: &str,
        identities: Identities,
        asset_dirs: Option<Vec<FileKey>>,
        clean: bool,
        digest: impl FnOnce() -> Option<Digest>,
    ) -> bool {
        if !identities.settled_at(taken_ns) {
            return false;
        }
        let Some(digest) = digest() else {
            return false;
        };
        let entry = Entry {
            digest: hex::encode(digest),
            files: identities,
            asset_dirs: asset_dirs.and_then(|keys| settled(keys, taken_ns)),
            taken_ns,
            clean,
        };
        self.stacks.insert(name.to_owned(), entry);
        true
    }

    /// This record, for a run of this program: the entries of another
    /// program's record are of no use to it.
    pub(super) fn for_this_program(self) -> Record {
        if self.is_ours() { self } else { Record::new() }
    }

    /// Writes the record into a new output directory `dir`. A new output's
    /// files have not settled: the record starts with no stacks, and runs
    /// that find them unchanged add them.
    pub(super) fn create_in(&self, dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        fs::write(dir.join(FILE_NAME), text)
    }

    /// Writes the record over the one in the output directory `out`, in
    /// place: an unchanged output gains no file and keeps its directory's
    /// modification time. Does nothing where there is no record, or where
    /// it is not a plain file with one name. A run killed while writing
    /// leaves a record that does not parse, which the next synth replaces.
    pub(super) fn replace_in(&self, out: &Path) {
        // A record of no known program is never trusted: not worth writing.
        if self.binary.is_none() {
            return;
        }
        let path = out.join(FILE_NAME);
        // Never through a link to somewhere else, symbolic or hard (a
        // `cp -al` copy of the output shares the file).
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && links(&m) == 1) {
            return;
        }
        let Ok(text) = serde_json::to_vec(self) else {
            return;
        };
        let file = fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path);
        if let Ok(mut file) = file {
            let _ = file.write_all(&text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_no_known_program_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        Record::new().create_in(dir.path()).unwrap();
        let before = fs::read(dir.path().join(FILE_NAME)).unwrap();
        // As a program whose file is gone, or without /proc, would make it.
        let unknown: Record =
            serde_json::from_str(r#"{"binary":null,"kite":"0.1.0","stacks":{}}"#).unwrap();
        unknown.replace_in(dir.path());
        assert_eq!(fs::read(dir.path().join(FILE_NAME)).unwrap(), before);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_program_is_the_file_that_holds_its_code() {
        let exe = fs::canonicalize(std::env::current_exe().unwrap()).unwrap();
        assert!(key_of(&exe).is_some());
        assert_eq!(code_file(), key_of(&exe));
        assert_eq!(this_binary(), key_of(&exe));
    }
}
