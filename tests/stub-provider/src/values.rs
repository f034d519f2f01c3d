//! Terraform values as msgpack (cty's wire encoding), walked along a schema.
//!
//! Unknown values travel as msgpack extension values (type 0, or type 12 for
//! refined unknowns); they are kept as `rmpv::Value::Ext` and passed through.

use rmpv::Value;
use serde_json::Value as Json;

use crate::proto::tfplugin6 as tf;
use crate::schema::{Attr, Block, Nesting};

/// cty's encoding of a plain unknown value: fixext1, type 0, payload 0.
pub fn unknown() -> Value {
    Value::Ext(0, vec![0])
}

pub fn is_unknown(v: &Value) -> bool {
    matches!(v, Value::Ext(..))
}

pub fn decode(dv: Option<&tf::DynamicValue>) -> Result<Value, String> {
    let Some(dv) = dv else { return Ok(Value::Nil) };
    if !dv.msgpack.is_empty() {
        let mut rd = &dv.msgpack[..];
        return rmpv::decode::read_value(&mut rd).map_err(|e| format!("decoding msgpack: {e}"));
    }
    if !dv.json.is_empty() {
        let j: Json =
            serde_json::from_slice(&dv.json).map_err(|e| format!("decoding json: {e}"))?;
        return Ok(from_json(&j));
    }
    Ok(Value::Nil)
}

pub fn encode(v: &Value) -> tf::DynamicValue {
    let mut buf = Vec::new();
    rmpv::encode::write_value(&mut buf, v).expect("writing to a Vec cannot fail");
    tf::DynamicValue {
        msgpack: buf,
        json: Vec::new(),
    }
}

/// Untyped JSON to msgpack (only used if Terraform ever sends JSON).
pub fn from_json(j: &Json) -> Value {
    match j {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        Json::Object(o) => Value::Map(
            o.iter()
                .map(|(k, v)| (Value::from(k.as_str()), from_json(v)))
                .collect(),
        ),
    }
}

pub fn get<'a>(obj: &'a Value, key: &str) -> Option<&'a Value> {
    match obj {
        Value::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Sets `key` in an object, adding the entry if it is missing.
pub fn set(obj: &mut Value, key: &str, val: Value) {
    if let Value::Map(entries) = obj {
        if let Some(slot) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
            slot.1 = val;
        } else {
            entries.push((Value::from(key), val));
        }
    }
}

fn get_mut<'a>(obj: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match obj {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Applies `f` to every element object of the nested block `name` in `obj`.
fn for_each_nested(obj: &mut Value, name: &str, nesting: Nesting, mut f: impl FnMut(&mut Value)) {
    let Some(v) = get_mut(obj, name) else { return };
    match (nesting, v) {
        (_, Value::Nil) | (_, Value::Ext(..)) => {}
        (Nesting::Single | Nesting::Group, v) => f(v),
        (Nesting::List | Nesting::Set, Value::Array(items)) => items.iter_mut().for_each(f),
        (Nesting::Map, Value::Map(entries)) => entries.iter_mut().for_each(|(_, v)| f(v)),
        _ => {}
    }
}

// ---------------------------------------------------------------- validation

pub type Step = tf::attribute_path::Step;

fn step_attr(name: &str) -> Step {
    Step {
        selector: Some(tf::attribute_path::step::Selector::AttributeName(
            name.to_string(),
        )),
    }
}

