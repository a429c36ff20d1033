//! Writing synthesized stacks to the output directory, all or nothing.
//!
//! The new output is built in a temporary directory beside the old one and
//! swapped in with one rename, so a failed or killed run leaves the previous
//! output as it was. What kite does not write itself — Terraform's
//! `.terraform/` directory and lock file in a stack's directory, the
//! directories of stacks not synthesized this time — is carried over into
//! the new output (hard links, so nothing large is copied).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, ManifestStack};
use super::{SynthesizedStack, VERSION, write_pretty_json};
use crate::asset::{Asset, copy_checked};

/// What was written for one stack.
#[derive(Clone, Debug)]
pub struct WrittenStack {
    pub name: String,
    /// `OUT/stacks/<name>/cdk.tf.json`
    pub config_path: PathBuf,
    pub resource_count: usize,
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

/// Writes `stacks` into `out`, replacing it in one step.
pub fn write(out: &Path, stacks: &[SynthesizedStack]) -> Result<Vec<WrittenStack>, WriteError> {
    let shown = out;
    let out = &resolve(out)?;
    let parent = out
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let dir_name = out
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{dir_name}.tmp-");
    let aside = parent.join(format!(".{dir_name}.previous"));
    if !out.exists() && aside.is_dir() {
        // A run killed between the two renames of the fallback swap.
        fs::rename(&aside, out).map_err(at(&aside, "restore the previous output from"))?;
    }
    remove_abandoned(&parent, &prefix);
    let staging = tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(&parent)
        .map_err(at(&parent, "create a temporary directory in"))?;
    let new = staging.path();

    let mut written = Vec::with_capacity(stacks.len());
    let mut manifest = Manifest {
        version: VERSION.to_owned(),
        stacks: Default::default(),
    };
    for stack in stacks {
        let stack_dir = new.join("stacks").join(&stack.name);
        fs::create_dir_all(&stack_dir).map_err(at(&stack_dir, "create"))?;
        let config = stack_dir.join("cdk.tf.json");
        write_json_file(&config, &stack.document)?;
        for asset in &stack.assets {
            let dest = stack_dir.join(asset.relative_path());
            let previous = out
                .join("stacks")
                .join(&stack.name)
                .join(asset.relative_path());
            place_asset(asset, &previous, &dest)?;
        }
        manifest
            .stacks
            .insert(stack.name.clone(), ManifestStack::new(&stack.name));
        written.push(WrittenStack {
            name: stack.name.clone(),
            config_path: shown.join("stacks").join(&stack.name).join("cdk.tf.json"),
            resource_count: stack.resource_count,
        });
    }

    if out.is_dir() {
        carry_over(out, new, stacks, &mut manifest)?;
    }
    let manifest_path = new.join("manifest.json");
    let manifest_json = serde_json::to_value(&manifest).unwrap_or_default();
    write_json_file(&manifest_path, &manifest_json)?;

    let staging = staging.keep();
    swap_into_place(&staging, out, &aside)?;
    Ok(written)
}

fn write_json_file(path: &Path, value: &serde_json::Value) -> Result<(), WriteError> {
    let file = fs::File::create(path).map_err(at(path, "write"))?;
    let mut out = io::BufWriter::with_capacity(64 * 1024, file);
    write_pretty_json(&mut out, value)
        .and_then(|()| io::Write::flush(&mut out))
        .map_err(at(path, "write"))
}

/// The output directory as an absolute path without `.`, `..` or links, once
/// it is clear that replacing it loses nothing: it must be missing, empty, or
/// an output directory (with a `manifest.json`), and must not hold the
/// current directory.
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
            let has_manifest = resolved.join("manifest.json").is_file();
            let is_empty = fs::read_dir(&resolved)
                .map_err(at(out, "read"))?
                .next()
                .is_none();
            if !has_manifest && !is_empty {
                return Err(refuse(
                    "it is not an output directory (it has files but no manifest.json), and synthesis replaces the whole directory: choose a new or empty directory for --out".into(),
                ));
            }
            if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize()) {
                if cwd.starts_with(&resolved) {
                    return Err(refuse(
                        "it is the current directory or holds it: choose a directory of its own for --out".into(),
                    ));
                }
            }
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

