//! `cellac diff OLD NEW`: what a change to the stack file does to each environment,
//! in words and per Terraform address, as a pull-request comment (Markdown) or JSON.
//! Pure: two checked stacks (and their generated files) in, text out.
//!
//! Addresses are those of the generated configuration (src/emit/terraform): a
//! service's container is `module.containers.scaleway_container.NAME`, buckets and
//! sites are `for_each` instances in `module.storage`, site domains in `module.edge`,
//! and, with a managed DNS zone, records in `module.dns[0]`. tests/diff.rs checks that
//! every address named here is a resource of the generated modules.

use crate::cost::env_cost;
use crate::model::{Image, Service, Stack};
use serde::Serialize;
use serde_json::json;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Resources {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    /// Resource blocks of the configuration (`module.M.TYPE.NAME`, every instance) that
    /// a change of region, project or stack name destroys and creates again.
    pub replaced: Vec<String>,
}

/// Every resource block of a generated configuration, read from it (not from a list of
/// known kinds): `module.M.TYPE.NAME` (`module.M[0]` for a counted module) for each
/// module the root calls, with the block's type.
pub fn resource_blocks(files: &crate::emit::Artifacts) -> Vec<(String, String)> {
    let read = |path: &str| -> serde_json::Value {
        files
            .get(path)
            .and_then(|b| serde_json::from_slice(b).ok())
            .unwrap_or_default()
    };
    let root = read("main.tf.json");
    let mut out = Vec::new();
    let Some(modules) = root.get("module").and_then(|m| m.as_object()) else {
        return out;
    };
    for (name, call) in modules {
        let counted = call.get("count").is_some();
        let main = read(&format!("modules/{name}/main.tf.json"));
        let Some(types) = main.get("resource").and_then(|r| r.as_object()) else {
            continue;
        };
        for (ty, blocks) in types {
            for block in blocks.as_object().into_iter().flat_map(|b| b.keys()) {
                let module = if counted {
                    format!("module.{name}[0]")
                } else {
                    format!("module.{name}")
                };
                out.push((format!("{module}.{ty}.{block}"), ty.clone()));
            }
        }
    }
    out.sort();
    out
}

/// A stack value as a Markdown code span, whatever it holds: no emphasis, link, HTML or
/// @mention can come from a value (GitHub renders none inside a code span), and a
/// backtick in the value cannot close the span (the fence is longer than any run of
/// backticks in it). Line breaks become spaces.
pub fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 || s.starts_with(' ') || s.ends_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvDiff {
    pub env: String,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub status: &'static str,
    pub changes: Vec<String>,
    /// Secrets the new stack declares that the old one did not: a deployer must give
    /// their values before the next apply.
    pub secrets_to_provide: Vec<String>,
    pub resources: Resources,
    pub cost_floor_eur: serde_json::Value,
}

/// A service's container: `scaleway_container.NAME`, or `NAME[0]` when the service is
/// `enabled=#false` in some environment (its container then has `count`).
fn container(s: &str, partial: &[String]) -> String {
    if partial.iter().any(|p| p == s) {
        format!("module.containers.scaleway_container.{s}[0]")
    } else {
        format!("module.containers.scaleway_container.{s}")
    }
}

/// The services of `envs` that are absent from some of them (`enabled=#false`).
fn partial_services(envs: &[Stack]) -> Vec<String> {
    crate::model::all_services(envs)
        .into_iter()
        .filter(|(_, p)| *p)
        .map(|(s, _)| s.name.value.clone())
        .collect()
}

/// The addresses a service brings (its container, its IAM application when it
/// reads or writes buckets, and one IAM application per `link token=` target).
fn service_addresses(s: &Service, partial: &[String]) -> Vec<String> {
    let mut a = vec![container(&s.name.value, partial)];
    // An IAM application for buckets, databases and calls to private services (root.rs).
    if !s.buckets.is_empty() || !s.databases.is_empty() || s.links.iter().any(|l| l.token.is_some())
    {
        for r in [
            "scaleway_iam_application",
            "scaleway_iam_api_key",
            "scaleway_iam_policy",
        ] {
            a.push(format!("module.iam.{r}.this[\"{}\"]", s.name.value));
        }
    }
    // `link TARGET token=KEY`: an IAM application, policy and key per caller and target.
    let targets: std::collections::BTreeSet<&str> = s
        .links
        .iter()
        .filter(|l| l.token.is_some())
        .map(|l| l.target.value.as_str())
        .collect();
    for t in targets {
        for r in [
            "scaleway_iam_application",
            "scaleway_iam_api_key",
            "scaleway_iam_policy",
        ] {
            a.push(format!("module.iam.{r}.link[\"{}->{t}\"]", s.name.value));
        }
    }
    a
}

