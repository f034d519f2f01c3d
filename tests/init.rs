//! `cellac init` in scratch folders laid out like real repositories: what it writes
//! (snapshotted) checks clean with no warning but `cellac::deployer::implicit` (a
//! stack with a site, whose deployers init cannot know) and builds; it never overwrites a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::cellac_in as run;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh folder named `name` (the stack's default name comes from it), with `files`.
fn repo(test: &str, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let d = std::env::temp_dir()
        .join(format!("cellac-init-{}-{test}", std::process::id()))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for (path, text) in files {
        let p = d.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs init, checks the result is clean and builds, and snapshots it.
fn init(dir: &Path, args: &[&str], snapshot: &str) -> String {
    let mut all = vec!["init"];
    all.extend(args);
    let o = run(dir, &all);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = std::fs::read_to_string(dir.join("stack.kdl")).unwrap();
    let (checked, files) = cellac::build(&text, "stack.kdl");
    // Only the deployers are left to the user: init cannot know their IAM ids, and a
    // site's bucket policy needs them (the commented `deployer` line says so).
    let site = text.lines().any(|l| l.starts_with("site "));
    assert!(
        checked
            .diagnostics
            .iter()
            .all(|d| site && d.code == "cellac::deployer::implicit"),
        "{:?}\n{text}",
        checked.diagnostics
    );
    assert!(!site || text.contains("// deployer application="), "{text}");
    assert!(files.is_some());
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(snapshot, format!("{}---\n{text}", err(&o)));
    });
    text
}

#[test]
fn a_monorepo_with_services_a_site_and_env_examples() {
    let d = repo(
        "monorepo",
        "Acme_Shop",
        &[
            ("api/Dockerfile", "FROM node:20\nWORKDIR /app\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n"),
            ("api/.env.example", "STRIPE_API_KEY=sk_test_x\nCURRENCY=EUR\n"),
            ("worker/Dockerfile", "FROM python:3.12\n"),
            ("worker/.env.example", "QUEUE_NAME=jobs\n"),
            ("metrics/Dockerfile", "FROM prom/prometheus\nEXPOSE 9090\n"),
            ("frontend/package.json", "{\"scripts\": {\"build\": \"vite build\"}, \"devDependencies\": {\"vite\": \"5\"}}"),
            ("docs/package.json", "{\"scripts\": {\"dev\": \"vitepress dev\"}}"),
            ("node_modules/x/Dockerfile", "FROM scratch\n"),
            ("pnpm-lock.yaml", ""),
            ("package.json", "{\"private\": true, \"workspaces\": [\"frontend\"], \"scripts\": {\"build\": \"turbo build\"}}"),
            (
                ".env.example",
                "# Copy to .env\nDATABASE_URL=postgres://app@localhost/app\nSESSION_SECRET=\n\
                 LOG_LEVEL=info\nPORT=3000\nSCW_SECRET_KEY=x\nENVIRONMENT=dev\nGREETING=\"say \\\"hi\\\"\"\n",
            ),
        ],
    );
    let text = init(&d, &[], "init_monorepo");
    for want in [
        "stack acme-shop region=fr-par",
        "secret database_url",
        "secret stripe_api_key",
        "var log_level default=\"info\"",
        "var app_environment default=\"dev\"",
        "service api {",
        "port 3000",
        "service metrics {",
        "EXPOSEs 9090",
        "site frontend {",
        "build \"cd frontend && pnpm run build\"",
    ] {
        assert!(text.contains(want), "no {want:?} in\n{text}");
    }
    for absent in ["PORT=", "SCW_", "site docs", "node_modules", "turbo"] {
        assert!(!text.contains(absent), "{absent:?} in\n{text}");
    }
    // The api's own key goes to the api only.
    let worker = &text[text.find("service worker").unwrap()..];
    let worker = &worker[..worker.find("\n}").unwrap()];
    assert!(
        !worker.contains("STRIPE") && worker.contains("QUEUE_NAME=(var)queue_name"),
        "{worker}"
    );
    // Again: refused, the file untouched.
    std::fs::write(d.join("stack.kdl"), "my own\n").unwrap();
    let o = run(&d, &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("never overwrites"), "{}", err(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("stack.kdl")).unwrap(),
        "my own\n"
    );
}

#[test]
fn a_single_page_app() {
    let d = repo(
        "spa",
        "landing",
        &[
            ("package.json", "{\"scripts\": {\"build\": \"react-scripts build\"}, \"dependencies\": {\"react-scripts\": \"5\"}}"),
            ("yarn.lock", ""),
            (".env.example", "REACT_APP_API=https://api.example.com\n"),
        ],
    );
    let text = init(
        &d,
        &["--name", "Landing Page", "--region", "nl-ams"],
        "init_spa",
    );
    assert!(text.contains("stack landing-page region=nl-ams"), "{text}");
    assert!(
        text.contains("build \"yarn run build\"") && text.contains("dist \"build\""),
        "{text}"
    );
    assert!(!text.contains("\nservice "), "{text}");
}

#[test]
fn an_empty_folder() {
    let d = repo("empty", "x", &[]);
    let text = init(&d, &[], "init_empty");
    // A one-letter folder is not a name Scaleway takes: the stack is called `app`.
    assert!(text.contains("stack app region=fr-par"), "{text}");
    assert!(text.contains("service web {"), "{text}");
}

#[test]
fn long_names_are_shortened_to_fit() {
    let d = repo(
        "long",
        "a-very-long-repository-name-indeed",
        &[(
            "an-extremely-long-service-folder-name/Dockerfile",
            "FROM scratch\n",
        )],
    );
    let text = init(&d, &[], "init_long_names");
    assert!(
        text.contains("stack a-very-long\n") || text.contains("stack a-very-long "),
        "{text}"
    );
}

#[test]
fn bad_region_is_a_usage_error() {
    let d = repo("region", "app", &[]);
    let o = run(&d, &["init", "--region", "us-east-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!d.join("stack.kdl").exists());
}

/// Issue 22, class 8: a FIFO named `.env.example` is not read (the read would block
/// forever): init finishes, without its keys.
#[test]
fn a_fifo_is_never_read() {
    let d = repo(
        "fifo",
        "shop",
        &[("api/Dockerfile", "FROM alpine\nEXPOSE 8080\n")],
    );
    let made = std::process::Command::new("mkfifo")
        .arg(d.join(".env.example"))
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo here: skipped");
        return;
    }
    let exe = env!("CARGO_BIN_EXE_cellac");
    let mut child = std::process::Command::new(exe)
        .arg("init")
        .current_dir(&d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "init hung or failed on a FIFO"
    );
    assert!(d.join("stack.kdl").is_file());
}
