//! The command line: reads files, calls the pure pipeline, prints, sets the exit code.

use crate::diagnostic::Diagnostic;
use crate::render::{self, Files};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

mod adopt;
mod scan;
mod secrets;

/// Exit codes: 0 clean (or warnings only), 1 problems found, 2 usage or IO error.
pub const EXIT_OK: i32 = 0;
pub const EXIT_PROBLEMS: i32 = 1;
pub const EXIT_USAGE: i32 = 2;

/// A writer's error as an exit code: 1 for what the user can fix in the folder, 2 for
/// IO errors. Exit codes belong to the CLI alone; `write` returns typed errors.
pub fn write_exit(e: &crate::write::WriteError) -> i32 {
    if e.is_io() {
        EXIT_USAGE
    } else {
        EXIT_PROBLEMS
    }
}

#[derive(Parser)]
#[command(
    name = "cellac",
    version,
    propagate_version = true,
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
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
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

#[derive(clap::Args)]
struct FmtArgs {
    /// The stack files to format in place; `-` formats standard input to standard output.
    #[arg(default_value = "stack.kdl")]
    files: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    check: bool,
    /// Spaces per indentation level.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=16))]
    indent: u32,
    /// Indent with tabs instead of spaces.
    #[arg(long, conflicts_with = "indent")]
    tabs: bool,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// A Graphviz digraph (`dot -Tsvg`).
    Dot,
}

#[derive(clap::Args)]
struct GraphArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// The environment to draw (default: the first the stack declares).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// The diagram's language.
    #[arg(long, value_enum, default_value = "mermaid")]
    format: GraphFormat,
}

#[derive(clap::Args)]
struct InitArgs {
    /// The stack's name (default: this folder's name, made valid).
    #[arg(long)]
    name: Option<String>,
    /// The Scaleway region.
    #[arg(long, default_value = "fr-par", value_parser = crate::model::REGIONS)]
    region: String,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum CostFormat {
    Human,
    Json,
}

#[derive(clap::Args)]
struct CostArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// Only this environment (default: every one).
    #[arg(long, value_name = "NAME")]
    env: Option<String>,
    /// How to print the costs.
    #[arg(long, value_enum, default_value = "human")]
    format: CostFormat,
}

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// For a pull-request comment.
    Markdown,
    Json,
}

