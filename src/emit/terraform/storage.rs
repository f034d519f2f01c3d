//! `modules/storage`: site buckets with website hosting, and plain buckets.

use super::containers::ident;
use super::{ex, hcl, module_call, output, variable, Child, Cx, Module, Shape};
use crate::model::Stack;
use serde_json::{json, Map, Value};

pub const SITE_TYPE: &str = "object({
    bucket_name = string
    spa = bool
    build_env = optional(map(string), {})
    build_env_vars = optional(map(string), {})
    build_links = optional(map(object({ target = string, url = string })), {})
  })";
pub const BUCKET_TYPE: &str = "object({
    name = string
    public = bool
    versioning = bool
    cors = optional(object({ origins = list(string), methods = list(string), headers = list(string), expose = list(string), max_age = number }))
    expire = optional(list(object({ days = number, prefix = string })), [])
  })";

/// Actions a service's key may take on a bucket, by access: `read` reads and lists;
/// `write` also puts, and deletes (replacing or removing what it wrote, aborting an
/// upload it started). The IAM permission sets are project-wide (modules/iam); the
/// bucket policy narrows them to this bucket (docs/scaleway-facts.md, Object Storage
/// rights).
const APP_READ: &str = "[\"s3:GetObject\", \"s3:ListBucket\"]";
const APP_WRITE: &str = "[\"s3:GetObject\", \"s3:ListBucket\", \"s3:PutObject\", \"s3:DeleteObject\", \"s3:AbortMultipartUpload\", \"s3:ListMultipartUploadParts\", \"s3:ListBucketMultipartUploads\"]";

/// Every bucket's policy (`2023-04-17`: only what it allows is allowed, to everyone but
/// the Organization's owner). A public one (`public`, an HCL bool) lets anyone read its
/// objects, nobody list it; every declared deployer keeps full access (`var.deployers`,
/// the same whichever key plans), so that nobody who deploys is locked out; each service
/// with access gets what its access says on this bucket and nothing on the others, and a
/// service without access gets nothing here even though its IAM permission sets are
/// project-wide.
fn policy(bucket: &str, public: &str, apps: &str) -> String {
    format!(
        "jsonencode({{ Version = \"2023-04-17\", Id = \"${{{bucket}}}-policy\", Statement = concat({public} ? [\
{{ Sid = \"PublicReadObjects\", Effect = \"Allow\", Principal = \"*\", Action = [\"s3:GetObject\"], Resource = [\"${{{bucket}}}/*\"] }}] : [], [\
{{ Sid = \"DeployerFullAccess\", Effect = \"Allow\", Principal = {{ SCW = var.deployers }}, Action = [\"s3:*\"], Resource = [{bucket}, \"${{{bucket}}}/*\"] }}], \
[for i, a in {apps} : {{ Sid = \"Service${{i}}\", Effect = \"Allow\", Principal = {{ SCW = a.principal }}, Action = a.access == \"write\" ? {APP_WRITE} : {APP_READ}, Resource = [{bucket}, \"${{{bucket}}}/*\"] }}]) }})"
    )
}

