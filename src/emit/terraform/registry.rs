//! `modules/registry`: one Container Registry namespace per environment.

use super::{ex, Module};
use serde_json::json;

pub fn module() -> Module {
    let mut m = Module::new("registry");
    m.var(
        "name",
        "string",
        "The registry namespace's name (letters and digits only).",
    );
    m.var("public", "bool", "Whether anyone may pull the images.");
    m.resource(
        "scaleway_registry_namespace",
        "this",
        json!({
            "name": ex("var.name"),
            "description": "Images of this stack's services.",
            "is_public": ex("var.public"),
        }),
    );
    m.output(
        "endpoint",
        ex("scaleway_registry_namespace.this.endpoint"),
        "Where images are pushed: rg.REGION.scw.cloud/NAMESPACE.",
    );
    m.output(
        "id",
        ex("scaleway_registry_namespace.this.id"),
        "The registry namespace.",
    );
    m
}
