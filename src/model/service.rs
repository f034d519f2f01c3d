//! `service NAME { ... }`: one Serverless Container.

use super::{build_image, default_at, int_of, str_of};
use crate::span::{Span, Spanned};
use crate::syntax::{Node, Value};

#[derive(Clone, Debug)]
pub struct Service {
    pub name: Spanned<String>,
    pub span: Span,
    pub image: Image,
    pub port: Spanned<i128>,
    /// Whether the stack sets `port` (else 8080 is assumed).
    pub port_declared: bool,
    pub memory: Spanned<i128>,
    /// The `cpu` the stack sets, if any; see [`Service::cpu`].
    pub cpu: Option<Spanned<i128>>,
    pub scale: Scale,
    /// The span of the `singleton` flag.
    pub singleton: Option<Span>,
    pub timeout: Spanned<i128>,
    pub private: bool,
    pub protocol: Spanned<String>,
    pub health: Option<Health>,
    pub env: Vec<EnvVar>,
    pub secret_env: Vec<SecretEnv>,
    pub links: Vec<Link>,
    /// Buckets the service reads or writes, with an API key of its own.
    pub buckets: Vec<BucketAccess>,
    /// The env names of that API key: (access key id, secret key).
    pub s3_keys: (Spanned<String>, Spanned<String>),
    /// `migrate "command"`: a Serverless Job run in the new image before the rollout.
    pub migrate: Option<Migrate>,
    /// `command`: the process to run instead of the image's entrypoint.
    pub command: Option<Spanned<Vec<String>>>,
    /// `args`: arguments for the entrypoint (or the command).
    pub args: Option<Spanned<Vec<String>>>,
    /// Databases the service uses.
    pub databases: Vec<DatabaseUse>,
    /// `queue NAME access= env=`: queues the service sends to or receives from.
    pub queues: Vec<QueueUse>,
    /// `consume QUEUE`: queues whose messages Scaleway POSTs to the service.
    pub consumes: Vec<Consume>,
    /// Redis clusters the service uses.
    pub redis: Vec<RedisUse>,
    /// `image { arg ...; link ... }`: the Docker build arguments (whatever the image's
    /// form: a `ref=` image with some is an error, `cellac::image::args`).
    pub build_args: BuildArgs,
}

/// `queue NAME access=send|receive env=KEY` of a service or job.
#[derive(Clone, Debug)]
pub struct QueueUse {
    pub queue: Spanned<String>,
    /// `send` or `receive`.
    pub access: Spanned<String>,
    /// The env key that holds the queue's URL.
    pub env: Spanned<String>,
    pub span: Span,
}

/// `consume QUEUE batch=N path=P`: a container trigger.
#[derive(Clone, Debug)]
pub struct Consume {
    pub queue: Spanned<String>,
    pub batch: Spanned<i128>,
    pub path: Spanned<String>,
    pub span: Span,
}

/// `QUEUE_URL_JOBS_HIGH` for queue `jobs-high`.
pub fn queue_env_key(queue: &str) -> String {
    format!("QUEUE_URL_{}", queue.to_uppercase().replace('-', "_"))
}

/// The `queue NAME access= env=` children of a service or job.
pub(super) fn queue_uses(node: &Node) -> Vec<QueueUse> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "queue")
        .filter_map(|q| {
            let queue = str_of(q.arg(0))?;
            Some(QueueUse {
                access: str_of(q.prop("access"))
                    .unwrap_or_else(|| default_at("send".into(), q.span)),
                env: str_of(q.prop("env"))
                    .unwrap_or_else(|| default_at(queue_env_key(&queue.value), q.span)),
                queue,
                span: q.span,
            })
        })
        .collect()
}

/// The `consume QUEUE` children of a service.
fn consumes(node: &Node) -> Vec<Consume> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "consume")
        .filter_map(|c| {
            Some(Consume {
                queue: str_of(c.arg(0))?,
                batch: int_of(c.prop("batch")).unwrap_or_else(|| default_at(1, c.span)),
                path: str_of(c.prop("path")).unwrap_or_else(|| default_at("/".into(), c.span)),
                span: c.span,
            })
        })
        .collect()
}

