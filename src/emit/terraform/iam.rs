//! `modules/iam`: for each service or job (a migration too) that needs an API key of
//! its own (bucket access, databases), an IAM application, a policy that allows
//! exactly that in the environment's project, and an API key whose default project is
//! that project (Object Storage uses it to find the buckets).
//!
//! Calling a private container takes an IAM key whose principal holds
//! `ContainersPrivateAccess` (container tokens can no longer be created: review 10,
//! docs/scaleway-facts.md, "Calling private containers"). That permission set reaches
//! every private container of the project, so it is never added to a service's own
//! policy: each `link TARGET token=KEY` gets an application, policy and key of its own
//! (`link`, keyed `CALLER->TARGET`, so each can be revoked alone), and the health probes
//! one `prober` application per environment with a private service.

use super::{ex, hcl, module_call, nothing, Child, Cx, Module, Shape};
use serde_json::{json, Value};

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

/// Calling private containers, and nothing else (docs/scaleway-facts.md, IAM).
pub const PRIVATE_ACCESS: &str = "ContainersPrivateAccess";

fn each_name(suffix: &str) -> serde_json::Value {
    ex(format!("\"${{each.value.name}}-{suffix}\""))
}

pub fn module() -> Module {
    let mut m = Module::new("iam");
    m.var(
        "applications",
        "map(object({ name = string, access = map(string), databases = bool, schema = bool }))",
        "Services and jobs (keyed job:KEY) with a key: its IAM application's name, bucket -> read|write, whether it uses databases (and may change their schema). (A `link token=` caller gets a key of its own for that link: `links`.)",
    );
    m.var(
        "links",
        "map(object({ name = string, caller = string, target = string }))",
        "Each `link TARGET token=KEY`, keyed CALLER->TARGET (the stack's service names; a job's caller is job:KEY): the name of its IAM application and the container names it joins. Its key may only call private containers.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "prober_name",
        "string",
        "The name of the IAM application whose key health.sh and status.sh call private services with, or null when the environment has none.",
    )
    .insert("default".into(), serde_json::Value::Null);
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
                    "concat(length(each.value.access) == 0 ? [] : contains(values(each.value.access), \"write\") ? {WRITE} : {READ}, each.value.databases ? (each.value.schema ? {DATABASE_SCHEMA} : {DATABASE_DATA}) : [])"
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
    // One application per caller and target (review 10), and one for the health probes
    // (never the deployer's key): each policy holds only ContainersPrivateAccess on the
    // environment's project.
    private_access(
        &mut m,
        "link",
        ("for_each", ex("var.links")),
        "[each.key]",
        PrivateAccess {
            name: ex("each.value.name"),
            policy_name: ex("substr(\"${each.value.name}-access\", 0, 64)"),
            description: ex("\"${each.value.caller} calls the private container ${each.value.target} (link token=): ContainersPrivateAccess only.\""),
            policy_description: ex("\"${each.value.caller} may call private containers of its project (it calls ${each.value.target}).\""),
            key_description: ex("\"Key of ${each.value.caller} for calling ${each.value.target}.\""),
        },
    );
    private_access(
        &mut m,
        "prober",
        ("count", ex("var.prober_name == null ? 0 : 1")),
        "[0]",
        PrivateAccess {
            name: ex("var.prober_name"),
            policy_name: ex("\"${var.prober_name}-access\""),
            description: json!("Health probes of private services (health.sh, status.sh): ContainersPrivateAccess only."),
            policy_description: json!("The health probes may call private containers of this project."),
            key_description: json!("Key of the health probes of private services."),
        },
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
    m.outputs.insert(
        "link_secret_keys".into(),
        json!({
            "value": ex("{ for k, key in scaleway_iam_api_key.link : k => key.secret_key }"),
            "description": "CALLER->TARGET -> the secret key of that link's application (ContainersPrivateAccess only).",
            "sensitive": true,
            "depends_on": ["scaleway_iam_policy.link"],
        }),
    );
    m.output(
        "link_secret_key_ids",
        ex("{ for k, key in scaleway_iam_api_key.link : k => key.id }"),
        "CALLER->TARGET -> that link's API key id (not secret: a job's derived secret version follows it).",
    );
    m.outputs.insert(
        "prober_secret_key".into(),
        json!({
            "value": ex("try(scaleway_iam_api_key.prober[0].secret_key, null)"),
            "description": "The health probes' secret key (ContainersPrivateAccess only), or null.",
            "sensitive": true,
        }),
    );
    m
}

/// The names and descriptions of a [`private_access`] principal.
struct PrivateAccess {
    name: Value,
    policy_name: Value,
    description: Value,
    policy_description: Value,
    key_description: Value,
}

/// An IAM application `NAME`, its policy (only ContainersPrivateAccess on the project)
/// and its API key, repeated by `repeat` (`for_each` or `count`); `index` selects the
/// application of one repetition (`[each.key]`, `[0]`).
fn private_access(
    m: &mut Module,
    name: &str,
    repeat: (&str, Value),
    index: &str,
    p: PrivateAccess,
) {
    let application = ex(format!("scaleway_iam_application.{name}{index}.id"));
    let mut resources = [
        (
            "scaleway_iam_application",
            json!({ "name": p.name, "description": p.description, "tags": ex("var.tags") }),
        ),
        (
            "scaleway_iam_policy",
            json!({
                "name": p.policy_name,
                "description": p.policy_description,
                "application_id": application,
                "tags": ex("var.tags"),
                "rule": [{
                    "project_ids": ex("[var.project_id]"),
                    "permission_set_names": [PRIVATE_ACCESS],
                }],
            }),
        ),
        (
            "scaleway_iam_api_key",
            json!({ "application_id": application, "description": p.key_description }),
        ),
    ];
    for (ty, body) in &mut resources {
        if let Some(obj) = body.as_object_mut() {
            obj.insert(repeat.0.to_string(), repeat.1.clone());
        }
        m.resource(ty, name, body.take());
    }
}

pub(super) const CHILD: Child = Child {
    name: "iam",
    wanted: |shape| shape.iam,
    module: |_| module(),
    call,
    variables: nothing,
    outputs: nothing,
};

fn call(cx: Cx) -> Value {
    module_call(
        "iam",
        None,
        json!({
            "applications": ex(applications(cx.shape)),
            // One application per `link TARGET token=KEY`, keyed CALLER->TARGET
            // (review 10); IAM names are at most 64 characters.
            "links": ex(links(cx.shape)),
            "prober_name": ex(format!("anytrue([for s in values(var.services) : s.privacy == \"private\"]) ? \"${{var.environment}}-{}-prober\" : null", hcl::literal(&cx.first().name.value))),
            "tags": ex("local.tags"),
        }),
    )
}

/// `modules/iam`'s applications: each service with a key, and each job (a migration
/// too) with one, keyed `job:KEY`. A migration may change its databases' schema; a
/// service may only when no migration in the environment changes that database's (it
/// migrates at boot); a `job` never (docs/scaleway-facts.md, IAM).
fn applications(shape: Shape) -> String {
    let schema = if shape.jobs {
        "length(setsubtract(toset(values(s.databases)), toset(flatten([for j in var.jobs : values(j.databases) if j.schema])))) > 0"
    } else {
        "length(s.databases) > 0"
    };
    let services = format!("{{ for name, s in var.services : name => {{ name = s.name, access = s.bucket_access, databases = length(s.databases) > 0, schema = {schema} }} if length(s.bucket_access) + length(s.databases) > 0 }}");
    if !shape.jobs {
        return services;
    }
    let p = super::jobs::IAM_PREFIX;
    format!("merge({services}, {{ for key, j in var.jobs : \"{p}${{key}}\" => {{ name = j.name, access = j.bucket_access, databases = length(j.databases) > 0, schema = j.schema }} if length(j.bucket_access) + length(j.databases) > 0 }})")
}

/// `modules/iam`'s `links`: one application per `link TARGET token=KEY` of a service
/// (keyed `CALLER->TARGET`) or of a job (keyed `job:KEY->TARGET`), whose key may only
/// call private containers (review 10).
fn links(shape: Shape) -> String {
    let services = "[for name, s in var.services : [for t in values(s.tokens) : { key = \"${name}->${t}\", name = substr(\"${s.name}-calls-${t}\", 0, 64), caller = s.name, target = var.services[t].name }]]";
    let callers = if shape.jobs {
        let p = super::jobs::IAM_PREFIX;
        format!("{services}, [for key, j in var.jobs : [for t in values(j.tokens) : {{ key = \"{p}${{key}}->${{t}}\", name = substr(\"${{j.name}}-calls-${{t}}\", 0, 64), caller = j.name, target = var.services[t].name }}]]")
    } else {
        services.to_string()
    };
    format!("{{ for l in distinct(flatten([{callers}])) : l.key => {{ name = l.name, caller = l.caller, target = l.target }} }}")
}
