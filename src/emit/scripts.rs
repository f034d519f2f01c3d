//! The deploy scripts (`scripts/*.sh`) and the generated `README.md`, rendered from
//! the handlebars templates in `templates/`.
//!
//! Templates render in strict mode (a missing field is an error, not an empty
//! string) with HTML escaping off. In the scripts, every value that comes from the
//! stack goes through `{{sh x}}`, which single-quotes it for bash. `scripts/lib.sh`,
//! which every script sources, is no template: the same file for every stack
//! (`templates/lib.sh`), it sources `scripts/stack.sh`, the stack's values as shell
//! variables, and tests them at run time.
//!
//! The scripts rely on this contract with the Terraform emitter: root outputs
//! `registry_endpoint` (when some service builds its image), `service_NAME_url`,
//! `service_NAME_id` (the container's `REGION/UUID`), `site_NAME_bucket` and
//! `site_NAME_url` (NAME with `-` as `_`), and, when the stack has services,
//! `dns_records_to_create` (host -> CNAME target); the root variables `image_tag`
//! and, when the stack has services, `attached_domains` (list(string), default
//! `[]`: the custom container domains to attach, see `templates/apply.sh.hbs`); the
//! resource type `scaleway_container_domain` keyed by host; the files
//! `environments/ENV.tfvars.json` (its `names.registry`: images.sh looks for an
//! image of the same commit in the other environments' namespaces), optionally
//! `secrets/ENV.tfvars` and, with `state`, `environments/ENV.s3.tfbackend`; the
//! module call `module.registry` and the migration jobs
//! `module.jobs.scaleway_job_definition.this["SERVICE-migrate"]`. Also (the `tf`
//! branch's interface): the outputs `environment` (checked before every plan),
//! `project_id` (buckets are reached as ACCESS_KEY@PROJECT_ID) and `health_tokens`
//! (private service -> its own token), the variables `image_digests`
//! (map name -> "sha256:...") and `force_destroy` (true in a preview's tfvars).
//! Sites' buckets are readable by everyone through their bucket policy: the
//! scripts upload objects without ACLs.

use crate::model::{Image, Stack};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `scripts/lib.sh`, sourced by every script: not a template, the same bytes for every
/// stack. It reads the stack's values from `scripts/stack.sh` (`templates/stack.sh.hbs`)
/// and tests them at run time.
const LIB: &str = include_str!("../../templates/lib.sh");

/// The scripts: (path in the output folder, template name, template text).
const SCRIPTS: [(&str, &str, &str); 16] = [
    (
        "scripts/stack.sh",
        "stack",
        include_str!("../../templates/stack.sh.hbs"),
    ),
    (
        "scripts/deploy.sh",
        "deploy",
        include_str!("../../templates/deploy.sh.hbs"),
    ),
    (
        "scripts/init.sh",
        "init",
        include_str!("../../templates/init.sh.hbs"),
    ),
    (
        "scripts/images.sh",
        "images",
        include_str!("../../templates/images.sh.hbs"),
    ),
    (
        "scripts/apply.sh",
        "apply",
        include_str!("../../templates/apply.sh.hbs"),
    ),
    (
        "scripts/site.sh",
        "site",
        include_str!("../../templates/site.sh.hbs"),
    ),
    (
        "scripts/health.sh",
        "health",
        include_str!("../../templates/health.sh.hbs"),
    ),
    (
        "scripts/preview.sh",
        "preview",
        include_str!("../../templates/preview.sh.hbs"),
    ),
    (
        "scripts/status.sh",
        "status",
        include_str!("../../templates/status.sh.hbs"),
    ),
    (
        "scripts/logs.sh",
        "logs",
        include_str!("../../templates/logs.sh.hbs"),
    ),
    (
        "scripts/rollback.sh",
        "rollback",
        include_str!("../../templates/rollback.sh.hbs"),
    ),
    (
        "scripts/migrate.sh",
        "migrate",
        include_str!("../../templates/migrate.sh.hbs"),
    ),
    (
        "scripts/job.sh",
        "job",
        include_str!("../../templates/job.sh.hbs"),
    ),
    (
        "scripts/destroy.sh",
        "destroy",
        include_str!("../../templates/destroy.sh.hbs"),
    ),
    (
        "scripts/promote.sh",
        "promote",
        include_str!("../../templates/promote.sh.hbs"),
    ),
    (
        "scripts/bootstrap.sh",
        "bootstrap",
        include_str!("../../templates/bootstrap.sh.hbs"),
    ),
];
const HEADER: &str = include_str!("../../templates/header.hbs");
const README: &str = include_str!("../../templates/README.md.hbs");

