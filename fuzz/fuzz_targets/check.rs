//! Arbitrary bytes into the front end. When the input holds a NUL byte, the text before
//! it is the stack and the text after it a secrets file checked against it. Every label
//! must lie inside the text it points into, on character boundaries, and every renderer
//! must cope.
#![no_main]

use cellac::diagnostic::Source;
use cellac::render::{self, Files};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (stack, secrets) = match input.split_once('\0') {
        Some((s, t)) => (s, Some(t)),
        None => (input, None),
    };
    let mut checked = cellac::check(stack);
    let masked = secrets.map(|t| checked.check_secrets(t, &[]));
    for d in &checked.diagnostics {
        assert!(!d.labels.is_empty(), "{} has no label", d.code);
        let text = match d.source {
            Source::Stack => stack,
            // Secrets-file labels point into the masked file, the only form shown.
            Source::Secrets => masked
                .as_deref()
                .expect("a secrets diagnostic without a secrets file"),
        };
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end <= text.len(),
                "{}: label {:?} outside a text of {} bytes",
                d.code,
                l.span,
                text.len()
            );
            assert!(
                text.is_char_boundary(l.span.start) && text.is_char_boundary(l.span.end),
                "{}: label {:?} splits a character",
                d.code,
                l.span
            );
        }
    }
    if let (Some(m), Some(t)) = (&masked, secrets) {
        assert_eq!(
            m.lines().count(),
            t.lines().count(),
            "masking keeps every line"
        );
    }
    let files = Files {
        stack_name: "stack.kdl",
        stack,
        secrets: masked.as_deref().map(|m| ("secrets.auto.tfvars", m)),
    };
    let diags = &checked.diagnostics;
    let human = render::human(diags, &files, false);
    assert!(human.ends_with('\n'));
    let _ = render::human(diags, &files, true);
    let json: serde_json::Value =
        serde_json::from_str(&render::json(diags, &files)).expect("the JSON report parses");
    assert_eq!(
        json["diagnostics"].as_array().map(Vec::len),
        Some(diags.len())
    );
    let github = render::github(diags, &files);
    assert_eq!(
        github.lines().count(),
        diags.len(),
        "one annotation per line"
    );
});
