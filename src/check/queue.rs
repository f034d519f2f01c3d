//! `cellac::queue::*`: queues and what uses them.
//!
//! - `unknown`: a service's or job's `queue NAME`, or a service's `consume NAME`, names no
//!   declared queue (did-you-mean).
//! - `limit`: a `retention` outside 1m..14d or a `visibility-timeout` outside 0s..12h
//!   (what the provider validates; docs/scaleway-facts.md, Queues), or not a duration.
//! - `name-length`: `ENV-STACK-NAME-dead.fifo` longer than the 80 characters of a queue name.
//! - `dead-name`: a queue named like another's dead-letter queue (`orders-dead` beside
//!   `orders dead-letter=N`, of the same type): both would be one Scaleway queue.
//! - `batch`: `batch=` other than 1: a Scaleway trigger delivers one message per request.
//! - `consumers`: two services consume one queue (each message would go to one of them).
//! - `receive-consumed` (warning): a service that consumes a queue also receives from it.
//! - `visibility` (warning): a queue's visibility timeout shorter than the `timeout` of a
//!   service that consumes it: a message still being handled is delivered again.
//! - `no-dead-letter` (warning): a consumed queue with no `dead-letter=`: a message that
//!   always fails is delivered again until its retention ends.

#![deny(clippy::arithmetic_side_effects)]

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::duration::seconds_or_days;
use crate::model::{Queue, Stack, PREVIEW_ID, PREVIEW_LONGEST_ID};
use crate::span::Spanned;
use crate::suggest::Index;

/// Retention: 1 minute to 14 days, in seconds.
const RETENTION: (u64, u64) = (60, 1_209_600);
/// Visibility timeout: 0 seconds to 12 hours.
const VISIBILITY: (u64, u64) = (0, 43_200);
/// The longest queue name (`.fifo` included).
const NAME_MAX: usize = 80;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for stack in ctx.envs {
        unknown(stack, out);
        for q in &stack.queues {
            limits(stack, q, out);
            if let Some(other) = stack.queues.iter().find(|o| {
                o.dead_letter.is_some()
                    && o.fifo == q.fifo
                    && q.name.value == format!("{}-dead", o.name.value)
            }) {
                out.push(
                    Diagnostic::error(
                        "cellac::queue::dead-name",
                        format!(
                            "queue `{}` has the name of the dead-letter queue of `{}`",
                            q.name.value, other.name.value
                        ),
                    )
                    .in_env(&stack.env.value)
                    .at(q.name.span, "also the name of a dead-letter queue")
                    .also(other.name.span, "its dead-letter queue is NAME-dead")
                    .help(format!(
                        "rename `{}`: `dead-letter=` on `{}` makes a queue of that name",
                        q.name.value, other.name.value
                    )),
                );
            }
        }
        consumers(stack, out);
    }
}

fn unknown(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let names = Index::new(stack.queues.iter().map(|q| q.name.value.as_str()).collect());
    let mut uses: Vec<(String, &Spanned<String>)> = Vec::new();
    for s in &stack.services {
        let user = format!("`{}`", s.name.value);
        uses.extend(s.queues.iter().map(|q| (user.clone(), &q.queue)));
        uses.extend(s.consumes.iter().map(|c| (user.clone(), &c.queue)));
    }
    for j in &stack.jobs {
        let user = format!("job `{}`", j.name.value);
        uses.extend(j.queues.iter().map(|q| (user.clone(), &q.queue)));
    }
    for (user, used) in uses {
        if stack.queue(&used.value).is_none() {
            out.push(
                super::undeclared(
                    "cellac::queue::unknown",
                    &user,
                    "queue",
                    used,
                    &names,
                    format!("declare it at the top level: `queue {}`", used.value),
                )
                .in_env(&stack.env.value),
            );
        }
    }
}

