//! `cellac check --format sarif`: SARIF 2.1.0 that validates against the OASIS schema
//! (kept in tests/sarif/), for every check fixture, with no secret in it.
//!
//! No JSON Schema crate is in the dependency tree, so this file has a small draft-04
//! validator for the keywords the SARIF schema uses ($ref, type, enum, properties,
//! required, additionalProperties, items, minItems, uniqueItems, minimum, maximum,
//! pattern, anyOf, oneOf, and the uri formats). It refuses a schema keyword it does not know.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::cellac as run;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cellac");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn schema() -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/sarif/sarif-schema-2.1.0.json"))
        .expect("the SARIF schema is in tests/sarif");
    serde_json::from_str(&text).unwrap()
}

const KNOWN: &[&str] = &[
    "$schema",
    "id",
    "title",
    "description",
    "default",
    "definitions",
    "$ref",
    "type",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "pattern",
    "format",
    "anyOf",
    "oneOf",
];

fn type_ok(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        other => panic!("unknown type {other}"),
    }
}

/// Appends to `errors` every way `v` breaks `s`, with a JSON pointer to where.
fn validate(root: &Value, s: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let s = s.as_object().expect("a schema is an object");
    for k in s.keys() {
        assert!(
            KNOWN.contains(&k.as_str()),
            "schema keyword {k} not supported"
        );
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/definitions/").expect("local $ref");
        validate(root, &root["definitions"][name], v, at, errors);
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(v, t),
            Value::Array(ts) => ts.iter().any(|t| type_ok(v, t.as_str().unwrap())),
            _ => panic!("bad type"),
        };
        if !ok {
            errors.push(format!("{at}: {v} is not of type {t}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errors.push(format!("{at}: {v} is not one of {e:?}"));
        }
    }
    if let Some(n) = v.as_f64() {
        if s.get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n < m)
        {
            errors.push(format!("{at}: {n} is below the minimum"));
        }
        if s.get("maximum")
            .and_then(Value::as_f64)
            .is_some_and(|m| n > m)
        {
            errors.push(format!("{at}: {n} is above the maximum"));
        }
    }
    if let Some(text) = v.as_str() {
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            if !regex_lite::Regex::new(p).unwrap().is_match(text) {
                errors.push(format!("{at}: {text:?} does not match {p}"));
            }
        }
        if let Some("uri" | "uri-reference") = s.get("format").and_then(Value::as_str) {
            let bad = text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c));
            if bad {
                errors.push(format!("{at}: {text:?} is not a URI reference"));
            }
        }
    }
    if let Some(items) = v.as_array() {
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| (items.len() as u64) < m)
        {
            errors.push(format!("{at}: fewer items than allowed"));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, x) in items.iter().enumerate() {
                if items[..i].contains(x) {
                    errors.push(format!("{at}/{i}: a duplicate item"));
                }
            }
        }
        if let Some(item) = s.get("items") {
            for (i, x) in items.iter().enumerate() {
                validate(root, item, x, &format!("{at}/{i}"), errors);
            }
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let r = r.as_str().unwrap();
            if !obj.contains_key(r) {
                errors.push(format!("{at}: `{r}` is required"));
            }
        }
        for (k, x) in obj {
            let at = format!("{at}/{k}");
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, x, &at, errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: not allowed")),
                    Some(extra @ Value::Object(_)) => validate(root, extra, x, &at, errors),
                    _ => {}
                },
            }
        }
    }
    let passes = |sub: &Value| {
        let mut e = Vec::new();
        validate(root, sub, v, at, &mut e);
        e.is_empty()
    };
    if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
        if !any.iter().any(passes) {
            errors.push(format!("{at}: matches none of anyOf"));
        }
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        let n = one.iter().filter(|x| passes(x)).count();
        if n != 1 {
            errors.push(format!("{at}: matches {n} of oneOf, not 1"));
        }
    }
}

fn sarif_errors(log: &Value) -> Vec<String> {
    let root = schema();
    let mut errors = Vec::new();
    validate(&root, &root, log, "", &mut errors);
    errors
}

