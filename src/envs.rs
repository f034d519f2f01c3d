//! Merging each `environment` over the top level: one node tree per environment,
//! every value keeping the span of the KDL that set it.

use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};
use crate::suggest::Index;
use crate::syntax::Node;
use std::collections::HashMap;

/// Top-level nodes identified by their first argument as well as their name.
pub const IDENTIFIED: [&str; 10] = [
    "service", "site", "bucket", "secret", "var", "domain", "database", "job", "queue", "redis",
];
/// Identified nodes an environment may only override, never add.
const DECLARED_ONLY: [&str; 9] = [
    "service", "site", "bucket", "secret", "var", "database", "job", "queue", "redis",
];

/// Top-level nodes an environment adds to rather than overrides: an environment's
/// `deployer`s join the top level's (a principal that deploys every environment is
/// written once at the top; one that deploys only prod, in `environment prod`).
const ADDITIVE: [&str; 1] = ["deployer"];

/// One environment's merged nodes.
#[derive(Clone, Debug)]
pub struct EnvTree {
    pub name: Spanned<String>,
    pub nodes: Vec<Node>,
    /// `environment NAME preview=#true`: the template of preview environments.
    pub preview: bool,
}

/// The name of the environment used when the stack declares none.
pub const DEFAULT_ENV: &str = "dev";

fn identity(node: &Node) -> (&str, Option<&str>) {
    let name = node.name.value.as_str();
    let id = IDENTIFIED
        .contains(&name)
        .then(|| node.first_str().map(|s| s.value))
        .flatten();
    (name, id)
}

/// Merges every environment over the top level. Reports overrides of undeclared things.
pub fn merge(nodes: &[Node], out: &mut Vec<Diagnostic>) -> Vec<EnvTree> {
    let base: Vec<Node> = nodes
        .iter()
        .filter(|n| n.name.value != "environment")
        .cloned()
        .collect();
    let envs: Vec<(&Node, Spanned<&str>)> = nodes
        .iter()
        .filter(|n| n.name.value == "environment")
        .filter_map(|n| Some((n, n.first_str()?)))
        .collect();
    if envs.is_empty() {
        let span = nodes.first().map_or(Span::default(), |n| n.head_span());
        return vec![EnvTree {
            name: Spanned::new(DEFAULT_ENV.to_string(), span),
            nodes: base,
            preview: false,
        }];
    }
    let mut seen = Vec::new();
    // Declared names by kind, for did-you-mean on overrides of undeclared things.
    let mut declared: std::collections::HashMap<&str, Index> = std::collections::HashMap::new();
    let mut trees = Vec::new();
    for (env, name) in envs {
        if seen.contains(&name.value) {
            continue; // reported as a duplicate by the schema check
        }
        seen.push(name.value);
        let mut merged = base.clone();
        // Where each identity last appears in `merged`: a lookup per override, not a
        // scan of every top-level node (quadratic on large stacks).
        let mut index: HashMap<(String, Option<String>), usize> = HashMap::new();
        for (i, n) in merged.iter().enumerate() {
            let (kind, id) = identity(n);
            index.insert((kind.to_string(), id.map(str::to_string)), i);
        }
        for over in env.children() {
            let (kind, id) = identity(over);
            if kind == "stack" || kind == "environment" {
                continue; // reported by the schema check
            }
            if IDENTIFIED.contains(&kind) && id.is_none() {
                continue; // missing argument, reported by the schema check
            }
            let key = (kind.to_string(), id.map(str::to_string));
            if ADDITIVE.contains(&kind) {
                let mut added = over.clone();
                mark_layer(&mut added);
                merged.push(added);
                continue;
            }
            match index.get(&key).map(|&i| &mut merged[i]) {
                Some(target) => merge_node(target, over, true),
                None if DECLARED_ONLY.contains(&kind) => {
                    let id = id.unwrap_or_default();
                    let declared = declared.entry(kind).or_insert_with(|| {
                        Index::new(
                            base.iter()
                                .filter(|n| n.name.value == kind)
                                .filter_map(|n| n.first_str().map(|s| s.value))
                                .collect(),
                        )
                    });
                    out.push(
                        Diagnostic::error(
                            "cellac::env::unknown-override",
                            format!(
                                "environment `{}` overrides `{kind} {id}`, which the top level does not declare",
                                name.value
                            ),
                        )
                        .at(over.head_span(), "not declared at the top level")
                        .help(format!(
                            "{}; or declare `{kind} {id}` at the top level first",
                            declared.did_you_mean(id)
                        ))
                        .fixes_with(declared.nearest(id).zip(over.args.first()).map(
                            |(n, arg)| {
                                crate::diagnostic::Fix::replace_with(
                                    crate::diagnostic::Applicability::Unsafe,
                                    arg.span,
                                    n,
                                    arg.rewritten(n),
                                )
                            },
                        )),
                    );
                }
                None => {
                    let mut added = over.clone();
                    mark_layer(&mut added);
                    index.insert(key, merged.len());
                    merged.push(added);
                }
            }
        }
        trees.push(EnvTree {
            name: Spanned::new(name.value.to_string(), name.span),
            nodes: merged,
            preview: env
                .prop("preview")
                .and_then(crate::syntax::Value::as_bool)
                .unwrap_or(false),
        });
    }
    trees
}

