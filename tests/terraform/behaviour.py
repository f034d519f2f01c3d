#!/usr/bin/env python3
"""Behaviour checks over real plans: what the schema cannot say about Scaleway.

run.sh saves each environment's plan (`terraform plan -out`, then
`terraform show -json`) beside its tfvars. These checks read planned values and
fail, naming the resource, when the output would not behave on Scaleway
(docs/scaleway-facts.md gives the source of each rule):

  websocket-domain   no known ws:// or wss:// env value through a custom domain
  public-acl         no `public-read` (or `public-read-write`) bucket ACL
  public-policy      every site bucket and bucket has a bucket policy; a known
                     policy lets "*" get objects (public ones only), not list,
                     and keeps the deployers' full access: exactly the tfvars'
                     `deployers` when it declares some (never the running key)
  edge-plan          an Edge Services plan wherever there is a pipeline
  iam                one IAM application, policy and API key per service or job
                     (migrations too) with bucket access or a database
                     (`.this`); none of those policies holds
                     ContainersPrivateAccess
  private-access     no scaleway_container_token (JWTs can no longer be
                     created); an IAM application, policy and key per
                     `link token=` caller and target (`link["CALLER->TARGET"]`,
                     a job's `link["job:KEY->TARGET"]`) and one prober
                     (`prober[0]`) when the environment has a private
                     service; each of their policies holds
                     ContainersPrivateAccess on a project and nothing else
  backend-lock       every backend file sets use_lockfile = true
  job-secrets        every job definition gets its secrets by secret_reference
                     (one per secret-env key of the tfvars' job, one per
                     database URL, bucket secret key and token it derives from
                     its own IAM key, one per Redis URL), and no value of a sensitive root
                     variable appears anywhere in a job
  database-rights    Serverless SQL rights: a migration's policy may change the
                     schema (ServerlessSQLDatabaseReadWrite), a job's may not, a
                     service's only when no migration covers its databases
  env-names          every container, namespace, bucket and job definition is
                     named ENV-... for the tfvars' environment (a preview's p42-...),
                     and no name still holds `{id}`
  logs-token         with services, one Cockpit token that may query logs and
                     nothing else, whose secret is a sensitive root output
  services           the containers planned are exactly the tfvars' services (a
                     service `enabled=#false` in the environment has none)
  redis              every Redis cluster has TLS on, no ACL and no public
                     endpoint, one private network: the one the containers join
                     (the redis and containers module calls take the same
                     private_network_id expression)
  lifecycle          every bucket `expire` of the tfvars is an enabled lifecycle
                     rule with that prefix and expiration days
  queues             every `queue` of the tfvars is a queue of its name in the
                     project where SQS is activated, FIFO exactly when its name
                     ends in .fifo, with its dead-letter queue (same type, same
                     project) and max_receive_count where `dead-letter=` is set;
                     SQS credentials allow exactly what each user declared
                     (publish where it sends, receive where it receives; a
                     trigger's receive only; only the manager's manage); one
                     trigger per `consume`, POSTing, with no sqs.project_id
                     or sqs.region (Read drops them: replaced on every plan)
  project-shared     (per example) no project-scoped resource (alert manager,
                     Edge plan, SQS activation) managed by two environments in one
                     project

  migrate-target     (a plan targeted at the migrations, as apply.sh --jobs-only
                     applies them) no container and no other job changes

Usage:
  behaviour.py env PLAN.json TFVARS.json [BACKEND]   checks of one environment
  behaviour.py migrate-target PLAN.json              the migrations' targeted plan
  behaviour.py example ENV=PLAN.json:TFVARS.json ... the cross-environment check
  behaviour.py selftest PLAN.json TFVARS.json [BACKEND] [--extra PLAN.json:TFVARS.json]
                     negative controls: each check must reject a hand-broken
                     copy of a good plan (--extra, repeatable: plans with a job,
                     a database, a lifecycle rule, for the controls of those checks)
"""

import copy
import json
import sys


def resources(plan):
    """(type, address, after) for every planned create/update/no-op."""
    for rc in plan.get("resource_changes", []):
        if rc.get("mode") != "managed":
            continue
        if "delete" in rc["change"]["actions"] and "create" not in rc["change"]["actions"]:
            continue
        yield rc["type"], rc["address"], rc["change"].get("after") or {}


def custom_domains(tfvars):
    hosts = set()
    for svc in (tfvars.get("services") or {}).values():
        hosts.update(svc.get("domains") or [])
    hosts.update((tfvars.get("site_domains") or {}).keys())
    return hosts


def check_websocket_domain(plan, tfvars, backend):
    hosts = custom_domains(tfvars)
    for ty, addr, after in resources(plan):
        if ty != "scaleway_container":
            continue
        for key, value in (after.get("environment_variables") or {}).items():
            if not isinstance(value, str):
                continue
            low = value.lower()
            if low.startswith(("ws://", "wss://")):
                host = low.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
                if host in hosts:
                    yield f"{addr}: {key} = {value} goes through custom domain {host}, which carries no WebSockets"


def check_public_acl(plan, tfvars, backend):
    for ty, addr, after in resources(plan):
        if ty == "scaleway_object_bucket_acl" and str(after.get("acl", "")).startswith("public-"):
            yield f"{addr}: acl {after['acl']} lets anyone list the bucket"
        if ty == "scaleway_object_bucket" and str(after.get("acl") or "").startswith("public-"):
            yield f"{addr}: acl {after['acl']} lets anyone list the bucket"


