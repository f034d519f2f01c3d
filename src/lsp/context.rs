//! A lightweight reading of KDL that works on broken text (mid-typing): the enclosing
//! node names from `{ }` nesting, and the current statement's tokens.

use crate::span::Span;
use crate::syntax::lex;

/// One node statement as far as it was read: its tokens (words, strings, `key=value`).
#[derive(Clone, Debug, Default)]
pub struct Statement {
    /// The names of the enclosing nodes, outermost first.
    pub path: Vec<String>,
    pub tokens: Vec<Span>,
}

impl Statement {
    pub fn token<'t>(&self, text: &'t str, i: usize) -> Option<&'t str> {
        self.tokens.get(i).and_then(|s| text.get(s.range()))
    }

    pub fn name<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.token(text, 0)
    }

    /// The first argument, unquoted.
    pub fn arg<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.token(text, 1)
            .filter(|t| !t.contains('='))
            .map(unquote)
    }

    /// The value of `key=` in this statement, unquoted.
    pub fn prop<'t>(&self, text: &'t str, key: &str) -> Option<&'t str> {
        (1..self.tokens.len())
            .filter_map(|i| self.token(text, i))
            .filter_map(|t| t.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| unquote(v))
    }
}

pub fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .map(|s| s.strip_suffix('"').unwrap_or(s))
        .unwrap_or(s)
}

/// Reads `text` statement by statement; `f` sees each statement as it ends (and the
/// last one, unfinished, at the end of the text), with the names of the enclosing nodes.
/// (The path is kept out of `Statement` here so that deep nesting stays linear.)
pub fn scan(text: &str, mut f: impl FnMut(&[String], &Statement)) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut path: Vec<String> = Vec::new();
    let mut stmt = Statement::default();
    let mut token_start: Option<usize> = None;
    let mut i = 0;
    let end_token = |stmt: &mut Statement, start: &mut Option<usize>, at: usize| {
        if let Some(s) = start.take() {
            stmt.tokens.push(Span::new(s, at));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'#' => {
                // `#true` reads on as a word.
                token_start.get_or_insert(i);
                i = lex::string(bytes, i).map_or(i + 1, |s| s.end);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                end_token(&mut stmt, &mut token_start, i);
                i = lex::line_comment(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                end_token(&mut stmt, &mut token_start, i);
                i = lex::block_comment(bytes, i).end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'-') => {
                end_token(&mut stmt, &mut token_start, i);
                i += 2;
                continue;
            }
            b'\\' => {
                // A line continuation: the statement goes on after the line break.
                end_token(&mut stmt, &mut token_start, i);
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
                i += if bytes[i..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                continue;
            }
            b'{' => {
                end_token(&mut stmt, &mut token_start, i);
                let name = stmt.name(text).unwrap_or_default().to_string();
                f(&path, &stmt);
                path.push(name);
                stmt.tokens.clear();
            }
            b'}' | b';' | b'\n' | b'\r' => {
                end_token(&mut stmt, &mut token_start, i);
                if !stmt.tokens.is_empty() {
                    f(&path, &stmt);
                }
                if b == b'}' {
                    path.pop();
                }
                stmt.tokens.clear();
            }
            b' ' | b'\t' => end_token(&mut stmt, &mut token_start, i),
            _ => {
                token_start.get_or_insert(i);
            }
        }
        i += 1;
    }
    end_token(&mut stmt, &mut token_start, text.len());
    f(&path, &stmt);
    path
}

/// Where the cursor is: the statement it is in, and the token it is typing.
#[derive(Clone, Debug)]
pub struct Cursor {
    pub stmt: Statement,
    /// The index of the token being typed (== tokens.len() after whitespace).
    pub index: usize,
    /// The part of that token before the cursor.
    pub partial: Span,
}

/// The context at `offset`, read from the text before it.
pub fn at(text: &str, offset: usize) -> Cursor {
    let offset = crate::span::floor_char_boundary(text, offset);
    let before = &text[..offset];
    let mut last = Statement::default();
    last.path = scan(before, |_, s| last.tokens.clone_from(&s.tokens));
    match last.tokens.last() {
        Some(t) if t.end == offset => Cursor {
            index: last.tokens.len() - 1,
            partial: *t,
            stmt: last,
        },
        _ => Cursor {
            index: last.tokens.len(),
            partial: Span::new(offset, offset),
            stmt: last,
        },
    }
}

/// The names declared at the top level, by node (`service` → its names), read from
/// possibly broken text.
pub fn declared(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    scan(text, |path, s| {
        if path.is_empty() {
            if let (Some(node), Some(name)) = (s.name(text), s.arg(text)) {
                if [
                    "secret", "var", "service", "site", "bucket", "queue", "redis",
                ]
                .contains(&node)
                    && !name.starts_with('(')
                {
                    out.push((node.to_string(), name.to_string()));
                }
            }
        }
    });
    out
}

/// The stack's region as written (`stack NAME region=...`), if any.
pub fn region(text: &str) -> Option<String> {
    let mut region = None;
    scan(text, |path, s| {
        if path.is_empty() && s.name(text) == Some("stack") {
            region = s.prop(text, "region").map(String::from);
        }
    });
    region
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_broken_text() {
        let text = "stack a region=nl-ams\nservice api {\n  port 1; memory 5\n}\nenvironment prod {\n  service api { scale mi";
        let c = at(text, text.len());
        assert_eq!(c.stmt.path, ["environment", "service"]);
        assert_eq!(c.stmt.name(text), Some("scale"));
        assert_eq!(c.index, 1);
        assert_eq!(&text[c.partial.range()], "mi");
        let d = declared(text);
        assert_eq!(d, [("service".to_string(), "api".to_string())]);
        assert_eq!(region(text).as_deref(), Some("nl-ams"));
        let text = "service \"a b\" {\n  env X=\"x // y\" // c\n  ";
        let c = at(text, text.len());
        assert_eq!(c.stmt.path, ["service"]);
        assert_eq!(c.index, 0);
        assert_eq!(declared(text), [("service".to_string(), "a b".to_string())]);
    }

    #[test]
    fn reads_strings_as_kdl_does() {
        // A raw string holds `//` and `"`; an unclosed string ends at its line.
        let text = "service #\"a // \"b\"# {\n  env X=\"unclosed\n  port 1";
        let c = at(text, text.len());
        assert_eq!(c.stmt.path, ["service"]);
        assert_eq!(c.stmt.name(text), Some("port"));
        assert_eq!(c.index, 1);
        let text = "service \"\"\"\n  a { b\n  \"\"\" {\n  sc";
        assert_eq!(at(text, text.len()).stmt.path, ["service"]);
    }
}
