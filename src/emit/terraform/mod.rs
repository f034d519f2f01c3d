//! The Terraform configuration, in JSON syntax: the root module, its child modules,
//! the variables files per environment, backend files and the secrets template.
//!
//! The root module is the same for every environment; what makes an environment
//! (scale, memory, names, domains, var values) is in `environments/ENV.tfvars.json`.

mod containers;
mod database;
mod dns;
mod edge;
mod hcl;
mod iam;
mod jobs;
pub use containers::ident as containers_ident;
pub use jobs::migrate_key;
pub use storage::site_builds_with_env;
mod monitoring;
mod network;
mod project;
mod queues;
mod redis;
mod registry;
pub(crate) mod root;
mod secrets;
mod storage;
mod tfvars;

use super::{json_bytes, Artifacts};
use crate::model::Stack;
use serde_json::{json, Map, Value};

/// Which child modules the stack needs (in any environment).
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Some environment creates its own project (`project create=#true`).
    pub project: bool,
    /// Some environment declares a `network`: only then is there a VPC.
    pub network: bool,
    /// Some service or job (a migration too) reads or writes a bucket or a database,
    /// calls a private service (`link token=`), or some service is private (the health
    /// probes): IAM applications and keys.
    pub iam: bool,
    /// Some environment declares a `database`.
    pub database: bool,
    /// Some environment declares a `queue`: modules/queues.
    pub queues: bool,
    /// Some service or job sends to or receives from a queue (SQS credentials of its own).
    pub queue_users: bool,
    /// Some service `consume`s a queue: container triggers.
    pub consumers: bool,
    /// Some environment declares a `redis`.
    pub redis: bool,
    pub registry: bool,
    pub secrets: bool,
    pub containers: bool,
    pub storage: bool,
    /// Some bucket has a policy (a site, a public bucket): every policy grants the
    /// environment's deployers (`var.deployers`) full access.
    pub policies: bool,
    /// Some environment with a bucket policy declares no `deployer`: there, the
    /// principal of the key that runs is looked up (`data.scaleway_iam_api_key.deployer`).
    pub implicit_deployer: bool,
    pub edge: bool,
    pub dns: bool,
    pub monitoring: bool,
    /// Some service runs a migration job, or the stack has a `job`: Serverless Job
    /// definitions.
    pub jobs: bool,
}

impl Shape {
    pub fn of(envs: &[Stack]) -> Shape {
        let any = |f: &dyn Fn(&Stack) -> bool| envs.iter().any(f);
        Shape {
            project: any(&|s| s.creates_project()),
            network: any(&|s| s.network.declared),
            iam: any(&|s| s.uses_iam()),
            database: any(&|s| !s.databases.is_empty()),
            queues: any(&|s| !s.queues.is_empty()),
            queue_users: any(&Stack::uses_queues),
            consumers: any(&|s| s.services.iter().any(|x| !x.consumes.is_empty())),
            redis: any(&|s| !s.redis.is_empty()),
            registry: any(&|s| s.registry.declared || s.builds_images()),
            // Secret Manager keeps a copy only for what reads secrets by reference
            // (migration and scheduled jobs); containers get values, so with no job
            // there is nothing to store (docs/scaleway-facts.md, Secret Manager).
            secrets: any(&|s| s.secrets.iter().any(|x| x.store) && s.reads_secret_manager()),
            containers: any(&|s| !s.services.is_empty()),
            storage: any(&|s| !s.sites.is_empty() || !s.buckets.is_empty()),
            policies: any(&Stack::has_bucket_policy),
            implicit_deployer: any(&Stack::implicit_deployer),
            edge: any(&|s| s.domains.iter().any(|d| d.site.is_some())),
            dns: any(&|s| s.dns.is_some()),
            monitoring: any(&|s| s.monitoring.is_some()),
            jobs: any(&|s| s.has_jobs()),
        }
    }
}

/// What the Terraform configuration is made from: every environment (at least one) and
/// the shape they share.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub envs: &'a [Stack],
    pub shape: Shape,
}

impl<'a> Cx<'a> {
    /// The first environment: what is the same in all of them (name, region, vars).
    pub fn first(&self) -> &'a Stack {
        &self.envs[0]
    }
}

/// A child module and its wiring, in one place: whether the stack needs it, its files,
/// its `module` block in the root module (what it takes from root variables, locals and
/// the other modules' outputs), and the root variables and outputs that exist for it.
/// The root module iterates over [`CHILDREN`]; it tests no module's flags itself.
pub(crate) struct Child {
    pub name: &'static str,
    /// Whether some environment needs the module.
    pub wanted: fn(Shape) -> bool,
    /// Its three files under `modules/NAME/`.
    pub module: fn(Cx) -> Module,
    /// Its `module "NAME"` block in the root `main.tf.json`.
    pub call: fn(Cx) -> Value,
    /// Adds the root variables it reads to `variables.tf.json`.
    pub variables: fn(Cx, &mut Map<String, Value>),
    /// Adds the root outputs it gives to `outputs.tf.json`.
    pub outputs: fn(Cx, &mut Map<String, Value>),
}

/// No root variables, or no root outputs.
pub(crate) fn nothing(_: Cx, _: &mut Map<String, Value>) {}

/// Every child module, in the order they are emitted.
pub(crate) static CHILDREN: [Child; 14] = [
    project::CHILD,
    network::CHILD,
    iam::CHILD,
    redis::CHILD,
    database::CHILD,
    queues::CHILD,
    registry::CHILD,
    secrets::CHILD,
    jobs::CHILD,
    containers::CHILD,
    storage::CHILD,
    edge::CHILD,
    dns::CHILD,
    monitoring::CHILD,
];

