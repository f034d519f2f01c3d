//! `cellac::load-balancer::containers`.

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        for span in &s.load_balancers {
            out.push(
                Diagnostic::error("cellac::load-balancer::containers", "a load balancer cannot route to Serverless Containers")
                    .at(*span, "serverless containers have no IP address")
                    .help("remove it; for a custom domain write `domain HOST service=NAME`, which gives the container its own TLS endpoint"),
            );
        }
    }
}
