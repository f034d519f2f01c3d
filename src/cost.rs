//! `cellac cost`: each environment's monthly cost floor, from `schema/prices.json`.
//!
//! The floor is what an environment costs with no traffic at all: the instances that
//! are always on (`scale min`, a singleton's one) times their memory and vCPU for a
//! whole month, plus the fixed monthly items (the Edge Services plan of an environment
//! that serves a site on a domain; Cockpit retention beyond the free one). What traffic
//! drives (more instances, egress, storage) is listed with its unit price. A price
//! Scaleway's pages did not give is `null` in prices.json: the item is listed with its
//! price unknown, never guessed, and the floor says it leaves such items out.
//!
//! Free tiers are per account, not per environment: each environment's floor is before
//! them, and the account's total applies them once.

#![deny(clippy::arithmetic_side_effects)]

use crate::model::Stack;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const PRICES: &str = include_str!("../schema/prices.json");

#[derive(Debug, Deserialize)]
pub struct Prices {
    pub checked: String,
    pub seconds_per_month: f64,
    pub prices: BTreeMap<String, Price>,
}

#[derive(Debug, Deserialize)]
pub struct Price {
    pub eur: Option<f64>,
    #[serde(default)]
    pub free_per_account_month: Option<f64>,
    pub unit: String,
    pub what: String,
    pub source: String,
}

#[allow(
    clippy::expect_used,
    reason = "schema/prices.json is embedded at compile time, and the cost tests parse it"
)]
pub fn prices() -> &'static Prices {
    static P: OnceLock<Prices> = OnceLock::new();
    P.get_or_init(|| serde_json::from_str(PRICES).expect("schema/prices.json is valid"))
}

fn price(key: &str) -> &'static Price {
    static NONE: OnceLock<Price> = OnceLock::new();
    prices().prices.get(key).unwrap_or_else(|| {
        NONE.get_or_init(|| Price {
            eur: None,
            free_per_account_month: None,
            unit: "month".into(),
            what: "an item schema/prices.json has no price for".into(),
            source: "schema/prices.json".into(),
        })
    })
}

/// One line of an environment's floor.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    pub item: String,
    /// `always-on` (instances) or `fixed` (a monthly item).
    pub kind: &'static str,
    pub quantity: f64,
    pub unit: String,
    pub unit_price_eur: Option<f64>,
    /// `None` when the unit price is unknown.
    pub monthly_eur: Option<f64>,
    pub price: String,
    pub source: String,
}

/// A traffic-driven part, with its unit price.
#[derive(Clone, Debug, Serialize)]
pub struct Usage {
    pub item: String,
    pub unit: String,
    pub unit_price_eur: Option<f64>,
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvCost {
    pub env: String,
    /// The sum of the lines whose price is known, before the account's free tiers.
    pub monthly_floor_eur: f64,
    /// Whether some line's price is unknown (the floor leaves it out).
    pub incomplete: bool,
    pub lines: Vec<Line>,
    pub usage: Vec<Usage>,
    /// Always-on consumption, for the account's free tiers: (GB-s, vCPU-s).
    #[serde(skip)]
    pub consumption: (f64, f64),
}

fn line(item: String, kind: &'static str, quantity: f64, key: &str) -> Line {
    let p = price(key);
    Line {
        item,
        kind,
        quantity,
        unit: p.unit.clone(),
        unit_price_eur: p.eur,
        monthly_eur: p.eur.map(|e| round(quantity * e)),
        price: key.to_string(),
        source: p.source.clone(),
    }
}

fn usage(key: &str) -> Usage {
    let p = price(key);
    Usage {
        item: p.what.clone(),
        unit: p.unit.clone(),
        unit_price_eur: p.eur,
        source: p.source.clone(),
    }
}

/// Cents, and no `-0.0`.
fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0 + 0.0
}

