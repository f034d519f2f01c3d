//! Self-describing fixtures, one per check code.
//!
//! `tests/fixtures/checks/*.kdl`: the first line is `// expect: CODE@LINE ...`, the codes
//! and 1-based lines of the primary labels the file must produce (warnings included).
//!
//! `tests/fixtures/secrets/CASE/`: a `stack.kdl` and one or more secrets files. Each
//! secrets file states what it must produce on its first line (`# expect: ...`), or, for
//! JSON, in a sibling `FILE.expect`. `CODE@LINE` points into the secrets file,
//! `CODE@stack:LINE` into the stack.
//!
//! Each fixture's human report (no colour) is snapshotted in `snapshots/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use cellac::diagnostic::{Diagnostic, Source};
use cellac::render::{self, Files};
use cellac::span::line_col;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

fn dirs_in(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The `CODE@LINE` list of an `expect:` line (`//` or `#` comment).
fn expectation(line: &str) -> Option<Vec<String>> {
    let rest = line
        .trim_start_matches(['/', '#'])
        .trim_start()
        .strip_prefix("expect:")?;
    Some(rest.split_whitespace().map(str::to_string).collect())
}

/// What a run produced, as `CODE@LINE` (stack diagnostics as `CODE@stack:LINE` when
/// `mark_stack`), in report order.
fn produced(
    diags: &[Diagnostic],
    stack: &str,
    secrets: Option<&str>,
    mark_stack: bool,
) -> Vec<String> {
    diags
        .iter()
        .map(|d| match (d.source, secrets) {
            (Source::Secrets, Some(text)) => {
                format!("{}@{}", d.code, line_col(text, d.span().start).0)
            }
            _ => {
                let line = line_col(stack, d.span().start).0;
                if mark_stack {
                    format!("{}@stack:{line}", d.code)
                } else {
                    format!("{}@{line}", d.code)
                }
            }
        })
        .collect()
}

fn snapshot(name: &str, input: &Path, report: &str) {
    insta::with_settings!({
        snapshot_path => "../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        input_file => input,
    }, {
        insta::assert_snapshot!(name, report);
    });
}

fn check_fixtures() -> Vec<PathBuf> {
    files_in(&Path::new(FIXTURES).join("checks"), "kdl")
}

/// The codes and lines each fixture produces are exactly those it expects.
#[test]
fn check_fixtures_produce_what_they_expect() {
    let mut failures = Vec::new();
    let fixtures = check_fixtures();
    assert!(fixtures.len() > 30, "fixtures not found");
    for path in &fixtures {
        let text = read(path);
        let Some(expected) = text.lines().next().and_then(expectation) else {
            failures.push(format!(
                "{}: the first line must be `// expect: CODE@LINE ...`",
                path.display()
            ));
            continue;
        };
        let mut checked = cellac::check(&text);
        focus(&mut checked.diagnostics, &text);
        let got = produced(&checked.diagnostics, &text, None, false);
        let codes = |v: &[String]| {
            v.iter()
                .map(|s| s.split('@').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        if codes(&got) != codes(&expected) {
            failures.push(format!(
                "{}: codes differ\n  expected: {}\n  got:      {}",
                stem(path),
                expected.join(" "),
                got.join(" ")
            ));
        } else if got != expected {
            failures.push(format!(
                "{}: lines differ\n  expected: {}\n  got:      {}",
                stem(path),
                expected.join(" "),
                got.join(" ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// Every diagnostic explains itself: a message, a primary label inside the text, help.
#[test]
fn check_fixture_diagnostics_are_complete_and_sorted() {
    for path in check_fixtures() {
        let text = read(&path);
        let diags = cellac::check(&text).diagnostics;
        for d in &diags {
            let name = stem(&path);
            assert!(!d.message.is_empty(), "{name}: {} has no message", d.code);
            assert!(
                d.help.as_deref().is_some_and(|h| !h.trim().is_empty()),
                "{name}: {} has no help",
                d.code
            );
            assert_eq!(
                d.labels.iter().filter(|l| l.primary).count(),
                1,
                "{name}: {} needs one primary label",
                d.code
            );
            for l in &d.labels {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= text.len(),
                    "{name}: {} label {:?} outside the text",
                    d.code,
                    l.span
                );
            }
            assert!(
                cellac::codes::find(d.code).is_some(),
                "{name}: {} is not in src/codes.rs",
                d.code
            );
        }
        let positions: Vec<usize> = diags.iter().map(|d| d.span().start).collect();
        assert!(
            positions.windows(2).all(|w| w[0] <= w[1]),
            "{}: not sorted by position",
            stem(&path)
        );
    }
}

#[test]
fn check_fixture_reports() {
    for path in check_fixtures() {
        let text = read(&path);
        let mut checked = cellac::check(&text);
        focus(&mut checked.diagnostics, &text);
        let files = Files {
            stack_name: "FIXTURE.kdl",
            stack: &text,
            secrets: None,
        };
        let report = render::human(&checked.diagnostics, &files, false);
        snapshot(&format!("check-{}", stem(&path)), &path, &report);
    }
}

/// Fixtures are short and mostly declare services without a `port` or `health`, which is
/// the warning `cellac::port::default`: it is left out of a fixture's results unless the
/// fixture's first line expects it (`port-default.kdl` does).
fn focus(diags: &mut Vec<cellac::diagnostic::Diagnostic>, text: &str) {
    if !text
        .lines()
        .next()
        .unwrap_or_default()
        .contains("cellac::port::default")
    {
        diags.retain(|d| d.code != "cellac::port::default");
    }
}

/// Adding a code to src/codes.rs without a fixture that produces it fails here.
#[test]
fn every_code_has_a_fixture() {
    let mut expected = std::collections::BTreeSet::new();
    for path in check_fixtures() {
        for e in read(&path)
            .lines()
            .next()
            .and_then(expectation)
            .unwrap_or_default()
        {
            expected.insert(e.split('@').next().unwrap().to_string());
        }
    }
    for case in dirs_in(&Path::new(FIXTURES).join("secrets")) {
        for (_, exp) in secrets_files(&case) {
            for e in exp {
                expected.insert(e.split('@').next().unwrap().to_string());
            }
        }
    }
    // IO and usage errors are not about a stack file, and per-environment secrets are
    // about a folder of secrets files: tests/cli.rs produces each. `cellac adopt`'s need
    // a Terraform state: tests/adopt.rs produces each.
    let missing: Vec<&str> = cellac::codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| !c.starts_with("cellac::io::") && *c != "cellac::secret::per-environment")
        .filter(|c| !c.starts_with("cellac::adopt::"))
        // Raised only when cellac itself fails: no stack may produce it.
        .filter(|c| *c != "cellac::internal")
        // Raised only by the language server, for a document it does not check.
        .filter(|c| *c != "cellac::lsp::too-large")
        .filter(|c| !expected.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture that expects them: {missing:?}"
    );
    let secrets: Vec<&str> = cellac::codes::CODES
        .iter()
        .map(|c| c.code)
        .filter(|c| c.starts_with("cellac::secrets-file::"))
        .collect();
    assert!(!secrets.is_empty());
}

/// The secrets files of a case with their expectations.
fn secrets_files(case: &Path) -> Vec<(PathBuf, Vec<String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tfvars" || e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let text = read(&f);
            let sidecar = PathBuf::from(format!("{}.expect", f.display()));
            let exp = text
                .lines()
                .next()
                .and_then(expectation)
                .or_else(|| {
                    sidecar
                        .exists()
                        .then(|| read(&sidecar))
                        .and_then(|s| expectation(s.trim()))
                })
                .unwrap_or_else(|| {
                    panic!("{}: no `# expect:` line and no .expect file", f.display())
                });
            (f, exp)
        })
        .collect()
}

struct SecretsRun {
    name: String,
    path: PathBuf,
    values: Vec<String>,
    report: String,
    got: Vec<String>,
    expected: Vec<String>,
}

fn secrets_runs() -> Vec<SecretsRun> {
    let mut runs = Vec::new();
    let cases = dirs_in(&Path::new(FIXTURES).join("secrets"));
    assert!(!cases.is_empty(), "secrets fixtures not found");
    for case in cases {
        let stack = read(&case.join("stack.kdl"));
        for (file, expected) in secrets_files(&case) {
            let secrets = read(&file);
            let mut checked = cellac::check(&stack);
            let masked = checked.check_secrets(&secrets, &[]);
            let file_name = file.file_name().unwrap().to_string_lossy().into_owned();
            let files = Files {
                stack_name: "stack.kdl",
                stack: &stack,
                secrets: Some((&file_name, &masked)),
            };
            let report = render::human(&checked.diagnostics, &files, false);
            let values = cellac::check::secrets_file::parse(&secrets, &mut Vec::new())
                .into_iter()
                .map(|e| e.value)
                .collect();
            runs.push(SecretsRun {
                name: format!("secrets-{}-{file_name}", stem(&case)),
                path: file,
                values,
                got: produced(&checked.diagnostics, &stack, Some(&masked), true),
                report,
                expected,
            });
        }
    }
    runs
}

#[test]
fn secrets_fixtures_produce_what_they_expect() {
    let failures: Vec<String> = secrets_runs()
        .into_iter()
        .filter(|r| r.got != r.expected)
        .map(|r| {
            format!(
                "{}\n  expected: {}\n  got:      {}",
                r.name,
                r.expected.join(" "),
                r.got.join(" ")
            )
        })
        .collect();
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

#[test]
fn secrets_fixture_reports_are_masked() {
    for run in secrets_runs() {
        // Every value in these fixtures carries `s3cr3t`; passwords carry `pa55`.
        for marker in ["s3cr3t", "pa55"] {
            assert!(
                !run.report.contains(marker),
                "{}: the report shows a value:\n{}",
                run.name,
                run.report
            );
        }
        for v in run.values.iter().filter(|v| v.len() >= 4) {
            assert!(
                !run.report.contains(v.as_str()),
                "{}: the report shows the value {v:?}",
                run.name
            );
        }
        snapshot(&run.name, &run.path, &run.report);
    }
}

/// Every code a check raises is in the registry, with the registry's severity.
#[test]
fn raised_codes_match_the_registry() {
    let mut texts: Vec<(String, String)> = check_fixtures()
        .into_iter()
        .map(|p| (stem(&p), read(&p)))
        .collect();
    for example in ["cella", "many", "minimal", "django", "release", "worker"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example)
            .join("stack.kdl");
        texts.push((example.to_string(), read(&path)));
    }
    let mut seen = 0;
    for (name, text) in &texts {
        for d in cellac::check(text).diagnostics {
            seen += 1;
            let registered = cellac::codes::find(d.code)
                .unwrap_or_else(|| panic!("{name}: `{}` is not in src/codes.rs", d.code));
            let severity = if d.is_error() { "error" } else { "warning" };
            assert_eq!(
                registered.severity, severity,
                "{name}: `{}` is raised as {severity}, registered as {}",
                d.code, registered.severity
            );
        }
    }
    assert!(seen > 50, "only {seen} diagnostics: fixtures not found?");
}

/// Every fix of every check fixture, applied alone: the result still parses, the
/// diagnostic it fixes is gone from that place, and no error appears that was not
/// there before (a fix may leave the next problem to see, never make a new one).
#[test]
fn every_fix_fixes_what_it_claims() {
    use cellac::diagnostic::Applicability;
    let mut fixes_seen = 0;
    let mut safe_seen = 0;
    for path in check_fixtures() {
        let text = read(&path);
        let before = cellac::check(&text);
        let errors_before: std::collections::BTreeSet<&str> = before
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        for d in before
            .diagnostics
            .iter()
            .filter(|d| d.source == Source::Stack)
        {
            for f in &d.fixes {
                fixes_seen += 1;
                safe_seen += usize::from(f.applicability == Applicability::Safe);
                let mut after = text.clone();
                let mut edits = f.edits.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for e in &edits {
                    after.replace_range(e.span.range(), &e.text);
                }
                let name = stem(&path);
                assert!(
                    cellac::syntax::parse(&after).is_ok(),
                    "{name}: `{}` gives text that does not parse:\n{after}",
                    f.title
                );
                let checked = cellac::check(&after);
                let start = d.span().start;
                let here = |diags: &[Diagnostic]| {
                    diags
                        .iter()
                        .filter(|x| x.code == d.code && x.span().start == start)
                        .count()
                };
                assert!(
                    here(&checked.diagnostics) < here(&before.diagnostics),
                    "{name}: `{}` leaves {} in place:\n{after}",
                    f.title,
                    d.code
                );
                for x in checked.diagnostics.iter().filter(|x| x.is_error()) {
                    assert!(
                        errors_before.contains(x.code),
                        "{name}: `{}` brings a new error {}: {}\n{after}",
                        f.title,
                        x.code,
                        x.message
                    );
                }
            }
        }
    }
    // The property holds over something: the fixtures carry fixes of both kinds.
    assert!(safe_seen >= 5, "{safe_seen} safe fixes in the fixtures");
    assert!(fixes_seen > safe_seen, "no unsafe fix in the fixtures");
}

/// Diagnostics seen in some environments only carry them as data; the message people
/// read names them, and one seen in every environment names none.
#[test]
fn environments_are_data() {
    let text = "stack shop region=fr-par\nservice api {\n  port 8080\n  scale min=1 max=2\n}\nenvironment dev\nenvironment prod {\n  service api {\n    scale min=5 max=3\n  }\n}\nenvironment staging {\n  service api {\n    scale min=5 max=3\n  }\n}\n";
    let checked = cellac::check(text);
    let order: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code == "cellac::scale::order")
        .collect();
    assert_eq!(order.len(), 2, "{:#?}", checked.diagnostics);
    for d in &order {
        assert_eq!(d.message, "min=5 is above max=3");
        assert_eq!(d.environments.len(), 1);
        assert_eq!(
            d.headline(),
            format!("min=5 is above max=3 (environment `{}`)", d.environments[0])
        );
    }
    let all = "stack shop region=fr-par\nservice api {\n  port 8080\n  scale min=5 max=3\n}\nenvironment dev\nenvironment prod\n";
    let checked = cellac::check(all);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "cellac::scale::order")
        .expect("scale::order");
    assert!(d.environments.is_empty(), "{d:#?}");
    assert_eq!(d.headline(), "min=5 is above max=3");
}

/// A code's family is the file of `src/check/` that raises it (`cellac::cpu::range` in
/// `cpu.rs`), or the folder (`cellac::secret::per-environment` in
/// `secret/per_environment.rs`), so a newcomer finds a check from its code. The one
/// exception says why.
#[test]
fn a_code_lives_in_its_family_file() {
    // Raised by a file of another family, and why: every name's length is measured in
    // one pass, a preview's with its longest id.
    const ELSEWHERE: [(&str, &str); 1] = [("name", "preview")];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check");
    let mut sources: Vec<(String, PathBuf)> = files_in(&dir, "rs")
        .into_iter()
        .filter(|p| stem(p) != "mod")
        .map(|p| (stem(&p), p))
        .collect();
    for folder in dirs_in(&dir) {
        for p in files_in(&folder, "rs") {
            sources.push((stem(&folder), p));
        }
    }
    assert!(sources.len() > 20, "{sources:?}");
    let mut wrong = Vec::new();
    for (owner, path) in &sources {
        for family in families(&read(path)) {
            let own = family == owner.replace('_', "-");
            if !own && !ELSEWHERE.contains(&(owner.as_str(), family.as_str())) {
                wrong.push(format!("{} raises cellac::{family}::*", path.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The families of the `"cellac::FAMILY..."` codes in a source text.
fn families(text: &str) -> std::collections::BTreeSet<String> {
    text.match_indices("\"cellac::")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest.chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect::<String>()
        })
        .filter(|f| !f.is_empty())
        .collect()
}

/// A job's memory goes up to Serverless Jobs' 16 GB, in any size; past it, a range error.
#[test]
fn job_memory_is_bounded_by_the_jobs_limit() {
    let job = |mb: &str| {
        format!("stack shop region=fr-par\njob nightly {{\n    image ref=\"rg.fr-par.scw.cloud/ns/tool:1\"\n    command \"true\"\n    memory {mb}\n}}\n")
    };
    let ok = cellac::check(&job("16384"));
    assert!(ok.diagnostics.is_empty(), "{:#?}", ok.diagnostics);
    assert_eq!(ok.envs[0].jobs[0].cpu(), 2240);
    let over = cellac::check(&job("20000"));
    let codes: Vec<&str> = over.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["cellac::schema::range"]);
}

/// Issue 22, class 5: a nearest-name rename that adds or removes a negation, or goes
/// further than a spelling mistake, is only a suggestion: `check --fix` leaves
/// `not-public=#true` alone (it would make a bucket world-readable), while a plain
/// misspelling (`mni=` for `min=`) is still fixed.
#[test]
fn safe_fixes_never_flip_a_meaning() {
    use cellac::diagnostic::Applicability;
    use cellac::fix::{fix, Mode};
    let text = read(&Path::new(FIXTURES).join("checks/schema-unknown-property-negation.kdl"));
    let checked = cellac::check(&text);
    let fixes: Vec<_> = checked
        .diagnostics
        .iter()
        .flat_map(|d| d.fixes.iter())
        .collect();
    assert!(!fixes.is_empty(), "the nearest name is still suggested");
    assert!(
        fixes
            .iter()
            .all(|f| f.applicability == Applicability::Unsafe),
        "{:?}",
        fixes.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let safe = fix(&text, Mode::Safe);
    assert_eq!(safe.applied, 0);
    assert_eq!(safe.text, text);
    assert!(!safe.text.contains(" public=#true"));
    // Negative control: the unsafe mode does apply them, and a real typo is safe.
    let unsafe_ = fix(&text, Mode::Unsafe);
    assert!(
        unsafe_.text.contains("media public=#true"),
        "{}",
        unsafe_.text
    );
    let typo = read(&Path::new(FIXTURES).join("checks/schema-unknown-property-typo.kdl"));
    let fixed = fix(&typo, Mode::Safe);
    assert!(fixed.text.contains("scale min=1 max=3"), "{}", fixed.text);
}

/// Issue 23: a secret used as a Redis password is at least 8 characters (Scaleway's
/// rule): its `min-length` is raised to 8, never lowered (32 stays 32), and a secret
/// no Redis uses keeps none.
#[test]
fn a_redis_password_is_at_least_8_characters() {
    let text = "stack s\nnetwork\nsecret pw\nsecret long min-length=32\nsecret other\nredis a password=pw\nredis b password=long\nservice web {\n    port 8080\n    redis a\n    redis b env=B_URL\n    secret-env OTHER=other\n}\n";
    let checked = cellac::check(text);
    let stack = &checked.envs[0];
    let min = |name: &str| {
        stack
            .secret(name)
            .and_then(|s| s.min_length.as_ref())
            .map(|m| m.value)
    };
    assert_eq!(min("pw"), Some(8));
    assert_eq!(min("long"), Some(32));
    assert_eq!(min("other"), None);
    // The Terraform variable refuses a shorter value too.
    let (_, files) = cellac::build(text, "../stack.kdl");
    let vars = String::from_utf8(files.expect("builds")["variables.tf.json"].clone()).unwrap();
    assert!(vars.contains("length(var.pw) >= 8"), "{vars}");
}
