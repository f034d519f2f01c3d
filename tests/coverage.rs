//! The language coverage test (issue 22): every value a stack holds either reaches the
//! output or is refused with a diagnostic. For every argument and property of
//! `schema/language.json`, written at the top level and inside an `environment`, a
//! mutant of `tests/fixtures/coverage.stack.kdl` with that one value changed is
//! generated; a mutant that checks without errors must change the built output, unless
//! its place is listed in [`NEUTRAL`] with the reason it is output-neutral by design.
//! Places still accepted and ignored are listed in [`KNOWN`], each a defect to fix:
//! the test fails when one of them is fixed and still listed, so the list only shrinks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is the failure"
)]

use cellac::schema::{language, NodeSpec};
use cellac::syntax::{Lit, Node, Value};
use std::collections::{BTreeMap, BTreeSet};

const BASE: &str = include_str!("fixtures/coverage.stack.kdl");
const STACK_PATH: &str = "../stack.kdl";

/// Places whose change is meant to leave the generated files as they are.
const NEUTRAL: &[(&str, &str)] = &[];

/// Places the output still ignores (issue 22, class 2), each to be honoured or refused.
const KNOWN: &[&str] = &[];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// No candidate value checked clean: the change is refused.
    Refused,
    /// A mutant checked clean and changed the output.
    Changed,
    /// A mutant checked clean and the output stayed the same.
    Ignored,
    /// An override in one environment changed another environment's files.
    Leaked,
}

/// The type of argument `i` or property `key` of the node at `path`.
fn spec_of<'a>(path: &[&str]) -> Option<&'a NodeSpec> {
    let (last, parent) = path.split_last()?;
    language()
        .children_at(parent)?
        .into_iter()
        .find(|(k, _)| k == last)
        .map(|(_, s)| s)
}

/// Other values to try in place of `value`, of the type the schema gives it.
fn candidates(value: &Value, ty: &str, values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let ann = |s: String| match &value.ty {
        Some(t) => format!("({}){s}", t.value),
        None => s,
    };
    match &value.lit {
        Lit::Bool(b) => out.push(format!("#{}", !b)),
        Lit::Int(n) => {
            for m in [n + 1, n - 1, n * 2, n / 2, 1, 0, n + 10] {
                if m != *n {
                    out.push(m.to_string());
                }
            }
        }
        Lit::Float(f) => out.push(format!("{}", f + 1.0)),
        Lit::Null => {}
        Lit::Str(s) => {
            for v in values {
                if v != s {
                    out.push(cellac::syntax::string_literal(v));
                }
            }
            let mut more: Vec<String> = Vec::new();
            if ty == "duration" {
                more.extend(["7m", "45s", "2h", "20s", "90m"].map(String::from));
            }
            if s.contains('/') && s.chars().next().is_some_and(char::is_uppercase) {
                more.push("Europe/Berlin".into()); // a time zone
            }
            // One digit changed: zones, CIDRs, cron fields, versions.
            if let Some(i) = s.find(|c: char| c.is_ascii_digit()) {
                let d = s.as_bytes()[i] - b'0';
                for e in [(d + 1) % 10, (d + 9) % 10] {
                    let mut t = s.clone();
                    t.replace_range(i..=i, &e.to_string());
                    more.push(t);
                }
            }
            if let Some(i) = s.rfind(|c: char| c.is_ascii_digit()) {
                let d = s.as_bytes()[i] - b'0';
                let mut t = s.clone();
                t.replace_range(i..=i, &((d + 1) % 10).to_string());
                more.push(t);
            }
            more.push(format!("{s}x"));
            more.push(format!("x{s}"));
            if !s.is_empty() {
                more.push(format!("{s}-x"));
            }
            out.extend(more.into_iter().map(|m| cellac::syntax::string_literal(&m)));
        }
    }
    out.into_iter().map(ann).collect()
}

