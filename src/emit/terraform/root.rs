//! The root module: `main.tf.json`, `variables.tf.json`, `outputs.tf.json`, the backend
//! files and the secrets template.
//!
//! The root holds what is its own (the provider and `terraform` blocks, the locals, the
//! project and deployer look-ups, the variables every environment has, the stack's vars
//! and secrets); each child module's `module` block, root variables and root outputs
//! come from its [`Child`](super::Child) in [`CHILDREN`](super::CHILDREN).

use super::{ex, hcl, validation, variable, wanted, Cx};
use crate::emit::{json_bytes, Artifacts};
use crate::model::{Secret, Stack, Var};
use serde_json::{json, Map, Value};

/// The type of `var.names`: the names of the environment's resources.
pub const NAMES_TYPE: &str = "object({ containers = string, registry = string, vpc = string, private_network = string, secret_path = string })";
/// The type of `var.project`: the environment's Scaleway Project.
pub const PROJECT_TYPE: &str = "object({ create = bool, id = optional(string), name = string })";

/// A root file: the banner, and `body` under `key` unless it is empty.
fn doc(banner: &str, key: &str, body: Map<String, Value>) -> Value {
    let mut d = Map::new();
    d.insert("//".into(), json!(banner));
    if !body.is_empty() {
        d.insert(key.into(), Value::Object(body));
    }
    Value::Object(d)
}

/// Writes the root module's files, the backend files and the secrets templates.
pub fn emit(cx: Cx, banner: &str, files: &mut Artifacts) {
    files.insert("main.tf.json".into(), json_bytes(&main(cx, banner)));
    files.insert(
        "variables.tf.json".into(),
        json_bytes(&doc(banner, "variable", variables(cx))),
    );
    files.insert(
        "outputs.tf.json".into(),
        json_bytes(&doc(banner, "output", outputs(cx))),
    );
    for e in cx.envs {
        if let Some(text) = backend(e, banner) {
            files.insert(
                format!("environments/{}.s3.tfbackend", e.env.value),
                text.into_bytes(),
            );
        }
    }
    files.insert(
        "secrets.auto.tfvars.example".into(),
        secrets_example(cx.first(), banner).into_bytes(),
    );
    for e in cx.envs {
        files.insert(
            format!("secrets/{}.tfvars.example", e.env.value),
            env_secrets_example(e, banner).into_bytes(),
        );
    }
}

/// `environments/ENV.s3.tfbackend`: where environment `e` keeps its state, if it says.
fn backend(e: &Stack, banner: &str) -> Option<String> {
    let state = e.state.as_ref()?;
    Some(format!(
        "# {banner}\n# terraform init -backend-config=environments/{env}.s3.tfbackend\nbucket = {bucket}\nkey = {key}\nregion = {region}\nendpoints = {{ s3 = {endpoint} }}\nskip_credentials_validation = true\nskip_region_validation = true\nskip_requesting_account_id = true\nskip_s3_checksum = true\nuse_lockfile = true\n",
        env = e.env.value,
        bucket = hcl::string(&state.bucket.value),
        // A preview's state: preview/ID/terraform.tfstate (preview.sh gives ID).
        key = hcl::string(&if e.preview {
            format!("preview/{}/terraform.tfstate", crate::model::PREVIEW_ID)
        } else {
            format!("{}/terraform.tfstate", e.env.value)
        }),
        region = hcl::string(&state.region.value),
        endpoint = hcl::string(&format!("https://s3.{}.scw.cloud", state.region.value)),
    ))
}

/// `main.tf.json`: the root's own blocks, and a `module` block per wanted child.
fn main(cx: Cx, banner: &str) -> Value {
    let s = cx.first();
    let mut terraform = json!({
        "required_version": ">= 1.11",
        "required_providers": { "scaleway": { "source": "scaleway/scaleway", "version": s.provider.value } },
    });
    if cx.envs.iter().any(|e| e.state.is_some()) {
        terraform["backend"] = json!({ "s3": {} });
    }
    let mut locals = locals(cx);
    let data = data(cx, &mut locals);
    let modules: Map<String, Value> = wanted(cx.shape)
        .map(|child| (child.name.to_string(), (child.call)(cx)))
        .collect();
    json!({
        "//": banner,
        "terraform": terraform,
        "provider": { "scaleway": { "region": s.region.value, "zone": s.zone.value } },
        "locals": locals,
        "data": data,
        "module": modules,
    })
}

