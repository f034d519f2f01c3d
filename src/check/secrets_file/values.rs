//! The values of a secrets file against each secret's rules (empty, too long,
//! min-length, postgres, format), and which secrets it sets.

use super::{parse_with, Entry, MAX_VALUE};
use crate::diagnostic::{Diagnostic, Source};
use crate::model::Secret;

/// A secret's value against its rules (empty, too long, min-length, postgres, format).
/// `what` names the value in messages (`the value of `x``, `TF_VAR_x`); `at` places a
/// diagnostic. Never shows the value.
pub fn check_value(
    secret: &Secret,
    value: &str,
    what: &str,
    at: &dyn Fn(&'static str, String, &str, String) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    let name = &secret.name.value;
    if value.is_empty() {
        out.push(at(
            "cellac::secrets-file::empty",
            format!("{what} is empty"),
            "empty",
            format!("write the value of `{name}`; Terraform refuses an empty secret"),
        ));
        return;
    }
    let len = value.chars().count();
    // Scaleway counts bytes (issue 22): 600 `é` are 1200.
    let bytes = value.len();
    if bytes > MAX_VALUE {
        out.push(at(
            "cellac::secrets-file::too-long",
            format!("{what} is {bytes} bytes (UTF-8); cellac allows {MAX_VALUE}"),
            "too long",
            "store large values in a bucket and pass their location".into(),
        ));
    }
    // A `min-length` outside 1..MAX_VALUE is `cellac::schema::range`.
    if let Some(min) = secret
        .min_length
        .as_ref()
        .filter(|m| (1..=MAX_VALUE as i128).contains(&m.value))
    {
        if (len as i128) < min.value {
            out.push(at(
                "cellac::secrets-file::min-length",
                format!("{what} is shorter than {} characters", min.value),
                "too short",
                format!(
                    "generate a longer value, e.g. `openssl rand -hex {}`",
                    min.value.saturating_add(1) / 2
                ),
            ));
        }
    }
    if let Some(kind) = &secret.postgres {
        match postgres_parts(value) {
        Err(why) => out.push(at("cellac::secrets-file::postgres", format!("{what} {why}"), "not a PostgreSQL URL", "paste the connection string from Neon: postgresql://USER:PASSWORD@HOST/DB?sslmode=require".into())),
        Ok((host, query)) => {
            let pooled = host.contains("-pooler");
            if kind.value == "pooled" && !pooled {
            out.push(at("cellac::secrets-file::postgres", format!("{what} must use a pooled endpoint, but its host has no `-pooler`"), "direct endpoint", "copy Neon's pooled connection string (its host contains -pooler)".into()));
            } else if kind.value == "direct" && pooled {
            out.push(at("cellac::secrets-file::postgres", format!("{what} must use a direct endpoint, but its host has `-pooler`"), "pooled endpoint", "copy Neon's direct connection string (remove -pooler from the host)".into()));
            }
            if !query.split('&').any(|p| p.starts_with("sslmode=")) {
            out.push(at("cellac::secrets-file::postgres", format!("{what} has no `sslmode` parameter"), "no sslmode", "append `?sslmode=require` to the URL".into()));
            }
        }
        }
    }
    if secret.format.as_ref().is_some_and(|f| f.value == "email")
        && !crate::check::var::is_email(value)
    {
        out.push(at(
            "cellac::secrets-file::format",
            format!("{what} is not an email address"),
            "not an email address",
            "write an address such as ops@example.com".into(),
        ));
    }
}

/// The host and query of a PostgreSQL URL, or why it is not one.
fn postgres_parts(url: &str) -> Result<(&str, &str), &'static str> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or("is not a postgres:// or postgresql:// URL")?;
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let authority = before_query.split('/').next().unwrap_or("");
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = hostport.split(':').next().unwrap_or("");
    if host.is_empty() {
        return Err("has no host");
    }
    Ok((host, query))
}

