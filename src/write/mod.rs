//! Writing the output tree without losing anything.
//!
//! - A manifest (`.cellac-manifest.json`) records every file cellac generated, with
//!   its SHA-256. Only those files are ever replaced or removed.
//! - A generated file whose content no longer matches its hash was edited by hand:
//!   the build refuses to overwrite it unless forced.
//! - A file cellac did not generate is never touched; a build that would write over
//!   one refuses.
//! - One cellac at a time: [`lock`] takes an exclusive lock (`flock`) on `.cellac-lock` (which
//!   names the holder's pid) and waits a bounded time for another build to finish.
//! - New content is staged first (`.cellac-staging/`, every file and folder fsynced),
//!   then a journal (`.cellac-journal.json`: every rename and removal to come, with the
//!   hashes before and after) is written, fsynced and renamed into place: that rename
//!   commits the build. Then each file is renamed into place, stale generated files are
//!   removed, the new manifest replaces the old one, the folders are fsynced, and the
//!   journal is removed. A build killed before the commit changed nothing in the tree;
//!   one killed after it is completed by the next cellac call that opens the folder
//!   ([`recover`], called by [`lock`] and [`write`]), `build --check` included, before
//!   anything else. (A staging folder without a journal, left by an older cellac, is
//!   still understood: files matching its manifest are taken as generated.)
//! - For tests only: `CELLAC_TEST_ABORT_AFTER_RENAME=N` aborts the process right after
//!   the Nth rename of a swap (the journal's commit is the first), to test recovery.
//! - Nothing is created, replaced, read as ours or removed through a symbolic link: every
//!   component of every path below the output folder is looked at with `symlink_metadata`
//!   (and looked at again just before it is changed); a link anywhere on the way makes
//!   the build refuse, naming it. The output folder itself may be a link: the user named it.
//! - A cache (`.cellac-cache`, ignored by git) names the inputs of the build that wrote
//!   the folder (cellac's version and binary, the stack's path and text: [`inputs`]) and
//!   the manifest it left. A build with the same inputs over a folder whose every file
//!   still has its manifest hash has nothing to write ([`up_to_date`]) and skips
//!   emitting altogether. It also records, per group of rendered files (the scripts,
//!   the README), the fingerprint of the data their templates were given and the hash
//!   of each file: after a change that leaves a group's data as it was, the same cellac
//!   takes those files from the folder, each only if it still has that hash
//!   ([`earlier`]), instead of compiling and rendering the templates. The cache is only
//!   ever a shortcut: missing, stale or unreadable, the build takes the long way.

use crate::emit::Artifacts;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

mod adopt;
mod cache;
mod journal;
mod lock;
mod paths;

pub use adopt::{remove_adopt, write_adopt, ADOPT, ADOPT_MARK};
pub use cache::{earlier, inputs, remember, up_to_date};
pub use journal::recover;
use journal::*;
pub use lock::{lock, lock_timeout, Lock};
use paths::*;
pub use paths::{links, read_inside};

pub const MANIFEST: &str = ".cellac-manifest.json";
const STAGING: &str = ".cellac-staging";
pub const JOURNAL: &str = ".cellac-journal.json";
const JOURNAL_TMP: &str = ".cellac-journal.json.tmp";
pub const LOCK: &str = ".cellac-lock";
pub const CACHE: &str = ".cellac-cache";

/// Why a build could not write its output.
#[derive(Debug)]
pub enum WriteError {
    /// Generated files changed by hand since the last build.
    Edited(Vec<String>),
    /// Files cellac did not generate, where it would write.
    Foreign(Vec<String>),
    /// Symbolic links on the way to files cellac would write, replace or remove
    /// (`path -> target`).
    Link(Vec<String>),
    /// Another cellac holds the output folder's lock (its pid, when it wrote one).
    Locked {
        dir: String,
        pid: Option<u32>,
        waited: std::time::Duration,
    },
    Io(String),
}

