//! `cellac::port::range`, `cellac::port::reserved`, `cellac::port::default` (warning).

#![deny(clippy::arithmetic_side_effects)]

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;

/// Ports the Serverless Containers platform keeps for itself.
pub const RESERVED: [i128; 6] = [8008, 8012, 8013, 8022, 9090, 9091];

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (s, svc) in each_service(ctx) {
        if !svc.port_declared && svc.health.is_none() {
            out.push(
                Diagnostic::warning(
                    "cellac::port::default",
                    format!(
                        "`{}` sets no `port` and no `health`: its process must answer HTTP on 8080",
                        svc.name.value
                    ),
                )
                .in_env(&s.env.value)
                .at(svc.name.span, "listens on 8080, or the deploy fails")
                .help("write the port the process serves HTTP on, such as `port 8080`; a worker with no HTTP server of its own: `consume QUEUE` (Scaleway POSTs each message of a queue to it, from zero instances), or a `job`"),
            );
        }
        let port = &svc.port;
        if !(1..=65535).contains(&port.value) {
            out.push(
                Diagnostic::error(
                    "cellac::port::range",
                    format!("port {} is outside 1..65535", port.value),
                )
                .at(port.span, "not a TCP port")
                .help("write the port the container listens on, such as `port 8080`"),
            );
        } else if RESERVED.contains(&port.value) {
            out.push(
                Diagnostic::error("cellac::port::reserved", format!("port {} is reserved by Serverless Containers", port.value))
                    .at(port.span, "reserved by the platform")
                    .help("listen on another port, such as 8080; reserved: 8008, 8012, 8013, 8022, 9090, 9091"),
            );
        }
    }
}
