//! Diagnostics rendered for people (miette), as JSON, as GitHub annotations, and as
//! SARIF 2.1.0 (GitHub code scanning).

mod github;
mod human;
mod json;
mod sarif;

pub use github::github;
pub use human::human;
pub use json::{json, JSON_FORMAT_VERSION};
pub use sarif::{sarif, SARIF_SCHEMA};

use crate::diagnostic::{Diagnostic, Source};

/// The texts diagnostics point into, as they may be shown.
pub struct Files<'a> {
    pub stack_name: &'a str,
    pub stack: &'a str,
    /// The secrets file's name and its masked text.
    pub secrets: Option<(&'a str, &'a str)>,
}

impl<'a> Files<'a> {
    pub fn get(&self, d: &Diagnostic) -> (&'a str, &'a str) {
        match (d.source, self.secrets) {
            (Source::Secrets, Some(s)) => s,
            _ => (self.stack_name, self.stack),
        }
    }
}

/// Codes whose primary label covers a secret value written in the stack file.
pub const SECRET_VALUE_CODES: [&str; 1] = ["cellac::secret::inline"];

/// The stack file with every secret value that a diagnostic points at replaced by `*`,
/// byte for byte (quotes and line breaks kept), so that spans still hold. Renderers that
/// quote the source show this text, never the original.
pub fn mask_stack(stack: &str, diags: &[Diagnostic]) -> String {
    let mut bytes = stack.as_bytes().to_vec();
    for d in diags
        .iter()
        .filter(|d| d.source == Source::Stack && SECRET_VALUE_CODES.contains(&d.code))
    {
        let span = d.span().clamp(bytes.len());
        let mut range = span.range();
        if span.len() >= 2 && bytes[span.start] == b'"' && bytes[span.end - 1] == b'"' {
            range = span.start + 1..span.end - 1;
        }
        for b in &mut bytes[range] {
            if *b != b'\n' {
                *b = b'*';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