pub fn module(shape: Shape) -> Module {
    let _ = shape;
    let mut m = Module::new("storage");
    m.var("region", "string", "The Object Storage region.");
    m.var(
        "sites",
        &format!("map({SITE_TYPE})"),
        "Static sites, keyed by the stack's site names.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "buckets",
        &format!("map({BUCKET_TYPE})"),
        "Buckets, keyed by the stack's bucket names.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "deployers",
        "list(string)",
        "The principals that deploy (user_id:ID or application_id:ID): each keeps full access to buckets with a policy.",
    );
    m.var(
        "access",
        "map(list(object({ principal = string, access = string })))",
        "Services' access to each bucket: bucket -> [{ principal = application_id:ID, access = read|write }].",
    )
    .insert("default".into(), json!({}));
    m.var("tags", "map(string)", "Tags on every bucket.");
    m.var(
        "force_destroy",
        "bool",
        "Delete buckets with their objects on destroy (previews).",
    )
    .insert("default".into(), json!(false));
    m.resource(
        "scaleway_object_bucket",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "name": ex("each.value.bucket_name"),
            "tags": ex("var.tags"),
            "force_destroy": ex("var.force_destroy"),
        }),
    );
    // No ACL anywhere: a `public-read` bucket ACL lets anyone list the bucket and does
    // not make its objects readable. Buckets stay private; a policy makes objects public.
    m.resource(
        "scaleway_object_bucket_policy",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "bucket": ex("scaleway_object_bucket.site[each.key].name"),
            "region": ex("var.region"),
            "policy": ex(policy("scaleway_object_bucket.site[each.key].name", "true", "[]")),
        }),
    );
    m.resource(
        "scaleway_object_bucket_website_configuration",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "bucket": ex("scaleway_object_bucket.site[each.key].name"),
            "region": ex("var.region"),
            "index_document": [{ "suffix": "index.html" }],
            "dynamic": { "error_document": {
                "for_each": ex("each.value.spa ? [\"index.html\"] : []"),
                "content": { "key": ex("error_document.value") },
            } },
        }),
    );
    m.resource(
        "scaleway_object_bucket",
        "this",
        json!({
            "for_each": ex("var.buckets"),
            "name": ex("each.value.name"),
            "tags": ex("var.tags"),
            "force_destroy": ex("var.force_destroy"),
            "versioning": [{ "enabled": ex("each.value.versioning") }],
            "dynamic": {
                "cors_rule": {
                    "for_each": ex("each.value.cors == null ? [] : [each.value.cors]"),
                    "content": {
                        "allowed_origins": ex("cors_rule.value.origins"),
                        "allowed_methods": ex("cors_rule.value.methods"),
                        "allowed_headers": ex("cors_rule.value.headers"),
                        "expose_headers": ex("cors_rule.value.expose"),
                        "max_age_seconds": ex("cors_rule.value.max_age"),
                    },
                },
                // `expire days= prefix=`: delete objects that many days after they were
                // written (with versioning, only the current version expires).
                "lifecycle_rule": {
                    "for_each": ex("each.value.expire"),
                    "content": {
                        "id": ex("lifecycle_rule.value.prefix == \"\" ? \"expire\" : \"expire-${lifecycle_rule.value.prefix}\""),
                        "enabled": true,
                        "prefix": ex("lifecycle_rule.value.prefix"),
                        "expiration": [{ "days": ex("lifecycle_rule.value.days") }],
                    },
                },
            },
        }),
    );
    m.resource(
        "scaleway_object_bucket_policy",
        "this",
        json!({
            // Every bucket, private ones too: without a policy, any key of the project
            // with Object Storage rights (every service with a `bucket`) could use it.
            "for_each": ex("var.buckets"),
            "bucket": ex("scaleway_object_bucket.this[each.key].name"),
            "region": ex("var.region"),
            "policy": ex(policy("scaleway_object_bucket.this[each.key].name", "each.value.public", "lookup(var.access, each.key, [])")),
        }),
    );
    m.output(
        "site_buckets",
        ex("{ for k, b in scaleway_object_bucket.site : k => b.name }"),
        "Each site's bucket name.",
    );
    m.output("site_urls", ex("{ for k, b in scaleway_object_bucket.site : k => \"https://${b.name}.s3-website.${var.region}.scw.cloud\" }"), "Each site's website endpoint.");
    m.output(
        "buckets",
        ex("{ for k, b in scaleway_object_bucket.this : k => b.name }"),
        "Each bucket's name.",
    );
    m
}

pub(super) const CHILD: Child = Child {
    name: "storage",
    wanted: |shape| shape.storage,
    module: |cx| module(cx.shape),
    call,
    variables,
    outputs,
};

/// The sites and buckets, who deploys them, and (with IAM) who else may use each bucket.
fn call(cx: Cx) -> Value {
    let shape = cx.shape;
    let deployers = if shape.implicit_deployer {
        ex("local.deployers")
    } else if shape.policies {
        ex("var.deployers")
    } else {
        json!([])
    };
    let mut call = module_call(
        "storage",
        Some(&cx.first().region.value),
        json!({
            "sites": ex("var.sites"),
            "buckets": ex("var.buckets"),
            "force_destroy": ex("var.force_destroy"),
            "deployers": deployers,
            "tags": ex("local.bucket_tags"),
        }),
    );
    if shape.iam {
        call["access"] = ex(access(shape));
    }
    call
}

