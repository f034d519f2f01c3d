//! cellac: a KDL stack description in, a checked model, Terraform JSON and deploy
//! scripts out. Every entry point here is a pure function; IO lives in `cli` and `lsp`.

#[deny(clippy::indexing_slicing)]
pub mod adopt;
pub mod check;
pub mod cli;
pub mod codes;
pub mod cost;
pub mod credential;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod envs;
pub mod fix;
// Synthetic stacks for the unit tests; benches and integration tests include the same file.
#[cfg(test)]
#[path = "../tests/common/gen.rs"]
mod gen;
pub mod graph;
pub mod init;
pub mod limits;
pub mod lsp;
pub mod model;
pub mod provider;
pub mod render;
pub mod schema;
pub mod span;
pub mod suggest;
#[deny(clippy::indexing_slicing)]
pub mod syntax;
pub mod textfile;
pub mod write;

use diagnostic::{sort_and_dedup, Diagnostic};
use model::Stack;
use syntax::Node;

/// The result of checking a stack file: what could be built, and every diagnostic.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The file's nodes, when it parses.
    pub nodes: Option<Vec<Node>>,
    /// One resolved stack per environment, in the order they are declared.
    pub envs: Vec<Stack>,
    /// Every problem found, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Checks a secrets file's values against the stack's secrets. Returns the file
    /// masked, the only form in which it may be shown; the secrets file's diagnostics
    /// point into it. Every value, read or not, is masked, and no word of a report
    /// repeats one.
    pub fn check_secrets(&mut self, text: &str, elsewhere: &[String]) -> String {
        let before = self.diagnostics.len();
        let values = self.secrets_unsorted(text, elsewhere);
        let masked = credential::mask(text, &values);
        for d in &mut self.diagnostics[before..] {
            if d.source == diagnostic::Source::Secrets {
                masked.diagnostic(d);
                // Its fixes edit the file itself: offsets into the masked text would
                // apply to neither. (The language server checks in place and keeps them.)
                d.fixes.clear();
            }
        }
        sort_and_dedup(&mut self.diagnostics);
        masked.text
    }

    /// [`Checked::check_secrets`] for an editor showing the secrets file itself: the
    /// diagnostics point into `text`, and no word of them repeats a value. Returns the
    /// spans of the values in `text`.
    pub fn check_secrets_in_place(&mut self, text: &str, elsewhere: &[String]) -> Vec<span::Span> {
        let values = self.secrets_unsorted(text, elsewhere);
        sort_and_dedup(&mut self.diagnostics);
        values
    }

    /// Checks the values of secrets set through the environment (`TF_VAR_NAME`, given as
    /// `(NAME, value)`) by the same rules as a secrets file's. Diagnostics point at the
    /// secret's declaration; none shows a value.
    pub fn check_env_secrets(&mut self, values: &[(String, String)]) {
        let secrets = self
            .envs
            .first()
            .map(|s| s.secrets.clone())
            .unwrap_or_default();
        let before = self.diagnostics.len();
        for secret in &secrets {
            let name = &secret.name.value;
            let Some((_, value)) = values.iter().find(|(k, _)| k == name) else {
                continue;
            };
            let what = format!("TF_VAR_{name}");
            let at = |code: &'static str, message: String, label: &str, help: String| {
                Diagnostic::error(code, message)
                    .at(secret.name.span, format!("{label} (TF_VAR_{name})"))
                    .help(help)
            };
            check::secrets_file::check_value(secret, value, &what, &at, &mut self.diagnostics);
        }
        credential::scrub(
            &mut self.diagnostics[before..],
            values.iter().map(|(_, v)| v.as_str()),
        );
        sort_and_dedup(&mut self.diagnostics);
    }

    /// The secrets file's diagnostics, appended in the order found.
    fn secrets_unsorted(&mut self, text: &str, elsewhere: &[String]) -> Vec<span::Span> {
        let secrets = self
            .envs
            .first()
            .map(|s| s.secrets.as_slice())
            .unwrap_or(&[]);
        let before = self.diagnostics.len();
        let entries = check::secrets_file::check(text, secrets, elsewhere, &mut self.diagnostics);
        // An environment that gives a secret other rules (`min-length=`, `postgres=`,
        // `format=` in its block) deploys this file's value too: its rules apply as well
        // (issue 22).
        let rules = |x: &model::Secret| {
            (
                x.min_length.as_ref().map(|m| m.value),
                x.postgres.as_ref().map(|p| p.value.clone()),
                x.format.as_ref().map(|f| f.value.clone()),
            )
        };
        for env in self.envs.iter().skip(1) {
            for secret in &env.secrets {
                let first = secrets.iter().find(|f| f.name.value == secret.name.value);
                if first.is_some_and(|f| rules(f) == rules(secret)) {
                    continue;
                }
                let Some(entry) = entries
                    .iter()
                    .rev()
                    .find(|e| e.key == secret.name.value && e.readable)
                else {
                    continue;
                };
                let at = |code: &'static str, message: String, label: &str, help: String| {
                    diagnostic::Diagnostic::error(code, message)
                        .at(entry.value_span, label.to_string())
                        .help(help)
                        .in_source(diagnostic::Source::Secrets)
                };
                check::secrets_file::check_value(
                    secret,
                    &entry.value,
                    &format!(
                        "the value of `{}` (by environment `{}`'s rules)",
                        secret.name.value, env.env.value
                    ),
                    &at,
                    &mut self.diagnostics,
                );
            }
        }
        credential::scrub(
            &mut self.diagnostics[before..],
            check::secrets_file::values_to_hide(text, &entries),
        );
        entries.iter().map(|e| e.value_span).collect()
    }
}