/// Quotes `s` for bash: always single quotes, a `'` inside written as `'"'"'`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r#"'"'"'"#))
}

/// `{{sh x}}`: a string, number or boolean, single-quoted for bash.
fn sh_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let param = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("sh", 0))?;
    let text = match param.value() {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => {
            return Err(
                RenderErrorReason::InvalidParamType("sh takes a string, number or boolean").into(),
            )
        }
    };
    out.write(&shell_quote(&text))?;
    Ok(())
}

/// The templates compiled so far: each is compiled the first time it renders, once per
/// process (a build whose scripts are reused from the last one compiles none).
static REGISTRY: std::sync::Mutex<Option<Handlebars<'static>>> = std::sync::Mutex::new(None);

/// Renders the template `name` (a script's, or `readme`) with `data`, compiling it first
/// when this process has not yet.
#[allow(
    clippy::expect_used,
    reason = "the templates are embedded at compile time, and every build test renders them"
)]
fn render_template(name: &str, data: &Value) -> String {
    // A panic while rendering (a template bug) leaves nothing half-registered: the
    // registry is still usable.
    let mut guard = REGISTRY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let hb = guard.get_or_insert_with(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(handlebars::no_escape);
        hb.register_helper("sh", Box::new(sh_helper));
        hb.register_partial("header", HEADER)
            .expect("templates/header.hbs parses");
        hb
    });
    if !hb.has_template(name) {
        let text = if name == "readme" {
            README
        } else {
            SCRIPTS
                .iter()
                .find(|(_, n, _)| *n == name)
                .map(|(_, _, t)| *t)
                .unwrap_or_else(|| panic!("no template named {name}"))
        };
        // Compiled in pieces: the same templates, several times sooner (see `template`).
        let t = super::template::compile(name, text)
            .unwrap_or_else(|e| panic!("templates/{name}: {e}"));
        hb.register_template(name, t);
    }
    hb.render(name, data)
        .unwrap_or_else(|e| panic!("rendering templates/{name}: {e}"))
}

/// Text an earlier build rendered, asked for by group (`scripts`, `readme`) and the
/// fingerprint of the data it was rendered from: the files (path -> bytes) when they
/// are known, as they were rendered. See [`fingerprint`].
pub type Earlier<'a> = &'a dyn Fn(&str, &str) -> Option<BTreeMap<String, Vec<u8>>>;

/// What the templates rendered in one group: the fingerprint of their data, and the
/// paths of the files it gave, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// [`fingerprint`] of the group's template data.
    pub fingerprint: String,
    /// The files the group gave (or would give), sorted.
    pub paths: Vec<String>,
}

