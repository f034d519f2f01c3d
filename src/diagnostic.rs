//! Diagnostics as data: a code, a severity, a message, labels and help.
//! Renderers (human, JSON, GitHub, language server) live in `render/` and `lsp/`.

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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub source: Source,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
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
        (a.source, a.span().start, a.span().end, a.code, &a.message).cmp(&(
            b.source,
            b.span().start,
            b.span().end,
            b.code,
            &b.message,
        ))
    });
    diags.dedup_by(|a, b| {
        a.source == b.source && a.code == b.code && a.span() == b.span() && a.message == b.message
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
