//! Reading KDL: text in, a plain spanned tree out, every syntax error as a diagnostic.

use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};

pub mod depth;
mod fast;
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
            let unclosed = err.diagnostics.iter().any(|d| {
                d.message
                    .as_deref()
                    .is_some_and(|m| m.starts_with("No closing '}'"))
            });
            Err(err
                .diagnostics
                .iter()
                .filter(|d| {
                    // The same unclosed block, reported a second time over the whole block.
                    let m = d.message.as_deref().unwrap_or_default();
                    !(unclosed && m.starts_with("Closing '}' was not found"))
                })
                .map(|d| syntax_error(text, d))
                .collect())
        }
    }
}

/// One KDL error as a diagnostic: a narrow span inside the text, and help.
fn syntax_error(text: &str, d: &kdl::KdlDiagnostic) -> Diagnostic {
    let message = d
        .message
        .clone()
        .unwrap_or_else(|| "invalid KDL".to_string());
    let mut span = Span::from(d.span).clamp(text.len());
    span = Span::new(
        crate::span::floor_char_boundary(text, span.start),
        crate::span::floor_char_boundary(text, span.end),
    );
    if message.starts_with("Closing '}' was not found") || message.starts_with("No closing '}'") {
        // Point at the `{` that is not closed.
        let brace = text[..span.start]
            .rfind('{')
            .filter(|i| text[*i + 1..span.start].trim().is_empty());
        if let Some(i) = brace {
            span = Span::new(i, i + 1);
        } else if span.start < span.end {
            span = Span::new(span.start, span.start);
        }
    } else if text[span.range()].trim_end().contains('\n') {
        // kdl sometimes spans everything from the start of the document: the problem
        // is where the span ends, on its last line.
        let covered = &text[span.range()];
        let end = span.start + covered.trim_end().len();
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1).max(span.start);
        let first =
            line_start + (text[line_start..end].len() - text[line_start..end].trim_start().len());
        span = Span::new(first, end);
    }
    let written = text[span.range()].trim();
    let help = if matches!(written, "true" | "false" | "null") {
        format!("KDL v2 writes `#{written}`")
    } else if message.starts_with("No closing '}'") || message.starts_with("Closing '}'") {
        "add the `}` that closes this block: every `{` needs its `}`".to_string()
    } else if message.starts_with("Expected property value") {
        "write a value after `=`, such as `KEY=\"value\"`, or remove the `=`".to_string()
    } else if message.starts_with("Expected end of document") {
        "a `}` without its `{`, or text where a node should start: check this line and the one above".to_string()
    } else if message.starts_with("Expected identifier string") {
        "quote the value (\"...\"); KDL v2 writes booleans `#true` and `#false`".to_string()
    } else {
        d.help
            .as_deref()
            .and_then(kdl_help)
            .unwrap_or("stack files are KDL v2 documents: see https://kdl.dev")
            .to_string()
    };
    let label = match d.label.as_deref() {
        Some("not EOF") => "unexpected here".to_string(),
        Some("not closed") => "opened here, never closed".to_string(),
        _ if message.starts_with("Unexpected newline in single-line") => {
            "the string starts here".to_string()
        }
        Some(l) => match l.strip_prefix("not ") {
            Some(what) => format!(
                "expected {} here",
                an(&what.replace("identifier string", "plain word"))
            ),
            None => l.to_string(),
        },
        None => String::new(),
    };
    Diagnostic::error("cellac::syntax", kdl_message(&message))
        .at(span, label)
        .help(help)
}

/// `a node name`, `an integer`.
fn an(what: &str) -> String {
    let vowel = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

/// The `kdl` crate's message in cellac's words: lower case, no parser terms.
fn kdl_message(m: &str) -> String {
    let said = match m {
        "Expected end of document" => {
            "unexpected text where a node or the end of the file should be"
        }
        "Found invalid node name" => "a node name was expected here",
        "Found child block instead of node name" => "a `{ }` block without a node name",
        "No closing '}' for child block" | "Closing '}' was not found after nodes" => {
            "this block is not closed"
        }
        "Unexpected newline in single-line quoted string" => {
            "this string is not closed on its line"
        }
        "missing string closing quote" => "this string has no closing quote",
        "Expected property value" => "this property has no value after `=`",
        "missing multiline string closing quotes" => {
            "this multi-line string has no closing `\"\"\"`"
        }
        "Expected identifier string" => "this bare word is not a valid value here",
        "Expected keyword" => "an unknown keyword after `#`",
        _ => "",
    };
    if !said.is_empty() {
        return said.to_string();
    }
    if let Some(what) = m.strip_prefix("Expected ") {
        return format!("expected {}", an(what));
    }
    let mut c = m.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => "invalid KDL".to_string(),
    }
}

/// The `kdl` crate's help in cellac's words, for the helps it gives; `None` for others.
fn kdl_help(h: &str) -> Option<&'static str> {
    Some(match h {
        h if h.starts_with("A valid value was partially parsed") => {
            "a value ends at a space, `;`, `{`, `}` or the end of the line: put a space after it, or quote the whole value"
        }
        h if h.starts_with("This can be any string type") => {
            "a node starts with its name, a word or a quoted string: check this line for a stray character, and the lines above for a missing `}` or quote"
        }
        h if h.starts_with("Did you forget to add the node name") => {
            "write the node's name before `{`, on the same line"
        }
        h if h.starts_with("You can make a string multi-line") => {
            "close the string with `\"` on the same line; for text over several lines, put `\"\"\"` alone on the lines before and after it"
        }
        h if h.starts_with("Did you forget to escape") => {
            "close the string with `\"`; inside it, write `\\\"` for a quote and `\\\\` for a backslash"
        }
        h if h.starts_with("Multiline strings must be closed") => {
            "close the text with `\"\"\"` on a line of its own, with only spaces before it"
        }
        h if h.starts_with("Multi-line string bodies must be prefixed") => {
            "indent every line of the text at least as much as the closing `\"\"\"`"
        }
        h if h.starts_with("Floats with exponent parts") => "write a number such as `2.5e3` or `4.2E-4`",
        h if h.starts_with("Consider using a regular escaped string") => {
            "write a one-line raw string with one quote, `#\"text\"#`"
        }
        h if h.starts_with("Available keywords in KDL") => {
            "KDL's keywords are `#true`, `#false`, `#null`, `#inf`, `#-inf` and `#nan`, in lower case"
        }
        _ => return None,
    })
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
