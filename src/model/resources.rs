//! Secrets, vars, sites, buckets, monitoring and domains.

use super::{bool_of, default_at, int_of, str_of};
use crate::span::{Span, Spanned};
use crate::syntax::{Node, Value};

#[derive(Clone, Debug)]
pub struct Secret {
    pub name: Spanned<String>,
    pub span: Span,
    pub min_length: Option<Spanned<i128>>,
    pub postgres: Option<Spanned<String>>,
    pub format: Option<Spanned<String>>,
    pub store: bool,
    /// Every environment must give its own value.
    pub per_environment: bool,
    /// A value written in the stack file (an error: values come from elsewhere).
    pub inline: Option<Span>,
}

/// `database NAME`: a Serverless SQL Database.
#[derive(Clone, Debug)]
pub struct Database {
    pub name: Spanned<String>,
    pub span: Span,
    pub min_cpu: Spanned<i128>,
    pub max_cpu: Spanned<i128>,
}

/// `redis NAME`: a Managed Database for Redis cluster in the stack's private network.
#[derive(Clone, Debug)]
pub struct Redis {
    pub name: Spanned<String>,
    pub span: Span,
    /// The Redis version (`version=`), default [`REDIS_VERSION`].
    pub version: Spanned<String>,
    /// The node type (`node-type=`), default [`REDIS_NODE_TYPE`].
    pub node_type: Spanned<String>,
    /// `nodes=`: 1 (standalone), or 3..6 (cluster mode).
    pub nodes: Spanned<i128>,
    /// `password=SECRET`: the declared secret that holds the default user's password.
    pub password: Option<Spanned<String>>,
}

/// The default Redis version: the newest of the versions the provider 2.79.0 tests
/// record as available (docs/scaleway-facts.md, Managed Database for Redis).
pub const REDIS_VERSION: &str = "7.0.5";
/// The versions the provider 2.79.0 tests record as available (not deprecated).
pub const REDIS_VERSIONS: [&str; 2] = ["7.0.5", "6.2.7"];
/// The default node type: the smallest that Scaleway's API quickstart and the
/// provider's examples name.
pub const REDIS_NODE_TYPE: &str = "RED1-MICRO";
/// The node types Scaleway's documentation and the provider's sources name, smallest first.
pub const REDIS_NODE_TYPES: [&str; 3] = ["RED1-MICRO", "RED1-XS", "RED1-S"];
/// The default user's name (1..63 letters, digits, `-`, `$`, `_`, starting with a letter).
pub const REDIS_USER: &str = "app";

pub(super) fn redis(node: &Node) -> Option<Redis> {
    let head = node.head_span();
    Some(Redis {
        name: str_of(node.arg(0))?,
        span: head,
        version: str_of(node.prop("version"))
            .unwrap_or_else(|| default_at(REDIS_VERSION.into(), head)),
        node_type: str_of(node.prop("node-type"))
            .unwrap_or_else(|| default_at(REDIS_NODE_TYPE.into(), head)),
        nodes: int_of(node.prop("nodes")).unwrap_or_else(|| default_at(1, head)),
        password: str_of(node.prop("password")),
    })
}

pub(super) fn database(node: &Node) -> Option<Database> {
    let head = node.head_span();
    Some(Database {
        name: str_of(node.arg(0))?,
        span: head,
        min_cpu: int_of(node.prop("min-cpu")).unwrap_or_else(|| default_at(0, head)),
        max_cpu: int_of(node.prop("max-cpu")).unwrap_or_else(|| default_at(4, head)),
    })
}

/// `queue NAME`: a Scaleway Queues (SQS) queue.
#[derive(Clone, Debug)]
pub struct Queue {
    pub name: Spanned<String>,
    pub span: Span,
    pub fifo: bool,
    /// The `fifo` property, if set.
    pub fifo_span: Option<Span>,
    /// How long a message is kept (a duration, 1m..14d).
    pub retention: Spanned<String>,
    /// How long a received message stays hidden (a duration, 0s..12h).
    pub visibility_timeout: Spanned<String>,
    /// `dead-letter=N`: after N receives a message moves to `NAME-dead`.
    pub dead_letter: Option<Spanned<i128>>,
}