#[derive(clap::Args)]
struct DiffArgs {
    /// The stack before the change: a file, or `git:REF:PATH` (e.g. git:origin/main:stack.kdl).
    old: String,
    /// The stack after the change.
    #[arg(default_value = "stack.kdl")]
    new: String,
    /// How to print the differences.
    #[arg(long, value_enum, default_value = "markdown")]
    format: DiffFormat,
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
    /// Format stack files (the language server's formatter); every comment is kept.
    Fmt(FmtArgs),
    /// Draw one environment's architecture (Mermaid or Graphviz DOT).
    Graph(GraphArgs),
    /// What a change to the stack does to each environment (a pull-request comment).
    Diff(DiffArgs),
    /// Each environment's monthly cost floor and the unit prices of what traffic drives.
    Cost(CostArgs),
    /// Write a first stack.kdl here from what the repository holds (never overwrites).
    Init(InitArgs),
    /// Take over a running deployment from its Terraform state: adopt.tf.json and the stack edits that keep what holds data.
    Adopt(adopt::AdoptArgs),
    /// Run the language server over stdio (for editors).
    Lsp,
    /// Print a shell completion script (e.g. `cellac completions bash > ~/.local/share/bash-completion/completions/cellac`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output, or write one page per command to a folder.
    Man {
        /// Write cellac.1 and cellac-COMMAND.1 pages into this folder instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
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
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
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
        Format::Sarif => print!("{}", render::sarif(diags, files)),
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
                    ("--format", "sarif") => Some(Format::Sarif),
                    _ => None,
                });
            let format = format.or_else(|| {
                args.iter().find_map(|a| match a.as_str() {
                    "--format=json" => Some(Format::Json),
                    "--format=github" => Some(Format::Github),
                    "--format=sarif" => Some(Format::Sarif),
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
        Command::Fmt(args) => fmt(&args),
        Command::Graph(args) => graph(&args),
        Command::Init(args) => init(&args),
        Command::Cost(args) => cost(&args),
        Command::Diff(args) => diff(&args),
        Command::Adopt(args) => adopt::run(&args),
        Command::Lsp => crate::lsp::run(),
        Command::Completions { shell } => completions(shell),
        Command::Man { out } => man(out.as_deref()),
    }
}

/// Formats one text, or says why it is left as it is. Refuses, rather than write, when
/// the text does not parse, or when the result
/// would not parse, format to itself, or check to the same codes.
/// The same checks as the editor's formatting: [`crate::lsp::format::format_safely`].
fn format_text(text: &str, args: &FmtArgs) -> Result<String, String> {
    crate::lsp::format::format_safely(text, args.indent, !args.tabs).map_err(|r| r.to_string())
}

/// Replaces a file's text through a sibling temporary file, keeping its permissions. A
/// symbolic link is followed: the file it points at is replaced, the link stays.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let path = &std::fs::canonicalize(path)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // One temporary name per process: two runs at once never write the same file; and
    // created new, so that a file or link already there is never followed or written.
    let tmp = path.with_file_name(format!(".{name}.cellac-{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)?;
    let done = std::io::Write::write_all(&mut file, text.as_bytes())
        .and_then(|()| std::fs::metadata(path))
        .and_then(|m| std::fs::set_permissions(&tmp, m.permissions()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

fn fmt(args: &FmtArgs) -> i32 {
    use std::io::Write;
    let (mut changed, mut unchanged, mut refused) = (Vec::new(), 0, 0);
    let mut code = EXIT_OK;
    for path in &args.files {
        let input = match read(path) {
            Ok(i) => i,
            Err(e) => {
                let (d, i) = *e;
                io_error(Format::Human, d, &i, EXIT_USAGE);
                code = EXIT_USAGE;
                continue;
            }
        };
        let out = match format_text(&input.text, args) {
            Ok(out) => out,
            Err(why) => {
                eprintln!("error: {} was not formatted: {why}", input.name);
                refused += 1;
                code = code.max(EXIT_PROBLEMS);
                continue;
            }
        };
        let stdin = path.as_os_str() == "-";
        if out == input.text {
            unchanged += 1;
        } else {
            changed.push(input.name.clone());
        }
        if args.check {
            if out != input.text {
                println!("{}", input.name);
            }
        } else if stdin {
            let _ = std::io::stdout().write_all(out.as_bytes());
        } else if out != input.text {
            if let Err(e) = replace_file(path, &out) {
                eprintln!(
                    "error: cannot write {}: {}",
                    input.name,
                    crate::diagnostic::in_words(&e)
                );
                code = EXIT_USAGE;
            }
        }
    }
    let n = |k: usize| if k == 1 { "file" } else { "files" };
    if args.check {
        if !changed.is_empty() {
            eprintln!(
                "{} {} would be reformatted; run `cellac fmt`",
                changed.len(),
                n(changed.len())
            );
            code = code.max(EXIT_PROBLEMS);
        } else if refused == 0 && code == EXIT_OK {
            eprintln!("{unchanged} {} already formatted", n(unchanged));
        }
    } else if !args.files.iter().any(|p| p.as_os_str() == "-") {
        for name in &changed {
            eprintln!("formatted {name}");
        }
        eprintln!(
            "{} {} formatted, {unchanged} unchanged",
            changed.len(),
            n(changed.len())
        );
    }
    code
}

/// Reads and checks a stack for a command that needs a clean one (graph, cost, ...):
/// the checked stack, or the exit code after the problems were reported.
fn checked_stack(path: &Path) -> Result<(Input, crate::Checked), i32> {
    let input = match read(path) {
        Ok(i) => i,
        Err(e) => return Err(io_error(Format::Human, e.0, &e.1, EXIT_USAGE)),
    };
    let checked = crate::check(&input.text);
    if checked.has_errors() || checked.envs.is_empty() {
        let files = Files {
            stack_name: &input.name,
            stack: &input.text,
            secrets: None,
        };
        let errors: Vec<Diagnostic> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        report(Format::Human, &errors, &files);
        return Err(EXIT_PROBLEMS);
    }
    Ok((input, checked))
}

/// The environment named by `--env`, or the first one.
fn pick_env<'a>(
    checked: &'a crate::Checked,
    env: Option<&str>,
    input: &Input,
) -> Result<&'a crate::model::Stack, i32> {
    let Some(want) = env else {
        return Ok(&checked.envs[0]);
    };
    if let Some(s) = checked.envs.iter().find(|s| s.env.value == want) {
        return Ok(s);
    }
    let names: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    let d = Diagnostic::error(
        "cellac::io::usage",
        format!(
            "the stack has no environment `{want}`; {}",
            crate::suggest::did_you_mean(want, &names)
        ),
    )
    .help("name an environment the stack declares with --env");
    let none = Input {
        name: input.name.clone(),
        text: String::new(),
    };
    Err(io_error(Format::Human, d, &none, EXIT_USAGE))
}

fn graph(args: &GraphArgs) -> i32 {
    let (input, checked) = match checked_stack(&args.stack) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let stack = match pick_env(&checked, args.env.as_deref(), &input) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let format = match args.format {
        GraphFormat::Mermaid => crate::graph::GraphFormat::Mermaid,
        GraphFormat::Dot => crate::graph::GraphFormat::Dot,
    };
    print!("{}", crate::graph::graph(stack, format));
    EXIT_OK
}

fn cost(args: &CostArgs) -> i32 {
    let (input, checked) = match checked_stack(&args.stack) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let envs: Vec<&crate::model::Stack> = match &args.env {
        Some(_) => match pick_env(&checked, args.env.as_deref(), &input) {
            Ok(s) => vec![s],
            Err(code) => return code,
        },
        None => checked.envs.iter().collect(),
    };
    let costs: Vec<crate::cost::EnvCost> = envs.iter().map(|s| crate::cost::env_cost(s)).collect();
    let name = &checked.envs[0].name.value;
    match args.format {
        CostFormat::Human => print!("{}", crate::cost::human(name, &costs)),
        CostFormat::Json => print!("{}", crate::cost::json(name, &costs)),
    }
    EXIT_OK
}

/// A stack for `diff`: a file, `-`, or `git:REF:PATH` read with `git show`.
fn read_revision(spec: &str) -> Result<Input, i32> {
    let Some(rest) = spec.strip_prefix("git:") else {
        return read(Path::new(spec)).map_err(|e| io_error(Format::Human, e.0, &e.1, EXIT_USAGE));
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

/// Every value of a stack file that a report hides: what looks like a credential, and
/// what a check calls secret.
fn hidden_values(text: &str, checked: &crate::Checked) -> Vec<String> {
    let secret: Vec<crate::span::Span> = checked
        .diagnostics
        .iter()
        .filter(|d| crate::render::SECRET_VALUE_CODES.contains(&d.code))
        .map(Diagnostic::span)
        .collect();
    crate::credential::values(text, secret)
}

fn diff(args: &DiffArgs) -> i32 {
    let mut sides = Vec::new();
    for spec in [&args.old, &args.new] {
        let input = match read_revision(spec) {
            Ok(i) => i,
            Err(code) => return code,
        };
        let (checked, files) = crate::build(&input.text, "../stack.kdl");
        let Some(files) = files else {
            let view = Files {
                stack_name: &input.name,
                stack: &input.text,
                secrets: None,
            };
            let errors: Vec<Diagnostic> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            report(Format::Human, &errors, &view);
            eprintln!("error: {} has errors; fix them to compare", input.name);
            return EXIT_PROBLEMS;
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
    EXIT_OK
}

fn init(args: &InitArgs) -> i32 {
    use std::io::Write;
    let dir = Path::new(".");
    let path = dir.join("stack.kdl");
    if path.exists() {
        return fail("stack.kdl already exists here; `cellac init` never overwrites a file (`cellac check` checks it)");
    }
    let found = scan::scan(dir);
    let text = crate::init::render(&found, args.name.as_deref(), &args.region);
    let checked = crate::check(&text);
    // The deployers' IAM ids are not in the repository: the stack leaves them to the
    // user (a commented `deployer` line) and `check` warns until they are written.
    let implicit = |d: &crate::diagnostic::Diagnostic| d.code == "cellac::deployer::implicit";
    let asks_deployers = checked.diagnostics.iter().any(implicit);
    if checked.diagnostics.iter().any(|d| !implicit(d)) {
        // A bug in init: say what, write nothing.
        let files = Files {
            stack_name: "stack.kdl (not written)",
            stack: &text,
            secrets: None,
        };
        report(Format::Human, &checked.diagnostics, &files);
        return fail("the stack init would write does not check clean; nothing was written (please report this)");
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path);
    let written = file.and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        return fail(format!(
            "cannot write stack.kdl: {}",
            crate::diagnostic::in_words(&e)
        ));
    }
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let stack = &checked.envs[0];
    eprintln!(
        "wrote stack.kdl: {}, {}, {}, {} (environments: dev, prod); next: {}`cellac build`",
        count(stack.services.len(), "service"),
        count(stack.sites.len(), "site"),
        count(stack.secrets.len(), "secret"),
        count(stack.vars.len(), "var"),
        if asks_deployers {
            "write who deploys (`deployer application=` or `user=`), then "
        } else {
            ""
        },
    );
    EXIT_OK
}

/// The command line's definition, for completions and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

fn completions(shell: clap_complete::Shell) -> i32 {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "cellac", &mut std::io::stdout());
    EXIT_OK
}

fn man(out: Option<&Path>) -> i32 {
    let cmd = command();
    match out {
        None => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut page) {
                Ok(()) => {
                    use std::io::Write;
                    let _ = std::io::stdout().write_all(&page);
                    EXIT_OK
                }
                Err(e) => fail(format!("cannot render the man page: {e}")),
            }
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!(
                    "cannot create {}: {}",
                    dir.display(),
                    crate::diagnostic::in_words(&e)
                ));
            }
            // Written into a new folder of our own, then each page renamed into place: a
            // page name that is a symbolic link is replaced, never written through
            // (issue 22).
            let staging = dir.join(format!(".cellac-man-{}", std::process::id()));
            let done = std::fs::create_dir(&staging)
                .and_then(|()| clap_mangen::generate_to(cmd, &staging))
                .and_then(|()| {
                    for entry in std::fs::read_dir(&staging)? {
                        let entry = entry?;
                        std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
                    }
                    Ok(())
                });
            let _ = std::fs::remove_dir_all(&staging);
            match done {
                Ok(()) => {
                    eprintln!("wrote the man pages to {}", dir.display());
                    EXIT_OK
                }
                Err(e) => fail(format!(
                    "cannot write the man pages to {}: {}",
                    dir.display(),
                    crate::diagnostic::in_words(&e)
                )),
            }
        }
    }
}

fn check(args: &CheckArgs) -> i32 {
    let mut input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return io_error(args.format, e.0, &e.1, EXIT_USAGE),
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
            Err(e) => return io_error(args.format, e.0, &e.1, EXIT_USAGE),
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
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }
}

/// `check --fix`: applies the fixes to the input's text, then writes the file (through
/// a temporary file beside the real one) or, for standard input, prints the text. Says
/// how many fixes it applied on standard error.
fn fix_file(args: &CheckArgs, input: &mut Input) -> Result<(), i32> {
    let stdin = args.stack.as_os_str() == "-";
    if stdin && args.format != Format::Human {
        let d = Diagnostic::error(
            "cellac::io::usage",
            "`--fix` on standard input prints the fixed text, so it reports in the human format only",
        )
        .help("drop `--format`, or give the file's path instead of `-`");
        return Err(io_error(args.format, d, input, EXIT_USAGE));
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
            return Err(io_error(args.format, d, input, EXIT_USAGE));
        }
    }
    if args.format == Format::Human {
        let s = if fixed.applied == 1 { "" } else { "es" };
        eprintln!("{}: {} fix{s} applied", input.name, fixed.applied);
    }
    input.text = fixed.text;
    Ok(())
}

