//! The build cache (`.cellac-cache`): an up-to-date folder skips emitting.

use super::*;
/// What cellac is, as one hash: its version, and its binary's path, size and
/// modification time, so that a rebuilt cellac never takes an old folder (or old
/// rendered scripts) for its own. `None` when the binary cannot be looked at.
fn identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = fs::metadata(&exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(hash_parts(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        exe.to_string_lossy().as_bytes(),
        meta.len().to_string().as_bytes(),
        modified.to_string().as_bytes(),
    ]))
}

/// SHA-256 (hex) of `parts`, each preceded by its length so that no two lists of
/// parts hash alike.
fn hash_parts(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.len().to_le_bytes());
        h.update(part);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The inputs of a build, as one hash: what cellac is ([`identity`]), where the stack
/// is from the folder, and the stack's text. `None` when the binary cannot be looked
/// at: no shortcut then.
pub fn inputs(text: &str, stack_path: &str) -> Option<String> {
    Some(hash_parts(&[
        identity()?.as_bytes(),
        stack_path.as_bytes(),
        text.as_bytes(),
    ]))
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
/// [`up_to_date`]), and what its templates rendered (`renders`: each group's data
/// fingerprint and files, with the hashes the manifest gives them; see [`earlier`]).
/// Best effort: a cache that cannot be written is no cache.
pub fn remember(dir: &Path, inputs: &str, renders: &crate::emit::Renders) {
    let Some(manifest) = read_inside(dir, MANIFEST) else {
        return;
    };
    if !matches!(inspect(dir, CACHE), Entry::Missing | Entry::File) {
        return;
    }
    let listed = manifest_files(&manifest);
    let groups: Map<String, Value> = renders
        .iter()
        .filter_map(|(group, r)| {
            // A group whose every file the manifest lists (a build with `--env` may
            // leave some out): the hashes come from it.
            let files: Map<String, Value> = r
                .paths
                .iter()
                .map(|p| Some((p.clone(), json!(listed.get(p)?))))
                .collect::<Option<_>>()?;
            Some((
                group.clone(),
                json!({ "fingerprint": r.fingerprint, "files": files }),
            ))
        })
        .collect();
    let bytes = crate::emit::json_bytes(&json!({
        "//": "cellac's cache: which stack and which cellac built this folder. Safe to delete.",
        "inputs": inputs,
        "manifest": sha256(&manifest),
        "cellac": identity(),
        "renders": groups,
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

/// The rendered files an earlier build left in `dir`, for [`crate::emit::emit_reusing`]:
/// given a group and a data fingerprint, the group's files when the cache was written
/// by this same cellac ([`identity`]), names that fingerprint for the group, and every
/// file of the group is in the folder (reached without a link) with the hash the cache
/// recorded. So a reused file is byte for byte what this cellac rendered from the same
/// data; anything else (no cache, another cellac, an edited script) renders.
pub fn earlier(dir: &Path) -> impl Fn(&str, &str) -> Option<BTreeMap<String, Vec<u8>>> + '_ {
    let cache: Option<Value> = read_inside(dir, CACHE)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|c: &Value| {
            c["cellac"]
                .as_str()
                .is_some_and(|i| Some(i) == identity().as_deref())
        });
    move |group: &str, fingerprint: &str| {
        let g = &cache.as_ref()?["renders"][group];
        if g["fingerprint"].as_str()? != fingerprint {
            return None;
        }
        g["files"]
            .as_object()?
            .iter()
            .map(|(path, hash)| {
                if !is_safe(path) {
                    return None;
                }
                let bytes = read_inside(dir, path)?;
                (sha256(&bytes) == hash.as_str()?).then(|| (path.clone(), bytes))
            })
            .collect()
    }
}