fn limits(stack: &Stack, q: &Queue, out: &mut Vec<Diagnostic>) {
    for (what, d, (min, max), range) in [
        ("retention", &q.retention, RETENTION, "1m..14d"),
        (
            "visibility-timeout",
            &q.visibility_timeout,
            VISIBILITY,
            "0s..12h",
        ),
    ] {
        let message = match seconds_or_days(&d.value) {
            None => format!("`{}` is not a duration", d.value),
            Some(n) if n < min || n > max => format!(
                "queue `{}` has {what}=\"{}\", outside {range}",
                q.name.value, d.value
            ),
            Some(_) => continue,
        };
        out.push(
            Diagnostic::error("cellac::queue::limit", message)
                .in_env(&stack.env.value)
                .at(d.span, format!("{what} must be within {range}"))
                .help(format!(
                    "write digits then `s`, `m`, `h` or `d`, within {range}: Scaleway refuses anything else"
                )),
        );
    }
    // The longest name this queue gets: its dead-letter queue's, with `.fifo`.
    let name = format!(
        "{}-{}{}{}",
        stack.prefix().replace(PREVIEW_ID, PREVIEW_LONGEST_ID),
        q.name.value,
        if q.dead_letter.is_some() { "-dead" } else { "" },
        if q.fifo { ".fifo" } else { "" }
    );
    if name.len() > NAME_MAX {
        out.push(
            Diagnostic::error(
                "cellac::queue::name-length",
                format!(
                    "queue `{}` would be named `{name}`, {} characters: Scaleway allows {NAME_MAX}",
                    q.name.value,
                    name.len()
                ),
            )
            .in_env(&stack.env.value)
            .at(q.name.span, "name too long")
            .help("shorten the queue's name (or the stack's or environment's)"),
        );
    }
}

fn consumers(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<&str, (&str, crate::span::Span)> = Default::default();
    for s in &stack.services {
        for c in &s.consumes {
            if c.batch.value != 1 {
                out.push(
                    Diagnostic::error(
                        "cellac::queue::batch",
                        format!("`consume {}` asks for batch={}", c.queue.value, c.batch.value),
                    )
                    .in_env(&stack.env.value)
                    .at(c.batch.span, "Scaleway delivers one message per request")
                    .help("remove `batch=` (or write `batch=1`): a Scaleway queue trigger POSTs each message on its own; to handle many at once, receive them yourself with `queue NAME access=receive` in a `job`"),
                );
            }
            match first.get(c.queue.value.as_str()) {
                Some((other, span)) if *other != s.name.value => out.push(
                    Diagnostic::error(
                        "cellac::queue::consumers",
                        format!(
                            "queue `{}` is consumed by `{other}` and `{}`",
                            c.queue.value, s.name.value
                        ),
                    )
                    .in_env(&stack.env.value)
                    .at(c.queue.span, "second consumer")
                    .also(*span, "first consumer")
                    .help("each message would go to one of them only: give each service a queue of its own"),
                ),
                Some(_) => {}
                None => {
                    first.insert(&c.queue.value, (&s.name.value, c.queue.span));
                }
            }
            if let Some(r) = s
                .queues
                .iter()
                .find(|q| q.queue.value == c.queue.value && q.access.value == "receive")
            {
                out.push(
                    Diagnostic::warning(
                        "cellac::queue::receive-consumed",
                        format!(
                            "`{}` consumes queue `{}` and also receives from it",
                            s.name.value, c.queue.value
                        ),
                    )
                    .in_env(&stack.env.value)
                    .at(r.span, "receives")
                    .also(c.span, "consumes")
                    .help("a message the service receives itself never reaches its trigger: keep `consume`, or use `access=send`"),
                );
            }
            let Some(q) = stack.queue(&c.queue.value) else {
                continue;
            };
            let visibility = seconds_or_days(&q.visibility_timeout.value);
            if let Some(v) = visibility.filter(|v| i128::from(*v) < s.timeout.value) {
                out.push(
                    Diagnostic::warning(
                        "cellac::queue::visibility",
                        format!(
                            "queue `{}` hides a message for {v}s, less than the {}s `{}` may take to handle it",
                            q.name.value, s.timeout.value, s.name.value
                        ),
                    )
                    .in_env(&stack.env.value)
                    .at(c.queue.span, "consumed here")
                    .also(q.visibility_timeout.span, "visibility timeout")
                    .help(format!(
                        "set `visibility-timeout=\"{}s\"` on the queue (at least the service's timeout): a message still being handled is otherwise delivered again",
                        s.timeout.value
                    )),
                );
            }
            if q.dead_letter.is_none() {
                out.push(
                    Diagnostic::warning(
                        "cellac::queue::no-dead-letter",
                        format!(
                            "queue `{}` is consumed by `{}` but has no dead-letter queue",
                            q.name.value, s.name.value
                        ),
                    )
                    .in_env(&stack.env.value)
                    .at(q.name.span, "no dead-letter=")
                    .help("add `dead-letter=5` to the queue: after 5 failed deliveries a message moves to NAME-dead instead of being delivered again until its retention ends"),
                );
            }
        }
    }
}
