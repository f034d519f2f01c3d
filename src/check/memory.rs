//! `cellac::memory::tier`: a memory size that is not one of Serverless Containers' tiers.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::model::service::TIERS;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let mem = &svc.memory;
        let tier = TIERS.iter().find(|(m, _)| *m == mem.value);
        if tier.is_none() {
            let tiers: Vec<i128> = TIERS.iter().map(|(m, _)| *m).collect();
            let [(lowest, _), .., (highest, _)] = TIERS;
            let nearest = if mem.value < lowest {
                format!("the smallest tier is {lowest} MB")
            } else if mem.value > highest {
                format!("the largest tier is {highest} MB")
            } else {
                // Between two tiers: the one below and the one above.
                let below = tiers.iter().rev().find(|m| **m < mem.value).copied();
                let above = tiers.iter().find(|m| **m > mem.value).copied();
                match (below, above) {
                    (Some(a), Some(b)) => format!("the nearest tiers are {a} and {b}"),
                    _ => format!("the tiers run from {lowest} to {highest}"),
                }
            };
            out.push(
                Diagnostic::error(
                    "cellac::memory::tier",
                    format!("{} MB is not a memory tier", mem.value),
                )
                .at(mem.span, "not a tier")
                .help(format!("{nearest}; tiers: 128 256 512 1024 2048 3072 4096")),
            );
        }
    }
}
