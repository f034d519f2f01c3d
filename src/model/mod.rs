//! The typed stack of one environment, lowered from its merged node tree.
//! Lowering is lenient: a value of the wrong shape was already reported by the
//! schema check, so it is skipped here and the default stands.

#![deny(clippy::arithmetic_side_effects)]

pub mod build;
pub mod duration;
pub mod job;
pub mod names;
mod resources;
pub mod service;

pub use job::{Job, JobImage, Schedule};
pub use resources::{
    Bucket, Cors, Database, Domain, Expire, Monitoring, Queue, Redis, Secret, Site, Source, Var,
    QUEUE_RETENTION, QUEUE_VISIBILITY, REDIS_NODE_TYPE, REDIS_NODE_TYPES, REDIS_USER,
    REDIS_VERSION, REDIS_VERSIONS,
};
pub use service::{
    BucketAccess, BuildArgs, Consume, DatabaseUse, EnvVar, Health, Image, Link, Migrate, QueueUse,
    RedisUse, Scale, SecretEnv, Service,
};

use crate::envs::EnvTree;
use crate::span::{Span, Spanned};
use crate::syntax::{Node, Value};

pub const REGIONS: [&str; 3] = ["fr-par", "nl-ams", "pl-waw"];
/// The provider version the output is written for (schema/scaleway.json is its schema):
/// pinned exactly, so every deployer runs the same provider.
pub const DEFAULT_PROVIDER: &str = "2.79.0";
/// A preview's environment name, `p` + its id, before scripts/preview.sh gives the id.
pub const PREVIEW_ENV: &str = "p{id}";
/// The placeholder of the preview id in names and domain hosts.
pub const PREVIEW_ID: &str = "{id}";
/// The longest preview id, with which names are checked (1 to 6 of `[a-z0-9]`).
pub const PREVIEW_LONGEST_ID: &str = "123456";

/// One environment's resolved stack.
#[derive(Clone, Debug)]
pub struct Stack {
    pub env: Spanned<String>,
    /// The template of preview environments (`environment NAME preview=#true`): its
    /// resources are named `p{id}-STACK-...`, `{id}` replaced by scripts/preview.sh.
    pub preview: bool,
    pub name: Spanned<String>,
    pub span: Span,
    pub region: Spanned<String>,
    pub zone: Spanned<String>,
    pub provider: Spanned<String>,
    pub state: Option<State>,
    pub project: Option<Project>,
    /// `deployer application=|user=`: the principals that deploy this environment (the
    /// top level's and the environment's own), in order, as written.
    pub deployers: Vec<Deployer>,
    pub edge: Option<Edge>,
    pub registry: Registry,
    pub network: Network,
    pub secrets: Vec<Secret>,
    pub vars: Vec<Var>,
    pub services: Vec<Service>,
    /// Services declared but `enabled=#false` in this environment: they do not exist
    /// here (not in `services`), and whatever needs them here is an error
    /// (`cellac::service::disabled`).
    pub disabled: Vec<Disabled>,
    /// `job NAME`: Serverless Jobs run on a schedule or on demand.
    pub jobs: Vec<Job>,
    pub sites: Vec<Site>,
    pub buckets: Vec<Bucket>,
    pub databases: Vec<Database>,
    /// `queue NAME`: Scaleway Queues (SQS) queues.
    pub queues: Vec<Queue>,
    /// `redis NAME`: Managed Database for Redis clusters.
    pub redis: Vec<Redis>,
    pub monitoring: Option<Monitoring>,
    pub dns: Option<Spanned<String>>,
    pub domains: Vec<Domain>,
    pub load_balancers: Vec<Span>,
}

/// A service that is `enabled=#false` in an environment.
#[derive(Clone, Debug)]
pub struct Disabled {
    pub name: Spanned<String>,
    /// Where `enabled=#false` is written.
    pub at: Span,
}

