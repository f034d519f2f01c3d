//! GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`.

use super::Files;
use crate::diagnostic::{Diagnostic, Severity};

/// Escapes a workflow command's data (`%`, CR, LF) or property (also `:` and `,`).
fn escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

pub fn github(diags: &[Diagnostic], files: &Files) -> String {
    let diags = &super::unmeasured(files.stack, diags);
    let lines = files.lines();
    let mut out = String::new();
    for d in diags {
        let (name, text) = files.get(d);
        let span = d.span().clamp(text.len());
        let index = lines.get(d);
        let (line, col) = index.line_col(span.start);
        let (end_line, end_col) = index.line_col(span.end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.headline().into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
            escape(name, true),
            escape(d.code, true),
            escape(&message, false)
        ));
    }
    out
}
