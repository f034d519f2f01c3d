//! `environments/ENV.tfvars.json`: the values that make each environment.

use super::Shape;
use crate::emit::{json_bytes, Artifacts};
use crate::model::duration::seconds;
use crate::model::{
    BucketAccess, DatabaseUse, Image, Job, JobImage, Link, QueueUse, Service, Stack,
};
use crate::span::Spanned;
use crate::syntax::Value as Kdl;
use serde_json::{json, Map, Value};

/// Bytes in a decimal megabyte, as Scaleway counts memory.
const MB: i128 = 1_000_000;

/// A value as the app reads it (`#false` -> `false`, `1e3` -> `1000`).
fn literal(v: &Kdl) -> String {
    v.lit.as_text()
}

/// The custom domains' hosts, by the service they point at, in the stack's order.
type HostsOf<'a> = std::collections::HashMap<&'a str, Vec<&'a str>>;

fn hosts_of(s: &Stack) -> HostsOf<'_> {
    let mut hosts = HostsOf::new();
    for d in &s.domains {
        if let Some(t) = &d.service {
            hosts
                .entry(t.value.as_str())
                .or_default()
                .push(d.host.value.as_str());
        }
    }
    hosts
}

/// `env key -> { queue, access }` of a service's or job's `queue` children.
fn queue_uses<'a>(uses: impl IntoIterator<Item = &'a QueueUse>) -> Value {
    uses.into_iter()
        .map(|q| {
            (
                q.env.value.clone(),
                json!({ "queue": q.queue.value, "access": q.access.value }),
            )
        })
        .collect::<Map<String, Value>>()
        .into()
}

/// A queue's name in Scaleway: `ENV-STACK-NAME` (then `-dead` for its dead-letter
/// queue), with the `.fifo` suffix a FIFO queue's name must end with.
pub fn queue_name(s: &Stack, q: &crate::model::Queue, dead: bool) -> String {
    format!(
        "{}-{}{}{}",
        s.prefix(),
        q.name.value,
        if dead { "-dead" } else { "" },
        if q.fifo { ".fifo" } else { "" }
    )
}

fn service(s: &Stack, svc: &Service, hosts: &HostsOf, queues: bool) -> Value {
    let mut env = Map::new();
    let mut env_vars = Map::new();
    for e in &svc.env {
        match e.value.var_ref() {
            Some(var) => env_vars.insert(e.key.value.clone(), json!(var)),
            None => env.insert(e.key.value.clone(), json!(literal(&e.value))),
        };
    }
    let secret_env: Map<String, Value> = svc
        .secret_env
        .iter()
        .map(|e| (e.key.value.clone(), json!(e.secret.value)))
        .collect();
    let links: Map<String, Value> = svc
        .links
        .iter()
        .map(|l| (l.env.value.clone(), link(l, hosts)))
        .collect();
    let domains: Vec<&str> = hosts
        .get(svc.name.value.as_str())
        .cloned()
        .unwrap_or_default();
    let image = match &svc.image {
        Image::Build { .. } => Value::Null,
        Image::Ref(r) => json!(r.value),
    };
    let mut v = json!({
        "name": format!("{}-{}", s.prefix(), svc.name.value),
        "image": image,
        "port": svc.port.value,
        "memory_limit_bytes": svc.memory.value.saturating_mul(MB),
        "cpu_limit": svc.cpu(),
        "min_scale": svc.min_scale(),
        "max_scale": svc.max_scale(),
        "concurrency": svc.scale.concurrency.as_ref().map(|c| c.value),
        "timeout": svc.timeout.value,
        "privacy": if svc.private { "private" } else { "public" },
        "protocol": svc.protocol.value,
        "env": env,
        "env_vars": env_vars,
        "secret_env": secret_env,
        "links": links,
        "health": svc.health.as_ref().map(|h| {
            // The startup probe allows `startup` for the first answer, in probes of
            // `interval`; after it, liveness keeps its own (short) failure window.
            let interval = seconds(&h.interval.value).unwrap_or(10).max(1);
            let startup = h.startup.as_ref().and_then(|d| seconds(&d.value));
            json!({
                "path": h.path.value,
                "interval": h.interval.value,
                "failure_threshold": h.failures.value,
                "timeout": h.timeout.value,
                "startup_failure_threshold": startup.map(|d| d.div_ceil(interval).max(1)),
            })
        }),
        "buckets": svc.buckets.iter().map(|b| (b.env.value.clone(), json!(b.bucket.value))).collect::<Map<String, Value>>(),
        "bucket_access": svc.buckets.iter().map(|b| (b.bucket.value.clone(), json!(b.access.value))).collect::<Map<String, Value>>(),
        "s3_keys": { "id": svc.s3_keys.0.value, "secret": svc.s3_keys.1.value },
        "command": svc.command.as_ref().map(|c| c.value.clone()),
        "args": svc.args.as_ref().map(|c| c.value.clone()),
        "databases": svc.databases.iter().map(|d| (d.env.value.clone(), json!(d.database.value))).collect::<Map<String, Value>>(),
        "tokens": svc.links.iter().filter_map(|l| Some((l.token.as_ref()?.value.clone(), json!(l.target.value)))).collect::<Map<String, Value>>(),
        "domains": domains,
    });
    if queues {
        v["queues"] = queue_uses(&svc.queues);
        v["consume"] = svc
            .consumes
            .iter()
            .map(|c| (c.queue.value.clone(), json!({ "path": c.path.value })))
            .collect::<Map<String, Value>>()
            .into();
    }
    v
}

