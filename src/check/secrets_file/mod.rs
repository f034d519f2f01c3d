//! `cellac::secrets-file::*`: the values in a secrets file (`--secrets`), checked against
//! each secret's rules without ever showing one. Diagnostics point into the masked file.
//! Here: the entries and what of them may be shown; `hcl.rs` and `json.rs` read the two
//! forms of the file; `values.rs` checks the values.

use crate::diagnostic::{Diagnostic, Source};
use crate::span::Span;

mod hcl;
mod json;
mod values;

use hcl::parse_hcl;
use json::parse_json;
pub use values::{check, check_value};

/// Scaleway's limit for a container secret's value (declared in [`crate::limits`]).
pub const MAX_VALUE: usize = crate::limits::SECRET_VALUE.max as usize;

/// One `key = "value"` entry, with spans of the key and of the value's content.
/// An entry that could not be read (`readable: false`) has no value, but its span still
/// covers whatever stood where the value should be, so that it is masked too.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: String,
    pub value_span: Span,
    pub readable: bool,
}

impl Entry {
    pub(super) fn unreadable(key: &str, key_span: Span, value_span: Span) -> Entry {
        Entry {
            key: key.to_string(),
            key_span,
            value: String::new(),
            value_span,
            readable: false,
        }
    }
}

/// What no word of a report about a secrets file may repeat, computed once for every
/// reader: each entry's value as read (unescaped) and as written in `text`.
pub fn values_to_hide<'a>(text: &'a str, entries: &'a [Entry]) -> Vec<&'a str> {
    let mut values: Vec<&str> = entries.iter().map(|e| e.value.as_str()).collect();
    values.extend(
        entries
            .iter()
            .filter_map(|e| text.get(e.value_span.range())),
    );
    values.retain(|v| !v.is_empty());
    values
}

/// Whether a key in a secrets file may be shown: a declared secret's name, or a name
/// (`[A-Za-z_][A-Za-z0-9_-]*`, as HCL and Terraform variables are) that looks neither
/// like a credential nor random (a base64 value ending in `=` on a line of its own reads
/// as such a key). Anything else may be part of a secret, and is hidden with the value.
pub fn shown_key(key: &str, declared: &[&str]) -> bool {
    if declared.contains(&key) {
        return true;
    }
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.len() <= 128
        && !crate::credential::looks_like(key)
        && !crate::credential::high_entropy(key)
}

/// Whether a string holds a template sequence (`${` or `%{` not written `$${`, `%%{`).
pub(super) fn has_template(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&[x, y]) = b.get(i..i + 2) {
        match (x, y) {
            (b'$', b'$') | (b'%', b'%') => i += 2,
            (b'$' | b'%', b'{') => return true,
            _ => i += 1,
        }
    }
    false
}

/// Reads `key = "value"` lines (HCL, `#` and `//` comments) or a JSON object.
pub fn parse(text: &str, out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    parse_with(text, &[], out)
}

/// [`parse`], knowing the declared secrets' names (always shown as keys).
pub fn parse_with(text: &str, declared: &[&str], out: &mut Vec<Diagnostic>) -> Vec<Entry> {
    if text.trim_start().starts_with('{') {
        parse_json(text, declared, out)
    } else {
        parse_hcl(text, declared, out)
    }
}

pub(super) fn file_error(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error("cellac::secrets-file::syntax", message.to_string())
        .at(span, "cannot read this line")
        .help("write one `name = \"value\"` per line, or a JSON object of strings")
        .in_source(Source::Secrets)
}
