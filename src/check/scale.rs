//! `cellac::scale::range`, `cellac::scale::order`, `cellac::scale::singleton`.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::limits::{CONCURRENCY, SCALE_MAX, SCALE_MIN};
use crate::span::Span;
use crate::syntax::Node;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    singletons(ctx, out);
    for (stack, svc) in each_service(ctx) {
        let scale = &svc.scale;
        if svc.singleton.is_some() {
            continue; // every `scale` written for a singleton is checked by `singletons`
        }
        let mut ok = true;
        if !SCALE_MIN.contains(scale.min.value) {
            ok = false;
            out.push(
                Diagnostic::error(
                    "cellac::scale::range",
                    format!("min={} is outside {}", scale.min.value, SCALE_MIN.text()),
                )
                .at(scale.min.span, "out of range")
                .help(format!(
                    "write `min=` between {} and {} (0 lets the service sleep when idle)",
                    SCALE_MIN.min, SCALE_MIN.max
                )),
            );
        }
        if !SCALE_MAX.contains(scale.max.value) {
            ok = false;
            out.push(
                Diagnostic::error(
                    "cellac::scale::range",
                    format!("max={} is outside {}", scale.max.value, SCALE_MAX.text()),
                )
                .at(scale.max.span, "out of range")
                .help(format!(
                    "write `max=` between {} and {}",
                    SCALE_MAX.min, SCALE_MAX.max
                )),
            );
        }
        if let Some(c) = &scale.concurrency {
            // Scaleway's documented maximum is 80 requests per instance (docs/scaleway-facts.md).
            if !CONCURRENCY.contains(c.value) {
                out.push(
                    Diagnostic::error(
                        "cellac::scale::range",
                        format!("concurrency={} is outside {}", c.value, CONCURRENCY.text()),
                    )
                    .at(c.span, "out of range")
                    .help(format!(
                        "write `concurrency=` between {} and {} requests per instance (Scaleway's maximum)",
                        CONCURRENCY.min, CONCURRENCY.max
                    )),
                );
            }
        }
        if ok && scale.min.value > scale.max.value {
            out.push(
                Diagnostic::error(
                    "cellac::scale::order",
                    format!("min={} is above max={}", scale.min.value, scale.max.value),
                )
                .in_env(&stack.env.value)
                .at(scale.min.span, "min")
                .also(scale.max.span, "max")
                .help(format!(
                    "raise max to at least {} or lower min",
                    scale.min.value
                )),
            );
        }
    }
}

/// The `min` and `max` a `scale` node sets, over the properties of `base` (the top
/// level's `scale`, for an override), with the language's defaults (0 and 5).
fn min_max(node: &Node, base: Option<&Node>) -> (i128, i128) {
    let get = |key: &str, default: i128| {
        node.prop(key)
            .or_else(|| base.and_then(|b| b.prop(key)))
            .and_then(|v| v.as_int())
            .unwrap_or(default)
    };
    (get("min", 0), get("max", 5))
}

fn singleton_error(service: &str, scale: &Node, singleton: Span, env: Option<&str>) -> Diagnostic {
    let place = match env {
        Some(env) => format!(" in environment `{env}`"),
        None => String::new(),
    };
    Diagnostic::error(
        "cellac::scale::singleton",
        format!(
            "`{service}` is a singleton, but this `scale`{place} allows other than one instance"
        ),
    )
    .at(scale.span, "scale other than min=1 max=1")
    .also(singleton, "singleton: exactly one instance")
    .help("remove this `scale` (a singleton always runs min=1 max=1), or remove `singleton`")
}

/// `cellac::scale::singleton`, on the nodes as written: every `scale` of a singleton
/// service, at the top level or in an environment, even where an override hides it.
fn singletons(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    type Overrides<'a> = std::collections::HashMap<&'a str, Vec<&'a Node>>;
    // Each environment's service overrides, by service name, gathered once.
    let mut envs: Vec<(&str, Overrides)> = Vec::new();
    for e in ctx.nodes.iter().filter(|n| n.name.value == "environment") {
        if let Some(name) = e.first_str() {
            if !envs.iter().any(|(n, _)| *n == name.value) {
                let mut by_name = Overrides::new();
                for n in e.children().iter().filter(|n| n.name.value == "service") {
                    if let Some(s) = n.first_str() {
                        by_name.entry(s.value).or_default().push(n);
                    }
                }
                envs.push((name.value, by_name));
            }
        }
    }
    fn overrides<'a>(e: &Overrides<'a>, name: &str) -> Vec<&'a Node> {
        e.get(name).cloned().unwrap_or_default()
    }
    let mut done = std::collections::HashSet::new();
    for top in ctx.nodes.iter().filter(|n| n.name.value == "service") {
        let Some(name) = top.first_str().map(|s| s.value) else {
            continue;
        };
        if !done.insert(name) {
            continue; // a duplicate, reported by the schema check
        }
        let top_singleton = top.child("singleton").map(|s| s.name.span);
        let top_scale = top.child("scale");
        // The top level's `scale` contradicts a top-level `singleton` wherever it is
        // overridden, and an environment's `singleton` where it is not.
        if let Some(scale) = top_scale.filter(|s| min_max(s, None) != (1, 1)) {
            let inherited_by = envs.iter().find_map(|(env, e)| {
                let over = *overrides(e, name).first()?;
                let flag = over.child("singleton")?;
                over.child("scale")
                    .is_none()
                    .then_some((*env, flag.name.span))
            });
            match (top_singleton, inherited_by) {
                (Some(flag), _) => out.push(singleton_error(name, scale, flag, None)),
                (None, Some((env, flag))) => {
                    out.push(singleton_error(name, scale, flag, Some(env)))
                }
                (None, None) => {}
            }
        }
        for (env, e) in &envs {
            for over in overrides(e, name) {
                let flag = over
                    .child("singleton")
                    .map(|s| s.name.span)
                    .or(top_singleton);
                let (Some(flag), Some(scale)) = (flag, over.child("scale")) else {
                    continue;
                };
                if min_max(scale, top_scale) != (1, 1) {
                    out.push(singleton_error(name, scale, flag, Some(env)));
                }
            }
        }
    }
}