/// The fingerprint of a group's template data: rendering is a pure function of the
/// templates (the same cellac) and this data, so text rendered from data with the same
/// fingerprint by the same cellac is the text a render would give. The caller vouches
/// for "the same cellac" (`write::earlier` checks the binary).
pub fn fingerprint(group: &str, data: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [env!("CARGO_PKG_VERSION"), group, &data.to_string()] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The earlier build's files for (`group`, `fp`), as text; `None` when there are none
/// or one is not UTF-8 (then the group renders).
fn reuse(earlier: Option<Earlier>, group: &str, fp: &str) -> Option<BTreeMap<String, String>> {
    let files = earlier?(group, fp)?;
    files
        .into_iter()
        .map(|(p, b)| Some((p, String::from_utf8(b).ok()?)))
        .collect()
}

/// One permission set a deploy needs, and why (for bootstrap.sh and the README).
fn permission_set(name: &str, reason: &str) -> Value {
    json!({ "name": name, "reason": reason })
}

/// The IAM permission sets a deploy of the stack needs (in any environment), by
/// scope: `organization` (Organization-scoped sets) and `project` (Project-scoped
/// sets). Names from Scaleway's "Permission sets" page (docs/scaleway-facts.md).
fn permission_sets(envs: &[Stack], deployer_lookup: bool) -> Value {
    let shape = super::terraform::Shape::of(envs);
    let any = |f: &dyn Fn(&Stack) -> bool| envs.iter().any(f);
    let mut org = Vec::new();
    if shape.project {
        org.push(permission_set(
            "ProjectManager",
            "creates each environment's project (`project create=#true`)",
        ));
    }
    if shape.iam {
        org.push(permission_set(
            "IAMApplicationManager",
            "creates the services' IAM applications and their API keys (bucket, database, `link token=`)",
        ));
        org.push(permission_set(
            "IAMPolicyManager",
            "gives those applications their policies",
        ));
    }
    if deployer_lookup {
        org.push(permission_set(
            "IAMReadOnly",
            "reads whose key deploys, for the bucket policies (no `deployer` declared)",
        ));
    }
    let mut project = Vec::new();
    if shape.containers {
        project.push(permission_set(
            "ContainersFullAccess",
            "creates and updates the container namespace, containers, domains and tokens; reads their state (health.sh, status.sh, rollback.sh)",
        ));
    }
    if shape.registry {
        project.push(permission_set(
            "ContainerRegistryFullAccess",
            "creates the registry namespace; pushes, copies and deletes images",
        ));
    }
    if shape.storage || envs[0].state.is_some() {
        project.push(permission_set(
            "ObjectStorageFullAccess",
            "the Terraform state and release records, the buckets and the sites' objects",
        ));
    }
    if any(&Stack::has_bucket_policy) {
        project.push(permission_set(
            "ObjectStorageBucketPolicyFullAccess",
            "writes the bucket policies (sites, public buckets)",
        ));
    }
    // What jobs derive (a database URL, keys from their own IAM key or SQS credentials)
    // is written to Secret Manager too (modules/jobs), with or without declared secrets.
    let derives = shape.jobs
        && any(&|s| {
            s.jobs_use_iam()
                || s.jobs.iter().any(|j| !j.queues.is_empty())
                || s.services
                    .iter()
                    .any(|x| x.migrate.is_some() && !x.queues.is_empty())
        });
    if shape.secrets || derives {
        project.push(permission_set(
            "SecretManagerFullAccess",
            "stores the secrets that jobs read, one version per value",
        ));
    }
    if shape.jobs {
        project.push(permission_set(
            "ServerlessJobsFullAccess",
            "defines the jobs and runs the migrations (migrate.sh, job.sh)",
        ));
    }
    if shape.database {
        project.push(permission_set(
            "ServerlessSQLDatabaseFullAccess",
            "creates the Serverless SQL databases",
        ));
    }
    if shape.queues {
        project.push(permission_set(
            "MessagingAndQueuingFullAccess",
            "activates Queues, creates the queues and their SQS credentials (triggers need at least read access to them)",
        ));
    }
    if shape.network {
        project.push(permission_set("VPCFullAccess", "creates the VPC"));
        project.push(permission_set(
            "PrivateNetworksFullAccess",
            "creates the private network",
        ));
    }
    if shape.edge {
        project.push(permission_set(
            "EdgeServicesFullAccess",
            "serves the sites' domains through Edge Services",
        ));
    }
    if shape.dns {
        project.push(permission_set(
            "DomainsDNSFullAccess",
            "writes the DNS records in the `dns` zone",
        ));
    }
    if shape.containers || shape.monitoring {
        project.push(permission_set(
            "ObservabilityFullAccess",
            "Cockpit: the logs token, sources and alerts",
        ));
    }
    if any(&|s| !s.load_balancers.is_empty()) {
        project.push(permission_set(
            "LoadBalancersFullAccess",
            "creates the load balancers",
        ));
    }
    if any(&|s| !s.redis.is_empty()) {
        project.push(permission_set(
            "RedisFullAccess",
            "creates the Managed Database for Redis clusters",
        ));
    }
    json!({ "organization": org, "project": project })
}

/// `service_NAME_url`, `site_NAME_bucket`: a Terraform output name for a stack name.
fn output_name(kind: &str, name: &str, what: &str) -> String {
    format!("{kind}_{}_{what}", name.replace('-', "_"))
}

/// The template data shared by the scripts and the README.
pub(crate) fn data(envs: &[Stack], stack_path: &str) -> Value {
    let stack = &envs[0];
    // Every service of some environment; `partial`: `enabled=#false` in some.
    let all = crate::model::all_services(envs);
    // Every image the stack builds, with each environment's build (src/model/build.rs).
    let builds = crate::model::build::image_builds(envs);
    let put = |i: &crate::model::build::ImageBuild, e: &crate::model::build::EnvBuild| {
        json!({
            "name": i.name,
            "per_env": i.per_env,
            "dockerfile": e.dockerfile,
            "context": e.context,
            "platform": e.platform,
            "args": e.args.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect::<Vec<_>>(),
            "links": e.links.iter().map(|l| json!({ "key": l.key, "target": l.target, "url": l.url })).collect::<Vec<_>>(),
            "needs_hosts": e.needs_hosts(),
            // A `$` or backtick in a value is literal (single-quoted): said to shellcheck.
            "literal_dollar": e.args.iter().map(|(_, v)| v).chain(e.links.iter().map(|l| &l.url)).any(|v| v.contains(['$', '`'])),
        })
    };
    // Each environment's `put` lines; images.sh builds those that need a service's
    // host (known once the service runs) last.
    let env_images: Vec<Value> = envs
        .iter()
        .map(|s| {
            let pending: Vec<(
                &crate::model::build::ImageBuild,
                &crate::model::build::EnvBuild,
            )> = builds
                .iter()
                .filter_map(|i| Some((i, i.envs.iter().find(|e| e.env == s.env.value)?)))
                .collect();
            // Images that need no service's host first, in the stack's order (taken as
            // they are: no need to search among them, which was quadratic at 10,000).
            let (first, mut pending): (Vec<_>, Vec<_>) =
                pending.into_iter().partition(|(_, e)| !e.needs_hosts());
            let mut lines: Vec<Value> = first.into_iter().map(|(i, e)| put(i, e)).collect();
            // An image whose link needs a service's host comes after that service's own
            // image: a first deploy creates the service's container from it (the link
            // checks refuse cycles; were there one, the stack's order is kept).
            while !pending.is_empty() {
                let ready = pending
                    .iter()
                    .position(|(_, e)| {
                        !e.links.iter().any(|l| {
                            l.needs_host()
                                && pending.iter().any(|(other, _)| other.name == l.target)
                        })
                    })
                    .unwrap_or(0);
                let (i, e) = pending.remove(ready);
                lines.push(put(i, e));
            }
            json!({ "env": s.env.value, "images": lines })
        })
        .collect();
    // One list when every environment builds the same (the usual case), else one per
    // environment.
    let same = env_images
        .windows(2)
        .all(|w| w[0]["images"] == w[1]["images"]);
    let images: Vec<Value> = env_images
        .first()
        .and_then(|e| e["images"].as_array().cloned())
        .unwrap_or_default();
    let per_env_images: Vec<Value> = builds
        .iter()
        .filter_map(|i| Some(json!({ "name": i.name, "why": i.why_per_env()? })))
        .collect();
    let image_hosts = builds
        .iter()
        .any(|i| i.envs.iter().any(|e| e.needs_hosts()));
    // The stack's jobs, in any environment, in the order first seen.
    let mut jobs: Vec<&str> = Vec::new();
    for e in envs {
        for j in &e.jobs {
            if !jobs.contains(&j.name.value.as_str()) {
                jobs.push(&j.name.value);
            }
        }
    }
    let services: Vec<Value> = all
        .iter()
        .map(|&(s, partial)| {
            json!({
                "partial": partial,
                "name": s.name.value,
                "url_output": output_name("service", &s.name.value, "url"),
                "id_output": output_name("service", &s.name.value, "id"),
                "health_path": s.health.as_ref().map_or(String::new(), |h| h.path.value.clone()),
                "private": s.private,
                "built": matches!(s.image, Image::Build { .. }),
            })
        })
        .collect();
    let health: Vec<Value> = all
        .iter()
        .filter_map(|&(s, partial)| {
            let h = s.health.as_ref()?;
            Some(json!({
                "partial": partial,
                "name": s.name.value,
                "url_output": output_name("service", &s.name.value, "url"),
                "id_output": output_name("service", &s.name.value, "id"),
                "path": h.path.value,
                "private": s.private,
                "built": matches!(s.image, Image::Build { .. }),
            }))
        })
        .collect();
    let sites_of = |e: &Stack| -> Vec<Value> {
        e.sites
            .iter()
            .map(|s| {
                json!({
                    "name": s.name.value,
                    "bucket_output": output_name("site", &s.name.value, "bucket"),
                    "url_output": output_name("site", &s.name.value, "url"),
                    "build": s.build.as_ref().map(|b| b.value.clone()),
                    "build_env_output": super::terraform::site_builds_with_env(envs, &s.name.value)
                        .then(|| output_name("site", &s.name.value, "build_env")),
                    "dist": s.dist.value,
                    "cache": s.cache.value,
                    "html_cache": s.html_cache.value,
                })
            })
            .collect()
    };
    let sites: Vec<Value> = sites_of(stack);
    // A site's build, folder and headers may differ per environment: then site.sh
    // picks ENV's (null when every environment has the same).
    let env_sites: Vec<Value> = envs
        .iter()
        .map(|e| json!({ "env": e.env.value, "sites": sites_of(e) }))
        .collect();
    let env_sites = if env_sites.windows(2).all(|w| w[0]["sites"] == w[1]["sites"]) {
        Value::Null
    } else {
        Value::Array(env_sites)
    };
    // Services with a migration in some environment, in the stack's order.
    let migrating: std::collections::HashSet<&str> = envs
        .iter()
        .flat_map(|e| &e.services)
        .filter(|s| s.migrate.is_some())
        .map(|s| s.name.value.as_str())
        .collect();
    let migrations: Vec<&str> = all
        .iter()
        .map(|(s, _)| s.name.value.as_str())
        .filter(|name| migrating.contains(name))
        .collect();
    let buckets: Vec<Value> = stack
        .buckets
        .iter()
        .map(|b| {
            json!({
                "name": b.name.value,
                "name_output": output_name("bucket", &b.name.value, "name"),
            })
        })
        .collect();
    let builds_images = !images.is_empty();
    let mut tools = vec!["terraform", "git"];
    if builds_images {
        tools.push("docker");
    }
    // The sites, and the record of deployed releases next to the remote state.
    if !sites.is_empty() || stack.state.is_some() {
        tools.push("aws");
    }
    if !health.is_empty() || !migrations.is_empty() || !jobs.is_empty() {
        tools.push("curl");
    }
    // Every deploy records its release in JSON (lib.sh), as site.sh does.
    tools.push("jq");
    // A preview template is not deployed as such: previews (pID) come from it.
    let env_names: Vec<&str> = envs
        .iter()
        .filter(|e| !e.preview)
        .map(|e| e.env.value.as_str())
        .collect();
    let preview = envs.iter().find(|e| e.preview).map(|e| e.env.value.clone());
    let has_buckets = !sites.is_empty() || !buckets.is_empty();
    // Projects named in the stack (the bootstrap's policy is scoped to them unless
    // some environment creates its project, or names none).
    let mut project_ids: Vec<String> = envs
        .iter()
        .filter_map(|e| e.project.as_ref()?.id.as_ref().map(|id| id.value.clone()))
        .collect();
    project_ids.sort();
    project_ids.dedup();
    let all_projects = envs.iter().any(|e| {
        e.project
            .as_ref()
            .is_none_or(|p| p.create || p.id.is_none())
    });
    let mut data = json!({
        // A comment line must stay one line, whatever the path.
        "banner": super::banner(&stack_path.replace(|c: char| c.is_control(), "?")),
        "stack_path": stack_path.replace(|c: char| c.is_control(), "?"),
        "stack": stack.name.value,
        "region": stack.region.value,
        "envs": env_names,
        "preview": preview,
        "state": stack.state.is_some(),
        // The destroy guard's list (stack.sh): the one list adopt and diff use too.
        "data_types": crate::provider::DATA_TYPES,
        "deployer": envs.iter().any(Stack::implicit_deployer),
        "per_env_secrets": stack.secrets.iter().filter(|x| x.per_environment).map(|x| x.name.value.clone()).collect::<Vec<_>>(),
        "state_bucket": stack.state.as_ref().map(|s| s.bucket.value.clone()),
        "state_region": stack.state.as_ref().map(|s| s.region.value.clone()),
        "s3": stack.state.is_some() || !sites.is_empty(),
        "has_buckets": has_buckets,
        // What destroy.sh and preview.sh empty (empty_buckets, lib.sh).
        "bucket_outputs": buckets.iter().map(|b| &b["name_output"]).chain(sites.iter().map(|s| &s["bucket_output"])).collect::<Vec<_>>(),
        "aws": stack.state.is_some() || has_buckets,
        "bootstrap_name": format!("{}-deployer", stack.name.value),
        "project_ids": project_ids,
        "all_projects": all_projects,
        "several_envs": env_names.len() > 1,
        "dns": envs.iter().any(|e| e.dns.is_some()),
        "builds_images": builds_images,
        // docker login, and health.sh's calls to the Containers API.
        "needs_secret_key": builds_images || !health.is_empty() || !migrations.is_empty() || !jobs.is_empty(),
        "migrations": migrations,
        "jobs": jobs,
        "tools": tools,
        "images": images,
        // Set when the environments build different images: images.sh picks ENV's.
        "env_images": if same { Value::Null } else { Value::Array(env_images) },
        "per_env_images": per_env_images,
        "image_hosts": image_hosts,
        "services": services,
        "health": health,
        "sites": sites,
        "env_sites": env_sites,
        "buckets": buckets,
    });
    // The key's own lookup (`deployer`) needs IAM read rights.
    let lookup = data["deployer"].as_bool().unwrap_or(false);
    data["permission_sets"] = permission_sets(envs, lookup);
    data
}

/// The deploy scripts, keyed by path relative to the output folder
/// (`scripts/deploy.sh`, `scripts/lib.sh` with the stack's values in
/// `scripts/stack.sh`, `scripts/init.sh`, `scripts/images.sh`,
/// `scripts/apply.sh`, `scripts/site.sh`, `scripts/health.sh`). `envs` are the
/// per-environment stacks (structure from the first, names from all); `stack_path`
/// is the stack file's path relative to the output folder's repository, named in
/// every header. Empty when `envs` is. `images.sh`, `site.sh` and `health.sh` are
/// written only when the stack builds an image, has a site, has a health check.
pub fn render(envs: &[Stack], stack_path: &str) -> BTreeMap<String, String> {
    render_reusing(envs, stack_path, None).0
}

/// [`render`], taking the scripts from `earlier` when it knows those of the same data;
/// also returns what was rendered (or reused), for the next build.
pub fn render_reusing(
    envs: &[Stack],
    stack_path: &str,
    earlier: Option<Earlier>,
) -> (BTreeMap<String, String>, Rendered) {
    if envs.is_empty() {
        return (BTreeMap::new(), Rendered::default());
    }
    render_data(&data(envs, stack_path), earlier)
}

/// [`render_reusing`], given the template data ([`data`]) of environments that are
/// not none.
pub(crate) fn render_data(
    data: &Value,
    earlier: Option<Earlier>,
) -> (BTreeMap<String, String>, Rendered) {
    let fp = fingerprint("scripts", data);
    let wanted: Vec<(&str, &str)> = SCRIPTS
        .iter()
        .filter(|(_, name, _)| wanted(name, data))
        .map(|(path, name, _)| (*path, *name))
        .collect();
    let mut paths: Vec<String> = wanted.iter().map(|(p, _)| p.to_string()).collect();
    paths.sort();
    let rendered = Rendered {
        fingerprint: fp.clone(),
        paths,
    };
    // Reused only when the earlier build gave exactly these files.
    let mut files: BTreeMap<String, String> = match reuse(earlier, "scripts", &fp) {
        Some(old) if old.keys().eq(rendered.paths.iter()) => old,
        _ => wanted
            .into_iter()
            .map(|(path, name)| (path.to_string(), render_template(name, data)))
            .collect(),
    };
    // Not a template: the same bytes for every stack.
    files.insert("scripts/lib.sh".to_string(), LIB.to_string());
    (files, rendered)
}

/// Whether the stack gets the script of template `name`.
fn wanted(name: &str, data: &Value) -> bool {
    let has = |key: &str| data[key].as_array().is_some_and(|a| !a.is_empty());
    match name {
        "images" => has("images"),
        "site" => has("sites"),
        "health" => has("health"),
        "migrate" => has("migrations"),
        "job" => has("jobs"),
        "logs" => has("services"),
        "preview" => data["preview"].is_string(),
        "promote" => data["several_envs"] == Value::Bool(true),
        _ => true,
    }
}

/// Every root output, `{name, description}` sorted by name, read from the
/// `outputs.tf.json` the Terraform emitter writes (its bytes), so that the README lists
/// exactly those. A `|` in a description is escaped for the Markdown table.
fn root_outputs(outputs_tf: Option<&[u8]>) -> Value {
    let doc: Value = outputs_tf
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .unwrap_or(Value::Null);
    let outputs: Vec<Value> = doc["output"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, o)| {
            let description = o["description"].as_str().unwrap_or("").replace('|', "\\|");
            json!({ "name": name, "description": description })
        })
        .collect();
    Value::Array(outputs)
}

