//! `cellac::migrate::timeout`, `cellac::migrate::secret-store`: a service's migration
//! job (`migrate "command"`), a Serverless Job run before the rollout.

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::duration::seconds;
use crate::model::Secret;
use crate::span::{Span, Spanned};

/// Serverless Jobs run tasks of up to 24 hours (docs/scaleway-facts.md, Serverless Jobs).
pub const MAX_SECONDS: u64 = 24 * 3600;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (stack, svc) in each_service(ctx) {
        let Some(m) = &svc.migrate else { continue };
        let who = format!("the migration of `{}`", svc.name.value);
        match seconds(&m.timeout.value) {
            None | Some(0) => super::duration::check(&m.timeout, out),
            Some(_) => over_24h(
                "cellac::migrate::timeout",
                &who,
                &m.timeout,
                "timeout=",
                out,
            ),
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
            let via = (!own).then_some((m.span, "the job gets the service's secret-env"));
            out.push(not_stored(
                "cellac::migrate::secret-store",
                &who,
                &stack.env.value,
                e.secret.span,
                via,
                secret,
            ));
        }
    }
}

/// A job's `timeout` over Serverless Jobs' 24 hours, reported with `code`; `who` names
/// the job (`job `x``, `the migration of `x``) and `key` is how a timeout is written
/// where it stands (`timeout ` or `timeout=`). Other values: nothing.
pub(super) fn over_24h(
    code: &'static str,
    who: &str,
    timeout: &Spanned<String>,
    key: &str,
    out: &mut Vec<Diagnostic>,
) {
    if seconds(&timeout.value).is_some_and(|s| s > MAX_SECONDS) {
        out.push(
            Diagnostic::error(
                code,
                format!(
                    "{who} may run {}, longer than Serverless Jobs allow (24h)",
                    timeout.value
                ),
            )
            .at(timeout.span, "over 24h")
            .help(format!(
                "write a timeout of at most \"24h\", such as {key}\"15m\""
            )),
        );
    }
}

/// A job (`who`) reads `secret` at `read_at` (through `via`, when it is not its own
/// `secret-env`), but `store=#false` keeps that secret out of Secret Manager, where
/// every job reads its secrets: reported with `code`.
pub(super) fn not_stored(
    code: &'static str,
    who: &str,
    env: &str,
    read_at: Span,
    via: Option<(Span, &str)>,
    secret: &Secret,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        code,
        format!(
            "{who} reads secret `{}`, which `store=#false` keeps out of Secret Manager",
            secret.name.value
        ),
    )
    .in_env(env)
    .at(read_at, "read by reference from Secret Manager");
    if let Some((span, label)) = via {
        d = d.also(span, label);
    }
    d.also(secret.name.span, "not stored").help(format!(
        "remove `store=#false` from `secret {}`: a job gets secrets by Secret Manager reference, never by value",
        secret.name.value
    ))
}
