//! `cellac::preview::domain`: a preview template's host without `{id}`.
//! `cellac::preview::several`: more than one preview template (`preview.sh up ID` deploys
//! the one template). (A preview's
//! names too long for the longest id, `cellac::preview::too-long`, are measured with
//! every other name in `name.rs`.)

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mut templates = ctx.envs.iter().filter(|s| s.preview);
    if let Some(first) = templates.next() {
        for other in templates {
            out.push(
                Diagnostic::error(
                    "cellac::preview::several",
                    format!(
                        "`{}` is a second preview template: `{}` is one already",
                        other.env.value, first.env.value
                    ),
                )
                .at(other.env.span, "a second `preview=#true`")
                .also(first.env.span, "the preview template")
                .help("keep one environment with `preview=#true`: `scripts/preview.sh up ID` deploys previews from the one template"),
            );
        }
    }
    for s in ctx.envs.iter().filter(|s| s.preview) {
        for d in &s.domains {
            if !d.host.value.contains(crate::model::PREVIEW_ID) {
                out.push(
                Diagnostic::error(
                    "cellac::preview::domain",
                    format!(
                        "`{}` has no `{{id}}`: every preview of `{}` would claim this host",
                        d.host.value, s.env.value
                    ),
                )
                .at(d.host.span, "the same host in every preview")
                .help(format!(
                    "put the preview's id in the host, such as `pr-{{id}}.{}`; a top-level domain belongs in the environment that owns it",
                    d.host.value.split_once('.').map_or(d.host.value.as_str(), |(_, rest)| rest)
                )),
            );
            }
        }
    }
}
