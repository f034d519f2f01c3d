//! Names of what is created, derived from the stack's names (LANGUAGE.md, "Names of
//! what is created"): the checks measure them, the emitter writes them.

/// The registry namespace: the environment and stack names without hyphens.
pub fn registry_name(env: &str, stack: &str) -> String {
    format!("{env}{stack}").replace(['-', '_'], "")
}

/// A stored secret's name in Secret Manager: the stack's name with `_` as `-`.
pub fn stored_secret_name(secret: &str) -> String {
    secret.replace('_', "-")
}

/// The key of a service's migration job in `var.jobs`: the job a `migrate` block
/// creates, which no `job` of the stack may also name.
pub fn migrate_key(service: &str) -> String {
    format!("{service}-migrate")
}

/// A site's bucket name, after the environment-and-stack prefix.
pub fn site_bucket_name(prefix: &str, site: &str, suffix: &str) -> String {
    format!("{prefix}-{site}{suffix}")
}

/// Every root-module variable the generated configuration may declare itself, whatever
/// the stack holds: a `var` or `secret` (a root variable of the same name) may take
/// none of them. The emitter declares no other (`tests/coverage.rs`,
/// `root_variables_are_all_listed`, builds every example and fails on one missing here);
/// `image_digests` and `force_destroy` are the deploy scripts' inputs.
pub const ROOT_VARIABLES: [&str; 25] = [
    "environment",
    "names",
    "subnet",
    "project",
    "deployers",
    "deployer_access_key",
    "registry_public",
    "image_tag",
    "image_digests",
    "force_destroy",
    "services",
    "attached_domains",
    "databases",
    "queues",
    "redis",
    "job_redis",
    "job_redis_certificates",
    "jobs",
    "sites",
    "buckets",
    "site_domains",
    "edge_plan",
    "dns_zone",
    "monitoring",
    "stored_secrets",
];
