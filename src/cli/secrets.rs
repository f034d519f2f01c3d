//! Secrets files for `check`: one reader for `--secrets FILE` and the files of
//! `--secrets-dir DIR`, whose text is never shown but masked.

use super::{read, Input};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// The largest file `--secrets-dir` reads; a larger one counts as no values.
const MAX_DIR_FILE: u64 = 1 << 20;

/// Reads a secrets file like a stack file ([`read`]), except that an error shows none of
/// its text: a secrets file only ever appears masked.
pub(super) fn read_secrets(path: &Path) -> Result<Input, Box<(Diagnostic, Input)>> {
    read(path).map_err(|e| {
        let (d, mut input) = *e;
        input.text.clear();
        let d = Diagnostic {
            labels: Vec::new(),
            ..d
        };
        Box::new((d, input))
    })
}

/// `check --secrets-dir DIR`: reads `DIR/secrets.auto.tfvars` and each environment's
/// `DIR/secrets/ENV.tfvars` (a missing file is no values), and checks per-environment
/// secrets across them. The files' own syntax is checked by `--secrets FILE`; values
/// never reach a diagnostic.
pub(super) fn secrets_dir(checked: &mut crate::Checked, dir: &Path) {
    use crate::check::secret::per_environment::EnvFile;
    use crate::check::secrets_file::parse;
    let load = |path: &Path| -> Option<Vec<crate::check::secrets_file::Entry>> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_DIR_FILE {
            return None;
        }
        let input = read_secrets(path).ok()?;
        Some(parse(&input.text, &mut Vec::new()))
    };
    let shared_path = dir.join("secrets.auto.tfvars");
    let shared = load(&shared_path);
    let shared_name = shared_path.display().to_string();
    let envs: Vec<String> = checked.envs.iter().map(|e| e.env.value.clone()).collect();
    let loaded: Vec<(String, String, Option<Vec<_>>)> = envs
        .iter()
        .map(|env| {
            let path = dir.join("secrets").join(format!("{env}.tfvars"));
            (env.clone(), path.display().to_string(), load(&path))
        })
        .collect();
    let files: Vec<EnvFile> = loaded
        .iter()
        .map(|(env, path, entries)| EnvFile {
            env,
            path,
            entries: entries.as_deref(),
        })
        .collect();
    let mut out = Vec::new();
    crate::check::secret::per_environment::check(
        &checked.envs,
        shared.as_deref().map(|e| (shared_name.as_str(), e)),
        &files,
        &mut out,
    );
    checked.diagnostics.extend(out);
    crate::diagnostic::sort_and_dedup(&mut checked.diagnostics);
}
