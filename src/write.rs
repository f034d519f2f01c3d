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
//!   emitting altogether. The cache is only ever a shortcut: missing, stale or unreadable,
//!   the build takes the long way.

use crate::emit::Artifacts;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = ".cellac-manifest.json";
const STAGING: &str = ".cellac-staging";
pub const JOURNAL: &str = ".cellac-journal.json";
const JOURNAL_TMP: &str = ".cellac-journal.json.tmp";
pub const LOCK: &str = ".cellac-lock";
pub const CACHE: &str = ".cellac-cache";

/// `cellac adopt`'s file in the output folder: `moved`, `removed` and `import` blocks for
/// the first apply after adopting a running deployment. Not in the manifest, so a build
/// never replaces nor removes it; only [`write_adopt`] and [`remove_adopt`] touch it,
/// and only a file that carries [`ADOPT_MARK`] (one that `cellac adopt` wrote).
pub const ADOPT: &str = "adopt.tf.json";
/// The `//` comment every `adopt.tf.json` cellac writes starts with.
pub const ADOPT_MARK: &str = "Written by `cellac adopt`";

/// Whether the file at [`ADOPT`] is one `cellac adopt` wrote (or there is none).
fn adopt_is_ours(dir: &Path) -> Result<bool, WriteError> {
    match ensure_clear(dir, ADOPT)? {
        Entry::Missing => Ok(true),
        Entry::File => Ok(read_inside(dir, ADOPT)
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| {
                v.get("//")
                    .and_then(Value::as_str)
                    .map(|c| c.starts_with(ADOPT_MARK))
            })
            .unwrap_or(false)),
        _ => Err(WriteError::Foreign(vec![ADOPT.to_string()])),
    }
}

/// Writes `adopt.tf.json` into the output folder (created if need be), under the
/// folder's lock, through a temporary file renamed into place; refuses a link on the
/// way and a file of that name that `cellac adopt` did not write.
pub fn write_adopt(dir: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    if !dir.exists() {
        fs::create_dir_all(dir).map_err(|e| io_err("create", dir, e))?;
    }
    let _lock = lock(dir, lock_timeout())?;
    recover(dir)?;
    if !adopt_is_ours(dir)? {
        return Err(WriteError::Foreign(vec![ADOPT.to_string()]));
    }
    let tmp = format!(".{ADOPT}.tmp");
    ensure_clear(dir, &tmp)?;
    write_unsynced(&dir.join(&tmp), bytes)?
        .sync_all()
        .map_err(|e| io_err("sync", &dir.join(&tmp), e))?;
    ensure_clear(dir, ADOPT)?;
    fs::rename(dir.join(&tmp), dir.join(ADOPT))
        .map_err(|e| io_err("rename", &dir.join(ADOPT), e))?;
    sync_dir(dir)
}

/// Removes `adopt.tf.json` (`cellac adopt --done`): whether there was one. Refuses a
/// file of that name that `cellac adopt` did not write.
pub fn remove_adopt(dir: &Path) -> Result<bool, WriteError> {
    if !dir.exists() {
        return Ok(false);
    }
    let _lock = lock(dir, lock_timeout())?;
    recover(dir)?;
    if !adopt_is_ours(dir)? {
        return Err(WriteError::Foreign(vec![ADOPT.to_string()]));
    }
    if inspect(dir, ADOPT) != Entry::File {
        return Ok(false);
    }
    fs::remove_file(dir.join(ADOPT)).map_err(|e| io_err("remove", &dir.join(ADOPT), e))?;
    sync_dir(dir)?;
    Ok(true)
}

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

/// What is at a path below the output folder, looked at without following links.
#[derive(Debug, PartialEq, Eq)]
enum Entry {
    /// Nothing (and no component of the path is a link).
    Missing,
    File,
    Folder,
    /// A link, or a file where a folder should be, at this prefix of the path
    /// (relative to the output folder).
    Blocked(Blocked),
}

#[derive(Debug, PartialEq, Eq)]
enum Blocked {
    Link(String),
    NotFolder(String),
}

/// Looks at every component of `rel` below `dir`, from the top, with `symlink_metadata`.
fn inspect(dir: &Path, rel: &str) -> Entry {
    let parts: Vec<&str> = rel.split('/').collect();
    let mut at = dir.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let last = i + 1 == parts.len();
        let meta = match fs::symlink_metadata(&at) {
            Ok(m) => m,
            // Whatever is missing here, nothing further down exists either.
            Err(_) => return Entry::Missing,
        };
        let prefix = parts[..=i].join("/");
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&at)
                .map(|t| format!(" -> {}", t.display()))
                .unwrap_or_default();
            return Entry::Blocked(Blocked::Link(format!("{prefix}{target}")));
        }
        if last {
            return if meta.is_dir() {
                Entry::Folder
            } else {
                Entry::File
            };
        }
        if !meta.is_dir() {
            return Entry::Blocked(Blocked::NotFolder(prefix));
        }
    }
    Entry::Missing
}