/// The environments (names, in order) where service `name` is declared but disabled
/// (`enabled=#false`): what a check of something that needs the service there (a link,
/// a domain, a job's image, a queue's consumer) reports as `cellac::service::disabled`.
pub fn disabled_in<'a>(envs: &'a [Stack], name: &str) -> Vec<&'a str> {
    envs.iter()
        .filter(|e| e.disabled(name).is_some())
        .map(|e| e.env.value.as_str())
        .collect()
}

/// Every service enabled in some environment, each once (the first environment's
/// lowering of it), in the order of the stack file; with whether it is absent from
/// some environment (`enabled=#false` there), which makes it conditional in the output.
pub fn all_services(envs: &[Stack]) -> Vec<(&Service, bool)> {
    use std::collections::{HashMap, HashSet};
    // By name, not by scanning: this runs for every build over every service.
    let mut firsts: Vec<&Service> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    // How many environments have each service.
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for e in envs {
        let mut here: HashSet<&str> = HashSet::new();
        for s in &e.services {
            let name = s.name.value.as_str();
            if seen.insert(name) {
                firsts.push(s);
            }
            if here.insert(name) {
                let n = counts.entry(name).or_insert(0);
                *n = n.saturating_add(1);
            }
        }
    }
    let mut out: Vec<(&Service, bool)> = firsts
        .into_iter()
        .map(|s| {
            let n = counts.get(s.name.value.as_str()).copied().unwrap_or(0);
            (s, n < envs.len())
        })
        .collect();
    out.sort_by_key(|(s, _)| s.name.span.start);
    out
}

#[derive(Clone, Debug)]
pub struct State {
    pub bucket: Spanned<String>,
    pub region: Spanned<String>,
}

/// `project`: where the environment's resources live.
#[derive(Clone, Debug)]
pub struct Project {
    pub span: Span,
    pub create: bool,
    pub id: Option<Spanned<String>>,
}

/// `deployer application="UUID"` or `deployer user="UUID"`: an IAM principal that runs
/// Terraform and the scripts. Exactly one of the two is expected (checked by
/// `cellac::deployer::principal`); a node with neither is kept so the check can point at it.
#[derive(Clone, Debug)]
pub struct Deployer {
    pub span: Span,
    pub application: Option<Spanned<String>>,
    pub user: Option<Spanned<String>>,
}

impl Deployer {
    /// The bucket policy principal, `application_id:UUID` or `user_id:UUID`, when the
    /// node names exactly one principal.
    pub fn principal(&self) -> Option<String> {
        match (&self.application, &self.user) {
            (Some(a), None) => Some(format!("application_id:{}", a.value.to_lowercase())),
            (None, Some(u)) => Some(format!("user_id:{}", u.value.to_lowercase())),
            _ => None,
        }
    }
}

