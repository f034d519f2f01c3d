//! `cellac init`: writes a first stack.kdl from what the folder holds.

use super::report::{fail, report, Format};
use super::{scan, Exit};
use crate::render::Files;
use std::path::Path;

#[derive(clap::Args)]
pub(super) struct InitArgs {
    /// The stack's name (default: this folder's name, made valid).
    #[arg(long)]
    name: Option<String>,
    /// The Scaleway region.
    #[arg(long, default_value = "fr-par", value_parser = crate::model::REGIONS)]
    region: String,
}

pub(super) fn run(args: &InitArgs) -> Exit {
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
    Exit::Ok
}
