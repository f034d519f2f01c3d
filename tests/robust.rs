//! Broken input never panics: every prefix of the canonical stack and the stack with each
//! line deleted is checked; every label lies inside the text, and every renderer copes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use cellac::diagnostic::Diagnostic;
use cellac::render::{self, Files};
use common::invariants;

const CELLA: &str = include_str!("../examples/cella/stack.kdl");

fn assert_sound(text: &str, what: &str) -> Vec<Diagnostic> {
    let checked = cellac::check(text);
    invariants::labels_inside(what, &checked.diagnostics, text, None);
    for d in &checked.diagnostics {
        assert!(d.help.is_some(), "{what}: {} has no help", d.code);
    }
    checked.diagnostics
}

fn render_all(text: &str, diags: &[Diagnostic]) {
    let files = Files {
        stack_name: "stack.kdl",
        stack: text,
        secrets: None,
    };
    let human = render::human(diags, &files, false);
    assert!(human.ends_with('\n'));
    let json: serde_json::Value =
        serde_json::from_str(&render::json(diags, &files)).expect("JSON parses");
    assert_eq!(
        json["diagnostics"].as_array().map(Vec::len),
        Some(diags.len())
    );
    let github = render::github(diags, &files);
    assert_eq!(github.lines().count(), diags.len());
}

#[test]
fn every_prefix() {
    let boundaries: Vec<usize> = (0..=CELLA.len())
        .filter(|i| CELLA.is_char_boundary(*i))
        .collect();
    for (n, &i) in boundaries.iter().enumerate() {
        let text = &CELLA[..i];
        let diags = assert_sound(text, &format!("prefix of {i} bytes"));
        // Rendering is slower than checking: render a sample, and every prefix that ends a line.
        if n % 23 == 0 || text.ends_with('\n') {
            render_all(text, &diags);
        }
    }
}

#[test]
fn every_line_deleted() {
    let lines: Vec<&str> = CELLA.split_inclusive('\n').collect();
    for i in 0..lines.len() {
        let text: String = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| *l)
            .collect();
        let diags = assert_sound(&text, &format!("line {} deleted", i + 1));
        render_all(&text, &diags);
    }
}

#[test]
fn every_line_deleted_with_secrets() {
    let secrets = "database_url = \"postgres://u:pw@ep-x-pooler.neon.tech/db?sslmode=require\"\nargon_secret = \"short\"\n";
    let lines: Vec<&str> = CELLA.split_inclusive('\n').collect();
    for i in (0..lines.len()).step_by(3) {
        let text: String = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| *l)
            .collect();
        // The invariants the `check` fuzz target asserts: a NUL separates the secrets file.
        invariants::check_and_render(
            &format!("line {} deleted", i + 1),
            &format!("{text}\0{secrets}"),
        );
    }
}

/// Odd inputs: empty, only comments, unusual characters, deep nesting.
#[test]
fn odd_inputs() {
    let deep = format!(
        "stack a\n{}{}",
        "service b {\n".repeat(50),
        "}\n".repeat(50)
    );
    let cases = [
        "",
        "\n",
        "// nothing\n",
        "/* unterminated",
        "stack",
        "stack \"\"",
        "stack é-ü region=\"fr-pär\"",
        "stack a\nservice \"\" { port -1; memory 0; cpu -5; timeout 0; }",
        "stack a\nservice b { scale min=-1 max=0 concurrency=99999999999999999999; }",
        "stack a\nenvironment { service b; }\nenvironment \"\"",
        "stack a\nservice b { env \"\"=\"\" ; secret-env K=\"\"; link \"\" env=\"\"; }",
        "stack a\nservice b { health \"\" interval=\"\" timeout=\"é\"; }",
        "stack a\r\nservice b {\r\n  port 70000\r\n}\r\n",
        "\u{feff}stack a\nservice b",
        deep.as_str(),
        "stack a\nvar v pattern=\"(\" default=\"x\"\nservice b { env X=(var)v; }",
        "stack a\n(var)service b\nservice (var)c",
    ];
    for text in cases {
        let diags = assert_sound(text, &format!("{text:?}"));
        render_all(text, &diags);
    }
}