/// Each bucket's policy names every service and job (a migration too) that uses it,
/// with its access: the policy denies everyone else.
fn access(shape: Shape) -> String {
    let services = "[for name, s in var.services : { principal = \"application_id:${module.iam.application_ids[name]}\", access = s.bucket_access[b] } if contains(keys(s.bucket_access), b)]";
    let users = if shape.jobs {
        let p = super::jobs::IAM_PREFIX;
        format!("concat({services}, [for key, j in var.jobs : {{ principal = \"application_id:${{module.iam.application_ids[\"{p}${{key}}\"]}}\", access = j.bucket_access[b] }} if contains(keys(j.bucket_access), b)])")
    } else {
        services.to_string()
    };
    format!("{{ for b, _ in var.buckets : b => {users} }}")
}

/// The root variables of sites and buckets, and whether to empty buckets on destroy.
fn variables(_: Cx, vars: &mut Map<String, Value>) {
    let mut f = variable(
        "bool",
        "Delete buckets with their objects on destroy: true in a preview's tfvars, so that `preview.sh down` removes everything; false elsewhere.",
    );
    f.insert("default".into(), json!(false));
    vars.insert("force_destroy".into(), Value::Object(f));
    vars.insert(
        "sites".into(),
        Value::Object(variable(
            &format!("map({SITE_TYPE})"),
            "Each static site in this environment.",
        )),
    );
    vars.insert(
        "buckets".into(),
        Value::Object(variable(
            &format!("map({BUCKET_TYPE})"),
            "Each bucket in this environment.",
        )),
    );
}

/// The root outputs of sites (bucket, URL, build variables) and buckets (name).
fn outputs(cx: Cx, out: &mut Map<String, Value>) {
    for site in &cx.first().sites {
        let n = &site.name.value;
        output(
            out,
            format!("site_{}_bucket", ident(n)),
            ex(format!("module.storage.site_buckets[{}]", hcl::string(n))),
            &format!("The bucket deploy uploads site `{n}` to."),
        );
        let custom = if cx.shape.edge {
            format!("try([for host, d in var.site_domains : \"https://${{host}}\" if d.site == {}][0], module.storage.site_urls[{}])", hcl::string(n), hcl::string(n))
        } else {
            format!("module.storage.site_urls[{}]", hcl::string(n))
        };
        output(
            out,
            format!("site_{}_url", ident(n)),
            ex(custom),
            &format!("The URL of site `{n}`: its custom domain, else its website endpoint."),
        );
        if site_builds_with_env(cx.envs, n) {
            build_env_output(cx, n, out);
        }
    }
    for b in &cx.first().buckets {
        let n = &b.name.value;
        output(
            out,
            format!("bucket_{}_name", ident(n)),
            ex(format!("module.storage.buckets[{}]", hcl::string(n))),
            &format!("The name of bucket `{n}`."),
        );
    }
}

/// `site_NAME_build_env`: what site.sh exports to the build of site `n`.
fn build_env_output(cx: Cx, n: &str, out: &mut Map<String, Value>) {
    let sv = format!("var.sites[{}]", hcl::string(n));
    let links = if cx.shape.containers
        && cx.envs.iter().any(|e| {
            e.sites
                .iter()
                .any(|x| x.name.value == n && !x.links.is_empty())
        }) {
        // As for services: {host} is the target's own endpoint, {domain} its custom
        // domain here (else {host}), {url} is https://{host}.
        format!(", {{ for k, l in {sv}.build_links : k => replace(replace(replace(l.url, \"{{url}}\", \"https://{{host}}\"), \"{{domain}}\", try(var.services[l.target].domains[0], module.containers.hosts[l.target])), \"{{host}}\", module.containers.hosts[l.target]) }}")
    } else {
        String::new()
    };
    output(
        out,
        format!("site_{}_build_env", ident(n)),
        ex(format!("merge({sv}.build_env, {{ for k, v in {sv}.build_env_vars : k => local.vars[v] }}{links})")),
        &format!("The variables site.sh exports to the build of site `{n}` (its `env`, and its `link`s' URLs in this environment)."),
    );
}

/// Whether site `name` has a `link` or an `env` in some environment: then its build
/// gets them from the output `site_NAME_build_env`.
pub fn site_builds_with_env(envs: &[Stack], name: &str) -> bool {
    envs.iter().any(|e| {
        e.sites
            .iter()
            .any(|x| x.name.value == name && (!x.links.is_empty() || !x.env.is_empty()))
    })
}
