//! Secrets files in HCL: `key = "value"` lines, `#` and `//` comments, strings over
//! several lines and heredocs (hidden whole).

use super::{file_error, shown_key, Entry};
use crate::diagnostic::{Diagnostic, Source};
use crate::span::Span;

pub(super) fn parse_hcl(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
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
