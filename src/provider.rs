//! What cellac knows of the scaleway/scaleway provider's resource types and that
//! several layers use, declared once: `diff` warns by it, `adopt` reports by it, and
//! the deploy scripts' destroy guard (`DATA_TYPES` in `scripts/stack.sh`) is rendered
//! from it. Sources: docs/scaleway-facts.md.

/// Resource types whose destruction loses data or something a user cannot get back
/// (a bucket's objects, a registry's images, a database, a queue's messages, a
/// secret's versions, a private network's addresses, a DNS record's name): a plan
/// that deletes or replaces one of them is refused unless the user allows it.
pub const DATA_TYPES: [&str; 10] = [
    "scaleway_object_bucket",
    "scaleway_registry_namespace",
    "scaleway_sdb_sql_database",
    "scaleway_rdb_instance",
    "scaleway_redis_cluster",
    "scaleway_mnq_sqs_queue",
    "scaleway_secret",
    "scaleway_secret_version",
    "scaleway_vpc_private_network",
    "scaleway_domain_record",
];
