//! `modules/jobs`: Serverless Job definitions, one per entry of `var.jobs`. A service's
//! `migrate` is one such job (run on demand by `scripts/migrate.sh` before the rollout,
//! keyed SERVICE-migrate); a `job` is another, run on its `cron` or by `scripts/job.sh`.
//!
//! Secrets reach a job by Secret Manager reference (`secret_reference`), never by value:
//! no secret value sits in the job's configuration or in the state's record of it. A
//! job uses what a service uses (`var.uses`): bucket names and the S3 endpoint are
//! plain env; what comes from its own IAM key (a database URL, the bucket secret key,
//! a `link token=` key) is written here to Secret Manager (`scaleway_secret.derived`,
//! write-only) and referenced. Jobs with a `link` are `scaleway_job_definition.linked`:
//! their URLs need the containers, and `this` (migrations among them) must not, so that
//! applying a migration alone never rolls the containers out first.

use super::{ex, module_call, output, variable, Child, Cx, Module};
use crate::model::Stack;
use serde_json::{json, Map, Value};

/// The object type of one job in `var.jobs`: the module's, or (`root`) the root's
/// (environments/ENV.tfvars.json), which names vars and secrets for the root module to
/// resolve, gives a built image by name, and says what the job uses (see [`USES_FIELDS`]).
pub fn job_type(root: bool, queues: bool) -> String {
    let mut fields = vec![("name", "string")];
    if root {
        fields.extend([("image", "optional(string)"), ("image_name", "string")]);
    } else {
        fields.push(("image", "string"));
    }
    fields.extend([
        ("command", "list(string)"),
        ("args", "optional(list(string))"),
        ("env", "map(string)"),
    ]);
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
    if root {
        fields.extend(USES_FIELDS);
        if queues {
            fields.push(QUEUES_FIELD);
        }
    }
    let body: String = fields
        .iter()
        .map(|(key, ty)| format!("\n    {key} = {ty}"))
        .collect();
    format!("object({{{body}\n  }})")
}

/// What a job uses, as a service does: link URLs, buckets (and the S3 keys they
/// bring), databases, tokens for private services, and whether it may change the
/// databases' schema (a migration may; see docs/scaleway-facts.md, IAM).
const USES_FIELDS: [(&str, &str); 7] = [
    (
        "links",
        "map(object({ target = string, url = string, domain = optional(string) }))",
    ),
    ("buckets", "map(string)"),
    ("bucket_access", "map(string)"),
    ("s3_keys", "object({ id = string, secret = string })"),
    ("databases", "map(string)"),
    ("tokens", "map(string)"),
    ("schema", "bool"),
];

/// The queues a job uses (env key -> queue and access), a field only when the stack has
/// queues.
const QUEUES_FIELD: (&str, &str) = ("queues", "map(object({ queue = string, access = string }))");

/// The fields of [`USES_FIELDS`] that the module reads (`var.uses`): the IAM module
/// reads the others (bucket access, schema rights) from the root's `var.jobs`.
fn module_uses(queues: bool) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    USES_FIELDS
        .iter()
        .filter(|(k, _)| !matches!(*k, "bucket_access" | "schema"))
        .chain(queues.then_some(&QUEUES_FIELD))
}

/// The names of the fields the module reads, for the root module to pass on as `uses`.
pub fn uses_fields(queues: bool) -> impl Iterator<Item = &'static str> {
    module_uses(queues).map(|(k, _)| *k)
}

/// The key of a service's migration job in `var.jobs` (a name: it lives in the model,
/// where the checks read it too).
pub use crate::model::names::migrate_key;

/// The key of a job (or migration) in `modules/iam`'s applications: `job:KEY`, apart
/// from services' (a job and a service may share a name).
pub const IAM_PREFIX: &str = "job:";

/// Local storage of a migration job, in MiB.
pub const LOCAL_STORAGE_MIB: i128 = 1000;

/// What the stack's jobs need of the module, in any environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// Some job (or migration) has an IAM application: buckets, databases, tokens.
    pub iam: bool,
    /// Some `job` links to a service.
    pub links: bool,
    /// The stack declares queues: jobs (migrations too) may use them.
    pub queues: bool,
    /// Some job (or migration) uses a Redis cluster: its URL goes to Secret Manager.
    pub redis: bool,
}

