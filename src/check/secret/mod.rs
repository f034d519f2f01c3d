//! `cellac::secret::undeclared`, `cellac::secret::unused`, `cellac::secret::inline`,
//! `cellac::secret::literal`. No message ever repeats a value that may be secret.

pub mod per_environment;

use super::Ctx;
use crate::credential;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// `cellac::secret::literal`: a credential-looking literal where no secret belongs.
fn literal(message: String, span: Span, key: &str) -> Diagnostic {
    let name = key.to_lowercase().replace('-', "_");
    Diagnostic::warning("cellac::secret::literal", message)
        .at(span, "looks like a credential (not shown)")
        .help(format!(
            "if it is one, rotate it: declare `secret {name}`, pass it with `secret-env KEY={name}` and put its value in secrets.auto.tfvars or TF_VAR_{name}; values in the stack file end up in Terraform files and logs"
        ))
}
use crate::suggest::Index;
use crate::syntax::Node;

/// `cellac::secret::literal` for a string anywhere in `nodes` (arguments and properties,
/// at any depth) that looks like a credential or holds one (`curl -H "Authorization:
/// Bearer ..."`, `/health?token=...`), unless a diagnostic in `reported` covers it.
fn anywhere(nodes: &[Node], reported: &std::collections::HashSet<Span>, out: &mut Vec<Diagnostic>) {
    for n in nodes {
        let values = n.args.iter().chain(n.props.iter().map(|p| &p.value));
        for v in values {
            let Some(s) = v.as_str() else {
                continue;
            };
            let holds = credential::looks_like(s) || !credential::inner(s).is_empty();
            if !holds || reported.contains(&v.span) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    "cellac::secret::literal",
                    format!("`{}` holds what looks like a credential", n.name.value),
                )
                .at(v.span, "looks like a credential (not shown)")
                .help(format!(
                    "if it is one, rotate it, and give it to the code at run time instead: declare a `secret`, pass it with `secret-env KEY=NAME` and read KEY's value where `{}` needs it; values in the stack file end up in Terraform files, scripts and logs",
                    n.name.value
                )),
            );
        }
        if let Some(children) = &n.children {
            anywhere(children, reported, out);
        }
    }
}

/// Whether a `secret-env` value reads as a secret's name (lives with the credential
/// heuristics, which mask the values that do not).
pub use crate::credential::looks_like_name;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        for secret in &s.secrets {
            if let Some(span) = secret.inline {
                out.push(
                    Diagnostic::error("cellac::secret::inline", format!("a value for secret `{}` is written in the stack file", secret.name.value))
                        .at(span, "secret value (not shown)")
                        .help(format!(
                            "remove it, and rotate it if it was committed; set `{} = \"...\"` in secrets.auto.tfvars or TF_VAR_{}",
                            secret.name.value, secret.name.value
                        )),
                );
            }
        }
    }
    let mut used = std::collections::HashSet::new();
    for stack in ctx.envs {
        // A Redis cluster's password (an undeclared one is `cellac::redis::password`).
        used.extend(
            stack
                .redis
                .iter()
                .filter_map(|r| r.password.as_ref())
                .map(|p| p.value.clone()),
        );
        let declared = Index::new(
            stack
                .secrets
                .iter()
                .map(|s| s.name.value.as_str())
                .collect(),
        );
        let known: std::collections::HashSet<&str> = declared.names().iter().copied().collect();
        // Each service (with its migration's keys) and each job: its secret-env, its env.
        let holders = stack
            .services
            .iter()
            .map(|svc| {
                let job = svc.migrate.iter().flat_map(|m| &m.secret_env);
                (
                    svc.secret_env.iter().chain(job).collect::<Vec<_>>(),
                    &svc.env[..],
                )
            })
            .chain(
                stack
                    .jobs
                    .iter()
                    .map(|j| (j.secret_env.iter().collect(), &j.env[..])),
            )
            // Build arguments (`image { arg ... }`): kept in the image's layers.
            .chain(
                stack
                    .services
                    .iter()
                    .map(|svc| &svc.build_args.args[..])
                    .chain(stack.jobs.iter().map(|j| &j.build_args.args[..]))
                    .map(|args| (Vec::new(), args)),
            );
        for (secret_env, env) in holders {
            for e in secret_env {
                if e.raw.var_ref().is_some() {
                    continue; // a `(var)` here is reported by the schema check
                }
                let name_like = e.raw.as_str().is_some_and(|s| {
                    looks_like_name(s) && !credential::looks_like_under(Some(&e.key.value), s)
                });
                if !name_like {
                    out.push(
                    Diagnostic::error("cellac::secret::inline", format!("`{}` is given a secret value, not a secret's name", e.key.value))
                        .at(e.secret.span, "secret value (not shown)")
                        .help(format!(
                            "declare `secret {}` and write `secret-env {}={}`; its value goes in secrets.auto.tfvars",
                            e.key.value.to_lowercase(), e.key.value, e.key.value.to_lowercase()
                        )),
                );
                } else if !known.contains(e.secret.value.as_str()) {
                    // The secret it was meant to name is not also reported as unused.
                    let meant = declared.nearest(&e.secret.value);
                    if let Some(meant) = meant {
                        used.insert(meant.to_string());
                    }
                    out.push(
                        Diagnostic::error(
                            "cellac::secret::undeclared",
                            format!("secret `{}` is not declared", e.secret.value),
                        )
                        .at(e.secret.span, "undeclared secret")
                        .help(format!(
                            "{}; or declare `secret {}`",
                            declared.did_you_mean(&e.secret.value),
                            e.secret.value
                        ))
                        .fixes_with(meant.map(|n| super::rename(Unsafe, e.secret.span, n))),
                    );
                } else {
                    used.insert(e.secret.value.clone());
                }
            }
            for e in env {
                if e.value
                    .as_str()
                    .is_some_and(|v| credential::looks_like_under(Some(&e.key.value), v))
                {
                    out.push(literal(
                        format!("`{}` holds what looks like a credential", e.key.value),
                        e.value.span,
                        &e.key.value,
                    ));
                }
            }
        }
        // A var's default and each environment's value.
        for v in &stack.vars {
            let values = v.default.iter().chain(&v.value);
            for value in values.filter(|x| x.var_ref().is_none()) {
                if value
                    .as_str()
                    .is_some_and(|x| credential::looks_like_under(Some(&v.name.value), x))
                {
                    out.push(literal(
                        format!(
                            "var `{}` has a value that looks like a credential",
                            v.name.value
                        ),
                        value.span,
                        &v.name.value,
                    ));
                }
            }
        }
    }
    // Every other string of the stack (a command, a health path, a build argument, a
    // URL): a credential there ends up in the generated files too.
    let reported: std::collections::HashSet<Span> = out
        .iter()
        .filter(|d| credential::SECRET_VALUE_CODES.contains(&d.code))
        .map(Diagnostic::span)
        .collect();
    anywhere(ctx.nodes, &reported, out);
    if let Some(first) = ctx.envs.first() {
        for secret in &first.secrets {
            if !used.contains(&secret.name.value) && secret.inline.is_none() {
                out.push(
                    Diagnostic::warning(
                        "cellac::secret::unused",
                        format!(
                            "secret `{}` is declared but no service uses it",
                            secret.name.value
                        ),
                    )
                    .at(secret.name.span, "unused")
                    .help(format!(
                        "use it with `secret-env KEY={}` in a service, or remove it",
                        secret.name.value
                    )),
                );
            }
        }
    }
}