/// The locals every environment has: tags, secrets and vars by name, service domains,
/// and the environment's project.
fn locals(cx: Cx) -> Value {
    let s = cx.first();
    let stack = &s.name.value;
    let mut locals = json!({
        "tags": ["app:".to_string() + stack, "env:${var.environment}", "managed-by:cellac"],
        "bucket_tags": { "app": stack, "env": ex("var.environment"), "managed-by": "cellac" },
    });
    let secret_map: Vec<String> = s
        .secrets
        .iter()
        .map(|x| format!("{} = var.{}", hcl::string(&x.name.value), x.name.value))
        .collect();
    locals["secrets"] = ex(format!("{{ {} }}", secret_map.join(", ")));
    let var_map: Vec<String> = s
        .vars
        .iter()
        .map(|x| format!("{} = var.{}", hcl::string(&x.name.value), x.name.value))
        .collect();
    locals["vars"] = ex(format!("{{ {} }}", var_map.join(", ")));
    locals["service_domains"] = ex(
        "merge({}, [for name, s in var.services : { for host in s.domains : host => name }]...)",
    );
    // Every resource lives in the environment's project: the one created for it, the
    // one `project id=` names, or the API key's default project (the data source's
    // answer when given no id).
    locals["project_id"] = ex(super::project::id(cx.shape));
    locals
}

/// The root's data sources: the environment's project, and (with `local.deployers`)
/// the key that runs where no `deployer` is declared.
fn data(cx: Cx, locals: &mut Value) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert(
        "scaleway_account_project".into(),
        json!({ "current": {
            "count": ex("var.project.create ? 0 : 1"),
            "project_id": ex("var.project.id"),
        } }),
    );
    if cx.shape.implicit_deployer {
        // An environment with bucket policies and no `deployer`: the key that runs keeps
        // full access (a 2023-04-17 policy denies everything it does not allow). Its
        // user, or, for an IAM application's key (whose user_id is null or empty), its
        // application. Environments that declare deployers never look the key up.
        data.insert(
            "scaleway_iam_api_key".into(),
            json!({ "deployer": {
                "count": ex("length(var.deployers) == 0 ? 1 : 0"),
                "access_key": ex("var.deployer_access_key"),
            } }),
        );
        locals["deployers"] = ex("length(var.deployers) > 0 ? var.deployers : [for k in data.scaleway_iam_api_key.deployer : try(length(k.user_id) > 0, false) ? \"user_id:${k.user_id}\" : \"application_id:${k.application_id}\"]");
    }
    data
}

/// `variables.tf.json`: the root's own variables, each wanted child's, and the stack's
/// vars and secrets (last: a stack name wins, as it always did).
fn variables(cx: Cx) -> Map<String, Value> {
    let s = cx.first();
    let mut vars = Map::new();
    vars.insert("environment".into(), Value::Object(environment(cx.envs)));
    vars.insert(
        "names".into(),
        Value::Object(variable(
            NAMES_TYPE,
            "Names of the environment's resources.",
        )),
    );
    vars.insert(
        "project".into(),
        Value::Object(variable(
            PROJECT_TYPE,
            "The environment's Scaleway Project: created (named ENV-STACK), given by id, or the API key's default (id null).",
        )),
    );
    deployers(cx, &mut vars);
    for child in wanted(cx.shape) {
        (child.variables)(cx, &mut vars);
    }
    for x in &s.vars {
        vars.insert(x.name.value.clone(), Value::Object(var_variable(x)));
    }
    for x in &s.secrets {
        vars.insert(x.name.value.clone(), Value::Object(secret_variable(x)));
    }
    vars
}

