//! A fast path for [`super::parse`]: a small recursive-descent parser for the plain
//! subset of KDL v2 that stack files are written in.
//!
//! It produces exactly the nodes that lowering the `kdl` crate's document gives
//! (values, spans, `children: None` vs `Some(vec![])`), and returns `None` ("not
//! sure") for anything outside its subset and for anything that is, or might be, a
//! syntax error: the caller then asks the `kdl` crate, which stays the reference and
//! the only source of syntax diagnostics. Outside the subset: slashdash `/-`, raw
//! and multi-line strings, line continuations, whitespace escapes, type annotations
//! on node names, `#inf`/`#-inf`/`#nan`, hex/octal/binary numbers, a BOM, and any
//! whitespace or newline other than space, tab, `\n` and `\r\n`.

use super::{lex, Lit, Node, Prop, Value};
use crate::span::{Span, Spanned};

/// How deep `{ }` blocks may nest before the fast path gives up (the caller has already
/// refused anything deeper: this only keeps the fast path safe on its own).
const MAX_DEPTH: usize = super::depth::MAX_DEPTH;

/// The nodes of `text`, or `None` when the fast path is not sure.
pub(super) fn parse(text: &str) -> Option<Vec<Node>> {
    if !plain(text) {
        return None;
    }
    let mut p = Parser {
        t: text,
        b: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let nodes = p.nodes(false)?;
    (p.i == p.b.len()).then_some(nodes)
}

/// No control characters (bar tab, `\n`, `\r\n`), no unicode spaces or newlines, no
/// characters KDL disallows. The parser below relies on this: a 0 byte is the end.
fn plain(text: &str) -> bool {
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\t' | b'\n' => {}
            b'\r' if b.get(i + 1) == Some(&b'\n') => {}
            0..=0x1f | 0x7f => return false,
            _ => {}
        }
    }
    text.is_ascii()
        || !text.chars().any(|c| {
            matches!(c,
                '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200f}'
                | '\u{2028}'..='\u{202f}' | '\u{205f}' | '\u{2066}'..='\u{2069}'
                | '\u{3000}' | '\u{feff}')
        })
}

/// A byte that may appear in a bare identifier (non-ASCII bytes are parts of
/// ordinary characters, after [`plain`]).
fn ident_byte(c: u8) -> bool {
    !matches!(
        c,
        0 | b'\\'
            | b'/'
            | b'('
            | b')'
            | b'{'
            | b'}'
            | b'['
            | b']'
            | b';'
            | b'"'
            | b'#'
            | b'='
            | b' '
            | b'\t'
            | b'\n'
            | b'\r'
    )
}

