//! What the real provider (scaleway/scaleway v2.79.0, tag `v2.79.0` = commit
//! bc63efddd38add864e264428d94e38cfa27dd7e4) does beyond its schema, as far as
//! a deployment's life depends on it:
//!
//! - ForceNew arguments (the workspace's `schema/forcenew.json`, extracted from the provider's
//!   source at that commit, each path with its source line) are returned in
//!   `requires_replace` when their value changes, so Terraform plans a
//!   replacement;
//! - the diff-suppress functions of that table (SDKv2 `DiffSuppressFunc`): a
//!   suppressed change plans the prior value;
//! - read-time rewrites: values the provider's Read functions set from the
//!   remote object rather than from the configuration (a DNS record's project is
//!   its zone's, ...). SDKv2's Create ends with Read, so they apply on apply too;
//! - `data.scaleway_iam_api_key`: `user_id` for a user's key, `application_id`
//!   (and no `user_id`) for an application's;
//! - a "cloud" folder (`STUB_CLOUD_DIR`, optional) where the stub keeps what
//!   the scripts' own tools would see: bucket owners and secret versions.
//!
//! Source lines are cited as `PATH:LINE` at v2.79.0, i.e.
//! <https://github.com/scaleway/terraform-provider-scaleway/blob/v2.79.0/PATH#LLINE>.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rmpv::Value;
use serde_json::Value as Json;

use crate::proto::tfplugin6 as tf;
use crate::schema::{Block, Nesting};
use crate::values::{get, is_unknown, set};

/// The project of every DNS zone, unless `STUB_DNS_ZONE_PROJECT` says otherwise:
/// a zone is added to a project before the first deploy, never to a project the
/// configuration creates.
pub const DEFAULT_ZONE_PROJECT: &str = "0d0e0f10-dead-4bee-8f00-20202020dada";
/// The provider's default project (`SCW_DEFAULT_PROJECT_ID` when set).
pub const DEFAULT_PROJECT: &str = "0c0c0c0c-0000-4000-8000-00000000c0de";

fn default_forcenew_path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/forcenew.json").to_string()
}

#[derive(Debug, Default)]
pub struct Behaviour {
    /// type -> ForceNew argument paths, dotted inside blocks.
    forcenew: BTreeMap<String, Vec<String>>,
    /// type -> top-level argument -> diff-suppress function name.
    suppress: BTreeMap<String, BTreeMap<String, String>>,
}

