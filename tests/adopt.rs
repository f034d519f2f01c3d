//! Issue 21: adopting a running deployment. Exact live names (`name=` on `bucket` and
//! `site`, `namespace=` on `registry`) honoured per environment, and `cellac adopt`
//! matching a Terraform state to what the stack creates.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is the failure"
)]

use crate::common;
use serde_json::{json, Value};

const STACK_PATH: &str = "../stack.kdl";

fn build(text: &str) -> cellac::emit::Artifacts {
    let (checked, files) = cellac::build(text, STACK_PATH);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    files.expect("built")
}

fn tfvars(files: &cellac::emit::Artifacts, env: &str) -> Value {
    serde_json::from_slice(&files[&format!("environments/{env}.tfvars.json")]).unwrap()
}

const NAMES: &str = r#"stack shop
deployer application="5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13"
service web {
    image dockerfile="Dockerfile"
    port 8080
}
site front {
    build "npm run build"
    dist "dist"
    bucket-suffix "-v2"
}
bucket uploads
environment dev {
    registry namespace="devshop-live"
    site front name="dev-front-live"
    bucket uploads name="dev-shop-uploads-v2"
}
environment prod {}
"#;

/// `name=` and `namespace=` in `environment dev` name dev's resources exactly; prod keeps
/// the generated names (negative control: the same stack without the overrides).
#[test]
fn exact_names_are_honoured_per_environment() {
    let files = build(NAMES);
    let dev = tfvars(&files, "dev");
    assert_eq!(dev["names"]["registry"], json!("devshop-live"), "{dev}");
    assert_eq!(
        dev["sites"]["front"]["bucket_name"],
        json!("dev-front-live")
    );
    assert_eq!(
        dev["buckets"]["uploads"]["name"],
        json!("dev-shop-uploads-v2")
    );
    let prod = tfvars(&files, "prod");
    assert_eq!(prod["names"]["registry"], json!("prodshop"), "{prod}");
    assert_eq!(
        prod["sites"]["front"]["bucket_name"],
        json!("prod-shop-front-v2")
    );
    assert_eq!(
        prod["buckets"]["uploads"]["name"],
        json!("prod-shop-uploads")
    );
    let plain = NAMES
        .replace("    registry namespace=\"devshop-live\"\n", "")
        .replace("    site front name=\"dev-front-live\"\n", "")
        .replace("    bucket uploads name=\"dev-shop-uploads-v2\"\n", "");
    let dev = tfvars(&build(&plain), "dev");
    assert_eq!(dev["names"]["registry"], json!("devshop"));
    assert_eq!(
        dev["sites"]["front"]["bucket_name"],
        json!("dev-shop-front-v2")
    );
    assert_eq!(dev["buckets"]["uploads"]["name"], json!("dev-shop-uploads"));
}

/// An exact name is checked by Scaleway's rules like a generated one.
#[test]
fn exact_names_are_validated() {
    for (from, to, code) in [
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"Dev_Uploads\"",
            "cellac::name::invalid",
        ),
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"ab\"",
            "cellac::name::too-long",
        ),
        (
            "namespace=\"devshop-live\"",
            "namespace=\"9shop\"",
            "cellac::name::invalid",
        ),
        // prod's generated bucket name, taken by dev: one bucket for two environments.
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"prod-shop-uploads\"",
            "cellac::name::collision",
        ),
    ] {
        let text = NAMES.replace(from, to);
        let checked = cellac::check(&text);
        assert!(
            checked.diagnostics.iter().any(|d| d.code == code),
            "{to}: {:#?}",
            checked.diagnostics
        );
    }
    assert!(!cellac::check(NAMES).has_errors());
}

// ---------------------------------------------------------------- cellac adopt

const BIN: &str = env!("CARGO_BIN_EXE_cellac");
/// The canonical stack (tests/spec/cella.stack.kdl, a copy of the spec's).
const CELLA: &str = include_str!("spec/cella.stack.kdl");
/// The hand-written dev state (tests/fixtures/adopt/handwritten applied with the stand-in
/// provider by tests/adopt/run.sh): raw, and as `terraform show -json` gives it.
const STATE: &str = include_str!("fixtures/adopt/dev.tfstate");
const SHOWN: &str = include_str!("fixtures/adopt/dev.show.json");
/// What every secret version of the state holds (with a suffix): never to be printed.
const FAKE: &str = "FAKE-SECRET-7f3a9c2e-do-not-print";
/// The stand-in provider's default project, where the hand-written resources live.
const LIVE_PROJECT: &str = "0c0c0c0c-0000-4000-8000-00000000c0de";

