//! `modules/network`: the VPC and the private network every container joins.

use super::{ex, Module};
use crate::model::Stack;
use serde_json::json;

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
