//! `modules/project`: one Scaleway Project per environment (`project create=#true`),
//! so that project-scoped resources (Cockpit's alert manager, the Edge Services plan)
//! never collide between environments.

use super::{ex, Module};
use serde_json::json;

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