/// The default `retention=` of a queue (Scaleway's default, 4 days).
pub const QUEUE_RETENTION: &str = "4d";
/// The default `visibility-timeout=` of a queue (Scaleway's default, 30 seconds).
pub const QUEUE_VISIBILITY: &str = "30s";

pub(super) fn queue(node: &Node) -> Option<Queue> {
    let head = node.head_span();
    Some(Queue {
        name: str_of(node.arg(0))?,
        span: head,
        fifo: bool_of(node.prop("fifo")).unwrap_or(false),
        fifo_span: node.prop("fifo").map(|v| v.span),
        retention: str_of(node.prop("retention"))
            .unwrap_or_else(|| default_at(QUEUE_RETENTION.into(), head)),
        visibility_timeout: str_of(node.prop("visibility-timeout"))
            .unwrap_or_else(|| default_at(QUEUE_VISIBILITY.into(), head)),
        dead_letter: int_of(node.prop("dead-letter")),
    })
}

#[derive(Clone, Debug)]
pub struct Var {
    pub name: Spanned<String>,
    pub span: Span,
    pub default: Option<Value>,
    pub format: Option<Spanned<String>>,
    pub pattern: Option<Spanned<String>>,
    /// The value in this environment: the environment's, else the default.
    pub value: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct Site {
    pub name: Spanned<String>,
    pub span: Span,
    pub build: Option<Spanned<String>>,
    pub dist: Spanned<String>,
    pub spa: bool,
    pub cache: Spanned<String>,
    pub html_cache: Spanned<String>,
    pub bucket_suffix: Spanned<String>,
    /// `name="BUCKET"`: the exact bucket name (to keep a live bucket), instead of
    /// `ENV-STACK-NAME` plus the suffix.
    pub live_name: Option<Spanned<String>>,
    /// Build variables set to a service's URL in the environment being deployed.
    pub links: Vec<super::Link>,
    /// More build variables.
    pub env: Vec<super::EnvVar>,
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub name: Spanned<String>,
    pub span: Span,
    pub public: bool,
    pub versioning: bool,
    pub cors: Option<Cors>,
    /// `expire days= prefix=`: lifecycle rules.
    pub expire: Vec<Expire>,
    /// `name="BUCKET"`: the exact bucket name (to keep a live bucket), instead of
    /// `ENV-STACK-NAME`.
    pub live_name: Option<Spanned<String>>,
}

/// `expire days=N prefix="..."`: delete objects N days after they were written.
#[derive(Clone, Debug)]
pub struct Expire {
    pub days: Spanned<i128>,
    pub prefix: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Cors {
    pub origins: Vec<String>,
    pub methods: Spanned<Vec<String>>,
    pub headers: Vec<String>,
    pub expose: Vec<String>,
    pub max_age: i128,
}

#[derive(Clone, Debug)]
pub struct Monitoring {
    pub span: Span,
    pub logs: Option<Source>,
    pub metrics: Option<Source>,
    pub traces: Option<Source>,
    pub alerts: Option<Value>,
    /// The `alerts` node, if any.
    pub alerts_span: Option<Span>,
    /// Enable Scaleway's preconfigured alert rules (`alerts preconfigured=`).
    pub preconfigured: bool,
}

#[derive(Clone, Debug)]
pub struct Source {
    pub retention_days: Spanned<i128>,
}

#[derive(Clone, Debug)]
pub struct Domain {
    pub host: Spanned<String>,
    pub span: Span,
    pub service: Option<Spanned<String>>,
    pub site: Option<Spanned<String>>,
    pub waf: bool,
}

pub(super) fn secret(node: &Node) -> Option<Secret> {
    let inline = node.args.get(1).map(|v| v.span).or_else(|| {
        ["value", "default"]
            .iter()
            .find_map(|k| node.props.iter().find(|p| p.key.value == *k))
            .map(|p| p.value.span)
    });
    Some(Secret {
        name: str_of(node.arg(0))?,
        span: node.head_span(),
        min_length: int_of(node.prop("min-length")),
        postgres: str_of(node.prop("postgres")),
        format: str_of(node.prop("format")),
        store: bool_of(node.prop("store")).unwrap_or(true),
        per_environment: bool_of(node.prop("per-environment")).unwrap_or(false),
        inline,
    })
}

pub(super) fn var(node: &Node) -> Option<Var> {
    let default = node.prop("default").cloned();
    Some(Var {
        name: str_of(node.arg(0))?,
        span: node.head_span(),
        value: node.arg(1).cloned().or_else(|| default.clone()),
        default,
        format: str_of(node.prop("format")),
        pattern: str_of(node.prop("pattern")),
    })
}

pub(super) fn site(node: &Node) -> Option<Site> {
    let name = str_of(node.arg(0))?;
    let head = node.head_span();
    let text = |child: &str, default: String| {
        node.child(child)
            .and_then(|c| str_of(c.arg(0)))
            .unwrap_or_else(|| default_at(default, head))
    };
    Some(Site {
        span: head,
        build: node.child("build").and_then(|c| str_of(c.arg(0))),
        dist: text("dist", format!("{}/dist", name.value)),
        spa: node.has_child("spa"),
        cache: text("cache", "public, max-age=31536000, immutable".into()),
        html_cache: text("html-cache", "no-cache, no-store, must-revalidate".into()),
        bucket_suffix: text("bucket-suffix", String::new()),
        live_name: str_of(node.prop("name")),
        links: super::service::links(node),
        env: super::service::env_maps(node).0,
        name,
    })
}

/// Splits a comma-separated list, dropping empty items.
pub fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

pub(super) fn bucket(node: &Node) -> Option<Bucket> {
    let cors = node.child("cors").map(|c| Cors {
        origins: list(c.prop("origins").and_then(Value::as_str).unwrap_or("*")),
        methods: str_of(c.prop("methods"))
            .unwrap_or_else(|| default_at("GET,PUT".into(), c.span))
            .map(|m| list(&m)),
        headers: list(c.prop("headers").and_then(Value::as_str).unwrap_or("*")),
        expose: list(c.prop("expose").and_then(Value::as_str).unwrap_or("")),
        max_age: c.prop("max-age").and_then(Value::as_int).unwrap_or(3600),
    });
    Some(Bucket {
        name: str_of(node.arg(0))?,
        span: node.head_span(),
        public: bool_of(node.prop("public")).unwrap_or(false),
        versioning: bool_of(node.prop("versioning")).unwrap_or(false),
        live_name: str_of(node.prop("name")),
        cors,
        expire: node
            .children()
            .iter()
            .filter(|c| c.name.value == "expire")
            .filter_map(|c| {
                Some(Expire {
                    days: int_of(c.prop("days"))?,
                    prefix: c
                        .prop("prefix")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    span: c.span,
                })
            })
            .collect(),
    })
}

pub(super) fn monitoring(node: &Node) -> Monitoring {
    let source = |name: &str, default: i128| {
        node.child(name).map(|c| Source {
            retention_days: int_of(c.prop("retention-days"))
                .unwrap_or_else(|| default_at(default, c.span)),
        })
    };
    Monitoring {
        span: node.name.span,
        logs: source("logs", 7),
        metrics: source("metrics", 31),
        traces: source("traces", 7),
        alerts: node.child("alerts").and_then(|a| a.prop("email").cloned()),
        alerts_span: node.child("alerts").map(|a| a.span),
        preconfigured: node
            .child("alerts")
            .and_then(|a| bool_of(a.prop("preconfigured")))
            .unwrap_or(true),
    }
}

pub(super) fn domain(node: &Node) -> Option<Domain> {
    Some(Domain {
        host: str_of(node.arg(0))?,
        span: node.head_span(),
        service: str_of(node.prop("service")),
        site: str_of(node.prop("site")),
        waf: bool_of(node.prop("waf")).unwrap_or(false),
    })
}