struct Place<'a> {
    /// Node names from the top (`service`, `health`).
    path: Vec<&'a str>,
    /// The nodes from the top-level one to the one holding the value.
    nodes: Vec<&'a Node>,
    /// `NAME` for a property, `[i]` for an argument.
    what: String,
    value: &'a Value,
    ty: String,
    values: Vec<String>,
}

fn places<'a>(nodes: &'a [Node], path: &[&'a str], chain: &[&'a Node], out: &mut Vec<Place<'a>>) {
    for node in nodes {
        let mut p = path.to_vec();
        p.push(node.name.value.as_str());
        let mut c = chain.to_vec();
        c.push(node);
        let spec = spec_of(&p).unwrap_or_else(|| panic!("{p:?} is not in the schema"));
        for (i, a) in node.args.iter().enumerate() {
            let s = spec
                .args
                .get(i)
                .or_else(|| spec.args.last().filter(|a| a.variadic));
            let (ty, values) = s.map_or(("scalar".to_string(), vec![]), |s| {
                (s.ty.clone(), s.values.clone())
            });
            out.push(Place {
                path: p.clone(),
                nodes: c.clone(),
                what: format!("[{}]", s.map_or("VALUE", |s| s.name.as_str())),
                value: a,
                ty,
                values,
            });
        }
        for prop in &node.props {
            let (key, s) = match spec.props.get(&prop.key.value) {
                Some(s) => (prop.key.value.clone(), s),
                None => (
                    "*".to_string(),
                    spec.any_props.as_ref().expect("a known property"),
                ),
            };
            out.push(Place {
                path: p.clone(),
                nodes: c.clone(),
                what: key,
                value: &prop.value,
                ty: s.ty.clone(),
                values: s.values.clone(),
            });
        }
        if let Some(children) = &node.children {
            places(children, &p, &c, out);
        }
    }
}

/// The place's name without the environment it is written in.
fn key(path: &[&str], what: &str, at: &str) -> String {
    let path: Vec<&str> = path
        .iter()
        .copied()
        .skip_while(|p| *p == "environment")
        .collect();
    let sep = if what.starts_with('[') { "" } else { "." };
    format!("{}{sep}{what}@{at}", path.join("/"))
}

fn replaced(text: &str, span: cellac::span::Span, with: &str) -> String {
    let mut t = text.to_string();
    t.replace_range(span.range(), with);
    t
}

/// The text of `node`'s head: its name, arguments and properties, up to its `{`.
fn head(text: &str, node: &Node) -> String {
    let end = node
        .args
        .iter()
        .map(|a| a.span.end)
        .chain(node.props.iter().map(|p| p.value.span.end))
        .max()
        .unwrap_or(node.name.span.end)
        .max(node.name.span.end);
    text[node.name.span.start..end].to_string()
}

/// `node` with `value` replaced, written as an override nested in its ancestors' heads
/// (only the top-level node's name and id).
fn override_text(text: &str, place: &Place, with: &str) -> Option<String> {
    let (last, ancestors) = place.nodes.split_last()?;
    let mut out = String::new();
    let mut close = 0;
    for (i, n) in ancestors.iter().enumerate() {
        if i == 0 {
            out.push_str(&n.name.value);
            if let Some(a) = n.args.first() {
                out.push(' ');
                out.push_str(&text[a.span.range()]);
            }
        } else {
            out.push_str(&head(text, n));
        }
        out.push_str(" {\n");
        close += 1;
    }
    let span = last.span;
    let inner = &text[span.range()];
    let at = place.value.span.start - span.start..place.value.span.end - span.start;
    let mut mutated = inner.to_string();
    mutated.replace_range(at, with);
    out.push_str(&mutated);
    out.push('\n');
    for _ in 0..close {
        out.push_str("}\n");
    }
    Some(out)
}

fn build(text: &str) -> Option<cellac::emit::Artifacts> {
    let (checked, files) = cellac::build(text, STACK_PATH);
    if checked.has_errors() {
        return None;
    }
    files
}

