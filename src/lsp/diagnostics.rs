//! `Diagnostic` → LSP diagnostic: the range of the primary label, the code, the
//! message exactly as `cellac check` prints it, then `help:`; secondary labels become
//! related information.

use super::position::{Encoding, LineIndex};
use crate::diagnostic::{Diagnostic, Severity};
use lsp_types as lsp;

pub const SOURCE: &str = "cellac";

/// The longest message or help sent to the editor, in bytes: a diagnostic that quotes
/// a huge value (a 10 MB `region=`) is cut in the middle.
pub const MAX_MESSAGE: usize = 2000;

/// `s`, or its start and end around `…` when it is longer than `MAX_MESSAGE`.
pub fn shorten(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= MAX_MESSAGE {
        return s.into();
    }
    let half = MAX_MESSAGE / 2;
    let head = crate::span::floor_char_boundary(s, half);
    let mut tail = s.len() - half;
    while !s.is_char_boundary(tail) {
        tail += 1;
    }
    format!(
        "{} … ({} bytes left out) … {}",
        &s[..head],
        tail - head,
        &s[tail..]
    )
    .into()
}

/// The message shown in the editor: the CLI's message, then its help on a new line.
pub fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {}", shorten(&d.headline()), shorten(help)),
        None => shorten(&d.headline()).into_owned(),
    }
}

pub fn to_lsp(
    d: &Diagnostic,
    uri: &lsp::Uri,
    text: &str,
    index: &LineIndex,
    enc: Encoding,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| lsp::DiagnosticRelatedInformation {
            location: lsp::Location::new(uri.clone(), index.to_range(text, l.span, enc)),
            message: shorten(l.message.as_deref().unwrap_or_default()).into_owned(),
        })
        .collect();
    let primary_label = d
        .labels
        .iter()
        .find(|l| l.primary)
        .and_then(|l| l.message.as_deref().map(|m| shorten(m).into_owned()));
    lsp::Diagnostic {
        range: index.to_range(text, d.span(), enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some(SOURCE.to_string()),
        message: message(d),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({
            "label": primary_label,
            "help": d.help.as_deref().map(shorten),
        })),
    }
}

/// All diagnostics of one file, converted.
pub fn convert<'a>(
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    uri: &lsp::Uri,
    text: &str,
    index: &LineIndex,
    enc: Encoding,
) -> Vec<lsp::Diagnostic> {
    diags
        .into_iter()
        .map(|d| to_lsp(d, uri, text, index, enc))
        .collect()
}
