//! `cellac::health::path`, `cellac::duration`.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::duration::seconds;
use crate::span::Spanned;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let Some(h) = &svc.health else { continue };
        if !h.path.value.starts_with('/') {
            out.push(
                Diagnostic::error(
                    "cellac::health::path",
                    format!("health path `{}` does not start with `/`", h.path.value),
                )
                .at(h.path.span, "not a path")
                .help(format!(
                    "write `health \"/{}\"`",
                    h.path.value.trim_start_matches("./")
                )),
            );
        }
        for d in [&h.interval, &h.timeout].into_iter().chain(&h.startup) {
            duration(d, out);
        }
    }
}

pub(crate) fn duration(d: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    if seconds(&d.value).is_none_or(|s| s == 0) {
        let help = match d.value.trim().parse::<u64>() {
            Ok(n) => format!("add a unit: \"{n}s\""),
            Err(_) => "write digits then `s`, `m` or `h`, such as \"10s\" or \"2m\"".to_string(),
        };
        out.push(
            Diagnostic::error(
                "cellac::duration",
                format!("`{}` is not a duration", d.value),
            )
            .at(d.span, "malformed duration")
            .help(help),
        );
    }
}