fn adopt(text: &str, state: &str, env: &str) -> cellac::adopt::Adoption {
    let checked = cellac::check(text);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    let live = cellac::adopt::state::read(state).unwrap();
    cellac::adopt::adopt(text, &checked, env, &live)
}

/// `--fix` as the command line does it: one fix a round, then everything again.
fn fixed(text: &str, state: &str, env: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..64 {
        let a = adopt(&text, state, env);
        let Some(d) = a.diagnostics.iter().find(|d| !d.fixes.is_empty()) else {
            break;
        };
        let (next, _) =
            cellac::fix::apply(&text, std::slice::from_ref(d), cellac::fix::Mode::Safe).unwrap();
        text = next;
    }
    text
}

fn report(text: &str, a: &cellac::adopt::Adoption) -> String {
    let files = cellac::render::Files {
        stack_name: "stack.kdl",
        stack: text,
        secrets: None,
    };
    format!(
        "{}\n{}\n{}",
        cellac::render::human(&a.diagnostics, &files, false),
        cellac::adopt::summary(a),
        serde_json::to_string_pretty(&cellac::adopt::file(a)).unwrap()
    )
}

fn snapshot(name: &str, body: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, body);
    });
}

fn codes(a: &cellac::adopt::Adoption) -> Vec<&'static str> {
    let mut c: Vec<&str> = a.diagnostics.iter().map(|d| d.code).collect();
    c.sort_unstable();
    c.dedup();
    c
}

/// The canonical stack against the hand-written dev state: the two `-v2` upload buckets
/// and the project are reported with fixes (the frontend keeps its name through
/// `bucket-suffix "-v2"`), the secrets and Cockpit are forgotten, the rest moved.
#[test]
fn the_canonical_stack_adopts_the_handwritten_dev_state() {
    let a = adopt(CELLA, STATE, "dev");
    assert_eq!(
        codes(&a),
        [
            "cellac::adopt::forgotten",
            "cellac::adopt::name",
            "cellac::adopt::project"
        ]
    );
    snapshot("adopt-cella-dev", &report(CELLA, &a));
    let text = fixed(CELLA, STATE, "dev");
    assert!(
        text.contains("    bucket public-uploads name=\"dev-cella-public-uploads-v2\"\n"),
        "{text}"
    );
    assert!(
        text.contains("    bucket private-uploads name=\"dev-cella-private-uploads-v2\"\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("    project id=\"{LIVE_PROJECT}\"\n")),
        "{text}"
    );
    let after = adopt(&text, STATE, "dev");
    assert!(!after.has_errors(), "{}", report(&text, &after));
    assert_eq!(after.moved.len(), 8, "{}", report(&text, &after));
    // 6 secrets, 6 versions, Cockpit and its Grafana user.
    assert_eq!(after.removed.len(), 14, "{}", report(&text, &after));
    snapshot("adopt-cella-dev-fixed", &report(&text, &after));
    // The fixed stack still builds, and only dev changed.
    let files = build(&text);
    let dev = tfvars(&files, "dev");
    assert_eq!(dev["project"]["create"], json!(false));
    assert_eq!(dev["project"]["id"], json!(LIVE_PROJECT));
    assert_eq!(tfvars(&files, "staging")["project"]["create"], json!(true));
    assert_eq!(
        tfvars(&files, "staging")["buckets"]["public-uploads"]["name"],
        json!("staging-cella-public-uploads")
    );
}

/// `terraform show -json` of the state adopts exactly as the raw state does.
#[test]
fn show_json_and_the_raw_state_adopt_alike() {
    let text = fixed(CELLA, STATE, "dev");
    let (a, b) = (adopt(&text, STATE, "dev"), adopt(&text, SHOWN, "dev"));
    assert_eq!(cellac::adopt::file(&a), cellac::adopt::file(&b));
    assert_eq!(fixed(CELLA, SHOWN, "dev"), text);
}

