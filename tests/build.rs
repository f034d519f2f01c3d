//! `cellac build`: the whole generated tree of each example as a snapshot; the
//! output is deterministic (in process and across processes), free of absolute
//! paths, timestamps and secret values; a stack with errors writes nothing; the
//! canonical example respects the facts of OUTPUT.md; every file says it is
//! generated.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use cellac::emit::Artifacts;
use common::{read_tree, Scratch};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STACK_PATH: &str = "../stack.kdl";

/// A stack with an error (a port out of range).
const BROKEN: &str =
    "stack broken region=fr-par\nservice web {\n    port 99999\n}\nenvironment dev {\n}\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example_text(name: &str) -> Option<String> {
    std::fs::read_to_string(root().join("examples").join(name).join("stack.kdl")).ok()
}

fn build(name: &str) -> Artifacts {
    let text = example_text(name).unwrap_or_else(|| panic!("examples/{name}/stack.kdl"));
    let (checked, files) = cellac::build(&text, STACK_PATH);
    files.unwrap_or_else(|| panic!("examples/{name} does not build: {:#?}", checked.diagnostics))
}

/// Every file under a `//// path` header, in path order.
fn tree(files: &Artifacts) -> String {
    let mut out = String::new();
    for (path, bytes) in files {
        out.push_str(&format!("//// {path}\n"));
        out.push_str(
            &String::from_utf8(bytes.clone()).unwrap_or_else(|_| panic!("{path} is not UTF-8")),
        );
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

fn snapshot(name: &str) {
    let files = build(name);
    let text = tree(&files);
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(format!("build_{name}"), text);
    });
}

#[test]
fn snapshot_cella() {
    snapshot("cella");
}

#[test]
fn snapshot_minimal() {
    if example_text("minimal").is_some() {
        snapshot("minimal");
    }
}

#[test]
fn snapshot_many() {
    snapshot("many");
}

#[test]
fn snapshot_django() {
    snapshot("django");
}

#[test]
fn snapshot_release() {
    snapshot("release");
}

/// examples/worker (issue 23): queues, a consumer, Redis, build arguments, a service in
/// prod only.
#[test]
fn snapshot_worker() {
    snapshot("worker");
}

/// Services per environment (issue 23): `worker` is `enabled=#false` in staging. Its
/// container has `count` (absent where var.services lacks it), its outputs are null
/// there, and the scripts ask ENV's tfvars before building, checking or probing it.
#[test]
fn snapshot_enabled() {
    let text = std::fs::read_to_string(root().join("tests/terraform/enabled.stack.kdl"))
        .expect("tests/terraform/enabled.stack.kdl");
    let (checked, files) = cellac::build(&text, STACK_PATH);
    let files =
        files.unwrap_or_else(|| panic!("enabled does not build: {:#?}", checked.diagnostics));
    let tfvars = |env: &str| json(&files, &format!("environments/{env}.tfvars.json"));
    let names = |env: &str| -> Vec<String> {
        tfvars(env)["services"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(names("staging"), ["web"]);
    assert_eq!(names("prod"), ["web", "worker"]);
    // No migration where the service does not exist (the nightly job is everywhere).
    let jobs = |env: &str| tfvars(env)["jobs"].as_object().map_or(0, |m| m.len());
    assert_eq!((jobs("staging"), jobs("prod")), (1, 2));
    // Jobs get the Redis URL by Secret Manager reference: job_redis names them.
    let redis = |env: &str| tfvars(env)["job_redis"].as_object().map_or(0, |m| m.len());
    assert_eq!((redis("staging"), redis("prod")), (1, 2));
    // `certificate-env=`: the cluster's TLS certificate, plain, for a service and a job.
    assert_eq!(
        tfvars("prod")["services"]["web"]["redis_certificates"],
        serde_json::json!({ "REDIS_CA": "cache" })
    );
    assert_eq!(
        tfvars("prod")["job_redis_certificates"],
        serde_json::json!({ "nightly": { "CACHE_CA": "cache" } })
    );
    let script = |path: &str| String::from_utf8(files[path].clone()).expect("UTF-8");
    // images.sh builds each environment's own list: the worker only in prod.
    let images = script("scripts/images.sh");
    let staging = &images[images.find("  'staging')").expect("a staging case")..];
    let staging = &staging[..staging.find(";;").expect("its end")];
    assert!(staging.contains("put 'web'"), "{staging}");
    assert!(!staging.contains("put 'worker'"), "{staging}");
    let prod = &images[images.find("  'prod')").expect("a prod case")..];
    assert!(
        prod[..prod.find(";;").unwrap()].contains("put 'worker'"),
        "{prod}"
    );
    for path in ["scripts/health.sh", "scripts/status.sh"] {
        assert!(
            script(path).contains("if service_enabled 'worker'; then"),
            "{path} does not ask whether the worker exists in ENV"
        );
        assert!(
            !script(path).contains("service_enabled 'web'"),
            "{path} asks about web, which every environment has"
        );
    }
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("build_enabled", tree(&files));
    });
}

