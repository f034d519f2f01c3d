//! The command line: reads files, calls the pure pipeline, prints, sets the exit code.

use crate::render::{self, Files};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Exit codes: 0 clean (or warnings only), 1 problems found, 2 usage or IO error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_PROBLEMS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "cellac",
    version,
    about = "Compiles a KDL stack description into Terraform JSON and deploy scripts for Scaleway"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

#[derive(clap::Args)]
struct CheckArgs {
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
}

#[derive(clap::Args)]
struct BuildArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// The output folder.
    #[arg(short, long, default_value = "infra")]
    out: PathBuf,
    /// Write nothing; exit 1 when the folder differs from what a build would write.
    #[arg(long)]
    check: bool,
    /// With --check, print a unified diff of the differences.
    #[arg(long, requires = "check")]
    diff: bool,
    /// Overwrite generated files that were edited by hand.
    #[arg(long)]
    force: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Write only these environments' files (repeatable); the others' stay as they are.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a stack file and report every problem.
    Check(CheckArgs),
    /// Check a stack file and write its Terraform configuration and deploy scripts.
    Build(BuildArgs),
    /// Explain a diagnostic code, with an example and the fix.
    Explain {
        /// A code such as cellac::scale::singleton (the cellac:: prefix is optional).
        code: Option<String>,
    },
    /// Run the language server over stdio (for editors).
    Lsp,
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::InvalidData => "not UTF-8 text".to_string(),
            _ => e.to_string(),
        };
        format!("cannot read {}: {why}", path.display())
    })
}

fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Names of secrets set through `TF_VAR_NAME` (names only; values are never read).
fn secrets_in_env() -> Vec<String> {
    std::env::vars_os()
        .filter_map(|(k, _)| k.to_str()?.strip_prefix("TF_VAR_").map(String::from))
        .collect()
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Build(args) => build(&args),
        Command::Explain { code } => explain(code.as_deref()),
        Command::Lsp => crate::lsp::run(),
    }
}

