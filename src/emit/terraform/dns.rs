//! `modules/dns`: records in a Scaleway Domains zone for every custom domain, and the
//! service domains themselves, created once their CNAME records exist.

use super::{ex, Module};
use serde_json::json;

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
