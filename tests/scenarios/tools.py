#!/usr/bin/env python3
"""Stand-in `aws`, `docker`, `curl`, `scw`, `pnpm` and `npm` for the scenarios.

One program, called through symlinks named after the tool. Every call is
appended to $SC_LOG as one JSON line: the tool, its argv, the step the harness
is in ($SC_STEP) and the credential-like environment variables it sees, masked
(access key ids are kept: they are identifiers, and the scenarios check their
`@PROJECT_ID` suffix; every secret value is replaced by `***`).

The tools answer like the real services, from the folder $SC_WORLD:
  s3/BUCKET/KEY        objects (aws s3 / s3api)
  s3owners/BUCKET      the project owning a bucket that Terraform does not manage
  cloud/buckets/NAME   the project owning a bucket (written by the stub provider)
  cloud/containers/ID.json   containers as applied (written by the stub provider)
  registry/REPO/TAG    pushed images: their digest (docker push / manifest inspect)
  control/unhealthy    while it exists, every health probe answers 503
An Object Storage call reaches a bucket only with the owning project: the access
key's `@PROJECT_ID` suffix, else the key's preferred project ($SC_PREFERRED_PROJECT)
(https://www.scaleway.com/en/docs/iam/api-cli/using-api-key-object-storage/).
"""

import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

WORLD = os.environ.get("SC_WORLD", "")
SECRETISH = re.compile(r"SECRET|TOKEN|PASSWORD|PRIVATE|_KEY$|^TF_VAR_", re.I)
NOT_SECRET = {"AWS_ACCESS_KEY_ID", "SCW_ACCESS_KEY", "TF_VAR_deployer_access_key"}


def world(*parts):
    return os.path.join(WORLD, *parts)


def masked_env():
    out = {}
    for k, v in os.environ.items():
        interesting = (
            k.startswith(("SCW_", "AWS_", "TF_VAR_", "TF_DATA_DIR", "CELLAC_"))
            or SECRETISH.search(k)
        )
        if not interesting:
            continue
        out[k] = v if k in NOT_SECRET or k in ("TF_DATA_DIR",) or k.startswith("CELLAC_") else "***"
    return out


def log(tool, argv, **extra):
    path = os.environ.get("SC_LOG")
    if not path:
        return
    rec = {
        "tool": tool,
        "argv": argv,
        "step": os.environ.get("SC_STEP", ""),
        "cwd": os.getcwd(),
        "env": masked_env(),
    }
    rec.update(extra)
    with open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


def fail(msg, code=1):
    sys.stderr.write(msg + "\n")
    sys.exit(code)


# ------------------------------------------------------------------ aws


def bucket_owner(bucket):
    for d in ("cloud/buckets", "s3owners"):
        p = world(d, bucket)
        if os.path.isfile(p):
            return open(p).read().strip()
    return None


def key_project():
    key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    if "@" in key:
        return key.rsplit("@", 1)[1]
    return os.environ.get("SC_PREFERRED_PROJECT", "")


def reach(bucket):
    """The bucket's folder, if the running key's project owns it."""
    owner = bucket_owner(bucket)
    if not os.environ.get("AWS_ACCESS_KEY_ID") or not os.environ.get("AWS_SECRET_ACCESS_KEY"):
        fail("Unable to locate credentials. You can configure credentials by running \"aws configure\".", 253)
    if owner is None or owner != key_project():
        fail(
            "An error occurred (NoSuchBucket) when calling the operation: "
            "The specified bucket does not exist",
            254,
        )
    d = world("s3", bucket)
    os.makedirs(d, exist_ok=True)
    return d


def split_s3(url):
    rest = url[len("s3://"):]
    bucket, _, key = rest.partition("/")
    return bucket, key


def list_local(root):
    out = []
    for dp, _dn, fns in os.walk(root, followlinks=True):
        for fn in fns:
            full = os.path.join(dp, fn)
            out.append(os.path.relpath(full, root).replace(os.sep, "/"))
    return sorted(out)


def list_s3(bucket, prefix):
    d = reach(bucket)
    keys = []
    for k in list_local(d):
        if k.startswith(prefix):
            keys.append(k)
    return keys


def passes(rel, filters):
    ok = True
    for kind, pat in filters:
        if fnmatch.fnmatchcase(rel, pat):
            ok = kind == "include"
    return ok