fn domain_addresses(stack: &Stack, host: &str, service: Option<&str>, waf: bool) -> Vec<String> {
    let mut a = Vec::new();
    let dns = stack.dns.is_some();
    match service {
        Some(_) if dns => {
            a.push(format!(
                "module.dns[0].scaleway_container_domain.this[\"{host}\"]"
            ));
        }
        Some(s) => a.push(format!(
            "module.containers.scaleway_container_domain.{s}[\"{host}\"]"
        )),
        None => {
            for stage in [
                "pipeline",
                "backend_stage",
                "cache_stage",
                "dns_stage",
                "head_stage",
                "tls_stage",
            ] {
                a.push(format!(
                    "module.edge.scaleway_edge_services_{stage}.this[\"{host}\"]"
                ));
            }
            if waf {
                a.push(format!(
                    "module.edge.scaleway_edge_services_waf_stage.this[\"{host}\"]"
                ));
            }
        }
    }
    if dns {
        a.push(format!(
            "module.dns[0].scaleway_domain_record.this[\"{host}\"]"
        ));
    }
    a
}

fn site_addresses(name: &str) -> Vec<String> {
    [
        "scaleway_object_bucket",
        "scaleway_object_bucket_policy",
        "scaleway_object_bucket_website_configuration",
    ]
    .iter()
    .map(|r| format!("module.storage.{r}.site[\"{name}\"]"))
    .collect()
}

fn bucket_addresses(name: &str, public: bool) -> Vec<String> {
    let mut a = vec![format!(
        "module.storage.scaleway_object_bucket.this[\"{name}\"]"
    )];
    if public {
        a.push(bucket_policy_address(name));
    }
    a
}

fn bucket_policy_address(name: &str) -> String {
    format!("module.storage.scaleway_object_bucket_policy.this[\"{name}\"]")
}

fn scale(s: &Service) -> String {
    if s.singleton.is_some() {
        "singleton".into()
    } else {
        format!("{}-{}", s.min_scale(), s.max_scale())
    }
}

fn image(s: &Service) -> String {
    match &s.image {
        Image::Build { dockerfile, .. } => format!(
            "built from {}{}",
            dockerfile.value,
            build_args(&s.build_args)
        ),
        Image::Ref(r) => r.value.clone(),
    }
}

/// ` with build args K=V, L=link api {url}` (empty without build arguments).
fn build_args(b: &crate::model::BuildArgs) -> String {
    let all: Vec<String> = b
        .args
        .iter()
        .map(|a| format!("{}={}", a.key.value, shown(&a.value)))
        .chain(
            b.links
                .iter()
                .map(|l| format!("{}=link {} {}", l.env.value, l.target.value, l.url.value)),
        )
        .collect();
    if all.is_empty() {
        String::new()
    } else {
        format!(" with build args {}", all.join(", "))
    }
}