/// How old a staging directory must be before it counts as abandoned by a
/// run that was killed (a run still going is never this slow).
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Removes staging directories that killed runs left beside the output.
fn remove_abandoned(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(prefix) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ABANDONED_AFTER);
        if old {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Links an asset from the previous output when the same content is already
/// there (its path includes the content hash, so the same size means the
/// same file); copies it otherwise, checking the copy against the hash the
/// stack was built with.
fn place_asset(asset: &Asset, previous: &Path, dest: &Path) -> Result<(), WriteError> {
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).map_err(at(dir, "create"))?;
    }
    let same_size =
        fs::metadata(previous).is_ok_and(|p| p.is_file() && p.len() == asset.fingerprint().size);
    if same_size && fs::hard_link(previous, dest).is_ok() {
        return Ok(());
    }
    copy_checked(asset.source(), dest, asset.fingerprint())
        .map_err(at(asset.source(), "copy the asset"))
}

/// Brings what kite did not write this time from the old output into the new.
fn carry_over(
    old: &Path,
    new: &Path,
    stacks: &[SynthesizedStack],
    manifest: &mut Manifest,
) -> Result<(), WriteError> {
    let written = |name: &str| stacks.iter().any(|s| s.name == name);
    let old_manifest: Option<Manifest> = fs::read_to_string(old.join("manifest.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());

    for entry in fs::read_dir(old).map_err(at(old, "read"))? {
        let entry = entry.map_err(at(old, "read"))?;
        let name = entry.file_name();
        if name == "manifest.json" || name == "stacks" {
            continue;
        }
        link_tree(&entry.path(), &new.join(&name))?;
    }
    let old_stacks = old.join("stacks");
    if !old_stacks.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(&old_stacks).map_err(at(&old_stacks, "read"))? {
        let entry = entry.map_err(at(&old_stacks, "read"))?;
        let stack_name = entry.file_name().to_string_lossy().into_owned();
        let old_dir = entry.path();
        let new_dir = new.join("stacks").join(&stack_name);
        if !written(&stack_name) {
            link_tree(&old_dir, &new_dir)?;
            if let Some(m) = old_manifest
                .as_ref()
                .and_then(|m| m.stacks.get(&stack_name))
            {
                manifest.stacks.insert(stack_name, m.clone());
            }
            continue;
        }
        if !old_dir.is_dir() {
            continue;
        }
        for inner in fs::read_dir(&old_dir).map_err(at(&old_dir, "read"))? {
            let inner = inner.map_err(at(&old_dir, "read"))?;
            let inner_name = inner.file_name();
            if inner_name == "cdk.tf.json" || inner_name == "assets" {
                continue;
            }
            link_tree(&inner.path(), &new_dir.join(inner_name))?;
        }
    }
    Ok(())
}

/// Recreates `from` at `to`: directories made anew, files hard-linked (copied
/// where links are not possible), symbolic links recreated.
fn link_tree(from: &Path, to: &Path) -> Result<(), WriteError> {
    let meta = fs::symlink_metadata(from).map_err(at(from, "read"))?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(at(from, "read the link"))?;
        return make_symlink(&target, to);
    }
    if meta.is_dir() {
        fs::create_dir_all(to).map_err(at(to, "create"))?;
        for entry in fs::read_dir(from).map_err(at(from, "read"))? {
            let entry = entry.map_err(at(from, "read"))?;
            link_tree(&entry.path(), &to.join(entry.file_name()))?;
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
    if !out.exists() {
        return fs::rename(staging, out).map_err(|e| {
            let _ = fs::remove_dir_all(staging);
            at(out, "create")(e)
        });
    }
    exchange(staging, out, aside).map_err(|e| {
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
