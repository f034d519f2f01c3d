//! What several commands read: a stack or secrets file (or standard input), a checked
//! stack with its environment, and the one way a file is replaced.

use super::error::CliError;
use super::report::{report_errors, Format};
use super::Exit;
use crate::diagnostic::Diagnostic;
use std::path::Path;

/// A file read for cellac: its name as shown, its text, or why it could not be read.
pub(super) struct Input {
    pub(super) name: String,
    pub(super) text: String,
}

/// Reads a stack or secrets file; `-` is standard input, shown as `<stdin>`. Text that
/// is not UTF-8 is reported at its line and byte.
pub(super) fn read(path: &Path) -> Result<Input, CliError> {
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
        CliError::file(d, empty(&name))
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
            Err(CliError::file(d, Input { name, text: lossy }))
        }
    }
}

/// Replaces a file's text through a sibling temporary file, keeping its permissions. A
/// symbolic link is followed: the file it points at is replaced, the link stays.
pub(super) fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
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

/// Reads and checks a stack for a command that needs a clean one (graph, cost, ...):
/// the checked stack, or the exit code after the problems were reported.
pub(super) fn checked_stack(path: &Path) -> Result<(Input, crate::Checked), Exit> {
    let input = match read(path) {
        Ok(i) => i,
        Err(e) => return Err(e.report(Format::Human)),
    };
    let checked = crate::check(&input.text);
    if checked.has_errors() || checked.envs.is_empty() {
        report_errors(Format::Human, &checked, &input);
        return Err(Exit::Problems);
    }
    Ok((input, checked))
}

/// The environment named by `--env`, or the first one.
pub(super) fn pick_env<'a>(
    checked: &'a crate::Checked,
    env: Option<&str>,
    input: &Input,
) -> Result<&'a crate::model::Stack, CliError> {
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
    Err(CliError::named(d, input.name.clone()))
}
