//! Writing synthesized stacks to the output directory, all or nothing, one
//! process at a time.
//!
//! The new output is built in a temporary directory beside the old one and
//! swapped in with one rename, so a failed or killed run leaves the previous
//! output as it was. What kite does not write itself — Terraform's
//! `.terraform/` directory and lock file in a stack's directory, the
//! directories of stacks not synthesized this time — is carried over into
//! the new output (hard links, so nothing large is copied).
//!
//! Runs on one output directory are serialized by an advisory lock on a file
//! beside it (`.<name>.lock`), held from before the carry-over until after
//! the swap ([`OutputDir`]); the command line holds it through the
//! terraform run that follows, too.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use super::files::{CONFIG_FILE, JsonPart, NATIVE_FILE};
use super::json::write_pretty;
use super::manifest::{Manifest, ManifestStack, is_output_manifest};
use super::written::{self, Identities, Record};
use super::{SynthesizedStack, VERSION};
use crate::asset::Asset;
use crate::fingerprints::FileKey;
use crate::input::{MANIFEST_LIMIT, read_limited, read_limited_regular};

/// What was written for one stack.
#[derive(Clone, Debug)]
pub struct WrittenStack {
    pub name: String,
    /// `OUT/stacks/<name>/cdk.tf.json`
    pub config_path: PathBuf,
    pub resource_count: usize,
    /// The variables kite gives terraform from settings for this stack.
    pub secrets: Vec<crate::stack::SecretInput>,
}

/// An output directory that could not be written, and where.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub action: &'static str,
    pub source: io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot {} {}: {}. The previous output directory is unchanged",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for WriteError {}

fn at(path: &Path, action: &'static str) -> impl FnOnce(io::Error) -> WriteError {
    let path = path.to_path_buf();
    move |source| WriteError {
        path,
        action,
        source,
    }
}

/// Whether to wait for another process that holds an output's lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Wait until it is done.
    Yes,
    /// Fail at once ([`LockError::Busy`]).
    No,
}

/// How long a run waits for the lock before it says so.
pub const WAIT_NOTICE_AFTER: Duration = Duration::from_secs(1);

/// The process that holds an output's lock, as it wrote itself into the
/// lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub lock_file: PathBuf,
    /// `pid 1234: kite deploy kite`, or empty when the file says nothing.
    pub description: String,
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.description.is_empty() {
            write!(f, "another process (lock {})", self.lock_file.display())
        } else {
            write!(
                f,
                "another kite ({}; lock {})",
                self.description,
                self.lock_file.display()
            )
        }
    }
}

/// Why an output directory could not be locked.
#[derive(Debug)]
pub enum LockError {
    /// Another process holds the lock, and the caller said not to wait.
    Busy { out: PathBuf, holder: Holder },
    /// The output or its lock file cannot be used.
    Io(WriteError),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy { out, holder } => write!(
                f,
                "{} is in use by {holder}, and --no-wait says not to wait for it: run again once it has finished, or without --no-wait to wait. The previous output directory is unchanged",
                out.display()
            ),
            LockError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for LockError {}

impl From<WriteError> for LockError {
    fn from(e: WriteError) -> Self {
        LockError::Io(e)
    }
}

/// An output directory this process holds the lock of: no other kite
/// carries over from it, swaps it or runs terraform in it until this is
/// dropped (or the process ends: the lock dies with it).
#[derive(Debug)]
pub struct OutputDir {
    /// The path as given, for messages and [`WrittenStack::config_path`].
    shown: PathBuf,
    /// Absolute, without `.`, `..` or links.
    path: PathBuf,
    _lock: File,
}

impl OutputDir {
    /// Locks the output directory `out` (created on the first write), once
    /// it is clear that replacing it loses nothing: it must be missing,
    /// empty, or an output directory kite or cdktf wrote, and must not hold
    /// the current directory. When another process holds the lock, waits
    /// for it (calling `on_wait` once, after [`WAIT_NOTICE_AFTER`]) or, with
    /// [`Wait::No`], fails at once.
    pub fn lock(
        out: &Path,
        wait: Wait,
        on_wait: &mut dyn FnMut(&Holder),
    ) -> Result<OutputDir, LockError> {
        let path = resolve(out)?;
        let (parent, name) = parent_and_name(&path);
        let lock_path = parent.join(dot_name(name, ".lock"));
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(at(&lock_path, "create the lock file"))?;
        let waited = match fs4::FileExt::try_lock(&file) {
            Ok(()) => false,
            Err(fs4::TryLockError::WouldBlock) => {
                let holder = Holder {
                    description: read_holder(&lock_path),
                    lock_file: lock_path.clone(),
                };
                if wait == Wait::No {
                    return Err(LockError::Busy {
                        out: out.to_path_buf(),
                        holder,
                    });
                }
                wait_for_lock(&file, &lock_path, &holder, on_wait)?;
                true
            }
            Err(fs4::TryLockError::Error(e)) => return Err(at(&lock_path, "lock")(e).into()),
        };
        // Say who holds it, for the next one that has to wait: written over
        // the last holder's words, then cut to length. Truncating to zero
        // first took half a millisecond on ext4, which also starts writing
        // a file truncated to zero out when it is closed (`auto_da_alloc`).
        let mut file = file;
        let holder = format!("pid {}: {}\n", std::process::id(), command_line());
        let _ = file
            .write_all(holder.as_bytes())
            .and_then(|()| file.set_len(holder.len() as u64));
        // What was checked may have changed while another kite held the
        // lock. Taken at once, what a kite that came and went since the
        // check left is replaceable; a process that ignores the lock is
        // guarded against by neither check.
        if waited {
            check_replaceable(out, &path)?;
        }
        Ok(OutputDir {
            shown: out.to_path_buf(),
            path,
            _lock: file,
        })
    }

    /// The output directory, absolute.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `stacks` into the output, replacing it in one step.
    pub fn write(&self, stacks: &[SynthesizedStack]) -> Result<Vec<WrittenStack>, WriteError> {
        self.write_with_record(stacks, Record::load(&self.path))
    }

