//! Reading KDL: text in, a plain spanned tree out, every syntax error as a diagnostic.

use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};

pub mod depth;
mod fast;
mod kdl_error;
pub mod lex;
mod spec;

/// A literal KDL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Int(i128),
    Float(f64),
    Bool(bool),
    Null,
}

impl Lit {
    /// What the value is, in words, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Lit::Str(_) => "a string",
            Lit::Int(_) => "an integer",
            Lit::Float(_) => "a number",
            Lit::Bool(_) => "a boolean",
            Lit::Null => "#null",
        }
    }

    /// The value as KDL prints it (`#true`, `0.75`, `text`).
    pub fn display(&self) -> String {
        match self {
            Lit::Str(s) => s.clone(),
            Lit::Int(i) => i.to_string(),
            Lit::Float(f) => kdl::KdlValue::Float(*f).to_string(),
            Lit::Bool(b) => format!("#{b}"),
            Lit::Null => "#null".into(),
        }
    }
}

impl Lit {
    /// The value as a program reads it from its environment or its command line: a
    /// string as written, `true` / `false`, a number in plain decimal (`1e3` is `1000`,
    /// `0.75` stays `0.75`), `#null` as the empty string. What `env KEY=VALUE` and a
    /// `var`'s value deliver (issue 22: not KDL's own spelling, `#false` or `1000.0`).
    pub fn as_text(&self) -> String {
        match self {
            Lit::Str(s) => s.clone(),
            Lit::Int(i) => i.to_string(),
            // Rust writes an f64 in decimal, never with an exponent, as short as reads back.
            Lit::Float(f) => f.to_string(),
            Lit::Bool(b) => b.to_string(),
            Lit::Null => String::new(),
        }
    }
}

/// `s` as KDL writes a string: bare when it can be (`fr-par`), quoted otherwise.
pub fn string_literal(s: &str) -> String {
    kdl::KdlValue::String(s.to_string()).to_string()
}

