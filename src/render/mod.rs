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

use crate::credential;
use crate::diagnostic::{Diagnostic, Source};
use crate::span::{LineIndex, Span};

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

    /// Line indexes of both texts, built once for a whole report.
    pub fn lines(&self) -> Lines<'a> {
        Lines {
            stack: LineIndex::new(self.stack),
            secrets: self.secrets.map(|(_, t)| LineIndex::new(t)),
        }
    }
}

/// The line index of each text of [`Files`]: positions of thousands of diagnostics
/// without scanning a text once for each.
pub struct Lines<'a> {
    stack: LineIndex<'a>,
    secrets: Option<LineIndex<'a>>,
}

impl<'a> Lines<'a> {
    /// The index of the text `d` points into (the one [`Files::get`] gives).
    pub fn get(&self, d: &Diagnostic) -> &LineIndex<'a> {
        match (d.source, &self.secrets) {
            (Source::Secrets, Some(s)) => s,
            _ => &self.stack,
        }
    }
}

/// Everything to hide in a stack file's text: what looks like a credential (found
/// without parsing, see [`credential::spans`]) and every value a diagnostic calls secret.
pub fn secret_spans(stack: &str, diags: &[Diagnostic]) -> Vec<Span> {
    let mut spans: Vec<Span> = credential::spans(stack)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    spans.extend(
        diags
            .iter()
            .filter(|d| {
                d.source == Source::Stack && credential::SECRET_VALUE_CODES.contains(&d.code)
            })
            .map(|d| credential::content(stack, d.span())),
    );
    spans
}

/// The stack file with everything [`secret_spans`] finds replaced by
/// [`credential::MASK`] (quotes and line breaks kept). Renderers that quote the source
/// show this text, never the original, with labels moved into it.
pub fn mask_stack(stack: &str, diags: &[Diagnostic]) -> credential::Masked {
    credential::mask(stack, &secret_spans(stack, diags))
}

/// Spans of stack diagnostics as the JSON and GitHub reports give them: a label that
/// ends in a hidden value (or its closing quote) is cut at the value's start, so that no
/// span measures a secret. Positions stay those of the file itself. (A label over a
/// whole node that holds a secret keeps its extent.) A fix that would edit a hidden
/// value is left out, since its edit would show or measure it.
pub fn unmeasured(stack: &str, diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let secrets = Hidden::new(secret_spans(stack, diags));
    diags
        .iter()
        .map(|d| {
            let mut d = d.clone();
            if d.source == Source::Stack {
                d.fixes.retain(|f| {
                    f.edits
                        .iter()
                        .all(|e| secrets.overlapping(e.span).next().is_none())
                });
                for l in &mut d.labels {
                    for s in secrets.overlapping(l.span).filter(|s| !s.is_empty()) {
                        // Still overlapping once an earlier one moved the label.
                        let overlaps = l.span.start < s.end && l.span.end > s.start;
                        if !overlaps {
                            continue;
                        }
                        if l.span.start > s.start {
                            l.span.start = s.start;
                        }
                        // Ends in the value or its closing quote (and `#`s): cut there.
                        if l.span.end <= s.end + 4 {
                            l.span.end = s.start.max(l.span.start);
                        }
                    }
                }
            }
            d
        })
        .collect()
}

/// The spans of hidden values, to ask which overlap a span without going through them
/// all (a report can have thousands of diagnostics over thousands of values).
struct Hidden {
    spans: Vec<Span>,
    /// Indexes into `spans`, by start.
    by_start: Vec<usize>,
    /// The longest span's length: one that overlaps `a..b` starts after `a - longest`.
    longest: usize,
}

impl Hidden {
    fn new(spans: Vec<Span>) -> Self {
        let mut by_start: Vec<usize> = (0..spans.len()).collect();
        by_start.sort_by_key(|&i| spans[i].start);
        let longest = spans.iter().map(Span::len).max().unwrap_or(0);
        Hidden {
            spans,
            by_start,
            longest,
        }
    }

    /// The spans that overlap `span` (share a byte with it, or an empty one strictly
    /// inside it), in their order in the list.
    fn overlapping(&self, span: Span) -> impl Iterator<Item = Span> + '_ {
        let from = span.start.saturating_sub(self.longest);
        let lo = self
            .by_start
            .partition_point(|&i| self.spans[i].start < from);
        let hi = self
            .by_start
            .partition_point(|&i| self.spans[i].start < span.end);
        let mut found: Vec<usize> = self.by_start[lo..hi.max(lo)]
            .iter()
            .copied()
            .filter(|&i| {
                let s = self.spans[i];
                s.start < span.end && s.end > span.start
            })
            .collect();
        found.sort_unstable();
        found.into_iter().map(|i| self.spans[i])
    }
}
