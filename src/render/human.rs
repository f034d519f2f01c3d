//! The report people read: miette's graphical handler, colour only when asked.

use super::Files;
use crate::diagnostic::{Diagnostic, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

struct Report<'a> {
    d: &'a Diagnostic,
    source: &'a Source<'a>,
}

/// Two snippets of one report at most this many lines apart are shown as one (the
/// lines between shown too).
const JOINED: usize = 2;

/// A named text that miette reads through a line index: each report reads the lines
/// around its labels, where miette's own reading of a `str` scans the text from its
/// start, once per label, so that a report of thousands of diagnostics over a large
/// stack took minutes. What it gives is what miette's reading of the whole text gives
/// (`tests::reads_what_miette_reads`).
struct Source<'a> {
    name: &'a str,
    text: &'a str,
    /// Where each line starts ([`crate::span::line_starts`]: as miette ends lines).
    starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text,
            starts: crate::span::line_starts(text),
        }
    }

    /// The line (0-based) that holds byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }
}

impl SourceCode for Source<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // miette's reading of a window of whole lines, wide enough on both sides for
        // the context asked (one line more each side), moved back into the text: its
        // lines counted from the window's first line, which has `from` lines before it.
        let from = self.line_of(span.offset()).saturating_sub(before + 1);
        let to = self.line_of(span.offset() + span.len()) + after + 2;
        let lo = self.starts[from];
        let hi = self.starts.get(to + 1).copied().unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[lo..hi];
        let inner = SourceSpan::new(span.offset().saturating_sub(lo).into(), span.len());
        let c = window.read_span(&inner, before, after)?;
        let start = c.span().offset() + lo;
        // miette shows the snippets of two labels as one when the first one's `line` plus
        // `line_count` reaches the second. Its reading of a `str` counts in `line_count`
        // every line from the text's start, so that labels at lines 1,600 and 19,000 of
        // a large stack were shown as one snippet of 17,000 lines. Here: the lines the
        // snippet covers, plus [`JOINED`], so that snippets at most that many lines
        // apart are still shown as one.
        let lines = self.line_of(start + c.data().len()) - self.line_of(start) + JOINED;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            SourceSpan::new(start.into(), c.span().len()),
            c.line() + from,
            c.column(),
            lines,
        )))
    }
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
        let len = self.source.text.len();
        Some(Box::new(self.d.labels.iter().map(move |l| {
            let span = l.span.clamp(len);
            if l.primary {
                LabeledSpan::new_primary_with_span(l.message.clone(), span)
            } else {
                LabeledSpan::new_with_span(l.message.clone(), span)
            }
        })))
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
        let source = match (d.source, &secrets) {
            (crate::diagnostic::Source::Secrets, Some(s)) => s,
            _ => &stack,
        };
        let report = Report { d, source };
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

#[cfg(test)]
mod tests {
    use super::Source;
    use miette::{SourceCode, SourceSpan};

    /// For every span of texts with CRLF, lone CRs, empty lines, multi-byte characters
    /// and no final line break, and every context miette asks for, the indexed reading
    /// gives what miette's reading of the whole text gives, but for `line_count`: the
    /// snippet's lines, as miette documents it.
    #[test]
    fn reads_what_miette_reads() {
        let texts = [
            "",
            "a",
            "one\ntwo\nthree\nfour\nfive\nsix\nseven\n",
            "a\r\nb\r\n\r\nc\rd\n\ne\u{e9}f\n\u{1f600}g\r\nh",
            "\n\n\nx\n\n\ny = 1\nz\r",
        ];
        for text in texts {
            let indexed = Source::new("f", text);
            // Labels are clamped to the text (see `labels`).
            for start in 0..=text.len() {
                for len in 0..=text.len() - start {
                    let span = SourceSpan::new(start.into(), len);
                    for context in 0..4 {
                        let ours = indexed.read_span(&span, context, context);
                        let theirs = text.read_span(&span, context, context);
                        match (ours, theirs) {
                            (Ok(a), Ok(b)) => {
                                let what = format!("{text:?} {start}+{len} context {context}");
                                assert_eq!(a.data(), b.data(), "{what}");
                                assert_eq!(a.span(), b.span(), "{what}");
                                assert_eq!(a.line(), b.line(), "{what}");
                                assert_eq!(a.column(), b.column(), "{what}");
                                // What miette documents: the lines of the snippet (plus
                                // the lines snippets may be apart and still be joined).
                                let data = String::from_utf8_lossy(a.data());
                                let breaks = data.matches('\n').count()
                                    + data.matches('\r').count()
                                    - data.matches("\r\n").count();
                                assert_eq!(a.line_count(), breaks + super::JOINED, "{what}");
                                assert_eq!(a.name(), Some("f"));
                            }
                            (Err(_), Err(_)) => {}
                            (a, b) => panic!(
                                "{text:?} {start}+{len} context {context}: {:?} against {:?}",
                                a.is_ok(),
                                b.is_ok()
                            ),
                        }
                    }
                }
            }
        }
    }
}
