//! Writing the output folder without losing anything, through `cellac::write`
//! and through the binary: fresh builds, no-op rebuilds, `--check` and `--diff`,
//! hand-edited and foreign files, modules that disappear, failed builds and an
//! interrupted swap.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use cellac::emit::Artifacts;
use cellac::write::{self, WriteError, MANIFEST};
use common::{read_entries, Scratch};
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const STACK_PATH: &str = "../stack.kdl";
const STAGING: &str = ".cellac-staging";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cella() -> String {
    std::fs::read_to_string(root().join("examples/cella/stack.kdl")).unwrap()
}

/// The canonical stack without its DNS zone and domains: no modules/dns, no modules/edge.
fn cella_without_domains() -> String {
    let text: String = cella()
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t.starts_with("dns ") || t.starts_with("domain "))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text, cella());
    text
}

/// The canonical stack with another memory size for the backend.
fn cella_more_memory() -> String {
    let text = cella().replace("    memory 1024\n", "    memory 2048\n");
    assert_ne!(text, cella());
    text
}

fn broken() -> String {
    cella().replace("    port 4000\n", "    port 99999\n")
}

fn build(text: &str) -> Artifacts {
    let (checked, files) = cellac::build(text, STACK_PATH);
    files.unwrap_or_else(|| panic!("does not build: {:#?}", checked.diagnostics))
}

/// Scratch folders for `cellac build` runs.
impl Scratch {
    /// A folder holding `stack.kdl`; the output goes to `infra`.
    fn with_stack(name: &str, text: &str) -> Scratch {
        let s = Scratch::new(name);
        s.stack(text);
        s
    }

    fn stack(&self, text: &str) {
        std::fs::write(self.0.join("stack.kdl"), text).unwrap();
    }

    fn infra(&self) -> PathBuf {
        self.0.join("infra")
    }

    fn cellac(&self, args: &[&str]) -> Output {
        let mut all = vec!["build", "stack.kdl", "-o", "infra"];
        all.extend_from_slice(args);
        Command::new(env!("CARGO_BIN_EXE_cellac"))
            .current_dir(&self.0)
            .args(&all)
            .env("NO_COLOR", "1")
            .output()
            .expect("run cellac")
    }
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Each file's inode and modification time: a file replaced or rewritten changes.
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    read_entries(dir)
        .keys()
        .filter(|p| !p.ends_with('/'))
        .map(|p| {
            let m = std::fs::metadata(dir.join(p)).unwrap();
            (p.clone(), (m.ino(), m.mtime(), m.mtime_nsec()))
        })
        .collect()
}

/// The generated files, as a build writes them: the artifacts plus the manifest.
fn expected_tree(files: &Artifacts) -> BTreeMap<String, Vec<u8>> {
    let mut t: BTreeMap<String, Vec<u8>> = files.clone();
    t.insert(MANIFEST.into(), write::manifest(files, STACK_PATH));
    t
}

