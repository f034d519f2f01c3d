//! `cellac::image::ref-args`, `cellac::image::arg-key`, `cellac::image::duplicate-arg`,
//! `cellac::image::secret-arg`: an image's Docker build arguments (`image { arg ...;
//! link ... }`, issue 23). The `link`s of an image are checked with the other links
//! (src/check/link.rs: target, private, scheme, cycle).

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::{BuildArgs, Image, JobImage};
use crate::span::Span;

/// Docker's ARG names: a letter or `_`, then letters, digits or `_` (what a Dockerfile's
/// `ARG NAME` and `$NAME` read as one name).
pub fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whatever is built and with which build arguments, for each service and job of `s`:
/// (who, whether its image is built, why not, build arguments).
fn users(s: &crate::model::Stack) -> Vec<(String, Option<&'static str>, &BuildArgs)> {
    let services = s.services.iter().map(|x| {
        let why = match &x.image {
            Image::Build { .. } => None,
            Image::Ref(_) => Some("a `ref=` image is prebuilt"),
        };
        (format!("service `{}`", x.name.value), why, &x.build_args)
    });
    let jobs = s.jobs.iter().map(|j| {
        let why = match &j.image {
            JobImage::Build { .. } => None,
            JobImage::Ref(_) => Some("a `ref=` image is prebuilt"),
            JobImage::Service(_) => {
                Some("`image service=` runs that service's image as it is built")
            }
        };
        (format!("job `{}`", j.name.value), why, &j.build_args)
    });
    services.chain(jobs).collect()
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        let env = s.env.value.as_str();
        for (who, not_built, b) in users(s) {
            if b.is_empty() {
                continue;
            }
            // Every build argument: (key, its span, the span of what sets it).
            let keys: Vec<(&str, Span, Span)> = b
                .args
                .iter()
                .map(|a| (a.key.value.as_str(), a.key.span, a.value.span))
                .chain(
                    b.links
                        .iter()
                        .map(|l| (l.env.value.as_str(), l.env.span, l.span)),
                )
                .collect();
            if let Some(why) = not_built {
                if let Some((key, span, _)) = keys.first() {
                    out.push(
                        Diagnostic::error(
                            "cellac::image::ref-args",
                            format!("{who} has build arguments (`{key}`), but nothing builds its image"),
                        )
                        .in_env(env)
                        .at(*span, "never passed to a build")
                        .help(format!(
                            "{why}: remove the build arguments, or build the image (`image dockerfile=...`) to pass them"
                        )),
                    );
                }
                continue;
            }
            for (i, (key, span, _)) in keys.iter().enumerate() {
                if !valid_key(key) {
                    out.push(
                        Diagnostic::error(
                            "cellac::image::arg-key",
                            format!("`{key}` is not a build argument name"),
                        )
                        .in_env(env)
                        .at(*span, "invalid name")
                        .help("a build argument's name is a letter or `_`, then letters, digits or `_`, as a Dockerfile's `ARG NAME` reads it"),
                    );
                }
                if let Some((_, first, _)) = keys.iter().take(i).find(|(k, ..)| k == key) {
                    out.push(
                        Diagnostic::error(
                            "cellac::image::duplicate-arg",
                            format!("{who} sets build argument `{key}` twice"),
                        )
                        .in_env(env)
                        .at(*span, "set again")
                        .also(*first, "first set here")
                        .help("keep one: Docker would take the last `--build-arg`, and the stack would not say which value is meant"),
                    );
                }
                if crate::credential::secret_key(key) {
                    out.push(
                        Diagnostic::warning(
                            "cellac::image::secret-arg",
                            format!("build argument `{key}` of {who} is named like a secret"),
                        )
                        .in_env(env)
                        .at(*span, "kept in the image's layers")
                        .help("a build argument is written into the image's history, readable by anyone who can pull it: pass a secret at run time with `secret-env` (or as a BuildKit secret in a build of your own); rename it if it is not a secret"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys() {
        for ok in ["API_URL", "_x", "a1", "NEXT_PUBLIC_API_URL"] {
            assert!(super::valid_key(ok), "{ok}");
        }
        for bad in ["", "1A", "API-URL", "A B", "A=B", "é"] {
            assert!(!super::valid_key(bad), "{bad}");
        }
    }
}
