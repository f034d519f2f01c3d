//! `Diagnostic` → LSP diagnostic: the range of the primary label, the code, the
//! message exactly as `cellac check` prints it, then `help:`; secondary labels become
//! related information.

use super::position::{Encoding, LineIndex};
use crate::diagnostic::{Diagnostic, Severity};
use lsp_types as lsp;

pub const SOURCE: &str = "cellac";

/// The message shown in the editor: the CLI's message, then its help on a new line.
pub fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
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
            message: l.message.clone().unwrap_or_default(),
        })
        .collect();
    let primary_label = d
        .labels
        .iter()
        .find(|l| l.primary)
        .and_then(|l| l.message.clone());
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
        data: Some(serde_json::json!({ "label": primary_label, "help": d.help })),
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
