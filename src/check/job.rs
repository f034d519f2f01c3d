//! `cellac::job::schedule`, `cellac::job::image`, `cellac::job::name`, `cellac::job::timeout`,
//! `cellac::job::secret-store`, `cellac::job::command`: a `job`, a Serverless Job run on a
//! cron schedule or on demand.

#![deny(clippy::arithmetic_side_effects)]

use super::Ctx;
use crate::check::migrate::{not_stored, over_24h};
use crate::diagnostic::Applicability::{Safe, Unsafe};
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::duration::seconds;
use crate::model::JobImage;
use crate::suggest::did_you_mean;

/// The areas of IANA time zone names (`Area/City`), plus `Etc`.
const AREAS: [&str; 11] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// The fields of a cron expression: name, lowest, highest, names (from the lowest).
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
    ),
    (
        "day of week",
        0,
        7,
        &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    ),
];

/// Why `cron` is not a 5-field cron expression, if it is not.
pub fn cron_error(cron: &str) -> Option<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "a cron expression has 5 fields (minute hour day-of-month month day-of-week), not {}",
            fields.len()
        ));
    }
    for (text, (name, lo, hi, names)) in fields.iter().zip(FIELDS) {
        let value = |v: &str| -> Option<u32> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
                return u32::try_from(i).ok().and_then(|i| lo.checked_add(i));
            }
            if v.is_empty() || v.len() > 2 || !v.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            v.parse().ok().filter(|n| (lo..=hi).contains(n))
        };
        let ok = text.split(',').all(|part| {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            let step_ok = step.is_none_or(|s| {
                !s.is_empty()
                    && s.len() <= 2
                    && s.bytes().all(|b| b.is_ascii_digit())
                    && s.parse::<u32>().is_ok_and(|n| n > 0)
            });
            let range_ok = range == "*"
                || match range.split_once('-') {
                    Some((a, b)) => value(a).zip(value(b)).is_some_and(|(a, b)| a <= b),
                    None => value(range).is_some(),
                };
            step_ok && range_ok
        });
        if !ok {
            return Some(format!(
                "`{text}` is not a valid {name} field ({lo}..{hi}, `*`, ranges `a-b`, steps `/n`, lists `a,b`)"
            ));
        }
    }
    None
}

/// Whether `tz` names a zone of the tz database (the chrono-tz crate's copy of it), as
/// the Serverless Jobs API expects ("in tz database format", jobs.go#L126):
/// `Europe/Pariss` and `Etc/GMT+15` are not.
pub fn is_timezone(tz: &str) -> bool {
    tz.parse::<chrono_tz::Tz>().is_ok()
}

/// The tz database's zone nearest to a misspelt one.
fn nearest_timezone(tz: &str) -> Option<&'static str> {
    let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    crate::suggest::Index::new(names).nearest(tz)
}

/// Whether `word` means the same bare and as a word of `/bin/sh -c`: no quoting,
/// expansion, redirection, separator or assignment (`A=1 cmd`).
fn plain_word(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:,@%+".contains(c))
}