fn mark_layer(node: &mut Node) {
    node.layer = 1;
    for c in node.children.iter_mut().flatten() {
        mark_layer(c);
    }
}

/// Properties that say the same thing in different ways: an override that writes one
/// form replaces the others (`project id=` in an environment over a top-level
/// `create=#true` gives that environment the project, LANGUAGE.md; `image ref=` over
/// `image dockerfile=` runs that image).
fn exclusive(base: &mut Node, over: &Node) {
    let groups: &[&[&str]] = match base.name.value.as_str() {
        "project" => &[&["create"], &["id"]],
        "image" => &[
            &["ref"],
            &["dockerfile", "context", "platform"],
            &["service"],
        ],
        _ => return,
    };
    let group_of = |key: &str| groups.iter().position(|g| g.contains(&key));
    let written: Vec<usize> = over
        .props
        .iter()
        .filter_map(|p| group_of(&p.key.value))
        .collect();
    if written.is_empty() {
        return;
    }
    base.props
        .retain(|p| group_of(&p.key.value).is_none_or(|g| written.contains(&g)));
}

/// Merges `over` into `base`: arguments given replace the arguments (after the identity,
/// for identified nodes), properties replace those of the same name, children merge by name.
fn merge_node(base: &mut Node, over: &Node, top_level: bool) {
    let keep = usize::from(top_level && identity(base).1.is_some());
    if over.args.len() > keep {
        base.args.truncate(keep);
        base.args.extend(over.args[keep..].iter().cloned());
    }
    if !top_level {
        // A setting child now reads as the override that last set it.
        base.span = over.span;
        base.name.span = over.name.span;
    }
    exclusive(base, over);
    for prop in &over.props {
        base.props.retain(|p| p.key.value != prop.key.value);
        base.props.push(prop.clone());
    }
    let Some(over_children) = &over.children else {
        return;
    };
    let children = base.children.get_or_insert_with(Vec::new);
    for child in over_children {
        let name = child.name.value.as_str();
        let mut added = child.clone();
        mark_layer(&mut added);
        match name {
            "env" | "secret-env" | "arg" => children.push(added),
            "public" | "private" => {
                children.retain(|c| c.name.value != "public" && c.name.value != "private");
                children.push(added);
            }
            "link" | "bucket" | "database" | "queue" | "consume" | "redis" => {
                let target = child.first_str().map(|s| s.value);
                match children
                    .iter_mut()
                    .find(|c| c.name.value == name && c.first_str().map(|s| s.value) == target)
                {
                    Some(existing) => merge_node(existing, child, false),
                    None => children.push(added),
                }
            }
            "expire" => {
                // One rule per prefix: an override of a prefix replaces its days.
                let prefix = |n: &Node| {
                    n.prop("prefix")
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string()
                };
                let target = prefix(child);
                match children
                    .iter_mut()
                    .find(|c| c.name.value == name && prefix(c) == target)
                {
                    Some(existing) => merge_node(existing, child, false),
                    None => children.push(added),
                }
            }
            _ => match children.iter_mut().rev().find(|c| c.name.value == name) {
                Some(existing) => merge_node(existing, child, false),
                None => children.push(added),
            },
        }
    }
}