    /// [`OutputDir::write`], with the output's record read already (before
    /// the lock, even: what a record says of files holds for as long as
    /// they keep the identities it names, which is checked now).
    pub(crate) fn write_with_record(
        &self,
        stacks: &[SynthesizedStack],
        record: Option<Record>,
    ) -> Result<Vec<WrittenStack>, WriteError> {
        write_locked(&self.shown, &self.path, stacks, record)
    }
}

/// Writes `stacks` into `out`, replacing it in one step; waits for any other
/// process writing it.
pub fn write(out: &Path, stacks: &[SynthesizedStack]) -> Result<Vec<WrittenStack>, WriteError> {
    match OutputDir::lock(out, Wait::Yes, &mut |_| {}) {
        Ok(dir) => dir.write(stacks),
        Err(LockError::Io(e)) => Err(e),
        Err(busy @ LockError::Busy { .. }) => Err(WriteError {
            path: out.to_path_buf(),
            action: "lock",
            source: io::Error::new(io::ErrorKind::WouldBlock, busy.to_string()),
        }),
    }
}

/// Blocks until `file` is locked, telling `on_wait` once if that takes long.
fn wait_for_lock(
    file: &File,
    lock_path: &Path,
    holder: &Holder,
    on_wait: &mut dyn FnMut(&Holder),
) -> Result<(), WriteError> {
    // The same open file: the lock taken through the clone is this one's.
    let clone = file.try_clone().map_err(at(lock_path, "lock"))?;
    let (tx, rx) = crate::channel::channel();
    std::thread::spawn(move || {
        let _ = tx.send(fs4::FileExt::lock(&clone));
    });
    let locked = match rx.recv_timeout(WAIT_NOTICE_AFTER) {
        Ok(result) => result,
        Err(_) => {
            let now = Holder {
                description: read_holder(lock_path),
                ..holder.clone()
            };
            on_wait(if now.description.is_empty() {
                holder
            } else {
                &now
            });
            rx.recv()
                .unwrap_or_else(|_| Err(io::Error::other("the thread taking the lock stopped")))
        }
    };
    locked.map_err(at(lock_path, "lock"))
}

/// What the holder of a lock wrote into it.
fn read_holder(lock_path: &Path) -> String {
    // Its first line: a holder writes one over the last holder's before
    // cutting the file to length.
    read_limited(lock_path, 4096, "a lock file")
        .map(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            text.lines().next().unwrap_or_default().trim().to_owned()
        })
        .unwrap_or_default()
}

