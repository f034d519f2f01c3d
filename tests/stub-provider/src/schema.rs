//! The provider schema, read from a `terraform providers schema -json` dump.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::proto::tfplugin6 as tf;

pub const PROVIDER_KEY: &str = "registry.terraform.io/scaleway/scaleway";

#[derive(Debug, Clone)]
pub struct Attr {
    /// The cty type, as JSON (handed to Terraform unchanged).
    pub ty: Json,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub description: String,
    pub markdown: bool,
}

impl Attr {
    /// Computed-only: its value can never come from the configuration.
    pub fn unconfigurable(&self) -> bool {
        self.computed && !self.optional && !self.required
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    Single,
    Group,
    List,
    Set,
    Map,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub min_items: i64,
    pub max_items: i64,
    pub block: Block,
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub attributes: BTreeMap<String, Attr>,
    pub block_types: BTreeMap<String, NestedBlock>,
    pub description: String,
    pub markdown: bool,
    pub deprecated: bool,
}

#[derive(Debug, Clone)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Debug, Clone)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
}

fn s(j: &Json, k: &str) -> String {
    j.get(k)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}
fn b(j: &Json, k: &str) -> bool {
    j.get(k).and_then(Json::as_bool).unwrap_or(false)
}
fn i(j: &Json, k: &str) -> i64 {
    j.get(k).and_then(Json::as_i64).unwrap_or(0)
}

fn parse_block(j: &Json) -> Result<Block, String> {
    let mut block = Block {
        description: s(j, "description"),
        markdown: s(j, "description_kind") == "markdown",
        deprecated: b(j, "deprecated"),
        ..Block::default()
    };
    if let Some(attrs) = j.get("attributes").and_then(Json::as_object) {
        for (name, a) in attrs {
            if a.get("nested_type").is_some() {
                return Err(format!(
                    "attribute {name}: nested_type attributes are not supported by the stand-in"
                ));
            }
            let ty = a
                .get("type")
                .cloned()
                .ok_or_else(|| format!("attribute {name} has no type"))?;
            block.attributes.insert(
                name.clone(),
                Attr {
                    ty,
                    required: b(a, "required"),
                    optional: b(a, "optional"),
                    computed: b(a, "computed"),
                    sensitive: b(a, "sensitive"),
                    write_only: b(a, "write_only"),
                    deprecated: b(a, "deprecated"),
                    description: s(a, "description"),
                    markdown: s(a, "description_kind") == "markdown",
                },
            );
        }
    }
    if let Some(blocks) = j.get("block_types").and_then(Json::as_object) {
        for (name, nb) in blocks {
            let nesting = match nb.get("nesting_mode").and_then(Json::as_str) {
                Some("single") => Nesting::Single,
                Some("group") => Nesting::Group,
                Some("list") => Nesting::List,
                Some("set") => Nesting::Set,
                Some("map") => Nesting::Map,
                other => return Err(format!("block {name}: unknown nesting mode {other:?}")),
            };
            let inner = nb
                .get("block")
                .ok_or_else(|| format!("block {name} has no block"))?;
            block.block_types.insert(
                name.clone(),
                NestedBlock {
                    nesting,
                    min_items: i(nb, "min_items"),
                    max_items: i(nb, "max_items"),
                    block: parse_block(inner).map_err(|e| format!("{name}: {e}"))?,
                },
            );
        }
    }
    Ok(block)
}

fn parse_schema(j: &Json) -> Result<Schema, String> {
    Ok(Schema {
        version: i(j, "version"),
        block: parse_block(j.get("block").ok_or("schema without block")?)?,
    })
}

/// Whether a schema has a `nested_type` attribute anywhere (blocks included).
fn uses_nested_types(j: &Json) -> bool {
    match j {
        Json::Object(m) => m.contains_key("nested_type") || m.values().any(uses_nested_types),
        Json::Array(a) => a.iter().any(uses_nested_types),
        _ => false,
    }
}

impl ProviderSchema {
    pub fn from_dump(dump: &Json) -> Result<Self, String> {
        let p = dump
            .get("provider_schemas")
            .and_then(|ps| ps.get(PROVIDER_KEY))
            .ok_or_else(|| format!("no provider_schemas.\"{PROVIDER_KEY}\" in the schema dump"))?;
        let mut out = ProviderSchema {
            provider: parse_schema(p.get("provider").ok_or("no provider schema")?)?,
            resources: BTreeMap::new(),
            data_sources: BTreeMap::new(),
        };
        for (key, map) in [
            ("resource_schemas", &mut out.resources),
            ("data_source_schemas", &mut out.data_sources),
        ] {
            if let Some(obj) = p.get(key).and_then(Json::as_object) {
                for (name, sch) in obj {
                    // A few types of the whole dump use nested_type attributes, which the
                    // stand-in does not model: it leaves them out, so a configuration that
                    // uses one fails with Terraform's own "unsupported type" error.
                    if uses_nested_types(sch) {
                        continue;
                    }
                    map.insert(
                        name.clone(),
                        parse_schema(sch).map_err(|e| format!("{name}: {e}"))?,
                    );
                }
            }
        }
        Ok(out)
    }

    pub fn load(path: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
        let dump: Json = serde_json::from_str(&text).map_err(|e| format!("parsing {path}: {e}"))?;
        Self::from_dump(&dump).map_err(|e| format!("{path}: {e}"))
    }
}

fn kind(markdown: bool) -> i32 {
    if markdown {
        tf::StringKind::Markdown as i32
    } else {
        tf::StringKind::Plain as i32
    }
}

fn block_to_proto(b: &Block, version: i64) -> tf::schema::Block {
    use tf::schema::nested_block::NestingMode as M;
    tf::schema::Block {
        version,
        attributes: b
            .attributes
            .iter()
            .map(|(name, a)| tf::schema::Attribute {
                name: name.clone(),
                r#type: serde_json::to_vec(&a.ty).expect("type serialises"),
                nested_type: None,
                description: a.description.clone(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: kind(a.markdown),
                deprecated: a.deprecated,
                write_only: a.write_only,
            })
            .collect(),
        block_types: b
            .block_types
            .iter()
            .map(|(name, nb)| tf::schema::NestedBlock {
                type_name: name.clone(),
                block: Some(block_to_proto(&nb.block, 0)),
                nesting: match nb.nesting {
                    Nesting::Single => M::Single,
                    Nesting::Group => M::Group,
                    Nesting::List => M::List,
                    Nesting::Set => M::Set,
                    Nesting::Map => M::Map,
                } as i32,
                min_items: nb.min_items,
                max_items: nb.max_items,
            })
            .collect(),
        description: b.description.clone(),
        description_kind: kind(b.markdown),
        deprecated: b.deprecated,
    }
}

impl Schema {
    pub fn to_proto(&self) -> tf::Schema {
        tf::Schema {
            version: self.version,
            block: Some(block_to_proto(&self.block, self.version)),
        }
    }
}
