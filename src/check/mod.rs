//! Every rule of the language, one file per family; a rule's code names its file
//! (`cellac::scale::singleton` lives in `scale.rs`).

mod bucket;
mod conflict;
mod cpu;
mod database;
mod deployer;
mod domain;
mod duration;
mod edge;
pub mod env;
pub mod health;
mod image;
mod job;
mod link;
mod load_balancer;
mod memory;
mod migrate;
pub mod name;
mod network;
mod r#override;
pub mod port;
mod preview;
mod project;
mod queue;
mod redis;
mod region;
mod scale;
pub mod schema;
pub mod secret;
pub mod secrets_file;
pub mod service;
mod timeout;
mod value;
pub mod var;

use crate::diagnostic::{Applicability, Diagnostic, Fix, Label};
use crate::model::Stack;
use crate::span::Span;
use crate::syntax::Node;
use std::collections::HashMap;

/// What the checks look at: the file's nodes as written, and each environment resolved.
pub struct Ctx<'a> {
    /// The stack file's text.
    pub text: &'a str,
    pub nodes: &'a [Node],
    pub envs: &'a [Stack],
}

/// Runs every rule that needs the resolved environments.
pub fn run(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    name::check(ctx, out);
    name::reserved(ctx, out);
    name::collisions(ctx, out);
    region::check(ctx, out);
    port::check(ctx, out);
    env::check(ctx, out);
    memory::check(ctx, out);
    cpu::check(ctx, out);
    scale::check(ctx, out);
    secret::check(ctx, out);
    var::check(ctx, out);
    image::check(ctx, out);
    link::check(ctx, out);
    service::check(ctx, out);
    link::schemes(ctx, out);
    link::cycles(ctx, out);
    timeout::check(ctx, out);
    health::check(ctx, out);
    migrate::check(ctx, out);
    job::check(ctx, out);
    domain::check(ctx, out);
    domain::shared(ctx, out);
    preview::check(ctx, out);
    load_balancer::check(ctx, out);
    bucket::check(ctx, out);
    database::check(ctx, out);
    queue::check(ctx, out);
    redis::check(ctx, out);
    deployer::check(ctx, out);
    edge::check(ctx, out);
    project::check(ctx, out);
    network::check(ctx, out);
    r#override::check(ctx, out);
    conflict::check(ctx, out);
    value::check(ctx, out);
    merge_environments(ctx.envs, out);
}

/// One problem seen from several environments is reported once. A rule that checks each
/// environment names it with [`Diagnostic::in_env`]; diagnostics that differ only in their
/// environments become one, naming the environments it applies to, or none when it
/// applies to all of them.
fn merge_environments(envs: &[Stack], out: &mut Vec<Diagnostic>) {
    let mut merged: Vec<Diagnostic> = Vec::with_capacity(out.len());
    // Where each (code, message, labels) group lives in `merged`.
    let mut groups: HashMap<(&'static str, String, Vec<Label>), usize> = HashMap::new();
    for d in out.drain(..) {
        if d.environments.is_empty() {
            merged.push(d);
            continue;
        }
        let key = (d.code, d.message.clone(), d.labels.clone());
        match groups.get(&key) {
            Some(&at) => {
                if let Some(first) = merged.get_mut(at) {
                    for env in d.environments {
                        if !first.environments.contains(&env) {
                            first.environments.push(env);
                        }
                    }
                }
            }
            None => {
                groups.insert(key, merged.len());
                merged.push(d);
            }
        }
    }
    for d in &mut merged {
        if !d.environments.is_empty() && envs.iter().all(|e| d.environments.contains(&e.env.value))
        {
            d.environments.clear();
        }
    }
    *out = merged;
}

/// A fix that writes `text` (KDL, as it goes in the file) over `span`; its title names
/// `shown`, the value as people read it.
pub(crate) fn replace(applicability: Applicability, span: Span, shown: &str, text: String) -> Fix {
    Fix::replace_with(applicability, span, shown, text)
}

/// The nearest-name fix for `written`: safe only when [`crate::suggest::safe_rename`]
/// says the rename is a spelling correction that cannot flip a meaning, unsafe otherwise.
pub(crate) fn rename_nearest(span: Span, written: &str, name: &str) -> Fix {
    rename(applicability_of(written, name), span, name)
}

/// [`Applicability::Safe`] for a spelling correction, [`Applicability::Unsafe`] else.
pub(crate) fn applicability_of(written: &str, name: &str) -> Applicability {
    if crate::suggest::safe_rename(written, name) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

/// A fix that writes the name `name` (a string, written bare when KDL allows) over `span`.
pub(crate) fn rename(applicability: Applicability, span: Span, name: &str) -> Fix {
    replace(
        applicability,
        span,
        name,
        crate::syntax::string_literal(name),
    )
}

/// The "USER uses KIND `NAME`, which is not declared" error of a reference to a
/// top-level node (a bucket, a database, a queue): did-you-mean among `declared`, with
/// the nearest name as an unsafe fix, or `declare` as the help when none is declared.
pub(crate) fn undeclared(
    code: &'static str,
    user: &str,
    kind: &str,
    used: &crate::span::Spanned<String>,
    declared: &crate::suggest::Index,
    declare: String,
) -> Diagnostic {
    let help = if declared.names().is_empty() {
        declare
    } else {
        declared.did_you_mean(&used.value)
    };
    Diagnostic::error(
        code,
        format!("{user} uses {kind} `{}`, which is not declared", used.value),
    )
    .at(used.span, format!("unknown {kind}"))
    .help(help)
    .fixes_with(
        declared
            .nearest(&used.value)
            .map(|n| rename(Applicability::Unsafe, used.span, n)),
    )
}

/// Runs `f` on each service of each environment.
pub(crate) fn each_service<'a>(
    ctx: &'a Ctx,
) -> impl Iterator<Item = (&'a Stack, &'a crate::model::Service)> {
    ctx.envs
        .iter()
        .flat_map(|s| s.services.iter().map(move |svc| (s, svc)))
}