/// `cellac::job::command`: a `command` with one argument holding spaces, the form
/// jobs had when `command` was a shell command. `command` is now a list, as a
/// service's: the program, then its arguments.
fn command(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let overrides = ctx
        .nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .flat_map(|e| e.children().iter());
    let jobs = ctx
        .nodes
        .iter()
        .chain(overrides)
        .filter(|n| n.name.value == "job");
    for job in jobs {
        for c in job.children().iter().filter(|c| c.name.value == "command") {
            let [arg] = c.args.as_slice() else { continue };
            let Some(text) = arg.as_str() else { continue };
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.len() < 2 {
                continue;
            }
            // Plain words split as the shell would; anything else keeps the shell.
            let shown = if words.iter().all(|w| plain_word(w)) {
                let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
                quoted.join(" ")
            } else {
                format!("\"/bin/sh\" \"-c\" {}", crate::syntax::string_literal(text))
            };
            out.push(
                Diagnostic::error(
                    "cellac::job::command",
                    "a job's `command` is the program, then its arguments, one string each",
                )
                .at(
                    arg.span,
                    "one string with spaces: a program by that whole name",
                )
                .help(format!(
                    "write `command {shown}`, as a service's `command` is written"
                ))
                .fix(Fix::replace(
                    Safe,
                    format!("Replace with `{shown}`"),
                    arg.span,
                    shown.clone(),
                )),
            );
        }
    }
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    command(ctx, out);
    for stack in ctx.envs {
        for job in &stack.jobs {
            if let Some(s) = &job.schedule {
                if let Some(why) = cron_error(&s.cron.value) {
                    out.push(
                        Diagnostic::error(
                            "cellac::job::schedule",
                            format!(
                                "the schedule of job `{}` is not a cron expression: {why}",
                                job.name.value
                            ),
                        )
                        .at(s.cron.span, "malformed cron expression")
                        .help("write 5 fields, such as \"0 3 * * *\" (every day at 03:00)"),
                    );
                }
                if !is_timezone(&s.timezone.value) {
                    out.push(
                        Diagnostic::error(
                            "cellac::job::schedule",
                            format!(
                                "`{}` is not a time zone: write an IANA name such as Europe/Paris",
                                s.timezone.value
                            ),
                        )
                        .at(s.timezone.span, "unknown time zone")
                        .help(match nearest_timezone(&s.timezone.value) {
                            Some(n) => format!(
                                "did you mean `{}`? Time zones are the tz database's: `UTC` or Area/City, with Area one of {}",
                                crate::syntax::string_literal(n),
                                AREAS.join(", ")
                            ),
                            None => format!(
                                "write `UTC` or Area/City, with Area one of {}",
                                AREAS.join(", ")
                            ),
                        }),
                    );
                }
            }
            if let JobImage::Service(svc) = &job.image {
                // A disabled service: `cellac::service::disabled` (service.rs).
                if stack.service(&svc.value).is_none() && stack.disabled(&svc.value).is_none() {
                    let names: Vec<&str> = stack
                        .services
                        .iter()
                        .map(|s| s.name.value.as_str())
                        .collect();
                    out.push(
                        Diagnostic::error(
                            "cellac::job::image",
                            format!(
                                "job `{}` runs the image of service `{}`, which is not declared",
                                job.name.value, svc.value
                            ),
                        )
                        .at(svc.span, "unknown service")
                        .help(did_you_mean(&svc.value, &names))
                        .fixes_with(
                            crate::suggest::nearest(&svc.value, names.iter().copied())
                                .map(|n| super::rename(Unsafe, svc.span, n)),
                        ),
                    );
                }
            }
            // A job builds its image as NAME: a service of that name builds its own too.
            if let JobImage::Build { .. } = &job.image {
                if let Some(svc) = stack
                    .service(&job.name.value)
                    .filter(|s| matches!(s.image, crate::model::Image::Build { .. }))
                {
                    out.push(
                        Diagnostic::error(
                            "cellac::job::image",
                            format!(
                                "job `{}` builds its image under the name of service `{}`, which builds its own",
                                job.name.value, svc.name.value
                            ),
                        )
                        .at(job.name.span, "image pushed as this name")
                        .also(svc.name.span, "this service's image has the same name")
                        .help(format!(
                            "rename the job, or run the service's image with `image service={}`",
                            svc.name.value
                        )),
                    );
                }
            }
            // Jobs share the job definitions' map with migrations, keyed SERVICE-migrate.
            if let Some(svc) = stack.services.iter().find(|s| {
                s.migrate.is_some()
                    && crate::model::names::migrate_key(&s.name.value) == job.name.value
            }) {
                out.push(
                    Diagnostic::error(
                        "cellac::job::name",
                        format!(
                            "job `{}` has the name of the migration job of service `{}`",
                            job.name.value, svc.name.value
                        ),
                    )
                    .at(job.name.span, "taken by a migration")
                    .also(svc.name.span, "this service's migration")
                    .help("give the job another name"),
                );
            }
            let who = format!("job `{}`", job.name.value);
            match seconds(&job.timeout.value) {
                // `timeout 0` (seconds), read as "0s".
                Some(0) if job.timeout.value == "0s" => out.push(
                    Diagnostic::error(
                        "cellac::job::timeout",
                        format!("job `{}` may run 0 seconds", job.name.value),
                    )
                    .at(job.timeout.span, "no time to run")
                    .help("write a timeout of 1 second to 24h, such as timeout 600 or timeout \"15m\""),
                ),
                None | Some(0) => super::duration::check(&job.timeout, out),
                Some(_) => over_24h("cellac::job::timeout", &who, &job.timeout, "timeout ", out),
            }
            // The job reads its secrets from Secret Manager: each must be kept there.
            for e in &job.secret_env {
                let Some(secret) = stack.secret(&e.secret.value) else {
                    continue; // undeclared: reported by the secret check
                };
                if secret.store {
                    continue;
                }
                out.push(not_stored(
                    "cellac::job::secret-store",
                    &who,
                    &stack.env.value,
                    e.secret.span,
                    None,
                    secret,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_expressions() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0 1,15 * MON-FRI",
            "30 2 * jan-mar 7",
        ] {
            assert_eq!(cron_error(ok), None, "{ok}");
        }
        for bad in [
            "0 3 * *",
            "60 * * * *",
            "* 24 * * *",
            "*/0 * * * *",
            "a b c d e",
            "5-1 * * * *",
        ] {
            assert!(cron_error(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn time_zones() {
        for ok in [
            "UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+1",
            "CET", // a zone of the tz database, as the API reads it
        ] {
            assert!(is_timezone(ok), "{ok}");
        }
        for bad in [
            "Paris",
            "Europe/",
            "Mars/Olympus",
            "europe/paris",
            "Europe/Pariss",
            "Etc/GMT+15",
        ] {
            assert!(!is_timezone(bad), "{bad}");
        }
    }
}
