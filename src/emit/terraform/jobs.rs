//! `modules/jobs`: Serverless Job definitions, one per entry of `var.jobs`. A service's
//! `migrate` is one such job (run on demand by `scripts/migrate.sh` before the rollout);
//! the map is shaped so that scheduled jobs (`cron`) fit in it too.
//!
//! Secrets reach a job by Secret Manager reference (`secret_reference`), never by value:
//! no secret value sits in the job's configuration or in the state's record of it.

use super::{ex, Module};
use serde_json::json;

/// The object type of one job in `var.jobs`: the module's, or (`root`) the root's
/// (environments/ENV.tfvars.json), which names vars and secrets for the root module to
/// resolve and gives a built image by name.
pub fn job_type(root: bool) -> String {
    let mut fields = vec![("name", "string")];
    if root {
        fields.extend([("image", "optional(string)"), ("image_name", "string")]);
    } else {
        fields.push(("image", "string"));
    }
    fields.extend([("command", "list(string)"), ("env", "map(string)")]);
    if root {
        fields.extend([("env_vars", "map(string)"), ("secret_env", "map(string)")]);
    } else {
        fields.push(("secrets", "map(string)"));
    }
    fields.extend([
        ("cpu_limit", "number"),
        ("memory_limit", "number"),
        ("local_storage_capacity", "number"),
        ("timeout", "string"),
        (
            "cron",
            "optional(object({ schedule = string, timezone = string }))",
        ),
    ]);
    let body: String = fields
        .iter()
        .map(|(key, ty)| format!("\n    {key} = {ty}"))
        .collect();
    format!("object({{{body}\n  }})")
}

/// The key of a service's migration job in `var.jobs`.
pub fn migrate_key(service: &str) -> String {
    format!("{service}-migrate")
}

/// Local storage of a migration job, in MiB.
pub const LOCAL_STORAGE_MIB: i128 = 1000;

pub fn module() -> Module {
    let mut m = Module::new("jobs");
    m.var("region", "string", "The Serverless Jobs region.");
    m.var(
        "jobs",
        &format!("map({})", job_type(false)),
        "Job definitions: image, startup command, env, secrets (env key -> Secret Manager id), resources, timeout, optional cron.",
    );
    m.resource(
        "scaleway_job_definition",
        "this",
        json!({
            "for_each": ex("var.jobs"),
            "name": ex("each.value.name"),
            "region": ex("var.region"),
            "image_uri": ex("each.value.image"),
            "startup_command": ex("each.value.command"),
            "env": ex("each.value.env"),
            "cpu_limit": ex("each.value.cpu_limit"),
            "memory_limit": ex("each.value.memory_limit"),
            "local_storage_capacity": ex("each.value.local_storage_capacity"),
            "timeout": ex("each.value.timeout"),
            "dynamic": {
                "cron": {
                    "for_each": ex("each.value.cron == null ? [] : [each.value.cron]"),
                    "content": {
                        "schedule": ex("cron.value.schedule"),
                        "timezone": ex("cron.value.timezone"),
                    },
                },
                "secret_reference": {
                    "for_each": ex("each.value.secrets"),
                    "content": {
                        "secret_id": ex("secret_reference.value"),
                        "environment": ex("secret_reference.key"),
                    },
                },
            },
        }),
    );
    m.output(
        "ids",
        ex("{ for k, j in scaleway_job_definition.this : k => j.id }"),
        "Each job definition's id (REGION/UUID), keyed as var.jobs.",
    );
    m
}
