//! `modules/edge`: an Edge Services pipeline per site domain: dns stage -> tls stage
//! (managed certificate) -> cache stage -> optional waf stage -> backend stage (the
//! site's bucket, as a website), plus the head stage.

use super::{ex, module_call, nothing, validation, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

pub fn module() -> Module {
    let mut m = Module::new("edge");
    m.var("region", "string", "The site buckets' region.");
    m.var(
        "domains",
        "map(object({ bucket_name = string, waf = bool }))",
        "Site domains: host -> the bucket it serves and whether a WAF filters it.",
    );
    m.var(
        "plan",
        "string",
        "The Edge Services plan: starter, professional or advanced.",
    );
    // Pipelines need a subscribed plan, one per project.
    m.resource(
        "scaleway_edge_services_plan",
        "this",
        json!({
            "count": ex("length(var.domains) > 0 ? 1 : 0"),
            "name": ex("var.plan"),
        }),
    );
    m.resource(
        "scaleway_edge_services_pipeline",
        "this",
        json!({
            "for_each": ex("var.domains"),
            "name": ex("replace(each.key, \".\", \"-\")"),
            "description": ex("\"Serves ${each.key} from ${each.value.bucket_name}.\""),
            "depends_on": ["scaleway_edge_services_plan.this"],
        }),
    );
    m.resource(
        "scaleway_edge_services_backend_stage",
        "this",
        json!({
            "for_each": ex("var.domains"),
            "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
            "s3_backend_config": [{
                "bucket_name": ex("each.value.bucket_name"),
                "bucket_region": ex("var.region"),
                "is_website": true,
            }],
        }),
    );
    m.resource(
        "scaleway_edge_services_waf_stage",
        "this",
        json!({
            "for_each": ex("{ for host, d in var.domains : host => d if d.waf }"),
            "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
            "backend_stage_id": ex("scaleway_edge_services_backend_stage.this[each.key].id"),
            "mode": "enable",
            "paranoia_level": 1,
        }),
    );
    m.resource("scaleway_edge_services_cache_stage", "this", json!({
        "for_each": ex("var.domains"),
        "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
        "waf_stage_id": ex("each.value.waf ? scaleway_edge_services_waf_stage.this[each.key].id : null"),
        "backend_stage_id": ex("each.value.waf ? null : scaleway_edge_services_backend_stage.this[each.key].id"),
    }));
    m.resource(
        "scaleway_edge_services_tls_stage",
        "this",
        json!({
            "for_each": ex("var.domains"),
            "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
            "cache_stage_id": ex("scaleway_edge_services_cache_stage.this[each.key].id"),
            "managed_certificate": true,
        }),
    );
    m.resource(
        "scaleway_edge_services_dns_stage",
        "this",
        json!({
            "for_each": ex("var.domains"),
            "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
            "tls_stage_id": ex("scaleway_edge_services_tls_stage.this[each.key].id"),
            "fqdns": ex("[each.key]"),
        }),
    );
    m.resource(
        "scaleway_edge_services_head_stage",
        "this",
        json!({
            "for_each": ex("var.domains"),
            "pipeline_id": ex("scaleway_edge_services_pipeline.this[each.key].id"),
            "head_stage_id": ex("scaleway_edge_services_dns_stage.this[each.key].id"),
        }),
    );
    m.output(
        "targets",
        ex("{ for host, s in scaleway_edge_services_dns_stage.this : host => s.default_fqdn }"),
        "Each site domain's Edge Services host, the target of its CNAME record.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "edge",
    wanted: |shape| shape.edge,
    module: |_| module(),
    call,
    variables,
    outputs: nothing,
};

fn call(cx: Cx) -> Value {
    let mut edge = module_call(
        "edge",
        Some(&cx.first().region.value),
        json!({
            "plan": ex("var.edge_plan"),
            "domains": ex("{ for host, d in var.site_domains : host => { bucket_name = var.sites[d.site].bucket_name, waf = d.waf } }"),
        }),
    );
    // The pipelines' backend stages name the site buckets by name (from variables):
    // the buckets exist before the stages are created (review 22).
    if cx.shape.storage {
        edge["depends_on"] = json!(["module.storage"]);
    }
    edge
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "site_domains".into(),
        Value::Object(variable(
            "map(object({ site = string, waf = bool }))",
            "Custom domains served by Edge Services, host -> site.",
        )),
    );
    let mut plan = variable(
        "string",
        "The Edge Services plan of this environment's project.",
    );
    plan.insert(
        "validation".into(),
        json!([validation(
            "contains([\"starter\", \"professional\", \"advanced\"], var.edge_plan)".into(),
            "The Edge Services plan must be starter, professional or advanced.".into(),
        )]),
    );
    vars.insert("edge_plan".into(), Value::Object(plan));
}
