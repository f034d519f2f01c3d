//! The output folder's lock: one cellac at a time.

use super::*;
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
