//! Where the `jobs` and `tf` branches meet: a job's `link token=` gets an IAM key of
//! its own (`link["job:KEY->TARGET"]`, ContainersPrivateAccess only) that reaches the
//! job by Secret Manager reference, and every bucket policy names the jobs (a
//! migration too) that use the bucket, since a policy denies whom it does not name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::emit::Artifacts;
use serde_json::Value;

const APP: &str = "5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13";

fn build(text: &str) -> Artifacts {
    let (checked, files) = cellac::build(text, "stack.kdl");
    files.unwrap_or_else(|| panic!("does not build: {:#?}", checked.diagnostics))
}

fn json(files: &Artifacts, path: &str) -> Value {
    serde_json::from_slice(files.get(path).unwrap_or_else(|| panic!("no {path}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn str_at<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {v}"))
}

fn job_token_stack(job_extra: &str) -> String {
    format!(
        "stack relay\ndeployer application=\"{APP}\"\nbucket media\nservice internal {{\n    image dockerfile=\"Dockerfile\"\n    port 8080\n    private\n    health \"/ping\"\n}}\njob sync {{\n    image service=internal\n    command \"sync\"\n    link internal env=INTERNAL_URL token=INTERNAL_TOKEN\n{job_extra}}}\n"
    )
}

#[test]
fn a_jobs_token_is_a_link_key_of_its_own_not_the_jobs_key() {
    let files = build(&job_token_stack(""));
    let main = json(&files, "main.tf.json");
    let links = str_at(&main["module"]["iam"]["links"], "links");
    assert!(
        links.contains("key = \"job:${key}->${t}\""),
        "a job's link is keyed job:KEY->TARGET: {links}"
    );
    assert!(links.contains("key = \"${name}->${t}\""), "{links}");
    // The job's own application is made for buckets and databases only.
    let apps = str_at(&main["module"]["iam"]["applications"], "applications");
    assert!(!apps.contains("tokens"), "{apps}");
    assert!(!apps.contains("containers"), "{apps}");
    assert_eq!(
        main["module"]["jobs"]["link_secret_keys"],
        "${module.iam.link_secret_keys}"
    );
    let jobs = json(&files, "modules/jobs/main.tf.json");
    let values = str_at(&jobs["locals"]["derived_values"], "derived_values");
    assert!(
        values.contains("d.link != \"\" ? var.link_secret_keys[\"job:${d.link}\"]"),
        "{values}"
    );
    let derived = str_at(&jobs["locals"]["derived"], "derived");
    assert!(
        derived.contains("link = \"${key}->${target}\""),
        "{derived}"
    );
    // Negative control: the token is never the job's own key (which holds its bucket
    // and database rights).
    assert!(
        !values.contains("d.database == \"\" ? var.secret_keys[\"job:${d.job}\"] }"),
        "{values}"
    );
    let iam = json(&files, "modules/iam/main.tf.json");
    let own = iam["resource"]["scaleway_iam_policy"]["this"].to_string();
    assert!(!own.contains("ContainersPrivateAccess"), "{own}");
    assert!(!own.contains("containers"), "{own}");
}

#[test]
fn keys_are_handed_out_after_their_policies() {
    let files = build(&job_token_stack("    bucket media access=read\n"));
    let outputs = json(&files, "modules/iam/outputs.tf.json");
    for (name, policy) in [
        ("access_keys", "scaleway_iam_policy.this"),
        ("secret_keys", "scaleway_iam_policy.this"),
        ("link_secret_keys", "scaleway_iam_policy.link"),
    ] {
        assert_eq!(
            outputs["output"][name]["depends_on"],
            serde_json::json!([policy]),
            "{name}"
        );
    }
}

#[test]
fn bucket_policies_name_the_jobs_that_use_the_bucket() {
    let stack = format!(
        "stack shop\ndeployer application=\"{APP}\"\nbucket exports\nservice api {{\n    image dockerfile=\"Dockerfile\"\n    port 8080\n    health \"/health\"\n    bucket exports access=write\n    migrate \"./migrate\"\n}}\njob report {{\n    image service=api\n    command \"report\"\n    bucket exports access=read\n}}\n"
    );
    let files = build(&stack);
    let main = json(&files, "main.tf.json");
    let access = str_at(&main["module"]["storage"]["access"], "storage access");
    assert!(
        access.contains("[for key, j in var.jobs : { principal = \"application_id:${module.iam.application_ids[\"job:${key}\"]}\", access = j.bucket_access[b] } if contains(keys(j.bucket_access), b)]"),
        "{access}"
    );
    let dev = json(&files, "environments/dev.tfvars.json");
    assert_eq!(dev["jobs"]["report"]["bucket_access"]["exports"], "read");
    assert_eq!(
        dev["jobs"]["api-migrate"]["bucket_access"]["exports"],
        "write"
    );
    // Negative control: without jobs, only the services are named.
    let files = build(&format!(
        "stack shop\ndeployer application=\"{APP}\"\nbucket exports\nservice api {{\n    image dockerfile=\"Dockerfile\"\n    port 8080\n    health \"/health\"\n    bucket exports access=write\n}}\n"
    ));
    let main = json(&files, "main.tf.json");
    let access = str_at(&main["module"]["storage"]["access"], "storage access");
    assert!(!access.contains("var.jobs"), "{access}");
}
