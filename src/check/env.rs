//! `cellac::env::reserved`, `cellac::env::duplicate`, `cellac::env::too-long`:
//! the environment variables of a service or a job. (`cellac::env::unknown-override` is raised
//! while merging environments, in `envs.rs`.)

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::{BucketAccess, DatabaseUse, EnvVar, Link, QueueUse, SecretEnv};
use crate::span::Spanned;
use crate::syntax::Node;
use std::collections::HashMap;

/// Scaleway's limits for an environment variable (declared in [`crate::limits`]).
pub const MAX_KEY: usize = crate::limits::ENV_KEY.max as usize;
pub const MAX_VALUE: usize = crate::limits::ENV_VALUE.max as usize;

/// What sets the environment of one service or job, for the checks of its keys.
struct Holder<'a> {
    env: Vec<&'a EnvVar>,
    secret_env: Vec<&'a SecretEnv>,
    links: &'a [Link],
    buckets: &'a [BucketAccess],
    s3_keys: &'a (Spanned<String>, Spanned<String>),
    databases: &'a [DatabaseUse],
    queues: &'a [QueueUse],
    redis: &'a [crate::model::RedisUse],
    /// Keys that only add to or replace the others (a migration's own): checked for
    /// reserved names and length, not for duplicates.
    extra: Vec<&'a Spanned<String>>,
    extra_env: Vec<&'a EnvVar>,
    /// A container, which Scaleway gives `PORT` (a job gets no `PORT`).
    container: bool,
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // Duplicates, as written: one key twice within one service or job node (top level
    // or override).
    for node in nodes_of(ctx, "service") {
        duplicates(node, "service", out);
        // A migration's own keys, in its block.
        for m in node.children().iter().filter(|c| c.name.value == "migrate") {
            duplicates(m, "migration", out);
        }
    }
    for node in nodes_of(ctx, "job") {
        duplicates(node, "job", out);
    }
    for (_, svc) in each_service(ctx) {
        let migrate = svc.migrate.iter();
        keys(
            &Holder {
                env: svc.env.iter().collect(),
                secret_env: svc.secret_env.iter().collect(),
                links: &svc.links,
                buckets: &svc.buckets,
                s3_keys: &svc.s3_keys,
                databases: &svc.databases,
                queues: &svc.queues,
                redis: &svc.redis,
                extra: migrate
                    .clone()
                    .flat_map(|m| {
                        m.env
                            .iter()
                            .map(|e| &e.key)
                            .chain(m.secret_env.iter().map(|e| &e.key))
                    })
                    .collect(),
                extra_env: migrate.flat_map(|m| &m.env).collect(),
                container: true,
            },
            out,
        );
    }
    for stack in ctx.envs {
        for job in &stack.jobs {
            keys(
                &Holder {
                    env: job.env.iter().collect(),
                    secret_env: job.secret_env.iter().collect(),
                    links: &job.links,
                    buckets: &job.buckets,
                    s3_keys: &job.s3_keys,
                    databases: &job.databases,
                    queues: &job.queues,
                    redis: &job.redis,
                    extra: Vec::new(),
                    extra_env: Vec::new(),
                    container: false,
                },
                out,
            );
        }
    }
}

