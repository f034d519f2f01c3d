//! `cellac adopt`: takes over a running deployment without destroying what holds data
//! (LANGUAGE.md, "Adopting a running deployment"; docs/adopting.md).
//!
//! - [`state`] reads a Terraform state, by identity only (never a value);
//! - [`matching`] lists what the stack creates in the environment and matches each live
//!   resource to it, by type and live name first, then by role;
//! - this module turns the matches into `moved`, `removed` and `import` blocks
//!   ([`file`]: `adopt.tf.json`) and every difference that would replace a live resource
//!   into a `cellac::adopt::*` diagnostic, with the stack edit that keeps it as a fix.
//!
//! Pure: text in, data out. `src/cli/adopt.rs` reads and writes the files.

mod edit;
pub mod matching;
pub mod state;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::emit::terraform::Shape;
use crate::model::Stack;
use matching::{Outcome, Planned, Role};
use serde_json::{json, Map, Value};
use state::Live;
use std::collections::BTreeMap;

use crate::provider::DATA_TYPES;

/// Types whose `project_id` cannot change in place (schema/forcenew.json) among those
/// cellac plans: a live one in another project would be replaced.
const PROJECT_FORCENEW: [&str; 8] = [
    "scaleway_object_bucket",
    "scaleway_object_bucket_website_configuration",
    "scaleway_object_bucket_policy",
    "scaleway_registry_namespace",
    "scaleway_vpc",
    "scaleway_vpc_private_network",
    "scaleway_container_namespace",
    "scaleway_secret",
];

/// Types whose `name` cannot change in place (schema/forcenew.json) and that no stack
/// edit renames in one environment alone (buckets and the registry have `name=` and
/// `namespace=`, handled apart).
const NAME_FORCENEW: [&str; 2] = ["scaleway_container_namespace", "scaleway_container"];

/// Import ids (provider docs, `## Import` of each resource page at v2.79.0:
/// docs/scaleway-facts.md, "Adopting"): a bucket and its website configuration by
/// `{region}/{bucketName}`, the others by `{region}/{id}`.
const IMPORT_BY_NAME: [&str; 2] = [
    "scaleway_object_bucket",
    "scaleway_object_bucket_website_configuration",
];

fn holds_data(ty: &str) -> bool {
    DATA_TYPES.contains(&ty)
}

