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

/// Nodes named by their first argument (`service backend` → `backend`).
const NAMED: [&str; 8] = [
    "stack",
    "secret",
    "var",
    "service",
    "site",
    "bucket",
    "domain",
    "environment",
];

fn outline(n: &Node, text: &str) -> Outline {
    let node = n.name.value.as_str();
    let named = NAMED
        .contains(&node)
        .then(|| {
            n.args
                .first()
                .filter(|a| a.ty.is_none())
                .and_then(|a| a.as_str())
        })
        .flatten();
    let (name, detail) = match named {
        Some(arg) => (arg.to_string(), Some(node.to_string())),
        None => {
            // Settings show what they say: `port 4000`, `scale min=0 max=10`.
            let end = n
                .args
                .iter()
                .map(|a| a.span.end)
                .chain(n.props.iter().map(|p| p.value.span.end))
                .max();
            let entries = end
                .and_then(|end| text.get(n.name.span.end..end))
                .unwrap_or_default();
            let entries = entries.split_whitespace().collect::<Vec<_>>().join(" ");
            (node.to_string(), (!entries.is_empty()).then_some(entries))
        }
    };
    Outline {
        name,
        detail,
        kind: kind(node),
        span: n.span,
        selection: n.head_span(),
        children: n.children().iter().map(|c| outline(c, text)).collect(),
    }
}

pub fn symbols(nodes: &[Node], text: &str) -> Vec<Outline> {
    nodes.iter().map(|n| outline(n, text)).collect()
}
