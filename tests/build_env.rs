//! `cellac build --env NAME`: only that environment's files are written; the others'
//! stay as they are on disk, and are neither rewritten nor removed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use std::path::Path;
use std::process::Command;

fn cellac(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cellac"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("cellac runs")
}

fn stack() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/cella/stack.kdl")
        .display()
        .to_string()
}

#[test]
fn only_the_named_environment_is_written() {
    let dir = tempdir("only");
    let out = dir.display().to_string();
    let o = cellac(&["build", &stack(), "-o", &out, "--env", "prod"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.join("environments/prod.tfvars.json").is_file());
    assert!(!dir.join("environments/dev.tfvars.json").exists());
    assert!(dir.join("main.tf.json").is_file());

    // A full build adds the others; a later `--env dev` keeps prod's file as it is.
    assert!(cellac(&["build", &stack(), "-o", &out]).status.success());
    let prod = std::fs::read(dir.join("environments/prod.tfvars.json")).unwrap();
    let o = cellac(&["build", &stack(), "-o", &out, "--env", "dev"]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read(dir.join("environments/prod.tfvars.json")).unwrap(),
        prod
    );
    assert!(cellac(&["build", &stack(), "-o", &out, "--check"])
        .status
        .success());
}

#[test]
fn an_unknown_environment_is_a_usage_error() {
    let dir = tempdir("unknown");
    let o = cellac(&[
        "build",
        &stack(),
        "-o",
        &dir.display().to_string(),
        "--env",
        "prd",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean `prod`?"), "{err}");
    assert!(!dir.join("main.tf.json").exists(), "nothing is written");
}

fn tempdir(name: &str) -> std::path::PathBuf {
    common::scratch_in(Path::new(env!("CARGO_TARGET_TMPDIR")), name)
}
