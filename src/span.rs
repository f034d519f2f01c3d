//! Byte ranges into a source text, and values that carry one.

use std::ops::Range;

/// A byte range `start..end` into the source text it was read from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// The smallest span that covers both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Clamps the span to a text of `len` bytes, so that it can always be shown.
    pub fn clamp(self, len: usize) -> Span {
        let start = self.start.min(len);
        Span::new(start, self.end.clamp(start, len))
    }
}

impl From<miette::SourceSpan> for Span {
    fn from(s: miette::SourceSpan) -> Self {
        Span::new(s.offset(), s.offset() + s.len())
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.len()).into()
    }
}

/// A value with the span of the KDL that set it.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned::new(f(self.value), self.span)
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Line and column (both 1-based, column in characters) of a byte offset. Scans the
/// text up to `offset`: for many offsets into one text, use a [`LineIndex`].
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// The largest char boundary at or below `i`.
pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where each line of `text` starts (the first at 0), lines ending at `\n`, `\r\n` or a
/// lone `\r`, as LSP and miette end them.
pub fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    starts.extend(
        b.iter()
            .enumerate()
            .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
            .map(|(i, _)| i + 1),
    );
    starts
}

/// Where each line of a text starts, for [`line_col`] answers in logarithmic time: a
/// report of thousands of diagnostics would otherwise scan the text once for each.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Offset of each line's first byte (after a `\n`); the first is 0.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// What [`line_col`] gives for `offset`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        // The number of line starts at or before `offset` is its line.
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }
}

#[cfg(test)]
mod tests {
    /// The index answers what the scan answers, at every offset of a text with CRLF,
    /// lone CRs, multi-byte characters and empty lines.
    #[test]
    fn line_index_agrees_with_the_scan() {
        for text in [
            "",
            "a",
            "\n",
            "ab\r\ncd\n\n\u{e9}t\u{e9}\rx\n\u{1f600}z",
            "x\n\ny\n",
        ] {
            let index = super::LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(offset),
                    super::line_col(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