/// `edge`: the Edge Services subscription.
#[derive(Clone, Debug)]
pub struct Edge {
    pub span: Span,
    pub plan: Option<Spanned<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// Whether the stack has a `registry` node (a registry is also implied by builds).
    pub declared: bool,
    pub public: bool,
    /// `namespace="NAME"`: the exact namespace name (to keep a live one).
    pub namespace: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Network {
    /// Whether the stack has a `network` node: only then is there a VPC.
    pub declared: bool,
    pub subnet: Spanned<String>,
}

impl Stack {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name.value == name)
    }

    /// The `enabled=#false` of service `name` in this environment, if it is disabled here.
    pub fn disabled(&self, name: &str) -> Option<&Disabled> {
        self.disabled.iter().find(|d| d.name.value == name)
    }

    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name.value == name)
    }

    pub fn secret(&self, name: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.name.value == name)
    }

    pub fn queue(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.name.value == name)
    }

    /// Whether some service or job (a migration too) sends to or receives from a queue
    /// with SQS credentials of its own.
    pub fn uses_queues(&self) -> bool {
        self.services.iter().any(|s| !s.queues.is_empty())
            || self.jobs.iter().any(|j| !j.queues.is_empty())
    }

    pub fn var(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|v| v.name.value == name)
    }

    /// `dev-cella`: the prefix of every resource name.
    pub fn prefix(&self) -> String {
        format!("{}-{}", self.name_env(), self.name.value)
    }

    /// The environment's name in resource names: its own, or `p{id}` in a preview
    /// template (scripts/preview.sh replaces `{id}`).
    pub fn name_env(&self) -> String {
        if self.preview {
            PREVIEW_ENV.to_string()
        } else {
            self.env.value.clone()
        }
    }

    /// The registry namespace's name: `namespace=` as written, else `ENVSTACK`.
    pub fn registry_namespace(&self) -> String {
        match &self.registry.namespace {
            Some(n) => n.value.clone(),
            None => names::registry_name(&self.name_env(), &self.name.value),
        }
    }

    /// A site's bucket name: `name=` as written, else `ENV-STACK-SITE` plus its suffix.
    pub fn site_bucket(&self, site: &Site) -> String {
        match &site.live_name {
            Some(n) => n.value.clone(),
            None => {
                names::site_bucket_name(&self.prefix(), &site.name.value, &site.bucket_suffix.value)
            }
        }
    }

    /// A bucket's name: `name=` as written, else `ENV-STACK-BUCKET`.
    pub fn bucket_name(&self, bucket: &Bucket) -> String {
        match &bucket.live_name {
            Some(n) => n.value.clone(),
            None => format!("{}-{}", self.prefix(), bucket.name.value),
        }
    }

    /// Whether the configuration creates this environment's project.
    pub fn creates_project(&self) -> bool {
        self.project.as_ref().is_some_and(|p| p.create)
    }

    /// Whether this environment serves a site through Edge Services (and needs a plan).
    pub fn uses_edge(&self) -> bool {
        self.domains.iter().any(|d| d.site.is_some())
    }

    /// Whether this environment manages Cockpit's alert manager (one per project).
    pub fn manages_alerts(&self) -> bool {
        self.monitoring
            .as_ref()
            .is_some_and(|m| m.alerts.is_some() || m.preconfigured && m.alerts_span.is_some())
    }

    /// The Edge Services plan: as set, else `professional` when a domain wants a WAF,
    /// else `starter`.
    pub fn edge_plan(&self) -> &str {
        match self.edge.as_ref().and_then(|e| e.plan.as_ref()) {
            Some(p) => &p.value,
            None if self.domains.iter().any(|d| d.site.is_some() && d.waf) => "professional",
            None => "starter",
        }
    }

    /// Whether the environment needs IAM applications: a service or job with an API key
    /// of its own (buckets, databases; a migration has one when its service uses a bucket
    /// or a database), a `link token=` caller (a key per link) or a private service (the
    /// health probes' key).
    pub fn uses_iam(&self) -> bool {
        self.services.iter().any(|s| {
            !s.buckets.is_empty()
                || !s.databases.is_empty()
                || s.private
                || s.links.iter().any(|l| l.token.is_some())
        }) || self.jobs.iter().any(Job::uses_iam)
    }

    /// Whether something reads secrets from Secret Manager by reference: a service's
    /// `migrate` job or a `job` with `secret-env` does (containers get values).
    pub fn reads_secret_manager(&self) -> bool {
        self.migrates() || self.jobs.iter().any(|j| !j.secret_env.is_empty())
    }

    /// Whether some job or migration has an IAM key of its own (buckets, databases,
    /// tokens): what it derives from the key (a database URL, the bucket secret key)
    /// goes to Secret Manager, since a job reads secrets only by reference.
    pub fn jobs_use_iam(&self) -> bool {
        self.jobs.iter().any(Job::uses_iam)
            || self
                .services
                .iter()
                .any(|s| s.migrate.is_some() && !(s.buckets.is_empty() && s.databases.is_empty()))
    }

    /// Whether the stack has Serverless Job definitions: migrations or `job`s.
    pub fn has_jobs(&self) -> bool {
        self.migrates() || !self.jobs.is_empty()
    }

    /// Whether some service runs a migration job before its rollout.
    pub fn migrates(&self) -> bool {
        self.services.iter().any(|s| s.migrate.is_some())
    }

    /// Whether some bucket has a policy: every site and every bucket has one (public read
    /// where public, each service's access, the deployers' full access), so Terraform
    /// needs to know who deploys.
    pub fn has_bucket_policy(&self) -> bool {
        !self.sites.is_empty() || !self.buckets.is_empty()
    }

    /// The declared deployers' bucket policy principals, each once, in order.
    pub fn deployer_principals(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self.deployers.iter().filter_map(Deployer::principal) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// Whether this environment has buckets with a policy and declares no deployer: then
    /// only the key that runs Terraform keeps access (`cellac::deployer::implicit`).
    pub fn implicit_deployer(&self) -> bool {
        self.has_bucket_policy() && self.deployer_principals().is_empty()
    }

    /// Whether some service builds its image, which implies a registry.
    pub fn builds_images(&self) -> bool {
        self.services
            .iter()
            .any(|s| matches!(s.image, Image::Build { .. }))
            || self
                .jobs
                .iter()
                .any(|j| matches!(j.image, JobImage::Build { .. }))
    }
}

