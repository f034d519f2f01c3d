//! Jobs are first-class (issue 19 item 7, review 8 and 20): a `job` takes a service's
//! children, and a job or a migration gets what it uses (a database URL, bucket keys,
//! link URLs) with whatever is secret written to Secret Manager and referenced, never
//! by value. The Serverless SQL rights of services, migrations and jobs differ.
//!
//! Each test reads the generated Terraform JSON and tfvars; tests/terraform/behaviour.py
//! checks the same over real plans (`job-secrets`, `database-rights`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use serde_json::Value;
use std::collections::BTreeMap;

type Artifacts = BTreeMap<String, Vec<u8>>;

fn build(text: &str) -> Artifacts {
    let (checked, files) = cellac::build(text, "stack.kdl");
    files.unwrap_or_else(|| panic!("does not build: {:#?}", checked.diagnostics))
}

fn json(files: &Artifacts, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn codes(text: &str) -> Vec<&'static str> {
    cellac::check(text)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

/// A Django-like stack: an API on Serverless SQL that migrates, a worker on the same
/// database, a nightly job with the database, a bucket and a link.
const STACK: &str = r#"stack shelf
secret django_secret_key
database main engine=serverless-sql
bucket avatars
service api {
    port 8000
    secret-env DJANGO_SECRET_KEY=django_secret_key
    database main
    bucket avatars access=write
    migrate "python manage.py migrate"
}
service worker {
    port 8001
    database main env=DB
}
job cleanup {
    image service=api
    command "python" "manage.py" "clearsessions"
    args "--verbosity" "2"
    database main
    bucket avatars access=read env=AVATARS
    link api env=API_URL url="{url}/v1"
    timeout 600
    schedule "0 3 * * *"
}
"#;

#[test]
fn a_migration_on_serverless_sql_gets_its_database_url_by_reference() {
    let files = build(STACK);
    let vars = json(&files, "environments/dev.tfvars.json");
    let migrate = &vars["jobs"]["api-migrate"];
    // The migration uses the service's database and bucket, under its own identity.
    assert_eq!(migrate["databases"]["DATABASE_URL"], "main", "{migrate:#}");
    assert_eq!(migrate["buckets"]["S3_BUCKET_AVATARS"], "avatars");
    assert_eq!(migrate["schema"], true);
    assert_eq!(migrate["links"], serde_json::json!({}));
    // The module writes what the key derives to Secret Manager and references it.
    let module = json(&files, "modules/jobs/main.tf.json");
    let refs = module["resource"]["scaleway_job_definition"]["this"]["dynamic"]["secret_reference"]
        ["for_each"]
        .as_str()
        .unwrap();
    assert!(refs.contains("scaleway_secret.derived[id].id"), "{refs}");
    let version = &module["resource"]["scaleway_secret_version"]["derived"];
    assert_eq!(version["data_wo"], "${local.derived_values[each.key]}");
    assert!(
        version.get("data").is_none(),
        "a value in the state: {version:#}"
    );
    let values = module["locals"]["derived_values"].as_str().unwrap();
    assert!(
        values.contains("postgres://${var.application_ids["),
        "{values}"
    );
    // The version is derived from the key's id and the endpoint, nothing secret.
    let versions = module["locals"]["derived_versions"].as_str().unwrap();
    assert!(versions.contains("secret_key_ids"), "{versions}");
    assert!(!versions.contains("var.secret_keys"), "{versions}");
    // Nothing derived is a plain env value of the job.
    let env = module["resource"]["scaleway_job_definition"]["this"]["env"]
        .as_str()
        .unwrap();
    assert!(!env.contains("secret_keys"), "{env}");
}

#[test]
fn a_job_takes_every_child_a_service_has() {
    let files = build(STACK);
    let vars = json(&files, "environments/dev.tfvars.json");
    let job = &vars["jobs"]["cleanup"];
    assert_eq!(
        job["command"],
        serde_json::json!(["python", "manage.py", "clearsessions"])
    );
    assert_eq!(job["args"], serde_json::json!(["--verbosity", "2"]));
    assert_eq!(job["timeout"], "600s");
    assert_eq!(job["databases"]["DATABASE_URL"], "main");
    assert_eq!(job["buckets"]["AVATARS"], "avatars");
    assert_eq!(job["bucket_access"]["avatars"], "read");
    assert_eq!(job["links"]["API_URL"]["url"], "{url}/v1");
    assert_eq!(job["schema"], false);
    // A job with a link is defined apart from migrations, so that a migration never
    // waits for (or pulls in) the containers' rollout.
    let module = json(&files, "modules/jobs/main.tf.json");
    let defs = &module["resource"]["scaleway_job_definition"];
    assert!(!defs["this"].to_string().contains("var.hosts"), "{defs:#}");
    assert!(defs["linked"]["env"]
        .as_str()
        .unwrap()
        .contains("var.hosts"));
    let root = json(&files, "main.tf.json");
    assert_eq!(
        root["module"]["jobs"]["hosts"],
        "${module.containers.hosts}"
    );
}

#[test]
fn runtime_and_migration_rights_differ() {
    let files = build(STACK);
    let root = json(&files, "main.tf.json");
    let apps = root["module"]["iam"]["applications"].as_str().unwrap();
    // A service's schema rights: only when no migration covers its databases.
    assert!(apps.contains("if j.schema"), "{apps}");
    assert!(apps.contains("\"job:${key}\""), "{apps}");
    let iam = json(&files, "modules/iam/main.tf.json");
    let sets = iam["resource"]["scaleway_iam_policy"]["this"]["rule"][0]["permission_set_names"]
        .as_str()
        .unwrap();
    assert!(
        sets.contains(
            "each.value.schema ? [\"ServerlessSQLDatabaseReadWrite\"] : [\"ServerlessSQLDatabaseDataReadWrite\"]"
        ),
        "{sets}"
    );
    // Without a migration anywhere, a service with a database keeps the schema rights
    // (it migrates at boot).
    let alone = build("stack s\ndatabase main engine=serverless-sql\nservice api {\n    port 8000\n    database main\n}\n");
    let root = json(&alone, "main.tf.json");
    let apps = root["module"]["iam"]["applications"].as_str().unwrap();
    assert!(apps.contains("schema = length(s.databases) > 0"), "{apps}");
}

#[test]
fn a_job_without_iam_needs_no_derived_secrets() {
    let files = build("stack s\njob tick {\n    image ref=\"rg.fr-par.scw.cloud/s/tick:1\"\n    schedule \"* * * * *\"\n}\n");
    let module = json(&files, "modules/jobs/main.tf.json");
    assert!(module["resource"].get("scaleway_secret").is_none());
    assert!(module["resource"]["scaleway_job_definition"]
        .get("linked")
        .is_none());
}

#[test]
fn a_job_checks_its_children_as_a_service_does() {
    // The negative controls of tests/fixtures/checks/job-*.kdl, in one place.
    let bad = |body: &str| {
        codes(&format!("stack s\ndeployer application=\"5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13\"\ndatabase main engine=serverless-sql\nbucket files\nservice api {{ port 8000; }}\njob j {{\n    image ref=\"r/j:1\"\n{body}\n}}\n"))
    };
    assert!(bad("    database mian").contains(&"cellac::database::unknown"));
    assert!(bad("    bucket flies access=read").contains(&"cellac::bucket::access"));
    assert!(bad("    link apii env=A").contains(&"cellac::link::target"));
    assert!(
        bad("    secret-env DATABASE_URL=x\n    database main").contains(&"cellac::env::duplicate")
    );
    assert!(bad("    env SCW_X=1").contains(&"cellac::env::reserved"));
    assert!(bad("    command \"python manage.py x\"").contains(&"cellac::job::command"));
    assert!(bad("    timeout 0").contains(&"cellac::job::timeout"));
    // And the right forms pass.
    assert_eq!(
        bad("    database main\n    bucket files access=write\n    link api env=A\n    command \"python\" \"x\"\n    timeout 900"),
        Vec::<&str>::new()
    );
}

#[test]
fn the_old_command_form_is_fixed_to_a_list() {
    let text = "stack s\njob j {\n    image ref=\"r/j:1\"\n    command \"python manage.py clearsessions\"\n}\njob k {\n    image ref=\"r/k:1\"\n    command \"echo $HOME > /tmp/x\"\n}\n";
    let fixed = cellac::fix::fix(text, cellac::fix::Mode::Safe).text;
    assert!(
        fixed.contains("command \"python\" \"manage.py\" \"clearsessions\""),
        "{fixed}"
    );
    // A shell command keeps its shell.
    assert!(
        fixed.contains("command \"/bin/sh\" \"-c\" \"echo $HOME > /tmp/x\""),
        "{fixed}"
    );
    assert!(codes(&fixed).is_empty(), "{:?}", codes(&fixed));
}

#[test]
fn a_migration_key_of_its_own_replaces_the_derived_one() {
    // The release pattern: the migration's own direct URL wins over the database URL
    // the service's `database` would give it (no secret reference twice for one key).
    let text = "stack s\nsecret admin_url\ndatabase main engine=serverless-sql\nservice api {\n    port 8000\n    database main\n    migrate \"m\" {\n        secret-env DATABASE_URL=admin_url\n    }\n}\n";
    let files = build(text);
    let vars = json(&files, "environments/dev.tfvars.json");
    let migrate = &vars["jobs"]["api-migrate"];
    assert_eq!(migrate["databases"], serde_json::json!({}), "{migrate:#}");
    assert_eq!(migrate["secret_env"]["DATABASE_URL"], "admin_url");
    // Without the override, the migration derives it.
    let files = build(&text.replace("        secret-env DATABASE_URL=admin_url\n", ""));
    let vars = json(&files, "environments/dev.tfvars.json");
    assert_eq!(
        vars["jobs"]["api-migrate"]["databases"]["DATABASE_URL"],
        "main"
    );
}
