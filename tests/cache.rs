//! The build cache (`.cellac-cache`): a build with the same stack and the same cellac
//! over an untouched folder skips emitting, and the cache never hides a change, a hand
//! edit, a missing file or a link, and is never written by `--check`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::{cellac_in, read_tree, Scratch};
use std::path::Path;
use std::process::Output;

const STACK: &str = "stack shop region=fr-par\nservice api {\n    port 8080\n}\n";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn build(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "stack.kdl", "-o", "infra"];
    args.extend_from_slice(extra);
    cellac_in(dir, &args)
}

#[test]
fn an_unchanged_build_is_answered_from_the_cache() {
    let s = Scratch::new("cache-hit");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    let o = build(&s.0, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let cache = s.0.join("infra/.cellac-cache");
    let first = std::fs::read(&cache).expect("the build leaves a cache");
    let tree = read_tree(&s.0.join("infra"));
    assert!(String::from_utf8_lossy(&tree[".gitignore"]).contains(".cellac-cache\n"));
    // The second build: the same words as a build that compares every file.
    let o = build(&s.0, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("is up to date ("), "{}", text(&o));
    assert_eq!(read_tree(&s.0.join("infra")), tree, "nothing was touched");
    assert_eq!(std::fs::read(&cache).unwrap(), first);
    // A comment in the stack: other inputs, the same files; the cache follows.
    std::fs::write(s.0.join("stack.kdl"), format!("// a comment\n{STACK}")).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("is up to date ("), "{}", text(&o));
    assert_ne!(std::fs::read(&cache).unwrap(), first);
}

#[test]
fn the_cache_never_hides_a_change() {
    let s = Scratch::new("cache-miss");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let infra = s.0.join("infra");
    // A hand edit: refused, as without a cache.
    let main = infra.join("main.tf.json");
    let written = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, written.replace("fr-par", "nl-ams")).unwrap();
    let o = build(&s.0, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("cellac::io::edited"), "{}", text(&o));
    std::fs::write(&main, &written).unwrap();
    // A file removed: written again.
    std::fs::remove_file(infra.join("README.md")).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("wrote 1 of"), "{}", text(&o));
    assert!(infra.join("README.md").exists());
    // Another stack: built.
    std::fs::write(s.0.join("stack.kdl"), STACK.replace("8080", "8081")).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("wrote "), "{}", text(&o));
    // A cache that is not one: the long way, and a good cache after it.
    std::fs::write(infra.join(".cellac-cache"), "{ not json").unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("is up to date ("), "{}", text(&o));
    assert!(std::fs::read_to_string(infra.join(".cellac-cache"))
        .unwrap()
        .contains("\"inputs\""));
}

