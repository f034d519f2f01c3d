//! Where the `kdl` crate (6.7) departs from the KDL v2 specification, set right here.
//!
//! Measured with the specification's own test suite (`tests/kdl-test-suite`, run by
//! `tests/kdl_suite.rs`); the fast path is not involved, since it gives up on every
//! one of these inputs and the `kdl` crate answers for them:
//!
//! - A slashdash right after a value, a node name or a children block, with no space
//!   (`node "a"/-1`, `node "a"/-k=1`, `node "a" {}/-{}`), is valid v2 (`node-space*
//!   (node-space | slashdash) node-prop-or-arg`) and the `kdl` crate rejects it. When it
//!   fails on a text holding one, the text is read again with a space before each such
//!   slashdash (a space there changes nothing in v2), and the spans are moved back.
//! - A raw string opened with `#"""` must be a multi-line string: a newline follows the
//!   quotes. The `kdl` crate accepts `#"""one line"""#`.
//! - Some code points may not appear literally anywhere in a document, comments
//!   included: the `kdl` crate accepts U+007F anywhere, and controls, direction marks
//!   and a later byte order mark inside comments.
//!
//! The scanner below reads strings and comments exactly as KDL does on valid text. Its
//! findings are only trusted on text the `kdl` crate accepts (the space-inserted text is
//! scanned again and must show a slashdash after every inserted space).

use super::lex;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// At most this many disallowed characters are reported: hostile text may hold millions.
const MAX_REPORTED: usize = 10;

/// A code point KDL v2 forbids anywhere in a document (a byte order mark is allowed as
/// the very first one).
fn disallowed(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{e}'..='\u{1f}' | '\u{7f}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

fn describe(c: char) -> String {
    let what = match c {
        '\u{7f}' => "DELETE",
        '\u{0}'..='\u{1f}' => "a control character",
        '\u{feff}' => "a byte order mark, allowed only as the first character of the file",
        _ => "a bidirectional text control, which can make code read differently than it runs",
    };
    format!("U+{:04X} ({what})", c as u32)
}

/// A diagnostic for each code point KDL forbids (the first [`MAX_REPORTED`]).
pub(super) fn disallowed_chars(text: &str) -> Vec<Diagnostic> {
    text.char_indices()
        .filter(|&(i, c)| disallowed(c) && !(i == 0 && c == '\u{feff}'))
        .take(MAX_REPORTED)
        .map(|(i, c)| {
            Diagnostic::error(
                "cellac::syntax",
                format!(
                    "the character {} is not allowed in a KDL document",
                    describe(c)
                ),
            )
            .at(Span::new(i, i + c.len_utf8()), "not allowed here")
            .help(format!(
                "remove it: KDL forbids it anywhere, comments included; inside a quoted string write it as the escape `\\u{{{:x}}}`",
                c as u32
            ))
        })
        .collect()
}

/// What the scanner finds outside strings and comments.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Scan {
    /// Every slashdash `/-`: the offset of its `/`.
    pub slashdashes: Vec<usize>,
    /// The slashdashes with no whitespace before them.
    pub unspaced: Vec<usize>,
    /// Raw strings opened with `#"""` and no newline after the quotes: their openings.
    pub single_line_multi_raw: Vec<Span>,
    /// Integers whose magnitude is beyond `i128::MAX`, which the `kdl` crate cannot read
    /// (and reports as a cascade of unrelated errors).
    pub huge_integers: Vec<Span>,
}

/// A byte that may be part of a bare identifier or number (any non-ASCII byte too).
fn ident_byte(c: u8) -> bool {
    !(c.is_ascii_whitespace()
        || c == 0x0b
        || matches!(
            c,
            b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b';' | b'"' | b'#' | b'='
        ))
}

/// An integer literal's radix and digits (sign, prefix and underscores aside), if `tok`
/// is one.
fn integer(tok: &str) -> Option<(u32, usize)> {
    let unsigned = tok.strip_prefix(['+', '-']).unwrap_or(tok);
    if !unsigned.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (radix, prefix) = match unsigned.get(..2) {
        Some("0x") => (16, 2),
        Some("0o") => (8, 2),
        Some("0b") => (2, 2),
        _ => (10, 0),
    };
    let digits = &unsigned[prefix..];
    let ok = digits.starts_with(|c: char| c.is_digit(radix))
        && digits.chars().all(|c| c == '_' || c.is_digit(radix));
    ok.then_some((radix, tok.len() - digits.len()))
}

/// Whether `tok` is an integer literal whose magnitude does not fit an `i128`.
fn too_large(tok: &str) -> bool {
    let Some((radix, start)) = integer(tok) else {
        return false;
    };
    let digits: String = tok[start..].chars().filter(|&c| c != '_').collect();
    i128::from_str_radix(&digits, radix).is_err()
}

