//! `cellac::redis::unknown`: a service's `redis NAME` must name a declared `redis`.
//! `cellac::redis::network`: a `redis` needs the stack's private network (`network`).
//! `cellac::redis::nodes`: `nodes=2` (Scaleway has 1, standalone, or 3..6, cluster mode).
//! `cellac::redis::password`: `password=` must name a declared secret.
//! `cellac::redis::node-type`, `cellac::redis::version` (warnings): a value that none of
//! the sources cellac read names (Scaleway's own list is an API call away).

use super::Ctx;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::model::{REDIS_NODE_TYPES, REDIS_VERSIONS};
use crate::suggest::Index;
use std::collections::HashSet;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for stack in ctx.envs {
        let names = Index::new(stack.redis.iter().map(|r| r.name.value.as_str()).collect());
        let users = stack
            .services
            .iter()
            .map(|s| (format!("`{}`", s.name.value), &s.redis))
            .chain(
                stack
                    .jobs
                    .iter()
                    .map(|j| (format!("job `{}`", j.name.value), &j.redis)),
            );
        for (user, uses) in users {
            for used in uses {
                if stack.redis.iter().any(|r| r.name.value == used.redis.value) {
                    continue;
                }
                let help = if names.names().is_empty() {
                    format!(
                        "declare it at the top level: `redis {} password=SECRET` (and `network`)",
                        used.redis.value
                    )
                } else {
                    names.did_you_mean(&used.redis.value)
                };
                out.push(
                    Diagnostic::error(
                        "cellac::redis::unknown",
                        format!(
                            "{user} uses Redis `{}`, which is not declared",
                            used.redis.value
                        ),
                    )
                    .at(used.redis.span, "unknown Redis")
                    .help(help)
                    .fixes_with(
                        names
                            .nearest(&used.redis.value)
                            .map(|n| super::rename(Unsafe, used.redis.span, n)),
                    ),
                );
            }
        }
        let secrets = Index::new(
            stack
                .secrets
                .iter()
                .map(|s| s.name.value.as_str())
                .collect(),
        );
        for r in &stack.redis {
            if !stack.network.declared {
                out.push(
                    Diagnostic::error(
                        "cellac::redis::network",
                        format!("Redis `{}` needs the stack's private network", r.name.value),
                    )
                    .in_env(&stack.env.value)
                    .at(r.span, "no `network` here")
                    .help("add `network` at the top level: the cluster gets no public endpoint, and the containers reach it through the private network they join"),
                );
            }
            if !seen.insert(r.nodes.span) {
                continue; // the per-value checks below, once per place
            }
            if r.nodes.value == 2 {
                out.push(
                    Diagnostic::error(
                        "cellac::redis::nodes",
                        format!("Redis `{}` has nodes=2", r.name.value),
                    )
                    .at(r.nodes.span, "2 nodes")
                    .help("write nodes=1 (standalone) or 3 to 6 (cluster mode): Scaleway has no 2-node Redis"),
                );
            }
            if let Some(p) = &r.password {
                if stack.secret(&p.value).is_none() {
                    let help = if secrets.names().is_empty() {
                        format!(
                            "declare it: `secret {}`; its value comes from the secrets files",
                            p.value
                        )
                    } else {
                        format!(
                            "{}; or declare `secret {}`",
                            secrets.did_you_mean(&p.value),
                            p.value
                        )
                    };
                    out.push(
                        Diagnostic::error(
                            "cellac::redis::password",
                            format!(
                                "Redis `{}` takes its password from `{}`, which is not a declared secret",
                                r.name.value, p.value
                            ),
                        )
                        .at(p.span, "unknown secret")
                        .help(help)
                        .fixes_with(
                            secrets
                                .nearest(&p.value)
                                .map(|n| super::rename(Unsafe, p.span, n)),
                        ),
                    );
                }
            }
            let node_type = r.node_type.value.to_ascii_uppercase();
            if !REDIS_NODE_TYPES.contains(&node_type.as_str()) {
                out.push(
                    Diagnostic::warning(
                        "cellac::redis::node-type",
                        format!("Redis node type `{}` is not one cellac knows", r.node_type.value),
                    )
                    .at(r.node_type.span, "unknown node type")
                    .help(format!(
                        "the node types Scaleway's documentation and the provider name are {} (docs/scaleway-facts.md); Scaleway's full list: GET https://api.scaleway.com/redis/v1/zones/{}/node-types",
                        REDIS_NODE_TYPES.join(", "),
                        stack.zone.value
                    )),
                );
            }
            if !REDIS_VERSIONS.contains(&r.version.value.as_str()) {
                out.push(
                    Diagnostic::warning(
                        "cellac::redis::version",
                        format!("Redis version `{}` is not one cellac knows", r.version.value),
                    )
                    .at(r.version.span, "unknown version")
                    .help(format!(
                        "the versions the provider 2.79.0 records as available are {} (docs/scaleway-facts.md); Scaleway's list: GET https://api.scaleway.com/redis/v1/zones/{}/cluster-versions",
                        REDIS_VERSIONS.join(", "),
                        stack.zone.value
                    )),
                );
            }
        }
    }
}
