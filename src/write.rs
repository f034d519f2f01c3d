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

/// The files a manifest lists, with their hashes.
fn read_manifest(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
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

/// Compares the folder with the files a build would write (for `build --check`).
pub fn drift(dir: &Path, files: &Artifacts, stack_path: &str) -> Drift {
    let mut d = Drift::default();
    let mut all = files.clone();
    all.insert(MANIFEST.into(), manifest(files, stack_path));
    for (path, bytes) in &all {
        match fs::read(dir.join(path)) {
            Err(_) => d.missing.push(path.clone()),
            Ok(on_disk) if &on_disk != bytes => d.stale.push(path.clone()),
            Ok(_) => {}
        }
    }
    for path in read_manifest(&dir.join(MANIFEST)).keys() {
        if !files.contains_key(path) && dir.join(path).exists() {
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
    let old = read_manifest(&dir.join(MANIFEST));
    let pending = read_manifest(&dir.join(STAGING).join(MANIFEST));
    let known = |path: &str, bytes: &[u8]| {
        let h = sha256(bytes);
        old.get(path) == Some(&h) || pending.get(path) == Some(&h)
    };
    let mut edited = Vec::new();
    let mut foreign = Vec::new();
    for (path, bytes) in files {
        let target = dir.join(path);
        match fs::read(&target) {
            Err(_) => {
                if target.is_dir() {
                    foreign.push(path.clone());
                }
            }
            Ok(on_disk) if &on_disk == bytes => {}
            Ok(on_disk) => {
                if known(path, &on_disk) {
                    continue;
                }
                if old.contains_key(path) || pending.contains_key(path) {
                    edited.push(path.clone());
                } else {
                    foreign.push(path.clone());
                }
            }
        }
    }
    let removed: Vec<String> = old
        .keys()
        .filter(|p| !files.contains_key(*p))
        .filter(|p| dir.join(p).is_file())
        .cloned()
        .collect();
    for path in &removed {
        if let Ok(on_disk) = fs::read(dir.join(path)) {
            if !known(path, &on_disk) {
                edited.push(path.clone());
            }
        }
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
    // Nothing to change: touch nothing, not even the manifest.
    let unchanged = |path: &Path, bytes: &[u8]| fs::read(path).is_ok_and(|b| b == bytes);
    if removed.is_empty()
        && !staging.exists()
        && unchanged(&dir.join(MANIFEST), &new_manifest)
        && files.iter().all(|(p, b)| unchanged(&dir.join(p), b))
    {
        return Ok(removed);
    }
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| io_err("clear", &staging, e))?;
    }
    let staged = |rel: &str, bytes: &[u8]| -> Result<PathBuf, WriteError> {
        let p = staging.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
        }
        fs::write(&p, bytes).map_err(|e| io_err("write", &p, e))?;
        Ok(p)
    };
    let mut moves = Vec::new();
    for (path, bytes) in files {
        let on_disk = fs::read(dir.join(path)).ok();
        if on_disk.as_deref() != Some(bytes.as_slice()) {
            moves.push((staged(path, bytes)?, dir.join(path)));
        }
    }
    let staged_manifest = staged(MANIFEST, &new_manifest)?;
    // Swap each file into place.
    for (from, to) in &moves {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
        }
        #[cfg(unix)]
        if is_script(to) {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(from, fs::Permissions::from_mode(0o755));
        }
        fs::rename(from, to).map_err(|e| io_err("replace", to, e))?;
    }
    for path in &removed {
        let p = dir.join(path);
        fs::remove_file(&p).map_err(|e| io_err("remove", &p, e))?;
        // Remove folders left empty (never the output folder itself).
        let mut parent = p.parent();
        while let Some(d) = parent {
            if d == dir || fs::remove_dir(d).is_err() {
                break;
            }
            parent = d.parent();
        }
    }
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
    read_manifest(&dir.join(MANIFEST)).into_keys().collect()
}

/// A unified diff between what is on disk and what a build would write.
pub fn diff(dir: &Path, files: &Artifacts, stack_path: &str) -> String {
    let mut all = files.clone();
    all.insert(MANIFEST.into(), manifest(files, stack_path));
    let mut out = String::new();
    let d = drift(dir, files, stack_path);
    for path in d.missing.iter().chain(&d.stale) {
        let old = fs::read(dir.join(path))
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
        let old = fs::read(dir.join(path))
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