/// `text` with every digit of the integers at `spans` turned to `0`: the same length, and
/// numbers the `kdl` crate reads, to find the file's other errors.
pub(super) fn zero_integers(text: &str, spans: &[Span]) -> String {
    let mut out = text.to_string();
    for s in spans {
        let tok = &text[s.range()];
        let Some((radix, start)) = integer(tok) else {
            continue;
        };
        let zeroed: String = tok[start..]
            .chars()
            .map(|c| if c.is_digit(radix) { '0' } else { c })
            .collect();
        out.replace_range(s.start + start..s.end, &zeroed);
    }
    out
}

/// The diagnostics for integers too large to read.
pub(super) fn huge_integers(spans: &[Span]) -> Vec<Diagnostic> {
    spans
        .iter()
        .take(MAX_REPORTED)
        .map(|&s| {
            Diagnostic::error(
                "cellac::syntax::number",
                format!("an integer of {} characters is too large to read", s.len()),
            )
            .at(s, "beyond ±170141183460469231731687303715884105727")
            .help("no setting takes a number this large: write one in the range its property accepts (`cellac explain` names them)")
        })
        .collect()
}

/// Whether the character that ends at byte `i` is whitespace or a newline (or `i` is
/// the start of the text).
fn space_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || c == '\u{feff}')
}

