//! `modules/iam`: for each service that uses buckets, an IAM application, a policy that
//! allows exactly its access to objects in the environment's project, and an API key
//! whose default project is that project (Object Storage uses it to find the buckets).

use super::{ex, Module};
use serde_json::json;

/// Permission sets for object access (docs/scaleway-facts.md, IAM).
pub const READ: &str = "[\"ObjectStorageObjectsRead\"]";
pub const WRITE: &str =
    "[\"ObjectStorageObjectsRead\", \"ObjectStorageObjectsWrite\", \"ObjectStorageObjectsDelete\"]";

pub fn module() -> Module {
    let mut m = Module::new("iam");
    m.var(
        "applications",
        "map(object({ name = string, access = map(string) }))",
        "Services that use buckets: service -> its IAM application's name and bucket -> read|write.",
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
            "description": ex("\"Object Storage access of ${each.value.name}.\""),
            "tags": ex("var.tags"),
        }),
    );
    m.resource(
        "scaleway_iam_policy",
        "this",
        json!({
            "for_each": ex("var.applications"),
            "name": ex("\"${each.value.name}-objects\""),
            "description": ex("\"What ${each.value.name} may do with objects in its project.\""),
            "application_id": ex("scaleway_iam_application.this[each.key].id"),
            "tags": ex("var.tags"),
            "rule": [{
                "project_ids": ex("[var.project_id]"),
                "permission_set_names": ex(format!(
                    "contains(values(each.value.access), \"write\") ? {WRITE} : {READ}"
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
            "description": ex("\"Object Storage key of ${each.value.name}.\""),
        }),
    );
    m.output(
        "application_ids",
        ex("{ for k, a in scaleway_iam_application.this : k => a.id }"),
        "Each service's IAM application id.",
    );
    m.output(
        "access_keys",
        ex("{ for k, key in scaleway_iam_api_key.this : k => key.access_key }"),
        "Each service's access key id (not secret).",
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