def _as_list(x):
    return x if isinstance(x, list) else [x]


def check_policy_document(addr, bucket, text, public=True, deployers=()):
    try:
        doc = json.loads(text)
    except (TypeError, ValueError):
        yield f"{addr}: the policy is not JSON"
        return
    statements = _as_list(doc.get("Statement", []))
    public_get = owner = False
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal")
        actions = _as_list(st.get("Action", []))
        res = _as_list(st.get("Resource", []))
        if principal == "*" or principal == {"SCW": "*"}:
            if any(a in ("s3:ListBucket", "s3:*", "*") for a in actions):
                yield f"{addr}: the policy lets anyone list {bucket}"
            if "s3:GetObject" in actions and f"{bucket}/*" in res:
                public_get = True
        elif isinstance(principal, dict) and "s3:*" in actions and bucket in res and f"{bucket}/*" in res:
            owner = True
            named = sorted(_as_list(principal.get("SCW")))
            if deployers and named != sorted(deployers):
                yield f"{addr}: full access for {named}, the stack's deployers are {sorted(deployers)}"
    if public and not public_get:
        yield f"{addr}: no statement lets \"*\" s3:GetObject on {bucket}/*"
    if not public and public_get:
        yield f"{addr}: the private bucket {bucket} lets anyone read its objects"
    if not owner:
        yield f"{addr}: no statement keeps the deployer's full access to {bucket}"


def check_public_policy(plan, tfvars, backend):
    want = {}
    for site in (tfvars.get("sites") or {}).values():
        want[site["bucket_name"]] = "site"
    for b in (tfvars.get("buckets") or {}).values():
        want[b["name"]] = "public bucket" if b.get("public") else "bucket"
    deployers = tfvars.get("deployers") or []
    policies = {}
    for ty, addr, after in resources(plan):
        if ty == "scaleway_object_bucket_policy":
            policies[after.get("bucket")] = (addr, after.get("policy"))
    for name, kind in sorted(want.items()):
        if name not in policies:
            yield f"{kind} {name}: no bucket policy makes its objects readable" if kind != "bucket" else f"bucket {name}: no bucket policy"
            continue
        addr, text = policies[name]
        if text is not None:  # unknown until apply when it names new applications
            yield from check_policy_document(addr, name, text, kind != "bucket", deployers)


def check_edge_plan(plan, tfvars, backend):
    types = [ty for ty, _, _ in resources(plan)]
    if "scaleway_edge_services_pipeline" in types and "scaleway_edge_services_plan" not in types:
        yield "Edge Services pipelines without a scaleway_edge_services_plan"


def check_iam(plan, tfvars, backend):
    # Services and jobs (migrations too): each with a key of its own.
    users = sorted(
        x["name"]
        for x in list((tfvars.get("services") or {}).values()) + list((tfvars.get("jobs") or {}).values())
        if x.get("bucket_access") or x.get("databases")
    )
    apps = {}
    policies = {}
    keys = {}
    for ty, addr, after in resources(plan):
        if ".this[" not in addr:
            continue  # link and prober keys: check_private_access
        if ty == "scaleway_iam_application":
            apps.setdefault(after.get("name"), []).append(addr)
        elif ty == "scaleway_iam_policy":
            policies.setdefault(addr.rsplit("[", 1)[-1], []).append(after)
        elif ty == "scaleway_iam_api_key":
            keys.setdefault(addr.rsplit("[", 1)[-1], []).append(after)
    for name in users:
        if len(apps.get(name, [])) != 1:
            yield f"{name} needs an API key but has {len(apps.get(name, []))} IAM applications"
    if len(policies) != len(users) or len(keys) != len(users):
        yield f"{len(users)} services and jobs need an API key, but the plan has {len(policies)} IAM policies and {len(keys)} API keys"
    for key, afters in policies.items():
        for after in afters:
            for rule in after.get("rule") or []:
                if not rule.get("project_ids"):
                    yield f"IAM policy {key}: a rule not scoped to the environment's project"
                if "ContainersPrivateAccess" in (rule.get("permission_set_names") or []):
                    yield f"IAM policy {key}: ContainersPrivateAccess reaches every private container of the project"


def check_private_access(plan, tfvars, backend):
    services = tfvars.get("services") or {}
    want = set()
    for name, svc in services.items():
        for target in (svc.get("tokens") or {}).values():
            want.add(f'link["{name}->{target}"]')
    for key, job in (tfvars.get("jobs") or {}).items():
        for target in (job.get("tokens") or {}).values():
            want.add(f'link["job:{key}->{target}"]')
    if any(svc.get("privacy") == "private" for svc in services.values()):
        want.add("prober[0]")
    got = {}
    for ty, addr, after in resources(plan):
        if ty == "scaleway_container_token":
            yield f"{addr}: container tokens (JWT) can no longer be created; use an IAM key"
        if not ty.startswith("scaleway_iam_") or not addr.startswith("module.iam."):
            continue
        key = addr.split(".", 3)[-1]  # link["a->b"] or prober[0]
        if key.startswith(("link[", "prober[")):
            got.setdefault(key, {})[ty] = after
    for key in sorted(want - set(got)):
        yield f"module.iam {key}: missing"
    for key in sorted(set(got) - want):
        yield f"module.iam {key}: a key to call private containers nothing asked for"
    for key, by_type in sorted(got.items()):
        for ty in ("scaleway_iam_application", "scaleway_iam_policy", "scaleway_iam_api_key"):
            if ty not in by_type:
                yield f"module.iam.{ty}.{key}: missing"
        policy = by_type.get("scaleway_iam_policy") or {}
        rules = policy.get("rule") or []
        sets = sorted({p for rule in rules for p in (rule.get("permission_set_names") or [])})
        if sets != ["ContainersPrivateAccess"]:
            yield f"module.iam.scaleway_iam_policy.{key}: permission sets {sets}, only ContainersPrivateAccess may be given to a key sent to application code"
        if any(not rule.get("project_ids") for rule in rules):
            yield f"module.iam.scaleway_iam_policy.{key}: a rule not scoped to the environment's project"