fn command_line() -> String {
    let mut args = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let program = args
        .next()
        .and_then(|p| {
            Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "kite".into());
    // What follows `--` is for terraform (`-var NAME=VALUE`): it may hold
    // a secret, and the lock file outlives the run.
    std::iter::once(program)
        .chain(args.take_while(|a| a != "--"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parent_and_name(path: &Path) -> (PathBuf, &OsStr) {
    let parent = path
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    (parent, path.file_name().unwrap_or(OsStr::new("out")))
}

/// `.<name><suffix>`, byte for byte.
fn dot_name(name: &OsStr, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(suffix);
    s
}

/// Called before a staging directory is made: the command line starts
/// the thread that removes it on a signal ([`abandon_staging`]).
static BEFORE_STAGING: OnceLock<fn()> = OnceLock::new();

pub(crate) fn before_staging(hook: fn()) {
    let _ = BEFORE_STAGING.set(hook);
}

/// The staging directories of writes in progress in this process, for a
/// signal handler to remove ([`abandon_staging`]).
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn staging_registry() -> MutexGuard<'static, Vec<PathBuf>> {
    STAGING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// For a signal handler that is about to end the process: removes the
/// staging directories of writes in progress, and keeps any write from
/// swapping its staging directory in afterwards. A swap already under way
/// finishes first, so the output is the old one or the new one, whole.
pub fn abandon_staging() {
    let registry = staging_registry();
    for dir in registry.iter() {
        // The write may still be adding files (a removal then fails with
        // "directory not empty"); it never recreates the directory itself
        // ([`create_below`]), so once it is gone it stays gone.
        for _ in 0..100 {
            match fs::remove_dir_all(dir) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => continue,
                _ => break,
            }
        }
    }
    // Held until the process ends: no swap can follow.
    std::mem::forget(registry);
}

/// Creates `dir` and the missing directories between it and `staging`,
/// never `staging` itself: a write whose staging directory a signal handler
/// removed fails instead of making it again.
fn create_below(staging: &Path, dir: &Path) -> io::Result<()> {
    let below = dir
        .strip_prefix(staging)
        .map_err(|_| io::Error::other("not inside the staging directory"))?;
    let mut path = staging.to_path_buf();
    for component in below.components() {
        path.push(component);
        match fs::create_dir(&path) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// A staging directory listed in [`STAGING`] until dropped.
struct Registered(PathBuf);

impl Drop for Registered {
    fn drop(&mut self) {
        let mut registry = staging_registry();
        if let Some(i) = registry.iter().position(|p| p == &self.0) {
            registry.swap_remove(i);
        }
    }
}

/// How many random characters tempfile puts after a staging prefix.
const STAGING_RANDOM: usize = 6;

fn write_locked(
    shown: &Path,
    out: &Path,
    stacks: &[SynthesizedStack],
    record: Option<Record>,
) -> Result<Vec<WrittenStack>, WriteError> {
    let (parent, dir_name) = parent_and_name(out);
    let prefix = dot_name(dir_name, ".tmp-");
    let aside = parent.join(dot_name(dir_name, ".previous"));
    let old_exists = out.is_dir() || {
        let left_aside = !out.exists() && aside.is_dir();
        if left_aside {
            // A run killed between the two renames of the fallback swap.
            fs::rename(&aside, out).map_err(at(&aside, "restore the previous output from"))?;
        }
        left_aside
    };
    remove_abandoned(&parent, &prefix);
    // What the manifest will say: the stacks written, and those carried over.
    let mut manifest = Manifest {
        version: VERSION.to_owned(),
        stacks: Default::default(),
    };
    for stack in stacks {
        manifest.stacks.insert(stack.name.clone(), {
            let mut entry = ManifestStack::new(&stack.name);
            entry.dependencies = stack.dependencies.clone();
            entry
        });
    }
    // Read once: for the entries carried over, then to compare.
    let old_manifest = old_exists
        .then(|| {
            read_limited_regular(&out.join("manifest.json"), MANIFEST_LIMIT, "a manifest").ok()
        })
        .flatten();
    if let Some(old) = &old_manifest {
        add_carried_over_entries(old, out, stacks, &mut manifest);
    }
    let manifest_json = serde_json::to_value(&manifest).unwrap_or_default();
    let written: Vec<WrittenStack> = stacks
        .iter()
        .map(|stack| WrittenStack {
            name: stack.name.clone(),
            config_path: shown.join("stacks").join(&stack.name).join(CONFIG_FILE),
            resource_count: stack.resource_count,
            secrets: stack.secrets.clone(),
        })
        .collect();
    // Each stack's kite.tf, rendered once (by the stack): compared with
    // what is on disk, then written.
    let natives = stacks
        .iter()
        .map(|stack| {
            stack.native_text().map_err(|e| {
                let native = out.join("stacks").join(&stack.name).join(NATIVE_FILE);
                at(&native, "write")(io::Error::other(e.to_owned()))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // When every file is what is on disk already, write nothing and swap
    // nothing: the output stays as it is, inode for inode.
    if let Some(old_manifest) = old_manifest.as_deref() {
        let same = unchanged(out, old_manifest, stacks, &natives, record, &manifest_json);
        if let Some(Unchanged { record_update }) = same {
            if let Some(record) = record_update {
                record.replace_in(out);
            }
            return Ok(written);
        }
    }

    if let Some(hook) = BEFORE_STAGING.get() {
        hook();
    }
    let (staging, _registered) = {
        let mut registry = staging_registry();
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .rand_bytes(STAGING_RANDOM)
            .tempdir_in(&parent)
            .map_err(at(&parent, "create a temporary directory in"))?;
        registry.push(staging.path().to_path_buf());
        let registered = Registered(staging.path().to_path_buf());
        (staging, registered)
    };
    let new = staging.path();

    for (stack, native_text) in stacks.iter().zip(&natives) {
        let stack_dir = new.join("stacks").join(&stack.name);
        create_below(new, &stack_dir).map_err(at(&stack_dir, "create"))?;
        let config = stack_dir.join(CONFIG_FILE);
        write_json_file(&config, &JsonPart::of(stack))?;
        if let Some(text) = native_text {
            let native = stack_dir.join(NATIVE_FILE);
            fs::write(&native, text).map_err(at(&native, "write"))?;
        }
        for asset in &stack.assets {
            let dest = stack_dir.join(asset.relative_path());
            let previous = out
                .join("stacks")
                .join(&stack.name)
                .join(asset.relative_path());
            place_asset(new, asset, &previous, &dest)?;
        }
    }

    if old_exists {
        carry_over(out, new, stacks)?;
    }
    Record::new()
        .create_in(new)
        .map_err(at(&new.join(written::FILE_NAME), "write"))?;
    let manifest_path = new.join("manifest.json");
    write_json_file(&manifest_path, &super::json::Sorted(&manifest_json))?;

    let staging = staging.keep();
    swap_into_place(&staging, out, &aside)?;
    Ok(written)
}

/// An unchanged output, and the record of what was written in it brought
/// up to date, when that is worth writing.
struct Unchanged {
    record_update: Option<Record>,
}

/// Whether the output `out`, whose manifest is `old_manifest`, holds
/// exactly what writing `stacks` (with their `kite.tf` texts, `natives`,
/// and this manifest) would put there: the same bytes in every file kite
/// writes, the same assets and nothing else under `assets/`. A stack's
/// files are the same when the output's `record` vouches for them;
/// otherwise they are read and compared, stopping at the first difference,
/// and the record updated with them. `None` when anything differs.
fn unchanged(
    out: &Path,
    old_manifest: &[u8],
    stacks: &[SynthesizedStack],
    natives: &[Option<&str>],
    record: Option<Record>,
    manifest: &serde_json::Value,
) -> Option<Unchanged> {
    let buffer = old_manifest.len() + 1;
    if !same_text(old_manifest, buffer, &super::json::Sorted(manifest)) {
        return None;
    }
    let mut update: Option<Record> = None;
    for (stack, native_text) in stacks.iter().zip(natives) {
        let dir = out.join("stacks").join(&stack.name);
        let digest = || stack.content_digest();
        let clean = stack.clean_against_bundled;
        // Taken before the directories are listed, if they are; only a
        // record has a use for them.
        let asset_dirs = record
            .as_ref()
            .and_then(|_| asset_dir_keys(&dir, &stack.assets));
        match &record {
            Some(record) if record.vouches_for(&stack.name, &dir, digest) => {
                // Checked against the schemas since it was recorded.
                if clean && !record.notes_clean(&stack.name) {
                    let updated = update.get_or_insert_with(|| record.clone());
                    updated.note_clean(&stack.name);
                }
                let keys = asset_dirs.as_deref();
                let listed = !keys.is_some_and(|k| record.vouches_for_asset_dirs(&stack.name, k));
                let listed_dirs = same_assets(&dir, &stack.assets, listed)?;
                if let Some(keys) = asset_dirs.filter(|k| listed && k.len() == listed_dirs) {
                    let updated = update.get_or_insert_with(|| record.clone());
                    updated.note_asset_dirs(&stack.name, keys);
                }
            }
            record => {
                let identities = same_files(&dir, stack, *native_text)?;
                let listed_dirs = same_assets(&dir, &stack.assets, true)?;
                if let (Some(record), Some(identities)) = (record, identities) {
                    let asset_dirs = asset_dirs.filter(|k| k.len() == listed_dirs);
                    let updated = update.get_or_insert_with(|| record.clone().for_this_program());
                    updated.note_if_settled(&stack.name, identities, asset_dirs, clean, digest);
                }
            }
        }
    }
    Some(Unchanged {
        record_update: update.filter(|updated| Some(updated) != record.as_ref()),
    })
}

/// Whether the stack directory `dir` holds the files kite writes for
/// `stack` (and `native_text`, its `kite.tf`), byte for byte: `None` when
/// it does not; otherwise the identities of the files compared, where
/// known.
fn same_files(
    dir: &Path,
    stack: &SynthesizedStack,
    native_text: Option<&str>,
) -> Option<Option<Identities>> {
    let config = same_json(&dir.join(CONFIG_FILE), &JsonPart::of(stack))?;
    let native = dir.join(NATIVE_FILE);
    let native = match native_text {
        Some(text) => same_bytes(&native, text.as_bytes())?.map(Some),
        None => fs::symlink_metadata(&native)
            .is_err()
            .then_some(Some(None))?,
    };
    Some(
        config
            .zip(native)
            .map(|(config, native)| Identities { config, native }),
    )
}

/// Whether the `assets/` of a stack's directory holds these assets (their
/// paths name their content's hash, so the same size means the same file)
/// and, unless it need not be `listed` (see
/// [`Record::vouches_for_asset_dirs`]), no other file; then how many
/// directories were listed, `assets/` included. `None` when it does not.
///
/// When that count is the number of directories that hold the assets, no
/// other directory is below `assets/`: their identities then say that
/// nothing was added since (a file added to an empty directory elsewhere
/// would change none of them).
fn same_assets(stack_dir: &Path, assets: &[Asset], listed: bool) -> Option<usize> {
    let mut expected: Vec<PathBuf> = Vec::with_capacity(assets.len());
    for asset in assets {
        let path = stack_dir.join(asset.relative_path());
        let same = fs::symlink_metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() == asset.fingerprint().size);
        if !same {
            return None;
        }
        expected.push(path);
    }
    if !listed {
        return Some(0);
    }
    let mut found = Vec::with_capacity(expected.len());
    let root = stack_dir.join("assets");
    let mut dirs = 0;
    if root.exists() {
        dirs = list_files(&root, &mut found)?;
    }
    crate::collections::sort_by(&mut expected, Ord::cmp);
    crate::collections::sort_by(&mut found, Ord::cmp);
    (expected == found).then_some(dirs)
}

/// The identities of the directories that hold a stack's `assets`
/// (`assets/` and the levels below it that their paths name), each once,
/// in order; `None` when the stack has no assets, or one of them is not a
/// directory.
fn asset_dir_keys(stack_dir: &Path, assets: &[Asset]) -> Option<Vec<FileKey>> {
    if assets.is_empty() {
        return None;
    }
    let dirs = crate::collections::set_of(
        assets
            .iter()
            .flat_map(|asset| Path::new(asset.relative_path()).ancestors().skip(1))
            .filter(|dir| !dir.as_os_str().is_empty()),
    );
    dirs.into_iter()
        .map(|dir| {
            fs::symlink_metadata(stack_dir.join(dir))
                .ok()
                .filter(fs::Metadata::is_dir)
                .as_ref()
                .and_then(FileKey::of)
        })
        .collect()
}

/// Every file below `dir` (anything but a directory counts as a file), and
/// how many directories were listed, `dir` included; `None` when one
/// cannot be.
fn list_files(dir: &Path, into: &mut Vec<PathBuf>) -> Option<usize> {
    // One directory open at a time: each holds a buffer of 32 KiB.
    let mut dirs = vec![dir.to_path_buf()];
    let mut listed = 0;
    while let Some(dir) = dirs.pop() {
        listed += 1;
        for entry in fs::read_dir(&dir).ok()? {
            let entry = entry.ok()?;
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(path);
            } else {
                into.push(path);
            }
        }
    }
    Some(listed)
}

/// Whether the file at `path` is what [`write_json_file`] would write there.
/// `None` when it is not; otherwise the file's identity, taken before it
/// was read (a change while it was read gives it another), where known.
fn same_json(path: &Path, value: &impl serde::Serialize) -> Option<Option<FileKey>> {
    let file = File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    // Buffers of the file's size, up to 64 KiB: a small file costs no
    // large allocations, whose fresh pages the kernel would zero.
    let buffer = usize::try_from(metadata.len().saturating_add(1))
        .unwrap_or(usize::MAX)
        .min(64 * 1024);
    same_text(io::BufReader::with_capacity(buffer, file), buffer, value)
        .then(|| FileKey::of(&metadata))
}

/// Whether the file at `path` holds `text`; its identity as for
/// [`same_json`].
fn same_bytes(path: &Path, text: &[u8]) -> Option<Option<FileKey>> {
    let mut file = File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if metadata.len() != text.len() as u64 {
        return None;
    }
    let mut old = Vec::with_capacity(text.len() + 1);
    io::Read::read_to_end(&mut file, &mut old).ok()?;
    (old == text).then(|| FileKey::of(&metadata))
}

/// Whether `old` holds exactly the text [`write_json_file`] would write for
/// `value`, comparing `buffer` bytes at a time.
fn same_text(old: impl io::BufRead, buffer: usize, value: &impl serde::Serialize) -> bool {
    // Buffered like [`write_json_file`]: the serializer's many small writes
    // are compared in large chunks.
    let mut compare = SameBytes { old };
    write_pretty(&mut compare, buffer, value).is_ok() && compare.at_end()
}

/// A writer that compares what is written with earlier content, failing at
/// the first difference (which stops the serializer writing into it).
struct SameBytes<R> {
    old: R,
}

impl<R: io::BufRead> SameBytes<R> {
    /// Whether the old content has nothing more than what was written.
    fn at_end(&mut self) -> bool {
        self.old.fill_buf().is_ok_and(|rest| rest.is_empty())
    }
}

impl<R: io::BufRead> Write for SameBytes<R> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        while !data.is_empty() {
            let old = self.old.fill_buf()?;
            let n = old.len().min(data.len());
            if n == 0 || old[..n] != data[..n] {
                return Err(io::Error::other("differs"));
            }
            self.old.consume(n);
            data = &data[n..];
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The entries of the old manifest (`old_manifest`, the text of the
/// output `old`'s) for the stacks whose directories are carried over
/// ([`carry_over`]): those not written this time.
fn add_carried_over_entries(
    old_manifest: &[u8],
    old: &Path,
    stacks: &[SynthesizedStack],
    manifest: &mut Manifest,
) {
    let Ok(old_manifest) = serde_json::from_slice::<Manifest>(old_manifest) else {
        return;
    };
    let stacks_dir = old.join("stacks");
    for (name, entry) in old_manifest.stacks {
        if stacks.iter().any(|s| s.name == name) || !is_one_name(&name) {
            continue;
        }
        // Looked up by name rather than by listing `stacks/`.
        if fs::symlink_metadata(stacks_dir.join(&name)).is_ok() {
            manifest.stacks.insert(name, entry);
        }
    }
}

/// Whether `name` names an entry of a directory: one component, not `.`
/// or `..` (a manifest's stack names come from disk and are not trusted).
fn is_one_name(name: &str) -> bool {
    let mut components = Path::new(name).components();
    matches!(
        (components.next(), components.next()),
        (Some(std::path::Component::Normal(n)), None) if n == name
    )
}

fn write_json_file(path: &Path, value: &impl serde::Serialize) -> Result<(), WriteError> {
    let mut file = fs::File::create(path).map_err(at(path, "write"))?;
    write_pretty(&mut file, 64 * 1024, value).map_err(at(path, "write"))
}

/// The output directory as an absolute path without `.`, `..` or links, once
/// it is clear that replacing it loses nothing (see [`OutputDir::lock`]).
fn resolve(out: &Path) -> Result<PathBuf, WriteError> {
    let refuse = |why: String| WriteError {
        path: out.to_path_buf(),
        action: "replace",
        source: io::Error::other(why),
    };
    match fs::symlink_metadata(out) {
        Ok(meta) if meta.file_type().is_symlink() => Err(refuse(
            "it is a symbolic link, and replacing the output directory would replace the link: give --out the directory it points to".into(),
        )),
        Ok(meta) if !meta.is_dir() => Err(refuse(
            "it is not a directory; remove it or choose another --out".into(),
        )),
        Ok(_) => {
            let resolved = out.canonicalize().map_err(at(out, "read"))?;
            // On Linux, getcwd names the directory without links already.
            let cwd = std::env::current_dir();
            #[cfg(not(target_os = "linux"))]
            let cwd = cwd.and_then(|d| d.canonicalize());
            if let Ok(cwd) = cwd {
                if cwd.starts_with(&resolved) {
                    return Err(refuse(
                        "it is the current directory or holds it: choose a directory of its own for --out".into(),
                    ));
                }
            }
            check_replaceable(out, &resolved)?;
            Ok(resolved)
        }
        Err(_) => {
            let name = out.file_name().ok_or_else(|| {
                refuse("it names no directory: give --out a directory name".into())
            })?;
            let parent = match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            fs::create_dir_all(&parent).map_err(at(&parent, "create"))?;
            let parent = parent.canonicalize().map_err(at(&parent, "read"))?;
            Ok(parent.join(name))
        }
    }
}

/// Refuses an existing directory that is not empty and not an output that
/// kite or cdktf wrote (recognized by its manifest, not by the file name).
fn check_replaceable(out: &Path, resolved: &Path) -> Result<(), WriteError> {
    let refuse = |why: String| WriteError {
        path: out.to_path_buf(),
        action: "replace",
        source: io::Error::other(why),
    };
    let not_ours = || {
        refuse(
            "it is not an output directory: its manifest.json is not one kite or cdktf wrote (a JSON object with `version` and `stacks`, each stack with a `synthesizedStackPath`), and synthesis replaces the whole directory: choose a new or empty directory for --out".into(),
        )
    };
    // The manifest first: an output has one, and reading it settles the
    // question without listing the directory.
    let manifest = resolved.join("manifest.json");
    match read_limited_regular(&manifest, MANIFEST_LIMIT, "a manifest") {
        Ok(bytes) if is_output_manifest(&bytes) => return Ok(()),
        Ok(_) => return Err(not_ours()),
        Err(_) => {}
    }
    let entries = match fs::read_dir(resolved) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(at(out, "read")(e)),
    };
    if entries.into_iter().next().is_none() {
        return Ok(());
    }
    if manifest.exists() {
        // There, but not readable as a manifest.
        return Err(not_ours());
    }
    Err(refuse(
        "it is not an output directory (it has files but no manifest.json), and synthesis replaces the whole directory: choose a new or empty directory for --out".into(),
    ))
}

/// Removes the staging directories that killed runs left beside the output.
/// Only the holder of the output's lock makes one, so under the lock every
/// one of them is abandoned.
fn remove_abandoned(parent: &Path, prefix: &OsStr) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = prefix.as_encoded_bytes();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.as_encoded_bytes();
        let is_staging = name.len() == prefix.len() + STAGING_RANDOM
            && name.starts_with(prefix)
            && name[prefix.len()..].iter().all(u8::is_ascii_alphanumeric);
        if is_staging && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Links an asset from the previous output when the same content is already
/// there (its path includes the content hash, so the same size means the
/// same file); copies it otherwise, checking the copy against the hash the
/// stack was built with.
fn place_asset(
    staging: &Path,
    asset: &Asset,
    previous: &Path,
    dest: &Path,
) -> Result<(), WriteError> {
    if let Some(dir) = dest.parent() {
        create_below(staging, dir).map_err(at(dir, "create"))?;
    }
    let same_size =
        fs::metadata(previous).is_ok_and(|p| p.is_file() && p.len() == asset.fingerprint().size);
    if same_size && fs::hard_link(previous, dest).is_ok() {
        return Ok(());
    }
    asset
        .copy_to(dest)
        .map_err(at(asset.source(), "copy the asset"))
}

/// Brings what kite did not write this time from the old output into the new.
/// The manifest's entries for them are [`add_carried_over_entries`].
fn carry_over(old: &Path, new: &Path, stacks: &[SynthesizedStack]) -> Result<(), WriteError> {
    let written = |name: &str| stacks.iter().any(|s| s.name == name);

    for entry in fs::read_dir(old).map_err(at(old, "read"))? {
        let entry = entry.map_err(at(old, "read"))?;
        let name = entry.file_name();
        // The record is of what this run writes.
        if name == "manifest.json" || name == "stacks" || name == written::FILE_NAME {
            continue;
        }
        link_tree(new, &entry.path(), &new.join(&name))?;
    }
    let old_stacks = old.join("stacks");
    if !old_stacks.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(&old_stacks).map_err(at(&old_stacks, "read"))? {
        let entry = entry.map_err(at(&old_stacks, "read"))?;
        let stack_name = entry.file_name();
        let old_dir = entry.path();
        let new_dir = new.join("stacks").join(&stack_name);
        let text_name = stack_name.to_str();
        if !text_name.is_some_and(written) {
            link_tree(new, &old_dir, &new_dir)?;
            continue;
        }
        if !old_dir.is_dir() {
            continue;
        }
        for inner in fs::read_dir(&old_dir).map_err(at(&old_dir, "read"))? {
            let inner = inner.map_err(at(&old_dir, "read"))?;
            let inner_name = inner.file_name();
            // What kite writes is never carried over: a file this run did
            // not write (a `kite.tf` the stack no longer needs) is stale.
            if inner_name == CONFIG_FILE || inner_name == NATIVE_FILE || inner_name == "assets" {
                continue;
            }
            link_tree(new, &inner.path(), &new_dir.join(inner_name))?;
        }
    }
    Ok(())
}

/// Recreates `from` at `to`: directories made anew, files hard-linked (copied
/// where links are not possible), symbolic links recreated.
fn link_tree(staging: &Path, from: &Path, to: &Path) -> Result<(), WriteError> {
    let meta = fs::symlink_metadata(from).map_err(at(from, "read"))?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(at(from, "read the link"))?;
        return make_symlink(&target, to);
    }
    if meta.is_dir() {
        create_below(staging, to).map_err(at(to, "create"))?;
        for entry in fs::read_dir(from).map_err(at(from, "read"))? {
            let entry = entry.map_err(at(from, "read"))?;
            link_tree(staging, &entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if fs::hard_link(from, to).is_err() {
        fs::copy(from, to).map_err(at(from, "copy"))?;
    }
    Ok(())
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> Result<(), WriteError> {
    std::os::unix::fs::symlink(target, link).map_err(at(link, "create the link"))
}

#[cfg(not(unix))]
fn make_symlink(target: &Path, link: &Path) -> Result<(), WriteError> {
    let _ = target;
    Err(WriteError {
        path: link.to_path_buf(),
        action: "recreate the symbolic link",
        source: io::Error::other("symbolic links are only carried over on Unix"),
    })
}

/// Puts the finished `staging` directory at `out` and removes the old one.
/// `aside` is where the fallback swap keeps the old output for a moment.
fn swap_into_place(staging: &Path, out: &Path, aside: &Path) -> Result<(), WriteError> {
    // A signal handler removing the staging directory waits for the rename:
    // it never swaps in a directory half removed.
    let registry = staging_registry();
    if !out.exists() {
        let renamed = fs::rename(staging, out);
        drop(registry);
        return renamed.map_err(|e| {
            let _ = fs::remove_dir_all(staging);
            at(out, "create")(e)
        });
    }
    let exchanged = exchange(staging, out, aside);
    drop(registry);
    exchanged.map_err(|e| {
        let _ = fs::remove_dir_all(staging);
        at(out, "replace")(e)
    })?;
    // `staging` now holds the previous output.
    let _ = fs::remove_dir_all(staging);
    Ok(())
}

/// Swaps two directories atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(staging: &Path, out: &Path, aside: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, staging, CWD, out, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // Filesystems without the flag: fall back to two renames.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            exchange_by_renames(staging, out, aside)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staging: &Path, out: &Path, aside: &Path) -> io::Result<()> {
    exchange_by_renames(staging, out, aside)
}

/// Two renames through `aside`: the old output is briefly under that name,
/// never lost (the next run restores it if this one is killed in between).
fn exchange_by_renames(staging: &Path, out: &Path, aside: &Path) -> io::Result<()> {
    fs::rename(out, aside)?;
    if let Err(e) = fs::rename(staging, out) {
        let _ = fs::rename(aside, out);
        return Err(e);
    }
    fs::rename(aside, staging)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_rename_swap_replaces_and_keeps_nothing_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (staging, out, aside) = (
            dir.path().join("new"),
            dir.path().join("out"),
            dir.path().join(".out.previous"),
        );
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("manifest.json"), b"new").unwrap();
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("manifest.json"), b"old").unwrap();
        exchange_by_renames(&staging, &out, &aside).unwrap();
        assert_eq!(fs::read(out.join("manifest.json")).unwrap(), b"new");
        assert_eq!(
            fs::read(staging.join("manifest.json")).unwrap(),
            b"old",
            "the old output ends where the new one was built"
        );
        assert!(!aside.exists());
    }

    #[test]
    fn only_the_same_text_compares_equal_whatever_the_file_size() {
        use super::super::json::{Sorted, to_pretty_json};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cdk.tf.json");
        // A small file, and one that takes several fills of the buffer.
        for size in [3, 40_000] {
            let value = serde_json::json!({
                "b": "x".repeat(size),
                "a": (0..size / 10).collect::<Vec<_>>(),
            });
            let text = to_pretty_json(&value);
            assert!(same_text(text.as_bytes(), 4096, &Sorted(&value)));
            fs::write(&path, &text).unwrap();
            assert!(same_json(&path, &Sorted(&value)).is_some(), "size {size}");

            let longer = format!("{text} ");
            let shorter = &text[..text.len() - 1];
            let mut changed = text.clone().into_bytes();
            let last_x = changed.iter().rposition(|b| *b == b'x').unwrap();
            changed[last_x] = b'y';
            for old in [longer.as_bytes(), shorter.as_bytes(), &changed[..], b""] {
                assert!(!same_text(old, 4096, &Sorted(&value)), "size {size}");
                fs::write(&path, old).unwrap();
                assert!(same_json(&path, &Sorted(&value)).is_none(), "size {size}");
            }
        }
        assert!(
            same_json(
                &dir.path().join("missing.json"),
                &Sorted(&serde_json::json!({}))
            )
            .is_none()
        );
    }

    /// Stacks of one `terraform_data` block holding `input`; `kite.tf`
    /// holds the required version of the first.
    fn data_stacks(names: &[&str], input: &str) -> Vec<SynthesizedStack> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut stack = crate::Stack::new(*name);
                let root = stack.root();
                if i == 0 {
                    stack.set_required_version(">= 1.11");
                }
                stack.add_raw(
                    &root,
                    "data",
                    crate::block::RawBlock::resource(
                        "terraform_data",
                        serde_json::json!({ "input": input }),
                    ),
                );
                crate::synth::synthesize(stack).expect("synthesizes")
            })
            .collect()
    }

    /// The identities of a stack's files in `out`, compared with what it
    /// writes.
    fn identities(out: &Path, stack: &SynthesizedStack) -> Identities {
        let dir = out.join("stacks").join(&stack.name);
        same_files(&dir, stack, stack.native_text().unwrap())
            .expect("the same files")
            .expect("identities")
    }

    /// A record of this program naming `stacks` as they are in `out`, as if
    /// taken once they had settled.
    fn settled_record(out: &Path, stacks: &[SynthesizedStack]) -> Record {
        let later = crate::fingerprints::now_ns() + written::SETTLED.as_nanos() as i128;
        let mut record = Record::new();
        for stack in stacks {
            let ids = identities(out, stack);
            let dir = out.join("stacks").join(&stack.name);
            let asset_dirs = asset_dir_keys(&dir, &stack.assets);
            assert!(
                record.note_at(later, &stack.name, ids, asset_dirs, false, || {
                    stack.content_digest()
                })
            );
        }
        record
    }

    #[test]
    fn a_file_added_to_a_directory_of_assets_the_record_vouches_for_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let package = dir.path().join("package.zip");
        fs::write(&package, b"zip").unwrap();
        let out = dir.path().join("cdktf.out");
        let stacks = || {
            let mut stack = crate::Stack::new("app");
            let root = stack.root();
            stack.asset(&root, "package", &package).unwrap();
            vec![crate::synth::synthesize(stack).expect("synthesizes")]
        };
        let stacks = stacks();
        write(&out, &stacks).unwrap();
        let stack_dir = out.join("stacks/app");
        let asset = stack_dir.join(stacks[0].assets[0].relative_path());
        let levels: Vec<PathBuf> = asset
            .ancestors()
            .skip(1)
            .take_while(|d| d.starts_with(stack_dir.join("assets")))
            .map(Path::to_path_buf)
            .collect();
        assert_eq!(levels.len(), 3, "assets/, the asset's, its hash's");
        for level in &levels {
            let record = settled_record(&out, &stacks);
            let keys = asset_dir_keys(&stack_dir, &stacks[0].assets).unwrap();
            assert!(record.vouches_for_asset_dirs("app", &keys));
            record.replace_in(&out);
            let output = fs::symlink_metadata(&out).unwrap().modified().unwrap();
            write(&out, &stacks).unwrap();
            assert_eq!(
                fs::symlink_metadata(&out).unwrap().modified().unwrap(),
                output,
                "unchanged, not written"
            );
            let stray = level.join("stray.zip");
            fs::write(&stray, b"old").unwrap();
            let keys = asset_dir_keys(&stack_dir, &stacks[0].assets).unwrap();
            assert!(!record.vouches_for_asset_dirs("app", &keys));
            write(&out, &stacks).unwrap();
            assert!(!stray.exists(), "{} was listed", level.display());
            assert!(asset.is_file());
        }
    }

    #[cfg(unix)]
    #[test]
    fn an_output_whose_manifest_is_a_named_pipe_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        fs::create_dir(&out).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            out.join("manifest.json"),
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(OutputDir::lock(&out, Wait::No, &mut |_| {}).map(|_| ()));
        });
        let result = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("decided at once");
        let err = result.unwrap_err().to_string();
        assert!(err.contains("not one kite or cdktf wrote"), "{err}");
    }

    #[test]
    fn asset_directories_are_recorded_only_when_nothing_else_is_below_assets() {
        let dir = tempfile::tempdir().unwrap();
        let package = dir.path().join("package.zip");
        fs::write(&package, b"zip").unwrap();
        let mut stack = crate::Stack::new("app");
        let root = stack.root();
        stack.asset(&root, "package", &package).unwrap();
        let stacks = vec![crate::synth::synthesize(stack).expect("synthesizes")];
        let (plain, extra) = (dir.path().join("plain"), dir.path().join("extra"));
        write(&plain, &stacks).unwrap();
        write(&extra, &stacks).unwrap();
        // An empty directory: the listing finds no file in it.
        let empty = extra.join("stacks/app/assets/empty");
        fs::create_dir(&empty).unwrap();
        std::thread::sleep(written::SETTLED + Duration::from_millis(100));
        // The synths that compare the files and record them.
        write(&plain, &stacks).unwrap();
        write(&extra, &stacks).unwrap();
        let vouched = |out: &Path| {
            let keys = asset_dir_keys(&out.join("stacks/app"), &stacks[0].assets).unwrap();
            Record::load(out)
                .unwrap()
                .vouches_for_asset_dirs("app", &keys)
        };
        assert!(vouched(&plain));
        assert!(
            !vouched(&extra),
            "a file added to the empty directory would change no recorded identity"
        );
        let stray = empty.join("stray.zip");
        fs::write(&stray, b"old").unwrap();
        write(&extra, &stacks).unwrap();
        assert!(!stray.exists());
    }

    #[test]
    fn the_record_vouches_only_for_settled_files_of_the_same_content() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        let stacks = data_stacks(&["native", "plain"], "a");
        write(&out, &stacks).unwrap();
        let stack_dir = |stack: &SynthesizedStack| out.join("stacks").join(&stack.name);
        let fresh = Record::load(&out).expect("a new output has a record");
        for stack in &stacks {
            assert!(
                !fresh.vouches_for(&stack.name, &stack_dir(stack), || stack.content_digest()),
                "a new output's record names no stack"
            );
            let mut now = Record::new();
            assert!(
                !now.note_if_settled(&stack.name, identities(&out, stack), None, false, || stack
                    .content_digest()),
                "files just written have not settled"
            );
        }
        let record = settled_record(&out, &stacks);
        for stack in &stacks {
            assert!(
                record.vouches_for(&stack.name, &stack_dir(stack), || stack.content_digest()),
                "{}",
                stack.name
            );
        }
        // Other content: another digest.
        let other = data_stacks(&["native", "plain"], "b");
        for (stack, changed) in stacks.iter().zip(&other) {
            assert_ne!(stack.content_digest(), changed.content_digest());
            assert!(
                !record.vouches_for(&stack.name, &stack_dir(stack), || changed.content_digest())
            );
        }
        // Another program's record.
        let mut foreign: serde_json::Value = serde_json::to_value(&record).unwrap();
        foreign["binary"]["ino"] = (foreign["binary"]["ino"].as_u64().unwrap() + 1).into();
        let foreign: Record = serde_json::from_value(foreign).unwrap();
        assert!(
            !foreign.vouches_for(&stacks[0].name, &stack_dir(&stacks[0]), || stacks[0]
                .content_digest())
        );
        // A native file gone, or one where there was none.
        let native = stack_dir(&stacks[0]).join(NATIVE_FILE);
        let text = fs::read(&native).unwrap();
        fs::remove_file(&native).unwrap();
        assert!(
            !record.vouches_for(&stacks[0].name, &stack_dir(&stacks[0]), || stacks[0]
                .content_digest())
        );
        fs::write(stack_dir(&stacks[1]).join(NATIVE_FILE), &text).unwrap();
        assert!(
            !record.vouches_for(&stacks[1].name, &stack_dir(&stacks[1]), || stacks[1]
                .content_digest())
        );
    }

    #[test]
    fn a_file_rewritten_with_its_old_size_and_modification_time_is_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        let stacks = data_stacks(&["app"], "a");
        write(&out, &stacks).unwrap();
        settled_record(&out, &stacks).replace_in(&out);
        let config = out.join("stacks/app").join(CONFIG_FILE);
        let text = fs::read_to_string(&config).unwrap();
        let modified = fs::metadata(&config).unwrap().modified().unwrap();
        // `touch -d` after an edit of the same length.
        let edited = text.replace("\"a\"", "\"b\"");
        assert_eq!(edited.len(), text.len());
        fs::write(&config, &edited).unwrap();
        File::options()
            .write(true)
            .open(&config)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        write(&out, &stacks).unwrap();
        assert_eq!(fs::read_to_string(&config).unwrap(), text);
    }

    #[test]
    fn settled_files_found_unchanged_are_recorded_then_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        let stacks = data_stacks(&["native", "plain"], "a");
        write(&out, &stacks).unwrap();
        let path = out.join(written::FILE_NAME);
        let new = fs::read(&path).unwrap();
        let vouched = || {
            let record = Record::load(&out).unwrap();
            stacks.iter().all(|stack| {
                let dir = out.join("stacks").join(&stack.name);
                record.vouches_for(&stack.name, &dir, || stack.content_digest())
            })
        };
        // Compared byte for byte, too fresh to be recorded.
        write(&out, &stacks).unwrap();
        assert_eq!(fs::read(&path).unwrap(), new);
        std::thread::sleep(written::SETTLED + Duration::from_millis(100));
        assert!(!vouched());
        write(&out, &stacks).unwrap();
        assert!(vouched(), "recorded in place");
        let recorded = fs::read(&path).unwrap();
        // Now the record vouches for the files: they are not compared, and
        // so not recorded again (they would be, at a new time).
        write(&out, &stacks).unwrap();
        assert_eq!(fs::read(&path).unwrap(), recorded);
        // Another program's record is replaced by this one's.
        let mut foreign: serde_json::Value = serde_json::from_slice(&recorded).unwrap();
        foreign["binary"]["ino"] = (foreign["binary"]["ino"].as_u64().unwrap() + 1).into();
        fs::write(&path, foreign.to_string()).unwrap();
        assert!(!vouched());
        write(&out, &stacks).unwrap();
        assert!(vouched(), "this program's record replaced the other's");
    }

    #[test]
    fn a_record_that_does_not_parse_is_replaced_and_one_with_two_names_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        let stacks = data_stacks(&["app"], "a");
        write(&out, &stacks).unwrap();
        let path = out.join(written::FILE_NAME);
        // A run killed while writing it.
        let text = fs::read(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
        write(&out, &stacks).unwrap();
        assert!(
            serde_json::from_slice::<serde_json::Value>(&fs::read(&path).unwrap()).is_ok(),
            "replaced by a record that parses"
        );
        // A second name (a `cp -al` copy of the output): not written through.
        let other = dir.path().join("copy.json");
        fs::hard_link(&path, &other).unwrap();
        let before = fs::read(&other).unwrap();
        settled_record(&out, &stacks).replace_in(&out);
        assert_eq!(fs::read(&other).unwrap(), before);
        assert_eq!(fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_holder_read_while_it_writes_is_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join(".cdktf.out.lock");
        // Written over a longer description, not yet cut to length.
        fs::write(&lock, "pid 2: kite synth\nkite deploy a-long-name\n").unwrap();
        assert_eq!(read_holder(&lock), "pid 2: kite synth");
    }

    #[test]
    fn the_lock_file_says_only_who_holds_it_now() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        // A longer description left by an earlier holder.
        let earlier = format!(
            "pid 1: {}\n",
            "kite deploy a-stack-with-a-long-name ".repeat(8)
        );
        fs::write(dir.path().join(".cdktf.out.lock"), &earlier).unwrap();
        let locked = OutputDir::lock(&out, Wait::No, &mut |_| {}).unwrap();
        let holder = fs::read_to_string(dir.path().join(".cdktf.out.lock")).unwrap();
        assert_eq!(
            holder,
            format!("pid {}: {}\n", std::process::id(), command_line())
        );
        drop(locked);
    }

    #[test]
    fn an_output_left_aside_by_a_killed_swap_is_restored_and_its_terraform_files_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("cdktf.out");
        // A run killed between the two renames: the old output is aside.
        let aside = dir.path().join(".cdktf.out.previous");
        fs::create_dir_all(aside.join("stacks/app/.terraform")).unwrap();
        fs::write(
            aside.join("manifest.json"),
            br#"{"version":"0","stacks":{}}"#,
        )
        .unwrap();
        fs::write(aside.join("stacks/app/.terraform/plugin"), b"binary").unwrap();
        let written = write(&out, &[]).unwrap();
        assert!(written.is_empty());
        assert!(!aside.exists());
        assert_eq!(
            fs::read(out.join("stacks/app/.terraform/plugin")).unwrap(),
            b"binary"
        );
    }
}
