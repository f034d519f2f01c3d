//! Did-you-mean: the nearest names to a misspelt one.

/// Edit distance between two strings (Levenshtein, by characters).
pub fn distance(a: &str, b: &str) -> usize {
    distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// The edit distance if it is at most `max`: stops as soon as it cannot be. Short
/// ASCII names (the common case) are compared as bytes, without allocating.
pub fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        if a.len().abs_diff(b.len()) > max {
            return None;
        }
        if b.len() < 64 {
            return bounded(a.as_bytes(), b.as_bytes(), max, &mut [0; 64]);
        }
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    bounded(&a, &b, max, &mut vec![0; b.len() + 1])
}

/// Levenshtein over two sequences, one row at a time in `row` (at least `b.len() + 1`
/// long), giving up once every entry of a row exceeds `max`.
fn bounded<T: PartialEq>(a: &[T], b: &[T], max: usize, row: &mut [usize]) -> Option<usize> {
    for (j, slot) in row.iter_mut().enumerate().take(b.len() + 1) {
        *slot = j;
    }
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            best = best.min(row[j + 1]);
            prev = cur;
        }
        if best > max {
            return None;
        }
    }
    (row[b.len()] <= max).then_some(row[b.len()])
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
            let max = limit.min(c.chars().count().max(2) - 1);
            match distance_within(&lower, &c_lower, max) {
                Some(d) => Some((d, c)),
                None if contains => Some((distance(&lower, &c_lower), c)),
                None => None,
            }
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Prefixes that turn a word into its opposite, at the start of a name or of one of its
/// `-`/`_`-separated words: a rename that adds or removes one never is a spelling fix.
const NEGATIONS: [&str; 9] = [
    "not", "non", "no", "un", "dis", "never", "without", "disable", "in",
];

/// Whether renaming `from` (what was written) to `to` (the nearest valid name) can be
/// applied as a *safe* fix: a spelling correction within a small edit distance (one
/// edit for names of up to four characters, two beyond) that neither adds nor removes
/// a negation (`not-public` is never `public`, `no-store` never `store`). Everything
/// else the nearest-name search finds is only a suggestion (an unsafe fix).
pub fn safe_rename(from: &str, to: &str) -> bool {
    let (a, b) = (from.to_lowercase(), to.to_lowercase());
    if a == b {
        return true;
    }
    let max = if a.chars().count().min(b.chars().count()) <= 4 {
        1
    } else {
        2
    };
    if distance_within(&a, &b, max).is_none() && !transposed(&a, &b) {
        return false;
    }
    !flips(&a, &b) && !flips(&b, &a)
}

/// Whether `a` is `b` with two neighbouring characters swapped (`mni` for `min`).
fn transposed(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() {
        return false;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|&i| a.get(i) != b.get(i)).collect();
    match diff.as_slice() {
        [i, j] => *j == i + 1 && a.get(*i) == b.get(*j) && a.get(*j) == b.get(*i),
        _ => false,
    }
}

