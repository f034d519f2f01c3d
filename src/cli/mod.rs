//! The command line: the commands' definition (clap) and the dispatch. One module per
//! command reads files, calls the pure pipeline, prints and gives the exit status;
//! `input` and `report` hold what several commands share.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

mod adopt;
mod build;
mod check;
mod cost;
mod diff;
mod error;
mod explain;
mod fmt;
mod graph;
mod init;
mod input;
mod man;
mod report;
mod scan;
mod secrets;

use crate::diagnostic::Diagnostic;
use error::CliError;
use report::Format;

/// How a command ended, as its process exit status; ordered by gravity, so that
/// `max` keeps the worst of several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    /// 0: done; no problem found, or warnings only.
    Ok,
    /// 1: problems found in what the user gave (errors in the stack, a folder that
    /// is not up to date with `--check`, ...).
    Problems,
    /// 2: the command could not run: a usage error, a file that cannot be read or written.
    Usage,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Problems => 1,
            Exit::Usage => 2,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// A writer's error as an exit status: [`Exit::Problems`] for what the user can fix in
/// the folder, [`Exit::Usage`] for IO errors. Exit statuses belong to the CLI alone;
/// `write` returns typed errors.
pub fn write_exit(e: &crate::write::WriteError) -> Exit {
    if e.is_io() {
        Exit::Usage
    } else {
        Exit::Problems
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

#[derive(Subcommand)]
enum Command {
    /// Check a stack file and report every problem.
    Check(check::CheckArgs),
    /// Check a stack file and write its Terraform configuration and deploy scripts.
    Build(build::BuildArgs),
    /// Explain a diagnostic code, with an example and the fix.
    Explain {
        /// A code such as cellac::scale::singleton (the cellac:: prefix is optional).
        code: Option<String>,
    },
    /// Format stack files (the language server's formatter); every comment is kept.
    Fmt(fmt::FmtArgs),
    /// Draw one environment's architecture (Mermaid or Graphviz DOT).
    Graph(graph::GraphArgs),
    /// What a change to the stack does to each environment (a pull-request comment).
    Diff(diff::DiffArgs),
    /// Each environment's monthly cost floor and the unit prices of what traffic drives.
    Cost(cost::CostArgs),
    /// Write a first stack.kdl here from what the repository holds (never overwrites).
    Init(init::InitArgs),
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

pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if !e.use_stderr() {
                let _ = e.print();
                return Exit::Ok;
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
            return CliError::named(d, "<command line>").report(format.unwrap_or(Format::Human));
        }
    };
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Explain { code } => explain::run(code.as_deref()),
        Command::Fmt(args) => fmt::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Cost(args) => cost::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Adopt(args) => adopt::run(&args),
        // The protocol asks for 1 after `exit` without `shutdown`.
        Command::Lsp => match crate::lsp::run() {
            0 => Exit::Ok,
            _ => Exit::Problems,
        },
        Command::Completions { shell } => man::completions(shell),
        Command::Man { out } => man::man(out.as_deref()),
    }
}

/// The command line's definition, for completions and man pages.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