/// What adopting a state gives: the blocks of `adopt.tf.json` and the diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Adoption {
    pub env: String,
    /// `moved` blocks: (from, to).
    pub moved: Vec<(String, String)>,
    /// `removed` blocks (resource addresses), with why each is forgotten.
    pub removed: Vec<(String, String)>,
    /// `import` blocks: (to, id).
    pub imports: Vec<(String, String)>,
    /// Live resources already at the address cellac gives them.
    pub kept: Vec<String>,
    /// Data sources of the state that match nothing the stack creates (ignored).
    pub ignored: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Adoption {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// An address without its instance keys (`module.a[0].x.y` is `module.a.x.y`), as a
/// `removed` block's `from` takes it. Keys are quoted strings or numbers, with no `]`
/// inside a quoted key in the names cellac reads.
fn unkeyed(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in address.chars() {
        match c {
            '"' if depth > 0 => quoted = !quoted,
            '[' if !quoted => depth = depth.saturating_add(1),
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The live resource's region as given by its id (`fr-par/…`) when it has no `region`.
fn region_of(l: &Live) -> Option<String> {
    l.region.clone().or_else(|| {
        let id = l.id.as_deref()?;
        let (r, _) = id.split_once('/')?;
        crate::model::REGIONS.contains(&r).then(|| r.to_string())
    })
}

/// The import id of a live data source's resource (see [`IMPORT_BY_NAME`]).
fn import_id(l: &Live, region: &str) -> Option<String> {
    if IMPORT_BY_NAME.contains(&l.ty.as_str()) {
        let name = l
            .name
            .as_deref()
            .or_else(|| l.id.as_deref()?.rsplit('/').next())?;
        return Some(format!("{region}/{name}"));
    }
    let id = l.id.as_deref()?;
    Some(if id.contains('/') {
        id.to_string()
    } else {
        format!("{region}/{id}")
    })
}

/// Adopts `live` (a state's resources) into environment `env` of a checked stack without
/// errors (`checked.nodes` are its nodes, `text` its text, for the fixes' edits).
pub fn adopt(text: &str, checked: &crate::Checked, env: &str, live: &[Live]) -> Adoption {
    let mut a = Adoption {
        env: env.to_string(),
        ..Adoption::default()
    };
    let Some(s) = checked.envs.iter().find(|s| s.env.value == env) else {
        return a;
    };
    let nodes = checked.nodes.as_deref().unwrap_or_default();
    let shape = Shape::of(&checked.envs);
    let plan = matching::planned(s, shape);
    let outcomes = matching::assign(live, &plan);
    let region = &s.region.value;
    let mut removed: BTreeMap<String, String> = BTreeMap::new();
    let mut projects: BTreeMap<String, Vec<&Live>> = BTreeMap::new();
    for (l, o) in live.iter().zip(&outcomes) {
        match o {
            Outcome::Forget { why } => {
                if !l.managed {
                    a.ignored.push(l.address.clone());
                    continue;
                }
                // `removed` takes no instance key, of the resource or of its modules.
                let resource = unkeyed(&l.resource);
                if !removed.contains_key(&resource)
                    && holds_data(&l.ty)
                    && l.ty != "scaleway_secret_version"
                {
                    a.diagnostics.push(
                        Diagnostic::warning(
                            "cellac::adopt::forgotten",
                            format!("`{resource}` holds data and the stack does not manage it: Terraform forgets it, it keeps running"),
                        )
                        .help(format!("{why}; delete it by hand once nothing reads it, or keep it"))
                        .in_env(env),
                    );
                }
                removed
                    .entry(resource)
                    .or_insert_with(|| (*why).to_string());
            }
            Outcome::Matched { planned, by_name } => {
                let Some(p) = plan.get(*planned) else {
                    continue;
                };
                if l.managed {
                    if l.address == p.address {
                        a.kept.push(l.address.clone());
                    } else {
                        a.moved.push((l.address.clone(), p.address.clone()));
                    }
                } else if let Some(id) = import_id(l, region_of(l).as_deref().unwrap_or(region)) {
                    a.imports.push((p.address.clone(), id));
                }
                if !by_name {
                    renamed(text, nodes, s, l, p, &mut a.diagnostics);
                }
                if let Some(r) = region_of(l).filter(|r| r != region) {
                    a.diagnostics.push(replaced(
                        l,
                        s,
                        format!("it lives in region {r}, the stack puts it in {region}: a resource cannot move to another region"),
                    ));
                }
                if let Some(pid) = &l.project_id {
                    if PROJECT_FORCENEW.contains(&l.ty.as_str()) {
                        projects.entry(pid.to_lowercase()).or_default().push(l);
                    }
                }
            }
        }
    }
    a.removed = removed.into_iter().collect();
    project(text, nodes, s, &projects, &mut a.diagnostics);
    crate::diagnostic::sort_and_dedup(&mut a.diagnostics);
    a
}

/// A live resource that would be replaced, with the reason: an error when it holds data.
fn replaced(l: &Live, s: &Stack, why: String) -> Diagnostic {
    let d = if holds_data(&l.ty) {
        Diagnostic::error(
            "cellac::adopt::replaced",
            format!("`{}` holds data and would be replaced: {why}", l.address),
        )
        .help("no edit of the stack keeps it: move its data yourself, or accept the replacement with `scripts/apply.sh ENV --allow-destroy ADDRESS`")
    } else {
        Diagnostic::warning(
            "cellac::adopt::recreated",
            format!("`{}` would be replaced: {why}", l.address),
        )
        .help("it holds no data: the deploy recreates it (its endpoint may change)")
    };
    d.at(s.span, format!("stack `{}`", s.name.value))
        .in_env(&s.env.value)
}

/// A live resource matched by role whose name differs from the one the stack gives.
fn renamed(
    text: &str,
    nodes: &[crate::syntax::Node],
    s: &Stack,
    l: &Live,
    p: &Planned,
    out: &mut Vec<Diagnostic>,
) {
    let (Some(live), Some(ours)) = (&l.name, &p.name) else {
        return;
    };
    if live == ours {
        return;
    }
    let env = &s.env.value;
    let edit = |kind: &str, arg: Option<&str>, prop: &str| {
        edit::set_in_env(text, nodes, env, (kind, arg), (prop, live), &[])
    };
    let (span, kind, arg, prop) = match (&p.role, p.ty) {
        (Role::Site(n), "scaleway_object_bucket") => {
            let Some(x) = s.sites.iter().find(|x| &x.name.value == n) else {
                return;
            };
            (x.name.span, "site", Some(n.as_str()), "name")
        }
        (Role::Bucket(n), "scaleway_object_bucket") => {
            let Some(x) = s.buckets.iter().find(|x| &x.name.value == n) else {
                return;
            };
            (x.name.span, "bucket", Some(n.as_str()), "name")
        }
        (Role::Registry, _) => (
            s.registry
                .namespace
                .as_ref()
                .map_or(s.name.span, |n| n.span),
            "registry",
            None,
            "namespace",
        ),
        _ => {
            if NAME_FORCENEW.contains(&p.ty) {
                out.push(replaced(
                    l,
                    s,
                    format!("it is named `{live}`, the stack names it `{ours}`, and its name cannot change in place"),
                ));
            }
            return;
        }
    };
    let setting = format!("{prop}={}", edit::quoted(live));
    let what = if kind == "registry" {
        "registry namespace"
    } else {
        "bucket"
    };
    out.push(
        Diagnostic::error(
            "cellac::adopt::name",
            format!("the live {what} `{live}` would be replaced: in `{env}` the stack names it `{ours}`"),
        )
        .at(span, format!("makes `{ours}` in `{env}`"))
        .help(format!("keep the live name: `{setting}` in `environment {env}` (`cellac adopt --fix` writes it)"))
        .in_env(env)
        .fix(Fix {
            title: format!("write `{setting}` in `environment {env}`"),
            applicability: Applicability::Safe,
            edits: edit(kind, arg, prop),
        }),
    );
}

/// The live project against the environment's: one `cellac::adopt::project` with the
/// fix, and `cellac::adopt::replaced` for what lives in yet another project.
fn project(
    text: &str,
    nodes: &[crate::syntax::Node],
    s: &Stack,
    projects: &BTreeMap<String, Vec<&Live>>,
    out: &mut Vec<Diagnostic>,
) {
    // The project most live resources are in.
    let Some((live, _)) = projects.iter().max_by_key(|(_, ls)| ls.len()) else {
        return;
    };
    let env = &s.env.value;
    let wanted = match &s.project {
        Some(p) if p.create => None,
        Some(p) => match &p.id {
            Some(id) => Some(id.value.to_lowercase()),
            None => return,
        },
        // The API key's default project: not known here.
        None => return,
    };
    if wanted.as_deref() != Some(live.as_str()) {
        let span = s.project.as_ref().map_or(s.span, |p| p.span);
        let now = match &wanted {
            None => format!("`project create=#true` gives `{env}` a new project"),
            Some(w) => format!("`{env}` uses project {w}"),
        };
        let setting = format!("id={}", edit::quoted(live));
        out.push(
            Diagnostic::error(
                "cellac::adopt::project",
                format!("the live resources of `{env}` are in project {live}, but {now}: every one would be replaced"),
            )
            .at(span, "the environment's project")
            .help(format!("keep the live project: `project {setting}` in `environment {env}` (`cellac adopt --fix` writes it)"))
            .in_env(env)
            .fix(Fix {
                title: format!("write `project {setting}` in `environment {env}`"),
                applicability: Applicability::Safe,
                edits: edit::set_in_env(text, nodes, env, ("project", None), ("id", live), &["create"]),
            }),
        );
    }
    for (other, ls) in projects.iter().filter(|(p, _)| *p != live) {
        for l in ls {
            out.push(replaced(
                l,
                s,
                format!("it is in project {other}, the environment's other live resources in {live}: an environment lives in one project"),
            ));
        }
    }
}

/// `adopt.tf.json`: the blocks, with a `//` comment saying what wrote it.
pub fn file(a: &Adoption) -> Value {
    let mut m = Map::new();
    m.insert(
        "//".into(),
        json!(format!(
            "{} --env {}: for the first apply of `{}` after adopting it; `cellac adopt --done` removes this file once that apply succeeded. `cellac build` keeps it.",
            crate::write::ADOPT_MARK,
            a.env,
            a.env
        )),
    );
    if !a.moved.is_empty() {
        m.insert(
            "moved".into(),
            Value::Array(
                a.moved
                    .iter()
                    .map(|(f, t)| json!({ "from": f, "to": t }))
                    .collect(),
            ),
        );
    }
    if !a.removed.is_empty() {
        m.insert(
            "removed".into(),
            Value::Array(
                a.removed
                    .iter()
                    .map(|(f, _)| json!({ "from": f, "lifecycle": { "destroy": false } }))
                    .collect(),
            ),
        );
    }
    if !a.imports.is_empty() {
        // Only in this environment: the root configuration is every environment's.
        m.insert(
            "import".into(),
            Value::Array(
                a.imports
                    .iter()
                    .map(|(to, id)| {
                        json!({
                            "for_each": format!(
                                "${{var.environment == {} ? toset([{}]) : toset([])}}",
                                Value::String(a.env.clone()),
                                Value::String(id.clone())
                            ),
                            "to": to,
                            "id": "${each.value}",
                        })
                    })
                    .collect(),
            ),
        );
    }
    Value::Object(m)
}

/// What adopting does, in lines for people: each move, each forgotten resource, each
/// import. Addresses and names only.
pub fn summary(a: &Adoption) -> String {
    let mut out = String::new();
    for (f, t) in &a.moved {
        out.push_str(&format!("moved     {f} -> {t}\n"));
    }
    for k in &a.kept {
        out.push_str(&format!("kept      {k}\n"));
    }
    for (to, id) in &a.imports {
        out.push_str(&format!("import    {to} (id {id})\n"));
    }
    for (r, why) in &a.removed {
        out.push_str(&format!("forgotten {r}: {why}\n"));
    }
    for i in &a.ignored {
        out.push_str(&format!(
            "ignored   {i} (a data source matching nothing the stack creates)\n"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn removed_addresses_have_no_instance_key() {
        assert_eq!(super::unkeyed("module.m[0].a.b"), "module.m.a.b");
        assert_eq!(super::unkeyed("module.m[\"x]y\"].a.b"), "module.m.a.b");
        assert_eq!(super::unkeyed("a.b"), "a.b");
    }
}
