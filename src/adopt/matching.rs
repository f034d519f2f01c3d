//! What the stack creates in one environment, resource by resource, and how each live
//! resource of a state matches it: by type and live name first, then by role.

use super::state::Live;
use crate::emit::terraform::Shape;
use crate::model::Stack;
use std::collections::BTreeMap;

/// What a planned resource is, for the stack edit that keeps a live one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// `site NAME`'s bucket (and its website configuration and policy).
    Site(String),
    /// `bucket NAME` (and its policy).
    Bucket(String),
    Registry,
    Project,
    /// Anything else: its name follows the stack's names.
    Other,
}

/// One resource the generated configuration creates in the environment.
#[derive(Clone, Debug)]
pub struct Planned {
    pub ty: &'static str,
    /// The instance address in the generated configuration.
    pub address: String,
    /// The live name cellac gives it (a bucket's name for its website configuration and
    /// policy, whose identity is their bucket).
    pub name: Option<String>,
    /// The stack's name of what it belongs to (`public-uploads`, `backend`), to match by role.
    pub key: Option<String>,
    pub role: Role,
}

/// Resource types with a `zone` rather than a `region` (none of those cellac plans yet;
/// kept so a zonal live resource is compared by zone).
const ZONAL: [&str; 0] = [];

/// Whether a live resource of this type is compared by zone.
pub fn zonal(ty: &str) -> bool {
    ZONAL.contains(&ty)
}

fn q(key: &str) -> String {
    serde_json::Value::String(key.to_string()).to_string()
}

/// Every resource the stack creates in environment `s`, with its address and live name.
pub fn planned(s: &Stack, shape: Shape) -> Vec<Planned> {
    let mut out = Vec::new();
    let mut add =
        |ty: &'static str, address: String, name: Option<String>, key: Option<&str>, role: Role| {
            out.push(Planned {
                ty,
                address,
                name,
                key: key.map(String::from),
                role,
            });
        };
    let prefix = s.prefix();
    if s.creates_project() {
        add(
            "scaleway_account_project",
            "module.project[0].scaleway_account_project.this".into(),
            Some(prefix.clone()),
            None,
            Role::Project,
        );
    }
    if shape.network {
        add(
            "scaleway_vpc",
            "module.network.scaleway_vpc.this".into(),
            Some(format!("{prefix}-vpc")),
            None,
            Role::Other,
        );
        add(
            "scaleway_vpc_private_network",
            "module.network.scaleway_vpc_private_network.this".into(),
            Some(format!("{prefix}-private-network")),
            None,
            Role::Other,
        );
    }
    if shape.registry {
        add(
            "scaleway_registry_namespace",
            "module.registry.scaleway_registry_namespace.this".into(),
            Some(s.registry_namespace()),
            None,
            Role::Registry,
        );
    }
    if shape.containers {
        add(
            "scaleway_container_namespace",
            "module.containers.scaleway_container_namespace.this".into(),
            Some(format!("{prefix}-containers")),
            None,
            Role::Other,
        );
        for svc in &s.services {
            add(
                "scaleway_container",
                format!(
                    "module.containers.scaleway_container.{}",
                    crate::emit::terraform::containers_ident(&svc.name.value)
                ),
                Some(format!("{prefix}-{}", svc.name.value)),
                Some(&svc.name.value),
                Role::Other,
            );
        }
    }
    if shape.storage {
        for site in &s.sites {
            let (n, bucket) = (&site.name.value, s.site_bucket(site));
            let role = Role::Site(n.clone());
            for ty in [
                "scaleway_object_bucket",
                "scaleway_object_bucket_website_configuration",
                "scaleway_object_bucket_policy",
            ] {
                add(
                    ty,
                    format!("module.storage.{ty}.site[{}]", q(n)),
                    Some(bucket.clone()),
                    Some(n),
                    role.clone(),
                );
            }
        }
        for b in &s.buckets {
            let (n, bucket) = (&b.name.value, s.bucket_name(b));
            let role = Role::Bucket(n.clone());
            for ty in ["scaleway_object_bucket", "scaleway_object_bucket_policy"] {
                add(
                    ty,
                    format!("module.storage.{ty}.this[{}]", q(n)),
                    Some(bucket.clone()),
                    Some(n),
                    role.clone(),
                );
            }
        }
    }
    if shape.secrets && s.reads_secret_manager() {
        for x in s.secrets.iter().filter(|x| x.store) {
            add(
                "scaleway_secret",
                format!("module.secrets.scaleway_secret.this[{}]", q(&x.name.value)),
                Some(crate::model::names::stored_secret_name(&x.name.value)),
                Some(&x.name.value),
                Role::Other,
            );
        }
    }
    out
}

