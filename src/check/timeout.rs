//! `cellac::timeout::range`.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let t = &svc.timeout;
        if !(1..=900).contains(&t.value) {
            out.push(
                Diagnostic::error(
                    "cellac::timeout::range",
                    format!("timeout {} s is outside 1..900", t.value),
                )
                .at(t.span, "out of range")
                .help(
                    "write a request timeout in seconds between 1 and 900, such as `timeout 300`",
                ),
            );
        }
    }
}