/// Every place of the coverage stack, mutated at the top level and in `environment prod`.
fn outcomes() -> BTreeMap<String, (Outcome, String)> {
    let nodes = cellac::syntax::parse(BASE).expect("the coverage stack parses");
    let base = build(BASE).unwrap_or_else(|| {
        panic!(
            "the coverage stack does not build: {:#?}",
            cellac::check(BASE).diagnostics
        )
    });
    let prod = BASE
        .find("environment prod {\n")
        .expect("an environment prod")
        + "environment prod {\n".len();
    let mut all = Vec::new();
    places(&nodes, &[], &[], &mut all);
    let mut results: BTreeMap<String, (Outcome, String)> = BTreeMap::new();
    let mut record = |k: String, o: Outcome, mutant: String| {
        let e = results.entry(k).or_insert((o, mutant.clone()));
        if o > e.0 {
            *e = (o, mutant);
        }
    };
    for place in &all {
        if place.path == ["stack"] && place.what.starts_with('[') {
            continue; // the stack's name: every generated name changes, nothing to learn
        }
        let mut cands = candidates(place.value, &place.ty, &place.values);
        // A reference: another declared name of its kind.
        if let (Some(kind), Some(current)) = (
            ["secret", "service", "site", "bucket", "database", "queue"]
                .into_iter()
                .find(|k| *k == place.ty),
            place.value.as_str(),
        ) {
            let others = nodes
                .iter()
                .filter(|n| n.name.value == kind)
                .filter_map(|n| n.first_str().map(|s| s.value.to_string()))
                .filter(|n| n != current)
                .map(|n| cellac::syntax::string_literal(&n));
            cands.splice(0..0, others);
        }
        // A value that must match a `pattern=` of alternatives: the other alternatives.
        if let Some(pattern) = place
            .nodes
            .last()
            .and_then(|n| n.prop("pattern"))
            .and_then(|p| p.as_str())
        {
            if place.what != "pattern" {
                let others = pattern
                    .split('|')
                    .filter(|a| Some(*a) != place.value.as_str())
                    .map(cellac::syntax::string_literal);
                cands.splice(0..0, others);
            }
        }
        // At the top level (or where the stack writes it, inside an environment).
        let mut outcome = Outcome::Refused;
        let mut shown = String::new();
        for c in &cands {
            let text = replaced(BASE, place.value.span, c);
            if let Some(files) = build(&text) {
                outcome = if files == base {
                    Outcome::Ignored
                } else {
                    Outcome::Changed
                };
                shown = text;
                break;
            }
        }
        record(key(&place.path, &place.what, "top"), outcome, shown);
        // As an override in `environment prod` of a top-level node (not its id).
        let top_level = place.path.first() != Some(&"environment") && place.path != ["stack"];
        let is_id = place.nodes.len() == 1
            && place.what.starts_with('[')
            && place.value.span
                == place.nodes[0]
                    .args
                    .first()
                    .map_or(place.value.span, |a| a.span);
        if !top_level || (is_id && place.nodes[0].args.len() <= 1) {
            continue;
        }
        if is_id {
            continue;
        }
        let mut outcome = Outcome::Refused;
        let mut shown = String::new();
        for c in &cands {
            let Some(over) = override_text(BASE, place, c) else {
                continue;
            };
            let mut text = BASE.to_string();
            text.insert_str(prod, &over);
            if let Some(files) = build(&text) {
                outcome = if files == base {
                    Outcome::Ignored
                } else {
                    Outcome::Changed
                };
                // An override in `prod` changes no file of another environment.
                for (path, bytes) in &files {
                    if path.starts_with("environments/dev.") && base.get(path) != Some(bytes) {
                        outcome = Outcome::Leaked;
                    }
                }
                shown = over;
                break;
            }
        }
        record(key(&place.path, &place.what, "env"), outcome, shown);
    }
    results
}

