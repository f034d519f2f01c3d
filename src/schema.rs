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
    /// Written as a list, or the name of a list of [`crate::limits::list`].
    #[serde(default, deserialize_with = "values")]
    pub values: Vec<String>,
    /// Only the listed `values` are accepted.
    #[serde(default)]
    pub closed: bool,
    /// The integers accepted, lowest and highest: every integer has a range. Written
    /// `[min, max]`, or the name of a limit of [`crate::limits`].
    #[serde(default, deserialize_with = "range")]
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
    /// Written as a list, or the name of a list of [`crate::limits::list`].
    #[serde(default, deserialize_with = "values")]
    pub values: Vec<String>,
    /// Only the listed `values` are accepted.
    #[serde(default)]
    pub closed: bool,
    /// The integers accepted, lowest and highest: every integer has a range. Written
    /// `[min, max]`, or the name of a limit of [`crate::limits`].
    #[serde(default, deserialize_with = "range")]
    pub range: Option<[i64; 2]>,
    /// The check that reports a value outside `range`, when one explains it better
    /// than `cellac::schema::range`.
    #[serde(default)]
    pub range_code: Option<String>,
}

/// `values`: a list of strings, or the name of a list of [`crate::limits::list`].
fn values<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Values {
        List(Vec<String>),
        Named(String),
    }
    match Values::deserialize(d)? {
        Values::List(l) => Ok(l),
        Values::Named(name) => crate::limits::list(&name)
            .map(|l| l.iter().map(i128::to_string).collect())
            .ok_or_else(|| serde::de::Error::custom(format!("no list named `{name}`"))),
    }
}

/// A `range`: `[min, max]`, or the name of a [`crate::limits::Limit`] (declared once).
fn range<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<[i64; 2]>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Range {
        Pair([i64; 2]),
        Named(String),
    }
    match Option::<Range>::deserialize(d)? {
        None => Ok(None),
        Some(Range::Pair(p)) => Ok(Some(p)),
        Some(Range::Named(name)) => {
            let l = crate::limits::find(&name)
                .ok_or_else(|| serde::de::Error::custom(format!("no limit named `{name}`")))?;
            let int = |v: i128| i64::try_from(v).map_err(serde::de::Error::custom);
            Ok(Some([int(l.min)?, int(l.max)?]))
        }
    }
}

/// Every doc of a node (its own, its arguments', its properties', its children's) with
/// `{limit:NAME}` placeholders expanded.
fn expand_docs(node: &mut NodeSpec) {
    let fill = |doc: &mut String| {
        if let std::borrow::Cow::Owned(s) = crate::limits::expand(doc) {
            *doc = s;
        }
    };
    fill(&mut node.doc);
    node.args.iter_mut().for_each(|a| fill(&mut a.doc));
    node.props.values_mut().for_each(|p| fill(&mut p.doc));
    if let Some(p) = node.any_props.as_mut() {
        fill(&mut p.doc);
    }
    if let Some(Children::Nodes(children)) = node.children.as_mut() {
        children.values_mut().for_each(expand_docs);
    }
}

/// The language description, parsed once.
#[allow(
    clippy::expect_used,
    reason = "schema/language.json is embedded at compile time, and every test parses it"
)]
pub fn language() -> &'static Language {
    static LANG: OnceLock<Language> = OnceLock::new();
    LANG.get_or_init(|| {
        let mut lang: Language =
            serde_json::from_str(LANGUAGE).expect("schema/language.json is valid");
        lang.nodes.values_mut().for_each(expand_docs);
        lang
    })
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
