//! `cellac::bucket::access`: a service's or job's `bucket NAME` must name a declared bucket.
//! `cellac::bucket::keys-unused` (warning): `s3-keys` on a service that uses no bucket in
//! any environment, so no key is made and the names are ignored.
//! `cellac::bucket::expire`: one lifecycle rule per prefix (`days=` has its range in
//! schema/language.json: `cellac::schema::range`).

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::suggest::Index;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    keys_unused(ctx, out);
    for stack in ctx.envs {
        for b in &stack.buckets {
            for (i, e) in b.expire.iter().enumerate() {
                if let Some(first) = b.expire.iter().take(i).find(|x| x.prefix == e.prefix) {
                    out.push(
                        Diagnostic::error(
                            "cellac::bucket::expire",
                            format!(
                                "bucket `{}` has two lifecycle rules for the prefix \"{}\"",
                                b.name.value, e.prefix
                            ),
                        )
                        .at(e.span, "second rule")
                        .also(first.span, "first rule")
                        .help("keep one `expire` per prefix"),
                    );
                }
            }
        }
        let mut names: Option<Index> = None;
        let users = stack
            .services
            .iter()
            .map(|s| (format!("`{}`", s.name.value), &s.buckets))
            .chain(
                stack
                    .jobs
                    .iter()
                    .map(|j| (format!("job `{}`", j.name.value), &j.buckets)),
            );
        for (user, buckets) in users {
            for access in buckets {
                if stack
                    .buckets
                    .iter()
                    .any(|b| b.name.value == access.bucket.value)
                {
                    continue;
                }
                let names = names.get_or_insert_with(|| {
                    Index::new(
                        stack
                            .buckets
                            .iter()
                            .map(|b| b.name.value.as_str())
                            .collect(),
                    )
                });
                out.push(super::undeclared(
                    "cellac::bucket::access",
                    &user,
                    "bucket",
                    &access.bucket,
                    names,
                    format!(
                        "declare it at the top level: `bucket {}`",
                        access.bucket.value
                    ),
                ));
            }
        }
    }
}

fn keys_unused(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for node in super::env::service_nodes(ctx) {
        let Some(keys) = node.child("s3-keys") else {
            continue;
        };
        let Some(name) = node.first_str().map(|s| s.value) else {
            continue;
        };
        let with_bucket = ctx
            .envs
            .iter()
            .any(|s| s.service(name).is_some_and(|svc| !svc.buckets.is_empty()));
        if !with_bucket {
            out.push(
                Diagnostic::warning(
                    "cellac::bucket::keys-unused",
                    format!("`s3-keys` has no effect: service `{name}` uses no bucket"),
                )
                .at(keys.span, "unused")
                .help("remove it, or give the service a bucket: `bucket NAME access=read`"),
            );
        }
    }
}
