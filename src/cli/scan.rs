//! `cellac init`'s look at a folder: what it holds that a stack describes.

use std::path::{Path, PathBuf};

/// The largest file `cellac init` reads.
const MAX_READ: u64 = 1 << 20;

/// What `cellac init` finds in `dir`: `*/Dockerfile` folders, `package.json` files with
/// a build script (the root's and one level down), and `.env.example` keys.
pub(super) fn scan(dir: &Path) -> crate::init::Found {
    use crate::init::{parse_env_example, Found, FoundService, FoundSite};
    // Only regular files, and not huge ones: a FIFO (or a device) named `.env.example`
    // would block the read forever (issue 22).
    let read = |p: PathBuf| {
        let meta = std::fs::metadata(&p).ok()?;
        (meta.is_file() && meta.len() <= MAX_READ)
            .then(|| std::fs::read_to_string(&p).ok())
            .flatten()
    };
    let env_of = |d: &Path| {
        read(d.join(".env.example"))
            .map(|t| parse_env_example(&t))
            .unwrap_or_default()
    };
    let manager = if dir.join("pnpm-lock.yaml").exists() {
        "pnpm"
    } else if dir.join("yarn.lock").exists() {
        "yarn"
    } else {
        "npm"
    };
    let site = |d: &Path, rel: &str| -> Option<FoundSite> {
        let pkg: serde_json::Value = serde_json::from_str(&read(d.join("package.json"))?).ok()?;
        pkg["scripts"]["build"].as_str()?;
        // A workspace root builds other packages, not a site of its own.
        if rel.is_empty() && !pkg["workspaces"].is_null() {
            return None;
        }
        let dep =
            |n: &str| !pkg["dependencies"][n].is_null() || !pkg["devDependencies"][n].is_null();
        let out_dir = if dep("react-scripts") {
            "build"
        } else if dep("next") {
            "out"
        } else {
            "dist"
        };
        let manager = if d.join("pnpm-lock.yaml").exists() {
            "pnpm"
        } else if d.join("yarn.lock").exists() {
            "yarn"
        } else {
            manager
        };
        Some(FoundSite {
            dir: rel.to_string(),
            manager: manager.into(),
            out_dir: out_dir.into(),
        })
    };
    let mut found = Found {
        folder: std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "app".into()),
        env: env_of(dir),
        ..Found::default()
    };
    let mut subdirs: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| {
            !n.starts_with('.') && !["node_modules", "target", "infra"].contains(&n.as_str())
        })
        .collect();
    subdirs.sort();
    for (rel, path) in &subdirs {
        if let Some(docker) = read(path.join("Dockerfile")) {
            let expose = docker.lines().find_map(|l| {
                let rest = l
                    .trim()
                    .strip_prefix("EXPOSE ")
                    .or_else(|| l.trim().strip_prefix("expose "))?;
                rest.split_whitespace()
                    .next()?
                    .split('/')
                    .next()?
                    .parse()
                    .ok()
            });
            found.services.push(FoundService {
                dir: rel.clone(),
                expose,
                env: env_of(path),
                migrate: crate::init::migration_command(&|f| path.join(f).is_file()),
                command: docker
                    .lines()
                    .map(str::trim)
                    .rfind(|l| {
                        let u = l.to_ascii_uppercase();
                        u.starts_with("CMD ") || u.starts_with("ENTRYPOINT ")
                    })
                    .map(str::to_string),
            });
        } else if let Some(s) = site(path, rel) {
            found.sites.push(s);
        }
    }
    if !dir.join("Dockerfile").exists() {
        if let Some(s) = site(dir, "") {
            found.sites.insert(0, s);
        }
    }
    found
}
