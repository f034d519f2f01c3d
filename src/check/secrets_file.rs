//! `cellac::secrets-file::*`: the values in a secrets file (`--secrets`), checked against
//! each secret's rules without ever showing one. Diagnostics point into the masked file.

use crate::diagnostic::{Diagnostic, Source};
use crate::model::Secret;
use crate::span::Span;
use crate::syntax::lex;

/// Scaleway's limit for a container secret's value (declared in [`crate::limits`]).
pub const MAX_VALUE: usize = crate::limits::SECRET_VALUE.max as usize;

/// One `key = "value"` entry, with spans of the key and of the value's content.
/// An entry that could not be read (`readable: false`) has no value, but its span still
/// covers whatever stood where the value should be, so that it is masked too.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: String,
    pub value_span: Span,
    pub readable: bool,
}

impl Entry {
    fn unreadable(key: &str, key_span: Span, value_span: Span) -> Entry {
        Entry {
            key: key.to_string(),
            key_span,
            value: String::new(),
            value_span,
            readable: false,
        }
    }
}

/// What no word of a report about a secrets file may repeat, computed once for every
/// reader: each entry's value as read (unescaped) and as written in `text`.
pub fn values_to_hide<'a>(text: &'a str, entries: &'a [Entry]) -> Vec<&'a str> {
    let mut values: Vec<&str> = entries.iter().map(|e| e.value.as_str()).collect();
    values.extend(
        entries
            .iter()
            .filter_map(|e| text.get(e.value_span.range())),
    );
    values.retain(|v| !v.is_empty());
    values
}

/// Whether a key in a secrets file may be shown: a declared secret's name, or a name
/// (`[A-Za-z_][A-Za-z0-9_-]*`, as HCL and Terraform variables are) that looks neither
/// like a credential nor random (a base64 value ending in `=` on a line of its own reads
/// as such a key). Anything else may be part of a secret, and is hidden with the value.
pub fn shown_key(key: &str, declared: &[&str]) -> bool {
    if declared.contains(&key) {
        return true;
    }
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.len() <= 128
        && !crate::credential::looks_like(key)
        && !crate::credential::high_entropy(key)
}

/// Whether a string holds a template sequence (`${` or `%{` not written `$${`, `%%{`).
fn has_template(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&[x, y]) = b.get(i..i + 2) {
        match (x, y) {
            (b'$', b'$') | (b'%', b'%') => i += 2,
            (b'$' | b'%', b'{') => return true,
            _ => i += 1,
        }
    }
    false
}

/// Reads `key = "value"` lines (HCL, `#` and `//` comments) or a JSON object.
pub fn parse(text: &str, out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    parse_with(text, &[], out)
}

/// [`parse`], knowing the declared secrets' names (always shown as keys).
pub fn parse_with(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    if text.trim_start().starts_with('{') {
        parse_json(text, declared, out)
    } else {
        parse_hcl(text, declared, out)
    }
}

fn file_error(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error("cellac::secrets-file::syntax", message.to_string())
        .at(span, "cannot read this line")
        .help("write one `name = \"value\"` per line, or a JSON object of strings")
        .in_source(Source::Secrets)
}

