//! `cellac cost`: each example's environments priced (snapshotted, human and JSON),
//! prod's floor above dev's, a scale-to-zero environment's floor made only of fixed
//! monthly items, the free tiers applied once per account, and schema/prices.json
//! giving a source for every price (and saying so where none was found).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::cellac as run;
use serde_json::Value;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cost_json(stack: &str, extra: &[&str]) -> Value {
    let mut args = vec!["cost", stack, "--format", "json"];
    args.extend(extra);
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn floor(v: &Value, env: &str) -> f64 {
    v["environments"][env]["monthly_floor_eur"]
        .as_f64()
        .unwrap()
}

#[test]
fn examples_snapshotted() {
    for example in ["cella", "many", "minimal"] {
        let stack = format!("examples/{example}/stack.kdl");
        let o = run(&["cost", &stack]);
        assert_eq!(o.status.code(), Some(0));
        let human = String::from_utf8(o.stdout).unwrap();
        let json = serde_json::to_string_pretty(&cost_json(&stack, &[])).unwrap();
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("cost_{example}"), human);
            insta::assert_snapshot!(format!("cost_{example}_json"), json);
        });
    }
}

#[test]
fn prod_costs_more_than_dev() {
    let cella = cost_json("examples/cella/stack.kdl", &[]);
    assert!(floor(&cella, "prod") > floor(&cella, "staging"));
    assert!(floor(&cella, "staging") > floor(&cella, "dev"));
    // 2 backends (1 GB, 0.56 vCPU) and the cdc singleton (0.5 GB, 0.28 vCPU), all month.
    let month = 2_628_000.0;
    let prod = (2.0 * 1.0 + 0.5) * month * 0.000001 + (2.0 * 0.56 + 0.28) * month * 0.00001;
    let lines: f64 = cella["environments"]["prod"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["monthly_eur"].as_f64())
        .sum();
    assert!((lines - prod).abs() < 0.05, "{lines} vs {prod}");
    assert!((floor(&cella, "prod") - prod).abs() < 0.05);
    let many = cost_json("examples/many/stack.kdl", &[]);
    assert!(floor(&many, "prod") > floor(&many, "dev"));
    assert_eq!(cella["prices_date"], "2026-11-30");
}

/// With every service at scale min=0, the floor holds only fixed monthly items; here
/// the Edge plan of a site on a domain, whose price is unknown: said, not guessed.
#[test]
fn scale_to_zero_floor_is_fixed_items_only() {
    let minimal = cost_json("examples/minimal/stack.kdl", &[]);
    assert_eq!(floor(&minimal, "dev"), 0.0);
    assert_eq!(
        minimal["environments"]["dev"]["lines"],
        serde_json::json!([])
    );
    let d = std::env::temp_dir().join(format!("cellac-cost-{}.kdl", std::process::id()));
    std::fs::write(
        &d,
        "stack a\nservice web\nsite front\ndns zone=example.com\ndomain example.com site=front\n",
    )
    .unwrap();
    let v = cost_json(&d.to_string_lossy(), &[]);
    let env = &v["environments"]["dev"];
    let lines = env["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    for l in lines {
        assert_eq!(l["kind"], "fixed", "{l}");
    }
    assert_eq!(lines[0]["price"], "edge_plan_starter_month");
    assert_eq!(lines[0]["monthly_eur"], Value::Null);
    assert_eq!(env["incomplete"], true);
    assert_eq!(env["monthly_floor_eur"], 0.0);
    let o = run(&["cost", &d.to_string_lossy()]);
    let human = String::from_utf8(o.stdout).unwrap();
    assert!(
        human.contains("unknown  Edge Services plan `starter`"),
        "{human}"
    );
    assert!(
        human.contains(
            "price not found; see https://www.scaleway.com/en/pricing/network/#edge-services"
        ),
        "{human}"
    );
}

/// The free tiers are the account's: applied once to all environments together.
#[test]
fn free_tiers_once_per_account() {
    let v = cost_json("examples/cella/stack.kdl", &[]);
    let sum: f64 = ["dev", "staging", "prod"]
        .iter()
        .map(|e| floor(&v, e))
        .sum();
    let a = &v["account"];
    assert!((a["before_free_tiers_eur"].as_f64().unwrap() - sum).abs() < 0.011);
    // 400,000 GB-s at €0.000001 and 200,000 vCPU-s at €0.00001: €2.40 in all.
    let after = a["monthly_floor_eur"].as_f64().unwrap();
    assert!((sum - after - 2.40).abs() < 0.011, "{sum} {after}");
    // One environment alone gets the whole free tier in its account view.
    let dev = cost_json("examples/cella/stack.kdl", &["--env", "dev"]);
    assert_eq!(dev["environments"].as_object().unwrap().len(), 1);
    assert!(
        (dev["account"]["monthly_floor_eur"].as_f64().unwrap() - (floor(&dev, "dev") - 2.40)).abs()
            < 0.011
    );
}