/// `image { arg KEY=value; link TARGET arg=KEY url="..." }`: Docker build arguments.
#[derive(Clone, Debug, Default)]
pub struct BuildArgs {
    /// `arg KEY=value`: in the order written; a key an environment sets again
    /// replaces the top level's (a key written twice at one level stays twice, for
    /// `cellac::image::duplicate-arg`).
    pub args: Vec<EnvVar>,
    /// `link TARGET arg=KEY url=`: `env` holds the build argument's name.
    pub links: Vec<Link>,
}

impl BuildArgs {
    pub fn is_empty(&self) -> bool {
        self.args.is_empty() && self.links.is_empty()
    }
}

/// The build arguments of an `image` node.
pub(super) fn build_args(img: Option<&Node>) -> BuildArgs {
    let Some(img) = img else {
        return BuildArgs::default();
    };
    let mut args: Vec<EnvVar> = Vec::new();
    for c in img.children().iter().filter(|c| c.name.value == "arg") {
        for p in &c.props {
            let item = EnvVar {
                key: p.key.clone(),
                value: p.value.clone(),
            };
            match args
                .iter_mut()
                .find(|e| e.key.value == item.key.value && c.layer > 0)
            {
                Some(e) => *e = item,
                None => args.push(item),
            }
        }
    }
    let links = img
        .children()
        .iter()
        .filter(|c| c.name.value == "link")
        .filter_map(|l| {
            Some(Link {
                target: str_of(l.arg(0))?,
                env: str_of(l.prop("arg"))?,
                url: str_of(l.prop("url")).unwrap_or_else(|| default_at("{url}".into(), l.span)),
                token: None,
                span: l.span,
            })
        })
        .collect();
    BuildArgs { args, links }
}

#[derive(Clone, Debug)]
pub struct DatabaseUse {
    pub database: Spanned<String>,
    /// The secret env key that holds the connection URL.
    pub env: Spanned<String>,
    pub span: Span,
}

/// `migrate "command" timeout="15m" { env ...; secret-env ... }`.
#[derive(Clone, Debug)]
pub struct Migrate {
    pub command: Spanned<String>,
    pub timeout: Spanned<String>,
    /// Keys the job adds to (or replaces in) the service's `env`.
    pub env: Vec<EnvVar>,
    /// Keys the job adds to (or replaces in) the service's `secret-env`.
    pub secret_env: Vec<SecretEnv>,
    pub span: Span,
}

/// The default `timeout=` of a migration.
pub const MIGRATE_TIMEOUT: &str = "15m";

impl Migrate {
    /// The job's env: the service's, then its own keys over them (a key the job
    /// makes a secret is a secret only).
    pub fn env<'a>(&'a self, svc: &'a Service) -> Vec<&'a EnvVar> {
        let mut out: Vec<&EnvVar> = svc
            .env
            .iter()
            .filter(|e| !self.env.iter().any(|m| m.key.value == e.key.value))
            .filter(|e| !self.secret_env.iter().any(|m| m.key.value == e.key.value))
            .collect();
        out.extend(self.env.iter());
        out
    }

    /// The job's secret env: the service's, then its own keys over them (a key the
    /// job sets plainly is plain only).
    pub fn secret_env<'a>(&'a self, svc: &'a Service) -> Vec<&'a SecretEnv> {
        let mut out: Vec<&SecretEnv> = svc
            .secret_env
            .iter()
            .filter(|e| !self.secret_env.iter().any(|m| m.key.value == e.key.value))
            .filter(|e| !self.env.iter().any(|m| m.key.value == e.key.value))
            .collect();
        out.extend(self.secret_env.iter());
        out
    }
}

#[derive(Clone, Debug)]
pub struct BucketAccess {
    pub bucket: Spanned<String>,
    /// `read` or `write`.
    pub access: Spanned<String>,
    /// The env key that holds the bucket's name.
    pub env: Spanned<String>,
    pub span: Span,
}

