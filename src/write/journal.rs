//! The journal of a committed build, the flushes that make it durable, and recovery.

use super::*;
/// Every change a committed build makes, so that it can be completed.
#[derive(Debug, Default)]
pub(super) struct Journal {
    /// (path, hash of the new content, hash of what it replaces, if anything)
    pub(super) moves: Vec<(String, String, Option<String>)>,
    /// (path, hash of the content removed)
    pub(super) removes: Vec<(String, String)>,
}

impl Journal {
    pub(super) fn to_json(&self) -> Vec<u8> {
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
pub(super) fn renamed() {
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

pub(super) fn sync_dir(p: &Path) -> Result<(), WriteError> {
    fs::File::open(p)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_err("sync", p, e))
}

/// Writes a file without waiting for the disk; [`sync_together`] flushes it.
pub(super) fn write_unsynced(p: &Path, bytes: &[u8]) -> Result<fs::File, WriteError> {
    use std::io::Write;
    let mut f = fs::File::create(p).map_err(|e| io_err("write", p, e))?;
    f.write_all(bytes).map_err(|e| io_err("write", p, e))?;
    Ok(f)
}

/// How many flushes run at once, at most.
pub(super) const SYNC_THREADS: usize = 16;

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
pub(super) fn sync_together(
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
pub(super) enum Job {
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
pub(super) fn hash_at(dir: &Path, rel: &str) -> Option<String> {
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
pub(super) fn move_into_place(
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
pub(super) fn apply(dir: &Path, journal: &Journal) -> Result<(), WriteError> {
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

pub(super) fn is_script(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "sh")
}