/// What a job uses, as `var.jobs` says it (see `jobs::USES_FIELDS`): link URLs,
/// buckets, the S3 keys' env names, databases, tokens, and whether it may change the
/// databases' schema.
struct Uses<'a> {
    links: &'a [Link],
    buckets: Vec<&'a BucketAccess>,
    s3_keys: &'a (Spanned<String>, Spanned<String>),
    databases: Vec<&'a DatabaseUse>,
    schema: bool,
    /// The queues it uses, when the stack has queues (else no `queues` field).
    queues: Option<Vec<&'a QueueUse>>,
}

impl Uses<'_> {
    fn insert(&self, hosts: &HostsOf, job: &mut Value) {
        let links: Map<String, Value> = self
            .links
            .iter()
            .map(|l| (l.env.value.clone(), link(l, hosts)))
            .collect();
        job["links"] = Value::Object(links);
        job["buckets"] = self
            .buckets
            .iter()
            .map(|b| (b.env.value.clone(), json!(b.bucket.value)))
            .collect::<Map<String, Value>>()
            .into();
        job["bucket_access"] = self
            .buckets
            .iter()
            .map(|b| (b.bucket.value.clone(), json!(b.access.value)))
            .collect::<Map<String, Value>>()
            .into();
        job["s3_keys"] = json!({ "id": self.s3_keys.0.value, "secret": self.s3_keys.1.value });
        job["databases"] = self
            .databases
            .iter()
            .map(|d| (d.env.value.clone(), json!(d.database.value)))
            .collect::<Map<String, Value>>()
            .into();
        job["tokens"] = self
            .links
            .iter()
            .filter_map(|l| Some((l.token.as_ref()?.value.clone(), json!(l.target.value))))
            .collect::<Map<String, Value>>()
            .into();
        job["schema"] = json!(self.schema);
        if let Some(queues) = &self.queues {
            job["queues"] = queue_uses(queues.iter().copied());
        }
    }
}

/// A link's target, URL and the target's custom domain (the first), if any.
fn link(l: &Link, hosts: &HostsOf) -> Value {
    let host = hosts
        .get(l.target.value.as_str())
        .and_then(|h| h.first())
        .map(|h| h.to_string());
    json!({ "target": l.target.value, "url": l.url.value, "domain": host })
}

/// A service's migration job: its env and secret-env with the job's own keys over
/// them, in the service's image, with the service's buckets and databases (a key the
/// job sets itself replaces the one they bring) under an IAM application of its own,
/// which may change the databases' schema. No links: a migration runs before the
/// rollout, and a link would make it wait for the containers.
fn migration(s: &Stack, svc: &Service, hosts: &HostsOf, queues: bool) -> Option<Value> {
    let m = svc.migrate.as_ref()?;
    let mut env = Map::new();
    let mut env_vars = Map::new();
    for e in m.env(svc) {
        match e.value.var_ref() {
            Some(var) => env_vars.insert(e.key.value.clone(), json!(var)),
            None => env.insert(e.key.value.clone(), json!(literal(&e.value))),
        };
    }
    let secret_env: Map<String, Value> = m
        .secret_env(svc)
        .into_iter()
        .map(|e| (e.key.value.clone(), json!(e.secret.value)))
        .collect();
    let image = match &svc.image {
        Image::Build { .. } => Value::Null,
        Image::Ref(r) => json!(r.value),
    };
    let own = |key: &str| {
        m.env.iter().any(|e| e.key.value == key) || m.secret_env.iter().any(|e| e.key.value == key)
    };
    let mut job = json!({
        "name": format!("{}-{}-migrate", s.prefix(), svc.name.value),
        "image": image,
        "image_name": svc.name.value,
        "command": ["/bin/sh", "-c", m.command.value],
        "args": Value::Null,
        "env": env,
        "env_vars": env_vars,
        "secret_env": secret_env,
        "cpu_limit": svc.cpu(),
        "memory_limit": svc.memory.value,
        "local_storage_capacity": super::jobs::LOCAL_STORAGE_MIB,
        "timeout": m.timeout.value,
        "cron": Value::Null,
    });
    Uses {
        links: &[],
        buckets: svc.buckets.iter().filter(|b| !own(&b.env.value)).collect(),
        s3_keys: &svc.s3_keys,
        databases: svc
            .databases
            .iter()
            .filter(|d| !own(&d.env.value))
            .collect(),
        schema: true,
        queues: queues.then(|| svc.queues.iter().filter(|q| !own(&q.env.value)).collect()),
    }
    .insert(hosts, &mut job);
    Some(job)
}

