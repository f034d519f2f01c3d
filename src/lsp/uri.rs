//! Document URIs: percent-encoding, file paths, and the secrets file beside a stack.

use lsp_types as lsp;
use std::borrow::Cow;
use std::path::PathBuf;
use std::str::FromStr;

/// The file checked beside a stack, when it exists.
pub const SECRETS_FILE: &str = "secrets.auto.tfvars";

/// Percent-encodes what a URI cannot hold as is (spaces, non-ASCII, quotes...), so that
/// `file:///tmp/my stack.kdl` and `file:///tmp/日本.kdl` are accepted. `%` is kept.
pub fn encode_uri(s: &str) -> Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    if s.bytes().all(keep) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for b in s.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

/// The local path of a `file://` URI.
pub fn file_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let mut s = String::from_utf8(out).ok()?;
    // file:///C:/dir on Windows.
    if s.len() > 2 && s.as_bytes()[2] == b':' {
        s.remove(0);
    }
    Some(PathBuf::from(s))
}

/// Whether a URI names a secrets file rather than a stack.
pub fn is_secrets(uri: &lsp::Uri) -> bool {
    let s = uri.as_str();
    s.ends_with(".tfvars") || s.ends_with(".tfvars.json")
}

/// The secrets file beside a stack: its URI and path.
pub fn secrets_beside(uri: &lsp::Uri) -> Option<(lsp::Uri, PathBuf)> {
    let path = file_path(uri)?.parent()?.join(SECRETS_FILE);
    let s = uri.as_str();
    let dir = &s[..s.rfind('/')? + 1];
    Some((
        lsp::Uri::from_str(&format!("{dir}{SECRETS_FILE}")).ok()?,
        path,
    ))
}
