//! `cellac::migrate::timeout`, `cellac::migrate::secret-store`: a service's migration
//! job (`migrate "command"`), a Serverless Job run before the rollout.

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::duration::seconds;

/// Serverless Jobs run tasks of up to 24 hours (docs/scaleway-facts.md, Serverless Jobs).
pub const MAX_SECONDS: u64 = 24 * 3600;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (stack, svc) in each_service(ctx) {
        let Some(m) = &svc.migrate else { continue };
        match seconds(&m.timeout.value) {
            None | Some(0) => super::duration::check(&m.timeout, out),
            Some(s) if s > MAX_SECONDS => out.push(
                Diagnostic::error(
                    "cellac::migrate::timeout",
                    format!(
                        "the migration of `{}` may run {}, longer than Serverless Jobs allow (24h)",
                        svc.name.value, m.timeout.value
                    ),
                )
                .at(m.timeout.span, "over 24h")
                .help("write a timeout of at most \"24h\", such as timeout=\"15m\""),
            ),
            Some(_) => {}
        }
        // The job reads its secrets from Secret Manager: each must be kept there.
        for e in m.secret_env(svc) {
            let Some(secret) = stack.secret(&e.secret.value) else {
                continue; // undeclared: reported by the secret check
            };
            if secret.store {
                continue;
            }
            let own = m.secret_env.iter().any(|x| std::ptr::eq(x, e));
            let mut d = Diagnostic::error(
                "cellac::migrate::secret-store",
                format!(
                    "the migration of `{}` reads secret `{}`, which `store=#false` keeps out of Secret Manager",
                    svc.name.value, secret.name.value
                ),
            )
            .in_env(&stack.env.value)
            .at(e.secret.span, "read by reference from Secret Manager");
            if !own {
                d = d.also(m.span, "the job gets the service's secret-env");
            }
            out.push(
                d.also(secret.name.span, "not stored")
                    .help(format!(
                        "remove `store=#false` from `secret {}`: a job gets secrets by Secret Manager reference, never by value",
                        secret.name.value
                    )),
            );
        }
    }
}