def check_backend_lock(plan, tfvars, backend):
    if backend is None:
        return
    with open(backend) as f:
        lines = [l.split("#", 1)[0].strip().replace(" ", "") for l in f]
    if "use_lockfile=true" not in lines:
        yield f"{backend}: no use_lockfile = true, so two applies can race on the state"


def sensitive_values(plan):
    """The values of the plan's sensitive root variables."""
    config = ((plan.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
    values = plan.get("variables") or {}
    for name, spec in config.items():
        if spec.get("sensitive"):
            value = (values.get(name) or {}).get("value")
            if isinstance(value, str) and len(value) >= 8:
                yield name, value


def check_job_secrets(plan, tfvars, backend):
    secrets = list(sensitive_values(plan))
    jobs = {j["name"]: j for j in (tfvars.get("jobs") or {}).values()}
    # `redis NAME env=KEY` of a job (or a migration): keyed as `jobs`.
    redis = {(tfvars.get("jobs") or {})[k]["name"]: v for k, v in (tfvars.get("job_redis") or {}).items()
             if k in (tfvars.get("jobs") or {})}
    seen = set()
    for ty, addr, after in resources(plan):
        if ty != "scaleway_job_definition":
            continue
        text = json.dumps(after)
        for name, value in secrets:
            if value in text:
                yield f"{addr}: the value of secret {name} is in the job definition"
        job = jobs.get(after.get("name"))
        if job is None:
            yield f"{addr}: job {after.get('name')} is not in the tfvars' jobs"
            continue
        seen.add(job["name"])
        refs = {r.get("environment") for r in (after.get("secret_reference") or [])}
        for key in job.get("secret_env") or {}:
            if key not in refs:
                yield f"{addr}: secret-env {key} is not a secret_reference"
            if key in (after.get("env") or {}):
                yield f"{addr}: secret-env {key} is a plain env value"
        # What the job derives from its own IAM key: a database URL, the bucket
        # secret key, tokens for private services (review 8).
        derived = list(job.get("databases") or {}) + list(job.get("tokens") or {})
        if job.get("buckets"):
            derived.append(job["s3_keys"]["secret"])
        # SQS credentials of its own (issue 23).
        if job.get("queues"):
            derived += ["SQS_ACCESS_KEY_ID", "SQS_SECRET_ACCESS_KEY"]
        derived += list(redis.get(job["name"]) or {})
        for key in derived:
            if key not in refs:
                yield f"{addr}: {key} (from the job's own key) is not a secret_reference"
            if key in (after.get("env") or {}):
                yield f"{addr}: {key} (from the job's own key) is a plain env value"
    for name in sorted(set(jobs) - seen):
        yield f"job {name}: no scaleway_job_definition planned"


def check_queues(plan, tfvars, backend):
    """Queues, their SQS credentials and triggers (issue 23)."""
    queues = tfvars.get("queues") or {}
    planned = {addr: (ty, after) for ty, addr, after in resources(plan)}
    sqs = [after for ty, _, after in resources(plan) if ty == "scaleway_mnq_sqs"]
    if queues and len(sqs) != 1:
        yield f"{len(sqs)} scaleway_mnq_sqs activations for {len(queues)} queues (want 1)"
    if not sqs:
        return
    project, region = sqs[0].get("project_id"), sqs[0].get("region")
    for name, q in queues.items():
        addr = f'module.queues.scaleway_mnq_sqs_queue.this["{name}"]'
        if addr not in planned:
            yield f"queue {name}: {addr} is not planned"
            continue
        after = planned[addr][1]
        qname = after.get("name")
        if qname != q["name"]:
            yield f"{addr}: named {qname!r}, the tfvars say {q['name']!r}"
        if bool(after.get("fifo_queue")) != q["fifo"] or (isinstance(qname, str) and qname.endswith(".fifo") != q["fifo"]):
            yield f"{addr}: fifo_queue={after.get('fifo_queue')} with the name {qname!r}"
        if (after.get("project_id"), after.get("region")) != (project, region):
            yield f"{addr}: not in the project and region where SQS is activated"
        dlq = after.get("dead_letter_queue") or []
        dead = planned.get(f'module.queues.scaleway_mnq_sqs_queue.dead["{name}"]')
        if q.get("dead_letter") is None:
            if dlq or dead:
                yield f"{addr}: a dead-letter queue the stack does not declare"
            continue
        if dead is None:
            yield f"{addr}: dead-letter={q['dead_letter']} but no dead-letter queue is planned"
        elif bool(dead[1].get("fifo_queue")) != q["fifo"] or dead[1].get("project_id") != project:
            yield f"{addr}: its dead-letter queue is not of its type in its project"
        if [d.get("max_receive_count") for d in dlq] != [q["dead_letter"]]:
            yield f"{addr}: max_receive_count {[d.get('max_receive_count') for d in dlq]}, the stack says {q['dead_letter']}"
    users = {}
    for name, svc in (tfvars.get("services") or {}).items():
        if svc.get("queues"):
            users[name] = svc["queues"]
    for key, job in (tfvars.get("jobs") or {}).items():
        if job.get("queues"):
            users[f"job:{key}"] = job["queues"]
    consumers = {name: svc.get("consume") or {} for name, svc in (tfvars.get("services") or {}).items()}
    creds = {addr: after for addr, (ty, after) in planned.items() if ty == "scaleway_mnq_sqs_credentials"}
    for addr, after in creds.items():
        perms = (after.get("permissions") or [{}])[0]
        got = (perms.get("can_publish"), perms.get("can_receive"), perms.get("can_manage"))
        if after.get("project_id") != project:
            yield f"{addr}: SQS credentials outside the queues' project"
        key = addr.split("[", 1)[-1].rstrip("]").strip('"')
        if ".manager[" in addr:
            want = (False, False, True)
        elif ".trigger[" in addr:
            want = (False, True, False)
            if not consumers.get(key):
                yield f"{addr}: trigger credentials of a service that consumes nothing"
        elif ".user[" in addr and key in users:
            access = [u["access"] for u in users[key].values()]
            want = ("send" in access, "receive" in access, False)
        else:
            yield f"{addr}: SQS credentials of no declared user"
            continue
        if got != want:
            yield f"{addr}: permissions (publish, receive, manage) = {got}, the stack allows {want}"
    for key in users:
        if f'module.queues.scaleway_mnq_sqs_credentials.user["{key}"]' not in creds:
            yield f"{key}: uses queues but has no SQS credentials of its own"
    triggers = {addr: after for addr, (ty, after) in planned.items() if ty == "scaleway_container_trigger"}
    want_triggers = set()
    for name, consumed in consumers.items():
        for q in consumed:
            addr = f'module.containers.scaleway_container_trigger.{name.replace("-", "_")}["{q}"]'
            want_triggers.add(addr)
            if f'module.queues.scaleway_mnq_sqs_credentials.trigger["{name}"]' not in creds:
                yield f"{name}: consumes {q} with no trigger credentials"
    for addr in sorted(set(triggers) - want_triggers):
        yield f"{addr}: a trigger the stack does not declare"
    for addr in sorted(want_triggers - set(triggers)):
        yield f"{addr}: `consume` without its trigger"
    for addr, after in triggers.items():
        block = (after.get("sqs") or [{}])[0]
        # The queue is its URL and the trigger's credentials (in the queues' project,
        # checked above); project_id and region are dropped by Read, and ForceNew: set,
        # they would replace the trigger on every plan.
        for key in ("project_id", "region"):
            if block.get(key) is not None:
                yield f"{addr}: sets sqs.{key} ({block.get(key)}), which Read drops: replaced on every plan"
        if [d.get("http_method") for d in after.get("destination_config") or []] != ["post"]:
            yield f"{addr}: messages are not POSTed"


SCHEMA_SET = "ServerlessSQLDatabaseReadWrite"
DATA_SET = "ServerlessSQLDatabaseDataReadWrite"


def check_database_rights(plan, tfvars, backend):
    """Serverless SQL rights (review 20): a migration may change the schema; a job may
    not; a service may only when no migration of the environment covers its databases
    (it migrates at boot)."""
    jobs = tfvars.get("jobs") or {}
    migrated = {db for j in jobs.values() if j.get("schema") for db in (j.get("databases") or {}).values()}
    wants = {}
    for name, svc in (tfvars.get("services") or {}).items():
        dbs = set((svc.get("databases") or {}).values())
        if dbs:
            wants[name] = SCHEMA_SET if dbs - migrated else DATA_SET
    for key, job in jobs.items():
        if job.get("databases"):
            wants[f"job:{key}"] = SCHEMA_SET if key.endswith("-migrate") else DATA_SET
    for ty, addr, after in resources(plan):
        if ty != "scaleway_iam_policy" or not addr.endswith('"]'):
            continue
        key = addr.rsplit('["', 1)[-1][:-2]
        sets = {n for rule in after.get("rule") or [] for n in rule.get("permission_set_names") or []}
        want = wants.get(key)
        if want is None:
            if sets & {SCHEMA_SET, DATA_SET}:
                yield f"{addr}: database rights for {key}, which uses no database"
            continue
        if want not in sets:
            yield f"{addr}: {key} needs {want}, the policy has {sorted(sets)}"
        other = DATA_SET if want == SCHEMA_SET else SCHEMA_SET
        if other in sets:
            yield f"{addr}: {key} holds {other}, it should hold {want} only"


NAMED = ("scaleway_container", "scaleway_container_namespace", "scaleway_object_bucket", "scaleway_job_definition")


def check_env_names(plan, tfvars, backend):
    env = tfvars.get("environment")
    if not env or "services" not in tfvars and "sites" not in tfvars:
        return  # not cellac's configuration (the hand-written fixture)
    for ty, addr, after in resources(plan):
        name = after.get("name")
        if ty not in NAMED or not isinstance(name, str):
            continue
        if "{id}" in name:
            yield f"{addr}: name {name} still holds {{id}}"
        elif not name.startswith(f"{env}-"):
            yield f"{addr}: name {name} does not start with {env}-"


def check_logs_token(plan, tfvars, backend):
    tokens = [(addr, after) for ty, addr, after in resources(plan) if ty == "scaleway_cockpit_token"]
    # cellac's containers module (not a hand-written configuration such as the fixture).
    if not any(ty == "scaleway_container" and addr.startswith("module.containers.") for ty, addr, _ in resources(plan)):
        return
    if len(tokens) != 1:
        yield f"{len(tokens)} Cockpit tokens for the containers' logs, not 1"
    for addr, after in tokens:
        scopes = (after.get("scopes") or [{}])[0]
        if scopes.get("query_logs") is not True:
            yield f"{addr}: the token cannot query logs"
        for scope, value in sorted(scopes.items()):
            if scope != "query_logs" and value is not False:
                yield f"{addr}: scope {scope} is {value}, not false (a read-only token)"
    outputs = ((plan.get("configuration") or {}).get("root_module") or {}).get("outputs") or {}
    if not (outputs.get("logs_token") or {}).get("sensitive"):
        yield "the root output logs_token is missing or not sensitive"


def check_lifecycle(plan, tfvars, backend):
    buckets = {b["name"]: b for b in (tfvars.get("buckets") or {}).values()}
    for ty, addr, after in resources(plan):
        if ty != "scaleway_object_bucket" or after.get("name") not in buckets:
            continue
        want = sorted((e["prefix"], e["days"]) for e in buckets[after["name"]].get("expire") or [])
        got = sorted(
            (r.get("prefix") or "", (r.get("expiration") or [{}])[0].get("days"))
            for r in after.get("lifecycle_rule") or []
            if r.get("enabled")
        )
        if want != got:
            yield f"{addr}: lifecycle rules {got}, the stack says {want}"


def check_services(plan, tfvars, backend):
    if "services" not in tfvars:
        return  # not cellac's configuration, or no services
    want = sorted(s["name"] for s in tfvars["services"].values() if "name" in s)
    got = sorted(after.get("name") for ty, addr, after in resources(plan)
                 if ty == "scaleway_container" and addr.startswith("module.containers."))
    if want != got:
        yield f"containers {got}, the environment's services are {want}"


def _module_call_refs(plan, name):
    calls = (((plan.get("configuration") or {}).get("root_module") or {}).get("module_calls") or {})
    expr = ((calls.get(name) or {}).get("expressions") or {}).get("private_network_id") or {}
    return sorted(expr.get("references") or [])


def check_redis(plan, tfvars, backend):
    clusters = [(addr, rc) for rc in plan.get("resource_changes", [])
                for addr in [rc["address"]]
                if rc.get("mode") == "managed" and rc["type"] == "scaleway_redis_cluster"
                and "delete" not in rc["change"]["actions"]]
    for addr, rc in clusters:
        after = rc["change"].get("after") or {}
        unknown = rc["change"].get("after_unknown") or {}
        if after.get("tls_enabled") is not True:
            yield f"{addr}: tls_enabled is {after.get('tls_enabled')}, not true"
        if after.get("acl"):
            yield f"{addr}: has ACL rules (a public endpoint)"
        if after.get("public_network"):
            yield f"{addr}: has a public network endpoint"
        pn = after.get("private_network") or unknown.get("private_network") or []
        if not isinstance(pn, list) or len(pn) != 1:
            yield f"{addr}: {len(pn) if isinstance(pn, list) else pn} private networks, not 1"
    if clusters:
        redis, containers = _module_call_refs(plan, "redis"), _module_call_refs(plan, "containers")
        if not redis or redis != containers:
            yield f"the Redis clusters' private network ({redis}) is not the containers' ({containers})"


ENV_CHECKS = {
    "redis": check_redis,
    "services": check_services,
    "websocket-domain": check_websocket_domain,
    "public-acl": check_public_acl,
    "public-policy": check_public_policy,
    "edge-plan": check_edge_plan,
    "iam": check_iam,
    "private-access": check_private_access,
    "backend-lock": check_backend_lock,
    "job-secrets": check_job_secrets,
    "database-rights": check_database_rights,
    "env-names": check_env_names,
    "logs-token": check_logs_token,
    "lifecycle": check_lifecycle,
    "queues": check_queues,
}


def env_problems(plan, tfvars, backend):
    out = []
    for name, check in ENV_CHECKS.items():
        out.extend(f"[{name}] {p}" for p in check(plan, tfvars, backend))
    return out


PROJECT_SCOPED = ("scaleway_cockpit_alert_manager", "scaleway_edge_services_plan", "scaleway_mnq_sqs")


def project_of(env, plan, tfvars):
    """Which project an environment lives in, as far as the plan can tell."""
    if any(ty == "scaleway_account_project" for ty, _, _ in resources(plan)):
        return f"created for {env}"
    project = tfvars.get("project") or {}
    return project.get("id") or "the API key's default project"


def migrate_target_problems(plan):
    """A plan targeted at migrations only (what `apply.sh --jobs-only` applies before
    the rollout, review 15): no container and no job definition other than a
    migration may change in it."""
    for ty, addr, after in resources(plan):
        if ty in ("scaleway_container", "scaleway_container_domain"):
            yield f"{addr}: a container changes in the migrations' targeted apply"
        elif ty == "scaleway_job_definition" and not str(after.get("name", "")).endswith("-migrate"):
            yield f"{addr}: job {after.get('name')} changes before the migration ran"


def example_problems(envs):
    """envs: {env: (plan, tfvars)} of one example."""
    managed = {}
    for env, (plan, tfvars) in sorted(envs.items()):
        project = project_of(env, plan, tfvars)
        for ty, _, _ in resources(plan):
            if ty in PROJECT_SCOPED:
                managed.setdefault((project, ty), set()).add(env)
    for (project, ty), names in sorted(managed.items()):
        if len(names) > 1:
            yield f"[project-shared] {ty} is managed by {', '.join(sorted(names))} in {project}: one per project"


def load(path):
    with open(path) as f:
        return json.load(f)


# Negative controls: (check, mutation) pairs; every mutation breaks a good plan.
def _mut_ws(plan, tfvars):
    hosts = sorted(custom_domains(tfvars)) or ["api.example.com"]
    tfvars.setdefault("services", {}).setdefault("x", {"domains": []})["domains"] = hosts
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_container":
            rc["change"]["after"].setdefault("environment_variables", {})["WS"] = f"wss://{hosts[0]}/ws"
            return True
    return False


def _mut_acl(plan, tfvars):
    plan["resource_changes"].append({
        "address": "module.storage.scaleway_object_bucket_acl.broken", "mode": "managed",
        "type": "scaleway_object_bucket_acl",
        "change": {"actions": ["create"], "after": {"acl": "public-read", "bucket": "b"}},
    })
    return True


def _mut_policy_missing(plan, tfvars):
    before = len(plan["resource_changes"])
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if rc["type"] != "scaleway_object_bucket_policy"]
    return len(plan["resource_changes"]) < before


def _mut_policy_listable(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_object_bucket_policy" and rc["change"]["after"].get("policy"):
            doc = json.loads(rc["change"]["after"]["policy"])
            for st in doc["Statement"]:
                if st.get("Principal") == "*":
                    st["Action"] = ["s3:GetObject", "s3:ListBucket"]
            rc["change"]["after"]["policy"] = json.dumps(doc)
            return True
    return False


def _mut_policy_no_owner(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_object_bucket_policy" and rc["change"]["after"].get("policy"):
            doc = json.loads(rc["change"]["after"]["policy"])
            doc["Statement"] = [st for st in doc["Statement"] if st.get("Principal") == "*"]
            rc["change"]["after"]["policy"] = json.dumps(doc)
            return True
    return False


def _mut_policy_running_key(plan, tfvars):
    """Policies made from the key that runs, not the declared deployers (issue 20)."""
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_object_bucket_policy" and rc["change"]["after"].get("policy"):
            doc = json.loads(rc["change"]["after"]["policy"])
            for st in doc["Statement"]:
                if isinstance(st.get("Principal"), dict) and "s3:*" in _as_list(st.get("Action")):
                    st["Principal"] = {"SCW": "user_id:11111111-2222-3333-4444-555555555555"}
            rc["change"]["after"]["policy"] = json.dumps(doc)
            return bool(tfvars.get("deployers"))
    return False


def _mut_health_token(plan, tfvars):
    """The prober's key gone (health probes would fall back to some other key)."""
    before = len(plan["resource_changes"])
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if ".prober[" not in rc["address"]]
    return len(plan["resource_changes"]) < before


def _mut_link_rights(plan, tfvars):
    """A link's or the prober's policy that also holds the caller's bucket rights."""
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_iam_policy" and (".link[" in rc["address"] or ".prober[" in rc["address"]):
            rc["change"]["after"]["rule"][0]["permission_set_names"].append("ObjectStorageObjectsWrite")
            return True
    return False


def _mut_container_token(plan, tfvars):
    plan["resource_changes"].append({
        "address": 'module.containers.scaleway_container_token.health["x"]', "mode": "managed",
        "type": "scaleway_container_token",
        "change": {"actions": ["create"], "after": {"container_id": "fr-par/x"}},
    })
    return True


def _mut_edge(plan, tfvars):
    before = len(plan["resource_changes"])
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if rc["type"] != "scaleway_edge_services_plan"]
    return len(plan["resource_changes"]) < before


def _mut_iam(plan, tfvars):
    for i, rc in enumerate(plan["resource_changes"]):
        if rc["type"] == "scaleway_iam_api_key" and ".this[" in rc["address"]:
            del plan["resource_changes"][i]
            return True
    return False


def _mut_job_secret(plan, tfvars):
    secrets = list(sensitive_values(plan))
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_job_definition" and secrets:
            rc["change"]["after"].setdefault("env", {})["LEAK"] = secrets[0][1]
            return True
    return False


def _mut_job_ref(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_job_definition" and rc["change"]["after"].get("secret_reference"):
            rc["change"]["after"]["secret_reference"] = []
            return True
    return False


def _mut_lifecycle(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_object_bucket" and rc["change"]["after"].get("lifecycle_rule"):
            rc["change"]["after"]["lifecycle_rule"] = rc["change"]["after"]["lifecycle_rule"][1:]
            return True
    return False


def _mut_job_db_url(plan, tfvars):
    """The review-8 defect: a job with a database gets no DATABASE_URL reference."""
    jobs = {j["name"]: j for j in (tfvars.get("jobs") or {}).values()}
    for rc in plan["resource_changes"]:
        after = rc["change"]["after"]
        job = jobs.get(after.get("name")) if rc["type"] == "scaleway_job_definition" else None
        if job and job.get("databases"):
            keys = set(job["databases"])
            after["secret_reference"] = [r for r in after.get("secret_reference") or [] if r.get("environment") not in keys]
            return True
    return False


def _mut_runtime_ddl(plan, tfvars):
    """The review-20 defect: a service holds DDL rights though a migration exists."""
    for rc in plan["resource_changes"]:
        if rc["type"] != "scaleway_iam_policy":
            continue
        for rule in rc["change"]["after"].get("rule") or []:
            names = rule.get("permission_set_names") or []
            if DATA_SET in names:
                rule["permission_set_names"] = [SCHEMA_SET if n == DATA_SET else n for n in names]
                return True
    return False


# Controls that need what only some plans have (a job, a lifecycle rule, a database).
# Each must break at least one of the extra plans.
def _mut_job_link(plan, tfvars):
    """A job's link key gone (its token would have to come from the job's own key)."""
    before = len(plan["resource_changes"])
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if '.link["job:' not in rc["address"]]
    return len(plan["resource_changes"]) < before


def _mut_sqs_manage(plan, tfvars):
    """A user's SQS credentials that may also manage queues."""
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_mnq_sqs_credentials" and ".user[" in rc["address"]:
            rc["change"]["after"]["permissions"][0]["can_manage"] = True
            return True
    return False


def _mut_trigger_project(plan, tfvars):
    """A trigger with sqs.project_id set (dropped by Read: replaced on every plan)."""
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_container_trigger":
            rc["change"]["after"]["sqs"][0]["project_id"] = "00000000-0000-0000-0000-000000000000"
            return True
    return False


def _mut_dead_letter(plan, tfvars):
    """A queue whose redrive policy is gone."""
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_mnq_sqs_queue" and rc["change"]["after"].get("dead_letter_queue"):
            rc["change"]["after"]["dead_letter_queue"] = []
            return True
    return False


def _mut_job_sqs_key(plan, tfvars):
    """A job's SQS secret key as a plain env value instead of a secret_reference."""
    for rc in plan["resource_changes"]:
        after = rc["change"]["after"]
        refs = after.get("secret_reference") or [] if rc["type"] == "scaleway_job_definition" else []
        kept = [r for r in refs if r.get("environment") != "SQS_SECRET_ACCESS_KEY"]
        if len(kept) < len(refs):
            after["secret_reference"] = kept
            after.setdefault("env", {})["SQS_SECRET_ACCESS_KEY"] = "x"
            return True
    return False


def _mut_redis_tls(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_redis_cluster":
            rc["change"]["after"]["tls_enabled"] = False
            return True
    return False


def _mut_job_redis(plan, tfvars):
    """A job that would get its Redis URL as a plain env value."""
    names = {(tfvars.get("jobs") or {})[k]["name"]: v for k, v in (tfvars.get("job_redis") or {}).items()}
    for rc in plan["resource_changes"]:
        after = rc["change"].get("after") or {}
        uses = names.get(after.get("name")) if rc["type"] == "scaleway_job_definition" else None
        if uses:
            key = next(iter(uses))
            after["secret_reference"] = [r for r in after.get("secret_reference") or [] if r.get("environment") != key]
            after.setdefault("env", {})[key] = "rediss://app:x@10.0.0.5:6379/0"
            return True
    return False


def _mut_redis_network(plan, tfvars):
    calls = plan.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    expr = calls.get("redis", {}).get("expressions", {}).get("private_network_id")
    if not expr:
        return False
    expr["references"] = ["var.other_network_id"]
    return True


OPTIONAL_CONTROLS = [
    ("redis", _mut_redis_tls),
    ("job-secrets", _mut_job_redis),
    ("redis", _mut_redis_network),
    ("queues", _mut_sqs_manage),
    ("queues", _mut_trigger_project),
    ("queues", _mut_dead_letter),
    ("job-secrets", _mut_job_sqs_key),
    ("private-access", _mut_job_link),
    ("job-secrets", _mut_job_secret),
    ("job-secrets", _mut_job_ref),
    ("job-secrets", _mut_job_db_url),
    ("database-rights", _mut_runtime_ddl),
    ("lifecycle", _mut_lifecycle),
]

def _mut_token_write(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_cockpit_token":
            rc["change"]["after"]["scopes"][0]["write_logs"] = True
            return True
    return False


def _mut_env_name(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_object_bucket" and isinstance(rc["change"]["after"].get("name"), str):
            rc["change"]["after"]["name"] = "p{id}-" + rc["change"]["after"]["name"]
            return True
    return False


def _mut_extra_container(plan, tfvars):
    for rc in plan["resource_changes"]:
        if rc["type"] == "scaleway_container" and rc["address"].startswith("module.containers."):
            extra = copy.deepcopy(rc)
            extra["address"] += "_disabled"
            extra["change"]["after"]["name"] = "disabled-" + str(rc["change"]["after"].get("name"))
            plan["resource_changes"].append(extra)
            return True
    return False


CONTROLS = [
    ("services", _mut_extra_container),
    ("env-names", _mut_env_name),
    ("logs-token", _mut_token_write),
    ("websocket-domain", _mut_ws),
    ("public-acl", _mut_acl),
    ("public-policy", _mut_policy_missing),
    ("public-policy", _mut_policy_listable),
    ("public-policy", _mut_policy_no_owner),
    ("public-policy", _mut_policy_running_key),
    ("private-access", _mut_health_token),
    ("private-access", _mut_link_rights),
    ("private-access", _mut_container_token),
    ("edge-plan", _mut_edge),
    ("iam", _mut_iam),
]


def selftest(plan_path, tfvars_path, backend_path, extras=()):
    plan, tfvars = load(plan_path), load(tfvars_path)
    failures = 0
    base = env_problems(plan, tfvars, backend_path)
    if base:
        print("selftest: the base plan is not clean:", *base, sep="\n  ")
        return 1
    for check, mutate in CONTROLS:
        p, t = copy.deepcopy(plan), copy.deepcopy(tfvars)
        if not mutate(p, t):
            print(f"FAIL control {check}/{mutate.__name__}: nothing to break in this plan")
            failures += 1
            continue
        found = [x for x in env_problems(p, t, backend_path) if x.startswith(f"[{check}]")]
        if found:
            print(f"PASS control {check}/{mutate.__name__}: {found[0]}")
        else:
            print(f"FAIL control {check}/{mutate.__name__}: the broken plan was accepted")
            failures += 1
    broken = set()
    for extra in extras:
        p0, t0 = load(extra[0]), load(extra[1])
        base = env_problems(p0, t0, None)
        if base:
            print("selftest: the extra plan is not clean:", *base, sep="\n  ")
            failures += 1
            continue
        for check, mutate in OPTIONAL_CONTROLS:
            p, t = copy.deepcopy(p0), copy.deepcopy(t0)
            if not mutate(p, t):
                continue  # nothing of that kind in this plan: another extra has it
            broken.add(mutate.__name__)
            found = [x for x in env_problems(p, t, None) if x.startswith(f"[{check}]")]
            print(("PASS" if found else "FAIL") + f" control {check}/{mutate.__name__}: " + (found[0] if found else "the broken plan was accepted"))
            failures += 0 if found else 1
    if extras:
        for check, mutate in OPTIONAL_CONTROLS:
            if mutate.__name__ not in broken:
                print(f"FAIL control {check}/{mutate.__name__}: nothing to break in any extra plan")
                failures += 1
    # backend-lock: a backend file without use_lockfile.
    if backend_path:
        import tempfile
        with open(backend_path) as f:
            text = f.read()
        with tempfile.NamedTemporaryFile("w", suffix=".tfbackend", delete=False) as tmp:
            tmp.write("\n".join(l for l in text.splitlines() if "use_lockfile" not in l) + "\n")
        found = list(check_backend_lock(plan, tfvars, tmp.name))
        print(("PASS" if found else "FAIL") + " control backend-lock: " + (found[0] if found else "accepted"))
        failures += 0 if found else 1
    # migrate-target: a targeted plan that pulls in a container and a cron job.
    pulled = {"resource_changes": [
        {"address": "module.containers.scaleway_container.api", "mode": "managed", "type": "scaleway_container",
         "change": {"actions": ["update"], "after": {"name": "dev-x-api"}}},
        {"address": "module.jobs.scaleway_job_definition.linked[\"cleanup\"]", "mode": "managed",
         "type": "scaleway_job_definition", "change": {"actions": ["update"], "after": {"name": "dev-x-cleanup"}}},
    ]}
    found = list(migrate_target_problems(pulled))
    ok = len(found) == 2
    print(("PASS" if ok else "FAIL") + " control migrate-target: " + (found[0] if found else "accepted"))
    failures += 0 if ok else 1
    # project-shared: two environments of one project each managing the alert manager.
    shared = copy.deepcopy(plan)
    shared["resource_changes"] = [rc for rc in shared["resource_changes"] if rc["type"] != "scaleway_account_project"]
    shared["resource_changes"].append({
        "address": "module.monitoring[0].scaleway_cockpit_alert_manager.this[0]", "mode": "managed",
        "type": "scaleway_cockpit_alert_manager", "change": {"actions": ["create"], "after": {}},
    })
    t = copy.deepcopy(tfvars)
    t["project"] = {"create": False, "id": None, "name": "x"}
    found = list(example_problems({"a": (shared, t), "b": (shared, t)}))
    print(("PASS" if found else "FAIL") + " control project-shared: " + (found[0] if found else "accepted"))
    failures += 0 if found else 1
    return 1 if failures else 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "env":
        problems = env_problems(load(argv[2]), load(argv[3]), argv[4] if len(argv) > 4 else None)
    elif len(argv) >= 3 and argv[1] == "example":
        envs = {}
        for arg in argv[2:]:
            env, paths = arg.split("=", 1)
            plan, tfvars = paths.split(":", 1)
            envs[env] = (load(plan), load(tfvars))
        problems = list(example_problems(envs))
    elif len(argv) == 3 and argv[1] == "migrate-target":
        problems = list(migrate_target_problems(load(argv[2])))
    elif len(argv) >= 4 and argv[1] == "selftest":
        # Further arguments: --extra PLAN.json:TFVARS.json, plans for the optional controls.
        rest = argv[4:]
        backend = rest.pop(0) if rest and rest[0] != "--extra" else None
        extras = [tuple(rest[i + 1].split(":", 1)) for i in range(0, len(rest) - 1, 2) if rest[i] == "--extra"]
        return selftest(argv[2], argv[3], backend, extras)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(f"  behaviour: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
