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

fn container(s: &str) -> String {
    format!("module.containers.scaleway_container.{s}")
}

/// The addresses a service brings (its container, its IAM application when it
/// reads or writes buckets, and one IAM application per `link token=` target).
fn service_addresses(s: &Service) -> Vec<String> {
    let mut a = vec![container(&s.name.value)];
    if !s.buckets.is_empty() {
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
        Image::Build { dockerfile, .. } => format!("built from {}", dockerfile.value),
        Image::Ref(r) => r.value.clone(),
    }
}

/// What changed in one service, in words.
fn service_changes(a: &Service, b: &Service) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |what: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{what} {x} → {y}"));
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
            .chain(
                s.links
                    .iter()
                    .map(|l| format!("{} (link to {})", l.env.value, l.target.value)),
            )
            .chain(
                s.buckets
                    .iter()
                    .map(|b| format!("bucket {} {}", b.bucket.value, b.access.value)),
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
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn env_diff(old: Option<&Stack>, new: Option<&Stack>) -> EnvDiff {
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
                r.added.extend(service_addresses(b));
            }
            Some(a) => {
                let c = service_changes(a, b);
                if !c.is_empty() {
                    changes.push(format!("service `{}`: {}", b.name.value, c.join("; ")));
                    r.changed.push(container(&b.name.value));
                    let (ia, ib) = (service_addresses(a), service_addresses(b));
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
            r.removed.extend(service_addresses(a));
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
                changes.push(format!("new var `{n}` = {}", var_value(b, n)));
            } else if var_value(a, n) != var_value(b, n) {
                changes.push(format!(
                    "var `{n}`: {} → {}",
                    var_value(a, n),
                    var_value(b, n)
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
    names
        .into_iter()
        .map(|n| {
            env_diff(
                old.iter().find(|s| s.env.value == n),
                new.iter().find(|s| s.env.value == n),
            )
        })
        .collect()
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
    let mut out = format!("### cellac diff: `{old_name}` → `{new_name}`\n\n");
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