fn sarif_of(args: &[&str]) -> (Value, String) {
    let o = run(args);
    let text = String::from_utf8(o.stdout).unwrap();
    let log = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (log, text)
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("tests/fixtures/checks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kdl"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_validator_catches_mistakes() {
    let good = serde_json::json!({ "version": "2.1.0", "runs": [] });
    assert_eq!(sarif_errors(&good), Vec::<String>::new());
    let bad = serde_json::json!({ "version": "2.0.0", "runs": [{ "results": [
        { "level": "fatal", "message": { "text": "x" }, "locations": [
            { "physicalLocation": { "artifactLocation": { "uri": "<stdin>" },
              "region": { "startLine": 0 } } } ] } ] }] });
    let errors = sarif_errors(&bad).join("\n");
    for want in [
        "/version",
        "/runs/0: `tool` is required",
        "/runs/0/results/0/level",
        "\"<stdin>\" is not a URI reference",
        "/region/startLine: 0 is below the minimum",
    ] {
        assert!(errors.contains(want), "{want} not found in:\n{errors}");
    }
}

/// Every check fixture (every code) and every example gives valid SARIF, one result per
/// diagnostic of `--format json`, each pointing where the JSON report points.
#[test]
fn validates_against_the_schema() {
    let examples = ["cella", "many", "minimal"]
        .map(|e| Path::new(ROOT).join("examples").join(e).join("stack.kdl"));
    for path in fixtures().iter().chain(&examples) {
        let path = path.to_string_lossy();
        let (log, text) = sarif_of(&["check", &path, "--format", "sarif"]);
        let errors = sarif_errors(&log);
        assert!(errors.is_empty(), "{path}:\n{}\n{text}", errors.join("\n"));
        let json: Value =
            serde_json::from_slice(&run(&["check", &path, "--format", "json"]).stdout).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        let diags = json["diagnostics"].as_array().unwrap();
        assert_eq!(results.len(), diags.len(), "{path}");
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for (r, d) in results.iter().zip(diags) {
            assert_eq!(r["ruleId"], d["code"]);
            assert_eq!(
                rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
                d["code"]
            );
            assert_eq!(r["level"], d["severity"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["line"], "{path}");
            assert_eq!(region["startColumn"], d["column"], "{path}");
        }
    }
}

/// IO and usage errors are SARIF too, and still valid.
#[test]
fn io_errors_are_sarif() {
    for args in [
        &["check", "/nonexistent/stack.kdl", "--format", "sarif"][..],
        &["check", "--format", "sarif", "--no-such-flag"][..],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2));
        let log: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(sarif_errors(&log), Vec::<String>::new());
        let id = &log["runs"][0]["results"][0]["ruleId"];
        assert!(
            id == "cellac::io::read" || id == "cellac::io::usage",
            "{id}"
        );
    }
}

#[test]
fn snapshot_of_errors_and_warnings() {
    let d = common::scratch("errors");
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack hello\nsecret unused_token\nservice web {\n    port 9090\n    memory 1000\n}\n\
         service api {\n    link web env=WEB_URL\n}\nservice web\n",
    )
    .unwrap();
    let o = Command::new(BIN)
        .current_dir(&d)
        .args(["check", "stack.kdl", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8(o.stdout).unwrap();
    let log: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sarif_errors(&log), Vec::<String>::new());
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("sarif_errors", text);
    });
}

/// Secrets in the stack or a secrets file never reach the SARIF (its results quote no
/// source text; messages are those of the other formats, checked in tests/cli.rs too).
#[test]
fn no_secret_in_sarif() {
    let d = common::scratch("leak");
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack hello\nsecret database_url postgres=pooled\nsecret cookie_secret \"inline-VALUE-cookie\"\n\
         service web {\n    secret-env DATABASE_URL=database_url\n    secret-env K=\"postgres://u:pw-INLINE-pass@h/db\"\n}\n",
    )
    .unwrap();
    let secrets = d.join("secrets.auto.tfvars");
    std::fs::write(
        &secrets,
        "database_url = \"postgres://app:s3cr3t-VALUE-pooled@ep-x.neon.tech/app\"\nextra = \"s3cr3t-VALUE-extra\"\n",
    )
    .unwrap();
    let o = run(&[
        "check",
        &stack.to_string_lossy(),
        "--secrets",
        &secrets.to_string_lossy(),
        "--format",
        "sarif",
    ]);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("cellac::secret::inline") && out.contains("cellac::secrets-file::"));
    for v in [
        "inline-VALUE-cookie",
        "pw-INLINE-pass",
        "s3cr3t-VALUE-pooled",
        "s3cr3t-VALUE-extra",
    ] {
        assert!(!out.contains(v), "the SARIF shows {v}:\n{out}");
    }
}
