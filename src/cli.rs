//! The command line: reads files, calls the pure pipeline, prints, sets the exit code.

use crate::diagnostic::Diagnostic;
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

/// A file read for cellac: its name as shown, its text, or why it could not be read.
struct Input {
    name: String,
    text: String,
}

/// Reads a stack or secrets file; `-` is standard input, shown as `<stdin>`. Text that
/// is not UTF-8 is reported at its line and byte.
fn read(path: &Path) -> Result<Input, Box<(Diagnostic, Input)>> {
    use std::io::Read;
    let stdin = path.as_os_str() == "-";
    let name = if stdin {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let bytes = if stdin {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map(|_| b)
    } else if path.is_dir() {
        Err(std::io::Error::from(std::io::ErrorKind::IsADirectory))
    } else {
        std::fs::read(path)
    };
    let empty = |name: &str| Input {
        name: name.to_string(),
        text: String::new(),
    };
    let bytes = bytes.map_err(|e| {
        let d = Diagnostic::error(
            "cellac::io::read",
            format!("cannot read {name}: {}", crate::diagnostic::in_words(&e)),
        )
        .help(if stdin {
            "pipe the stack file in, e.g. `cellac check - < stack.kdl`".to_string()
        } else {
            "check the path; `cellac check` with no path reads ./stack.kdl, and `-` reads standard input".to_string()
        });
        Box::new((d, empty(&name)))
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Input { name, text }),
        Err(e) => {
            let bytes = e.into_bytes();
            let at = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            // The valid prefix is the same in the lossy text; the bad byte became U+FFFD.
            let d = Diagnostic::error(
                "cellac::io::encoding",
                format!(
                    "{name} is not UTF-8 text: line {line}, byte {} of the line (0x{:02x})",
                    at - line_start + 1,
                    bytes[at]
                ),
            )
            .at(
                crate::span::Span::new(at, at + '\u{fffd}'.len_utf8()),
                "not UTF-8",
            )
            .help("save the file as UTF-8 (stack files are KDL, which is UTF-8 text)");
            Err(Box::new((d, Input { name, text: lossy })))
        }
    }
}

/// Prints diagnostics in the chosen format: human on stderr, the others on stdout.
fn report(format: Format, diags: &[Diagnostic], files: &Files) {
    match format {
        Format::Human => eprint!("{}", render::human(diags, files, use_color())),
        Format::Json => print!("{}", render::json(diags, files)),
        Format::Github => print!("{}", render::github(diags, files)),
    }
}

/// Reports one IO or usage error, as a diagnostic in the chosen format, and gives the
/// exit code for it.
fn io_error(format: Format, d: Diagnostic, input: &Input, code: i32) -> i32 {
    let files = Files {
        stack_name: &input.name,
        stack: &input.text,
        secrets: None,
    };
    report(format, &[d], &files);
    code
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

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                let _ = e.print();
                return EXIT_OK;
            }
            // Asked for a machine-readable format: the usage error is a diagnostic too.
            let args: Vec<String> = std::env::args().collect();
            let format = args
                .windows(2)
                .find_map(|w| match (w[0].as_str(), w[1].as_str()) {
                    ("--format", "json") => Some(Format::Json),
                    ("--format", "github") => Some(Format::Github),
                    _ => None,
                });
            let format = format.or_else(|| {
                args.iter().find_map(|a| match a.as_str() {
                    "--format=json" => Some(Format::Json),
                    "--format=github" => Some(Format::Github),
                    _ => None,
                })
            });
            let text = e.render().to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first).to_string();
            let rest: Vec<&str> = lines.map(str::trim).filter(|l| !l.is_empty()).collect();
            let help = if rest.is_empty() {
                "run `cellac help` for the commands and their options".to_string()
            } else {
                format!("{}; run `cellac help` for more", rest.join("; "))
            };
            let d = Diagnostic::error("cellac::io::usage", message).help(help);
            let none = Input {
                name: "<command line>".into(),
                text: String::new(),
            };
            return io_error(format.unwrap_or(Format::Human), d, &none, EXIT_USAGE);
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
    let input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return io_error(args.format, e.0, &e.1, EXIT_USAGE),
    };
    let text = &input.text;
    let mut checked = crate::check(text);
    checked.check_env_secrets(&secret_values_in_env(&checked));
    let secrets = match &args.secrets {
        None => None,
        Some(path) => match read(path) {
            Ok(s) => {
                let masked = checked.check_secrets(&s.text, &secrets_in_env());
                Some((s.name, masked))
            }
            // Never shown: a secrets file's text only ever appears masked.
            Err(e) => {
                let (d, mut i) = *e;
                i.text.clear();
                let d = Diagnostic {
                    labels: Vec::new(),
                    ..d
                };
                return io_error(args.format, d, &i, EXIT_USAGE);
            }
        },
    };
    let files = Files {
        stack_name: &input.name,
        stack: text,
        secrets: secrets.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
    };
    let diags = &checked.diagnostics;
    report(args.format, diags, &files);
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
    let input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return io_error(args.format, e.0, &e.1, EXIT_USAGE),
    };
    let text = &input.text;
    let stack_path = if args.stack.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        relative(&args.stack, &args.out)
    };
    let (checked, files) = crate::build(text, &stack_path);
    let files_view = Files {
        stack_name: &input.name,
        stack: text,
        secrets: None,
    };
    let diags = &checked.diagnostics;
    if !diags.is_empty() {
        report(args.format, diags, &files_view);
    }
    // IO errors from here on: as diagnostics, with no place in the stack file.
    let io = |d: Diagnostic, code: i32| {
        let none = Input {
            name: input.name.clone(),
            text: String::new(),
        };
        io_error(args.format, d, &none, code)
    };
    let denied = args.deny_warnings && !diags.is_empty();
    let Some(files) = files.filter(|_| !denied) else {
        eprintln!("error: the stack has errors; nothing was written");
        return EXIT_PROBLEMS;
    };
    let out = &args.out;
    // One cellac at a time in the folder; an interrupted build is completed first.
    // `--check` on a folder that is not there has nothing to lock (and creates nothing).
    if out.exists() && !out.is_dir() {
        let d = Diagnostic::error(
            "cellac::io::output",
            format!(
                "the output folder {} is a file, not a folder",
                out.display()
            ),
        )
        .help("name a folder with -o (it is created when missing), or move the file away");
        return io(d, EXIT_USAGE);
    }
    if !args.check {
        if let Err(e) = std::fs::create_dir_all(out) {
            let d = Diagnostic::error(
                "cellac::io::output",
                format!(
                    "cannot create the output folder {}: {}",
                    out.display(),
                    crate::diagnostic::in_words(&e)
                ),
            )
            .help("name a folder you can write to with -o");
            return io(d, EXIT_USAGE);
        }
    }
    let _lock = if out.is_dir() {
        match crate::write::lock(out, crate::write::lock_timeout()) {
            Ok(lock) => Some(lock),
            Err(e) => return io(e.diagnostic(), e.exit_code()),
        }
    } else {
        None
    };
    let files = match only_envs(files, &args.envs, &checked, out) {
        Ok(f) => f,
        Err(e) => {
            let d = Diagnostic::error("cellac::io::usage", e)
                .help("name an environment the stack declares with --env");
            return io(d, EXIT_USAGE);
        }
    };
    if args.check {
        let links = crate::write::links(out, files.keys());
        if !links.is_empty() {
            let e = crate::write::WriteError::Link(links);
            return io(e.diagnostic(), e.exit_code());
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
            // The diff quotes generated files, old and new: credentials hidden there too.
            let secret: Vec<crate::span::Span> = checked
                .diagnostics
                .iter()
                .filter(|d| crate::render::SECRET_VALUE_CODES.contains(&d.code))
                .map(Diagnostic::span)
                .collect();
            let known = crate::credential::values(text, secret);
            let diff = crate::write::diff(out, &files, &stack_path);
            print!("{}", crate::credential::hide_in(&diff, &known));
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
        Err(e) => io(e.diagnostic(), e.exit_code()),
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