/// Errors for values set on computed-only attributes, like the real
/// provider's (SDKv2) "Value for unconfigurable attribute".
pub fn check_unconfigurable(
    block: &Block,
    obj: &Value,
    path: &[Step],
    key: &str,
    diags: &mut Vec<tf::Diagnostic>,
) {
    if !matches!(obj, Value::Map(_)) {
        return;
    }
    for (name, attr) in &block.attributes {
        if !attr.unconfigurable() {
            continue;
        }
        if let Some(v) = get(obj, name) {
            if *v != Value::Nil {
                let mut steps = path.to_vec();
                steps.push(step_attr(name));
                diags.push(tf::Diagnostic {
                    severity: tf::diagnostic::Severity::Error as i32,
                    summary: "Value for unconfigurable attribute".into(),
                    detail: format!(
                        "Can't configure a value for \"{}{name}\": its value will be decided automatically based on the result of applying this configuration.",
                        key
                    ),
                    attribute: Some(tf::AttributePath { steps }),
                });
            }
        }
    }
    for (name, nb) in &block.block_types {
        let Some(v) = get(obj, name) else { continue };
        let mut base = path.to_vec();
        base.push(step_attr(name));
        match (nb.nesting, v) {
            (_, Value::Nil) | (_, Value::Ext(..)) => {}
            (Nesting::Single | Nesting::Group, v) => {
                check_unconfigurable(&nb.block, v, &base, &format!("{key}{name}."), diags)
            }
            (Nesting::List, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = base.clone();
                    p.push(Step {
                        selector: Some(tf::attribute_path::step::Selector::ElementKeyInt(i as i64)),
                    });
                    check_unconfigurable(&nb.block, item, &p, &format!("{key}{name}.{i}."), diags);
                }
            }
            // Set elements have no key a path can name: point at the block.
            (Nesting::Set, Value::Array(items)) => {
                for item in items {
                    check_unconfigurable(&nb.block, item, &base, &format!("{key}{name}."), diags);
                }
            }
            (Nesting::Map, Value::Map(entries)) => {
                for (k, item) in entries {
                    let ks = k.as_str().unwrap_or_default().to_string();
                    let mut p = base.clone();
                    p.push(Step {
                        selector: Some(tf::attribute_path::step::Selector::ElementKeyString(
                            ks.clone(),
                        )),
                    });
                    check_unconfigurable(&nb.block, item, &p, &format!("{key}{name}.{ks}."), diags);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- planning

/// Planning a create: computed attributes the configuration leaves null become
/// unknown, in nested blocks too; write-only attributes are nulled.
pub fn plan_create(block: &Block, obj: &mut Value) {
    if !matches!(obj, Value::Map(_)) {
        return;
    }
    for (name, attr) in &block.attributes {
        let current = get(obj, name).cloned().unwrap_or(Value::Nil);
        if attr.write_only {
            set(obj, name, Value::Nil);
        } else if attr.computed && current == Value::Nil {
            set(obj, name, unknown());
        }
    }
    for (name, nb) in &block.block_types {
        for_each_nested(obj, name, nb.nesting, |item| plan_create(&nb.block, item));
    }
}

/// Write-only attribute values never reach the plan or the state.
pub fn null_write_only(block: &Block, obj: &mut Value) {
    if !matches!(obj, Value::Map(_)) {
        return;
    }
    for (name, attr) in &block.attributes {
        if attr.write_only {
            set(obj, name, Value::Nil);
        }
    }
    for (name, nb) in &block.block_types {
        for_each_nested(obj, name, nb.nesting, |item| {
            null_write_only(&nb.block, item)
        });
    }
}

/// What plausible values are made of: `seed` makes ids unique to one object
/// (its type and planned values), the region and project the provider's.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub type_name: String,
    pub seed: String,
    pub region: String,
    pub default_project: String,
    /// The object's own `name`, when known (endpoints are named after it).
    pub name: String,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            type_name: String::new(),
            seed: String::new(),
            region: "fr-par".into(),
            default_project: crate::behaviour::DEFAULT_PROJECT.into(),
            name: "stub".into(),
        }
    }
}

impl Ctx {
    /// The context of one object: its seed is its type and its planned values.
    pub fn for_object(type_name: &str, obj: &Value, region: &str, default_project: &str) -> Self {
        let mut buf = Vec::new();
        let _ = rmpv::encode::write_value(&mut buf, obj);
        let own_region = get(obj, "region")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
            .unwrap_or(region);
        Ctx {
            type_name: type_name.to_string(),
            seed: format!("{type_name}:{}", String::from_utf8_lossy(&buf)),
            region: own_region.to_string(),
            default_project: default_project.to_string(),
            name: get(obj, "name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or("stub")
                .to_string(),
        }
    }

    fn uuid(&self, attr: &str) -> String {
        crate::behaviour::uuid_of(&[&self.seed, attr])
    }
}

/// Replaces unknown values (apply) or, with `fill_null_computed`, null
/// computed attributes (data source read) with plausible values.
pub fn fill(block: &Block, obj: &mut Value, fill_null_computed: bool, ctx: &Ctx) {
    if !matches!(obj, Value::Map(_)) {
        return;
    }
    for (name, attr) in &block.attributes {
        let current = get(obj, name).cloned().unwrap_or(Value::Nil);
        let wanted =
            is_unknown(&current) || (fill_null_computed && attr.computed && current == Value::Nil);
        if attr.write_only {
            set(obj, name, Value::Nil);
        } else if wanted {
            set(obj, name, plausible(name, attr, ctx));
        } else {
            let mut v = current;
            replace_nested_unknowns(name, &attr.ty, &mut v, ctx);
            set(obj, name, v);
        }
    }
    for (name, nb) in &block.block_types {
        if get(obj, name).is_some_and(is_unknown) {
            let empty = match nb.nesting {
                Nesting::Single | Nesting::Group => Value::Nil,
                Nesting::List | Nesting::Set => Value::Array(vec![]),
                Nesting::Map => Value::Map(vec![]),
            };
            set(obj, name, empty);
        }
        for_each_nested(obj, name, nb.nesting, |item| {
            fill(&nb.block, item, fill_null_computed, ctx)
        });
    }
}

fn replace_nested_unknowns(name: &str, ty: &Json, v: &mut Value, ctx: &Ctx) {
    if is_unknown(v) {
        *v = plausible_of_type(name, ty, ctx);
        return;
    }
    let kind = ty.get(0).and_then(Json::as_str);
    match (kind, v) {
        (Some("list" | "set"), Value::Array(items)) => items
            .iter_mut()
            .for_each(|i| replace_nested_unknowns(name, &ty[1], i, ctx)),
        (Some("map"), Value::Map(entries)) => entries
            .iter_mut()
            .for_each(|(_, i)| replace_nested_unknowns(name, &ty[1], i, ctx)),
        (Some("object"), obj @ Value::Map(_)) => {
            if let Some(attrs) = ty[1].as_object() {
                for (k, t) in attrs {
                    if let Some(slot) = get_mut(obj, k) {
                        replace_nested_unknowns(k, t, slot, ctx);
                    }
                }
            }
        }
        _ => {}
    }
}

fn plausible(name: &str, attr: &Attr, ctx: &Ctx) -> Value {
    plausible_of_type(name, &attr.ty, ctx)
}

/// A plausible value for a computed string attribute: ids unique to the object
/// and stable (the state keeps them), endpoints named like Scaleway's.
pub fn plausible_string(name: &str, ctx: &Ctx) -> String {
    let n = name.to_ascii_lowercase();
    let short = &ctx.uuid("short")[..8];
    let r = &ctx.region;
    if n == "id" {
        match ctx.type_name.as_str() {
            // Projects and IAM objects are global: a plain UUID.
            t if t == "scaleway_account_project" || t.starts_with("scaleway_iam_") => {
                ctx.uuid("id")
            }
            _ => format!("{r}/{}", ctx.uuid("id")),
        }
    } else if n == "project_id" {
        // Left to the provider: its default project.
        ctx.default_project.clone()
    } else if n == "organization_id" {
        "0a0a0a0a-0000-4000-8000-0000000000a0".into()
    } else if n.ends_with("_id") {
        ctx.uuid(&n)
    } else if n == "region" {
        r.clone()
    } else if n == "zone" {
        format!("{r}-1")
    } else if n.ends_with("_at") {
        "2025-01-01T00:00:00Z".into()
    } else if ctx.type_name == "scaleway_registry_namespace" && n == "endpoint" {
        format!("rg.{r}.scw.cloud/{}", ctx.name)
    } else if ctx.type_name == "scaleway_container" && n == "public_endpoint" {
        format!(
            "https://{}{short}-{}.functions.fnc.{r}.scw.cloud",
            ctx.name,
            &ctx.uuid("ns")[..8]
        )
    } else if ctx.type_name == "scaleway_container" && n == "domain_name" {
        format!(
            "{}{short}-{}.functions.fnc.{r}.scw.cloud",
            ctx.name,
            &ctx.uuid("ns")[..8]
        )
    } else if n.contains("url") || n.contains("endpoint") {
        format!("https://{short}.stub.{r}.scw.cloud")
    } else if n.contains("domain") || n.contains("hostname") || n.contains("fqdn") {
        format!("{short}.stub.{r}.scw.cloud")
    } else if n == "secret_key" {
        // Never a real secret: recognisable in any log that would leak it.
        format!("STUBSECRET-{}", ctx.uuid("secret"))
    } else if n == "access_key" {
        format!(
            "SCWSTUB{}",
            &ctx.uuid("access").replace('-', "")[..13].to_ascii_uppercase()
        )
    } else if n == "status" {
        "ready".into()
    } else if n == "revision" || n == "version" {
        "1".into()
    } else {
        format!("stub-{n}")
    }
}

pub fn plausible_of_type(name: &str, ty: &Json, ctx: &Ctx) -> Value {
    match ty {
        Json::String(t) => match t.as_str() {
            "string" => Value::from(plausible_string(name, ctx)),
            "number" => Value::from(1),
            "bool" => Value::Boolean(false),
            _ => Value::Nil, // "dynamic": leave null
        },
        Json::Array(parts) => match parts.first().and_then(Json::as_str) {
            Some("list" | "set") => Value::Array(vec![]),
            Some("map") => Value::Map(vec![]),
            Some("object") => Value::Map(
                parts[1]
                    .as_object()
                    .map(|attrs| {
                        attrs
                            .iter()
                            .map(|(k, t)| (Value::from(k.as_str()), plausible_of_type(k, t, ctx)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            Some("tuple") => Value::Array(
                parts[1]
                    .as_array()
                    .map(|ts| ts.iter().map(|t| plausible_of_type(name, t, ctx)).collect())
                    .unwrap_or_default(),
            ),
            _ => Value::Nil,
        },
        _ => Value::Nil,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ProviderSchema;

    fn schema() -> ProviderSchema {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/scaleway.json");
        ProviderSchema::load(path).expect("schema loads")
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn computed_only_values_are_rejected_with_a_path() {
        let s = schema();
        let pn = &s.resources["scaleway_vpc_private_network"].block;
        let cfg = obj(&[
            ("created_at", Value::from("x")),
            ("name", Value::from("pn")),
            (
                "ipv4_subnet",
                Value::Array(vec![obj(&[
                    ("address", unknown()),
                    ("subnet", Value::from("10.0.0.0/24")),
                ])]),
            ),
        ]);
        let mut diags = vec![];
        check_unconfigurable(pn, &cfg, &[], "", &mut diags);
        let details: Vec<_> = diags.iter().map(|d| d.detail.as_str()).collect();
        assert_eq!(diags.len(), 2, "{details:?}");
        assert!(diags
            .iter()
            .all(|d| d.summary == "Value for unconfigurable attribute"));
        assert!(details[0]
            .starts_with("Can't configure a value for \"created_at\": its value will be decided"));
        assert!(details[1].contains("\"ipv4_subnet.0.address\""));
        assert_eq!(diags[1].attribute.as_ref().unwrap().steps.len(), 3);
    }

    #[test]
    fn create_plans_computed_nulls_as_unknown_and_drops_write_only() {
        let s = schema();
        let sv = &s.resources["scaleway_secret_version"].block;
        let mut v = Value::Map(
            sv.attributes
                .keys()
                .map(|k| (Value::from(k.as_str()), Value::Nil))
                .chain([(Value::from("timeouts"), Value::Nil)])
                .collect(),
        );
        set(&mut v, "secret_id", Value::from("abc"));
        set(&mut v, "data_wo", Value::from("hunter2"));
        plan_create(sv, &mut v);
        assert_eq!(get(&v, "data_wo"), Some(&Value::Nil));
        assert!(is_unknown(get(&v, "revision").unwrap()));
        assert!(is_unknown(get(&v, "id").unwrap()));
        assert_eq!(get(&v, "secret_id"), Some(&Value::from("abc")));
        assert_eq!(get(&v, "description"), Some(&Value::Nil));

        fill(sv, &mut v, false, &Ctx::default());
        assert_eq!(
            get(&v, "created_at"),
            Some(&Value::from("2025-01-01T00:00:00Z"))
        );
    }
}
