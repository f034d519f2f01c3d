//! `job NAME { ... }`: a Serverless Job, run on its schedule or on demand.

use super::service::{
    bucket_uses, build_args, cpu_of, database_uses, env_maps, links, queue_uses, s3_keys, strings,
    BucketAccess, BuildArgs, DatabaseUse, EnvVar, Link, QueueUse, SecretEnv,
};
use super::{build_image, default_at, int_of, str_of};
use crate::span::{Span, Spanned};
use crate::syntax::{Lit, Node};

/// The default `timeout` of a job.
pub const JOB_TIMEOUT: &str = "15m";
/// The default `timezone=` of a schedule.
pub const DEFAULT_TIMEZONE: &str = "UTC";

#[derive(Clone, Debug)]
pub struct Job {
    pub name: Spanned<String>,
    pub span: Span,
    pub image: JobImage,
    /// `command`: the program and its arguments, instead of the image's entrypoint.
    pub command: Option<Spanned<Vec<String>>>,
    /// `args`: arguments for the entrypoint (or the command).
    pub args: Option<Spanned<Vec<String>>>,
    pub env: Vec<EnvVar>,
    pub secret_env: Vec<SecretEnv>,
    /// URLs of services, as a service's `link` gives them.
    pub links: Vec<Link>,
    /// Buckets the job reads or writes, with an API key of its own.
    pub buckets: Vec<BucketAccess>,
    /// The env names of that API key: (access key id, secret key).
    pub s3_keys: (Spanned<String>, Spanned<String>),
    /// Databases the job uses, with an IAM application of its own.
    pub databases: Vec<DatabaseUse>,
    /// Queues the job sends to or receives from, with SQS credentials of its own.
    pub queues: Vec<QueueUse>,
    /// Redis clusters the job uses (their URLs by Secret Manager reference).
    pub redis: Vec<super::service::RedisUse>,
    pub memory: Spanned<i128>,
    pub cpu: Option<Spanned<i128>>,
    /// A duration (`"15m"`); `timeout 600` (seconds, as a service writes it) reads `"600s"`.
    pub timeout: Spanned<String>,
    pub schedule: Option<Schedule>,
    /// `image { arg ...; link ... }`: the Docker build arguments of its own image.
    pub build_args: BuildArgs,
}

/// What a job runs.
#[derive(Clone, Debug)]
pub enum JobImage {
    /// Built from a Dockerfile by images.sh, named after the job.
    Build {
        dockerfile: Spanned<String>,
        context: Spanned<String>,
        platform: Spanned<String>,
    },
    /// A prebuilt image.
    Ref(Spanned<String>),
    /// `image service=NAME`: that service's image and tag.
    Service(Spanned<String>),
}

/// `schedule "CRON" timezone="Area/City"`.
#[derive(Clone, Debug)]
pub struct Schedule {
    pub cron: Spanned<String>,
    pub timezone: Spanned<String>,
    pub span: Span,
}

impl Job {
    /// Whether the job needs an IAM application and API key of its own: for buckets,
    /// databases, or calls to private services (`link token=`).
    pub fn uses_iam(&self) -> bool {
        !self.buckets.is_empty()
            || !self.databases.is_empty()
            || self.links.iter().any(|l| l.token.is_some())
    }

    /// The mvCPU: as set, or the memory tier's pair (the largest tier's above it: a job
    /// may have more memory than any container tier).
    pub fn cpu(&self) -> i128 {
        cpu_of(self.cpu.as_ref(), &self.memory)
    }
}

pub(super) fn lower(node: &Node) -> Option<Job> {
    let name = str_of(node.arg(0))?;
    let head = node.head_span();
    let child = |n: &str| node.child(n);
    let image = match child("image") {
        Some(img) if img.prop("ref").is_some() => JobImage::Ref(str_of(img.prop("ref"))?),
        Some(img) if img.prop("service").is_some() => {
            JobImage::Service(str_of(img.prop("service"))?)
        }
        img => {
            let (dockerfile, context, platform) = build_image(img, &name.value, head);
            JobImage::Build {
                dockerfile,
                context,
                platform,
            }
        }
    };
    let (env, secret_env) = env_maps(node);
    let schedule = child("schedule").and_then(|s| {
        Some(Schedule {
            cron: str_of(s.arg(0))?,
            timezone: str_of(s.prop("timezone"))
                .unwrap_or_else(|| default_at(DEFAULT_TIMEZONE.into(), s.span)),
            span: s.head_span(),
        })
    });
    Some(Job {
        span: head,
        image,
        command: strings(node, "command"),
        args: strings(node, "args"),
        env,
        secret_env,
        links: links(node),
        buckets: bucket_uses(node),
        s3_keys: s3_keys(node, head),
        databases: database_uses(node),
        queues: queue_uses(node),
        redis: super::service::redis_uses(node),
        memory: child("memory")
            .and_then(|c| int_of(c.arg(0)))
            .unwrap_or_else(|| default_at(1024, head)),
        cpu: child("cpu").and_then(|c| int_of(c.arg(0))),
        timeout: child("timeout")
            .and_then(|c| c.arg(0))
            .and_then(|v| match &v.lit {
                // Seconds, as a service's `timeout` is written.
                Lit::Int(n) => Some(Spanned::new(format!("{n}s"), v.span)),
                _ => str_of(Some(v)),
            })
            .unwrap_or_else(|| default_at(JOB_TIMEOUT.into(), head)),
        schedule,
        build_args: build_args(child("image")),
        name,
    })
}
