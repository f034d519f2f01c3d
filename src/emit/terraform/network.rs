//! `modules/network`: the VPC and the private network every container joins.

use super::{ex, module_call, output, validation, variable, Child, Cx, Module};
use crate::model::Stack;
use serde_json::{json, Map, Value};

pub fn module(_stack: &Stack) -> Module {
    let mut m = Module::new("network");
    m.var("vpc_name", "string", "The VPC's name.");
    m.var(
        "private_network_name",
        "string",
        "The private network's name.",
    );
    m.var("subnet", "string", "The private network's IPv4 CIDR.");
    m.var("tags", "list(string)", "Tags on every resource.");
    m.resource(
        "scaleway_vpc",
        "this",
        json!({
            "name": ex("var.vpc_name"),
            "tags": ex("var.tags"),
        }),
    );
    m.resource(
        "scaleway_vpc_private_network",
        "this",
        json!({
            "name": ex("var.private_network_name"),
            "vpc_id": ex("scaleway_vpc.this.id"),
            "ipv4_subnet": [{ "subnet": ex("var.subnet") }],
            "tags": ex("var.tags"),
        }),
    );
    m.output(
        "private_network_id",
        ex("scaleway_vpc_private_network.this.id"),
        "The private network containers join.",
    );
    m.output("vpc_id", ex("scaleway_vpc.this.id"), "The VPC.");
    m
}

pub(super) const CHILD: Child = Child {
    name: "network",
    wanted: |shape| shape.network,
    module: |cx| module(cx.first()),
    call,
    variables,
    outputs,
};

fn call(_: Cx) -> Value {
    module_call(
        "network",
        None,
        json!({
            "vpc_name": ex("var.names.vpc"),
            "private_network_name": ex("var.names.private_network"),
            "subnet": ex("var.subnet"),
            "tags": ex("local.tags"),
        }),
    )
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    let mut subnet = variable("string", "The private network's IPv4 CIDR.");
    subnet.insert(
        "validation".into(),
        json!([validation(
            "can(cidrhost(var.subnet, 0))".into(),
            "The subnet must be an IPv4 CIDR such as 10.0.0.0/24.".into(),
        )]),
    );
    vars.insert("subnet".into(), Value::Object(subnet));
}

fn outputs(_: Cx, out: &mut Map<String, Value>) {
    output(
        out,
        "private_network_id".into(),
        ex("module.network.private_network_id"),
        "The private network every service joins.",
    );
}
