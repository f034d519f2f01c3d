//! `cellac::name::invalid`, `cellac::name::too-long`: names that break Scaleway's rules
//! once prefixed with the environment and the stack.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::names::registry_name;
use crate::span::Span;

struct Rule {
    what: &'static str,
    min: usize,
    max: usize,
    /// Allowed characters, in words.
    chars: &'static str,
    allowed: fn(char) -> bool,
    starts_with_letter: bool,
}

const CONTAINER: Rule = Rule {
    what: "container name",
    min: 2,
    max: 34,
    chars: "lowercase letters, digits and `-`",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    starts_with_letter: false,
};
const NAMESPACE: Rule = Rule {
    what: "container namespace name",
    min: 1,
    max: 50,
    chars: "lowercase letters, digits and `-`",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    starts_with_letter: true,
};
const BUCKET: Rule = Rule {
    what: "bucket name",
    min: 3,
    max: 63,
    chars: "lowercase letters, digits and `-`",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    starts_with_letter: false,
};
/// A live registry namespace kept by `registry namespace=`: the provider's own example
/// name (`main-cr`) has a hyphen, so `-` is allowed there (docs/scaleway-facts.md).
const LIVE_REGISTRY: Rule = Rule {
    what: "registry namespace name",
    min: 4,
    max: 54,
    chars: "lowercase letters, digits and `-`",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
    starts_with_letter: true,
};
const REGISTRY: Rule = Rule {
    what: "registry namespace name",
    min: 4,
    max: 54,
    chars: "lowercase letters and digits",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit(),
    starts_with_letter: true,
};
/// Names the user writes: lowercase letters, digits, `-` and `_` (secrets and vars
/// become Terraform variables, so `_` is common there).
const IDENT: Rule = Rule {
    what: "name",
    min: 1,
    max: 63,
    chars: "lowercase letters, digits, `-` and `_`",
    allowed: |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_',
    starts_with_letter: true,
};

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    // A stack without its name is reported by the schema check; its name stays empty.
    let stack_named = ctx
        .nodes
        .iter()
        .any(|n| n.name.value == "stack" && n.arg(0).is_some());
    // A name too long in one environment is too long in every environment with a name
    // as long: report each place once, for the environment with the longest name.
    let mut envs: Vec<&crate::model::Stack> = ctx.envs.iter().collect();
    envs.sort_by_key(|s| std::cmp::Reverse(s.env.value.chars().count()));
    let mut reported = std::collections::HashSet::new();
    let mut out_all = Vec::new();
    let out_env = &mut out_all;
    for s in envs {
        let out = &mut *out_env;
        // A preview template's names are checked with the longest id.
        let longest = s
            .name_env()
            .replace(crate::model::PREVIEW_ID, crate::model::PREVIEW_LONGEST_ID);
        let prefix = format!("{longest}-{}", s.name.value);
        let env = &s.env.value;
        let too_long = if s.preview {
            "cellac::preview::too-long"
        } else {
            "cellac::name::too-long"
        };
        let where_ = if s.preview {
            format!("in preview `{longest}` (template `{env}`, the longest id)")
        } else {
            format!("in environment `{env}`")
        };
        // The names as written.
        let written = std::iter::once((&s.name, "stack"))
            .filter(|_| stack_named)
            .chain(std::iter::once((&s.env, "environment")))
            .chain(s.services.iter().map(|x| (&x.name, "service")))
            .chain(s.sites.iter().map(|x| (&x.name, "site")))
            .chain(s.buckets.iter().map(|x| (&x.name, "bucket")))
            .chain(s.secrets.iter().map(|x| (&x.name, "secret")))
            .chain(s.vars.iter().map(|x| (&x.name, "var")))
            .chain(s.jobs.iter().map(|x| (&x.name, "job")))
            .chain(s.databases.iter().map(|x| (&x.name, "database")));
        for (name, kind) in written {
            if let Some(problem) = invalid(&IDENT, &name.value) {
                out.push(
                    Diagnostic::error(
                        "cellac::name::invalid",
                        format!("{kind} name `{}` {problem}", name.value.escape_debug()),
                    )
                    .at(name.span, "invalid name")
                    .help(format!(
                        "use {}, starting with a letter, such as `{}`",
                        IDENT.chars,
                        suggestion(&name.value)
                    )),
                );
            }
        }
        // The state bucket is named in full by the user: Object Storage's rules apply.
        if let Some(st) = &s.state {
            let n = &st.bucket.value;
            let len = n.chars().count();
            let problem = invalid(&BUCKET, n)
                .or_else(|| {
                    (!n.starts_with(|c: char| c.is_ascii_alphanumeric()))
                        .then(|| "must start with a letter or a digit".to_string())
                })
                .or_else(|| {
                    (!(BUCKET.min..=BUCKET.max).contains(&len)).then(|| {
                        format!(
                            "is {len} characters; Object Storage needs {} to {}",
                            BUCKET.min, BUCKET.max
                        )
                    })
                });
            if let Some(problem) = problem {
                out.push(
                    Diagnostic::error(
                        "cellac::name::invalid",
                        format!("state bucket name `{}` {problem}", n.escape_debug()),
                    )
                    .at(st.bucket.span, "invalid bucket name")
                    .help(format!(
                        "a bucket name has {} to {} {}",
                        BUCKET.min, BUCKET.max, BUCKET.chars
                    )),
                );
            }
        }
        if !valid_ident(&s.name.value) || !valid_ident(env) {
            continue; // the generated names would only repeat the problem
        }
        let mut generated: Vec<(&Rule, String, Span, &str)> = vec![(
            &NAMESPACE,
            format!("{prefix}-containers"),
            s.name.span,
            "the stack name",
        )];
        if s.builds_images() {
            match &s.registry.namespace {
                Some(n) => {
                    generated.push((&LIVE_REGISTRY, n.value.clone(), n.span, "`namespace=`"))
                }
                None => generated.push((
                    &REGISTRY,
                    registry_name(&longest, &s.name.value),
                    s.name.span,
                    "the stack name",
                )),
            }
        }
        for svc in &s.services {
            if valid_ident(&svc.name.value) {
                generated.push((
                    &CONTAINER,
                    format!("{prefix}-{}", svc.name.value),
                    svc.name.span,
                    "the service name",
                ));
            }
        }
        for site in &s.sites {
            if let Some(n) = &site.live_name {
                generated.push((&BUCKET, n.value.clone(), n.span, "`name=`"));
            } else if valid_ident(&site.name.value) {
                let name = crate::model::names::site_bucket_name(
                    &prefix,
                    &site.name.value,
                    &site.bucket_suffix.value,
                );
                let span = if site.bucket_suffix.value.is_empty() {
                    site.name.span
                } else {
                    site.bucket_suffix.span
                };
                generated.push((&BUCKET, name, span, "the site name"));
            }
        }
        for b in &s.buckets {
            if let Some(n) = &b.live_name {
                generated.push((&BUCKET, n.value.clone(), n.span, "`name=`"));
            } else if valid_ident(&b.name.value) {
                generated.push((
                    &BUCKET,
                    format!("{prefix}-{}", b.name.value),
                    b.name.span,
                    "the bucket name",
                ));
            }
        }
        // Two generated buckets of one name (`site media` and `bucket media`).
        let mut buckets: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        for (rule, name, span, part) in &generated {
            if rule.what != BUCKET.what {
                continue;
            }
            match buckets.get(name.as_str()) {
                Some(first) => out.push(
                    Diagnostic::error(
                        "cellac::name::collision",
                        format!("{where_}, two buckets are named `{name}`"),
                    )
                    .at(*span, format!("{part} makes `{name}`"))
                    .also(*first, "and so does this one")
                    .help("rename one of them (or give the site a `bucket-suffix`): a bucket name is unique in all of Object Storage"),
                ),
                None => {
                    buckets.insert(name, *span);
                }
            }
        }
        for (rule, name, span, part) in generated {
            let len = name.chars().count();
            if len > rule.max || len < rule.min {
                let (code, message) = if len > rule.max {
                    (
                        too_long,
                        format!(
                        "{where_}, the {} `{name}` is {len} characters; Scaleway allows at most {}",
                        rule.what, rule.max
                    ),
                    )
                } else {
                    (
                        too_long,
                        format!(
                        "{where_}, the {} `{name}` is {len} characters; Scaleway needs at least {}",
                        rule.what, rule.min
                    ),
                    )
                };
                let over = len.saturating_sub(rule.max);
                let mut d = Diagnostic::error(code, message)
                    .at(span, format!("makes `{name}` ({len} characters)"))
                    .help(if over > 0 {
                        let parts = if part.starts_with('`') {
                            part.to_string()
                        } else if part == "the stack name" {
                            "the stack name or the environment name".to_string()
                        } else {
                            format!("{part}, the environment name or the stack name")
                        };
                        format!(
                            "shorten {parts} by at least {over} character{} in all",
                            if over == 1 { "" } else { "s" }
                        )
                    } else {
                        format!("lengthen {part}")
                    });
                // The environment's name is part of every generated name: show where it
                // is written, since shortening it may be the fix.
                if over > 0 && !s.env.span.is_empty() && s.env.span != span {
                    d = d.also(
                        s.env.span,
                        format!(
                            "environment `{env}` adds {} characters",
                            env.chars().count() + 1
                        ),
                    );
                }
                out.push(d);
            } else if let Some(problem) = invalid(rule, &name) {
                out.push(
                    Diagnostic::error(
                        "cellac::name::invalid",
                        format!("{where_}, the {} `{name}` {problem}", rule.what),
                    )
                    .at(span, format!("makes `{name}`"))
                    .help(format!("a {} may only use {}", rule.what, rule.chars)),
                );
            }
        }
    }
    for d in out_all {
        if reported.insert((d.code, d.span())) {
            out.push(d);
        }
    }
}

