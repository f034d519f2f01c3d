//! `cellac::preview::domain`: a preview template's host without `{id}`. (A preview's
//! names too long for the longest id, `cellac::preview::too-long`, are measured with
//! every other name in `name.rs`.)

use super::Ctx;
use crate::diagnostic::Diagnostic;

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
