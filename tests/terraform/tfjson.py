#!/usr/bin/env python3
"""Helpers for run.sh: read generated configs and Terraform's JSON output.

Subcommands:
  secrets FILE          print NAME<TAB>DUMMY-VALUE for each key of a
                        secrets.auto.tfvars.example file
  has-var DIR NAME      exit 0 if DIR/variables.tf.json declares variable NAME
  has-backend DIR       exit 0 if DIR/*.tf.json declares a backend
  validate FILE         check `terraform validate -json` output: exit 0 only if
                        valid with zero errors and zero warnings; print
                        diagnostics
  preview DIR TEMPLATE ID
                        if environments/TEMPLATE.tfvars.json is a preview
                        template (it holds `{id}`), write pID's tfvars (and
                        backend) with `{id}` replaced, as scripts/preview.sh
                        does, print pID and exit 0; else exit 1
  plan FILE             check `terraform plan -json` output: print
                        diagnostics, exit 1 on errors or if no change summary;
                        else print `ADD N` as the last line
"""

import glob
import json
import os
import re
import sys

POOLED_URL = "postgresql://user:pass@ep-x-pooler.eu-central-1.aws.neon.tech/db?sslmode=require"
DIRECT_URL = "postgresql://user:pass@ep-x.eu-central-1.aws.neon.tech/db?sslmode=require"
EMAIL = "ops@example.com"
TOKEN = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8c9D0e1F2"
assert len(TOKEN) == 64 and TOKEN.isalnum()

KEY_LINE = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=')


def dummy_secret(name, comment):
    """A value meeting the usual rules for a secret, judged from its name and
    the comment lines above it."""
    n = name.lower()
    c = comment.lower()
    if "url" in n or "dsn" in n or "postgres" in c or "pooler" in c or "connection string" in c:
        unpooled = (
            re.search(r"\b(non|un)[- ]?pool", c)
            or re.search(r"\b(without|no|not)\s+(the\s+|a\s+)?-?pooler", c)
            or "direct" in c
        )
        pooled = re.search(r"pool(ed|er|ing)?\b|-pooler", c) or "pooled" in n or "pooler" in n
        return POOLED_URL if pooled and not unpooled else DIRECT_URL
    if "email" in n or re.search(r"\be-?mail\b", c):
        return EMAIL
    return TOKEN


def parse_secrets(path):
    out = []
    comment = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line:
                comment = []
            elif line.startswith("#") or line.startswith("//"):
                comment.append(line.lstrip("#/ "))
            else:
                m = KEY_LINE.match(line)
                if m:
                    # A trailing comment on the key line counts as well.
                    trailing = line.split("#", 1)[1] if "#" in line else ""
                    out.append((m.group(1), dummy_secret(m.group(1), " ".join(comment + [trailing]))))
                comment = []
    return out


def declared_variables(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return set()
    names = set()
    blocks = doc.get("variable", {})
    for block in blocks if isinstance(blocks, list) else [blocks]:
        names.update(block.keys())
    return names


def declares_backend(root):
    for path in sorted(glob.glob(os.path.join(root, "*.tf.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        blocks = doc.get("terraform", [])
        for block in blocks if isinstance(blocks, list) else [blocks]:
            if isinstance(block, dict) and block.get("backend"):
                return True
    return False


def describe(diag):
    """Terraform diagnostic (validate -json / plan -json form) as text."""
    lines = [f"  {diag.get('severity', '?').upper()}: {diag.get('summary', '')}"]
    rng = diag.get("range")
    if rng:
        start, end = rng.get("start", {}), rng.get("end", {})
        where = f"{rng.get('filename')}:{start.get('line')}:{start.get('column')}"
        if end:
            where += f"-{end.get('line')}:{end.get('column')}"
        lines.append(f"    at {where}")
    snippet = diag.get("snippet")
    if snippet:
        ctx = f" (in {snippet['context']})" if snippet.get("context") else ""
        lines.append(f"    line {snippet.get('start_line')}{ctx}: {snippet.get('code', '').strip()}")
    detail = (diag.get("detail") or "").strip()
    for d in detail.splitlines():
        lines.append(f"    {d}")
    return "\n".join(lines)


def check_validate(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError:
        print(text)
        print("  terraform validate -json did not print JSON")
        return 1
    for d in doc.get("diagnostics", []):
        print(describe(d))
    ok = doc.get("valid") is True and doc.get("error_count", 1) == 0 and doc.get("warning_count", 1) == 0
    if not ok:
        print(f"  validate: valid={doc.get('valid')} errors={doc.get('error_count')} warnings={doc.get('warning_count')}")
    return 0 if ok else 1


def check_plan(path):
    errors = 0
    added = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if not raw.strip():
                continue
            try:
                msg = json.loads(raw)
            except ValueError:
                print(f"  {raw}")  # not JSON: Terraform's own stderr
                continue
            kind = msg.get("type")
            if kind == "diagnostic":
                d = msg.get("diagnostic", {})
                print(describe(d))
                if d.get("severity") == "error":
                    errors += 1
            elif kind == "change_summary":
                added = msg.get("changes", {}).get("add")
    if errors:
        return 1
    if added is None:
        print("  plan printed no change summary")
        return 1
    print(f"ADD {added}")
    return 0


def render_preview(out, template, ident):
    path = f"{out}/environments/{template}.tfvars.json"
    with open(path) as f:
        text = f.read()
    if "{id}" not in text:
        return 1

    def walk(v):
        if isinstance(v, str):
            return v.replace("{id}", ident)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k.replace("{id}", ident): walk(x) for k, x in v.items()}
        return v

    env = f"p{ident}"
    with open(f"{out}/environments/{env}.tfvars.json", "w") as f:
        json.dump(walk(json.loads(text)), f, indent=2)
    backend = f"{out}/environments/{template}.s3.tfbackend"
    if os.path.exists(backend):
        with open(backend) as f:
            text = f.read()
        with open(f"{out}/environments/{env}.s3.tfbackend", "w") as f:
            f.write(text.replace("{id}", ident))
    os.remove(path)
    print(env)
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "secrets":
        for name, value in parse_secrets(argv[2]):
            print(f"{name}\t{value}")
        return 0
    if cmd == "has-var":
        return 0 if argv[3] in declared_variables(f"{argv[2]}/variables.tf.json") else 1
    if cmd == "has-backend":
        return 0 if declares_backend(argv[2]) else 1
    if cmd == "validate":
        return check_validate(argv[2])
    if cmd == "plan":
        return check_plan(argv[2])
    if cmd == "preview":
        return render_preview(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