def aws(argv):
    args = list(argv)
    opts = {}
    rest = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--endpoint-url", "--region", "--output", "--profile"):
            opts[a] = args[i + 1]
            i += 2
            continue
        rest.append(a)
        i += 1
    buckets = [split_s3(a)[0] for a in rest if a.startswith("s3://")]
    if "--bucket" in rest:
        buckets.append(rest[rest.index("--bucket") + 1])
    log("aws", argv, buckets=buckets, key_project=key_project())
    if not rest:
        fail("aws: no command", 2)
    svc, cmd, params = rest[0], rest[1] if len(rest) > 1 else "", rest[2:]

    def opt(name, default=None):
        return params[params.index(name) + 1] if name in params else default

    if svc == "s3api" and cmd == "list-objects-v2":
        bucket = opt("--bucket")
        keys = list_s3(bucket, opt("--prefix", ""))
        print(json.dumps({"Contents": [{"Key": k, "Size": 1} for k in keys]} if keys else {}))
        return 0
    if svc == "s3api" and cmd == "list-object-versions":
        # No versioning here: each object is its one version, "null".
        bucket = opt("--bucket")
        keys = list_s3(bucket, opt("--prefix", ""))[: int(opt("--max-items", "1000"))]
        print(json.dumps({"Versions": [{"Key": k, "VersionId": "null", "IsLatest": True} for k in keys]}
                         if keys else {}))
        return 0
    if svc == "s3api" and cmd == "delete-objects":
        bucket = opt("--bucket")
        d = reach(bucket)
        spec = json.loads(opt("--delete"))
        for o in spec.get("Objects", []):
            p = os.path.join(d, o["Key"])
            if os.path.isfile(p):
                os.remove(p)
        print(json.dumps({"Deleted": spec.get("Objects", [])}))
        return 0
    if svc == "s3api" and cmd in ("head-bucket", "get-bucket-versioning", "put-bucket-versioning",
                                  "create-bucket", "put-public-access-block"):
        bucket = opt("--bucket")
        if cmd == "create-bucket":
            os.makedirs(world("s3owners"), exist_ok=True)
            if bucket_owner(bucket) is None:
                with open(world("s3owners", bucket), "w") as f:
                    f.write(key_project())
        reach(bucket)
        print("{}")
        return 0
    if svc == "s3" and cmd == "cp":
        pos = [p for p in params if not p.startswith("--")]
        # options with a value
        vals = set()
        for j, p in enumerate(params):
            if p in ("--content-type", "--cache-control", "--exclude", "--include"):
                vals.add(j + 1)
        pos = [p for j, p in enumerate(params) if not p.startswith("--") and j not in vals]
        src, dst = pos[0], pos[1]
        if src.startswith("s3://"):
            b, k = split_s3(src)
            p = os.path.join(reach(b), k)
            if not os.path.isfile(p):
                fail("fatal error: An error occurred (404) when calling the HeadObject operation: Key \"%s\" does not exist" % k)
            data = open(p, "rb").read()
        elif src == "-":
            data = sys.stdin.buffer.read()
        else:
            data = open(src, "rb").read()
        if dst.startswith("s3://"):
            b, k = split_s3(dst)
            p = os.path.join(reach(b), k)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            open(p, "wb").write(data)
        elif dst == "-":
            sys.stdout.buffer.write(data)
        else:
            open(dst, "wb").write(data)
        return 0
    if svc == "s3" and cmd in ("sync", "rm", "rb", "ls", "mb"):
        filters = []
        delete = "--delete" in params
        recursive = "--recursive" in params
        pos = []
        j = 0
        while j < len(params):
            p = params[j]
            if p in ("--exclude", "--include"):
                filters.append((p[2:], params[j + 1]))
                j += 2
                continue
            if p in ("--cache-control", "--content-type"):
                j += 2
                continue
            if p.startswith("--"):
                j += 1
                continue
            pos.append(p)
            j += 1
        if cmd == "mb":
            b, _ = split_s3(pos[0])
            os.makedirs(world("s3owners"), exist_ok=True)
            with open(world("s3owners", b), "w") as f:
                f.write(key_project())
            reach(b)
            return 0
        if cmd == "ls":
            b, k = split_s3(pos[0])
            for key in list_s3(b, k):
                print("2025-01-01 00:00:00          1 " + key)
            return 0
        if cmd == "rb":
            b, _ = split_s3(pos[0])
            d = reach(b)
            if list_local(d) and "--force" not in params:
                fail("remove_bucket failed: BucketNotEmpty")
            shutil.rmtree(d)
            return 0
        if cmd == "rm":
            b, k = split_s3(pos[0])
            d = reach(b)
            keys = [x for x in list_s3(b, k) if passes(x[len(k):].lstrip("/") if recursive else x, filters)] if recursive else [k]
            for key in keys:
                p = os.path.join(d, key)
                if os.path.isfile(p):
                    os.remove(p)
                    print("delete: s3://%s/%s" % (b, key))
            return 0
        src, dst = pos[0], pos[1]

        def listing(loc):
            if loc.startswith("s3://"):
                b, k = split_s3(loc)
                k = k.rstrip("/")
                pre = k + "/" if k else ""
                return {x[len(pre):]: os.path.join(reach(b), x) for x in list_s3(b, pre)}
            if not os.path.isdir(loc):
                return {}
            return {x: os.path.join(loc, x) for x in list_local(loc)}

        def target(loc, rel):
            if loc.startswith("s3://"):
                b, k = split_s3(loc)
                k = k.rstrip("/")
                return os.path.join(reach(b), (k + "/" if k else "") + rel)
            return os.path.join(loc, rel)

        s = {k: v for k, v in listing(src).items() if passes(k, filters)}
        d = {k: v for k, v in listing(dst).items() if passes(k, filters)}
        for rel, path in sorted(s.items()):
            t = target(dst, rel)
            os.makedirs(os.path.dirname(t), exist_ok=True)
            shutil.copyfile(path, t)
            print("upload: %s to %s/%s" % (rel, dst.rstrip("/"), rel))
        if delete:
            for rel, path in sorted(d.items()):
                if rel not in s:
                    os.remove(path)
                    print("delete: %s/%s" % (dst.rstrip("/"), rel))
        return 0
    if svc == "sts" or svc == "configure":
        print("{}")
        return 0
    fail("aws stand-in: unsupported command: %s" % " ".join(rest), 2)


