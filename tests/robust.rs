//! Broken input never panics: every prefix of the canonical stack and the stack with each
//! line deleted is checked; every label lies inside the text, and every renderer copes.

use cellac::diagnostic::Diagnostic;
use cellac::render::{self, Files};

const CELLA: &str = include_str!("../examples/cella/stack.kdl");

fn assert_sound(text: &str, what: &str) -> Vec<Diagnostic> {
    let checked = cellac::check(text);
    for d in &checked.diagnostics {
        assert!(!d.labels.is_empty(), "{what}: {} has no label", d.code);
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end <= text.len(),
                "{what}: {} has label {:?} outside a text of {} bytes",
                d.code,
                l.span,
                text.len()
            );
        }
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
        let mut checked = cellac::check(&text);
        let masked = checked.check_secrets(secrets, &[]);
        let files = Files {
            stack_name: "stack.kdl",
            stack: &text,
            secrets: Some(("secrets.auto.tfvars", &masked)),
        };
        for d in &checked.diagnostics {
            let (_, t) = files.get(d);
            for l in &d.labels {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= t.len(),
                    "line {} deleted: {} outside",
                    i + 1,
                    d.code
                );
            }
        }
        render::human(&checked.diagnostics, &files, false);
        render::json(&checked.diagnostics, &files);
        render::github(&checked.diagnostics, &files);
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
