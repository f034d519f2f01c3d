//! Every rule of the language, one file per family; a rule's code names its file
//! (`cellac::scale::singleton` lives in `scale.rs`).

mod domain;
mod env;
mod health;
mod link;
mod load_balancer;
mod memory;
mod name;
mod port;
mod region;
mod scale;
pub mod schema;
mod secret;
pub mod secrets_file;
mod timeout;
pub mod var;

use crate::diagnostic::Diagnostic;
use crate::model::Stack;
use crate::syntax::Node;

/// What the checks look at: the file's nodes as written, and each environment resolved.
pub struct Ctx<'a> {
    pub nodes: &'a [Node],
    pub envs: &'a [Stack],
}

/// Runs every rule that needs the resolved environments.
pub fn run(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    name::check(ctx, out);
    region::check(ctx, out);
    port::check(ctx, out);
    env::check(ctx, out);
    memory::check(ctx, out);
    scale::check(ctx, out);
    secret::check(ctx, out);
    var::check(ctx, out);
    link::check(ctx, out);
    timeout::check(ctx, out);
    health::check(ctx, out);
    domain::check(ctx, out);
    load_balancer::check(ctx, out);
}

/// Runs `f` on each service of each environment.
pub(crate) fn each_service<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (&'a Stack, &'a crate::model::Service)> {
    ctx.envs.iter().flat_map(|s| s.services.iter().map(move |svc| (s, svc)))
}