fn explain(code: Option<&str>) -> i32 {
    match code {
        None => {
            for c in crate::codes::CODES {
                println!("{:<38} {}", c.code, c.summary());
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
    let checked = crate::check(text);
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
    if denied || checked.has_errors() || checked.envs.is_empty() {
        eprintln!("error: the stack has errors; nothing was written");
        return EXIT_PROBLEMS;
    }
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
            Err(e) => return io(e.diagnostic(), write_exit(&e)),
        }
    } else {
        None
    };
    let envs: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    // The same stack and the same cellac as the build that wrote the folder, and every
    // file as it was written: nothing to emit, nothing to write (see `write::up_to_date`).
    let inputs = if args.envs.is_empty() && out.is_dir() {
        crate::write::inputs(text, &stack_path)
    } else {
        None
    };
    if let Some(n) = inputs
        .as_deref()
        .and_then(|i| crate::write::up_to_date(out, i))
    {
        if args.check {
            eprintln!("{}: up to date ({n} files)", out.display());
        } else {
            eprintln!(
                "{} is up to date ({n} files, environments: {})",
                out.display(),
                envs.join(", ")
            );
        }
        return EXIT_OK;
    }
    // Scripts and README whose template data did not change since the last build are
    // taken from the folder (hash-checked) rather than rendered again.
    let earlier = inputs.as_ref().map(|_| crate::write::earlier(out));
    let earlier = earlier.as_ref().map(|f| f as crate::emit::scripts::Earlier);
    let Some((files, renders)) = crate::emit_checked_reusing(&checked, &stack_path, earlier) else {
        eprintln!("error: the stack has errors; nothing was written");
        return EXIT_PROBLEMS;
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
            return io(e.diagnostic(), write_exit(&e));
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
            let known = hidden_values(text, &checked);
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
    match crate::write::write_changes(out, &files, &stack_path, args.force) {
        Ok(crate::write::Written { changed, removed }) => {
            if let Some(i) = &inputs {
                crate::write::remember(out, i, &renders);
            }
            for p in &removed {
                eprintln!("removed {}", out.join(p).display());
            }
            // Images built per environment rather than once and promoted (issue 23).
            for i in crate::model::build::image_builds(&checked.envs) {
                if let Some(why) = i.why_per_env() {
                    eprintln!("note: image `{}` is built per environment ({why})", i.name);
                }
            }
            // The manifest is not counted: it is bookkeeping, not output.
            let changed = changed.len();
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
        Err(e) => io(e.diagnostic(), write_exit(&e)),
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
