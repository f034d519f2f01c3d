//! Every rule of the language, one file per family; a rule's code names its file
//! (`cellac::scale::singleton` lives in `scale.rs`).

mod bucket;
mod conflict;
mod database;
mod domain;
mod edge;
pub mod env;
pub mod health;
mod job;
mod link;
mod load_balancer;
mod memory;
mod migrate;
pub mod name;
mod network;
pub mod port;
mod project;
mod region;
mod scale;
pub mod schema;
pub(crate) mod secret;
pub mod secrets_dir;
pub mod secrets_file;
mod timeout;
mod value;
pub mod var;

use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::syntax::Node;

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
    region::check(ctx, out);
    port::check(ctx, out);
    env::check(ctx, out);
    memory::check(ctx, out);
    scale::check(ctx, out);
    secret::check(ctx, out);
    var::check(ctx, out);
    link::check(ctx, out);
    link::cycles(ctx, out);
    timeout::check(ctx, out);
    health::check(ctx, out);
    migrate::check(ctx, out);
    job::check(ctx, out);
    domain::check(ctx, out);
    domain::shared(ctx, out);
    load_balancer::check(ctx, out);
    bucket::check(ctx, out);
    database::check(ctx, out);
    edge::check(ctx, out);
    project::check(ctx, out);
    network::check(ctx, out);
    conflict::check(ctx, out);
    value::check(ctx, out);
    merge_environments(ctx.envs, out);
}

/// One problem seen from several environments is reported once. A rule that checks each
/// environment ends its message with `` (environment `NAME`)``; diagnostics that differ
/// only in that name become one, naming the environments it applies to, or none when it
/// applies to all of them.
fn merge_environments(envs: &[Stack], out: &mut Vec<Diagnostic>) {
    fn split(message: &str) -> Option<(&str, &str)> {
        let (head, env) = message.strip_suffix("`)")?.rsplit_once(" (environment `")?;
        Some((head, env))
    }
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    // Whether each diagnostic stays, in order.
    let mut keep = Vec::with_capacity(out.len());
    for (i, this) in out.iter().enumerate() {
        let Some((head, env)) = split(&this.message) else {
            keep.push(true);
            continue;
        };
        let same = groups.iter_mut().find(|(j, _)| {
            out.get(*j).is_some_and(|d| {
                d.code == this.code
                    && d.labels == this.labels
                    && split(&d.message).is_some_and(|(h, _)| h == head)
            })
        });
        match same {
            Some((_, names)) => {
                if !names.iter().any(|n| n == env) {
                    names.push(env.to_string());
                }
                keep.push(false);
            }
            None => {
                groups.push((i, vec![env.to_string()]));
                keep.push(true);
            }
        }
    }
    for (i, names) in groups {
        let Some(d) = out.get_mut(i) else {
            continue;
        };
        let head = split(&d.message)
            .map(|(h, _)| h.to_string())
            .unwrap_or_default();
        d.message = if envs.iter().all(|e| names.contains(&e.env.value)) {
            head
        } else if let [only] = names.as_slice() {
            format!("{head} (environment `{only}`)")
        } else {
            let list: Vec<&str> = names.iter().map(String::as_str).collect();
            format!(
                "{head} (environments {})",
                crate::suggest::one_of(&list).replace(" or ", " and ")
            )
        };
    }
    let mut keep = keep.into_iter();
    out.retain(|_| keep.next().unwrap_or(true));
}

/// Runs `f` on each service of each environment.
pub(crate) fn each_service<'a>(
    ctx: &'a Ctx,
) -> impl Iterator<Item = (&'a Stack, &'a crate::model::Service)> {
    ctx.envs
        .iter()
        .flat_map(|s| s.services.iter().map(move |svc| (s, svc)))
}
