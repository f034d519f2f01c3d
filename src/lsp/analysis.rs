//! One checked document: the front end's result plus an index of every name that is
//! declared or referred to (secrets, vars, services, sites, buckets), with spans.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::{Node, Value};
use crate::Checked;

/// Nesting deeper than this is not handed to the parser, whose recursion could
/// exhaust the stack; no stack file comes close.
pub const MAX_DEPTH: usize = 200;
/// The `kdl` crate's parser (used for files the fast parser gives up on) recurses once
/// per error it recovers from: more `}` without a `{` than this are not handed to it.
pub const MAX_UNMATCHED: usize = 10_000;
/// Slashdashes in a row (`/- /- /- node`): each is one level of the parser's recursion.
pub const MAX_SLASHDASH_RUN: usize = 200;

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

/// `cellac::check`, guarded: never panics and never recurses without bound.
pub fn check(text: &str) -> Checked {
    if let Some((at, why)) = too_deep(text) {
        let d = Diagnostic::error("cellac::syntax", why)
            .at(Span::new(at, at + 1).clamp(text.len()), "too deep")
            .help("a stack file needs a few levels of `{ }` at most");
        return Checked {
            diagnostics: vec![d],
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

/// Where and why a text is not handed to the parser: a `{` (or `(`, `[`) that opens a
/// block deeper than `MAX_DEPTH`, a `/*` nested deeper than that, a run of more than
/// `MAX_SLASHDASH_RUN` slashdashes, more than `MAX_UNMATCHED` closing brackets without
/// an opening one. Rough counts (in strings and comments too), which only err on the
/// safe side. Also used before formatting.
pub fn too_deep(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let (mut depth, mut comments, mut unmatched, mut run) = (0usize, 0usize, 0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'/', Some(b'*')) => {
                comments += 1;
                if comments > MAX_DEPTH {
                    return Some((
                        i,
                        format!("comments are nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                i += 1;
            }
            (b'*', Some(b'/')) => {
                comments = comments.saturating_sub(1);
                i += 1;
            }
            (b'/', Some(b'-')) => {
                run += 1;
                if run > MAX_SLASHDASH_RUN {
                    return Some((
                        i,
                        format!("more than {MAX_SLASHDASH_RUN} slashdashes in a row"),
                    ));
                }
                i += 1;
            }
            (b'{' | b'(' | b'[', _) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((
                        i,
                        format!("nodes are nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
            }
            (b'}' | b')' | b']', _) => {
                match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => {
                        unmatched += 1;
                        if unmatched > MAX_UNMATCHED {
                            return Some((i, format!("more than {MAX_UNMATCHED} closing brackets without an opening one")));
                        }
                    }
                }
            }
            _ => {}
        }
        if !b[i].is_ascii_whitespace() && b[i] != b'-' {
            run = 0;
        }
        i += 1;
    }
    None
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