/// `var.environment`: one of the stack's environments, or a preview's name.
fn environment(envs: &[Stack]) -> Map<String, Value> {
    let names: Vec<&str> = envs
        .iter()
        .filter(|e| !e.preview)
        .map(|e| e.env.value.as_str())
        .collect();
    let mut env = variable("string", "The environment being deployed.");
    // A preview is `p` + its id (scripts/preview.sh), from the preview template.
    let (condition, message) = if envs.iter().any(|e| e.preview) {
        (
            format!(
                "contains({}, var.environment) || can(regex(\"^p[a-z0-9]{{1,6}}$\", var.environment))",
                hcl::list(&names)
            ),
            format!(
                "The environment must be one of: {}, or a preview: p + an id of 1 to 6 of [a-z0-9].",
                names.join(", ")
            ),
        )
    } else {
        (
            format!("contains({}, var.environment)", hcl::list(&names)),
            format!("The environment must be one of: {}.", names.join(", ")),
        )
    };
    env.insert("validation".into(), json!([validation(condition, message)]));
    env
}

/// `var.deployers` and `var.deployer_access_key`, which `local.deployers` and the key
/// look-up read (see [`data`]) where some bucket has a policy.
fn deployers(cx: Cx, vars: &mut Map<String, Value>) {
    if cx.shape.policies {
        let mut d = variable(
            "list(string)",
            "The principals that deploy this environment (`deployer` nodes: application_id:UUID or user_id:UUID): every bucket policy grants each of them full access.",
        );
        d.insert("default".into(), json!([]));
        vars.insert("deployers".into(), Value::Object(d));
    }
    if cx.shape.implicit_deployer {
        let mut k = variable(
            "string",
            "The access key (not the secret key) Terraform runs with, read only where the environment declares no `deployer`; the scripts set TF_VAR_deployer_access_key from SCW_ACCESS_KEY. Its user or application keeps full access to buckets with a policy.",
        );
        k.insert("default".into(), Value::Null);
        vars.insert("deployer_access_key".into(), Value::Object(k));
    }
}

/// A `var` of the stack: a string, checked as its `format` and `pattern` say.
fn var_variable(v: &Var) -> Map<String, Value> {
    let mut m = variable("string", &format!("The stack's `var {}`.", v.name.value));
    let name = &v.name.value;
    let mut checks = Vec::new();
    if v.format.as_ref().is_some_and(|f| f.value == "email") {
        checks.push(validation(
            format!("can(regex(\"^[^@ ]+@[^@ ]+\\\\.[^@ ]+$\", var.{name}))"),
            format!("{name} must be an email address."),
        ));
    }
    if let Some(p) = &v.pattern {
        checks.push(validation(
            format!(
                "can(regex({}, var.{name}))",
                hcl::string(&format!("^(?:{})$", p.value))
            ),
            format!("{name} must match the pattern {}.", hcl::literal(&p.value)),
        ));
    }
    if !checks.is_empty() {
        m.insert("validation".into(), Value::Array(checks));
    }
    m
}

/// The rules of a secret, in words, for descriptions and the secrets template.
pub fn secret_rules(x: &Secret) -> String {
    let mut rules = Vec::new();
    if let Some(p) = &x.postgres {
        rules.push(if p.value == "pooled" {
            "a postgres:// or postgresql:// URL with sslmode, pooled endpoint (host contains -pooler)".to_string()
        } else {
            "a postgres:// or postgresql:// URL with sslmode, direct endpoint (host without -pooler)".to_string()
        });
    }
    if let Some(n) = &x.min_length {
        rules.push(format!("at least {} characters", n.value));
    }
    if x.format.as_ref().is_some_and(|f| f.value == "email") {
        rules.push("an email address".into());
    }
    rules.push("at most 1000 characters".into());
    let mut text = rules.join("; ");
    // Kept in Secret Manager only when something reads it by reference (see Shape).
    text.push('.');
    text
}

