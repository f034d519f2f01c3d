//! `cellac init`: a first `stack.kdl` from what a repository holds. Pure: the CLI scans
//! the folder into [`Found`], this module writes the text. Names are made valid and
//! short enough for Scaleway; what it writes checks clean (the CLI verifies).

use crate::check::name::{ROOT_VARIABLES, TERRAFORM_RESERVED};

/// A folder with a Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct FoundService {
    /// The folder, relative to the repository root (`api`).
    pub dir: String,
    /// The first `EXPOSE` port of the Dockerfile.
    pub expose: Option<u32>,
    /// The keys of the folder's own `.env.example`.
    pub env: Vec<(String, String)>,
}

/// A `package.json` with a `build` script.
#[derive(Clone, Debug, Default)]
pub struct FoundSite {
    /// The folder (`""` for the repository root).
    pub dir: String,
    /// `npm`, `pnpm` or `yarn`, from the lock file.
    pub manager: String,
    /// Where the build writes (`dist`, `build`, `out`), relative to the folder.
    pub out_dir: String,
}

#[derive(Clone, Debug, Default)]
pub struct Found {
    /// The repository folder's name, for the stack's default name.
    pub folder: String,
    pub services: Vec<FoundService>,
    pub sites: Vec<FoundSite>,
    /// The root `.env.example`'s keys and example values, in file order.
    pub env: Vec<(String, String)>,
}

/// The longest stack name init writes, so that `prod-STACK-SERVICE` stays short.
const MAX_STACK: usize = 12;
/// Container names are at most 34 characters: `prod-` + stack + `-` + service.
const MAX_CONTAINER: usize = 34;

/// A valid name: lowercase letters, digits and `-` (and `_` when `underscore`), starting
/// with a letter, at most `max` characters, never ending with `-`.
pub fn name(raw: &str, underscore: bool, max: usize) -> String {
    let mut s = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || (underscore && c == '_') {
            c
        } else {
            '-'
        };
        if !(c == '-' && (s.is_empty() || s.ends_with('-'))) {
            s.push(c);
        }
    }
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert_str(0, "x-");
    }
    s.truncate(max.max(2));
    s.trim_end_matches(['-', '_']).to_string()
}

/// `LOG_LEVEL` -> `log_level`, `app_`-prefixed when the name is reserved.
fn var_name(key: &str) -> String {
    let n = name(key, true, 63).replace('-', "_");
    if ROOT_VARIABLES.contains(&n.as_str()) || TERRAFORM_RESERVED.contains(&n.as_str()) {
        format!("app_{n}")
    } else {
        n
    }
}