/// Every argument and property the schema knows is written in the coverage stack, at the
/// top level, so that every one is mutated.
#[test]
fn the_coverage_stack_holds_every_value() {
    let nodes = cellac::syntax::parse(BASE).expect("the coverage stack parses");
    let mut all = Vec::new();
    places(&nodes, &[], &[], &mut all);
    let written: BTreeSet<String> = all.iter().map(|p| key(&p.path, &p.what, "top")).collect();
    let mut missing = Vec::new();
    fn walk(
        path: &[&str],
        specs: Vec<(&str, &NodeSpec)>,
        written: &BTreeSet<String>,
        missing: &mut Vec<String>,
    ) {
        for (name, spec) in specs {
            if name == "environment" {
                continue;
            }
            let mut p = path.to_vec();
            p.push(name);
            let mut wants: Vec<String> = spec.props.keys().cloned().collect();
            wants.extend(spec.args.iter().map(|a| format!("[{}]", a.name)));
            if spec.any_props.is_some() {
                wants.push("*".into());
            }
            for w in wants {
                let k = key(&p, &w, "top");
                if !written.contains(&k) {
                    missing.push(k);
                }
            }
            if let Some(children) = language().children_at(&p) {
                walk(&p, children, written, missing);
            }
        }
    }
    walk(
        &[],
        language().children_at(&[]).unwrap(),
        &written,
        &mut missing,
    );
    // Optional arguments a node never needs in this stack.
    missing.retain(|k| !["var[VALUE]@top", "environment[NAME]@top"].contains(&k.as_str()));
    assert!(
        missing.is_empty(),
        "not in tests/fixtures/coverage.stack.kdl: {missing:#?}"
    );
}

