//! The root module: `main.tf.json`, `variables.tf.json`, `outputs.tf.json`, the backend
//! files and the secrets template.

use super::containers::{ident, service_type};
use super::storage::{BUCKET_TYPE, SITE_TYPE};
use super::{ex, hcl, variable, Shape};
use crate::emit::{json_bytes, Artifacts};
use crate::model::{Secret, Stack, Var};
use serde_json::{json, Map, Value};

pub const NAMES_TYPE: &str = "object({ containers = string, registry = string, vpc = string, private_network = string, secret_path = string })";
pub const MONITORING_TYPE: &str =
    "object({ sources = map(number), alert_emails = list(string), alert_vars = list(string), preconfigured = bool })";
pub const PROJECT_TYPE: &str = "object({ create = bool, id = optional(string), name = string })";

fn doc(banner: &str, key: &str, body: Map<String, Value>) -> Value {
    let mut d = Map::new();
    d.insert("//".into(), json!(banner));
    if !body.is_empty() {
        d.insert(key.into(), Value::Object(body));
    }
    Value::Object(d)
}

pub fn emit(envs: &[Stack], shape: Shape, banner: &str, files: &mut Artifacts) {
    let s = &envs[0];
    files.insert(
        "main.tf.json".into(),
        json_bytes(&main(envs, shape, banner)),
    );
    files.insert(
        "variables.tf.json".into(),
        json_bytes(&doc(banner, "variable", variables(envs, shape))),
    );
    files.insert(
        "outputs.tf.json".into(),
        json_bytes(&doc(banner, "output", outputs(envs, shape))),
    );
    for e in envs {
        if let Some(state) = &e.state {
            let text = format!(
                "# {banner}\n# terraform init -backend-config=environments/{env}.s3.tfbackend\nbucket = {bucket}\nkey = {key}\nregion = {region}\nendpoints = {{ s3 = {endpoint} }}\nskip_credentials_validation = true\nskip_region_validation = true\nskip_requesting_account_id = true\nskip_s3_checksum = true\nuse_lockfile = true\n",
                env = e.env.value,
                bucket = hcl::string(&state.bucket.value),
                // A preview's state: preview/ID/terraform.tfstate (preview.sh gives ID).
                key = hcl::string(&if e.preview {
                    format!("preview/{}/terraform.tfstate", crate::model::PREVIEW_ID)
                } else {
                    format!("{}/terraform.tfstate", e.env.value)
                }),
                region = hcl::string(&state.region.value),
                endpoint = hcl::string(&format!("https://s3.{}.scw.cloud", state.region.value)),
            );
            files.insert(
                format!("environments/{}.s3.tfbackend", e.env.value),
                text.into_bytes(),
            );
        }
    }
    files.insert(
        "secrets.auto.tfvars.example".into(),
        secrets_example(s, banner).into_bytes(),
    );
    for e in envs {
        files.insert(
            format!("secrets/{}.tfvars.example", e.env.value),
            env_secrets_example(e, banner).into_bytes(),
        );
    }
}

