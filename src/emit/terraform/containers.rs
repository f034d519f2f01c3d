//! `modules/containers`: the namespace, one container per service, and their custom
//! domains. One resource block per service, so that a link from one service to another
//! is a plain reference, as it would be written by hand.

use super::{ex, hcl, module_call, output, variable, Child, Cx, Module, Shape};
use crate::model::{Image, Stack};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The object type of one service in `var.services`: [`SERVICE_TYPE`], with
/// `redis = map(string)` (env key -> cluster) when the stack has Redis.
pub fn service_type(shape: Shape) -> String {
    let mut ty = SERVICE_TYPE.to_string();
    if shape.redis {
        ty = ty.replace(
            "    databases = map(string)\n",
            "    databases = map(string)\n    redis = map(string)\n    redis_certificates = map(string)\n",
        );
    }
    if shape.queues {
        // Its queues (env key -> queue and access) and what it consumes (queue -> path).
        ty = ty.replace(
            "\n  })",
            "\n    queues = map(object({ queue = string, access = string }))\n    consume = map(object({ path = string }))\n  })",
        );
    }
    ty
}

/// The object type of one service in `var.services`, without Redis or queues.
pub const SERVICE_TYPE: &str = "object({
    name = string
    image = optional(string)
    port = number
    memory_limit_bytes = number
    cpu_limit = number
    min_scale = number
    max_scale = number
    concurrency = optional(number)
    timeout = number
    privacy = string
    protocol = string
    env = map(string)
    env_vars = map(string)
    secret_env = map(string)
    links = map(object({ target = string, url = string, domain = optional(string) }))
    health = optional(object({ path = string, interval = string, failure_threshold = number, timeout = string, startup_failure_threshold = optional(number) }))
    command = optional(list(string))
    args = optional(list(string))
    buckets = map(string)
    bucket_access = map(string)
    databases = map(string)
    tokens = map(string)
    s3_keys = object({ id = string, secret = string })
    domains = list(string)
  })";

/// `{ "a" = EXPR, ... }`: an object of `${EXPR}` values as one Terraform expression.
fn hcl_object(map: &Map<String, Value>) -> String {
    let fields: Vec<String> = map
        .iter()
        .map(|(k, v)| {
            let e = v.as_str().unwrap_or_default();
            let e = e
                .strip_prefix("${")
                .and_then(|e| e.strip_suffix('}'))
                .unwrap_or(e);
            format!("{} = {e}", hcl::string(k))
        })
        .collect();
    format!("{{ {} }}", fields.join(", "))
}

/// A resource address for a service name (`my-api` becomes `my_api`).
pub fn ident(name: &str) -> String {
    name.replace('-', "_")
}

/// The address of service `name`'s container: `scaleway_container.NAME`, or its one
/// instance `scaleway_container.NAME[0]` when the service is absent from some
/// environment (`enabled=#false` there: the resource has `count`).
fn container(name: &str, partial: bool) -> String {
    if partial {
        format!("scaleway_container.{}[0]", ident(name))
    } else {
        format!("scaleway_container.{}", ident(name))
    }
}

