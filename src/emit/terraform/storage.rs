//! `modules/storage`: site buckets with website hosting, and plain buckets.

use super::{ex, Module, Shape};
use serde_json::json;

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