/// Whether `a` reads as a negated `b`: a negation prefix dropped from the start of `a`
/// or of one of its words leaves `b` (or `b` within one edit).
fn flips(a: &str, b: &str) -> bool {
    let starts = std::iter::once(0).chain(
        a.char_indices()
            .filter(|(_, c)| matches!(c, '-' | '_' | '.'))
            .map(|(i, c)| i + c.len_utf8()),
    );
    for start in starts {
        let (head, word) = a.split_at(start);
        for neg in NEGATIONS {
            let Some(rest) = word.strip_prefix(neg) else {
                continue;
            };
            let rest = rest.trim_start_matches(['-', '_', '.']);
            let stripped = format!("{head}{rest}");
            if distance_within(&stripped, b, 1).is_some() {
                return true;
            }
        }
    }
    false
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

/// `a`, `b` and `c`, each in backticks.
pub fn all_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{s}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// How many valid names a help message lists before it says how many more there are.
pub const LISTED: usize = 20;

/// The valid names, at most [`LISTED`] of them, then how many are left out.
fn listing(valid: &[&str]) -> String {
    if valid.len() <= LISTED {
        return one_of(valid);
    }
    let shown: Vec<String> = valid[..LISTED].iter().map(|s| format!("`{s}`")).collect();
    format!("{} and {} more", shown.join(", "), valid.len() - LISTED)
}

/// Help for an unknown name: the nearest valid one, then the valid names.
pub fn did_you_mean(name: &str, valid: &[&str]) -> String {
    match nearest(name, valid.iter().copied()) {
        Some(n) => format!("did you mean `{n}`? Valid here: {}", listing(valid)),
        None if valid.is_empty() => "nothing is declared that could go here".to_string(),
        None => format!("valid here: {}", listing(valid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        let names: Vec<String> = (0..30).map(|i| format!("svc{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let help = did_you_mean("svc29x", &refs);
        assert!(help.starts_with("did you mean `svc29`?"), "{help}");
        assert!(help.ends_with("`svc19` and 10 more"), "{help}");
    }

    #[test]
    fn bounded_distance_agrees() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("", "abc"),
            ("svc12", "svc21"),
            ("é", "e"),
            ("abc", ""),
        ] {
            let d = distance(a, b);
            for max in 0..6 {
                assert_eq!(
                    distance_within(a, b, max),
                    (d <= max).then_some(d),
                    "{a} {b} {max}"
                );
            }
        }
    }

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

    #[test]
    fn a_safe_rename_never_flips_a_meaning() {
        // Spelling within a small distance: safe.
        for (from, to) in [
            ("servce", "service"),
            ("pubilc", "public"),
            ("min-scael", "min-scale"),
            ("Port", "port"),
            ("prot", "port"),
            ("mni", "min"),
        ] {
            assert!(safe_rename(from, to), "{from} -> {to} should be safe");
        }
        // A negation added or removed, or too far: never safe.
        for (from, to) in [
            ("not-public", "public"),
            ("no-store", "store"),
            ("no-preview", "preview"),
            ("nopreview", "preview"),
            ("unpublic", "public"),
            ("public", "not-public"),
            ("disallow", "allow"),
            ("non-private", "private"),
            ("max-scale", "min-scale-x"),
            ("cpu", "cache"),
        ] {
            assert!(!safe_rename(from, to), "{from} -> {to} should be unsafe");
        }
    }
}

/// Did-you-mean over a large set of names: answers each query without comparing the
/// name with every candidate (a BK-tree over edit distance, built on first use), so a
/// file with thousands of misspellings among thousands of names stays fast.
pub struct Index<'a> {
    names: Vec<&'a str>,
    tree: std::cell::OnceCell<Tree>,
}

/// Candidate lists at most this long are scanned directly (and also match by substring).
const SCAN: usize = 64;

struct Tree {
    lower: Vec<String>,
    /// For each node: its candidate and its children as (distance, node).
    nodes: Vec<(usize, Vec<(usize, usize)>)>,
}

impl<'a> Index<'a> {
    pub fn new(names: Vec<&'a str>) -> Self {
        Index {
            names,
            tree: std::cell::OnceCell::new(),
        }
    }

    pub fn names(&self) -> &[&'a str] {
        &self.names
    }

    fn tree(&self) -> &Tree {
        self.tree.get_or_init(|| {
            let lower: Vec<String> = self.names.iter().map(|n| n.to_lowercase()).collect();
            let mut nodes: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
            for item in 0..lower.len() {
                if nodes.is_empty() {
                    nodes.push((item, Vec::new()));
                    continue;
                }
                let mut at = 0;
                loop {
                    let d = distance(&lower[item], &lower[nodes[at].0]);
                    if d == 0 {
                        break; // the same name twice
                    }
                    match nodes[at].1.iter().find(|(cd, _)| *cd == d) {
                        Some(&(_, next)) => at = next,
                        None => {
                            let id = nodes.len();
                            nodes.push((item, Vec::new()));
                            nodes[at].1.push((d, id));
                            break;
                        }
                    }
                }
            }
            Tree { lower, nodes }
        })
    }

    /// The closest name, by the same rule as [`nearest`] (without substring matches
    /// once the list is long).
    pub fn nearest(&self, name: &str) -> Option<&'a str> {
        self.nearest_except(name, None)
    }

    /// [`Index::nearest`] among the names other than `except`.
    pub fn nearest_except(&self, name: &str, except: Option<&str>) -> Option<&'a str> {
        if self.names.len() <= SCAN {
            return nearest(
                name,
                self.names.iter().copied().filter(|n| Some(*n) != except),
            );
        }
        let tree = self.tree();
        let limit = (name.chars().count() / 3).max(1) + 1;
        let query = name.to_lowercase();
        let mut best: Option<(usize, &'a str)> = None;
        let mut todo = vec![0usize];
        while let Some(at) = todo.pop() {
            let (item, children) = &tree.nodes[at];
            // Children are pruned by the distance, so it is needed exactly only up to
            // the farthest child's reach; past that any larger value prunes the same.
            let reach = children
                .iter()
                .map(|(cd, _)| cd + limit)
                .max()
                .unwrap_or(limit);
            let d = distance_within(&query, &tree.lower[*item], reach).unwrap_or(reach + 1);
            let candidate = self.names[*item];
            if d <= limit
                && Some(candidate) != except
                && d < candidate.chars().count().max(2)
                && best.is_none_or(|(bd, bn)| (d, candidate) < (bd, bn))
            {
                best = Some((d, candidate));
            }
            for &(cd, child) in children {
                if cd + limit >= d && cd <= d + limit {
                    todo.push(child);
                }
            }
        }
        best.map(|(_, n)| n)
    }

    /// Help for an unknown name, as [`did_you_mean`] writes it.
    pub fn did_you_mean(&self, name: &str) -> String {
        self.did_you_mean_except(name, None)
    }

    /// [`Index::did_you_mean`] with the names other than `except`: what
    /// [`did_you_mean`] writes for that list, without copying it.
    pub fn did_you_mean_except(&self, name: &str, except: Option<&str>) -> String {
        let valid = || {
            self.names
                .iter()
                .copied()
                .filter(move |n| Some(*n) != except)
        };
        let count = self.names.len() - self.names.iter().filter(|n| Some(**n) == except).count();
        let shown: Vec<&str> = valid().take(LISTED + 1).collect();
        let listed = if count <= LISTED {
            one_of(&shown)
        } else {
            let quoted: Vec<String> = shown[..LISTED].iter().map(|s| format!("`{s}`")).collect();
            format!("{} and {} more", quoted.join(", "), count - LISTED)
        };
        match self.nearest_except(name, except) {
            Some(n) => format!("did you mean `{n}`? Valid here: {listed}"),
            None if count == 0 => "nothing is declared that could go here".to_string(),
            None => format!("valid here: {listed}"),
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn the_index_agrees_with_a_scan() {
        let names: Vec<String> = (0..500)
            .map(|i| format!("svc{i}"))
            .chain(["database_url".into(), "api".into()])
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let index = Index::new(refs.clone());
        for q in [
            "svc12",
            "svc1x",
            "svc499",
            "sv",
            "databse_url",
            "zzzzzzzz",
            "apj",
            "SVC7",
        ] {
            let scan = refs
                .iter()
                .map(|c| (distance(&q.to_lowercase(), &c.to_lowercase()), *c))
                .filter(|(d, c)| {
                    *d <= ((q.chars().count() / 3).max(1) + 1).min(c.chars().count().max(2) - 1)
                })
                .min()
                .map(|(_, c)| c);
            assert_eq!(index.nearest(q), scan, "query {q}");
            // Leaving a name out gives what a list without it gives.
            for except in [scan, Some("svc12"), Some("api")] {
                let rest: Vec<&str> = refs
                    .iter()
                    .copied()
                    .filter(|n| Some(*n) != except)
                    .collect();
                let without = Index::new(rest.clone());
                assert_eq!(
                    index.nearest_except(q, except),
                    without.nearest(q),
                    "{q} without {except:?}"
                );
                assert_eq!(
                    index.did_you_mean_except(q, except),
                    did_you_mean(q, &rest),
                    "{q} without {except:?}"
                );
            }
        }
        // Short lists are scanned: the same there.
        let few = Index::new(vec!["api", "app", "web"]);
        assert_eq!(few.nearest_except("apx", Some("api")), Some("app"));
        assert_eq!(
            few.did_you_mean_except("apx", Some("api")),
            did_you_mean("apx", &["app", "web"])
        );
    }
}