fn keys(h: &Holder, out: &mut Vec<Diagnostic>) {
    let keys = h
        .env
        .iter()
        .map(|e| &e.key)
        .chain(h.secret_env.iter().map(|e| &e.key))
        .chain(h.links.iter().map(|l| &l.env))
        // However a key is named (issue 22): a link's `token=`, a bucket's or database's
        // `env=`, and `s3-keys` when a bucket makes the key.
        .chain(h.links.iter().filter_map(|l| l.token.as_ref()))
        .chain(h.buckets.iter().map(|b| &b.env))
        .chain(h.databases.iter().map(|d| &d.env))
        .chain(h.queues.iter().map(|q| &q.env))
        .chain(h.redis.iter().map(|d| &d.env))
        .chain(h.redis.iter().filter_map(|d| d.certificate_env.as_ref()))
        .chain(
            [&h.s3_keys.0, &h.s3_keys.1]
                .into_iter()
                .filter(|_| !h.buckets.is_empty()),
        )
        .chain(h.extra.iter().copied());
    for key in keys {
        if (h.container && key.value == "PORT") || key.value.starts_with("SCW_") {
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
                .help(format!("shorten the key to {MAX_KEY} bytes or fewer")),
            );
        }
    }
    for e in h.env.iter().chain(&h.extra_env) {
        if e.value.var_ref().is_none() {
            let len = match &e.value.lit {
                crate::syntax::Lit::Str(s) => s.len(),
                other => other.as_text().len(),
            };
            if len > MAX_VALUE {
                out.push(
                    Diagnostic::error(
                        "cellac::env::too-long",
                        format!(
                            "the value of `{}` is {len} bytes (UTF-8); Scaleway allows {MAX_VALUE}",
                            e.key.value
                        ),
                    )
                    .at(e.value.span, "too long")
                    .help(format!("keep values at {MAX_VALUE} characters or fewer; move large data to a bucket")),
                );
            }
        }
    }
    // One key set two ways: by `env` or `secret-env`, and by a `link`, a `bucket`,
    // the S3 keys a bucket brings (`s3-keys`) or a `database`; or by two of those.
    let mut sources: Vec<(&str, &Spanned<String>)> = Vec::new();
    sources.extend(h.env.iter().map(|e| ("env", &e.key)));
    sources.extend(h.secret_env.iter().map(|e| ("secret-env", &e.key)));
    sources.extend(h.links.iter().map(|l| ("link", &l.env)));
    sources.extend(
        h.links
            .iter()
            .filter_map(|l| l.token.as_ref().map(|t| ("link", t))),
    );
    sources.extend(h.buckets.iter().map(|b| ("bucket", &b.env)));
    if !h.buckets.is_empty() {
        sources.push(("s3-keys", &h.s3_keys.0));
        sources.push(("s3-keys", &h.s3_keys.1));
    }
    sources.extend(h.databases.iter().map(|d| ("database", &d.env)));
    sources.extend(h.queues.iter().map(|q| ("queue", &q.env)));
    sources.extend(h.redis.iter().map(|d| ("redis", &d.env)));
    sources.extend(
        h.redis
            .iter()
            .filter_map(|d| d.certificate_env.as_ref().map(|k| ("redis", k))),
    );
    let implicit = implicit_keys(h.buckets);
    sources.extend(implicit.iter().map(|k| ("bucket", k)));
    let implicit_sqs = implicit_queue_keys(h.queues);
    sources.extend(implicit_sqs.iter().map(|k| ("queue", k)));
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
                    } else if key.value.starts_with("SQS_") && (a.0 == &"queue" || b.0 == &"queue") {
                        "a service or job with a `queue` gets SQS_ENDPOINT, SQS_REGION, SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY: remove this one"
                    } else if a.0 == &"s3-keys" || b.0 == &"s3-keys" {
                        "rename one: `s3-keys id=... secret=...` names the bucket API key's two variables; the container gets only one value for a key"
                    } else {
                        "keep one, or rename one of them: the container gets only one value for a key"
                    }),
                );
        }
    }
    // A key in both env and secret-env, from different layers.
    for s in &h.secret_env {
        if let Some(e) = h.env.iter().find(|e| e.key.value == s.key.value) {
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

/// Every `KIND` node as written (`service`, `job`): at the top level, and the
/// overrides inside each `environment`.
fn nodes_of<'a>(ctx: &Ctx<'a>, kind: &'a str) -> impl Iterator<Item = &'a Node> {
    let overrides = ctx
        .nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .flat_map(|e| e.children().iter());
    ctx.nodes
        .iter()
        .chain(overrides)
        .filter(move |n| n.name.value == kind)
}

/// Every `service` node as written: at the top level, and the overrides inside each
/// `environment`.
pub(super) fn service_nodes<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = &'a Node> {
    nodes_of(ctx, "service")
}

fn duplicates(svc: &Node, what: &str, out: &mut Vec<Diagnostic>) {
    // One key twice in `env` (or twice in `secret-env`); for a service or job, a key in
    // both is reported once, by the env-and-secret-env rule, which says so (a migration's
    // own keys are not in that rule: both count here).
    let by_kind = what != "migration";
    let mut seen: HashMap<(&str, &str), &crate::span::Spanned<String>> = HashMap::new();
    let keys = svc
        .children()
        .iter()
        .filter(|c| matches!(c.name.value.as_str(), "env" | "secret-env"))
        .flat_map(|c| {
            let kind = if by_kind { c.name.value.as_str() } else { "" };
            c.props.iter().map(move |p| (kind, &p.key))
        });
    for (kind, key) in keys {
        if let Some(first) = seen.insert((kind, key.value.as_str()), key) {
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

/// The keys a service or job with a `queue` gets without naming them (the SQS endpoint,
/// region and its own credentials), at the first queue's place.
fn implicit_queue_keys(queues: &[QueueUse]) -> Vec<crate::span::Spanned<String>> {
    match queues.first() {
        Some(q) => [
            "SQS_ENDPOINT",
            "SQS_REGION",
            "SQS_ACCESS_KEY_ID",
            "SQS_SECRET_ACCESS_KEY",
        ]
        .into_iter()
        .map(|k| crate::span::Spanned::new(k.to_string(), q.span))
        .collect(),
        None => Vec::new(),
    }
}

/// The keys a service or job gets without naming them: `S3_ENDPOINT` and `S3_REGION` with
/// any bucket (the containers and jobs modules write them), at the first bucket's place.
fn implicit_keys(buckets: &[BucketAccess]) -> Vec<crate::span::Spanned<String>> {
    match buckets.first() {
        Some(b) => ["S3_ENDPOINT", "S3_REGION"]
            .into_iter()
            .map(|k| crate::span::Spanned::new(k.to_string(), b.span))
            .collect(),
        None => Vec::new(),
    }
}