impl WriteError {
    /// What went wrong, and what to do about it.
    fn parts(&self) -> (&'static str, String, String) {
        match self {
            WriteError::Edited(files) => (
                "cellac::io::edited",
                format!("generated files were edited by hand: {}", files.join(", ")),
                "move your changes into the stack file, or run with --force to overwrite them".into(),
            ),
            WriteError::Foreign(files) => (
                "cellac::io::foreign",
                format!("files that cellac did not generate are in the way: {}", files.join(", ")),
                "move or rename them; cellac never overwrites a file it did not write".into(),
            ),
            WriteError::Link(links) => (
                "cellac::io::link",
                format!("symbolic links in the output folder, where cellac would write: {}", links.join(", ")),
                "cellac never writes, replaces or removes anything through a link (it could land outside the output folder); replace each link with a real folder or file, or build into another folder".into(),
            ),
            WriteError::Locked { dir, pid, waited } => (
                "cellac::io::locked",
                format!(
                    "{dir} is being written by another cellac ({}); gave up after waiting {} s",
                    pid.map_or("its pid is not known yet".to_string(), |p| format!("pid {p}")),
                    waited.as_secs()
                ),
                format!("run again once it has finished (the lock, {dir}/{LOCK}, goes away with it); CELLAC_LOCK_TIMEOUT sets the wait in seconds"),
            ),
            WriteError::Io(e) => (
                "cellac::io::write",
                e.clone(),
                "check that the output folder can be written to, and that the disk is not full".into(),
            ),
        }
    }

    /// The error as a diagnostic (no place in the stack file).
    pub fn diagnostic(&self) -> crate::diagnostic::Diagnostic {
        let (code, message, help) = self.parts();
        crate::diagnostic::Diagnostic::error(code, message).help(help)
    }

    /// Whether the file system failed (rather than the folder holding something the
    /// user must sort out first). The CLI maps the kinds to exit codes.
    pub fn is_io(&self) -> bool {
        matches!(self, WriteError::Io(_))
    }
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (_, message, help) = self.parts();
        write!(f, "{message}\n  help: {help}")
    }
}

