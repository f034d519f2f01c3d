//! What looks like a credential, and hiding it.
//!
//! A literal looks like a credential on its own when it is a URL with a password or
//! starts with a known key prefix (`sk_live_`, `ghp_`, `AKIA`, `SCW`, `xoxb-`, ...), and
//! under a key named like a secret (`SECRET`, `TOKEN`, `KEY`, `PASSWORD`, ...) when it
//! is high-entropy. The checks flag such literals (`cellac::secret::inline` where a
//! secret belongs, `cellac::secret::literal` elsewhere); every report hides them:
//! [`spans`] finds them in a stack file's text without parsing it (so next to a syntax
//! error too, and in comments), [`mask`] replaces each with [`MASK`], whatever its
//! length, and [`scrub`] removes them from diagnostics' words.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::lex;

/// What a hidden value is shown as: the same for every value, so that its length does not
/// show.
pub const MASK: &str = "*****";

/// Known key prefixes, each with the fewest characters that must follow it.
const PREFIXES: &[(&str, usize)] = &[
    ("sk_live_", 8),
    ("sk_test_", 8),
    ("rk_live_", 8),
    ("rk_test_", 8),
    ("whsec_", 16),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 16),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("xoxa-", 10),
    ("xoxs-", 10),
    ("xapp-", 10),
    ("sk-proj-", 16),
    ("sk-ant-", 16),
    ("AIza", 30),
    ("npm_", 30),
    ("hf_", 30),
    ("SG.", 20),
    ("-----BEGIN", 0),
];

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '+' | '=')
}

/// `AKIA`/`ASIA` and 16 capitals or digits: an AWS access key id. `SCW` and 17: a
/// Scaleway access key.
fn fixed_form(s: &str) -> bool {
    let upper = |t: &str, n: usize| {
        t.len() == n
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_digit())
    };
    let s = s.trim();
    ["AKIA", "ASIA"]
        .iter()
        .any(|p| s.strip_prefix(p).is_some_and(|t| upper(t, 16)))
        || s.strip_prefix("SCW").is_some_and(|t| upper(t, 17))
}

/// Whether a `secret-env` value reads as a secret's name rather than a secret's value.
pub fn looks_like_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a URL carries a password: `scheme://user:password@host`.
pub fn url_with_password(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty()))
}

/// Whether a JSON Web Token: three base64url parts, the first two JSON objects.
fn jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts
            .iter()
            .all(|p| p.len() >= 4 && p.chars().all(key_char))
}

/// Whether a literal looks like a credential on its own, wherever it is written.
pub fn looks_like(s: &str) -> bool {
    let s = s.trim();
    url_with_password(s)
        || fixed_form(s)
        || jwt(s)
        || PREFIXES.iter().any(|(p, n)| {
            s.strip_prefix(p).is_some_and(|rest| {
                *n == 0 || (rest.len() >= *n && rest.chars().take(*n).all(key_char))
            })
        })
}

/// Whether a key (an `env` key, a `var` or `secret` name) is named like a secret.
pub fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "pwd",
        "key",
        "credential",
        "private",
        "auth",
        "apikey",
        "dsn",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Whether `s` reads as a name written in words, `snake_case` or `kebab-case`, each word