impl Needs {
    pub fn of(envs: &[Stack]) -> Needs {
        Needs {
            iam: envs.iter().any(Stack::jobs_use_iam),
            links: envs
                .iter()
                .any(|e| e.jobs.iter().any(|j| !j.links.is_empty())),
            queues: envs.iter().any(|e| !e.queues.is_empty()),
            redis: envs.iter().any(|e| {
                e.jobs.iter().any(|j| !j.redis.is_empty())
                    || e.services
                        .iter()
                        .any(|s| s.migrate.is_some() && !s.redis.is_empty())
            }),
        }
    }

    /// Whether jobs write secrets they derive to Secret Manager: from IAM keys, or SQS
    /// credentials.
    pub fn derived(&self) -> bool {
        self.iam || self.queues
    }
}

/// `var.MAP["job:${KEY}"]`: the entry of a job's IAM application in a map of
/// modules/iam's outputs.
fn by_job(map: &str, key: &str) -> String {
    format!("var.{map}[\"{IAM_PREFIX}${{{key}}}\"]")
}

pub fn module(needs: Needs) -> Module {
    let mut m = Module::new("jobs");
    m.var("region", "string", "The Serverless Jobs region.");
    m.var(
        "jobs",
        &format!("map({})", job_type(false, needs.queues)),
        "Job definitions: image, startup command and arguments, env, secrets (env key -> Secret Manager id), resources, timeout, optional cron.",
    );
    let uses: String = module_uses(needs.queues)
        .map(|(k, ty)| format!("\n    {k} = {ty}"))
        .collect();
    m.var(
        "uses",
        &format!("map(object({{{uses}\n  }}))"),
        "What each job uses, keyed as var.jobs: link URLs (env key -> target and URL), buckets (env key -> bucket), the S3 keys' env names, databases (env key -> database), tokens (env key -> private service).",
    );
    // Values that only exist once the IAM, database and storage modules have run.
    for (name, description) in [
        (
            "bucket_names",
            "Each bucket's name, keyed by the stack's bucket names.",
        ),
        (
            "access_keys",
            "The access key id of each IAM application, keyed job:KEY for jobs.",
        ),
        (
            "application_ids",
            "Each IAM application's id (the user of a database URL), keyed job:KEY for jobs.",
        ),
        (
            "secret_key_ids",
            "Each API key's id, keyed job:KEY for jobs: a secret is written again when it changes.",
        ),
        (
            "database_endpoints",
            "Each database's endpoint, keyed by the stack's database names.",
        ),
        (
            "link_secret_key_ids",
            "Each `link token=` key's id, keyed job:KEY->TARGET for jobs: a token is written again when it changes.",
        ),
    ] {
        m.var(name, "map(string)", description)
            .insert("default".into(), json!({}));
    }
    let secret_keys = m.var(
        "secret_keys",
        "map(string)",
        "The secret key of each IAM application, keyed job:KEY for jobs.",
    );
    secret_keys.insert("default".into(), json!({}));
    secret_keys.insert("sensitive".into(), json!(true));
    let link_secret_keys = m.var(
        "link_secret_keys",
        "map(string)",
        "The secret key of each `link token=` application (ContainersPrivateAccess only), keyed job:KEY->TARGET for jobs.",
    );
    link_secret_keys.insert("default".into(), json!({}));
    link_secret_keys.insert("sensitive".into(), json!(true));
    if needs.links {
        m.var(
            "hosts",
            "map(string)",
            "Each service's default host name, for link URLs.",
        )
        .insert("default".into(), json!({}));
    }
    // A job's own keys win: a migration's `env`/`secret-env` replace what it derives.
    let s3_env = format!(
        "{{ for k, b in var.uses[each.key].buckets : k => var.bucket_names[b] }}, length(var.uses[each.key].buckets) == 0 ? {{}} : {{ S3_ENDPOINT = \"https://s3.${{var.region}}.scw.cloud\", S3_REGION = var.region, (var.uses[each.key].s3_keys.id) = {} }}",
        by_job("access_keys", "each.key")
    );
    if needs.queues {
        m.var(
            "sqs_endpoint",
            "string",
            "The SQS endpoint of the environment's project (modules/queues), or null.",
        )
        .insert("default".into(), serde_json::Value::Null);
        for (name, description, sensitive) in [
            ("queue_urls", "Each queue's URL, keyed by the stack's queue names.", false),
            ("sqs_credential_ids", "Each SQS credentials' id, keyed job:KEY for jobs: a secret is written again when it changes.", false),
            ("sqs_access_keys", "Each SQS access key, keyed job:KEY for jobs.", true),
            ("sqs_secret_keys", "Each SQS secret key, keyed job:KEY for jobs.", true),
        ] {
            let v = m.var(name, "map(string)", description);
            v.insert("default".into(), json!({}));
            if sensitive {
                v.insert("sensitive".into(), json!(true));
            }
        }
    }
    // Queues: each URL, the endpoint and region in env (the credentials are derived
    // secrets, below).
    let s3_env = if needs.queues {
        format!("{s3_env}, length(var.uses[each.key].queues) == 0 ? {{}} : merge({{ for k, q in var.uses[each.key].queues : k => var.queue_urls[q.queue] }}, {{ SQS_ENDPOINT = var.sqs_endpoint, SQS_REGION = var.region }})")
    } else {
        s3_env
    };
    let mut secrets = "each.value.secrets".to_string();
    let mut locals = serde_json::Map::new();
    let mut written: Vec<&str> = Vec::new();
    if needs.derived() || needs.redis {
        m.var(
            "secret_path",
            "string",
            "The Secret Manager path of the derived secrets, /ENV/STACK.",
        );
        m.var("tags", "list(string)", "Tags on every secret.")
            .insert("default".into(), json!([]));
    }
    if needs.derived() {
        // A secret a job derives (a database URL built from its own IAM key, the key
        // itself, SQS credentials) goes to Secret Manager, since a job reads secrets
        // only by reference.
        // With queues, an entry also says which SQS key it is (`access`, `secret`), or "".
        let (sqs, sqs_entries) = if needs.queues {
            (
                ", sqs = \"\"",
                ", { for env, part in (length(u.queues) == 0 ? {} : { SQS_ACCESS_KEY_ID = \"access\", SQS_SECRET_ACCESS_KEY = \"secret\" }) : \"${key}/${env}\" => { job = key, env = env, database = \"\", link = \"\", sqs = part } }",
            )
        } else {
            ("", "")
        };
        locals.insert("derived".into(), ex(format!(
            "merge({{}}, [for key, u in var.uses : merge({{ for env, db in u.databases : \"${{key}}/${{env}}\" => {{ job = key, env = env, database = db, link = \"\"{sqs} }} }}, {{ for env in (length(u.buckets) == 0 ? [] : [u.s3_keys.secret]) : \"${{key}}/${{env}}\" => {{ job = key, env = env, database = \"\", link = \"\"{sqs} }} }}, {{ for env, target in u.tokens : \"${{key}}/${{env}}\" => {{ job = key, env = env, database = \"\", link = \"${{key}}->${{target}}\"{sqs} }} }}{sqs_entries})]...)",
        )));
        let (app, key, key_id) = (
            by_job("application_ids", "d.job"),
            by_job("secret_keys", "d.job"),
            by_job("secret_key_ids", "d.job"),
        );
        // A token is the key of the job's own `link` application (ContainersPrivateAccess
        // only, review 10), never the job's key.
        let (link_key, link_key_id) = (
            format!("var.link_secret_keys[\"{IAM_PREFIX}${{d.link}}\"]"),
            format!("var.link_secret_key_ids[\"{IAM_PREFIX}${{d.link}}\"]"),
        );
        // Scaleway's connection string: postgres://APP_ID:SECRET_KEY@HOST:PORT/DB?sslmode=require.
        let (sqs_value, sqs_version) = if needs.queues {
            (
                format!(
                    "d.sqs == \"access\" ? {} : d.sqs == \"secret\" ? {} : ",
                    by_job("sqs_access_keys", "d.job"),
                    by_job("sqs_secret_keys", "d.job")
                ),
                format!(
                    "d.sqs != \"\" ? {} : ",
                    by_job("sqs_credential_ids", "d.job")
                ),
            )
        } else {
            (String::new(), String::new())
        };
        locals.insert("derived_values".into(), ex(format!(
            "{{ for id, d in local.derived : id => {sqs_value}d.link != \"\" ? {link_key} : d.database == \"\" ? {key} : \"postgres://${{{app}}}:${{{key}}}@${{trimprefix(var.database_endpoints[d.database], \"postgres://\")}}\" }}"
        )));
        // The version changes with what the value is made of, none of it secret: the
        // API key (its id) and the database's endpoint.
        locals.insert("derived_versions".into(), ex(format!(
            "{{ for id, d in local.derived : id => parseint(substr(sha256({sqs_version}d.link != \"\" ? {link_key_id} : \"${{{key_id}}} ${{d.database == \"\" ? \"\" : var.database_endpoints[d.database]}}\"), 0, 8), 16) }}"
        )));
        m.resource(
            "scaleway_secret",
            "derived",
            json!({
                "for_each": ex("local.derived"),
                "name": "${var.jobs[each.value.job].name}-${lower(replace(each.value.env, \"_\", \"-\"))}",
                "path": ex("var.secret_path"),
                "description": "${each.value.env} of job ${var.jobs[each.value.job].name}, written by Terraform.",
                "tags": ex("var.tags"),
            }),
        );
        m.resource(
            "scaleway_secret_version",
            "derived",
            json!({
                "for_each": ex("local.derived"),
                "secret_id": ex("scaleway_secret.derived[each.key].id"),
                "data_wo": ex("local.derived_values[each.key]"),
                "data_wo_version": ex("local.derived_versions[each.key]"),
            }),
        );
        secrets = "merge({ for id, d in local.derived : d.env => scaleway_secret.derived[id].id if d.job == each.key }, each.value.secrets)".into();
        written.push("scaleway_secret_version.derived");
    }
    if needs.redis {
        // `redis NAME env=KEY`: the cluster's rediss:// URL (it holds the password) goes
        // to Secret Manager, write-only, and the job reads it by reference. Its version
        // is 32 bits of a hash of the URL, as modules/secrets versions stored secrets.
        m.var(
            "redis_uses",
            "map(map(string))",
            "Each job's Redis clusters, keyed as var.jobs: env key -> the stack's Redis name.",
        )
        .insert("default".into(), json!({}));
        let urls = m.var(
            "redis_urls",
            "map(string)",
            "Each Redis cluster's rediss:// URL (modules/redis), keyed by the stack's names.",
        );
        urls.insert("default".into(), json!({}));
        urls.insert("sensitive".into(), json!(true));
        locals.insert("redis".into(), ex(
            "merge({}, [for key, u in var.redis_uses : { for env, r in u : \"${key}/${env}\" => { job = key, env = env, redis = r } }]...)",
        ));
        m.resource(
            "scaleway_secret",
            "redis",
            json!({
                "for_each": ex("local.redis"),
                "name": "${var.jobs[each.value.job].name}-${lower(replace(each.value.env, \"_\", \"-\"))}",
                "path": ex("var.secret_path"),
                "description": "${each.value.env} of job ${var.jobs[each.value.job].name} (Redis ${each.value.redis}), written by Terraform.",
                "tags": ex("var.tags"),
            }),
        );
        m.resource(
            "scaleway_secret_version",
            "redis",
            json!({
                "for_each": ex("local.redis"),
                "secret_id": ex("scaleway_secret.redis[each.key].id"),
                "data_wo": ex("var.redis_urls[each.value.redis]"),
                "data_wo_version": ex("parseint(substr(sha256(\"cellac:${each.key}:${var.redis_urls[each.value.redis]}\"), 0, 8), 16)"),
            }),
        );
        secrets = format!("merge({{ for id, d in local.redis : d.env => scaleway_secret.redis[id].id if d.job == each.key }}, {secrets})");
        written.push("scaleway_secret_version.redis");
    }
    if !locals.is_empty() {
        m.main
            .insert("locals".into(), serde_json::Value::Object(locals));
    }
    let definition = |for_each: &str, env: String| {
        let mut body = json!({
            "for_each": ex(for_each),
            "name": ex("each.value.name"),
            "region": ex("var.region"),
            "image_uri": ex("each.value.image"),
            "startup_command": ex("each.value.command"),
            "args": ex("each.value.args"),
            "env": ex(env),
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
                    "for_each": ex(&secrets),
                    "content": {
                        "secret_id": ex("secret_reference.value"),
                        "environment": ex("secret_reference.key"),
                    },
                },
            },
        });
        if !written.is_empty() {
            // A run reads the latest versions: they exist before the definition changes.
            body["depends_on"] = json!(written);
        }
        body
    };
    // Jobs that link to a service depend on the containers (their hosts): they are
    // defined apart, so that a migration (`apply.sh --jobs-only`, targeting
    // `this["SERVICE-migrate"]`) never pulls the containers' rollout in before it.
    let this = if needs.links {
        "{ for k, j in var.jobs : k => j if length(var.uses[k].links) == 0 }"
    } else {
        "var.jobs"
    };
    m.resource(
        "scaleway_job_definition",
        "this",
        definition(this, format!("merge({s3_env}, each.value.env)")),
    );
    let mut ids = "{ for k, j in scaleway_job_definition.this : k => j.id }".to_string();
    if needs.links {
        let links = "{ for k, l in var.uses[each.key].links : k => replace(replace(replace(l.url, \"{url}\", \"https://{host}\"), \"{domain}\", coalesce(l.domain, var.hosts[l.target])), \"{host}\", var.hosts[l.target]) }";
        m.resource(
            "scaleway_job_definition",
            "linked",
            definition(
                "{ for k, j in var.jobs : k => j if length(var.uses[k].links) > 0 }",
                format!("merge({s3_env}, {links}, each.value.env)"),
            ),
        );
        ids = format!("merge({ids}, {{ for k, j in scaleway_job_definition.linked : k => j.id }})");
    }
    m.output(
        "ids",
        ex(ids),
        "Each job definition's id (REGION/UUID), keyed as var.jobs.",
    );
    // Migrations are always in `this`: an output that reads only `this` is written by the
    // migrations' targeted apply, which `ids` (also reading `linked`) is not.
    m.output(
        "migration_ids",
        ex("{ for k, j in scaleway_job_definition.this : k => j.id if endswith(k, \"-migrate\") }"),
        "Each migration's job definition id (REGION/UUID), keyed SERVICE-migrate.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "jobs",
    wanted: |shape| shape.jobs,
    module: |cx| module(Needs::of(cx.envs)),
    call,
    variables,
    outputs,
};