pub(super) fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Scan::default();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match (c, at(i + 1)) {
            (b'/', b'/') => i = lex::line_comment(b, i),
            (b'/', b'*') => i = lex::block_comment(b, i).end,
            (b'/', b'-') => {
                out.slashdashes.push(i);
                if !space_before(text, i) {
                    out.unspaced.push(i);
                }
                i += 2;
            }
            (b'#', _) => {
                let hashes = lex::from(b, i).iter().take_while(|&&c| c == b'#').count();
                let open = i + hashes;
                if lex::from(b, open).starts_with(b"\"\"\"")
                    && lex::newline_at(b, open + 3).is_none()
                {
                    out.single_line_multi_raw.push(Span::new(i, open + 3));
                }
                i = lex::string(b, i).map_or(open, |s| s.end);
            }
            (b'"', _) => i = lex::string(b, i).map_or(i + 1, |s| s.end),
            (c, _) if ident_byte(c) => {
                let start = i;
                while b.get(i).copied().is_some_and(ident_byte) {
                    i += 1;
                }
                if too_large(&text[start..i]) {
                    out.huge_integers.push(Span::new(start, i));
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// A text with a space inserted before each unspaced slashdash.
pub(super) struct Respaced {
    pub text: String,
    /// Where each space went, as offsets in the original text, in order.
    inserted: Vec<usize>,
}

impl Respaced {
    /// `None` when `text` has no unspaced slashdash, or when the scan of the new text does
    /// not show a slashdash right after each inserted space.
    pub fn new(text: &str) -> Option<Respaced> {
        let inserted = scan(text).unspaced;
        if inserted.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(text.len() + inserted.len());
        let mut from = 0;
        for &p in &inserted {
            out.push_str(&text[from..p]);
            out.push(' ');
            from = p;
        }
        out.push_str(&text[from..]);
        let again = scan(&out);
        let ok = again.unspaced.is_empty()
            && inserted
                .iter()
                .enumerate()
                .all(|(k, p)| again.slashdashes.binary_search(&(p + k + 1)).is_ok());
        ok.then_some(Respaced {
            text: out,
            inserted,
        })
    }

    /// An offset in the new text, as an offset in the original.
    pub fn back(&self, n: usize) -> usize {
        // The number of inserted spaces before `n`: the k-th sits at inserted[k] + k.
        let before = self
            .inserted
            .iter()
            .enumerate()
            .take_while(|&(k, p)| p + k < n)
            .count();
        n - before
    }

    pub fn span_back(&self, s: Span) -> Span {
        Span::new(self.back(s.start), self.back(s.end))
    }

    /// Moves every span of `nodes` back to the original text.
    pub fn nodes_back(&self, nodes: &mut [super::Node]) {
        for n in nodes {
            n.span = self.span_back(n.span);
            n.name.span = self.span_back(n.name.span);
            let values = n
                .args
                .iter_mut()
                .chain(n.props.iter_mut().map(|p| &mut p.value));
            for v in values {
                v.span = self.span_back(v.span);
                if let Some(t) = &mut v.ty {
                    t.span = self.span_back(t.span);
                }
            }
            for p in &mut n.props {
                p.key.span = self.span_back(p.key.span);
            }
            if let Some(children) = &mut n.children {
                self.nodes_back(children);
            }
        }
    }
}

/// The diagnostics for raw strings opened with `#"""` on one line.
pub(super) fn single_line_multi_raw(spans: &[Span]) -> Vec<Diagnostic> {
    spans
        .iter()
        .map(|&s| {
            Diagnostic::error(
                "cellac::syntax",
                "a raw string opened with `#\"\"\"` must be multi-line",
            )
            .at(s, "a newline must follow these quotes")
            .help("write a one-line raw string with one quote, `#\"text\"#`, or put the text on its own lines between `#\"\"\"` and `\"\"\"#`")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_reads_strings_and_comments() {
        let s = scan("a \"/-\" #\"/-\"# // /-\n/* /- /* */ /- */ b/-1 /-c");
        assert_eq!(s.slashdashes.len(), 2);
        assert_eq!(s.unspaced.len(), 1);
        let s = scan("a \"\"\"\n/-\"\"\" /-x ##\"\"\"\n\"\"\"# /-\n\"\"\"##\"x\"/-y");
        assert_eq!(s.slashdashes.len(), 2, "{s:?}");
        assert_eq!(s.unspaced.len(), 1, "{s:?}");
        assert_eq!(scan("a \"\\\"/-\"").slashdashes.len(), 0);
        assert_eq!(scan("a //x\u{2028}b/-1").unspaced.len(), 1);
    }

    #[test]
    fn single_line_multi_raw_strings() {
        assert_eq!(scan("a #\"\"\"x\"\"\"#").single_line_multi_raw.len(), 1);
        assert_eq!(scan("a ##\"\"\"x\"\"\"##").single_line_multi_raw.len(), 1);
        assert_eq!(
            scan("a #\"\"\"\nx\n\"\"\"# #\"\"\"\r\nx\r\n\"\"\"# #\"\"# #\"\"x\"#")
                .single_line_multi_raw
                .len(),
            0
        );
        assert_eq!(scan("a \"#\\\"\"\"x\"").single_line_multi_raw.len(), 0);
    }

    #[test]
    fn respaced_offsets_go_back() {
        let r = Respaced::new("a\"b\"/-1/-2").unwrap();
        assert_eq!(r.text, "a\"b\" /-1 /-2");
        assert_eq!(r.back(4), 4); // the first space
        assert_eq!(r.back(5), 4); // its slashdash
        assert_eq!(r.back(8), 7);
        assert_eq!(r.back(9), 7);
        assert_eq!(r.back(r.text.len()), 10);
        assert!(Respaced::new("a /-1").is_none());
        assert!(Respaced::new("a \"x/-y\"").is_none());
    }

    #[test]
    fn unspaced_slashdashes_read_with_the_original_spans() {
        let text = "a \"p/-q\"/-1 \"r\" k=1/-k=2 {}/-{ b }\nc/-{}";
        let nodes = super::super::parse(text).unwrap();
        let a = &nodes[0];
        let args: Vec<&str> = a.args.iter().map(|v| &text[v.span.range()]).collect();
        assert_eq!(args, ["\"p/-q\"", "\"r\""]);
        assert_eq!(a.args[0].as_str(), Some("p/-q"));
        assert_eq!(&text[a.props[0].key.span.range()], "k");
        assert_eq!(&text[a.props[0].value.span.range()], "1");
        assert_eq!(a.props.len(), 1);
        assert_eq!(a.children.as_deref(), Some(&[][..]));
        assert_eq!(&text[nodes[1].name.span.range()], "c");
        assert!(nodes[1].span.end <= text.len());
        // A broken file is reported as written, not as respaced.
        let broken = "a \"x\"/-1 \"unclosed";
        let e = super::super::parse(broken).unwrap_err();
        assert!(e.iter().all(|d| d.span().end <= broken.len()));
    }

    #[test]
    fn integers_too_large() {
        let max = i128::MAX.to_string();
        let over = "170141183460469231731687303715884105728";
        for (tok, huge) in [
            (max.as_str(), false),
            (&format!("-{max}"), false),
            (over, true),
            (&format!("-{over}"), true),
            (&format!("+{over}"), true),
            (
                "1_000_000_000_000_000_000_000_000_000_000_000_000_000",
                true,
            ),
            ("0x7fffffffffffffffffffffffffffffff", false),
            ("0x80000000000000000000000000000000", true),
            (&format!("0b1{}", "0".repeat(127)), true),
            ("1e999", false),
            ("1.5", false),
            ("abc999999999999999999999999999999999999999999", false),
            ("0xzz", false),
        ] {
            assert_eq!(too_large(tok), huge, "{tok}");
        }
        let text = format!("a {over} \"{over}\" // {over}\nb x=-{over}");
        let s = scan(&text);
        assert_eq!(s.huge_integers.len(), 2);
        let zeroed = zero_integers(&text, &s.huge_integers);
        assert_eq!(zeroed.len(), text.len());
        assert!(super::super::parse(&zeroed).is_ok(), "{zeroed}");
        let e = super::super::parse(&text).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e.iter().all(|d| d.code == "cellac::syntax::number"));
    }

    #[test]
    fn disallowed_everywhere_but_a_leading_bom() {
        assert!(disallowed_chars("\u{feff}a").is_empty());
        assert_eq!(disallowed_chars("a // \u{7f}").len(), 1);
        assert_eq!(disallowed_chars("a /* \u{202e} */ \u{1}").len(), 2);
        assert_eq!(disallowed_chars(&"\u{7f}".repeat(1000)).len(), MAX_REPORTED);
        assert!(disallowed_chars("a\u{a0}b\u{85}c\u{2028}\u{c}\u{b}\r\t").is_empty());
    }
}