/// `cellac::name::collision` across environments and in Secret Manager: two
/// environments whose registry namespaces are one (`prod-1` and `prod1`: `prod1shop`),
/// two stored secrets of one Secret Manager name (`api_key` and `api-key`).
pub fn collisions(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut registries: std::collections::HashMap<String, &crate::model::Stack> =
        std::collections::HashMap::new();
    // Buckets: a bucket name is unique in all of Object Storage, so two environments
    // may not share one (`name=` written twice, or equal to another's generated name).
    let mut buckets: std::collections::HashMap<String, (&crate::model::Stack, Span)> =
        std::collections::HashMap::new();
    for s in ctx.envs.iter().filter(|s| !s.preview) {
        let named = s
            .sites
            .iter()
            .map(|x| {
                (
                    s.site_bucket(x),
                    x.live_name.as_ref().map_or(x.name.span, |n| n.span),
                )
            })
            .chain(s.buckets.iter().map(|b| {
                (
                    s.bucket_name(b),
                    b.live_name.as_ref().map_or(b.name.span, |n| n.span),
                )
            }));
        for (name, span) in named {
            match buckets.get(&name) {
                Some((first, first_span)) if first.env.value != s.env.value => out.push(
                    Diagnostic::error(
                        "cellac::name::collision",
                        format!(
                            "environments `{}` and `{}` both use the bucket `{name}`",
                            first.env.value, s.env.value
                        ),
                    )
                    .at(span, format!("`{name}` in environment `{}`", s.env.value))
                    .also(*first_span, format!("and in environment `{}`", first.env.value))
                    .help("each environment needs its own bucket: give `name=` inside the `environment` block that keeps the live bucket, and let the others take their generated names"),
                ),
                Some(_) => {}
                None => {
                    buckets.insert(name, (s, span));
                }
            }
        }
    }
    // A preview template's exact names would be shared by every preview.
    for s in ctx.envs.iter().filter(|s| s.preview) {
        let exact = s
            .sites
            .iter()
            .filter_map(|x| x.live_name.as_ref())
            .chain(s.buckets.iter().filter_map(|b| b.live_name.as_ref()))
            .chain(s.registry.namespace.as_ref());
        for n in exact {
            out.push(
                Diagnostic::error(
                    "cellac::name::collision",
                    format!(
                        "every preview of template `{}` would use `{}`",
                        s.env.value, n.value
                    ),
                )
                .at(n.span, "an exact name, shared by all previews")
                .help("give exact names (`name=`, `namespace=`) inside the `environment` block of a deployed environment, not at the top level or in a preview template"),
            );
        }
    }
    for s in ctx.envs.iter().filter(|s| !s.preview && s.builds_images()) {
        let name = s.registry_namespace();
        match registries.get(&name) {
            Some(first) if first.registry.namespace.is_some() || s.registry.namespace.is_some() => {
                if first.env.value == s.env.value {
                    continue;
                }
                let span = s.registry.namespace.as_ref().map_or(s.env.span, |n| n.span);
                out.push(
                    Diagnostic::error(
                        "cellac::name::collision",
                        format!(
                            "environments `{}` and `{}` both use the registry namespace `{name}`",
                            first.env.value, s.env.value
                        ),
                    )
                    .at(span, "this environment's namespace")
                    .also(first.registry.namespace.as_ref().map_or(first.env.span, |n| n.span), "and this one's")
                    .help("each environment needs its own registry namespace: give `registry namespace=` inside the `environment` block that keeps the live one"),
                );
            }
            Some(first) if first.env.value != s.env.value => out.push(
                Diagnostic::error(
                    "cellac::name::collision",
                    format!(
                        "environments `{}` and `{}` both get the registry namespace `{name}`",
                        first.env.value, s.env.value
                    ),
                )
                .at(s.env.span, "this environment")
                .also(first.env.span, "and this one")
                .help("a registry namespace drops `-` and `_`: rename one environment so that the two differ in a letter or digit"),
            ),
            Some(_) => {}
            None => {
                registries.insert(name, s);
            }
        }
    }
    let Some(s) = ctx.envs.first() else { return };
    let mut stored: std::collections::HashMap<String, &crate::span::Spanned<String>> =
        std::collections::HashMap::new();
    for secret in s.secrets.iter().filter(|x| x.store) {
        let name = crate::model::names::stored_secret_name(&secret.name.value);
        match stored.get(&name) {
            Some(first) => out.push(
                Diagnostic::error(
                    "cellac::name::collision",
                    format!(
                        "secrets `{}` and `{}` are both `{name}` in Secret Manager",
                        first.value, secret.name.value
                    ),
                )
                .at(secret.name.span, "this secret")
                .also(first.span, "and this one")
                .help("Secret Manager names write `_` as `-`: rename one of them"),
            ),
            None => {
                stored.insert(name, &secret.name);
            }
        }
    }
}

