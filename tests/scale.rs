//! Scale and robustness: generated stacks check clean and build; a stack full of
//! mistakes reports every kind of them; builds are deterministic in process and
//! across processes. No timing here: see benches/pipeline.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::{gen, read_tree, scratch};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;

const CANONICAL: &str = include_str!("../examples/cella/stack.kdl");

fn describe(checked: &cellac::Checked) -> String {
    checked
        .diagnostics
        .iter()
        .take(20)
        .map(|d| format!("{} {}", d.code, d.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn generated_stacks_check_clean_and_build() {
    for n in [1, 2, 7, 20, 100] {
        let text = gen::stack(n);
        let (checked, files) = cellac::build(&text, "stack.kdl");
        assert!(
            checked.diagnostics.is_empty(),
            "gen::stack({n}):\n{}",
            describe(&checked)
        );
        assert_eq!(
            checked.envs.len(),
            4,
            "gen::stack({n}) has four environments"
        );
        let files = files.unwrap_or_else(|| panic!("gen::stack({n}) builds"));
        assert!(!files.is_empty());
    }
}

#[test]
fn generated_stack_has_the_promised_shape() {
    let text = gen::stack(100);
    let checked = cellac::check(&text);
    let prod = checked
        .envs
        .iter()
        .find(|e| e.env.value == "prod")
        .expect("a prod environment");
    assert_eq!(prod.services.len(), 100);
    assert_eq!(prod.sites.len(), 5);
    assert_eq!(prod.buckets.len(), 10);
    assert_eq!(prod.secrets.len(), 20);
}

#[test]
fn broken_stack_fires_every_check() {
    let text = gen::broken(50);
    let checked = cellac::check(&text);
    let codes: BTreeSet<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    let expected = [
        "cellac::region",
        "cellac::load-balancer::containers",
        "cellac::var::format",
        "cellac::var::missing",
        "cellac::var::undeclared",
        "cellac::secret::inline",
        "cellac::secret::unused",
        "cellac::secret::undeclared",
        "cellac::schema::duplicate",
        "cellac::schema::unknown-node",
        "cellac::schema::unknown-property",
        "cellac::schema::unknown-value",
        "cellac::schema::extra-argument",
        "cellac::schema::missing-argument",
        "cellac::schema::wrong-type",
        "cellac::name::invalid",
        "cellac::name::too-long",
        "cellac::port::range",
        "cellac::port::reserved",
        "cellac::memory::tier",
        "cellac::cpu::range",
        "cellac::cpu::mismatch",
        "cellac::scale::range",
        "cellac::scale::order",
        "cellac::scale::singleton",
        "cellac::timeout::range",
        "cellac::health::path",
        "cellac::duration",
        "cellac::env::reserved",
        "cellac::env::duplicate",
        "cellac::env::too-long",
        "cellac::env::unknown-override",
        "cellac::link::target",
        "cellac::link::private",
        "cellac::domain::host",
        "cellac::domain::target",
    ];
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|c| !codes.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes that did not fire: {missing:?}\nfired: {codes:?}"
    );
    assert!(
        checked.diagnostics.len() > 1000,
        "gen::broken(50) reports {} diagnostics",
        checked.diagnostics.len()
    );
    assert!(checked.has_errors());
    let (_, files) = cellac::build(&text, "stack.kdl");
    assert!(files.is_none(), "a broken stack builds nothing");
}

#[test]
fn check_is_deterministic_on_a_broken_stack() {
    let text = gen::broken(20);
    let first: Vec<String> = cellac::check(&text)
        .diagnostics
        .iter()
        .map(|d| format!("{:?}", d))
        .collect();
    for _ in 0..3 {
        let again: Vec<String> = cellac::check(&text)
            .diagnostics
            .iter()
            .map(|d| format!("{:?}", d))
            .collect();
        assert_eq!(first, again);
    }
}

#[test]
fn build_is_deterministic_in_process() {
    for (name, text) in [
        ("canonical", CANONICAL.to_string()),
        ("gen::stack(1000)", gen::stack(1000)),
    ] {
        let (checked, files) = cellac::build(&text, "stack.kdl");
        assert!(
            checked.diagnostics.is_empty(),
            "{name}:\n{}",
            describe(&checked)
        );
        let first = files.unwrap_or_else(|| panic!("{name} builds"));
        for round in 0..4 {
            let (_, again) = cellac::build(&text, "stack.kdl");
            let again = again.unwrap();
            assert_eq!(
                first.keys().collect::<Vec<_>>(),
                again.keys().collect::<Vec<_>>(),
                "{name}, round {round}"
            );
            for (path, bytes) in &first {
                assert!(
                    again[path] == *bytes,
                    "{name}, round {round}: {path} differs"
                );
            }
        }
    }
}

#[test]
fn build_is_deterministic_across_processes() {
    let root = scratch("processes");
    let big = root.join("big.kdl");
    fs::write(&big, gen::stack(1000)).unwrap();
    let canonical = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cella/stack.kdl");
    for (name, stack) in [("canonical", canonical), ("big", big)] {
        let mut trees = Vec::new();
        for run in 0..2 {
            let out = root.join(format!("{name}-{run}"));
            let status = Command::new(env!("CARGO_BIN_EXE_cellac"))
                .arg("build")
                .arg(&stack)
                .arg("-o")
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "cellac build {name}: {}\n{}",
                String::from_utf8_lossy(&status.stdout),
                String::from_utf8_lossy(&status.stderr)
            );
            trees.push(read_tree(&out));
        }
        assert!(!trees[0].is_empty(), "{name}: the build wrote files");
        assert_eq!(
            trees[0].keys().collect::<Vec<_>>(),
            trees[1].keys().collect::<Vec<_>>(),
            "{name}: the same files"
        );
        for ((path, a), (_, b)) in trees[0].iter().zip(&trees[1]) {
            assert!(a == b, "{name}: {path} differs between two processes");
        }
    }
    let _ = fs::remove_dir_all(&root);
}
