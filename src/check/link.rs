//! `cellac::link::target`, `cellac::link::private`, `cellac::link::websocket-domain`,
//! `cellac::link::scheme`, `cellac::link::cycle`.

use super::Ctx;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::model::Service;
use crate::suggest::Index;
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
        let names = Index::new(names(stack));
        // What a link may name: any service with a token, else a public one.
        let public = Index::new(
            stack
                .services
                .iter()
                .filter(|s| !s.private)
                .map(|s| s.name.value.as_str())
                .collect(),
        );
        // A site's links set variables of its build.
        for site in &stack.sites {
            for link in &site.links {
                // A disabled service: `cellac::service::disabled` (service.rs).
                if !services.contains_key(link.target.value.as_str())
                    && stack.disabled(&link.target.value).is_none()
                {
                    out.push(
                        Diagnostic::error(
                            "cellac::link::target",
                            format!(
                                "site `{}` links to `{}`, which is not a service",
                                site.name.value, link.target.value
                            ),
                        )
                        .at(link.target.span, "unknown service")
                        .help(names.did_you_mean(&link.target.value))
                        .fixes_with(
                            names
                                .nearest(&link.target.value)
                                .map(|n| super::rename(Unsafe, link.target.span, n)),
                        ),
                    );
                }
            }
        }
        // Services and jobs: who links, its own name (a service may not link to itself).
        // An image's links (`image { link TARGET arg=KEY }`) too: its build gets the URL.
        let users = stack
            .services
            .iter()
            .map(|s| {
                (
                    format!("`{}`", s.name.value),
                    Some(&s.name.value),
                    &s.links,
                    false,
                )
            })
            .chain(
                stack
                    .jobs
                    .iter()
                    .map(|j| (format!("job `{}`", j.name.value), None, &j.links, false)),
            )
            .chain(stack.services.iter().map(|s| {
                (
                    format!("the image of `{}`", s.name.value),
                    Some(&s.name.value),
                    &s.build_args.links,
                    true,
                )
            }))
            .chain(stack.jobs.iter().map(|j| {
                (
                    format!("the image of job `{}`", j.name.value),
                    None,
                    &j.build_args.links,
                    true,
                )
            }));
        for (user, own, links, in_image) in users {
            for link in links {
                let target = services.get(link.target.value.as_str()).copied();
                match target {
                None if stack.disabled(&link.target.value).is_some() => {}
                None => {
                    // Only services this link may name: not this one, and public unless
                    // the link carries a token.
                    let ok = if link.token.is_some() { &names } else { &public };
                    let own = own.map(String::as_str);
                    let help = if ok.names().iter().all(|n| Some(*n) == own) {
                        "declare the service to link to: no other public service is declared".to_string()
                    } else {
                        ok.did_you_mean_except(&link.target.value, own)
                    };
                    let fix = ok
                        .nearest_except(&link.target.value, own)
                        .map(|n| super::rename(Unsafe, link.target.span, n));
                    out.push(
                        Diagnostic::error("cellac::link::target", format!("{user} links to `{}`, which is not a service", link.target.value))
                            .at(link.target.span, "unknown service")
                            .help(help)
                            .fixes_with(fix),
                    )
                }
                Some(target) if target.private && in_image => out.push(
                    Diagnostic::error("cellac::link::private", format!("{user} links to `{}`, a private service", target.name.value))
                        .in_env(&stack.env.value)
                        .at(link.target.span, "private service")
                        .also(target.name.span, "declared here")
                        .help(format!("a private service answers only requests that carry a token, and a URL built into an image is for code that calls it as it is (a browser): make `{}` public, or give the container its URL at run time with `link {} env=KEY token=TOKEN_KEY`", target.name.value, target.name.value)),
                ),
                Some(target) if target.private && link.token.is_none() => out.push(
                    Diagnostic::error("cellac::link::private", format!("{user} links to `{}`, a private service", target.name.value))
                        .in_env(&stack.env.value)
                        .at(link.target.span, "private service")
                        .also(target.name.span, "declared here")
                        .help(format!("add `token=KEY` to the link: KEY gets the secret key of an IAM application made for this link, which may call the project's private containers (`{}` among them), sent as X-Auth-Token; or make `{}` public", target.name.value, target.name.value)),
                ),
                Some(_) => {}
            }
                let url = &link.url.value;
                if !["{host}", "{url}", "{domain}"]
                    .iter()
                    .any(|p| url.contains(p))
                {
                    out.push(
                        Diagnostic::error(
                            "cellac::link::target",
                            "the link's URL names none of `{host}`, `{url}` or `{domain}`",
                        )
                        .at(link.url.span, "no placeholder")
                        .help("write url=\"wss://{host}/path\" or url=\"{url}/path\""),
                    );
                }
                let lower = url.to_ascii_lowercase();
                if (lower.starts_with("ws://") || lower.starts_with("wss://"))
                    && url.contains("{domain}")
                {
                    out.push(
                        Diagnostic::error(
                            "cellac::link::websocket-domain",
                            "a WebSocket link goes through a custom domain, which does not carry WebSockets",
                        )
                        .at(link.url.span, "`{domain}` in a ws:// or wss:// URL")
                        .help(format!("write `{}`: `{{host}}` is the target's own endpoint, which does", url.replace("{domain}", "{host}"))),
                    );
                }
            }
        }
    }
}

