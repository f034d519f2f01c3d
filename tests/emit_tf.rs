//! The Terraform configuration's behaviours owned by the `tf` branch, each asserted on
//! a small stack built in memory: declared deployers in bucket policies (issue 20.1),
//! convergence (no attribute the provider rewrites on read), secret rotation, the
//! pinned provider, the variables and outputs the scripts read.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::emit::Artifacts;
use serde_json::Value;

const APP: &str = "5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13";
const USER: &str = "0c7e0f51-7d0b-4a57-9a35-1f0b8f2e6d21";
const PROD_USER: &str = "4c3b2a19-0f8e-4d7c-a6b5-948372615a0b";

fn build(text: &str) -> Artifacts {
    let (checked, files) = cellac::build(text, "stack.kdl");
    files.unwrap_or_else(|| panic!("does not build: {:#?}", checked.diagnostics))
}

fn json(files: &Artifacts, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(files: &Artifacts, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .clone(),
    )
    .unwrap()
}

/// Every `.tf.json` file of the configuration, concatenated.
fn configuration(files: &Artifacts) -> String {
    files
        .iter()
        .filter(|(p, _)| p.ends_with(".tf.json"))
        .map(|(p, b)| format!("//// {p}\n{}\n", String::from_utf8_lossy(b)))
        .collect()
}

fn stack_with_policies(deployers: &str, prod: &str) -> String {
    format!(
        "stack shop\nservice api {{\n    port 8080\n    health \"/health\"\n    bucket media access=read\n}}\nsite web\nbucket media public=#true\n{deployers}\nenvironment dev\nenvironment prod {{\n{prod}\n}}\n"
    )
}

#[test]
fn declared_deployers_are_the_bucket_policy_principals() {
    let files = build(&stack_with_policies(
        &format!("deployer application=\"{APP}\"\ndeployer user=\"{USER}\""),
        &format!("    deployer user=\"{PROD_USER}\""),
    ));
    // Each environment's principals: the top level's, then the environment's own.
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(
        dev["deployers"],
        serde_json::json!([format!("application_id:{APP}"), format!("user_id:{USER}")])
    );
    let prod = json(&files, "environments/prod.tfvars.json");
    assert_eq!(
        prod["deployers"],
        serde_json::json!([
            format!("application_id:{APP}"),
            format!("user_id:{USER}"),
            format!("user_id:{PROD_USER}")
        ])
    );
    // Every policy's deployer statement names var.deployers, given var.deployers.
    let main = json(&files, "main.tf.json");
    assert_eq!(main["module"]["storage"]["deployers"], "${var.deployers}");
    let storage = text(&files, "modules/storage/main.tf.json");
    assert_eq!(
        storage
            .matches("Principal = { SCW = var.deployers }")
            .count(),
        2,
        "both policies (site, public bucket) grant the deployers full access:\n{storage}"
    );
    // Nothing derives a principal from the key that runs.
    let all = configuration(&files);
    for gone in [
        "scaleway_iam_api_key\": {\n      \"deployer",
        "data.scaleway_iam_api_key",
        "deployer_access_key",
        "local.owner",
        "var.owner",
        ".user_id",
    ] {
        assert!(!all.contains(gone), "`{gone}` is in the configuration");
    }
    assert!(main["data"].get("scaleway_iam_api_key").is_none());
    assert!(main["locals"].get("owner").is_none());
    // The scripts do not export the deploy key's id for Terraform.
    let values = text(&files, "scripts/stack.sh");
    assert!(
        values.contains("\nDEPLOYER_LOOKUP=no\n"),
        "lib.sh still exports TF_VAR_deployer_access_key"
    );
}

#[test]
fn without_deployers_the_running_key_is_looked_up_and_an_application_key_plans() {
    // Negative control of the test above: the implicit case does look the key up.
    let files = build(&stack_with_policies("", ""));
    let main = json(&files, "main.tf.json");
    let data = &main["data"]["scaleway_iam_api_key"]["deployer"];
    assert_eq!(data["access_key"], "${var.deployer_access_key}");
    assert_eq!(data["count"], "${length(var.deployers) == 0 ? 1 : 0}");
    let deployers = main["locals"]["deployers"].as_str().unwrap();
    // An application's key has a null or empty user_id: no coalesce, which fails on it.
    assert!(
        deployers.contains("try(length(k.user_id) > 0, false)"),
        "{deployers}"
    );
    assert!(!deployers.contains("coalesce"), "{deployers}");
    assert!(deployers.contains("application_id:${k.application_id}"));
    assert_eq!(main["module"]["storage"]["deployers"], "${local.deployers}");
    let values = text(&files, "scripts/stack.sh");
    assert!(values.contains("\nDEPLOYER_LOOKUP=yes\n"));
    // With one environment declaring a deployer, only the others look the key up.
    let files = build(&stack_with_policies(
        "",
        &format!("    deployer application=\"{APP}\""),
    ));
    let prod = json(&files, "environments/prod.tfvars.json");
    assert_eq!(
        prod["deployers"],
        serde_json::json!([format!("application_id:{APP}")])
    );
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(dev["deployers"], serde_json::json!([]));
}

