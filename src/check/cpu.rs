//! `cellac::cpu::range`, `cellac::cpu::mismatch`: a service's `cpu` against its memory
//! tier.

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::limits::CPU;
use crate::model::service::TIERS;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (_, svc) in each_service(ctx) {
        let mem = &svc.memory;
        let tier = TIERS.iter().find(|(m, _)| *m == mem.value);
        if let Some(cpu) = &svc.cpu {
            if !CPU.contains(cpu.value) {
                out.push(
                    Diagnostic::error(
                        "cellac::cpu::range",
                        format!("{} mvCPU is outside {}", cpu.value, CPU.text()),
                    )
                    .at(cpu.span, "out of range")
                    .help(match tier {
                        Some((m, c)) => {
                            format!("{m} MB pairs with `cpu {c}`; or remove `cpu` to use it")
                        }
                        None => format!("write a value between {} and {}", CPU.min, CPU.max),
                    }),
                );
            } else if let Some((m, c)) = tier {
                if *c != cpu.value {
                    out.push(
                        Diagnostic::warning(
                            "cellac::cpu::mismatch",
                            format!("{} mvCPU is not the pair of {m} MB ({c} mvCPU)", cpu.value),
                        )
                        .at(cpu.span, format!("{m} MB pairs with {c}"))
                        .also(mem.span, "memory set here")
                        .help(format!(
                            "write `cpu {c}`, or remove `cpu` to use the tier's pair"
                        ))
                        .fix(Fix::replace(
                            Applicability::Unsafe,
                            format!("Replace with `{c}`"),
                            cpu.span,
                            c.to_string(),
                        )),
                    );
                }
            }
        }
    }
}
