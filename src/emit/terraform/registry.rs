//! `modules/registry`: one Container Registry namespace per environment.

use super::{ex, module_call, output, validation, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

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

pub(super) const CHILD: Child = Child {
    name: "registry",
    wanted: |shape| shape.registry,
    module: |_| module(),
    call,
    variables,
    outputs,
};

fn call(_: Cx) -> Value {
    module_call(
        "registry",
        None,
        json!({
            "name": ex("var.names.registry"),
            "public": ex("var.registry_public"),
        }),
    )
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "registry_public".into(),
        Value::Object(variable("bool", "Whether anyone may pull the images.")),
    );
    let mut tag = variable(
        "string",
        "The tag of the images to run: the git commit they were built from.",
    );
    tag.insert(
        "validation".into(),
        json!([validation(
            "can(regex(\"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$\", var.image_tag))".into(),
            "The image tag must be a Docker tag, such as a git commit.".into(),
        )]),
    );
    vars.insert("image_tag".into(), Value::Object(tag));
}

fn outputs(_: Cx, out: &mut Map<String, Value>) {
    output(
        out,
        "registry_endpoint".into(),
        ex("module.registry.endpoint"),
        "Where deploy pushes images: rg.REGION.scw.cloud/NAMESPACE.",
    );
}