fn parse_hcl(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut offset = 0;
    // Inside a value that runs over several lines: a string not closed on its line (until
    // a line with a quote), or a heredoc (until its marker). Those lines are hidden.
    let mut open_string = false;
    let mut heredoc: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        let line_span = Span::new(start + indent, start + body.len());
        if open_string || heredoc.is_some() {
            if open_string && trimmed.contains('"') {
                open_string = false;
            }
            if heredoc.as_deref() == Some(trimmed.trim_end()) {
                heredoc = None;
            }
            entries.push(Entry::unreadable(
                "",
                Span::new(line_span.start, line_span.start),
                line_span,
            ));
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("//") {
            continue;
        }
        let Some((key, rest)) = trimmed
            .split_once('=')
            .filter(|(k, _)| shown_key(k.trim().trim_matches('"'), declared))
        else {
            out.push(
                file_error(line_span, "expected `name = \"value\"`").help(
                    "write one `name = \"value\"` per line; the line is hidden in this report",
                ),
            );
            entries.push(Entry::unreadable(
                "",
                Span::new(line_span.start, line_span.start),
                line_span,
            ));
            continue;
        };
        let key_trim = key.trim_end();
        let key_span = Span::new(start + indent, start + indent + key_trim.len());
        let key_name = key_trim.trim_matches('"');
        let rest_start = start + indent + key.len() + 1;
        let value_part = rest.trim_start();
        let vstart = rest_start + (rest.len() - value_part.len());
        let Some(inner) = value_part.strip_prefix('"') else {
            let span = Span::new(vstart, line_span.end);
            if let Some(marker) = value_part.strip_prefix("<<") {
                let marker = marker.trim_start_matches('-').trim();
                if !marker.is_empty() {
                    heredoc = Some(marker.to_string());
                }
            }
            out.push(
                file_error(span, "a secret's value must be a quoted string")
                    .help(format!("quote the value: `{key_name} = \"...\"`")),
            );
            entries.push(Entry::unreadable(key_name, key_span, span));
            continue;
        };
        // Find the closing quote, reading HCL's escapes; `${` and `%{` are templates.
        let mut value = String::new();
        let mut end = None;
        let (mut bad_escape, mut template) = (false, false);
        let mut chars = inner.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next().map(|(_, e)| e) {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some('r') => value.push('\r'),
                    Some('"') => value.push('"'),
                    Some('\\') => value.push('\\'),
                    Some(u @ ('u' | 'U')) => {
                        let n = if u == 'u' { 4 } else { 8 };
                        let hex: String = (0..n)
                            .filter_map(|_| {
                                chars
                                    .next_if(|(_, h)| h.is_ascii_hexdigit())
                                    .map(|(_, h)| h)
                            })
                            .collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) if hex.len() == n => value.push(c),
                            _ => bad_escape = true,
                        }
                    }
                    _ => bad_escape = true,
                },
                '$' | '%' if chars.peek().is_some_and(|(_, n)| *n == '{') => template = true,
                '$' | '%' if chars.peek().is_some_and(|(_, n)| *n == c) => {
                    // `$${` and `%%{` stand for `${` and `%{`.
                    chars.next();
                    value.push(c);
                    if chars.next_if(|(_, n)| *n == '{').is_some() {
                        value.push('{');
                    } else {
                        value.push(c);
                    }
                }
                '"' => {
                    end = Some(i);
                    break;
                }
                c => value.push(c),
            }
        }
        let Some(end) = end else {
            let span = Span::new(vstart, line_span.end);
            open_string = true;
            out.push(file_error(span, "unterminated string").help(format!(
                "close the quote: `{key_name} = \"...\"` on one line"
            )));
            entries.push(Entry::unreadable(key_name, key_span, span));
            continue;
        };
        let value_span = Span::new(vstart + 1, vstart + 1 + end);
        if bad_escape || template {
            let (message, help) = if template {
                (
                    "a secret's value cannot hold `${` or `%{`: Terraform reads them as a template",
                    format!("write `$${{` (or `%%{{`) for a literal `${{` in `{key_name}`'s value"),
                )
            } else {
                (
                    "a secret's value has a backslash escape that HCL does not know",
                    format!("in `{key_name}`'s value, write `\\\\` for a backslash; HCL knows \\n \\r \\t \\\" \\\\ \\uNNNN \\UNNNNNNNN"),
                )
            };
            out.push(
                Diagnostic::error(
                    if template {
                        "cellac::secrets-file::interpolation"
                    } else {
                        "cellac::secrets-file::escape"
                    },
                    message,
                )
                .at(value_span, "value hidden")
                .help(help)
                .in_source(Source::Secrets),
            );
            entries.push(Entry::unreadable(key_name, key_span, value_span));
            continue;
        }
        entries.push(Entry {
            key: key_name.to_string(),
            key_span,
            value,
            value_span,
            readable: true,
        });
    }
    entries
}

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

