//! `cellac adopt`: reads the stack and a Terraform state, writes `adopt.tf.json` into the
//! output folder, reports (and with `--fix` applies) the stack edits that keep live
//! resources. The logic is `crate::adopt`; this file only reads, writes and prints.

use super::error::CliError;
use super::input::{pick_env, read, replace_file};
use super::report::{fail, report, report_errors, Format};
use super::Exit;
use crate::diagnostic::Diagnostic;
use crate::render::Files;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(super) struct AdoptArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// The environment the state is of.
    #[arg(long, value_name = "ENV", required_unless_present = "done")]
    env: Option<String>,
    /// The environment's state: `terraform state pull` (raw, format version 4) or
    /// `terraform show -json`. Only identities are read; no value is ever shown.
    #[arg(long, value_name = "FILE", required_unless_present = "done")]
    state: Option<PathBuf>,
    /// Apply the stack edits that keep live resources (`name=`, `namespace=`,
    /// `project id=` in `environment ENV`) to the stack file.
    #[arg(long)]
    fix: bool,
    /// The output folder, where adopt.tf.json is written.
    #[arg(short, long, default_value = "infra")]
    out: PathBuf,
    /// After the first apply: remove adopt.tf.json from the output folder.
    #[arg(long, conflicts_with_all = ["state", "fix", "env"])]
    done: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// How many edits `--fix` makes at most: one per live bucket, namespace and project.
const ROUNDS: usize = 64;

fn state_error(format: Format, message: String) -> Exit {
    let d = Diagnostic::error("cellac::adopt::state", message).help(
        "give the environment's state: `terraform state pull > ENV.tfstate`, or `terraform show -json > ENV.json`",
    );
    CliError::named(d, "<state>").report(format)
}

pub(super) fn run(args: &AdoptArgs) -> Exit {
    let out = &args.out;
    let write_error = |e: crate::write::WriteError| CliError::write(&e, out).report(args.format);
    if args.done {
        return match crate::write::remove_adopt(out) {
            Ok(true) => {
                eprintln!("removed {}", out.join(crate::write::ADOPT).display());
                Exit::Ok
            }
            Ok(false) => {
                eprintln!("no {} to remove", out.join(crate::write::ADOPT).display());
                Exit::Ok
            }
            Err(e) => write_error(e),
        };
    }
    let (Some(env), Some(state_path)) = (&args.env, &args.state) else {
        return fail("--env and --state are required");
    };
    let mut input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return e.report(args.format),
    };
    if args.fix && args.stack.as_os_str() == "-" {
        return fail("--fix edits the stack file: name it (not `-`)");
    }
    // The state: read whole, kept by identity only; its text is never shown.
    let live = match std::fs::read(state_path) {
        Err(e) => {
            return state_error(
                args.format,
                format!(
                    "cannot read the state {}: {}",
                    state_path.display(),
                    crate::diagnostic::in_words(&e)
                ),
            )
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => {
                return state_error(
                    args.format,
                    format!("the state {} is not UTF-8 JSON", state_path.display()),
                )
            }
            Ok(text) => match crate::adopt::state::read(&text) {
                Ok(live) => live,
                Err(e) => {
                    return state_error(
                        args.format,
                        format!("cannot read the state {}: {}", state_path.display(), e.0),
                    )
                }
            },
        },
    };
    let mut checked = crate::check(&input.text);
    if checked.has_errors() || checked.envs.is_empty() {
        report_errors(args.format, &checked, &input);
        eprintln!("error: the stack has errors; fix them first (`cellac check`)");
        return Exit::Problems;
    }
    if let Err(e) = pick_env(&checked, Some(env), &input) {
        return e.report(args.format);
    }
    let mut adoption = crate::adopt::adopt(&input.text, &checked, env, &live);
    if args.fix {
        // One edit a round, then everything again on the edited text: a later edit's
        // place depends on the earlier ones (a new `environment` block).
        let mut text = input.text.clone();
        let mut applied = 0;
        for _ in 0..ROUNDS {
            let Some(d) = adoption.diagnostics.iter().find(|d| !d.fixes.is_empty()) else {
                break;
            };
            let Some((next, _)) =
                crate::fix::apply(&text, std::slice::from_ref(d), crate::fix::Mode::Safe)
            else {
                break;
            };
            let next_checked = crate::check(&next);
            if next_checked.has_errors() {
                eprintln!(
                    "error: a fix would leave the stack with errors; stopped before it ({})",
                    d.code
                );
                break;
            }
            text = next;
            checked = next_checked;
            applied += 1;
            adoption = crate::adopt::adopt(&text, &checked, env, &live);
        }
        if text != input.text {
            if let Err(e) = replace_file(&args.stack, &text) {
                eprintln!(
                    "error: cannot write {}: {}",
                    input.name,
                    crate::diagnostic::in_words(&e)
                );
                return Exit::Usage;
            }
            eprintln!("fixed {applied} in {}", input.name);
            input.text = text;
        }
    }
    let files = Files {
        stack_name: &input.name,
        stack: &input.text,
        secrets: None,
    };
    if !adoption.diagnostics.is_empty() {
        report(args.format, &adoption.diagnostics, &files);
    }
    let bytes = crate::emit::json_bytes(&crate::adopt::file(&adoption));
    if let Err(e) = crate::write::write_adopt(out, &bytes) {
        return write_error(e);
    }
    eprint!("{}", crate::adopt::summary(&adoption));
    eprintln!(
        "wrote {}: {} moved, {} forgotten, {} imported, {} kept in place",
        out.join(crate::write::ADOPT).display(),
        adoption.moved.len(),
        adoption.removed.len(),
        adoption.imports.len(),
        adoption.kept.len()
    );
    if adoption.has_errors() {
        eprintln!(
            "error: the first apply would still replace what holds data (above){}",
            if args.fix {
                ""
            } else {
                "; `cellac adopt --fix` applies the edits that keep it"
            }
        );
        return Exit::Problems;
    }
    Exit::Ok
}
