//! Queues (issue 23): what `queue`, `queue NAME access=` and `consume` generate, read
//! from the Terraform JSON and tfvars. tests/terraform/run.sh plans
//! tests/terraform/queues.stack.kdl with real Terraform, and behaviour.py checks the
//! plans (`queues`, `job-secrets`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is the failure"
)]

use crate::common;
use serde_json::Value;
use std::collections::BTreeMap;

type Artifacts = BTreeMap<String, Vec<u8>>;

const STACK: &str = include_str!("terraform/queues.stack.kdl");

fn build(text: &str) -> Artifacts {
    let (checked, files) = cellac::build(text, "stack.kdl");
    files.unwrap_or_else(|| panic!("does not build: {:#?}", checked.diagnostics))
}

fn json(files: &Artifacts, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_test_stack_checks_clean() {
    let diags = cellac::check(STACK).diagnostics;
    assert!(diags.is_empty(), "{diags:#?}");
}

#[test]
fn queues_are_named_per_environment_with_their_dead_letter_queue() {
    let files = build(STACK);
    let prod = json(&files, "environments/prod.tfvars.json");
    let orders = &prod["queues"]["orders"];
    assert_eq!(orders["name"], "prod-shop-orders.fifo");
    assert_eq!(orders["dead_name"], "prod-shop-orders-dead.fifo");
    assert_eq!(orders["dead_letter"], 5);
    assert_eq!(orders["retention"], 7 * 86_400);
    assert_eq!(orders["visibility_timeout"], 300);
    let emails = &prod["queues"]["emails"];
    assert_eq!(emails["name"], "prod-shop-emails");
    assert_eq!(emails["dead_name"], Value::Null);
    // prod's override.
    assert_eq!(emails["retention"], 14 * 86_400);
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(dev["queues"]["emails"]["retention"], 4 * 86_400);
}

#[test]
fn the_module_redrives_by_id_and_each_credential_allows_only_its_use() {
    let files = build(STACK);
    let main = json(&files, "modules/queues/main.tf.json");
    let r = &main["resource"];
    // Read writes the redrive target back as REGION/PROJECT/NAME (the id), not the ARN.
    assert_eq!(
        r["scaleway_mnq_sqs_queue"]["this"]["dynamic"]["dead_letter_queue"]["content"]["id"],
        "${scaleway_mnq_sqs_queue.dead[each.key].id}"
    );
    let perms = |name: &str| r["scaleway_mnq_sqs_credentials"][name]["permissions"][0].clone();
    assert_eq!(
        perms("manager"),
        serde_json::json!({ "can_publish": false, "can_receive": false, "can_manage": true })
    );
    assert_eq!(
        perms("trigger"),
        serde_json::json!({ "can_publish": false, "can_receive": true, "can_manage": false })
    );
    assert_eq!(perms("user")["can_manage"], false);
    for ty in [
        "scaleway_mnq_sqs",
        "scaleway_mnq_sqs_credentials",
        "scaleway_mnq_sqs_queue",
    ] {
        for (name, body) in r[ty].as_object().unwrap() {
            assert_eq!(body["project_id"], "${var.project_id}", "{ty}.{name}");
        }
    }
    // The root gives each user publish where it sends, receive where it receives.
    let root = json(&files, "main.tf.json");
    let users = root["module"]["queues"]["users"].as_str().unwrap();
    assert!(users.contains("q.access == \"send\""), "{users}");
    assert!(users.contains("\"job:${key}\""), "{users}");
}

#[test]
fn consume_is_a_trigger_without_project_or_region() {
    let files = build(STACK);
    let main = json(&files, "modules/containers/main.tf.json");
    let t = &main["resource"]["scaleway_container_trigger"]["worker"];
    assert_eq!(t["for_each"], "${var.services[\"worker\"].consume}");
    assert_eq!(t["destination_config"][0]["http_method"], "post");
    let sqs = t["sqs"][0].as_object().unwrap();
    // Read drops both (ForceNew): set, they would replace the trigger on every plan.
    assert!(
        !sqs.contains_key("project_id") && !sqs.contains_key("region"),
        "{sqs:?}"
    );
    assert_eq!(sqs["access_key"], "${var.trigger_access_keys[\"worker\"]}");
    // Made private, a container needs its triggers created again.
    assert_eq!(
        t["lifecycle"]["replace_triggered_by"],
        serde_json::json!(["scaleway_container.worker.privacy"])
    );
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(
        dev["services"]["worker"]["consume"]["orders"]["path"],
        "/orders"
    );
    assert_eq!(
        dev["services"]["api"]["queues"]["EMAILS_URL"],
        serde_json::json!({ "queue": "emails", "access": "send" })
    );
}

#[test]
fn a_service_gets_its_keys_as_secrets_and_a_job_by_reference() {
    let files = build(STACK);
    let containers = json(&files, "modules/containers/main.tf.json");
    let api = &containers["resource"]["scaleway_container"]["api"];
    let secret = api["secret_environment_variables"].as_str().unwrap();
    assert!(
        secret.contains("SQS_SECRET_ACCESS_KEY = var.sqs_secret_keys[\"api\"]"),
        "{secret}"
    );
    let env = api["environment_variables"].as_str().unwrap();
    assert!(!env.contains("sqs_secret_keys"), "{env}");
    assert!(env.contains("SQS_ENDPOINT = var.sqs_endpoint"), "{env}");
    let jobs = json(&files, "modules/jobs/main.tf.json");
    let derived = jobs["locals"]["derived"].as_str().unwrap();
    assert!(
        derived.contains("SQS_SECRET_ACCESS_KEY = \"secret\""),
        "{derived}"
    );
    let values = jobs["locals"]["derived_values"].as_str().unwrap();
    assert!(
        values.contains("var.sqs_secret_keys[\"job:${d.job}\"]"),
        "{values}"
    );
    let def = jobs["resource"]["scaleway_job_definition"]["this"]["env"]
        .as_str()
        .unwrap();
    assert!(!def.contains("sqs_secret_keys"), "{def}");
}

/// Without queues nothing changes: no module, no queue fields in the services' type.
#[test]
fn a_stack_without_queues_has_no_trace_of_them() {
    let files = build("stack s\nservice web {\n    port 8080\n    health \"/h\"\n}\n");
    assert!(!files.contains_key("modules/queues/main.tf.json"));
    let vars = String::from_utf8(files["variables.tf.json"].clone()).unwrap();
    assert!(!vars.contains("consume"), "{vars}");
}

/// The deploy key may manage queues (and, for the job's SQS keys, Secret Manager): the
/// bootstrap script grants exactly those sets; a stack without queues does not get it.
#[test]
fn bootstrap_grants_queues_only_with_queues() {
    let files = build(STACK);
    let boot = String::from_utf8(files["scripts/bootstrap.sh"].clone()).unwrap();
    let sets = boot
        .lines()
        .find(|l| l.starts_with("PROJECT_SETS="))
        .unwrap();
    assert!(sets.contains("'MessagingAndQueuingFullAccess'"), "{sets}");
    assert!(sets.contains("'SecretManagerFullAccess'"), "{sets}");
    let files = build("stack s\nservice web {\n    port 8080\n    health \"/h\"\n}\n");
    let boot = String::from_utf8(files["scripts/bootstrap.sh"].clone()).unwrap();
    assert!(!boot.contains("MessagingAndQueuing"), "{boot}");
}

/// A stack with Redis: the deploy key gets `RedisFullAccess` (Scaleway's Permission sets
/// page, "Redis™"), in bootstrap.sh and the README's table; a stack without Redis does not.
#[test]
fn bootstrap_grants_redis_only_with_redis() {
    let stack = common::example("worker");
    let files = build(&stack);
    let boot = String::from_utf8(files["scripts/bootstrap.sh"].clone()).unwrap();
    let sets = boot
        .lines()
        .find(|l| l.starts_with("PROJECT_SETS="))
        .unwrap();
    assert!(sets.contains("'RedisFullAccess'"), "{sets}");
    let readme = String::from_utf8(files["README.md"].clone()).unwrap();
    assert!(readme.contains("| `RedisFullAccess` |"), "{readme}");
    let files = build("stack s\nservice web {\n    port 8080\n    health \"/h\"\n}\n");
    let boot = String::from_utf8(files["scripts/bootstrap.sh"].clone()).unwrap();
    assert!(!boot.contains("Redis"), "{boot}");
}
