//! `cellac::link::target`, `cellac::link::private`.

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::suggest::did_you_mean;

/// Declared service names, for did-you-mean (built only when a link is wrong).
fn names(stack: &crate::model::Stack) -> Vec<&str> {
    stack
        .services
        .iter()
        .map(|s| s.name.value.as_str())
        .collect()
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (stack, svc) in each_service(ctx) {
        for link in &svc.links {
            match stack.service(&link.target.value) {
                None => out.push(
                    Diagnostic::error("cellac::link::target", format!("`{}` links to `{}`, which is not a service", svc.name.value, link.target.value))
                        .at(link.target.span, "unknown service")
                        .help(did_you_mean(&link.target.value, &names(stack))),
                ),
                Some(target) if target.private => out.push(
                    Diagnostic::error("cellac::link::private", format!("`{}` links to `{}`, a private service (environment `{}`)", svc.name.value, target.name.value, stack.env.value))
                        .at(link.target.span, "private service")
                        .also(target.name.span, "declared here")
                        .help(format!("make `{}` public, or remove the link: callers outside its namespace need a token", target.name.value)),
                ),
                Some(_) => {}
            }
            if !link.url.value.contains("{host}") && !link.url.value.contains("{url}") {
                out.push(
                    Diagnostic::error(
                        "cellac::link::target",
                        "the link's URL names neither `{host}` nor `{url}`",
                    )
                    .at(link.url.span, "no placeholder")
                    .help("write url=\"wss://{host}/path\" or url=\"{url}/path\""),
                );
            }
        }
    }
}