/// The child modules the stack needs.
pub(crate) fn wanted(shape: Shape) -> impl Iterator<Item = &'static Child> {
    CHILDREN.iter().filter(move |c| (c.wanted)(shape))
}

/// A call of `./modules/NAME` in the environment's project, with `region` where the
/// module takes one, and `args` (an object).
pub(crate) fn module_call(name: &str, region: Option<&str>, args: Value) -> Value {
    let mut call = args;
    call["source"] = json!(format!("./modules/{name}"));
    call["project_id"] = ex("local.project_id");
    if let Some(region) = region {
        call["region"] = json!(region);
    }
    call
}

/// A root output.
pub(crate) fn output(out: &mut Map<String, Value>, name: String, value: Value, description: &str) {
    out.insert(name, json!({ "value": value, "description": description }));
}

/// A variable's `validation` block.
pub(crate) fn validation(condition: String, message: String) -> Value {
    json!({ "condition": ex(condition), "error_message": message })
}

/// `${expr}`: a Terraform expression in JSON syntax.
pub(crate) fn ex(expr: impl AsRef<str>) -> Value {
    Value::String(format!("${{{}}}", expr.as_ref()))
}

/// A variable declaration.
pub(crate) fn variable(ty: &str, description: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!(ty));
    m.insert("description".into(), json!(description));
    m
}

/// Resource types that take a `project_id`: every one of them is placed in the
/// environment's project (`local.project_id` in the root module).
///
/// Not `scaleway_domain_record`: its `project_id` is ForceNew, Create ignores it and Read
/// overwrites it with the DNS zone's project, which is not the environment's when the
/// configuration creates the project (docs/scaleway-facts.md, Convergence): setting it
/// would replace every record on every plan after the first.
const PROJECT_SCOPED: [&str; 21] = [
    "scaleway_mnq_sqs",
    "scaleway_mnq_sqs_credentials",
    "scaleway_mnq_sqs_queue",
    "scaleway_sdb_sql_database",
    "scaleway_redis_cluster",
    "scaleway_vpc",
    "scaleway_vpc_private_network",
    "scaleway_registry_namespace",
    "scaleway_secret",
    "scaleway_container_namespace",
    "scaleway_object_bucket",
    "scaleway_object_bucket_policy",
    "scaleway_object_bucket_website_configuration",
    "scaleway_edge_services_pipeline",
    "scaleway_edge_services_plan",
    "scaleway_cockpit_source",
    "scaleway_cockpit_alert_manager",
    "scaleway_edge_services_dns_stage",
    "scaleway_iam_api_key",
    "scaleway_job_definition",
    "scaleway_cockpit_token",
];

/// The `terraform` block every module carries, so that `scaleway` means scaleway/scaleway.
pub(crate) fn module_terraform() -> Value {
    json!({ "required_providers": { "scaleway": { "source": "scaleway/scaleway" } } })
}

/// The three files of a child module.
pub(crate) struct Module {
    pub name: &'static str,
    pub main: Map<String, Value>,
    pub variables: Map<String, Value>,
    pub outputs: Map<String, Value>,
}

impl Module {
    pub fn new(name: &'static str) -> Module {
        let mut main = Map::new();
        main.insert("terraform".into(), module_terraform());
        Module {
            name,
            main,
            variables: Map::new(),
            outputs: Map::new(),
        }
    }

    /// Adds a resource block; a project-scoped one is placed in `var.project_id`.
    pub fn resource(&mut self, ty: &str, name: &str, mut body: Value) {
        if PROJECT_SCOPED.contains(&ty) {
            if !self.variables.contains_key("project_id") {
                self.var(
                    "project_id",
                    "string",
                    "The Scaleway Project every resource here belongs to.",
                );
            }
            let key = if ty == "scaleway_iam_api_key" {
                "default_project_id"
            } else {
                "project_id"
            };
            body[key] = ex("var.project_id");
        }
        // Created as objects on first use.
        self.main.entry("resource").or_insert_with(|| json!({}))[ty][name] = body;
    }

    #[allow(
        clippy::expect_used,
        reason = "the variable was just inserted as an object"
    )]
    pub fn var(&mut self, name: &str, ty: &str, description: &str) -> &mut Map<String, Value> {
        self.variables
            .insert(name.into(), Value::Object(variable(ty, description)));
        self.variables[name].as_object_mut().expect("object")
    }

    pub fn output(&mut self, name: &str, value: Value, description: &str) {
        self.outputs.insert(
            name.into(),
            json!({ "value": value, "description": description }),
        );
    }

    fn write(self, banner: &str, files: &mut Artifacts) {
        let dir = format!("modules/{}", self.name);
        let doc = |key: &str, body: Map<String, Value>| {
            let mut d = Map::new();
            d.insert("//".into(), json!(banner));
            if !body.is_empty() {
                d.insert(key.into(), Value::Object(body));
            }
            Value::Object(d)
        };
        let mut main = self.main;
        main.insert("//".into(), json!(banner));
        files.insert(
            format!("{dir}/main.tf.json"),
            json_bytes(&Value::Object(main)),
        );
        files.insert(
            format!("{dir}/variables.tf.json"),
            json_bytes(&doc("variable", self.variables)),
        );
        files.insert(
            format!("{dir}/outputs.tf.json"),
            json_bytes(&doc("output", self.outputs)),
        );
    }
}

pub fn emit(envs: &[Stack], stack_path: &str) -> Artifacts {
    let banner = super::banner(stack_path);
    let shape = Shape::of(envs);
    let mut files = Artifacts::new();
    if envs.is_empty() {
        return files;
    }
    let cx = Cx { envs, shape };
    root::emit(cx, &banner, &mut files);
    for child in wanted(shape) {
        (child.module)(cx).write(&banner, &mut files);
    }
    tfvars::emit(envs, shape, &banner, &mut files);
    files
}
