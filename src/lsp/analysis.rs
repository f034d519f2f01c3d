//! One checked document: the front end's result plus an index of every name that is
//! declared or referred to (secrets, vars, services, sites, buckets), with spans.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::{Node, Value};
use crate::Checked;

/// Runs `f` (a parse, a check, a format of `text`) on a thread whose stack is sized to
/// the text: the `kdl` crate's parser recurses per error, so its depth grows with the
/// input. 64 MiB plus 512 bytes per byte of text, at most 1 GiB (address space
/// reserved, not memory used). Falls back to the current thread if none can start.
#[allow(
    clippy::expect_used,
    reason = "the last arm is reached only when the thread did not start, so `f` is still there"
)]
pub fn on_big_stack<T: Send>(text: &str, f: impl FnOnce() -> T + Send) -> T {
    let size = (64usize << 20)
        .saturating_add(text.len().saturating_mul(512))
        .min(1 << 30);
    let f = std::sync::Mutex::new(Some(f));
    let run = || f.lock().ok().and_then(|mut f| f.take()).map(|f| f());
    let out = std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("cellac-lsp-check".into())
            .stack_size(size)
            .spawn_scoped(s, run)
            .ok()
            .map(|h| h.join())
    });
    match out {
        Some(Ok(Some(v))) => v,
        // The thread panicked: the same panic here, for the caller's catch_unwind.
        Some(Err(e)) => std::panic::resume_unwind(e),
        _ => run().expect("f runs once"),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Secret,
    Var,
    Service,
    Site,
    Bucket,
}

impl Kind {
    pub fn node(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Var => "var",
            Kind::Service => "service",
            Kind::Site => "site",
            Kind::Bucket => "bucket",
        }
    }

    pub fn of_node(name: &str) -> Option<Kind> {
        Some(match name {
            "secret" => Kind::Secret,
            "var" => Kind::Var,
            "service" => Kind::Service,
            "site" => Kind::Site,
            "bucket" => Kind::Bucket,
            _ => return None,
        })
    }
}

/// A name as written: a declaration (`secret NAME` at the top level) or a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub kind: Kind,
    pub name: String,
    /// The name itself, without quotes or `(var)`.
    pub span: Span,
    pub decl: bool,
    /// The whole node that declares or refers (for a reference: the node it sits in).
    pub node: Span,
}

#[derive(Debug, Default)]
pub struct Analysis {
    pub checked: Checked,
    pub symbols: Vec<Symbol>,
}

impl Analysis {
    pub fn new(text: &str) -> Analysis {
        let checked = check(text);
        let symbols = checked
            .nodes
            .as_deref()
            .map(|n| index(text, n))
            .unwrap_or_default();
        Analysis { checked, symbols }
    }

    pub fn nodes(&self) -> Option<&[Node]> {
        self.checked.nodes.as_deref()
    }

    /// The symbol under `offset` (a cursor just after a name still counts).
    pub fn symbol_at(&self, offset: usize) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.span.start <= offset && offset <= s.span.end)
    }

    /// The top-level declaration of a kind and name.
    pub fn declaration(&self, kind: Kind, name: &str) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.decl && s.kind == kind && s.name == name)
    }

    pub fn declared(&self, kind: Kind) -> impl Iterator<Item = &Symbol> {
        self.symbols
            .iter()
            .filter(move |s| s.decl && s.kind == kind)
    }
}

/// The largest document the editor checks, in bytes (2 MiB, about 7,000 services; a
/// stack file people write is under 100 KB). Checking costs about 0.3 s a megabyte:
/// a 10 MB document took 6 s per keystroke. Larger ones get one diagnostic, and
/// `cellac check` still checks them.
pub const MAX_CHECKED: usize = 2 << 20;

/// The diagnostic of a document over [`MAX_CHECKED`].
fn too_large(len: usize) -> Diagnostic {
    Diagnostic::warning(
        "cellac::lsp::too-large",
        format!(
            "this document ({} KB) is larger than the {} KB the editor checks",
            len / 1024,
            MAX_CHECKED / 1024
        ),
    )
    .at(Span::new(0, 0), "not checked")
    .help("run `cellac check` on it; split what is generated out of the stack file")
}

