#!/usr/bin/env python3
"""Break a generated Terraform JSON configuration on purpose (negative controls).

usage: mutate.py KIND DIR SCHEMA

KIND is one of
  misspelt      rename an attribute of a resource (`name` if there is one)
                -> Terraform: "Unsupported argument"
  missing       delete a required attribute of a resource
                -> Terraform: "Missing required argument"
  undeclared    reference var.does_not_exist from a root module local
                -> Terraform: "Reference to undeclared input variable"
  computed      set a computed-only attribute of a resource
                -> provider: "Value for unconfigurable attribute"

Resources are looked for in modules/*/main.tf.json first, then in the root
main.tf.json. Prints what was changed.
"""

import glob
import json
import os
import sys

PROVIDER_KEY = "registry.terraform.io/scaleway/scaleway"


def config_files(root):
    return sorted(glob.glob(os.path.join(root, "modules", "*", "*.tf.json"))) + sorted(
        glob.glob(os.path.join(root, "*.tf.json"))
    )


def as_list(x):
    return x if isinstance(x, list) else [x]


def resources(root):
    """Yield (path, doc, type, name, body) for each resource body in the config."""
    for path in config_files(root):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for block in as_list(doc.get("resource", [])):
            for rtype, named in block.items():
                for group in as_list(named):
                    for rname, bodies in group.items():
                        for body in as_list(bodies):
                            if isinstance(body, dict):
                                yield path, doc, rtype, rname, body


def save(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def load_schemas(schema_path):
    with open(schema_path, encoding="utf-8") as f:
        dump = json.load(f)
    return dump["provider_schemas"][PROVIDER_KEY]["resource_schemas"]


def rel(root, path):
    return os.path.relpath(path, root)


def misspelt(root, schemas):
    candidates = list(resources(root))
    for prefer_name in (True, False):
        for path, doc, rtype, rname, body in candidates:
            attrs = schemas.get(rtype, {}).get("block", {}).get("attributes", {})
            keys = ["name"] if prefer_name else [k for k in body if k in attrs]
            for key in keys:
                if key in body:
                    bad = key[0] + key[2] + key[1] + key[3:] if len(key) > 2 else key + "x"
                    new = {(bad if k == key else k): v for k, v in body.items()}
                    body.clear()
                    body.update(new)
                    save(path, doc)
                    return f"{rel(root, path)}: {rtype}.{rname}: renamed {key!r} to {bad!r}"
    return None


def missing(root, schemas):
    for path, doc, rtype, rname, body in resources(root):
        attrs = schemas.get(rtype, {}).get("block", {}).get("attributes", {})
        for key in sorted(body):
            if attrs.get(key, {}).get("required"):
                del body[key]
                save(path, doc)
                return f"{rel(root, path)}: {rtype}.{rname}: deleted required {key!r}"
    return None


def undeclared(root, _schemas):
    path = os.path.join(root, "main.tf.json")
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    locals_ = doc.get("locals")
    if isinstance(locals_, list) and locals_:
        target = locals_[0]
    elif isinstance(locals_, dict):
        target = locals_
    else:
        target = {}
        doc["locals"] = target
    target["negative_control"] = "${var.does_not_exist}"
    save(path, doc)
    return f"main.tf.json: added local negative_control = var.does_not_exist"


def literal_for(ty):
    if ty == "string":
        return "x"
    if ty == "number":
        return 1
    if ty == "bool":
        return True
    if isinstance(ty, list) and ty and ty[0] in ("list", "set"):
        return []
    if isinstance(ty, list) and ty and ty[0] in ("map", "object"):
        return {}
    return "x"


def computed(root, schemas):
    for path, doc, rtype, rname, body in resources(root):
        attrs = schemas.get(rtype, {}).get("block", {}).get("attributes", {})
        only = [
            (k, a)
            for k, a in sorted(attrs.items())
            if a.get("computed") and not a.get("optional") and not a.get("required") and k != "id"
        ]
        # Prefer a plain, non-deprecated attribute.
        only.sort(key=lambda ka: (bool(ka[1].get("deprecated")), not isinstance(ka[1].get("type"), str)))
        if only:
            key, attr = only[0]
            body[key] = literal_for(attr.get("type"))
            save(path, doc)
            return f"{rel(root, path)}: {rtype}.{rname}: set computed-only {key!r}"
    return None


KINDS = {"misspelt": misspelt, "missing": missing, "undeclared": undeclared, "computed": computed}


def main(argv):
    if len(argv) != 4 or argv[1] not in KINDS:
        print(__doc__, file=sys.stderr)
        return 2
    what = KINDS[argv[1]](argv[2], load_schemas(argv[3]))
    if what is None:
        print(f"mutate.py: found nothing to mutate for {argv[1]!r} in {argv[2]}", file=sys.stderr)
        return 1
    print(what)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