/// letters then maybe digits (`oauth2_client_secret`, `stripe_key_v2`): a name, never a
/// random value, however many different characters it has. (A UUID's groups start with
/// digits or mix them in: not a name.)
fn identifier(s: &str) -> bool {
    let words: Vec<&str> = s.split(['_', '-']).collect();
    words.len() >= 2
        && words.iter().all(|w| {
            let letters = w.bytes().take_while(u8::is_ascii_lowercase).count();
            letters >= 1 && w.bytes().skip(letters).all(|b| b.is_ascii_digit())
        })
        || s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// The byte ranges, inside a longer literal (a command, a path with a query), of what
/// looks like a credential: a word that does on its own, the value of `KEY=VALUE` or
/// `--key VALUE` under a key named like a secret (`psql postgres://u:pw@h/db`,
/// `/health?token=...`, `curl -H "Authorization: Bearer ..."`).
pub fn inner(s: &str) -> Vec<std::ops::Range<usize>> {
    let sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\'' | '"' | '&' | '?' | ';' | ',' | '(' | ')' | '<' | '>' | '|' | '`'
            )
    };
    let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (sep(c), start) {
            (true, Some(b)) => {
                pieces.push(b..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if pieces.len() < 2 && !s.contains(['?', '&']) {
        return Vec::new(); // one word: judged as a whole by the caller
    }
    let mut out = Vec::new();
    let mut previous: Option<&str> = None;
    for r in pieces {
        let piece = &s[r.clone()];
        if looks_like(piece) {
            out.push(r);
        } else if let Some((k, v)) = piece.split_once(['=', ':']).filter(|(_, v)| !v.is_empty()) {
            if looks_like_under(Some(k.trim_start_matches('-')), v) {
                out.push(r.start + k.len() + 1..r.end);
            }
        } else if previous.is_some_and(|p| {
            (p.starts_with('-') || p.ends_with(':')) && secret_key(p)
                || p.eq_ignore_ascii_case("bearer")
        }) && high_entropy(piece)
        {
            out.push(r);
        }
        previous = Some(piece);
    }
    out
}

/// Whether a literal reads as random: long, no spaces, letters and digits mixed, and at
/// least 3 bits of entropy a character.
pub fn high_entropy(s: &str) -> bool {
    let n = s.chars().count();
    if n < 12 || s.chars().any(char::is_whitespace) || identifier(s) {
        return false;
    }
    if !s.chars().any(|c| c.is_ascii_digit()) || !s.chars().any(|c| c.is_alphabetic()) {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.0
}

/// Whether `value`, written under `key` (if any), looks like a credential.
pub fn looks_like_under(key: Option<&str>, value: &str) -> bool {
    looks_like(value) || key.is_some_and(secret_key) && high_entropy(value)
}

/// A word of a stack file, for [`spans`]: its text as read and the span of its content.
struct Word {
    value: String,
    span: Span,
    /// Inside a comment: no key, and no node around it.
    comment: bool,
}

enum Tok {
    Word(Word),
    Eq,
    /// A newline, `;`, `{` or `}`: the end of a node's head.
    End,
}

/// A byte of a bare word (any non-ASCII byte too). A control character, which KDL
/// forbids, ends a word: `\x01secret leaked "..."` still names a secret.
fn bare(c: u8) -> bool {
    !(c.is_ascii_whitespace()
        || c.is_ascii_control()
        || matches!(
            c,
            b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b';' | b'"' | b'#' | b'='
        ))
}

/// The words of a comment's text: runs between spaces and quotes.
fn comment_words(text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
    let mut i = start;
    let b = text.as_bytes();
    while i < end {
        if b[i].is_ascii_whitespace()
            || matches!(b[i], b'"' | b'\'' | b'`' | b'(' | b')' | b',' | b'<' | b'>')
        {
            i += 1;
            continue;
        }
        let s = i;
        while i < end
            && !(b[i].is_ascii_whitespace()
                || matches!(b[i], b'"' | b'\'' | b'`' | b'(' | b')' | b',' | b'<' | b'>'))
        {
            i += 1;
        }
        out.push(Tok::Word(Word {
            value: text[s..i].to_string(),
            span: Span::new(s, i),
            comment: true,
        }));
    }
}

/// The content of a quoted string, escapes read (loosely: this is for masking).
fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('s') => out.push(' '),
            Some('u') if chars.peek() == Some(&'{') => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(c) if c.is_whitespace() => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// Splits a stack file's text into words, `=` and ends, tolerant of any error.
fn tokens(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], at(i + 1)) {
            (b'/', b'/') => {
                let end = lex::line_comment(b, i);
                // `KEY=https://x`: KDL reads a bare `https:` and a comment, but the URL is
                // one word, as its writer meant.
                let mut from = i + 2;
                if let Some(Tok::Word(w)) = out.last_mut() {
                    if !w.comment && w.span.end == i && w.value.ends_with(':') {
                        let run = b[i..end]
                            .iter()
                            .position(|c| {
                                c.is_ascii_whitespace() || matches!(c, b'"' | b';' | b'{' | b'}')
                            })
                            .map_or(end, |n| i + n);
                        w.span.end = run;
                        w.value = text[w.span.range()].to_string();
                        from = run;
                    }
                }
                comment_words(text, from, end, &mut out);
                i = end;
            }
            (b'/', b'*') => {
                let c = lex::block_comment(b, i);
                comment_words(text, c.body.start, c.body.end, &mut out);
                i = c.end;
            }
            (b'"' | b'#', _) => match lex::string(b, i) {
                Some(s) => {
                    let body = &text[s.body.range()];
                    out.push(Tok::Word(Word {
                        // A raw string's content is as written.
                        value: if b[i] == b'#' {
                            body.to_string()
                        } else {
                            unescape(body)
                        },
                        span: s.body,
                        comment: false,
                    }));
                    i = s.end;
                }
                None => {
                    // `#true`, `#null`: a word of its own.
                    let s = i;
                    i += b[i..].iter().take_while(|&&c| c == b'#').count();
                    while i < b.len() && bare(b[i]) {
                        i += 1;
                    }
                    out.push(Tok::Word(Word {
                        value: text[s..i].to_string(),
                        span: Span::new(s, i),
                        comment: false,
                    }));
                }
            },
            (b'=', _) => {
                out.push(Tok::Eq);
                i += 1;
            }
            (b'\n' | b';' | b'{' | b'}', _) => {
                out.push(Tok::End);
                i += 1;
            }
            (c, _) if bare(c) => {
                let s = i;
                while i < b.len() && bare(b[i]) {
                    i += 1;
                }
                out.push(Tok::Word(Word {
                    value: text[s..i].to_string(),
                    span: Span::new(s, i),
                    comment: false,
                }));
            }
            _ => i += 1,
        }
    }
    out
}