/// `cellac::check`, guarded: never panics. Deep nesting is refused by the one guard of
/// the front end (`crate::syntax::depth`, `cellac::syntax::depth`), so the editor and
/// `cellac check` give the same diagnostic; the big stack is a second line of defence.
pub fn check(text: &str) -> Checked {
    if text.len() > MAX_CHECKED {
        return Checked {
            diagnostics: vec![too_large(text.len())],
            ..Checked::default()
        };
    }
    match std::panic::catch_unwind(|| on_big_stack(text, || crate::check(text))) {
        Ok(c) => c,
        Err(_) => Checked {
            diagnostics: vec![Diagnostic::error(
                "cellac::internal",
                "cellac could not check this document",
            )
            .at(Span::new(0, 0), "")
            .help("please report this with the document that causes it")],
            ..Checked::default()
        },
    }
}

/// The span of the name in a value: without its `(type)` annotation and quotes.
pub fn name_span(text: &str, v: &Value) -> Span {
    let span = v.span.clamp(text.len());
    let mut start = span.start;
    if let Some(ty) = &v.ty {
        if let Some(close) = text
            .get(ty.span.end.min(span.end)..span.end)
            .and_then(|s| s.find(')'))
        {
            start = ty.span.end + close + 1;
        }
    }
    let Some(inner) = text.get(start..span.end) else {
        return span;
    };
    let trimmed = inner.trim_start();
    start += inner.len() - trimmed.len();
    let mut end = span.end;
    if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        start += 1;
        end -= 1;
    }
    Span::new(start, end)
}

fn sym(text: &str, kind: Kind, v: &Value, decl: bool, node: &Node) -> Option<Symbol> {
    let name = v.as_str()?;
    Some(Symbol {
        kind,
        name: name.to_string(),
        span: name_span(text, v),
        decl,
        node: node.span,
    })
}

/// Every declaration and reference in the file, in document order.
pub fn index(text: &str, nodes: &[Node]) -> Vec<Symbol> {
    let mut out = Vec::new();
    for n in nodes {
        if n.name.value == "environment" {
            for over in n.children() {
                if let (Some(kind), Some(a)) = (Kind::of_node(&over.name.value), over.arg(0)) {
                    out.extend(sym(text, kind, a, false, over));
                }
                references(text, over, &mut out);
            }
            continue;
        }
        if let (Some(kind), Some(a)) = (Kind::of_node(&n.name.value), n.arg(0)) {
            if a.ty.is_none() {
                out.extend(sym(text, kind, a, true, n));
            }
        }
        references(text, n, &mut out);
    }
    out.sort_by_key(|s| s.span.start);
    out
}

/// References inside one node and its children.
fn references(text: &str, n: &Node, out: &mut Vec<Symbol>) {
    let values = n.args.iter().chain(n.props.iter().map(|p| &p.value));
    for v in values {
        if v.var_ref().is_some() {
            out.extend(sym(text, Kind::Var, v, false, n));
        }
    }
    match n.name.value.as_str() {
        "secret-env" => {
            for p in &n.props {
                if p.value.ty.is_none() {
                    out.extend(sym(text, Kind::Secret, &p.value, false, n));
                }
            }
        }
        "link" => {
            if let Some(a) = n.arg(0).filter(|a| a.ty.is_none()) {
                out.extend(sym(text, Kind::Service, a, false, n));
            }
        }
        "domain" => {
            for p in &n.props {
                let kind = match p.key.value.as_str() {
                    "service" => Kind::Service,
                    "site" => Kind::Site,
                    _ => continue,
                };
                if p.value.ty.is_none() {
                    out.extend(sym(text, kind, &p.value, false, n));
                }
            }
        }
        _ => {}
    }
    for c in n.children() {
        references(text, c, out);
    }
}

/// The nodes that contain `offset`, outermost first.
pub fn path_at(nodes: &[Node], offset: usize) -> Vec<&Node> {
    let mut path = Vec::new();
    let mut level = nodes;
    while let Some(n) = level
        .iter()
        .find(|n| n.span.start <= offset && offset <= n.span.end)
    {
        path.push(n);
        level = n.children();
    }
    path
}
