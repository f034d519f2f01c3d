//! What several commands print: diagnostics in the chosen format, one-line failures,
//! and the values a report hides.

use super::error::CliError;
use super::input::Input;
use super::Exit;
use crate::diagnostic::Diagnostic;
use crate::render::{self, Files};
use clap::ValueEnum;
use std::io::IsTerminal;

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    Human,
    Json,
    Github,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

/// Reports a usage error (see [`CliError::Usage`]) and gives the exit status.
pub(super) fn fail(message: impl std::fmt::Display) -> Exit {
    CliError::usage(message).report(Format::Human)
}

/// Prints the errors of a stack that a command needs clean (its warnings are `check`'s).
pub(super) fn report_errors(format: Format, checked: &crate::Checked, input: &Input) {
    let errors: Vec<Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let files = Files {
        stack_name: &input.name,
        stack: &input.text,
        secrets: None,
    };
    report(format, &errors, &files);
}

/// Prints diagnostics in the chosen format: human on stderr, the others on stdout.
pub(super) fn report(format: Format, diags: &[Diagnostic], files: &Files) {
    match format {
        Format::Human => eprint!("{}", render::human(diags, files, use_color())),
        Format::Json => print!("{}", render::json(diags, files)),
        Format::Github => print!("{}", render::github(diags, files)),
        Format::Sarif => print!("{}", render::sarif(diags, files)),
    }
}

pub(super) fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Every value of a stack file that a report hides: what looks like a credential, and
/// what a check calls secret.
pub(super) fn hidden_values(text: &str, checked: &crate::Checked) -> Vec<String> {
    let secret: Vec<crate::span::Span> = checked
        .diagnostics
        .iter()
        .filter(|d| crate::credential::SECRET_VALUE_CODES.contains(&d.code))
        .map(Diagnostic::span)
        .collect();
    crate::credential::values(text, secret)
}