# ------------------------------------------------------------------ docker


def digest_of(repo, tag):
    name = repo.rsplit("/", 1)[-1]
    return "sha256:" + hashlib.sha256(("%s:%s" % (name, tag)).encode()).hexdigest()


def split_ref(ref):
    if not re.match(r"^[a-z0-9][a-z0-9._/:@-]*$", ref or ""):
        fail("invalid reference format: %r" % ref[:80], 125)
    if "@" in ref:
        repo, dig = ref.split("@", 1)
        return repo, None, dig
    head, _, last = ref.rpartition("/")
    if ":" in last:
        name, tag = last.split(":", 1)
        return (head + "/" + name) if head else name, tag, None
    return ref, "latest", None


def registry_path(repo):
    return world("registry", repo.replace("/", "__"))


def local_path(ref):
    return world("docker-local", ref.replace("/", "__"))


def registry_digest(ref):
    repo, tag, dig = split_ref(ref)
    d = registry_path(repo)
    if dig:
        if os.path.isdir(d):
            for t in os.listdir(d):
                if open(os.path.join(d, t)).read().strip() == dig:
                    return dig
        return None
    p = os.path.join(d, tag)
    return open(p).read().strip() if os.path.isfile(p) else None


def docker(argv):
    log("docker", argv)
    if not argv:
        fail("docker: no command", 2)
    cmd = argv[0]
    os.makedirs(world("docker-local"), exist_ok=True)
    if cmd == "login":
        pw = sys.stdin.read() if "--password-stdin" in argv else ""
        if "--password-stdin" in argv and not pw:
            fail("Error: Cannot perform an interactive login from a non TTY device")
        if "-p" in argv or "--password" in argv:
            fail("docker stand-in: a password in argv is visible to every user (ps)")
        print("Login Succeeded")
        return 0
    if cmd == "build" or (cmd == "buildx" and argv[1:2] == ["build"]):
        during_build()
        tags = [argv[i + 1] for i, a in enumerate(argv) if a in ("-t", "--tag")]
        for t in tags:
            repo, tag, _ = split_ref(t)
            with open(local_path(t), "w") as f:
                f.write(digest_of(repo, tag))
            print("naming to %s done" % t)
        if "--push" in argv:
            for t in tags:
                push(t)
        return 0
    if cmd == "tag":
        src, dst = argv[1], argv[2]
        dig = None
        if os.path.isfile(local_path(src)):
            dig = open(local_path(src)).read().strip()
        if not dig:
            fail("Error response from daemon: No such image: %s" % src)
        with open(local_path(dst), "w") as f:
            f.write(dig)
        return 0
    if cmd == "pull":
        ref = argv[-1]
        dig = registry_digest(ref)
        if not dig:
            fail("Error response from daemon: manifest for %s not found: manifest unknown" % ref)
        with open(local_path(ref), "w") as f:
            f.write(dig)
        print("Digest: %s" % dig)
        print("Status: Downloaded newer image for %s" % ref)
        return 0
    if cmd == "push":
        return push(argv[-1])
    if cmd == "manifest" and argv[1:2] == ["inspect"]:
        ref = argv[-1]
        dig = registry_digest(ref)
        if not dig:
            fail("no such manifest: %s" % ref)
        print(json.dumps({"schemaVersion": 2, "config": {"digest": dig}, "digest": dig}))
        return 0
    if cmd == "buildx" and argv[1:3] == ["imagetools", "inspect"]:
        skip = {argv.index("--format") + 1} if "--format" in argv else set()
        ref = [a for i, a in enumerate(argv) if i >= 3 and i not in skip and not a.startswith("-")][-1]
        dig = registry_digest(ref)
        if not dig:
            fail("ERROR: %s: not found" % ref)
        fmt = argv[argv.index("--format") + 1] if "--format" in argv else ""
        if "json .Manifest" in fmt:
            print(json.dumps({"mediaType": "application/vnd.oci.image.index.v1+json",
                              "digest": dig, "size": 1609}))
        elif fmt:
            print(dig)
        else:
            print("Name:      %s\nMediaType: application/vnd.oci.image.index.v1+json\nDigest:    %s" % (ref, dig))
        return 0
    if cmd == "buildx" and argv[1:3] == ["imagetools", "create"]:
        tags = [argv[i + 1] for i, a in enumerate(argv) if a in ("-t", "--tag")]
        src = [a for a in argv[3:] if not a.startswith("-") and a not in tags][-1]
        dig = registry_digest(src)
        if not dig:
            fail("ERROR: %s: not found" % src)
        for t in tags:
            repo, tag, _ = split_ref(t)
            os.makedirs(registry_path(repo), exist_ok=True)
            with open(os.path.join(registry_path(repo), tag), "w") as f:
                f.write(dig)
        return 0
    if cmd == "inspect" or (cmd == "image" and argv[1:2] == ["inspect"]):
        ref = argv[-1]
        if not os.path.isfile(local_path(ref)):
            fail("Error: No such object: %s" % ref)
        repo, _, _ = split_ref(ref)
        dig = open(local_path(ref)).read().strip()
        print(json.dumps([{"RepoDigests": ["%s@%s" % (repo, dig)]}]) if "--format" not in argv
              else "%s@%s" % (repo, dig))
        return 0
    if cmd == "logout":
        return 0
    fail("docker stand-in: unsupported command: %s" % " ".join(argv), 2)


