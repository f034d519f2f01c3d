//! Every way a command fails, as one type: a usage error, or a diagnostic about a file
//! (read, written, or given on the command line). Commands build a [`CliError`]; it is
//! reported in one place ([`CliError::report`]), in the format the user chose, and
//! gives the exit status.

use super::input::Input;
use super::report::{report, Format};
use super::Exit;
use crate::diagnostic::Diagnostic;
use crate::render::Files;

/// Why a command could not do its job.
pub(super) enum CliError {
    /// A usage error: `error: MESSAGE` on standard error; [`Exit::Usage`].
    Usage(String),
    /// A diagnostic about a file that cannot be read or written, or about an argument:
    /// shown against that file (its name, and its text when a label points into it).
    File(Box<FileError>),
}

/// [`CliError::File`]: the diagnostic, the file it is about, and the exit status.
pub(super) struct FileError {
    pub(super) diagnostic: Diagnostic,
    pub(super) input: Input,
    pub(super) exit: Exit,
}

impl CliError {
    /// A usage error.
    pub(super) fn usage(message: impl std::fmt::Display) -> Self {
        CliError::Usage(message.to_string())
    }

    /// A diagnostic about the file `input` (an IO or usage error: [`Exit::Usage`]).
    pub(super) fn file(diagnostic: Diagnostic, input: Input) -> Self {
        CliError::File(Box::new(FileError {
            diagnostic,
            input,
            exit: Exit::Usage,
        }))
    }

    /// A diagnostic about the file named `name`, with no place in its text.
    pub(super) fn named(diagnostic: Diagnostic, name: impl Into<String>) -> Self {
        CliError::file(
            diagnostic,
            Input {
                name: name.into(),
                text: String::new(),
            },
        )
    }

    /// The same error, ending the command with `exit` instead.
    pub(super) fn with_exit(self, exit: Exit) -> Self {
        match self {
            CliError::File(mut f) => {
                f.exit = exit;
                CliError::File(f)
            }
            usage => usage,
        }
    }

    /// A writer's error about the output folder `out`: exit 1 for what the user can fix
    /// in the folder, 2 for IO errors.
    pub(super) fn write(e: &crate::write::WriteError, out: &std::path::Path) -> Self {
        CliError::named(e.diagnostic(), out.display().to_string()).with_exit(super::write_exit(e))
    }

    /// Reports the error (a diagnostic in `format`; a usage error on standard error)
    /// and gives the exit status.
    pub(super) fn report(self, format: Format) -> Exit {
        match self {
            CliError::Usage(message) => {
                eprintln!("error: {message}");
                Exit::Usage
            }
            CliError::File(f) => {
                let files = Files {
                    stack_name: &f.input.name,
                    stack: &f.input.text,
                    secrets: None,
                };
                report(format, &[f.diagnostic], &files);
                f.exit
            }
        }
    }
}