/// What changed in one service, in words.
fn service_changes(a: &Service, b: &Service) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |what: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{what} {} → {}", code(&x), code(&y)));
        }
    };
    field("scale", scale(a), scale(b));
    field(
        "memory",
        format!("{} MB", a.memory.value),
        format!("{} MB", b.memory.value),
    );
    field(
        "cpu",
        format!("{} mvCPU", a.cpu()),
        format!("{} mvCPU", b.cpu()),
    );
    field("port", a.port.value.to_string(), b.port.value.to_string());
    field(
        "timeout",
        format!("{}s", a.timeout.value),
        format!("{}s", b.timeout.value),
    );
    field("image", image(a), image(b));
    field(
        "access",
        if a.private { "private" } else { "public" }.into(),
        if b.private { "private" } else { "public" }.into(),
    );
    field(
        "protocol",
        a.protocol.value.clone(),
        b.protocol.value.clone(),
    );
    let health = |s: &Service| {
        s.health.as_ref().map_or("none".to_string(), |h| {
            format!(
                "{} every {} ({} failures, timeout {}{})",
                h.path.value,
                h.interval.value,
                h.failures.value,
                h.timeout.value,
                h.startup
                    .as_ref()
                    .map_or(String::new(), |x| format!(", startup {}", x.value))
            )
        })
    };
    field("health", health(a), health(b));
    let words = |w: &Option<crate::span::Spanned<Vec<String>>>| {
        w.as_ref()
            .map_or("(the image's)".to_string(), |w| w.value.join(" "))
    };
    field("command", words(&a.command), words(&b.command));
    field("args", words(&a.args), words(&b.args));
    let migrate = |s: &Service| {
        s.migrate.as_ref().map_or("none".to_string(), |m| {
            format!("{} (timeout {})", m.command.value, m.timeout.value)
        })
    };
    field("migration", migrate(a), migrate(b));
    let keys = |s: &Service| -> Vec<String> {
        let mut k: Vec<String> = s
            .env
            .iter()
            .map(|e| format!("{}={}", e.key.value, shown(&e.value)))
            .chain(
                s.secret_env
                    .iter()
                    .map(|e| format!("{} (secret {})", e.key.value, e.secret.value)),
            )
            .chain(s.links.iter().map(|l| {
                format!(
                    "{} (link to {} as {}{})",
                    l.env.value,
                    l.target.value,
                    l.url.value,
                    l.token
                        .as_ref()
                        .map_or(String::new(), |t| format!(", token in {}", t.value))
                )
            }))
            .chain(
                s.databases
                    .iter()
                    .map(|d| format!("{} (database {})", d.env.value, d.database.value)),
            )
            .chain(
                s.redis
                    .iter()
                    .map(|d| format!("{} (redis {})", d.env.value, d.redis.value)),
            )
            .chain(
                s.buckets
                    .iter()
                    .map(|b| format!("bucket {} {}", b.bucket.value, b.access.value)),
            )
            .chain(s.queues.iter().map(|q| {
                format!(
                    "{} (queue {}, {})",
                    q.env.value, q.queue.value, q.access.value
                )
            }))
            .chain(
                s.consumes
                    .iter()
                    .map(|c| format!("consume {} (POST {})", c.queue.value, c.path.value)),
            )
            .collect();
        k.sort();
        k
    };
    let (ka, kb) = (keys(a), keys(b));
    let added: Vec<&String> = kb.iter().filter(|k| !ka.contains(k)).collect();
    let removed: Vec<&String> = ka.iter().filter(|k| !kb.contains(k)).collect();
    if !added.is_empty() {
        out.push(format!("sets {}", list(&added)));
    }
    if !removed.is_empty() {
        out.push(format!("no longer sets {}", list(&removed)));
    }
    out
}

/// A value as written: `(var)name` keeps its annotation.
fn shown(v: &crate::syntax::Value) -> String {
    match &v.ty {
        Some(t) => format!("({}){}", t.value, v.lit.display()),
        None => v.lit.display(),
    }
}

fn list(items: &[&String]) -> String {
    items.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")
}

