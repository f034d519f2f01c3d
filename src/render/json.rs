//! The machine-readable report: one versioned JSON object.
//!
//! ```json
//! { "version": 1, "file": "stack.kdl", "errors": 1, "warnings": 0,
//!   "diagnostics": [ { "code": "cellac::port::reserved", "severity": "error",
//!     "message": "...", "file": "stack.kdl", "line": 3, "column": 10,
//!     "span": { "start": 40, "end": 44 },
//!     "labels": [ { "message": "...", "primary": true, "line": 3, "column": 10,
//!                   "span": { "start": 40, "end": 44 } } ],
//!     "help": "...", "environments": ["prod"],
//!     "fixes": [ { "title": "...", "applicability": "safe",
//!                  "edits": [ { "line": 3, "column": 10, "span": { "start": 40, "end": 44 },
//!                               "text": "..." } ] } ] } ] }
//! ```
//!
//! `message` names the environments as people read it; `environments` lists them (empty:
//! every environment). `fixes` are edits of the diagnostic's file, in byte offsets.

use super::Files;
use crate::diagnostic::Diagnostic;
use serde_json::{json as j, Value};

pub const JSON_FORMAT_VERSION: u32 = 1;

pub fn json(diags: &[Diagnostic], files: &Files) -> String {
    let diags = &super::unmeasured(files.stack, diags);
    let lines = files.lines();
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            let (name, text) = files.get(d);
            let index = lines.get(d);
            let line_col = |o| index.line_col(o);
            let span = d.span().clamp(text.len());
            let (line, column) = line_col(span.start);
            let labels: Vec<Value> = d
                .labels
                .iter()
                .map(|l| {
                    let s = l.span.clamp(text.len());
                    let (line, column) = line_col(s.start);
                    j!({ "message": l.message, "primary": l.primary, "line": line, "column": column,
                         "span": { "start": s.start, "end": s.end } })
                })
                .collect();
            let fixes: Vec<Value> = d
                .fixes
                .iter()
                .map(|f| {
                    let edits: Vec<Value> = f
                        .edits
                        .iter()
                        .map(|e| {
                            let s = e.span.clamp(text.len());
                            let (line, column) = line_col(s.start);
                            j!({ "line": line, "column": column,
                                 "span": { "start": s.start, "end": s.end }, "text": e.text })
                        })
                        .collect();
                    j!({ "title": f.title, "applicability": f.applicability, "edits": edits })
                })
                .collect();
            j!({
                "code": d.code, "severity": d.severity, "message": d.headline(), "file": name,
                "line": line, "column": column, "span": { "start": span.start, "end": span.end },
                "labels": labels, "help": d.help, "environments": d.environments,
                "fixes": fixes,
            })
        })
        .collect();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let report = j!({
        "version": JSON_FORMAT_VERSION,
        "file": files.stack_name,
        "errors": errors,
        "warnings": diags.len() - errors,
        "diagnostics": items,
    });
    // `{:#}` is `to_string_pretty`, which cannot fail on a `Value`.
    format!("{report:#}\n")
}