/// `S3_BUCKET_PUBLIC_UPLOADS` for bucket `public-uploads`.
pub fn bucket_env_key(bucket: &str) -> String {
    format!("S3_BUCKET_{}", bucket.to_uppercase().replace('-', "_"))
}

#[derive(Clone, Debug)]
pub enum Image {
    Build {
        dockerfile: Spanned<String>,
        context: Spanned<String>,
        platform: Spanned<String>,
    },
    Ref(Spanned<String>),
}

#[derive(Clone, Debug)]
pub struct Scale {
    pub min: Spanned<i128>,
    pub max: Spanned<i128>,
    pub concurrency: Option<Spanned<i128>>,
    /// The `scale` node that set these, if any.
    pub node: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Health {
    pub path: Spanned<String>,
    pub interval: Spanned<String>,
    pub failures: Spanned<i128>,
    pub timeout: Spanned<String>,
    /// How long a new instance may take to answer for the first time.
    pub startup: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub key: Spanned<String>,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub struct SecretEnv {
    pub key: Spanned<String>,
    pub secret: Spanned<String>,
    /// The value as written, for the check that a secret value is not inlined.
    pub raw: Value,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub target: Spanned<String>,
    pub env: Spanned<String>,
    pub url: Spanned<String>,
    /// `token=KEY`: KEY gets an API key allowed to call the target.
    pub token: Option<Spanned<String>>,
    pub span: Span,
}

/// The memory tiers (MB) and their default mvCPU, declared once in [`crate::limits`].
pub use crate::limits::TIERS;

/// The mvCPU of a container or a job: `cpu` as set, or the pair of the `memory` tier.
pub(super) fn cpu_of(cpu: Option<&Spanned<i128>>, memory: &Spanned<i128>) -> i128 {
    cpu.map(|c| c.value).unwrap_or_else(|| {
        // Above the largest tier (a job may have up to 16 GB): the largest tier's pair.
        let largest = TIERS.last().filter(|(m, _)| memory.value > *m);
        TIERS
            .iter()
            .find(|(m, _)| *m == memory.value)
            .or(largest)
            .map_or(560, |(_, c)| *c)
    })
}

impl Service {
    /// The mvCPU: as set, or the memory tier's pair.
    pub fn cpu(&self) -> i128 {
        cpu_of(self.cpu.as_ref(), &self.memory)
    }

    pub fn min_scale(&self) -> i128 {
        if self.singleton.is_some() {
            1
        } else {
            self.scale.min.value
        }
    }

    pub fn max_scale(&self) -> i128 {
        if self.singleton.is_some() {
            1
        } else {
            self.scale.max.value
        }
    }
}

pub(super) fn lower(node: &Node) -> Option<Service> {
    let name = str_of(node.arg(0))?;
    let head = node.head_span();
    let child = |n: &str| node.child(n);
    let image = match child("image") {
        Some(img) if img.prop("ref").is_some() => Image::Ref(str_of(img.prop("ref"))?),
        img => {
            let (dockerfile, context, platform) = build_image(img, &name.value, head);
            Image::Build {
                dockerfile,
                context,
                platform,
            }
        }
    };
    let arg_int = |n: &str, default: i128| {
        child(n)
            .and_then(|c| int_of(c.arg(0)))
            .unwrap_or_else(|| default_at(default, head))
    };
    let scale_node = child("scale");
    let scale = Scale {
        min: scale_node
            .and_then(|s| int_of(s.prop("min")))
            .unwrap_or_else(|| default_at(0, head)),
        max: scale_node
            .and_then(|s| int_of(s.prop("max")))
            .unwrap_or_else(|| default_at(5, head)),
        concurrency: scale_node.and_then(|s| int_of(s.prop("concurrency"))),
        node: scale_node.map(|s| s.span),
    };
    let health = child("health").and_then(|h| {
        Some(Health {
            path: str_of(h.arg(0))?,
            interval: str_of(h.prop("interval"))
                .unwrap_or_else(|| default_at("10s".into(), h.span)),
            // With a startup probe, liveness keeps a short failure window.
            failures: int_of(h.prop("failures")).unwrap_or_else(|| {
                default_at(if h.prop("startup").is_some() { 3 } else { 30 }, h.span)
            }),
            timeout: str_of(h.prop("timeout")).unwrap_or_else(|| default_at("30s".into(), h.span)),
            startup: str_of(h.prop("startup")),
        })
    });
    let (env, secret_env) = env_maps(node);
    let links = links(node);
    let buckets = bucket_uses(node);
    let databases = database_uses(node);
    let s3_keys = s3_keys(node, head);
    let private = node
        .children()
        .iter()
        .rev()
        .find(|c| c.name.value == "private" || c.name.value == "public")
        .is_some_and(|c| c.name.value == "private");
    let migrate = child("migrate").and_then(|m| {
        let (env, secret_env) = env_maps(m);
        Some(Migrate {
            command: str_of(m.arg(0))?,
            timeout: str_of(m.prop("timeout"))
                .unwrap_or_else(|| default_at(MIGRATE_TIMEOUT.into(), m.span)),
            env,
            secret_env,
            span: m.head_span(),
        })
    });
    Some(Service {
        span: head,
        migrate,
        image,
        port: arg_int("port", 8080),
        port_declared: child("port").is_some(),
        memory: arg_int("memory", 1024),
        cpu: child("cpu").and_then(|c| int_of(c.arg(0))),
        scale,
        singleton: child("singleton").map(|s| s.name.span),
        timeout: arg_int("timeout", 300),
        private,
        protocol: child("protocol")
            .and_then(|c| str_of(c.arg(0)))
            .unwrap_or_else(|| default_at("http1".into(), head)),
        health,
        env,
        secret_env,
        links,
        buckets,
        s3_keys,
        command: strings(node, "command"),
        args: strings(node, "args"),
        databases,
        queues: queue_uses(node),
        consumes: consumes(node),
        redis: redis_uses(node),
        build_args: build_args(child("image")),
        name,
    })
}

/// The `env` and `secret-env` children of `node`, as maps: a later key (from an
/// override) replaces an earlier one.
pub(super) fn env_maps(node: &Node) -> (Vec<EnvVar>, Vec<SecretEnv>) {
    let mut env: Vec<EnvVar> = Vec::new();
    let mut secret_env: Vec<SecretEnv> = Vec::new();
    for c in node.children() {
        for p in &c.props {
            let key = p.key.clone();
            match c.name.value.as_str() {
                "env" => {
                    if let Some(e) = env
                        .iter_mut()
                        .find(|e| e.key.value == key.value && c.layer > 0)
                    {
                        *e = EnvVar {
                            key,
                            value: p.value.clone(),
                        };
                    } else {
                        env.push(EnvVar {
                            key,
                            value: p.value.clone(),
                        });
                    }
                }
                "secret-env" => {
                    let secret = Spanned::new(
                        p.value.as_str().unwrap_or_default().to_string(),
                        p.value.span,
                    );
                    let item = SecretEnv {
                        key,
                        secret,
                        raw: p.value.clone(),
                    };
                    match secret_env
                        .iter_mut()
                        .find(|e| e.key.value == item.key.value && c.layer > 0)
                    {
                        Some(e) => *e = item,
                        None => secret_env.push(item),
                    }
                }
                _ => {}
            }
        }
    }
    (env, secret_env)
}

/// The `bucket NAME access= env=` children of a service or job.
pub(super) fn bucket_uses(node: &Node) -> Vec<BucketAccess> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "bucket")
        .filter_map(|b| {
            let bucket = str_of(b.arg(0))?;
            Some(BucketAccess {
                access: str_of(b.prop("access"))
                    .unwrap_or_else(|| default_at("read".into(), b.span)),
                env: str_of(b.prop("env"))
                    .unwrap_or_else(|| default_at(bucket_env_key(&bucket.value), b.span)),
                bucket,
                span: b.span,
            })
        })
        .collect()
}

