//! `cellac::database::unknown`: a service's or job's `database NAME` must name a declared
//! database.
//! `cellac::database::cpu`: a database's `min-cpu` above its `max-cpu`.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::suggest::Index;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    cpu(ctx, out);
    for stack in ctx.envs {
        let mut names: Option<Index> = None;
        let users = stack
            .services
            .iter()
            .map(|s| (format!("`{}`", s.name.value), &s.databases))
            .chain(
                stack
                    .jobs
                    .iter()
                    .map(|j| (format!("job `{}`", j.name.value), &j.databases)),
            );
        for (user, databases) in users {
            for used in databases {
                if stack
                    .databases
                    .iter()
                    .any(|d| d.name.value == used.database.value)
                {
                    continue;
                }
                let names = names.get_or_insert_with(|| {
                    Index::new(
                        stack
                            .databases
                            .iter()
                            .map(|d| d.name.value.as_str())
                            .collect(),
                    )
                });
                out.push(super::undeclared(
                    "cellac::database::unknown",
                    &user,
                    "database",
                    &used.database,
                    names,
                    format!(
                        "declare it at the top level: `database {} engine=serverless-sql`",
                        used.database.value
                    ),
                ));
            }
        }
    }
}

/// `min-cpu` above `max-cpu`, in any environment (once per pair of places): the API
/// refuses it ("The minimum vCPU cannot be greater than the maximum vCPU").
fn cpu(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::HashSet::new();
    for stack in ctx.envs {
        for db in &stack.databases {
            let (min, max) = (&db.min_cpu, &db.max_cpu);
            if min.value <= max.value || !seen.insert((min.span, max.span)) {
                continue;
            }
            out.push(
                Diagnostic::error(
                    "cellac::database::cpu",
                    format!(
                        "database `{}` has min-cpu={} above max-cpu={}{}",
                        db.name.value,
                        min.value,
                        max.value,
                        if ctx.envs.len() > 1 {
                            format!(" in environment `{}`", stack.env.value)
                        } else {
                            String::new()
                        }
                    ),
                )
                .at(min.span, "the minimum")
                .also(max.span, "the maximum")
                .help("lower `min-cpu` or raise `max-cpu`: Scaleway refuses a minimum above the maximum"),
            );
        }
    }
}
