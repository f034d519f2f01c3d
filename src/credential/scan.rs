//! Finding credentials in a stack file's text without parsing it: a tokenizer that
//! reads strings, bare words and comments as KDL does.

use super::*;

/// A word of a stack file, for [`spans`]: its text as read and the span of its content.
pub(super) struct Word {
    value: String,
    span: Span,
    /// Inside a comment: no key, and no node around it.
    comment: bool,
}

pub(super) enum Tok {
    Word(Word),
    Eq,
    /// A newline, `;`, `{` or `}`: the end of a node's head.
    End,
}

/// A byte of a bare word (any non-ASCII byte too). A control character, which KDL
/// forbids, ends a word: `\x01secret leaked "..."` still names a secret.
pub(super) fn bare(c: u8) -> bool {
    !(c.is_ascii_whitespace()
        || c.is_ascii_control()
        || matches!(
            c,
            b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b'[' | b']' | b';' | b'"' | b'#' | b'='
        ))
}

/// The words of a comment's text: runs between spaces and quotes.
pub(super) fn comment_words(text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
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
pub(super) fn unescape(raw: &str) -> String {
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
pub(super) fn tokens(text: &str) -> Vec<Tok> {
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
