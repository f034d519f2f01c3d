//! The one guard against deep nesting, before any parser sees the text.
//!
//! The `kdl` crate, the fast path, lowering and the checks all recurse once per `{ }`
//! level, and the `kdl` crate once per slashdash (`/- /- /- node`): about 1,500 levels
//! exhaust a thread's stack. No stack file needs more than a handful, so deeper text
//! is refused here with a diagnostic and never parsed.
//!
//! The scan is linear and reads strings and comments as KDL does, so braces inside
//! them do not count. On broken text the `kdl` crate's error recovery may read strings
//! differently (`a { b "x` then `}"` on the next line nests for it): so the `kdl` crate
//! also runs on a thread whose stack fits the worst case, one level per `{` and `/-` in
//! the text ([`kdl_stack`]), and the tree it gives is measured again ([`tree_depth`])
//! before anything else recurses over it.

use super::lex;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// How deep `{ }` blocks may nest, and how many slashdashes may follow each other.
pub const MAX_DEPTH: usize = 64;

pub const CODE: &str = "cellac::syntax::depth";

/// A diagnostic at the first `{` (or `/-`) past [`MAX_DEPTH`], if there is one.
pub fn check(text: &str) -> Option<Diagnostic> {
    let (at, slashdash) = too_deep(text)?;
    let (what, help) = if slashdash {
        (
            format!("more than {MAX_DEPTH} slashdashes (`/-`) in a row"),
            "one `/-` comments out the node, value or block after it: remove the others",
        )
    } else {
        (
            format!("blocks nested more than {MAX_DEPTH} levels deep"),
            "a stack file needs a few levels of `{ }`: check that every `{` is closed by its `}`",
        )
    };
    Some(
        Diagnostic::error(CODE, what)
            .at(
                Span::new(at, at + if slashdash { 2 } else { 1 }),
                "too deep",
            )
            .help(help),
    )
}

/// More `{` and `/-` than this (wherever they are) and the `kdl` crate is not asked:
/// its stack would not be reasonable. No stack file comes close.
pub const MAX_TOKENS: usize = 16_384;

/// Stack for the `kdl` crate per level it may recurse, with room to spare (a debug
/// build needs about 8 KiB).
const PER_LEVEL: usize = 32 << 10;

/// The stack the `kdl` crate needs for `text` at worst: `None` when the current thread's
/// is enough (few `{` and `/-`), an error when it would be unreasonable.
pub fn kdl_stack(text: &str) -> Result<Option<usize>, Diagnostic> {
    let b = text.as_bytes();
    // The kdl crate recurses on `{`, `/-` and nested `/*` alike.
    let tokens = b.iter().filter(|&&c| c == b'{').count()
        + b.windows(2).filter(|w| w == b"/-" || w == b"/*").count();
    if tokens <= MAX_DEPTH {
        return Ok(None);
    }
    if tokens > MAX_TOKENS {
        return Err(Diagnostic::error(
            CODE,
            format!("more than {MAX_TOKENS} `{{`, `/-` and `/*` in a file with syntax errors"),
        )
        .at(Span::new(0, 0), "")
        .help(
            "fix the syntax errors in a smaller file first: a stack file needs far fewer blocks",
        ));
    }
    Ok(Some((1 << 20) + tokens * PER_LEVEL))
}

/// The first node (its name's span) nested deeper than [`MAX_DEPTH`], found without
/// recursion.
pub fn tree_depth(nodes: &[super::Node]) -> Option<Span> {
    let mut stack: Vec<(&super::Node, usize)> = nodes.iter().map(|n| (n, 1)).collect();
    while let Some((n, d)) = stack.pop() {
        if d > MAX_DEPTH {
            return Some(n.name.span);
        }
        stack.extend(n.children().iter().map(|c| (c, d + 1)));
    }
    None
}

/// The diagnostic for a tree found too deep after parsing.
pub fn too_deep_tree(span: Span) -> Diagnostic {
    Diagnostic::error(
        CODE,
        format!("blocks nested more than {MAX_DEPTH} levels deep"),
    )
    .at(span, "too deep")
    .help("a stack file needs a few levels of `{ }`: check that every `{` is closed by its `}`")
}

/// The offset of the first `{` or `/-` too deep, and whether it is a slashdash.
fn too_deep(text: &str) -> Option<(usize, bool)> {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let (mut i, mut depth, mut dashes) = (0, 0usize, 0usize);
    while let Some(&c) = b.get(i) {
        match (c, at(i + 1)) {
            (b'{', _) => {
                depth += 1;
                dashes = 0;
                if depth > MAX_DEPTH {
                    return Some((i, false));
                }
                i += 1;
            }
            (b'}', _) => {
                depth = depth.saturating_sub(1);
                dashes = 0;
                i += 1;
            }
            (b'/', b'-') => {
                dashes += 1;
                if dashes > MAX_DEPTH {
                    return Some((i, true));
                }
                i += 2;
            }
            (b'/', b'/') => i = lex::line_comment(b, i),
            (b'/', b'*') => i = lex::block_comment(b, i).end,
            (b'"' | b'#', _) => {
                dashes = 0;
                i = lex::string(b, i).map_or(i + 1, |s| s.end);
            }
            (c, _) if c.is_ascii_whitespace() || c == b'\\' => i += 1,
            _ => {
                dashes = 0;
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_do_not_count() {
        let deep = "{".repeat(MAX_DEPTH + 1);
        for text in [
            format!("a \"{deep}\""),
            format!("a #\"{deep}\"#"),
            format!("a ##\"\"#{deep}\"##"),
            format!("a \"\"\"\n{deep}\n\"\"\""),
            format!("a #\"\"\"\n\"\"\"{deep}\n\"\"\"#"),
            format!("a // {deep}"),
            format!("a /* /* */ {deep} */"),
            format!("a \"\\\"{deep}\""),
        ] {
            assert_eq!(too_deep(&text), None, "{text}");
        }
        // Braces after the string or comment count again.
        for text in [
            format!("a \"x\" {deep}"),
            format!("a #\"x\"# {deep}"),
            format!("a // x\n{deep}"),
            format!("a /* x */ {deep}"),
            // Cut by a newline: the kdl crate resumes on the next line.
            format!("a \"x\n{deep}"),
            format!("a #\"x\n{deep}"),
        ] {
            assert_eq!(too_deep(&text), Some((text.len() - 1, false)), "{text}");
        }
    }

    #[test]
    fn slashdashes_in_a_row() {
        let ok = "/- ".repeat(MAX_DEPTH) + "a";
        assert_eq!(too_deep(&ok), None);
        let bad = "/- ".repeat(MAX_DEPTH + 1) + "a";
        assert_eq!(too_deep(&bad), Some((3 * MAX_DEPTH, true)));
        let spaced = "/- /* c */\n".repeat(MAX_DEPTH + 1) + "a";
        assert!(too_deep(&spaced).is_some());
        let apart = "a /- b\n".repeat(10 * MAX_DEPTH);
        assert_eq!(too_deep(&apart), None);
    }

    #[test]
    fn blocks_that_close_do_not_add_up() {
        let wide = "a { b { c; } }\n".repeat(10 * MAX_DEPTH);
        assert_eq!(too_deep(&wide), None);
        let deep = "a {".repeat(MAX_DEPTH) + &"}".repeat(MAX_DEPTH);
        assert_eq!(too_deep(&deep), None);
        let deeper = "a {".repeat(MAX_DEPTH + 1);
        assert_eq!(too_deep(&deeper), Some((3 * MAX_DEPTH + 2, false)));
    }
}