/// The `database NAME env=` children of a service or job.
/// `redis NAME env=KEY` on a service or a job: KEY (default `REDIS_URL`) gets the
/// cluster's `rediss://` URL, a secret (it holds the password).
#[derive(Clone, Debug)]
pub struct RedisUse {
    pub redis: Spanned<String>,
    pub env: Spanned<String>,
    /// `certificate-env=KEY2`: KEY2 gets the cluster's TLS certificate (PEM), for clients
    /// that verify the server against it.
    pub certificate_env: Option<Spanned<String>>,
    pub span: Span,
}

pub(super) fn redis_uses(node: &Node) -> Vec<RedisUse> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "redis")
        .filter_map(|d| {
            Some(RedisUse {
                redis: str_of(d.arg(0))?,
                env: str_of(d.prop("env"))
                    .unwrap_or_else(|| default_at("REDIS_URL".into(), d.span)),
                certificate_env: str_of(d.prop("certificate-env")),
                span: d.span,
            })
        })
        .collect()
}

pub(super) fn database_uses(node: &Node) -> Vec<DatabaseUse> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "database")
        .filter_map(|d| {
            Some(DatabaseUse {
                database: str_of(d.arg(0))?,
                env: str_of(d.prop("env"))
                    .unwrap_or_else(|| default_at("DATABASE_URL".into(), d.span)),
                span: d.span,
            })
        })
        .collect()
}

