//! `adopt.tf.json`: the one file in the output folder that `cellac adopt` writes and
//! removes, never a build (it is not in the manifest).

use super::*;

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
