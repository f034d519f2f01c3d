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
    /// The migration command the folder's tools show (`manage.py`, `alembic.ini`,
    /// `prisma/schema.prisma`), if any.
    pub migrate: Option<String>,
    /// The Dockerfile's last `CMD` or `ENTRYPOINT`, as written.
    pub command: Option<String>,
}

/// Whether a folder's process serves no HTTP: its Dockerfile EXPOSEs no port and runs a
/// worker (a queue consumer, a scheduler), which Serverless Containers cannot run.
pub fn serves_no_http(s: &FoundService) -> bool {
    s.expose.is_none()
        && s.command.as_deref().is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            [
                "celery",
                "worker",
                "sidekiq",
                "rq ",
                "consumer",
                "cron",
                "scheduler",
            ]
            .iter()
            .any(|w| c.contains(w))
        })
}

/// The migration command of the tool a folder's files show, if any.
pub fn migration_command(has: &dyn Fn(&str) -> bool) -> Option<String> {
    [
        ("manage.py", "python manage.py migrate --noinput"),
        ("alembic.ini", "alembic upgrade head"),
        ("prisma/schema.prisma", "npx prisma migrate deploy"),
    ]
    .iter()
    .find(|(file, _)| has(file))
    .map(|(_, cmd)| (*cmd).to_string())
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

/// Whether an example value points at the local machine (`localhost`, `127.0.0.1`, ...).
fn local_value(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    [
        "localhost",
        "127.0.0.1",
        "0.0.0.0",
        "[::1]",
        "host.docker.internal",
    ]
    .iter()
    .any(|h| v.contains(h))
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
/// A folder name as one word of a shell command: as written when it holds only
/// characters no shell reads specially, single-quoted otherwise (issue 22: a folder
/// named `a;rm -rf ~` must stay a folder name in a site's build command).
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '+' | '@'))
        && !s.starts_with('-');
    match (plain, s.starts_with('-')) {
        (true, _) => s.to_string(),
        // Never an option of `cd`.
        (false, true) => format!("./{}", crate::emit::scripts::shell_quote(s)),
        (false, false) => crate::emit::scripts::shell_quote(s),
    }
}

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
    // (A worker that serves no HTTP is no service either: see `serves_no_http`.)
    let http = found.services.iter().filter(|s| !serves_no_http(s)).count();
    let no_service = http == 0 && !(found.services.is_empty() && found.sites.is_empty());
    if no_service && !keys.is_empty() {
        let names: Vec<&str> = keys.iter().map(|(k, _)| k.as_str()).collect();
        out.push_str(&format!(
            "\n// .env.example names {}: no service reads them yet. Declare them as\n\
             // `secret NAME` or `var NAME` when a service does (`secret-env`, `env`).\n",
            names.join(", ")
        ));
        keys.clear();
    }
    // A value that points at the machine the example was written on is no deployed
    // default (issue 22): named in a comment, for the person to give each environment's.
    let (local, keys): (Vec<_>, Vec<_>) = keys
        .into_iter()
        .partition(|(k, v)| !is_secret(k) && local_value(v));
    if !local.is_empty() {
        let names: Vec<&str> = local.iter().map(|(k, _)| k.as_str()).collect();
        out.push_str(&format!(
            "\n// .env.example gives {} a value on this machine (localhost): declare `var NAME`\n\
             // with each environment's value (`environment prod {{ var NAME \"...\" }}`).\n",
            names.join(", ")
        ));
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
    let services = match (found.services.is_empty(), no_service) {
        (false, _) => &found.services[..],
        (true, true) => &[][..],
        (true, false) => &fallback[..],
    };
    for s in services {
        if serves_no_http(s) {
            // Not a service: a port would be a guess, and the container would fail its
            // health check (issue 22). Left for the person, in words.
            let dir: String = s.dir.chars().filter(|c| !c.is_control()).collect();
            let cmd: String = s
                .command
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            out.push_str(&format!(
                "\n// {dir}/Dockerfile EXPOSEs no port and runs a worker ({cmd}): Serverless\n\
                 // Containers run HTTP servers only, so it is no `service` here. Run its work as a\n\
                 // `job` (on a `schedule`, or on demand with scripts/job.sh), or serve HTTP and EXPOSE a port.\n"
            ));
            continue;
        }
        if s.dir.is_empty() {
            let n = unique("web".into());
            out.push_str(&format!(
                "\n// No */Dockerfile was found: this service builds web/Dockerfile. Point `image`\n\
                 // at your Dockerfile (`image dockerfile=\"path/Dockerfile\"`), or at a prebuilt\n\
                 // image (`image ref=\"registry/image:tag\"`).\nservice {n} {{\n"
            ));
        } else {
            let n = unique(name(&s.dir, false, max_service));
            // A `//` comment ends at a line break: none of the folder's may end it.
            let dir: String = s.dir.chars().filter(|c| !c.is_control()).collect();
            out.push_str(&format!(
                "\n// Built from {dir}/Dockerfile.\nservice {n} {{\n"
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
        // What the repository shows it uses: suggested, for the person to keep or drop.
        if let Some(cmd) = &s.migrate {
            out.push_str(&format!(
                "    migrate {}  // runs before each deploy (a Serverless Job); check the command\n",
                quote(cmd)
            ));
        }
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
                format!("cd {} && {} run build", shell_word(&site.dir), site.manager),
                format!("{}/{}", site.dir, site.out_dir),
            )
        };
        let from = if site.dir.is_empty() {
            "package.json".to_string()
        } else {
            // A `//` comment ends at a line break: none of the folder's may end it.
            let dir: String = site.dir.chars().filter(|c| !c.is_control()).collect();
            format!("{dir}/package.json")
        };
        out.push_str(&format!(
            "\n// A static site: {from} has a build script.\nsite {n} {{\n    build {}\n    dist {}  // where the build writes; check it\n}}\n",
            quote(&build),
            quote(&dist)
        ));
    }

    // What the repository's settings show it uses, suggested in words (issue 22).
    let all_keys: Vec<&(String, String)> = found
        .env
        .iter()
        .chain(found.services.iter().flat_map(|s| &s.env))
        .collect();
    if let Some((k, _)) = all_keys
        .iter()
        .find(|(k, _)| k.to_ascii_uppercase().contains("BUCKET"))
    {
        out.push_str(&format!(
            "\n// .env.example names {k}: for an Object Storage bucket, declare `bucket uploads`\n\
             // and write `bucket uploads access=write` in the service that uses it (it sets\n\
             // S3_BUCKET_UPLOADS, S3_ENDPOINT, S3_REGION and an API key's S3_ACCESS_KEY_*).\n"
        ));
    }
    if let Some((k, _)) = all_keys.iter().find(|(k, v)| {
        k.to_ascii_uppercase().contains("DATABASE_URL")
            && (v.starts_with("postgres://") || v.starts_with("postgresql://"))
    }) {
        out.push_str(&format!(
            "\n// .env.example gives {k} a PostgreSQL URL: for a Scaleway Serverless SQL Database,\n\
             // declare `database main` and write `database main env={k}` in the service (then\n\
             // drop the secret); for an external one (Neon), keep the secret (`postgres=pooled`).\n"
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

    /// Issue 22, class 1: a folder name reaches a site's build command as one shell
    /// word, and cannot end the comment that names it.
    #[test]
    fn folder_names_are_quoted() {
        let found = |dir: &str| Found {
            folder: "shop".into(),
            sites: vec![FoundSite {
                dir: dir.into(),
                manager: "npm".into(),
                out_dir: "dist".into(),
            }],
            ..Found::default()
        };
        let text = render(&found("web; touch pwned\nsite x"), None, "fr-par");
        assert!(
            text.contains(r#"build "cd 'web; touch pwned\nsite x' && npm run build""#),
            "{text}"
        );
        assert!(text.contains("// A static site: web; touch pwnedsite x/package.json"));
        let text = render(&found("-x it's"), None, "fr-par");
        assert!(text.contains(r#"cd ./'-x it'\"'\"'s' && npm"#), "{text}");
        // Negative control: a plain folder stays as written.
        let text = render(&found("apps/web"), None, "fr-par");
        assert!(
            text.contains(r#"build "cd apps/web && npm run build""#),
            "{text}"
        );
    }

    /// Issue 22, class 7: secret names with digits (`oauth2_client_secret`,
    /// `stripe_key_v2`) are names: what init writes for them checks clean.
    #[test]
    fn secret_names_with_digits_check_clean() {
        let found = Found {
            folder: "shop".into(),
            services: vec![FoundService {
                dir: String::new(),
                expose: Some(8080),
                env: vec![],
                migrate: None,
                command: None,
            }],
            env: vec![
                ("OAUTH2_CLIENT_SECRET".into(), String::new()),
                ("STRIPE_KEY_V2".into(), String::new()),
            ],
            ..Found::default()
        };
        let text = render(&found, None, "fr-par");
        assert!(text.contains("oauth2_client_secret"), "{text}");
        let checked = crate::check(&text);
        assert!(!checked.has_errors(), "{:#?}\n{text}", checked.diagnostics);
    }

    /// Issue 22, class 8: a localhost value is not made a deployed default.
    #[test]
    fn localhost_values_are_not_defaults() {
        let found = Found {
            folder: "shop".into(),
            services: vec![FoundService {
                dir: "api".into(),
                expose: Some(8080),
                env: vec![],
                migrate: Some("python manage.py migrate --noinput".into()),
                command: None,
            }],
            env: vec![
                ("REDIS_URL".into(), "redis://localhost:6379".into()),
                ("LOG_LEVEL".into(), "info".into()),
            ],
            ..Found::default()
        };
        let text = render(&found, None, "fr-par");
        assert!(!text.contains("localhost:6379"), "{text}");
        assert!(text.contains("REDIS_URL a value on this machine"), "{text}");
        assert!(text.contains("var log_level default=\"info\""), "{text}");
        assert!(!crate::check(&text).has_errors(), "{text}");
    }

    /// Issue 22, class 8: a migration tool, a bucket and a PostgreSQL database that the
    /// repository shows are suggested; the result checks clean.
    #[test]
    fn suggests_migrate_bucket_and_database() {
        let found = Found {
            folder: "shop".into(),
            services: vec![FoundService {
                dir: "api".into(),
                expose: Some(8000),
                env: vec![],
                migrate: migration_command(&|f| f == "manage.py"),
                command: None,
            }],
            env: vec![
                ("AWS_STORAGE_BUCKET_NAME".into(), String::new()),
                ("DATABASE_URL".into(), "postgres://app@localhost/app".into()),
            ],
            ..Found::default()
        };
        let text = render(&found, None, "fr-par");
        assert!(
            text.contains("    migrate \"python manage.py migrate --noinput\""),
            "{text}"
        );
        assert!(text.contains("declare `bucket uploads`"), "{text}");
        assert!(text.contains("declare `database main`"), "{text}");
        assert!(!crate::check(&text).has_errors(), "{text}");
        // Negative control: nothing shown, nothing suggested.
        let plain = render(
            &Found {
                folder: "shop".into(),
                ..Found::default()
            },
            None,
            "fr-par",
        );
        assert!(
            !plain.contains("migrate") && !plain.contains("bucket uploads"),
            "{plain}"
        );
    }

    /// Issue 22, class 8: a worker that serves no HTTP gets no port (and no service).
    #[test]
    fn a_worker_gets_no_port() {
        let worker = |expose: Option<u32>| Found {
            folder: "shop".into(),
            services: vec![FoundService {
                dir: "worker".into(),
                expose,
                command: Some("CMD [\"celery\", \"-A\", \"app\", \"worker\"]".into()),
                ..FoundService::default()
            }],
            ..Found::default()
        };
        let text = render(&worker(None), None, "fr-par");
        assert!(!text.contains("service worker"), "{text}");
        assert!(!text.contains("port 8080"), "{text}");
        assert!(text.contains("EXPOSEs no port and runs a worker"), "{text}");
        assert!(crate::check(&text).diagnostics.is_empty(), "{text}");
        // With settings no service reads: named in a comment, still clean.
        let mut with_env = worker(None);
        with_env.env = vec![
            ("BROKER_URL".into(), "amqp://mq".into()),
            ("API_TOKEN".into(), String::new()),
        ];
        let text = render(&with_env, None, "fr-par");
        assert!(crate::check(&text).diagnostics.is_empty(), "{text}");
        // Negative control: with an EXPOSE it is a service.
        let text = render(&worker(Some(8000)), None, "fr-par");
        assert!(
            text.contains("service worker") && text.contains("port 8000"),
            "{text}"
        );
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
