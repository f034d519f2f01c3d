//! `modules/redis`: Scaleway Managed Database for Redis clusters, one per `redis` and
//! environment, in the environment's private network only (no public endpoint, so no
//! ACL: the provider refuses `acl` with `private_network`), TLS on. Services reach a
//! cluster through the private network their containers join; each gets the cluster's
//! `connection_string` (`rediss://USER:PASSWORD@IP:PORT/0`, the password URL-escaped by
//! the provider) as a secret env (docs/scaleway-facts.md, Managed Database for Redis).

use super::{ex, module_call, nothing, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

/// The object type of one cluster in `var.redis`.
pub const REDIS_TYPE: &str = "map(object({ name = string, version = string, node_type = string, cluster_size = number, user_name = string, password = string }))";

pub fn module() -> Module {
    let mut m = Module::new("redis");
    m.var(
        "clusters",
        REDIS_TYPE,
        "Redis clusters, keyed by the stack's names; `password` names the secret that holds the password.",
    );
    m.var(
        "passwords",
        "map(string)",
        "The secrets' values, keyed by the stack's secret names.",
    )
    .insert("sensitive".into(), json!(true));
    m.var(
        "private_network_id",
        "string",
        "The private network the clusters (and the containers) are in.",
    );
    m.var("zone", "string", "The clusters' zone.");
    m.var("tags", "list(string)", "Tags on every resource.");
    m.resource(
        "scaleway_redis_cluster",
        "this",
        json!({
            "for_each": ex("var.clusters"),
            "name": ex("each.value.name"),
            "version": ex("each.value.version"),
            "node_type": ex("each.value.node_type"),
            "cluster_size": ex("each.value.cluster_size"),
            "user_name": ex("each.value.user_name"),
            "password": ex("var.passwords[each.value.password]"),
            // ForceNew (internal/services/redis/cluster.go#L122): always on, never flipped.
            "tls_enabled": true,
            "zone": ex("var.zone"),
            "tags": ex("var.tags"),
            "private_network": [{ "id": ex("var.private_network_id") }],
        }),
    );
    m.outputs.insert(
        "urls".into(),
        json!({
            "value": ex("{ for k, c in scaleway_redis_cluster.this : k => c.connection_string }"),
            "description": "Each cluster's rediss://USER:PASSWORD@IP:PORT/0 URL over the private network.",
            "sensitive": true,
        }),
    );
    m.output(
        "certificates",
        ex("{ for k, c in scaleway_redis_cluster.this : k => c.certificate }"),
        "Each cluster's TLS certificate (PEM), for clients that verify it.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "redis",
    wanted: |shape| shape.redis,
    module: |_| module(),
    call,
    variables,
    outputs: nothing,
};

/// In the private network only: the stack declares `network` (cellac::redis::network).
fn call(cx: Cx) -> Value {
    let mut r = module_call(
        "redis",
        None,
        json!({
            "clusters": ex("var.redis"),
            "passwords": ex("local.secrets"),
            "zone": cx.first().zone.value,
            "tags": ex("local.tags"),
        }),
    );
    if cx.shape.network {
        r["private_network_id"] = ex("module.network.private_network_id");
    }
    r
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "redis".into(),
        Value::Object(variable(
            REDIS_TYPE,
            "Each Managed Database for Redis cluster in this environment (`password`: the secret's name).",
        )),
    );
}
