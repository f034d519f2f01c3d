//! `cellac completions SHELL` and `cellac man`: generated from the command line's own
//! definition, so they name every subcommand and option.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use common::cellac as run;
use std::path::PathBuf;
use std::process::{Command, Output};

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The subcommands users type (`help` is clap's own).
fn subcommands() -> Vec<String> {
    cellac::cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect()
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_shell_names_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&run(&["completions", shell]));
        for sub in subcommands() {
            assert!(script.contains(&sub), "{shell}: no `{sub}`");
        }
        for word in ["format", "deny-warnings"] {
            assert!(script.contains(word), "{shell}: no `{word}`");
        }
        // PowerShell's and Elvish's generators complete option names, not their values.
        if ["bash", "zsh", "fish"].contains(&shell) {
            assert!(script.contains("sarif"), "{shell}: no format values");
        }
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cellac::io::usage") && err.contains("tcsh"),
        "{err}"
    );
}

/// The bash script is valid and completes: `cellac ch<TAB>` gives `check`, and
/// `cellac check --format <TAB>` gives the formats.
#[test]
fn bash_completes() {
    let script = stdout(&run(&["completions", "bash"]));
    let complete = |words: &str| -> String {
        let n = words.split(' ').count() - 1;
        let program = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD={n}; COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}\n\
             _cellac cellac \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let o = Command::new("bash")
            .args(["--norc", "-c", &program])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let words = complete("cellac ch");
    assert_eq!(words.trim(), "check", "{words}");
    let formats = complete("cellac check --format ''");
    let formats: Vec<&str> = formats.lines().collect();
    assert_eq!(formats, ["human", "json", "github", "sarif"]);
}

/// Checked when the shell is installed.
#[test]
fn zsh_and_fish_parse() {
    for (shell, check) in [("zsh", "zsh -n"), ("fish", "fish --no-execute")] {
        if !has(shell) {
            eprintln!("{shell} is not installed: skipped");
            continue;
        }
        let d = std::env::temp_dir().join(format!("cellac-compl-{}-{shell}", std::process::id()));
        std::fs::write(&d, stdout(&run(&["completions", shell]))).unwrap();
        let o = Command::new("sh")
            .args(["-c", &format!("{check} {}", d.display())])
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn man_page() {
    let page = stdout(&run(&["man"]));
    assert!(page.contains(".TH cellac 1"), "{page}");
    for sub in subcommands() {
        assert!(page.contains(&format!("cellac\\-{sub}(1)")), "no {sub}");
    }
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("man_cellac", page);
    });
    // groff reads it without a warning, when installed.
    if has("groff") {
        let path = std::env::temp_dir().join(format!("cellac-man-{}.1", std::process::id()));
        std::fs::write(&path, &page).unwrap();
        let o = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            o.status.success() && o.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn man_pages_into_a_folder() {
    let dir: PathBuf = std::env::temp_dir().join(format!("cellac-man-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = run(&["man", "--out", &dir.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(dir.join("cellac.1").is_file());
    for sub in subcommands() {
        let page = std::fs::read_to_string(dir.join(format!("cellac-{sub}.1"))).unwrap();
        assert!(
            page.contains(&format!(
                ".TH cellac-{sub} 1  \"{sub} {}\"",
                env!("CARGO_PKG_VERSION")
            )),
            "{page}"
        );
    }
    let check = std::fs::read_to_string(dir.join("cellac-check.1")).unwrap();
    assert!(check.contains("\\-\\-deny\\-warnings"), "{check}");
}

/// Issue 22, class 8: a page name that is a symbolic link is replaced by the page, and
/// the file it pointed at is left alone.
#[test]
fn man_out_never_writes_through_a_link() {
    let dir: PathBuf = std::env::temp_dir().join(format!("cellac-man-link-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("cellac.1")).unwrap();
    let o = run(&["man", "--out", &dir.to_string_lossy()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    let page = dir.join("cellac.1");
    assert!(!std::fs::symlink_metadata(&page)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains(".TH cellac 1"));
    // No staging folder left behind.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".cellac-man"))
        .collect();
    assert!(left.is_empty());
}