/// A file's bytes, when the path holds a regular file reached without any link.
pub fn read_inside(dir: &Path, rel: &str) -> Option<Vec<u8>> {
    match inspect(dir, rel) {
        Entry::File => fs::read(dir.join(rel)).ok(),
        _ => None,
    }
}

/// Refuses when a link (or a file where a folder goes) is on the way to `rel`: checked
/// again right before each change, so that nothing is ever written through one.
fn ensure_clear(dir: &Path, rel: &str) -> Result<Entry, WriteError> {
    match inspect(dir, rel) {
        Entry::Blocked(Blocked::Link(l)) => Err(WriteError::Link(vec![l])),
        Entry::Blocked(Blocked::NotFolder(p)) => Err(WriteError::Foreign(vec![p])),
        e => Ok(e),
    }
}

/// Creates the folders above `rel`, one at a time, refusing any link on the way.
fn create_parents(dir: &Path, rel: &str) -> Result<(), WriteError> {
    let parts: Vec<&str> = rel.split('/').collect();
    for i in 1..parts.len() {
        let prefix = parts[..i].join("/");
        match ensure_clear(dir, &prefix)? {
            Entry::Folder => {}
            Entry::Missing => {
                let p = dir.join(&prefix);
                match fs::create_dir(&p) {
                    Ok(()) => {}
                    // Created meanwhile: look again.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        if ensure_clear(dir, &prefix)? != Entry::Folder {
                            return Err(WriteError::Foreign(vec![prefix]));
                        }
                    }
                    Err(e) => return Err(io_err("create", &p, e)),
                }
            }
            _ => return Err(WriteError::Foreign(vec![prefix])),
        }
    }
    Ok(())
}

/// The links on the way to any of `paths` (and to cellac's own bookkeeping files), as
/// `path -> target`, for `build --check`, which must not read through them either.
pub fn links<'a>(dir: &Path, paths: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let own = [MANIFEST, STAGING, JOURNAL, JOURNAL_TMP, LOCK, CACHE].map(String::from);
    let listed: Vec<String> = read_manifest(dir, MANIFEST).into_keys().collect();
    let mut out = BTreeSet::new();
    let paths: Vec<&String> = paths.into_iter().collect();
    for p in paths.into_iter().chain(&own).chain(&listed) {
        if let Entry::Blocked(Blocked::Link(l)) = inspect(dir, p) {
            out.insert(l);
        }
    }
    out.into_iter().collect()
}

/// A manifest path must stay inside the output folder.
fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// The inputs of a build, as one hash: what cellac is (its version, and its binary's
/// path, size and modification time, so that a rebuilt cellac never takes an old
/// folder for its own), where the stack is from the folder, and the stack's text.
/// `None` when the binary cannot be looked at: no shortcut then.
pub fn inputs(text: &str, stack_path: &str) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    let mut h = Sha256::new();
    for part in [
        env!("CARGO_PKG_VERSION").as_bytes(),
        exe.to_string_lossy().as_bytes(),
        meta.len().to_string().as_bytes(),
        modified.to_string().as_bytes(),
        stack_path.as_bytes(),
        text.as_bytes(),
    ] {
        h.update(part.len().to_le_bytes());
        h.update(part);
    }
    Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether the folder holds, untouched, what a build with these `inputs` wrote: the
/// cache names them and the manifest on disk, no swap is pending, and every file the
/// manifest lists is there (reached without a link) with its hash. Returns how many
/// files the manifest lists.
pub fn up_to_date(dir: &Path, inputs: &str) -> Option<usize> {
    for own in [STAGING, JOURNAL, JOURNAL_TMP] {
        if inspect(dir, own) != Entry::Missing {
            return None;
        }
    }
    let cache: Value = serde_json::from_slice(&read_inside(dir, CACHE)?).ok()?;
    let manifest = read_inside(dir, MANIFEST)?;
    if cache["inputs"].as_str() != Some(inputs)
        || cache["manifest"].as_str() != Some(sha256(&manifest).as_str())
    {
        return None;
    }
    let listed = manifest_files(&manifest);
    if listed.is_empty() {
        return None;
    }
    for (path, hash) in &listed {
        if sha256(&read_inside(dir, path)?) != *hash {
            return None;
        }
    }
    Some(listed.len())
}