/// Whether an `.env.example` key holds a secret, by its name.
pub fn is_secret(key: &str) -> bool {
    let k = key.to_uppercase();
    [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "KEY",
        "DATABASE_URL",
        "DSN",
        "PRIVATE",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Keys Scaleway sets (PORT, SCW_*) or that break the env rules: not carried over.
fn usable(key: &str, value: &str) -> bool {
    let ok_key = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok_key
        && key != "PORT"
        && !key.starts_with("SCW_")
        && key.len() <= crate::check::env::MAX_KEY
        && value.len() <= crate::check::env::MAX_VALUE
}

/// A KDL string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `.env.example`: `KEY=value` lines, `export ` and quotes allowed, `#` comments.
pub fn parse_env_example(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim().to_string();
        let v = v.trim();
        let v = match v.chars().next() {
            // Double quotes take `\"`, `\\` and `\n`; single quotes are literal.
            Some('"') => {
                let mut value = String::new();
                let mut chars = v[1..].chars();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some('n') => value.push('\n'),
                            Some(e) => value.push(e),
                            None => {}
                        },
                        c => value.push(c),
                    }
                }
                value
            }
            Some('\'') => v[1..].split('\'').next().unwrap_or_default().to_string(),
            _ => v.find(" #").map_or(v, |i| v[..i].trim_end()).to_string(),
        };
        if k.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(key, _)| *key == k) {
            Some(e) => e.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// The text of `stack.kdl`.
pub fn render(found: &Found, stack_name: Option<&str>, region: &str) -> String {
    let stack = name(stack_name.unwrap_or(&found.folder), false, MAX_STACK);
    let stack = if stack.len() < 2 {
        "app".to_string()
    } else {
        stack
    };
    let max_service = MAX_CONTAINER - "prod-".len() - stack.len() - 1;
    let mut out = String::new();
    out.push_str(&format!(
        "// Written by `cellac init` from what this repository holds; edit it freely.\n\
         // The language: docs/language.md in cellac's repository; `cellac check` explains\n\
         // every problem, `cellac build` writes the Terraform configuration to ./infra.\n\n\
         stack {stack} region={region}\n"
    ));

    // Vars and secrets: the root .env.example's and each service's own, by key.
    let mut keys: Vec<(String, String)> = found.env.clone();
    for s in &found.services {
        for (k, v) in &s.env {
            if !keys.iter().any(|(key, _)| key == k) {
                keys.push((k.clone(), v.clone()));
            }
        }
    }
    keys.retain(|(k, v)| usable(k, v));
    // Without a Dockerfile but with a site, no service: nothing would read the keys.
    let no_service = found.services.is_empty() && !found.sites.is_empty();
    if no_service && !keys.is_empty() {
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        out.push_str(&format!(
            "\n// .env.example names {}: no service reads them yet. Declare them as\n\
             // `secret NAME` or `var NAME` when a service does (`secret-env`, `env`).\n",
            names.join(", ")
        ));
        keys.clear();
    }
    let (secrets, vars): (Vec<_>, Vec<_>) = keys.iter().partition(|(k, _)| is_secret(k));
    if !secrets.is_empty() {
        out.push_str(
            "\n// From .env.example, by their names: values never go in this file. Give them\n\
             // in secrets.auto.tfvars (see infra/secrets.auto.tfvars.example) or TF_VAR_NAME.\n\
             // A PostgreSQL URL may say which endpoint it is: `postgres=pooled` or `direct`.\n",
        );
        for (k, _) in &secrets {
            out.push_str(&format!("secret {}\n", var_name(k)));
        }
    }
    if !vars.is_empty() {
        out.push_str(
            "\n// Plain settings from .env.example, with its values as defaults; an\n\
             // `environment` block can give another value (`var NAME \"value\"`).\n",
        );
        for (k, v) in &vars {
            out.push_str(&format!("var {} default={}\n", var_name(k), quote(v)));
        }
    }

    // Services.
    let mut names: Vec<String> = Vec::new();
    let mut unique = |n: String| {
        let mut candidate = n.clone();
        let mut i = 2;
        while names.contains(&candidate) {
            let suffix = format!("-{i}");
            let mut base = n.clone();
            base.truncate(max_service.saturating_sub(suffix.len()));
            candidate = format!("{base}{suffix}");
            i += 1;
        }
        names.push(candidate.clone());
        candidate
    };
    let fallback = [FoundService {
        dir: String::new(),
        ..FoundService::default()
    }];
    let services = if no_service {
        &[][..]
    } else if found.services.is_empty() {
        &fallback[..]
    } else {
        &found.services[..]
    };
    for s in services {
        if s.dir.is_empty() {
            let n = unique("web".into());
            out.push_str(&format!(
                "\n// No */Dockerfile was found: this service builds web/Dockerfile. Point `image`\n\
                 // at your Dockerfile (`image dockerfile=\"path/Dockerfile\"`), or at a prebuilt\n\
                 // image (`image ref=\"registry/image:tag\"`).\nservice {n} {{\n"
            ));
        } else {
            let n = unique(name(&s.dir, false, max_service));
            out.push_str(&format!(
                "\n// Built from {}/Dockerfile.\nservice {n} {{\n",
                s.dir
            ));
            out.push_str(&format!(
                "    image dockerfile={} context={}  // context=\".\" if it copies from the repository root\n",
                quote(&format!("{}/Dockerfile", s.dir)),
                quote(&s.dir)
            ));
        }
        match s.expose {
            Some(p) if (1..=65535).contains(&p)
                && !crate::check::port::RESERVED.contains(&i128::from(p)) =>
            {
                out.push_str(&format!("    port {p}  // the Dockerfile's EXPOSE\n"));
            }
            Some(p) => out.push_str(&format!(
                "    port 8080  // the Dockerfile EXPOSEs {p}, which Serverless Containers reserve\n"
            )),
            None => out.push_str("    port 8080  // the port the container listens on\n"),
        }
        out.push_str("    scale min=0 max=5  // min=0: no instance, and no cost, while idle\n");
        let own: Vec<&String> = s.env.iter().map(|(k, _)| k).collect();
        let mine = |k: &String| found.env.iter().any(|(key, _)| key == k) || own.contains(&k);
        let env: Vec<String> = vars
            .iter()
            .filter(|(k, _)| mine(k))
            .map(|(k, _)| format!("{k}=(var){}", var_name(k)))
            .collect();
        let secret_env: Vec<String> = secrets
            .iter()
            .filter(|(k, _)| mine(k))
            .map(|(k, _)| format!("{k}={}", var_name(k)))
            .collect();
        for chunk in env.chunks(3) {
            out.push_str(&format!("    env {}\n", chunk.join(" ")));
        }
        for chunk in secret_env.chunks(3) {
            out.push_str(&format!("    secret-env {}\n", chunk.join(" ")));
        }
        out.push_str("}\n");
    }

    // Sites.
    for site in &found.sites {
        let folder = if site.dir.is_empty() {
            found.folder.as_str()
        } else {
            site.dir.as_str()
        };
        let n = unique(name(
            if site.dir.is_empty() { "web" } else { folder },
            false,
            max_service,
        ));
        let (build, dist) = if site.dir.is_empty() {
            (format!("{} run build", site.manager), site.out_dir.clone())
        } else {
            (
                format!("cd {} && {} run build", site.dir, site.manager),
                format!("{}/{}", site.dir, site.out_dir),
            )
        };
        let from = if site.dir.is_empty() {
            "package.json".to_string()
        } else {
            format!("{}/package.json", site.dir)
        };
        out.push_str(&format!(
            "\n// A static site: {from} has a build script.\nsite {n} {{\n    build {}\n    dist {}  // where the build writes; check it\n}}\n",
            quote(&build),
            quote(&dist)
        ));
    }

    if !found.sites.is_empty() {
        // The principals are not in the repository: the stack says so with a warning
        // (`cellac::deployer::implicit`) until the user writes them.
        out.push_str(
            "\n// Who deploys: CI's IAM application and each person (IAM > Applications, Users).\n\
             // Every bucket policy grants them full access; without one, only the key that\n\
             // runs Terraform keeps access. Write the ids and uncomment:\n\
             // deployer application=\"00000000-0000-0000-0000-000000000000\"\n",
        );
    }

    out.push_str(
        "\n// Environments: each may override any node above, e.g.\n\
         // environment prod { service NAME { scale min=1 max=10; } }\n\
         environment dev\nenvironment prod\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("My_Service", false, 30), "my-service");
        assert_eq!(name("1st--api", false, 30), "x-1st-api");
        assert_eq!(name("LOG_LEVEL", true, 63), "log_level");
        assert_eq!(name("a-very-long-folder-name", false, 10), "a-very-lon");
        assert_eq!(name("abc-def", false, 4), "abc");
        assert_eq!(var_name("ENVIRONMENT"), "app_environment");
        assert_eq!(var_name("COUNT"), "app_count");
    }

    #[test]
    fn env_example() {
        let e = parse_env_example(
            "# comment\nexport A=1\nB=\"two \\\"words\\\"\" \nC='x#y'\nD=v # note\nE=\nA=3\nnot a line\n",
        );
        let e: Vec<(&str, &str)> = e.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            e,
            [
                ("A", "3"),
                ("B", "two \"words\""),
                ("C", "x#y"),
                ("D", "v"),
                ("E", "")
            ]
        );
        assert!(is_secret("DATABASE_URL") && is_secret("stripe_api_key"));
        assert!(!is_secret("LOG_LEVEL"));
    }
}