/// `cellac::link::scheme`: a link's `url=` is an absolute URL: it begins with a scheme
/// (`https://`, `wss://`, ...) or with `{url}`. `{host}` and `{domain}` are host names, so
/// `url="{domain}/v1"` would give the app a relative URL (review 18).
pub fn schemes(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for stack in ctx.envs {
        let links = stack
            .sites
            .iter()
            .flat_map(|s| &s.links)
            .chain(stack.services.iter().flat_map(|s| &s.links))
            .chain(stack.jobs.iter().flat_map(|j| &j.links))
            .chain(stack.services.iter().flat_map(|s| &s.build_args.links))
            .chain(stack.jobs.iter().flat_map(|j| &j.build_args.links));
        for link in links {
            let url = &link.url.value;
            if !seen.insert(link.url.span)
                || url.starts_with("{url}")
                || has_scheme(url)
                || !(url.contains("{host}") || url.contains("{domain}"))
            {
                continue;
            }
            let fixed = format!("https://{url}");
            out.push(
                Diagnostic::error(
                    "cellac::link::scheme",
                    "the link's URL has no scheme: the app would read it as a relative URL",
                )
                .at(link.url.span, "no `https://` or `{url}` in front")
                .help(format!(
                    "write url=\"{fixed}\" (`{{host}}` and `{{domain}}` are host names; `{{url}}` is `https://{{host}}`)"
                ))
                .fix(super::rename(Unsafe, link.url.span, &fixed)),
            );
        }
    }
}

/// `scheme://` at the start of `url` (RFC 3986: a letter, then letters, digits, `+-.`).
fn has_scheme(url: &str) -> bool {
    url.split_once("://").is_some_and(|(scheme, _)| {
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// `cellac::link::cycle`: services that link to each other, directly or through
/// others. The Terraform configuration is shared by every environment, so the links
/// of all environments together must not form a cycle: Terraform would have no
/// container to create first.
pub fn cycles(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(first) = ctx.envs.first() else {
        return;
    };
    let index: HashMap<&str, usize> = first
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.value.as_str(), i))
        .collect();
    let n = first.services.len();
    // Edges with the span of the first link that makes them, in source order.
    let mut edges: Vec<Vec<(usize, crate::span::Span)>> = vec![Vec::new(); n];
    for stack in ctx.envs {
        for svc in &stack.services {
            let Some(from) = index
                .get(svc.name.value.as_str())
                .and_then(|&from| edges.get_mut(from))
            else {
                continue;
            };
            // An image's link is an edge too: its build needs the target's container
            // (created first on a first deploy, with its own image).
            for link in svc.links.iter().chain(&svc.build_args.links) {
                if let Some(&to) = index.get(link.target.value.as_str()) {
                    if !from.iter().any(|(t, _)| *t == to) {
                        from.push((to, link.target.span));
                    }
                }
            }
        }
    }
    // Iterative depth-first search; a back edge closes a cycle.
    let (white, grey, black) = (0u8, 1u8, 2u8);
    let mut color = vec![white; n];
    let paint = |color: &mut Vec<u8>, i: usize, c: u8| {
        if let Some(x) = color.get_mut(i) {
            *x = c;
        }
    };
    let name = |i: usize| first.services.get(i).map(|s| s.name.value.as_str());
    for start in 0..n {
        if color.get(start) != Some(&white) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        paint(&mut color, start, grey);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, span)) = edges.get(node).and_then(|e| e.get(*next)) {
                *next += 1;
                if color.get(to) == Some(&white) {
                    paint(&mut color, to, grey);
                    stack.push((to, 0));
                } else if color.get(to) == Some(&grey) {
                    let from = stack.iter().position(|(x, _)| *x == to).unwrap_or(0);
                    let mut names: Vec<&str> = stack
                        .iter()
                        .skip(from)
                        .filter_map(|(x, _)| name(*x))
                        .collect();
                    names.extend(name(to));
                    let message = if let [one, _] = names.as_slice() {
                        format!("`{one}` links to itself")
                    } else {
                        format!("services link in a cycle: {}", names.join(" -> "))
                    };
                    out.push(
                        Diagnostic::error("cellac::link::cycle", message)
                            .at(span, "closes the cycle")
                            .help("remove one of these links: each container's URL exists only once it is created, so Terraform cannot create any of them first; give one service a custom `domain` and pass it as an `env` value instead"),
                    );
                }
            } else {
                paint(&mut color, node, black);
                stack.pop();
            }
        }
    }
}