/// The files of a tree, without folders and without the build cache (cellac's own
/// bookkeeping, tested in tests/cache.rs).
fn files_only(tree: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    tree.iter()
        .filter(|(p, _)| !p.ends_with('/') && p.as_str() != write::CACHE)
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

fn assert_tree_eq(
    actual: &BTreeMap<String, Vec<u8>>,
    expected: &BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    let a: Vec<_> = actual.keys().collect();
    let e: Vec<_> = expected.keys().collect();
    assert_eq!(a, e, "{what}: the paths differ");
    for (p, b) in expected {
        assert!(&actual[p] == b, "{what}: {p} differs");
    }
}

// ---------------------------------------------------------------- library

#[test]
fn fresh_build_writes_every_file_and_the_manifest() {
    let tmp = Scratch::new("fresh");
    let files = build(&cella());
    let removed = write::write(&tmp.0, &files, STACK_PATH, false).expect("writes");
    assert!(removed.is_empty(), "{removed:?}");
    let tree = files_only(&read_entries(&tmp.0));
    assert_tree_eq(&tree, &expected_tree(&files), "fresh build");
    assert!(
        !tmp.0.join(STAGING).exists(),
        "the staging folder was left behind"
    );
    // The manifest lists every generated file with its SHA-256, and nothing else.
    let manifest: Value = serde_json::from_slice(&tree[MANIFEST]).unwrap();
    let listed = manifest["files"].as_object().unwrap();
    assert_eq!(listed.len(), files.len());
    for (p, b) in &files {
        assert_eq!(listed[p].as_str(), Some(write::sha256(b).as_str()), "{p}");
    }
    assert!(manifest["//"]
        .as_str()
        .unwrap()
        .contains("Generated by cellac"));
    assert_eq!(write::generated(&tmp.0), files.keys().cloned().collect());
    // Scripts are executable.
    let mode = std::fs::metadata(tmp.0.join("scripts/deploy.sh"))
        .unwrap()
        .mode();
    assert_eq!(
        mode & 0o111,
        0o111,
        "scripts/deploy.sh is not executable: {mode:o}"
    );
    assert!(write::drift(&tmp.0, &files, STACK_PATH).is_clean());
}

#[test]
fn rebuild_unchanged_is_a_no_op() {
    let tmp = Scratch::new("noop");
    let files = build(&cella());
    write::write(&tmp.0, &files, STACK_PATH, false).unwrap();
    let before_tree = read_entries(&tmp.0);
    let before = stamps(&tmp.0);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let removed = write::write(&tmp.0, &files, STACK_PATH, false).expect("rebuilds");
    assert!(removed.is_empty());
    assert_tree_eq(&read_entries(&tmp.0), &before_tree, "after a rebuild");
    let after = stamps(&tmp.0);
    let touched: Vec<_> = before.keys().filter(|p| before[*p] != after[*p]).collect();
    assert!(
        touched.is_empty(),
        "a rebuild with nothing to change touched {touched:?}"
    );
}

#[test]
fn edited_file_is_refused_unless_forced() {
    let tmp = Scratch::new("edited-lib");
    let files = build(&cella());
    write::write(&tmp.0, &files, STACK_PATH, false).unwrap();
    std::fs::write(
        tmp.0.join("modules/network/main.tf.json"),
        "{\"mine\": true}\n",
    )
    .unwrap();
    let before = read_entries(&tmp.0);
    let changed = build(&cella_more_memory());
    match write::write(&tmp.0, &changed, STACK_PATH, false) {
        Err(WriteError::Edited(list)) => {
            assert_eq!(list, vec!["modules/network/main.tf.json".to_string()])
        }
        other => panic!("expected Edited, got {other:?}"),
    }
    assert_tree_eq(&read_entries(&tmp.0), &before, "after a refused build");
    write::write(&tmp.0, &changed, STACK_PATH, true).expect("--force overwrites");
    assert_tree_eq(
        &files_only(&read_entries(&tmp.0)),
        &expected_tree(&changed),
        "after --force",
    );
}

#[test]
fn foreign_file_in_the_way_is_refused_even_when_forced() {
    let tmp = Scratch::new("foreign-lib");
    std::fs::write(tmp.0.join("main.tf.json"), "{}\n").unwrap();
    let files = build(&cella());
    for force in [false, true] {
        match write::write(&tmp.0, &files, STACK_PATH, force) {
            Err(WriteError::Foreign(list)) => assert_eq!(list, vec!["main.tf.json".to_string()]),
            other => panic!("expected Foreign (force {force}), got {other:?}"),
        }
        let tree = read_entries(&tmp.0);
        assert_eq!(tree.len(), 1, "force {force}: {:?}", tree.keys());
        assert_eq!(tree["main.tf.json"], b"{}\n");
    }
}

/// A build interrupted mid-swap leaves the staging folder with the new manifest
/// and some files already renamed into place; the next build, of any stack,
/// recovers without calling them hand-edited.
#[test]
fn interrupted_swap_is_recovered() {
    for next in [cella(), cella_more_memory(), cella_without_domains()] {
        let tmp = Scratch::new("interrupted");
        let old = build(&cella());
        write::write(&tmp.0, &old, STACK_PATH, false).unwrap();
        // Interrupt a build of a different stack.
        let new = build(&cella_more_memory());
        let staging = tmp.0.join(STAGING);
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join(MANIFEST), write::manifest(&new, STACK_PATH)).unwrap();
        let changed: Vec<&String> = new
            .keys()
            .filter(|p| old.get(*p) != Some(&new[*p]))
            .collect();
        assert!(
            changed.len() >= 2,
            "the change should touch several files: {changed:?}"
        );
        for (i, p) in changed.iter().enumerate() {
            let staged = staging.join(p);
            std::fs::create_dir_all(staged.parent().unwrap()).unwrap();
            std::fs::write(&staged, &new[*p]).unwrap();
            // The first file was already swapped into place; the rest were not.
            if i == 0 {
                std::fs::rename(&staged, tmp.0.join(p)).unwrap();
            }
        }
        let swapped = changed[0];
        assert_eq!(std::fs::read(tmp.0.join(swapped)).unwrap(), new[swapped]);

        let files = build(&next);
        write::write(&tmp.0, &files, STACK_PATH, false)
            .unwrap_or_else(|e| panic!("recovery failed: {e}"));
        assert!(!staging.exists(), "the staging folder was left behind");
        assert_tree_eq(
            &files_only(&read_entries(&tmp.0)),
            &expected_tree(&files),
            "after recovery",
        );
    }
}