/// One environment's floor.
pub fn env_cost(stack: &Stack) -> EnvCost {
    let month = prices().seconds_per_month;
    let mut lines = Vec::new();
    let (mut gb_s, mut vcpu_s) = (0.0, 0.0);
    for s in &stack.services {
        let n = s.min_scale();
        if n <= 0 {
            continue;
        }
        let gb = s.memory.value as f64 / 1024.0;
        let vcpu = s.cpu() as f64 / 1000.0;
        let what = if s.singleton.is_some() {
            "1 instance (singleton)".to_string()
        } else if n == 1 {
            "1 instance always on (scale min=1)".to_string()
        } else {
            format!("{n} instances always on (scale min={n})")
        };
        let mem = n as f64 * gb * month;
        let cpu = n as f64 * vcpu * month;
        gb_s += mem;
        vcpu_s += cpu;
        lines.push(line(
            format!("service {}: {what}, {} MB", s.name.value, s.memory.value),
            "always-on",
            mem,
            "container_memory_gb_second",
        ));
        lines.push(line(
            format!("service {}: {what}, {} mvCPU", s.name.value, s.cpu()),
            "always-on",
            cpu,
            "container_vcpu_second",
        ));
    }
    // Issue 23: each Redis node exists all month (its price per node type is unknown).
    for r in &stack.redis {
        lines.push(line(
            format!(
                "redis {}: {} x {} node{}",
                r.name.value,
                r.nodes.value,
                r.node_type.value,
                if r.nodes.value == 1 { "" } else { "s" }
            ),
            "always-on",
            r.nodes.value as f64 * month / 3600.0,
            "redis_node_hour",
        ));
    }
    if stack.uses_edge() {
        let plan = stack.edge_plan();
        lines.push(line(
            format!("Edge Services plan `{plan}` (sites on a domain)"),
            "fixed",
            1.0,
            &format!("edge_plan_{plan}_month"),
        ));
    }
    if let Some(m) = &stack.monitoring {
        let beyond = [(&m.logs, 7), (&m.metrics, 31), (&m.traces, 7)]
            .iter()
            .any(|(s, free)| s.as_ref().is_some_and(|s| s.retention_days.value > *free));
        if beyond {
            lines.push(line(
                "Cockpit retention beyond the free 31 days (metrics) and 7 days (logs, traces)"
                    .into(),
                "fixed",
                1.0,
                "cockpit_retention_beyond_free",
            ));
        }
    }
    let mut usage_keys = vec![
        "container_memory_gb_second",
        "container_vcpu_second",
        "container_traffic_gb",
    ];
    if stack.registry.declared || stack.builds_images() {
        usage_keys.push("registry_storage_gb_month");
    }
    if !stack.buckets.is_empty() || !stack.sites.is_empty() {
        usage_keys.extend(["object_storage_gb_month", "object_storage_egress_gb"]);
    }
    if stack.uses_edge() {
        usage_keys.push("edge_cache_egress_gb");
    }
    // A job's (or migration's) SQS keys are written to Secret Manager too.
    let job_queues = stack.jobs.iter().any(|j| !j.queues.is_empty())
        || stack
            .services
            .iter()
            .any(|s| s.migrate.is_some() && !s.queues.is_empty());
    if stack.secrets.iter().any(|s| s.store) || stack.jobs_use_iam() || job_queues {
        usage_keys.push("secret_manager_version_month");
    }
    // Issue 22: databases and jobs are priced too (by use: an idle database bills no
    // compute, a job only while it runs), so they are listed, not left out.
    if !stack.databases.is_empty() {
        usage_keys.extend(["sdb_compute_vcpu_second", "sdb_storage_gb_month"]);
    }
    if !stack.jobs.is_empty() || stack.services.iter().any(|s| s.migrate.is_some()) {
        usage_keys.push("jobs_run_vcpu_second");
    }
    // Issue 23: queues bill by use (requests), never a floor; the price is unknown.
    if !stack.queues.is_empty() {
        usage_keys.push("queues_requests");
    }
    let known: f64 = lines.iter().filter_map(|l| l.monthly_eur).sum();
    EnvCost {
        env: stack.env.value.clone(),
        monthly_floor_eur: round(known),
        incomplete: lines.iter().any(|l| l.monthly_eur.is_none()),
        lines,
        usage: usage_keys.into_iter().map(usage).collect(),
        consumption: (gb_s, vcpu_s),
    }
}

