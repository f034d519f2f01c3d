//! `cellac fmt [FILES...] [--check]`: the language server's formatter on the command line.
//! Idempotent, keeps every comment (refuses rather than drop one), `-` is standard input,
//! and `--check` writes nothing, lists the files that would change and exits 1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::example;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_cellac");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLES: [&str; 3] = ["cella", "many", "minimal"];

/// A fresh directory for one test's files.
fn dir(test: &str) -> PathBuf {
    common::scratch(test)
}

fn run_in(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or_default().as_bytes())
        .unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `//` and `/* */` comments of a text, trimmed, outside quoted strings.
fn comments(text: &str) -> Vec<String> {
    let mut c = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    let b = text.as_bytes();
    while i < b.len() {
        if in_string {
            match b[i] {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b[i] == b'"' {
            in_string = true;
        } else if text[i..].starts_with("//") {
            let end = text[i..].find('\n').map_or(b.len(), |e| i + e);
            c.push(text[i..end].trim().to_string());
            i = end;
        } else if text[i..].starts_with("/*") {
            let end = i + text[i..].find("*/").unwrap() + 2;
            c.push(text[i..end].to_string());
            i = end - 1;
        }
        i += 1;
    }
    c.sort();
    c
}

fn formatted(text: &str) -> String {
    let o = run_in(Path::new(ROOT), &["fmt", "-"], Some(text));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    out(&o)
}

/// Each example, formatted: snapshotted, every comment kept, a fixed point, and the
/// same stack (the same diagnostics and the same generated files).
#[test]
fn examples_format_idempotently_and_keep_comments() {
    for name in EXAMPLES {
        let text = example(name);
        let once = formatted(&text);
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("fmt_{name}"), once);
        });
        assert_eq!(
            comments(&once),
            comments(&text),
            "{name}: a comment changed"
        );
        assert_eq!(formatted(&once), once, "{name}: not a fixed point");
        let o = run_in(Path::new(ROOT), &["fmt", "--check", "-"], Some(&once));
        assert_eq!(o.status.code(), Some(0), "{name}: {}", err(&o));
        assert_eq!(out(&o), "");
        let (a, fa) = cellac::build(&text, "stack.kdl");
        let (b, fb) = cellac::build(&once, "stack.kdl");
        assert_eq!(a.diagnostics.len(), b.diagnostics.len(), "{name}");
        assert_eq!(fa, fb, "{name}: the formatted stack builds to other files");
    }
}

#[test]
fn formats_files_in_place() {
    let d = dir("in-place");
    std::fs::write(
        d.join("a.kdl"),
        "stack a\nservice web {\n  port 8080 // the port\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("b.kdl"), "stack b\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("a.kdl"), std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let o = run_in(&d, &["fmt", "a.kdl", "b.kdl"], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("a.kdl")).unwrap(),
        "stack a\nservice web {\n    port 8080 // the port\n}\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("b.kdl")).unwrap(),
        "stack b\n"
    );
    assert_eq!(err(&o), "formatted a.kdl\n1 file formatted, 1 unchanged\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("a.kdl"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "permissions kept");
    }
    // Nothing left beside the files.
    let mut names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.kdl", "b.kdl"]);
    // Again: nothing to do.
    let o = run_in(&d, &["fmt", "a.kdl", "b.kdl"], None);
    assert_eq!(err(&o), "0 files formatted, 2 unchanged\n");
    // Options: tabs, and another indent.
    let o = run_in(
        &d,
        &["fmt", "--tabs", "-"],
        Some("stack a\nservice web {\n port 1\n}\n"),
    );
    assert_eq!(out(&o), "stack a\nservice web {\n\tport 1\n}\n");
    let o = run_in(
        &d,
        &["fmt", "--indent", "2", "-"],
        Some("stack a\nservice web {\n port 1\n}\n"),
    );
    assert_eq!(out(&o), "stack a\nservice web {\n  port 1\n}\n");
}

