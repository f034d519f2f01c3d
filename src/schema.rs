//! The language's shape, described once as data in `schema/language.json`:
//! nodes, arguments, properties, types, defaults and one-line docs.

#![deny(clippy::arithmetic_side_effects)]

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const LANGUAGE: &str = include_str!("../schema/language.json");

#[derive(Debug, Deserialize)]
pub struct Language {
    pub version: u32,
    pub doc: String,
    pub types: BTreeMap<String, String>,
    pub nodes: BTreeMap<String, NodeSpec>,
}

#[derive(Debug, Deserialize)]
pub struct NodeSpec {
    pub doc: String,
    #[serde(default)]
    pub multiple: bool,
    #[serde(default)]
    pub flag: bool,
    #[serde(default)]
    pub args: Vec<ArgSpec>,
    #[serde(default)]
    pub props: BTreeMap<String, PropSpec>,
    #[serde(default)]
    pub any_props: Option<PropSpec>,
    #[serde(default)]
    pub children: Option<Children>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Children {
    /// `"top"`: the top level's nodes (for `environment`).
    Top(String),
    Nodes(BTreeMap<String, NodeSpec>),
}

#[derive(Debug, Deserialize)]
pub struct ArgSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub required: bool,
    pub doc: String,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    /// Only the listed `values` are accepted.
    #[serde(default)]
    pub closed: bool,
    /// The integers accepted, lowest and highest: every integer has a range.
    #[serde(default)]
    pub range: Option<[i64; 2]>,
    /// The check that reports a value outside `range`, when one explains it better
    /// than `cellac::schema::range`.
    #[serde(default)]
    pub range_code: Option<String>,
    /// The last argument may repeat (`command "celery" "-A" "app"`).
    #[serde(default)]
    pub variadic: bool,
}

#[derive(Debug, Deserialize)]
pub struct PropSpec {
    #[serde(rename = "type")]
    pub ty: String,
    /// A comma-separated list: each item is checked against `values`.
    #[serde(default)]
    pub list: bool,
    pub doc: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub var: bool,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    /// Only the listed `values` are accepted.
    #[serde(default)]
    pub closed: bool,
    /// The integers accepted, lowest and highest: every integer has a range.
    #[serde(default)]
    pub range: Option<[i64; 2]>,
    /// The check that reports a value outside `range`, when one explains it better
    /// than `cellac::schema::range`.
    #[serde(default)]
    pub range_code: Option<String>,
}

/// The language description, parsed once.
#[allow(
    clippy::expect_used,
    reason = "schema/language.json is embedded at compile time, and every test parses it"
)]
pub fn language() -> &'static Language {
    static LANG: OnceLock<Language> = OnceLock::new();
    LANG.get_or_init(|| serde_json::from_str(LANGUAGE).expect("schema/language.json is valid"))
}

/// Node names valid at the top level (and inside `environment`, minus `stack` and `environment`).
pub const ENV_EXCLUDED: [&str; 2] = ["stack", "environment"];

impl Language {
    /// The specs of the children allowed under `path` (node names from the top, e.g.
    /// `["environment", "service"]`), or `None` when that node takes no children.
    pub fn children_at(&self, path: &[&str]) -> Option<Vec<(&str, &NodeSpec)>> {
        let mut level: Vec<(&str, &NodeSpec)> =
            self.nodes.iter().map(|(k, v)| (k.as_str(), v)).collect();
        for name in path {
            let spec = level.iter().find(|(k, _)| k == name)?.1;
            level = match spec.children.as_ref()? {
                Children::Top(_) => self
                    .nodes
                    .iter()
                    .filter(|(k, _)| !ENV_EXCLUDED.contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str(), v))
                    .collect(),
                Children::Nodes(nodes) => nodes.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            };
        }
        Some(level)
    }

    /// The spec of the node at `path` (its name last).
    pub fn node_at(&self, path: &[&str]) -> Option<&NodeSpec> {
        let (last, parent) = path.split_last()?;
        self.children_at(parent)?
            .into_iter()
            .find(|(k, _)| k == last)
            .map(|(_, v)| v)
    }
}
