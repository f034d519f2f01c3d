//! `cellac::domain::target`, `cellac::domain::host`, `cellac::domain::zone`,
//! `cellac::domain::shared`.

use super::Ctx;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::span::Spanned;
use crate::suggest::Index;

/// Whether `host` is a valid DNS host name with at least two labels.
pub fn valid_host(host: &str) -> bool {
    host.len() <= 253
        && host.contains('.')
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        let services = Index::new(s.services.iter().map(|x| x.name.value.as_str()).collect());
        let sites = Index::new(s.sites.iter().map(|x| x.name.value.as_str()).collect());
        let service_set: std::collections::HashSet<&str> =
            services.names().iter().copied().collect();
        let site_set: std::collections::HashSet<&str> = sites.names().iter().copied().collect();
        for d in &s.domains {
            // In a preview template, `{id}` stands for the preview's id.
            let host_value = if s.preview {
                d.host
                    .value
                    .replace(crate::model::PREVIEW_ID, crate::model::PREVIEW_LONGEST_ID)
            } else {
                d.host.value.clone()
            };
            if !valid_host(&host_value) {
                out.push(
                    Diagnostic::error("cellac::domain::host", format!("`{}` is not a valid host name", d.host.value))
                        .at(d.host.span, "invalid host")
                        .help("write a lowercase host name such as `api.example.com`: labels of letters, digits and `-`, joined by dots"),
                );
            }
            if let Some(zone) = &s.dns {
                let host = &host_value;
                let inside = host == &zone.value || host.ends_with(&format!(".{}", zone.value));
                if valid_host(host) && !inside {
                    out.push(
                        Diagnostic::error(
                            "cellac::domain::zone",
                            format!("`{host}` is outside the DNS zone `{}`", zone.value),
                        )
                        .in_env(&s.env.value)
                        .at(d.host.span, "not in the zone")
                        .also(zone.span, "zone set here")
                        .help(format!("use a host under `{}`, or manage that domain's zone with `dns zone=...`", zone.value)),
                    );
                }
            }
            match (&d.service, &d.site) {
                (Some(svc), None) => {
                    // A disabled service: `cellac::service::disabled` (service.rs).
                    if !service_set.contains(svc.value.as_str()) && s.disabled(&svc.value).is_none()
                    {
                        out.push(unknown_target(&d.host.value, svc, "service", &services));
                    }
                }
                (None, Some(site)) => {
                    if !site_set.contains(site.value.as_str()) {
                        out.push(unknown_target(&d.host.value, site, "site", &sites));
                    }
                }
                (None, None) => out.push(
                    Diagnostic::error(
                        "cellac::domain::target",
                        format!("domain `{}` points at nothing", d.host.value),
                    )
                    .at(d.span, "no target")
                    .help(format!(
                        "write `domain {} service=NAME` or `domain {} site=NAME`",
                        d.host.value, d.host.value
                    )),
                ),
                (Some(_), Some(site)) => out.push(
                    Diagnostic::error(
                        "cellac::domain::target",
                        format!(
                            "domain `{}` points at both a service and a site",
                            d.host.value
                        ),
                    )
                    .at(site.span, "second target")
                    .help("keep one of `service=` and `site=`; use another host for the other"),
                ),
            }
            if d.waf && d.service.is_some() {
                out.push(
                    Diagnostic::error(
                        "cellac::domain::target",
                        "`waf=#true` applies to a site's Edge Services pipeline only",
                    )
                    .at(d.span, "a service domain")
                    .help("remove `waf=#true`, or point the domain at a site"),
                );
            }
        }
    }
}

/// `cellac::domain::shared`: one host attached in two or more environments (a top-level
/// `domain` applies to every environment; a host belongs to one container or pipeline).
pub fn shared(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if ctx.envs.len() < 2 {
        return;
    }
    let mut by_host: std::collections::BTreeMap<&str, Vec<(&str, crate::span::Span)>> =
        Default::default();
    for s in ctx.envs {
        for d in &s.domains {
            by_host
                .entry(d.host.value.as_str())
                .or_default()
                .push((s.env.value.as_str(), d.span));
        }
    }
    for (host, envs) in by_host {
        if envs.len() < 2 {
            continue;
        }
        let names: Vec<String> = envs.iter().map(|(e, _)| format!("`{e}`")).collect();
        let mut spans: Vec<crate::span::Span> = envs.iter().map(|(_, sp)| *sp).collect();
        spans.sort_by_key(|sp| sp.start);
        spans.dedup();
        let Some((first, rest)) = spans.split_first() else {
            continue;
        };
        let mut d = Diagnostic::error(
            "cellac::domain::shared",
            format!(
                "`{host}` is attached in environments {}: a host can belong to one container or pipeline only",
                names.join(", ")
            ),
        )
        .at(*first, "attached in more than one environment");
        for sp in rest {
            d = d.also(*sp, "and here");
        }
        out.push(d.help(format!(
            "move `domain {host} ...` into the `environment` block that owns it"
        )));
    }
}

/// `domain HOST` points at `used`, which is no `kind` (service, site) of `declared`:
/// did-you-mean, with the nearest name as an unsafe fix.
fn unknown_target(host: &str, used: &Spanned<String>, kind: &str, declared: &Index) -> Diagnostic {
    Diagnostic::error(
        "cellac::domain::target",
        format!(
            "domain `{host}` points at `{}`, which is not a {kind}",
            used.value
        ),
    )
    .at(used.span, format!("unknown {kind}"))
    .help(declared.did_you_mean(&used.value))
    .fixes_with(
        declared
            .nearest(&used.value)
            .map(|n| super::rename(Unsafe, used.span, n)),
    )
}