// ---------------------------------------------------------------- binary

#[test]
fn binary_fresh_build_then_no_op() {
    let tmp = Scratch::with_stack("bin-fresh", &cella());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_tree_eq(
        &files_only(&read_entries(&tmp.infra())),
        &expected_tree(&build(&cella())),
        "binary build",
    );
    let before = stamps(&tmp.infra());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!stderr(&o).contains("removed"), "{}", show(&o));
    assert_eq!(
        stamps(&tmp.infra()),
        before,
        "an unchanged rebuild touched files"
    );
}

#[test]
fn check_reports_drift_and_writes_nothing() {
    let tmp = Scratch::with_stack("check", &cella());
    // Nothing built yet: everything is missing, and --check creates nothing.
    let o = tmp.cellac(&["--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stdout(&o).contains("missing: infra/main.tf.json"),
        "{}",
        show(&o)
    );
    assert!(!tmp.infra().exists(), "--check created the output folder");

    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let o = tmp.cellac(&["--check"]);
    assert_eq!(o.status.code(), Some(0), "up to date: {}", show(&o));
    assert!(stdout(&o).is_empty(), "{}", show(&o));

    // Stale, missing and extra files, each listed.
    std::fs::remove_file(tmp.infra().join("README.md")).unwrap();
    tmp.stack(&cella_without_domains().replace("    memory 1024\n", "    memory 2048\n"));
    let before = read_entries(&tmp.infra());
    let o = tmp.cellac(&["--check"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    for line in [
        "missing: infra/README.md",
        "stale: infra/environments/dev.tfvars.json",
        "stale: infra/.cellac-manifest.json",
        "extra: infra/modules/dns/main.tf.json",
        "extra: infra/modules/edge/main.tf.json",
    ] {
        assert!(out.lines().any(|l| l == line), "no `{line}` in:\n{out}");
    }
    assert!(!out.contains("---"), "a diff without --diff:\n{out}");
    assert_tree_eq(&read_entries(&tmp.infra()), &before, "after --check");

    // --diff adds a unified diff.
    let o = tmp.cellac(&["--check", "--diff"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let out = stdout(&o);
    assert!(
        out.contains("--- a/environments/dev.tfvars.json\n+++ b/environments/dev.tfvars.json\n"),
        "{out}"
    );
    assert!(
        out.contains("-      \"memory_limit_bytes\": 1024000000,\n"),
        "{out}"
    );
    assert!(
        out.contains("+      \"memory_limit_bytes\": 2048000000,\n"),
        "{out}"
    );
    assert!(out.contains("@@ "), "{out}");
    assert!(
        out.contains("--- a/modules/dns/main.tf.json\n+++ /dev/null\n"),
        "{out}"
    );
    assert!(out.contains("+++ b/README.md\n"), "{out}");
    assert_tree_eq(&read_entries(&tmp.infra()), &before, "after --check --diff");
}

#[test]
fn hand_edited_file_makes_build_refuse_and_force_overwrite() {
    let tmp = Scratch::with_stack("edited", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    let edited = tmp.infra().join("modules/containers/main.tf.json");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push('\n');
    std::fs::write(&edited, &text).unwrap();
    tmp.stack(&cella_more_memory());
    let before = read_entries(&tmp.infra());
    for args in [&[][..], &["--check"][..]] {
        let o = tmp.cellac(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", show(&o));
        assert_tree_eq(
            &read_entries(&tmp.infra()),
            &before,
            "after a refused build",
        );
    }
    let o = tmp.cellac(&[]);
    assert!(
        stderr(&o).contains("modules/containers/main.tf.json"),
        "the message should name the file: {}",
        show(&o)
    );
    assert!(stderr(&o).contains("--force"), "{}", show(&o));
    // Even the same stack refuses to overwrite the edit.
    tmp.stack(&cella());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), text);

    tmp.stack(&cella_more_memory());
    let o = tmp.cellac(&["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_tree_eq(
        &files_only(&read_entries(&tmp.infra())),
        &expected_tree(&build(&cella_more_memory())),
        "after --force",
    );
}

#[test]
fn foreign_files_are_never_touched() {
    let tmp = Scratch::with_stack("foreign", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    let foreign = [
        ("notes.txt", "my notes\n"),
        (
            "secrets.auto.tfvars",
            "database_url = \"postgresql://keep-me\"\n",
        ),
        (".terraform/x", "provider cache\n"),
        ("modules/dns/NOTES.md", "dns notes\n"),
    ];
    for (p, text) in foreign {
        let path = tmp.infra().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // Rebuilds: unchanged, changed, forced, and one that drops modules/dns.
    for (stack, args) in [
        (cella(), &[][..]),
        (cella_more_memory(), &[][..]),
        (cella(), &["--force"][..]),
        (cella_without_domains(), &[][..]),
    ] {
        tmp.stack(&stack);
        let o = tmp.cellac(args);
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
        for (p, text) in foreign {
            let got = std::fs::read_to_string(tmp.infra().join(p))
                .unwrap_or_else(|_| panic!("{p} is gone ({args:?})"));
            assert_eq!(got, text, "{p} changed");
        }
        assert!(!write::generated(&tmp.infra())
            .iter()
            .any(|g| foreign.iter().any(|(p, _)| p == g)));
    }
}

#[test]
fn foreign_file_where_build_writes_is_refused() {
    let tmp = Scratch::with_stack("in-the-way", &cella());
    std::fs::create_dir_all(tmp.infra().join("scripts")).unwrap();
    std::fs::write(
        tmp.infra().join("scripts/deploy.sh"),
        "#!/bin/sh\necho mine\n",
    )
    .unwrap();
    std::fs::write(tmp.infra().join("notes.txt"), "mine\n").unwrap();
    let before = read_entries(&tmp.infra());
    for args in [&[][..], &["--force"][..]] {
        let o = tmp.cellac(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", show(&o));
        assert!(
            stderr(&o).contains("scripts/deploy.sh"),
            "the message should name the file: {}",
            show(&o)
        );
        assert_tree_eq(
            &read_entries(&tmp.infra()),
            &before,
            "after a refused build",
        );
    }
    // Also after a first build: a foreign file where a new module goes.
    let tmp = Scratch::with_stack("in-the-way-later", &cella_without_domains());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    std::fs::create_dir_all(tmp.infra().join("modules/edge")).unwrap();
    std::fs::write(tmp.infra().join("modules/edge/main.tf.json"), "{}\n").unwrap();
    tmp.stack(&cella());
    let before = read_entries(&tmp.infra());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stderr(&o).contains("modules/edge/main.tf.json"),
        "{}",
        show(&o)
    );
    assert_tree_eq(
        &read_entries(&tmp.infra()),
        &before,
        "after a refused build",
    );
}

#[test]
fn modules_the_stack_no_longer_produces_are_removed() {
    let tmp = Scratch::with_stack("removed", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    assert!(tmp.infra().join("modules/dns/main.tf.json").is_file());
    assert!(tmp.infra().join("modules/edge/main.tf.json").is_file());
    std::fs::write(tmp.infra().join("modules/dns/NOTES.md"), "keep\n").unwrap();
    tmp.stack(&cella_without_domains());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    for f in ["main", "variables", "outputs"] {
        for m in ["dns", "edge"] {
            let p = format!("modules/{m}/{f}.tf.json");
            assert!(!tmp.infra().join(&p).exists(), "{p} is still there");
            assert!(
                stderr(&o).contains(&format!("removed infra/{p}")),
                "{}",
                show(&o)
            );
        }
    }
    assert!(
        !tmp.infra().join("modules/edge").exists(),
        "the empty modules/edge folder is still there"
    );
    assert!(tmp.infra().join("modules").is_dir());
    assert_eq!(
        std::fs::read_to_string(tmp.infra().join("modules/dns/NOTES.md")).unwrap(),
        "keep\n"
    );
    let mut expected = expected_tree(&build(&cella_without_domains()));
    expected.insert("modules/dns/NOTES.md".into(), b"keep\n".to_vec());
    assert_tree_eq(
        &files_only(&read_entries(&tmp.infra())),
        &expected,
        "after the modules went",
    );
}

#[test]
fn failed_build_leaves_previous_output_intact() {
    let tmp = Scratch::with_stack("failed", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    std::fs::write(tmp.infra().join("notes.txt"), "mine\n").unwrap();
    let before = read_entries(&tmp.infra());
    let stamps_before = stamps(&tmp.infra());
    tmp.stack(&broken());
    for args in [&[][..], &["--force"][..], &["--check"][..]] {
        let o = tmp.cellac(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", show(&o));
        assert!(stderr(&o).contains("nothing was written"), "{}", show(&o));
        assert_tree_eq(&read_entries(&tmp.infra()), &before, "after a failed build");
        assert_eq!(stamps(&tmp.infra()), stamps_before);
    }
}

#[test]
fn binary_recovers_an_interrupted_swap() {
    let tmp = Scratch::with_stack("bin-interrupted", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    let old = build(&cella());
    // Staged from a run whose stack path was the same, for another stack.
    let new = build(&cella_without_domains().replace("    memory 1024\n", "    memory 2048\n"));
    let staging = tmp.infra().join(STAGING);
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join(MANIFEST), write::manifest(&new, STACK_PATH)).unwrap();
    for p in new.keys().filter(|p| old.get(*p) != Some(&new[*p])) {
        std::fs::create_dir_all(tmp.infra().join(p).parent().unwrap()).unwrap();
        std::fs::write(tmp.infra().join(p), &new[p]).unwrap();
    }
    // Back to the original stack: the swapped files are known from the staged manifest.
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!stderr(&o).contains("edited"), "{}", show(&o));
    assert!(!staging.exists());
    assert_tree_eq(
        &files_only(&read_entries(&tmp.infra())),
        &expected_tree(&old),
        "after recovery",
    );
}

#[test]
fn edited_file_in_a_module_that_goes_is_refused_unless_forced() {
    let tmp = Scratch::with_stack("edited-removed", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    std::fs::write(
        tmp.infra().join("modules/edge/main.tf.json"),
        "{\"mine\": true}\n",
    )
    .unwrap();
    tmp.stack(&cella_without_domains());
    let before = read_entries(&tmp.infra());
    let o = tmp.cellac(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stderr(&o).contains("modules/edge/main.tf.json"),
        "{}",
        show(&o)
    );
    assert_tree_eq(
        &read_entries(&tmp.infra()),
        &before,
        "after a refused build",
    );
    let o = tmp.cellac(&["--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!tmp.infra().join("modules/edge").exists());
    assert_tree_eq(
        &files_only(&read_entries(&tmp.infra())),
        &expected_tree(&build(&cella_without_domains())),
        "after --force",
    );
}

/// The very first build was interrupted: no manifest yet, only the staged one.
#[test]
fn interrupted_first_build_is_recovered() {
    let tmp = Scratch::new("interrupted-first");
    let first = build(&cella());
    let staging = tmp.0.join(STAGING);
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::write(staging.join(MANIFEST), write::manifest(&first, STACK_PATH)).unwrap();
    for (i, (p, b)) in first.iter().enumerate() {
        let to = if i % 2 == 0 {
            tmp.0.join(p)
        } else {
            staging.join(p)
        };
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, b).unwrap();
    }
    let next = build(&cella_more_memory());
    write::write(&tmp.0, &next, STACK_PATH, false)
        .unwrap_or_else(|e| panic!("recovery failed: {e}"));
    assert_tree_eq(
        &files_only(&read_entries(&tmp.0)),
        &expected_tree(&next),
        "after recovery",
    );
}

// ---------------------------------------------------------------- symbolic links

/// Every entry under `dir` without following links: files with their bytes, folders as
/// `path/`, links as `path@` with their target. Also each file's inode and mtime.
fn raw_tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u64, i64, i64)> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, (Vec<u8>, u64, i64, i64)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let m = std::fs::symlink_metadata(&path).unwrap();
            let stamp = (m.ino(), m.mtime(), m.mtime_nsec());
            if m.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                let bytes = target.to_string_lossy().as_bytes().to_vec();
                out.insert(format!("{rel}@"), (bytes, stamp.0, stamp.1, stamp.2));
            } else if m.is_dir() {
                out.insert(format!("{rel}/"), (Vec::new(), stamp.0, 0, 0));
                walk(base, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(rel, (bytes, stamp.0, stamp.1, stamp.2));
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

#[cfg(unix)]
fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    let link = link.as_ref();
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A folder outside the output with a user's files, some named like generated ones.
fn elsewhere(tmp: &Scratch) -> PathBuf {
    let e = tmp.0.join("elsewhere");
    for (p, text) in [
        ("keep.txt", "a user's file\n"),
        ("deploy.sh", "#!/bin/sh\necho mine\n"),
        ("main.tf.json", "{\"mine\": true}\n"),
        ("dev.tfvars.json", "{\"mine\": true}\n"),
        ("network/main.tf.json", "{\"mine\": true}\n"),
    ] {
        std::fs::create_dir_all(e.join(p).parent().unwrap()).unwrap();
        std::fs::write(e.join(p), text).unwrap();
    }
    e
}

/// A symlink farm in the output folder: links to folders and to files, pointing outside
/// and inside, absolute and relative, at every depth. Each one, with and without
/// `--force` and with `--check`, makes the build refuse and name it; nothing outside the
/// output (nor inside it) changes.
#[cfg(unix)]
#[test]
fn links_in_the_output_are_never_followed() {
    // (name, what the link replaces, its target: `ABS/` is the scratch folder, absolute)
    let farm: &[(&str, &str, &str)] = &[
        ("dir-out-rel", "scripts", "../elsewhere"),
        ("dir-out-abs", "environments", "ABS/elsewhere"),
        ("dir-in-rel", "modules", "inner"),
        ("dir-in-abs", "modules", "ABS/infra/inner"),
        ("dir-deep", "modules/network", "../../elsewhere/network"),
        ("file-out-rel", "main.tf.json", "../elsewhere/main.tf.json"),
        (
            "file-out-abs",
            "scripts/deploy.sh",
            "ABS/elsewhere/deploy.sh",
        ),
        ("file-in", "README.md", "notes.txt"),
        ("file-dangling", "outputs.tf.json", "../elsewhere/new.json"),
        ("staging", ".cellac-staging", "../elsewhere"),
        ("manifest", ".cellac-manifest.json", "../elsewhere/keep.txt"),
    ];
    for (name, at, target) in farm {
        // Before any build, and after one (the link replaces generated output).
        for built_first in [false, true] {
            let tmp = Scratch::with_stack(&format!("link-{name}-{built_first}"), &cella());
            let outside = elsewhere(&tmp);
            if built_first {
                let o = tmp.cellac(&[]);
                assert_eq!(o.status.code(), Some(0), "{}", show(&o));
                // The link holds a copy of what was generated there: the manifest would
                // take it for its own.
                let there = tmp.infra().join(at);
                if there.is_dir() && !at.starts_with('.') {
                    let dest = if target.starts_with("ABS/") {
                        PathBuf::from(target.replace("ABS/", &format!("{}/", tmp.0.display())))
                    } else {
                        there.parent().unwrap().join(target)
                    };
                    copy_dir(&there, &dest);
                    std::fs::remove_dir_all(&there).unwrap();
                } else if there.exists() {
                    std::fs::remove_file(&there).unwrap();
                }
            }
            std::fs::create_dir_all(tmp.infra().join("inner")).unwrap();
            std::fs::write(tmp.infra().join("notes.txt"), "mine\n").unwrap();
            let target = target.replace("ABS/", &format!("{}/", tmp.0.display()));
            symlink(&target, tmp.infra().join(at));
            let link_name = at.to_string();
            let outside_before = raw_tree(&outside);
            let infra_before = raw_tree(&tmp.infra());
            // The next stacks drop modules (removal through a link) or change files.
            for stack in [cella(), cella_more_memory(), cella_without_domains()] {
                tmp.stack(&stack);
                for args in [&[][..], &["--force"][..], &["--check"][..]] {
                    let o = tmp.cellac(args);
                    let what = format!("{name} (built first: {built_first}) {args:?}");
                    assert_eq!(o.status.code(), Some(1), "{what}: {}", show(&o));
                    let err = stderr(&o);
                    assert!(
                        err.contains("symbolic link") && err.contains(&link_name),
                        "{what}: the message should name the link {link_name}: {}",
                        show(&o)
                    );
                    assert_eq!(
                        raw_tree(&outside),
                        outside_before,
                        "{what}: outside changed"
                    );
                    assert_eq!(
                        raw_tree(&tmp.infra()),
                        infra_before,
                        "{what}: infra changed"
                    );
                }
            }
            // The library refuses too.
            let files = build(&cella_without_domains());
            match write::write(&tmp.infra(), &files, STACK_PATH, true) {
                Err(WriteError::Link(l)) => {
                    assert!(l.iter().any(|l| l.starts_with(&link_name)), "{l:?}")
                }
                other => panic!("{name}: expected Link, got {other:?}"),
            }
            assert_eq!(
                raw_tree(&outside),
                outside_before,
                "{name}: outside changed"
            );
            assert_eq!(
                raw_tree(&tmp.infra()),
                infra_before,
                "{name}: infra changed"
            );
            // Once the link is gone, the build goes through (without the manifest that
            // the link replaced, the files already there are not known to be cellac's).
            std::fs::remove_file(tmp.infra().join(at)).unwrap();
            let o = tmp.cellac(&["--force"]);
            let ok = if *at == MANIFEST && built_first { 1 } else { 0 };
            assert_eq!(o.status.code(), Some(ok), "{name}: {}", show(&o));
            assert_eq!(
                raw_tree(&outside),
                outside_before,
                "{name}: outside changed"
            );
        }
    }
}

/// Links elsewhere in the output (a provider cache, a user's folder) are none of
/// cellac's business: they neither block a build nor get followed.
#[cfg(unix)]
#[test]
fn unrelated_links_are_left_alone() {
    let tmp = Scratch::with_stack("link-unrelated", &cella());
    let outside = elsewhere(&tmp);
    symlink("../elsewhere", tmp.infra().join(".terraform"));
    symlink(&outside, tmp.infra().join("docs"));
    let before = raw_tree(&outside);
    for stack in [cella(), cella_without_domains(), cella()] {
        tmp.stack(&stack);
        let o = tmp.cellac(&[]);
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
        let o = tmp.cellac(&["--check"]);
        assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    }
    assert_eq!(raw_tree(&outside), before);
    assert!(std::fs::symlink_metadata(tmp.infra().join("docs"))
        .unwrap()
        .file_type()
        .is_symlink());
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

// ---------------------------------------------------------------- lock and journal

/// The generated files in the output folder (the lock, held or left by a killed
/// build, is not output).
fn output(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_only(&read_entries(dir))
        .into_iter()
        .filter(|(p, _)| p != write::LOCK)
        .collect()
}

fn spawn_build(
    dir: &Path,
    stack: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> std::process::Child {
    let mut all = vec!["build", stack, "-o", "infra"];
    all.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_cellac"))
        .current_dir(dir)
        .args(&all)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run cellac")
}

/// Builds of two stacks started together into one folder: each waits for the other,
/// all succeed, and the folder is then exactly one stack's output, which `build
/// --check` accepts.
#[test]
fn parallel_builds_into_one_folder_do_not_mix() {
    let tmp = Scratch::new("parallel");
    std::fs::write(tmp.0.join("a.kdl"), cella()).unwrap();
    std::fs::write(
        tmp.0.join("b.kdl"),
        cella_without_domains().replace("    memory 1024\n", "    memory 2048\n"),
    )
    .unwrap();
    let expected = |stack: &str| {
        let text = std::fs::read_to_string(tmp.0.join(stack)).unwrap();
        let stack_path = format!("../{stack}");
        let files = cellac::build(&text, &stack_path).1.unwrap();
        let mut t: BTreeMap<String, Vec<u8>> = files.clone();
        t.insert(MANIFEST.into(), write::manifest(&files, &stack_path));
        t
    };
    for round in 0..3 {
        let children: Vec<_> = (0..6)
            .map(|i| {
                let stack = if i % 2 == 0 { "a.kdl" } else { "b.kdl" };
                let args: &[&str] = if i % 3 == 2 { &["--force"] } else { &[] };
                spawn_build(&tmp.0, stack, args, &[])
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "round {round}: {}", show(&o));
        }
        let tree = output(&tmp.infra());
        let a = expected("a.kdl");
        let b = expected("b.kdl");
        assert!(
            tree == a || tree == b,
            "round {round}: the folder mixes the two stacks"
        );
        assert!(!tmp.infra().join(write::LOCK).exists());
        let which = if tree == a { "a.kdl" } else { "b.kdl" };
        let other = if tree == a { "b.kdl" } else { "a.kdl" };
        let o = Command::new(env!("CARGO_BIN_EXE_cellac"))
            .current_dir(&tmp.0)
            .args(["build", which, "-o", "infra", "--check"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "round {round}: {}", show(&o));
        let o = Command::new(env!("CARGO_BIN_EXE_cellac"))
            .current_dir(&tmp.0)
            .args(["build", other, "-o", "infra", "--check"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "round {round}: {}", show(&o));
    }
}

/// A build that finds the folder locked waits, then gives up with a message naming
/// the holder; `--check` waits too; once the lock is let go, the build goes through.
#[cfg(unix)]
#[test]
fn a_locked_folder_makes_the_build_wait_then_fail() {
    let tmp = Scratch::with_stack("locked", &cella());
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    tmp.stack(&cella_more_memory());
    let before = output(&tmp.infra());
    let lock = write::lock(&tmp.infra(), std::time::Duration::from_secs(5)).expect("locks");
    let held = std::fs::read_to_string(tmp.infra().join(write::LOCK)).unwrap();
    assert_eq!(held.trim(), std::process::id().to_string());
    for args in [&[][..], &["--force"][..], &["--check"][..]] {
        let start = std::time::Instant::now();
        let o = spawn_build(&tmp.0, "stack.kdl", args, &[("CELLAC_LOCK_TIMEOUT", "1")])
            .wait_with_output()
            .unwrap();
        let took = start.elapsed();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", show(&o));
        let err = stderr(&o);
        assert!(
            err.contains("another cellac") && err.contains(&format!("pid {}", std::process::id())),
            "{args:?}: {}",
            show(&o)
        );
        assert!(
            took >= std::time::Duration::from_millis(900),
            "{args:?}: did not wait"
        );
        assert_eq!(output(&tmp.infra()), before, "{args:?}: the folder changed");
    }
    // A build started while the lock is held goes through once it is let go.
    let waiting = spawn_build(&tmp.0, "stack.kdl", &[], &[("CELLAC_LOCK_TIMEOUT", "20")]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(output(&tmp.infra()), before, "written while locked");
    drop(lock);
    let o = waiting.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_tree_eq(
        &output(&tmp.infra()),
        &expected_tree(&build(&cella_more_memory())),
        "after the wait",
    );
    assert!(!tmp.infra().join(write::LOCK).exists());
}

/// A build killed right after each rename of its swap (the journal's commit, every
/// file, the manifest): the next call, whichever, first completes it, so the folder is
/// exactly the old or the new output, never a mix, and no build calls a file edited.
#[test]
fn a_build_killed_at_every_rename_is_completed_by_the_next_call() {
    let old_stack = cella();
    let new_stack = cella_without_domains().replace("    memory 1024\n", "    memory 2048\n");
    let old = expected_tree(&build(&old_stack));
    let new = expected_tree(&build(&new_stack));
    let mut torn = 0;
    let mut n = 1;
    loop {
        let tmp = Scratch::with_stack("killed", &old_stack);
        assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
        tmp.stack(&new_stack);
        let n_text = n.to_string();
        let o = spawn_build(
            &tmp.0,
            "stack.kdl",
            &[],
            &[("CELLAC_TEST_ABORT_AFTER_RENAME", &n_text)],
        )
        .wait_with_output()
        .unwrap();
        if o.status.code() == Some(0) {
            // Fewer renames than `n`: every index was tried.
            assert!(n > 5, "only {} renames", n - 1);
            assert_tree_eq(&output(&tmp.infra()), &new, "not killed");
            break;
        }
        assert_eq!(
            o.status.code(),
            None,
            "rename {n}: not killed: {}",
            show(&o)
        );
        assert!(
            tmp.infra().join(write::JOURNAL).exists(),
            "rename {n}: no journal"
        );
        // Without the journal and the staging folder: what a user would see.
        let after_kill: BTreeMap<String, Vec<u8>> = output(&tmp.infra())
            .into_iter()
            .filter(|(p, _)| !p.starts_with(STAGING) && p != write::JOURNAL)
            .collect();
        if after_kill != old && after_kill != new {
            torn += 1;
        }
        // The next call: a check, a build of the old stack, or of the new one.
        match n % 3 {
            0 => {
                let o = tmp.cellac(&["--check"]);
                let tree = output(&tmp.infra());
                assert!(tree == new || tree == old, "rename {n}: --check left a mix");
                assert_eq!(
                    o.status.code(),
                    Some(if tree == new { 0 } else { 1 }),
                    "{}",
                    show(&o)
                );
            }
            1 => {
                tmp.stack(&old_stack);
                let o = tmp.cellac(&[]);
                assert_eq!(o.status.code(), Some(0), "rename {n}: {}", show(&o));
                assert_tree_eq(
                    &output(&tmp.infra()),
                    &old,
                    &format!("rename {n}, then old"),
                );
            }
            _ => {
                let o = tmp.cellac(&[]);
                assert_eq!(o.status.code(), Some(0), "rename {n}: {}", show(&o));
                assert_tree_eq(
                    &output(&tmp.infra()),
                    &new,
                    &format!("rename {n}, then new"),
                );
            }
        }
        assert!(!tmp.infra().join(write::JOURNAL).exists());
        assert!(!tmp.infra().join(STAGING).exists());
        n += 1;
    }
    assert!(
        torn > 0,
        "no kill left the folder torn: the test tests nothing"
    );
}

/// Issue 24: the writer no longer waits for the journal's removal to reach the disk, so
/// after a crash a completed build's journal may come back (with the staging folder
/// gone). The next call carries it out again, and that is a no-op: every staged file is
/// gone (already moved), every removed file already removed; the folder stays exactly
/// the new output, and `--check` calls it up to date.
#[test]
fn a_journal_that_outlives_its_build_is_carried_out_as_a_no_op() {
    let old_stack = cella();
    let new_stack = cella_without_domains().replace("    memory 1024\n", "    memory 2048\n");
    let new = expected_tree(&build(&new_stack));
    // The journal of the old -> new build, as committed: killed right after its commit.
    let killed = Scratch::with_stack("journal-source", &old_stack);
    assert_eq!(killed.cellac(&[]).status.code(), Some(0));
    killed.stack(&new_stack);
    let o = spawn_build(
        &killed.0,
        "stack.kdl",
        &[],
        &[("CELLAC_TEST_ABORT_AFTER_RENAME", "1")],
    )
    .wait_with_output()
    .unwrap();
    assert_eq!(o.status.code(), None, "not killed: {}", show(&o));
    let journal = std::fs::read(killed.infra().join(write::JOURNAL)).unwrap();
    // The same build, completed; then its journal comes back.
    let tmp = Scratch::with_stack("journal-back", &old_stack);
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    tmp.stack(&new_stack);
    assert_eq!(tmp.cellac(&[]).status.code(), Some(0));
    assert_tree_eq(&output(&tmp.infra()), &new, "built");
    std::fs::write(tmp.infra().join(write::JOURNAL), &journal).unwrap();
    let o = tmp.cellac(&["--check"]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(!tmp.infra().join(write::JOURNAL).exists());
    assert!(!tmp.infra().join(STAGING).exists());
    assert_tree_eq(&output(&tmp.infra()), &new, "after the journal came back");
}
