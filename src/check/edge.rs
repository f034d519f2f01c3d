//! `cellac::edge::waf` (warning): a WAF on the `starter` Edge Services plan.

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
