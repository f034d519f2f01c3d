//! `cellac::link::target`, `cellac::link::private`.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::Service;
use crate::suggest::did_you_mean;
use std::collections::HashMap;

/// Declared service names, for did-you-mean (built only when a link is wrong).
fn names(stack: &crate::model::Stack) -> Vec<&str> {
    stack
        .services
        .iter()
        .map(|s| s.name.value.as_str())
        .collect()
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for stack in ctx.envs {
        // Services by name: a lookup per link rather than a scan of every service.
        let mut services: HashMap<&str, &Service> = HashMap::new();
        for s in &stack.services {
            services.entry(s.name.value.as_str()).or_insert(s);
        }
        for svc in &stack.services {
            for link in &svc.links {
                let target = services.get(link.target.value.as_str()).copied();
                match target {
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
}