#[test]
fn default_file_is_stack_kdl() {
    let d = dir("default");
    std::fs::write(d.join("stack.kdl"), "stack a\nservice web {\nport 1\n}\n").unwrap();
    let o = run_in(&d, &["fmt"], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("stack.kdl")).unwrap(),
        "stack a\nservice web {\n    port 1\n}\n"
    );
}

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let d = dir("check");
    let messy = "stack a\nservice web {\n  port 8080\n}\n";
    std::fs::write(d.join("messy.kdl"), messy).unwrap();
    std::fs::write(d.join("tidy.kdl"), "stack a\n").unwrap();
    let o = run_in(&d, &["fmt", "--check", "messy.kdl", "tidy.kdl"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "messy.kdl\n");
    assert_eq!(err(&o), "1 file would be reformatted; run `cellac fmt`\n");
    assert_eq!(std::fs::read_to_string(d.join("messy.kdl")).unwrap(), messy);
    let o = run_in(&d, &["fmt", "--check", "tidy.kdl"], None);
    assert_eq!((o.status.code(), out(&o)), (Some(0), String::new()));
    assert_eq!(err(&o), "1 file already formatted\n");
    let o = run_in(&d, &["fmt", "--check", "-"], Some(messy));
    assert_eq!(
        (o.status.code(), out(&o)),
        (Some(1), "<stdin>\n".to_string())
    );
}

/// Issue 22, class 8: a comment after a closing brace, blank lines between sections, a
/// multi-line comment, a byte-order mark and the quoting a user chose are all kept.
#[test]
fn keeps_what_the_author_wrote() {
    let d = dir("keep");
    let text = "\u{feff}stack a\n\n// Services.\nservice web {\n  port 8080\n  env MODE=\"quoted\" OTHER=bare\n  /* two\n     lines */\n} // the web service\n\nservice api {\nport 8081\n}\n";
    std::fs::write(d.join("stack.kdl"), text).unwrap();
    let o = run_in(&d, &["fmt"], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("stack.kdl")).unwrap(),
        "\u{feff}stack a\n\n// Services.\nservice web {\n    port 8080\n    env MODE=\"quoted\" OTHER=bare\n    /* two\n     lines */\n} // the web service\n\nservice api {\n    port 8081\n}\n"
    );
    let o = run_in(&d, &["fmt", "--check"], None);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

/// The examples and what `cellac init` writes are already formatted.
#[test]
fn examples_and_init_output_pass_fmt_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["cella", "django", "many", "minimal", "release", "worker"] {
        let text =
            std::fs::read_to_string(root.join("examples").join(name).join("stack.kdl")).unwrap();
        assert_eq!(formatted(&text), text, "examples/{name} is not formatted");
    }
    let found = cellac::init::Found {
        folder: "shop".into(),
        services: vec![cellac::init::FoundService {
            dir: "api".into(),
            expose: Some(8080),
            env: vec![("LOG_LEVEL".into(), "info".into())],
            migrate: Some("alembic upgrade head".into()),
            command: None,
        }],
        sites: vec![cellac::init::FoundSite {
            dir: "web".into(),
            manager: "npm".into(),
            out_dir: "dist".into(),
        }],
        env: vec![
            ("API_TOKEN".into(), String::new()),
            ("S3_BUCKET".into(), String::new()),
            ("DATABASE_URL".into(), "postgres://u:p@localhost/app".into()),
        ],
    };
    let text = cellac::init::render(&found, None, "fr-par");
    assert_eq!(formatted(&text), text, "init's output is not formatted");
}

#[test]
fn invalid_and_missing_files() {
    let d = dir("invalid");
    let broken = "stack a\nservice web {\n  port 8080\n";
    std::fs::write(d.join("broken.kdl"), broken).unwrap();
    std::fs::write(d.join("ok.kdl"), "stack   a\n").unwrap();
    let o = run_in(&d, &["fmt", "broken.kdl", "nope.kdl", "ok.kdl"], None);
    // The usage/IO error wins (exit 2); the other files are still formatted.
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("broken.kdl was not formatted: it is not valid KDL"));
    assert!(err(&o).contains("cellac::io::read") && err(&o).contains("nope.kdl"));
    assert_eq!(
        std::fs::read_to_string(d.join("broken.kdl")).unwrap(),
        broken
    );
    assert_eq!(
        std::fs::read_to_string(d.join("ok.kdl")).unwrap(),
        "stack a\n"
    );
    let o = run_in(&d, &["fmt", "broken.kdl"], None);
    assert_eq!(o.status.code(), Some(1));
}