fn parse_json(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
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

/// A secret's value against its rules (empty, too long, min-length, postgres, format).
/// `what` names the value in messages (`the value of `x``, `TF_VAR_x`); `at` places a
/// diagnostic. Never shows the value.
pub fn check_value(
    secret: &Secret,
    value: &str,
    what: &str,
    at: &dyn Fn(&'static str, String, &str, String) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    let name = &secret.name.value;
    if value.is_empty() {
        out.push(at(
            "cellac::secrets-file::empty",
            format!("{what} is empty"),
            "empty",
            format!("write the value of `{name}`; Terraform refuses an empty secret"),
        ));
        return;
    }
    let len = value.chars().count();
    // Scaleway counts bytes (issue 22): 600 `é` are 1200.
    let bytes = value.len();
    if bytes > MAX_VALUE {
        out.push(at(
            "cellac::secrets-file::too-long",
            format!("{what} is {bytes} bytes (UTF-8); cellac allows {MAX_VALUE}"),
            "too long",
            "store large values in a bucket and pass their location".into(),
        ));
    }
    // A `min-length` outside 1..MAX_VALUE is `cellac::schema::range`.
    if let Some(min) = secret
        .min_length
        .as_ref()
        .filter(|m| (1..=MAX_VALUE as i128).contains(&m.value))
    {
        if (len as i128) < min.value {
            out.push(at(
                "cellac::secrets-file::min-length",
                format!("{what} is shorter than {} characters", min.value),
                "too short",
                format!(
                    "generate a longer value, e.g. `openssl rand -hex {}`",
                    min.value.saturating_add(1) / 2
                ),
            ));
        }
    }
    if let Some(kind) = &secret.postgres {
        match postgres_parts(value) {
        Err(why) => out.push(at("cellac::secrets-file::postgres", format!("{what} {why}"), "not a PostgreSQL URL", "paste the connection string from Neon: postgresql://USER:PASSWORD@HOST/DB?sslmode=require".into())),
        Ok((host, query)) => {
            let pooled = host.contains("-pooler");
            if kind.value == "pooled" && !pooled {
            out.push(at("cellac::secrets-file::postgres", format!("{what} must use a pooled endpoint, but its host has no `-pooler`"), "direct endpoint", "copy Neon's pooled connection string (its host contains -pooler)".into()));
            } else if kind.value == "direct" && pooled {
            out.push(at("cellac::secrets-file::postgres", format!("{what} must use a direct endpoint, but its host has `-pooler`"), "pooled endpoint", "copy Neon's direct connection string (remove -pooler from the host)".into()));
            }
            if !query.split('&').any(|p| p.starts_with("sslmode=")) {
            out.push(at("cellac::secrets-file::postgres", format!("{what} has no `sslmode` parameter"), "no sslmode", "append `?sslmode=require` to the URL".into()));
            }
        }
        }
    }
    if secret.format.as_ref().is_some_and(|f| f.value == "email") && !super::var::is_email(value) {
        out.push(at(
            "cellac::secrets-file::format",
            format!("{what} is not an email address"),
            "not an email address",
            "write an address such as ops@example.com".into(),
        ));
    }
}

/// The host and query of a PostgreSQL URL, or why it is not one.
fn postgres_parts(url: &str) -> Result<(&str, &str), &'static str> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or("is not a postgres:// or postgresql:// URL")?;
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = before_query.split('/').next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = hostport.split(':').next().unwrap_or("");
    if host.is_empty() {
        return Err("has no host");
    }
    Ok((host, query))
}

/// Checks each secret's value. `elsewhere` names secrets set another way (`TF_VAR_*`).
pub fn check(
    text: &str,
    secrets: &[Secret],
    elsewhere: &[String],
    out: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let declared: Vec<&str> = secrets.iter().map(|s| s.name.value.as_str()).collect();
    let entries = parse_with(text, &declared, out);
    // A JSON file that does not parse has no entries to speak of: its syntax error says
    // it all, and listing every secret as missing would only bury it.
    let unreadable = text.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).is_err();
    for secret in secrets {
        let name = &secret.name.value;
        let Some(entry) = entries.iter().rev().find(|e| &e.key == name) else {
            if !elsewhere.contains(name) && !unreadable {
                out.push(
                    Diagnostic::error(
                        "cellac::secrets-file::missing",
                        format!("secret `{name}` has no value in the secrets file"),
                    )
                    .at(secret.name.span, "declared here")
                    .help(format!(
                        "add `{name} = \"...\"` to the secrets file, or set TF_VAR_{name}"
                    )),
                );
            }
            continue;
        };
        if !entry.readable {
            continue; // reported as a syntax error
        }
        let at = |code: &'static str, message: String, label: &str, help: String| {
            Diagnostic::error(code, message)
                .at(entry.value_span, label.to_string())
                .help(help)
                .in_source(Source::Secrets)
        };
        check_value(
            secret,
            &entry.value,
            &format!("the value of `{name}`"),
            &at,
            out,
        );
    }
    // Terraform refuses a key set twice.
    for (i, e) in entries.iter().enumerate() {
        if e.key.is_empty() {
            continue;
        }
        if let Some(first) = entries.iter().take(i).find(|f| f.key == e.key) {
            out.push(
                Diagnostic::error(
                    "cellac::secrets-file::duplicate",
                    format!("`{}` is set twice in the secrets file", e.key),
                )
                .at(e.key_span, "set again here")
                .also(first.key_span, "first set here")
                .help(
                    "keep one line for it: Terraform refuses a variable defined twice in one file",
                )
                .in_source(Source::Secrets),
            );
        }
    }
    for e in &entries {
        if !e.key.is_empty() && !secrets.iter().any(|s| s.name.value == e.key) {
            // Only secrets with no value here: renaming the key to one that has a value
            // would set it twice.
            let names: Vec<&str> = secrets
                .iter()
                .map(|s| s.name.value.as_str())
                .filter(|n| !entries.iter().any(|x| x.key == *n))
                .collect();
            let help = if names.is_empty() {
                format!(
                    "remove the line, or declare `secret {}` in the stack",
                    e.key
                )
            } else {
                crate::suggest::did_you_mean(&e.key, &names)
            };
            // The key as written: quoted (`"name" = ...`) or bare.
            let quoted = text
                .get(e.key_span.range())
                .is_some_and(|k| k.starts_with('"'));
            let fix = crate::suggest::nearest(&e.key, names.iter().copied()).map(|n| {
                let written = if quoted {
                    format!("\"{n}\"")
                } else {
                    n.to_string()
                };
                crate::diagnostic::Fix::replace(
                    crate::diagnostic::Applicability::Unsafe,
                    format!("Replace with `{n}`"),
                    e.key_span,
                    written,
                )
            });
            out.push(
                Diagnostic::warning(
                    "cellac::secrets-file::unknown",
                    format!("`{}` is not a declared secret", e.key),
                )
                .at(e.key_span, "not declared")
                .help(help)
                .fixes_with(fix)
                .in_source(Source::Secrets),
            );
        }
    }
    entries
}
