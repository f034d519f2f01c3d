//! `cellac man` and `cellac completions`: the command line's own documentation.

use super::report::fail;
use super::{command, Exit};
use std::path::Path;

pub(super) fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = command();
    clap_complete::generate(shell, &mut cmd, "cellac", &mut std::io::stdout());
    Exit::Ok
}

pub(super) fn man(out: Option<&Path>) -> Exit {
    let cmd = command();
    match out {
        None => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut page) {
                Ok(()) => {
                    use std::io::Write;
                    let _ = std::io::stdout().write_all(&page);
                    Exit::Ok
                }
                Err(e) => fail(format!("cannot render the man page: {e}")),
            }
        }
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                return fail(format!(
                    "cannot create {}: {}",
                    dir.display(),
                    crate::diagnostic::in_words(&e)
                ));
            }
            // Written into a new folder of our own, then each page renamed into place: a
            // page name that is a symbolic link is replaced, never written through
            // (issue 22).
            let staging = dir.join(format!(".cellac-man-{}", std::process::id()));
            let done = std::fs::create_dir(&staging)
                .and_then(|()| clap_mangen::generate_to(cmd, &staging))
                .and_then(|()| {
                    for entry in std::fs::read_dir(&staging)? {
                        let entry = entry?;
                        std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
                    }
                    Ok(())
                });
            let _ = std::fs::remove_dir_all(&staging);
            match done {
                Ok(()) => {
                    eprintln!("wrote the man pages to {}", dir.display());
                    Exit::Ok
                }
                Err(e) => fail(format!(
                    "cannot write the man pages to {}: {}",
                    dir.display(),
                    crate::diagnostic::in_words(&e)
                )),
            }
        }
    }
}
