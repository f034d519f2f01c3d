//! Secrets files for `check`: one reader for `--secrets FILE` and the files of
//! `--secrets-dir DIR`, whose text is never shown but masked.

use super::error::CliError;
use super::input::{read, Input};
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// Reads a secrets file: standard input like a stack file ([`read`]), a path by the one
/// reader of secrets files ([`crate::textfile::read_secrets_file`]: a regular file of at
/// most 1 MiB, as the language server reads it). An error shows none of its text: a
/// secrets file only ever appears masked.
pub(super) fn read_secrets(path: &Path) -> Result<Input, CliError> {
    use crate::textfile::ReadError;
    if path.as_os_str() == "-" {
        return read(path).map_err(|e| match e {
            CliError::File(mut f) => {
                f.input.text.clear();
                f.diagnostic.labels.clear();
                CliError::File(f)
            }
            usage => usage,
        });
    }
    let name = path.display().to_string();
    match crate::textfile::read_secrets_file(path) {
        Ok(text) => Ok(Input { name, text }),
        Err(e) => {
            let d = match &e {
                ReadError::NotUtf8 { line } => Diagnostic::error(
                    "cellac::io::encoding",
                    format!("{name} is not UTF-8 text: line {line}"),
                )
                .help("save the file as UTF-8"),
                _ => Diagnostic::error("cellac::io::read", format!("cannot read {name}: {e}"))
                    .help("give the path of a regular file of `name = \"value\"` lines or JSON, at most 1 MiB"),
            };
            Err(CliError::named(d, name))
        }
    }
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
    // Every file's text, kept to compute what to hide once, for every value of it.
    let mut texts: Vec<(String, Vec<crate::check::secrets_file::Entry>)> = Vec::new();
    let mut load = |path: &Path| -> Option<Vec<crate::check::secrets_file::Entry>> {
        // A file that cannot be read counts as no values (`--secrets FILE` reports why).
        let text = crate::textfile::read_secrets_file(path).ok()?;
        let entries = parse(&text, &mut Vec::new());
        texts.push((text, entries.clone()));
        Some(entries)
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
    for (stack, (_, path, own)) in checked.envs.iter().zip(&loaded) {
        for secret in &stack.secrets {
            let name = &secret.name.value;
            let (entry, file) = match (pick(own.as_deref(), name), pick(shared.as_deref(), name)) {
                (Some(e), _) => (e, path.as_str()),
                (None, Some(e)) => (e, shared_name.as_str()),
                (None, None) => continue,
            };
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
    let values = texts
        .iter()
        .flat_map(|(text, entries)| crate::check::secrets_file::values_to_hide(text, entries));
    crate::credential::scrub(&mut out, values);
    checked.diagnostics.extend(out);
    crate::diagnostic::sort_and_dedup(&mut checked.diagnostics);
}
