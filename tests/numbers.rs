//! A user's numbers: every integer the language takes has a range (in
//! `schema/language.json`), a value just outside it is an error on that value, its
//! bounds are accepted, and the extremes of what KDL can hold go through checking,
//! building, every renderer and the secrets check without overflow (tests run in a
//! debug build, where overflow panics) and with help that makes sense.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::render::{self, Files};
use cellac::schema::{language, Children, NodeSpec};
use cellac::span::Span;

/// A stack with `N` where the integer goes, for each integer of the language.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "secret min-length",
        "stack demo\nsecret s min-length=N\nservice web {\n    secret-env S=s\n}\n",
    ),
    (
        "service/port PORT",
        "stack demo\nservice web {\n    port N\n}\n",
    ),
    (
        "service/memory MB",
        "stack demo\nservice web {\n    memory N\n}\n",
    ),
    (
        "service/cpu MVCPU",
        "stack demo\nservice web {\n    cpu N\n}\n",
    ),
    (
        "service/scale min",
        "stack demo\nservice web {\n    scale min=N max=50\n}\n",
    ),
    (
        "service/scale max",
        "stack demo\nservice web {\n    scale max=N\n}\n",
    ),
    (
        "service/scale concurrency",
        "stack demo\nservice web {\n    scale concurrency=N\n}\n",
    ),
    (
        "service/timeout SECONDS",
        "stack demo\nservice web {\n    timeout N\n}\n",
    ),
    (
        "service/health failures",
        "stack demo\nservice web {\n    health \"/health\" failures=N\n}\n",
    ),
    (
        "bucket/expire days",
        "stack demo\nbucket b {\n    expire days=N\n}\n",
    ),
    (
        "bucket/cors max-age",
        "stack demo\nbucket b {\n    cors max-age=N\n}\n",
    ),
    (
        "database min-cpu",
        "stack demo\ndatabase main engine=serverless-sql min-cpu=N max-cpu=16\n",
    ),
    (
        "job/memory MB",
        "stack demo\njob nightly {\n    memory N\n}\n",
    ),
    ("job/cpu MVCPU", "stack demo\njob nightly {\n    cpu N\n}\n"),
    (
        "database max-cpu",
        "stack demo\ndatabase main engine=serverless-sql max-cpu=N\n",
    ),
    (
        "redis nodes",
        "stack demo\nnetwork\nsecret pw\nredis cache nodes=N password=pw\n",
    ),
    (
        "monitoring/logs retention-days",
        "stack demo\nmonitoring {\n    logs retention-days=N\n}\n",
    ),
    (
        "monitoring/metrics retention-days",
        "stack demo\nmonitoring {\n    metrics retention-days=N\n}\n",
    ),
    (
        "monitoring/traces retention-days",
        "stack demo\nmonitoring {\n    traces retention-days=N\n}\n",
    ),
];

/// Every integer argument and property: ("path name", range).
fn integers() -> Vec<(String, Option<[i64; 2]>)> {
    fn walk(nodes: &[(&str, &NodeSpec)], path: &str, out: &mut Vec<(String, Option<[i64; 2]>)>) {
        for (name, spec) in nodes {
            let here = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}/{name}")
            };
            for a in spec.args.iter().filter(|a| a.ty == "integer") {
                out.push((format!("{here} {}", a.name), a.range));
            }
            for (k, p) in spec.props.iter().filter(|(_, p)| p.ty == "integer") {
                out.push((format!("{here} {k}"), p.range));
            }
            if let Some(Children::Nodes(children)) = &spec.children {
                let children: Vec<(&str, &NodeSpec)> =
                    children.iter().map(|(k, v)| (k.as_str(), v)).collect();
                walk(&children, &here, out);
            }
        }
    }
    let top: Vec<(&str, &NodeSpec)> = language()
        .nodes
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let mut out = Vec::new();
    walk(&top, "", &mut out);
    out
}

/// The stack for `what` with `n`, and the span of `n` in it.
fn stack(what: &str, n: &str) -> (String, Span) {
    let template = TEMPLATES
        .iter()
        .find(|(w, _)| *w == what)
        .unwrap_or_else(|| panic!("no template for the integer `{what}`: add one to TEMPLATES"))
        .1;
    let at = template.find('N').unwrap();
    (template.replacen('N', n, 1), Span::new(at, at + n.len()))
}

/// Errors whose primary label is exactly on the value.
fn errors_at(text: &str, span: Span) -> Vec<String> {
    cellac::check(text)
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.span() == span)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn every_integer_has_a_range_and_a_template() {
    let ints = integers();
    assert!(ints.len() >= TEMPLATES.len(), "{ints:?}");
    for (what, range) in &ints {
        let [lo, hi] = range.unwrap_or_else(|| panic!("`{what}` has no range"));
        assert!(lo <= hi, "{what}");
        stack(what, "1");
    }
    for (what, _) in TEMPLATES {
        assert!(
            ints.iter().any(|(w, _)| w == what),
            "template for `{what}`, which is not an integer of the language"
        );
    }
}

#[test]
fn outside_the_range_is_an_error_on_the_value_and_the_bounds_are_not() {
    for (what, range) in integers() {
        let [lo, hi] = range.unwrap();
        let (lo, hi) = (i128::from(lo), i128::from(hi));
        for n in [lo, hi] {
            let (text, span) = stack(&what, &n.to_string());
            let errors = errors_at(&text, span);
            assert!(errors.is_empty(), "{what}={n}: {errors:?}");
        }
        for n in [lo - 1, hi + 1, i128::MIN + 1, i128::MAX, -1, 0] {
            if (lo..=hi).contains(&n) {
                continue;
            }
            let (text, span) = stack(&what, &n.to_string());
            let errors = errors_at(&text, span);
            assert!(!errors.is_empty(), "{what}={n} is accepted");
        }
    }
}

/// The extremes go everywhere a number flows, without overflow, and help never suggests
/// a value outside the range (a negative `openssl rand` length, say).
#[test]
fn extremes_flow_through_every_output() {
    let extremes = [
        i128::MIN + 1,
        i128::MIN / 2,
        -1,
        0,
        1,
        i128::MAX / 2,
        i128::MAX,
    ];
    for (what, _) in integers() {
        for n in extremes {
            let (text, _) = stack(&what, &n.to_string());
            let (checked, _) = cellac::build(&text, "../stack.kdl");
            let mut checked = checked;
            // The secrets check reads min-length.
            checked.check_secrets("s = \"short\"\n", &[]);
            let files = Files {
                stack_name: "stack.kdl",
                stack: &text,
                secrets: Some(("secrets.auto.tfvars", "s = \"short\"\n")),
            };
            let diags = &checked.diagnostics;
            render::human(diags, &files, false);
            render::json(diags, &files);
            render::github(diags, &files);
            for d in diags {
                // Help names numbers in range (at most 6 digits), never the value itself
                // wrapped around or halved, and never a negative length.
                let help = d.help.as_deref().unwrap_or_default();
                let longest = help
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                assert!(longest <= 6, "{what}={n}: {}: {help}", d.code);
                assert!(!help.contains("-hex -"), "{what}={n}: {help}");
            }
        }
    }
}

#[test]
fn too_large_to_read_is_one_diagnostic_per_number() {
    let (text, span) = stack(
        "service/port PORT",
        "-999999999999999999999999999999999999999999999",
    );
    let diags = cellac::check(&text).diagnostics;
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0].code, "cellac::syntax::number");
    assert_eq!(diags[0].span(), span);
}