pub fn module(envs: &[Stack], shape: Shape) -> Module {
    let mut m = Module::new("containers");
    // Every service of some environment; a service `enabled=#false` in some environment
    // is `partial`: its container exists where `var.services` has it (count 0 or 1).
    let services = crate::model::all_services(envs);
    let partial_of = |name: &str| services.iter().any(|(s, p)| *p && s.name.value == name);
    m.var(
        "namespace_name",
        "string",
        "The container namespace's name.",
    );
    m.var(
        "private_network_id",
        "string",
        "The private network every container joins, or null.",
    )
    .insert("default".into(), Value::Null);
    m.var(
        "region",
        "string",
        "The region, for the Object Storage endpoint services receive.",
    );
    m.var(
        "bucket_names",
        "map(string)",
        "Each bucket's name, keyed by the stack's bucket names.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "access_keys",
        "map(string)",
        "The access key id of each service with an API key of its own.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "application_ids",
        "map(string)",
        "The IAM application id of each service with an API key of its own.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "database_endpoints",
        "map(string)",
        "Each database's endpoint, keyed by the stack's database names.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "secret_keys",
        "map(string)",
        "The secret key of each service with an API key of its own.",
    );
    m.variables["secret_keys"]["default"] = json!({});
    m.variables["secret_keys"]["sensitive"] = json!(true);
    m.var(
        "link_secret_keys",
        "map(string)",
        "CALLER->TARGET -> the secret key a `link token=` caller calls its target with (modules/iam).",
    );
    m.variables["link_secret_keys"]["default"] = json!({});
    m.variables["link_secret_keys"]["sensitive"] = json!(true);
    m.var(
        "services",
        &format!("map({})", service_type(shape)),
        "Each service's settings in this environment.",
    );
    if shape.redis {
        m.var(
            "redis_urls",
            "map(string)",
            "Each Redis cluster's rediss:// URL (modules/redis), keyed by the stack's names.",
        );
        m.variables["redis_urls"]["default"] = json!({});
        m.variables["redis_urls"]["sensitive"] = json!(true);
        m.var(
            "redis_certificates",
            "map(string)",
            "Each Redis cluster's TLS certificate (PEM), keyed by the stack's names.",
        )
        .insert("default".into(), json!({}));
    }
    m.var(
        "image_tag",
        "string",
        "The tag of the images built from this commit.",
    )
    .insert("default".into(), json!(""));
    m.var(
        "registry_endpoint",
        "string",
        "Where built images live: rg.REGION.scw.cloud/NAMESPACE.",
    )
    .insert("default".into(), json!(""));
    m.var(
        "image_digests",
        "map(string)",
        "Service name -> sha256:HEX of the image to run (scripts pass them): a new digest redeploys.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "vars",
        "map(string)",
        "The stack's plain variables, for env values that reference them.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "secret_values",
        "map(string)",
        "The secrets' values, keyed by the stack's secret names.",
    )
    .insert("sensitive".into(), json!(true));
    m.var("manage_domains", "bool", "Create container domains here; false when the DNS module creates them after their records.")
        .insert("default".into(), json!(true));
    m.var("attached_domains", "list(string)", "Custom domains whose CNAME record exists: only those are attached (creating a container domain before its record fails).")
        .insert("default".into(), json!([]));
    m.var("tags", "list(string)", "Tags on every resource.");
    m.var(
        "logs_token_name",
        "string",
        "The name of the read-only Cockpit token scripts/logs.sh reads the logs with.",
    );
    if shape.queues {
        m.var(
            "sqs_endpoint",
            "string",
            "The SQS endpoint of the environment's project (modules/queues), or null.",
        )
        .insert("default".into(), Value::Null);
        m.var(
            "queue_urls",
            "map(string)",
            "Each queue's URL, keyed by the stack's queue names.",
        )
        .insert("default".into(), json!({}));
        for (name, description) in [
            (
                "sqs_access_keys",
                "Each service's SQS access key (modules/queues).",
            ),
            (
                "sqs_secret_keys",
                "Each service's SQS secret key (modules/queues).",
            ),
            (
                "trigger_access_keys",
                "Each consuming service's trigger access key (receive only).",
            ),
            (
                "trigger_secret_keys",
                "Each consuming service's trigger secret key (receive only).",
            ),
        ] {
            let v = m.var(name, "map(string)", description);
            v.insert("default".into(), json!({}));
            v.insert("sensitive".into(), json!(true));
        }
    }
    // Serverless Containers' logs go to Cockpit's built-in "Scaleway Logs" source, which
    // speaks Loki; a token that may only query logs reads them (scripts/logs.sh). The
    // write scopes default to true: each is set false.
    m.resource(
        "scaleway_cockpit_token",
        "logs",
        json!({
            "name": ex("var.logs_token_name"),
            "region": ex("var.region"),
            "scopes": [{
                "query_logs": true,
                "query_metrics": false,
                "query_traces": false,
                "write_logs": false,
                "write_metrics": false,
                "write_traces": false,
                "setup_logs_rules": false,
                "setup_metrics_rules": false,
                "setup_alerts": false,
            }],
        }),
    );
    m.resource(
        "scaleway_container_namespace",
        "this",
        json!({
            "name": ex("var.namespace_name"),
            "description": "Serverless Containers of this stack.",
            "tags": ex("var.tags"),
        }),
    );
    let mut urls = Map::new();
    let mut ids = Map::new();
    // Every environment's links, by service name, gathered once.
    let mut linked: std::collections::HashMap<&str, BTreeSet<&str>> = Default::default();
    for e in envs {
        for x in &e.services {
            linked
                .entry(x.name.value.as_str())
                .or_default()
                .extend(x.links.iter().map(|l| l.target.value.as_str()));
        }
    }
    for &(svc, partial) in &services {
        let id = ident(&svc.name.value);
        let s = format!("var.services[{}]", hcl::string(&svc.name.value));
        let this = container(&svc.name.value, partial);
        // Targets this service links to in any environment: only those are referenced.
        let targets = linked.remove(svc.name.value.as_str()).unwrap_or_default();
        // Object Storage access: the bucket names, the endpoint and the key id.
        let s3 = format!(
            "{{ for k, b in {s}.buckets : k => var.bucket_names[b] }}, length({s}.buckets) == 0 ? {{}} : {{ S3_ENDPOINT = \"https://s3.${{var.region}}.scw.cloud\", S3_REGION = var.region, ({s}.s3_keys.id) = var.access_keys[{name}] }}",
            name = hcl::string(&svc.name.value)
        );
        // Queues: each URL, the endpoint and region in env; the service's own SQS
        // credentials as secret env.
        let (sqs, sqs_secret) = if shape.queues {
            (
                format!(", length({s}.queues) == 0 ? {{}} : merge({{ for k, q in {s}.queues : k => var.queue_urls[q.queue] }}, {{ SQS_ENDPOINT = var.sqs_endpoint, SQS_REGION = var.region }})"),
                format!(", length({s}.queues) == 0 ? {{}} : {{ SQS_ACCESS_KEY_ID = var.sqs_access_keys[{n}], SQS_SECRET_ACCESS_KEY = var.sqs_secret_keys[{n}] }}", n = hcl::string(&svc.name.value)),
            )
        } else {
            (String::new(), String::new())
        };
        let mut s3 = format!("{s3}{sqs}");
        if shape.redis {
            // `redis NAME certificate-env=KEY`: the cluster's TLS certificate, plain.
            s3.push_str(&format!(
                ", {{ for k, r in {s}.redis_certificates : k => var.redis_certificates[r] }}"
            ));
        }
        let env_expr = if targets.is_empty() {
            format!("merge({s}.env, {{ for k, v in {s}.env_vars : k => var.vars[v] }}, {s3})")
        } else {
            // `{host}` is always the target's own endpoint (it carries WebSockets);
            // `{domain}` its custom domain where it has one; `{url}` is https://{host}.
            let hosts: Vec<String> = targets
                .iter()
                .map(|t| {
                    let endpoint = format!(
                        "trimprefix({}.public_endpoint, \"https://\")",
                        container(t, partial_of(t))
                    );
                    // A target absent here is never linked to here (cellac::service::disabled).
                    let endpoint = if partial_of(t) {
                        format!("try({endpoint}, \"\")")
                    } else {
                        endpoint
                    };
                    format!("{} = {endpoint}", hcl::string(t))
                })
                .collect();
            format!(
                "merge({s}.env, {{ for k, v in {s}.env_vars : k => var.vars[v] }}, {{ for k, l in {s}.links : k => replace(replace(replace(l.url, \"{{url}}\", \"https://{{host}}\"), \"{{domain}}\", coalesce(l.domain, {{ {h} }}[l.target])), \"{{host}}\", {{ {h} }}[l.target]) }}, {s3})",
                h = hosts.join(", ")
            )
        };
        // `link TARGET token=KEY`: the key of that link's own IAM application, which may
        // only call private containers (modules/iam, review 10), never this service's key.
        let tokens = format!(
            "{{ for k, target in {s}.tokens : k => var.link_secret_keys[\"{}->${{target}}\"] }}",
            hcl::literal(&svc.name.value)
        );
        // `redis NAME env=KEY`: the cluster's rediss:// URL (it holds the password).
        let redis = if shape.redis {
            format!(", {{ for k, r in {s}.redis : k => var.redis_urls[r] }}")
        } else {
            String::new()
        };
        let secret_expr = format!(
            "merge({{ for k, name in {s}.secret_env : k => var.secret_values[name] }}, length({s}.buckets) == 0 ? {{}} : {{ ({s}.s3_keys.secret) = var.secret_keys[{n}] }}, {{ for k, db in {s}.databases : k => \"postgres://${{var.application_ids[{n}]}}:${{var.secret_keys[{n}]}}@${{trimprefix(var.database_endpoints[db], \"postgres://\")}}\" }}, {tokens}{sqs_secret}{redis})",
            n = hcl::string(&svc.name.value),
        );
        let image = match &svc.image {
            Image::Build { .. } => format!(
                "coalesce({s}.image, \"${{var.registry_endpoint}}/{}:${{var.image_tag}}\")",
                hcl::literal(&svc.name.value)
            ),
            Image::Ref(_) => format!("{s}.image"),
        };
        let mut body = json!({
            "namespace_id": ex("scaleway_container_namespace.this.id"),
            "name": ex(format!("{s}.name")),
            "image": ex(image),
            // The digest of the image to run: a new digest redeploys even under the
            // same tag (docs/scaleway-facts.md, Serverless Containers).
            "registry_sha256": ex(format!("lookup(var.image_digests, {}, null)", hcl::string(&svc.name.value))),
            "port": ex(format!("{s}.port")),
            "memory_limit_bytes": ex(format!("{s}.memory_limit_bytes")),
            "cpu_limit": ex(format!("{s}.cpu_limit")),
            "min_scale": ex(format!("{s}.min_scale")),
            "max_scale": ex(format!("{s}.max_scale")),
            "timeout": ex(format!("{s}.timeout")),
            "privacy": ex(format!("{s}.privacy")),
            "protocol": ex(format!("{s}.protocol")),
            "https_connections_only": true,
            "command": ex(format!("{s}.command")),
            "args": ex(format!("{s}.args")),
            "private_network_id": ex("var.private_network_id"),
            "environment_variables": ex(env_expr),
            "secret_environment_variables": ex(secret_expr),
            "tags": ex("var.tags"),
            "dynamic": {
                "scaling_option": {
                    "for_each": ex(format!("{s}.concurrency == null ? [] : [{s}.concurrency]")),
                    "content": { "concurrent_requests_threshold": ex("scaling_option.value") },
                },
                "startup_probe": {
                    "for_each": ex(format!("try({s}.health.startup_failure_threshold, null) == null ? [] : [{s}.health]")),
                    "content": {
                        "failure_threshold": ex("startup_probe.value.startup_failure_threshold"),
                        "interval": ex("startup_probe.value.interval"),
                        "timeout": ex("startup_probe.value.timeout"),
                        "http": [{ "path": ex("startup_probe.value.path") }],
                    },
                },
                "liveness_probe": {
                    "for_each": ex(format!("{s}.health == null ? [] : [{s}.health]")),
                    "content": {
                        "failure_threshold": ex("liveness_probe.value.failure_threshold"),
                        "interval": ex("liveness_probe.value.interval"),
                        "timeout": ex("liveness_probe.value.timeout"),
                        "http": [{ "path": ex("liveness_probe.value.path") }],
                    },
                },
            },
        });
        if partial {
            // Absent from the environments where the service is `enabled=#false`.
            body["count"] = ex(format!(
                "contains(keys(var.services), {}) ? 1 : 0",
                hcl::string(&svc.name.value)
            ));
        }
        m.resource("scaleway_container", &id, body);
        let domains = if partial {
            format!("try({s}.domains, [])")
        } else {
            format!("{s}.domains")
        };
        m.resource(
            "scaleway_container_domain",
            &id,
            json!({
                "for_each": ex(format!("var.manage_domains ? toset([for d in {domains} : d if contains(var.attached_domains, d)]) : toset([])")),
                "container_id": ex(format!("{this}.id")),
                "hostname": ex("each.value"),
            }),
        );
        if shape.consumers && shape.queues {
            // `consume QUEUE`: Scaleway POSTs each message to the service (one message a
            // request), reading the queue with the service's trigger credentials (receive
            // only), whose queue is in the environment's project (docs/scaleway-facts.md,
            // Queues).
            m.resource(
                "scaleway_container_trigger",
                &id,
                json!({
                    "for_each": ex(if partial { format!("try({s}.consume, {{}})") } else { format!("{s}.consume") }),
                    "container_id": ex(format!("{this}.id")),
                    "name": ex(format!("\"${{{s}.name}}-${{each.key}}\"")),
                    "description": ex(format!("\"Messages of queue ${{each.key}} to ${{{s}.name}}.\"")),
                    "tags": ex("var.tags"),
                    "destination_config": [{
                        "http_path": ex("each.value.path"),
                        "http_method": "post",
                    }],
                    "sqs": [{
                        "endpoint": ex("var.sqs_endpoint"),
                        "queue_url": ex("var.queue_urls[each.key]"),
                        "access_key": ex(format!("var.trigger_access_keys[{}]", hcl::string(&svc.name.value))),
                        "secret_key": ex(format!("var.trigger_secret_keys[{}]", hcl::string(&svc.name.value))),
                        // No `project_id` or `region`: the API takes neither (the queue is
                        // its URL and credentials, the region the container's), and Read
                        // drops both, so setting one (ForceNew) would replace the trigger
                        // on every plan (docs/scaleway-facts.md, Queues).
                    }],
                    // A container made private needs its queue triggers created again
                    // (docs/scaleway-facts.md, Queues): a privacy change replaces them.
                    "lifecycle": {
                        "replace_triggered_by": [format!("{this}.privacy")],
                    },
                }),
            );
        }
        let url = format!(
            "length({s}.domains) > 0 ? \"https://${{{s}.domains[0]}}\" : {this}.public_endpoint"
        );
        let (url, id_expr) = if partial {
            (format!("try({url}, null)"), format!("try({this}.id, null)"))
        } else {
            (url, format!("{this}.id"))
        };
        urls.insert(svc.name.value.clone(), ex(url));
        ids.insert(svc.name.value.clone(), ex(id_expr));
    }
    // Scaleway Logs: the plural data source gives an empty list, not an error, in a
    // project whose sources do not exist yet (created in the same apply: review 13).
    let containers: Vec<String> = services
        .iter()
        .map(|(x, _)| format!("scaleway_container.{}", ident(&x.name.value)))
        .collect();
    m.main.insert(
        "data".into(),
        json!({ "scaleway_cockpit_sources": { "logs": {
            "project_id": ex("var.project_id"),
            "region": ex("var.region"),
            "type": "logs",
            "origin": "scaleway",
            "depends_on": containers,
        } } }),
    );
    let hosts: Map<String, Value> = services
        .iter()
        .map(|&(svc, partial)| {
            let host = format!(
                "trimprefix({}.public_endpoint, \"https://\")",
                container(&svc.name.value, partial)
            );
            let host = if partial {
                format!("try({host}, null)")
            } else {
                host
            };
            (svc.name.value.clone(), ex(host))
        })
        .collect();
    // With a service absent from some environment, its entries are null there: left out.
    let present = |map: Map<String, Value>| {
        if services.iter().any(|(_, p)| *p) {
            ex(format!(
                "{{ for k, v in {} : k => v if v != null }}",
                hcl_object(&map)
            ))
        } else {
            Value::Object(map)
        }
    };
    m.output(
        "urls",
        present(urls),
        "Each service's https:// URL: its custom domain, else its public endpoint.",
    );
    m.output("ids", present(ids), "Each service's container id.");
    m.output(
        "hosts",
        present(hosts),
        "Each service's default host name, the target of its custom domains' CNAME records.",
    );
    m.output(
        "logs_url",
        ex("try(data.scaleway_cockpit_sources.logs.sources[0].url, null)"),
        "The Loki endpoint of Cockpit's Scaleway Logs source, where the containers' logs are.",
    );
    m.outputs.insert(
        "logs_token".into(),
        json!({
            "value": ex("scaleway_cockpit_token.logs.secret_key"),
            "description": "A Cockpit token that may only query logs.",
            "sensitive": true,
        }),
    );
    m.output(
        "namespace_id",
        ex("scaleway_container_namespace.this.id"),
        "The container namespace.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "containers",
    wanted: |shape| shape.containers,
    module: |cx| module(cx.envs, cx.shape),
    call,
    variables,
    outputs,
};

/// The namespace and its containers, given what the other modules make for them.
fn call(cx: Cx) -> Value {
    let s = cx.first();
    let shape = cx.shape;
    let mut c = module_call(
        "containers",
        Some(&s.region.value),
        json!({
            "namespace_name": ex("var.names.containers"),
            "logs_token_name": format!("${{var.environment}}-{}-logs", hcl::literal(&s.name.value)),
            "attached_domains": ex("var.attached_domains"),
            "services": ex("var.services"),
            "vars": ex("local.vars"),
            "secret_values": ex("local.secrets"),
            "tags": ex("local.tags"),
            "image_digests": ex("var.image_digests"),
        }),
    );
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
    c
}

/// The root variables of services: their settings, the digests of their images, and
/// the custom domains ready to attach.
fn variables(cx: Cx, vars: &mut Map<String, Value>) {
    let mut d = variable(
        "map(string)",
        "Service name -> sha256:HEX, the digest of the image to run (scripts pass it with -var): a new digest redeploys the container even under the same tag.",
    );
    d.insert("default".into(), json!({}));
    vars.insert("image_digests".into(), Value::Object(d));
    vars.insert(
        "services".into(),
        Value::Object(variable(
            &format!("map({})", service_type(cx.shape)),
            "Each service's settings in this environment.",
        )),
    );
    let mut a = variable(
        "list(string)",
        "Custom container domains to attach: those whose CNAME record exists (scripts/apply.sh passes them).",
    );
    a.insert("default".into(), json!([]));
    vars.insert("attached_domains".into(), Value::Object(a));
}

/// The root outputs of services: each one's URL and id, the logs' endpoint and token,
/// the CNAME records to create by hand, and the health probes' tokens.
fn outputs(cx: Cx, out: &mut Map<String, Value>) {
    service_outputs(cx, out);
    output(
        out,
        "logs_url".into(),
        ex("module.containers.logs_url"),
        "The Loki endpoint of the containers' logs (Cockpit, Scaleway Logs), which logs.sh queries.",
    );
    let manual = super::dns::records(cx);
    let value = if cx.shape.dns {
        format!("var.dns_zone == null ? {manual} : {{}}")
    } else {
        manual
    };
    output(
        out,
        "dns_records_to_create".into(),
        ex(value),
        "CNAME records to create by hand (host -> target) when the stack has no `dns` zone.",
    );
    out.insert(
        "health_tokens".into(),
        json!({
            "value": ex(if cx.shape.iam { "{ for name, s in var.services : name => module.iam.prober_secret_key if s.privacy == \"private\" }" } else { "{}" }),
            "description": "Service name -> for each private service (empty when none), the secret key of this environment's prober IAM application, which may only call private containers (ContainersPrivateAccess on the project): health.sh and status.sh send it as X-Auth-Token.",
            "sensitive": true,
        }),
    );
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

/// `service_NAME_url` and `service_NAME_id` for every service of some environment.
fn service_outputs(cx: Cx, out: &mut Map<String, Value>) {
    for (svc, partial) in crate::model::all_services(cx.envs) {
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
        output(
            out,
            format!("service_{}_url", ident(n)),
            of("urls"),
            &format!("The https:// URL of service `{n}`{absent}."),
        );
        output(
            out,
            format!("service_{}_id", ident(n)),
            of("ids"),
            &format!(
                "The container id of service `{n}` (REGION/UUID), which health.sh polls{absent}."
            ),
        );
    }
}
