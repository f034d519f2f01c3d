//! `modules/monitoring`: Cockpit sources for what the application pushes, the alert
//! manager with its contacts and Scaleway's preconfigured alert rules, and Grafana's URL.
//! Scaleway products' own logs and metrics go to Cockpit's built-in sources; the sources
//! created here hold only what the application pushes to them.

use super::{ex, hcl, module_call, output, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

pub fn module() -> Module {
    let mut m = Module::new("monitoring");
    m.var("name_prefix", "string", "Prefix of every source's name.");
    m.var(
        "sources",
        "map(number)",
        "Retention in days, keyed by source type (logs, metrics, traces).",
    );
    m.var(
        "alert_emails",
        "list(string)",
        "Who receives alerts; empty for no alert manager contacts.",
    );
    m.var(
        "preconfigured",
        "bool",
        "Enable Scaleway's preconfigured alert rules.",
    );
    m.var("region", "string", "The Cockpit region.");
    // Scaleway's preconfigured rules (every product's: rules of products the stack does
    // not use never fire). The alert manager is one per project and region.
    m.main.insert(
        "data".into(),
        json!({
            "scaleway_cockpit_preconfigured_alert": { "this": {
                "count": ex("var.preconfigured ? 1 : 0"),
                "project_id": ex("var.project_id"),
                "region": ex("var.region"),
            } },
            "scaleway_cockpit_grafana": { "this": {
                "project_id": ex("var.project_id"),
            } },
        }),
    );
    m.resource(
        "scaleway_cockpit_source",
        "this",
        json!({
            "for_each": ex("var.sources"),
            "name": ex("\"${var.name_prefix}-${each.key}\""),
            "type": ex("each.key"),
            "retention_days": ex("each.value"),
        }),
    );
    m.resource(
        "scaleway_cockpit_alert_manager",
        "this",
        json!({
            "count": ex("length(var.alert_emails) > 0 || var.preconfigured ? 1 : 0"),
            "region": ex("var.region"),
            "preconfigured_alert_ids": ex("var.preconfigured ? [for a in data.scaleway_cockpit_preconfigured_alert.this[0].alerts : a.preconfigured_rule_id] : []"),
            "dynamic": { "contact_points": {
                "for_each": ex("var.alert_emails"),
                "content": { "email": ex("contact_points.value") },
            } },
        }),
    );
    m.output(
        "sources",
        ex("{ for k, s in scaleway_cockpit_source.this : k => s.id }"),
        "Cockpit source ids by type.",
    );
    m.output(
        "push_urls",
        ex("{ for k, s in scaleway_cockpit_source.this : k => s.push_url }"),
        "Where the application pushes its own logs, metrics or traces, by type.",
    );
    m.output(
        "grafana_url",
        ex("data.scaleway_cockpit_grafana.this.grafana_url"),
        "Cockpit's Grafana.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "monitoring",
    wanted: |shape| shape.monitoring,
    module: |_| module(),
    call,
    variables,
    outputs,
};

pub const MONITORING_TYPE: &str =
    "object({ sources = map(number), alert_emails = list(string), alert_vars = list(string), preconfigured = bool })";

fn call(cx: Cx) -> Value {
    let s = cx.first();
    module_call(
        "monitoring",
        Some(&s.region.value),
        json!({
            "count": ex("var.monitoring == null ? 0 : 1"),
            "preconfigured": ex("var.monitoring.preconfigured"),
            "name_prefix": format!("${{var.environment}}-{}", hcl::literal(&s.name.value)),
            "sources": ex("try(var.monitoring.sources, {})"),
            "alert_emails": ex("try(distinct(concat(var.monitoring.alert_emails, [for v in var.monitoring.alert_vars : local.vars[v]])), [])"),
        }),
    )
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    let mut m = variable(
        MONITORING_TYPE,
        "Cockpit sources and alert contacts, or null.",
    );
    m.insert("default".into(), Value::Null);
    vars.insert("monitoring".into(), Value::Object(m));
}

fn outputs(_: Cx, out: &mut Map<String, Value>) {
    output(
        out,
        "grafana_url".into(),
        ex("try(module.monitoring[0].grafana_url, null)"),
        "Cockpit's Grafana, where logs, metrics and alerts are.",
    );
}