#[test]
fn a_stack_without_bucket_policies_has_no_deployers() {
    let files = build("stack shop\nservice api {\n    port 8080\n    health \"/health\"\n}\n");
    let all = configuration(&files);
    assert!(!all.contains("deployer"), "{all}");
}

#[test]
fn the_provider_is_pinned_and_its_lock_file_committed() {
    let files = build("stack shop\nservice api {\n    port 8080\n    health \"/health\"\n}\n");
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["terraform"]["required_providers"]["scaleway"]["version"],
        "2.79.0"
    );
    let ignore = text(&files, ".gitignore");
    assert!(
        ignore.lines().any(|l| l == "!.terraform.lock.hcl"),
        "{ignore}"
    );
    assert!(!ignore
        .lines()
        .any(|l| l == ".terraform.lock.hcl" || l == "*.hcl"));
    // A stack may still choose its constraint.
    let files = build("stack shop provider=\"~> 2.79.0\"\nservice api {\n    port 8080\n    health \"/health\"\n}\n");
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["terraform"]["required_providers"]["scaleway"]["version"],
        "~> 2.79.0"
    );
}

const DNS_AND_SECRETS: &str = "stack shop\nsecret db_url\nservice api {\n    port 8080\n    health \"/health\"\n    secret-env DATABASE_URL=db_url\n    migrate \"python manage.py migrate\"\n}\ndns zone=example.com\ndomain api.example.com service=api\n";

#[test]
fn dns_records_leave_project_id_to_the_zone() {
    let files = build(DNS_AND_SECRETS);
    let dns = json(&files, "modules/dns/main.tf.json");
    let record = &dns["resource"]["scaleway_domain_record"]["this"];
    assert!(record.is_object(), "{dns}");
    assert!(
        record.get("project_id").is_none(),
        "project_id is ForceNew and rewritten to the zone's project on read: {record}"
    );
    assert_eq!(
        record["lifecycle"]["ignore_changes"],
        serde_json::json!(["project_id"])
    );
    // Negative control: the other project-scoped resources are still placed in the
    // environment's project.
    let containers = json(&files, "modules/containers/main.tf.json");
    assert_eq!(
        containers["resource"]["scaleway_container_namespace"]["this"]["project_id"],
        "${var.project_id}"
    );
}

#[test]
fn a_changed_secret_value_makes_a_new_secret_manager_version() {
    let files = build(DNS_AND_SECRETS);
    let secrets = json(&files, "modules/secrets/main.tf.json");
    let version = &secrets["resource"]["scaleway_secret_version"]["this"];
    let wo = version["data_wo_version"].as_str().unwrap();
    // Derived from the value (and the name), not from a variable someone must bump.
    assert_eq!(
        wo,
        "${parseint(substr(sha256(\"cellac:${each.key}:${var.values[each.key]}\"), 0, 8), 16)}"
    );
    assert_eq!(version["lifecycle"]["create_before_destroy"], true);
    let all = configuration(&files);
    assert!(!all.contains("secrets_version"), "a manual version remains");
    assert!(!all.contains("value_version"), "a manual version remains");
}

const PRIVATE_LINK: &str = "stack shop\nservice api {\n    port 8080\n    health \"/health\"\n    link worker env=WORKER_URL token=WORKER_TOKEN\n    bucket media access=write\n}\nservice worker {\n    port 8080\n    health \"/health\"\n    private\n}\nbucket media\n";

/// The rule of every link and prober policy: ContainersPrivateAccess on the
/// environment's project, nothing else.
fn assert_private_access_only(policy: &Value) {
    assert_eq!(
        policy["rule"],
        serde_json::json!([{
            "project_ids": "${[var.project_id]}",
            "permission_set_names": ["ContainersPrivateAccess"],
        }]),
        "{policy}"
    );
}

