//! What looks like a credential: known key prefixes, URLs with a password, JWTs, and
//! high-entropy values under a key named like a secret.

/// Known key prefixes, each with the fewest characters that must follow it.
pub(super) const PREFIXES: &[(&str, usize)] = &[
    ("sk_live_", 8),
    ("sk_test_", 8),
    ("rk_live_", 8),
    ("rk_test_", 8),
    ("whsec_", 16),
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 16),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("xoxa-", 10),
    ("xoxs-", 10),
    ("xapp-", 10),
    ("sk-proj-", 16),
    ("sk-ant-", 16),
    ("AIza", 30),
    ("npm_", 30),
    ("hf_", 30),
    ("SG.", 20),
    ("-----BEGIN", 0),
];

pub(super) fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '+' | '=')
}

/// `AKIA`/`ASIA` and 16 capitals or digits: an AWS access key id. `SCW` and 17: a
/// Scaleway access key.
pub(super) fn fixed_form(s: &str) -> bool {
    let upper = |t: &str, n: usize| {
        t.len() == n
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_digit())
    };
    let s = s.trim();
    ["AKIA", "ASIA"]
        .iter()
        .any(|p| s.strip_prefix(p).is_some_and(|t| upper(t, 16)))
        || s.strip_prefix("SCW").is_some_and(|t| upper(t, 17))
}

/// Whether a `secret-env` value reads as a secret's name rather than a secret's value.
pub fn looks_like_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a URL carries a password: `scheme://user:password@host`.
pub fn url_with_password(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.split_once(':').is_some_and(|(_, p)| !p.is_empty()))
}

/// Whether a JSON Web Token: three base64url parts, the first two JSON objects.
pub(super) fn jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts
            .iter()
            .all(|p| p.len() >= 4 && p.chars().all(key_char))
}

/// Whether a literal looks like a credential on its own, wherever it is written.
pub fn looks_like(s: &str) -> bool {
    let s = s.trim();
    url_with_password(s)
        || fixed_form(s)
        || jwt(s)
        || PREFIXES.iter().any(|(p, n)| {
            s.strip_prefix(p).is_some_and(|rest| {
                *n == 0 || (rest.len() >= *n && rest.chars().take(*n).all(key_char))
            })
        })
}

/// Whether a key (an `env` key, a `var` or `secret` name) is named like a secret.
pub fn secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "passwd",
        "pwd",
        "key",
        "credential",
        "private",
        "auth",
        "apikey",
        "dsn",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Whether `s` reads as a name written in words, `snake_case` or `kebab-case`, each word
/// letters then maybe digits (`oauth2_client_secret`, `stripe_key_v2`): a name, never a
/// random value, however many different characters it has. (A UUID's groups start with
/// digits or mix them in: not a name.)
pub(super) fn identifier(s: &str) -> bool {
    let words: Vec<&str> = s.split(['_', '-']).collect();
    words.len() >= 2
        && words.iter().all(|w| {
            let letters = w.bytes().take_while(u8::is_ascii_lowercase).count();
            letters >= 1 && w.bytes().skip(letters).all(|b| b.is_ascii_digit())
        })
        || s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// The byte ranges, inside a longer literal (a command, a path with a query), of what
/// looks like a credential: a word that does on its own, the value of `KEY=VALUE` or
/// `--key VALUE` under a key named like a secret (`psql postgres://u:pw@h/db`,
/// `/health?token=...`, `curl -H "Authorization: Bearer ..."`).
pub fn inner(s: &str) -> Vec<std::ops::Range<usize>> {
    let sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\'' | '"' | '&' | '?' | ';' | ',' | '(' | ')' | '<' | '>' | '|' | '`'
            )
    };
    let mut pieces: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        match (sep(c), start) {
            (true, Some(b)) => {
                pieces.push(b..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if pieces.len() < 2 && !s.contains(['?', '&']) {
        return Vec::new(); // one word: judged as a whole by the caller
    }
    let mut out = Vec::new();
    let mut previous: Option<&str> = None;
    for r in pieces {
        let piece = &s[r.clone()];
        if looks_like(piece) {
            out.push(r);
        } else if let Some((k, v)) = piece.split_once(['=', ':']).filter(|(_, v)| !v.is_empty()) {
            if looks_like_under(Some(k.trim_start_matches('-')), v) {
                out.push(r.start + k.len() + 1..r.end);
            }
        } else if previous.is_some_and(|p| {
            (p.starts_with('-') || p.ends_with(':')) && secret_key(p)
                || p.eq_ignore_ascii_case("bearer")
        }) && high_entropy(piece)
        {
            out.push(r);
        }
        previous = Some(piece);
    }
    out
}

/// Whether a literal reads as random: long, no spaces, letters and digits mixed, and at
/// least 3 bits of entropy a character.
pub fn high_entropy(s: &str) -> bool {
    let n = s.chars().count();
    if n < 12 || s.chars().any(char::is_whitespace) || identifier(s) {
        return false;
    }
    if !s.chars().any(|c| c.is_ascii_digit()) || !s.chars().any(|c| c.is_alphabetic()) {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let entropy: f64 = counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.0
}

/// Whether `value`, written under `key` (if any), looks like a credential.
pub fn looks_like_under(key: Option<&str>, value: &str) -> bool {
    looks_like(value) || key.is_some_and(secret_key) && high_entropy(value)
}
