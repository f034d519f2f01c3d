//! `cellac::env::reserved`, `cellac::env::duplicate`, `cellac::env::too-long`:
//! the environment variables of a service. (`cellac::env::unknown-override` is raised
//! while merging environments, in `envs.rs`.)

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::syntax::Node;
use std::collections::HashMap;

pub const MAX_KEY: usize = 100;
pub const MAX_VALUE: usize = 1000;

/// A job's env: the same limits as a container's (jobs.go#L102, #L104: 1000 bytes a
/// value, 100 a key), which `check` did not apply to jobs (issue 22).
fn job_lengths(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for job in ctx.envs.iter().flat_map(|s| &s.jobs) {
        for e in &job.env {
            if !seen.insert(e.key.span) {
                continue;
            }
            if e.key.value.len() > MAX_KEY {
                out.push(
                    Diagnostic::error(
                        "cellac::env::too-long",
                        format!(
                            "this key is {} bytes; Scaleway allows {MAX_KEY}",
                            e.key.value.len()
                        ),
                    )
                    .at(e.key.span, "too long")
                    .help(format!("shorten the key to {MAX_KEY} bytes or fewer")),
                );
            }
            let len = e.value.lit.as_text().len();
            if e.value.var_ref().is_none() && len > MAX_VALUE {
                out.push(
                    Diagnostic::error(
                        "cellac::env::too-long",
                        format!(
                            "the value of `{}` is {len} bytes (UTF-8); Scaleway allows {MAX_VALUE}",
                            e.key.value
                        ),
                    )
                    .at(e.value.span, "too long")
                    .help("keep values at 1000 bytes or fewer; move large data to a bucket"),
                );
            }
        }
    }
}

