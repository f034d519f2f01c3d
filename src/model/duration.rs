//! Durations as the language writes them: digits then `s`, `m` or `h`.

/// Seconds in a duration such as `10s`, `2m` or `1h`.
pub fn seconds(s: &str) -> Option<u64> {
    let unit = s.chars().last()?;
    let digits = s.strip_suffix(unit)?;
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

/// Seconds in a duration that may also count days (`4d`), as a queue's retention does.
pub fn seconds_or_days(s: &str) -> Option<u64> {
    match s.strip_suffix('d') {
        Some(days) if !days.is_empty() && days.bytes().all(|b| b.is_ascii_digit()) => {
            days.parse::<u64>().ok()?.checked_mul(86_400)
        }
        _ => seconds(s),
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
        assert_eq!(super::seconds("4d"), None);
        assert_eq!(super::seconds_or_days("4d"), Some(345_600));
        assert_eq!(super::seconds_or_days("30s"), Some(30));
        assert_eq!(super::seconds_or_days("d"), None);
    }
}
