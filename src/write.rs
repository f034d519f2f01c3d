//! Writing the output tree without losing anything.
//!
//! - A manifest (`.cellac-manifest.json`) records every file cellac generated, with
//!   its SHA-256. Only those files are ever replaced or removed.
//! - A generated file whose content no longer matches its hash was edited by hand:
//!   the build refuses to overwrite it unless forced.
//! - A file cellac did not generate is never touched; a build that would write over
//!   one refuses.
//! - New content is staged first (`.cellac-staging/`), then each file is renamed into
//!   place (an atomic step per file), then stale generated files are removed, then the
//!   new manifest replaces the old one. A build interrupted mid-way leaves the staged
//!   manifest behind, and the next build accepts files matching either manifest.
//! - Nothing is created, replaced, read as ours or removed through a symbolic link: every
//!   component of every path below the output folder is looked at with `symlink_metadata`
//!   (and looked at again just before it is changed); a link anywhere on the way makes
//!   the build refuse, naming it. The output folder itself may be a link: the user named it.

use crate::emit::Artifacts;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = ".cellac-manifest.json";
const STAGING: &str = ".cellac-staging";

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
    Io(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Edited(files) => write!(
                f,
                "generated files were edited by hand: {}\n  help: move your changes into the stack file, or run with --force to overwrite them",
                files.join(", ")
            ),
            WriteError::Foreign(files) => write!(
                f,
                "files that cellac did not generate are in the way: {}\n  help: move or rename them; cellac never overwrites a file it did not write",
                files.join(", ")
            ),
            WriteError::Link(links) => write!(
                f,
                "symbolic links in the output folder, where cellac would write: {}\n  help: cellac never writes, replaces or removes anything through a link (it could land outside the output folder); replace each link with a real folder or file, or build into another folder",
                links.join(", ")
            ),
            WriteError::Io(e) => f.write_str(e),
        }
    }
}

fn io_err(what: &str, path: &Path, e: io::Error) -> WriteError {
    WriteError::Io(format!("cannot {what} {}: {e}", path.display()))
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
    let Some(bytes) = read_inside(dir, rel) else {
        return BTreeMap::new();
    };
    let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
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
    let own = [MANIFEST.to_string(), STAGING.to_string()];
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
    let mut links = BTreeSet::new();
    let mut foreign = Vec::new();
    let mut blocked = |e: &Entry, foreign: &mut Vec<String>| match e {
        Entry::Blocked(Blocked::Link(l)) => {
            links.insert(l.clone());
        }
        Entry::Blocked(Blocked::NotFolder(p)) => foreign.push(p.clone()),
        _ => {}
    };
    for own in [MANIFEST, STAGING] {
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
    let unchanged = |path: &str, bytes: &[u8]| on_disk.get(path) == Some(&Some(bytes.to_vec()));
    if removed.is_empty()
        && !staging_exists
        && read_inside(dir, MANIFEST).as_deref() == Some(new_manifest.as_slice())
        && files.iter().all(|(p, b)| unchanged(p, b))
    {
        return Ok(removed);
    }
    if staging_exists {
        ensure_clear(dir, STAGING)?;
        fs::remove_dir_all(&staging).map_err(|e| io_err("clear", &staging, e))?;
    }
    let staged = |rel: &str, bytes: &[u8]| -> Result<PathBuf, WriteError> {
        let inner = format!("{STAGING}/{rel}");
        create_parents(dir, &inner)?;
        let p = dir.join(&inner);
        fs::write(&p, bytes).map_err(|e| io_err("write", &p, e))?;
        Ok(p)
    };
    let mut moves = Vec::new();
    for (path, bytes) in files {
        if !unchanged(path, bytes) {
            moves.push((staged(path, bytes)?, path));
        }
    }
    let staged_manifest = staged(MANIFEST, &new_manifest)?;
    // Swap each file into place, looking at the way there again first.
    for (from, path) in &moves {
        create_parents(dir, path)?;
        if let Entry::Folder = ensure_clear(dir, path)? {
            return Err(WriteError::Foreign(vec![path.to_string()]));
        }
        let to = dir.join(path);
        #[cfg(unix)]
        if is_script(&to) {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(from, fs::Permissions::from_mode(0o755));
        }
        fs::rename(from, &to).map_err(|e| io_err("replace", &to, e))?;
    }
    for path in &removed {
        if ensure_clear(dir, path)? != Entry::File {
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
                break;
            }
        }
    }
    ensure_clear(dir, MANIFEST)?;
    fs::rename(&staged_manifest, dir.join(MANIFEST))
        .map_err(|e| io_err("replace", &dir.join(MANIFEST), e))?;
    fs::remove_dir_all(&staging).map_err(|e| io_err("clean up", &staging, e))?;
    Ok(removed)
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