fn cellac(cwd: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cellac"));
    cmd.current_dir(cwd).args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run cellac")
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn build_is_deterministic_in_process() {
    for name in ["cella", "many", "minimal", "release"] {
        let Some(text) = example_text(name) else {
            continue;
        };
        let (_, a) = cellac::build(&text, STACK_PATH);
        let (_, b) = cellac::build(&text, STACK_PATH);
        let (a, b) = (a.expect("builds"), b.expect("builds"));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            b.keys().collect::<Vec<_>>(),
            "{name}: paths differ"
        );
        for (path, bytes) in &a {
            assert!(
                bytes == &b[path],
                "{name}: {path} differs between two builds"
            );
        }
    }
}

/// Absolute paths and timestamps that no generated file may contain: a path
/// starting at a root folder (`/home`, `/root`, `/work`, `/tmp`, `/Users`) after a
/// boundary (so `${var.endpoint}/worker` is fine), or any of `extra` verbatim.
fn leaks(files: &BTreeMap<String, Vec<u8>>, extra: &[&str]) -> Vec<String> {
    let stamp = regex_lite::Regex::new(r"20\d\d-\d\d-\d\dT").unwrap();
    let abs = regex_lite::Regex::new(
        r#"(^|[\s"'=(,:\[])(/(home|root|work|tmp|Users|var/folders)\b[^\s"']*)"#,
    )
    .unwrap();
    let mut out = Vec::new();
    for (path, bytes) in files {
        let text = String::from_utf8_lossy(bytes);
        for needle in extra {
            if text.contains(needle) {
                out.push(format!("{path} contains `{needle}`"));
            }
        }
        for line in text.lines() {
            if let Some(c) = abs.captures(line) {
                out.push(format!("{path} contains the absolute path `{}`", &c[2]));
            }
        }
        if let Some(m) = stamp.find(&text) {
            out.push(format!("{path} contains a timestamp `{}`", m.as_str()));
        }
    }
    out
}

#[test]
fn in_memory_output_has_no_absolute_paths_or_timestamps() {
    for name in ["cella", "many", "minimal", "release"] {
        if example_text(name).is_none() {
            continue;
        }
        let files = build(name);
        let l = leaks(&files, &[]);
        assert!(l.is_empty(), "{name}:\n{}", l.join("\n"));
    }
}