fn call(cx: Cx) -> Value {
    let shape = cx.shape;
    // The image a job runs: a prebuilt one, or the service's, built by images.sh
    // and tagged with the release (so a migration runs the new code).
    let image = if shape.registry {
        "j.image != null ? j.image : \"${module.registry.endpoint}/${j.image_name}:${var.image_tag}\""
    } else {
        "j.image"
    };
    // Secrets by Secret Manager id, never by value (cellac::migrate::secret-store
    // makes sure each one is stored).
    let secrets = if shape.secrets {
        "{ for k, name in j.secret_env : k => module.secrets.ids[name] }"
    } else {
        "{}"
    };
    // `redis NAME certificate-env=KEY`: the cluster's TLS certificate, plain env.
    let certificates = if shape.redis {
        ", { for k, r in lookup(var.job_redis_certificates, key, {}) : k => module.redis.certificates[r] }"
    } else {
        ""
    };
    let mut call = module_call(
        "jobs",
        Some(&cx.first().region.value),
        json!({
            "jobs": ex(format!("{{ for key, j in var.jobs : key => {{ name = j.name, image = {image}, command = j.command, args = j.args, env = merge(j.env, {{ for k, v in j.env_vars : k => local.vars[v] }}{certificates}), secrets = {secrets}, cpu_limit = j.cpu_limit, memory_limit = j.memory_limit, local_storage_capacity = j.local_storage_capacity, timeout = j.timeout, cron = j.cron }} }}")),
        }),
    );
    if shape.secrets {
        // A run reads the secrets' latest versions: they must be written first.
        call["depends_on"] = json!(["module.secrets"]);
    }
    uses(&mut call, cx);
    call
}

