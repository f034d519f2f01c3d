//! `cellac::deployer::principal`: a `deployer` names exactly one of `application=` and
//! `user=`. `cellac::deployer::id`: that id is a UUID. `cellac::deployer::duplicate`: the
//! same principal twice in one environment. `cellac::deployer::implicit`: buckets (every
//! site and bucket has a policy) and no `deployer`, so only the key that runs Terraform
//! keeps access to them (a 2023-04-17 bucket policy denies whatever it does not allow, to
//! everyone but the Organization's owner).

use super::project::is_uuid;
use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::span::Span;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        let env = s.env.value.as_str();
        let mut seen: Vec<(String, Span)> = Vec::new();
        for d in &s.deployers {
            match (&d.application, &d.user) {
                (None, None) => out.push(
                    Diagnostic::error(
                        "cellac::deployer::principal",
                        "`deployer` names no principal",
                    )
                    .at(d.span, "neither `application=` nor `user=`")
                    .help("write `deployer application=\"UUID\"` (an IAM application, such as CI's) or `deployer user=\"UUID\"` (a person)")
                    .in_env(env),
                ),
                (Some(a), Some(_)) => out.push(
                    Diagnostic::error(
                        "cellac::deployer::principal",
                        "`deployer` names both an application and a user",
                    )
                    .at(a.span, "one principal per `deployer`")
                    .help("write one `deployer` node for the application and another for the user")
                    .in_env(env),
                ),
                (Some(id), None) | (None, Some(id)) => {
                    let kind = if d.application.is_some() {
                        "an IAM application"
                    } else {
                        "an IAM user"
                    };
                    if !is_uuid(&id.value) {
                        out.push(
                            Diagnostic::error(
                                "cellac::deployer::id",
                                format!("`{}` is not the id of {kind}", id.value),
                            )
                            .at(id.span, "not a UUID")
                            .help("copy the id from the console (IAM, Applications or Users): it looks like 11111111-2222-3333-4444-555555555555")
                            .in_env(env),
                        );
                        continue;
                    }
                }
            }
            let Some(p) = d.principal() else { continue };
            if let Some((_, first)) = seen.iter().find(|(q, _)| *q == p) {
                out.push(
                    Diagnostic::warning(
                        "cellac::deployer::duplicate",
                        format!("deployer `{p}` is declared twice"),
                    )
                    .at(d.span, "declared again here")
                    .also(*first, "first declared here")
                    .help("remove one: an environment's deployers add to the top level's, so a principal written at the top level deploys every environment")
                    .in_env(env),
                );
            } else {
                seen.push((p, d.span));
            }
        }
        if s.implicit_deployer() {
            if let Some(span) = policy_span(s) {
                out.push(
                    Diagnostic::warning(
                        "cellac::deployer::implicit",
                        "buckets with a policy and no `deployer`: only the key that runs Terraform keeps access to them",
                    )
                    .at(span, "this bucket gets a policy that names only the running key's user or application")
                    .help("declare who deploys, e.g. `deployer application=\"UUID\"` for CI's IAM application and `deployer user=\"UUID\"` for each person: a bucket policy denies everything it does not allow, so anyone else who deploys later (CI after a person, a second person) is locked out of these buckets")
                    .in_env(env),
                );
            }
        }
    }
}

/// The first site or bucket: each gets a bucket policy.
fn policy_span(s: &Stack) -> Option<Span> {
    s.sites
        .first()
        .map(|x| x.span)
        .or_else(|| s.buckets.first().map(|b| b.span))
}
