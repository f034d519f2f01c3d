//! The KDL v2 specification's own test suite (`tests/kdl-test-suite`, CC BY-SA 4.0):
//! every valid input reads without a `cellac::syntax` diagnostic and gives the
//! document its `expected_kdl` file describes; every invalid input gives one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::syntax::{Lit, Node, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn suite() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/kdl-test-suite")
}

/// Every case: (file name, input bytes, the expected document when it is valid).
fn cases() -> Vec<(String, Vec<u8>, Option<String>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(suite().join("input")).expect("tests/kdl-test-suite/input") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read_to_string(suite().join("expected_kdl").join(&name)).ok();
        out.push((name, input, expected));
    }
    out.sort();
    out
}

fn syntax_errors(text: &str) -> Vec<String> {
    cellac::check(text)
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("cellac::syntax"))
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

/// A value in a form that compares across spellings (`0x10` and `16`, raw and quoted).
fn value(v: &Value) -> String {
    let ty = v.ty.as_ref().map(|t| format!("({:?})", t.value));
    let lit = match &v.lit {
        Lit::Str(s) => format!("{s:?}"),
        Lit::Float(f) => format!("{:?}", f.to_bits()),
        other => other.display(),
    };
    format!("{}{lit}", ty.unwrap_or_default())
}

/// A document as the suite's expected files write it: properties deduplicated
/// (rightmost wins) and sorted, empty children blocks dropped.
fn canonical(nodes: &[Node], indent: usize, out: &mut String) {
    for n in nodes {
        out.push_str(&" ".repeat(indent));
        out.push_str(&format!("{:?}", n.name.value));
        for a in &n.args {
            out.push(' ');
            out.push_str(&value(a));
        }
        let props: BTreeMap<&str, String> = n
            .props
            .iter()
            .map(|p| (p.key.value.as_str(), value(&p.value)))
            .collect();
        for (k, v) in props {
            out.push_str(&format!(" {k:?}={v}"));
        }
        out.push('\n');
        if let Some(children) = n.children.as_deref().filter(|c| !c.is_empty()) {
            canonical(children, indent + 4, out);
        }
    }
}

fn doc(nodes: &[Node]) -> String {
    let mut out = String::new();
    canonical(nodes, 0, &mut out);
    out
}

#[test]
fn the_suite_is_complete() {
    let cases = cases();
    assert_eq!(
        cases.len(),
        336,
        "tests/kdl-test-suite/input holds 336 cases"
    );
    assert_eq!(cases.iter().filter(|c| c.2.is_some()).count(), 241);
    assert!(suite().join("LICENSE.md").is_file() && suite().join("README.md").is_file());
}

#[test]
fn every_case_agrees_with_the_specification() {
    let mut disagree = Vec::new();
    for (name, input, expected) in cases() {
        // Invalid UTF-8 is the front end's business (cellac::io::encoding): a case whose
        // bytes are not UTF-8 must be an invalid one.
        let Ok(text) = String::from_utf8(input) else {
            if expected.is_some() {
                disagree.push(format!("{name}: valid, but not UTF-8"));
            }
            continue;
        };
        let errors = syntax_errors(&text);
        match expected {
            Some(expected) => {
                if !errors.is_empty() {
                    disagree.push(format!("{name}: valid, rejected: {errors:?}"));
                    continue;
                }
                let ours = cellac::syntax::parse(&text).expect("no syntax diagnostic");
                let theirs = cellac::syntax::parse(&expected)
                    .unwrap_or_else(|e| panic!("expected_kdl/{name} does not parse: {e:?}"));
                if doc(&ours) != doc(&theirs) {
                    disagree.push(format!(
                        "{name}: read as\n{}but expected\n{}",
                        doc(&ours),
                        doc(&theirs)
                    ));
                }
            }
            None => {
                if errors.is_empty() {
                    disagree.push(format!("{name}: invalid, accepted"));
                }
            }
        }
    }
    assert!(
        disagree.is_empty(),
        "{} cases disagree:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
}

/// The `kdl` crate's own wording never reaches a report: its errors, over every invalid
/// case of the suite, are in cellac's words (lower case, no "Did you want a space
/// here?", no parser terms in labels).
#[test]
fn syntax_errors_are_in_cellacs_words() {
    const KDL_WORDING: &[&str] = &[
        "Did you",
        "This can be any",
        "A valid value was partially parsed",
        "You can make a string",
        "Consider using",
        "Available keywords",
        "Floats with exponent",
        "Multi-line string bodies",
        "Multiline strings must",
        "not node name",
        "not EOF",
        "not identifier string",
    ];
    let mut seen = 0;
    for (name, input, expected) in cases() {
        let Ok(text) = String::from_utf8(input) else {
            continue;
        };
        if expected.is_some() {
            continue;
        }
        for d in cellac::check(&text).diagnostics {
            seen += 1;
            let words = format!("{} | {:?} | {:?}", d.message, d.help, d.labels);
            for w in KDL_WORDING {
                assert!(!words.contains(w), "{name}: {words}");
            }
            assert!(
                !d.message.starts_with(|c: char| c.is_ascii_uppercase()),
                "{name}: {}",
                d.message
            );
        }
    }
    assert!(seen > 90, "{seen}");
}