/// The spans (string contents, bare words) of everything in a stack file's text that
/// looks like a credential or stands where a secret's value would: found without
/// parsing, so that a file with syntax errors is masked too.
pub fn spans(text: &str) -> Vec<(Span, String)> {
    let toks = tokens(text);
    let mut out = Vec::new();
    // The current node's name, its first argument, and how many positional words so far
    // (the node's name is the first).
    let (mut node, mut name, mut positional): (Option<&str>, Option<&str>, usize) = (None, None, 0);
    for (i, t) in toks.iter().enumerate() {
        let w = match t {
            Tok::End => {
                (node, name, positional) = (None, None, 0);
                continue;
            }
            Tok::Eq => continue,
            Tok::Word(w) => w,
        };
        if w.comment || matches!(toks.get(i + 1), Some(Tok::Eq)) {
            // A comment's word or a property's key: only what looks like one on its own.
            if looks_like(&w.value) {
                out.push((w.span, w.value.clone()));
            }
            continue;
        }
        let raw_key = match (
            i.checked_sub(2).map(|k| &toks[k]),
            &toks[i.saturating_sub(1)],
        ) {
            (Some(Tok::Word(k)), Tok::Eq) => Some(k.value.as_str()),
            _ => None,
        };
        let after_eq = i >= 1 && matches!(toks[i - 1], Tok::Eq);
        if !after_eq {
            positional += 1;
        }
        match positional {
            1 if !after_eq => node = Some(w.value.as_str()),
            2 if !after_eq => name = Some(w.value.as_str()),
            _ => {}
        }
        // The key it is written under: `KEY=value`, or a `var`'s or `secret`'s name.
        let key = match raw_key {
            Some("default" | "value") | None if matches!(node, Some("var" | "secret")) => name,
            k => k,
        };
        let secret_value = match node {
            // A value after the secret's name: `cellac::secret::inline`.
            Some("secret") => {
                matches!(raw_key, Some("value" | "default")) || (!after_eq && positional >= 3)
            }
            // Where a secret's name belongs, anything but a name.
            Some("secret-env") => after_eq && !looks_like_name(&w.value),
            _ => false,
        };
        if secret_value || looks_like_under(key, &w.value) {
            out.push((w.span, w.value.clone()));
        } else {
            // A credential inside a longer value: the part alone where the text is the
            // value as written (no escapes), else the whole value.
            let found = inner(&w.value);
            let as_written = text.get(w.span.range()) == Some(w.value.as_str());
            if as_written {
                for r in found {
                    let span = Span::new(w.span.start + r.start, w.span.start + r.end);
                    out.push((span, w.value[r].to_string()));
                }
            } else if !found.is_empty() {
                out.push((w.span, w.value.clone()));
            }
        }
    }
    out
}