/// The string arguments of child `name` (`command`, `args`), if the child is there.
pub(super) fn strings(node: &Node, name: &str) -> Option<Spanned<Vec<String>>> {
    node.child(name).map(|c| {
        let words = c
            .args
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect();
        Spanned::new(words, c.span)
    })
}

/// The env names of a bucket API key: `s3-keys id= secret=`, or the defaults.
pub(super) fn s3_keys(node: &Node, head: Span) -> (Spanned<String>, Spanned<String>) {
    let keys = node.child("s3-keys");
    (
        keys.and_then(|k| str_of(k.prop("id")))
            .unwrap_or_else(|| default_at("S3_ACCESS_KEY_ID".into(), head)),
        keys.and_then(|k| str_of(k.prop("secret")))
            .unwrap_or_else(|| default_at("S3_ACCESS_KEY_SECRET".into(), head)),
    )
}

/// The `link` children of `node`.
pub(super) fn links(node: &Node) -> Vec<Link> {
    node.children()
        .iter()
        .filter(|c| c.name.value == "link")
        .filter_map(|l| {
            Some(Link {
                target: str_of(l.arg(0))?,
                env: str_of(l.prop("env"))?,
                url: str_of(l.prop("url")).unwrap_or_else(|| default_at("{url}".into(), l.span)),
                token: str_of(l.prop("token")),
                span: l.span,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_migration_replaces_the_service_keys() {
        let text = "stack s\nsecret a\nsecret b\nservice api {\n    env MODE=web DATABASE_URL=x LEVEL=1\n    secret-env TOKEN=a SECRET=a\n    migrate \"m\" {\n        env LEVEL=2 SECRET=plain\n        secret-env DATABASE_URL=b\n    }\n}\n";
        let checked = crate::check(text);
        let svc = &checked.envs[0].services[0];
        let m = svc.migrate.as_ref().unwrap();
        let env: Vec<(&str, String)> = m
            .env(svc)
            .iter()
            .map(|e| (e.key.value.as_str(), e.value.lit.display()))
            .collect();
        assert_eq!(
            env,
            [
                ("MODE", "web".into()),
                ("LEVEL", "2".into()),
                ("SECRET", "plain".into())
            ]
        );
        let secrets: Vec<(&str, &str)> = m
            .secret_env(svc)
            .iter()
            .map(|e| (e.key.value.as_str(), e.secret.value.as_str()))
            .collect();
        assert_eq!(secrets, [("TOKEN", "a"), ("DATABASE_URL", "b")]);
    }
}
