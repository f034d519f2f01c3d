//! Support shared by the integration tests (`mod common;`) and the benchmarks
//! (`#[path = "../tests/common/mod.rs"] mod common;`): scratch folders here; synthetic
//! stacks in `gen`, a language-server client in `lsp`, and the fuzz targets' invariants
//! in `invariants` (the fuzz targets include that file alone).
//!
//! Each test binary uses a part of it, so what one leaves unused is not an error.
#![allow(dead_code)]

pub mod gen;
pub mod invariants;
pub mod lsp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `cellac` binary of this build.
pub const BIN: &str = env!("CARGO_BIN_EXE_cellac");

/// Runs `cellac ARGS` in `cwd`, without colour.
pub fn cellac_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("cellac runs")
}

/// Runs `cellac ARGS` at the repository's root, without colour.
pub fn cellac(args: &[&str]) -> Output {
    cellac_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// The stack file of examples/NAME.
pub fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("stack.kdl");
    std::fs::read_to_string(path).unwrap()
}

/// A fresh, empty folder under the system's temporary folder, by its canonical path:
/// `cellac-NAME-PID-N` (N counts this process's folders), so that tests, test modules
/// and processes running at once never share one, even when two ask for the same NAME. Left behind for a look after a failure; see [`Scratch`] for one that is not.
pub fn scratch(name: &str) -> PathBuf {
    scratch_in(&std::env::temp_dir(), name)
}

/// [`scratch`] under `parent`.
pub fn scratch_in(parent: &Path, name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = parent.join(format!("cellac-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// A [`scratch`] folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        Scratch(scratch(name))
    }

    pub fn within(parent: &Path, name: &str) -> Scratch {
        Scratch(scratch_in(parent, name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file and folder under `dir` (a folder as `path/`, with no content), by relative
/// path with `/` separators; nothing when `dir` does not exist.
pub fn read_entries(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// Every file under `dir`, by relative path with `/` separators.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut entries = read_entries(dir);
    entries.retain(|path, _| !path.ends_with('/'));
    entries
}