fn valid_ident(s: &str) -> bool {
    invalid(&IDENT, s).is_none()
}

fn invalid(rule: &Rule, name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !(rule.allowed)(*c)) {
        return Some(format!(
            "has `{}`; only {} are allowed",
            c.escape_debug(),
            rule.chars
        ));
    }
    if rule.starts_with_letter && !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a letter".into());
    }
    if name.ends_with('-') {
        return Some("must not end with `-`".into());
    }
    None
}

fn suggestion(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s
    } else {
        format!("x{s}")
    }
}

pub use crate::model::names::ROOT_VARIABLES;
/// Names Terraform does not allow for a variable.
pub const TERRAFORM_RESERVED: [&str; 8] = [
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "lifecycle",
    "depends_on",
    "locals",
];

/// `cellac::name::reserved`: a `var` or `secret` becomes a Terraform variable of the
/// same name, so it must not take a name the configuration or Terraform already uses,
/// nor the name of another var or secret.
pub fn reserved(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let Some(s) = ctx.envs.first() else { return };
    let mut seen: std::collections::HashMap<&str, &crate::span::Spanned<String>> =
        std::collections::HashMap::new();
    let names = s
        .vars
        .iter()
        .map(|v| (&v.name, "var"))
        .chain(s.secrets.iter().map(|x| (&x.name, "secret")));
    for (name, kind) in names {
        let n = name.value.as_str();
        if ROOT_VARIABLES.contains(&n) || TERRAFORM_RESERVED.contains(&n) {
            let why = if ROOT_VARIABLES.contains(&n) {
                "the generated configuration declares a variable of that name"
            } else {
                "Terraform reserves that name"
            };
            out.push(
                Diagnostic::error(
                    "cellac::name::reserved",
                    format!("{kind} name `{n}` is reserved: {why}"),
                )
                .at(name.span, "reserved name")
                .help(format!("rename it, e.g. `{kind} app_{n}`")),
            );
        } else if let Some(first) = seen.get(n) {
            out.push(
                Diagnostic::error("cellac::name::reserved", format!("`{n}` names both a var and a secret"))
                    .at(name.span, "second use of the name")
                    .also(first.span, "first declared here")
                    .help("vars and secrets share one namespace (Terraform variables): rename one of them"),
            );
        } else {
            seen.insert(n, name);
        }
    }
}
