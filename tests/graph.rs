//! `cellac graph [STACK] [--env ENV] [--format mermaid|dot]`: each example's
//! environments drawn, snapshotted, the DOT rendered by Graphviz when it is installed
//! (CI installs it), the Mermaid checked for well-formedness.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::cellac as run;
use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLES: [&str; 3] = ["cella", "many", "minimal"];

fn graph(example: &str, env: &str, format: &str) -> String {
    let stack = format!("examples/{example}/stack.kdl");
    let o = run(&["graph", &stack, "--env", env, "--format", format]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn envs(example: &str) -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(ROOT)
            .join("examples")
            .join(example)
            .join("stack.kdl"),
    )
    .unwrap();
    cellac::check(&text)
        .envs
        .iter()
        .map(|e| e.env.value.clone())
        .collect()
}

fn has_dot() -> bool {
    Command::new("dot").arg("-V").output().is_ok()
}

/// Node ids declared, and every edge's ends among them; `subgraph` and `end` balance;
/// labels carry no raw quote.
fn check_mermaid(m: &str) {
    let mut lines = m.lines();
    assert_eq!(lines.next(), Some("---"));
    assert!(lines.next().unwrap().starts_with("title: "));
    assert_eq!(lines.next(), Some("---"));
    assert_eq!(lines.next(), Some("flowchart LR"));
    let (mut nodes, mut depth) = (Vec::new(), 0);
    for line in lines {
        let t = line.trim();
        if t.starts_with("subgraph ") {
            depth += 1;
        } else if t == "end" {
            depth -= 1;
        } else if t.contains("-->") || t.contains("-.->") {
            let words: Vec<&str> = t.split_whitespace().collect();
            let (from, to) = (words[0], words[words.len() - 1]);
            assert!(nodes.contains(&from.to_string()), "{from} undeclared: {t}");
            assert!(nodes.contains(&to.to_string()), "{to} undeclared: {t}");
        } else {
            let id: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(!id.is_empty(), "{t}");
            let label = &t[id.len()..];
            let inner = label.trim_matches(|c| "[](){}/".contains(c));
            assert!(
                inner.starts_with('"')
                    && inner.ends_with('"')
                    && !inner[1..inner.len() - 1].contains('"'),
                "{t}"
            );
            nodes.push(id);
        }
        assert!((0..=1).contains(&depth), "{t}");
    }
    assert_eq!(depth, 0);
}

#[test]
fn every_environment_of_every_example() {
    for example in EXAMPLES {
        for format in ["mermaid", "dot"] {
            let mut all = String::new();
            for env in envs(example) {
                let g = graph(example, &env, format);
                if format == "mermaid" {
                    check_mermaid(&g);
                } else if has_dot() {
                    let mut child = Command::new("dot")
                        .arg("-Tsvg")
                        .stdin(std::process::Stdio::piped())
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .unwrap();
                    use std::io::Write;
                    child.stdin.take().unwrap().write_all(g.as_bytes()).unwrap();
                    let o = child.wait_with_output().unwrap();
                    let err = String::from_utf8_lossy(&o.stderr);
                    assert!(
                        o.status.success() && err.is_empty(),
                        "{example} {env}: {err}\n{g}"
                    );
                    assert!(String::from_utf8_lossy(&o.stdout).contains("<svg"));
                } else {
                    eprintln!("Graphviz (dot) is not installed: the DOT is not rendered");
                }
                all.push_str(&format!("# {env}\n{g}\n"));
            }
            insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("graph_{example}_{format}"), all);
            });
        }
    }
}

#[test]
fn what_cella_prod_shows() {
    let g = graph("cella", "prod", "mermaid");
    for want in [
        "title: prod-cella (prod, region nl-ams)",
        "subgraph network[\"private network 10.0.0.0/24\"]",
        "service_backend[\"service backend<br/>scale 2-10, 1024 MB, 560 mvCPU\"]",
        "service_cdc[\"service cdc<br/>singleton, 512 MB, 280 mvCPU<br/>private\"]",
        "service_cdc -->|\"WebSocket API_WS_URL\"| service_backend",
        "service_backend -->|\"write\"| bucket_public_uploads",
        "service_backend -->|\"pooled, direct\"| postgres",
        "service_cdc -->|\"direct\"| postgres",
        "domain_cellajs_com -->|\"WAF\"| edge_services",
        "edge_services --> site_frontend",
        "domain_api_cellajs_com --> service_backend",
        "Edge Services<br/>plan professional",
        "subgraph zone[\"DNS zone cellajs.com\"]",
        "registry -.->|\"image\"| service_cdc",
    ] {
        assert!(g.contains(want), "no {want:?} in\n{g}");
    }
    // dev has no domain: the backend is reached at its endpoint, the site at its bucket.
    let dev = graph("cella", "dev", "mermaid");
    assert!(
        dev.contains("users -->|\"HTTPS endpoint\"| service_backend"),
        "{dev}"
    );
    assert!(
        dev.contains("users -->|\"bucket website\"| site_frontend"),
        "{dev}"
    );
    assert!(dev.contains("scale 0-3, 1024 MB"), "{dev}");
    assert!(!dev.contains("edge_services"), "{dev}");
    // A private service is not reachable from users.
    assert!(
        !dev.contains("users -->|\"HTTPS endpoint\"| service_cdc"),
        "{dev}"
    );
}

#[test]
fn default_environment_is_the_first() {
    let o = run(&["graph", "examples/cella/stack.kdl"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        graph("cella", "dev", "mermaid")
    );
}

#[test]
fn unknown_environment_and_broken_stack() {
    let o = run(&["graph", "examples/cella/stack.kdl", "--env", "prd"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cellac::io::usage") && err.contains("did you mean `prod`?"),
        "{err}"
    );
    let d = std::env::temp_dir().join(format!("cellac-graph-{}.kdl", std::process::id()));
    std::fs::write(&d, "stack a\nservice web {\n    port 9090\n}\n").unwrap();
    let o = run(&["graph", &d.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(String::from_utf8_lossy(&o.stderr).contains("cellac::port::reserved"));
}

/// An image's build arguments: named on the registry edge, and a `link` drawn as the
/// image's dependency on its target (issue 23).
#[test]
fn build_arguments_are_drawn() {
    let d = common::scratch("graph-build-args");
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack shop\nservice api {\n    port 8000\n}\nservice web {\n    port 3000\n    image {\n        arg MODE=web\n        link api arg=API_URL\n    }\n}\n",
    )
    .unwrap();
    let o = run(&["graph", &stack.to_string_lossy()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains(r#"registry -.->|"image, build args MODE API_URL"| service_web"#),
        "{text}"
    );
    assert!(
        text.contains(r#"service_web -.->|"build arg API_URL"| service_api"#),
        "{text}"
    );
    assert!(
        text.contains(r#"registry -.->|"image"| service_api"#),
        "{text}"
    );
}
