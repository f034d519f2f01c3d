//! Where KDL v2's comments and strings end: the one reading of them that every scanner
//! shares (the fast path, the specification fixes, the depth guard, the language
//! server, credential masking).
//!
//! It works on bytes and never allocates. Every function takes the offset of the
//! opening delimiter and tells where the comment or string ends, also on broken text:
//! an unclosed block comment or multi-line string runs to the end of the text, and a
//! single-line string stops before a newline (where the `kdl` crate resumes after
//! reporting it). A slashdash `/-` is not a comment here: it comments out KDL that is
//! read as KDL.

use crate::span::Span;

/// A comment or string: its body and where it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexeme {
    /// Between the delimiters: a string's content as written (escapes unread), a
    /// comment's text. On unclosed text, up to where it stops.
    pub body: Span,
    /// Just past the closing delimiter; where it stops when unclosed.
    pub end: usize,
    /// Whether the closing delimiter was found.
    pub closed: bool,
}

/// A KDL v2 newline starting at byte `i`: its length.
pub fn newline_at(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i..)? {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n' | b'\r' | 0x0b | 0x0c, ..] => Some(1),
        [0xc2, 0x85, ..] => Some(2),
        [0xe2, 0x80, 0xa8 | 0xa9, ..] => Some(3),
        _ => None,
    }
}

/// The bytes from `i` on (none past the end).
pub fn from(b: &[u8], i: usize) -> &[u8] {
    b.get(i..).unwrap_or_default()
}

/// The end of a `//` comment at `i`: the offset of the newline that ends it (not
/// included), or the end of the text.
pub fn line_comment(b: &[u8], i: usize) -> usize {
    let mut j = i + 2;
    while let Some(&c) = b.get(j) {
        match c {
            b'\n' | b'\r' | 0x0b | 0x0c => return j,
            0xc2 | 0xe2 if newline_at(b, j).is_some() => return j,
            _ => j += 1,
        }
    }
    b.len()
}

/// A `/* */` comment at `i`, nested comments included.
pub fn block_comment(b: &[u8], i: usize) -> Lexeme {
    let mut depth = 1usize;
    let mut j = i + 2;
    while let Some(&c) = b.get(j) {
        match (c, b.get(j + 1)) {
            (b'/', Some(b'*')) => (depth, j) = (depth + 1, j + 2),
            (b'*', Some(b'/')) => {
                (depth, j) = (depth - 1, j + 2);
                if depth == 0 {
                    return Lexeme {
                        body: Span::new(i + 2, j - 2),
                        end: j,
                        closed: true,
                    };
                }
            }
            _ => j += 1,
        }
    }
    unclosed(i + 2, b.len())
}

/// A string at `i`: quoted `"..."` (with escapes), raw `#"..."#` (any number of `#`),
/// either multi-line when opened with `"""`. `None` when `i` is not a string's start
/// (`#true`, a lone `#`).
pub fn string(b: &[u8], i: usize) -> Option<Lexeme> {
    let hashes = from(b, i).iter().take_while(|&&c| c == b'#').count();
    let open = i + hashes;
    if b.get(open) != Some(&b'"') {
        return None;
    }
    let quotes = if from(b, open).starts_with(b"\"\"\"") {
        3
    } else {
        1
    };
    let start = open + quotes;
    let closes_at = |j: usize| {
        from(b, j).starts_with(b"\"\"\"".get(..quotes).unwrap_or_default())
            && from(b, j + quotes)
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
    };
    let mut j = start;
    while let Some(&c) = b.get(j) {
        match c {
            b'"' if closes_at(j) => {
                return Some(Lexeme {
                    body: Span::new(start, j),
                    end: j + quotes + hashes,
                    closed: true,
                });
            }
            b'\\' if hashes == 0 => j = escape_end(b, j),
            b'\n' | b'\r' if quotes == 1 => return Some(unclosed(start, j)),
            _ => j += 1,
        }
    }
    Some(unclosed(start, b.len()))
}

/// Past the escape whose `\` is at `j`: one character, or a whitespace escape's run of
/// spaces and newlines (`"a\` then a line break, then `b"` is one string).
fn escape_end(b: &[u8], j: usize) -> usize {
    let space = |k: usize| matches!(b.get(k), Some(b' ' | b'\t')) || newline_at(b, k).is_some();
    if !space(j + 1) {
        return (j + 2).min(b.len());
    }
    let mut k = j + 1;
    while k < b.len() {
        match newline_at(b, k) {
            Some(n) => k += n,
            None if space(k) => k += 1,
            None => break,
        }
    }
    k
}