/// Records `inputs` as those of the build that just wrote the folder (see
/// [`up_to_date`]). Best effort: a cache that cannot be written is no cache.
pub fn remember(dir: &Path, inputs: &str) {
    let Some(manifest) = read_inside(dir, MANIFEST) else {
        return;
    };
    if !matches!(inspect(dir, CACHE), Entry::Missing | Entry::File) {
        return;
    }
    let bytes = crate::emit::json_bytes(&json!({
        "//": "cellac's cache: which stack and which cellac built this folder. Safe to delete.",
        "inputs": inputs,
        "manifest": sha256(&manifest),
    }));
    // Created new (a file or link already there is never followed), then renamed.
    let tmp = dir.join(format!("{CACHE}.{}", std::process::id()));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| io::Write::write_all(&mut f, &bytes))
        .and_then(|()| fs::rename(&tmp, dir.join(CACHE)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
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

// ---------------------------------------------------------------- lock

/// The output folder's lock: held until dropped (or the process ends, whatever way).
pub struct Lock {
    #[cfg(unix)]
    file: fs::File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: a cellac waiting on this file sees, once it gets
        // it, that the path no longer names it, and starts again (see `lock`).
        let _ = fs::remove_file(&self.path);
        #[cfg(unix)]
        let _ = &self.file;
    }
}

/// How long a build waits for another to finish: `CELLAC_LOCK_TIMEOUT` seconds, 30 by
/// default.
pub fn lock_timeout() -> std::time::Duration {
    let secs = std::env::var("CELLAC_LOCK_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(30);
    std::time::Duration::from_secs(secs)
}

/// Takes the output folder's lock, waiting up to `wait` for another cellac to let it
/// go, then completes or rolls back an interrupted build ([`recover`]). The folder must
/// exist.
#[cfg(unix)]
pub fn lock(dir: &Path, wait: std::time::Duration) -> Result<Lock, WriteError> {
    use std::io::{Read, Seek, Write};
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let path = dir.join(LOCK);
    let start = std::time::Instant::now();
    loop {
        ensure_clear(dir, LOCK)?;
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            // (std opens with O_CLOEXEC already.)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| io_err("create", &path, e))?;
        // flock(LOCK_EX | LOCK_NB) on unix.
        if let Err(e) = file.try_lock() {
            if let fs::TryLockError::Error(e) = e {
                return Err(io_err("lock", &path, e));
            }
            if start.elapsed() >= wait {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(WriteError::Locked {
                    dir: dir.display().to_string(),
                    pid: text.trim().parse().ok(),
                    waited: wait,
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
            continue;
        }
        // The holder before us may have removed the file meanwhile: the lock must be on
        // the file the path names now.
        let same = match (file.metadata(), fs::symlink_metadata(&path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            continue;
        }
        // A fresh lock file is empty: truncating it anyway would make ext4 flush it when
        // it is closed (its replace-via-truncate heuristic), a millisecond per build.
        if file.metadata().map_or(true, |m| m.len() > 0) {
            let _ = file.set_len(0);
        }
        let _ = file.rewind();
        let _ = writeln!(file, "{}", std::process::id());
        let lock = Lock { file, path };
        recover(dir)?;
        return Ok(lock);
    }
}

/// Elsewhere, no lock (`File::try_lock` exists there too, but the check that the lock
/// is on the file the path still names needs the unix file identity): only the recovery.
#[cfg(not(unix))]
pub fn lock(dir: &Path, _wait: std::time::Duration) -> Result<Lock, WriteError> {
    recover(dir)?;
    Ok(Lock {
        path: dir.join(LOCK),
    })
}

// ---------------------------------------------------------------- journal

/// Every change a committed build makes, so that it can be completed.
#[derive(Debug, Default)]
struct Journal {
    /// (path, hash of the new content, hash of what it replaces, if anything)
    moves: Vec<(String, String, Option<String>)>,
    /// (path, hash of the content removed)
    removes: Vec<(String, String)>,
}

impl Journal {
    fn to_json(&self) -> Vec<u8> {
        let moves: Vec<Value> = self
            .moves
            .iter()
            .map(|(p, new, old)| json!({"path": p, "new": new, "old": old}))
            .collect();
        let removes: Vec<Value> = self
            .removes
            .iter()
            .map(|(p, h)| json!({"path": p, "old": h}))
            .collect();
        crate::emit::json_bytes(&json!({"version": 1, "moves": moves, "removes": removes}))
    }

    fn from_json(bytes: &[u8]) -> Option<Journal> {
        let v: Value = serde_json::from_slice(bytes).ok()?;
        let s = |v: &Value| v.as_str().map(String::from);
        let mut j = Journal::default();
        for m in v["moves"].as_array()? {
            let path = s(&m["path"]).filter(|p| p == MANIFEST || is_safe(p))?;
            j.moves.push((path, s(&m["new"])?, s(&m["old"])));
        }
        for r in v["removes"].as_array()? {
            j.removes
                .push((s(&r["path"]).filter(|p| is_safe(p))?, s(&r["old"])?));
        }
        Some(j)
    }
}

/// The test hook: abort right after the Nth rename (see the module's documentation).
fn renamed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;
    static ABORT_AFTER: OnceLock<Option<usize>> = OnceLock::new();
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let after = ABORT_AFTER.get_or_init(|| {
        std::env::var("CELLAC_TEST_ABORT_AFTER_RENAME")
            .ok()
            .and_then(|n| n.parse().ok())
    });
    if let Some(n) = after {
        if COUNT.fetch_add(1, Ordering::SeqCst) + 1 == *n {
            std::process::abort();
        }
    }
}

fn sync_dir(p: &Path) -> Result<(), WriteError> {
    fs::File::open(p)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err("sync", p, e))
}

/// Writes a file without waiting for the disk; [`sync_together`] flushes it.
fn write_unsynced(p: &Path, bytes: &[u8]) -> Result<fs::File, WriteError> {
    use std::io::Write;
    let mut f = fs::File::create(p).map_err(|e| io_err("write", p, e))?;
    f.write_all(bytes).map_err(|e| io_err("write", p, e))?;
    Ok(f)
}

/// How many flushes run at once, at most.
const SYNC_THREADS: usize = 16;

/// Flushes files (their data: `fdatasync`) and folders (their entries: `fsync`) to the
/// disk, all at once, and returns when every one is durable.
///
/// Why at once: a build used to flush each staged file, each folder and the journal one
/// after the other, about a dozen flushes for a four-file change, each waiting for its own
/// commit of the file system's journal (2 to 10 ms each on this project's machines, much
/// more under load). Issued together from several threads, the file system commits them
/// in one or a few transactions (ext4's and XFS's group commit), and the build waits for
/// three rounds (staged data, the journal's commit, the renames) instead of a dozen
/// flushes. The guarantee is the same: each round returns only when all of its flushes
/// have, and the next round starts after. `syncfs` would take one call, but flushes every
/// dirty page of the file system, other programs' too: its time is not the build's to
/// spend.
fn sync_together(
    files: Vec<(PathBuf, fs::File)>,
    folders: impl IntoIterator<Item = PathBuf>,
) -> Result<(), WriteError> {
    let jobs: Vec<Job> = files
        .into_iter()
        .map(|(p, f)| Job::File(p, f))
        .chain(folders.into_iter().map(Job::Folder))
        .collect();
    if jobs.len() <= 1 {
        return jobs.into_iter().try_for_each(Job::run);
    }
    let per = jobs.len().div_ceil(SYNC_THREADS);
    let mut chunks: Vec<Vec<Job>> = Vec::new();
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() {
        chunks.push(jobs.by_ref().take(per).collect());
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                // A thread that cannot start fails the build before its commit (round 1)
                // or before the journal goes (round 3): `recover` takes it from there.
                std::thread::Builder::new()
                    .spawn_scoped(s, move || chunk.into_iter().try_for_each(Job::run))
                    .map_err(|e| {
                        WriteError::Io(format!("cannot start a thread to flush files: {e}"))
                    })
            })
            .collect();
        let mut first = Ok(());
        for h in handles {
            let r = h.and_then(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(WriteError::Io("a flush failed".to_string())))
            });
            if first.is_ok() {
                first = r;
            }
        }
        first
    })
}