fn main(envs: &[Stack], shape: Shape, banner: &str) -> Value {
    let s = &envs[0];
    let stack = &s.name.value;
    let mut terraform = json!({
        "required_version": ">= 1.11",
        "required_providers": { "scaleway": { "source": "scaleway/scaleway", "version": s.provider.value } },
    });
    if envs.iter().any(|e| e.state.is_some()) {
        terraform["backend"] = json!({ "s3": {} });
    }
    let mut locals = json!({
        "tags": ["app:".to_string() + stack, "env:${var.environment}", "managed-by:cellac"],
        "bucket_tags": { "app": stack, "env": ex("var.environment"), "managed-by": "cellac" },
    });
    let secret_map: Vec<String> = s
        .secrets
        .iter()
        .map(|x| format!("{} = var.{}", hcl::string(&x.name.value), x.name.value))
        .collect();
    locals["secrets"] = ex(format!("{{ {} }}", secret_map.join(", ")));
    let var_map: Vec<String> = s
        .vars
        .iter()
        .map(|x| format!("{} = var.{}", hcl::string(&x.name.value), x.name.value))
        .collect();
    locals["vars"] = ex(format!("{{ {} }}", var_map.join(", ")));
    locals["service_domains"] = ex(
        "merge({}, [for name, s in var.services : { for host in s.domains : host => name }]...)",
    );
    // Every resource lives in the environment's project: the one created for it, the
    // one `project id=` names, or the API key's default project (the data source's
    // answer when given no id).
    let mut data = Map::new();
    data.insert(
        "scaleway_account_project".into(),
        json!({ "current": {
            "count": ex("var.project.create ? 0 : 1"),
            "project_id": ex("var.project.id"),
        } }),
    );
    locals["project_id"] = ex(if shape.project {
        "var.project.create ? module.project[0].id : data.scaleway_account_project.current[0].id"
    } else {
        "data.scaleway_account_project.current[0].id"
    });
    if shape.implicit_deployer {
        // An environment with bucket policies and no `deployer`: the key that runs keeps
        // full access (a 2023-04-17 policy denies everything it does not allow). Its
        // user, or, for an IAM application's key (whose user_id is null or empty), its
        // application. Environments that declare deployers never look the key up.
        data.insert(
            "scaleway_iam_api_key".into(),
            json!({ "deployer": {
                "count": ex("length(var.deployers) == 0 ? 1 : 0"),
                "access_key": ex("var.deployer_access_key"),
            } }),
        );
        locals["deployers"] = ex("length(var.deployers) > 0 ? var.deployers : [for k in data.scaleway_iam_api_key.deployer : try(length(k.user_id) > 0, false) ? \"user_id:${k.user_id}\" : \"application_id:${k.application_id}\"]");
    }
    let mut modules = Map::new();
    if shape.project {
        modules.insert(
            "project".into(),
            json!({
                "source": "./modules/project",
                "count": ex("var.project.create ? 1 : 0"),
                "name": ex("var.project.name"),
            }),
        );
    }
    if shape.network {
        modules.insert(
            "network".into(),
            module_call(
                "network",
                None,
                json!({
                    "vpc_name": ex("var.names.vpc"),
                    "private_network_name": ex("var.names.private_network"),
                    "subnet": ex("var.subnet"),
                    "tags": ex("local.tags"),
                }),
            ),
        );
    }
    if shape.iam {
        modules.insert(
            "iam".into(),
            module_call(
                "iam",
                None,
                json!({
                    "applications": ex(iam_applications(shape)),
                    // One application per `link TARGET token=KEY`, keyed CALLER->TARGET
                    // (review 10); IAM names are at most 64 characters.
                    "links": ex(iam_links(shape)),
                    "prober_name": ex(format!("anytrue([for s in values(var.services) : s.privacy == \"private\"]) ? \"${{var.environment}}-{}-prober\" : null", hcl::literal(stack))),
                    "tags": ex("local.tags"),
                }),
            ),
        );
    }
    if shape.registry {
        modules.insert(
            "registry".into(),
            module_call(
                "registry",
                None,
                json!({
                    "name": ex("var.names.registry"),
                    "public": ex("var.registry_public"),
                }),
            ),
        );
    }
    if shape.secrets {
        modules.insert(
            "secrets".into(),
            module_call(
                "secrets",
                None,
                json!({
                    "path": ex("var.names.secret_path"),
                    "names": ex("var.stored_secrets"),
                    "values": ex("local.secrets"),
                    "tags": ex("local.tags"),
                }),
            ),
        );
    }
    if shape.containers {
        let mut c = module_call(
            "containers",
            Some(&s.region.value),
            json!({
                "namespace_name": ex("var.names.containers"),
                "logs_token_name": format!("${{var.environment}}-{}-logs", hcl::literal(stack)),
                "attached_domains": ex("var.attached_domains"),
                "services": ex("var.services"),
                "vars": ex("local.vars"),
                "secret_values": ex("local.secrets"),
                "tags": ex("local.tags"),
            }),
        );
        c["image_digests"] = ex("var.image_digests");
        if shape.registry {
            c["registry_endpoint"] = ex("module.registry.endpoint");
            c["image_tag"] = ex("var.image_tag");
        }
        if shape.dns {
            c["manage_domains"] = ex("var.dns_zone == null");
        }
        if shape.network {
            c["private_network_id"] = ex("module.network.private_network_id");
        }
        if shape.iam {
            // The services' IAM policies exist before any container starts: a container
            // that reaches Object Storage or its database at boot is allowed from its
            // first start (review 19).
            c["depends_on"] = json!(["module.iam"]);
            c["access_keys"] = ex("module.iam.access_keys");
            c["secret_keys"] = ex("module.iam.secret_keys");
            c["application_ids"] = ex("module.iam.application_ids");
            c["link_secret_keys"] = ex("module.iam.link_secret_keys");
        }
        if shape.storage {
            c["bucket_names"] = ex("module.storage.buckets");
        }
        if shape.database {
            c["database_endpoints"] = ex("module.database.endpoints");
        }
        if shape.queues {
            c["sqs_endpoint"] = ex("module.queues.endpoint");
            c["queue_urls"] = ex("module.queues.urls");
            c["sqs_access_keys"] = ex("module.queues.access_keys");
            c["sqs_secret_keys"] = ex("module.queues.secret_keys");
            c["trigger_access_keys"] = ex("module.queues.trigger_access_keys");
            c["trigger_secret_keys"] = ex("module.queues.trigger_secret_keys");
        }
        if shape.redis {
            c["redis_urls"] = ex("module.redis.urls");
            c["redis_certificates"] = ex("module.redis.certificates");
        }
        modules.insert("containers".into(), c);
    }
    if shape.redis {
        // In the private network only: the stack declares `network` (cellac::redis::network).
        let mut r = module_call(
            "redis",
            None,
            json!({
                "clusters": ex("var.redis"),
                "passwords": ex("local.secrets"),
                "zone": s.zone.value,
                "tags": ex("local.tags"),
            }),
        );
        if shape.network {
            r["private_network_id"] = ex("module.network.private_network_id");
        }
        modules.insert("redis".into(), r);
    }
    if shape.database {
        modules.insert(
            "database".into(),
            module_call(
                "database",
                Some(&s.region.value),
                json!({
                    "databases": ex("var.databases"),
                }),
            ),
        );
    }
    if shape.queues {
        // SQS credentials: each service and job (a migration too) with `queue NAME
        // access=` gets its own, allowed to publish where it sends and to receive where
        // it receives; each consuming service one for its triggers, receive only.
        let allowed = |m: &str, access: &str| {
            format!("anytrue([for q in values({m}.queues) : q.access == \"{access}\"])")
        };
        let services = format!(
            "{{ for name, s in var.services : name => {{ name = \"${{s.name}}-sqs\", publish = {}, receive = {} }} if length(s.queues) > 0 }}",
            allowed("s", "send"),
            allowed("s", "receive")
        );
        let users = if shape.jobs {
            let p = super::jobs::IAM_PREFIX;
            format!(
                "merge({services}, {{ for key, j in var.jobs : \"{p}${{key}}\" => {{ name = \"${{j.name}}-sqs\", publish = {}, receive = {} }} if length(j.queues) > 0 }})",
                allowed("j", "send"),
                allowed("j", "receive")
            )
        } else {
            services
        };
        let mut args = json!({
            "queues": ex("var.queues"),
            "manager_name": format!("${{var.environment}}-{}-queues", hcl::literal(stack)),
            "users": ex(users),
        });
        if shape.containers {
            args["consumers"] = ex("{ for name, s in var.services : name => \"${s.name}-trigger\" if length(s.consume) > 0 }");
        }
        modules.insert(
            "queues".into(),
            module_call("queues", Some(&s.region.value), args),
        );
    }
    if shape.jobs {
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
            Some(&s.region.value),
            json!({
                "jobs": ex(format!("{{ for key, j in var.jobs : key => {{ name = j.name, image = {image}, command = j.command, args = j.args, env = merge(j.env, {{ for k, v in j.env_vars : k => local.vars[v] }}{certificates}), secrets = {secrets}, cpu_limit = j.cpu_limit, memory_limit = j.memory_limit, local_storage_capacity = j.local_storage_capacity, timeout = j.timeout, cron = j.cron }} }}")),
            }),
        );
        if shape.secrets {
            // A run reads the secrets' latest versions: they must be written first.
            call["depends_on"] = json!(["module.secrets"]);
        }
        jobs_uses(&mut call, envs, shape);
        modules.insert("jobs".into(), call);
    }
    if shape.storage {
        modules.insert(
            "storage".into(),
            module_call(
                "storage",
                Some(&s.region.value),
                json!({
                    "sites": ex("var.sites"),
                    "buckets": ex("var.buckets"),
                    "force_destroy": ex("var.force_destroy"),
                    "deployers": if shape.implicit_deployer { ex("local.deployers") } else if shape.policies { ex("var.deployers") } else { json!([]) },
                    "tags": ex("local.bucket_tags"),
                }),
            ),
        );
        if shape.iam {
            // Each bucket's policy names every service and job (a migration too) that
            // uses it, with its access: the policy denies everyone else.
            let services = "[for name, s in var.services : { principal = \"application_id:${module.iam.application_ids[name]}\", access = s.bucket_access[b] } if contains(keys(s.bucket_access), b)]";
            let users = if shape.jobs {
                let p = super::jobs::IAM_PREFIX;
                format!("concat({services}, [for key, j in var.jobs : {{ principal = \"application_id:${{module.iam.application_ids[\"{p}${{key}}\"]}}\", access = j.bucket_access[b] }} if contains(keys(j.bucket_access), b)])")
            } else {
                services.to_string()
            };
            modules["storage"]["access"] =
                ex(format!("{{ for b, _ in var.buckets : b => {users} }}"));
        }
    }
    if shape.edge {
        let mut edge = module_call(
            "edge",
            Some(&s.region.value),
            json!({
                "plan": ex("var.edge_plan"),
                "domains": ex("{ for host, d in var.site_domains : host => { bucket_name = var.sites[d.site].bucket_name, waf = d.waf } }"),
            }),
        );
        // The pipelines' backend stages name the site buckets by name (from variables):
        // the buckets exist before the stages are created (review 22).
        if shape.storage {
            edge["depends_on"] = json!(["module.storage"]);
        }
        modules.insert("edge".into(), edge);
    }
    if shape.dns {
        let edge = if shape.edge {
            "module.edge.targets"
        } else {
            "{}"
        };
        let mut dns = module_call(
            "dns",
            None,
            json!({
                "count": ex("var.dns_zone == null ? 0 : 1"),
                "zone": ex("var.dns_zone"),
                "records": ex(format!("merge({{ for host, name in local.service_domains : host => module.containers.hosts[name] }}, {edge})")),
                "service_domains": ex("{ for host, name in local.service_domains : host => module.containers.ids[name] }"),
            }),
        );
        // Records are in the zone's project, whatever the environment's (modules/dns).
        if let Some(call) = dns.as_object_mut() {
            call.remove("project_id");
        }
        modules.insert("dns".into(), dns);
    }
    if shape.monitoring {
        modules.insert("monitoring".into(), module_call("monitoring", Some(&s.region.value), json!({
            "count": ex("var.monitoring == null ? 0 : 1"),
            "preconfigured": ex("var.monitoring.preconfigured"),
            "name_prefix": format!("${{var.environment}}-{}", hcl::literal(stack)),
            "sources": ex("try(var.monitoring.sources, {})"),
            "alert_emails": ex("try(distinct(concat(var.monitoring.alert_emails, [for v in var.monitoring.alert_vars : local.vars[v]])), [])"),
        })));
    }
    json!({
        "//": banner,
        "terraform": terraform,
        "provider": { "scaleway": { "region": s.region.value, "zone": s.zone.value } },
        "locals": locals,
        "data": data,
        "module": modules,
    })
}

