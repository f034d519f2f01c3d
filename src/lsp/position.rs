//! Byte offsets ↔ LSP positions, in the negotiated encoding. The one place where
//! positions are converted; every conversion clamps, none panics.

use crate::span::Span;
use lsp_types::{Position, PositionEncodingKind, Range};

/// How a position's `character` counts: UTF-16 code units (LSP's default) or bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// Picks UTF-8 when the client offers it, else UTF-16 (which every client supports).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Where each line starts, for fast conversions in large texts.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Lines end at `\n`, `\r\n` or a lone `\r`, as in LSP.
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            starts: crate::span::line_starts(text),
            len: text.len(),
        }
    }

    /// The byte range of line `line` (0-based) without its line break, clamped.
    fn line_bounds(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line.min(self.starts.len() - 1)].min(text.len());
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(self.len, |n| n - 1)
            .min(text.len());
        if end > start
            && text.as_bytes().get(end) == Some(&b'\n')
            && text.as_bytes()[end - 1] == b'\r'
        {
            end -= 1;
        }
        (start, end.max(start))
    }

    /// The byte offset of an LSP position. A line past the end gives the end of the text;
    /// a character past the end of its line gives the end of that line; a position inside
    /// a character gives that character's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        self.offset_snapped(text, pos, enc, false)
    }

    /// As `offset`, but a position inside a character gives that character's end when
    /// `up` (so that a range ending inside a surrogate pair covers the whole character).
    fn offset_snapped(&self, text: &str, pos: Position, enc: Encoding, up: bool) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let (start, end) = self.line_bounds(text, line);
        let line_text = &text[start..end];
        let want = pos.character as usize;
        match enc {
            Encoding::Utf8 => {
                let floor = crate::span::floor_char_boundary(line_text, want);
                if up && floor < want.min(line_text.len()) {
                    start + floor + line_text[floor..].chars().next().map_or(0, char::len_utf8)
                } else {
                    start + floor
                }
            }
            Encoding::Utf16 => {
                let mut units = 0;
                for (i, c) in line_text.char_indices() {
                    let next = units + c.len_utf16();
                    if next > want {
                        return start + i + if up && units < want { c.len_utf8() } else { 0 };
                    }
                    units = next;
                }
                end
            }
        }
    }

    /// The LSP position of a byte offset (clamped to the text, floored to a char boundary).
    pub fn position(&self, text: &str, offset: usize) -> (u32, usize) {
        let offset = crate::span::floor_char_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (line as u32, self.starts[line].min(offset))
    }

    pub fn to_position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let (line, start) = self.position(text, offset);
        let offset = crate::span::floor_char_boundary(text, offset.min(text.len()));
        let before = &text[start..offset];
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(line, character as u32)
    }

    pub fn to_range(&self, text: &str, span: Span, enc: Encoding) -> Range {
        let span = span.clamp(text.len());
        Range::new(
            self.to_position(text, span.start, enc),
            self.to_position(text, span.end, enc),
        )
    }

    /// The byte span of an LSP range; an inverted range is made empty at its start.
    /// A non-empty range with an end inside a character (half a surrogate pair, or
    /// inside a UTF-8 sequence) covers that character: deleting either half of an
    /// emoji deletes the emoji. An empty range inside one is placed before it.
    pub fn to_span(&self, text: &str, range: Range, enc: Encoding) -> Span {
        let start = self.offset(text, range.start, enc);
        let end = if range.end == range.start {
            start
        } else {
            self.offset_snapped(text, range.end, enc, true)
        };
        Span::new(start, end.max(start))
    }
}

/// One-off conversions, for callers that convert a single position.
pub fn offset(text: &str, pos: Position, enc: Encoding) -> usize {
    LineIndex::new(text).offset(text, pos, enc)
}

pub fn position(text: &str, offset: usize, enc: Encoding) -> Position {
    LineIndex::new(text).to_position(text, offset, enc)
}

