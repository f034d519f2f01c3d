//! `cellac diff OLD [NEW]` on pairs of edited examples: a scale change, a new secret, a
//! new domain, a removed service; `git:REF:PATH`; and every Terraform address it names
//! is a resource of the generated configuration.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

mod common;

use common::{cellac_in as run_in, example};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A fresh directory for one test's files.
fn dir(test: &str) -> PathBuf {
    common::scratch(test)
}

/// Edits `text` with (from, to) replacements, each of which must apply.
fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut t = text.to_string();
    for (from, to) in edits {
        assert!(t.contains(from), "{from:?} not in the example");
        t = t.replacen(from, to, 1);
    }
    t
}

/// Runs diff in both formats: the Markdown (snapshotted) and the JSON.
fn diff(test: &str, old: &str, new: &str) -> (String, Value) {
    let d = dir(test);
    std::fs::write(d.join("old.kdl"), old).unwrap();
    std::fs::write(d.join("stack.kdl"), new).unwrap();
    let o = run_in(&d, &["diff", "old.kdl"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let md = String::from_utf8(o.stdout).unwrap();
    let o = run_in(&d, &["diff", "old.kdl", "stack.kdl", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(format!("diff_{test}"), md);
    });
    check_addresses(old, new, &json);
    (md, json)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Every address names a resource of the generated modules: added and changed ones in
/// the new build, removed ones in the old; `[0]` exactly on modules with a count.
fn check_addresses(old: &str, new: &str, json: &Value) {
    let build = |t: &str| cellac::build(t, "../stack.kdl").1.expect("builds");
    let (old_files, new_files) = (build(old), build(new));
    for e in json["environments"].as_object().unwrap().values() {
        for (kind, files) in [
            ("added", &new_files),
            ("changed", &new_files),
            ("removed", &old_files),
        ] {
            for a in strings(&e["resources"][kind]) {
                let parts: Vec<&str> = a.splitn(4, '.').collect();
                assert_eq!(parts[0], "module", "{a}");
                let (module, counted) = match parts[1].strip_suffix("[0]") {
                    Some(m) => (m, true),
                    None => (parts[1], false),
                };
                let root: Value = serde_json::from_slice(&files["main.tf.json"]).unwrap();
                let m = &root["module"][module];
                assert!(m.is_object(), "{a}: no module {module}");
                assert_eq!(m.get("count").is_some(), counted, "{a}");
                let main: Value =
                    serde_json::from_slice(&files[&format!("modules/{module}/main.tf.json")])
                        .unwrap();
                let name = parts[3].split('[').next().unwrap();
                let r = &main["resource"][parts[2]][name];
                assert!(r.is_object(), "{a}: no resource {}.{name}", parts[2]);
                // An instance key only on a for_each resource.
                assert_eq!(a.ends_with("\"]"), r.get("for_each").is_some(), "{a}");
            }
        }
    }
}

#[test]
fn scale_change() {
    let old = example("cella");
    let new = edit(
        &old,
        &[(
            "service backend { scale min=2 max=10; }",
            "service backend { scale min=3 max=10; }",
        )],
    );
    let (md, json) = diff("scale", &old, &new);
    let prod = &json["environments"]["prod"];
    assert_eq!(prod["status"], "changed");
    assert!(md.contains("service `backend`: scale 2-10 → 3-10"), "{md}");
    assert_eq!(
        strings(&prod["resources"]["changed"]),
        ["module.containers.scaleway_container.backend"]
    );
    let floor = &prod["cost_floor_eur"];
    assert!(floor["new"].as_f64().unwrap() > floor["old"].as_f64().unwrap());
    assert_eq!(json["environments"]["dev"]["status"], "unchanged");
    assert!(md.contains("Unchanged: dev, staging."), "{md}");
    // prod's values, and the README's diagram of prod (it shows the scale).
    assert_eq!(
        strings(&json["files"]["changed"]),
        ["README.md", "environments/prod.tfvars.json"]
    );
}

#[test]
fn new_secret() {
    let old = example("cella");
    let new = edit(
        &old,
        &[
            (
                "secret cookie_secret min-length=32\n",
                "secret cookie_secret min-length=32\nsecret stripe_key min-length=20\n",
            ),
            (
                "    secret-env ARGON_SECRET=argon_secret",
                "    secret-env STRIPE_KEY=stripe_key ARGON_SECRET=argon_secret",
            ),
        ],
    );
    let (md, json) = diff("secret", &old, &new);
    for env in ["dev", "staging", "prod"] {
        let e = &json["environments"][env];
        assert_eq!(strings(&e["secrets_to_provide"]), ["stripe_key"], "{env}");
        assert_eq!(
            strings(&e["resources"]["changed"]),
            ["module.containers.scaleway_container.backend"]
        );
    }
    assert!(
        md.contains("new secret `stripe_key`: give its value before the next apply"),
        "{md}"
    );
    assert!(md.contains("sets `STRIPE_KEY (secret stripe_key)`"), "{md}");
}

#[test]
fn new_domain() {
    let old = example("cella");
    let new = edit(
        &old,
        &[("    domain api.cellajs.com service=backend\n", "    domain api.cellajs.com service=backend\n    domain www.cellajs.com site=frontend\n    domain ws.cellajs.com service=cdc\n")],
    );
    let (md, json) = diff("domain", &old, &new);
    let added = strings(&json["environments"]["prod"]["resources"]["added"]);
    for a in [
        "module.edge.scaleway_edge_services_pipeline.this[\"www.cellajs.com\"]",
        "module.dns[0].scaleway_domain_record.this[\"www.cellajs.com\"]",
        "module.dns[0].scaleway_container_domain.this[\"ws.cellajs.com\"]",
        "module.dns[0].scaleway_domain_record.this[\"ws.cellajs.com\"]",
    ] {
        assert!(added.contains(&a.to_string()), "{a} not in {added:?}");
    }
    assert!(
        md.contains("new domain `www.cellajs.com` → site `frontend`"),
        "{md}"
    );
    assert!(
        md.contains("new domain `ws.cellajs.com` → service `cdc`"),
        "{md}"
    );
}

#[test]
fn removed_service() {
    let old = example("many");
    let images = old[old.find("service images {").unwrap()..]
        .split_once("}\n")
        .unwrap()
        .0
        .to_string()
        + "}\n";
    let new = edit(
        &old,
        &[
            (images.as_str(), ""),
            ("    service images { private; }\n", ""),
        ],
    );
    let (md, json) = diff("removed", &old, &new);
    let removed = strings(&json["environments"]["dev"]["resources"]["removed"]);
    for a in [
        "module.containers.scaleway_container.images",
        "module.iam.scaleway_iam_application.this[\"images\"]",
    ] {
        assert!(removed.contains(&a.to_string()), "{a} not in {removed:?}");
    }
    assert!(md.contains("removed service `images`"), "{md}");
}

#[test]
fn identical_stacks() {
    let old = example("minimal");
    let (md, json) = diff("same", &old, &old);
    assert_eq!(json["environments"]["dev"]["status"], "unchanged");
    assert!(
        md.contains("Unchanged: dev.") && md.contains("`cellac build` writes the same files."),
        "{md}"
    );
}

#[test]
fn old_from_git() {
    let d = dir("git");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(&d)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let old = example("minimal");
    std::fs::write(d.join("stack.kdl"), &old).unwrap();
    git(&["init", "-q"]);
    git(&["add", "stack.kdl"]);
    git(&["commit", "-q", "-m", "first"]);
    std::fs::write(
        d.join("stack.kdl"),
        edit(&old, &[("port 8080", "port 8080\n    memory 2048")]),
    )
    .unwrap();
    let o = run_in(&d, &["diff", "git:HEAD:stack.kdl"]);
    let md = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        md.contains("### cellac diff: `git:HEAD:stack.kdl` → `stack.kdl`"),
        "{md}"
    );
    assert!(md.contains("memory 1024 MB → 2048 MB"), "{md}");
    let o = run_in(&d, &["diff", "git:nope:stack.kdl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("git says"));
}

#[test]
fn a_broken_side_is_reported() {
    let d = dir("broken");
    std::fs::write(
        d.join("old.kdl"),
        "stack a\nservice web {\n    port 9090\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("stack.kdl"), example("minimal")).unwrap();
    let o = run_in(&d, &["diff", "old.kdl"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cellac::port::reserved") && err.contains("old.kdl has errors"),
        "{err}"
    );
}