impl Behaviour {
    /// Reads `$STUB_PROVIDER_FORCENEW`, by default the workspace's `schema/forcenew.json`.
    pub fn load() -> Result<Self, String> {
        let path =
            std::env::var("STUB_PROVIDER_FORCENEW").unwrap_or_else(|_| default_forcenew_path());
        let text = std::fs::read_to_string(&path).map_err(|e| format!("reading {path}: {e}"))?;
        let j: Json = serde_json::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))?;
        Self::from_json(&j).map_err(|e| format!("{path}: {e}"))
    }

    pub fn from_json(j: &Json) -> Result<Self, String> {
        let obj = j.as_object().ok_or("not a JSON object")?;
        let mut b = Behaviour::default();
        for (ty, paths) in obj {
            if ty.starts_with('_') {
                continue;
            }
            let paths = paths
                .as_array()
                .ok_or_else(|| format!("{ty}: not a list"))?;
            b.forcenew.insert(
                ty.clone(),
                paths
                    .iter()
                    .filter_map(|p| p.as_str().map(str::to_string))
                    .collect(),
            );
        }
        if let Some(sup) = obj.get("_diff_suppress").and_then(Json::as_object) {
            for (ty, attrs) in sup {
                let m = attrs
                    .as_object()
                    .map(|a| {
                        a.iter()
                            .filter_map(|(k, f)| Some((k.clone(), f.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                b.suppress.insert(ty.clone(), m);
            }
        }
        Ok(b)
    }

    pub fn forcenew(&self, ty: &str) -> &[String] {
        self.forcenew.get(ty).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Planning an update: suppressed diffs keep the prior value, then the
    /// ForceNew arguments whose value changes are returned (Terraform plans a
    /// replacement when there is any).
    pub fn plan_update(
        &self,
        ty: &str,
        block: &Block,
        prior: &Value,
        planned: &mut Value,
    ) -> Vec<tf::AttributePath> {
        self.suppress_diffs(ty, prior, planned);
        let mut out = vec![];
        for path in self.forcenew(ty) {
            let segs: Vec<&str> = path.split('.').collect();
            changed_paths(block, Some(prior), Some(planned), &segs, vec![], &mut out);
        }
        out
    }

    fn suppress_diffs(&self, ty: &str, prior: &Value, planned: &mut Value) {
        let mut funcs: Vec<(String, String)> = self
            .suppress
            .get(ty)
            .map(|m| m.iter().map(|(k, f)| (k.clone(), f.clone())).collect())
            .unwrap_or_default();
        for (t, attr, func) in EXTRA_SUPPRESS {
            if *t == ty && !funcs.iter().any(|(a, _)| a == attr) {
                funcs.push((attr.to_string(), func.to_string()));
            }
        }
        for (attr, func) in funcs {
            if attr.contains('.') {
                continue; // only top-level arguments are suppressed here
            }
            let old = get(prior, &attr).cloned().unwrap_or(Value::Nil);
            let new = get(planned, &attr).cloned().unwrap_or(Value::Nil);
            if is_unknown(&new) || old == new {
                continue;
            }
            let (o, n) = (str_of(&old), str_of(&new));
            let suppressed = match func.as_str() {
                // internal/locality/dsf.go:6
                "locality.SuppressSDKNullAssignment" => {
                    (n.is_empty() && !o.is_empty()) || (!n.is_empty() && o.is_empty())
                }
                // internal/dsf/locality.go:10 (locality.ExpandID: the part after REGION/)
                "dsf.Locality" => expand_id(&o) == expand_id(&n),
                // internal/services/domain/record.go:98 (normalizeRecordName,
                // internal/services/domain/helpers.go:672)
                f if f.contains("domain/record.go") => {
                    let zone = get(planned, "dns_zone").map(str_of).unwrap_or_default();
                    normalize_record_name(&o, &zone) == normalize_record_name(&n, &zone)
                }
                // internal/dsf/... IgnoreCaseAndHyphen
                "dsf.IgnoreCaseAndHyphen" => {
                    let f = |s: &str| s.to_ascii_lowercase().replace('-', "_");
                    f(&o) == f(&n)
                }
                "SuppressEquivalentPolicyDiffs" => {
                    match (
                        serde_json::from_str::<Json>(&o),
                        serde_json::from_str::<Json>(&n),
                    ) {
                        (Ok(a), Ok(b)) => a == b,
                        _ => false,
                    }
                }
                _ => false,
            };
            if suppressed {
                set(planned, &attr, old);
            }
        }
    }
}

/// Diff-suppress functions of arguments that are not ForceNew, which the table
/// leaves out, for the resources cellac writes.
const EXTRA_SUPPRESS: &[(&str, &str, &str)] = &[
    // internal/services/object/bucket_policy.go:43
    ("scaleway_object_bucket_policy", "bucket", "dsf.Locality"),
    // internal/services/object/bucket_policy.go:49
    (
        "scaleway_object_bucket_policy",
        "policy",
        "SuppressEquivalentPolicyDiffs",
    ),
    // internal/services/object/object.go:51
    ("scaleway_object", "bucket", "dsf.Locality"),
];

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// internal/locality/ids.go:4 ExpandID: `fr-par/x` -> `x`; anything else as is.
pub fn expand_id(s: &str) -> String {
    match s.split_once('/') {
        Some((_, id)) if !id.contains('/') => id.to_string(),
        _ => s.to_string(),
    }
}

/// internal/services/domain/helpers.go:672
fn normalize_record_name(name: &str, zone: &str) -> String {
    if name.is_empty() || name == "@" {
        return String::new();
    }
    let name = name.trim_end_matches('.');
    let zone = zone.trim_end_matches('.');
    if name == zone {
        return String::new();
    }
    match name.strip_suffix(&format!(".{zone}")) {
        Some(before) => before.to_string(),
        None => name.to_string(),
    }
}

fn attr_step(name: &str) -> tf::attribute_path::Step {
    tf::attribute_path::Step {
        selector: Some(tf::attribute_path::step::Selector::AttributeName(
            name.to_string(),
        )),
    }
}

fn index_step(i: usize) -> tf::attribute_path::Step {
    tf::attribute_path::Step {
        selector: Some(tf::attribute_path::step::Selector::ElementKeyInt(i as i64)),
    }
}

fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    a.unwrap_or(&Value::Nil) == b.unwrap_or(&Value::Nil)
}

/// Pushes the path of every value at `segs` (dotted through nested blocks) that
/// differs between `prior` and `planned`. An unknown planned value is a change
/// (SDKv2 plans a ForceNew attribute that becomes unknown as a replacement).
fn changed_paths(
    block: &Block,
    prior: Option<&Value>,
    planned: Option<&Value>,
    segs: &[&str],
    steps: Vec<tf::attribute_path::Step>,
    out: &mut Vec<tf::AttributePath>,
) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let a = prior.and_then(|p| get(p, first));
    let b = planned.and_then(|p| get(p, first));
    let mut here = steps.clone();
    here.push(attr_step(first));
    if rest.is_empty() || (same(a, b) && !b.is_some_and(is_unknown)) {
        if !same(a, b) {
            out.push(tf::AttributePath { steps: here });
        }
        return;
    }
    let Some(nb) = block.block_types.get(*first) else {
        // A nested attribute of an object type: the whole attribute.
        if !same(a, b) {
            out.push(tf::AttributePath { steps: here });
        }
        return;
    };
    match nb.nesting {
        Nesting::Single | Nesting::Group => changed_paths(&nb.block, a, b, rest, here, out),
        Nesting::List => {
            let items = |v: Option<&Value>| match v {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![],
            };
            if a.is_some_and(is_unknown) || b.is_some_and(is_unknown) {
                out.push(tf::AttributePath { steps: here });
                return;
            }
            let (ia, ib) = (items(a), items(b));
            for i in 0..ia.len().max(ib.len()) {
                let mut p = here.clone();
                p.push(index_step(i));
                changed_paths(&nb.block, ia.get(i), ib.get(i), rest, p, out);
            }
        }
        // Set and map elements: the block as a whole.
        Nesting::Set | Nesting::Map => out.push(tf::AttributePath { steps: here }),
    }
}

// ---------------------------------------------------------------- the world

/// What the provider instance knows beyond one request: its configuration
/// (region, default project) and the environment of the run.
#[derive(Debug, Clone)]
pub struct World {
    pub region: String,
    pub default_project: String,
    pub zone_project: String,
    pub cloud: Option<PathBuf>,
    /// Access keys that belong to an IAM application (`STUB_APPLICATION_KEYS`).
    pub app_keys: Vec<String>,
}

impl World {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        World {
            region: var("SCW_DEFAULT_REGION").unwrap_or_else(|| "fr-par".into()),
            default_project: var("SCW_DEFAULT_PROJECT_ID")
                .unwrap_or_else(|| DEFAULT_PROJECT.into()),
            zone_project: var("STUB_DNS_ZONE_PROJECT")
                .unwrap_or_else(|| DEFAULT_ZONE_PROJECT.into()),
            cloud: var("STUB_CLOUD_DIR").map(PathBuf::from),
            app_keys: var("STUB_APPLICATION_KEYS")
                .map(|v| {
                    v.split([',', ' ', '\n'])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The provider block's `region` and `project_id`, when set, win over the
    /// environment (as in the real provider).
    pub fn configure(&mut self, cfg: &Value) {
        if let Some(r) = get(cfg, "region").and_then(Value::as_str) {
            if !r.is_empty() {
                self.region = r.to_string();
            }
        }
        if let Some(p) = get(cfg, "project_id").and_then(Value::as_str) {
            if !p.is_empty() {
                self.default_project = p.to_string();
            }
        }
    }

    /// Whether an access key belongs to an IAM application: listed in
    /// `STUB_APPLICATION_KEYS`, or starting with `SCWAPP`.
    pub fn is_application_key(&self, key: &str) -> bool {
        key.starts_with("SCWAPP") || self.app_keys.iter().any(|k| k == key)
    }

    fn cloud_file(&self, kind: &str, name: &str) -> Option<PathBuf> {
        let dir = self.cloud.as_ref()?.join(kind);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Some(dir.join(safe))
    }

    fn cloud_write(&self, kind: &str, name: &str, content: &str) {
        if let Some(f) = self.cloud_file(kind, name) {
            if let Some(d) = f.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            let _ = std::fs::write(f, content);
        }
    }

    fn cloud_read(&self, kind: &str, name: &str) -> Option<String> {
        std::fs::read_to_string(self.cloud_file(kind, name)?).ok()
    }

    fn cloud_remove(&self, kind: &str, name: &str) {
        if let Some(f) = self.cloud_file(kind, name) {
            let _ = std::fs::remove_file(f);
        }
    }

    /// `data.scaleway_account_project` by id: its id is the `project_id` given, else
    /// the default project (internal/services/account/project_data_source.go:71-81 at
    /// v2.79.0: `meta.ExtractProjectID`, then `d.SetId(projectID)` and `project_id`).
    /// Looked up by `name`, it keeps the filled-in id.
    pub fn project_data_source(&self, cfg: &mut Value) {
        if get(cfg, "name").is_some_and(|n| !str_of(n).is_empty()) {
            return;
        }
        let id = get(cfg, "project_id")
            .map(str_of)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| self.default_project.clone());
        set(cfg, "id", Value::from(id.as_str()));
        set(cfg, "project_id", Value::from(id.as_str()));
    }

    /// Project ids of a key's bearer: a stable UUID derived from the key.
    pub fn api_key_data_source(&self, cfg: &mut Value) {
        let key = get(cfg, "access_key").map(str_of).unwrap_or_default();
        // internal/services/iam/api_key.go:198-204: application_id is set only
        // for an application's key, user_id only for a user's.
        if self.is_application_key(&key) {
            set(
                cfg,
                "application_id",
                Value::from(uuid_of(&["application", &key])),
            );
            set(cfg, "user_id", Value::Nil);
        } else {
            set(cfg, "user_id", Value::from(uuid_of(&["user", &key])));
            set(cfg, "application_id", Value::Nil);
        }
        set(
            cfg,
            "default_project_id",
            Value::from(self.default_project.as_str()),
        );
    }

    /// The rewrites of the provider's Read function for this type.
    pub fn read_rewrite(&self, ty: &str, state: &mut Value) {
        if *state == Value::Nil {
            return;
        }
        match ty {
            "scaleway_domain_record" => {
                // internal/services/domain/record.go:451 and :471: project_id is
                // the DNS zone's project, whatever the configuration said.
                set(state, "project_id", Value::from(self.zone_project.as_str()));
            }
            "scaleway_object_bucket_policy" => {
                let bucket = get(state, "bucket").map(str_of).unwrap_or_default();
                let region = match get(state, "region").map(str_of) {
                    Some(r) if !r.is_empty() => r,
                    _ => self.region.clone(),
                };
                // internal/services/object/bucket_policy.go:124: region.
                set(state, "region", Value::from(region.as_str()));
                // bucket_policy.go:157: bucket becomes the regional id REGION/NAME
                // (a diff dsf.Locality suppresses, bucket_policy.go:43).
                let name = expand_id(&bucket);
                set(state, "bucket", Value::from(format!("{region}/{name}")));
                // bucket_policy.go:171: project_id is the bucket owner's project.
                if let Some(owner) = self.cloud_read("buckets", &name) {
                    set(state, "project_id", Value::from(owner.trim()));
                }
            }
            "scaleway_object_bucket_website_configuration" => {
                let bucket = get(state, "bucket").map(str_of).unwrap_or_default();
                let name = expand_id(&bucket);
                // internal/services/object/bucket_website_configuration.go:183:
                // bucket is the plain name.
                set(state, "bucket", Value::from(name.as_str()));
                // bucket_website_configuration.go:204: project_id is the bucket
                // owner's project.
                if let Some(owner) = self.cloud_read("buckets", &name) {
                    set(state, "project_id", Value::from(owner.trim()));
                }
            }
            "scaleway_object_bucket_acl" => {
                let bucket = get(state, "bucket").map(str_of).unwrap_or_default();
                let name = expand_id(&bucket);
                // internal/services/object/bucket_acl.go:469: bucket without its
                // region; :468: project_id is the bucket owner's project.
                set(state, "bucket", Value::from(name.as_str()));
                if let Some(owner) = self.cloud_read("buckets", &name) {
                    set(state, "project_id", Value::from(owner.trim()));
                }
            }
            "scaleway_container" => {
                // internal/services/container/container.go:461-462: registry_image
                // and image are both the container's image, whichever was set.
                let image = [get(state, "image"), get(state, "registry_image")]
                    .into_iter()
                    .flatten()
                    .find_map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string));
                if let Some(image) = image {
                    set(state, "image", Value::from(image.as_str()));
                    set(state, "registry_image", Value::from(image.as_str()));
                }
                // container.go:464: domain_name is the public endpoint's host.
                if let Some(ep) = get(state, "public_endpoint").and_then(Value::as_str) {
                    let host = ep.trim_start_matches("https://").to_string();
                    set(state, "domain_name", Value::from(host));
                }
            }
            _ => {}
        }
        // Regional resources: Read sets region (e.g. internal/services/object/
        // bucket.go:746, container/container.go:480); a null region in the
        // configuration is then suppressed by locality.SuppressSDKNullAssignment
        // (internal/locality/dsf.go:6).
        if get(state, "region").is_some_and(|r| *r == Value::Nil) {
            set(state, "region", Value::from(self.region.as_str()));
        }
    }

    /// After apply: what the remote side now holds, for the Read of other
    /// resources and for the stand-in tools of the scenarios.
    pub fn record_apply(
        &self,
        ty: &str,
        prior: &Value,
        new: &Value,
        config: &Value,
    ) -> Result<(), String> {
        match ty {
            "scaleway_object_bucket" => {
                if *prior != Value::Nil {
                    if let Some(name) = get(prior, "name").and_then(Value::as_str) {
                        if *new == Value::Nil || get(new, "name") != get(prior, "name") {
                            self.delete_bucket(name, prior)?;
                        }
                        self.cloud_remove("buckets", name);
                    }
                }
                if *new != Value::Nil {
                    if let (Some(name), Some(project)) = (
                        get(new, "name").and_then(Value::as_str),
                        get(new, "project_id").and_then(Value::as_str),
                    ) {
                        self.cloud_write("buckets", name, project);
                    }
                }
            }
            "scaleway_container" => {
                // What the Containers API answers for it (the stand-in curl reads it).
                if *prior != Value::Nil {
                    let id = expand_id(&get(prior, "id").map(str_of).unwrap_or_default());
                    self.cloud_remove("containers", &format!("{id}.json"));
                }
                if *new != Value::Nil {
                    let id = expand_id(&get(new, "id").map(str_of).unwrap_or_default());
                    let field = |k: &str| get(new, k).map(str_of).unwrap_or_default();
                    let rec = serde_json::json!({
                        "id": id,
                        "name": field("name"),
                        "status": "ready",
                        "registry_image": field("registry_image"),
                        "registry_sha256": get(new, "registry_sha256").and_then(Value::as_str),
                        "privacy": field("privacy"),
                    });
                    self.cloud_write("containers", &format!("{id}.json"), &rec.to_string());
                }
            }
            "scaleway_job_definition" => {
                // What the Serverless Jobs API runs (the stand-in curl reads it).
                if *prior != Value::Nil {
                    let id = expand_id(&get(prior, "id").map(str_of).unwrap_or_default());
                    self.cloud_remove("jobs", &format!("{id}.json"));
                }
                if *new != Value::Nil {
                    let id = expand_id(&get(new, "id").map(str_of).unwrap_or_default());
                    let refs: Vec<Json> = match get(new, "secret_reference") {
                        Some(Value::Array(items)) => items
                            .iter()
                            .map(|r| {
                                let f =
                                    |k: &str| get(r, k).and_then(Value::as_str).map(str::to_string);
                                serde_json::json!({
                                    "environment": f("environment"),
                                    "file": f("file"),
                                    "secret_id": f("secret_id"),
                                    "secret_version": f("secret_version"),
                                })
                            })
                            .collect(),
                        _ => vec![],
                    };
                    let rec = serde_json::json!({
                        "id": id,
                        "name": get(new, "name").map(str_of),
                        "image_uri": get(new, "image_uri").map(str_of),
                        "secret_reference": refs,
                    });
                    self.cloud_write("jobs", &format!("{id}.json"), &rec.to_string());
                }
            }
            "scaleway_secret_version" if *new != Value::Nil => {
                // internal/services/secret/version.go:141: the payload is data_wo
                // when set (write-only: never in state), else data.
                let data = get(config, "data_wo")
                    .and_then(Value::as_str)
                    .or_else(|| get(config, "data").and_then(Value::as_str))
                    .unwrap_or_default();
                let secret = expand_id(&get(new, "secret_id").map(str_of).unwrap_or_default());
                let revision = get(new, "revision").map(str_of).unwrap_or_default();
                self.cloud_write("secrets", &format!("{secret}.{revision}"), data);
            }
            _ => {}
        }
        Ok(())
    }

    /// Deleting a bucket: refused while it holds objects, unless force_destroy
    /// (internal/services/object/bucket.go:1072-1076). The objects are those the
    /// stand-in aws keeps in `$STUB_S3_DIR/NAME`.
    fn delete_bucket(&self, name: &str, prior: &Value) -> Result<(), String> {
        let Some(dir) = std::env::var_os("STUB_S3_DIR").map(|d| PathBuf::from(d).join(name)) else {
            return Ok(());
        };
        let non_empty = walk_has_file(&dir);
        if non_empty && get(prior, "force_destroy") != Some(&Value::Boolean(true)) {
            return Err(format!(
                "error deleting bucket {name}: BucketNotEmpty: The bucket you tried to delete is not empty (force_destroy is false)"
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }

    /// The next revision of a secret: one more than the versions applied so far.
    pub fn next_secret_revision(&self, secret_id: &str) -> i64 {
        let secret = expand_id(secret_id);
        let Some(dir) = self.cloud.as_ref().map(|c| c.join("secrets")) else {
            return 1;
        };
        let prefix = format!("{secret}.");
        let n = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
                    .count()
            })
            .unwrap_or(0);
        n as i64 + 1
    }
}

fn walk_has_file(dir: &std::path::Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).any(|e| {
                let p = e.path();
                if p.is_dir() {
                    walk_has_file(&p)
                } else {
                    true
                }
            })
        })
        .unwrap_or(false)
}

/// A stable UUID (version-4 shaped) from its parts (FNV-1a, two rounds).
pub fn uuid_of(parts: &[&str]) -> String {
    let mut h1: u64 = 0xcbf2_9ce4_8422_2325;
    let mut h2: u64 = 0x8422_2325_cbf2_9ce4;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h1 = (h1 ^ b as u64).wrapping_mul(0x100_0000_01b3);
            h2 = (h2 ^ b as u64).wrapping_mul(0x100_0000_01b3).rotate_left(7);
        }
    }
    let hex = format!("{h1:016x}{h2:016x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_names_normalise_like_the_provider() {
        assert_eq!(normalize_record_name("@", "a.com"), "");
        assert_eq!(normalize_record_name("api.a.com.", "a.com"), "api");
        assert_eq!(normalize_record_name("api", "a.com"), "api");
    }

    use crate::schema::ProviderSchema;

    fn provider() -> ProviderSchema {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/scaleway.json");
        ProviderSchema::load(path).expect("schema loads")
    }

    fn behaviour() -> Behaviour {
        let path = default_forcenew_path();
        let j: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        Behaviour::from_json(&j).unwrap()
    }

    fn obj(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (Value::from(*k), Value::from(*v)))
                .collect(),
        )
    }

    fn names(paths: &[tf::AttributePath]) -> Vec<String> {
        paths
            .iter()
            .map(|p| {
                p.steps
                    .iter()
                    .map(|s| match &s.selector {
                        Some(tf::attribute_path::step::Selector::AttributeName(n)) => n.clone(),
                        Some(tf::attribute_path::step::Selector::ElementKeyInt(i)) => i.to_string(),
                        _ => "?".into(),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            })
            .collect()
    }

    fn world() -> World {
        World {
            region: "nl-ams".into(),
            default_project: DEFAULT_PROJECT.into(),
            zone_project: DEFAULT_ZONE_PROJECT.into(),
            cloud: None,
            app_keys: vec!["SCWXXAPPLICATION0001".into()],
        }
    }

    #[test]
    fn a_changed_forcenew_argument_requires_replacement() {
        let (s, b) = (provider(), behaviour());
        let block = &s.resources["scaleway_object_bucket"].block;
        let prior = obj(&[("name", "a"), ("region", "nl-ams"), ("project_id", "p")]);
        let mut same = prior.clone();
        assert!(b
            .plan_update("scaleway_object_bucket", block, &prior, &mut same)
            .is_empty());
        let mut renamed = obj(&[("name", "b"), ("region", "nl-ams"), ("project_id", "p")]);
        let rr = b.plan_update("scaleway_object_bucket", block, &prior, &mut renamed);
        assert_eq!(names(&rr), ["name"]);
        // An argument that is not ForceNew updates in place.
        let block = &s.resources["scaleway_container"].block;
        let prior = obj(&[
            ("name", "c"),
            ("namespace_id", "n"),
            ("registry_image", "i:1"),
        ]);
        let mut next = obj(&[
            ("name", "c"),
            ("namespace_id", "n"),
            ("registry_image", "i:2"),
        ]);
        assert!(b
            .plan_update("scaleway_container", block, &prior, &mut next)
            .is_empty());
    }

    #[test]
    fn a_record_read_takes_its_zone_project_and_then_replaces() {
        let (s, b) = (provider(), behaviour());
        let block = &s.resources["scaleway_domain_record"].block;
        let mut state = obj(&[
            ("name", "api"),
            ("dns_zone", "a.com"),
            ("project_id", "env"),
        ]);
        world().read_rewrite("scaleway_domain_record", &mut state);
        assert_eq!(
            get(&state, "project_id").and_then(Value::as_str),
            Some(DEFAULT_ZONE_PROJECT)
        );
        // Configured with the environment's project: replaced on every plan.
        let mut cfg = obj(&[
            ("name", "api"),
            ("dns_zone", "a.com"),
            ("project_id", "env"),
        ]);
        let rr = b.plan_update("scaleway_domain_record", block, &state, &mut cfg);
        assert_eq!(names(&rr), ["project_id"]);
        // Left to the provider (null in the configuration keeps the prior
        // value, as Terraform's proposed state does): nothing.
        let mut cfg = obj(&[("name", "api.a.com."), ("dns_zone", "a.com")]);
        set(&mut cfg, "project_id", Value::from(DEFAULT_ZONE_PROJECT));
        let rr = b.plan_update("scaleway_domain_record", block, &state, &mut cfg);
        assert!(rr.is_empty(), "{:?}", names(&rr));
        // record.go:98: "api.a.com." and "api" are the same name.
        assert_eq!(get(&cfg, "name").and_then(Value::as_str), Some("api"));
    }

    #[test]
    fn locality_and_null_region_diffs_are_suppressed() {
        let (s, b) = (provider(), behaviour());
        let block = &s.resources["scaleway_object_bucket_policy"].block;
        let mut state = obj(&[("bucket", "b"), ("policy", "{\"a\": 1}")]);
        set(&mut state, "region", Value::Nil);
        world().read_rewrite("scaleway_object_bucket_policy", &mut state);
        assert_eq!(
            get(&state, "bucket").and_then(Value::as_str),
            Some("nl-ams/b")
        );
        let mut cfg = obj(&[("bucket", "b"), ("policy", "{\"a\":1}")]);
        set(&mut cfg, "region", Value::Nil);
        let rr = b.plan_update("scaleway_object_bucket_policy", block, &state, &mut cfg);
        assert!(rr.is_empty(), "{:?}", names(&rr));
        assert_eq!(cfg, state, "every suppressed diff plans the prior value");
    }

    #[test]
    fn a_new_data_wo_version_replaces_the_secret_version() {
        let (s, b) = (provider(), behaviour());
        let block = &s.resources["scaleway_secret_version"].block;
        let mut prior = obj(&[("secret_id", "fr-par/s")]);
        set(&mut prior, "data_wo_version", Value::from(1));
        let mut same = prior.clone();
        assert!(b
            .plan_update("scaleway_secret_version", block, &prior, &mut same)
            .is_empty());
        let mut next = obj(&[("secret_id", "fr-par/s")]);
        set(&mut next, "data_wo_version", Value::from(2));
        let rr = b.plan_update("scaleway_secret_version", block, &prior, &mut next);
        assert_eq!(names(&rr), ["data_wo_version"]);
    }

    #[test]
    fn an_application_key_has_no_user_id() {
        let w = world();
        let mut app = obj(&[("access_key", "SCWXXAPPLICATION0001")]);
        w.api_key_data_source(&mut app);
        assert_eq!(get(&app, "user_id"), Some(&Value::Nil));
        assert!(get(&app, "application_id")
            .and_then(Value::as_str)
            .is_some());
        let mut prefixed = obj(&[("access_key", "SCWAPP00000000000002")]);
        w.api_key_data_source(&mut prefixed);
        assert_eq!(get(&prefixed, "user_id"), Some(&Value::Nil));
        let mut user = obj(&[("access_key", "SCWUSER0000000000001")]);
        w.api_key_data_source(&mut user);
        assert_eq!(get(&user, "application_id"), Some(&Value::Nil));
        assert!(get(&user, "user_id").and_then(Value::as_str).is_some());
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(uuid_of(&["a", "b"]), uuid_of(&["a", "b"]));
        assert_ne!(uuid_of(&["a", "b"]), uuid_of(&["ab"]));
        assert_eq!(uuid_of(&["x"]).len(), 36);
        assert_eq!(expand_id("fr-par/abc"), "abc");
        assert_eq!(expand_id("abc"), "abc");
    }
}
