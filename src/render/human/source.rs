//! The stack's text as miette reads it for a report: through a line index, and with
//! long lines cut around the labels.

use crate::span::Span;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::borrow::Cow;

/// Two snippets of one report at most this many lines apart are shown as one (the
/// lines between shown too).
const JOINED: usize = 2;

/// A line longer than this (in bytes, without its line break) is shown cut: the text
/// around each label's start and end, `…` for the rest.
pub(super) const LONG: usize = 400;

/// How much of a long line is kept on each side of a label's start or end.
const AROUND: usize = 40;

/// What stands for the cut parts of a long line.
const ELLIPSIS: &str = "…";

/// A named text that miette reads through a line index: each report reads the lines
/// around its labels, where miette's own reading of a `str` scans the text from its
/// start, once per label, so that a report of thousands of diagnostics over a large
/// stack took minutes. What it gives is what miette's reading of the whole text gives
/// (`tests::reads_what_miette_reads`).
pub(super) struct Source<'a> {
    name: &'a str,
    text: Cow<'a, str>,
    /// Where each line starts ([`crate::span::line_starts`]: as miette ends lines).
    starts: Vec<usize>,
    /// For a text cut from a file ([`Source::cut`]): how it maps back.
    cut: Option<Cut<'a>>,
}

/// Where a cut text comes from.
struct Cut<'a> {
    /// The lines of the file before the cut text's first line.
    base: usize,
    /// Each kept piece: (offset in the file, offset in the cut text, length), in order.
    pieces: Vec<(usize, usize, usize)>,
    /// The file, for columns counted as in it.
    file: &'a Source<'a>,
}

impl<'a> Source<'a> {
    pub(super) fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text: Cow::Borrowed(text),
            starts: crate::span::line_starts(text),
            cut: None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.text.len()
    }

    /// The line (0-based) that holds byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Line `l` (0-based): its start, the end of its content, and its end with the line
    /// break.
    fn line(&self, l: usize) -> (usize, usize, usize) {
        let start = self.starts[l];
        let end = self.starts.get(l + 1).copied().unwrap_or(self.text.len());
        let content = self.text[start..end].trim_end_matches(['\n', '\r']);
        (start, start + content.len(), end)
    }

    /// For a report whose labels (`spans`, within the text) are on or next to a line
    /// longer than [`LONG`]: the lines around them with every long line cut (the text
    /// around each label's start and end kept, [`ELLIPSIS`] for the rest), and the
    /// spans moved into it. `None` when no such line is there: the report reads the
    /// file itself. Line numbers and columns stay those of the file.
    pub(super) fn cut(&'a self, spans: &[Span]) -> Option<(Source<'a>, Vec<Span>)> {
        let first = spans.iter().map(|s| self.line_of(s.start)).min()?;
        let last = spans.iter().map(|s| self.line_of(s.end)).max()?;
        let lines = first.saturating_sub(2)..=(last + 2).min(self.starts.len() - 1);
        if !lines.clone().any(|l| {
            let (start, content, _) = self.line(l);
            content - start > LONG
        }) {
            return None;
        }
        let text = &self.text;
        let floor = |i: usize| crate::span::floor_char_boundary(text, i);
        let mut out = String::new();
        let mut pieces: Vec<(usize, usize, usize)> = Vec::new();
        let mut keep = |out: &mut String, from: usize, to: usize| {
            pieces.push((from, out.len(), to - from));
            out.push_str(&text[from..to]);
        };
        for l in lines.clone() {
            let (start, content, end) = self.line(l);
            if content - start <= LONG {
                keep(&mut out, start, end);
                continue;
            }
            // The ranges kept: around each label end on this line (or the line's start).
            let mut ranges: Vec<(usize, usize)> = spans
                .iter()
                .flat_map(|s| [s.start, s.end])
                .filter(|&p| p >= start && p <= content)
                .map(|p| {
                    let from = floor(p.saturating_sub(AROUND).max(start));
                    let mut to = (p + AROUND).min(content);
                    while !text.is_char_boundary(to) {
                        to += 1;
                    }
                    (from, to)
                })
                .collect();
            if ranges.is_empty() {
                ranges.push((start, floor(start + 2 * AROUND)));
            }
            ranges.sort_unstable();
            let mut merged: Vec<(usize, usize)> = Vec::new();
            for r in ranges {
                match merged.last_mut() {
                    Some(m) if r.0 <= m.1 => m.1 = m.1.max(r.1),
                    _ => merged.push(r),
                }
            }
            let mut at = start;
            for (from, to) in merged {
                if from > at {
                    out.push_str(ELLIPSIS);
                }
                keep(&mut out, from, to);
                at = to;
            }
            if at < content {
                out.push_str(ELLIPSIS);
            }
            keep(&mut out, content, end);
        }
        let cut = Cut {
            base: *lines.start(),
            pieces,
            file: self,
        };
        let moved = spans
            .iter()
            .map(|s| Span::new(cut.moved(s.start, true), cut.moved(s.end, true)))
            .collect();
        Some((
            Source {
                name: self.name,
                starts: crate::span::line_starts(&out),
                text: Cow::Owned(out),
                cut: Some(cut),
            },
            moved,
        ))
    }
}