/// `text` with each of `spans` (sorted or not, overlapping or not) replaced by [`MASK`],
/// line breaks kept; and a function from offsets in `text` to offsets in the result.
pub fn mask(text: &str, spans: &[Span]) -> Masked {
    let mut spans: Vec<Span> = spans
        .iter()
        .map(|s| Span::clamp(*s, text.len()))
        .map(|s| {
            Span::new(
                crate::span::floor_char_boundary(text, s.start),
                crate::span::floor_char_boundary(text, s.end),
            )
        })
        .filter(|s| !s.is_empty())
        .collect();
    spans.sort_by_key(|s| (s.start, s.end));
    // Merge overlapping spans, then split each at line breaks.
    let mut merged: Vec<Span> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(m) if s.start <= m.end => m.end = m.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut parts: Vec<Span> = Vec::new();
    for m in merged {
        let mut start = m.start;
        for (k, c) in text[m.range()].char_indices() {
            if c == '\n' || c == '\r' {
                if start < m.start + k {
                    parts.push(Span::new(start, m.start + k));
                }
                start = m.start + k + 1;
            }
        }
        if start < m.end {
            parts.push(Span::new(start, m.end));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut moved = Vec::with_capacity(parts.len());
    for p in &parts {
        out.push_str(&text[from..p.start]);
        let start = out.len();
        out.push_str(MASK);
        moved.push((*p, Span::new(start, out.len())));
        from = p.end;
    }
    out.push_str(&text[from..]);
    Masked { text: out, moved }
}

/// A masked text, and where each masked span went.
pub struct Masked {
    pub text: String,
    moved: Vec<(Span, Span)>,
}

impl Masked {
    /// Where an offset of the original text is in the masked one (inside a masked span:
    /// its start for a start, its end for an end).
    fn map(&self, o: usize, end: bool) -> usize {
        let mut delta: isize = 0;
        for (old, new) in &self.moved {
            if o <= old.start {
                break;
            }
            if o < old.end {
                return if end { new.end } else { new.start };
            }
            delta = new.end as isize - old.end as isize;
        }
        (o as isize + delta).max(0) as usize
    }

    pub fn span(&self, s: Span) -> Span {
        Span::new(
            self.map(s.start, false),
            self.map(s.end, true).max(self.map(s.start, false)),
        )
    }

    /// Moves every label of `d` into the masked text.
    pub fn diagnostic(&self, d: &mut Diagnostic) {
        for l in &mut d.labels {
            l.span = self.span(l.span);
        }
    }
}

/// The content of the value at `span`: inside its quotes (`"..."`, `#"..."#`, `"""`).
pub fn content(text: &str, span: Span) -> Span {
    let span = span.clamp(text.len());
    let Some(v) = text.get(span.range()) else {
        return span;
    };
    match lex::string(v.as_bytes(), 0) {
        Some(s) => Span::new(span.start + s.body.start, span.start + s.body.end),
        None => span,
    }
}

/// Every value to hide in a stack file's words: what [`spans`] finds, and the values at
/// `extra` (spans of values a check called secret), as written and as read.
pub fn values(text: &str, extra: impl IntoIterator<Item = Span>) -> Vec<String> {
    let mut out: Vec<String> = spans(text).into_iter().map(|(_, v)| v).collect();
    for s in extra {
        if let Some(raw) = text.get(content(text, s).range()) {
            out.push(unescape(raw));
            out.push(raw.to_string());
        }
    }
    out
}

/// `text` of any kind (a diff of generated files) with `known` values (4 characters or
/// more) and every word that looks like a credential replaced by [`MASK`], as are values
/// written `KEY": "value"`, `KEY = "value"` or `KEY=value` under a key named like a secret
/// when they look random.
pub fn hide_in(text: &str, known: &[String]) -> String {
    let mut out = text.to_string();
    let mut known: Vec<&str> = known
        .iter()
        .map(|v| v.trim())
        .filter(|v| v.chars().count() >= 4)
        .collect();
    known.sort_by_key(|v| std::cmp::Reverse(v.len()));
    for v in known {
        if out.contains(v) {
            out = out.replace(v, MASK);
        }
    }
    let sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | ',' | '(' | ')' | '[' | ']' | '{' | '}' | ';'
            )
    };
    let mut hidden = String::with_capacity(out.len());
    for line in out.split_inclusive('\n') {
        let mut l = line.to_string();
        let words: Vec<&str> = line.split(sep).filter(|w| !w.is_empty()).collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_end_matches(':');
            let (key, value) = match w.split_once('=') {
                Some((k, v)) if !v.is_empty() => (Some(k), v),
                _ => (
                    words[..i]
                        .iter()
                        .rev()
                        .map(|k| k.trim_matches([':', '=']))
                        .find(|k| !k.is_empty()),
                    w,
                ),
            };
            let key = key.map(|k| k.trim_start_matches(['+', '-']));
            if looks_like_under(key, value) && value.len() >= 4 {
                l = l.replace(value, MASK);
            }
        }
        hidden.push_str(&l);
    }
    hidden
}

