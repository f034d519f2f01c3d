//! No output of any format ever contains a credential. Registered credentials of every
//! kind are written into every check fixture, example and fuzz input, at each place a
//! credential can stand (a `var` default, an environment's var value, `env`, `secret-env`,
//! a secret's inline value, a comment, next to a syntax error), and into hostile secrets
//! files; the human report (with and without colour), the JSON report, the GitHub
//! annotations, SARIF and the language server's diagnostics must never show one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::render::{self, Files};
use std::path::{Path, PathBuf};

/// Credentials that give themselves away: each is hidden wherever it is written.
const SELF_EVIDENT: &[&str] = &[
    "postgres://app:Zx9pW2hunterQ@db.example.com/app",
    "sk_live_51HqLyjWDarjtT1zdp7dcQ9",
    "ghp_R4nd0mT0k3nABCDEFGHIJKLMNOPQRSTUV",
    "AKIAZ7Q3EXAMPLE4KEY9",
    "SCW1A2B3C4D5E6F7G8H9",
    "xoxb-2049-98127-Q8zr2LmW",
    "glpat-Qx8v2Lm9Tb4KpWc7Rz",
];

/// A random-looking value: hidden under a key named like a secret.
const RANDOM: &str = "q8Zr2LmX9vTb4KpWc7";

/// What must never show of a credential: itself, and its secret part (the password of
/// a URL, what follows a key prefix), even cut to 10 characters.
fn cores(cred: &str) -> Vec<String> {
    let secret = match cred.split_once("://") {
        Some((_, rest)) => rest
            .split_once('@')
            .and_then(|(user, _)| user.split_once(':'))
            .map_or(rest, |(_, pw)| pw),
        None => cred.get(5..).unwrap_or(cred),
    };
    let mut out = vec![cred.to_string()];
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 10 {
        out.push(secret.to_string());
    }
    for i in 0..chars.len().saturating_sub(9) {
        out.push(chars[i..i + 10].iter().collect());
    }
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn texts_in(dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            texts_in(&p, out);
        } else if let Ok(bytes) = std::fs::read(&p) {
            let text = String::from_utf8_lossy(&bytes);
            let stack = text.split('\0').next().unwrap_or_default().to_string();
            out.push((p.display().to_string(), stack));
        }
    }
}

/// Every stack text there is: check fixtures, examples, fuzz inputs and seeds.
fn stacks() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [
        "tests/fixtures/checks",
        "tests/fixtures/fuzz",
        "examples",
        "fuzz/seeds",
    ] {
        texts_in(&root().join(dir), &mut out);
    }
    out.retain(|(p, _)| !p.ends_with(".md") && !p.ends_with(".tfvars") && !p.ends_with(".json"));
    assert!(out.len() > 100, "{} stacks", out.len());
    out
}

/// Lines to insert, each holding `C` where the credential goes, and whether a credential
/// that is merely random-looking is hidden there too.
const PLACES: &[(&str, bool)] = &[
    ("var api_token default=\"C\"\n", true),
    ("var database_url default=\"C\"\n", false),
    ("environment staging {\n    var api_token \"C\"\n}\n", true),
    (
        "service leak {\n    env API_TOKEN=\"C\" MODE=x\n    port 70000\n}\n",
        true,
    ),
    ("service leak2 {\n    env SOMETHING=\"C\"\n}\n", false),
    (
        "service leak3 {\n    secret-env STRIPE_KEY=\"C\"\n}\n",
        true,
    ),
    ("secret leaked \"C\"\n", true),
    ("secret leaked2 value=\"C\" min-length=-5\n", true),
    ("// C\n", false),
    (
        "service broken {\n    env API_TOKEN=\"C\" OTHER=\"unterminated\n}\n",
        true,
    ),
    ("service broken2 {\n    env URL=C\n    port \"x\n}\n", false),
    // Issue 22: inside a command, a build command, a health path.
    (
        "service mig {\n    port 70000\n    migrate \"psql C -c 'select 1'\" timeout=\"x\"\n}\n",
        false,
    ),
    (
        "job run1 {\n    command \"run --token C now\"\n    memory 1\n}\n",
        true,
    ),
    (
        "site web1 {\n    build \"API_KEY=C npm run build\"\n    dist 5\n}\n",
        true,
    ),
    (
        "service hp {\n    health \"/health?token=C\"\n    port 70000\n}\n",
        true,
    ),
];