impl Cut<'_> {
    /// Where offset `o` is on the other side: in the cut text for an offset of the file
    /// (`from_file`), else in the file. `o` is in a kept piece.
    fn moved(&self, o: usize, from_file: bool) -> usize {
        let ends = |&(file, cut, _): &(usize, usize, usize)| {
            if from_file {
                (file, cut)
            } else {
                (cut, file)
            }
        };
        let i = self
            .pieces
            .partition_point(|p| ends(p).0 <= o)
            .saturating_sub(1);
        let (here, there) = ends(&self.pieces[i]);
        there + o.saturating_sub(here).min(self.pieces[i].2)
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
        let (line, column) = match &self.cut {
            None => (c.line() + from, c.column()),
            // A cut text: lines and columns of the file (a column is counted from the
            // start of the snippet, which is where the span starts when it is not 0).
            Some(cut) => {
                let column = if c.column() == 0 {
                    0
                } else {
                    let o = cut.moved(start, false);
                    o - cut.file.starts[cut.file.line_of(o)]
                };
                (c.line() + from + cut.base, column)
            }
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            SourceSpan::new(start.into(), c.span().len()),
            line,
            column,
            lines,
        )))
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

    /// A report on a long line reads it cut, and still gives the file's lines and
    /// columns, with each short label over the same text as in the file.
    #[test]
    fn long_lines_are_cut_around_the_labels() {
        let long: String = (0..60).map(|i| format!("service s{i} {{ }} ")).collect();
        let text = format!("stack demo\n{long}\n// \u{e9}t\u{e9}\nenvironment dev\n");
        let file = Source::new("f", &text);
        let line = text.find("service").unwrap();
        for (start, len) in [
            (line, 7),
            (line + 300, 10),
            (line + 500, 3),
            (line + 10, 400),
        ] {
            let span = crate::span::Span::new(start, start + len);
            let (cut, moved) = file.cut(&[span]).expect("a long line is cut");
            assert!(cut.len() < text.len() / 2, "{}", cut.text);
            let m = moved[0];
            if len <= 2 * super::AROUND {
                assert_eq!(&cut.text[m.start..m.end], &text[span.start..span.end]);
            }
            for context in [0, 1] {
                let a = cut
                    .read_span(&SourceSpan::new(m.start.into(), m.len()), context, context)
                    .unwrap();
                let b = file
                    .read_span(
                        &SourceSpan::new(span.start.into(), span.len()),
                        context,
                        context,
                    )
                    .unwrap();
                assert_eq!(
                    (a.line(), a.column()),
                    (b.line(), b.column()),
                    "{start}+{len} context {context}"
                );
            }
        }
        // Short lines: nothing to cut.
        let short = Source::new("f", "stack demo\nservice web\n");
        assert!(short.cut(&[crate::span::Span::new(11, 18)]).is_none());
    }
}
