//! Formatting that keeps what the author wrote (issue 22, class 8): each line is
//! indented by the depth of its `{ }` blocks, trailing spaces go, runs of blank lines
//! become one (none at the start or the end) and the file ends with one line break.
//! Everything else stays as written: blank lines between sections, comments (line,
//! trailing and multi-line: a `/* */` comment's or a multi-line string's inner lines
//! are never touched), how each value is quoted, the spacing inside a line, a
//! byte-order mark, CRLF line ends. One edit that replaces the whole document, or none
//! when it is already formatted or does not parse.

use crate::syntax::lex;

/// One line of the text: its byte range (without the line break), the block depth at
/// its start, and whether it starts inside a token (a multi-line string or comment, or
/// after a `\` line continuation), which leaves it as it is.
struct Line {
    start: usize,
    end: usize,
    depth: usize,
    verbatim: bool,
}

fn lines(b: &[u8]) -> Vec<Line> {
    let mut out = Vec::new();
    let (mut i, mut depth) = (0usize, 0usize);
    let mut line = Line {
        start: 0,
        end: 0,
        depth: 0,
        verbatim: false,
    };
    let mut continued = false;
    // Line breaks inside a token: each ends a line, the next starts verbatim.
    let breaks_in = |from: usize, to: usize, out: &mut Vec<Line>, line: &mut Line, depth: usize| {
        let mut j = from;
        while j < to {
            match lex::newline_at(b, j) {
                Some(n) => {
                    line.end = j;
                    let done = std::mem::replace(
                        line,
                        Line {
                            start: j + n,
                            end: j + n,
                            depth,
                            verbatim: true,
                        },
                    );
                    out.push(done);
                    j += n;
                }
                None => j += 1,
            }
        }
    };
    while i < b.len() {
        let rest = lex::from(b, i);
        if rest.starts_with(b"//") {
            i = lex::line_comment(b, i);
            continue;
        }
        if rest.starts_with(b"/*") {
            let c = lex::block_comment(b, i);
            breaks_in(i, c.end, &mut out, &mut line, depth);
            i = c.end.max(i + 1);
            continue;
        }
        if matches!(b.get(i), Some(b'"' | b'#')) {
            if let Some(s) = lex::string(b, i) {
                breaks_in(i, s.end, &mut out, &mut line, depth);
                i = s.end.max(i + 1);
                continue;
            }
        }
        if let Some(n) = lex::newline_at(b, i) {
            line.end = i;
            let next = Line {
                start: i + n,
                end: i + n,
                depth,
                verbatim: continued,
            };
            out.push(std::mem::replace(&mut line, next));
            continued = false;
            i += n;
            continue;
        }
        match b.get(i) {
            Some(b'{') => depth = depth.saturating_add(1),
            Some(b'}') => depth = depth.saturating_sub(1),
            Some(b'\\') => continued = true,
            Some(c) if !c.is_ascii_whitespace() => continued = false,
            _ => {}
        }
        i += 1;
    }
    line.end = b.len();
    out.push(line);
    out
}

/// One line's content with each run of spaces between two tokens made one space;
/// strings, comments and the spaces that align a trailing comment are kept as written.
fn spaced(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < b.len() {
        let rest = lex::from(b, i);
        if rest.starts_with(b"//") || rest.starts_with(b"/*") {
            out.push_str(line.get(i..).unwrap_or_default());
            break;
        }
        if matches!(b.get(i), Some(b'"' | b'#')) {
            if let Some(s) = lex::string(b, i) {
                let end = s.end.clamp(i + 1, b.len());
                out.push_str(line.get(i..end).unwrap_or_default());
                i = end;
                continue;
            }
        }
        if matches!(b.get(i), Some(b' ' | b'\t')) {
            let run = rest
                .iter()
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count();
            let next = lex::from(b, i + run);
            if next.starts_with(b"//") || next.starts_with(b"/*") {
                out.push_str(line.get(i..i + run).unwrap_or_default());
            } else {
                out.push(' ');
            }
            i += run;
            continue;
        }
        // A whole character (the line is UTF-8; only ASCII bytes matter above).
        let ch = line.get(i..).and_then(|r| r.chars().next());
        match ch {
            Some(c) => {
                out.push(c);
                i += c.len_utf8();
            }
            None => i += 1,
        }
    }
    out
}

/// Why a text was left as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The text does not parse.
    NotKdl,
    /// The result would not parse, would not format to itself, or would check to other
    /// diagnostics than the text: a formatter bug, never written.
    Unsafe,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::NotKdl => "it is not valid KDL; `cellac check` shows where",
            Refusal::Unsafe => {
                "the formatter's result would differ in meaning or not be stable; please report this file"
            }
        })
    }
}

/// [`format`] with the safety checks `cellac fmt` and the editor's formatting share:
/// refuses when the text does not parse, or when the result would not parse, would
/// not format to itself, or would check to other diagnostic codes than the text.
pub fn format_safely(text: &str, tab_size: u32, insert_spaces: bool) -> Result<String, Refusal> {
    guarded(text, |t| format(t, tab_size, insert_spaces))
}

