//! `cellac build`: checks a stack file and writes (or with `--check` compares) the output
//! folder.

use super::error::CliError;
use super::input::read;
use super::report::{hidden_values, report, Format};
use super::{write_exit, Exit};
use crate::diagnostic::Diagnostic;
use crate::render::Files;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(super) struct BuildArgs {
    /// The stack file.
    #[arg(default_value = "stack.kdl")]
    stack: PathBuf,
    /// The output folder.
    #[arg(short, long, default_value = "infra")]
    out: PathBuf,
    /// Write nothing; exit 1 when the folder differs from what a build would write.
    #[arg(long)]
    check: bool,
    /// With --check, print a unified diff of the differences.
    #[arg(long, requires = "check")]
    diff: bool,
    /// Overwrite generated files that were edited by hand.
    #[arg(long)]
    force: bool,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    deny_warnings: bool,
    /// Write only these environments' files (repeatable); the others' stay as they are.
    #[arg(long = "env", value_name = "NAME")]
    envs: Vec<String>,
}

/// `path` relative to `base` (both taken from the current directory), with `/` separators.
fn relative(path: &Path, base: &Path) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let norm = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for c in cwd.join(p).components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                _ => {}
            }
        }
        parts
    };
    let (p, b) = (norm(path), norm(base));
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel: Vec<String> = vec!["..".to_string(); b.len() - common];
    rel.extend(p[common..].iter().cloned());
    rel.join("/")
}

