//! `cellac::region`: a region or zone that the Scaleway products used here do not offer.

use super::Ctx;
use crate::diagnostic::Diagnostic;
use crate::model::REGIONS;
use crate::suggest::{nearest, one_of};

pub fn zones(region: &str) -> Vec<String> {
    (1..=3).map(|i| format!("{region}-{i}")).collect()
}

pub fn check(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for s in ctx.envs {
        let regions = std::iter::once((&s.region, "stack"))
            .chain(s.state.as_ref().map(|st| (&st.region, "state")));
        let mut region_ok = true;
        for (region, what) in regions {
            if !REGIONS.contains(&region.value.as_str()) {
                region_ok &= what != "state";
                let near = nearest(&region.value, REGIONS);
                let help = match near {
                    Some(n) => format!(
                        "did you mean `{n}`? Serverless Containers run in {}",
                        one_of(&REGIONS)
                    ),
                    None => format!("Serverless Containers run in {}", one_of(&REGIONS)),
                };
                let mut d = Diagnostic::error(
                    "cellac::region",
                    format!("Scaleway has no region `{}` for this stack", region.value),
                )
                .at(region.span, "unknown region")
                .help(help);
                if let Some(n) = near {
                    d = d.fix(super::rename_nearest(region.span, &region.value, n));
                }
                out.push(d);
                if what == "stack" {
                    region_ok = false;
                }
            }
        }
        if region_ok {
            let zones = zones(&s.region.value);
            if !zones.contains(&s.zone.value) {
                let refs: Vec<&str> = zones.iter().map(String::as_str).collect();
                let help = match nearest(&s.zone.value, refs.iter().copied()) {
                    Some(n) => format!(
                        "did you mean `{n}`? Zones of {}: {}",
                        s.region.value,
                        one_of(&refs)
                    ),
                    None => format!("zones of {}: {}", s.region.value, one_of(&refs)),
                };
                out.push(
                    Diagnostic::error(
                        "cellac::region",
                        format!(
                            "`{}` is not a zone of region `{}`",
                            s.zone.value, s.region.value
                        ),
                    )
                    .at(s.zone.span, "not in this region")
                    .also(s.region.span, "the region is set here")
                    .help(help),
                );
            }
        }
    }
}
