//! Issue 21: adopting a running deployment. Exact live names (`name=` on `bucket` and
//! `site`, `namespace=` on `registry`) honoured per environment, and `cellac adopt`
//! matching a Terraform state to what the stack creates.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code: a panic is the failure"
)]

use serde_json::{json, Value};

const STACK_PATH: &str = "../stack.kdl";

fn build(text: &str) -> cellac::emit::Artifacts {
    let (checked, files) = cellac::build(text, STACK_PATH);
    assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
    files.expect("built")
}

fn tfvars(files: &cellac::emit::Artifacts, env: &str) -> Value {
    serde_json::from_slice(&files[&format!("environments/{env}.tfvars.json")]).unwrap()
}

const NAMES: &str = r#"stack shop
deployer application="5b2f4f0e-3c1a-4d8e-9f6a-2a7c1e9d4b13"
service web {
    image dockerfile="Dockerfile"
    port 8080
}
site front {
    build "npm run build"
    dist "dist"
    bucket-suffix "-v2"
}
bucket uploads
environment dev {
    registry namespace="devshop-live"
    site front name="dev-front-live"
    bucket uploads name="dev-shop-uploads-v2"
}
environment prod {}
"#;

/// `name=` and `namespace=` in `environment dev` name dev's resources exactly; prod keeps
/// the generated names (negative control: the same stack without the overrides).
#[test]
fn exact_names_are_honoured_per_environment() {
    let files = build(NAMES);
    let dev = tfvars(&files, "dev");
    assert_eq!(dev["names"]["registry"], json!("devshop-live"), "{dev}");
    assert_eq!(
        dev["sites"]["front"]["bucket_name"],
        json!("dev-front-live")
    );
    assert_eq!(
        dev["buckets"]["uploads"]["name"],
        json!("dev-shop-uploads-v2")
    );
    let prod = tfvars(&files, "prod");
    assert_eq!(prod["names"]["registry"], json!("prodshop"), "{prod}");
    assert_eq!(
        prod["sites"]["front"]["bucket_name"],
        json!("prod-shop-front-v2")
    );
    assert_eq!(
        prod["buckets"]["uploads"]["name"],
        json!("prod-shop-uploads")
    );
    let plain = NAMES
        .replace("    registry namespace=\"devshop-live\"\n", "")
        .replace("    site front name=\"dev-front-live\"\n", "")
        .replace("    bucket uploads name=\"dev-shop-uploads-v2\"\n", "");
    let dev = tfvars(&build(&plain), "dev");
    assert_eq!(dev["names"]["registry"], json!("devshop"));
    assert_eq!(
        dev["sites"]["front"]["bucket_name"],
        json!("dev-shop-front-v2")
    );
    assert_eq!(dev["buckets"]["uploads"]["name"], json!("dev-shop-uploads"));
}

/// An exact name is checked by Scaleway's rules like a generated one.
#[test]
fn exact_names_are_validated() {
    for (from, to, code) in [
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"Dev_Uploads\"",
            "cellac::name::invalid",
        ),
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"ab\"",
            "cellac::name::too-long",
        ),
        (
            "namespace=\"devshop-live\"",
            "namespace=\"9shop\"",
            "cellac::name::invalid",
        ),
        // prod's generated bucket name, taken by dev: one bucket for two environments.
        (
            "name=\"dev-shop-uploads-v2\"",
            "name=\"prod-shop-uploads\"",
            "cellac::name::collision",
        ),
    ] {
        let text = NAMES.replace(from, to);
        let checked = cellac::check(&text);
        assert!(
            checked.diagnostics.iter().any(|d| d.code == code),
            "{to}: {:#?}",
            checked.diagnostics
        );
    }
    assert!(!cellac::check(NAMES).has_errors());
}
