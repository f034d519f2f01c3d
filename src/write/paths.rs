//! Paths below the output folder, looked at without following links.

use super::*;
/// What is at a path below the output folder, looked at without following links.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// Nothing (and no component of the path is a link).
    Missing,
    File,
    Folder,
    /// A link, or a file where a folder should be, at this prefix of the path
    /// (relative to the output folder).
    Blocked(Blocked),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Blocked {
    Link(String),
    NotFolder(String),
}

/// Looks at every component of `rel` below `dir`, from the top, with `symlink_metadata`.
pub(super) fn inspect(dir: &Path, rel: &str) -> Entry {
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
pub(super) fn ensure_clear(dir: &Path, rel: &str) -> Result<Entry, WriteError> {
    match inspect(dir, rel) {
        Entry::Blocked(Blocked::Link(l)) => Err(WriteError::Link(vec![l])),
        Entry::Blocked(Blocked::NotFolder(p)) => Err(WriteError::Foreign(vec![p])),
        e => Ok(e),
    }
}

/// Creates the folders above `rel`, one at a time, refusing any link on the way.
pub(super) fn create_parents(dir: &Path, rel: &str) -> Result<(), WriteError> {
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
pub(super) fn is_safe(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}