// Small readers over nodes, shared by the lowering functions.

pub(crate) fn str_of(v: Option<&Value>) -> Option<Spanned<String>> {
    let v = v?;
    v.as_str().map(|s| Spanned::new(s.to_string(), v.span))
}

pub(crate) fn int_of(v: Option<&Value>) -> Option<Spanned<i128>> {
    let v = v?;
    v.as_int().map(|i| Spanned::new(i, v.span))
}

pub(crate) fn bool_of(v: Option<&Value>) -> Option<bool> {
    v?.as_bool()
}

pub(crate) fn default_at<T>(value: T, span: Span) -> Spanned<T> {
    Spanned::new(value, span)
}

/// The `(dockerfile, context, platform)` of an image built from a Dockerfile, for a
/// service or a job named `name`: as `image dockerfile=… context=… platform=…` sets
/// them, or the defaults (`NAME/Dockerfile`, `.`, `linux/amd64`) pointing at `head`.
pub(crate) fn build_image(
    img: Option<&Node>,
    name: &str,
    head: Span,
) -> (Spanned<String>, Spanned<String>, Spanned<String>) {
    let prop = |key: &str, default: String| {
        img.and_then(|i| str_of(i.prop(key)))
            .unwrap_or_else(|| default_at(default, head))
    };
    (
        prop("dockerfile", format!("{name}/Dockerfile")),
        prop("context", ".".into()),
        prop("platform", "linux/amd64".into()),
    )
}

/// Whether a `service` node is enabled: `enabled=#false` removes it from its environment.
fn enabled(node: &Node) -> bool {
    bool_of(node.prop("enabled")).unwrap_or(true)
}