/// One flush of [`sync_together`].
enum Job {
    File(PathBuf, fs::File),
    Folder(PathBuf),
}

impl Job {
    fn run(self) -> Result<(), WriteError> {
        match self {
            Job::File(p, f) => f.sync_data().map_err(|e| io_err("write", &p, e)),
            Job::Folder(p) => sync_dir(&p),
        }
    }
}

/// The hash of the regular file at `rel`, if there is one (reached without links).
fn hash_at(dir: &Path, rel: &str) -> Option<String> {
    read_inside(dir, rel).map(|b| sha256(&b))
}

/// Completes a build whose journal was committed, or clears one that was not: called
/// before anything else looks at the folder. A no-op when there is no journal.
pub fn recover(dir: &Path) -> Result<(), WriteError> {
    ensure_clear(dir, JOURNAL_TMP)?;
    if inspect(dir, JOURNAL_TMP) == Entry::File {
        // Not committed: nothing in the tree was changed.
        let p = dir.join(JOURNAL_TMP);
        fs::remove_file(&p).map_err(|e| io_err("remove", &p, e))?;
    }
    if ensure_clear(dir, JOURNAL)? != Entry::File {
        return Ok(());
    }
    let path = dir.join(JOURNAL);
    let bytes = fs::read(&path).map_err(|e| io_err("read", &path, e))?;
    let journal = Journal::from_json(&bytes).ok_or_else(|| {
        WriteError::Io(format!(
            "cannot read {}: it is not a journal cellac wrote; move it away if you know the folder is whole",
            path.display()
        ))
    })?;
    apply(dir, &journal)
}

