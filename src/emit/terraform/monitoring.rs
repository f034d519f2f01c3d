//! `modules/monitoring`: Cockpit sources for what the application pushes, the alert
//! manager with its contacts and Scaleway's preconfigured alert rules, and Grafana's URL.
//! Scaleway products' own logs and metrics go to Cockpit's built-in sources; the sources
//! created here hold only what the application pushes to them.

use super::{ex, Module};
use serde_json::json;

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