/// The safety checks around a formatter `f`.
fn guarded(text: &str, f: impl Fn(&str) -> Option<String>) -> Result<String, Refusal> {
    let codes = |t: &str| {
        let mut c: Vec<&str> = crate::check(t).diagnostics.iter().map(|d| d.code).collect();
        c.sort_unstable();
        c
    };
    let out = f(text).ok_or(Refusal::NotKdl)?;
    if out == text {
        return Ok(out);
    }
    let stable = f(&out).as_deref() == Some(out.as_str());
    if !stable || crate::syntax::parse(&out).is_err() || codes(text) != codes(&out) {
        return Err(Refusal::Unsafe);
    }
    Ok(out)
}

/// The formatted text (maybe the same), or `None` when the text does not parse. No
/// safety checks: write only what [`format_safely`] gives.
pub fn format(text: &str, tab_size: u32, insert_spaces: bool) -> Option<String> {
    crate::syntax::parse(text).ok()?;
    let indent = if insert_spaces {
        " ".repeat(tab_size.clamp(1, 16) as usize)
    } else {
        "\t".to_string()
    };
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let crlf = body.matches("\r\n").count();
    let eol = if crlf > 0 && crlf * 2 >= body.matches('\n').count() {
        "\r\n"
    } else {
        "\n"
    };
    let b = body.as_bytes();
    let mut out: Vec<String> = Vec::new();
    for l in lines(b) {
        let raw = body.get(l.start..l.end).unwrap_or_default();
        if l.verbatim {
            out.push(raw.to_string());
            continue;
        }
        let content = raw.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\u{feff}');
        if content.is_empty() {
            if out.last().is_some_and(|p| !p.is_empty()) {
                out.push(String::new());
            }
            continue;
        }
        let closing = content.bytes().take_while(|&c| c == b'}').count();
        let level = l.depth.saturating_sub(closing);
        out.push(format!("{}{}", indent.repeat(level), spaced(content)));
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let mut text_out = String::from(bom);
    text_out.push_str(&out.join(eol));
    if !out.is_empty() {
        text_out.push_str(eol);
    }
    Some(text_out)
}

#[cfg(test)]
mod tests {
    /// Issue 24, item 3: the checks `cellac fmt` and the editor share refuse a
    /// formatter's result that changes the diagnostics, is not stable or does not parse.
    #[test]
    fn unsafe_results_are_refused() {
        use super::{format_safely, guarded, Refusal};
        let text = "stack x\nservice api {\n  port 1\n}\n";
        // A formatter that drops a line changes the diagnostics.
        let drop = |t: &str| Some(t.replace("  port 1\n", ""));
        assert_eq!(guarded(text, drop), Err(Refusal::Unsafe));
        // One that adds a space each time is not stable.
        let grow = |t: &str| Some(format!("{t} "));
        assert_eq!(guarded(text, grow), Err(Refusal::Unsafe));
        // One whose result does not parse.
        let brace = |t: &str| Some(t.replace('}', ""));
        assert_eq!(guarded(text, brace), Err(Refusal::Unsafe));
        // Negative control: the real formatter's result passes.
        assert_eq!(
            format_safely(text, 4, true).as_deref(),
            Ok("stack x\nservice api {\n    port 1\n}\n")
        );
        assert_eq!(format_safely("a {", 4, true), Err(Refusal::NotKdl));
    }

    use super::format;

    #[test]
    fn indents_by_depth_and_keeps_the_rest() {
        let text = "\u{feff}stack a\n\n\n// A section.\nservice web {\nport 8080   // why\n  env   A=\"x  y\"  B=plain\n    /* one\n   two */\n}\n\n\nservice b { port 1; }\n";
        let out = format(text, 4, true).unwrap();
        assert_eq!(
            out,
            "\u{feff}stack a\n\n// A section.\nservice web {\n    port 8080   // why\n    env A=\"x  y\" B=plain\n    /* one\n   two */\n}\n\nservice b { port 1; }\n"
        );
        assert_eq!(format(&out, 4, true).as_deref(), Some(out.as_str()));
        // A multi-line string's lines are its value: never touched.
        let s = "stack a\nservice w {\n        command \"\"\"\n      sh -c x\n      \"\"\"\n}\n";
        let out = format(s, 4, true).unwrap();
        assert!(
            out.contains("    command \"\"\"\n      sh -c x\n      \"\"\"\n"),
            "{out}"
        );
        // CRLF stays, tabs on request.
        let out = format("stack a\r\nservice w {\r\nport 1\r\n}\r\n", 4, false).unwrap();
        assert_eq!(out, "stack a\r\nservice w {\r\n\tport 1\r\n}\r\n");
        assert_eq!(format("stack a {", 4, true), None);
    }
}
