//! `modules/queues`: Scaleway Queues (the SQS protocol of Messaging and Queuing) in the
//! environment's project: the protocol's activation, one queue per `queue` (and its
//! `NAME-dead` queue where it has `dead-letter=N`), and SQS credentials:
//!
//! - `manager`: may only manage queues (the provider creates and reads queues with SQS
//!   credentials, not the IAM key: docs/scaleway-facts.md, Queues);
//! - `user`: one per service or job (keyed `job:KEY`) with `queue NAME access=`, allowed
//!   to publish where it sends and to receive where it receives, nothing else;
//! - `trigger`: one per service that `consume`s, allowed only to receive, for its
//!   container triggers (modules/containers).
//!
//! SQS credentials are per project, not per queue (docs/scaleway-facts.md, Queues): a
//! service allowed to send may send to every queue of its environment's project.

use super::{ex, hcl, module_call, output, variable, Child, Cx, Module};
use serde_json::{json, Map, Value};

/// The object type of one queue in `var.queues` (names are final: `.fifo` included).
pub const QUEUE_TYPE: &str = "object({ name = string, dead_name = optional(string), fifo = bool, retention = number, visibility_timeout = number, dead_letter = optional(number) })";

/// How long a dead-letter queue keeps a message: the most Scaleway allows, 14 days
/// (docs/scaleway-facts.md, Queues), so a failure can be looked at after a holiday.
pub const DEAD_RETENTION: i128 = 1_209_600;

fn permissions(
    publish: serde_json::Value,
    receive: serde_json::Value,
    manage: bool,
) -> serde_json::Value {
    json!([{ "can_publish": publish, "can_receive": receive, "can_manage": manage }])
}

pub fn module() -> Module {
    let mut m = Module::new("queues");
    m.var("region", "string", "The queues' region.");
    m.var(
        "queues",
        &format!("map({QUEUE_TYPE})"),
        "Queues, keyed by the stack's queue names: names, FIFO, retention and visibility timeout in seconds, receives before a message moves to the dead-letter queue (or null).",
    );
    m.var(
        "manager_name",
        "string",
        "The name of the SQS credentials Terraform manages the queues with.",
    );
    m.var(
        "users",
        "map(object({ name = string, publish = bool, receive = bool }))",
        "Services and jobs (keyed job:KEY) with `queue NAME access=`: the name of their SQS credentials, and whether they may publish and receive.",
    )
    .insert("default".into(), json!({}));
    m.var(
        "consumers",
        "map(string)",
        "Services that `consume` a queue -> the name of their triggers' SQS credentials (receive only).",
    )
    .insert("default".into(), json!({}));
    let active = "length(var.queues) > 0 ? 1 : 0";
    m.resource(
        "scaleway_mnq_sqs",
        "this",
        json!({ "count": ex(active), "region": ex("var.region") }),
    );
    m.resource(
        "scaleway_mnq_sqs_credentials",
        "manager",
        json!({
            "count": ex(active),
            "name": ex("var.manager_name"),
            "region": ex("var.region"),
            "permissions": permissions(json!(false), json!(false), true),
            "depends_on": ["scaleway_mnq_sqs.this"],
        }),
    );
    let queue = |for_each: &str, name: &str, retention: &str| {
        json!({
            "for_each": ex(for_each),
            "name": ex(name),
            "region": ex("var.region"),
            "sqs_endpoint": ex("scaleway_mnq_sqs.this[0].endpoint"),
            "access_key": ex("scaleway_mnq_sqs_credentials.manager[0].access_key"),
            "secret_key": ex("scaleway_mnq_sqs_credentials.manager[0].secret_key"),
            "fifo_queue": ex("each.value.fifo"),
            // A FIFO queue drops duplicates by content: senders need no deduplication id.
            "content_based_deduplication": ex("each.value.fifo"),
            "message_max_age": ex(retention),
            "visibility_timeout_seconds": ex("each.value.visibility_timeout"),
        })
    };
    m.resource(
        "scaleway_mnq_sqs_queue",
        "dead",
        queue(
            "{ for k, q in var.queues : k => q if q.dead_letter != null }",
            "each.value.dead_name",
            &DEAD_RETENTION.to_string(),
        ),
    );
    let mut this = queue("var.queues", "each.value.name", "each.value.retention");
    this["dynamic"] = json!({
        "dead_letter_queue": {
            "for_each": ex("each.value.dead_letter == null ? [] : [each.value.dead_letter]"),
            "content": {
                // The Terraform id (REGION/PROJECT/NAME), as Read writes it back from the
                // redrive policy's ARN: an ARN here would be rewritten on every plan
                // (docs/scaleway-facts.md, Queues).
                "id": ex("scaleway_mnq_sqs_queue.dead[each.key].id"),
                "max_receive_count": ex("dead_letter_queue.value"),
            },
        },
    });
    m.resource("scaleway_mnq_sqs_queue", "this", this);
    m.resource(
        "scaleway_mnq_sqs_credentials",
        "user",
        json!({
            "for_each": ex("var.users"),
            "name": ex("each.value.name"),
            "region": ex("var.region"),
            "permissions": permissions(ex("each.value.publish"), ex("each.value.receive"), false),
            "depends_on": ["scaleway_mnq_sqs.this"],
        }),
    );
    m.resource(
        "scaleway_mnq_sqs_credentials",
        "trigger",
        json!({
            "for_each": ex("var.consumers"),
            "name": ex("each.value"),
            "region": ex("var.region"),
            "permissions": permissions(json!(false), json!(true), false),
            "depends_on": ["scaleway_mnq_sqs.this"],
        }),
    );
    m.output(
        "endpoint",
        ex("one(scaleway_mnq_sqs.this[*].endpoint)"),
        "The SQS endpoint of the environment's project, or null without queues.",
    );
    m.output(
        "urls",
        ex("{ for k, q in scaleway_mnq_sqs_queue.this : k => q.url }"),
        "Each queue's URL, keyed by the stack's queue names.",
    );
    m.output(
        "arns",
        ex("{ for k, q in scaleway_mnq_sqs_queue.this : k => q.arn }"),
        "Each queue's ARN, keyed by the stack's queue names.",
    );
    m.output(
        "dead_urls",
        ex("{ for k, q in scaleway_mnq_sqs_queue.dead : k => q.url }"),
        "Each dead-letter queue's URL, keyed by the name of the queue it serves.",
    );
    m.output(
        "credential_ids",
        ex("{ for k, c in scaleway_mnq_sqs_credentials.user : k => c.id }"),
        "Each user's SQS credentials id (not secret: a job's derived secret version follows it).",
    );
    for (name, value, description) in [
        (
            "access_keys",
            "{ for k, c in scaleway_mnq_sqs_credentials.user : k => c.access_key }",
            "Each user's SQS access key.",
        ),
        (
            "secret_keys",
            "{ for k, c in scaleway_mnq_sqs_credentials.user : k => c.secret_key }",
            "Each user's SQS secret key.",
        ),
        (
            "trigger_access_keys",
            "{ for k, c in scaleway_mnq_sqs_credentials.trigger : k => c.access_key }",
            "Each consuming service's trigger access key (receive only).",
        ),
        (
            "trigger_secret_keys",
            "{ for k, c in scaleway_mnq_sqs_credentials.trigger : k => c.secret_key }",
            "Each consuming service's trigger secret key (receive only).",
        ),
    ] {
        m.outputs.insert(
            name.into(),
            json!({ "value": ex(value), "description": description, "sensitive": true }),
        );
    }
    m
}

