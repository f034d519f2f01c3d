//! Every example's generated Terraform JSON, checked against the real provider
//! schema (`schema/scaleway.json`, a `terraform providers schema -json` dump):
//! resource and data types exist; every attribute set exists, is settable and not
//! deprecated; every required attribute and block is present; blocks nest as the
//! schema says, with min/max items; literal values have the schema's type. Every
//! environment's tfvars only sets declared variables and sets every variable that
//! has no default. All violations are reported at once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

const PROVIDER: &str = "registry.terraform.io/scaleway/scaleway";
const META: &[&str] = &["for_each", "count", "depends_on", "lifecycle", "provider"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text =
        std::fs::read_to_string(root().join("schema/scaleway.json")).expect("schema/scaleway.json");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// Every example folder holding a stack.kdl, by name, found with read_dir.
fn examples() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("examples")).expect("examples/") {
        let dir = entry.unwrap().path();
        let stack = dir.join("stack.kdl");
        if stack.is_file() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push((name, std::fs::read_to_string(&stack).unwrap()));
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no examples/*/stack.kdl found");
    out
}

fn build(name: &str, text: &str) -> BTreeMap<String, Vec<u8>> {
    let (checked, files) = cellac::build(text, "../stack.kdl");
    files.unwrap_or_else(|| panic!("examples/{name} does not build: {:#?}", checked.diagnostics))
}

fn is_expr(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.starts_with("${"))
}

struct Checker<'a> {
    violations: Vec<String>,
    file: &'a str,
}

impl Checker<'_> {
    fn report(&mut self, at: &str, what: String) {
        self.violations.push(format!("{}: {at}: {what}", self.file));
    }

    /// Whether a literal value has a schema type; expressions are accepted anywhere.
    fn type_ok(ty: &Value, v: &Value) -> bool {
        if is_expr(v) {
            return true;
        }
        match ty {
            Value::String(t) => match t.as_str() {
                "string" => v.is_string(),
                "number" => v.is_number(),
                "bool" => v.is_boolean(),
                "dynamic" => true,
                _ => false,
            },
            Value::Array(parts) if parts.len() == 2 => {
                let kind = parts[0].as_str().unwrap_or("");
                let inner = &parts[1];
                match kind {
                    "list" | "set" => v
                        .as_array()
                        .is_some_and(|xs| xs.iter().all(|x| Self::type_ok(inner, x))),
                    "map" => v
                        .as_object()
                        .is_some_and(|m| m.values().all(|x| Self::type_ok(inner, x))),
                    "object" => v.as_object().is_some_and(|m| {
                        let fields = inner.as_object().cloned().unwrap_or_default();
                        m.iter()
                            .all(|(k, x)| fields.get(k).is_some_and(|t| Self::type_ok(t, x)))
                    }),
                    "tuple" => v.as_array().is_some_and(|xs| {
                        let ts = inner.as_array().cloned().unwrap_or_default();
                        xs.len() == ts.len() && xs.iter().zip(&ts).all(|(x, t)| Self::type_ok(t, x))
                    }),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// Checks one block body (`at` names it: file, resource, path) against a schema block.
    fn block(&mut self, at: &str, body: &Value, schema: &Value, top: bool) {
        let Some(body) = body.as_object() else {
            if !is_expr(body) {
                self.report(at, format!("a block must be an object, found {body}"));
            } else {
                self.report(
                    at,
                    "a block cannot be given as an expression; use `dynamic`".into(),
                );
            }
            return;
        };
        let attrs = schema["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let blocks = schema["block_types"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        // Blocks given through `dynamic`, by name.
        let mut dynamic: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        if let Some(d) = body.get("dynamic") {
            match d.as_object() {
                Some(d) => {
                    for (name, spec) in d {
                        let bodies: Vec<Value> = match spec {
                            Value::Array(xs) => xs.clone(),
                            other => vec![other.clone()],
                        };
                        for spec in bodies {
                            if spec.get("for_each").is_none() {
                                self.report(&format!("{at}.dynamic.{name}"), "no for_each".into());
                            }
                            match spec.get("content") {
                                Some(c) => dynamic.entry(name.clone()).or_default().push(c.clone()),
                                None => self
                                    .report(&format!("{at}.dynamic.{name}"), "no content".into()),
                            }
                        }
                    }
                }
                None => self.report(&format!("{at}.dynamic"), "must be an object".into()),
            }
        }
        for (key, value) in body {
            let here = format!("{at}.{key}");
            if key == "//" || key == "dynamic" || (top && META.contains(&key.as_str())) {
                continue;
            }
            if let Some(a) = attrs.get(key) {
                let settable = a["required"] == true || a["optional"] == true;
                if !settable {
                    self.report(&here, "is computed only; it cannot be set".into());
                }
                if a["deprecated"] == true {
                    self.report(&here, "is deprecated".into());
                }
                if !Self::type_ok(&a["type"], value) {
                    self.report(&here, format!("{value} is not of type {}", a["type"]));
                }
            } else if let Some(b) = blocks.get(key) {
                if dynamic.contains_key(key) {
                    self.report(&here, "given both literally and as dynamic".into());
                }
                let items: Vec<Value> = match value {
                    Value::Array(xs) => xs.clone(),
                    other => vec![other.clone()],
                };
                let mode = b["nesting_mode"].as_str().unwrap_or("");
                if mode == "single" && items.len() > 1 {
                    self.report(
                        &here,
                        format!("nesting mode single, {} blocks given", items.len()),
                    );
                }
                if let Some(max) = b["max_items"].as_u64() {
                    if max > 0 && items.len() as u64 > max {
                        self.report(
                            &here,
                            format!("{} blocks, at most {max} allowed", items.len()),
                        );
                    }
                }
                if let Some(min) = b["min_items"].as_u64() {
                    if (items.len() as u64) < min {
                        self.report(
                            &here,
                            format!("{} blocks, at least {min} required", items.len()),
                        );
                    }
                }
                for (i, item) in items.iter().enumerate() {
                    let at = if items.len() > 1 {
                        format!("{here}[{i}]")
                    } else {
                        here.clone()
                    };
                    self.block(&at, item, &b["block"], false);
                }
            } else {
                self.report(
                    &here,
                    "no such attribute or block in the provider schema".into(),
                );
            }
        }
        for (name, contents) in &dynamic {
            let here = format!("{at}.dynamic.{name}");
            match blocks.get(name) {
                Some(b) => {
                    for c in contents {
                        self.block(&format!("{here}.content"), c, &b["block"], false);
                    }
                }
                None => self.report(&here, "no such block in the provider schema".into()),
            }
        }
        for (name, a) in &attrs {
            if a["required"] == true && !body.contains_key(name) {
                self.report(&format!("{at}.{name}"), "required attribute missing".into());
            }
        }
        for (name, b) in &blocks {
            let min = b["min_items"].as_u64().unwrap_or(0);
            if min > 0 && !body.contains_key(name) && !dynamic.contains_key(name) {
                self.report(
                    &format!("{at}.{name}"),
                    format!("required block missing (min_items {min})"),
                );
            }
        }
    }
}

/// Checks one .tf.json document's `resource` and `data` entries.
fn check_file(file: &str, doc: &Value, provider: &Value, violations: &mut Vec<String>) {
    let mut c = Checker {
        violations: Vec::new(),
        file,
    };
    for (section, schemas) in [
        ("resource", "resource_schemas"),
        ("data", "data_source_schemas"),
    ] {
        let Some(section_v) = doc.get(section) else {
            continue;
        };
        let Some(types) = section_v.as_object() else {
            c.report(section, "must be an object".into());
            continue;
        };
        for (ty, named) in types {
            let Some(schema) = provider[schemas].get(ty) else {
                c.report(
                    &format!("{section}.{ty}"),
                    format!("no such {section} type in {PROVIDER}"),
                );
                continue;
            };
            let Some(named) = named.as_object() else {
                c.report(
                    &format!("{section}.{ty}"),
                    "must be an object of named blocks".into(),
                );
                continue;
            };
            for (name, body) in named {
                let bodies: Vec<Value> = match body {
                    Value::Array(xs) => xs.clone(),
                    other => vec![other.clone()],
                };
                for b in &bodies {
                    if b.get("count").is_some() && b.get("for_each").is_some() {
                        c.report(
                            &format!("{ty}.{name}"),
                            "count and for_each together".into(),
                        );
                    }
                    c.block(&format!("{ty}.{name}"), b, &schema["block"], true);
                }
            }
        }
    }
    violations.extend(c.violations);
}

/// Checks a whole generated tree; returns every violation.
fn check_tree(example: &str, files: &BTreeMap<String, Vec<u8>>, provider: &Value) -> Vec<String> {
    let mut violations = Vec::new();
    let mut tf_files = 0;
    let mut resources = 0;
    for (path, bytes) in files {
        if !path.ends_with(".tf.json") {
            continue;
        }
        tf_files += 1;
        let label = format!("{example}/{path}");
        match serde_json::from_slice::<Value>(bytes) {
            Ok(doc) => {
                resources += doc["resource"].as_object().map_or(0, |t| {
                    t.values().filter_map(Value::as_object).map(Map::len).sum()
                });
                check_file(&label, &doc, provider, &mut violations)
            }
            Err(e) => violations.push(format!("{label}: not JSON: {e}")),
        }
    }
    if tf_files == 0 || resources == 0 {
        violations.push(format!("{example}: no resources in .tf.json files"));
    }
    violations.extend(check_tfvars(example, files));
    violations
}

/// Every environment shares the root module: its tfvars may only set declared
/// variables, and must set every variable without a default.
fn check_tfvars(example: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut violations = Vec::new();
    let Some(vars) = files.get("variables.tf.json") else {
        return vec![format!("{example}: no root variables.tf.json")];
    };
    let vars: Value = serde_json::from_slice(vars).expect("variables.tf.json is JSON");
    let declared: Map<String, Value> = vars["variable"].as_object().cloned().unwrap_or_default();
    let passed = passed_by_scripts(files);
    let mut envs = 0;
    for (path, bytes) in files {
        let Some(env) = path
            .strip_prefix("environments/")
            .and_then(|p| p.strip_suffix(".tfvars.json"))
        else {
            continue;
        };
        envs += 1;
        let label = format!("{example}/{path}");
        let tfvars: Value = match serde_json::from_slice(bytes) {
            Ok(v) => v,
            Err(e) => {
                violations.push(format!("{label}: not JSON: {e}"));
                continue;
            }
        };
        let Some(set) = tfvars.as_object() else {
            violations.push(format!("{label}: not an object"));
            continue;
        };
        for key in set.keys().filter(|k| *k != "//") {
            if !declared.contains_key(key) {
                violations.push(format!(
                    "{label}: sets `{key}`, which variables.tf.json does not declare"
                ));
            }
        }
        for (name, decl) in &declared {
            let has_default = decl.as_object().is_some_and(|d| d.contains_key("default"));
            let sensitive = decl["sensitive"] == true;
            // Sensitive variables (secrets) come from secrets.auto.tfvars or TF_VAR_*,
            // never from the committed tfvars; `image_tag` and the like are passed by
            // the deploy scripts with `-var NAME=...`.
            if !has_default && !sensitive && !passed.contains(name) && !set.contains_key(name) {
                violations.push(format!(
                    "{label}: does not set `{name}`, which has no default (environment {env})"
                ));
            }
        }
    }
    if envs == 0 {
        violations.push(format!("{example}: no environments/*.tfvars.json"));
    }
    violations
}

/// Variables the generated scripts pass on the command line (`-var "NAME=..."`).
fn passed_by_scripts(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out = Vec::new();
    for bytes in files
        .iter()
        .filter(|(p, _)| p.starts_with("scripts/"))
        .map(|(_, b)| b)
    {
        let text = String::from_utf8_lossy(bytes);
        // `export TF_VAR_NAME=...` in a script passes NAME too.
        for rest in text.split("TF_VAR_").skip(1) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && rest[name.len()..].starts_with('=') {
                out.push(name.clone());
            }
        }
        for rest in text.split("-var ").skip(1) {
            let rest = rest.trim_start_matches(['"', '\'']);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && rest[name.len()..].starts_with('=') {
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn examples_conform_to_the_provider_schema() {
    let schema = schema();
    let provider = &schema["provider_schemas"][PROVIDER];
    assert!(
        provider.is_object(),
        "{PROVIDER} is not in schema/scaleway.json"
    );
    let mut violations = Vec::new();
    for (name, text) in examples() {
        let files = build(&name, &text);
        violations.extend(check_tree(&name, &files, provider));
    }
    assert!(
        violations.is_empty(),
        "{} violations of the provider schema:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// The checker itself catches what it should: each mutation of a valid
/// resource must produce a violation naming the attribute.
#[test]
fn the_checker_catches_violations() {
    let schema = schema();
    let provider = &schema["provider_schemas"][PROVIDER];
    let run = |doc: Value| {
        let mut v = Vec::new();
        check_file("t.tf.json", &doc, provider, &mut v);
        v
    };
    let container = |extra: Value| {
        let mut body = serde_json::json!({
            "name": "x",
            "namespace_id": "${scaleway_container_namespace.this.id}",
            "image": "${var.image}",
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        serde_json::json!({"resource": {"scaleway_container": {"this": body}}})
    };
    assert_eq!(run(container(serde_json::json!({}))), Vec::<String>::new());
    let cases = [
        (serde_json::json!({"registry_image": "x"}), "registry_image"),
        (serde_json::json!({"memory_limit": 1024}), "memory_limit"),
        (serde_json::json!({"domain_name": "x"}), "domain_name"),
        (serde_json::json!({"nonsense": 1}), "nonsense"),
        (
            serde_json::json!({"memory_limit_bytes": "1024"}),
            "memory_limit_bytes",
        ),
        (
            serde_json::json!({"https_connections_only": "yes"}),
            "https_connections_only",
        ),
        (
            serde_json::json!({"environment_variables": ["A"]}),
            "environment_variables",
        ),
        (
            serde_json::json!({"liveness_probe": [{"http": {"path": "/"}}, {"http": {"path": "/"}}]}),
            "at most 1",
        ),
        (
            serde_json::json!({"scaling_option": {"nonsense": 1}}),
            "scaling_option.nonsense",
        ),
        (
            serde_json::json!({"dynamic": {"scaling_option": {"for_each": "${x}", "content": {"bogus": 1}}}}),
            "scaling_option.content.bogus",
        ),
    ];
    for (extra, needle) in cases {
        let v = run(container(extra.clone()));
        assert!(
            v.iter().any(|m| m.contains(needle)),
            "{extra} should be caught ({needle}); got {v:?}"
        );
    }
    let missing =
        run(serde_json::json!({"resource": {"scaleway_container": {"this": {"image": "x"}}}}));
    assert!(
        missing
            .iter()
            .any(|m| m.contains("namespace_id") && m.contains("required")),
        "{missing:?}"
    );
    let unknown = run(serde_json::json!({"resource": {"scaleway_lb_nope": {"this": {}}}}));
    assert!(
        unknown.iter().any(|m| m.contains("scaleway_lb_nope")),
        "{unknown:?}"
    );
    let data = run(serde_json::json!({"data": {"scaleway_nope": {"this": {}}}}));
    assert!(data.iter().any(|m| m.contains("scaleway_nope")), "{data:?}");

    let mut files = BTreeMap::new();
    files.insert(
        "variables.tf.json".to_string(),
        br#"{"variable": {"a": {"type": "string"}, "b": {"type": "string", "default": "x"}, "s": {"type": "string", "sensitive": true}}}"#.to_vec(),
    );
    files.insert(
        "environments/dev.tfvars.json".to_string(),
        br#"{"//": "x", "b": "y", "c": 1}"#.to_vec(),
    );
    let v = check_tfvars("t", &files);
    assert!(
        v.iter()
            .any(|m| m.contains("`c`") && m.contains("does not declare")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("`a`") && m.contains("no default")),
        "{v:?}"
    );
    assert_eq!(v.len(), 2, "{v:?}");
}
