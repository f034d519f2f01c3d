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
            .chain(s.vars.iter().map(|x| (&x.name, "var")));
        for (name, kind) in written {
            if let Some(problem) = invalid(&IDENT, &name.value) {
                out.push(
                    Diagnostic::error(
                        "cellac::name::invalid",
                        format!("{kind} name `{}` {problem}", name.value),
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
            generated.push((
                &REGISTRY,
                registry_name(&longest, &s.name.value),
                s.name.span,
                "the stack name",
            ));
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
            if valid_ident(&site.name.value) {
                let name = format!("{prefix}-{}{}", site.name.value, site.bucket_suffix.value);
                let span = if site.bucket_suffix.value.is_empty() {
                    site.name.span
                } else {
                    site.bucket_suffix.span
                };
                generated.push((&BUCKET, name, span, "the site name"));
            }
        }
        for b in &s.buckets {
            if valid_ident(&b.name.value) {
                generated.push((
                    &BUCKET,
                    format!("{prefix}-{}", b.name.value),
                    b.name.span,
                    "the bucket name",
                ));
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
                        let parts = if part == "the stack name" {
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

fn valid_ident(s: &str) -> bool {
    invalid(&IDENT, s).is_none()
}

fn invalid(rule: &Rule, name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !(rule.allowed)(*c)) {
        return Some(format!("has `{c}`; only {} are allowed", rule.chars));
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

/// Root-module variables the generated configuration declares itself.
pub const ROOT_VARIABLES: [&str; 18] = [
    "environment",
    "names",
    "subnet",
    "registry_public",
    "image_tag",
    "services",
    "sites",
    "buckets",
    "site_domains",
    "dns_zone",
    "monitoring",
    "stored_secrets",
    "secrets_version",
    "deployers",
    "deployer_access_key",
    "image_digests",
    "force_destroy",
    "attached_domains",
];
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