def during_build():
    """control/during-docker-build: a command another operator runs while this
    build runs (once), in a shell of its own: nothing the scripts exported."""
    hook = world("control", "during-docker-build")
    if not os.path.isfile(hook):
        return
    cmd = open(hook).read().strip()
    os.remove(hook)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CELLAC_") and k not in (
               "TF_DATA_DIR", "IMAGE_TAG", "INFRA", "STACK", "REGION", "S3_ENDPOINT",
               "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "TF_VAR_deployer_access_key")}
    env["SC_STEP"] = os.environ.get("SC_STEP", "") + "/during-build"
    with open(hook + ".out", "w") as out:
        r = subprocess.run(["bash", "-c", cmd], env=env, stdout=out, stderr=subprocess.STDOUT,
                           check=False)
    with open(hook + ".status", "w") as f:
        f.write(str(r.returncode))


def push(ref):
    if not os.path.isfile(local_path(ref)):
        fail("An image does not exist locally with the tag: %s" % ref)
    dig = open(local_path(ref)).read().strip()
    repo, tag, _ = split_ref(ref)
    os.makedirs(registry_path(repo), exist_ok=True)
    with open(os.path.join(registry_path(repo), tag), "w") as f:
        f.write(dig)
    print("The push refers to repository [%s]" % repo)
    print("%s: digest: %s size: 1570" % (tag, dig))
    return 0


# ------------------------------------------------------------------ curl


