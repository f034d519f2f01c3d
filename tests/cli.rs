//! The `cellac` command line: exit codes, formats, colour, `explain`, and secrets that
//! never reach the output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]
use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_cellac");

/// A fresh directory for one test's files.
/// A fresh directory for one test's files.
fn dir(test: &str) -> PathBuf {
    common::scratch(test)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("cellac runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const CLEAN: &str = "stack hello\nservice web {\n    port 8080\n}\n";
const WARNS: &str = "stack hello\nsecret unused_token\nservice web\n";
const ERRORS: &str = "stack hello\nservice web {\n    port 9090\n    memory 1000\n}\n";

#[test]
fn exit_codes() {
    let d = dir("exit");
    let clean = write(&d, "clean.kdl", CLEAN);
    let warns = write(&d, "warns.kdl", WARNS);
    let errors = write(&d, "errors.kdl", ERRORS);
    let p = |p: &Path| p.to_string_lossy().into_owned();
    assert_eq!(run(&["check", &p(&clean)]).status.code(), Some(0));
    assert_eq!(
        run(&["check", &p(&clean), "--deny-warnings"]).status.code(),
        Some(0)
    );
    let w = run(&["check", &p(&warns)]);
    assert_eq!(w.status.code(), Some(0), "{}", text(&w));
    assert!(text(&w).contains("cellac::secret::unused"));
    assert_eq!(
        run(&["check", &p(&warns), "--deny-warnings"]).status.code(),
        Some(1)
    );
    let e = run(&["check", &p(&errors)]);
    assert_eq!(e.status.code(), Some(1));
    assert!(
        text(&e).contains("cellac::port::reserved") && text(&e).contains("cellac::memory::tier")
    );
}

#[test]
fn missing_file_is_a_diagnostic() {
    let d = dir("missing");
    let path = d.join("nope.kdl");
    let o = run(&["check", &path.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cellac::io::read"), "{err}");
    assert!(
        err.contains("cannot read ") && err.contains("no such file"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace") && !err.contains("os error"),
        "{err}"
    );
    let s = write(&d, "stack.kdl", CLEAN);
    let o = run(&[
        "check",
        &s.to_string_lossy(),
        "--secrets",
        &path.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read "));
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("CELLAC_LOCK_TIMEOUT", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// Every IO and usage error is a diagnostic with a `cellac::io::*` code, in every
/// format: one JSON object on stdout for `--format json`, one annotation for github,
/// a report on stderr for people. Every such code is produced here.
#[test]
fn io_errors_are_diagnostics_in_every_format() {
    let d = dir("io");
    write(&d, "stack.kdl", CLEAN);
    write(&d, "afile", "not a folder\n");
    std::fs::write(d.join("latin1.kdl"), b"stack hello\n// caf\xe9 au lait\n").unwrap();
    std::fs::create_dir_all(d.join("folder.kdl")).unwrap();
    let setup = |name: &str| -> PathBuf {
        let out = d.join(name);
        let _ = std::fs::remove_dir_all(&out);
        assert_eq!(
            run_in(&d, &["build", "stack.kdl", "-o", name], None)
                .status
                .code(),
            Some(0)
        );
        out
    };
    // (code, exit, args, stdin, words the message must have, prepare)
    type Prepare<'a> = Box<dyn Fn() -> Option<cellac::write::Lock> + 'a>;
    let none: fn() -> Option<cellac::write::Lock> = || None;
    type Case<'a> = (
        &'a str,
        i32,
        Vec<&'a str>,
        Option<&'a [u8]>,
        &'a str,
        Prepare<'a>,
    );
    let cases: Vec<Case> = vec![
        (
            "cellac::io::read",
            2,
            vec!["check", "nope.kdl"],
            None,
            "no such file",
            Box::new(none),
        ),
        (
            "cellac::io::read",
            2,
            vec!["build", "nope.kdl"],
            None,
            "no such file",
            Box::new(none),
        ),
        (
            "cellac::io::read",
            2,
            vec!["check", "folder.kdl"],
            None,
            "a folder",
            Box::new(none),
        ),
        (
            "cellac::io::read",
            2,
            vec!["check", "stack.kdl", "--secrets", "nope.tfvars"],
            None,
            "no such file",
            Box::new(none),
        ),
        (
            "cellac::io::encoding",
            2,
            vec!["check", "latin1.kdl"],
            None,
            "line 2, byte 7 of the line (0xe9)",
            Box::new(none),
        ),
        (
            "cellac::io::encoding",
            2,
            vec!["check", "-"],
            Some(b"stack a\n\xff"),
            "<stdin> is not UTF-8 text: line 2, byte 1",
            Box::new(none),
        ),
        (
            "cellac::io::output",
            2,
            vec!["build", "stack.kdl", "-o", "afile"],
            None,
            "is a file, not a folder",
            Box::new(none),
        ),
        (
            "cellac::io::output",
            2,
            vec!["build", "stack.kdl", "-o", "afile/infra"],
            None,
            "a part of its path is a file",
            Box::new(none),
        ),
        (
            "cellac::io::usage",
            2,
            vec!["check", "--nope"],
            None,
            "--nope",
            Box::new(none),
        ),
        (
            "cellac::io::usage",
            2,
            vec!["build", "stack.kdl", "-o", "o-usage", "--env", "prdo"],
            None,
            "prdo",
            Box::new(none),
        ),
        (
            "cellac::io::foreign",
            1,
            vec!["build", "stack.kdl", "-o", "o-foreign"],
            None,
            "main.tf.json",
            Box::new(|| {
                std::fs::create_dir_all(d.join("o-foreign")).unwrap();
                std::fs::write(d.join("o-foreign/main.tf.json"), "{}").unwrap();
                None
            }),
        ),
        (
            "cellac::io::edited",
            1,
            vec!["build", "stack.kdl", "-o", "o-edited"],
            None,
            "--force",
            Box::new(|| {
                let out = setup("o-edited");
                std::fs::write(out.join("main.tf.json"), "{}").unwrap();
                None
            }),
        ),
        (
            "cellac::io::link",
            1,
            vec!["build", "stack.kdl", "-o", "o-link"],
            None,
            "scripts -> ..",
            Box::new(|| {
                let out = setup("o-link");
                std::fs::remove_dir_all(out.join("scripts")).unwrap();
                std::os::unix::fs::symlink("..", out.join("scripts")).unwrap();
                None
            }),
        ),
        (
            "cellac::io::locked",
            1,
            vec!["build", "stack.kdl", "-o", "o-locked"],
            None,
            "another cellac",
            Box::new(|| {
                let out = setup("o-locked");
                Some(cellac::write::lock(&out, std::time::Duration::from_secs(1)).unwrap())
            }),
        ),
        (
            "cellac::io::write",
            2,
            vec!["build", "stack.kdl", "-o", "o-write"],
            None,
            ".cellac-staging",
            Box::new(|| {
                let out = setup("o-write");
                std::fs::write(out.join("main.tf.json"), "{}").unwrap();
                std::fs::write(out.join(".cellac-staging"), "a file where cellac stages").unwrap();
                std::fs::remove_file(out.join("main.tf.json")).unwrap();
                None
            }),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (code, exit, args, stdin, words, prepare) in &cases {
        for format in ["human", "json", "github", "sarif"] {
            let _lock = prepare();
            let mut all = args.clone();
            all.extend(["--format", format]);
            let o = run_in(&d, &all, *stdin);
            let what = format!("{all:?}: {}", text(&o));
            assert_eq!(o.status.code(), Some(*exit), "{what}");
            let (out, err) = (
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr),
            );
            assert!(!text(&o).contains("os error"), "{what}");
            match format {
                "json" => {
                    let v: serde_json::Value =
                        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(v["errors"], 1, "{what}");
                    assert_eq!(v["diagnostics"][0]["code"], *code, "{what}");
                    let m = v["diagnostics"][0]["message"].as_str().unwrap().to_string()
                        + v["diagnostics"][0]["help"].as_str().unwrap_or_default();
                    assert!(m.contains(words), "{what}");
                }
                "github" => {
                    assert_eq!(out.lines().count(), 1, "{what}");
                    assert!(out.starts_with("::error file="), "{what}");
                    assert!(out.contains(&code.replace(':', "%3A")), "{what}");
                }
                "sarif" => {
                    let v: serde_json::Value =
                        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(v["version"], "2.1.0", "{what}");
                    let r = &v["runs"][0]["results"][0];
                    assert_eq!(r["ruleId"], *code, "{what}");
                    assert_eq!(r["level"], "error", "{what}");
                    assert!(
                        r["message"]["text"].as_str().unwrap().contains(words),
                        "{what}"
                    );
                }
                _ => {
                    assert!(err.contains(code) && err.contains(words), "{what}");
                }
            }
            seen.insert(code.to_string());
        }
    }
    let all: std::collections::BTreeSet<String> = cellac::codes::CODES
        .iter()
        .map(|c| c.code.to_string())
        .filter(|c| c.starts_with("cellac::io::"))
        .collect();
    assert_eq!(seen, all, "io codes without a case here");
}

/// `-` reads the stack from standard input, named `<stdin>` in reports.
#[test]
fn stdin_is_dash() {
    let d = dir("stdin");
    let o = run_in(&d, &["check", "-"], Some(ERRORS.as_bytes()));
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("<stdin>:3:10") || text(&o).contains("<stdin>"),
        "{}",
        text(&o)
    );
    let o = run_in(
        &d,
        &["check", "-", "--format", "json"],
        Some(ERRORS.as_bytes()),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["file"], "<stdin>");
    assert_eq!(v["diagnostics"][0]["file"], "<stdin>");
    let o = run_in(&d, &["check", "-"], Some(CLEAN.as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run_in(&d, &["build", "-", "-o", "infra"], Some(CLEAN.as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(d.join("infra/main.tf.json").is_file());
    let o = run_in(
        &d,
        &["build", "-", "-o", "infra", "--check"],
        Some(CLEAN.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["check", "--format", "xml", "x.kdl"][..],
        &["frobnicate"],
        &["check", "--nope"],
        &[],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        assert!(!text(&o).contains("panicked"));
    }
}

#[test]
fn no_colour_when_not_a_terminal() {
    let d = dir("colour");
    let errors = write(&d, "errors.kdl", ERRORS);
    for no_color in [true, false] {
        let mut c = Command::new(BIN);
        c.args(["check", &errors.to_string_lossy()]);
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        let o = c.output().unwrap();
        assert!(
            !text(&o).contains('\u{1b}'),
            "ANSI escape in output (NO_COLOR={no_color})"
        );
        assert!(text(&o).contains("cellac::port::reserved"));
    }
}

#[test]
fn json_format() {
    let d = dir("json");
    let errors = write(&d, "errors.kdl", ERRORS);
    let o = run(&["check", &errors.to_string_lossy(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert!(v["version"].is_number());
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 2);
    for d in diags {
        for key in [
            "file", "line", "column", "span", "code", "severity", "message", "labels", "help",
        ] {
            assert!(!d[key].is_null(), "diagnostic without {key}: {d}");
        }
        assert!(d["span"]["start"].is_number() && d["span"]["end"].is_number());
        assert!(!d["labels"].as_array().unwrap().is_empty());
    }
    assert_eq!(diags[0]["code"], "cellac::port::reserved");
    assert_eq!(diags[0]["line"], 3);
    assert_eq!(diags[0]["column"], 10);
    assert_eq!(diags[0]["severity"], "error");
    let clean = write(&d, "clean.kdl", CLEAN);
    let o = run(&["check", &clean.to_string_lossy(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0));
}

#[test]
fn github_format() {
    let d = dir("github");
    let path = write(
        &d,
        "mixed.kdl",
        "stack hello\nsecret unused_token\nservice web {\n    port 9090\n}\n",
    );
    let o = run(&["check", &path.to_string_lossy(), "--format", "github"]);
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("::warning file="), "{out}");
    assert!(lines[1].starts_with("::error file="), "{out}");
    assert!(lines[1].contains("line=4,col=10"), "{out}");
}

#[test]
fn explain_a_code() {
    let o = run(&["explain", "cellac::scale::singleton"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let code = cellac::codes::find("cellac::scale::singleton").unwrap();
    assert!(out.contains(&*code.summary()), "{out}");
    for line in code.example.lines() {
        assert!(out.contains(line), "{out}");
    }
    assert!(out.contains(&*code.fix()), "{out}");
    // The prefix is optional.
    assert_eq!(run(&["explain", "scale::singleton"]).stdout, o.stdout);
    // Without a code: the list of every code.
    let all = String::from_utf8_lossy(&run(&["explain"]).stdout).into_owned();
    for c in cellac::codes::CODES {
        assert!(
            all.contains(c.code),
            "{} missing from `cellac explain`",
            c.code
        );
    }
}

#[test]
fn explain_an_unknown_code() {
    let o = run(&["explain", "cellac::scale::singelton"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("did you mean `cellac::scale::singleton`"),
        "{err}"
    );
}

/// Every value of these secrets is distinctive; none may reach stdout or stderr.
const SECRET_VALUES: &[&str] = &[
    "s3cr3t-VALUE-pooled",
    "pA55w0rd-direct",
    "s3cr3t-VALUE-argon",
    "s3cr3t-VALUE-unknown-key",
    "s3cr3t-VALUE-unquoted",
    "s3cr3t-VALUE-email",
];

const SECRETS_STACK: &str = "stack hello
secret database_url postgres=pooled
secret database_admin_url postgres=direct
secret argon_secret min-length=32
secret alert_email format=email
secret cookie_secret \"inline-VALUE-cookie\"
service web {
    secret-env DATABASE_URL=database_url DATABASE_ADMIN_URL=database_admin_url
    secret-env ARGON=argon_secret ALERT=alert_email
    secret-env K=\"postgres://u:pw-INLINE-pass@h/db\"
    env URL=\"postgres://app:env-INLINE-pass@db.example.com/app\"
}
";

#[test]
fn secrets_never_leak() {
    let d = dir("leak");
    let stack = write(&d, "stack.kdl", SECRETS_STACK);
    let hcl = write(
        &d,
        "secrets.auto.tfvars",
        "database_url = \"postgres://app:s3cr3t-VALUE-pooled@ep-x.neon.tech/app\"\n\
         database_admin_url = \"postgresql://app:pA55w0rd-direct@ep-x-pooler.neon.tech/app\"\n\
         argon_secret = \"s3cr3t-VALUE-argon\"\n\
         alert_email = s3cr3t-VALUE-email\n\
         databse_url = \"s3cr3t-VALUE-unknown-key\"\n\
         cookie = s3cr3t-VALUE-unquoted\n",
    );
    let json = write(
        &d,
        "secrets.json",
        "{\n  \"database_url\": \"postgres://app:s3cr3t-VALUE-pooled@ep-x.neon.tech/app\",\n  \
         \"database_admin_url\": \"postgresql://app:pA55w0rd-direct@ep-x-pooler.neon.tech/app\",\n  \
         \"argon_secret\": \"s3cr3t-VALUE-argon\",\n  \"alert_email\": \"s3cr3t-VALUE-email\",\n  \
         \"databse_url\": \"s3cr3t-VALUE-unknown-key\"\n}\n",
    );
    let broken = write(&d, "broken.json", "{\n  \"database_url\": \"s3cr3t-VALUE-pooled\"\n  \"argon_secret\": s3cr3t-VALUE-argon\n}\n");
    let inline = ["inline-VALUE-cookie", "pw-INLINE-pass", "env-INLINE-pass"];
    for secrets in [&hcl, &json, &broken] {
        for format in ["human", "json", "github", "sarif"] {
            let o = run(&[
                "check",
                &stack.to_string_lossy(),
                "--secrets",
                &secrets.to_string_lossy(),
                "--format",
                format,
            ]);
            let out = text(&o);
            assert_eq!(o.status.code(), Some(1), "{format}: {out}");
            assert!(
                out.contains("is written in the stack file"),
                "{format}: the problems are reported: {out}"
            );
            for v in SECRET_VALUES.iter().chain(&inline) {
                assert!(
                    !out.contains(v),
                    "{format} with {}: output shows {v:?}:\n{out}",
                    secrets.display()
                );
            }
        }
    }
    // The problems with the values are reported, pointing at them.
    let o = run(&[
        "check",
        &stack.to_string_lossy(),
        "--secrets",
        &hcl.to_string_lossy(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in [
        "cellac::secrets-file::postgres",
        "cellac::secrets-file::min-length",
        "cellac::secrets-file::unknown",
        "cellac::secrets-file::syntax",
        "cellac::secret::inline",
    ] {
        assert!(codes.contains(&code), "{code} not reported: {codes:?}");
    }
}

/// Secrets set through `TF_VAR_NAME` are checked by the secrets file's rules, in every
/// format, and their values never show; a secret set there counts as present.
#[test]
fn secrets_from_the_environment_are_checked() {
    let d = dir("tfvar");
    let stack = write(
        &d,
        "stack.kdl",
        "stack hello\nsecret database_url postgres=pooled\nsecret argon_secret min-length=32\nsecret alert_email format=email\nsecret api_key\nservice web {\n    secret-env DB=database_url ARGON=argon_secret MAIL=alert_email KEY=api_key\n}\n",
    );
    let secrets = write(&d, "secrets.auto.tfvars", "api_key = \"k-0123456789\"\n");
    let p = |p: &Path| p.to_string_lossy().into_owned();
    for format in ["human", "json", "github"] {
        let o = Command::new(BIN)
            .args([
                "check",
                &p(&stack),
                "--secrets",
                &p(&secrets),
                "--format",
                format,
            ])
            .env("NO_COLOR", "1")
            .env(
                "TF_VAR_database_url",
                "mysql://app:tfv4r-pw@ep-x.neon.tech/db",
            )
            .env("TF_VAR_argon_secret", "tfv4r-short")
            .env("TF_VAR_alert_email", "tfv4r-not-an-email")
            .output()
            .unwrap();
        // GitHub annotations escape `:` in the title.
        let out = text(&o).replace("%3A", ":");
        assert_eq!(o.status.code(), Some(1), "{format}: {out}");
        for code in [
            "cellac::secrets-file::postgres",
            "cellac::secrets-file::min-length",
            "cellac::secrets-file::format",
        ] {
            assert!(out.contains(code), "{format}: no {code}: {out}");
        }
        assert!(out.contains("TF_VAR_argon_secret"), "{format}: {out}");
        assert!(!out.contains("secrets-file::missing"), "{format}: {out}");
        assert!(!out.contains("tfv4r"), "{format}: a value shows: {out}");
    }
    // Without a secrets file too; an empty value is an error.
    let o = Command::new(BIN)
        .args(["check", &p(&stack)])
        .env("NO_COLOR", "1")
        .env("TF_VAR_api_key", "")
        .output()
        .unwrap();
    assert!(
        text(&o).contains("cellac::secrets-file::empty"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("TF_VAR_api_key is empty"), "{}", text(&o));
}

/// `build --check --diff` quotes generated files, old and new: a credential written in
/// the stack (a warning, so it is built) never shows in the diff.
#[test]
fn diff_hides_credentials() {
    let d = dir("diff-creds");
    let p = |p: &Path| p.to_string_lossy().into_owned();
    let stack_text = |token: &str, url: &str| {
        format!(
            "stack hello\nservice web {{\n    env API_TOKEN=\"{token}\" DB=\"{url}\" MODE=a\n}}\n"
        )
    };
    let old = (
        "q8Zr2LmX9vTb4KpWold1",
        "postgres://app:0ldPassw0rd@db.example.com/app",
    );
    let new = (
        "w7Yt3NkZ8uRc5JqVnew2",
        "postgres://app:n3wPassw0rd@db.example.com/app",
    );
    let stack = write(&d, "stack.kdl", &stack_text(old.0, old.1));
    let out = d.join("infra");
    let b = run(&["build", &p(&stack), "-o", &p(&out)]);
    assert_eq!(b.status.code(), Some(0), "{}", text(&b));
    write(&d, "stack.kdl", &stack_text(new.0, new.1));
    let o = run(&["build", &p(&stack), "-o", &p(&out), "--check", "--diff"]);
    let shown = text(&o);
    assert_eq!(o.status.code(), Some(1), "{shown}");
    assert!(shown.contains("API_TOKEN"), "no diff of the env: {shown}");
    for secret in [old.0, new.0, "0ldPassw0rd", "n3wPassw0rd"] {
        assert!(!shown.contains(secret), "the diff shows {secret}: {shown}");
    }
}

/// `check --secrets-dir`: each environment gives its own value for a per-environment
/// secret, no two share one, and no value is ever printed.
#[test]
fn per_environment_secrets_across_files() {
    let d = dir("secrets-dir");
    let stack = write(
        &d,
        "stack.kdl",
        "stack shop\nsecret signing_key per-environment=#true\nsecret sentry_dsn\nservice api {\n    port 8080\n    secret-env KEY=signing_key DSN=sentry_dsn\n}\nenvironment dev\nenvironment staging\nenvironment prod\n",
    );
    let infra = d.join("infra");
    std::fs::create_dir_all(infra.join("secrets")).unwrap();
    write(&infra, "secrets.auto.tfvars", "sentry_dsn = \"https://shared-dsn-0001@sentry.example/1\"\nsigning_key = \"shared-key-0002\"\n");
    write(
        &infra,
        "secrets/dev.tfvars",
        "signing_key = \"same-key-0003\"\n",
    );
    write(
        &infra,
        "secrets/staging.tfvars",
        "signing_key = \"same-key-0003\"\n",
    );
    let stack = stack.to_str().unwrap();
    let infra_arg = infra.to_str().unwrap();
    let values = ["shared-dsn-0001", "shared-key-0002", "same-key-0003"];
    for format in ["human", "json", "github"] {
        let o = run(&[
            "check",
            stack,
            "--secrets-dir",
            infra_arg,
            "--format",
            format,
        ]);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        for v in values {
            assert!(!out.contains(v), "{format}: a value was printed:\n{out}");
        }
        let code = if format == "github" {
            "cellac%3A%3Asecret%3A%3Aper-environment"
        } else {
            "cellac::secret::per-environment"
        };
        assert_eq!(out.matches(code).count(), 2, "{format}:\n{out}");
    }
    let o = run(&["check", stack, "--secrets-dir", infra_arg]);
    let out = text(&o);
    assert!(
        out.contains("environments `dev` and `staging` hold the same value for `signing_key`"),
        "{out}"
    );
    assert!(
        out.contains("environment `prod` has no value of its own for `signing_key`"),
        "{out}"
    );
    assert!(out.contains("it would take the shared value"), "{out}");
    // Each environment with a value of its own: clean.
    write(
        &infra,
        "secrets/staging.tfvars",
        "signing_key = \"staging-key-0004\"\n",
    );
    write(
        &infra,
        "secrets/prod.tfvars",
        "signing_key = \"prod-key-0005\"\n",
    );
    let o = run(&["check", stack, "--secrets-dir", infra_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Issue 22: `check --secrets-dir` checks every value by the rules `--secrets` applies,
/// each environment's by that environment's rules, and shows none.
#[test]
fn secrets_dir_checks_every_value() {
    let d = dir("secrets-dir-values");
    let stack = write(
        &d,
        "stack.kdl",
        "stack shop\nsecret cookie_secret min-length=32\nsecret database_url postgres=pooled\nservice api {\n    port 8080\n    secret-env COOKIE=cookie_secret DB=database_url\n}\nenvironment dev\nenvironment prod\n",
    );
    let infra = d.join("infra");
    std::fs::create_dir_all(infra.join("secrets")).unwrap();
    write(
        &infra,
        "secrets.auto.tfvars",
        "cookie_secret = \"short-value-0001\"\ndatabase_url = \"postgres://u:pw-0002@ep-x-pooler.example/db?sslmode=require\"\n",
    );
    write(
        &infra,
        "secrets/prod.tfvars",
        "database_url = \"postgres://u:pw-0003@ep-x.example/db?sslmode=require\"\n",
    );
    let stack = stack.to_str().unwrap();
    let infra_arg = infra.to_str().unwrap();
    let o = run(&["check", stack, "--secrets-dir", infra_arg]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for v in ["short-value-0001", "pw-0002", "pw-0003"] {
        assert!(!out.contains(v), "a value was printed:\n{out}");
    }
    assert_eq!(
        out.matches("cellac::secrets-file::min-length").count(),
        2,
        "{out}"
    );
    assert!(out.contains("environment `prod`"), "{out}");
    assert_eq!(
        out.matches("cellac::secrets-file::postgres").count(),
        1,
        "{out}"
    );
    // Negative control: good values everywhere check clean.
    write(
        &infra,
        "secrets.auto.tfvars",
        "cookie_secret = \"a-long-enough-cookie-secret-value-0004\"\ndatabase_url = \"postgres://u:pw-0002@ep-x-pooler.example/db?sslmode=require\"\n",
    );
    write(
        &infra,
        "secrets/prod.tfvars",
        "database_url = \"postgres://u:pw-0003@ep-y-pooler.example/db?sslmode=require\"\n",
    );
    let o = run(&["check", stack, "--secrets-dir", infra_arg]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// `cellac diff` quotes `env` values: a credential written in either stack never shows.
#[test]
fn stack_diff_hides_credentials() {
    let d = dir("stack-diff-creds");
    let p = |p: &Path| p.to_string_lossy().into_owned();
    let stack = |token: &str, url: &str| {
        format!(
            "stack hello\nservice web {{\n    port 8080\n    env API_TOKEN=\"{token}\" DB=\"{url}\" MODE=a\n}}\n"
        )
    };
    let old = write(
        &d,
        "old.kdl",
        &stack("q8Zr2LmX9vTb4KpWold1", "postgres://app:0ldPassw0rd@db/app"),
    );
    let new = write(
        &d,
        "new.kdl",
        &stack("w7Yt3NkZ8uRc5JqVnew2", "postgres://app:n3wPassw0rd@db/app"),
    );
    for format in ["markdown", "json"] {
        let o = run(&["diff", &p(&old), &p(&new), "--format", format]);
        let shown = text(&o);
        assert_eq!(o.status.code(), Some(0), "{shown}");
        assert!(
            shown.contains("API_TOKEN"),
            "{format}: no env change: {shown}"
        );
        for secret in [
            "q8Zr2LmX9vTb4KpWold1",
            "w7Yt3NkZ8uRc5JqVnew2",
            "0ldPassw0rd",
            "n3wPassw0rd",
        ] {
            assert!(!shown.contains(secret), "{format} shows {secret}: {shown}");
        }
    }
}

const FIXABLE: &str = "stack shop region=fr-pra\nservice api {\n    port \"8080\"\n    memroy 512\n}\nservice web {\n    port 8081\n    link apj env=API_URL\n}\n";

#[test]
fn check_fix_rewrites_the_file() {
    let d = dir("fix");
    let stack = write(&d, "stack.kdl", FIXABLE);
    let p = stack.to_string_lossy().into_owned();
    // Safe fixes only: the link's target is a declared name, a guess left to the author.
    let o = run(&["check", "--fix", &p]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("3 fixes applied"), "{}", text(&o));
    assert!(
        text(&o).contains("1 fixable with `cellac check --fix --unsafe-fixes`"),
        "{}",
        text(&o)
    );
    let fixed = std::fs::read_to_string(&stack).unwrap();
    assert_eq!(
        fixed,
        "stack shop region=fr-par\nservice api {\n    port 8080\n    memory 512\n}\nservice web {\n    port 8081\n    link apj env=API_URL\n}\n"
    );
    let o = run(&["check", "--fix", "--unsafe-fixes", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(std::fs::read_to_string(&stack)
        .unwrap()
        .contains("link api env=API_URL"));
    // Nothing left to fix: the file is not written again.
    let before = std::fs::metadata(&stack).unwrap().modified().unwrap();
    let o = run(&["check", "--fix", &p]);
    assert!(text(&o).contains("0 fixes applied"), "{}", text(&o));
    assert_eq!(
        std::fs::metadata(&stack).unwrap().modified().unwrap(),
        before
    );
    // `--unsafe-fixes` means nothing without `--fix`.
    assert_eq!(run(&["check", "--unsafe-fixes", &p]).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn check_fix_follows_a_link_to_the_file_and_keeps_the_link() {
    let d = dir("fix-link");
    let real = write(&d, "real.kdl", FIXABLE);
    let link = d.join("stack.kdl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&["check", "--fix", &link.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .contains("region=fr-par"));
}

#[test]
fn check_fix_on_stdin_prints_the_text() {
    let d = dir("fix-stdin");
    let o = run_in(&d, &["check", "--fix", "-"], Some(FIXABLE.as_bytes()));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("stack shop region=fr-par\n"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("3 fixes applied"));
    let o = run_in(
        &d,
        &["check", "--fix", "--format", "json", "-"],
        Some(FIXABLE.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("cellac::io::usage"), "{}", text(&o));
}

#[test]
fn fixes_and_environments_in_json_and_sarif() {
    let d = dir("fix-json");
    let stack = write(
        &d,
        "stack.kdl",
        "stack shop region=fr-pra\nservice api {\n    port 8080\n}\nenvironment dev\nenvironment prod {\n    service api {\n        scale min=5 max=3\n    }\n}\n",
    );
    let p = stack.to_string_lossy().into_owned();
    let o = run(&["check", "--format", "json", &p]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diags = v["diagnostics"].as_array().unwrap();
    let region = diags
        .iter()
        .find(|d| d["code"] == "cellac::region")
        .unwrap();
    assert_eq!(region["fixes"][0]["applicability"], "safe");
    assert_eq!(region["fixes"][0]["edits"][0]["text"], "fr-par");
    assert_eq!(region["environments"], serde_json::json!([]));
    let order = diags
        .iter()
        .find(|d| d["code"] == "cellac::scale::order")
        .unwrap();
    assert_eq!(order["environments"], serde_json::json!(["prod"]));
    assert_eq!(
        order["message"],
        "min=5 is above max=3 (environment `prod`)"
    );
    let o = run(&["check", "--format", "sarif", &p]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let region = results
        .iter()
        .find(|r| r["ruleId"] == "cellac::region")
        .unwrap();
    let replacement = &region["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "fr-par");
    assert_eq!(replacement["deletedRegion"]["startLine"], 1);
    let order = results
        .iter()
        .find(|r| r["ruleId"] == "cellac::scale::order")
        .unwrap();
    assert_eq!(
        order["properties"]["environments"],
        serde_json::json!(["prod"])
    );
}

/// Issue 24, item 2: `--secrets FILE` reads through the one secrets-file reader (the
/// language server's): a device or a file over 1 MiB is refused at once, as an IO error
/// that shows none of the file (it read `/dev/zero` until memory ran out).
#[test]
fn secrets_file_is_read_by_the_bounded_reader() {
    let d = dir("secrets-bounded");
    let s = write(&d, "stack.kdl", CLEAN);
    let big = d.join("big.tfvars");
    let mut text = String::from("token = \"");
    text.push_str(&"x".repeat((1 << 20) + 1));
    text.push_str("\"\n");
    std::fs::write(&big, &text).unwrap();
    let mut cases = vec![(
        big.to_string_lossy().to_string(),
        "larger than 1048576 bytes",
    )];
    if cfg!(target_os = "linux") {
        cases.push(("/dev/zero".to_string(), "not a regular file"));
    }
    for (path, why) in cases {
        let o = run(&["check", &s.to_string_lossy(), "--secrets", &path]);
        assert_eq!(o.status.code(), Some(2), "{path}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("cellac::io::read") && err.contains(why),
            "{err}"
        );
        assert!(!err.contains("xxxx"), "{err}");
    }
    // A file under the bound is read (negative control).
    let ok = write(&d, "ok.tfvars", "");
    let o = run(&[
        "check",
        &s.to_string_lossy(),
        "--secrets",
        &ok.to_string_lossy(),
    ]);
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `cellac build` names the images built per environment (issue 23), and only those.
#[test]
fn build_notes_images_built_per_environment() {
    let d = dir("per-env-images");
    let stack = write(
        &d,
        "stack.kdl",
        "stack shop\nservice api {\n    port 8000\n}\nservice web {\n    port 3000\n    image {\n        arg MODE=web\n        link api arg=API_URL\n    }\n}\nservice admin {\n    port 3000\n    image {\n        arg MODE=admin\n    }\n}\nenvironment staging {\n}\nenvironment prod {\n    service admin {\n        image dockerfile=\"admin/Dockerfile.prod\"\n    }\n}\n",
    );
    let out_dir = d.join("infra");
    let o = run(&[
        "build",
        &stack.to_string_lossy(),
        "-o",
        &out_dir.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("note: image `web` is built per environment (what differs between environments: build argument API_URL)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: image `admin` is built per environment (what differs between environments: its dockerfile)"),
        "{stderr}"
    );
    assert!(!stderr.contains("image `api`"), "{stderr}");
    let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert!(
        readme.contains("  - `web`: what differs between environments: build argument API_URL"),
        "{readme}"
    );
    // prod builds admin from its own Dockerfile: honoured, not refused.
    let images = std::fs::read_to_string(out_dir.join("scripts/images.sh")).unwrap();
    assert!(
        images.contains(
            "put 'admin' yes 'admin/Dockerfile.prod' '.' 'linux/amd64' --arg 'MODE' 'admin'"
        ),
        "{images}"
    );
    assert!(
        images
            .contains("put 'admin' yes 'admin/Dockerfile' '.' 'linux/amd64' --arg 'MODE' 'admin'"),
        "{images}"
    );
}
