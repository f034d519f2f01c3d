//! `cellac::project::shared`: environments in one Scaleway Project that each manage a
//! project-scoped resource (Cockpit's alert manager, the Edge Services plan, the
//! Queues (SQS) activation), which would overwrite each other; `cellac::project::id`: a project id that is not a UUID.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::span::Span;
use std::collections::BTreeMap;

/// Where an environment lives: its own created project, a given id, or the default one.
fn project_of(s: &Stack) -> Option<String> {
    match &s.project {
        Some(p) if p.create => None,
        Some(p) => Some(
            p.id.as_ref()
                .map_or(String::new(), |id| id.value.to_lowercase()),
        ),
        None => Some(String::new()),
    }
}

/// Where an environment manages a kind of project-scoped resource, if it does.
type Manages = fn(&Stack) -> Option<Span>;

pub(crate) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        if let Some(id) = s.project.as_ref().and_then(|p| p.id.as_ref()) {
            if !is_uuid(&id.value) {
                out.push(
                    Diagnostic::error(
                        "cellac::project::id",
                        format!("`{}` is not a Scaleway Project id", id.value),
                    )
                    .at(id.span, "not a UUID")
                    .help("copy the id from the console (Project settings): it looks like 11111111-2222-3333-4444-555555555555"),
                );
            }
        }
    }
    if ctx.envs.len() < 2 {
        return;
    }
    // For each kind of project-scoped resource, the environments managing it, by project.
    let kinds: [(&str, Manages); 3] = [
        ("Cockpit's alert manager", |s| {
            s.manages_alerts()
                .then(|| s.monitoring.as_ref().and_then(|m| m.alerts_span))
                .flatten()
        }),
        ("the Edge Services plan", |s| {
            s.domains.iter().find(|d| d.site.is_some()).map(|d| d.span)
        }),
        // `scaleway_mnq_sqs`: one activation per project and region, destroyed with the
        // environment that made it (issue 23).
        ("the Queues (SQS) activation", |s| {
            s.queues.first().map(|q| q.span)
        }),
    ];
    for (what, manages) in kinds {
        let mut by_project: BTreeMap<String, Vec<(&Stack, Span)>> = BTreeMap::new();
        for s in ctx.envs {
            if let (Some(project), Some(span)) = (project_of(s), manages(s)) {
                by_project.entry(project).or_default().push((s, span));
            }
        }
        for (project, envs) in by_project {
            if envs.len() < 2 {
                continue;
            }
            let names: Vec<String> = envs
                .iter()
                .map(|(s, _)| format!("`{}`", s.env.value))
                .collect();
            let place = if project.is_empty() {
                "the API key's default project".to_string()
            } else {
                format!("project {project}")
            };
            let mut d = Diagnostic::error(
                "cellac::project::shared",
                format!(
                    "environments {} all manage {what} in {place}: each apply would overwrite the others'",
                    names.join(", ")
                ),
            );
            let mut spans: Vec<Span> = envs.iter().map(|(_, sp)| *sp).collect();
            spans.dedup();
            let Some((first, rest)) = spans.split_first() else {
                continue;
            };
            d = d.at(*first, format!("{what} is one per project"));
            for sp in rest {
                d = d.also(*sp, "managed again here");
            }
            out.push(d.help(
                "write `project create=#true` (one project per environment), or give each environment its own `project id=\"...\"`",
            ));
        }
    }
}