#[test]
fn binary_builds_are_identical_across_processes() {
    // Inside the target folder, so the stack path stays within the repository.
    let tmp = Scratch::within(Path::new(env!("CARGO_TARGET_TMPDIR")), "determinism");
    let stack = "examples/cella/stack.kdl";
    let (a, b) = (tmp.0.join("a"), tmp.0.join("b"));
    let ra = cellac(&root(), &["build", stack, "-o", a.to_str().unwrap()], &[]);
    assert_eq!(ra.status.code(), Some(0), "{}", show(&ra));
    let rb = cellac(&root(), &["build", stack, "-o", b.to_str().unwrap()], &[]);
    assert_eq!(rb.status.code(), Some(0), "{}", show(&rb));
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (path, bytes) in &ta {
        assert!(bytes == &tb[path], "{path} differs between two processes");
    }
    assert!(
        ta.contains_key(cellac::write::MANIFEST),
        "no manifest written"
    );
    let tmp_str = tmp.0.to_string_lossy().into_owned();
    let l = leaks(&ta, &[&tmp_str, &root().to_string_lossy(), "target/tmp"]);
    assert!(l.is_empty(), "{}", l.join("\n"));
    // What the binary writes is what the library builds, plus the manifest, for
    // the stack path the binary computed.
    let banner: Value = serde_json::from_slice(&ta["main.tf.json"]).unwrap();
    let banner = banner["//"].as_str().unwrap().to_string();
    assert!(banner.contains("examples/cella/stack.kdl"), "{banner}");
    assert!(
        banner.contains("../"),
        "the stack path should be relative: {banner}"
    );
}