/// A live bucket in another region cannot be kept by any edit: reported with the
/// reason, without a fix; a container of another name is recreated (a warning).
#[test]
fn what_no_edit_can_save_is_reported_with_the_reason() {
    let text = fixed(CELLA, STATE, "dev");
    let mut state: Value = serde_json::from_str(STATE).unwrap();
    for r in state["resources"].as_array_mut().unwrap() {
        for i in r["instances"].as_array_mut().unwrap() {
            let a = &mut i["attributes"];
            if a["name"] == json!("dev-cella-private-uploads-v2") {
                a["region"] = json!("fr-par");
            }
            if a["name"] == json!("dev-cella-cdc") {
                a["name"] = json!("dev-cella-cdc-old");
            }
        }
    }
    let a = adopt(&text, &state.to_string(), "dev");
    assert_eq!(
        codes(&a),
        [
            "cellac::adopt::forgotten",
            "cellac::adopt::recreated",
            "cellac::adopt::replaced"
        ]
    );
    let replaced = a
        .diagnostics
        .iter()
        .find(|d| d.code == "cellac::adopt::replaced")
        .unwrap();
    assert!(
        replaced.message.contains("region fr-par"),
        "{}",
        replaced.message
    );
    assert!(replaced.fixes.is_empty());
    assert!(a.has_errors());
    // Negative control: the unchanged state has neither.
    assert!(!adopt(&text, STATE, "dev").has_errors());
}

/// A data source of the state (a console-made bucket the hand-written Terraform only
/// read) has no state address: an import block, only for the adopted environment.
#[test]
fn a_data_source_becomes_an_import_block() {
    let text = fixed(CELLA, STATE, "dev");
    let mut state: Value = serde_json::from_str(STATE).unwrap();
    for r in state["resources"].as_array_mut().unwrap() {
        if r["name"] == json!("private_uploads") && r["type"] == json!("scaleway_object_bucket") {
            r["mode"] = json!("data");
        }
    }
    let a = adopt(&text, &state.to_string(), "dev");
    assert_eq!(
        a.imports,
        [(
            "module.storage.scaleway_object_bucket.this[\"private-uploads\"]".to_string(),
            "nl-ams/dev-cella-private-uploads-v2".to_string()
        )]
    );
    let file = cellac::adopt::file(&a);
    assert_eq!(
        file["import"][0]["for_each"],
        json!("${var.environment == \"dev\" ? toset([\"nl-ams/dev-cella-private-uploads-v2\"]) : toset([])}")
    );
    assert!(!a.moved.iter().any(|(f, _)| f.contains("private_uploads")));
}

/// The destroy guard's list of types that hold data (generated stack.sh) is the one
/// adopt and diff report by.
#[test]
fn data_types_are_the_destroy_guards() {
    let files =
        cellac::emit_checked(&cellac::check(&common::example("cella")), "stack.kdl").unwrap();
    let lib = std::str::from_utf8(&files["scripts/stack.sh"]).unwrap();
    let start = lib.find("DATA_TYPES=(").unwrap();
    let list = &lib[start + "DATA_TYPES=(".len()..];
    let list = &list[..list.find(')').unwrap()];
    let guard: Vec<&str> = list
        .split_whitespace()
        .map(|t| t.trim_matches('\''))
        .collect();
    assert_eq!(guard, cellac::provider::DATA_TYPES);
}

