//! `cellac::timeout::range`.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::limits::TIMEOUT;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let t = &svc.timeout;
        if !TIMEOUT.contains(t.value) {
            out.push(
                Diagnostic::error(
                    "cellac::timeout::range",
                    format!("timeout {} s is outside {}", t.value, TIMEOUT.text()),
                )
                .at(t.span, "out of range")
                .help(format!(
                    "write a request timeout in seconds between {} and {}, such as `timeout 300`",
                    TIMEOUT.min, TIMEOUT.max
                )),
            );
        }
    }
}
