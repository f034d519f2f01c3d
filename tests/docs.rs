//! `docs/checks.md` and `docs/language.md` are generated: from the code registry
//! (src/codes.rs) and from schema/language.json, with examples taken from the checked
//! examples/*/stack.kdl. These tests regenerate them and compare; when they differ,
//! regenerate with
//!
//! ```sh
//! CELLAC_UPDATE_DOCS=1 cargo test --test integration docs::
//! ```
//!
//! and commit the result. Nothing else writes these files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::schema::{language, ArgSpec, Children, NodeSpec, PropSpec};
use cellac::syntax::Node;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const REGENERATE: &str = "CELLAC_UPDATE_DOCS=1 cargo test --test integration docs::";
/// Where examples come from, in order of preference.
const EXAMPLES: [&str; 3] = ["cella", "many", "minimal"];

fn header(source: &str) -> String {
    format!(
        "<!-- Generated from {source} by tests/docs.rs: do not edit by hand.\n     \
         Regenerate with `{REGENERATE}`; `cargo test` fails while this file is stale. -->\n"
    )
}

/// GitHub's heading anchor: lowercase, punctuation dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn fence(text: &str, lang: &str) -> String {
    let ticks = if text.contains("```") { "````" } else { "```" };
    format!("{ticks}{lang}\n{}\n{ticks}\n", text.trim_end())
}

// ---------------------------------------------------------------- docs/checks.md

fn checks_md() -> String {
    let codes = cellac::codes::CODES;
    let mut out = String::from("# Diagnostic codes\n\n");
    out.push_str(&header("the code registry (src/codes.rs)"));
    out.push_str(
        "\nEvery problem cellac reports has a stable code. `cellac explain CODE` prints what is \
         written here for one code, `cellac explain` lists them all. Errors make `cellac check` \
         exit 1 (IO and usage errors exit 2); warnings do not, unless `--deny-warnings`.\n\n",
    );
    let errors = codes.iter().filter(|c| c.severity == "error").count();
    out.push_str(&format!(
        "{} codes: {errors} errors, {} warnings.\n\n",
        codes.len(),
        codes.len() - errors
    ));
    out.push_str("| Code | Severity | What it means |\n|---|---|---|\n");
    for c in codes {
        out.push_str(&format!(
            "| [`{}`](#{}) | {} | {} |\n",
            c.code,
            anchor(c.code),
            c.severity,
            cell(&c.summary())
        ));
    }
    for c in codes {
        out.push_str(&format!("\n## {}\n\n", c.code));
        out.push_str(&format!("**{}**. {}\n\n", c.severity, c.summary()));
        out.push_str("Example that triggers it:\n\n");
        out.push_str(&fence(c.example, ""));
        out.push_str(&format!("\nFix: {}\n", c.fix()));
    }
    out
}

// -------------------------------------------------------------- docs/language.md

/// The first node at `path` (names from the top) in the example stacks, as written.
fn example_of(path: &[&str]) -> Option<(String, &'static str)> {
    fn find<'a>(nodes: &'a [Node], path: &[&str]) -> Option<&'a Node> {
        let (first, rest) = path.split_first()?;
        nodes
            .iter()
            .filter(|n| n.name.value == *first)
            .find_map(|n| {
                if rest.is_empty() {
                    Some(n)
                } else {
                    find(n.children(), rest)
                }
            })
    }
    for name in EXAMPLES {
        let text = std::fs::read_to_string(
            Path::new(ROOT)
                .join("examples")
                .join(name)
                .join("stack.kdl"),
        )
        .unwrap();
        let nodes = cellac::syntax::parse(&text).expect("the examples parse");
        let Some(node) = find(&nodes, path) else {
            continue;
        };
        let line_start = text[..node.span.start].rfind('\n').map_or(0, |i| i + 1);
        let indent = node.span.start - line_start;
        let mut lines: Vec<String> = text[node.span.start..node.span.end]
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    l.to_string()
                } else {
                    l.get(indent..).unwrap_or(l.trim_start()).to_string()
                }
            })
            .collect();
        // A long block: its first lines, then its end.
        if lines.len() > 12 {
            let last = lines.pop().unwrap();
            lines.truncate(8);
            lines.push("    // ...".into());
            lines.push(last);
        }
        // Keep a comment at the end of the node's line, if any.
        let line_end = text[node.span.end..]
            .find('\n')
            .map_or(text.len(), |i| node.span.end + i);
        let rest = text[node.span.end..line_end].trim();
        if rest.starts_with("//") {
            let last = lines.pop().unwrap();
            lines.push(format!("{}  {rest}", last.trim_end()));
        }
        let example_path = match name {
            "cella" => "examples/cella/stack.kdl",
            "many" => "examples/many/stack.kdl",
            _ => "examples/minimal/stack.kdl",
        };
        return Some((lines.join("\n"), example_path));
    }
    None
}

