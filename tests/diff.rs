//! `cellac diff OLD [NEW]` on pairs of edited examples: a scale change, a new secret, a
//! new domain, a removed service; `git:REF:PATH`; and every Terraform address it names
//! is a resource of the generated configuration.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

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
    assert!(
        md.contains("service `backend`: scale `2-10` → `3-10`"),
        "{md}"
    );
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
    assert!(md.contains("memory `1024 MB` → `2048 MB`"), "{md}");
    let o = run_in(&d, &["diff", "git:nope:stack.kdl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("git says"));
    // Issue 22: REF cannot be an option of git (`--output=FILE` would write a file).
    let o = run_in(&d, &["diff", "git:--output=pwned:stack.kdl"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!d.join("pwned").exists());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("may not start with `-`"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Issue 22, class 6: a region change, a stack rename or `project create=#true` replaces
/// every resource, and says so, with the data lost; never "Unchanged".
#[test]
fn whole_environment_replacements() {
    let old = example("cella");
    for (test, edits, words) in [
        (
            "region",
            vec![("stack cella region=nl-ams zone=nl-ams-1", "stack cella region=fr-par zone=fr-par-1")],
            "region `nl-ams` → `fr-par`",
        ),
        (
            "rename",
            vec![("stack cella region=nl-ams", "stack cellb region=nl-ams")],
            "stack renamed `cella` → `cellb`",
        ),
        (
            "project",
            vec![(
                "environment prod {\n",
                "environment prod {\n    project id=\"00000000-0000-4000-8000-000000000001\"\n",
            )],
            "project: a project of its own (created) → project 00000000-0000-4000-8000-000000000001",
        ),
    ] {
        let new = edit(&old, &edits);
        let (md, json) = diff(&format!("whole_{test}"), &old, &new);
        let envs: &[&str] = if test == "project" {
            assert!(md.contains("Unchanged: dev, staging."), "{md}");
            &["prod"]
        } else {
            assert!(!md.contains("Unchanged"), "{test}: {md}");
            &["dev", "staging", "prod"]
        };
        for env in envs {
            let e = &json["environments"][env];
            assert_eq!(e["status"], "changed", "{test} {env}");
            let replaced = strings(&e["resources"]["replaced"]);
            assert!(
                replaced.contains(&"module.storage.scaleway_object_bucket.this".to_string()),
                "{test} {env}: {replaced:?}"
            );
        }
        assert!(md.contains(words), "{test}: {md}");
        assert!(md.contains("⚠ data loss"), "{test}: {md}");
    }
}

/// Issue 22, class 6: a removed database (with its data), an added job and migration, a
/// health check change, a new IAM application are all named; values cannot format the
/// Markdown.
#[test]
fn databases_jobs_health_and_markdown() {
    let old = example("minimal");
    assert!(old.contains("service web {"), "{old}");
    let with_db = edit(
        &old,
        &[(
            "service web {",
            "database main\nservice web {\n    database main",
        )],
    );
    let new = edit(
        &old,
        &[(
            "service web {",
            "job nightly {\n    image ref=\"rg.fr-par.scw.cloud/x/y:1\"\n    schedule \"0 3 * * *\"\n}\nvar banner default=\"**bold** @admin <b>x</b> `tick`\"\nservice web {\n    env BANNER=(var)banner\n    health \"/ready\"\n    migrate \"./migrate.sh\"",
        )],
    );
    let (md, json) = diff("db_removed", &with_db, &old);
    let dev = &json["environments"]["dev"];
    assert!(
        strings(&dev["resources"]["removed"])
            .contains(&"module.database.scaleway_sdb_sql_database.this[\"main\"]".to_string()),
        "{md}"
    );
    assert!(
        md.contains("removed database `main`: ⚠ its data is destroyed"),
        "{md}"
    );
    assert!(
        strings(&dev["resources"]["removed"])
            .contains(&"module.iam.scaleway_iam_application.this[\"web\"]".to_string()),
        "{md}"
    );
    let (md, json) = diff("job_added", &old, &new);
    let added = strings(&json["environments"]["dev"]["resources"]["added"]);
    for a in [
        "module.jobs.scaleway_job_definition.this[\"nightly\"]",
        "module.jobs.scaleway_job_definition.this[\"web-migrate\"]",
    ] {
        assert!(added.contains(&a.to_string()), "{a} not in {added:?}");
    }
    assert!(md.contains("service `web`: health"), "{md}");
    // The var's value is inside a code span, fenced past its backtick.
    assert!(md.contains("``"), "{md}");
    for line in md.lines().filter(|l| l.contains("bold")) {
        let outside: String = line.split("``").step_by(2).collect();
        assert!(
            !outside.contains("**bold**") && !outside.contains("@admin"),
            "{line}"
        );
    }
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

/// Issue 22, class 6: a change the summary has no words for (a bucket's CORS max-age)
/// still marks the environments whose files change: never "Unchanged".
#[test]
fn an_unnamed_change_is_never_unchanged() {
    let old = example("cella");
    let new = edit(&old, &[("max-age=3600", "max-age=600")]);
    let (md, json) = diff("unnamed", &old, &new);
    for env in ["dev", "staging", "prod"] {
        assert_eq!(
            json["environments"][env]["status"], "changed",
            "{env}: {md}"
        );
    }
    assert!(!md.contains("Unchanged"), "{md}");
    assert!(md.contains("read `terraform plan`"), "{md}");
}

/// Issue 23: a new queue, a change of its retention, a switch to FIFO (a new name, so
/// a new queue: its messages are lost) and its removal, each named with its address.
#[test]
fn queues() {
    let base = "stack shop\ndeployer application=\"5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13\"\nservice api {\n    port 8080\n    health \"/health\"\n}\n";
    let with = |queue: &str| {
        format!("{base}queue orders{queue}\nservice worker {{\n    port 8080\n    timeout 30\n    consume orders\n}}\n")
    };
    let address = "module.queues.scaleway_mnq_sqs_queue.this[\"orders\"]";
    let (md, json) = diff("queue_new", base, &with(" dead-letter=5"));
    assert!(
        md.contains("new queue `orders` (standard, retention 4d, visibility timeout 30s, dead-letter after 5)"),
        "{md}"
    );
    assert!(
        strings(&json["environments"]["dev"]["resources"]["added"]).contains(&address.to_string())
    );
    let (md, json) = diff(
        "queue_retention",
        &with(" dead-letter=5"),
        &with(" dead-letter=5 retention=\"14d\""),
    );
    assert!(md.contains("retention 4d"), "{md}");
    assert_eq!(
        strings(&json["environments"]["dev"]["resources"]["changed"]),
        [address]
    );
    let (md, _) = diff("queue_fifo", &with(""), &with(" fifo=#true"));
    assert!(md.contains("⚠ replaced"), "{md}");
    let (md, json) = diff("queue_removed", &with(""), base);
    assert!(
        md.contains("removed queue `orders`: ⚠ the messages in it are lost"),
        "{md}"
    );
    assert!(
        strings(&json["environments"]["dev"]["resources"]["removed"])
            .contains(&address.to_string())
    );
}

/// Issue 23: a new Redis, a size change that replaces the cluster (1 node to a
/// cluster), and a removed one (with its data) are named, at modules/redis' address.
#[test]
fn redis_added_resized_removed() {
    let old = example("minimal");
    assert!(old.contains("service web {"), "{old}");
    let with = |nodes: u8| {
        edit(
            &old,
            &[(
                "service web {",
                &format!("network\nsecret cache_password\nredis cache nodes={nodes} password=cache_password\nservice web {{\n    redis cache"),
            )],
        )
    };
    let address = "module.redis.scaleway_redis_cluster.this[\"cache\"]".to_string();
    let (md, json) = diff("redis_added", &old, &with(1));
    assert!(
        md.contains("new Redis `cache` (RED1-MICRO x1 7.0.5)"),
        "{md}"
    );
    assert!(
        strings(&json["environments"]["dev"]["resources"]["added"]).contains(&address),
        "{md}"
    );
    let (md, json) = diff("redis_resized", &with(1), &with(3));
    assert!(
        md.contains(
            "Redis `cache`: RED1-MICRO x1 7.0.5 → RED1-MICRO x3 7.0.5: ⚠ the cluster is replaced"
        ),
        "{md}"
    );
    assert!(
        strings(&json["environments"]["dev"]["resources"]["changed"]).contains(&address),
        "{md}"
    );
    // Growing a cluster keeps it.
    let (md, _) = diff("redis_grown", &with(3), &with(4));
    assert!(
        md.contains("Redis `cache`: RED1-MICRO x3 7.0.5 → RED1-MICRO x4 7.0.5"),
        "{md}"
    );
    assert!(!md.contains("replaced"), "{md}");
    let (md, json) = diff("redis_removed", &with(1), &old);
    assert!(
        md.contains("removed Redis `cache`: ⚠ its data is destroyed"),
        "{md}"
    );
    assert!(
        strings(&json["environments"]["dev"]["resources"]["removed"]).contains(&address),
        "{md}"
    );
}

/// Issue 23: a service `enabled=#false` somewhere has a counted container: a change to
/// it is named at `scaleway_container.NAME[0]`, and only where it exists.
#[test]
fn a_service_disabled_somewhere_is_counted() {
    let old = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/terraform/enabled.stack.kdl"),
    )
    .unwrap();
    let new = edit(
        &old,
        &[("    port 8080\n    private", "    port 8081\n    private")],
    );
    let (md, json) = diff("disabled_changed", &old, &new);
    let changed = |env: &str| strings(&json["environments"][env]["resources"]["changed"]);
    assert!(
        changed("prod").contains(&"module.containers.scaleway_container.worker[0]".to_string()),
        "{md}"
    );
    assert!(changed("staging").is_empty(), "{md}");
}

/// A build argument changed in prod only: prod's image changes (issue 23), the other
/// environments' do not, and images.sh is the file that changes.
#[test]
fn build_argument_change() {
    let old = edit(
        &example("cella"),
        &[(
            "service backend { scale min=2 max=10; }",
            "service backend {\n        scale min=2 max=10\n        image {\n            arg CHANNEL=stable\n        }\n    }",
        )],
    );
    let new = edit(&old, &[("arg CHANNEL=stable", "arg CHANNEL=beta")]);
    let (md, json) = diff("build_arg", &old, &new);
    assert!(
        md.contains("service `backend`: image `built from backend/Dockerfile with build args CHANNEL=stable` → `built from backend/Dockerfile with build args CHANNEL=beta`"),
        "{md}"
    );
    assert_eq!(json["environments"]["prod"]["status"], "changed");
    assert_eq!(json["environments"]["dev"]["status"], "unchanged");
    assert!(
        strings(&json["files"]["changed"]).contains(&"scripts/images.sh".to_string()),
        "{json}"
    );
}