/// Replaces every occurrence of `values` (of 4 characters or more) in the words of
/// `diags` (message, help, labels) by [`MASK`].
pub fn scrub<'a>(diags: &mut [Diagnostic], values: impl IntoIterator<Item = &'a str>) {
    let mut values: Vec<&str> = values
        .into_iter()
        .map(str::trim)
        .filter(|v| v.chars().count() >= 4)
        .collect();
    if values.is_empty() {
        return;
    }
    // Longest first, so that a value inside another is not left half-hidden.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let clean = |s: &mut String| {
        for v in &values {
            if s.contains(v) {
                *s = s.replace(v, MASK);
            }
        }
    };
    for d in diags {
        // A fix cannot be masked (applied, it would write the mask): one that holds a
        // hidden value is dropped.
        d.fixes.retain(|f| {
            !values
                .iter()
                .any(|v| f.title.contains(v) || f.edits.iter().any(|e| e.text.contains(v)))
        });
        clean(&mut d.message);
        if let Some(h) = &mut d.help {
            clean(h);
        }
        for l in &mut d.labels {
            if let Some(m) = &mut l.message {
                clean(m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_on_their_own() {
        for s in [
            "postgres://user:pass@host/db",
            "https://u:p@example.com",
            "sk_live_51Habcdefghijkl",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "AKIAIOSFODNN7EXAMPLE",
            "SCWXXXXXXXXXXXXXXXX1",
            "xoxb-1234567890-abcdef",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcd1234",
            "-----BEGIN PRIVATE KEY-----",
        ] {
            assert!(looks_like(s), "{s}");
        }
        for s in [
            "https://example.com/a@b",
            "https://user@example.com",
            "SCW_ACCESS_KEY",
            "SCW_DEFAULT_REGION",
            "sk_live_",
            "skeleton",
            "database_url",
            "AKIA",
            "mailto:a@b.c",
        ] {
            assert!(!looks_like(s), "{s}");
        }
    }

    #[test]
    fn random_under_a_secret_key() {
        let random = "q8Zr2LmX9vTb4KpW";
        assert!(looks_like_under(Some("API_TOKEN"), random));
        assert!(looks_like_under(Some("stripe_key"), random));
        assert!(!looks_like_under(Some("MODE"), random));
        assert!(!looks_like_under(Some("PASSWORD"), "change-me-please"));
        assert!(!looks_like_under(Some("PASSWORD"), "short1"));
        assert!(looks_like_under(
            Some("SCW_SECRET_KEY"),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        ));
    }

    #[test]
    fn spans_without_parsing() {
        let cut = "a\nservice w {\n    env URL=https://u:pw@h/x OTHER=1\n}\n";
        let found: Vec<&str> = spans(cut)
            .into_iter()
            .map(|(s, _)| &cut[s.range()])
            .collect();
        assert_eq!(found, ["https://u:pw@h/x"]);
        let text = "stack a\nvar api_token default=\"q8Zr2LmX9vTb4KpW\"\nservice web {\n    env DB=\"postgres://u:p@h/db\" MODE=q8Zr2LmX9vTb4KpW\n    secret-env K=\"not a name\" L=name\n    port 70000 \"unclosed\n}\nsecret s \"hunter2\" min-length=32\n// sk_live_abcdefghijkl in a comment\n";
        let found: Vec<&str> = spans(text)
            .into_iter()
            .map(|(s, _)| &text[s.range()])
            .collect();
        assert_eq!(
            found,
            [
                "q8Zr2LmX9vTb4KpW",
                "postgres://u:p@h/db",
                "not a name",
                "hunter2",
                "sk_live_abcdefghijkl"
            ]
        );
    }

    /// Issue 22, class 7: names are not values, and a credential inside a command or a
    /// path is found.
    #[test]
    fn names_are_not_random_and_commands_are_searched() {
        assert!(!high_entropy("oauth2_client_secret"));
        assert!(!high_entropy("stripe_key_v2"));
        assert!(!looks_like_under(
            Some("OAUTH2_CLIENT_SECRET"),
            "oauth2_client_secret"
        ));
        // Negative controls: random values and UUIDs still are.
        assert!(high_entropy("q8Zr2LmX9vTb4KpW"));
        assert!(looks_like_under(
            Some("SCW_SECRET_KEY"),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        ));
        let text = "stack a\nsecret oauth2_client_secret\nservice web {\n    secret-env OAUTH2_CLIENT_SECRET=oauth2_client_secret\n    migrate \"psql postgres://admin:hunter22@db/app -c 'select 1'\"\n    health \"/health?token=q8Zr2LmX9vTb4KpW&x=1\"\n}\njob j {\n    command \"curl -H 'Authorization: Bearer q8Zr2LmX9vTb4KpWa1' https://x\"\n}\nsite s {\n    build \"API_KEY=q8Zr2LmX9vTb4KpW npm run build\"\n}\n";
        let found: Vec<&str> = spans(text)
            .into_iter()
            .map(|(s, _)| &text[s.range()])
            .collect();
        assert_eq!(
            found,
            [
                "postgres://admin:hunter22@db/app",
                "q8Zr2LmX9vTb4KpW",
                "q8Zr2LmX9vTb4KpWa1",
                "q8Zr2LmX9vTb4KpW"
            ]
        );
    }

    #[test]
    fn masks_hide_the_length_and_spans_follow() {
        let text = "a \"short\" b \"a much longer secret value\" c";
        let s1 = Span::new(3, 8);
        let s2 = Span::new(13, 39);
        let m = mask(text, &[s2, s1]);
        assert_eq!(m.text, "a \"*****\" b \"*****\" c");
        assert_eq!(&m.text[m.span(s2).range()], MASK);
        let c = Span::new(text.len() - 1, text.len());
        assert_eq!(&m.text[m.span(c).range()], "c");
        assert_eq!(m.span(Span::new(0, text.len())), Span::new(0, m.text.len()));
        let multi = mask("x\nsecret\nline\ny", &[Span::new(2, 13)]);
        assert_eq!(multi.text, "x\n*****\n*****\ny");
    }

    #[test]
    fn content_inside_quotes() {
        let text = r####"a "x" #"y"# ##"""
z
"""## "open w"####;
        let c = |s: &str| {
            let at = text.find(s).unwrap();
            &text[content(text, Span::new(at, at + s.len())).range()]
        };
        assert_eq!(c("\"x\""), "x");
        assert_eq!(c("#\"y\"#"), "y");
        assert_eq!(c("w"), "w");
        assert_eq!(c("\"open w"), "open w");
    }

    #[test]
    fn hidden_in_any_text() {
        let diff = "-  \"API_TOKEN\": \"q8Zr2LmX9vTb4KpW\",\n+  \"API_TOKEN\": \"w7Yt3NkZ8uRc5JqV\",\n   \"MODE\": \"q8Zr2LmX9vTb4KpW0\",\n+ URL=postgres://a:pw@h/db x sk_live_abcdefghijkl\n";
        let h = hide_in(diff, &["known-value-1".into()]);
        for s in ["q8Zr2LmX9vTb4KpW\"", "w7Yt3NkZ8uRc5JqV", "pw@h", "sk_live_"] {
            assert!(!h.contains(s), "{s}: {h}");
        }
        assert!(h.contains("MODE"), "{h}");
        assert_eq!(
            hide_in("a known-value-1 b", &["known-value-1".into()]),
            "a ***** b"
        );
    }

    /// Random text of the characters that matter never panics, and masks keep lines.
    #[test]
    fn random_text_never_panics() {
        let alphabet: Vec<char> = "\"#/*\\=-{};:@ \n\tabcSK_é€😀0123456789'".chars().collect();
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for _ in 0..3000 {
            let len = next(60);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let found: Vec<Span> = spans(&text).into_iter().map(|(s, _)| s).collect();
            for s in &found {
                assert!(text.get(s.range()).is_some(), "{text:?} {s:?}");
            }
            let m = mask(&text, &found);
            assert_eq!(m.text.matches('\n').count(), text.matches('\n').count());
            let a = next(text.len() + 1);
            let b = a + next(text.len() + 1 - a);
            if text.is_char_boundary(a) && text.is_char_boundary(b) {
                let c = content(&text, Span::new(a, b));
                assert!(text.get(c.range()).is_some());
                let moved = m.span(Span::new(a, b));
                assert!(moved.start <= moved.end && moved.end <= m.text.len());
                assert!(m.text.is_char_boundary(moved.start) && m.text.is_char_boundary(moved.end));
            }
            hide_in(&text, std::slice::from_ref(&text));
        }
    }

    #[test]
    fn scrub_words() {
        let mut d = vec![
            Diagnostic::error("c", "secret `sk_live_abcdefghijkl` is not declared")
                .at(Span::new(0, 1), "sk_live_abcdefghijkl")
                .help("declare `secret sk_live_abcdefghijkl`"),
        ];
        scrub(&mut d, ["sk_live_abcdefghijkl", "ab"]);
        assert!(!format!("{d:?}").contains("sk_live_"));
    }
}