fn values(values: &[String], closed: bool) -> String {
    if values.is_empty() {
        return String::new();
    }
    let list = values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if closed {
        format!("; one of {list}")
    } else {
        format!("; for example {list}")
    }
}

fn arg_row(a: &ArgSpec) -> String {
    format!(
        "| `{}` | {} | {} | {} | {}{} |\n",
        a.name,
        a.ty,
        if a.required { "yes" } else { "no" },
        a.default
            .as_deref()
            .map(|d| format!("`{}`", cell(d)))
            .unwrap_or_else(|| "-".into()),
        cell(&a.doc),
        cell(&values(&a.values, a.closed))
    )
}

fn prop_row(name: &str, p: &PropSpec) -> String {
    let var = if p.var {
        " May be `(var)NAME`, a variable's value."
    } else {
        ""
    };
    format!(
        "| `{name}` | {} | {} | {} | {}{}{var} |\n",
        p.ty,
        if p.required { "yes" } else { "no" },
        p.default
            .as_deref()
            .map(|d| format!("`{}`", cell(d)))
            .unwrap_or_else(|| "-".into()),
        cell(&p.doc),
        cell(&values(&p.values, p.closed))
    )
}

/// schema/language.json's objects with their keys in the file's order (serde_json's
/// maps sort them): only the key order is read from it.
#[derive(Debug)]
enum Ordered {
    Map(Vec<(String, Ordered)>),
    Other,
}

