//! The report people read: miette's graphical handler, colour only when asked.

use super::Files;
use crate::diagnostic::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use source::Source;
use std::fmt;

mod source;

struct Report<'a> {
    d: &'a Diagnostic,
    source: &'a Source<'a>,
    /// The labels' spans, within `source`.
    spans: Vec<crate::span::Span>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.headline())
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.headline())
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.d.labels.iter().zip(&self.spans).map(
            |(l, &span)| {
                if l.primary {
                    LabeledSpan::new_primary_with_span(l.message.clone(), span)
                } else {
                    LabeledSpan::new_with_span(l.message.clone(), span)
                }
            },
        )))
    }
}

/// Renders diagnostics as miette's graphical report, with a summary line.
pub fn human(diags: &[Diagnostic], files: &Files, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let masked = super::mask_stack(files.stack, diags);
    let files = &Files {
        stack_name: files.stack_name,
        stack: &masked.text,
        secrets: files.secrets,
    };
    let diags: Vec<Diagnostic> = diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if d.source == crate::diagnostic::Source::Stack {
                masked.diagnostic(&mut d);
            }
            d
        })
        .collect();
    let diags = &diags[..];
    // Each text indexed once for the whole report.
    let stack = Source::new(files.stack_name, files.stack);
    let secrets = files.secrets.map(|(name, text)| Source::new(name, text));
    let mut out = String::new();
    for d in diags {
        let file = match (d.source, &secrets) {
            (crate::diagnostic::Source::Secrets, Some(s)) => s,
            _ => &stack,
        };
        let spans: Vec<crate::span::Span> =
            d.labels.iter().map(|l| l.span.clamp(file.len())).collect();
        // Labels on or next to a very long line: the lines around them, cut.
        let cut = file.cut(&spans);
        let report = match &cut {
            Some((source, spans)) => Report {
                d,
                source,
                spans: spans.clone(),
            },
            None => Report {
                d,
                source: file,
                spans,
            },
        };
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.headline()));
        }
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    out.push_str(&summary(files.stack_name, errors, warnings));
    out.push_str(&fixable(diags));
    out
}

/// `2 fixable with `cellac check --fix` (1 more with `--unsafe-fixes`)`, or nothing.
fn fixable(diags: &[Diagnostic]) -> String {
    use crate::diagnostic::{Applicability, Source};
    let first = |d: &&Diagnostic| d.source == Source::Stack && !d.fixes.is_empty();
    let safe = diags
        .iter()
        .filter(first)
        .filter(|d| {
            d.fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe)
        })
        .count();
    let more = diags.iter().filter(first).count() - safe;
    // `cellac adopt`'s fixes (keeping live resources) are applied by `cellac adopt --fix`.
    if safe > 0
        && diags
            .iter()
            .filter(first)
            .all(|d| d.code.starts_with("cellac::adopt::"))
    {
        return format!("{safe} fixable with `cellac adopt --fix`\n");
    }
    match (safe, more) {
        (0, 0) => String::new(),
        (s, 0) => format!("{s} fixable with `cellac check --fix`\n"),
        (0, m) => format!("{m} fixable with `cellac check --fix --unsafe-fixes`\n"),
        (s, m) => {
            format!("{s} fixable with `cellac check --fix` ({m} more with `--unsafe-fixes`)\n")
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `stack.kdl: 2 errors, 1 warning` or `stack.kdl: ok`.
pub fn summary(name: &str, errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (0, 0) => format!("{name}: no problems\n"),
        (e, 0) => format!("{name}: {}\n", plural(e, "error")),
        (0, w) => format!("{name}: {}\n", plural(w, "warning")),
        (e, w) => format!("{name}: {}, {}\n", plural(e, "error"), plural(w, "warning")),
    }
}