/// The account's floor: every environment together, the free tiers applied once.
pub fn account(envs: &[EnvCost]) -> Value {
    let gross: f64 = envs.iter().map(|e| e.monthly_floor_eur).sum();
    let mut free = Vec::new();
    let mut saved = 0.0;
    for (key, used) in [
        (
            "container_memory_gb_second",
            envs.iter().map(|e| e.consumption.0).sum::<f64>(),
        ),
        (
            "container_vcpu_second",
            envs.iter().map(|e| e.consumption.1).sum::<f64>(),
        ),
    ] {
        let p = price(key);
        let (Some(eur), Some(tier)) = (p.eur, p.free_per_account_month) else {
            continue;
        };
        let applied = used.min(tier);
        saved += applied * eur;
        free.push(json!({
            "price": key, "free_per_account_month": tier, "unit": p.unit,
            "used_by_the_floors": used.round(), "saves_eur": round(applied * eur),
        }));
    }
    json!({
        "monthly_floor_eur": round((gross - saved).max(0.0)),
        "before_free_tiers_eur": round(gross),
        "free_tiers": free,
        "incomplete": envs.iter().any(|e| e.incomplete),
    })
}

#[allow(
    clippy::expect_used,
    reason = "EnvCost derives Serialize over strings, numbers, booleans and lists: to_value cannot fail"
)]
pub fn json(stack_name: &str, envs: &[EnvCost]) -> String {
    let map: serde_json::Map<String, Value> = envs
        .iter()
        .map(|e| (e.env.clone(), serde_json::to_value(e).expect("serializes")))
        .collect();
    let v = json!({
        "stack": stack_name,
        "currency": "EUR",
        "vat": "excluded",
        "environments": map,
        "account": account(envs),
        "prices_date": prices().checked,
        "seconds_per_month": prices().seconds_per_month,
    });
    format!("{v:#}\n")
}

fn eur(x: Option<f64>) -> String {
    match x {
        Some(x) => format!("€{x:.2}"),
        None => "unknown".into(),
    }
}

fn unit_price(x: Option<f64>, unit: &str) -> String {
    match x {
        Some(x) => format!("€{} per {unit}", trim(x)),
        None => format!("price per {unit} unknown"),
    }
}

/// `0.000001`, not `1e-6`.
fn trim(x: f64) -> String {
    let s = format!("{x:.9}");
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

pub fn human(stack_name: &str, envs: &[EnvCost]) -> String {
    let mut out = String::new();
    for e in envs {
        out.push_str(&format!(
            "{} ({stack_name}): monthly floor {}{}\n",
            e.env,
            eur(Some(e.monthly_floor_eur)),
            if e.incomplete {
                ", and items whose price is unknown"
            } else {
                ""
            }
        ));
        if e.lines.is_empty() {
            out.push_str("  nothing runs or bills while idle (every service scales to zero)\n");
        }
        for l in &e.lines {
            let detail = match l.unit_price_eur {
                Some(p) if l.kind == "always-on" => {
                    format!(" ({} {} at €{})", group(l.quantity), l.unit, trim(p))
                }
                Some(_) => String::new(),
                None => format!(" (price not found; see {})", l.source),
            };
            out.push_str(&format!(
                "  {:>9}  {}{detail}\n",
                eur(l.monthly_eur),
                l.item
            ));
        }
        out.push_str("  with traffic:\n");
        for u in &e.usage {
            out.push_str(&format!(
                "    {}: {}\n",
                u.item,
                unit_price(u.unit_price_eur, &u.unit)
            ));
        }
        out.push('\n');
    }
    let a = account(envs);
    out.push_str(&format!(
        "account: {} a month for these environments together, after the free tiers ({} before)\n",
        eur(a["monthly_floor_eur"].as_f64()),
        eur(a["before_free_tiers_eur"].as_f64()),
    ));
    for f in a["free_tiers"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "  free tier, once per account: {} {} a month (the floors use {})\n",
            group(f["free_per_account_month"].as_f64().unwrap_or(0.0)),
            f["unit"].as_str().unwrap_or_default(),
            group(f["used_by_the_floors"].as_f64().unwrap_or(0.0)),
        ));
    }
    out.push_str(&format!(
        "prices: schema/prices.json, read from Scaleway's pages on {}; VAT excluded; a month is {} s\n",
        prices().checked,
        group(prices().seconds_per_month)
    ));
    out
}

/// `5256000` as `5,256,000`.
fn group(x: f64) -> String {
    let s = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && s.len().saturating_sub(i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
