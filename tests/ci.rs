//! `.pre-commit-hooks.yaml` and the workflow in docs/ci.md: valid YAML (when Python's
//! yaml module is there), and every cellac command they run works as they expect on a
//! scratch repository: passing on a clean one, failing on a broken one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cellac");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap()
}

/// Runs a shell command line with this build's cellac first on PATH.
fn sh(dir: &Path, line: &str) -> Output {
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .current_dir(dir)
        .args(["-c", line])
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> bool {
    o.status.success()
}

fn show(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A repository with the cella example as ./stack.kdl, formatted and built into ./infra.
fn scratch(test: &str) -> PathBuf {
    let d = common::scratch(test);
    std::fs::write(d.join("stack.kdl"), read("examples/cella/stack.kdl")).unwrap();
    for step in ["cellac fmt", "cellac build"] {
        let o = sh(&d, step);
        assert!(ok(&o), "{step}: {}", show(&o));
    }
    d
}

fn python_yaml(text: &str) -> Option<bool> {
    let probe = Command::new("python3")
        .args(["-c", "import yaml"])
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", "import sys, yaml; yaml.safe_load(sys.stdin.read())"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(text.as_bytes()).ok()?;
    Some(child.wait().ok()?.success())
}

struct Hook {
    id: String,
    entry: String,
    pass_filenames: bool,
}

/// The hooks, read line by line (the file is a flat list of maps).
fn hooks() -> Vec<Hook> {
    let text = read(".pre-commit-hooks.yaml");
    if let Some(valid) = python_yaml(&text) {
        assert!(valid, ".pre-commit-hooks.yaml is not valid YAML");
    }
    let mut hooks: Vec<Hook> = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let field = |k: &str| {
            line.trim_start_matches(['-', ' '])
                .strip_prefix(k)
                .map(str::trim)
        };
        if let Some(id) = field("id:") {
            hooks.push(Hook {
                id: id.into(),
                entry: String::new(),
                pass_filenames: true,
            });
        } else if let Some(entry) = field("entry:") {
            hooks.last_mut().unwrap().entry = entry.into();
        } else if let Some(p) = field("pass_filenames:") {
            hooks.last_mut().unwrap().pass_filenames = p == "true";
        } else if let Some(lang) = field("language:") {
            assert_eq!(lang, "rust", "{line}");
        }
    }
    hooks
}

#[test]
fn pre_commit_hooks_pass_on_a_clean_repository_and_fail_on_a_broken_one() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["cellac-check", "cellac-fmt", "cellac-build-check"]);
    let command = |h: &Hook| {
        assert!(h.entry.starts_with("cellac "), "{}", h.entry);
        if h.pass_filenames {
            format!("{} stack.kdl", h.entry)
        } else {
            h.entry.clone()
        }
    };
    let d = scratch("hooks");
    for h in &hooks {
        let o = sh(&d, &command(h));
        assert!(ok(&o), "{}: {}", h.id, show(&o));
    }
    // Each fails on what it guards.
    let stack = std::fs::read_to_string(d.join("stack.kdl")).unwrap();
    let broken = [
        ("cellac-fmt", stack.replace("    port 4000", "  port 4000")),
        ("cellac-check", stack.replace("port 4000", "port 9090")),
        (
            "cellac-build-check",
            stack.replace("memory 1024", "memory 2048"),
        ),
    ];
    for (id, text) in broken {
        std::fs::write(d.join("stack.kdl"), &text).unwrap();
        let h = hooks.iter().find(|h| h.id == id).unwrap();
        let o = sh(&d, &command(h));
        assert_eq!(o.status.code(), Some(1), "{id}: {}", show(&o));
        std::fs::write(d.join("stack.kdl"), &stack).unwrap();
    }
}

/// The `yaml` blocks of docs/ci.md.
fn yaml_blocks() -> Vec<String> {
    let doc = read("docs/ci.md");
    doc.split("```yaml\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap().to_string())
        .collect()
}

#[test]
fn the_workflow_in_docs_ci_md_works() {
    // The main workflow, pre-commit's configuration and the preview workflow.
    let blocks = yaml_blocks();
    assert_eq!(blocks.len(), 3);
    for b in &blocks {
        if let Some(valid) = python_yaml(b) {
            assert!(valid, "not valid YAML:\n{b}");
        }
    }
    let workflow = &blocks[0];
    let runs: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run: "))
        .filter(|r| r.starts_with("cellac "))
        .collect();
    assert_eq!(
        runs,
        [
            "cellac build --check --format github",
            "cellac fmt --check",
            "cellac check --format sarif > cellac.sarif || true",
        ]
    );
    let d = scratch("workflow");
    for run in &runs {
        let o = sh(&d, run);
        assert!(ok(&o), "{run}: {}", show(&o));
    }
    // The comment step's diff, against a base branch as GitHub Actions fetches it.
    let diff_line = workflow
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cellac diff "))
        .expect("the workflow runs cellac diff");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(&d)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "stack.kdl"]);
    git(&["commit", "-q", "-m", "base"]);
    git(&["update-ref", "refs/remotes/origin/main", "HEAD"]);
    let stack = std::fs::read_to_string(d.join("stack.kdl")).unwrap();
    std::fs::write(
        d.join("stack.kdl"),
        stack.replace("memory 512", "memory 1024"),
    )
    .unwrap();
    let o = sh(&d, &format!("export GITHUB_BASE_REF=main; {diff_line}"));
    assert!(ok(&o), "{diff_line}: {}", show(&o));
    let comment = std::fs::read_to_string(d.join("cellac-diff.md")).unwrap();
    assert!(comment.contains("memory `512 MB` → `1024 MB`"), "{comment}");
    std::fs::write(d.join("stack.kdl"), &stack).unwrap();
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("cellac.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    // A broken stack: annotations, exit 1.
    let stack = std::fs::read_to_string(d.join("stack.kdl")).unwrap();
    std::fs::write(d.join("stack.kdl"), stack.replace("port 4000", "port 9090")).unwrap();
    let o = sh(&d, runs[0]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("::error file=stack.kdl,line="),
        "{}",
        show(&o)
    );
    // The hooks named in the pre-commit config are the ones the repository ships.
    let config = &blocks[1];
    let ids: Vec<&str> = config
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id: "))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let shipped: Vec<String> = hooks().into_iter().map(|h| h.id).collect();
    assert_eq!(ids, shipped);
}
