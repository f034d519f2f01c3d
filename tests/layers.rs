//! Layers only point down (issue 24, item 1; ARCHITECTURE.md "Layers only point down").
//!
//! Every `crate::NAME` path in src/ (outside `#[cfg(test)]` items) names a top-level
//! module; the module it is written in must sit on the same layer or above it. A helper
//! two layers need lives below both; exit codes belong to the CLI; `check` reads the
//! model, never the emitter's naming helpers.
//!
//! A new top-level module must be given a layer here: the test fails until it is.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is the failure"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The layer of each top-level module of the library: lower numbers are lower layers.
/// A module may use modules of its own layer or of lower layers, never higher.
const LAYERS: &[(&str, u8)] = &[
    // The bottom: data every layer shares.
    ("span", 0),
    ("codes", 0),
    ("suggest", 0),
    ("schema", 0),
    ("limits", 0),
    ("provider", 0),
    ("diagnostic", 1),
    ("textfile", 1),
    // Reading text.
    ("syntax", 2),
    ("credential", 3),
    // From nodes to a typed stack per environment.
    ("envs", 4),
    ("model", 4),
    ("graph", 5),
    ("cost", 5),
    // Rules.
    ("check", 6),
    // Output.
    ("emit", 7),
    ("render", 7),
    ("diff", 8),
    ("init", 8),
    ("write", 8),
    // `lib.rs` itself: the entry points that drive the pipeline (`check`, `build`),
    // and `fix`, which runs `check` round after round.
    ("lib", 9),
    ("fix", 9),
    // `cellac adopt`: matches a live state against the built stack, writes adopt.tf.json.
    ("adopt", 9),
    // The front ends: the only ones that see a terminal or a client.
    ("cli", 10),
    ("lsp", 10),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/check/job.rs` -> `check`).
fn owner(path: &Path) -> String {
    let rel = path.strip_prefix(Path::new(ROOT).join("src")).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    let first = first.to_str().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

/// The text without `#[cfg(test)]` items and without comments.
fn production(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let code = line.split("//").next().unwrap_or("");
        if line.trim() == "#[cfg(test)]" {
            // Skip the item: up to its `;` or its closing brace.
            let mut depth = 0i32;
            let mut opened = false;
            for next in lines.by_ref() {
                let code = next.split("//").next().unwrap_or("");
                for c in without_literals(code).chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            opened = true;
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
                if (opened && depth <= 0) || (!opened && code.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// A line of code without its string and character literals (a `'{'` opens nothing).
fn without_literals(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
            }
            '\'' if chars.get(i + 1) == Some(&'\\') => {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            }
            '\'' if chars.get(i + 2) == Some(&'\'') => i += 3,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Every top-level module a text names through `crate::`: `crate::a::b`, `crate::a(`
/// (a function of lib.rs), and each name of `crate::{a, b::c}`.
fn uses(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` or `foocrate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            // The names at the group's top level.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        let name = ident(&group[i..]);
                        let after = group[i + name.len()..].trim_start();
                        if after.starts_with("::") || (layer(&name).is_some() && name != "check") {
                            found.insert(name);
                        } else {
                            // `crate::{Checked, check}`: an item of lib.rs.
                            found.insert("lib".to_string());
                        }
                        start = false;
                    }
                    _ => {}
                }
            }
            continue;
        }
        let name = ident(rest);
        let after = &rest[name.len()..];
        if after.starts_with("::") || (layer(&name).is_some() && !after.starts_with('(')) {
            found.insert(name);
        } else {
            // `crate::check(..)`, `crate::Checked`: lib.rs's own items.
            found.insert("lib".to_string());
        }
    }
    found
}

/// Every `(file, from, to)` where `from` uses a higher layer `to`, and every module
/// without a layer.
fn violations() -> Vec<String> {
    let mut paths = Vec::new();
    files(&Path::new(ROOT).join("src"), &mut paths);
    paths.sort();
    let mut problems = Vec::new();
    let mut edges = BTreeSet::new();
    for path in paths {
        let from = owner(&path);
        if from == "main" {
            continue; // the binary: uses the library as any client does
        }
        let Some(from_layer) = layer(&from) else {
            problems.push(format!("src/{from}: no layer in tests/layers.rs"));
            continue;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        for to in uses(&production(&text)) {
            match layer(&to) {
                None => problems.push(format!(
                    "{}: uses `crate::{to}`, which has no layer",
                    path.display()
                )),
                Some(to_layer) if to_layer > from_layer => problems.push(format!(
                    "{}: `{from}` (layer {from_layer}) uses `crate::{to}` (layer {to_layer})",
                    path.strip_prefix(ROOT).unwrap().display()
                )),
                Some(_) if to != from && to != "lib" => {
                    edges.insert((from.clone(), to));
                }
                Some(_) => {}
            }
        }
    }
    // Modules of one layer may use each other one way only: no circle.
    for (a, b) in &edges {
        if a < b && edges.contains(&(b.clone(), a.clone())) {
            problems.push(format!("`{a}` and `{b}` use each other"));
        }
    }
    problems
}

#[test]
fn layers_only_point_down() {
    let problems = violations();
    assert!(
        problems.is_empty(),
        "imports that run up:\n{}",
        problems.join("\n")
    );
}

/// Negative controls: the scanner sees each form a back-import can take.
#[test]
fn the_scanner_sees_every_form() {
    let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        uses("use crate::emit::terraform::migrate_key;"),
        set(&["emit"])
    );
    assert_eq!(uses("x == crate::cli::Exit::Usage"), set(&["cli"]));
    assert_eq!(
        uses("use crate::{check::replace, diagnostic::{Diagnostic, Fix}, Checked};"),
        set(&["check", "diagnostic", "lib"])
    );
    assert_eq!(uses("let c = crate::check(&text);"), set(&["lib"]));
    assert_eq!(uses("$crate::x::y"), set(&[]));
    assert_eq!(uses("use crate::credential;"), set(&["credential"]));
    assert_eq!(
        without_literals(r#"match c { '{' => "}", '\'' => x }"#),
        "match c {  => ,  => x }"
    );
    // Test code and comments do not count.
    let text = "// crate::cli::X\nfn a() {}\n#[cfg(test)]\nmod tests {\n    use crate::cli;\n}\nuse crate::emit::x;\n";
    assert_eq!(uses(&production(text)), set(&["emit"]));
    let text = "#[cfg(test)]\nuse crate::cli::X;\nuse crate::span::Span;\n";
    assert_eq!(uses(&production(text)), set(&["span"]));
    // A back-import is a violation: `check` must not use `emit`.
    assert!(layer("emit") > layer("check"));
    assert!(layer("cli") > layer("write"));
    assert!(layer("check") > layer("credential"));
    assert!(layer("check") > layer("envs"));
}