#[test]
fn check_writes_no_cache() {
    let s = Scratch::new("cache-check");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let cache = s.0.join("infra/.cellac-cache");
    std::fs::remove_file(&cache).unwrap();
    let o = build(&s.0, &["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!cache.exists(), "--check wrote the cache");
    // With the cache: up to date, the same words; and drift is still found.
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let o = build(&s.0, &["--check"]);
    assert!(text(&o).contains(": up to date ("), "{}", text(&o));
    std::fs::write(s.0.join("infra/outputs.tf.json"), "{}\n").unwrap();
    let o = build(&s.0, &["--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[cfg(unix)]
#[test]
fn a_link_at_the_cache_is_never_followed() {
    let s = Scratch::new("cache-link");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let cache = s.0.join("infra/.cellac-cache");
    let target = s.0.join("elsewhere");
    std::fs::write(&target, "untouched").unwrap();
    std::fs::remove_file(&cache).unwrap();
    std::os::unix::fs::symlink(&target, &cache).unwrap();
    for _ in 0..2 {
        let o = build(&s.0, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
    assert!(std::fs::symlink_metadata(&cache)
        .unwrap()
        .file_type()
        .is_symlink());
}

/// The shortcut is taken: a folder made to look untouched (a file changed, its
/// manifest hash and the cache's hash of the manifest changed with it) is left as it
/// is, where a build that emits would write the file again.
#[test]
fn the_shortcut_is_taken() {
    use cellac::write::sha256;
    let s = Scratch::new("cache-shortcut");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let infra = s.0.join("infra");
    let outputs = infra.join("outputs.tf.json");
    let old = std::fs::read(&outputs).unwrap();
    std::fs::write(&outputs, "{}\n").unwrap();
    let manifest_path = infra.join(".cellac-manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path)
        .unwrap()
        .replace(&sha256(&old), &sha256(b"{}\n"));
    std::fs::write(&manifest_path, &manifest).unwrap();
    let cache_path = infra.join(".cellac-cache");
    let cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&cache_path).unwrap()).unwrap();
    let old_manifest_hash = cache["manifest"].as_str().unwrap().to_string();
    let cache = std::fs::read_to_string(&cache_path)
        .unwrap()
        .replace(&old_manifest_hash, &sha256(manifest.as_bytes()));
    std::fs::write(&cache_path, cache).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("is up to date ("), "{}", text(&o));
    assert_eq!(std::fs::read(&outputs).unwrap(), b"{}\n");
    // Without the cache, the long way writes it again.
    std::fs::remove_file(&cache_path).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("wrote 1 of"), "{}", text(&o));
    assert_eq!(std::fs::read(&outputs).unwrap(), old);
}

/// The stack with its port changed: other inputs, the same scripts.
fn with_port(port: u16) -> String {
    STACK.replace("8080", &port.to_string())
}

/// After a change that leaves the scripts' data as it was, the scripts are taken from
/// the folder rather than rendered: a script made to look like the earlier build's
/// render (its bytes, its manifest hash and the cache's hash of it changed together)
/// is kept. Without the cache, it is rendered and written again.
#[test]
fn unchanged_scripts_are_taken_from_the_folder() {
    use cellac::write::sha256;
    let s = Scratch::new("cache-renders");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let infra = s.0.join("infra");
    let deploy = infra.join("scripts/deploy.sh");
    let rendered = std::fs::read(&deploy).unwrap();
    let forged = b"#!/bin/sh\necho forged\n";
    std::fs::write(&deploy, forged).unwrap();
    for own in [".cellac-manifest.json", ".cellac-cache"] {
        let p = infra.join(own);
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace(&sha256(&rendered), &sha256(forged));
        std::fs::write(&p, text).unwrap();
    }
    std::fs::write(s.0.join("stack.kdl"), with_port(8081)).unwrap();
    let o = build(&s.0, &[]);
    assert!(text(&o).contains("wrote "), "{}", text(&o));
    assert_eq!(
        std::fs::read(&deploy).unwrap(),
        forged,
        "taken from the folder"
    );
    std::fs::remove_file(infra.join(".cellac-cache")).unwrap();
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    let o = build(&s.0, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read(&deploy).unwrap(), rendered, "rendered again");
}

/// A script edited by hand is never taken for a render: after a change the build
/// refuses it as edited, exactly as without a cache, and `--force` writes what the
/// templates render (the same bytes as a build into an empty folder).
#[test]
fn an_edited_script_is_never_taken_for_a_render() {
    let s = Scratch::new("cache-renders-edited");
    std::fs::write(s.0.join("stack.kdl"), STACK).unwrap();
    assert_eq!(build(&s.0, &[]).status.code(), Some(0));
    let deploy = s.0.join("infra/scripts/deploy.sh");
    let rendered = std::fs::read(&deploy).unwrap();
    std::fs::write(&deploy, b"#!/bin/sh\necho edited\n").unwrap();
    std::fs::write(s.0.join("stack.kdl"), with_port(8081)).unwrap();
    let o = build(&s.0, &[]);
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("scripts/deploy.sh"), "{}", text(&o));
    let o = build(&s.0, &["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(std::fs::read(&deploy).unwrap(), rendered);
    // `--check` agrees with a folder built from nothing.
    let fresh = cellac_in(&s.0, &["build", "stack.kdl", "-o", "fresh"]);
    assert_eq!(fresh.status.code(), Some(0), "{}", text(&fresh));
    let strip = |mut t: std::collections::BTreeMap<String, Vec<u8>>| {
        t.remove(".cellac-cache");
        t
    };
    assert_eq!(
        strip(read_tree(&s.0.join("infra"))),
        strip(read_tree(&s.0.join("fresh")))
    );
}
