//! `cellac::scale::range`, `cellac::scale::order`, `cellac::scale::singleton`.

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (stack, svc) in each_service(ctx) {
        let scale = &svc.scale;
        if let Some(singleton) = svc.singleton {
            if let Some(node) = scale.node {
                if scale.min.value != 1 || scale.max.value != 1 {
                    out.push(
                        Diagnostic::error(
                            "cellac::scale::singleton",
                            format!("`{}` is a singleton, but this `scale` allows other than one instance (environment `{}`)", svc.name.value, stack.env.value),
                        )
                        .at(node, "scale other than 1..1")
                        .also(singleton, "singleton: exactly one instance")
                        .help("remove this `scale` (a singleton always runs min=1 max=1), or remove `singleton`"),
                    );
                }
            }
            continue;
        }
        let mut ok = true;
        if !(0..=10).contains(&scale.min.value) {
            ok = false;
            out.push(
                Diagnostic::error("cellac::scale::range", format!("min={} is outside 0..10", scale.min.value))
                    .at(scale.min.span, "out of range")
                    .help("write `min=` between 0 and 10 (0 lets the service sleep when idle)"),
            );
        }
        if !(1..=50).contains(&scale.max.value) {
            ok = false;
            out.push(
                Diagnostic::error("cellac::scale::range", format!("max={} is outside 1..50", scale.max.value))
                    .at(scale.max.span, "out of range")
                    .help("write `max=` between 1 and 50"),
            );
        }
        if let Some(c) = &scale.concurrency {
            if !(1..=1000).contains(&c.value) {
                out.push(
                    Diagnostic::error("cellac::scale::range", format!("concurrency={} is outside 1..1000", c.value))
                        .at(c.span, "out of range")
                        .help("write `concurrency=` between 1 and 1000 requests per instance, such as 80"),
                );
            }
        }
        if ok && scale.min.value > scale.max.value {
            out.push(
                Diagnostic::error("cellac::scale::order", format!("min={} is above max={} (environment `{}`)", scale.min.value, scale.max.value, stack.env.value))
                    .at(scale.min.span, "min")
                    .also(scale.max.span, "max")
                    .help(format!("raise max to at least {} or lower min", scale.min.value)),
            );
        }
    }
}