struct Parser<'a> {
    t: &'a str,
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    /// The byte `k` ahead, 0 past the end.
    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    /// The bytes from the cursor on.
    fn rest(&self) -> &[u8] {
        self.b.get(self.i..).unwrap_or_default()
    }

    /// `node-space*`: spaces, tabs and block comments. Whether any was skipped.
    fn ws(&mut self) -> Option<bool> {
        let start = self.i;
        loop {
            match (self.at(0), self.at(1)) {
                (b' ' | b'\t', _) => self.i += 1,
                (b'/', b'*') => self.block_comment()?,
                _ => return Some(self.i > start),
            }
        }
    }

    fn block_comment(&mut self) -> Option<()> {
        let c = lex::block_comment(self.b, self.i);
        self.i = c.end;
        c.closed.then_some(())
    }

    /// A `//` comment, with the newline that ends it.
    fn line_comment(&mut self) {
        self.i = lex::line_comment(self.b, self.i);
        self.i += lex::newline_at(self.b, self.i).unwrap_or(0);
    }

    /// `line-space*`: node-space, newlines and line comments.
    fn line_space(&mut self) -> Option<()> {
        loop {
            self.ws()?;
            match (self.at(0), self.at(1)) {
                (b'\n', _) => self.i += 1,
                (b'\r', _) => self.i += 2,
                (b'/', b'/') => self.line_comment(),
                _ => return Some(()),
            }
        }
    }

    /// Whether a value may end here: the KDL value terminators, less `=` and `)`.
    fn term(&self) -> bool {
        matches!(
            (self.at(0), self.at(1)),
            (0 | b' ' | b'\t' | b'\n' | b'\r' | b';' | b'{' | b'}', _) | (b'/', b'/' | b'*')
        )
    }

    /// `(line-space* node)* line-space*`, up to the end (top level) or a `}` (a block).
    fn nodes(&mut self, block: bool) -> Option<Vec<Node>> {
        let mut nodes = Vec::new();
        loop {
            self.line_space()?;
            match self.at(0) {
                0 => return (!block).then_some(nodes),
                b'}' => return block.then_some(nodes),
                _ => nodes.push(self.node()?),
            }
            match (self.at(0), self.at(1)) {
                (b';' | b'\n', _) => self.i += 1,
                (b'\r', _) => self.i += 2,
                (b'/', b'/') => self.line_comment(),
                (0, _) | (b'}', _) => {}
                _ => return None,
            }
        }
    }

    fn node(&mut self) -> Option<Node> {
        let start = self.i;
        let name = self.string()?;
        if !self.term() {
            return None;
        }
        let name = Spanned::new(name, Span::new(start, self.i));
        let (mut args, mut props, mut children) = (Vec::new(), Vec::new(), None);
        loop {
            let spaced = self.ws()?;
            match (self.at(0), self.at(1)) {
                (0 | b'\n' | b'\r' | b';' | b'}', _) | (b'/', b'/') => break,
                (b'{', _) => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return None;
                    }
                    self.i += 1;
                    children = Some(self.nodes(true)?);
                    self.i += 1;
                    self.depth -= 1;
                    self.ws()?;
                    break;
                }
                _ if !spaced => return None,
                _ => self.entry(&mut args, &mut props)?,
            }
        }
        let span = Span::new(start, self.i);
        Some(Node {
            name,
            args,
            props,
            children,
            span,
            layer: 0,
        })
    }

    /// An argument, or a property `key=value`.
    fn entry(&mut self, args: &mut Vec<Value>, props: &mut Vec<Prop>) -> Option<()> {
        let start = self.i;
        if matches!(self.at(0), b'(' | b'#') || self.numeric() {
            args.push(self.value()?);
            return self.term().then_some(());
        }
        let s = self.string()?;
        let end = self.i;
        if !self.term() && self.at(0) != b'=' {
            return None;
        }
        self.ws()?;
        if self.at(0) != b'=' {
            self.i = end;
            args.push(Value {
                lit: Lit::Str(s),
                ty: None,
                span: Span::new(start, end),
            });
            return Some(());
        }
        self.i += 1;
        self.ws()?;
        let value = self.value()?;
        let v_end = value.span.end;
        props.push(Prop {
            key: Spanned::new(s, Span::new(start, end)),
            value: Value {
                span: Span::new((end + 1).min(v_end), v_end),
                ..value
            },
        });
        self.term().then_some(())
    }

    /// `type? node-space* (keyword | number | string)`.
    fn value(&mut self) -> Option<Value> {
        let start = self.i;
        let mut ty = None;
        if self.at(0) == b'(' {
            self.i += 1;
            self.ws()?;
            let t_start = self.i;
            let name = self.string()?;
            ty = Some(Spanned::new(name, Span::new(t_start, self.i)));
            self.ws()?;
            if self.at(0) != b')' {
                return None;
            }
            self.i += 1;
            self.ws()?;
        }
        let lit = if self.at(0) == b'#' {
            let rest = self.rest();
            let (lit, n) = if rest.starts_with(b"#true") {
                (Lit::Bool(true), 5)
            } else if rest.starts_with(b"#false") {
                (Lit::Bool(false), 6)
            } else if rest.starts_with(b"#null") {
                (Lit::Null, 5)
            } else {
                return None;
            };
            self.i += n;
            lit
        } else if self.numeric() {
            self.number()?
        } else {
            Lit::Str(self.string()?)
        };
        Some(Value {
            lit,
            ty,
            span: Span::new(start, self.i),
        })
    }

    /// Whether a number starts here: a digit, or a sign and a digit.
    fn numeric(&self) -> bool {
        let d = |c: u8| c.is_ascii_digit();
        d(self.at(0)) || (matches!(self.at(0), b'+' | b'-') && d(self.at(1)))
    }

    /// A decimal integer or float: `-1_000`, `0.75`, `1e-3`.
    fn number(&mut self) -> Option<Lit> {
        let start = self.i;
        if matches!(self.at(0), b'+' | b'-') {
            self.i += 1;
        }
        let digits_start = self.i;
        self.digits()?;
        let mut float = false;
        if self.at(0) == b'.' {
            self.i += 1;
            self.digits()?;
            float = true;
        }
        if matches!(self.at(0), b'e' | b'E') {
            self.i += 1;
            if matches!(self.at(0), b'+' | b'-') {
                self.i += 1;
            }
            self.digits()?;
            float = true;
        }
        if float {
            let s = self.t[start..self.i].replace('_', "");
            return s.parse::<f64>().ok().map(Lit::Float);
        }
        let s = self.t[digits_start..self.i].replace('_', "");
        let n = s.parse::<i128>().ok()?; // digits only: the sign is applied below
        Some(Lit::Int(if self.b.get(start) == Some(&b'-') {
            -n
        } else {
            n
        }))
    }

    /// A digit, then digits and underscores.
    fn digits(&mut self) -> Option<()> {
        if !self.at(0).is_ascii_digit() {
            return None;
        }
        while self.at(0).is_ascii_digit() || self.at(0) == b'_' {
            self.i += 1;
        }
        Some(())
    }

    /// A quoted string or a bare identifier string.
    fn string(&mut self) -> Option<String> {
        if self.at(0) == b'"' {
            return self.quoted();
        }
        let start = self.i;
        let (c0, c1, c2) = (self.at(0), self.at(1), self.at(2));
        let digit = |c: u8| c.is_ascii_digit();
        if digit(c0)
            || (matches!(c0, b'+' | b'-') && (digit(c1) || (c1 == b'.' && digit(c2))))
            || (c0 == b'.' && digit(c1))
        {
            return None;
        }
        while ident_byte(self.at(0)) {
            self.i += 1;
        }
        let s = &self.t[start..self.i];
        if s.is_empty()
            || matches!(
                s,
                "true" | "false" | "null" | "inf" | "-inf" | "+inf" | "nan"
            )
        {
            return None;
        }
        Some(s.to_string())
    }

    /// A single-line `"..."` string with the common escapes.
    fn quoted(&mut self) -> Option<String> {
        if self.at(1) == b'"' && self.at(2) == b'"' {
            return None;
        }
        self.i += 1;
        let mut out = String::new();
        loop {
            let run = self.i;
            while !matches!(self.at(0), 0 | b'"' | b'\\' | b'\n' | b'\r') {
                self.i += 1;
            }
            out.push_str(&self.t[run..self.i]);
            match self.at(0) {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {}
                _ => return None,
            }
            let c = match self.at(1) {
                b'n' => '\n',
                b't' => '\t',
                b'r' => '\r',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b's' => ' ',
                b'\\' => '\\',
                b'"' => '"',
                b'u' if self.at(2) == b'{' => {
                    let hex = self.i + 3;
                    let n = self.b.get(hex..).unwrap_or_default();
                    let n = n.iter().take(6).take_while(|c| c.is_ascii_hexdigit());
                    let end = hex + n.count();
                    if end == hex || self.b.get(end) != Some(&b'}') {
                        return None;
                    }
                    let c = char::from_u32(u32::from_str_radix(&self.t[hex..end], 16).ok()?)?;
                    self.i = end - 1;
                    c
                }
                _ => return None,
            };
            out.push(c);
            self.i += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The reference: the `kdl` crate's document, lowered.
    fn reference(text: &str) -> Option<Vec<Node>> {
        kdl::KdlDocument::parse_v2(text)
            .ok()
            .map(|d| super::super::lower_doc(&d))
    }

    /// When the fast path answers, it answers exactly like the reference; it never
    /// accepts what the reference rejects. Returns whether it answered.
    fn agree(text: &str) -> bool {
        match (parse(text), reference(text)) {
            (Some(fast), Some(kdl)) => {
                assert_eq!(fast, kdl, "fast path differs on {text:?}");
                true
            }
            (Some(_), None) => panic!("fast path accepts invalid KDL {text:?}"),
            (None, _) => false,
        }
    }

    fn kdl_files(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                kdl_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "kdl") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    fn canonical() -> String {
        std::fs::read_to_string(root().join("examples/cella/stack.kdl")).unwrap()
    }

    #[test]
    fn examples_and_generated_stacks_take_the_fast_path() {
        for dir in std::fs::read_dir(root().join("examples")).unwrap() {
            let path = dir.unwrap().path().join("stack.kdl");
            if let Ok(text) = std::fs::read_to_string(&path) {
                assert!(agree(&text), "fast path gave up on {}", path.display());
            }
        }
        assert!(agree(&crate::gen::stack(1)));
        assert!(agree(&crate::gen::stack(100)));
    }

    #[test]
    fn fixtures_and_broken_files_agree() {
        let mut texts = Vec::new();
        kdl_files(&root().join("tests/fixtures"), &mut texts);
        kdl_files(&root().join("tests/nvim"), &mut texts);
        assert!(texts.len() > 10);
        texts.push(crate::gen::broken(20));
        for text in &texts {
            agree(text);
            agree(&text.replace('\n', "\r\n"));
        }
    }

    #[test]
    fn prefixes_and_line_deletions_agree() {
        let text = canonical();
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        for &end in &ends {
            agree(&text[..end]);
            agree(&text[..end + 1]);
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            let mut t = lines[..i].concat();
            t.push_str(&lines[i + 1..].concat());
            agree(&t);
        }
    }

    /// Single-character edits of the minimal example, with characters that matter.
    #[test]
    fn character_edits_agree() {
        let text = std::fs::read_to_string(root().join("examples/minimal/stack.kdl")).unwrap();
        let mut answered = 0;
        for (i, _) in text.char_indices() {
            let mut t = text.clone();
            t.remove(i);
            answered += agree(&t) as usize;
            for c in [
                "\"", "=", "{", "}", ";", "/", "#", "(", ")", "1", "-", ".", " ", "\n", "\\",
            ] {
                let mut t = text.clone();
                t.insert_str(i, c);
                answered += agree(&t) as usize;
            }
        }
        assert!(answered > 100, "{answered}");
    }

    #[test]
    fn snippets_agree() {
        // (text, whether the fast path must answer)
        let cases: &[(&str, bool)] = &[
            ("", true),
            ("// only a comment", true),
            ("a", true),
            ("a;", true),
            ("a; b;", true),
            ("a;;", false),
            (";a", false),
            ("a\r\nb\r\n", true),
            ("a b c=1 d = 2 e= 3 f =4", true),
            ("a \"quoted name\" \"k\"=\"v\"", true),
            ("\"node\" 1", true),
            ("a \"\\n\\t\\\\\\\"\\r\\b\\f\\s\\u{1F600}\\u{a}\"", true),
            ("a \"\\/\"", false),
            ("a \"\\u{}\"", false),
            ("a \"\\u{1234567}\"", false),
            ("a \"\\u{d800}\"", false),
            ("a \"\\q\"", false),
            ("a \"x\\\n  y\"", false),
            ("a \"\"\"\nx\n\"\"\"", false),
            ("a #\"raw\"#", false),
            (
                "a 1 -2 +3 1_000 007 1.5 -0.5 1e3 1E-3 2.5e+10 1_0.0_1 1_e5",
                true,
            ),
            ("a 170141183460469231731687303715884105727", true),
            ("a 170141183460469231731687303715884105728", false),
            ("a -170141183460469231731687303715884105728", false),
            ("a 0x10 0o7 0b1", false),
            ("a 1.", false),
            ("a 1.x", false),
            ("a 1e", false),
            ("a 1._5", false),
            ("a .5", false),
            ("a -.5", false),
            ("a 1abc", false),
            ("a - + . -. +. -a +a .a -.a ,b 'q' a.b a-b", true),
            ("a true", false),
            ("a false null inf -inf nan", false),
            ("a trueish nullable", true),
            ("a #true #false #null", true),
            ("a #inf #-inf #nan", false),
            ("a #truex", false),
            ("a x=#true y=#null", true),
            ("a (t)x (u8)5 ( t )y (\"q t\")z (t) w (t)/* c */v", true),
            ("a k=(var)x k2= (var) y", true),
            ("(t)a", false),
            ("a (t)k=1", false),
            ("a (1)x", false),
            ("a b=c=d", false),
            ("a =b", false),
            ("a=b", false),
            ("a b(", false),
            ("a b[", false),
            ("a b]", false),
            ("a b\"c\"", false),
            ("a\"b\"", false),
            ("a b/c", false),
            ("a /- b", false),
            ("/- a\nb", false),
            ("a \\\n b", false),
            ("a {}", true),
            ("a{}", true),
            ("a { }", true),
            ("a {b}", true),
            ("a { b; c }", true),
            ("a { b\n c { d } }\ne", true),
            ("a b{}", true),
            ("a {} b", false),
            ("a {} {}", false),
            ("a {}}", false),
            ("a {", false),
            ("}", false),
            ("{}", false),
            ("a { b }; c", true),
            ("a /* c */ b /* d /* nested */ */ c // trailing\n", true),
            ("a/* c */b", true),
            ("a /* unterminated", false),
            ("a /**/", true),
            ("a /*/ */ b /***/", true),
            ("a\t b \t", true),
            ("a b // c\n// d\n\n", true),
            ("a b   ; c   \n", true),
            ("né ñ=\"ü\"", true),
            ("a\u{a0}b", false),
            ("\u{feff}a", false),
            ("a\u{2028}b", false),
            ("a\rb", false),
            ("a\x0bb", false),
        ];
        for &(text, answers) in cases {
            assert_eq!(agree(text), answers, "{text:?}");
        }
    }

    /// Random multi-character edits of the canonical stack (a deterministic generator).
    fn random_edits(seed: u64, rounds: usize) -> usize {
        let text = canonical();
        let alphabet: Vec<char> = "\"={};/#()1-.e_ \n\t\\*xu+0aé\r".chars().collect();
        let mut state = seed;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        let mut answered = 0;
        for _ in 0..rounds {
            let mut t: Vec<char> = text.chars().collect();
            for _ in 0..1 + next(3) {
                let i = next(t.len());
                match next(3) {
                    0 => drop(t.remove(i)),
                    1 => t.insert(i, alphabet[next(alphabet.len())]),
                    _ => t[i] = alphabet[next(alphabet.len())],
                }
            }
            answered += agree(&t.into_iter().collect::<String>()) as usize;
        }
        answered
    }

    #[test]
    fn random_edits_agree() {
        assert!(random_edits(1, 200) > 20);
    }

    /// Many more: `cargo test --release --lib syntax::fast -- --ignored`.
    #[test]
    #[ignore]
    fn random_edits_agree_long() {
        for seed in 0..8 {
            random_edits(seed, 2000);
        }
    }

    /// Release timing: `cargo test --release --lib syntax::fast -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn timing() {
        let text = canonical();
        // The best of 20 batches of 10 runs: the machine may be busy.
        let time = |f: &dyn Fn() -> usize| {
            (0..20)
                .map(|_| {
                    let t = std::time::Instant::now();
                    for _ in 0..10 {
                        std::hint::black_box(f());
                    }
                    t.elapsed() / 10
                })
                .min()
                .unwrap()
        };
        let kdl = time(&|| reference(std::hint::black_box(&text)).unwrap().len());
        let fast = time(&|| parse(std::hint::black_box(&text)).unwrap().len());
        let all = time(&|| {
            super::super::parse(std::hint::black_box(&text))
                .unwrap()
                .len()
        });
        let big = crate::gen::stack(100);
        let kdl_big = time(&|| reference(std::hint::black_box(&big)).unwrap().len());
        let fast_big = time(&|| parse(std::hint::black_box(&big)).unwrap().len());
        println!(
            "canonical ({} B): kdl {kdl:?}, fast {fast:?}, syntax::parse {all:?}",
            text.len()
        );
        println!(
            "gen::stack(100) ({} B): kdl {kdl_big:?}, fast {fast_big:?}",
            big.len()
        );
    }
}
