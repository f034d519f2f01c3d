//! Inputs the fuzzers (fuzz/, see README.md "Fuzzing") once crashed on, replayed through
//! the front end, the renderers, the whole pipeline and the formatter. Every file in
//! tests/fixtures/fuzz/ is one input, read as bytes: like the `check` fuzz target, a NUL
//! byte separates the stack from a secrets file checked against it, and input that is
//! not UTF-8 is read lossily.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::diagnostic::{Diagnostic, Source};
use cellac::render::{self, Files};
use std::path::PathBuf;

fn inputs() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/fuzz exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("a readable fixture"))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixture in {}", dir.display());
    out
}

fn assert_labels_inside(name: &str, diags: &[Diagnostic], stack: &str, secrets: Option<&str>) {
    for d in diags {
        assert!(!d.labels.is_empty(), "{name}: {} has no label", d.code);
        let text = match d.source {
            Source::Stack => stack,
            Source::Secrets => secrets.expect("a secrets diagnostic without a secrets file"),
        };
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end <= text.len(),
                "{name}: {} has label {:?} outside a text of {} bytes",
                d.code,
                l.span,
                text.len()
            );
            assert!(
                text.is_char_boundary(l.span.start) && text.is_char_boundary(l.span.end),
                "{name}: {} has label {:?} inside a character",
                d.code,
                l.span
            );
        }
    }
}

#[test]
fn fuzz_inputs_check_and_render() {
    for (name, bytes) in inputs() {
        let input = String::from_utf8_lossy(&bytes);
        let (stack, secrets) = match input.split_once('\0') {
            Some((s, t)) => (s, Some(t)),
            None => (&*input, None),
        };
        let mut checked = cellac::check(stack);
        let masked = secrets.map(|t| checked.check_secrets(t, &[]));
        let diags = &checked.diagnostics;
        assert_labels_inside(&name, diags, stack, masked.as_deref());
        let files = Files {
            stack_name: "stack.kdl",
            stack,
            secrets: masked.as_deref().map(|m| ("secrets.auto.tfvars", m)),
        };
        assert!(
            render::human(diags, &files, false).ends_with('\n'),
            "{name}"
        );
        let _ = render::human(diags, &files, true);
        let json: serde_json::Value = serde_json::from_str(&render::json(diags, &files))
            .unwrap_or_else(|e| panic!("{name}: the JSON report does not parse: {e}"));
        assert_eq!(
            json["diagnostics"].as_array().map(Vec::len),
            Some(diags.len()),
            "{name}"
        );
        assert_eq!(
            render::github(diags, &files).lines().count(),
            diags.len(),
            "{name}"
        );
    }
}

#[test]
fn fuzz_inputs_build() {
    for (name, bytes) in inputs() {
        let input = String::from_utf8_lossy(&bytes);
        let stack = input.split('\0').next().unwrap_or_default();
        let (checked, files) = cellac::build(stack, "../stack.kdl");
        assert_labels_inside(&name, &checked.diagnostics, stack, None);
        for (path, bytes) in files.iter().flatten() {
            assert!(
                !path.starts_with('/')
                    && path.split(['/', '\\']).all(|c| !c.is_empty() && c != "..")
                    && !path.contains(':'),
                "{name}: {path:?} leaves the output folder"
            );
            if path.ends_with(".json") {
                serde_json::from_slice::<serde_json::Value>(bytes)
                    .unwrap_or_else(|e| panic!("{name}: {path} is not JSON: {e}"));
            }
        }
    }
}

fn codes(text: &str) -> Vec<&'static str> {
    let mut codes: Vec<_> = cellac::check(text)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes
}

#[test]
fn fuzz_inputs_format() {
    for (name, bytes) in inputs() {
        let input = String::from_utf8_lossy(&bytes);
        let stack = input.split('\0').next().unwrap_or_default();
        for (tab_size, spaces) in [(4, true), (2, true), (0, false)] {
            let Some(out) = cellac::lsp::format::format(stack, tab_size, spaces) else {
                continue;
            };
            assert!(
                cellac::check(&out).nodes.is_some(),
                "{name}: the formatted text does not parse:\n{out}"
            );
            assert_eq!(
                cellac::lsp::format::format(&out, tab_size, spaces).as_deref(),
                Some(out.as_str()),
                "{name}: formatting is not a fixed point"
            );
            assert_eq!(
                codes(stack),
                codes(&out),
                "{name}: formatting changed the diagnostics"
            );
        }
    }
}
