//! `cellac::service::disabled`: something needs a service in an environment where the
//! service is `enabled=#false` (it does not exist there): a service's, job's or site's
//! `link`, an image's build-argument `link`, a `domain service=`, a job's `image service=`. The service's own `migrate`
//! goes away with it.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::span::{Span, Spanned};

/// The diagnostic for `what` (a sentence's subject and verb, "`web` links to") needing
/// service `target` in `stack`, where it is disabled; `None` when it is not disabled there.
pub fn disabled(stack: &Stack, what: &str, target: &Spanned<String>) -> Option<Diagnostic> {
    let off = stack.disabled(&target.value)?;
    Some(
        Diagnostic::error(
            "cellac::service::disabled",
            format!(
                "{what} `{}`, which is disabled (`enabled=#false`)",
                target.value
            ),
        )
        .in_env(&stack.env.value)
        .at(target.span, "needs the service here")
        .also(off.at, "disabled here")
        .help(format!(
            "`enabled=#false` leaves `{}` out of the environment: remove what needs it there (in that `environment` block), or enable the service",
            target.value
        )),
    )
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for stack in ctx.envs {
        let mut needs: Vec<(String, &Spanned<String>)> = Vec::new();
        for s in &stack.services {
            for l in &s.links {
                needs.push((format!("service `{}` links to", s.name.value), &l.target));
            }
            for l in &s.build_args.links {
                needs.push((
                    format!(
                        "the image of service `{}` takes a build argument from",
                        s.name.value
                    ),
                    &l.target,
                ));
            }
        }
        for j in &stack.jobs {
            for l in &j.links {
                needs.push((format!("job `{}` links to", j.name.value), &l.target));
            }
            for l in &j.build_args.links {
                needs.push((
                    format!(
                        "the image of job `{}` takes a build argument from",
                        j.name.value
                    ),
                    &l.target,
                ));
            }
            if let crate::model::JobImage::Service(svc) = &j.image {
                needs.push((format!("job `{}` runs the image of", j.name.value), svc));
            }
        }
        for s in &stack.sites {
            for l in &s.links {
                needs.push((format!("site `{}` links to", s.name.value), &l.target));
            }
        }
        for d in &stack.domains {
            if let Some(svc) = &d.service {
                needs.push((format!("domain `{}` points at", d.host.value), svc));
            }
        }
        let mut seen: Vec<Span> = Vec::new();
        for (what, target) in needs {
            if seen.contains(&target.span) {
                continue;
            }
            if let Some(d) = disabled(stack, &what, target) {
                seen.push(target.span);
                out.push(d);
            }
        }
    }
}