/// Deep nesting is one diagnostic from the syntax layer, never a crash: 100,000 nested
/// braces (closed or not), slashdashes and block comments in a row, through every entry
/// point. The test threads' stacks (2 MiB) are smaller than the binary's.
#[test]
fn deep_nesting_is_a_diagnostic() {
    let max = cellac::syntax::depth::MAX_DEPTH;
    let n = 100_000;
    let cases = [
        format!("stack a\n{}", "a {".repeat(n)),
        format!("stack a\n{}{}", "a {".repeat(n), "}".repeat(n)),
        format!("stack a\n{}{}", "{".repeat(n), "}".repeat(n)),
        format!("stack a\nservice b {}", "{\n".repeat(n)),
        format!("stack a\n{}b", "/- ".repeat(n)),
        format!("stack a\nb {}c", "/- ".repeat(n)),
        format!("stack a\nb {}", "/- {".repeat(n)),
        format!("stack a\n{}b", "/-\n/* c */".repeat(n)),
        format!("stack a\nb \"x\n{}", "a {".repeat(n)),
        format!("stack a\n{}", "a { b \"}\"\n".repeat(n)),
        format!("stack a\n{}", "service (var){".repeat(n)),
        format!("stack a\n{}", "a {".repeat(max + 1)),
    ];
    for text in &cases {
        let what = &text[..40.min(text.len())];
        let diags = assert_sound(text, what);
        assert_eq!(diags.len(), 1, "{what}: {diags:?}");
        assert_eq!(diags[0].code, "cellac::syntax::depth", "{what}");
        render_all(text, &diags);
        assert!(cellac::build(text, "stack.kdl").1.is_none());
    }
    // Broken text the kdl crate's error recovery reads otherwise than KDL (it nests
    // where the text closes each block): never a crash, and never a tree too deep.
    for n in [100, 5_000, 100_000] {
        for unit in ["a { b \"x\n}\"\n", "a { b (x}\n", "a { b #\"x\n}\"#\n"] {
            let text = format!("stack a\n{}", unit.repeat(n));
            let what = format!("{unit:?} x {n}");
            let diags = assert_sound(&text, &what);
            assert!(
                diags.iter().any(|d| d.code.starts_with("cellac::syntax")),
                "{what}: {diags:?}"
            );
        }
    }
    // Nested block comments are not nesting the parsers recurse on: allowed.
    let comments = format!("stack a\n{}{}\n", "/*".repeat(n), "*/".repeat(n));
    assert!(assert_sound(&comments, "comments").is_empty());
    // Unclosed, they reach the kdl crate, which recurses on each: a diagnostic.
    for k in [3_603, 100_000] {
        let open = format!("stack a\n{}", "/*".repeat(k));
        let what = format!("{k} unclosed /*");
        let diags = assert_sound(&open, &what);
        assert!(
            diags.iter().any(|d| d.code.starts_with("cellac::syntax")),
            "{what}: {diags:?}"
        );
    }
}

/// Up to the limit, every parser and check copes, on a small stack, both through the
/// fast path (valid) and through the kdl crate (a syntax error at the bottom).
#[test]
fn nesting_up_to_the_limit_is_checked() {
    let max = cellac::syntax::depth::MAX_DEPTH;
    let valid = format!(
        "stack a\nservice b {}{}\n",
        "{\nc ".repeat(max - 1) + "{",
        "}".repeat(max)
    );
    let diags = assert_sound(&valid, "valid");
    assert!(diags.iter().all(|d| d.code != "cellac::syntax::depth"));
    assert!(diags
        .iter()
        .any(|d| d.code == "cellac::schema::unknown-node"));
    render_all(&valid, &diags);
    let broken = valid.replacen("c {", "c = {", max / 2);
    let diags = assert_sound(&broken, "broken");
    assert!(
        diags.iter().any(|d| d.code == "cellac::syntax"),
        "{diags:?}"
    );
    render_all(&broken, &diags);
}

/// The binary: `check` and `build` exit 1 with the diagnostic (not 134).
#[test]
fn deep_nesting_through_the_binary() {
    let dir = common::scratch("deep");
    let file = dir.join("stack.kdl");
    for text in [
        format!("stack a\n{}", "a {".repeat(100_000)),
        format!("stack a\n{}b", "/- ".repeat(100_000)),
    ] {
        std::fs::write(&file, &text).unwrap();
        for args in [
            &["check", "stack.kdl"][..],
            &["check", "stack.kdl", "--format", "json"][..],
            &["build", "stack.kdl", "-o", "infra"][..],
        ] {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_cellac"))
                .current_dir(&dir)
                .args(args)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(o.status.code(), Some(1), "{args:?}: {all}");
            assert!(all.contains("cellac::syntax::depth"), "{args:?}: {all}");
        }
        assert!(!dir.join("infra").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
