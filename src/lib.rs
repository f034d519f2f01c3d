//! cellac: a KDL stack description in, a checked model, Terraform JSON and deploy
//! scripts out. Every entry point here is a pure function; IO lives in `cli` and `lsp`.

pub mod check;
pub mod cli;
pub mod codes;
pub mod cost;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod envs;
pub mod gen;
pub mod graph;
pub mod init;
pub mod lsp;
pub mod model;
pub mod render;
pub mod schema;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod write;

use diagnostic::{sort_and_dedup, Diagnostic};
use model::Stack;
use syntax::Node;

/// The result of checking a stack file: what could be built, and every diagnostic.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The file's nodes, when it parses.
    pub nodes: Option<Vec<Node>>,
    /// One resolved stack per environment, in the order they are declared.
    pub envs: Vec<Stack>,
    /// Every problem found, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Checks a secrets file's values against the stack's secrets. Returns the file
    /// masked, the only form in which it may be shown.
    pub fn check_secrets(&mut self, text: &str, elsewhere: &[String]) -> String {
        let secrets = self
            .envs
            .first()
            .map(|s| s.secrets.as_slice())
            .unwrap_or(&[]);
        let entries = check::secrets_file::check(text, secrets, elsewhere, &mut self.diagnostics);
        sort_and_dedup(&mut self.diagnostics);
        check::secrets_file::mask(text, &entries)
    }
}

/// Reads and checks a stack file: the whole front end.
pub fn check(text: &str) -> Checked {
    let nodes = match syntax::parse(text) {
        Ok(nodes) => nodes,
        Err(mut diagnostics) => {
            sort_and_dedup(&mut diagnostics);
            return Checked {
                diagnostics,
                ..Checked::default()
            };
        }
    };
    let mut diagnostics = Vec::new();
    check::schema::check(&nodes, &mut diagnostics);
    let trees = envs::merge(&nodes, &mut diagnostics);
    let envs: Vec<Stack> = trees.iter().map(model::lower).collect();
    check::run(
        &check::Ctx {
            nodes: &nodes,
            envs: &envs,
        },
        &mut diagnostics,
    );
    sort_and_dedup(&mut diagnostics);
    Checked {
        nodes: Some(nodes),
        envs,
        diagnostics,
    }
}

/// The whole pipeline: checks the stack and, when it has no errors, produces every
/// generated file. `stack_path` is how generated files name the stack file.
pub fn build(text: &str, stack_path: &str) -> (Checked, Option<emit::Artifacts>) {
    let checked = check(text);
    if checked.has_errors() || checked.envs.is_empty() {
        return (checked, None);
    }
    let files = emit::emit(&checked.envs, stack_path);
    (checked, Some(files))
}
