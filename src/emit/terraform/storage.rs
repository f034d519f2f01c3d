//! `modules/storage`: site buckets with website hosting, and plain buckets.

use super::{ex, Module};
use serde_json::json;

pub const SITE_TYPE: &str = "object({ bucket_name = string, spa = bool })";
pub const BUCKET_TYPE: &str = "object({
    name = string
    public = bool
    versioning = bool
    cors = optional(object({ origins = list(string), methods = list(string), headers = list(string), max_age = number }))
  })";

pub fn module() -> Module {
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
    m.var("tags", "map(string)", "Tags on every bucket.");
    m.resource(
        "scaleway_object_bucket",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "name": ex("each.value.bucket_name"),
            "tags": ex("var.tags"),
        }),
    );
    m.resource(
        "scaleway_object_bucket_acl",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "bucket": ex("scaleway_object_bucket.site[each.key].id"),
            "acl": "public-read",
        }),
    );
    m.resource(
        "scaleway_object_bucket_website_configuration",
        "site",
        json!({
            "for_each": ex("var.sites"),
            "bucket": ex("scaleway_object_bucket.site[each.key].id"),
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
            "versioning": [{ "enabled": ex("each.value.versioning") }],
            "dynamic": { "cors_rule": {
                "for_each": ex("each.value.cors == null ? [] : [each.value.cors]"),
                "content": {
                    "allowed_origins": ex("cors_rule.value.origins"),
                    "allowed_methods": ex("cors_rule.value.methods"),
                    "allowed_headers": ex("cors_rule.value.headers"),
                    "max_age_seconds": ex("cors_rule.value.max_age"),
                },
            } },
        }),
    );
    m.resource(
        "scaleway_object_bucket_acl",
        "this",
        json!({
            "for_each": ex("var.buckets"),
            "bucket": ex("scaleway_object_bucket.this[each.key].id"),
            "acl": ex("each.value.public ? \"public-read\" : \"private\""),
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
