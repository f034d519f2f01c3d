//! Scaleway's numeric limits, declared once (issue 24, item 2): the checks test values
//! against these constants, `schema/language.json` names them (`"range": "scale.concurrency"`,
//! `{limit:scale.concurrency}` in a doc), and the codes' summaries (`src/codes.rs`, hence
//! `cellac explain` and docs/checks.md) print them through [`expand`]. Each limit's
//! source is a line of docs/scaleway-facts.md.

use std::borrow::Cow;

/// The integers a value may take, lowest and highest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// The name schema/language.json and `{limit:NAME}` placeholders use.
    pub name: &'static str,
    pub min: i128,
    pub max: i128,
}

impl Limit {
    pub const fn contains(&self, v: i128) -> bool {
        self.min <= v && v <= self.max
    }

    /// `min..max`, as the docs and messages write a range.
    pub fn text(&self) -> String {
        format!("{}..{}", self.min, self.max)
    }
}

/// `scale min=`: Serverless Containers' `min_scale` (0 lets a container sleep).
pub const SCALE_MIN: Limit = Limit {
    name: "scale.min",
    min: 0,
    max: 10,
};
/// `scale max=`: at most 50 simultaneous instances of a container (Containers limitations).
pub const SCALE_MAX: Limit = Limit {
    name: "scale.max",
    min: 1,
    max: 50,
};
/// `scale concurrency=`: at most 80 concurrent requests per container instance
/// (Containers limitations: "Concurrency | Max | 80 | Container Instance"; Containers
/// concurrency: "the highest possible value by default: 80").
pub const CONCURRENCY: Limit = Limit {
    name: "scale.concurrency",
    min: 1,
    max: 80,
};
/// A container's request `timeout`, in seconds.
pub const TIMEOUT: Limit = Limit {
    name: "timeout",
    min: 1,
    max: 900,
};
/// A container's `cpu`, in mvCPU (Containers limitations: "CPU | Min/max | 70 to 6000 mvCPU").
pub const CPU: Limit = Limit {
    name: "cpu",
    min: 70,
    max: 6000,
};

/// A container's memory tiers (MB), each with its default mvCPU (Containers
/// limitations; docs/scaleway-facts.md). `memory` takes one of them; `cpu` defaults
/// to the tier's pair.
pub const TIERS: [(i128, i128); 7] = [
    (128, 70),
    (256, 140),
    (512, 280),
    (1024, 560),
    (2048, 1120),
    (3072, 1680),
    (4096, 2240),
];

/// A container's `memory`, in MB: the lowest tier to the highest.
pub const MEMORY: Limit = Limit {
    name: "memory",
    min: TIERS[0].0,
    max: TIERS[TIERS.len() - 1].0,
};

/// A container environment variable's key, in bytes.
pub const ENV_KEY: Limit = Limit {
    name: "env.key",
    min: 1,
    max: 100,
};
/// A container environment variable's literal value, in bytes.
pub const ENV_VALUE: Limit = Limit {
    name: "env.value",
    min: 0,
    max: 1000,
};
/// A container secret's value, in bytes (UTF-8); `min-length` is counted against it.
pub const SECRET_VALUE: Limit = Limit {
    name: "secret.value",
    min: 1,
    max: 1000,
};

/// Every limit, for lookups by name.
pub const ALL: [Limit; 9] = [
    SCALE_MIN,
    SCALE_MAX,
    CONCURRENCY,
    TIMEOUT,
    CPU,
    MEMORY,
    ENV_KEY,
    ENV_VALUE,
    SECRET_VALUE,
];

/// The lists of values a property may take, by name: `memory.tiers` (the tiers, MB)
/// and `cpu.pairs` (their default mvCPU).
pub fn list(name: &str) -> Option<Vec<i128>> {
    match name {
        "memory.tiers" => Some(TIERS.iter().map(|(m, _)| *m).collect()),
        "cpu.pairs" => Some(TIERS.iter().map(|(_, c)| *c).collect()),
        _ => None,
    }
}

/// What `{limit:NAME}` stands for: a limit's `min..max`, or a list's values separated
/// by spaces.
fn text_of(name: &str) -> Option<String> {
    let bound = |suffix: &str, pick: fn(&Limit) -> i128| {
        name.strip_suffix(suffix)
            .and_then(find)
            .map(|l| pick(l).to_string())
    };
    find(name)
        .map(Limit::text)
        .or_else(|| bound(".max", |l| l.max))
        .or_else(|| bound(".min", |l| l.min))
        .or_else(|| list(name).map(|l| l.iter().map(i128::to_string).collect::<Vec<_>>().join(" ")))
}

/// The limit called `name`.
pub fn find(name: &str) -> Option<&'static Limit> {
    ALL.iter().find(|l| l.name == name)
}

/// `text` with each `{limit:NAME}` replaced by the limit's `min..max`. An unknown name
/// stays as written (tests/docs.rs fails on one left in a summary or a doc).
pub fn expand(text: &str) -> Cow<'_, str> {
    const OPEN: &str = "{limit:";
    if !text.contains(OPEN) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let inner = &after[OPEN.len()..];
        match inner
            .find('}')
            .and_then(|end| Some((end, text_of(&inner[..end])?)))
        {
            Some((end, text)) => {
                out.push_str(&text);
                rest = &inner[end + 1..];
            }
            None => {
                out.push_str(OPEN);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_expand() {
        assert_eq!(
            expand("concurrency {limit:scale.concurrency}."),
            "concurrency 1..80."
        );
        assert_eq!(expand("{limit:nope} {limit:cpu}"), "{limit:nope} 70..6000");
        assert_eq!(expand("{limit:cpu"), "{limit:cpu");
        assert!(matches!(expand("plain"), Cow::Borrowed(_)));
        assert_eq!(
            expand("{limit:memory.tiers}"),
            "128 256 512 1024 2048 3072 4096"
        );
        assert_eq!(expand("{limit:cpu.pairs}"), "70 140 280 560 1120 1680 2240");
        assert_eq!(expand("{limit:memory}"), "128..4096");
        assert_eq!(expand("over {limit:env.key.max}"), "over 100");
        assert_eq!(expand("{limit:secret.value.min}"), "1");
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            assert!(
                ALL.iter().skip(i + 1).all(|b| b.name != a.name),
                "{}",
                a.name
            );
        }
    }
}
