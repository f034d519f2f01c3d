//! `modules/secrets`: secrets kept in Secret Manager, written with `data_wo` so that
//! their values stay out of the Terraform state.

use super::{ex, Module};
use serde_json::json;

pub fn module() -> Module {
    let mut m = Module::new("secrets");
    m.var("path", "string", "The Secret Manager path, /ENV/STACK.");
    m.var(
        "names",
        "map(string)",
        "Secret Manager names (no `/`), keyed by the stack's secret names.",
    );
    m.var(
        "values",
        "map(string)",
        "The secrets' values, keyed by the stack's secret names.",
    )
    .insert("sensitive".into(), json!(true));
    m.var(
        "value_version",
        "number",
        "Bump to write new versions of every secret.",
    );
    m.var("tags", "list(string)", "Tags on every secret.");
    m.resource(
        "scaleway_secret",
        "this",
        json!({
            "for_each": ex("var.names"),
            "name": ex("each.value"),
            "path": ex("var.path"),
            "tags": ex("var.tags"),
        }),
    );
    m.resource(
        "scaleway_secret_version",
        "this",
        json!({
            "for_each": ex("var.names"),
            "secret_id": ex("scaleway_secret.this[each.key].id"),
            "data_wo": ex("var.values[each.key]"),
            "data_wo_version": ex("var.value_version"),
        }),
    );
    m.output(
        "ids",
        ex("{ for k, s in scaleway_secret.this : k => s.id }"),
        "Secret Manager ids, keyed by the stack's secret names.",
    );
    m
}