fn io_err(what: &str, path: &Path, e: io::Error) -> WriteError {
    WriteError::Io(format!(
        "cannot {what} {}: {}",
        path.display(),
        crate::diagnostic::in_words(&e)
    ))
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest's content for a set of files.
pub fn manifest(files: &Artifacts, stack_path: &str) -> Vec<u8> {
    let hashes: Map<String, Value> = files
        .iter()
        .map(|(p, b)| (p.clone(), json!(sha256(b))))
        .collect();
    crate::emit::json_bytes(&json!({
        "//": crate::emit::banner(stack_path),
        "version": 1,
        "files": hashes,
    }))
}

/// The files a manifest lists, with their hashes (none when the manifest is missing,
/// unreadable or reached through a link).
fn read_manifest(dir: &Path, rel: &str) -> BTreeMap<String, String> {
    read_inside(dir, rel)
        .map(|bytes| manifest_files(&bytes))
        .unwrap_or_default()
}

/// The files a manifest's bytes list, with their hashes (none when they do not parse).
fn manifest_files(bytes: &[u8]) -> BTreeMap<String, String> {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return BTreeMap::new();
    };
    v["files"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(p, _)| is_safe(p))
                .filter_map(|(p, h)| Some((p.clone(), h.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// How the folder differs from what a build would write.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    pub missing: Vec<String>,
    pub stale: Vec<String>,
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.extra.is_empty()
    }
}

/// Compares the folder with the files a build would write (for `build --check`). A
/// file reached through a link counts as missing: see [`links`].
pub fn drift(dir: &Path, files: &Artifacts, stack_path: &str) -> Drift {
    let mut d = Drift::default();
    let mut all = files.clone();
    all.insert(MANIFEST.into(), manifest(files, stack_path));
    for (path, bytes) in &all {
        match read_inside(dir, path) {
            None => d.missing.push(path.clone()),
            Some(on_disk) if &on_disk != bytes => d.stale.push(path.clone()),
            Some(_) => {}
        }
    }
    for path in read_manifest(dir, MANIFEST).keys() {
        if !files.contains_key(path) && inspect(dir, path) != Entry::Missing {
            d.extra.push(path.clone());
        }
    }
    d
}

/// Writes the files into `dir`, keeping every promise listed at the top of this module.
/// Returns the generated files that were removed because the stack no longer produces them.
pub fn write(
    dir: &Path,
    files: &Artifacts,
    stack_path: &str,
    force: bool,
) -> Result<Vec<String>, WriteError> {
    write_changes(dir, files, stack_path, force).map(|w| w.removed)
}

/// What [`write_changes`] changed in the output folder.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// The files written because they were missing or held something else (the
    /// manifest not counted).
    pub changed: Vec<String>,
    /// The generated files removed because the stack no longer produces them.
    pub removed: Vec<String>,
}

/// [`write`], also saying which files it wrote, from what it read to decide (so that
/// the caller need not read the folder again).
pub fn write_changes(
    dir: &Path,
    files: &Artifacts,
    stack_path: &str,
    force: bool,
) -> Result<Written, WriteError> {
    recover(dir)?;
    let mut links = BTreeSet::new();
    let mut foreign = Vec::new();
    let mut blocked = |e: &Entry, foreign: &mut Vec<String>| match e {
        Entry::Blocked(Blocked::Link(l)) => {
            links.insert(l.clone());
        }
        Entry::Blocked(Blocked::NotFolder(p)) => foreign.push(p.clone()),
        _ => {}
    };
    for own in [MANIFEST, STAGING, JOURNAL, JOURNAL_TMP] {
        blocked(&inspect(dir, own), &mut foreign);
    }
    let old = read_manifest(dir, MANIFEST);
    let pending = read_manifest(dir, &format!("{STAGING}/{MANIFEST}"));
    let known = |path: &str, bytes: &[u8]| {
        let h = sha256(bytes);
        old.get(path) == Some(&h) || pending.get(path) == Some(&h)
    };
    let mut edited = Vec::new();
    // What each generated path holds now: `None` when missing.
    let mut on_disk: BTreeMap<&str, Option<Vec<u8>>> = BTreeMap::new();
    for (path, bytes) in files {
        let entry = inspect(dir, path);
        blocked(&entry, &mut foreign);
        match entry {
            Entry::Missing => {
                on_disk.insert(path, None);
            }
            Entry::Folder => foreign.push(path.clone()),
            Entry::Blocked(_) => {}
            Entry::File => {
                let target = dir.join(path);
                let current = fs::read(&target).map_err(|e| io_err("read", &target, e))?;
                if &current != bytes && !known(path, &current) {
                    if old.contains_key(path) || pending.contains_key(path) {
                        edited.push(path.clone());
                    } else {
                        foreign.push(path.clone());
                    }
                }
                on_disk.insert(path, Some(current));
            }
        }
    }
    let mut removed = Vec::new();
    for path in old.keys().filter(|p| !files.contains_key(*p)) {
        let entry = inspect(dir, path);
        blocked(&entry, &mut foreign);
        if entry == Entry::File {
            let target = dir.join(path);
            let current = fs::read(&target).map_err(|e| io_err("read", &target, e))?;
            if !known(path, &current) {
                edited.push(path.clone());
            }
            removed.push(path.clone());
        }
    }
    if !links.is_empty() {
        return Err(WriteError::Link(links.into_iter().collect()));
    }
    if !foreign.is_empty() {
        return Err(WriteError::Foreign(foreign));
    }
    if !edited.is_empty() && !force {
        edited.sort();
        return Err(WriteError::Edited(edited));
    }
    // Stage everything, including the new manifest.
    let staging = dir.join(STAGING);
    let new_manifest = manifest(files, stack_path);
    let staging_exists = inspect(dir, STAGING) != Entry::Missing;
    // Nothing to change: touch nothing, not even the manifest.
    let unchanged =
        |path: &str, bytes: &[u8]| matches!(on_disk.get(path), Some(Some(b)) if b == bytes);
    let changed: Vec<String> = files
        .iter()
        .filter(|(p, b)| !unchanged(p, b))
        .map(|(p, _)| p.clone())
        .collect();
    if removed.is_empty()
        && !staging_exists
        && changed.is_empty()
        && read_inside(dir, MANIFEST).as_deref() == Some(new_manifest.as_slice())
    {
        return Ok(Written { changed, removed });
    }
    if staging_exists {
        ensure_clear(dir, STAGING)?;
        fs::remove_dir_all(&staging).map_err(|e| io_err("clear", &staging, e))?;
    }
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    // Every staged file, written but not yet flushed: flushed together below.
    let mut written: Vec<(PathBuf, fs::File)> = Vec::new();
    let mut staged = |rel: &str, bytes: &[u8]| -> Result<(), WriteError> {
        let inner = format!("{STAGING}/{rel}");
        create_parents(dir, &inner)?;
        let p = dir.join(&inner);
        let f = write_unsynced(&p, bytes)?;
        written.push((p.clone(), f));
        let mut parent = p.parent();
        while let Some(d) = parent.filter(|d| d.starts_with(&staging)) {
            folders.insert(d.to_path_buf());
            parent = d.parent();
        }
        Ok(())
    };
    let mut journal = Journal::default();
    for (path, bytes) in files {
        if !unchanged(path, bytes) {
            staged(path, bytes)?;
            let old = on_disk.get(path.as_str()).cloned().flatten();
            journal
                .moves
                .push((path.clone(), sha256(bytes), old.map(|b| sha256(&b))));
        }
    }
    staged(MANIFEST, &new_manifest)?;
    journal.moves.push((
        MANIFEST.to_string(),
        sha256(&new_manifest),
        hash_at(dir, MANIFEST),
    ));
    for path in &removed {
        if let Some(h) = hash_at(dir, path) {
            journal.removes.push((path.clone(), h));
        }
    }
    // The commit: once the journal is in place, the build will be completed.
    ensure_clear(dir, JOURNAL_TMP)?;
    ensure_clear(dir, JOURNAL)?;
    let tmp = dir.join(JOURNAL_TMP);
    written.push((tmp.clone(), write_unsynced(&tmp, &journal.to_json())?));
    // Round 1: every staged file, the journal's temporary file, every staging folder
    // and the output folder (which names the staging folder and the temporary file)
    // reach the disk, flushed at once (see `sync_together`). Nothing that a reader of
    // the tree sees has changed yet.
    folders.insert(dir.to_path_buf());
    sync_together(written, folders)?;
    // Round 2, the commit: the rename of the journal, made durable before anything in
    // the tree is renamed. A crash before it leaves the old tree (the staging folder
    // and the temporary file are cleared by `recover`); after it, `recover` completes
    // the build from the journal and the staged files round 1 made durable.
    fs::rename(&tmp, dir.join(JOURNAL)).map_err(|e| io_err("write", &dir.join(JOURNAL), e))?;
    renamed();
    sync_dir(dir)?;
    apply(dir, &journal)?;
    Ok(Written { changed, removed })
}

/// The generated paths in a folder, for reports.
pub fn generated(dir: &Path) -> BTreeSet<String> {
    read_manifest(dir, MANIFEST).into_keys().collect()
}

/// A unified diff between what is on disk and what a build would write.
pub fn diff(dir: &Path, files: &Artifacts, stack_path: &str) -> String {
    let mut all = files.clone();
    all.insert(MANIFEST.into(), manifest(files, stack_path));
    let mut out = String::new();
    let d = drift(dir, files, stack_path);
    for path in d.missing.iter().chain(&d.stale) {
        let old = read_inside(dir, path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let new = String::from_utf8_lossy(&all[path]).into_owned();
        let diff = similar::TextDiff::from_lines(&old, &new);
        out.push_str(
            &diff
                .unified_diff()
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    for path in &d.extra {
        let old = read_inside(dir, path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let diff = similar::TextDiff::from_lines(old.as_str(), "");
        out.push_str(
            &diff
                .unified_diff()
                .header(&format!("a/{path}"), "/dev/null")
                .to_string(),
        );
    }
    out
}