/// What the jobs module needs for what jobs use (buckets, databases, links, tokens):
/// `uses` from `var.jobs`, and the maps of the modules that make them.
fn uses(call: &mut Value, cx: Cx) {
    let shape = cx.shape;
    let fields: Vec<String> = uses_fields(shape.queues)
        .map(|f| format!("{f} = j.{f}"))
        .collect();
    call["uses"] = ex(format!(
        "{{ for key, j in var.jobs : key => {{ {} }} }}",
        fields.join(", ")
    ));
    let needs = Needs::of(cx.envs);
    if shape.storage {
        call["bucket_names"] = ex("module.storage.buckets");
    }
    if shape.database {
        call["database_endpoints"] = ex("module.database.endpoints");
    }
    if needs.iam {
        call["access_keys"] = ex("module.iam.access_keys");
        call["application_ids"] = ex("module.iam.application_ids");
        call["secret_keys"] = ex("module.iam.secret_keys");
        call["secret_key_ids"] = ex("module.iam.secret_key_ids");
        call["link_secret_keys"] = ex("module.iam.link_secret_keys");
        call["link_secret_key_ids"] = ex("module.iam.link_secret_key_ids");
    }
    if needs.derived() {
        call["secret_path"] = ex("var.names.secret_path");
        call["tags"] = ex("local.tags");
    }
    if needs.queues {
        call["sqs_endpoint"] = ex("module.queues.endpoint");
        call["queue_urls"] = ex("module.queues.urls");
        call["sqs_credential_ids"] = ex("module.queues.credential_ids");
        call["sqs_access_keys"] = ex("module.queues.access_keys");
        call["sqs_secret_keys"] = ex("module.queues.secret_keys");
    }
    if needs.links {
        call["hosts"] = ex("module.containers.hosts");
    }
    if needs.redis {
        call["redis_uses"] = ex("var.job_redis");
        call["redis_urls"] = ex("module.redis.urls");
        call["secret_path"] = ex("var.names.secret_path");
        call["tags"] = ex("local.tags");
    }
}

