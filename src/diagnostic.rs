//! Diagnostics as data: a code, a severity, a message, labels, help, the environments a
//! problem applies to, and fixes as edits. Renderers (human, JSON, SARIF, GitHub, language
//! server) live in `render/` and `lsp/`; `cellac check --fix` applies the safe fixes.

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Which text a diagnostic points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The stack file.
    #[default]
    Stack,
    /// The secrets file given with `--secrets`, always shown masked.
    Secrets,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
    pub primary: bool,
}

/// Whether a fix may be applied without a person reading it first (as ruff's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps what the author meant: a keyword or value of the language spelt wrong, a
    /// value written in the wrong form. `cellac check --fix` applies it.
    Safe,
    /// A guess that may change what the stack means (a name the author declared, a
    /// number): offered by the language server and `--unsafe-fixes`, never applied alone.
    Unsafe,
}

/// Replace the text at `span` (in the diagnostic's source) with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// A fix: what it does, in a few words, and the edits that do it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// One replacement.
    pub fn replace(
        applicability: Applicability,
        title: impl Into<String>,
        span: Span,
        text: impl Into<String>,
    ) -> Self {
        Fix {
            title: title.into(),
            applicability,
            edits: vec![Edit {
                span,
                text: text.into(),
            }],
        }
    }

    /// A fix that writes `text` (KDL, as it goes in the file) over `span`; its title
    /// names `shown`, the value as people read it.
    pub fn replace_with(
        applicability: Applicability,
        span: Span,
        shown: &str,
        text: String,
    ) -> Self {
        Fix::replace(applicability, format!("Replace with `{shown}`"), span, text)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub source: Source,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// The environments the problem is seen in; empty when it is seen in all of them (or
    /// does not depend on the environment).
    pub environments: Vec<String>,
    /// Ways to fix it, the first the most likely.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            source: Source::Stack,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            environments: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The primary label: where the problem is.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        let label = label.into();
        self.labels.push(Label {
            span,
            message: (!label.is_empty()).then_some(label),
            primary: true,
        });
        self
    }

    /// A secondary label: a related place.
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: Some(label.into()),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The problem is seen in environment `env` (rules that check each environment).
    /// Diagnostics that differ only in their environments are merged by `check`.
    pub fn in_env(mut self, env: impl Into<String>) -> Self {
        let env = env.into();
        if !self.environments.contains(&env) {
            self.environments.push(env);
        }
        self
    }

    /// The problem is seen in each of `envs`.
    pub fn in_envs(self, envs: &[&str]) -> Self {
        envs.iter().fold(self, |d, e| d.in_env(*e))
    }

    /// A way to fix it.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Ways to fix it, if any (an `Option<Fix>` is one or none).
    pub fn fixes_with(mut self, fixes: impl IntoIterator<Item = Fix>) -> Self {
        self.fixes.extend(fixes);
        self
    }

    /// The message as shown to a person: with the environments it applies to, when it
    /// does not apply to all of them.
    pub fn headline(&self) -> std::borrow::Cow<'_, str> {
        match self.environments.as_slice() {
            [] => std::borrow::Cow::Borrowed(&self.message),
            [one] => format!("{} (environment `{one}`)", self.message).into(),
            many => {
                let list: Vec<&str> = many.iter().map(String::as_str).collect();
                format!(
                    "{} (environments {})",
                    self.message,
                    crate::suggest::all_of(&list)
                )
                .into()
            }
        }
    }

    pub fn in_source(mut self, source: Source) -> Self {
        self.source = source;
        self
    }

    /// The span of the primary label (or the first label).
    pub fn span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .or(self.labels.first())
            .map_or(Span::default(), |l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file then position, and removes exact duplicates (the same rule
/// broken in the same place, seen from several environments). Two different problems at
/// one place (a URL with the wrong host and no sslmode) differ in message and both stay.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (
            a.source,
            a.span().start,
            a.span().end,
            a.code,
            &a.message,
            &a.environments,
        )
            .cmp(&(
                b.source,
                b.span().start,
                b.span().end,
                b.code,
                &b.message,
                &b.environments,
            ))
    });
    diags.dedup_by(|a, b| {
        a.source == b.source
            && a.code == b.code
            && a.span() == b.span()
            && a.message == b.message
            && a.environments == b.environments
    });
}

/// How an IO error reads in a message: words, not `os error N`.
pub fn in_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "no such file".into(),
        K::PermissionDenied => "permission denied".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::NotADirectory => "a part of its path is a file, not a folder".into(),
        K::AlreadyExists => "it already exists".into(),
        K::ReadOnlyFilesystem => "the file system is read-only".into(),
        K::StorageFull => "the disk is full".into(),
        _ => {
            let s = e.to_string();
            s.split(" (os error").next().unwrap_or(&s).to_lowercase()
        }
    }
}