/// `modules/iam`'s applications: each service with a key, and each job (a migration
/// too) with one, keyed `job:KEY`. A migration may change its databases' schema; a
/// service may only when no migration in the environment changes that database's (it
/// migrates at boot); a `job` never (docs/scaleway-facts.md, IAM).
fn iam_applications(shape: Shape) -> String {
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
fn iam_links(shape: Shape) -> String {
    let services = "[for name, s in var.services : [for t in values(s.tokens) : { key = \"${name}->${t}\", name = substr(\"${s.name}-calls-${t}\", 0, 64), caller = s.name, target = var.services[t].name }]]";
    let callers = if shape.jobs {
        let p = super::jobs::IAM_PREFIX;
        format!("{services}, [for key, j in var.jobs : [for t in values(j.tokens) : {{ key = \"{p}${{key}}->${{t}}\", name = substr(\"${{j.name}}-calls-${{t}}\", 0, 64), caller = j.name, target = var.services[t].name }}]]")
    } else {
        services.to_string()
    };
    format!("{{ for l in distinct(flatten([{callers}])) : l.key => {{ name = l.name, caller = l.caller, target = l.target }} }}")
}

/// What the jobs module needs for what jobs use (buckets, databases, links, tokens):
/// `uses` from `var.jobs`, and the maps of the modules that make them.
fn jobs_uses(call: &mut Value, envs: &[Stack], shape: Shape) {
    let fields: Vec<String> = super::jobs::uses_fields(shape.queues)
        .map(|f| format!("{f} = j.{f}"))
        .collect();
    call["uses"] = ex(format!(
        "{{ for key, j in var.jobs : key => {{ {} }} }}",
        fields.join(", ")
    ));
    let needs = super::jobs::Needs::of(envs);
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

/// A call of `./modules/NAME` in the environment's project, with `region` where the
/// module takes one, and `args` (an object).
fn module_call(name: &str, region: Option<&str>, args: Value) -> Value {
    let mut call = args;
    call["source"] = json!(format!("./modules/{name}"));
    call["project_id"] = ex("local.project_id");
    if let Some(region) = region {
        call["region"] = json!(region);
    }
    call
}

fn validation(condition: String, message: String) -> Value {
    json!({ "condition": ex(condition), "error_message": message })
}

fn variables(envs: &[Stack], shape: Shape) -> Map<String, Value> {
    let s = &envs[0];
    let mut vars = Map::new();
    let names: Vec<&str> = envs
        .iter()
        .filter(|e| !e.preview)
        .map(|e| e.env.value.as_str())
        .collect();
    let mut env = variable("string", "The environment being deployed.");
    // A preview is `p` + its id (scripts/preview.sh), from the preview template.
    let (condition, message) = if envs.iter().any(|e| e.preview) {
        (
            format!(
                "contains({}, var.environment) || can(regex(\"^p[a-z0-9]{{1,6}}$\", var.environment))",
                hcl::list(&names)
            ),
            format!(
                "The environment must be one of: {}, or a preview: p + an id of 1 to 6 of [a-z0-9].",
                names.join(", ")
            ),
        )
    } else {
        (
            format!("contains({}, var.environment)", hcl::list(&names)),
            format!("The environment must be one of: {}.", names.join(", ")),
        )
    };
    env.insert("validation".into(), json!([validation(condition, message)]));
    vars.insert("environment".into(), Value::Object(env));
    vars.insert(
        "names".into(),
        Value::Object(variable(
            NAMES_TYPE,
            "Names of the environment's resources.",
        )),
    );
    let mut subnet = variable("string", "The private network's IPv4 CIDR.");
    subnet.insert(
        "validation".into(),
        json!([validation(
            "can(cidrhost(var.subnet, 0))".into(),
            "The subnet must be an IPv4 CIDR such as 10.0.0.0/24.".into(),
        )]),
    );
    if shape.network {
        vars.insert("subnet".into(), Value::Object(subnet));
    }
    vars.insert(
        "project".into(),
        Value::Object(variable(
            PROJECT_TYPE,
            "The environment's Scaleway Project: created (named ENV-STACK), given by id, or the API key's default (id null).",
        )),
    );
    if shape.storage {
        let mut f = variable(
            "bool",
            "Delete buckets with their objects on destroy: true in a preview's tfvars, so that `preview.sh down` removes everything; false elsewhere.",
        );
        f.insert("default".into(), json!(false));
        vars.insert("force_destroy".into(), Value::Object(f));
    }
    if shape.policies {
        let mut d = variable(
            "list(string)",
            "The principals that deploy this environment (`deployer` nodes: application_id:UUID or user_id:UUID): every bucket policy grants each of them full access.",
        );
        d.insert("default".into(), json!([]));
        vars.insert("deployers".into(), Value::Object(d));
    }
    if shape.implicit_deployer {
        let mut k = variable(
            "string",
            "The access key (not the secret key) Terraform runs with, read only where the environment declares no `deployer`; the scripts set TF_VAR_deployer_access_key from SCW_ACCESS_KEY. Its user or application keeps full access to buckets with a policy.",
        );
        k.insert("default".into(), Value::Null);
        vars.insert("deployer_access_key".into(), Value::Object(k));
    }
    if shape.registry {
        vars.insert(
            "registry_public".into(),
            Value::Object(variable("bool", "Whether anyone may pull the images.")),
        );
        let mut tag = variable(
            "string",
            "The tag of the images to run: the git commit they were built from.",
        );
        tag.insert(
            "validation".into(),
            json!([validation(
                "can(regex(\"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$\", var.image_tag))".into(),
                "The image tag must be a Docker tag, such as a git commit.".into(),
            )]),
        );
        vars.insert("image_tag".into(), Value::Object(tag));
    }
    if shape.containers {
        let mut d = variable(
            "map(string)",
            "Service name -> sha256:HEX, the digest of the image to run (scripts pass it with -var): a new digest redeploys the container even under the same tag.",
        );
        d.insert("default".into(), json!({}));
        vars.insert("image_digests".into(), Value::Object(d));
    }
    if shape.containers {
        vars.insert(
            "services".into(),
            Value::Object(variable(
                &format!("map({})", service_type(shape)),
                "Each service's settings in this environment.",
            )),
        );
    }
    if shape.containers {
        let mut a = variable(
            "list(string)",
            "Custom container domains to attach: those whose CNAME record exists (scripts/apply.sh passes them).",
        );
        a.insert("default".into(), json!([]));
        vars.insert("attached_domains".into(), Value::Object(a));
    }
    if shape.queues {
        vars.insert(
            "queues".into(),
            Value::Object(variable(
                &format!("map({})", super::queues::QUEUE_TYPE),
                "Each Scaleway Queues (SQS) queue in this environment.",
            )),
        );
    }
    if shape.jobs && shape.redis {
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
    if shape.redis {
        vars.insert(
            "redis".into(),
            Value::Object(variable(
                super::redis::REDIS_TYPE,
                "Each Managed Database for Redis cluster in this environment (`password`: the secret's name).",
            )),
        );
    }
    if shape.database {
        vars.insert(
            "databases".into(),
            Value::Object(variable(
                "map(object({ name = string, min_cpu = number, max_cpu = number }))",
                "Each Serverless SQL Database in this environment.",
            )),
        );
    }
    if shape.jobs {
        vars.insert(
            "jobs".into(),
            Value::Object(variable(
                &format!("map({})", super::jobs::job_type(true, shape.queues)),
                "Serverless Job definitions of this environment: each service's `migrate`, keyed SERVICE-migrate, and each `job`, keyed by its name.",
            )),
        );
    }
    if shape.storage {
        vars.insert(
            "sites".into(),
            Value::Object(variable(
                &format!("map({SITE_TYPE})"),
                "Each static site in this environment.",
            )),
        );
        vars.insert(
            "buckets".into(),
            Value::Object(variable(
                &format!("map({BUCKET_TYPE})"),
                "Each bucket in this environment.",
            )),
        );
    }
    if shape.edge {
        vars.insert(
            "site_domains".into(),
            Value::Object(variable(
                "map(object({ site = string, waf = bool }))",
                "Custom domains served by Edge Services, host -> site.",
            )),
        );
        let mut plan = variable(
            "string",
            "The Edge Services plan of this environment's project.",
        );
        plan.insert(
            "validation".into(),
            json!([validation(
                "contains([\"starter\", \"professional\", \"advanced\"], var.edge_plan)".into(),
                "The Edge Services plan must be starter, professional or advanced.".into(),
            )]),
        );
        vars.insert("edge_plan".into(), Value::Object(plan));
    }
    if shape.dns {
        let mut z = variable(
            "string",
            "The DNS zone managed in Scaleway Domains, or null.",
        );
        z.insert("default".into(), Value::Null);
        vars.insert("dns_zone".into(), Value::Object(z));
    }
    if shape.monitoring {
        let mut m = variable(
            super::root::MONITORING_TYPE,
            "Cockpit sources and alert contacts, or null.",
        );
        m.insert("default".into(), Value::Null);
        vars.insert("monitoring".into(), Value::Object(m));
    }
    if shape.secrets {
        vars.insert(
            "stored_secrets".into(),
            Value::Object(variable(
                "map(string)",
                "Secrets also kept in Secret Manager: stack name -> Secret Manager name.",
            )),
        );
    }
    for x in &s.vars {
        vars.insert(x.name.value.clone(), Value::Object(var_variable(x)));
    }
    for x in &s.secrets {
        vars.insert(x.name.value.clone(), Value::Object(secret_variable(x)));
    }
    vars
}

/// Whether site `name` has a `link` or an `env` in some environment: then its build
/// gets them from the output `site_NAME_build_env`.
pub fn site_builds_with_env(envs: &[Stack], name: &str) -> bool {
    envs.iter().any(|e| {
        e.sites
            .iter()
            .any(|x| x.name.value == name && (!x.links.is_empty() || !x.env.is_empty()))
    })
}

fn var_variable(v: &Var) -> Map<String, Value> {
    let mut m = variable("string", &format!("The stack's `var {}`.", v.name.value));
    let name = &v.name.value;
    let mut checks = Vec::new();
    if v.format.as_ref().is_some_and(|f| f.value == "email") {
        checks.push(validation(
            format!("can(regex(\"^[^@ ]+@[^@ ]+\\\\.[^@ ]+$\", var.{name}))"),
            format!("{name} must be an email address."),
        ));
    }
    if let Some(p) = &v.pattern {
        checks.push(validation(
            format!(
                "can(regex({}, var.{name}))",
                hcl::string(&format!("^(?:{})$", p.value))
            ),
            format!("{name} must match the pattern {}.", hcl::literal(&p.value)),
        ));
    }
    if !checks.is_empty() {
        m.insert("validation".into(), Value::Array(checks));
    }
    m
}

/// The rules of a secret, in words, for descriptions and the secrets template.
pub fn secret_rules(x: &Secret) -> String {
    let mut rules = Vec::new();
    if let Some(p) = &x.postgres {
        rules.push(if p.value == "pooled" {
            "a postgres:// or postgresql:// URL with sslmode, pooled endpoint (host contains -pooler)".to_string()
        } else {
            "a postgres:// or postgresql:// URL with sslmode, direct endpoint (host without -pooler)".to_string()
        });
    }
    if let Some(n) = &x.min_length {
        rules.push(format!("at least {} characters", n.value));
    }
    if x.format.as_ref().is_some_and(|f| f.value == "email") {
        rules.push("an email address".into());
    }
    rules.push("at most 1000 characters".into());
    let mut text = rules.join("; ");
    // Kept in Secret Manager only when something reads it by reference (see Shape).
    text.push('.');
    text
}

fn secret_variable(x: &Secret) -> Map<String, Value> {
    let name = &x.name.value;
    let mut m = variable("string", &format!("Secret `{name}`: {}", secret_rules(x)));
    m.insert("sensitive".into(), json!(true));
    let mut checks = vec![validation(
        format!("length(var.{name}) > 0 && length(var.{name}) <= 1000"),
        format!("{name} must be set, and at most 1000 characters."),
    )];
    if let Some(n) = &x.min_length {
        checks.push(validation(
            format!("length(var.{name}) >= {}", n.value),
            format!("{name} must be at least {} characters.", n.value),
        ));
    }
    if let Some(p) = &x.postgres {
        let url = "^postgres(ql)?://([^@/?#]*@)?[^/?#]+(/[^?#]*)?[?]([^#]*&)?sslmode=";
        checks.push(validation(
            format!("can(regex({}, var.{name}))", hcl::string(url)),
            format!("{name} must be a postgres:// or postgresql:// URL with an sslmode parameter."),
        ));
        let pooled = "^postgres(ql)?://([^@/?#]*@)?[^/?#]*-pooler";
        let (cond, msg) = if p.value == "pooled" {
            (
                format!("can(regex({}, var.{name}))", hcl::string(pooled)),
                format!("{name} must use the pooled endpoint (its host contains -pooler)."),
            )
        } else {
            (
                format!("!can(regex({}, var.{name}))", hcl::string(pooled)),
                format!("{name} must use the direct endpoint (its host has no -pooler)."),
            )
        };
        checks.push(validation(cond, msg));
    }
    if x.format.as_ref().is_some_and(|f| f.value == "email") {
        checks.push(validation(
            format!("can(regex(\"^[^@ ]+@[^@ ]+\\\\.[^@ ]+$\", var.{name}))"),
            format!("{name} must be an email address."),
        ));
    }
    m.insert("validation".into(), Value::Array(checks));
    m
}

fn outputs(envs: &[Stack], shape: Shape) -> Map<String, Value> {
    let s = &envs[0];
    let mut out = Map::new();
    let mut o = |name: String, value: Value, description: String| {
        out.insert(name, json!({ "value": value, "description": description }));
    };
    o(
        "environment".into(),
        ex("var.environment"),
        "The environment these outputs describe.".into(),
    );
    o(
        "project_id".into(),
        ex("local.project_id"),
        "The Scaleway Project this environment lives in.".into(),
    );
    if shape.network {
        o(
            "private_network_id".into(),
            ex("module.network.private_network_id"),
            "The private network every service joins.".into(),
        );
    }
    if shape.monitoring {
        o(
            "grafana_url".into(),
            ex("try(module.monitoring[0].grafana_url, null)"),
            "Cockpit's Grafana, where logs, metrics and alerts are.".into(),
        );
    }
    if shape.registry {
        o(
            "registry_endpoint".into(),
            ex("module.registry.endpoint"),
            "Where deploy pushes images: rg.REGION.scw.cloud/NAMESPACE.".into(),
        );
    }
    for (svc, partial) in crate::model::all_services(envs) {
        let n = &svc.name.value;
        // A service `enabled=#false` in some environment: null there.
        let of = |map: &str| {
            if partial {
                ex(format!(
                    "lookup(module.containers.{map}, {}, null)",
                    hcl::string(n)
                ))
            } else {
                ex(format!("module.containers.{map}[{}]", hcl::string(n)))
            }
        };
        let absent = if partial {
            " (null where it is `enabled=#false`)"
        } else {
            ""
        };
        o(
            format!("service_{}_url", ident(n)),
            of("urls"),
            format!("The https:// URL of service `{n}`{absent}."),
        );
        o(
            format!("service_{}_id", ident(n)),
            of("ids"),
            format!(
                "The container id of service `{n}` (REGION/UUID), which health.sh polls{absent}."
            ),
        );
    }
    for site in &s.sites {
        let n = &site.name.value;
        o(
            format!("site_{}_bucket", ident(n)),
            ex(format!("module.storage.site_buckets[{}]", hcl::string(n))),
            format!("The bucket deploy uploads site `{n}` to."),
        );
        let custom = if shape.edge {
            format!("try([for host, d in var.site_domains : \"https://${{host}}\" if d.site == {}][0], module.storage.site_urls[{}])", hcl::string(n), hcl::string(n))
        } else {
            format!("module.storage.site_urls[{}]", hcl::string(n))
        };
        o(
            format!("site_{}_url", ident(n)),
            ex(custom),
            format!("The URL of site `{n}`: its custom domain, else its website endpoint."),
        );
    }
    for site in &s.sites {
        let n = &site.name.value;
        if !site_builds_with_env(envs, n) {
            continue;
        }
        let sv = format!("var.sites[{}]", hcl::string(n));
        let links = if shape.containers
            && envs.iter().any(|e| {
                e.sites
                    .iter()
                    .any(|x| &x.name.value == n && !x.links.is_empty())
            }) {
            // As for services: {host} is the target's own endpoint, {domain} its custom
            // domain here (else {host}), {url} is https://{host}.
            format!(", {{ for k, l in {sv}.build_links : k => replace(replace(replace(l.url, \"{{url}}\", \"https://{{host}}\"), \"{{domain}}\", try(var.services[l.target].domains[0], module.containers.hosts[l.target])), \"{{host}}\", module.containers.hosts[l.target]) }}")
        } else {
            String::new()
        };
        o(
            format!("site_{}_build_env", ident(n)),
            ex(format!("merge({sv}.build_env, {{ for k, v in {sv}.build_env_vars : k => local.vars[v] }}{links})")),
            format!("The variables site.sh exports to the build of site `{n}` (its `env`, and its `link`s' URLs in this environment)."),
        );
    }
    for b in &s.buckets {
        let n = &b.name.value;
        o(
            format!("bucket_{}_name", ident(n)),
            ex(format!("module.storage.buckets[{}]", hcl::string(n))),
            format!("The name of bucket `{n}`."),
        );
    }
    if shape.queues {
        o(
            "queues".into(),
            ex("module.queues.urls"),
            "Each queue's URL, by the stack's queue names (send to one with any SQS client, given credentials allowed to publish).".into(),
        );
        o(
            "dead_letter_queues".into(),
            ex("module.queues.dead_urls"),
            "The URL of each dead-letter queue, by the name of the queue it serves: where messages that kept failing wait (14 days).".into(),
        );
    }
    if shape.containers {
        o(
            "logs_url".into(),
            ex("module.containers.logs_url"),
            "The Loki endpoint of the containers' logs (Cockpit, Scaleway Logs), which logs.sh queries.".into(),
        );
    }
    if envs.iter().any(Stack::migrates) {
        o(
            "migrations".into(),
            ex("{ for name, s in var.services : name => module.jobs.migration_ids[\"${name}-migrate\"] if contains(keys(module.jobs.migration_ids), \"${name}-migrate\") }"),
            "Each migrating service's job definition id (REGION/UUID), which migrate.sh runs before the rollout.".into(),
        );
    }
    // The stack's `job`s, by name, in any environment: job.sh starts one of them.
    let mut names: Vec<&str> = Vec::new();
    for s in envs {
        for j in &s.jobs {
            if !names.contains(&j.name.value.as_str()) {
                names.push(&j.name.value);
            }
        }
    }
    if !names.is_empty() {
        o(
            "jobs".into(),
            ex(format!(
                // Only those defined: a targeted apply (the migrations alone, before the
                // rollout) leaves a new job undefined, and an index would fail the plan.
                "{{ for name in {} : name => module.jobs.ids[name] if contains(keys(module.jobs.ids), name) }}",
                serde_json::to_string(&names).unwrap_or_default()
            )),
            "Each `job`'s definition id (REGION/UUID), which job.sh starts.".into(),
        );
    }
    if shape.containers {
        let edge = if shape.edge {
            "module.edge.targets"
        } else {
            "{}"
        };
        let manual = format!("merge({{ for host, name in local.service_domains : host => module.containers.hosts[name] }}, {edge})");
        let value = if shape.dns {
            format!("var.dns_zone == null ? {manual} : {{}}")
        } else {
            manual
        };
        o(
            "dns_records_to_create".into(),
            ex(value),
            "CNAME records to create by hand (host -> target) when the stack has no `dns` zone."
                .into(),
        );
    }
    if shape.containers {
        out.insert(
            "health_tokens".into(),
            json!({
                "value": ex(if shape.iam { "{ for name, s in var.services : name => module.iam.prober_secret_key if s.privacy == \"private\" }" } else { "{}" }),
                "description": "Service name -> for each private service (empty when none), the secret key of this environment's prober IAM application, which may only call private containers (ContainersPrivateAccess on the project): health.sh and status.sh send it as X-Auth-Token.",
                "sensitive": true,
            }),
        );
    }
    if shape.containers {
        // Sensitive: `terraform output` shows it only when asked by name.
        out.insert(
            "logs_token".into(),
            json!({
                "value": ex("module.containers.logs_token"),
                "description": "A read-only Cockpit token (query logs only) for logs.sh.",
                "sensitive": true,
            }),
        );
    }
    out
}

/// `secrets/ENV.tfvars.example`: the values of one environment. Per-environment
/// secrets must be set here; the others may be, to override the shared value.
fn env_secrets_example(s: &Stack, banner: &str) -> String {
    let env = &s.env.value;
    let mut text = format!(
        "# {banner}\n# Copy to secrets/{env}.tfvars (never commit it): the values of environment `{env}`.\n# The scripts pass it with -var-file, so it wins over secrets.auto.tfvars.\n"
    );
    let (own, shared): (Vec<&Secret>, Vec<&Secret>) =
        s.secrets.iter().partition(|x| x.per_environment);
    if !own.is_empty() {
        text.push_str(&format!(
            "\n# Per-environment secrets: `{env}` needs its own value for each (a deploy refuses without one).\n"
        ));
        for x in own {
            text.push_str(&format!(
                "\n# {}: {}\n{} = \"\"\n",
                x.name.value,
                secret_rules(x),
                x.name.value
            ));
        }
    }
    if !shared.is_empty() {
        text.push_str("\n# Shared secrets (secrets.auto.tfvars): uncomment one to give this environment its own value.\n");
        for x in shared {
            text.push_str(&format!(
                "\n# {}: {}\n# {} = \"\"\n",
                x.name.value,
                secret_rules(x),
                x.name.value
            ));
        }
    }
    text
}

fn secrets_example(s: &Stack, banner: &str) -> String {
    let mut text = format!("# {banner}\n# Copy to secrets.auto.tfvars (never commit it), or set TF_VAR_NAME, and fill in every value.\n# Terraform loads it for every environment; per-environment secrets go in secrets/ENV.tfvars.\n");
    for x in s.secrets.iter().filter(|x| !x.per_environment) {
        text.push_str(&format!(
            "\n# {}: {}\n{} = \"\"\n",
            x.name.value,
            secret_rules(x),
            x.name.value
        ));
    }
    text
}