#[test]
fn a_token_link_gets_an_iam_key_of_its_own_not_the_callers_key() {
    let files = build(PRIVATE_LINK);
    // Container tokens (JWT) can no longer be created (review 10): none anywhere.
    let all = configuration(&files);
    assert!(!all.contains("scaleway_container_token"), "{all}");
    let iam = json(&files, "modules/iam/main.tf.json");
    let policies = &iam["resource"]["scaleway_iam_policy"];
    // The link's own application, policy and key, one per CALLER->TARGET.
    assert_eq!(
        iam["resource"]["scaleway_iam_application"]["link"]["for_each"],
        "${var.links}"
    );
    assert_eq!(
        policies["link"]["application_id"],
        "${scaleway_iam_application.link[each.key].id}"
    );
    assert_private_access_only(&policies["link"]);
    assert_eq!(
        iam["resource"]["scaleway_iam_api_key"]["link"]["application_id"],
        "${scaleway_iam_application.link[each.key].id}"
    );
    // The caller's own policy (bucket write) never holds the right to call containers.
    let own = policies["this"].to_string();
    assert!(!own.contains("ContainersPrivateAccess"), "{own}");
    let main = json(&files, "main.tf.json");
    let links = main["module"]["iam"]["links"].as_str().unwrap();
    assert!(links.contains("key = \"${name}->${t}\""), "{links}");
    assert!(
        links.contains("substr(\"${s.name}-calls-${t}\", 0, 64)"),
        "{links}"
    );
    assert_eq!(
        main["module"]["containers"]["link_secret_keys"],
        "${module.iam.link_secret_keys}"
    );
    let containers = json(&files, "modules/containers/main.tf.json");
    let secret = containers["resource"]["scaleway_container"]["api"]
        ["secret_environment_variables"]
        .as_str()
        .unwrap();
    assert!(
        secret.contains("{ for k, target in var.services[\"api\"].tokens : k => var.link_secret_keys[\"api->${target}\"] }"),
        "{secret}"
    );
    // Negative control: the caller's own key (bucket rights) is never the token.
    assert!(
        !secret.contains("tokens : k => var.secret_keys"),
        "{secret}"
    );
    let outputs = json(&files, "modules/iam/outputs.tf.json");
    assert_eq!(outputs["output"]["link_secret_keys"]["sensitive"], true);
}

#[test]
fn a_private_service_alone_brings_the_prober_and_a_public_one_nothing() {
    // No bucket, no database: the IAM module exists only for the health probes.
    let files = build("stack shop\nservice web {\n    port 8080\n}\nservice worker {\n    port 8080\n    private\n}\n");
    let iam = json(&files, "modules/iam/main.tf.json");
    assert_private_access_only(&iam["resource"]["scaleway_iam_policy"]["prober"]);
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["module"]["containers"]["depends_on"],
        serde_json::json!(["module.iam"])
    );
    // Negative control: nothing private, nothing to call it with.
    let files = build("stack shop\nservice web {\n    port 8080\n}\n");
    assert!(!files.contains_key("modules/iam/main.tf.json"));
    let outputs = json(&files, "outputs.tf.json");
    assert_eq!(outputs["output"]["health_tokens"]["value"], "${{}}");
    assert!(!configuration(&files).contains("scaleway_iam_application"));
}

#[test]
fn scripts_get_health_tokens_digests_and_force_destroy() {
    let files = build(PRIVATE_LINK);
    let outputs = json(&files, "outputs.tf.json");
    let health = &outputs["output"]["health_tokens"];
    assert_eq!(health["sensitive"], true);
    // Same shape as before (service -> secret), now the prober's IAM key.
    assert_eq!(
        health["value"],
        "${{ for name, s in var.services : name => module.iam.prober_secret_key if s.privacy == \"private\" }}"
    );
    let iam = json(&files, "modules/iam/main.tf.json");
    assert_eq!(
        iam["resource"]["scaleway_iam_application"]["prober"]["count"],
        "${var.prober_name == null ? 0 : 1}"
    );
    assert_private_access_only(&iam["resource"]["scaleway_iam_policy"]["prober"]);
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["module"]["iam"]["prober_name"],
        "${anytrue([for s in values(var.services) : s.privacy == \"private\"]) ? \"${var.environment}-shop-prober\" : null}"
    );
    let containers = json(&files, "modules/containers/main.tf.json");
    assert_eq!(
        containers["resource"]["scaleway_container"]["worker"]["registry_sha256"],
        "${lookup(var.image_digests, \"worker\", null)}"
    );
    let vars = json(&files, "variables.tf.json");
    assert_eq!(
        vars["variable"]["image_digests"]["default"],
        serde_json::json!({})
    );
    assert_eq!(vars["variable"]["image_digests"]["type"], "map(string)");
    assert_eq!(vars["variable"]["force_destroy"]["default"], false);
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["module"]["storage"]["force_destroy"],
        "${var.force_destroy}"
    );
    assert_eq!(
        main["module"]["containers"]["image_digests"],
        "${var.image_digests}"
    );
    // Containers start once their IAM policies exist (review 19).
    assert_eq!(
        main["module"]["containers"]["depends_on"],
        serde_json::json!(["module.iam"])
    );
    let storage = json(&files, "modules/storage/main.tf.json");
    assert_eq!(
        storage["resource"]["scaleway_object_bucket"]["this"]["force_destroy"],
        "${var.force_destroy}"
    );
    // Not in a regular environment's tfvars (default false); true in a preview's.
    let dev = json(&files, "environments/dev.tfvars.json");
    assert!(dev.get("force_destroy").is_none());
    let files = build(&format!(
        "{PRIVATE_LINK}state bucket=shop-state\nenvironment prod\nenvironment preview preview=#true\n"
    ));
    let preview = json(&files, "environments/preview.tfvars.json");
    assert_eq!(preview["force_destroy"], true);
    let prod = json(&files, "environments/prod.tfvars.json");
    assert!(prod.get("force_destroy").is_none());
}