/// The generated `README.md`: prerequisites, secrets, the deploy command, the
/// environments and the outputs. Empty when `envs` is.
pub fn readme(envs: &[Stack], stack_path: &str) -> String {
    if envs.is_empty() {
        return String::new();
    }
    let files = super::terraform::emit(envs, stack_path);
    readme_with(
        envs,
        stack_path,
        files.get("outputs.tf.json").map(Vec::as_slice),
    )
}

/// [`readme`], given the `outputs.tf.json` already emitted for `envs` (so that the
/// Terraform is not emitted a second time).
pub(crate) fn readme_with(envs: &[Stack], stack_path: &str, outputs_tf: Option<&[u8]>) -> String {
    readme_reusing(envs, stack_path, outputs_tf, None).0
}

/// [`readme_with`], taken from `earlier` when it knows the README of the same data.
pub(crate) fn readme_reusing(
    envs: &[Stack],
    stack_path: &str,
    outputs_tf: Option<&[u8]>,
    earlier: Option<Earlier>,
) -> (String, Rendered) {
    if envs.is_empty() {
        return (String::new(), Rendered::default());
    }
    readme_data(envs, data(envs, stack_path), outputs_tf, earlier)
}

/// [`readme_reusing`], given the scripts' template data ([`data`]) of `envs` (not none),
/// to which the README's own is added.
pub(crate) fn readme_data(
    envs: &[Stack],
    mut data: Value,
    outputs_tf: Option<&[u8]>,
    earlier: Option<Earlier>,
) -> (String, Rendered) {
    data["outputs"] = root_outputs(outputs_tf);
    // Each environment's architecture, as a Mermaid diagram (GitHub renders it).
    data["diagrams"] = Value::Array(
        envs.iter()
            .map(|e| {
                json!({
                    "env": e.env.value,
                    "mermaid": crate::graph::graph(e, crate::graph::GraphFormat::Mermaid).trim_end(),
                })
            })
            .collect(),
    );
    let rendered = Rendered {
        fingerprint: fingerprint("readme", &data),
        paths: vec!["README.md".to_string()],
    };
    if let Some(mut old) = reuse(earlier, "readme", &rendered.fingerprint) {
        if let (1, Some(text)) = (old.len(), old.remove("README.md")) {
            return (text, rendered);
        }
    }
    (render_template("readme", &data), rendered)
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    /// Compiled in pieces, every template is what handlebars makes of the whole text.
    #[test]
    fn pieces_compile_to_the_whole() {
        let all = super::SCRIPTS
            .iter()
            .map(|(_, name, text)| (*name, *text))
            .chain([("readme", super::README), ("header", super::HEADER)]);
        for (name, text) in all {
            let whole = handlebars::Template::compile_with_name(text, name.to_string()).unwrap();
            let pieces = super::super::template::compile(name, text).unwrap();
            assert_eq!(pieces.elements.len(), whole.elements.len(), "{name}");
            for (i, (p, w)) in pieces.elements.iter().zip(&whole.elements).enumerate() {
                assert_eq!(p, w, "{name}, element {i}");
            }
            assert_eq!(pieces, whole, "{name}");
        }
    }

    #[test]
    fn quotes() {
        assert_eq!(shell_quote("abc"), "'abc'");
        assert_eq!(shell_quote("abc'd"), r#"'abc'"'"'d'"#);
        assert_eq!(shell_quote(""), "''");
        assert_eq!(
            shell_quote("$(rm -rf /) `x` \"y\"\n"),
            "'$(rm -rf /) `x` \"y\"\n'"
        );
    }
}
