//! The language server (`cellac lsp`): diagnostics as `cellac check` reports them,
//! hover, completion, definition and references, outline, formatting and quick fixes.
//!
//! `server` is the transport and dispatch; the other modules answer from text, with no IO.

pub mod actions;
pub mod analysis;
pub mod completion;
pub mod context;
pub mod definition;
pub mod diagnostics;
mod disk;
pub mod documents;
pub mod format;
pub mod hover;
mod lenient;
pub mod position;
pub mod server;
pub mod symbols;
pub mod transport;
mod uri;

pub use server::serve;

/// Runs the language server over stdin and stdout until the client exits.
pub fn run() -> i32 {
    server::run()
}
