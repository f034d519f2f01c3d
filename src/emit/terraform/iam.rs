//! `modules/iam`: for each service or job (a migration too) that needs an API key of
//! its own (bucket access, databases, calls to private services), an IAM application, a policy that allows
//! exactly that in the environment's project, and an API key whose default project is
//! that project (Object Storage uses it to find the buckets).

use super::{ex, Module};
use serde_json::json;

/// Permission sets for object access (docs/scaleway-facts.md, IAM).
pub const READ: &str = "[\"ObjectStorageObjectsRead\"]";
pub const WRITE: &str =
    "[\"ObjectStorageObjectsRead\", \"ObjectStorageObjectsWrite\", \"ObjectStorageObjectsDelete\"]";

/// Serverless SQL Databases: reading and writing data, not the schema (services and
/// jobs at run time; docs/scaleway-facts.md, IAM).
pub const DATABASE_DATA: &str = "[\"ServerlessSQLDatabaseDataReadWrite\"]";
/// Serverless SQL Databases: data and table structure (a migration, or a service that
/// migrates at boot because nothing else does; docs/scaleway-facts.md, IAM).
pub const DATABASE_SCHEMA: &str = "[\"ServerlessSQLDatabaseReadWrite\"]";
/// Calling private containers with the key as X-Auth-Token.
pub const CONTAINERS: &str = "[\"ContainersPrivateAccess\"]";

fn each_name(suffix: &str) -> serde_json::Value {
    ex(format!("\"${{each.value.name}}-{suffix}\""))
}

pub fn module() -> Module {
    let mut m = Module::new("iam");
    m.var(
        "applications",
        "map(object({ name = string, access = map(string), databases = bool, schema = bool, containers = bool }))",
        "Services and jobs (keyed job:KEY) with a key: its IAM application's name, bucket -> read|write, whether it uses databases (and may change their schema) or calls private services.",
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
                    "concat(length(each.value.access) == 0 ? [] : contains(values(each.value.access), \"write\") ? {WRITE} : {READ}, each.value.databases ? (each.value.schema ? {DATABASE_SCHEMA} : {DATABASE_DATA}) : [], each.value.containers ? {CONTAINERS} : [])"
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
    // A key is handed out once its policy exists: a container or job that starts with
    // it is allowed what it needs from its first request.
    m.outputs.insert(
        "access_keys".into(),
        json!({
            "value": ex("{ for k, key in scaleway_iam_api_key.this : k => key.access_key }"),
            "description": "Each service's access key id (not secret).",
            "depends_on": ["scaleway_iam_policy.this"],
        }),
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
            "depends_on": ["scaleway_iam_policy.this"],
        }),
    );
    m
}