/// Reads and checks a stack file: the whole front end.
pub fn check(text: &str) -> Checked {
    let nodes = match syntax::parse(text) {
        Ok(nodes) => nodes,
        Err(mut diagnostics) => {
            hide_credentials(text, &mut diagnostics);
            sort_and_dedup(&mut diagnostics);
            return Checked {
                diagnostics,
                ..Checked::default()
            };
        }
    };
    let mut diagnostics = Vec::new();
    check::schema::check(&nodes, &mut diagnostics);
    let trees = envs::merge(&nodes, &mut diagnostics);
    let envs: Vec<Stack> = trees.iter().map(model::lower).collect();
    check::run(
        &check::Ctx {
            text,
            nodes: &nodes,
            envs: &envs,
        },
        &mut diagnostics,
    );
    hide_credentials(text, &mut diagnostics);
    sort_and_dedup(&mut diagnostics);
    Checked {
        nodes: Some(nodes),
        envs,
        diagnostics,
    }
}

/// No word of a diagnostic (message, help, label) repeats what looks like a credential
/// or a value a check called secret.
fn hide_credentials(text: &str, diags: &mut [Diagnostic]) {
    let secret = diags
        .iter()
        .filter(|d| credential::SECRET_VALUE_CODES.contains(&d.code))
        .map(Diagnostic::span)
        .collect::<Vec<_>>();
    let values = credential::values(text, secret);
    credential::scrub(diags, values.iter().map(String::as_str));
}

/// The whole pipeline: checks the stack and, when it has no errors, produces every
/// generated file. `stack_path` is how generated files name the stack file.
pub fn build(text: &str, stack_path: &str) -> (Checked, Option<emit::Artifacts>) {
    let checked = check(text);
    let files = emit_checked(&checked, stack_path);
    (checked, files)
}

/// The files of a checked stack: none when it has errors (or no environment).
pub fn emit_checked(checked: &Checked, stack_path: &str) -> Option<emit::Artifacts> {
    emit_checked_reusing(checked, stack_path, None).map(|(files, _)| files)
}

/// [`emit_checked`], taking rendered scripts and README from an earlier build when
/// their data is unchanged (see [`emit::emit_reusing`]; `write::earlier` reads them
/// from an output folder). Also returns what was rendered, for `write::remember`.
pub fn emit_checked_reusing(
    checked: &Checked,
    stack_path: &str,
    earlier: Option<emit::scripts::Earlier>,
) -> Option<(emit::Artifacts, emit::Renders)> {
    if checked.has_errors() || checked.envs.is_empty() {
        return None;
    }
    Some(emit::emit_reusing(&checked.envs, stack_path, earlier))
}
