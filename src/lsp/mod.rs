//! The language server (`cellac lsp`).

/// Runs the language server over stdin and stdout until the client exits.
pub fn run() -> i32 {
    eprintln!("cellac lsp: not implemented yet");
    2
}
