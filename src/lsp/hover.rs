//! Hover: the docs of the node or property under the cursor, from the language
//! description; on a reference, the declaration it refers to.

use super::analysis::{path_at, Analysis, Symbol};
use super::context;
use crate::schema::{language, ArgSpec, NodeSpec, PropSpec};
use crate::span::Span;

/// Markdown for what is at `offset`, and the span it describes.
pub fn hover(text: &str, analysis: &Analysis, offset: usize) -> Option<(String, Span)> {
    if let Some(sym) = analysis.symbol_at(offset) {
        if !sym.decl {
            return Some((reference(text, analysis, sym), sym.span));
        }
    }
    match analysis.nodes() {
        Some(nodes) => from_tree(text, nodes, offset),
        None => from_context(text, offset),
    }
}

fn reference(text: &str, analysis: &Analysis, sym: &Symbol) -> String {
    let kind = sym.kind.node();
    match analysis.declaration(sym.kind, &sym.name) {
        Some(decl) => {
            let (line, _) = crate::span::line_col(text, decl.node.start);
            format!(
                "{kind} `{}`, declared on line {line}:\n\n```kdl\n{}\n```",
                sym.name,
                first_line(text, decl.node)
            )
        }
        None => format!("{kind} `{}` is not declared at the top level", sym.name),
    }
}

/// The first line of a span's text, trimmed, with a ` { ... }` hint for a block.
fn first_line(text: &str, span: Span) -> String {
    let span = span.clamp(text.len());
    let s = text.get(span.range()).unwrap_or_default();
    let line = s.lines().next().unwrap_or_default().trim_end();
    // A declaration quoted in a hover hides what looks like a credential, as reports do.
    let found: Vec<Span> = crate::credential::spans(line)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let masked = crate::credential::mask(line, &found).text;
    let line = masked.as_str();
    if s.contains('\n') && line.ends_with('{') {
        format!("{line} ... }}")
    } else {
        line.to_string()
    }
}

fn from_tree(text: &str, nodes: &[crate::syntax::Node], offset: usize) -> Option<(String, Span)> {
    let path = path_at(nodes, offset);
    let node = *path.last()?;
    let names: Vec<&str> = path.iter().map(|n| n.name.value.as_str()).collect();
    let spec = language().node_at(&names)?;
    let within = |s: Span| s.start <= offset && offset <= s.end;
    if within(node.name.span) {
        return Some((node_doc(&names, spec), node.name.span));
    }
    for p in &node.props {
        if within(p.span()) {
            let key = p.key.value.as_str();
            let prop = spec.props.get(key).or(spec.any_props.as_ref())?;
            return Some((prop_doc(node.name.value.as_str(), key, prop), p.span()));
        }
    }
    for (i, a) in node.args.iter().enumerate() {
        if within(a.span) {
            let arg = spec.args.get(i)?;
            return Some((arg_doc(node.name.value.as_str(), arg), a.span));
        }
    }
    let _ = text;
    None
}

/// Docs by the line-based context, for text that does not parse.
fn from_context(text: &str, offset: usize) -> Option<(String, Span)> {
    // Read up to the end of the word under the cursor.
    let end = text.get(offset..).map_or(offset, |rest| {
        offset
            + rest
                .find(|c: char| c.is_whitespace() || "{};".contains(c))
                .unwrap_or(rest.len())
    });
    let cur = context::at(text, end);
    let token = cur.stmt.tokens.get(cur.index)?;
    let word = text.get(token.range())?;
    let mut names: Vec<&str> = cur.stmt.path.iter().map(String::as_str).collect();
    if cur.index == 0 {
        names.push(word);
        let spec = language().node_at(&names)?;
        return Some((node_doc(&names, spec), *token));
    }
    let node = cur.stmt.name(text)?;
    names.push(node);
    let spec = language().node_at(&names)?;
    match word.split_once('=') {
        Some((key, _)) => {
            let prop = spec.props.get(key).or(spec.any_props.as_ref())?;
            Some((prop_doc(node, key, prop), *token))
        }
        None => Some((arg_doc(node, spec.args.get(cur.index - 1)?), *token)),
    }
}

fn values(values: &[String], closed: bool) -> String {
    if values.is_empty() {
        return String::new();
    }
    let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    format!(
        "\n\n{}: {}",
        if closed { "accepted" } else { "values" },
        list.join(", ")
    )
}

fn ty(t: &str) -> String {
    language()
        .types
        .get(t)
        .cloned()
        .unwrap_or_else(|| t.to_string())
}

pub fn node_doc(path: &[&str], spec: &NodeSpec) -> String {
    let name = path.last().copied().unwrap_or_default();
    let mut head = format!("```kdl\n{name}");
    for a in &spec.args {
        head.push(' ');
        head.push_str(&if a.required {
            a.name.clone()
        } else {
            format!("[{}]", a.name)
        });
    }
    if spec.children.is_some() {
        head.push_str(" { ... }");
    }
    head.push_str("\n```\n\n");
    head.push_str(&spec.doc);
    if path.len() > 1 {
        head.push_str(&format!(
            "\n\nInside `{}`.",
            path[..path.len() - 1].join(" > ")
        ));
    }
    if spec.flag {
        head.push_str("\n\nA flag: written alone, it is set.");
    }
    for a in &spec.args {
        head.push_str(&format!("\n\n- `{}` ({}): {}", a.name, ty(&a.ty), a.doc));
        if let Some(d) = &a.default {
            head.push_str(&format!(", default `{d}`"));
        }
    }
    if !spec.props.is_empty() {
        head.push_str("\n\nProperties:");
        for (k, p) in &spec.props {
            head.push_str(&format!("\n- `{k}=` ({}): {}", ty(&p.ty), p.doc));
            if let Some(d) = &p.default {
                head.push_str(&format!(", default `{d}`"));
            }
        }
    }
    if let Some(any) = &spec.any_props {
        head.push_str(&format!("\n\nProperties: any `KEY=`, {}", any.doc));
    }
    head
}

pub fn prop_doc(node: &str, key: &str, p: &PropSpec) -> String {
    let mut s = format!("`{key}=` on `{node}`: {}\n\ntype: {}", p.doc, ty(&p.ty));
    if p.required {
        s.push_str(" (required)");
    }
    if let Some(d) = &p.default {
        s.push_str(&format!("\n\ndefault: `{d}`"));
    }
    if p.var {
        s.push_str("\n\naccepts a `(var)NAME` reference");
    }
    s.push_str(&values(&p.values, p.closed));
    s
}

pub fn arg_doc(node: &str, a: &ArgSpec) -> String {
    let mut s = format!("`{}` of `{node}`: {}\n\ntype: {}", a.name, a.doc, ty(&a.ty));
    if let Some(d) = &a.default {
        s.push_str(&format!("\n\ndefault: `{d}`"));
    }
    s.push_str(&values(&a.values, a.closed));
    s
}
