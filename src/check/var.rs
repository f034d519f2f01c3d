//! `cellac::var::undeclared`, `cellac::var::missing`, `cellac::var::format`,
//! `cellac::var::value-and-default`.

use super::Ctx;
use crate::diagnostic::Applicability::Unsafe;
use crate::diagnostic::Diagnostic;
use crate::model::{Stack, Var};
use crate::suggest::Index;
use crate::syntax::Value;

/// Whether `s` is a plausible email address (one `@`, a dotted domain, no spaces).
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Every `(var)` reference in an environment, with where it is.
fn references(s: &Stack) -> impl Iterator<Item = &Value> {
    s.services
        .iter()
        .flat_map(|svc| {
            svc.env
                .iter()
                .chain(svc.migrate.iter().flat_map(|m| m.env.iter()))
                .map(|e| &e.value)
        })
        .chain(
            s.sites
                .iter()
                .flat_map(|site| site.env.iter().map(|e| &e.value)),
        )
        .chain(
            s.jobs
                .iter()
                .flat_map(|job| job.env.iter().map(|e| &e.value)),
        )
        .chain(s.monitoring.iter().filter_map(|m| m.alerts.as_ref()))
        .filter(|v| v.var_ref().is_some())
}

/// `var NAME VALUE default=X` in an environment: the value wins and the default would be
/// ignored (issue 22), so one of them is refused.
fn value_and_default(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let in_envs = ctx
        .nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .flat_map(|e| e.children().iter())
        .filter(|n| n.name.value == "var");
    for v in in_envs {
        let (Some(value), Some(default)) = (v.args.get(1), v.prop("default")) else {
            continue;
        };
        let name = v.first_str().map_or("", |s| s.value);
        // Removing the default changes nothing the output holds: a safe fix.
        let key = v
            .props
            .iter()
            .rev()
            .find(|p| p.key.value == "default")
            .map_or(default.span, |p| p.key.span);
        let bytes = ctx.text.as_bytes();
        let mut start = key.start;
        while start > 0 && matches!(bytes.get(start - 1), Some(b' ' | b'\t')) {
            start -= 1;
        }
        let fix = crate::diagnostic::Fix::replace(
            crate::diagnostic::Applicability::Safe,
            "Remove the `default=` the value overrides",
            crate::span::Span::new(start, default.span.end),
            "",
        );
        out.push(
            Diagnostic::error(
                "cellac::var::value-and-default",
                format!("`var {name}` is given both a value and a `default=` in this environment"),
            )
            .at(default.span, "never used: the value wins")
            .also(value.span, "the value this environment uses")
            .help("keep the value (an environment gives its own value), and write `default=` at the top level for the other environments")
            .fix(fix),
        );
    }
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    value_and_default(ctx, out);
    for s in ctx.envs {
        let declared = Index::new(s.vars.iter().map(|v| v.name.value.as_str()).collect());
        let known: std::collections::HashSet<&str> = declared.names().iter().copied().collect();
        for r in references(s) {
            let name = r.var_ref().unwrap_or_default();
            if !known.contains(name) {
                out.push(
                    Diagnostic::error(
                        "cellac::var::undeclared",
                        format!("variable `{name}` is not declared"),
                    )
                    .at(r.span, "undeclared variable")
                    .help(format!(
                        "{}; or declare `var {name}`",
                        declared.did_you_mean(name)
                    ))
                    .fixes_with(
                        declared
                            .nearest(name)
                            .map(|n| super::replace(Unsafe, r.span, n, r.rewritten(n))),
                    ),
                );
            }
        }
        for v in &s.vars {
            if let Some(value) = &v.value {
                format(v, value, out);
            }
        }
    }
    // Missing values: one diagnostic per var, naming every environment without a value.
    if let Some(first) = ctx.envs.first() {
        for v in &first.vars {
            let missing: Vec<&str> = ctx
                .envs
                .iter()
                .filter(|s| s.var(&v.name.value).is_some_and(|x| x.value.is_none()))
                .map(|s| s.env.value.as_str())
                .collect();
            let Some(first_missing) = missing.first() else {
                continue;
            };
            out.push(
                Diagnostic::error(
                    "cellac::var::missing",
                    format!("variable `{}` has no value", v.name.value),
                )
                .at(v.name.span, "no default")
                .help(format!(
                    "give it `default=...`, or write `var {} \"...\"` inside `environment {}`",
                    v.name.value, first_missing
                ))
                .in_envs(&missing),
            );
        }
    }
}

fn format(v: &Var, value: &Value, out: &mut Vec<Diagnostic>) {
    let Some(text) = value
        .as_str()
        .map(str::to_string)
        .or_else(|| (value.var_ref().is_none()).then(|| value.lit.as_text()))
    else {
        return;
    };
    if value.var_ref().is_some() {
        return;
    }
    if let Some(f) = &v.format {
        if f.value == "email" && !is_email(&text) {
            out.push(
                Diagnostic::error(
                    "cellac::var::format",
                    format!(
                        "`{text}` is not an email address, as `{}` requires",
                        v.name.value
                    ),
                )
                .at(value.span, "not an email address")
                .also(f.span, "format set here")
                .help("write an address such as \"ops@example.com\""),
            );
        }
    }
    if let Some(p) = &v.pattern {
        match regex_lite::Regex::new(&format!("^(?:{})$", p.value)) {
            Err(e) => out.push(
                Diagnostic::error(
                    "cellac::var::format",
                    format!(
                        "the pattern of `{}` is not a valid regular expression",
                        v.name.value
                    ),
                )
                .at(
                    p.span,
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("invalid")
                        .to_string(),
                )
                .help("write a regular expression; it must match the whole value"),
            ),
            Ok(re) if !re.is_match(&text) => out.push(
                Diagnostic::error(
                    "cellac::var::format",
                    format!("`{text}` does not match the pattern of `{}`", v.name.value),
                )
                .at(value.span, "does not match")
                .also(p.span, "pattern set here")
                .help(format!(
                    "write a value that matches `{}` as a whole",
                    p.value
                )),
            ),
            Ok(_) => {}
        }
    }
}