/// A `job`: its env, secret-env, links, buckets and databases, in its own image, a
/// prebuilt one or a service's.
fn job(s: &Stack, j: &Job, hosts: &HostsOf, queues: bool) -> Value {
    let mut env = Map::new();
    let mut env_vars = Map::new();
    for e in &j.env {
        match e.value.var_ref() {
            Some(var) => env_vars.insert(e.key.value.clone(), json!(var)),
            None => env.insert(e.key.value.clone(), json!(literal(&e.value))),
        };
    }
    let secret_env: Map<String, Value> = j
        .secret_env
        .iter()
        .map(|e| (e.key.value.clone(), json!(e.secret.value)))
        .collect();
    // The image: built as NAME by images.sh, prebuilt, or the service's (its ref, or
    // its build, tagged with the release).
    let (image, image_name) = match &j.image {
        JobImage::Build { .. } => (Value::Null, j.name.value.clone()),
        JobImage::Ref(r) => (json!(r.value), j.name.value.clone()),
        JobImage::Service(svc) => match s.service(&svc.value).map(|x| &x.image) {
            Some(Image::Ref(r)) => (json!(r.value), svc.value.clone()),
            _ => (Value::Null, svc.value.clone()),
        },
    };
    let mut job = json!({
        "name": format!("{}-{}", s.prefix(), j.name.value),
        "image": image,
        "image_name": image_name,
        "command": j.command.as_ref().map_or_else(Vec::new, |c| c.value.clone()),
        "args": j.args.as_ref().map(|a| a.value.clone()),
        "env": env,
        "env_vars": env_vars,
        "secret_env": secret_env,
        "cpu_limit": j.cpu(),
        "memory_limit": j.memory.value,
        "local_storage_capacity": super::jobs::LOCAL_STORAGE_MIB,
        "timeout": j.timeout.value,
        "cron": j.schedule.as_ref().map(|c| json!({ "schedule": c.cron.value, "timezone": c.timezone.value })),
    });
    Uses {
        links: &j.links,
        buckets: j.buckets.iter().collect(),
        s3_keys: &j.s3_keys,
        databases: j.databases.iter().collect(),
        schema: false,
        queues: queues.then(|| j.queues.iter().collect()),
    }
    .insert(hosts, &mut job);
    job
}

