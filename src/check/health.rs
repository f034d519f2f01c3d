//! `cellac::health::path`, `cellac::duration`.

use super::{each_service, Ctx};
use crate::diagnostic::Diagnostic;
use crate::span::Spanned;

/// Seconds in a duration such as `10s`, `2m` or `1h`.
pub fn seconds(s: &str) -> Option<u64> {
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    match unit {
        's' => Some(n),
        'm' => n.checked_mul(60),
        'h' => n.checked_mul(3600),
        _ => None,
    }
}

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

fn duration(d: &Spanned<String>, out: &mut Vec<Diagnostic>) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn durations() {
        assert_eq!(super::seconds("10s"), Some(10));
        assert_eq!(super::seconds("2m"), Some(120));
        assert_eq!(super::seconds("1h"), Some(3600));
        assert_eq!(super::seconds("10"), None);
        assert_eq!(super::seconds("s"), None);
        assert_eq!(super::seconds("1.5m"), None);
        assert_eq!(super::seconds("é"), None);
    }
}
