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

use crate::common;

use common::invariants;
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

#[test]
fn fuzz_inputs_check_and_render() {
    for (name, bytes) in inputs() {
        invariants::check_and_render(&name, &String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn fuzz_inputs_build() {
    for (name, bytes) in inputs() {
        let input = String::from_utf8_lossy(&bytes);
        invariants::build(&name, input.split('\0').next().unwrap_or_default());
    }
}

#[test]
fn fuzz_inputs_format() {
    for (name, bytes) in inputs() {
        let input = String::from_utf8_lossy(&bytes);
        let stack = input.split('\0').next().unwrap_or_default();
        for (tab_size, spaces) in [(4, true), (2, true), (0, false)] {
            invariants::format(&name, stack, tab_size, spaces);
        }
    }
}

/// The fuzz targets' seeds (fuzz/seeds/, which hold every check fixture and example)
/// through the same invariants, so that an invariant and the code it watches cannot
/// drift apart between fuzzing runs.
#[test]
fn fuzz_seeds_check_and_render() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut seen = 0;
    for target in ["check", "pipeline"] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for p in entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()) {
            let name = format!("{target}/{}", p.file_name().unwrap().to_string_lossy());
            let bytes = std::fs::read(&p).unwrap();
            invariants::check_and_render(&name, &String::from_utf8_lossy(&bytes));
            seen += 1;
        }
    }
    assert!(seen > 20, "{seen} seeds");
}
