//! `modules/monitoring`: Cockpit sources and the alert manager's contacts.

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
            "count": ex("length(var.alert_emails) > 0 ? 1 : 0"),
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
    m
}
