//! Help that is followed gives a better file: the value a `cellac::schema::wrong-type`
//! help suggests, written in place of the wrong one, is of the right type (no loop such as
//! "put it in quotes" answered by "write it without quotes").

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