def curl(argv):
    headers = []
    config_lines = []
    if "--config" in argv or "-K" in argv:
        flag = "--config" if "--config" in argv else "-K"
        src = argv[argv.index(flag) + 1]
        text = sys.stdin.read() if src == "-" else open(src).read()
        config_lines = text.splitlines()
    url = None
    out = None
    write_out = None
    fail_on_error = False
    data = None
    i = 0
    with_value = {"-o", "--output", "-w", "--write-out", "--max-time", "-m", "--config", "-K", "-H",
                  "--header", "-X", "--request", "--connect-timeout", "--retry", "-d", "--data",
                  "--data-binary", "--data-raw", "-u", "--user", "--retry-delay", "--retry-max-time"}
    while i < len(argv):
        a = argv[i]
        if a in with_value:
            v = argv[i + 1]
            if a in ("-o", "--output"):
                out = v
            elif a in ("-w", "--write-out"):
                write_out = v
            elif a in ("-H", "--header"):
                headers.append(v)
            elif a in ("-d", "--data", "--data-binary", "--data-raw"):
                data = v
            i += 2
            continue
        if a.startswith("-") and not a.startswith("--") and "f" in a[1:]:
            fail_on_error = True
        if a == "--fail":
            fail_on_error = True
        if not a.startswith("-"):
            url = a
        i += 1
    for line in config_lines:
        m = re.match(r'\s*(header|url)\s*=\s*"(.*)"\s*$', line)
        if m and m.group(1) == "header":
            headers.append(m.group(2))
        elif m:
            url = m.group(2)
    token = None
    for h in headers:
        if h.lower().startswith("x-auth-token:"):
            token = h.split(":", 1)[1].strip()
    secret = os.environ.get("SC_DEPLOYER_SECRET", "")
    log("curl", argv, url=url, auth=("deployer-secret" if token and token == secret else
                                      ("token" if token else "none")),
        token_in_argv=bool(token and any(token in a for a in argv)))
    code, body = 200, ""
    m = re.match(r"https://api\.scaleway\.com/containers/(v1|v1beta1)/regions/([^/]+)/containers/([^/?]+)$", url or "")
    if m:
        if not token:
            code, body = 401, json.dumps({"message": "authentication is denied"})
        else:
            p = world("cloud", "containers", m.group(3) + ".json")
            if os.path.isfile(p):
                rec = json.load(open(p))
                # v1 names the image `image` (the provider reads co.Image,
                # internal/services/container/container.go:461); v1beta1 named
                # it `registry_image`.
                image_field = "image" if m.group(1) == "v1" else "registry_image"
                body = json.dumps({"id": m.group(3), "status": rec.get("status", "ready"),
                                   image_field: rec.get("registry_image", ""),
                                   "registry_sha256": rec.get("registry_sha256")})
            else:
                code, body = 404, json.dumps({"message": "resource is not found"})
    elif url and url.startswith("https://api.scaleway.com/serverless-jobs/"):
        code, body = jobs_api(url, argv, token)
    elif url and url.startswith("https://api.scaleway.com/registry/v1/"):
        code, body = registry_api(url, argv, token)
    elif url and url.startswith("https://"):
        if os.path.exists(world("control", "unhealthy")):
            code, body = 503, "unhealthy"
    if out and out != "/dev/null" and out != "-":
        open(out, "w").write(body)
    elif not out or out == "-":
        sys.stdout.write(body)
    if write_out:
        sys.stdout.write(write_out.replace("%{http_code}", str(code)))
    if code >= 400 and fail_on_error:
        sys.stderr.write("curl: (22) The requested URL returned error: %d\n" % code)
        return 22
    return 0