/// Secrets given in secrets.auto.tfvars beside the stack and in TF_VAR_* never
/// reach any written file.
#[test]
fn secret_values_never_reach_the_output() {
    let tmp = Scratch::new("secrets");
    let text = example_text("cella").unwrap();
    std::fs::write(tmp.0.join("stack.kdl"), &text).unwrap();
    let checked = cellac::check(&text);
    let names: Vec<String> = checked.envs[0]
        .secrets
        .iter()
        .map(|s| s.name.value.clone())
        .collect();
    assert!(!names.is_empty(), "the canonical example has secrets");
    let mut values = Vec::new();
    let mut file = String::new();
    let mut env = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let in_file = format!("postgresql://u:FileSecret{i}Qx7zK@ep-x-pooler.example.neon.tech/db?sslmode=require&n={name}");
        let in_env = format!("EnvSecret{i}Wv3jPq-{name}-0123456789abcdef0123456789");
        file.push_str(&format!("{name} = \"{in_file}\"\n"));
        env.push((format!("TF_VAR_{name}"), in_env.clone()));
        values.push(in_file);
        values.push(in_env);
        // Distinctive fragments too, in case a value is transformed.
        values.push(format!("FileSecret{i}Qx7zK"));
        values.push(format!("EnvSecret{i}Wv3jPq"));
    }
    std::fs::write(tmp.0.join("secrets.auto.tfvars"), &file).unwrap();
    let out = cellac(&tmp.0, &["build", "stack.kdl", "-o", "infra"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let written = read_tree(&tmp.0.join("infra"));
    assert!(
        written.len() > 10,
        "too few files written: {:?}",
        written.keys()
    );
    let l = leaks(&written, &[&tmp.0.to_string_lossy()]);
    assert!(l.is_empty(), "{}", l.join("\n"));
    let mut found = Vec::new();
    for (path, bytes) in &written {
        let text = String::from_utf8_lossy(bytes);
        for v in &values {
            if text.contains(v.as_str()) {
                found.push(format!("{path} contains `{v}`"));
            }
        }
    }
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for v in &values {
        if printed.contains(v.as_str()) {
            found.push(format!("the build printed `{v}`"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_stack_with_errors_writes_nothing() {
    let (checked, files) = cellac::build(BROKEN, STACK_PATH);
    assert!(checked.has_errors(), "the broken stack should have errors");
    assert!(files.is_none());

    let tmp = Scratch::new("broken");
    std::fs::write(tmp.0.join("stack.kdl"), BROKEN).unwrap();
    let out = cellac(&tmp.0, &["build", "stack.kdl", "-o", "infra"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        !tmp.0.join("infra").exists(),
        "the output folder was created"
    );
    let after: Vec<_> = std::fs::read_dir(&tmp.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(after, vec![std::ffi::OsString::from("stack.kdl")]);

    // An existing folder stays as it was.
    std::fs::create_dir(tmp.0.join("infra")).unwrap();
    std::fs::write(tmp.0.join("infra/main.tf.json"), "{}\n").unwrap();
    let out = cellac(&tmp.0, &["build", "stack.kdl", "-o", "infra"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let t = read_tree(&tmp.0.join("infra"));
    assert_eq!(t.len(), 1, "{:?}", t.keys());
    assert_eq!(t["main.tf.json"], b"{}\n");
}

/// Walks every JSON value with its path, calling `f(path, key, value)` for each object entry.
fn walk<'a>(v: &'a Value, at: &str, f: &mut dyn FnMut(&str, &str, &'a Value)) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                f(at, k, x);
                walk(x, &format!("{at}.{k}"), f);
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                walk(x, &format!("{at}[{i}]"), f);
            }
        }
        _ => {}
    }
}

fn json(files: &Artifacts, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn canonical_example_respects_output_md() {
    let files = build("cella");
    let mut bad = Vec::new();
    const GONE_ATTRS: &[&str] = &[
        "registry_image",
        "memory_limit",
        "http_option",
        "health_check",
        "max_concurrency",
        "deploy",
        "activate_vpc_integration",
    ];
    const GONE_TYPES: &[&str] = &[
        "scaleway_container_cron",
        "scaleway_cockpit",
        "scaleway_cockpit_grafana_user",
    ];
    for (path, bytes) in &files {
        let name = path.rsplit('/').next().unwrap();
        if name == "override.tf.json"
            || name.ends_with("_override.tf.json")
            || name == "override.tf"
            || name.ends_with("_override.tf")
        {
            bad.push(format!(
                "{path}: override files merge silently into the configuration"
            ));
        }
        if !path.ends_with(".json") {
            continue;
        }
        let doc: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        // No PORT key in any environment map (Serverless Containers set it).
        walk(&doc, path, &mut |at, k, _| {
            if k == "PORT" {
                bad.push(format!("{at}: sets PORT"));
            }
        });
        if let Some(types) = doc["resource"].as_object() {
            for (ty, named) in types {
                if GONE_TYPES.contains(&ty.as_str()) || ty.starts_with("scaleway_lb") {
                    bad.push(format!("{path}: resource {ty}"));
                }
                walk(named, &format!("{path}: {ty}"), &mut |at, k, _| {
                    if GONE_ATTRS.contains(&k) {
                        bad.push(format!("{at}.{k}"));
                    }
                    if ty == "scaleway_object_bucket" && k == "acl" {
                        bad.push(format!("{at}.acl on the bucket"));
                    }
                });
            }
        }
        if let Some(types) = doc["data"].as_object() {
            for ty in types.keys() {
                if ty.starts_with("scaleway_lb") {
                    bad.push(format!("{path}: data {ty}"));
                }
            }
        }
    }
    // Nothing reads secrets from Secret Manager yet (jobs would), so no copy is written;
    // containers get values through secret_environment_variables.
    if files.contains_key("modules/secrets/main.tf.json") {
        bad.push("modules/secrets: written although nothing reads Secret Manager".into());
    }
    // No bucket ACL anywhere; a policy for each site and public bucket.
    let storage = json(&files, "modules/storage/main.tf.json");
    if storage["resource"]["scaleway_object_bucket_acl"].is_object() {
        bad.push("modules/storage: a bucket ACL".into());
    }
    for name in ["site", "this"] {
        if !storage["resource"]["scaleway_object_bucket_policy"][name].is_object() {
            bad.push(format!(
                "modules/storage: no scaleway_object_bucket_policy.{name}"
            ));
        }
    }
    // The backend's WebSocket link uses the target's own endpoint in prod too.
    let prod = json(&files, "environments/prod.tfvars.json");
    let link = &prod["services"]["cdc"]["links"]["API_WS_URL"];
    if link["url"] != "wss://{host}/internal/cdc" {
        bad.push(format!("prod: cdc's API_WS_URL link is {link}"));
    }
    // Every backend file locks the state.
    for env in ["dev", "staging", "prod"] {
        let path = format!("environments/{env}.s3.tfbackend");
        let text = String::from_utf8_lossy(&files[&path]).into_owned();
        if !text.lines().any(|l| l == "use_lockfile = true") {
            bad.push(format!("{path}: no use_lockfile = true"));
        }
    }
    // memory 1024 is 1024000000 bytes, in every environment.
    let mut envs = 0;
    for (path, _) in files.iter().filter(|(p, _)| p.ends_with(".tfvars.json")) {
        envs += 1;
        let tfvars = json(&files, path);
        let mem = &tfvars["services"]["backend"]["memory_limit_bytes"];
        if mem != &Value::from(1024000000u64) {
            bad.push(format!(
                "{path}: services.backend.memory_limit_bytes is {mem}, not 1024000000"
            ));
        }
    }
    assert_eq!(envs, 3, "dev, staging and prod");
    // Terraform >= 1.11 for write-only attributes.
    let main = json(&files, "main.tf.json");
    let version = main["terraform"]["required_version"].as_str().unwrap_or("");
    if !version.contains("1.11") {
        bad.push(format!(
            "main.tf.json: required_version `{version}` does not ask for 1.11"
        ));
    }
    assert!(
        bad.is_empty(),
        "{} problems:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_file_says_it_is_generated() {
    for name in ["cella", "many", "minimal", "release"] {
        if example_text(name).is_none() {
            continue;
        }
        let files = build(name);
        let mut bad = Vec::new();
        for (path, bytes) in &files {
            let text = String::from_utf8_lossy(bytes);
            if path.ends_with(".json") {
                let doc: Value =
                    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}/{path}: {e}"));
                match doc["//"].as_str() {
                    Some(s) if s.contains("Generated by cellac") && s.contains(STACK_PATH) => {}
                    other => bad.push(format!("{path}: the \"//\" key is {other:?}")),
                }
            } else {
                let line = text.lines().find(|l| l.contains("Generated by cellac"));
                // scripts/lib.sh is the same file for every stack: it names none (its
                // values, scripts/stack.sh, do).
                let names_it = |l: &str| l.contains(STACK_PATH) || path == "scripts/lib.sh";
                match line {
                    Some(l) if names_it(l) => {
                        let l = l.trim_start();
                        if !(l.starts_with('#') || l.starts_with("<!--") || l.starts_with("//")) {
                            bad.push(format!("{path}: the banner is not a comment: {l}"));
                        }
                    }
                    Some(l) => bad.push(format!(
                        "{path}: the banner does not name {STACK_PATH}: {l}"
                    )),
                    None => bad.push(format!("{path}: no line says `Generated by cellac`")),
                }
            }
            if !text.ends_with('\n') {
                bad.push(format!("{path}: no trailing newline"));
            }
        }
        assert!(bad.is_empty(), "{name}:\n{}", bad.join("\n"));
    }
}

#[test]
fn the_leak_check_catches_leaks() {
    let one = |text: &str| {
        let mut m = BTreeMap::new();
        m.insert("f".to_string(), text.as_bytes().to_vec());
        leaks(&m, &[])
    };
    for bad in [
        "\"/tmp/cellac-1/a\"",
        "cd /home/me/app",
        "x=/work/main",
        "at 2025-01-02T10:00:00Z",
        "/root/.ssh",
    ] {
        assert!(!one(bad).is_empty(), "`{bad}` should be caught");
    }
    for good in [
        "\"${var.registry_endpoint}/worker:${var.image_tag}\"",
        "../stack.kdl",
        "https://s3.nl-ams.scw.cloud",
        "/health",
    ] {
        assert_eq!(one(good), Vec::<String>::new(), "`{good}` is fine");
    }
}
