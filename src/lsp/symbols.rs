//! The outline: the stack, its services, sites, buckets, secrets, vars and
//! environments, with their children.

use crate::span::Span;
use crate::syntax::Node;
use lsp_types::SymbolKind;

/// A symbol in byte spans; the server converts it to an LSP `DocumentSymbol`.
#[derive(Clone, Debug)]
pub struct Outline {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub span: Span,
    pub selection: Span,
    pub children: Vec<Outline>,
}

fn kind(name: &str) -> SymbolKind {
    match name {
        "stack" => SymbolKind::MODULE,
        "service" => SymbolKind::CLASS,
        "site" => SymbolKind::PACKAGE,
        "bucket" => SymbolKind::OBJECT,
        "secret" => SymbolKind::KEY,
        "var" => SymbolKind::VARIABLE,
        "environment" => SymbolKind::NAMESPACE,
        "domain" | "dns" => SymbolKind::STRING,
        "env" | "secret-env" => SymbolKind::FIELD,
        _ => SymbolKind::PROPERTY,
    }
}

fn outline(n: &Node, text: &str) -> Outline {
    let head = text.get(n.head_span().range()).unwrap_or(&n.name.value);
    let (name, detail) = match n.args.first().and_then(|a| a.as_str()) {
        Some(arg) if n.args.first().is_some_and(|a| a.ty.is_none()) => (arg.to_string(), Some(n.name.value.clone())),
        _ => (n.name.value.clone(), None),
    };
    // Settings show what they say: `port 4000`, `scale min=0 max=10`.
    let detail = detail.or_else(|| {
        let line = text.get(n.span.range())?.lines().next()?.trim();
        let rest = line.strip_prefix(head)?.trim().trim_end_matches('{').trim();
        (!rest.is_empty()).then(|| rest.to_string())
    });
    Outline {
        name,
        detail,
        kind: kind(&n.name.value),
        span: n.span,
        selection: n.head_span(),
        children: n.children().iter().map(|c| outline(c, text)).collect(),
    }
}

pub fn symbols(nodes: &[Node], text: &str) -> Vec<Outline> {
    nodes.iter().map(|n| outline(n, text)).collect()
}