pub(super) fn run(args: &BuildArgs) -> Exit {
    let input = match read(&args.stack) {
        Ok(i) => i,
        Err(e) => return e.report(args.format),
    };
    let text = &input.text;
    let stack_path = if args.stack.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        relative(&args.stack, &args.out)
    };
    let checked = crate::check(text);
    let files_view = Files {
        stack_name: &input.name,
        stack: text,
        secrets: None,
    };
    let diags = &checked.diagnostics;
    if !diags.is_empty() {
        report(args.format, diags, &files_view);
    }
    // IO errors from here on: as diagnostics, with no place in the stack file.
    let io = |d: Diagnostic, code: Exit| {
        CliError::named(d, input.name.clone())
            .with_exit(code)
            .report(args.format)
    };
    let denied = args.deny_warnings && !diags.is_empty();
    if denied || checked.has_errors() || checked.envs.is_empty() {
        eprintln!("error: the stack has errors; nothing was written");
        return Exit::Problems;
    }
    let out = &args.out;
    // One cellac at a time in the folder; an interrupted build is completed first.
    // `--check` on a folder that is not there has nothing to lock (and creates nothing).
    if out.exists() && !out.is_dir() {
        let d = Diagnostic::error(
            "cellac::io::output",
            format!(
                "the output folder {} is a file, not a folder",
                out.display()
            ),
        )
        .help("name a folder with -o (it is created when missing), or move the file away");
        return io(d, Exit::Usage);
    }
    if !args.check {
        if let Err(e) = std::fs::create_dir_all(out) {
            let d = Diagnostic::error(
                "cellac::io::output",
                format!(
                    "cannot create the output folder {}: {}",
                    out.display(),
                    crate::diagnostic::in_words(&e)
                ),
            )
            .help("name a folder you can write to with -o");
            return io(d, Exit::Usage);
        }
    }
    let _lock = if out.is_dir() {
        match crate::write::lock(out, crate::write::lock_timeout()) {
            Ok(lock) => Some(lock),
            Err(e) => return io(e.diagnostic(), write_exit(&e)),
        }
    } else {
        None
    };
    let envs: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    // The same stack and the same cellac as the build that wrote the folder, and every
    // file as it was written: nothing to emit, nothing to write (see `write::up_to_date`).
    let inputs = if args.envs.is_empty() && out.is_dir() {
        crate::write::inputs(text, &stack_path)
    } else {
        None
    };
    if let Some(n) = inputs
        .as_deref()
        .and_then(|i| crate::write::up_to_date(out, i))
    {
        if args.check {
            eprintln!("{}: up to date ({n} files)", out.display());
        } else {
            eprintln!(
                "{} is up to date ({n} files, environments: {})",
                out.display(),
                envs.join(", ")
            );
        }
        return Exit::Ok;
    }
    // Scripts and README whose template data did not change since the last build are
    // taken from the folder (hash-checked) rather than rendered again.
    let earlier = inputs.as_ref().map(|_| crate::write::earlier(out));
    let earlier = earlier.as_ref().map(|f| f as crate::emit::scripts::Earlier);
    let Some((files, renders)) = crate::emit_checked_reusing(&checked, &stack_path, earlier) else {
        eprintln!("error: the stack has errors; nothing was written");
        return Exit::Problems;
    };
    let files = match only_envs(files, &args.envs, &checked, out) {
        Ok(f) => f,
        Err(e) => {
            let d = Diagnostic::error("cellac::io::usage", e)
                .help("name an environment the stack declares with --env");
            return io(d, Exit::Usage);
        }
    };
    if args.check {
        let links = crate::write::links(out, files.keys());
        if !links.is_empty() {
            let e = crate::write::WriteError::Link(links);
            return io(e.diagnostic(), write_exit(&e));
        }
        let drift = crate::write::drift(out, &files, &stack_path);
        if drift.is_clean() {
            eprintln!("{}: up to date ({} files)", out.display(), files.len());
            return Exit::Ok;
        }
        for (label, list) in [
            ("missing", &drift.missing),
            ("stale", &drift.stale),
            ("extra", &drift.extra),
        ] {
            for p in list {
                println!("{label}: {}", out.join(p).display());
            }
        }
        if args.diff {
            // The diff quotes generated files, old and new: credentials hidden there too.
            let known = hidden_values(text, &checked);
            let diff = crate::write::diff(out, &files, &stack_path);
            print!("{}", crate::credential::hide_in(&diff, &known));
        }
        eprintln!(
            "error: {} is not what `cellac build` would write; run `cellac build {} -o {}`",
            out.display(),
            args.stack.display(),
            out.display()
        );
        return Exit::Problems;
    }
    match crate::write::write_changes(out, &files, &stack_path, args.force) {
        Ok(crate::write::Written { changed, removed }) => {
            if let Some(i) = &inputs {
                crate::write::remember(out, i, &renders);
            }
            for p in &removed {
                eprintln!("removed {}", out.join(p).display());
            }
            // Images built per environment rather than once and promoted (issue 23).
            for i in crate::model::build::image_builds(&checked.envs) {
                if let Some(why) = i.why_per_env() {
                    eprintln!("note: image `{}` is built per environment ({why})", i.name);
                }
            }
            // The manifest is not counted: it is bookkeeping, not output.
            let changed = changed.len();
            if changed == 0 && removed.is_empty() {
                eprintln!(
                    "{} is up to date ({} files, environments: {})",
                    out.display(),
                    files.len(),
                    envs.join(", ")
                );
            } else {
                eprintln!(
                    "wrote {changed} of {} files to {} (environments: {})",
                    files.len(),
                    out.display(),
                    envs.join(", ")
                );
            }
            Exit::Ok
        }
        Err(e) => io(e.diagnostic(), write_exit(&e)),
    }
}

/// With `--env`, the files of the other environments keep what is on disk (or are not
/// written, if they are not there yet), so they are neither rewritten nor removed.
fn only_envs(
    mut files: crate::emit::Artifacts,
    wanted: &[String],
    checked: &crate::Checked,
    out: &Path,
) -> Result<crate::emit::Artifacts, String> {
    if wanted.is_empty() {
        return Ok(files);
    }
    let names: Vec<&str> = checked.envs.iter().map(|e| e.env.value.as_str()).collect();
    for w in wanted {
        if !names.contains(&w.as_str()) {
            return Err(format!(
                "the stack has no environment `{w}`; {}",
                crate::suggest::did_you_mean(w, &names)
            ));
        }
    }
    let others: Vec<String> = names
        .iter()
        .filter(|n| !wanted.iter().any(|w| w == *n))
        .map(|n| format!("environments/{n}."))
        .collect();
    let keys: Vec<String> = files.keys().cloned().collect();
    for path in keys {
        if others
            .iter()
            .any(|prefix| path.starts_with(prefix.as_str()))
        {
            match crate::write::read_inside(out, &path) {
                Some(on_disk) => {
                    files.insert(path, on_disk);
                }
                None => {
                    files.remove(&path);
                }
            }
        }
    }
    Ok(files)
}