fn check(args: &CheckArgs) -> i32 {
    let text = match read(&args.stack) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let mut checked = crate::check(&text);
    let secrets = match &args.secrets {
        None => None,
        Some(path) => match read(path) {
            Ok(s) => {
                let masked = checked.check_secrets(&s, &secrets_in_env());
                Some((path.display().to_string(), masked))
            }
            Err(e) => return fail(e),
        },
    };
    let name = args.stack.display().to_string();
    let files = Files {
        stack_name: &name,
        stack: &text,
        secrets: secrets.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
    };
    let diags = &checked.diagnostics;
    match args.format {
        Format::Human => eprint!("{}", render::human(diags, &files, use_color())),
        Format::Json => print!("{}", render::json(diags, &files)),
        Format::Github => print!("{}", render::github(diags, &files)),
    }
    let fails = checked.has_errors() || args.deny_warnings && !diags.is_empty();
    if fails {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

fn explain(code: Option<&str>) -> i32 {
    match code {
        None => {
            for c in crate::codes::CODES {
                println!("{:<38} {}", c.code, c.summary);
            }
            EXIT_OK
        }
        Some(code) => match crate::codes::find(code) {
            Some(c) => {
                print!("{}", crate::codes::explain(c));
                EXIT_OK
            }
            None => {
                let all: Vec<&str> = crate::codes::CODES.iter().map(|c| c.code).collect();
                let hint = crate::suggest::nearest(code, all.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                fail(format!(
                    "unknown code `{code}`{hint} Run `cellac explain` for the list"
                ))
            }
        },
    }
}

/// `path` relative to `base` (both taken from the current directory), with `/` separators.
fn relative(path: &Path, base: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let norm = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for c in cwd.join(p).components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    };
    let (p, b) = (norm(path), norm(base));
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel: Vec<String> = vec!["..".to_string(); b.len() - common];
    rel.extend(p[common..].iter().cloned());
    rel.join("/")
}

fn build(args: &BuildArgs) -> i32 {
    let text = match read(&args.stack) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let stack_path = relative(&args.stack, &args.out);
    let (checked, files) = crate::build(&text, &stack_path);
    let name = args.stack.display().to_string();
    let files_view = Files {
        stack_name: &name,
        stack: &text,
        secrets: None,
    };
    let diags = &checked.diagnostics;
    if !diags.is_empty() {
        match args.format {
            Format::Human => eprint!("{}", render::human(diags, &files_view, use_color())),
            Format::Json => print!("{}", render::json(diags, &files_view)),
            Format::Github => print!("{}", render::github(diags, &files_view)),
        }
    }
    let denied = args.deny_warnings && !diags.is_empty();
    let Some(files) = files.filter(|_| !denied) else {
        eprintln!("error: the stack has errors; nothing was written");
        return EXIT_PROBLEMS;
    };
    let out = &args.out;
    // One cellac at a time in the folder; an interrupted build is completed first.
    // `--check` on a folder that is not there has nothing to lock (and creates nothing).
    if !args.check {
        if let Err(e) = std::fs::create_dir_all(out) {
            return fail(format!("cannot create {}: {e}", out.display()));
        }
    }
    let _lock = if out.is_dir() {
        match crate::write::lock(out, crate::write::lock_timeout()) {
            Ok(lock) => Some(lock),
            Err(e @ crate::write::WriteError::Io(_)) => return fail(e),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_PROBLEMS;
            }
        }
    } else {
        None
    };
    let files = match only_envs(files, &args.envs, &checked, out) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    if args.check {
        let links = crate::write::links(out, files.keys());
        if !links.is_empty() {
            eprintln!("error: {}", crate::write::WriteError::Link(links));
            return EXIT_PROBLEMS;
        }
        let drift = crate::write::drift(out, &files, &stack_path);
        if drift.is_clean() {
            eprintln!("{}: up to date ({} files)", out.display(), files.len());
            return EXIT_OK;
        }
        for (label, list) in [
            ("missing", &drift.missing),
            ("stale", &drift.stale),
            ("extra", &drift.extra),
        ] {
            for p in list {
                println!("{label}: {}", out.join(p).display());
            }
        }
        if args.diff {
            print!("{}", crate::write::diff(out, &files, &stack_path));
        }
        eprintln!(
            "error: {} is not what `cellac build` would write; run `cellac build {} -o {}`",
            out.display(),
            args.stack.display(),
            out.display()
        );
        return EXIT_PROBLEMS;
    }
    let before = crate::write::drift(out, &files, &stack_path);
    match crate::write::write(out, &files, &stack_path, args.force) {
        Ok(removed) => {
            for p in &removed {
                eprintln!("removed {}", out.join(p).display());
            }
            let envs: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
            // The manifest is not counted: it is bookkeeping, not output.
            let changed = before
                .missing
                .iter()
                .chain(&before.stale)
                .filter(|p| p.as_str() != crate::write::MANIFEST)
                .count();
            if changed == 0 && removed.is_empty() {
                eprintln!(
                    "{} is up to date ({} files, environments: {})",
                    out.display(),
                    files.len(),
                    envs.join(", ")
                );
            } else {
                eprintln!(
                    "wrote {changed} of {} files to {} (environments: {})",
                    files.len(),
                    out.display(),
                    envs.join(", ")
                );
            }
            EXIT_OK
        }
        Err(e @ crate::write::WriteError::Io(_)) => fail(e),
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_PROBLEMS
        }
    }
}

/// With `--env`, the files of the other environments keep what is on disk (or are not
/// written, if they are not there yet), so they are neither rewritten nor removed.
fn only_envs(
    mut files: crate::emit::Artifacts,
    wanted: &[String],
    checked: &crate::Checked,
    out: &Path,
) -> Result<crate::emit::Artifacts, String> {
    if wanted.is_empty() {
        return Ok(files);
    }
    let names: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    for w in wanted {
        if !names.contains(&w.as_str()) {
            return Err(format!(
                "the stack has no environment `{w}`; {}",
                crate::suggest::did_you_mean(w, &names)
            ));
        }
    }
    let others: Vec<String> = names
        .iter()
        .filter(|n| !wanted.iter().any(|w| w == *n))
        .map(|n| format!("environments/{n}."))
        .collect();
    let keys: Vec<String> = files.keys().cloned().collect();
    for path in keys {
        if others
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
        {
            match crate::write::read_inside(out, &path) {
                Some(on_disk) => {
                    files.insert(path, on_disk);
                }
                None => {
                    files.remove(&path);
                }
            }
        }
    }
    Ok(files)
}