/// Lowers one environment's merged nodes.
pub fn lower(tree: &EnvTree) -> Stack {
    let nodes = &tree.nodes;
    let stack_node = nodes.iter().find(|n| n.name.value == "stack");
    let head = stack_node.map_or(Span::default(), Node::head_span);
    let name = stack_node
        .and_then(|n| str_of(n.arg(0)))
        .unwrap_or_else(|| default_at(String::new(), head));
    let region = stack_node
        .and_then(|n| str_of(n.prop("region")))
        .unwrap_or_else(|| default_at("fr-par".into(), head));
    let zone = stack_node
        .and_then(|n| str_of(n.prop("zone")))
        .unwrap_or_else(|| default_at(format!("{}-1", region.value), head));
    let provider = stack_node
        .and_then(|n| str_of(n.prop("provider")))
        .unwrap_or_else(|| default_at(DEFAULT_PROVIDER.into(), head));
    let of = |kind: &'static str| nodes.iter().filter(move |n| n.name.value == kind);
    let last = |kind: &str| nodes.iter().rev().find(|n| n.name.value == kind);
    let state = last("state").and_then(|n| {
        Some(State {
            bucket: str_of(n.prop("bucket"))?,
            region: str_of(n.prop("region")).unwrap_or_else(|| region.clone()),
        })
    });
    let project = last("project").map(|n| Project {
        span: n.head_span(),
        create: bool_of(n.prop("create")).unwrap_or(false),
        id: str_of(n.prop("id")),
    });
    let deployers = of("deployer")
        .map(|n| Deployer {
            span: n.head_span(),
            application: str_of(n.prop("application")),
            user: str_of(n.prop("user")),
        })
        .collect();
    let edge = last("edge").map(|n| Edge {
        span: n.head_span(),
        plan: str_of(n.prop("plan")),
    });
    let registry = Registry {
        declared: last("registry").is_some(),
        public: last("registry")
            .and_then(|n| bool_of(n.prop("public")))
            .unwrap_or(false),
        namespace: last("registry").and_then(|n| str_of(n.prop("namespace"))),
    };
    let network = Network {
        declared: last("network").is_some(),
        subnet: last("network")
            .and_then(|n| str_of(n.prop("subnet")))
            .unwrap_or_else(|| default_at("10.0.0.0/24".into(), head)),
    };
    let dedup = |kind: &'static str| {
        // The first declaration of each name wins; a second is a reported duplicate.
        let mut seen = std::collections::HashSet::new();
        of(kind).filter(move |n| {
            n.first_str()
                .is_some_and(|s| seen.insert(s.value.to_string()))
        })
    };
    let mut stack = Stack {
        env: tree.name.clone(),
        preview: tree.preview,
        span: head,
        secrets: dedup("secret").filter_map(resources::secret).collect(),
        vars: dedup("var").filter_map(resources::var).collect(),
        services: dedup("service")
            .filter(|n| enabled(n))
            .filter_map(service::lower)
            .collect(),
        disabled: dedup("service")
            .filter(|n| !enabled(n))
            .filter_map(|n| {
                Some(Disabled {
                    name: str_of(n.arg(0))?,
                    at: n.prop("enabled").map_or(n.head_span(), |v| v.span),
                })
            })
            .collect(),
        jobs: dedup("job").filter_map(job::lower).collect(),
        sites: dedup("site").filter_map(resources::site).collect(),
        buckets: dedup("bucket").filter_map(resources::bucket).collect(),
        databases: dedup("database").filter_map(resources::database).collect(),
        queues: dedup("queue").filter_map(resources::queue).collect(),
        redis: dedup("redis").filter_map(resources::redis).collect(),
        monitoring: last("monitoring").map(resources::monitoring),
        dns: last("dns").and_then(|n| str_of(n.prop("zone"))),
        domains: dedup("domain").filter_map(resources::domain).collect(),
        load_balancers: of("load-balancer").map(|n| n.name.span).collect(),
        name,
        region,
        zone,
        provider,
        state,
        project,
        deployers,
        edge,
        registry,
        network,
    };
    redis_password_rules(&mut stack);
    stack
}

/// The shortest Redis password Scaleway accepts: "between 8 and 128 characters"
/// (docs/scaleway-facts.md, Managed Database for Redis).
pub const REDIS_PASSWORD_MIN: i128 = 8;

/// A secret that is a Redis cluster's `password=` is at least [`REDIS_PASSWORD_MIN`]
/// characters: its `min-length` is raised to that (pointing at the `password=`), so
/// that `check --secrets` and the Terraform variable's validation refuse a shorter value.
fn redis_password_rules(stack: &mut Stack) {
    let uses: Vec<Spanned<String>> = stack
        .redis
        .iter()
        .filter_map(|r| r.password.clone())
        .collect();
    for used in uses {
        if let Some(secret) = stack
            .secrets
            .iter_mut()
            .find(|s| s.name.value == used.value)
        {
            if secret
                .min_length
                .as_ref()
                .is_none_or(|m| m.value < REDIS_PASSWORD_MIN)
            {
                secret.min_length = Some(Spanned::new(REDIS_PASSWORD_MIN, used.span));
            }
        }
    }
}