impl Ordered {
    fn get(&self, key: &str) -> Option<&Ordered> {
        match self {
            Ordered::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Ordered::Other => None,
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Ordered::Map(m) => m.iter().map(|(k, _)| k.clone()).collect(),
            Ordered::Other => Vec::new(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut m = Vec::new();
                while let Some((k, v)) = a.next_entry::<String, Ordered>()? {
                    m.push((k, v));
                }
                Ok(Ordered::Map(m))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                while a.next_element::<Ordered>()?.is_some() {}
                Ok(Ordered::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// The properties of a node in file order.
fn prop_order(spec: &NodeSpec, order: &Ordered) -> Vec<String> {
    let keys = order.get("props").map(Ordered::keys).unwrap_or_default();
    assert_eq!(keys.len(), spec.props.len());
    keys
}

fn node_section(
    out: &mut String,
    toc: &mut Vec<(usize, String)>,
    path: &[&str],
    spec: &NodeSpec,
    order: &Ordered,
) {
    let name = path.last().unwrap();
    let heading = path.join(" > ");
    let level = path.len().min(3) + 1;
    toc.push((path.len() - 1, heading.clone()));
    out.push_str(&format!("\n{} {heading}\n\n", "#".repeat(level)));
    // Synopsis: the node as it is written.
    let mut synopsis = name.to_string();
    for a in &spec.args {
        synopsis.push_str(&if a.required {
            format!(" {}", a.name)
        } else {
            format!(" [{}]", a.name)
        });
    }
    for k in prop_order(spec, order) {
        let p = &spec.props[&k];
        synopsis.push_str(&if p.required {
            format!(" {k}=...")
        } else {
            format!(" [{k}=...]")
        });
    }
    if spec.any_props.is_some() {
        synopsis.push_str(" KEY=VALUE...");
    }
    if spec.children.is_some() {
        synopsis.push_str(" { ... }");
    }
    out.push_str(&format!("`{synopsis}`\n\n{}\n", spec.doc));
    let mut notes = Vec::new();
    if path.len() == 1 && !["stack", "environment"].contains(name) {
        notes.push("May be overridden inside `environment`.");
    }
    notes.push(if spec.multiple {
        "May be written several times."
    } else {
        "At most once per block."
    });
    if spec.flag {
        notes.push("A flag: written alone, with no values.");
    }
    out.push_str(&format!("\n{}\n", notes.join(" ")));
    if !spec.args.is_empty() {
        out.push_str(
            "\n| Argument | Type | Required | Default | Meaning |\n|---|---|---|---|---|\n",
        );
        for a in &spec.args {
            out.push_str(&arg_row(a));
        }
    }
    if !spec.props.is_empty() || spec.any_props.is_some() {
        out.push_str(
            "\n| Property | Type | Required | Default | Meaning |\n|---|---|---|---|---|\n",
        );
        for k in prop_order(spec, order) {
            out.push_str(&prop_row(&k, &spec.props[&k]));
        }
        if let Some(p) = &spec.any_props {
            out.push_str(&prop_row("KEY", p));
        }
    }
    match example_of(path) {
        Some((text, from)) => {
            out.push_str(&format!("\nExample (from {from}):\n\n"));
            out.push_str(&fence(&text, "kdl"));
        }
        None => out.push_str("\nNo example stack uses it yet.\n"),
    }
    match &spec.children {
        Some(Children::Top(_)) => out.push_str(
            "\nIts children are the top level's nodes (all but `stack` and `environment`): each \
             overrides, for this environment, the node of the same kind and name, property by \
             property. `var NAME VALUE` gives a variable its value here.\n",
        ),
        Some(Children::Nodes(children)) => {
            let order = order.get("children").expect("children in order");
            assert_eq!(order.keys().len(), children.len());
            for child in order.keys() {
                let mut p = path.to_vec();
                p.push(&child);
                node_section(out, toc, &p, &children[&child], order.get(&child).unwrap());
            }
        }
        None => {}
    }
}

fn language_md() -> String {
    let lang = language();
    let raw = std::fs::read_to_string(Path::new(ROOT).join("schema/language.json")).unwrap();
    let mut out = String::from("# The cellac language\n\n");
    out.push_str(&header(
        "schema/language.json (examples from examples/*/stack.kdl)",
    ));
    out.push_str(&format!(
        "\n{}\n\nA stack file is [KDL v2](https://kdl.dev): nodes with arguments \
         (`port 4000`), properties (`scale min=1 max=5`) and blocks of children \
         (`service backend {{ ... }}`); booleans are `#true` and `#false`, comments `//` and \
         `/* */`, and `/-` comments out a whole node. The top level declares the stack; each \
         `environment` block overrides it for one environment. `cellac check` reports \
         anything this page does not allow; `cellac fmt` formats the file.\n",
        lang.doc
    ));
    out.push_str(&format!("\nLanguage version {}.\n", lang.version));
    let mut body = String::new();
    let mut toc = Vec::new();
    let order: Ordered = serde_json::from_str(&raw).unwrap();
    let order = order.get("nodes").unwrap();
    assert_eq!(order.keys().len(), lang.nodes.len());
    for name in order.keys() {
        node_section(
            &mut body,
            &mut toc,
            &[name.as_str()],
            &lang.nodes[&name],
            order.get(&name).unwrap(),
        );
    }
    out.push_str("\n## Contents\n\n");
    for (depth, heading) in &toc {
        out.push_str(&format!(
            "{}- [{}](#{})\n",
            "  ".repeat(*depth),
            heading.rsplit(" > ").next().unwrap(),
            anchor(heading)
        ));
    }
    out.push_str("- [Types](#types)\n");
    out.push_str(&body);
    out.push_str("\n## Types\n\n| Type | Meaning |\n|---|---|\n");
    for (k, v) in &lang.types {
        out.push_str(&format!("| {k} | {} |\n", cell(v)));
    }
    out
}

// ------------------------------------------------------------------------ tests

fn in_step(path: &str, generated: &str) {
    let file = Path::new(ROOT).join(path);
    if std::env::var_os("CELLAC_UPDATE_DOCS").is_some_and(|v| v == "1") {
        std::fs::write(&file, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&file).unwrap_or_default();
    if on_disk != generated {
        let diff = similar::TextDiff::from_lines(on_disk.as_str(), generated)
            .unified_diff()
            .header(path, "generated")
            .to_string();
        panic!("{path} is not what tests/docs.rs generates; run `{REGENERATE}`\n{diff}");
    }
}

#[test]
fn checks_md_is_in_step_with_the_registry() {
    let md = checks_md();
    for c in cellac::codes::CODES {
        assert!(md.contains(&format!("\n## {}\n", c.code)), "{}", c.code);
    }
    in_step("docs/checks.md", &md);
}

#[test]
fn language_md_is_in_step_with_the_schema() {
    let md = language_md();
    // Every node and property of the schema is documented.
    fn all(nodes: &std::collections::BTreeMap<String, NodeSpec>, path: &str, md: &str) {
        for (name, spec) in nodes {
            let heading = if path.is_empty() {
                name.clone()
            } else {
                format!("{path} > {name}")
            };
            assert!(md.contains(&format!(" {heading}\n")), "{heading}");
            for p in spec.props.keys() {
                assert!(md.contains(&format!("| `{p}` |")), "{heading} {p}");
            }
            if let Some(Children::Nodes(c)) = &spec.children {
                all(c, &heading, md);
            }
        }
    }
    all(&language().nodes, "", &md);
    in_step("docs/language.md", &md);
}

/// Every example shown in docs/language.md comes from a stack that checks clean.
#[test]
fn examples_check_clean() {
    for name in EXAMPLES {
        let text = std::fs::read_to_string(
            Path::new(ROOT)
                .join("examples")
                .join(name)
                .join("stack.kdl"),
        )
        .unwrap();
        assert!(!cellac::check(&text).has_errors(), "{name}");
    }
}

/// Issue 24, item 2: a limit is declared once (src/limits.rs). The schema's ranges and
/// docs, and the codes' summaries, read it; no placeholder is left unexpanded.
#[test]
fn limits_are_declared_once() {
    use cellac::limits::{CONCURRENCY, CPU, SCALE_MAX, SCALE_MIN, TIMEOUT};
    for c in cellac::codes::CODES {
        assert!(
            !c.summary().contains("{limit:"),
            "{}: {}",
            c.code,
            c.summary()
        );
        assert!(!c.fix().contains("{limit:"), "{}: {}", c.code, c.fix());
    }
    fn docs(node: &NodeSpec, out: &mut Vec<String>) {
        out.push(node.doc.clone());
        out.extend(node.args.iter().map(|a| a.doc.clone()));
        out.extend(node.props.values().map(|p| p.doc.clone()));
        if let Some(Children::Nodes(children)) = &node.children {
            children.values().for_each(|n| docs(n, out));
        }
    }
    let mut all = Vec::new();
    language().nodes.values().for_each(|n| docs(n, &mut all));
    for d in &all {
        assert!(!d.contains("{limit:"), "{d}");
    }
    // The published range is the checked one (docs/checks.md said 1..1000 while the
    // check said 1..80).
    let scale = cellac::codes::find("cellac::scale::range")
        .unwrap()
        .summary();
    for l in [SCALE_MIN, SCALE_MAX, CONCURRENCY] {
        assert!(scale.contains(&l.text()), "{scale}");
    }
    let service = &language().nodes["service"];
    let Some(Children::Nodes(children)) = &service.children else {
        panic!("service has children")
    };
    let range = |node: &str, prop: &str| children[node].props[prop].range.unwrap();
    let pair = |l: cellac::limits::Limit| [l.min as i64, l.max as i64];
    assert_eq!(range("scale", "concurrency"), pair(CONCURRENCY));
    assert_eq!(range("scale", "min"), pair(SCALE_MIN));
    assert_eq!(range("scale", "max"), pair(SCALE_MAX));
    assert_eq!(children["timeout"].args[0].range.unwrap(), pair(TIMEOUT));
    assert_eq!(children["cpu"].args[0].range.unwrap(), pair(CPU));
    assert!(children["scale"].props["concurrency"].doc.contains("1..80"));
    // The memory tiers and their cpu pairs: one table (limits::TIERS) for the checks,
    // the schema's values and the codes' summaries.
    let tiers: Vec<String> = cellac::limits::TIERS
        .iter()
        .map(|(m, _)| m.to_string())
        .collect();
    let pairs: Vec<String> = cellac::limits::TIERS
        .iter()
        .map(|(_, c)| c.to_string())
        .collect();
    assert_eq!(children["memory"].args[0].values, tiers);
    assert_eq!(children["cpu"].args[0].values, pairs);
    assert_eq!(
        children["memory"].args[0].range.unwrap(),
        pair(cellac::limits::MEMORY)
    );
    let tier = cellac::codes::find("cellac::memory::tier").unwrap().fix();
    assert!(tier.contains(&tiers.join(" ")), "{tier}");
    let mismatch = cellac::codes::find("cellac::cpu::mismatch")
        .unwrap()
        .summary();
    assert!(mismatch.contains(&pairs.join(" ")), "{mismatch}");
    // The value limits: the checks' constants are the published ones.
    let env = cellac::codes::find("cellac::env::too-long")
        .unwrap()
        .summary();
    assert!(
        env.contains(&format!("over {} characters", cellac::check::env::MAX_KEY)),
        "{env}"
    );
    assert!(
        env.contains(&format!("over {}.", cellac::check::env::MAX_VALUE)),
        "{env}"
    );
    let secret = cellac::codes::find("cellac::secrets-file::too-long")
        .unwrap()
        .summary();
    let max = cellac::check::secrets_file::MAX_VALUE;
    assert!(
        secret.contains(&format!("over {max} characters")),
        "{secret}"
    );
}

/// docs/queues.md's worked example (issue 23) checks with no diagnostic at all (not even
/// a warning: it is the page's advice put in practice), and builds a trigger for the
/// worker and SQS credentials for the web service and the job.
#[test]
fn queues_md_example_checks_clean() {
    let md = std::fs::read_to_string(Path::new(ROOT).join("docs/queues.md")).unwrap();
    let start = md.find("```kdl\n").expect("a kdl block") + "```kdl\n".len();
    let text = &md[start..start + md[start..].find("```").unwrap()];
    let checked = cellac::check(text);
    assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
    let files = cellac::build(text, "../stack.kdl").1.expect("builds");
    let containers = String::from_utf8(files["modules/containers/main.tf.json"].clone()).unwrap();
    assert!(
        containers.contains("scaleway_container_trigger"),
        "{containers}"
    );
    let tfvars = String::from_utf8(files["environments/dev.tfvars.json"].clone()).unwrap();
    assert!(tfvars.contains("\"/tasks/email\""), "{tfvars}");
}
