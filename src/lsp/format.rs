//! Formatting with the kdl crate's autoformat, which keeps comments. One edit that
//! replaces the whole document, or none when it is already formatted or does not parse.

use kdl::KdlDocument;

use crate::syntax::lex;

/// The formatted text (maybe the same), or `None` when the text does not parse or
/// formatting would lose a comment.
pub fn format(text: &str, tab_size: u32, insert_spaces: bool) -> Option<String> {
    let mut doc = KdlDocument::parse_v2(text).ok()?;
    let indent = if insert_spaces {
        " ".repeat(tab_size.clamp(1, 16) as usize)
    } else {
        "\t".to_string()
    };
    // autoformat (kdl 6.7) drops a line comment that ends a node (`port 4000 // why`),
    // which the parser keeps in the node's terminator: set them aside, put them back.
    let mut comments = Vec::new();
    take_line_comments(&mut doc, &mut comments);
    doc.autoformat_config(&kdl::FormatConfig::builder().indent(&indent).build());
    restore_line_comments(&mut doc, &mut comments.into_iter());
    let mut out = reindent_closing_comments(&doc.to_string(), &indent);
    // Keep the line ends: CRLF files stay CRLF.
    let crlf = text.matches("\r\n").count();
    if crlf > 0 && crlf * 2 >= text.matches('\n').count() {
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    // The parser itself loses a comment after a closing brace (`} // end`), and
    // autoformat drops slashdash comments (`memory /-1 512`): rather than drop what the
    // user wrote, do not format such a document.
    let (mut before, mut after) = (comments_of(text), comments_of(&out));
    before.sort_unstable();
    after.sort_unstable();
    if before != after {
        return None;
    }
    Some(out)
}

/// autoformat (kdl 6.7) indents the comment lines before a closing brace by one space:
/// give them the indentation of the block's children (the brace's, plus one level).
/// A line comment's text has no line break in it, so no string is touched.
fn reindent_closing_comments(text: &str, indent: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    // Comment lines that end the document are at the top level (autoformat gives one
    // without a final line break a space).
    let mut end = lines.len();
    while end > 0 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    while end > 0 && lines[end - 1].trim_start().starts_with("//") {
        end -= 1;
        out[end] = lines[end].trim_start().to_string();
    }
    let mut i = end;
    while i > 0 {
        i -= 1;
        let close = lines[i];
        let trimmed = close.trim_start();
        if !trimmed.starts_with('}') {
            continue;
        }
        let brace_indent = &close[..close.len() - trimmed.len()];
        // The comment-only lines just above this brace.
        let mut j = i;
        while j > 0 && lines[j - 1].trim_start().starts_with("//") {
            j -= 1;
            out[j] = format!("{brace_indent}{indent}{}", lines[j].trim_start());
        }
        i = j;
    }
    out.join("\n")
}

/// The comments of a KDL text (`//`, nested `/* */`, and `/-` for each slashdash),
/// trimmed, outside strings (raw and multi-line ones too).
fn comments_of(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(s) = lex::string(b, i) {
            i = s.end;
        } else if b[i..].starts_with(b"//") {
            let end = lex::line_comment(b, i);
            out.push(text[i..end].trim());
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let end = lex::block_comment(b, i).end;
            out.push(text[i..end].trim());
            i = end;
        } else if b[i..].starts_with(b"/-") {
            out.push("/-");
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

fn take_line_comments(doc: &mut KdlDocument, out: &mut Vec<Option<String>>) {
    for node in doc.nodes_mut() {
        let comment = node.format_mut().and_then(|f| {
            let t = f.terminator.trim().to_string();
            t.starts_with("//").then(|| {
                f.terminator = "\n".into();
                t
            })
        });
        out.push(comment);
        if let Some(children) = node.children_mut() {
            take_line_comments(children, out);
        }
    }
}

fn restore_line_comments(
    doc: &mut KdlDocument,
    comments: &mut impl Iterator<Item = Option<String>>,
) {
    for node in doc.nodes_mut() {
        let comment = comments.next().flatten();
        // After a closing brace the parser keeps `}// end` but loses `} // end`: no space
        // there, or the output would not format again (found by fuzz/ `format`).
        let sep = if node.children().is_some() { "" } else { " " };
        if let Some(f) = node.format_mut() {
            // autoformat also ends a kept `/* */` with a line break, before the terminator's.
            let before = f.before_terminator.trim_end().to_string();
            f.before_terminator = match comment {
                Some(c) => format!("{before}{sep}{c}"),
                None => before,
            };
        }
        if let Some(children) = node.children_mut() {
            restore_line_comments(children, comments);
        }
    }
}
