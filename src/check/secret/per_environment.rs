//! `cellac::secret::per-environment`: with `check --secrets-dir DIR`, every environment
//! gives its own value for each `per-environment=#true` secret, in `DIR/secrets/ENV.tfvars`,
//! and no two environments' files hold the same value for it. Values are compared, never
//! shown: a diagnostic names the secret, the environments and the files.

use crate::check::secrets_file::Entry;
use crate::diagnostic::Diagnostic;
use crate::model::Stack;

/// One environment's secrets file: its name as shown, and its entries (None: no file).
pub struct EnvFile<'a> {
    pub env: &'a str,
    pub path: &'a str,
    pub entries: Option<&'a [Entry]>,
}

pub fn check(
    envs: &[Stack],
    shared: Option<(&str, &[Entry])>,
    files: &[EnvFile],
    out: &mut Vec<Diagnostic>,
) {
    let Some(stack) = envs.first() else {
        return;
    };
    for secret in stack.secrets.iter().filter(|s| s.per_environment) {
        let name = &secret.name.value;
        let own = |f: &EnvFile| -> Option<String> {
            f.entries?
                .iter()
                .rev()
                .find(|e| e.key == *name && e.readable)
                .map(|e| e.value.clone())
        };
        let mut seen: Vec<(String, &str)> = Vec::new();
        for f in files {
            match own(f) {
                None => {
                    let from_shared = shared.is_some_and(|(_, e)| e.iter().any(|e| e.key == *name));
                    let why = if from_shared {
                        format!(
                            "it would take the shared value in {}",
                            shared.map_or("", |(p, _)| p)
                        )
                    } else {
                        "it has no value at all".to_string()
                    };
                    out.push(
                        Diagnostic::error(
                            "cellac::secret::per-environment",
                            format!(
                                "environment `{}` has no value of its own for `{name}` in {}: {why}",
                                f.env, f.path
                            ),
                        )
                        .at(secret.name.span, "declared per-environment=#true")
                        .help(format!(
                            "add `{name} = \"...\"` to {} (see its .example), with a value no other environment uses",
                            f.path
                        )),
                    );
                }
                Some(value) => {
                    if let Some((_, other)) = seen.iter().find(|(v, _)| *v == value) {
                        out.push(
                            Diagnostic::error(
                                "cellac::secret::per-environment",
                                format!(
                                    "environments `{other}` and `{}` hold the same value for `{name}`",
                                    f.env
                                ),
                            )
                            .at(secret.name.span, "declared per-environment=#true")
                            .help(format!(
                                "give `{}` a value of its own in {}",
                                f.env, f.path
                            )),
                        );
                    } else {
                        seen.push((value, f.env));
                    }
                }
            }
        }
    }
}
