//! `cellac fmt`: formats stack files in place (or standard input to standard output).

use super::input::{read, replace_file};
use super::report::Format;
use super::Exit;
use std::path::PathBuf;

#[derive(clap::Args)]
pub(super) struct FmtArgs {
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

/// Formats one text, or says why it is left as it is. Refuses, rather than write, when
/// the text does not parse, or when the result
/// would not parse, format to itself, or check to the same codes.
/// The same checks as the editor's formatting: [`crate::lsp::format::format_safely`].
fn format_text(text: &str, args: &FmtArgs) -> Result<String, String> {
    crate::lsp::format::format_safely(text, args.indent, !args.tabs).map_err(|r| r.to_string())
}

pub(super) fn run(args: &FmtArgs) -> Exit {
    use std::io::Write;
    let (mut changed, mut unchanged, mut refused) = (Vec::new(), 0, 0);
    let mut code = Exit::Ok;
    for path in &args.files {
        let input = match read(path) {
            Ok(i) => i,
            Err(e) => {
                e.report(Format::Human);
                code = Exit::Usage;
                continue;
            }
        };
        let out = match format_text(&input.text, args) {
            Ok(out) => out,
            Err(why) => {
                eprintln!("error: {} was not formatted: {why}", input.name);
                refused += 1;
                code = code.max(Exit::Problems);
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
                code = Exit::Usage;
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
            code = code.max(Exit::Problems);
        } else if refused == 0 && code == Exit::Ok {
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
