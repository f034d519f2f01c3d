//! `cellac::bucket::access`: a service's or job's `bucket NAME` must name a declared bucket.
//! `cellac::bucket::expire`: one lifecycle rule per prefix (`days=` has its range in
//! schema/language.json: `cellac::schema::range`).

use super::Ctx;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::suggest::Index;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
                let help = if names.names().is_empty() {
                    format!(
                        "declare it at the top level: `bucket {}`",
                        access.bucket.value
                    )
                } else {
                    names.did_you_mean(&access.bucket.value)
                };
                out.push(
                    Diagnostic::error(
                        "cellac::bucket::access",
                        format!(
                            "{user} uses bucket `{}`, which is not declared",
                            access.bucket.value
                        ),
                    )
                    .at(access.bucket.span, "unknown bucket")
                    .help(help)
                    .fixes_with(
                        names
                            .nearest(&access.bucket.value)
                            .map(|n| super::rename(Unsafe, access.bucket.span, n)),
                    ),
                );
            }
        }
    }
}