#[test]
fn the_logs_source_of_a_new_project_is_read_without_failing() {
    let files = build(PRIVATE_LINK);
    let containers = json(&files, "modules/containers/main.tf.json");
    assert!(containers["data"].get("scaleway_cockpit_source").is_none());
    let logs = &containers["data"]["scaleway_cockpit_sources"]["logs"];
    assert_eq!(logs["type"], "logs");
    assert_eq!(logs["origin"], "scaleway");
    assert_eq!(
        logs["depends_on"],
        serde_json::json!(["scaleway_container.api", "scaleway_container.worker"])
    );
    assert_eq!(
        containers["output"].get("logs_url").map(|_| ()),
        None,
        "outputs live in outputs.tf.json"
    );
    let outputs = json(&files, "modules/containers/outputs.tf.json");
    assert_eq!(
        outputs["output"]["logs_url"]["value"],
        "${try(data.scaleway_cockpit_sources.logs.sources[0].url, null)}"
    );
}

#[test]
fn edge_pipelines_wait_for_their_buckets() {
    let files = build("stack shop\nsite web\ndomain www.example.com site=web\ndeployer application=\"5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13\"\n");
    let main = json(&files, "main.tf.json");
    assert_eq!(
        main["module"]["edge"]["depends_on"],
        serde_json::json!(["module.storage"])
    );
}

#[test]
fn every_bucket_has_a_policy_that_narrows_each_services_access() {
    let files = build(&format!(
        "stack shop\nservice api {{\n    port 8080\n    health \"/health\"\n    bucket media access=read\n    bucket uploads access=write\n}}\nbucket media\nbucket uploads\nbucket backups\ndeployer application=\"{APP}\"\n"
    ));
    let storage = json(&files, "modules/storage/main.tf.json");
    let policy = &storage["resource"]["scaleway_object_bucket_policy"]["this"];
    // Private buckets too: IAM permission sets are project-wide, so without a policy
    // a key with read on one bucket reads them all.
    assert_eq!(policy["for_each"], "${var.buckets}");
    let text = policy["policy"].as_str().unwrap();
    assert!(
        text.contains("concat(each.value.public ? [{ Sid = \"PublicReadObjects\""),
        "{text}"
    );
    // read: get and list only; write: also put and delete.
    assert!(
        text.contains("Action = a.access == \"write\" ? [\"s3:GetObject\", \"s3:ListBucket\", \"s3:PutObject\", \"s3:DeleteObject\", \"s3:AbortMultipartUpload\", \"s3:ListMultipartUploadParts\", \"s3:ListBucketMultipartUploads\"] : [\"s3:GetObject\", \"s3:ListBucket\"]"),
        "{text}"
    );
    let main = json(&files, "main.tf.json");
    assert!(main["module"]["storage"]["access"]
        .as_str()
        .unwrap()
        .contains("access = s.bucket_access[b]"));
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(dev["services"]["api"]["bucket_access"]["media"], "read");
    assert_eq!(dev["services"]["api"]["bucket_access"]["uploads"], "write");
    // A bucket without a deployer is the implicit case (negative control).
    let (checked, _) = cellac::build("stack shop\nbucket backups\n", "stack.kdl");
    assert!(
        checked
            .diagnostics
            .iter()
            .any(|d| d.code == "cellac::deployer::implicit"),
        "a private bucket has a policy too, so it needs a deployer"
    );
}
