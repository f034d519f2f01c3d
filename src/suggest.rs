//! Did-you-mean: the nearest names to a misspelt one.

/// Edit distance between two strings (Levenshtein, by characters).
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// The closest candidate, if it is close enough to be what was meant.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + 1;
    let lower = name.to_lowercase();
    let len = lower.chars().count();
    candidates
        .into_iter()
        .filter_map(|c| {
            let contains = c.contains(name) && name.len() > 2;
            let c_lower = c.to_lowercase();
            // The distance is at least the difference in length: skip the quadratic
            // computation for candidates that cannot be close enough.
            if !contains && c_lower.chars().count().abs_diff(len) > limit {
                return None;
            }
            let d = distance(&lower, &c_lower);
            (d <= limit.min(c.chars().count().max(2) - 1) || contains).then_some((d, c))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `a`, `b` or `c`, each in backticks.
pub fn one_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Help for an unknown name: the nearest valid one, then the whole list.
pub fn did_you_mean(name: &str, valid: &[&str]) -> String {
    match nearest(name, valid.iter().copied()) {
        Some(n) => format!("did you mean `{n}`? Valid here: {}", one_of(valid)),
        None if valid.is_empty() => "nothing is declared that could go here".to_string(),
        None => format!("valid here: {}", one_of(valid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("port", "port"), 0);
    }

    #[test]
    fn nearest_picks_a_close_name_only() {
        assert_eq!(
            nearest("servce", ["service", "site", "secret"]),
            Some("service")
        );
        assert_eq!(
            nearest("databse_url", ["database_url", "cookie_secret"]),
            Some("database_url")
        );
        assert_eq!(nearest("zzzzzz", ["service", "site"]), None);
    }
}
