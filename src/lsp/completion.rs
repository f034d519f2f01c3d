//! Completion from the line-based context, so that it works while the text is broken:
//! node names, property names, enum values, and declared names where a reference goes.

use super::context::{self, Cursor};
use crate::schema::{language, NodeSpec};
use crate::span::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Node,
    Property,
    Value,
    Reference,
}

/// One completion: the label, the text that replaces `replace`, a detail and docs.
#[derive(Clone, Debug)]
pub struct Item {
    pub label: String,
    pub insert: String,
    pub replace: Span,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub doc: Option<String>,
}

/// The zones of a region, as `check::region` knows them (`fr-par-1` ..).
pub fn zones(region: &str) -> Vec<String> {
    (1..=3).map(|i| format!("{region}-{i}")).collect()
}

/// Names declared at the top level, of one node kind.
fn declared(text: &str, node: &str) -> Vec<String> {
    let mut names: Vec<String> = context::declared(text)
        .into_iter()
        .filter(|(n, _)| n == node)
        .map(|(_, name)| name)
        .collect();
    names.dedup();
    names
}

/// A name as KDL needs it: bare when it can be, else quoted.
fn kdl_name(s: &str) -> String {
    let bare = !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if bare {
        s.to_string()
    } else {
        format!("{s:?}")
    }
}

fn reference_items(names: Vec<String>, what: &str, replace: Span, prefix: &str) -> Vec<Item> {
    names
        .into_iter()
        .map(|n| Item {
            label: format!("{prefix}{n}"),
            insert: format!("{prefix}{}", kdl_name(&n)),
            replace,
            kind: ItemKind::Reference,
            detail: Some(format!("declared {what}")),
            doc: None,
        })
        .collect()
}

fn value_items(values: &[String], replace: Span, detail: &str) -> Vec<Item> {
    values
        .iter()
        .map(|v| Item {
            label: v.clone(),
            insert: v.clone(),
            replace,
            kind: ItemKind::Value,
            detail: Some(detail.to_string()),
            doc: None,
        })
        .collect()
}

/// Values of a given type or list: references for `secret`, `service`, `site` types.
fn typed_values(text: &str, ty: &str, values: &[String], replace: Span, detail: &str) -> Vec<Item> {
    match ty {
        "secret" | "service" | "site" | "queue" | "redis" => {
            reference_items(declared(text, ty), ty, replace, "")
        }
        _ => value_items(values, replace, detail),
    }
}

/// Every completion at `offset`.
pub fn complete(text: &str, offset: usize) -> Vec<Item> {
    let offset = crate::span::floor_char_boundary(text, offset);
    let cur = context::at(text, offset);
    let path: Vec<&str> = cur.stmt.path.iter().map(String::as_str).collect();
    if cur.index == 0 {
        return node_items(&path, cur.partial);
    }
    let Some(node) = cur.stmt.name(text) else {
        return Vec::new();
    };
    let mut full = path.clone();
    full.push(node);
    let Some(spec) = language().node_at(&full) else {
        return Vec::new();
    };
    let partial = text.get(cur.partial.range()).unwrap_or_default();

    // `(var)` references wherever a value goes.
    let value_part = partial.split_once('=').map_or(partial, |(_, v)| v);
    let value_start = cur.partial.end - value_part.len();
    if value_part.starts_with('(') {
        return reference_items(
            declared(text, "var"),
            "var",
            Span::new(value_start, cur.partial.end),
            "(var)",
        );
    }
    if let Some((key, _)) = partial.split_once('=') {
        let replace = Span::new(value_start, cur.partial.end);
        if node == "stack" && key == "zone" {
            let region = cur
                .stmt
                .prop(text, "region")
                .map(String::from)
                .unwrap_or_else(|| "fr-par".into());
            return value_items(&zones(&region), replace, &format!("a zone of {region}"));
        }
        let Some(prop) = spec.props.get(key).or(spec.any_props.as_ref()) else {
            return Vec::new();
        };
        let mut items = typed_values(text, &prop.ty, &prop.values, replace, &prop.doc);
        if prop.var {
            items.extend(reference_items(
                declared(text, "var"),
                "var",
                replace,
                "(var)",
            ));
        }
        return items;
    }
    let mut items = Vec::new();
    // An argument: enum values, references, or an environment's override target.
    if let Some(arg) = spec.args.get(cur.index - 1) {
        if path == ["environment"]
            && ["service", "site", "bucket", "secret", "var", "queue"].contains(&node)
            && cur.index == 1
        {
            items.extend(reference_items(declared(text, node), node, cur.partial, ""));
        } else {
            items.extend(typed_values(
                text,
                &arg.ty,
                &arg.values,
                cur.partial,
                &arg.doc,
            ));
        }
    }
    items.extend(prop_items(text, &cur, spec));
    items
}

fn node_items(path: &[&str], replace: Span) -> Vec<Item> {
    let Some(children) = language().children_at(path) else {
        return Vec::new();
    };
    children
        .into_iter()
        .map(|(name, spec)| Item {
            label: name.to_string(),
            insert: name.to_string(),
            replace,
            kind: ItemKind::Node,
            detail: Some(spec.doc.clone()),
            doc: Some(super::hover::node_doc(&[path, &[name]].concat(), spec)),
        })
        .collect()
}

/// `key=` for each property of the node not yet written in this statement.
fn prop_items(text: &str, cur: &Cursor, spec: &NodeSpec) -> Vec<Item> {
    spec.props
        .iter()
        .filter(|(k, _)| cur.stmt.prop(text, k).is_none())
        .map(|(k, p)| Item {
            label: format!("{k}="),
            insert: format!("{k}="),
            replace: cur.partial,
            kind: ItemKind::Property,
            detail: Some(p.doc.clone()),
            doc: Some(super::hover::prop_doc(
                cur.stmt.name(text).unwrap_or_default(),
                k,
                p,
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    /// Issue 23: a `queue` or `consume` child completes the declared queues' names.
    #[test]
    fn queue_names_complete() {
        let text = "stack s\nqueue emails\nqueue orders\nservice w {\n    consume \n}\n";
        let offset = text.find("consume ").unwrap_or(0) + "consume ".len();
        let labels: Vec<String> = super::complete(text, offset)
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(labels[..2], ["emails", "orders"]);
    }

    /// Issue 23: `redis |` in a service completes the declared Redis clusters.
    #[test]
    fn redis_names() {
        let text = "stack s\nnetwork\nsecret pw\nredis cache password=pw\nredis sessions password=pw\nservice web {\n    redis \n}\n";
        let offset = text.find("redis \n").unwrap() + "redis ".len();
        let labels: Vec<String> = super::complete(text, offset)
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert!(labels.contains(&"cache".to_string()), "{labels:?}");
        assert!(labels.contains(&"sessions".to_string()), "{labels:?}");
        assert!(!labels.contains(&"web".to_string()), "{labels:?}");
    }
}