#[test]
fn every_value_reaches_the_output_or_is_refused() {
    let results = outcomes();
    if std::env::var_os("COVERAGE_SHOW").is_some() {
        for (k, (o, t)) in &results {
            eprintln!("{o:?}\t{k}\t{}", t.replace('\n', " | "));
        }
    }
    assert!(results.len() > 100, "only {} places", results.len());
    let neutral: BTreeSet<&str> = NEUTRAL.iter().map(|(k, _)| *k).collect();
    let known: BTreeSet<&str> = KNOWN.iter().copied().collect();
    let mut ignored = Vec::new();
    for (k, (o, text)) in &results {
        if *o == Outcome::Leaked
            || *o == Outcome::Ignored
                && !neutral.contains(k.as_str())
                && !known.contains(k.as_str())
        {
            ignored.push(format!(
                "{k}\n{}",
                text.lines()
                    .filter(|l| !l.is_empty())
                    .take(12)
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    let ignored_keys: Vec<&str> = results
        .iter()
        .filter(|(k, (o, _))| {
            *o == Outcome::Leaked
                || *o == Outcome::Ignored
                    && !neutral.contains(k.as_str())
                    && !known.contains(k.as_str())
        })
        .map(|(k, _)| k.as_str())
        .collect();
    assert!(
        ignored.is_empty(),
        "{} values accepted and ignored, or overrides that change another environment: {ignored_keys:#?}",
        ignored.len()
    );
    // The lists stay true: a fixed place leaves KNOWN, a neutral one is still neutral.
    for k in &known {
        assert_eq!(
            results.get(*k).map(|r| r.0),
            Some(Outcome::Ignored),
            "{k} is no longer ignored: remove it from KNOWN"
        );
    }
    for k in &neutral {
        assert_eq!(
            results.get(*k).map(|r| r.0),
            Some(Outcome::Ignored),
            "{k} is not an ignored place of the coverage stack: remove it from NEUTRAL"
        );
    }
}

/// Every root variable the emitter declares, for the coverage stack and every example, is
/// either a `var`/`secret` of the stack or listed in `ROOT_VARIABLES`, the list that
/// `cellac::name::reserved` refuses as a var or secret name: a variable added to the
/// emitter without being listed fails here.
#[test]
fn root_variables_are_all_listed() {
    use cellac::model::names::ROOT_VARIABLES;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = vec![BASE.to_string()];
    for e in std::fs::read_dir(root.join("examples")).unwrap() {
        let p = e.unwrap().path().join("stack.kdl");
        if let Ok(t) = std::fs::read_to_string(p) {
            texts.push(t);
        }
    }
    let mut seen = BTreeSet::new();
    for text in &texts {
        let checked = cellac::check(text);
        let files = build(text).expect("builds");
        let main: serde_json::Value = serde_json::from_slice(&files["variables.tf.json"]).unwrap();
        let s = &checked.envs[0];
        let own: BTreeSet<&str> = s
            .vars
            .iter()
            .map(|v| v.name.value.as_str())
            .chain(s.secrets.iter().map(|x| x.name.value.as_str()))
            .collect();
        for name in main["variable"].as_object().expect("variables").keys() {
            if !own.contains(name.as_str()) {
                assert!(
                    ROOT_VARIABLES.contains(&name.as_str()),
                    "root variable `{name}` is not in ROOT_VARIABLES"
                );
                seen.insert(name.clone());
            }
        }
    }
    assert!(seen.len() >= 15, "{seen:?}");
    // And each is refused as the name of a var and of a secret.
    for name in ROOT_VARIABLES {
        for decl in [format!("var {name}"), format!("secret {name}")] {
            let text = format!("stack demo\n{decl}\nservice web {{\n    port 8080\n}}\n");
            let checked = cellac::check(&text);
            assert!(
                checked
                    .diagnostics
                    .iter()
                    .any(|d| d.code == "cellac::name::reserved"),
                "`{decl}` is accepted"
            );
        }
    }
}

fn tfvars(files: &cellac::emit::Artifacts, env: &str) -> serde_json::Value {
    serde_json::from_slice(&files[&format!("environments/{env}.tfvars.json")]).unwrap()
}

/// LANGUAGE.md: `project id=` in an environment gives that environment its project,
/// whatever the top level says; the other environments keep theirs. And `image ref=` in
/// an environment replaces the top level's `image dockerfile=` form (here refused as a
/// shared value, but never merged into an image with both).
#[test]
fn one_form_of_a_value_replaces_the_other() {
    let files = build(BASE).unwrap();
    let dev = tfvars(&files, "dev");
    assert_eq!(dev["project"]["create"], serde_json::json!(false), "{dev}");
    assert_eq!(dev["project"]["id"], "00000000-0000-4000-8000-000000000001");
    let prod = tfvars(&files, "prod");
    assert_eq!(prod["project"]["create"], serde_json::json!(true), "{prod}");
    // The other way round: `create=#true` in an environment over a top-level `id=`.
    let text = BASE
        .replace(
            "project create=#true",
            "project id=\"00000000-0000-4000-8000-000000000002\"",
        )
        .replace(
            "    project id=\"00000000-0000-4000-8000-000000000001\"\n",
            "    project create=#true\n",
        )
        .replace(
            "environment prod {\n",
            "environment prod {\n    project id=\"00000000-0000-4000-8000-000000000003\"\n",
        );
    let files = build(&text).unwrap_or_else(|| panic!("{:#?}", cellac::check(&text).diagnostics));
    let dev = tfvars(&files, "dev");
    assert_eq!(dev["project"]["create"], serde_json::json!(true), "{dev}");
    assert_eq!(dev["project"]["id"], serde_json::Value::Null, "{dev}");
    let prod = tfvars(&files, "prod");
    assert_eq!(
        prod["project"]["id"],
        "00000000-0000-4000-8000-000000000003"
    );
}

/// Issue 22: `env VERBOSE=#false` reaches the container as `false`, `RATIO=1e3` as `1000`,
/// not as KDL spells them.
#[test]
fn env_values_are_written_as_the_app_reads_them() {
    let files = build(BASE).unwrap();
    let prod = tfvars(&files, "prod");
    let env = &prod["services"]["api"]["env"];
    assert_eq!(env["VERBOSE"], "false", "{env}");
    assert_eq!(env["RATIO"], "1000", "{env}");
    assert_eq!(env["RETRIES"], "3", "{env}");
    assert_eq!(env["MODE"], "core", "{env}");
}