fn scratch(test: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("adopt-{test}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cellac(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn all_text(dir: &std::path::Path, out: &mut String) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_text(&p, out);
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
}

/// The command line, end to end: every format reports, `--fix` edits the stack file,
/// build keeps adopt.tf.json, `--done` removes it. The state's secret values reach no
/// output (the state holds them: the control that the check can fail).
#[test]
fn the_command_never_prints_a_state_value() {
    assert!(
        STATE.contains(FAKE) && SHOWN.contains(FAKE),
        "the fixture must hold the fake secret"
    );
    let d = scratch("cli");
    std::fs::write(d.join("stack.kdl"), CELLA).unwrap();
    std::fs::write(d.join("dev.tfstate"), STATE).unwrap();
    std::fs::write(d.join("dev.json"), SHOWN).unwrap();
    let mut seen = String::new();
    for state in ["dev.tfstate", "dev.json"] {
        for format in ["human", "json", "github", "sarif"] {
            let o = cellac(
                &d,
                &[
                    "adopt",
                    "stack.kdl",
                    "--env",
                    "dev",
                    "--state",
                    state,
                    "-o",
                    "out",
                    "--format",
                    format,
                ],
            );
            assert_eq!(
                o.status.code(),
                Some(1),
                "{format}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            seen.push_str(&String::from_utf8_lossy(&o.stdout));
            seen.push_str(&String::from_utf8_lossy(&o.stderr));
        }
    }
    assert!(seen.contains("cellac::adopt::name"), "{seen}");
    let o = cellac(
        &d,
        &[
            "adopt",
            "stack.kdl",
            "--env",
            "dev",
            "--state",
            "dev.tfstate",
            "--fix",
            "-o",
            "out",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    seen.push_str(&String::from_utf8_lossy(&o.stderr));
    let stack = std::fs::read_to_string(d.join("stack.kdl")).unwrap();
    assert!(
        stack.contains("name=\"dev-cella-public-uploads-v2\""),
        "{stack}"
    );
    let o = cellac(&d, &["build", "stack.kdl", "-o", "out"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        d.join("out/adopt.tf.json").is_file(),
        "build removed adopt.tf.json"
    );
    let o = cellac(&d, &["build", "stack.kdl", "-o", "out", "--check"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    all_text(&d.join("out"), &mut seen);
    seen.push_str(&stack);
    assert!(
        !seen.contains("FAKE-SECRET"),
        "a state value was printed or written"
    );
    // A state cellac cannot read: its text is not shown either.
    std::fs::write(
        d.join("bad.tfstate"),
        format!("{{\"version\": 4, \"x\": {FAKE}"),
    )
    .unwrap();
    let o = cellac(
        &d,
        &[
            "adopt",
            "stack.kdl",
            "--env",
            "dev",
            "--state",
            "bad.tfstate",
            "-o",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cellac::adopt::state") && !err.contains("FAKE"),
        "{err}"
    );
    // --done removes the file, and refuses one cellac did not write.
    let o = cellac(&d, &["adopt", "--done", "-o", "out"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(!d.join("out/adopt.tf.json").exists());
    assert!(d.join("out/main.tf.json").is_file());
    std::fs::write(d.join("out/adopt.tf.json"), "{\"moved\": []}").unwrap();
    let o = cellac(&d, &["adopt", "--done", "-o", "out"]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        d.join("out/adopt.tf.json").exists(),
        "a file cellac did not write was removed"
    );
}

/// A live registry namespace and site bucket of other names: `namespace=` and `name=`
/// are written in `environment dev` (on dev's existing `site frontend` override), after
/// which nothing is left to replace.
#[test]
fn a_live_namespace_and_site_bucket_keep_their_names() {
    let mut state: Value = serde_json::from_str(STATE).unwrap();
    for r in state["resources"].as_array_mut().unwrap() {
        for i in r["instances"].as_array_mut().unwrap() {
            let a = &mut i["attributes"];
            if a["name"] == json!("devcella") {
                a["name"] = json!("cella-dev-images");
            }
            if a["name"] == json!("dev-cella-frontend-v2") {
                a["name"] = json!("cella-dev-www");
            }
            if a["bucket"] == json!("dev-cella-frontend-v2") {
                a["bucket"] = json!("cella-dev-www");
            }
        }
    }
    let state = state.to_string();
    let a = adopt(CELLA, &state, "dev");
    let named: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "cellac::adopt::name")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(named.len(), 4, "{named:#?}");
    assert!(
        named
            .iter()
            .any(|m| m.contains("registry namespace `cella-dev-images`")),
        "{named:#?}"
    );
    assert!(
        named.iter().any(|m| m.contains("bucket `cella-dev-www`")),
        "{named:#?}"
    );
    let text = fixed(CELLA, &state, "dev");
    assert!(
        text.contains("    site frontend name=\"cella-dev-www\" { bucket-suffix \"-v2\"; }\n"),
        "{text}"
    );
    assert!(
        text.contains("    registry namespace=\"cella-dev-images\"\n"),
        "{text}"
    );
    let after = adopt(&text, &state, "dev");
    assert!(!after.has_errors(), "{}", report(&text, &after));
    let dev = tfvars(&build(&text), "dev");
    assert_eq!(dev["names"]["registry"], json!("cella-dev-images"));
    assert_eq!(
        dev["sites"]["frontend"]["bucket_name"],
        json!("cella-dev-www")
    );
}