fn variables(cx: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "jobs".into(),
        Value::Object(variable(
            &format!("map({})", job_type(true, cx.shape.queues)),
            "Serverless Job definitions of this environment: each service's `migrate`, keyed SERVICE-migrate, and each `job`, keyed by its name.",
        )),
    );
    if cx.shape.redis {
        vars.insert(
            "job_redis".into(),
            Value::Object(variable(
                "map(map(string))",
                "Each job's (and migration's) Redis clusters, keyed as var.jobs: env key -> the stack's Redis name.",
            )),
        );
        vars.insert(
            "job_redis_certificates".into(),
            Value::Object(variable(
                "map(map(string))",
                "Each job's (and migration's) `certificate-env` keys, keyed as var.jobs: env key -> the stack's Redis name.",
            )),
        );
    }
}

fn outputs(cx: Cx, out: &mut Map<String, Value>) {
    if cx.envs.iter().any(Stack::migrates) {
        output(
            out,
            "migrations".into(),
            ex("{ for name, s in var.services : name => module.jobs.migration_ids[\"${name}-migrate\"] if contains(keys(module.jobs.migration_ids), \"${name}-migrate\") }"),
            "Each migrating service's job definition id (REGION/UUID), which migrate.sh runs before the rollout.",
        );
    }
    // The stack's `job`s, by name, in any environment: job.sh starts one of them.
    let mut names: Vec<&str> = Vec::new();
    for s in cx.envs {
        for j in &s.jobs {
            if !names.contains(&j.name.value.as_str()) {
                names.push(&j.name.value);
            }
        }
    }
    if !names.is_empty() {
        output(
            out,
            "jobs".into(),
            ex(format!(
                // Only those defined: a targeted apply (the migrations alone, before the
                // rollout) leaves a new job undefined, and an index would fail the plan.
                "{{ for name in {} : name => module.jobs.ids[name] if contains(keys(module.jobs.ids), name) }}",
                serde_json::to_string(&names).unwrap_or_default()
            )),
            "Each `job`'s definition id (REGION/UUID), which job.sh starts.",
        );
    }
}
