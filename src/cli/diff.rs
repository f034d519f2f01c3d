//! `cellac diff`: what a change to the stack does to each environment.

use super::input::{read, Input};
use super::report::{fail, hidden_values, report_errors, Format};
use super::Exit;
use clap::ValueEnum;
use std::path::Path;

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// For a pull-request comment.
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub(super) struct DiffArgs {
    /// The stack before the change: a file, or `git:REF:PATH` (e.g. git:origin/main:stack.kdl).
    old: String,
    /// The stack after the change.
    #[arg(default_value = "stack.kdl")]
    new: String,
    /// How to print the differences.
    #[arg(long, value_enum, default_value = "markdown")]
    format: DiffFormat,
}

/// A stack for `diff`: a file, `-`, or `git:REF:PATH` read with `git show`.
fn read_revision(spec: &str) -> Result<Input, Exit> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return read(Path::new(spec)).map_err(|e| e.report(Format::Human));
    };
    let Some((rev, path)) = rest.rsplit_once(':') else {
        return Err(fail(format!(
            "`{spec}` is not git:REF:PATH (e.g. git:origin/main:stack.kdl)"
        )));
    };
    // REF:PATH is one object name, never an option of git (`git:--output=x:y`).
    if rev.is_empty() || rev.starts_with('-') || path.starts_with('-') {
        return Err(fail(format!(
            "`{spec}` is not git:REF:PATH: REF must name a commit (it may not start with `-`)"
        )));
    }
    let out = std::process::Command::new("git")
        .args(["show", "--end-of-options", &format!("{rev}:{path}")])
        .output();
    match out {
        Ok(o) if o.status.success() => match String::from_utf8(o.stdout) {
            Ok(text) => Ok(Input {
                name: spec.to_string(),
                text,
            }),
            Err(_) => Err(fail(format!("{spec} is not UTF-8 text"))),
        },
        Ok(o) => Err(fail(format!(
            "cannot read {spec}: git says: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ))),
        Err(e) => Err(fail(format!(
            "cannot run git to read {spec}: {}",
            crate::diagnostic::in_words(&e)
        ))),
    }
}

pub(super) fn run(args: &DiffArgs) -> Exit {
    let mut sides = Vec::new();
    for spec in [&args.old, &args.new] {
        let input = match read_revision(spec) {
            Ok(i) => i,
            Err(code) => return code,
        };
        let (checked, files) = crate::build(&input.text, "../stack.kdl");
        let Some(files) = files else {
            report_errors(Format::Human, &checked, &input);
            eprintln!("error: {} has errors; fix them to compare", input.name);
            return Exit::Problems;
        };
        sides.push((input, checked, files));
    }
    let (old, new) = (&sides[0], &sides[1]);
    let mut envs = crate::diff::diff(&old.1.envs, &new.1.envs);
    crate::diff::whole(&old.1.envs, &new.1.envs, &old.2, &new.2, &mut envs);
    let files = crate::diff::files(&old.2, &new.2);
    let text = match args.format {
        DiffFormat::Markdown => crate::diff::markdown(&old.0.name, &new.0.name, &envs, &files),
        DiffFormat::Json => crate::diff::json(&old.0.name, &new.0.name, &envs, &files),
    };
    // The comparison quotes `env` values: credentials hidden there too.
    let mut known = hidden_values(&old.0.text, &old.1);
    known.extend(hidden_values(&new.0.text, &new.1));
    print!("{}", crate::credential::hide_in(&text, &known));
    Exit::Ok
}
