//! `cellac check`: reports every problem of a stack file (and of secrets files), and with
//! `--fix` applies the fixes first.

use super::error::CliError;
use super::input::{read, replace_file, Input};
use super::report::{report, Format};
use super::{secrets, Exit};
use crate::diagnostic::Diagnostic;
use crate::render::Files;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(super) struct CheckArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// A secrets file (`name = "value"` lines or JSON) to check; values are never shown.
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// An output folder: check every environment's `secrets/ENV.tfvars` with the shared
    /// `secrets.auto.tfvars` (per-environment secrets: each has its own value).
    #[arg(long, value_name = "DIR", conflicts_with = "secrets")]
    secrets_dir: Option<PathBuf>,
    /// Apply the safe fixes (a misspelt keyword, property or value; a value in the wrong
    /// form) to the stack file, then report what is left. With `-`, print the fixed text.
    #[arg(long)]
    fix: bool,
    /// With --fix, apply the unsafe fixes too: names guessed from a misspelling of a
    /// declared service, site, bucket, secret or variable.
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
}

/// Names of secrets set through `TF_VAR_NAME` (names only; values are never read).
fn secrets_in_env() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(k, _)| k.to_str()?.strip_prefix("TF_VAR_").map(String::from))
        .collect()
}

/// The values of the declared secrets set through `TF_VAR_NAME`, to check them (read for
/// declared secrets only, and never shown).
fn secret_values_in_env(checked: &crate::Checked) -> Vec<(String, String)> {
    checked
        .envs
        .first()
        .map(|s| s.secrets.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|x| {
            let name = &x.name.value;
            let v = std::env::var_os(format!("TF_VAR_{name}"))?;
            Some((name.clone(), v.to_string_lossy().into_owned()))
        })
        .collect()
}

pub(super) fn run(args: &CheckArgs) -> Exit {
    let mut input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return e.report(args.format),
    };
    if args.fix {
        if let Err(code) = fix_file(args, &mut input) {
            return code;
        }
    }
    let text = &input.text;
    let mut checked = crate::check(text);
    checked.check_env_secrets(&secret_values_in_env(&checked));
    let secrets = match &args.secrets {
        None => None,
        Some(path) => match secrets::read_secrets(path) {
            Ok(s) => {
                let masked = checked.check_secrets(&s.text, &secrets_in_env());
                Some((s.name, masked))
            }
            Err(e) => return e.report(args.format),
        },
    };
    if let Some(dir) = &args.secrets_dir {
        secrets::secrets_dir(&mut checked, dir);
    }
    let files = Files {
        stack_name: &input.name,
        stack: text,
        secrets: secrets.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
    };
    let diags = &checked.diagnostics;
    report(args.format, diags, &files);
    let fails = checked.has_errors() || args.deny_warnings && !diags.is_empty();
    if fails {
        Exit::Problems
    } else {
        Exit::Ok
    }
}

/// `check --fix`: applies the fixes to the input's text, then writes the file (through
/// a temporary file beside the real one) or, for standard input, prints the text. Says
/// how many fixes it applied on standard error.
fn fix_file(args: &CheckArgs, input: &mut Input) -> Result<(), Exit> {
    let stdin = args.stack.as_os_str() == "-";
    if stdin && args.format != Format::Human {
        let d = Diagnostic::error(
            "cellac::io::usage",
            "`--fix` on standard input prints the fixed text, so it reports in the human format only",
        )
        .help("drop `--format`, or give the file's path instead of `-`");
        return Err(CliError::named(d, input.name.clone()).report(args.format));
    }
    let mode = if args.unsafe_fixes {
        crate::fix::Mode::Unsafe
    } else {
        crate::fix::Mode::Safe
    };
    let fixed = crate::fix::fix(&input.text, mode);
    if stdin {
        print!("{}", fixed.text);
    } else if fixed.applied > 0 {
        if let Err(e) = replace_file(&args.stack, &fixed.text) {
            let d = Diagnostic::error(
                "cellac::io::write",
                format!(
                    "cannot write {}: {}",
                    input.name,
                    crate::diagnostic::in_words(&e)
                ),
            )
            .help("check the file's permissions; nothing was changed");
            return Err(CliError::named(d, input.name.clone()).report(args.format));
        }
    }
    if args.format == Format::Human {
        let s = if fixed.applied == 1 { "" } else { "es" };
        eprintln!("{}: {} fix{s} applied", input.name, fixed.applied);
    }
    input.text = fixed.text;
    Ok(())
}