/// How a live resource is kept.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// It is what cellac creates at `planned` (an index into the plan).
    Matched { planned: usize, by_name: bool },
    /// cellac does not manage it (or cannot take it over): Terraform forgets it.
    Forget { why: &'static str },
}

/// `_` and `-` are one in a role key (`public_uploads`, `public-uploads`).
fn norm(s: &str) -> String {
    s.to_lowercase().replace('_', "-")
}

/// The live resource's instance key, if it has a string one.
fn index_key(l: &Live) -> Option<String> {
    let rest = l.address.strip_prefix(&l.resource)?;
    let inner = rest.strip_prefix('[')?.strip_suffix(']')?;
    serde_json::from_str::<String>(inner).ok()
}

/// Whether a live resource plays the role of a planned one: its resource or instance
/// name is the stack's name (`public_uploads` for `bucket public-uploads`), or its live
/// name holds it (`dev-cella-public-uploads-v2`).
fn plays(l: &Live, p: &Planned) -> bool {
    let Some(key) = p.key.as_deref().map(norm) else {
        return false;
    };
    norm(&l.local_name) == key
        || index_key(l).is_some_and(|k| norm(&k) == key)
        || l.name.as_deref().is_some_and(|n| {
            let n = norm(n);
            n == key || n.ends_with(&format!("-{key}")) || n.contains(&format!("-{key}-"))
        })
}

/// Why a secret version is always forgotten.
const VERSION_WHY: &str = "a secret version written with `data` (in the state in plain text): cellac writes versions write-only, so taking it over would replace it; Secret Manager keeps it";

/// Matches every live resource: by type and live name first, then by role (the one
/// resource of its type on both sides, or the one whose names say it plays the role).
pub fn assign(live: &[Live], plan: &[Planned]) -> Vec<Outcome> {
    let mut out: Vec<Option<Outcome>> = live
        .iter()
        .map(|l| {
            (l.ty == "scaleway_secret_version").then_some(Outcome::Forget { why: VERSION_WHY })
        })
        .collect();
    let mut taken = vec![false; plan.len()];
    // By type and live name.
    for (l, o) in live.iter().zip(out.iter_mut()) {
        if o.is_some() {
            continue;
        }
        let found = plan
            .iter()
            .zip(taken.iter_mut())
            .enumerate()
            .find(|(_, (p, t))| !**t && p.ty == l.ty && p.name.is_some() && p.name == l.name);
        if let Some((j, (_, t))) = found {
            *t = true;
            *o = Some(Outcome::Matched {
                planned: j,
                by_name: true,
            });
        }
    }
    // How many live resources of each type are left after that.
    let mut left: BTreeMap<&str, usize> = BTreeMap::new();
    for (l, o) in live.iter().zip(&out) {
        if o.is_none() {
            *left.entry(l.ty.as_str()).or_default() += 1;
        }
    }
    // By role. Secrets are taken over only by name (a secret of another name is another
    // secret); a bucket's website configuration and policy follow their bucket's name.
    for (l, o) in live.iter().zip(out.iter_mut()) {
        if o.is_some() || l.ty == "scaleway_secret" {
            continue;
        }
        let free: Vec<(usize, &Planned)> = plan
            .iter()
            .zip(&taken)
            .enumerate()
            .filter(|(_, (p, t))| !**t && p.ty == l.ty)
            .map(|(j, (p, _))| (j, p))
            .collect();
        let by_role: Vec<usize> = free
            .iter()
            .filter(|(_, p)| plays(l, p))
            .map(|(j, _)| *j)
            .collect();
        let lone = left.get(l.ty.as_str()) == Some(&1);
        let pick = match (by_role.as_slice(), free.as_slice()) {
            ([j], _) => Some(*j),
            ([], [(j, p)]) if lone && p.key.is_none() => Some(*j),
            _ => None,
        };
        if let Some(j) = pick {
            if let Some(t) = taken.get_mut(j) {
                *t = true;
            }
            *o = Some(Outcome::Matched {
                planned: j,
                by_name: false,
            });
        }
    }
    out.into_iter()
        .zip(live)
        .map(|(o, l)| {
            o.unwrap_or(Outcome::Forget {
                why: if l.ty == "scaleway_secret" {
                    "no secret of this name and path in the stack's Secret Manager secrets"
                } else {
                    "the stack creates nothing it matches"
                },
            })
        })
        .collect()
}
