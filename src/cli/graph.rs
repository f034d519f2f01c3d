//! `cellac graph`: one environment's architecture as Mermaid or Graphviz DOT.

use super::input::{checked_stack, pick_env};
use super::Exit;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum GraphFormat {
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
    /// A Graphviz digraph (`dot -Tsvg`).
    Dot,
}

#[derive(clap::Args)]
pub(super) struct GraphArgs {
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

pub(super) fn run(args: &GraphArgs) -> Exit {
    let (input, checked) = match checked_stack(&args.stack) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let stack = match pick_env(&checked, args.env.as_deref(), &input) {
        Ok(s) => s,
        Err(e) => return e.report(super::report::Format::Human),
    };
    let format = match args.format {
        GraphFormat::Mermaid => crate::graph::GraphFormat::Mermaid,
        GraphFormat::Dot => crate::graph::GraphFormat::Dot,
    };
    print!("{}", crate::graph::graph(stack, format));
    Exit::Ok
}