/// Renames a staged file into place, unless it was already, or the file there changed
/// since the journal was written.
fn move_into_place(
    dir: &Path,
    path: &str,
    new: &str,
    old: &Option<String>,
    touched: &mut BTreeSet<PathBuf>,
) -> Result<(), WriteError> {
    let staged = |rel: &str| format!("{STAGING}/{rel}");
    if ensure_clear(dir, &staged(path))? != Entry::File {
        return Ok(()); // already moved
    }
    create_parents(dir, path)?;
    match ensure_clear(dir, path)? {
        Entry::Folder => return Err(WriteError::Foreign(vec![path.to_string()])),
        Entry::File => {
            let now = hash_at(dir, path);
            // Changed by someone since the journal was written: left as it is, and
            // the next build calls it edited.
            if now.as_deref() != Some(new) && now != *old {
                return Ok(());
            }
        }
        _ => {}
    }
    let (from, to) = (dir.join(staged(path)), dir.join(path));
    #[cfg(unix)]
    if is_script(&to) {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(&from, fs::Permissions::from_mode(0o755));
    }
    fs::rename(&from, &to).map_err(|e| io_err("replace", &to, e))?;
    renamed();
    if let Some(parent) = to.parent() {
        touched.insert(parent.to_path_buf());
    }
    Ok(())
}

/// Carries out a committed journal; every step can be run again.
fn apply(dir: &Path, journal: &Journal) -> Result<(), WriteError> {
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    touched.insert(dir.to_path_buf());
    let (manifest_move, file_moves): (Vec<_>, Vec<_>) =
        journal.moves.iter().partition(|(p, _, _)| p == MANIFEST);
    for (path, new, old) in file_moves {
        move_into_place(dir, path, new, old, &mut touched)?;
    }
    for (path, hash) in &journal.removes {
        if ensure_clear(dir, path)? != Entry::File || hash_at(dir, path).as_ref() != Some(hash) {
            continue;
        }
        let p = dir.join(path);
        fs::remove_file(&p).map_err(|e| io_err("remove", &p, e))?;
        // Remove folders left empty (never the output folder itself, never through a link).
        let parts: Vec<&str> = path.split('/').collect();
        for i in (1..parts.len()).rev() {
            let prefix = parts[..i].join("/");
            if inspect(dir, &prefix) != Entry::Folder || fs::remove_dir(dir.join(&prefix)).is_err()
            {
                touched.insert(dir.join(&prefix));
                break;
            }
        }
        if let Some(parent) = p.parent() {
            touched.insert(parent.to_path_buf());
        }
    }
    for (path, new, old) in manifest_move {
        move_into_place(dir, path, new, old, &mut touched)?;
    }
    // Round 3: every renamed entry is durable before the journal goes, flushed at once.
    // The journal's removal itself is not waited for: a journal that comes back after a
    // crash is carried out again by `recover`, which finds every step done (each move
    // skips a staged file that is gone, each removal a file that is gone or changed).
    sync_together(Vec::new(), touched.into_iter().filter(|d| d.is_dir()))?;
    let journal = dir.join(JOURNAL);
    fs::remove_file(&journal).map_err(|e| io_err("remove", &journal, e))?;
    if ensure_clear(dir, STAGING)? != Entry::Missing {
        let staging = dir.join(STAGING);
        fs::remove_dir_all(&staging).map_err(|e| io_err("clean up", &staging, e))?;
    }
    Ok(())
}

fn is_script(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "sh")
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
