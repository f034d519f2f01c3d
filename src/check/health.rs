//! `cellac::health::path`.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Applicability;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let Some(h) = &svc.health else { continue };
        if !h.path.value.starts_with('/') {
            let path = format!("/{}", h.path.value.trim_start_matches("./"));
            out.push(
                Diagnostic::error(
                    "cellac::health::path",
                    format!("health path `{}` does not start with `/`", h.path.value),
                )
                .at(h.path.span, "not a path")
                .help(format!("write `health \"{path}\"`"))
                .fix(super::rename(Applicability::Safe, h.path.span, &path)),
            );
        }
        for d in [&h.interval, &h.timeout].into_iter().chain(&h.startup) {
            super::duration::check(d, out);
        }
    }
}
