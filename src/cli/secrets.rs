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

/// The last readable entry for `name`.
fn pick<'a>(
    entries: Option<&'a [crate::check::secrets_file::Entry]>,
    name: &str,
) -> Option<&'a crate::check::secrets_file::Entry> {
    entries?.iter().rev().find(|x| x.key == name && x.readable)
}

/// `check --secrets-dir DIR`: reads `DIR/secrets.auto.tfvars` and each environment's
/// `DIR/secrets/ENV.tfvars` (a missing file is no values), checks per-environment
/// secrets across them and every value an environment would deploy by the rules of
/// `--secrets` (issue 22: it checked none). The files' own syntax is checked by `--secrets FILE`; values
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
    // Every value an environment would deploy (its own file's, else the shared file's),
    // by the same rules as `--secrets`, with that environment's rules for the secret.
    // Diagnostics point at the secret's declaration and name the file, never the value.
    let mut values: Vec<String> = Vec::new();
    for (stack, (_, path, own)) in checked.envs.iter().zip(&loaded) {
        for secret in &stack.secrets {
            let name = &secret.name.value;
            let (entry, file) = match (pick(own.as_deref(), name), pick(shared.as_deref(), name)) {
                (Some(e), _) => (e, path.as_str()),
                (None, Some(e)) => (e, shared_name.as_str()),
                (None, None) => continue,
            };
            values.push(entry.value.clone());
            let env = &stack.env.value;
            let at = |code: &'static str, message: String, label: &str, help: String| {
                Diagnostic::error(code, message)
                    .at(secret.name.span, format!("{label} (in {file})"))
                    .help(help)
            };
            crate::check::secrets_file::check_value(
                secret,
                &entry.value,
                &format!("the value of `{name}` for environment `{env}` ({file})"),
                &at,
                &mut out,
            );
        }
    }
    crate::credential::scrub(&mut out, values.iter().map(String::as_str));
    checked.diagnostics.extend(out);
    crate::diagnostic::sort_and_dedup(&mut checked.diagnostics);
}