/// Every output a person or a tool may see for `stack` (and a secrets file).
fn outputs(stack: &str, secrets: Option<&str>) -> Vec<String> {
    let mut checked = cellac::check(stack);
    let masked = secrets.map(|s| checked.check_secrets(s, &[]));
    let files = Files {
        stack_name: "stack.kdl",
        stack,
        secrets: masked.as_deref().map(|m| ("secrets.auto.tfvars", m)),
    };
    let diags = &checked.diagnostics;
    let mut out = vec![
        render::human(diags, &files, false),
        render::human(diags, &files, true),
        render::json(diags, &files),
        render::github(diags, &files),
        render::sarif(diags, &files),
        masked.clone().unwrap_or_default(),
    ];
    // The language server: the stack's diagnostics, and the secrets file's in place.
    let uri: lsp_types::Uri = "file:///stack.kdl".parse().unwrap();
    let index = cellac::lsp::position::LineIndex::new(stack);
    let lsp = cellac::lsp::diagnostics::convert(
        &cellac::check(stack).diagnostics,
        &uri,
        stack,
        &index,
        cellac::lsp::position::Encoding::Utf16,
    );
    out.push(serde_json::to_string(&lsp).unwrap());
    if let Some(s) = secrets {
        let mut c = cellac::check(stack);
        c.check_secrets_in_place(s, &[]);
        let words: Vec<String> = c
            .diagnostics
            .iter()
            .map(|d| format!("{} {:?} {:?}", d.message, d.help, d.labels))
            .collect();
        out.push(words.join("\n"));
    }
    out
}

fn assert_hidden(what: &str, outputs: &[String], creds: &[&str]) {
    for cred in creds {
        for core in cores(cred) {
            for o in outputs {
                assert!(
                    !o.contains(&core),
                    "{what}: an output shows {core:?} (of {cred:?}):\n{o}"
                );
            }
        }
    }
}