/// A value as written: its literal, its optional type annotation, its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub lit: Lit,
    pub ty: Option<Spanned<String>>,
    pub span: Span,
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match &self.lit {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i128> {
        match self.lit {
            Lit::Int(i) => Some(i),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.lit {
            Lit::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// This value as it would be written holding the string `s` instead: its type
    /// annotation kept, the string bare when KDL allows it.
    pub fn rewritten(&self, s: &str) -> String {
        match &self.ty {
            Some(t) => format!("({}){}", string_literal(&t.value), string_literal(s)),
            None => string_literal(s),
        }
    }

    /// The name of a `(var)NAME` reference.
    pub fn var_ref(&self) -> Option<&str> {
        match (&self.ty, &self.lit) {
            (Some(t), Lit::Str(s)) if t.value == "var" => Some(s),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prop {
    pub key: Spanned<String>,
    pub value: Value,
}

impl Prop {
    /// From the key to the end of the value.
    pub fn span(&self) -> Span {
        self.key.span.to(self.value.span)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: Spanned<String>,
    pub args: Vec<Value>,
    pub props: Vec<Prop>,
    /// `None` when the node has no `{ }` block.
    pub children: Option<Vec<Node>>,
    pub span: Span,
    /// Set on nodes and values that came from an `environment` override while merging.
    pub layer: u32,
}

impl Node {
    pub fn arg(&self, i: usize) -> Option<&Value> {
        self.args.get(i)
    }

    /// The last value given for a property (KDL: the rightmost wins).
    pub fn prop(&self, key: &str) -> Option<&Value> {
        self.props
            .iter()
            .rev()
            .find(|p| p.key.value == key)
            .map(|p| &p.value)
    }

    pub fn children(&self) -> &[Node] {
        self.children.as_deref().unwrap_or(&[])
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children().iter().rev().find(|c| c.name.value == name)
    }

    pub fn has_child(&self, name: &str) -> bool {
        self.children().iter().any(|c| c.name.value == name)
    }

    /// The name and first argument, e.g. `service backend`: the head to underline.
    pub fn head_span(&self) -> Span {
        match self.args.first() {
            Some(a) => self.name.span.to(a.span),
            None => self.name.span,
        }
    }

    /// The first argument as a string, with its span.
    pub fn first_str(&self) -> Option<Spanned<&str>> {
        let a = self.args.first()?;
        a.as_str().map(|s| Spanned::new(s, a.span))
    }
}

/// Parses a stack file into nodes, or returns every syntax error the parser reports.
///
/// Text nested deeper than [`depth::MAX_DEPTH`] is refused first, with one diagnostic.
/// Plain stack files take a hand-written fast path; anything it is not sure about
/// (including every syntax error) goes to the `kdl` crate, the reference parser.
pub fn parse(text: &str) -> Result<Vec<Node>, Vec<Diagnostic>> {
    // Before anything recurses over the text.
    if let Some(d) = depth::check(text) {
        return Err(vec![d]);
    }
    if let Some(nodes) = fast::parse(text) {
        return Ok(nodes);
    }
    match depth::kdl_stack(text) {
        Err(d) => Err(vec![d]),
        Ok(None) => parse_slow(text),
        // The kdl crate on a thread whose stack fits its worst case (see `depth`); the
        // deep tree, if any, is dropped there too.
        Ok(Some(stack)) => std::thread::scope(|s| {
            let worker = std::thread::Builder::new()
                .name("cellac-kdl".into())
                .stack_size(stack)
                .spawn_scoped(s, || parse_slow(text));
            match worker {
                Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                Err(e) => Err(vec![Diagnostic::error(
                    depth::CODE,
                    format!("not enough memory to parse this file: {e}"),
                )
                .at(Span::new(0, 0), "")
                .help("fix the syntax errors in a smaller file first")]),
            }
        }),
    }
}

/// The `kdl` crate's parse, set right where it departs from the specification (see
/// [`spec`]).
fn parse_slow(text: &str) -> Result<Vec<Node>, Vec<Diagnostic>> {
    let mut errors = spec::disallowed_chars(text);
    let parsed = match parse_kdl(text) {
        Ok(nodes) => Ok((nodes, None)),
        Err(e) => {
            let huge = spec::scan(text).huge_integers;
            if !huge.is_empty() {
                // Reported once each; the other errors are those of the text without them.
                errors = spec::huge_integers(&huge);
                let zeroed = spec::zero_integers(text, &huge);
                errors.extend(parse_slow(&zeroed).err().unwrap_or_default());
                return Err(errors);
            }
            spec::Respaced::new(text)
                .and_then(|r| parse_kdl(&r.text).ok().map(|nodes| (nodes, Some(r))))
                .ok_or(e)
        }
    };
    match parsed {
        Ok((mut nodes, respaced)) => {
            match &respaced {
                None => errors.extend(spec::single_line_multi_raw(
                    &spec::scan(text).single_line_multi_raw,
                )),
                Some(r) => {
                    let spans: Vec<Span> = spec::scan(&r.text)
                        .single_line_multi_raw
                        .into_iter()
                        .map(|s| r.span_back(s))
                        .collect();
                    errors.extend(spec::single_line_multi_raw(&spans));
                    r.nodes_back(&mut nodes);
                }
            }
            if errors.is_empty() {
                Ok(nodes)
            } else {
                Err(errors)
            }
        }
        Err(e) => {
            // The kdl crate's own report of a character reported above says less.
            let chars: Vec<Span> = errors.iter().map(Diagnostic::span).collect();
            errors.extend(e.into_iter().filter(|d| {
                let s = d.span();
                !chars.iter().any(|c| s.start <= c.start && c.start <= s.end)
            }));
            Err(errors)
        }
    }
}

/// The `kdl` crate's parse, lowered, with the depth of the tree it gives checked.
fn parse_kdl(text: &str) -> Result<Vec<Node>, Vec<Diagnostic>> {
    match kdl::KdlDocument::parse_v2(text) {
        Ok(doc) => {
            let nodes = lower_doc(&doc);
            match depth::tree_depth(&nodes) {
                Some(span) => Err(vec![depth::too_deep_tree(span)]),
                None => Ok(nodes),
            }
        }
        Err(err) => {
            let kinds: Vec<_> = err.diagnostics.iter().map(kdl_error::by_message).collect();
            let unclosed = kinds.contains(&Some(kdl_error::Kind::UnclosedBlock));
            Err(err
                .diagnostics
                .iter()
                .zip(kinds)
                // The same unclosed block, reported a second time over the whole block.
                .filter(|(_, k)| !(unclosed && *k == Some(kdl_error::Kind::UnclosedBlockAgain)))
                .map(|(d, _)| kdl_error::diagnostic(text, d))
                .collect())
        }
    }
}

fn lower_doc(doc: &kdl::KdlDocument) -> Vec<Node> {
    doc.nodes().iter().map(lower_node).collect()
}

fn lower_node(node: &kdl::KdlNode) -> Node {
    let mut args = Vec::new();
    let mut props = Vec::new();
    for entry in node.entries() {
        let value = Value {
            lit: match entry.value() {
                kdl::KdlValue::String(s) => Lit::Str(s.clone()),
                kdl::KdlValue::Integer(i) => Lit::Int(*i),
                kdl::KdlValue::Float(f) => Lit::Float(*f),
                kdl::KdlValue::Bool(b) => Lit::Bool(*b),
                kdl::KdlValue::Null => Lit::Null,
            },
            ty: entry
                .ty()
                .map(|t| Spanned::new(t.value().to_string(), t.span().into())),
            span: entry.span().into(),
        };
        match entry.name() {
            Some(name) => {
                let key = Spanned::new(name.value().to_string(), name.span().into());
                let value_span = Span::new((key.span.end + 1).min(value.span.end), value.span.end);
                props.push(Prop {
                    key,
                    value: Value {
                        span: value_span,
                        ..value
                    },
                });
            }
            None => args.push(value),
        }
    }
    Node {
        name: Spanned::new(node.name().value().to_string(), node.name().span().into()),
        args,
        props,
        children: node.children().map(lower_doc),
        span: node.span().into(),
        layer: 0,
    }
}
