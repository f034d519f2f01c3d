//! `cellac::duration`: a duration that is not digits then `s`, `m` or `h`.

#![deny(clippy::arithmetic_side_effects)]

use crate::diagnostic::{Applicability, Diagnostic};
use crate::model::duration::seconds;
use crate::span::Spanned;

/// `d` is a duration: digits then `s`, `m` or `h`, more than zero. Called by the checks
/// of the nodes that hold one (health, migrate, job).
pub(crate) fn check(d: &Spanned<String>, out: &mut Vec<Diagnostic>) {
    if seconds(&d.value).is_none_or(|s| s == 0) {
        let seconds = d.value.trim().parse::<u64>().ok().filter(|n| *n > 0);
        let help = match seconds {
            Some(n) => format!("add a unit: \"{n}s\""),
            None => "write digits then `s`, `m` or `h`, such as \"10s\" or \"2m\"".to_string(),
        };
        out.push(
            Diagnostic::error(
                "cellac::duration",
                format!("`{}` is not a duration", d.value),
            )
            .at(d.span, "malformed duration")
            .help(help)
            // Seconds are a guess at what the author meant: not applied alone.
            .fixes_with(seconds.map(|n| {
                super::replace(
                    Applicability::Unsafe,
                    d.span,
                    &format!("{n}s"),
                    format!("\"{n}s\""),
                )
            })),
        );
    }
}
