//! `cellac cost`: each environment's monthly cost floor.

use super::input::{checked_stack, pick_env};
use super::Exit;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(Copy, Clone, PartialEq, Eq, ValueEnum)]
enum CostFormat {
    Human,
    Json,
}

#[derive(clap::Args)]
pub(super) struct CostArgs {
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

pub(super) fn run(args: &CostArgs) -> Exit {
    let (input, checked) = match checked_stack(&args.stack) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let envs: Vec<&crate::model::Stack> = match &args.env {
        Some(_) => match pick_env(&checked, args.env.as_deref(), &input) {
            Ok(s) => vec![s],
            Err(e) => return e.report(super::report::Format::Human),
        },
        None => checked.envs.iter().collect(),
    };
    let costs: Vec<crate::cost::EnvCost> = envs.iter().map(|s| crate::cost::env_cost(s)).collect();
    let name = &checked.envs[0].name.value;
    match args.format {
        CostFormat::Human => print!("{}", crate::cost::human(name, &costs)),
        CostFormat::Json => print!("{}", crate::cost::json(name, &costs)),
    }
    Exit::Ok
}
