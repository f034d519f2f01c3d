//! `modules/project`: one Scaleway Project per environment (`project create=#true`),
//! so that project-scoped resources (Cockpit's alert manager, the Edge Services plan)
//! never collide between environments.

use super::{ex, nothing, Child, Cx, Module, Shape};
use serde_json::{json, Value};

pub fn module() -> Module {
    let mut m = Module::new("project");
    m.var("name", "string", "The project's name: ENV-STACK.");
    m.resource(
        "scaleway_account_project",
        "this",
        json!({
            "name": ex("var.name"),
            "description": "Created by cellac: every resource of this environment lives here.",
        }),
    );
    m.output(
        "id",
        ex("scaleway_account_project.this.id"),
        "The project's id.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "project",
    wanted: |shape| shape.project,
    module: |_| module(),
    call,
    variables: nothing,
    outputs: nothing,
};

/// Created only where `var.project.create` (the others are given a project, or use the
/// key's default one).
fn call(_: Cx) -> Value {
    json!({
        "source": "./modules/project",
        "count": ex("var.project.create ? 1 : 0"),
        "name": ex("var.project.name"),
    })
}

/// The root's `local.project_id`: the project created for the environment where
/// `var.project.create`, else the one `project id=` names or the API key's default (the
/// data source's answer when given no id).
pub(super) fn id(shape: Shape) -> &'static str {
    if shape.project {
        "var.project.create ? module.project[0].id : data.scaleway_account_project.current[0].id"
    } else {
        "data.scaleway_account_project.current[0].id"
    }
}
