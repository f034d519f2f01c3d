//! Files the language server reads from disk (the secrets file beside a stack), through
//! the one secrets-file reader, cached by modification time and size.

use std::collections::HashMap;
use std::path::PathBuf;

/// A file read from disk, kept until its modification time or size changes.
pub(super) struct DiskFile {
    key: (Option<std::time::SystemTime>, u64, bool),
    text: Option<String>,
}

/// Reads a regular file of at most `MAX_SECRETS_FILE` bytes, from `cache` when its
/// modification time and size did not change. Refusals are logged once per change.
pub(super) fn read_regular(
    path: &std::path::Path,
    cache: &mut HashMap<PathBuf, DiskFile>,
) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let key = (meta.modified().ok(), meta.len(), meta.is_file());
    if let Some(f) = cache.get(path).filter(|f| f.key == key) {
        return f.text.clone();
    }
    let text = match crate::textfile::read_secrets_file(path) {
        Ok(text) => Some(text),
        Err(why) => {
            eprintln!("cellac lsp: {} not read: {why}", path.display());
            None
        }
    };
    cache.insert(
        path.to_path_buf(),
        DiskFile {
            key,
            text: text.clone(),
        },
    );
    text
}