/// A job's key set by both its `env` and its `secret-env` (the job gets one value): jobs'
/// keys were not checked at all (issue 22).
fn job_keys(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for job in ctx.envs.iter().flat_map(|s| &s.jobs) {
        for s in &job.secret_env {
            if let Some(e) = job.env.iter().find(|e| e.key.value == s.key.value) {
                let (first, second) = if e.key.span < s.key.span {
                    (&e.key, &s.key)
                } else {
                    (&s.key, &e.key)
                };
                out.push(
                    Diagnostic::error(
                        "cellac::env::duplicate",
                        format!(
                            "`{}` is set in both `env` and `secret-env` of job `{}`",
                            s.key.value, job.name.value
                        ),
                    )
                    .at(second.span, "set again here")
                    .also(first.span, "first set here")
                    .help("keep one: a secret in `secret-env`, a plain value in `env`"),
                );
            }
        }
    }
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    job_lengths(ctx, out);
    job_keys(ctx, out);
    // Duplicates, as written: one key twice within one service node (top level or override).
    for svc in service_nodes(ctx) {
        duplicates(svc, "service", out);
        // A migration's own keys, in its block.
        for m in svc.children().iter().filter(|c| c.name.value == "migrate") {
            duplicates(m, "migration", out);
        }
    }
    for (_, svc) in each_service(ctx) {
        // Every key the container gets, however it is named (issue 22: `s3-keys`, a
        // bucket's or database's `env=`, a link's `token=` too).
        let implicit = implicit_keys(svc);
        let keys = svc
            .env
            .iter()
            .map(|e| &e.key)
            .chain(svc.secret_env.iter().map(|e| &e.key))
            .chain(svc.links.iter().map(|l| &l.env))
            .chain(svc.links.iter().filter_map(|l| l.token.as_ref()))
            .chain(svc.buckets.iter().map(|b| &b.env))
            .chain(svc.databases.iter().map(|d| &d.env))
            .chain(
                [&svc.s3_keys.0, &svc.s3_keys.1]
                    .into_iter()
                    .filter(|_| !svc.buckets.is_empty()),
            )
            .chain(svc.migrate.iter().flat_map(|m| {
                m.env
                    .iter()
                    .map(|e| &e.key)
                    .chain(m.secret_env.iter().map(|e| &e.key))
            }));
        for key in keys {
            if key.value == "PORT" || key.value.starts_with("SCW_") {
                out.push(
                    Diagnostic::error(
                        "cellac::env::reserved",
                        format!("`{}` is set by Scaleway", key.value),
                    )
                    .at(key.span, "reserved")
                    .help(if key.value == "PORT" {
                        "remove it: the container gets PORT from `port`".to_string()
                    } else {
                        "remove it or rename it: Scaleway sets every SCW_* variable".to_string()
                    }),
                );
            } else if key.value.len() > MAX_KEY {
                out.push(
                    Diagnostic::error(
                        "cellac::env::too-long",
                        format!(
                            "this key is {} bytes; Scaleway allows {MAX_KEY}",
                            key.value.len()
                        ),
                    )
                    .at(key.span, "too long")
                    .help(format!("shorten the key to {MAX_KEY} characters or fewer")),
                );
            }
        }
        for e in svc
            .env
            .iter()
            .chain(svc.migrate.iter().flat_map(|m| &m.env))
        {
            if e.value.var_ref().is_none() {
                let len = match &e.value.lit {
                    crate::syntax::Lit::Str(s) => s.len(),
                    other => other.as_text().len(),
                };
                if len > MAX_VALUE {
                    out.push(
                        Diagnostic::error("cellac::env::too-long", format!("the value of `{}` is {len} bytes (UTF-8); Scaleway allows {MAX_VALUE}", e.key.value))
                            .at(e.value.span, "too long")
                            .help("keep values at 1000 characters or fewer; move large data to a bucket"),
                    );
                }
            }
        }
        // One key set two ways: by `env` or `secret-env`, and by a `link`, a `bucket` or
        // the S3 keys a bucket brings (`s3-keys`); or by two links or two buckets.
        let mut sources: Vec<(&str, &crate::span::Spanned<String>)> = Vec::new();
        sources.extend(svc.env.iter().map(|e| ("env", &e.key)));
        sources.extend(svc.secret_env.iter().map(|e| ("secret-env", &e.key)));
        sources.extend(svc.links.iter().map(|l| ("link", &l.env)));
        sources.extend(
            svc.links
                .iter()
                .filter_map(|l| l.token.as_ref().map(|t| ("link", t))),
        );
        sources.extend(svc.buckets.iter().map(|b| ("bucket", &b.env)));
        sources.extend(svc.databases.iter().map(|d| ("database", &d.env)));
        if !svc.buckets.is_empty() {
            sources.push(("s3-keys", &svc.s3_keys.0));
            sources.push(("s3-keys", &svc.s3_keys.1));
        }
        sources.extend(implicit.iter().map(|k| ("bucket", k)));
        let plain = |k: &str| matches!(k, "env" | "secret-env");
        for (j, (kind, key)) in sources.iter().enumerate() {
            let earlier = sources.iter().take(j).find(|(k, first)| {
                first.value == key.value && !(plain(k) && plain(kind)) && first.span != key.span
            });
            if let Some((first_kind, first)) = earlier {
                let (a, b) = if first.span.start <= key.span.start {
                    ((first_kind, first), (kind, key))
                } else {
                    ((kind, key), (first_kind, first))
                };
                let both = if a.0 == b.0 {
                    format!("two `{}`s", a.0)
                } else {
                    format!("both `{}` and `{}`", a.0, b.0)
                };
                out.push(
                    Diagnostic::error(
                        "cellac::env::duplicate",
                        format!("`{}` is set by {both}", key.value),
                    )
                    .at(b.1.span, format!("set by `{}`", b.0))
                    .also(a.1.span, format!("set by `{}`", a.0))
                    .help(if matches!(key.value.as_str(), "S3_ENDPOINT" | "S3_REGION") && (a.0 == &"bucket" || b.0 == &"bucket") {
                        "a service with a bucket gets S3_ENDPOINT and S3_REGION from the bucket's region: remove this one"
                    } else if a.0 == &"s3-keys" || b.0 == &"s3-keys" {
                        "rename one: `s3-keys id=... secret=...` names the bucket API key's two variables; the container gets only one value for a key"
                    } else {
                        "keep one, or rename one of them: the container gets only one value for a key"
                    }),
                );
            }
        }
        // A key in both env and secret-env, from different layers.
        for s in &svc.secret_env {
            if let Some(e) = svc.env.iter().find(|e| e.key.value == s.key.value) {
                let (first, second) = if e.key.span < s.key.span {
                    (&e.key, &s.key)
                } else {
                    (&s.key, &e.key)
                };
                out.push(
                    Diagnostic::error(
                        "cellac::env::duplicate",
                        format!("`{}` is set in both `env` and `secret-env`", s.key.value),
                    )
                    .at(second.span, "set again here")
                    .also(first.span, "first set here")
                    .help("keep one: a secret in `secret-env`, a plain value in `env`"),
                );
            }
        }
    }
}

/// The keys a service gets without naming them: `S3_ENDPOINT` and `S3_REGION` with any
/// bucket (modules/containers writes them), at the first bucket's place.
fn implicit_keys(svc: &crate::model::Service) -> Vec<crate::span::Spanned<String>> {
    match svc.buckets.first() {
        Some(b) => ["S3_ENDPOINT", "S3_REGION"]
            .into_iter()
            .map(|k| crate::span::Spanned::new(k.to_string(), b.span))
            .collect(),
        None => Vec::new(),
    }
}

/// Every `service` node as written: at the top level, and the overrides inside each
/// `environment`.
pub(super) fn service_nodes<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = &'a Node> {
    let overrides = ctx
        .nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .flat_map(|e| e.children().iter());
    ctx.nodes
        .iter()
        .chain(overrides)
        .filter(|n| n.name.value == "service")
}

fn duplicates(svc: &Node, what: &str, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, &crate::span::Spanned<String>> = HashMap::new();
    let keys = svc
        .children()
        .iter()
        .filter(|c| matches!(c.name.value.as_str(), "env" | "secret-env"))
        .flat_map(|c| c.props.iter().map(|p| &p.key));
    for key in keys {
        if let Some(first) = seen.insert(key.value.as_str(), key) {
            out.push(
                Diagnostic::error(
                    "cellac::env::duplicate",
                    format!("`{}` is set twice in this {what}", key.value),
                )
                .at(key.span, "set again here")
                .also(first.span, "first set here")
                .help("keep one: in an environment, an override replaces the top level's value"),
            );
        }
    }
}
