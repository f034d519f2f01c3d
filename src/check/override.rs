//! `cellac::override::shared`, `cellac::override::required`: what an `environment` block
//! writes that no environment's output could honour.
//!
//! The deploy scripts call each service's health path as the stack writes it: that
//! value is the same in every environment, so an environment may not give it another
//! value (issue 22: it was accepted and ignored). An `image` may differ (an image whose
//! build differs between environments is built per environment, src/model/build.rs),
//! and so may a site's `build`, `dist`, `cache` and `html-cache` (site.sh builds and
//! uploads each environment's site with that environment's values): issue 23. A node an environment adds (not an override of a top-level one) needs every
//! property the schema requires, as it would at the top level.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::schema::language;
use crate::syntax::{Node, Value};

/// Per kind of top-level node, the children whose values every environment shares, and
/// which of their arguments (`None`: every argument and property) the scripts read.
/// (An `image` and a site's `build`, `dist`, `cache` and `html-cache` may differ: images.sh
/// and site.sh pick each environment's, issue 23.)
const SHARED: [(&str, &str, Option<usize>, &str); 1] = [(
    "service",
    "health",
    Some(0),
    "scripts/health.sh checks one path in every environment",
)];

fn same(a: &Value, b: &Value) -> bool {
    a.lit == b.lit && a.ty.as_ref().map(|t| &t.value) == b.ty.as_ref().map(|t| &t.value)
}

/// Whether two nodes hold the same values: argument `only`, or all of them and every
/// property (in any order).
fn same_values(a: &Node, b: &Node, only: Option<usize>) -> bool {
    if let Some(i) = only {
        return match (a.args.get(i), b.args.get(i)) {
            (Some(x), Some(y)) => same(x, y),
            (None, None) => true,
            _ => false,
        };
    }
    a.args.len() == b.args.len()
        && a.args.iter().zip(&b.args).all(|(x, y)| same(x, y))
        && a.props.len() == b.props.len()
        && a.props
            .iter()
            .all(|p| b.prop(&p.key.value).is_some_and(|v| same(v, &p.value)))
}

fn id(node: &Node) -> Option<&str> {
    node.first_str().map(|s| s.value)
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let top = ctx.nodes;
    // The first top-level node of each kind and identity, found once (a scan of the
    // top level per override was quadratic: 4 s of 10,000 services' check).
    let mut index: std::collections::HashMap<(&str, Option<&str>), &Node> =
        std::collections::HashMap::new();
    for n in top.iter().filter(|n| n.name.value != "environment") {
        index.entry((n.name.value.as_str(), id(n))).or_insert(n);
    }
    for env in top.iter().filter(|n| n.name.value == "environment") {
        let env_name = id(env).unwrap_or_default();
        for over in env.children() {
            let kind = over.name.value.as_str();
            let base = index.get(&(kind, id(over))).copied();
            match base {
                Some(base) => shared(env_name, base, over, out),
                None => required(env_name, over, out),
            }
        }
    }
}

fn shared(env_name: &str, base: &Node, over: &Node, out: &mut Vec<Diagnostic>) {
    let kind = over.name.value.as_str();
    for (_, child, only, why) in SHARED.iter().filter(|(k, ..)| *k == kind) {
        let Some(written) = over.child(child) else {
            continue;
        };
        let top = base.child(child);
        if top.is_some_and(|t| same_values(t, written, *only)) {
            continue;
        }
        let what = format!("{kind} {}", id(over).unwrap_or_default());
        let part = match only {
            Some(_) => format!("{child} path"),
            None => format!("`{child}`"),
        };
        let mut d = Diagnostic::error(
            "cellac::override::shared",
            format!("environment `{env_name}` gives `{what}` another {part}, which every environment shares"),
        )
        .at(written.span, "not per environment")
        .help(format!(
            "{why}: write it once at the top level"
        ));
        if let Some(t) = top {
            d = d.also(t.span, "the value every environment uses");
        }
        // Dropping the override makes this environment use the shared value: a change of
        // what the person wrote, so unsafe.
        d = d.fix(crate::diagnostic::Fix::replace(
            crate::diagnostic::Applicability::Unsafe,
            format!("Remove this environment's `{child}`"),
            written.span,
            "",
        ));
        out.push(d);
    }
}

fn required(env_name: &str, added: &Node, out: &mut Vec<Diagnostic>) {
    let name = added.name.value.as_str();
    let Some(specs) = language().children_at(&["environment"]) else {
        return;
    };
    let Some((_, spec)) = specs.iter().find(|(k, _)| *k == name) else {
        return;
    };
    for (key, p) in &spec.props {
        if p.required && added.prop(key).is_none() {
            out.push(
                Diagnostic::error(
                    "cellac::override::required",
                    format!(
                        "environment `{env_name}` adds `{name}` without `{key}=`, and the top level has no `{name}` to take it from"
                    ),
                )
                .at(added.head_span(), format!("`{key}` missing"))
                .help(format!("write `{name} {key}=...` here: {}", p.doc)),
            );
        }
    }
}
