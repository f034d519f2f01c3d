//! The build cache (`.cellac-cache`): an up-to-date folder skips emitting.

use super::*;
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