fn secret_variable(x: &Secret) -> Map<String, Value> {
    let name = &x.name.value;
    let mut m = variable("string", &format!("Secret `{name}`: {}", secret_rules(x)));
    m.insert("sensitive".into(), json!(true));
    let mut checks = vec![validation(
        format!("length(var.{name}) > 0 && length(var.{name}) <= 1000"),
        format!("{name} must be set, and at most 1000 characters."),
    )];
    if let Some(n) = &x.min_length {
        checks.push(validation(
            format!("length(var.{name}) >= {}", n.value),
            format!("{name} must be at least {} characters.", n.value),
        ));
    }
    if let Some(p) = &x.postgres {
        let url = "^postgres(ql)?://([^@/?#]*@)?[^/?#]+(/[^?#]*)?[?]([^#]*&)?sslmode=";
        checks.push(validation(
            format!("can(regex({}, var.{name}))", hcl::string(url)),
            format!("{name} must be a postgres:// or postgresql:// URL with an sslmode parameter."),
        ));
        let pooled = "^postgres(ql)?://([^@/?#]*@)?[^/?#]*-pooler";
        let (cond, msg) = if p.value == "pooled" {
            (
                format!("can(regex({}, var.{name}))", hcl::string(pooled)),
                format!("{name} must use the pooled endpoint (its host contains -pooler)."),
            )
        } else {
            (
                format!("!can(regex({}, var.{name}))", hcl::string(pooled)),
                format!("{name} must use the direct endpoint (its host has no -pooler)."),
            )
        };
        checks.push(validation(cond, msg));
    }
    if x.format.as_ref().is_some_and(|f| f.value == "email") {
        checks.push(validation(
            format!("can(regex(\"^[^@ ]+@[^@ ]+\\\\.[^@ ]+$\", var.{name}))"),
            format!("{name} must be an email address."),
        ));
    }
    m.insert("validation".into(), Value::Array(checks));
    m
}

/// `outputs.tf.json`: the environment and its project, and each wanted child's outputs.
fn outputs(cx: Cx) -> Map<String, Value> {
    let mut out = Map::new();
    super::output(
        &mut out,
        "environment".into(),
        ex("var.environment"),
        "The environment these outputs describe.",
    );
    super::output(
        &mut out,
        "project_id".into(),
        ex("local.project_id"),
        "The Scaleway Project this environment lives in.",
    );
    for child in wanted(cx.shape) {
        (child.outputs)(cx, &mut out);
    }
    out
}

/// `secrets/ENV.tfvars.example`: the values of one environment. Per-environment
/// secrets must be set here; the others may be, to override the shared value.
fn env_secrets_example(s: &Stack, banner: &str) -> String {
    let env = &s.env.value;
    let mut text = format!(
        "# {banner}\n# Copy to secrets/{env}.tfvars (never commit it): the values of environment `{env}`.\n# The scripts pass it with -var-file, so it wins over secrets.auto.tfvars.\n"
    );
    let (own, shared): (Vec<&Secret>, Vec<&Secret>) =
        s.secrets.iter().partition(|x| x.per_environment);
    if !own.is_empty() {
        text.push_str(&format!(
            "\n# Per-environment secrets: `{env}` needs its own value for each (a deploy refuses without one).\n"
        ));
        for x in own {
            text.push_str(&format!(
                "\n# {}: {}\n{} = \"\"\n",
                x.name.value,
                secret_rules(x),
                x.name.value
            ));
        }
    }
    if !shared.is_empty() {
        text.push_str("\n# Shared secrets (secrets.auto.tfvars): uncomment one to give this environment its own value.\n");
        for x in shared {
            text.push_str(&format!(
                "\n# {}: {}\n# {} = \"\"\n",
                x.name.value,
                secret_rules(x),
                x.name.value
            ));
        }
    }
    text
}

fn secrets_example(s: &Stack, banner: &str) -> String {
    let mut text = format!("# {banner}\n# Copy to secrets.auto.tfvars (never commit it), or set TF_VAR_NAME, and fill in every value.\n# Terraform loads it for every environment; per-environment secrets go in secrets/ENV.tfvars.\n");
    for x in s.secrets.iter().filter(|x| !x.per_environment) {
        text.push_str(&format!(
            "\n# {}: {}\n{} = \"\"\n",
            x.name.value,
            secret_rules(x),
            x.name.value
        ));
    }
    text
}