fn unclosed(start: usize, end: usize) -> Lexeme {
    Lexeme {
        body: Span::new(start.min(end), end),
        end,
        closed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body and the rest of the text after the lexeme at the start of `text`.
    fn read(l: Option<Lexeme>, text: &str) -> (&str, &str, bool) {
        let l = l.expect("a lexeme");
        (&text[l.body.range()], &text[l.end..], l.closed)
    }

    fn str_at0(text: &str) -> (&str, &str, bool) {
        read(string(text.as_bytes(), 0), text)
    }

    fn comment_at0(text: &str) -> (&str, &str, bool) {
        read(Some(block_comment(text.as_bytes(), 0)), text)
    }

    #[test]
    fn block_comments_nest() {
        assert_eq!(comment_at0("/* a */ b"), (" a ", " b", true));
        assert_eq!(comment_at0("/**/b"), ("", "b", true));
        assert_eq!(comment_at0("/*/ */b"), ("/ ", "b", true));
        assert_eq!(
            comment_at0("/* a /* b */ c */ d"),
            (" a /* b */ c ", " d", true)
        );
        assert_eq!(comment_at0("/* a /* b */ c"), (" a /* b */ c", "", false));
        assert_eq!(comment_at0("/* a"), (" a", "", false));
        assert_eq!(comment_at0("/*"), ("", "", false));
        // A quote in a comment is text.
        assert_eq!(comment_at0("/* \" */ \"x\""), (" \" ", " \"x\"", true));
        // `//` in a block comment too.
        assert_eq!(comment_at0("/* // */x"), (" // ", "x", true));
    }

    #[test]
    fn line_comments_end_at_any_kdl_newline() {
        for (text, end) in [
            ("// a\nb", 4),
            ("// a\r\nb", 4),
            ("// a\rb", 4),
            ("// a \"b\nc", 7),
            ("// /* a\nb", 7),
            ("// a\u{2028}b", 4),
            ("// a\u{85}b", 4),
            ("// a\u{c}b", 4),
            ("// é€ a", 10),
            ("//", 2),
        ] {
            assert_eq!(line_comment(text.as_bytes(), 0), end, "{text:?}");
        }
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(str_at0("\"a\" b"), ("a", " b", true));
        assert_eq!(str_at0("\"\" b"), ("", " b", true));
        assert_eq!(str_at0(r#""a\"b" c"#), (r#"a\"b"#, " c", true));
        assert_eq!(str_at0(r#""a\\" b""#), (r#"a\\"#, " b\"", true));
        assert_eq!(str_at0(r#""\u{1F600}é" x"#), (r#"\u{1F600}é"#, " x", true));
        // Comments in a string are text.
        assert_eq!(str_at0("\"/* a\" b */"), ("/* a", " b */", true));
        assert_eq!(str_at0("\"a // b\" c"), ("a // b", " c", true));
        // A single-line string stops before a newline.
        assert_eq!(str_at0("\"a\nb\""), ("a", "\nb\"", false));
        assert_eq!(str_at0("\"a\r\nb\""), ("a", "\r\nb\"", false));
        assert_eq!(str_at0("\"a"), ("a", "", false));
        assert_eq!(str_at0("\"a\\"), ("a\\", "", false));
        // A whitespace escape goes on over line breaks.
        assert_eq!(str_at0("\"a\\\n  b\" c"), ("a\\\n  b", " c", true));
        assert_eq!(
            str_at0("\"a\\\r\n\r\n  b\" c"),
            ("a\\\r\n\r\n  b", " c", true)
        );
        assert_eq!(str_at0("\"a\\ \\\"\" c"), ("a\\ \\\"", " c", true));
    }

    #[test]
    fn raw_strings() {
        assert_eq!(str_at0("#\"a\\\"# b"), ("a\\", " b", true));
        assert_eq!(str_at0("#\"a\"b\"# c"), ("a\"b", " c", true));
        assert_eq!(str_at0("##\"a\"#b\"## c"), ("a\"#b", " c", true));
        assert_eq!(str_at0("###\"a\"##\"### c"), ("a\"##", " c", true));
        assert_eq!(str_at0("#\"\"# c"), ("", " c", true));
        assert_eq!(str_at0("##\"a\"#"), ("a\"#", "", false));
        assert_eq!(str_at0("#\"a\nb\"#"), ("a", "\nb\"#", false));
        assert_eq!(str_at0("#\"/* a\"# */"), ("/* a", " */", true));
        assert_eq!(string(b"#true", 0), None);
        assert_eq!(string(b"##", 0), None);
        assert_eq!(string(b"x", 0), None);
    }

    #[test]
    fn multi_line_strings() {
        assert_eq!(str_at0("\"\"\"\na\"b\n\"\"\" c"), ("\na\"b\n", " c", true));
        assert_eq!(
            str_at0("\"\"\"\na\\\"\"\"\n\"\"\" c"),
            ("\na\\\"\"\"\n", " c", true)
        );
        assert_eq!(str_at0("\"\"\"\na\n"), ("\na\n", "", false));
        assert_eq!(
            str_at0("#\"\"\"\na\\\"\"\"\n\"\"\"# c"),
            ("\na\\\"\"\"\n", " c", true)
        );
        assert_eq!(
            str_at0("##\"\"\"\n\"\"\"#\n\"\"\"## c"),
            ("\n\"\"\"#\n", " c", true)
        );
        assert_eq!(
            str_at0("\"\"\"\n/* a\n\"\"\" */"),
            ("\n/* a\n", " */", true)
        );
    }

    #[test]
    fn offsets_inside_a_text() {
        let text = "a /* b */ \"c\" d";
        let b = text.as_bytes();
        assert_eq!(block_comment(b, 2).end, 9);
        assert_eq!(string(b, 10).map(|l| l.end), Some(13));
        assert_eq!(string(b, 10).map(|l| &text[l.body.range()]), Some("c"));
    }
}
