//! `modules/database`: Scaleway Serverless SQL Databases (PostgreSQL), one per
//! `database` and environment. Services connect with their own IAM application and key
//! (the application id as the user, the secret key as the password).

use super::{ex, module_call, nothing, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

pub fn module() -> Module {
    let mut m = Module::new("database");
    m.var(
        "databases",
        "map(object({ name = string, min_cpu = number, max_cpu = number }))",
        "Databases, keyed by the stack's database names.",
    );
    m.var("region", "string", "The databases' region.");
    m.resource(
        "scaleway_sdb_sql_database",
        "this",
        json!({
            "for_each": ex("var.databases"),
            "name": ex("each.value.name"),
            "min_cpu": ex("each.value.min_cpu"),
            "max_cpu": ex("each.value.max_cpu"),
            "region": ex("var.region"),
        }),
    );
    m.output(
        "endpoints",
        ex("{ for k, d in scaleway_sdb_sql_database.this : k => d.endpoint }"),
        "Each database's endpoint, postgres://HOST:PORT/NAME?sslmode=require.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "database",
    wanted: |shape| shape.database,
    module: |_| module(),
    call,
    variables,
    outputs: nothing,
};

fn call(cx: Cx) -> Value {
    module_call(
        "database",
        Some(&cx.first().region.value),
        json!({
            "databases": ex("var.databases"),
        }),
    )
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "databases".into(),
        Value::Object(variable(
            "map(object({ name = string, min_cpu = number, max_cpu = number }))",
            "Each Serverless SQL Database in this environment.",
        )),
    );
}
