//! `modules/dns`: records in a Scaleway Domains zone for every custom domain, and the
//! service domains themselves, created once their CNAME records exist.

use super::{ex, module_call, nothing, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

pub fn module() -> Module {
    let mut m = Module::new("dns");
    m.var("zone", "string", "The DNS zone, such as example.com.");
    m.var(
        "records",
        "map(string)",
        "Host -> the host name it points at.",
    );
    m.var(
        "service_domains",
        "map(string)",
        "Host -> container id, for service domains.",
    )
    .insert("default".into(), json!({}));
    m.resource(
        "scaleway_domain_record",
        "this",
        json!({
            "for_each": ex("var.records"),
            "dns_zone": ex("var.zone"),
            "name": ex("each.key == var.zone ? \"\" : trimsuffix(each.key, \".${var.zone}\")"),
            "type": ex("each.key == var.zone ? \"ALIAS\" : \"CNAME\""),
            "data": ex("\"${each.value}.\""),
            "ttl": 3600,
            // The provider writes the zone's project here on read (ForceNew): never ours.
            "lifecycle": { "ignore_changes": ["project_id"] },
        }),
    );
    m.resource(
        "scaleway_container_domain",
        "this",
        json!({
            "for_each": ex("var.service_domains"),
            "container_id": ex("each.value"),
            "hostname": ex("each.key"),
            "depends_on": ["scaleway_domain_record.this"],
        }),
    );
    m.output(
        "records",
        ex("{ for host, r in scaleway_domain_record.this : host => r.id }"),
        "The records created, by host.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "dns",
    wanted: |shape| shape.dns,
    module: |_| module(),
    call,
    variables,
    outputs: nothing,
};

/// The CNAME records of every custom domain: services' (to their container) and sites'
/// (to their Edge Services pipeline).
pub(super) fn records(cx: Cx) -> String {
    let edge = if cx.shape.edge {
        "module.edge.targets"
    } else {
        "{}"
    };
    format!("merge({{ for host, name in local.service_domains : host => module.containers.hosts[name] }}, {edge})")
}

fn call(cx: Cx) -> Value {
    let mut dns = module_call(
        "dns",
        None,
        json!({
            "count": ex("var.dns_zone == null ? 0 : 1"),
            "zone": ex("var.dns_zone"),
            "records": ex(records(cx)),
            "service_domains": ex("{ for host, name in local.service_domains : host => module.containers.ids[name] }"),
        }),
    );
    // Records are in the zone's project, whatever the environment's (modules/dns).
    if let Some(call) = dns.as_object_mut() {
        call.remove("project_id");
    }
    dns
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    let mut z = variable(
        "string",
        "The DNS zone managed in Scaleway Domains, or null.",
    );
    z.insert("default".into(), Value::Null);
    vars.insert("dns_zone".into(), Value::Object(z));
}