/// Checks each secret's value. `elsewhere` names secrets set another way (`TF_VAR_*`).
pub fn check(
    text: &str,
    secrets: &[Secret],
    elsewhere: &[String],
    out: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let declared: Vec<&str> = secrets.iter().map(|s| s.name.value.as_str()).collect();
    let entries = parse_with(text, &declared, out);
    // A JSON file that does not parse has no entries to speak of: its syntax error says
    // it all, and listing every secret as missing would only bury it.
    let unreadable = text.trim_start().starts_with('{')
        && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).is_err();
    for secret in secrets {
        let name = &secret.name.value;
        let Some(entry) = entries.iter().rev().find(|e| &e.key == name) else {
            if !elsewhere.contains(name) && !unreadable {
                out.push(
                    Diagnostic::error(
                        "cellac::secrets-file::missing",
                        format!("secret `{name}` has no value in the secrets file"),
                    )
                    .at(secret.name.span, "declared here")
                    .help(format!(
                        "add `{name} = \"...\"` to the secrets file, or set TF_VAR_{name}"
                    )),
                );
            }
            continue;
        };
        if !entry.readable {
            continue; // reported as a syntax error
        }
        let at = |code: &'static str, message: String, label: &str, help: String| {
            Diagnostic::error(code, message)
                .at(entry.value_span, label.to_string())
                .help(help)
                .in_source(Source::Secrets)
        };
        check_value(
            secret,
            &entry.value,
            &format!("the value of `{name}`"),
            &at,
            out,
        );
    }
    // Terraform refuses a key set twice (first settings by key: linear in the file).
    let mut firsts = std::collections::HashMap::new();
    for e in &entries {
        if e.key.is_empty() {
            continue;
        }
        let first = match firsts.entry(e.key.as_str()) {
            std::collections::hash_map::Entry::Occupied(first) => *first.get(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(e);
                continue;
            }
        };
        out.push(
            Diagnostic::error(
                "cellac::secrets-file::duplicate",
                format!("`{}` is set twice in the secrets file", e.key),
            )
            .at(e.key_span, "set again here")
            .also(first.key_span, "first set here")
            .help("keep one line for it: Terraform refuses a variable defined twice in one file")
            .in_source(Source::Secrets),
        );
    }
    let declared: std::collections::HashSet<&str> =
        secrets.iter().map(|s| s.name.value.as_str()).collect();
    // What an unknown key may be renamed to: only secrets with no value here (renaming
    // the key to one that has a value would set it twice). The same for every key.
    let set: std::collections::HashSet<&str> = entries.iter().map(|x| x.key.as_str()).collect();
    let names: Vec<&str> = secrets
        .iter()
        .map(|s| s.name.value.as_str())
        .filter(|n| !set.contains(n))
        .collect();
    for e in &entries {
        if !e.key.is_empty() && !declared.contains(e.key.as_str()) {
            let help = if names.is_empty() {
                format!(
                    "remove the line, or declare `secret {}` in the stack",
                    e.key
                )
            } else {
                crate::suggest::did_you_mean(&e.key, &names)
            };
            // The key as written: quoted (`"name" = ...`) or bare.
            let quoted = text
                .get(e.key_span.range())
                .is_some_and(|k| k.starts_with('"'));
            let fix = crate::suggest::nearest(&e.key, names.iter().copied()).map(|n| {
                let written = if quoted {
                    format!("\"{n}\"")
                } else {
                    n.to_string()
                };
                crate::diagnostic::Fix::replace(
                    crate::diagnostic::Applicability::Unsafe,
                    format!("Replace with `{n}`"),
                    e.key_span,
                    written,
                )
            });
            out.push(
                Diagnostic::warning(
                    "cellac::secrets-file::unknown",
                    format!("`{}` is not a declared secret", e.key),
                )
                .at(e.key_span, "not declared")
                .help(help)
                .fixes_with(fix)
                .in_source(Source::Secrets),
            );
        }
    }
    entries
}
