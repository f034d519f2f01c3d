//! `modules/secrets`: secrets kept in Secret Manager, written with `data_wo` so that
//! their values stay out of the Terraform state.
//!
//! Rotation: `data_wo_version` (ForceNew) is derived from the value, so a changed value
//! writes a new version with no manual step, and jobs reading `latest` get it. The
//! version is the first 32 bits of `sha256("cellac:NAME:VALUE")`, which the state keeps
//! in clear: see docs/language.md ("Rotating a secret") for what that reveals.

use super::{ex, module_call, nothing, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

/// A secret version's number: 32 bits of a hash of the secret's name and value. The name
/// separates secrets, so two secrets with one value do not show it by equal versions.
pub const VERSION: &str =
    "parseint(substr(sha256(\"cellac:${each.key}:${var.values[each.key]}\"), 0, 8), 16)";

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
            "data_wo_version": ex(VERSION),
            // A new version exists before the old one goes: `latest` always resolves.
            "lifecycle": { "create_before_destroy": true },
        }),
    );
    m.output(
        "ids",
        ex("{ for k, s in scaleway_secret.this : k => s.id }"),
        "Secret Manager ids, keyed by the stack's secret names.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "secrets",
    wanted: |shape| shape.secrets,
    module: |_| module(),
    call,
    variables,
    outputs: nothing,
};

fn call(_: Cx) -> Value {
    module_call(
        "secrets",
        None,
        json!({
            "path": ex("var.names.secret_path"),
            "names": ex("var.stored_secrets"),
            "values": ex("local.secrets"),
            "tags": ex("local.tags"),
        }),
    )
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "stored_secrets".into(),
        Value::Object(variable(
            "map(string)",
            "Secrets also kept in Secret Manager: stack name -> Secret Manager name.",
        )),
    );
}
