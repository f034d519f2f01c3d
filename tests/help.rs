//! Help that is followed gives a better file: the value a `cellac::schema::wrong-type`
//! help suggests, written in place of the wrong one, is of the right type (no loop such as
//! "put it in quotes" answered by "write it without quotes").

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

/// A stack with `V` where a value of each type goes.
const TEMPLATES: &[&str] = &[
    "stack demo\nservice web {\n    port V\n}\n",
    "stack demo\nservice web {\n    scale min=V\n}\n",
    "stack demo\nservice web {\n    health \"/h\" interval=V\n}\n",
    "stack demo\nbucket b public=V\n",
    "stack demo\nservice web {\n    env A=V\n}\n",
    "stack demo\nservice V\n",
    "stack demo\nsecret s min-length=V\nservice web {\n    secret-env S=s\n}\n",
];

const VALUES: &[&str] = &[
    "\"4000\"",
    "\"1.5\"",
    "1.5",
    "-2.5e3",
    "1e300",
    "#true",
    "#false",
    "#null",
    "\"true\"",
    "\"x\"",
    "4000",
    "\"1e999\"",
    "#inf",
    "#nan",
    "\"-0\"",
];

/// The value a help suggests, as KDL text.
fn suggestion(help: &str) -> Option<String> {
    if let Some(rest) = help.split("such as ").nth(1) {
        return rest
            .split_whitespace()
            .next()
            .map(|s| s.trim_matches(['"', ',']).to_string());
    }
    if let Some((_, v)) = help.rsplit_once(": ") {
        return Some(v.trim().to_string());
    }
    let mut parts = help.split('`');
    parts.nth(1).map(str::to_string)
}

#[test]
fn wrong_type_help_does_not_loop() {
    let mut followed = 0;
    for t in TEMPLATES {
        for v in VALUES {
            let text = t.replace('V', v);
            let at = t.find('V').unwrap();
            for d in cellac::check(&text).diagnostics {
                if d.code != "cellac::schema::wrong-type" || d.span().start != at {
                    continue;
                }
                let help = d.help.clone().unwrap_or_default();
                let Some(fix) = suggestion(&help) else {
                    continue;
                };
                if fix.contains(' ') && !fix.starts_with('"') {
                    continue; // words, not a value: "an integer", "a duration such as ..."
                }
                followed += 1;
                let fixed = t.replace('V', &fix);
                let again: Vec<String> = cellac::check(&fixed)
                    .diagnostics
                    .iter()
                    .filter(|d| d.code == "cellac::schema::wrong-type" && d.span().start == at)
                    .map(|d| format!("{}: {:?}", d.message, d.help))
                    .collect();
                assert!(
                    again.is_empty(),
                    "{v} in {t:?}: help {help:?} gives {fix}, which is wrong again: {again:?}"
                );
            }
        }
    }
    assert!(followed > 15, "{followed}");
}

/// Every "did you mean `X`?" in the check fixtures, followed (`X` written in place of the
/// name), leaves no error where the name was.
#[test]
fn did_you_mean_suggestions_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checks");
    let mut texts: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kdl"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    // A link whose nearest service is private, or the linking service itself.
    texts.push((
        "private".into(),
        "stack demo\nservice backend {\n    private\n}\nservice backed2\nservice cdc {\n    link backnd env=API_URL\n}\n".into(),
    ));
    texts.push((
        "self".into(),
        "stack demo\nservice cdc {\n    link cdx env=API_URL\n}\nservice worker\n".into(),
    ));
    let mut followed = 0;
    for (name, text) in &texts {
        for d in cellac::check(text).diagnostics {
            let help = d.help.clone().unwrap_or_default();
            let Some(fix) = help
                .strip_prefix("did you mean `")
                .and_then(|r| r.split('`').next())
            else {
                continue;
            };
            let span = d.span();
            if text
                .get(span.range())
                .is_none_or(|w| w.contains([' ', '\n']))
            {
                continue; // not a single name
            }
            followed += 1;
            let fixed = format!("{}{fix}{}", &text[..span.start], &text[span.end..]);
            let again: Vec<String> = cellac::check(&fixed)
                .diagnostics
                .iter()
                .filter(|e| e.is_error() && e.span().start == span.start)
                .map(|e| format!("{}: {}", e.code, e.message))
                .collect();
            assert!(
                again.is_empty(),
                "{name}: {} suggests `{fix}`, which fails: {again:?}",
                d.code
            );
        }
    }
    assert!(followed >= 8, "{followed}");
}

/// A secrets file's unknown key is never told to become a key the file already sets
/// (that would set it twice, `cellac::secrets-file::duplicate`).
#[test]
fn secrets_file_suggestions_are_not_duplicates() {
    let stack = "stack demo\nsecret database_url\nsecret api_key\nservice web {\n    secret-env DB=database_url KEY=api_key\n}\n";
    let mut checked = cellac::check(stack);
    checked.check_secrets(
        "database_url = \"postgres://x\"\ndatabse_url = \"y\"\napi_key = \"z\"\n",
        &[],
    );
    let unknown = checked
        .diagnostics
        .iter()
        .find(|d| d.code == "cellac::secrets-file::unknown")
        .expect("databse_url is unknown");
    let help = unknown.help.as_deref().unwrap_or_default();
    assert!(!help.contains("database_url"), "{help}");
    assert!(!help.contains("api_key"), "{help}");
}