def jobs_api(url, argv, token):
    """Serverless Jobs: starting a definition makes a run that has succeeded
    (failed while control/job-fails exists); the run records, hashed, the
    secret values its definition's references resolve to (the stub provider
    keeps the definitions and the secret versions)."""
    if not token:
        return 401, json.dumps({"message": "authentication is denied"})
    runs = world("job-runs")
    os.makedirs(runs, exist_ok=True)
    m = re.search(r"/regions/([^/]+)/job-definitions/([^/]+)/start$", url)
    if m and "-X" in argv and argv[argv.index("-X") + 1] == "POST":
        definition = m.group(2)
        p = world("cloud", "jobs", definition + ".json")
        if not os.path.isfile(p):
            return 404, json.dumps({"message": "resource is not found"})
        job = json.load(open(p))
        read = {}
        for ref in job.get("secret_reference", []):
            secret = ref["secret_id"].rsplit("/", 1)[-1]
            version = ref.get("secret_version") or "latest"
            if version == "latest":
                revs = [int(f.rsplit(".", 1)[1]) for f in os.listdir(world("cloud", "secrets"))
                        if f.startswith(secret + ".")] if os.path.isdir(world("cloud", "secrets")) else []
                version = str(max(revs)) if revs else ""
            vp = world("cloud", "secrets", "%s.%s" % (secret, version))
            value = open(vp).read() if os.path.isfile(vp) else None
            read[ref.get("environment") or ref.get("file") or secret] = (
                hashlib.sha256(value.encode()).hexdigest() if value is not None else None)
        run = hashlib.sha256(("%s:%d" % (definition, len(os.listdir(runs)))).encode()).hexdigest()
        run = "%s-%s-4%s-8%s-%s" % (run[:8], run[8:12], run[13:16], run[17:20], run[20:32])
        state = "failed" if os.path.exists(world("control", "job-fails")) else "succeeded"
        rec = {"id": run, "job_definition_id": definition, "state": state,
               "secrets_read_sha256": read, "step": os.environ.get("SC_STEP", "")}
        if state == "failed":
            rec["exit_code"] = 1
            rec["error_message"] = "the stand-in job failed"
        json.dump(rec, open(os.path.join(runs, run + ".json"), "w"))
        return 200, json.dumps({"job_runs": [dict(rec, state="queued")]})
    m = re.search(r"/job-runs/([^/?]+)$", url)
    if m:
        p = os.path.join(runs, m.group(1) + ".json")
        if not os.path.isfile(p):
            return 404, json.dumps({"message": "resource is not found"})
        return 200, open(p).read()
    return 404, json.dumps({"message": "not found"})


def registry_api(url, argv, token):
    """The Registry API's namespaces and images, from the registry folder."""
    if not token:
        return 401, json.dumps({"message": "authentication is denied"})
    method = argv[argv.index("-X") + 1] if "-X" in argv else "GET"
    path, _, query = url.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    reg = world("registry")
    repos = os.listdir(reg) if os.path.isdir(reg) else []
    m = re.search(r"/regions/[^/]+/(namespaces|images)(?:/([^/]+))?$", path)
    if not m:
        return 404, json.dumps({"message": "not found"})
    kind, ident = m.group(1), m.group(2)
    if kind == "namespaces" and not ident:
        names = sorted({r.split("__")[1] for r in repos if r.count("__") >= 2})
        want = params.get("name")
        return 200, json.dumps({"namespaces": [{"id": "ns-" + n, "name": n} for n in names
                                               if want in (None, n)]})
    if kind == "images" and not ident:
        ns = params.get("namespace_id", "")[3:]
        imgs = [r for r in repos if r.count("__") >= 2 and r.split("__")[1] == ns]
        return 200, json.dumps({"images": [{"id": r, "name": r.split("__", 2)[2]} for r in imgs]})
    if kind == "images" and ident and method == "DELETE":
        p = os.path.join(reg, ident)
        if not os.path.isdir(p):
            return 404, json.dumps({"message": "resource is not found"})
        shutil.rmtree(p)
        return 200, "{}"
    return 404, json.dumps({"message": "not found"})


# ------------------------------------------------------------------ site builds


def site_build(tool, argv):
    log(tool, argv)
    # pnpm --filter NAME build / npm run build --workspace NAME: writes NAME/dist.
    name = None
    for flag in ("--filter", "-F", "--workspace", "-w", "--prefix", "-C", "--dir"):
        if flag in argv:
            name = argv[argv.index(flag) + 1]
    base = os.path.join(os.getcwd(), name) if name else os.getcwd()
    dist = os.path.join(base, "dist")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or "nogit"
    except OSError:
        commit = "nogit"
    os.makedirs(os.path.join(dist, "assets"), exist_ok=True)
    asset = "assets/app-%s.js" % hashlib.sha256(commit.encode()).hexdigest()[:8]
    with open(os.path.join(dist, asset), "w") as f:
        f.write("console.log(%r)\n" % commit)
    with open(os.path.join(dist, "index.html"), "w") as f:
        f.write('<!doctype html><script src="/%s"></script><!-- %s -->\n' % (asset, commit))
    return 0


def scw(argv):
    log("scw", argv)
    print("{}" if "-o" in argv or "--output" in argv else "")
    return 0


def main():
    tool = os.path.basename(sys.argv[0])
    argv = sys.argv[1:]
    if tool == "aws":
        return aws(argv)
    if tool == "docker":
        return docker(argv)
    if tool == "curl":
        return curl(argv)
    if tool in ("pnpm", "npm", "yarn", "bun"):
        return site_build(tool, argv)
    if tool == "scw":
        return scw(argv)
    fail("tools.py: unknown tool %s" % tool, 2)


if __name__ == "__main__":
    sys.exit(main())
