//! How each image the stack builds is built in each environment: its Dockerfile,
//! context, platform and Docker build arguments (`image { arg ...; link ... }`), and
//! whether it is built once per commit (then promoted by digest) or per environment.
//!
//! An image is built once per commit and the same digest runs in every environment,
//! unless what goes into its build differs between environments: its `dockerfile`,
//! `context`, `platform`, a build argument's value, or a `link` argument (a service's
//! own host is always its environment's own, so a `link` resolved at deploy time makes
//! the image per environment whenever the stack has more than one environment).

use super::{BuildArgs, Image, JobImage, Stack};

/// A build argument set to a service's URL, which may only be known at deploy time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkArg {
    /// The build argument's name.
    pub key: String,
    /// The service whose URL it is.
    pub target: String,
    /// The URL with `{url}` written `https://{host}` and `{domain}` replaced by the
    /// target's custom domain in this environment (else `{host}`): what is left is
    /// `{host}`, the target's own endpoint, which images.sh reads from the state (its
    /// container's `public_endpoint`), and `{id}` in a preview's domain, its id.
    pub url: String,
}

impl LinkArg {
    /// Whether the value needs the target's host, known once the target is deployed.
    pub fn needs_host(&self) -> bool {
        self.url.contains("{host}")
    }
}

/// One image in one environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvBuild {
    pub env: String,
    pub dockerfile: String,
    pub context: String,
    pub platform: String,
    /// `arg KEY=value`, values resolved (a `(var)` reference to the variable's value
    /// in this environment), in the order written.
    pub args: Vec<(String, String)>,
    /// `link TARGET arg=KEY`.
    pub links: Vec<LinkArg>,
}

impl EnvBuild {
    /// Whether some build argument is only known at deploy time.
    pub fn needs_hosts(&self) -> bool {
        self.links.iter().any(LinkArg::needs_host)
    }

    /// Whether `other` builds the same image, whatever the environment's name.
    fn same_inputs(&self, other: &EnvBuild) -> bool {
        self.dockerfile == other.dockerfile
            && self.context == other.context
            && self.platform == other.platform
            && self.args == other.args
            && self.links == other.links
    }
}

/// One image the stack builds, in every environment that has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageBuild {
    pub name: String,
    /// Built per environment (never copied nor promoted by digest): its build differs
    /// between environments.
    pub per_env: bool,
    /// The environments' builds, in the stack's order of environments.
    pub envs: Vec<EnvBuild>,
}

impl ImageBuild {
    /// Why the image is built per environment, in words (`None` when it is not).
    pub fn why_per_env(&self) -> Option<String> {
        if !self.per_env {
            return None;
        }
        let first = self.envs.first()?;
        let mut why = Vec::new();
        if self.envs.iter().any(|e| e.dockerfile != first.dockerfile) {
            why.push("its dockerfile".to_string());
        }
        if self.envs.iter().any(|e| e.context != first.context) {
            why.push("its context".to_string());
        }
        if self.envs.iter().any(|e| e.platform != first.platform) {
            why.push("its platform".to_string());
        }
        let mut keys: Vec<&str> = Vec::new();
        for e in &self.envs {
            for (k, _) in &e.args {
                let differs = self.envs.iter().any(|o| {
                    o.args.iter().find(|(ok, _)| ok == k).map(|(_, v)| v)
                        != e.args.iter().find(|(ek, _)| ek == k).map(|(_, v)| v)
                });
                if differs && !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
            for l in &e.links {
                if !keys.contains(&l.key.as_str())
                    && (l.needs_host() || self.envs.iter().any(|o| !o.links.contains(l)))
                {
                    keys.push(&l.key);
                }
            }
        }
        if !keys.is_empty() {
            why.push(format!(
                "build argument{} {}",
                if keys.len() == 1 { "" } else { "s" },
                keys.join(", ")
            ));
        }
        Some(if why.is_empty() {
            "its build differs between environments".to_string()
        } else {
            format!("what differs between environments: {}", why.join(", "))
        })
    }
}

/// The value of a build argument in environment `s`: a `(var)` reference reads the
/// variable's value there.
fn value_in(s: &Stack, v: &crate::syntax::Value) -> String {
    match v.var_ref() {
        Some(name) => s
            .vars
            .iter()
            .find(|x| x.name.value == name)
            .and_then(|x| x.value.as_ref())
            .map(|x| x.lit.as_text())
            .unwrap_or_default(),
        None => v.lit.as_text(),
    }
}

/// `{url}` as `https://{host}`, `{domain}` as the target's first custom domain in `s`
/// (else `{host}`).
pub fn resolve_url(s: &Stack, target: &str, url: &str) -> String {
    let domain = s
        .domains
        .iter()
        .find(|d| d.service.as_ref().is_some_and(|t| t.value == target))
        .map_or("{host}", |d| d.host.value.as_str());
    url.replace("{url}", "https://{host}")
        .replace("{domain}", domain)
}

fn env_build(
    s: &Stack,
    dockerfile: &str,
    context: &str,
    platform: &str,
    b: &BuildArgs,
) -> EnvBuild {
    EnvBuild {
        env: s.env.value.clone(),
        dockerfile: dockerfile.to_string(),
        context: context.to_string(),
        platform: platform.to_string(),
        args: b
            .args
            .iter()
            .map(|a| (a.key.value.clone(), value_in(s, &a.value)))
            .collect(),
        links: b
            .links
            .iter()
            .map(|l| LinkArg {
                key: l.env.value.clone(),
                target: l.target.value.clone(),
                url: resolve_url(s, &l.target.value, &l.url.value),
            })
            .collect(),
    }
}

/// Every image the stack builds (services' then jobs', in the order first seen), with
/// each environment's build.
pub fn image_builds(envs: &[Stack]) -> Vec<ImageBuild> {
    let mut out: Vec<ImageBuild> = Vec::new();
    // Where each image is in `out`, by name (a scan per service was quadratic).
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut add = |name: &str, build: EnvBuild| match at.get(name) {
        Some(&i) => out[i].envs.push(build),
        None => {
            at.insert(name.to_string(), out.len());
            out.push(ImageBuild {
                name: name.to_string(),
                per_env: false,
                envs: vec![build],
            });
        }
    };
    for s in envs {
        for svc in &s.services {
            if let Image::Build {
                dockerfile,
                context,
                platform,
            } = &svc.image
            {
                add(
                    &svc.name.value,
                    env_build(
                        s,
                        &dockerfile.value,
                        &context.value,
                        &platform.value,
                        &svc.build_args,
                    ),
                );
            }
        }
        for j in &s.jobs {
            if let JobImage::Build {
                dockerfile,
                context,
                platform,
            } = &j.image
            {
                add(
                    &j.name.value,
                    env_build(
                        s,
                        &dockerfile.value,
                        &context.value,
                        &platform.value,
                        &j.build_args,
                    ),
                );
            }
        }
    }
    // Services first, then jobs, as images.sh has always listed them.
    let services: std::collections::HashSet<&str> = envs
        .iter()
        .flat_map(|s| s.services.iter().map(|x| x.name.value.as_str()))
        .collect();
    out.sort_by_key(|i| !services.contains(i.name.as_str()));
    for i in &mut out {
        let several = i.envs.len() > 1;
        let Some(first) = i.envs.first() else {
            continue;
        };
        i.per_env = several
            && (i.envs.iter().any(|e| !e.same_inputs(first))
                || i.envs.iter().any(EnvBuild::needs_hosts));
    }
    out
}
