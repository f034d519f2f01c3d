#!/usr/bin/env python3
"""Behaviour checks over real plans: what the schema cannot say about Scaleway.

run.sh saves each environment's plan (`terraform plan -out`, then
`terraform show -json`) beside its tfvars. These checks read planned values and
fail, naming the resource, when the output would not behave on Scaleway
(docs/scaleway-facts.md gives the source of each rule):

  websocket-domain   no known ws:// or wss:// env value through a custom domain
  public-acl         no `public-read` (or `public-read-write`) bucket ACL
  public-policy      every site bucket and public bucket has a bucket policy; a
                     known policy lets "*" get objects, not list, and keeps the
                     deployer's full access
  edge-plan          an Edge Services plan wherever there is a pipeline
  iam                one IAM application, policy and API key per service with
                     bucket access, a database or a token link
  backend-lock       every backend file sets use_lockfile = true
  project-shared     (per example) no project-scoped resource (alert manager,
                     Edge plan) managed by two environments in one project

Usage:
  behaviour.py env PLAN.json TFVARS.json [BACKEND]   checks of one environment
  behaviour.py example ENV=PLAN.json:TFVARS.json ... the cross-environment check
  behaviour.py selftest PLAN.json TFVARS.json        negative controls: each
                     check must reject a hand-broken copy of a good plan
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


def check_policy_document(addr, bucket, text):
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
    if not public_get:
        yield f"{addr}: no statement lets \"*\" s3:GetObject on {bucket}/*"
    if not owner:
        yield f"{addr}: no statement keeps the deployer's full access to {bucket}"


def check_public_policy(plan, tfvars, backend):
    want = {}
    for site in (tfvars.get("sites") or {}).values():
        want[site["bucket_name"]] = "site"
    for b in (tfvars.get("buckets") or {}).values():
        if b.get("public"):
            want[b["name"]] = "public bucket"
    policies = {}
    for ty, addr, after in resources(plan):
        if ty == "scaleway_object_bucket_policy":
            policies[after.get("bucket")] = (addr, after.get("policy"))
    for name, kind in sorted(want.items()):
        if name not in policies:
            yield f"{kind} {name}: no bucket policy makes its objects readable"
            continue
        addr, text = policies[name]
        if text is not None:  # unknown until apply when it names new applications
            yield from check_policy_document(addr, name, text)


def check_edge_plan(plan, tfvars, backend):
    types = [ty for ty, _, _ in resources(plan)]
    if "scaleway_edge_services_pipeline" in types and "scaleway_edge_services_plan" not in types:
        yield "Edge Services pipelines without a scaleway_edge_services_plan"


def check_iam(plan, tfvars, backend):
    users = sorted(
        svc["name"]
        for svc in (tfvars.get("services") or {}).values()
        if svc.get("bucket_access") or svc.get("databases") or svc.get("tokens")
    )
    apps = {}
    policies = {}
    keys = {}
    for ty, addr, after in resources(plan):
        if ty == "scaleway_iam_application":
            apps.setdefault(after.get("name"), []).append(addr)
        elif ty == "scaleway_iam_policy":
            policies.setdefault(addr.rsplit("[", 1)[-1], []).append(after)
        elif ty == "scaleway_iam_api_key":
            keys.setdefault(addr.rsplit("[", 1)[-1], []).append(after)
    for name in users:
        if len(apps.get(name, [])) != 1:
            yield f"service {name} needs an API key but has {len(apps.get(name, []))} IAM applications"
    if len(policies) != len(users) or len(keys) != len(users):
        yield f"{len(users)} services need an API key, but the plan has {len(policies)} IAM policies and {len(keys)} API keys"
    for key, afters in policies.items():
        for after in afters:
            for rule in after.get("rule") or []:
                if not rule.get("project_ids"):
                    yield f"IAM policy {key}: a rule not scoped to the environment's project"


def check_backend_lock(plan, tfvars, backend):
    if backend is None:
        return
    with open(backend) as f:
        lines = [l.split("#", 1)[0].strip().replace(" ", "") for l in f]
    if "use_lockfile=true" not in lines:
        yield f"{backend}: no use_lockfile = true, so two applies can race on the state"


ENV_CHECKS = {
    "websocket-domain": check_websocket_domain,
    "public-acl": check_public_acl,
    "public-policy": check_public_policy,
    "edge-plan": check_edge_plan,
    "iam": check_iam,
    "backend-lock": check_backend_lock,
}


def env_problems(plan, tfvars, backend):
    out = []
    for name, check in ENV_CHECKS.items():
        out.extend(f"[{name}] {p}" for p in check(plan, tfvars, backend))
    return out


PROJECT_SCOPED = ("scaleway_cockpit_alert_manager", "scaleway_edge_services_plan")


def project_of(env, plan, tfvars):
    """Which project an environment lives in, as far as the plan can tell."""
    if any(ty == "scaleway_account_project" for ty, _, _ in resources(plan)):
        return f"created for {env}"
    project = tfvars.get("project") or {}
    return project.get("id") or "the API key's default project"


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


def _mut_edge(plan, tfvars):
    before = len(plan["resource_changes"])
    plan["resource_changes"] = [rc for rc in plan["resource_changes"] if rc["type"] != "scaleway_edge_services_plan"]
    return len(plan["resource_changes"]) < before


def _mut_iam(plan, tfvars):
    for i, rc in enumerate(plan["resource_changes"]):
        if rc["type"] == "scaleway_iam_api_key":
            del plan["resource_changes"][i]
            return True
    return False


CONTROLS = [
    ("websocket-domain", _mut_ws),
    ("public-acl", _mut_acl),
    ("public-policy", _mut_policy_missing),
    ("public-policy", _mut_policy_listable),
    ("public-policy", _mut_policy_no_owner),
    ("edge-plan", _mut_edge),
    ("iam", _mut_iam),
]


def selftest(plan_path, tfvars_path, backend_path):
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
    elif len(argv) >= 4 and argv[1] == "selftest":
        return selftest(argv[2], argv[3], argv[4] if len(argv) > 4 else None)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems:
        print(f"  behaviour: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