/// The values of one environment.
pub fn values(s: &Stack, shape: Shape) -> Map<String, Value> {
    let prefix = s.prefix();
    let mut v = Map::new();
    v.insert("environment".into(), json!(s.name_env()));
    v.insert(
        "names".into(),
        json!({
            "containers": format!("{prefix}-containers"),
            "registry": s.registry_namespace(),
            "vpc": format!("{prefix}-vpc"),
            "private_network": format!("{prefix}-private-network"),
            "secret_path": format!("/{}/{}", s.name_env(), s.name.value),
        }),
    );
    if shape.network {
        v.insert("subnet".into(), json!(s.network.subnet.value));
    }
    v.insert(
        "project".into(),
        json!({
            "create": s.creates_project(),
            "id": s.project.as_ref().and_then(|p| p.id.as_ref()).map(|id| id.value.clone()),
            "name": prefix,
        }),
    );
    if shape.registry {
        v.insert("registry_public".into(), json!(s.registry.public));
    }
    if shape.containers {
        let hosts = hosts_of(s);
        let services: Map<String, Value> = s
            .services
            .iter()
            .map(|x| {
                let mut v = service(s, x, &hosts, shape.queues);
                if shape.redis {
                    v["redis"] = x
                        .redis
                        .iter()
                        .map(|r| (r.env.value.clone(), json!(r.redis.value)))
                        .collect::<Map<String, Value>>()
                        .into();
                    v["redis_certificates"] = certificates(&x.redis);
                }
                (x.name.value.clone(), v)
            })
            .collect();
        v.insert("services".into(), Value::Object(services));
    }
    if shape.jobs {
        let hosts = hosts_of(s);
        let jobs: Map<String, Value> = s
            .services
            .iter()
            .filter_map(|x| {
                Some((
                    super::jobs::migrate_key(&x.name.value),
                    migration(s, x, &hosts, shape.queues)?,
                ))
            })
            .chain(
                s.jobs
                    .iter()
                    .map(|j| (j.name.value.clone(), job(s, j, &hosts, shape.queues))),
            )
            .collect();
        v.insert("jobs".into(), Value::Object(jobs));
    }
    if shape.storage {
        let sites: Map<String, Value> = s
            .sites
            .iter()
            .map(|x| {
                let mut env = Map::new();
                let mut env_vars = Map::new();
                for e in &x.env {
                    match e.value.var_ref() {
                        Some(var) => env_vars.insert(e.key.value.clone(), json!(var)),
                        None => env.insert(e.key.value.clone(), json!(literal(&e.value))),
                    };
                }
                let links: Map<String, Value> = x
                    .links
                    .iter()
                    .map(|l| {
                        (
                            l.env.value.clone(),
                            json!({ "target": l.target.value, "url": l.url.value }),
                        )
                    })
                    .collect();
                (
                    x.name.value.clone(),
                    json!({
                        "bucket_name": s.site_bucket(x),
                        "spa": x.spa,
                        "build_env": env,
                        "build_env_vars": env_vars,
                        "build_links": links,
                    }),
                )
            })
            .collect();
        v.insert("sites".into(), Value::Object(sites));
        let buckets: Map<String, Value> = s
            .buckets
            .iter()
            .map(|b| {
                (
                    b.name.value.clone(),
                    json!({
                        "name": s.bucket_name(b),
                        "public": b.public,
                        "versioning": b.versioning,
                        "cors": b.cors.as_ref().map(|c| json!({
                            "origins": c.origins,
                            "methods": c.methods.value,
                            "headers": c.headers,
                            "expose": c.expose,
                            "max_age": c.max_age,
                        })),
                        "expire": b.expire.iter().map(|e| json!({ "days": e.days.value, "prefix": e.prefix })).collect::<Vec<Value>>(),
                    }),
                )
            })
            .collect();
        v.insert("buckets".into(), Value::Object(buckets));
    }
    if shape.storage && s.preview {
        // A preview's buckets go with it (`preview.sh down`), objects and all.
        v.insert("force_destroy".into(), json!(true));
    }
    if shape.policies {
        // The principals every bucket policy grants full access (`deployer` nodes).
        v.insert("deployers".into(), json!(s.deployer_principals()));
    }
    if shape.jobs && shape.redis {
        // Keyed as `jobs`: a migration uses its service's clusters.
        let uses = |u: &[crate::model::RedisUse]| -> Value {
            u.iter()
                .map(|r| (r.env.value.clone(), json!(r.redis.value)))
                .collect::<Map<String, Value>>()
                .into()
        };
        let job_redis: Map<String, Value> = s
            .services
            .iter()
            .filter(|x| x.migrate.is_some() && !x.redis.is_empty())
            .map(|x| (super::jobs::migrate_key(&x.name.value), uses(&x.redis)))
            .chain(
                s.jobs
                    .iter()
                    .filter(|j| !j.redis.is_empty())
                    .map(|j| (j.name.value.clone(), uses(&j.redis))),
            )
            .collect();
        v.insert("job_redis".into(), Value::Object(job_redis));
        let job_certificates: Map<String, Value> = s
            .services
            .iter()
            .filter(|x| x.migrate.is_some() && x.redis.iter().any(|r| r.certificate_env.is_some()))
            .map(|x| {
                (
                    super::jobs::migrate_key(&x.name.value),
                    certificates(&x.redis),
                )
            })
            .chain(
                s.jobs
                    .iter()
                    .filter(|j| j.redis.iter().any(|r| r.certificate_env.is_some()))
                    .map(|j| (j.name.value.clone(), certificates(&j.redis))),
            )
            .collect();
        v.insert(
            "job_redis_certificates".into(),
            Value::Object(job_certificates),
        );
    }
    if shape.redis {
        let redis: Map<String, Value> = s
            .redis
            .iter()
            .map(|r| {
                (
                    r.name.value.clone(),
                    json!({
                        "name": format!("{prefix}-{}", r.name.value),
                        "version": r.version.value,
                        "node_type": r.node_type.value,
                        "cluster_size": r.nodes.value,
                        "user_name": crate::model::REDIS_USER,
                        "password": r.password.as_ref().map(|p| p.value.clone()),
                    }),
                )
            })
            .collect();
        v.insert("redis".into(), Value::Object(redis));
    }
    if shape.database {
        let databases: Map<String, Value> = s
            .databases
            .iter()
            .map(|d| {
                (
                    d.name.value.clone(),
                    json!({
                        "name": format!("{prefix}-{}", d.name.value),
                        "min_cpu": d.min_cpu.value,
                        "max_cpu": d.max_cpu.value,
                    }),
                )
            })
            .collect();
        v.insert("databases".into(), Value::Object(databases));
    }
    if shape.queues {
        let queues: Map<String, Value> = s
            .queues
            .iter()
            .map(|q| {
                let secs = |d: &str| crate::model::duration::seconds_or_days(d).unwrap_or(0);
                (
                    q.name.value.clone(),
                    json!({
                        "name": queue_name(s, q, false),
                        "dead_name": q.dead_letter.as_ref().map(|_| queue_name(s, q, true)),
                        "fifo": q.fifo,
                        "retention": secs(&q.retention.value),
                        "visibility_timeout": secs(&q.visibility_timeout.value),
                        "dead_letter": q.dead_letter.as_ref().map(|n| n.value),
                    }),
                )
            })
            .collect();
        v.insert("queues".into(), Value::Object(queues));
    }
    if shape.edge {
        let domains: Map<String, Value> = s
            .domains
            .iter()
            .filter_map(|d| {
                Some((
                    d.host.value.clone(),
                    json!({ "site": d.site.as_ref()?.value, "waf": d.waf }),
                ))
            })
            .collect();
        v.insert("site_domains".into(), Value::Object(domains));
        v.insert("edge_plan".into(), json!(s.edge_plan()));
    }
    if shape.dns {
        v.insert(
            "dns_zone".into(),
            json!(s.dns.as_ref().map(|z| z.value.clone())),
        );
    }
    if shape.monitoring {
        v.insert(
            "monitoring".into(),
            match &s.monitoring {
                None => Value::Null,
                Some(m) => {
                    let mut sources = Map::new();
                    for (kind, src) in [
                        ("logs", &m.logs),
                        ("metrics", &m.metrics),
                        ("traces", &m.traces),
                    ] {
                        if let Some(src) = src {
                            sources.insert(kind.into(), json!(src.retention_days.value));
                        }
                    }
                    let (emails, vars): (Vec<String>, Vec<String>) = match &m.alerts {
                        None => (vec![], vec![]),
                        Some(a) => match a.var_ref() {
                            Some(var) => (vec![], vec![var.to_string()]),
                            None => (vec![literal(a)], vec![]),
                        },
                    };
                    json!({ "sources": sources, "alert_emails": emails, "alert_vars": vars, "preconfigured": m.preconfigured && m.alerts_span.is_some() })
                }
            },
        );
    }
    if shape.secrets {
        let stored: Map<String, Value> = s
            .secrets
            .iter()
            .filter(|x| x.store)
            .map(|x| {
                (
                    x.name.value.clone(),
                    json!(crate::model::names::stored_secret_name(&x.name.value)),
                )
            })
            .collect();
        v.insert("stored_secrets".into(), Value::Object(stored));
    }
    for var in &s.vars {
        if let Some(value) = &var.value {
            v.insert(var.name.value.clone(), json!(literal(value)));
        }
    }
    v
}

/// `certificate-env` keys of `redis` uses: env key -> the stack's Redis name.
fn certificates(uses: &[crate::model::RedisUse]) -> Value {
    uses.iter()
        .filter_map(|r| {
            Some((
                r.certificate_env.as_ref()?.value.clone(),
                json!(r.redis.value),
            ))
        })
        .collect::<Map<String, Value>>()
        .into()
}

pub fn emit(envs: &[Stack], shape: Shape, banner: &str, files: &mut Artifacts) {
    for s in envs {
        let mut values = values(s, shape);
        values.insert("//".into(), json!(banner));
        files.insert(
            format!("environments/{}.tfvars.json", s.env.value),
            json_bytes(&Value::Object(values)),
        );
    }
}
