//! What must hold for any input, whatever its bytes: asserted by the fuzz targets
//! (fuzz/fuzz_targets/, which include this file with `#[path]`) and by
//! tests/fuzz_regressions.rs on the inputs they once failed on. `name` names the input
//! in the messages.
#![allow(dead_code)]

use cellac::diagnostic::{Diagnostic, Source};
use cellac::render::{self, Files};

/// The front end and every renderer (the `check` target): the text before a NUL byte
/// is the stack, the text after it a secrets file checked against it. Every label lies
/// inside the text it points into, masking keeps every line of the secrets file, and
/// every renderer copes.
pub fn check_and_render(name: &str, input: &str) {
    let (stack, secrets) = match input.split_once('\0') {
        Some((s, t)) => (s, Some(t)),
        None => (input, None),
    };
    let mut checked = cellac::check(stack);
    fix(name, stack);
    let masked = secrets.map(|t| checked.check_secrets(t, &[]));
    let diags = &checked.diagnostics;
    // Secrets-file labels point into the masked file, the only form shown.
    labels_inside(name, diags, stack, masked.as_deref());
    if let (Some(m), Some(t)) = (&masked, secrets) {
        assert_eq!(
            m.lines().count(),
            t.lines().count(),
            "{name}: masking keeps every line"
        );
    }
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
        "{name}: one annotation per line"
    );
}

/// Every diagnostic has a label, and every label lies inside the text it points into
/// (the stack, or the secrets file), on character boundaries.
pub fn labels_inside(name: &str, diags: &[Diagnostic], stack: &str, secrets: Option<&str>) {
    for d in diags {
        assert!(!d.labels.is_empty(), "{name}: {} has no label", d.code);
        let text = match d.source {
            Source::Stack => stack,
            Source::Secrets => secrets.expect("a secrets diagnostic without a secrets file"),
        };
        let edits = d.fixes.iter().flat_map(|f| &f.edits);
        for span in edits.map(|e| e.span) {
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "{name}: {} has a fix editing {span:?}, outside the text or inside a character",
                d.code
            );
        }
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

/// `cellac check --fix`, unsafe fixes included: what it gives parses, or is the text
/// as it was (a text that does not parse is fixed only when the fix makes it parse: a
/// KDL v1 `true` written `#true`).
pub fn fix(name: &str, stack: &str) {
    let fixed = cellac::fix::fix(stack, cellac::fix::Mode::Unsafe);
    if fixed.applied == 0 {
        assert_eq!(
            fixed.text, stack,
            "{name}: nothing applied, yet the text changed"
        );
    } else {
        assert!(
            cellac::syntax::parse(&fixed.text).is_ok(),
            "{name}: fixing gives a text that does not parse:\n{}",
            fixed.text
        );
    }
}

/// The whole pipeline (the `pipeline` target): labels lie inside the stack; what is
/// generated stays inside the output folder (relative paths, no `..`, `.` or empty
/// component, no NUL), and every JSON file parses.
pub fn build(name: &str, stack: &str) {
    let (checked, files) = cellac::build(stack, "../stack.kdl");
    labels_inside(name, &checked.diagnostics, stack, None);
    let Some(files) = files else {
        return;
    };
    assert!(!checked.has_errors(), "{name}");
    assert!(!files.is_empty(), "{name}");
    for (path, bytes) in &files {
        assert!(!path.is_empty(), "{name}: an empty path");
        assert!(
            !path.starts_with('/') && !path.starts_with('\\') && !path.contains(':'),
            "{name}: absolute path {path:?}"
        );
        assert!(
            path.split(['/', '\\'])
                .all(|c| !c.is_empty() && c != ".." && c != "."),
            "{name}: path {path:?} leaves the output folder or has an empty component"
        );
        assert!(!path.contains('\0'), "{name}: NUL in path {path:?}");
        if path.ends_with(".json") {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
                panic!("{name}: {path} is not JSON: {e}");
            }
        }
    }
}

/// The formatter (the `format` target) does not change what a stack means: when it
/// formats the text, the result parses, is a fixed point, and checks to the same
/// diagnostic codes.
pub fn format(name: &str, text: &str, tab_size: u32, spaces: bool) {
    let Some(out) = cellac::lsp::format::format(text, tab_size, spaces) else {
        return;
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
        codes(text),
        codes(&out),
        "{name}: formatting changed the diagnostics:\n{out}"
    );
}

/// The codes of `text`'s diagnostics, sorted.
fn codes(text: &str) -> Vec<&'static str> {
    let mut codes: Vec<_> = cellac::check(text)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes
}
