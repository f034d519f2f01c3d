//! `modules/iam`: for each service that needs an API key of its own (bucket access,
//! databases), an IAM application, a policy that allows
//! exactly that in the environment's project, and an API key whose default project is
//! that project (Object Storage uses it to find the buckets).

use super::{ex, Module};
use serde_json::json;

/// Permission sets for object access (docs/scaleway-facts.md, IAM).
pub const READ: &str = "[\"ObjectStorageObjectsRead\"]";
pub const WRITE: &str =
    "[\"ObjectStorageObjectsRead\", \"ObjectStorageObjectsWrite\", \"ObjectStorageObjectsDelete\"]";

/// Serverless SQL Databases: read and write (docs/scaleway-facts.md, IAM).
pub const DATABASE: &str = "[\"ServerlessSQLDatabaseReadWrite\"]";

fn each_name(suffix: &str) -> serde_json::Value {
    ex(format!("\"${{each.value.name}}-{suffix}\""))
}

pub fn module() -> Module {
    let mut m = Module::new("iam");
    m.var(
        "applications",
        "map(object({ name = string, access = map(string), databases = bool }))",
        "Services with a key: service -> its IAM application's name, bucket -> read|write, and whether it uses databases. (A caller of a private service gets a container token instead: modules/containers.)",
    );
    m.var(
        "tags",
        "list(string)",
        "Tags on every application and policy.",
    );
    m.resource(
        "scaleway_iam_application",
        "this",
        json!({
            "for_each": ex("var.applications"),
            "name": ex("each.value.name"),
            "description": ex("\"API access of ${each.value.name}.\""),
            "tags": ex("var.tags"),
        }),
    );
    m.resource(
        "scaleway_iam_policy",
        "this",
        json!({
            "for_each": ex("var.applications"),
            "name": each_name("access"),
            "description": ex("\"What ${each.value.name} may do in its project.\""),
            "application_id": ex("scaleway_iam_application.this[each.key].id"),
            "tags": ex("var.tags"),
            "rule": [{
                "project_ids": ex("[var.project_id]"),
                "permission_set_names": ex(format!(
                    "concat(length(each.value.access) == 0 ? [] : contains(values(each.value.access), \"write\") ? {WRITE} : {READ}, each.value.databases ? {DATABASE} : [])"
                )),
            }],
        }),
    );
    m.resource(
        "scaleway_iam_api_key",
        "this",
        json!({
            "for_each": ex("var.applications"),
            "application_id": ex("scaleway_iam_application.this[each.key].id"),
            "description": ex("\"API key of ${each.value.name}.\""),
        }),
    );
    m.output(
        "application_ids",
        ex("{ for k, a in scaleway_iam_application.this : k => a.id }"),
        "Each service's IAM application id (the user name of its database URLs).",
    );
    m.output(
        "access_keys",
        ex("{ for k, key in scaleway_iam_api_key.this : k => key.access_key }"),
        "Each service's access key id (not secret).",
    );
    m.output(
        "secret_key_ids",
        ex("{ for k, key in scaleway_iam_api_key.this : k => key.id }"),
        "Each service's API key id.",
    );
    m.outputs.insert(
        "secret_keys".into(),
        json!({
            "value": ex("{ for k, key in scaleway_iam_api_key.this : k => key.secret_key }"),
            "description": "Each service's secret key.",
            "sensitive": true,
        }),
    );
    m
}
