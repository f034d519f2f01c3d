//! `cellac::value::cut`: a bare value that KDL cuts at `//` (`env URL=https://x` is the
//! string `https:` followed by a comment), which is never what its writer meant.
//! `cellac::value::quote`: a value in single quotes, which KDL reads as a bare word,
//! quotes included.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::{Lit, Node, Value};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let text = ctx.text;
    let mut stack: Vec<&Node> = ctx.nodes.iter().collect();
    while let Some(node) = stack.pop() {
        stack.extend(node.children());
        let values = node.args.iter().map(|v| (None, v)).chain(
            node.props
                .iter()
                .map(|p| (Some(p.key.value.as_str()), &p.value)),
        );
        for (key, value) in values {
            if let Some(d) = cut(text, key, value) {
                out.push(d);
            } else if let Some(d) = single_quoted(text, key, value) {
                out.push(d);
            }
        }
    }
}

fn cut(text: &str, key: Option<&str>, value: &Value) -> Option<Diagnostic> {
    let Lit::Str(s) = &value.lit else {
        return None;
    };
    let written = text.get(value.span.range())?;
    let bare = !written.starts_with(['"', '#']) && value.ty.is_none();
    let rest = text.get(value.span.end..)?;
    if !bare || !rest.starts_with("//") {
        return None;
    }
    // Where the writer's value ends: the next space or KDL punctuation.
    let run = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '{' | '}' | '"'))
        .unwrap_or(rest.len());
    let span = Span::new(value.span.start, value.span.end + run);
    let quote = match key {
        Some(k) => format!("`{k}=\"...\"`"),
        None => "`\"...\"`".to_string(),
    };
    Some(
        Diagnostic::error(
            "cellac::value::cut",
            format!(
                "this value is cut at `//`: KDL reads `{s}`, and the rest of the line as a comment"
            ),
        )
        .at(span, "one value, read as two parts")
        .help(format!(
            "quote the whole value, {quote}: unquoted, `//` starts a comment"
        )),
    )
}

fn single_quoted(text: &str, key: Option<&str>, value: &Value) -> Option<Diagnostic> {
    let Lit::Str(s) = &value.lit else {
        return None;
    };
    let written = text.get(value.span.range())?;
    if written.starts_with(['"', '#']) || value.ty.is_some() || !s.starts_with('\'') {
        return None;
    }
    let quote = match key {
        Some(k) => format!("`{k}=\"...\"`"),
        None => "`\"...\"`".to_string(),
    };
    Some(
        Diagnostic::error(
            "cellac::value::quote",
            "KDL has no single-quoted strings: the quotes are part of this value",
        )
        .at(value.span, "a bare word starting with `'`")
        .help(format!(
            "write the value in double quotes, {quote}; a space inside single quotes splits it in two"
        )),
    )
}
