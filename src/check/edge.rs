//! `cellac::edge::waf` (warning): a WAF on the `starter` Edge Services plan.
//! `cellac::edge::unused` (warning): an `edge plan=` in environments where no site has a
//! domain, so no Edge Services pipeline (and no plan) is written.

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    unused(ctx, out);
    for stack in ctx.envs {
        if stack.edge_plan() != "starter" {
            continue;
        }
        let plan = stack.edge.as_ref().and_then(|e| e.plan.as_ref());
        for d in stack.domains.iter().filter(|d| d.site.is_some() && d.waf) {
            let mut diag = Diagnostic::warning(
                "cellac::edge::waf",
                format!(
                    "`{}` asks for a WAF on the `starter` Edge Services plan, which includes no WAF requests",
                    d.host.value
                ),
            )
            .in_env(&stack.env.value)
            .at(d.span, "waf=#true");
            if let Some(p) = plan {
                diag = diag.also(p.span, "the starter plan");
            }
            out.push(
                diag.help("write `edge plan=professional` (or `advanced`), or remove `waf=#true`"),
            );
        }
    }
}

fn unused(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // Each written `plan=`, with the environments that have it and no site domain.
    let mut unused: Vec<(crate::span::Span, Vec<&str>)> = Vec::new();
    for stack in ctx.envs {
        let Some(plan) = stack.edge.as_ref().and_then(|e| e.plan.as_ref()) else {
            continue;
        };
        if stack.domains.iter().any(|d| d.site.is_some()) {
            unused.retain(|(span, _)| *span != plan.span);
            continue;
        }
        match unused.iter_mut().find(|(span, _)| *span == plan.span) {
            Some((_, envs)) => envs.push(&stack.env.value),
            None => unused.push((plan.span, vec![&stack.env.value])),
        }
    }
    // A plan some environment uses is reported only if another one ignores it, and then
    // as data (`environments`): a plan no environment uses, plainly.
    let used: Vec<crate::span::Span> = ctx
        .envs
        .iter()
        .filter(|s| s.domains.iter().any(|d| d.site.is_some()))
        .filter_map(|s| {
            s.edge
                .as_ref()
                .and_then(|e| e.plan.as_ref())
                .map(|p| p.span)
        })
        .collect();
    for (span, envs) in unused {
        if used.contains(&span) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                "cellac::edge::unused",
                "`edge plan=` has no effect: no site has a domain, so no Edge Services pipeline is written",
            )
            .in_envs(&envs)
            .at(span, "unused")
            .help("remove it, or give a site a domain: `domain www.example.com site=NAME`"),
        );
    }
}
