//! Secrets files as a JSON object of strings, read by a tolerant tokenizer so that a
//! broken file is still masked.

use super::{file_error, has_template, shown_key, Entry};
use crate::diagnostic::{Diagnostic, Source};
use crate::span::Span;
use crate::syntax::lex;

/// A JSON token that matters here: a string (with its span, quotes included) or any other
/// run of characters that is not whitespace or punctuation.
enum Token {
    Str(Span),
    Other(Span),
    Punct(u8, usize),
}

/// Splits JSON text into tokens; tolerant of errors, so that a broken file can be masked.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'"' => {
                // KDL's reading of a quoted string is JSON's (escapes skipped, a newline
                // ends it), bar `"""` and whitespace escapes, which valid JSON cannot hold.
                let start = i;
                i = match lex::string(bytes, i) {
                    Some(s) if !s.closed => (s.end + 1).min(bytes.len()),
                    Some(s) => s.end,
                    None => i + 1,
                };
                out.push(Token::Str(Span::new(start, i)));
            }
            b @ (b'{' | b'}' | b'[' | b']' | b':' | b',') => {
                out.push(Token::Punct(b, i));
                i += 1;
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| !b"{}[]:,\" \t\r\n".contains(c))
                {
                    i += 1;
                }
                out.push(Token::Other(Span::new(start, i)));
            }
        }
    }
    out
}

pub(super) fn parse_json(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let toks = tokens(text);
    // A string followed by `:` is a key; every other string or word may be a value.
    let is_key = |i: usize| matches!(toks.get(i + 1), Some(Token::Punct(b':', _)));
    if let Err(e) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        // Never echo serde's message: it can quote the text around the error.
        let (line, col) = (e.line(), e.column());
        let offset = text
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>()
            + col.saturating_sub(1);
        let at = crate::span::floor_char_boundary(text, offset);
        out.push(
            file_error(Span::new(at, at), "this secrets file is not a JSON object of strings")
                .help("write a JSON object of strings, `{ \"name\": \"value\", ... }`, with a comma between entries; values are hidden in this report"),
        );
        return toks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| match t {
                Token::Str(s) if !is_key(i) => Some(*s),
                Token::Str(s) => {
                    let key: Option<String> = serde_json::from_str(&text[s.range()]).ok();
                    (!key.is_some_and(|k| shown_key(&k, declared))).then_some(*s)
                }
                Token::Other(s) => Some(*s),
                _ => None,
            })
            .map(|s| Entry::unreadable("", Span::new(s.start, s.start), s))
            .collect();
    }
    // The object parses: read its top-level entries in file order, with their spans.
    let mut entries = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while let Some(tok) = toks.get(i) {
        match tok {
            Token::Punct(b'{' | b'[', _) => depth += 1,
            Token::Punct(b'}' | b']', _) => depth -= 1,
            Token::Str(k) if depth == 1 && is_key(i) => {
                let key: String = serde_json::from_str(&text[k.range()]).unwrap_or_default();
                let key_span = Span::new(k.start + 1, k.end.saturating_sub(1).max(k.start + 1));
                // Where the value is: a string's content, a word, or a whole array or
                // object (which may hold secrets too).
                let (value_span, next) = match toks.get(i + 2) {
                    Some(Token::Str(v)) => (
                        Span::new(v.start + 1, v.end.saturating_sub(1).max(v.start + 1)),
                        i + 3,
                    ),
                    Some(Token::Other(s)) => (*s, i + 3),
                    Some(Token::Punct(b'{' | b'[', p)) => {
                        let mut d = 0usize;
                        let mut j = i + 2;
                        let mut end = text.len();
                        while let Some(tok) = toks.get(j) {
                            match tok {
                                Token::Punct(b'{' | b'[', _) => d += 1,
                                Token::Punct(b'}' | b']', q) => {
                                    d -= 1;
                                    if d == 0 {
                                        end = q + 1;
                                        break;
                                    }
                                }
                                _ => {}
                            }
                            j += 1;
                        }
                        (Span::new(*p, end), j + 1)
                    }
                    _ => (Span::new(k.end, k.end), i + 1),
                };
                if !shown_key(&key, declared) {
                    out.push(
                        file_error(Span::new(k.start, k.start), "a key that is not a secret's name")
                            .help("write `\"name\": \"value\"` with the secret's name as the key; this entry is hidden in this report"),
                    );
                    let end = match toks.get(i + 2) {
                        Some(Token::Str(v)) => v.end,
                        _ => value_span.end,
                    };
                    entries.push(Entry::unreadable(
                        "",
                        Span::new(k.start, k.start),
                        Span::new(k.start, end.max(k.end)),
                    ));
                    i = next;
                    continue;
                }
                match toks.get(i + 2) {
                    Some(Token::Str(v)) => {
                        let value: String =
                            serde_json::from_str(&text[v.range()]).unwrap_or_default();
                        if has_template(&value) {
                            out.push(
                                Diagnostic::error(
                                    "cellac::secrets-file::interpolation",
                                    "a secret's value cannot hold `${` or `%{`: Terraform reads them as a template",
                                )
                                .at(value_span, "value hidden")
                                .help(format!("write `$${{` (or `%%{{`) for a literal `${{` in `{key}`'s value"))
                                .in_source(Source::Secrets),
                            );
                            entries.push(Entry::unreadable(&key, key_span, value_span));
                            i = next;
                            continue;
                        }
                        entries.push(Entry {
                            key,
                            key_span,
                            value,
                            value_span,
                            readable: true,
                        });
                    }
                    _ => {
                        // A number, boolean, array or object: not a secret's value.
                        out.push(
                            file_error(value_span, "a secret's value must be a string")
                                .help(format!("quote the value: `\"{key}\": \"...\"`")),
                        );
                        entries.push(Entry::unreadable(&key, key_span, value_span));
                    }
                }
                i = next;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    entries
}
