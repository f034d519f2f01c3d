//! `cellac::network::subnet`: the private network's subnet is an IPv4 CIDR of a private
//! range (RFC 1918), written as its network address.

#![deny(clippy::arithmetic_side_effects)]

use super::Ctx;
use crate::diagnostic::Diagnostic;

/// The address and prefix length of `a.b.c.d/n`, or why it is not one.
pub fn cidr(s: &str) -> Result<(u32, u32), &'static str> {
    let (addr, len) = s.split_once('/').ok_or("has no `/` and prefix length")?;
    // As Go's net.ParseCIDR reads it (the provider's validation.IsCIDRNetwork): the
    // prefix length is decimal digits only (no sign); an octet has no leading zero.
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err("has a prefix length that is not a number");
    }
    let len: u32 = len
        .parse()
        .ok()
        .filter(|n| *n <= 32)
        .ok_or("has a prefix length outside 0..32")?;
    let octets: Vec<&str> = addr.split('.').collect();
    if octets.len() != 4 {
        return Err("is not four numbers separated by dots");
    }
    let mut ip = 0u32;
    for o in octets {
        if o.len() > 1 && o.starts_with('0') {
            return Err(
                "has a number with a leading zero, which the provider refuses (Go reads no octal)",
            );
        }
        let n: u8 = o
            .parse()
            .ok()
            .filter(|_| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()))
            .ok_or("has a number outside 0..255")?;
        ip = (ip << 8) | u32::from(n);
    }
    Ok((ip, len))
}

fn dotted(ip: u32) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// The RFC 1918 ranges, as (network, prefix length).
const PRIVATE: [(u32, u32); 3] = [
    (10 << 24, 8),
    (172 << 24 | 16 << 16, 12),
    (192 << 24 | 168 << 16, 16),
];

fn mask(len: u32) -> u32 {
    32u32
        .checked_sub(len)
        .and_then(|shift| u32::MAX.checked_shl(shift))
        .unwrap_or(0)
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // As written: at the top level and in each environment, used or overridden.
    let in_envs = ctx
        .nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .flat_map(|e| e.children().iter());
    let networks = ctx
        .nodes
        .iter()
        .chain(in_envs)
        .filter(|n| n.name.value == "network");
    for n in networks {
        let Some(value) = n.prop("subnet") else {
            continue;
        };
        let Some(subnet) = value.as_str() else {
            continue; // a wrong type, reported by the schema check
        };
        let problem = match cidr(subnet) {
            Err(why) => Some((
                format!("`{subnet}` {why}"),
                "write an IPv4 CIDR such as 10.0.0.0/24".to_string(),
            )),
            Ok((ip, len)) if ip & !mask(len) != 0 => Some((
                format!("`{subnet}` is not a network address: its host bits are set"),
                format!("write `{}/{len}`", dotted(ip & mask(len))),
            )),
            Ok((ip, len)) => {
                let inside = PRIVATE
                    .iter()
                    .any(|&(net, plen)| len >= plen && ip & mask(plen) == net);
                (!inside).then(|| {
                    (
                        format!("`{subnet}` is not inside a private range"),
                        "use a subnet of 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, such as 10.0.0.0/24".to_string(),
                    )
                })
            }
        };
        if let Some((message, help)) = problem {
            out.push(
                Diagnostic::error("cellac::network::subnet", message)
                    .at(value.span, "not a private IPv4 subnet")
                    .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert_eq!(cidr("10.0.0.0/24"), Ok((10 << 24, 24)));
        assert!(cidr("10.0.0.0").is_err());
        assert!(cidr("10.0.0.0/33").is_err());
        assert!(cidr("10.0.0/24").is_err());
        assert!(cidr("10.0.0.256/24").is_err());
        assert!(cidr("10.0.0.-1/24").is_err());
        assert!(cidr("10.0.0.0/-1").is_err());
        // Go's net.ParseCIDR: no leading zero in an octet, no sign on the length.
        assert!(cidr("010.0.0.0/24").is_err());
        assert!(cidr("10.0.00.0/24").is_err());
        assert!(cidr("10.0.0.0/+24").is_err());
        assert_eq!(cidr("10.0.0.0/024"), Ok((10 << 24, 24)));
        assert_eq!(cidr("10.0.0.0/0"), Ok((10 << 24, 0)));
        assert_eq!(mask(0), 0);
        assert_eq!(mask(32), u32::MAX);
    }
}