pub fn range(text: &str, span: Span, enc: Encoding) -> Range {
    LineIndex::new(text).to_range(text, span, enc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a é\n😀x\r\nlast";

    #[test]
    fn round_trips_in_both_encodings() {
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            let idx = LineIndex::new(TEXT);
            for (off, _) in TEXT.char_indices().chain([(TEXT.len(), ' ')]) {
                let pos = idx.to_position(TEXT, off, enc);
                let back = idx.offset(TEXT, pos, enc);
                // Inside a \r\n is not addressable: it maps to the end of its line.
                if off == 0 || TEXT.as_bytes()[off - 1] != b'\r' {
                    assert_eq!(back, off, "{enc:?} offset {off} -> {pos:?}");
                }
            }
        }
    }

    #[test]
    fn counts_utf16_units_and_bytes() {
        // `x` after the emoji: 2 UTF-16 units, 4 bytes.
        let off = TEXT.find('x').unwrap();
        assert_eq!(position(TEXT, off, Encoding::Utf16), Position::new(1, 2));
        assert_eq!(position(TEXT, off, Encoding::Utf8), Position::new(1, 4));
        let off = TEXT.find('é').unwrap() + 2;
        assert_eq!(position(TEXT, off, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(position(TEXT, off, Encoding::Utf8), Position::new(0, 4));
    }

    #[test]
    fn lone_carriage_returns_break_lines() {
        let text = "a\rb\r\nc\nd\r";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.to_position(text, 2, Encoding::Utf8),
            Position::new(1, 0)
        );
        assert_eq!(
            idx.to_position(text, 5, Encoding::Utf8),
            Position::new(2, 0)
        );
        assert_eq!(
            idx.to_position(text, 7, Encoding::Utf8),
            Position::new(3, 0)
        );
        assert_eq!(
            idx.to_position(text, 9, Encoding::Utf8),
            Position::new(4, 0)
        );
        assert_eq!(idx.offset(text, Position::new(1, 9), Encoding::Utf8), 3);
        assert_eq!(idx.offset(text, Position::new(0, 9), Encoding::Utf8), 1);
    }

    #[test]
    fn surrogate_halves_snap_the_same_way() {
        let text = "a😀b";
        let idx = LineIndex::new(text);
        let span = |a: u32, b: u32, enc| {
            idx.to_span(
                text,
                Range::new(Position::new(0, a), Position::new(0, b)),
                enc,
            )
        };
        // Either half of the pair: the whole emoji.
        assert_eq!(span(1, 2, Encoding::Utf16), Span::new(1, 5));
        assert_eq!(span(2, 3, Encoding::Utf16), Span::new(1, 5));
        assert_eq!(span(2, 2, Encoding::Utf16), Span::new(1, 1));
        assert_eq!(span(2, 3, Encoding::Utf8), Span::new(1, 5));
        assert_eq!(span(1, 3, Encoding::Utf8), Span::new(1, 5));
        assert_eq!(span(3, 3, Encoding::Utf8), Span::new(1, 1));
        assert_eq!(span(1, 5, Encoding::Utf8), Span::new(1, 5));
    }

    #[test]
    fn clamps_out_of_range() {
        assert_eq!(
            offset(TEXT, Position::new(99, 0), Encoding::Utf16),
            TEXT.len()
        );
        assert_eq!(
            offset(TEXT, Position::new(0, 999), Encoding::Utf16),
            TEXT.find('\n').unwrap()
        );
        assert_eq!(
            offset(TEXT, Position::new(1, 999), Encoding::Utf8),
            TEXT.find('\r').unwrap()
        );
        // Inside the emoji's surrogate pair or its bytes: its start.
        let emoji = TEXT.find('😀').unwrap();
        assert_eq!(offset(TEXT, Position::new(1, 1), Encoding::Utf16), emoji);
        assert_eq!(offset(TEXT, Position::new(1, 3), Encoding::Utf8), emoji);
        assert_eq!(position(TEXT, 10_000, Encoding::Utf16), Position::new(2, 4));
        assert_eq!(
            position(TEXT, emoji + 1, Encoding::Utf8),
            Position::new(1, 0)
        );
        assert_eq!(offset("", Position::new(3, 3), Encoding::Utf16), 0);
        assert_eq!(position("", 5, Encoding::Utf16), Position::new(0, 0));
        let r = Range::new(Position::new(2, 3), Position::new(0, 0));
        assert_eq!(
            LineIndex::new(TEXT).to_span(TEXT, r, Encoding::Utf8).len(),
            0
        );
    }
}