#[test]
fn every_price_has_a_source_or_says_it_was_not_found() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("schema/prices.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let prices = v["prices"].as_object().unwrap();
    for (k, p) in prices {
        assert!(
            p["source"]
                .as_str()
                .is_some_and(|s| s.starts_with("https://")),
            "{k}"
        );
        assert!(p["checked"].as_str().is_some_and(|s| s.len() == 10), "{k}");
        match p["eur"].as_f64() {
            Some(_) => assert!(p["quote"].is_string(), "{k}: a price quotes its page"),
            None => assert!(p["not_found"].is_string(), "{k}: say what was not found"),
        }
    }
    // Every plan the language allows has its entry.
    for plan in ["starter", "professional", "advanced"] {
        assert!(
            prices.contains_key(&format!("edge_plan_{plan}_month")),
            "{plan}"
        );
    }
}

#[test]
fn unknown_environment() {
    let o = run(&["cost", "examples/cella/stack.kdl", "--env", "qa"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cellac::io::usage"));
}

/// Issue 22, class 8: databases and jobs are priced resources: `cost` lists them (by
/// use, their prices unknown), rather than leave them out.
#[test]
fn databases_and_jobs_are_listed() {
    let d = std::env::temp_dir().join(format!("cellac-cost-db-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack s\ndatabase main min-cpu=1\nservice web {\n    port 8080\n    database main\n    migrate \"./m\"\n}\n",
    )
    .unwrap();
    let o = run(&["cost", &stack.to_string_lossy(), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    for key in [
        "Serverless SQL Database compute",
        "Serverless SQL Database storage",
        "Serverless Jobs",
    ] {
        assert!(out.contains(key), "{key} not listed:\n{out}");
    }
    // Negative control: the minimal example has neither.
    let o = run(&["cost", "examples/minimal/stack.kdl", "--format", "json"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        !out.contains("Serverless SQL") && !out.contains("Serverless Jobs"),
        "{out}"
    );
}

/// Issue 23: queues bill by use, at a price not found: `cost` lists them, with no
/// floor and no guessed price; a job's SQS keys in Secret Manager are listed too.
#[test]
fn queues_are_listed_never_guessed() {
    let d = std::env::temp_dir().join(format!("cellac-cost-queue-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack s\nqueue emails\njob mail {\n    image ref=\"r/x:1\"\n    queue emails access=receive\n}\n",
    )
    .unwrap();
    let v = cost_json(&stack.to_string_lossy(), &[]);
    let usage = v["environments"]["dev"]["usage"].to_string();
    assert!(usage.contains("Scaleway Queues (SQS)"), "{usage}");
    assert!(usage.contains("Secret Manager"), "{usage}");
    let usage = v["environments"]["dev"]["usage"].as_array().unwrap();
    let queues = usage
        .iter()
        .find(|u| u.to_string().contains("Scaleway Queues"))
        .unwrap();
    assert!(queues.to_string().contains("null"), "{queues}");
    // Negative control: the minimal example has no queue.
    let v = cost_json("examples/minimal/stack.kdl", &[]);
    assert!(!v.to_string().contains("Scaleway Queues"), "{v}");
}

/// Issue 23: a Redis cluster is a line per environment, its nodes all month, its price
/// unknown (never guessed): the floor says it is incomplete.
#[test]
fn redis_is_listed_with_an_unknown_price() {
    let d = std::env::temp_dir().join(format!("cellac-cost-redis-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let stack = d.join("stack.kdl");
    std::fs::write(
        &stack,
        "stack s\nnetwork\nsecret pw\nredis cache nodes=3 password=pw\nservice web {\n    port 8080\n    redis cache\n}\n",
    )
    .unwrap();
    let v = cost_json(&stack.to_string_lossy(), &[]);
    let dev = &v["environments"]["dev"];
    let lines = dev["lines"].as_array().unwrap();
    let line = lines
        .iter()
        .find(|l| l["item"] == "redis cache: 3 x RED1-MICRO nodes")
        .unwrap_or_else(|| panic!("no Redis line: {dev}"));
    assert_eq!(line["quantity"].as_f64(), Some(3.0 * 730.0), "{line}");
    assert!(line["monthly_eur"].is_null(), "{line}");
    assert_eq!(dev["incomplete"], Value::Bool(true), "{dev}");
}