pub(super) const CHILD: Child = Child {
    name: "queues",
    wanted: |shape| shape.queues,
    module: |_| module(),
    call,
    variables,
    outputs,
};

/// SQS credentials: each service and job (a migration too) with `queue NAME access=`
/// gets its own, allowed to publish where it sends and to receive where it receives;
/// each consuming service one for its triggers, receive only.
fn call(cx: Cx) -> Value {
    let s = cx.first();
    let allowed = |m: &str, access: &str| {
        format!("anytrue([for q in values({m}.queues) : q.access == \"{access}\"])")
    };
    let services = format!(
        "{{ for name, s in var.services : name => {{ name = \"${{s.name}}-sqs\", publish = {}, receive = {} }} if length(s.queues) > 0 }}",
        allowed("s", "send"),
        allowed("s", "receive")
    );
    let users = if cx.shape.jobs {
        let p = super::jobs::IAM_PREFIX;
        format!(
            "merge({services}, {{ for key, j in var.jobs : \"{p}${{key}}\" => {{ name = \"${{j.name}}-sqs\", publish = {}, receive = {} }} if length(j.queues) > 0 }})",
            allowed("j", "send"),
            allowed("j", "receive")
        )
    } else {
        services
    };
    let mut args = json!({
        "queues": ex("var.queues"),
        "manager_name": format!("${{var.environment}}-{}-queues", hcl::literal(&s.name.value)),
        "users": ex(users),
    });
    if cx.shape.containers {
        args["consumers"] = ex("{ for name, s in var.services : name => \"${s.name}-trigger\" if length(s.consume) > 0 }");
    }
    module_call("queues", Some(&s.region.value), args)
}

fn variables(_: Cx, vars: &mut Map<String, Value>) {
    vars.insert(
        "queues".into(),
        Value::Object(variable(
            &format!("map({QUEUE_TYPE})"),
            "Each Scaleway Queues (SQS) queue in this environment.",
        )),
    );
}

fn outputs(_: Cx, out: &mut Map<String, Value>) {
    output(
        out,
        "queues".into(),
        ex("module.queues.urls"),
        "Each queue's URL, by the stack's queue names (send to one with any SQS client, given credentials allowed to publish).",
    );
    output(
        out,
        "dead_letter_queues".into(),
        ex("module.queues.dead_urls"),
        "The URL of each dead-letter queue, by the name of the queue it serves: where messages that kept failing wait (14 days).",
    );
}
