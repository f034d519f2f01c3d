//! SARIF 2.1.0, for GitHub code scanning (`github/codeql-action/upload-sarif`).
//!
//! One run whose driver is cellac; its rules are the codes the results use (with the
//! summary, example and fix of `cellac explain`), each result points at its file and
//! region (1-based lines, columns counted in Unicode code points), and secondary labels
//! are related locations. No source text is quoted, so nothing of a secret can show;
//! messages are the same as in every other format.

use super::Files;
use crate::diagnostic::{Diagnostic, Severity};
use crate::span::{LineIndex, Span};
use serde_json::{json as j, Value};

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A file name as a relative URI reference: `/` kept, everything outside RFC 3986's
/// unreserved characters percent-encoded (`<stdin>` becomes `%3Cstdin%3E`).
fn uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let name = name.strip_prefix("./").unwrap_or(&name);
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(index: &LineIndex, span: Span) -> Value {
    let span = span.clamp(index.text().len());
    let (start_line, start_column) = index.line_col(span.start);
    let (end_line, end_column) = index.line_col(span.end);
    j!({ "startLine": start_line, "startColumn": start_column,
         "endLine": end_line, "endColumn": end_column })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: &str) -> Value {
    match crate::codes::find(code) {
        Some(c) => {
            let example = c
                .example
                .lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>();
            j!({
                "id": c.code,
                "shortDescription": { "text": c.summary() },
                "fullDescription": { "text": c.summary() },
                "help": {
                    "text": crate::codes::explain(c),
                    "markdown": format!("{}\n\nExample that triggers it:\n\n{example}\nFix: {}\n", c.summary(), c.fix()),
                },
                "defaultConfiguration": { "level": c.severity },
            })
        }
        None => j!({ "id": code }),
    }
}

pub fn sarif(diags: &[Diagnostic], files: &Files) -> String {
    let diags = &super::unmeasured(files.stack, diags);
    let lines = files.lines();
    let mut rules: Vec<&str> = Vec::new();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = match rules.iter().position(|r| *r == d.code) {
                Some(i) => i,
                None => {
                    rules.push(d.code);
                    rules.len() - 1
                }
            };
            let (name, _) = files.get(d);
            let text = lines.get(d);
            let artifact = j!({ "uri": uri(name) });
            let related: Vec<Value> = d
                .labels
                .iter()
                .filter(|l| !l.primary)
                .enumerate()
                .map(|(i, l)| {
                    j!({
                        "id": i,
                        "physicalLocation": { "artifactLocation": artifact, "region": region(text, l.span) },
                        "message": { "text": l.message.clone().unwrap_or_default() },
                    })
                })
                .collect();
            let mut message = d.headline().into_owned();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let mut result = j!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": message },
                "locations": [{
                    "physicalLocation": { "artifactLocation": artifact, "region": region(text, d.span()) },
                }],
            });
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if !d.fixes.is_empty() {
                let fixes: Vec<Value> = d
                    .fixes
                    .iter()
                    .map(|f| {
                        let replacements: Vec<Value> = f
                            .edits
                            .iter()
                            .map(|e| {
                                j!({ "deletedRegion": region(text, e.span),
                                     "insertedContent": { "text": e.text } })
                            })
                            .collect();
                        j!({
                            "description": { "text": f.title },
                            "artifactChanges": [{ "artifactLocation": artifact,
                                                  "replacements": replacements }],
                        })
                    })
                    .collect();
                result["fixes"] = Value::Array(fixes);
            }
            if !d.environments.is_empty() {
                result["properties"] = j!({ "environments": d.environments });
            }
            result
        })
        .collect();
    let report = j!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "cellac",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    // `{:#}` is `to_string_pretty`, which cannot fail on a `Value`.
    format!("{report:#}\n")
}
