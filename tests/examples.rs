//! The examples check clean: no error, no warning.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

fn assert_clean(path: &str) {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"));
    let checked = cellac::check(&text);
    let files = cellac::render::Files {
        stack_name: path,
        stack: &text,
        secrets: None,
    };
    assert!(
        checked.diagnostics.is_empty(),
        "{path} has diagnostics:\n{}",
        cellac::render::human(&checked.diagnostics, &files, false)
    );
    assert!(!checked.envs.is_empty(), "{path}: no environment resolved");
}

#[test]
fn cella_is_clean() {
    assert_clean("examples/cella/stack.kdl");
}

#[test]
fn cella_is_the_canonical_stack() {
    // tests/spec/cella.stack.kdl is the product spec's canonical stack, vendored so that
    // the tests need nothing outside the repository; refresh it when the spec changes.
    let example = include_str!("../examples/cella/stack.kdl");
    let spec = include_str!("spec/cella.stack.kdl");
    assert_eq!(
        example, spec,
        "examples/cella/stack.kdl differs from the spec's cella.stack.kdl (tests/spec/)"
    );
}

#[test]
fn minimal_is_clean() {
    assert_clean("examples/minimal/stack.kdl");
    let checked = cellac::check(include_str!("../examples/minimal/stack.kdl"));
    let names: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    assert_eq!(names, ["dev"], "one environment, `dev`, is implied");
    assert_eq!(checked.envs[0].services.len(), 1);
}

#[test]
fn every_example_is_clean() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let mut stacks: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("stack.kdl"))
        .filter(|p| p.exists())
        .collect();
    stacks.sort();
    assert!(stacks.len() >= 2);
    for p in stacks {
        let rel = p
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_clean(rel.trim_start_matches('/'));
    }
}