fn env_diff(
    old: Option<&Stack>,
    new: Option<&Stack>,
    (old_partial, new_partial): (&[String], &[String]),
) -> EnvDiff {
    let env = new.or(old).map(|s| s.env.value.clone()).unwrap_or_default();
    let mut changes = Vec::new();
    let mut r = Resources::default();
    let (old_floor, new_floor) = (
        old.map(|s| env_cost(s).monthly_floor_eur),
        new.map(|s| env_cost(s).monthly_floor_eur),
    );
    let none: &[Service] = &[];
    let (old_services, new_services) = (
        old.map_or(none, |s| s.services.as_slice()),
        new.map_or(none, |s| s.services.as_slice()),
    );
    for b in new_services {
        match old.and_then(|o| o.service(&b.name.value)) {
            None => {
                changes.push(format!(
                    "new service `{}` (scale {}, {} MB)",
                    b.name.value,
                    scale(b),
                    b.memory.value
                ));
                r.added.extend(service_addresses(b, new_partial));
            }
            Some(a) => {
                let c = service_changes(a, b);
                if !c.is_empty() {
                    changes.push(format!("service `{}`: {}", b.name.value, c.join("; ")));
                    r.changed.push(container(&b.name.value, new_partial));
                    let (ia, ib) = (
                        service_addresses(a, old_partial),
                        service_addresses(b, new_partial),
                    );
                    r.added
                        .extend(ib.iter().filter(|x| !ia.contains(x)).cloned());
                    r.removed
                        .extend(ia.iter().filter(|x| !ib.contains(x)).cloned());
                }
            }
        }
    }
    for a in old_services {
        if new.and_then(|n| n.service(&a.name.value)).is_none() {
            changes.push(format!("removed service `{}`", a.name.value));
            r.removed.extend(service_addresses(a, old_partial));
        }
    }
    // Sites and buckets.
    let sites = |s: Option<&Stack>| -> Vec<String> {
        s.map(|s| s.sites.iter().map(|x| x.name.value.clone()).collect())
            .unwrap_or_default()
    };
    let (sa, sb) = (sites(old), sites(new));
    for s in sb.iter().filter(|s| !sa.contains(s)) {
        changes.push(format!("new site `{s}`"));
        r.added.extend(site_addresses(s));
    }
    for s in sa.iter().filter(|s| !sb.contains(s)) {
        changes.push(format!("removed site `{s}`"));
        r.removed.extend(site_addresses(s));
    }
    let buckets = |s: Option<&Stack>| -> Vec<(String, bool, bool)> {
        s.map(|s| {
            s.buckets
                .iter()
                .map(|b| (b.name.value.clone(), b.public, b.versioning))
                .collect()
        })
        .unwrap_or_default()
    };
    let (ba, bb) = (buckets(old), buckets(new));
    for (name, public, versioning) in &bb {
        match ba.iter().find(|(n, ..)| n == name) {
            None => {
                changes.push(format!(
                    "new bucket `{name}`{}",
                    if *public { " (public read)" } else { "" }
                ));
                r.added.extend(bucket_addresses(name, *public));
            }
            Some((_, p, v)) => {
                if p != public {
                    changes.push(format!(
                        "bucket `{name}`: {}",
                        if *public {
                            "now public read"
                        } else {
                            "no longer public"
                        }
                    ));
                    let policy = bucket_policy_address(name);
                    if *public {
                        r.added.push(policy);
                    } else {
                        r.removed.push(policy);
                    }
                }
                if v != versioning {
                    changes.push(format!(
                        "bucket `{name}`: versioning {}",
                        if *versioning { "on" } else { "off" }
                    ));
                    r.changed.push(bucket_addresses(name, false).remove(0));
                }
            }
        }
    }
    for (name, public, _) in ba.iter().filter(|(n, ..)| !bb.iter().any(|(m, ..)| m == n)) {
        changes.push(format!("removed bucket `{name}` (and everything in it)"));
        r.removed.extend(bucket_addresses(name, *public));
    }
    // Domains.
    let domains = |s: Option<&Stack>| -> Vec<(String, String, Vec<String>)> {
        s.map(|s| {
            s.domains
                .iter()
                .map(|d| {
                    let target = match (&d.service, &d.site) {
                        (Some(x), _) => format!("service `{}`", x.value),
                        (_, Some(x)) => {
                            format!("site `{}`{}", x.value, if d.waf { " with WAF" } else { "" })
                        }
                        _ => String::new(),
                    };
                    let addrs = domain_addresses(
                        s,
                        &d.host.value,
                        d.service.as_ref().map(|x| x.value.as_str()),
                        d.waf,
                    );
                    (d.host.value.clone(), target, addrs)
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (da, db) = (domains(old), domains(new));
    for (host, target, addrs) in &db {
        match da.iter().find(|(h, ..)| h == host) {
            None => {
                changes.push(format!("new domain `{host}` → {target}"));
                r.added.extend(addrs.iter().cloned());
            }
            Some((_, t, old_addrs)) => {
                if t != target {
                    changes.push(format!("domain `{host}`: {t} → {target}"));
                }
                r.added
                    .extend(addrs.iter().filter(|x| !old_addrs.contains(x)).cloned());
                r.removed
                    .extend(old_addrs.iter().filter(|x| !addrs.contains(x)).cloned());
            }
        }
    }
    for (host, target, addrs) in da.iter().filter(|(h, ..)| !db.iter().any(|(g, ..)| g == h)) {
        changes.push(format!("removed domain `{host}` (was {target})"));
        r.removed.extend(addrs.iter().cloned());
    }
    // Databases (their data goes with them) and jobs, migrations included.
    let databases = |s: Option<&Stack>| -> Vec<(String, String)> {
        s.map(|s| {
            s.databases
                .iter()
                .map(|d| {
                    (
                        d.name.value.clone(),
                        format!("{}..{} vCPU", d.min_cpu.value, d.max_cpu.value),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let db_address = |n: &str| format!("module.database.scaleway_sdb_sql_database.this[\"{n}\"]");
    let (dba, dbb) = (databases(old), databases(new));
    for (name, cpu) in &dbb {
        match dba.iter().find(|(n, _)| n == name) {
            None => {
                changes.push(format!("new database `{name}` ({cpu})"));
                r.added.push(db_address(name));
            }
            Some((_, was)) if was != cpu => {
                changes.push(format!("database `{name}`: {was} → {cpu}"));
                r.changed.push(db_address(name));
            }
            Some(_) => {}
        }
    }
    for (name, _) in dba.iter().filter(|(n, _)| !dbb.iter().any(|(m, _)| m == n)) {
        changes.push(format!(
            "removed database `{name}`: ⚠ its data is destroyed with it"
        ));
        r.removed.push(db_address(name));
    }
    // Queues (their messages go with them; a FIFO switch renames, so replaces, them).
    let queues = |s: Option<&Stack>| -> Vec<(String, bool, String)> {
        s.map(|s| {
            s.queues
                .iter()
                .map(|q| {
                    let what = format!(
                        "{}, retention {}, visibility timeout {}{}",
                        if q.fifo { "FIFO" } else { "standard" },
                        q.retention.value,
                        q.visibility_timeout.value,
                        q.dead_letter.as_ref().map_or(String::new(), |n| format!(
                            ", dead-letter after {}",
                            n.value
                        ))
                    );
                    (q.name.value.clone(), q.fifo, what)
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let queue_address = |n: &str| format!("module.queues.scaleway_mnq_sqs_queue.this[\"{n}\"]");
    let (qa, qb) = (queues(old), queues(new));
    for (name, fifo, what) in &qb {
        match qa.iter().find(|(n, ..)| n == name) {
            None => {
                changes.push(format!("new queue `{name}` ({what})"));
                r.added.push(queue_address(name));
            }
            Some((_, was_fifo, was)) if was_fifo != fifo => {
                changes.push(format!(
                    "queue `{name}`: {was} → {what}: ⚠ replaced (a FIFO queue's name ends in .fifo), its messages are lost"
                ));
                r.removed.push(queue_address(name));
                r.added.push(queue_address(name));
            }
            Some((_, _, was)) if was != what => {
                changes.push(format!("queue `{name}`: {was} → {what}"));
                r.changed.push(queue_address(name));
            }
            Some(_) => {}
        }
    }
    for (name, ..) in qa.iter().filter(|(n, ..)| !qb.iter().any(|(m, ..)| m == n)) {
        changes.push(format!(
            "removed queue `{name}`: ⚠ the messages in it are lost"
        ));
        r.removed.push(queue_address(name));
    }
    // Redis clusters: a size change from 1 node, or down, replaces the cluster
    // (provider cluster.go customizeDiffMigrateClusterSize); removing one loses its data.
    let redis = |s: Option<&Stack>| -> Vec<(String, i128, String)> {
        s.map(|s| {
            s.redis
                .iter()
                .map(|r| {
                    (
                        r.name.value.clone(),
                        r.nodes.value,
                        format!(
                            "{} x{} {}",
                            r.node_type.value, r.nodes.value, r.version.value
                        ),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let redis_address = |n: &str| format!("module.redis.scaleway_redis_cluster.this[\"{n}\"]");
    let (ra, rb) = (redis(old), redis(new));
    for (name, nodes, what) in &rb {
        match ra.iter().find(|(n, ..)| n == name) {
            None => {
                changes.push(format!("new Redis `{name}` ({what})"));
                r.added.push(redis_address(name));
            }
            Some((_, was_nodes, was)) if was != what => {
                let replaced = (*was_nodes == 1 && *nodes != 1) || nodes < was_nodes;
                changes.push(format!(
                    "Redis `{name}`: {was} → {what}{}",
                    if replaced {
                        ": ⚠ the cluster is replaced (its data is lost)"
                    } else {
                        ""
                    }
                ));
                r.changed.push(redis_address(name));
            }
            Some(_) => {}
        }
    }
    for (name, ..) in ra.iter().filter(|(n, ..)| !rb.iter().any(|(m, ..)| m == n)) {
        changes.push(format!(
            "removed Redis `{name}`: ⚠ its data is destroyed with it"
        ));
        r.removed.push(redis_address(name));
    }
    let jobs = |s: Option<&Stack>| -> Vec<(String, String)> {
        s.map(|s| {
            s.jobs
                .iter()
                .map(|j| {
                    let image = match &j.image {
                        crate::model::JobImage::Build { dockerfile, .. } => {
                            format!(
                                "built from {}{}",
                                dockerfile.value,
                                build_args(&j.build_args)
                            )
                        }
                        crate::model::JobImage::Ref(r) => r.value.clone(),
                        crate::model::JobImage::Service(x) => {
                            format!("service {}'s image", x.value)
                        }
                    };
                    let what = format!(
                        "{}; command {}; {} MB; timeout {}{}",
                        image,
                        j.command
                            .as_ref()
                            .map_or("(the image's)".to_string(), |c| c.value.join(" ")),
                        j.memory.value,
                        j.timeout.value,
                        j.schedule.as_ref().map_or(String::new(), |x| format!(
                            "; schedule {} {}",
                            x.cron.value, x.timezone.value
                        ))
                    );
                    (j.name.value.clone(), what)
                })
                .chain(s.services.iter().filter_map(|svc| {
                    svc.migrate.as_ref().map(|m| {
                        (
                            format!("{}-migrate", svc.name.value),
                            format!("migration {}", m.command.value),
                        )
                    })
                }))
                .collect()
        })
        .unwrap_or_default()
    };
    let job_address = |n: &str| format!("module.jobs.scaleway_job_definition.this[\"{n}\"]");
    let (ja, jb) = (jobs(old), jobs(new));
    for (name, what) in &jb {
        match ja.iter().find(|(n, _)| n == name) {
            None => {
                changes.push(format!("new job `{name}` ({})", code(what)));
                r.added.push(job_address(name));
            }
            Some((_, was)) if was != what => {
                changes.push(format!("job `{name}`: {} → {}", code(was), code(what)));
                r.changed.push(job_address(name));
            }
            Some(_) => {}
        }
    }
    for (name, _) in ja.iter().filter(|(n, _)| !jb.iter().any(|(m, _)| m == n)) {
        changes.push(format!("removed job `{name}`"));
        r.removed.push(job_address(name));
    }
    // Secrets and vars.
    let secrets = |s: Option<&Stack>| -> Vec<String> {
        s.map(|s| s.secrets.iter().map(|x| x.name.value.clone()).collect())
            .unwrap_or_default()
    };
    let (xa, xb) = (secrets(old), secrets(new));
    let to_provide: Vec<String> = if old.is_some() {
        xb.iter().filter(|x| !xa.contains(x)).cloned().collect()
    } else {
        xb.clone()
    };
    for x in &to_provide {
        changes.push(format!(
            "new secret `{x}`: give its value before the next apply"
        ));
    }
    for x in xa.iter().filter(|x| !xb.contains(x)) {
        changes.push(format!("removed secret `{x}`"));
    }
    let var_value = |s: &Stack, name: &str| {
        s.var(name)
            .and_then(|v| v.value.as_ref())
            .map(shown)
            .unwrap_or_else(|| "(none)".into())
    };
    if let (Some(a), Some(b)) = (old, new) {
        for v in &b.vars {
            let n = &v.name.value;
            if a.var(n).is_none() {
                changes.push(format!("new var `{n}` = {}", code(&var_value(b, n))));
            } else if var_value(a, n) != var_value(b, n) {
                changes.push(format!(
                    "var `{n}`: {} → {}",
                    code(&var_value(a, n)),
                    code(&var_value(b, n))
                ));
            }
        }
        if a.edge_plan() != b.edge_plan() && (a.uses_edge() || b.uses_edge()) {
            changes.push(format!(
                "Edge Services plan {} → {}",
                a.edge_plan(),
                b.edge_plan()
            ));
        }
    }
    if old_floor != new_floor {
        let (a, b) = (old_floor.unwrap_or(0.0), new_floor.unwrap_or(0.0));
        let sign = if b < a { "-" } else { "+" };
        changes.push(format!(
            "cost floor €{a:.2} → €{b:.2} a month ({sign}€{:.2})",
            (b - a).abs()
        ));
    }
    for v in [&mut r.added, &mut r.removed, &mut r.changed] {
        v.sort();
        v.dedup();
    }
    let status = match (old, new) {
        (None, _) => "added",
        (_, None) => "removed",
        _ if changes.is_empty() && r.added.is_empty() && r.removed.is_empty() => "unchanged",
        _ => "changed",
    };
    EnvDiff {
        env,
        status,
        changes,
        secrets_to_provide: to_provide,
        resources: r,
        cost_floor_eur: json!({ "old": old_floor, "new": new_floor }),
    }
}

/// Every environment of either stack, in the new stack's order then the old one's.
pub fn diff(old: &[Stack], new: &[Stack]) -> Vec<EnvDiff> {
    let mut names: Vec<&str> = new.iter().map(|s| s.env.value.as_str()).collect();
    for s in old {
        if !names.contains(&s.env.value.as_str()) {
            names.push(&s.env.value);
        }
    }
    let (old_partial, new_partial) = (partial_services(old), partial_services(new));
    names
        .into_iter()
        .map(|n| {
            env_diff(
                old.iter().find(|s| s.env.value == n),
                new.iter().find(|s| s.env.value == n),
                (&old_partial, &new_partial),
            )
        })
        .collect()
}

/// What the per-kind comparison cannot see, read from the two generated configurations:
/// a change of region, of project (`project create=`/`id=`) or of the stack's name
/// replaces every resource of an environment (region and project_id are ForceNew on
/// every regional resource, names on the named ones), with the data of each
/// data-bearing one; and an environment whose generated files change is never
/// "unchanged".
pub fn whole(
    old: &[Stack],
    new: &[Stack],
    old_files: &crate::emit::Artifacts,
    new_files: &crate::emit::Artifacts,
    envs: &mut [EnvDiff],
) {
    let blocks = resource_blocks(old_files);
    let shared_changed = old_files
        .iter()
        .chain(new_files.iter())
        .filter(|(k, _)| k.ends_with(".tf.json"))
        .any(|(k, _)| old_files.get(k) != new_files.get(k));
    for e in envs.iter_mut() {
        let (Some(a), Some(b)) = (
            old.iter().find(|s| s.env.value == e.env),
            new.iter().find(|s| s.env.value == e.env),
        ) else {
            continue;
        };
        let project = |s: &Stack| match &s.project {
            Some(p) if p.create => "a project of its own (created)".to_string(),
            Some(p) => {
                p.id.as_ref()
                    .map_or("the API key's default project".to_string(), |i| {
                        format!("project {}", i.value)
                    })
            }
            None => "the API key's default project".to_string(),
        };
        let mut reasons = Vec::new();
        if a.region.value != b.region.value {
            reasons.push(format!(
                "region {} → {}",
                code(&a.region.value),
                code(&b.region.value)
            ));
        }
        if project(a) != project(b) {
            reasons.push(format!("project: {} → {}", project(a), project(b)));
        }
        if a.name.value != b.name.value {
            reasons.push(format!(
                "stack renamed {} → {}",
                code(&a.name.value),
                code(&b.name.value)
            ));
        }
        if !reasons.is_empty() {
            e.changes.insert(
                0,
                format!(
                    "{}: every resource of this environment is destroyed and created again",
                    reasons.join("; ")
                ),
            );
            let lost: Vec<&str> = blocks
                .iter()
                .filter(|(_, ty)| crate::provider::DATA_TYPES.contains(&ty.as_str()))
                .map(|(addr, _)| addr.as_str())
                .collect();
            if !lost.is_empty() {
                e.changes.insert(
                    1,
                    format!(
                        "⚠ data loss: {} lose their data (bucket objects, database rows, secret versions, images, DNS records) unless it is moved first",
                        lost.iter().map(|x| code(x)).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            e.resources.replaced = blocks.iter().map(|(addr, _)| addr.clone()).collect();
        }
        let own = |files: &crate::emit::Artifacts| -> Vec<(String, Vec<u8>)> {
            files
                .iter()
                .filter(|(k, _)| k.starts_with(&format!("environments/{}.", e.env)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        if e.changes.is_empty() {
            if own(old_files) != own(new_files) {
                e.changes.push(
                    "this environment's generated values change in a way this summary does not name: read `terraform plan`".to_string(),
                );
            } else if shared_changed {
                e.changes.push(
                    "the configuration every environment shares changes (main.tf.json or a module): `terraform plan` shows whether this environment's resources do".to_string(),
                );
            }
        }
        if e.status == "unchanged" && !e.changes.is_empty() {
            e.status = "changed";
        }
    }
}

/// Generated files: (added, removed, changed) paths.
pub fn files(
    old: &crate::emit::Artifacts,
    new: &crate::emit::Artifacts,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let added = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, changed)
}

pub fn markdown(
    old_name: &str,
    new_name: &str,
    envs: &[EnvDiff],
    files: &(Vec<String>, Vec<String>, Vec<String>),
) -> String {
    let mut out = format!(
        "### cellac diff: {} → {}\n\n",
        code(old_name),
        code(new_name)
    );
    let unchanged: Vec<&str> = envs
        .iter()
        .filter(|e| e.status == "unchanged")
        .map(|e| e.env.as_str())
        .collect();
    for e in envs.iter().filter(|e| e.status != "unchanged") {
        let what = match e.status {
            "added" => " (new environment)",
            "removed" => " (removed environment)",
            _ => "",
        };
        out.push_str(&format!("#### {}{what}\n\n", e.env));
        for c in &e.changes {
            out.push_str(&format!("- {c}\n"));
        }
        let r = &e.resources;
        if !r.replaced.is_empty() {
            out.push_str(&format!(
                "\n<details><summary>Terraform: {} resource blocks replaced (every instance)</summary>\n\n```diff\n",
                r.replaced.len()
            ));
            for a in &r.replaced {
                out.push_str(&format!("-/+ {a}\n"));
            }
            out.push_str("```\n\n</details>\n");
        }
        if !(r.added.is_empty() && r.removed.is_empty() && r.changed.is_empty()) {
            out.push_str(&format!(
                "\n<details><summary>Terraform: {} to add, {} to change, {} to destroy</summary>\n\n```diff\n",
                r.added.len(),
                r.changed.len(),
                r.removed.len()
            ));
            for a in &r.added {
                out.push_str(&format!("+ {a}\n"));
            }
            for a in &r.changed {
                out.push_str(&format!("! {a}\n"));
            }
            for a in &r.removed {
                out.push_str(&format!("- {a}\n"));
            }
            out.push_str("```\n\n</details>\n");
        }
        out.push('\n');
    }
    if !unchanged.is_empty() {
        out.push_str(&format!("Unchanged: {}.\n\n", unchanged.join(", ")));
    }
    if envs.iter().any(|e| {
        let r = &e.resources;
        !(r.added.is_empty() && r.removed.is_empty() && r.changed.is_empty())
    }) {
        out.push_str(
            "The addresses are the resources cellac's configuration adds, changes or removes; \
             `terraform plan` has the last word (it also shows what follows from them).\n\n",
        );
    }
    let (a, r, c) = files;
    if a.is_empty() && r.is_empty() && c.is_empty() {
        out.push_str("`cellac build` writes the same files.\n");
    } else {
        out.push_str("Files `cellac build` would change:");
        for (mark, list) in [("+", a), ("-", r), ("~", c)] {
            for p in list {
                out.push_str(&format!(" {mark}`{p}`"));
            }
        }
        out.push('\n');
    }
    out
}

#[allow(
    clippy::expect_used,
    reason = "EnvDiff derives Serialize over strings, lists and JSON values: to_value cannot fail"
)]
pub fn json(
    old_name: &str,
    new_name: &str,
    envs: &[EnvDiff],
    files: &(Vec<String>, Vec<String>, Vec<String>),
) -> String {
    let map: serde_json::Map<String, serde_json::Value> = envs
        .iter()
        .map(|e| (e.env.clone(), serde_json::to_value(e).expect("serializes")))
        .collect();
    let v = json!({
        "old": old_name, "new": new_name, "environments": map,
        "files": { "added": files.0, "removed": files.1, "changed": files.2 },
    });
    format!("{v:#}\n")
}