#[test]
fn no_stack_output_shows_a_credential() {
    let stacks = stacks();
    let mut runs = 0;
    for (k, (name, text)) in stacks.iter().enumerate() {
        // Each stack gets a few of the places, at the end and after its first line, so
        // that every place meets many stacks.
        for (p, (place, random_too)) in PLACES.iter().enumerate() {
            if (k + p) % 3 != 0 {
                continue;
            }
            let mut creds: Vec<&str> = SELF_EVIDENT.to_vec();
            if *random_too {
                creds.push(RANDOM);
            }
            let cred = creds[(k + p) % creds.len()];
            let line = place.replace('C', cred);
            let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
            for variant in [
                format!("{text}\n{line}"),
                format!(
                    "{}{line}{}",
                    &text[..first_line_end],
                    &text[first_line_end..]
                ),
            ] {
                assert_hidden(
                    &format!("{name} + {place:?}"),
                    &outputs(&variant, None),
                    &[cred],
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 300, "{runs}");
}

/// Every place with every credential, in the canonical example.
#[test]
fn every_place_with_every_credential() {
    let base = std::fs::read_to_string(root().join("examples/cella/stack.kdl")).unwrap();
    for (place, random_too) in PLACES {
        let mut creds: Vec<&str> = SELF_EVIDENT.to_vec();
        if *random_too {
            creds.push(RANDOM);
        }
        for cred in creds {
            let text = format!("{base}\n{}", place.replace('C', cred));
            assert_hidden(
                &format!("{place:?} with {cred}"),
                &outputs(&text, None),
                &[cred],
            );
        }
    }
}

/// The secrets fixtures and hostile secrets files, alone and with credentials written in
/// every malformed way.
#[test]
fn no_secrets_output_shows_a_value() {
    let stack =
        std::fs::read_to_string(root().join("tests/fixtures/secrets/hostile/stack.kdl")).unwrap();
    let mut files: Vec<String> = Vec::new();
    for case in ["rules", "hostile"] {
        let dir = root().join("tests/fixtures/secrets").join(case);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "tfvars" || x == "json") {
                files.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    for text in &files {
        let outs = outputs(&stack, Some(text));
        for o in &outs {
            let lower = o.to_lowercase();
            assert!(
                !lower.contains("s3cr3t") && !lower.contains("pa55"),
                "an output shows a value of\n{text}\n---\n{o}"
            );
        }
    }
    for cred in SELF_EVIDENT.iter().chain([&RANDOM]) {
        for template in [
            "C\n",
            "database_url = C\n",
            "database_url: \"C\"\n",
            "api_key = \"C\"\napi_key = \"C\"\n",
            "api_key = \"C\n continued C\"\n",
            "api_key = <<EOF\nC\nEOF\n",
            "C = \"x\"\n",
            "\"C\" = \"x\"\n",
            "{\"api_key\": \"C\"}",
            "{\"api_key\": [\"C\"]}",
            "{\"api_key\": {\"nested\": \"C\"}}",
            "{\"C\": \"x\"}",
            "{\"api_key\": \"C\", broken",
            "[\"C\"]",
            "api_key = \"${C}\"\n",
            "api_key = \"C\\q\"\n",
        ] {
            let text = template.replace('C', cred);
            assert_hidden(
                &format!("{template:?}"),
                &outputs(&stack, Some(&text)),
                &[cred],
            );
        }
    }
}

/// Values from `TF_VAR_*` are checked, and never shown either.
#[test]
fn no_output_shows_a_value_from_the_environment() {
    let stack =
        std::fs::read_to_string(root().join("tests/fixtures/secrets/hostile/stack.kdl")).unwrap();
    for cred in SELF_EVIDENT.iter().chain([&RANDOM]) {
        let mut checked = cellac::check(&stack);
        checked.check_env_secrets(&[
            ("database_url".to_string(), cred.to_string()),
            ("api_key".to_string(), format!("x{cred}")),
        ]);
        assert!(
            checked.has_errors(),
            "{cred}: not a pooled postgres URL, yet no error"
        );
        let files = Files {
            stack_name: "stack.kdl",
            stack: &stack,
            secrets: None,
        };
        let diags = &checked.diagnostics;
        let outs = [
            render::human(diags, &files, false),
            render::json(diags, &files),
            render::github(diags, &files),
            render::sarif(diags, &files),
        ];
        assert_hidden("TF_VAR", &outs, &[cred]);
    }
}

/// The language server's hover quotes a declaration's first line: masked too.
#[test]
fn hover_hides_credentials() {
    for cred in SELF_EVIDENT.iter().chain([&RANDOM]) {
        let text = format!(
            "stack demo\nvar api_token default=\"{cred}\"\nservice web {{\n    env TOKEN=(var)api_token\n}}\n"
        );
        let analysis = cellac::lsp::analysis::Analysis::new(&text);
        let at = text.find("(var)api_token").unwrap() + 7;
        let (shown, _) = cellac::lsp::hover::hover(&text, &analysis, at).expect("a hover");
        assert!(shown.contains("var api_token"), "{shown}");
        assert_hidden("hover", &[shown], &[cred]);
    }
}

/// No span of the JSON report or the GitHub annotations measures a hidden value.
#[test]
fn reports_do_not_measure_a_secret() {
    for value in ["hunter2-short", "a-much-longer-secret-value-0123456789"] {
        let stack = format!(
            "stack demo\nsecret s \"{value}\"\nservice web {{\n    env API_TOKEN=\"sk_live_{value}\"\n}}\n"
        );
        let checked = cellac::check(&stack);
        let files = Files {
            stack_name: "stack.kdl",
            stack: &stack,
            secrets: None,
        };
        let json: serde_json::Value =
            serde_json::from_str(&render::json(&checked.diagnostics, &files)).unwrap();
        let mut seen = 0;
        for d in json["diagnostics"].as_array().unwrap() {
            if !matches!(
                d["code"].as_str(),
                Some("cellac::secret::inline" | "cellac::secret::literal")
            ) {
                continue;
            }
            seen += 1;
            let len = d["span"]["end"].as_u64().unwrap() - d["span"]["start"].as_u64().unwrap();
            assert!(len <= 1, "{value}: a span of {len} bytes: {d}");
        }
        assert_eq!(seen, 2, "{json}");
        let sarif: serde_json::Value =
            serde_json::from_str(&render::sarif(&checked.diagnostics, &files)).unwrap();
        for r in sarif["runs"][0]["results"].as_array().unwrap() {
            if !r["ruleId"]
                .as_str()
                .unwrap_or_default()
                .starts_with("cellac::secret::")
            {
                continue;
            }
            let region = &r["locations"][0]["physicalLocation"]["region"];
            let (sl, el) = (&region["startLine"], &region["endLine"]);
            let (sc, ec) = (region["startColumn"].as_u64(), region["endColumn"].as_u64());
            assert!(
                sl != el || ec.unwrap_or(0).saturating_sub(sc.unwrap_or(0)) <= 1,
                "SARIF measures a secret: {region}"
            );
        }
        for line in render::github(&checked.diagnostics, &files).lines() {
            if !line.contains("secret%3A%3A") {
                continue;
            }
            let field = |k: &str| -> usize {
                line.split(&format!("{k}="))
                    .nth(1)
                    .and_then(|r| r.split([',', ':']).next())
                    .and_then(|n| n.parse().ok())
                    .unwrap()
            };
            assert!(field("endColumn") - field("col") <= 1, "{line}");
        }
    }
}

/// A control character glued to a node's name (found when the fixtures grew): the word
/// after it still names a secret, and its value stays hidden.
#[test]
fn a_control_character_before_a_secret() {
    for prefix in ["\u{1}", "\u{7f}", "\u{1b}"] {
        let text = format!("{prefix}secret leaked \"{RANDOM}\"\n");
        assert_hidden(&format!("{prefix:?}"), &outputs(&text, None), &[RANDOM]);
    }
}
