//! Reading a Terraform state for `cellac adopt`: the raw state (`terraform state pull`,
//! format version 4) or `terraform show -json` of it. Only each resource's identity is
//! kept: its address, mode, type, and the attributes `id`, `name`, `project_id`,
//! `region`, `zone` (and a secret's `path`). Every other value (a secret version's
//! `data`, a container's `secret_environment_variables`, keys...) is dropped while
//! reading and never stored, printed or written.

use serde_json::Value;

/// One live resource instance, by identity only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Live {
    /// The instance's full address: `module.storage.scaleway_object_bucket.this["a"]`.
    pub address: String,
    /// The resource's address, without the instance key (what `removed` takes).
    pub resource: String,
    /// The module path (`module.storage`), empty for the root module.
    pub module: String,
    /// `managed` (a `resource`) or `data` (a data source: no state address of its own).
    pub managed: bool,
    pub ty: String,
    /// The resource's name in its module (`main`, `public_uploads`).
    pub local_name: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub zone: Option<String>,
    /// A secret's path in Secret Manager.
    pub path: Option<String>,
}

/// Why a state could not be read. Never holds any of the file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError(pub String);

/// Identity attributes: the only ones read.
const IDENTITY: [&str; 6] = ["id", "name", "project_id", "region", "zone", "path"];

/// Reads a state's resources, by identity only.
pub fn read(text: &str) -> Result<Vec<Live>, StateError> {
    // serde_json's errors name a line and a column, never the text itself.
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        StateError(format!(
            "not JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let mut out = Vec::new();
    if let Some(resources) = doc.get("resources").and_then(Value::as_array) {
        let version = doc.get("version").and_then(Value::as_i64);
        if version != Some(4) {
            return Err(StateError(format!(
                "a raw state of format version {}; cellac reads version 4 (Terraform 0.12 and later)",
                version.map_or("unknown".to_string(), |v| v.to_string())
            )));
        }
        for r in resources {
            raw_resource(r, &mut out);
        }
    } else if let Some(root) = doc.pointer("/values/root_module") {
        shown_module(root, &mut out);
    } else if doc.get("format_version").is_some() {
        // `terraform show -json` of an empty state has no `values`.
    } else {
        return Err(StateError(
            "neither a raw state (`terraform state pull`) nor `terraform show -json` output".into(),
        ));
    }
    Ok(out)
}

fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn identity(attrs: Option<&Value>) -> [Option<String>; 6] {
    IDENTITY.map(|k| text(attrs.and_then(|a| a.get(k))))
}

/// `["key"]` or `[0]` for an instance key.
fn key_suffix(key: Option<&Value>) -> String {
    match key {
        Some(Value::String(s)) => format!("[{}]", serde_json::Value::String(s.clone())),
        Some(Value::Number(n)) => format!("[{n}]"),
        _ => String::new(),
    }
}

fn push(
    out: &mut Vec<Live>,
    module: &str,
    managed: bool,
    ty: &str,
    name: &str,
    key: Option<&Value>,
    attrs: Option<&Value>,
) {
    let head = if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    };
    let data = if managed { "" } else { "data." };
    let resource = format!("{head}{data}{ty}.{name}");
    let [id, nm, project_id, region, zone, path] = identity(attrs);
    out.push(Live {
        address: format!("{resource}{}", key_suffix(key)),
        resource,
        module: module.to_string(),
        managed,
        ty: ty.to_string(),
        local_name: name.to_string(),
        id,
        name: nm,
        project_id,
        region,
        zone,
        path,
    });
}

/// A raw state's resource: `{module, mode, type, name, instances[].{index_key, attributes}}`.
fn raw_resource(r: &Value, out: &mut Vec<Live>) {
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
    let (ty, name) = (s("type"), s("name"));
    if ty.is_empty() || name.is_empty() {
        return;
    }
    let managed = s("mode") != "data";
    for inst in r
        .get("instances")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        push(
            out,
            s("module"),
            managed,
            ty,
            name,
            inst.get("index_key"),
            inst.get("attributes"),
        );
    }
}

/// `terraform show -json`'s module: `{address, resources[], child_modules[]}`.
fn shown_module(m: &Value, out: &mut Vec<Live>) {
    let module = m.get("address").and_then(Value::as_str).unwrap_or_default();
    for r in m
        .get("resources")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
        let (ty, name) = (s("type"), s("name"));
        if ty.is_empty() || name.is_empty() {
            continue;
        }
        push(
            out,
            module,
            s("mode") != "data",
            ty,
            name,
            r.get("index"),
            r.get("values"),
        );
    }
    for c in m
        .get("child_modules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        shown_module(c, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_raw_state_and_its_show_json_read_the_same_and_keep_no_secret() {
        let raw = r#"{"version":4,"terraform_version":"1.11.0","resources":[
          {"module":"module.secrets","mode":"managed","type":"scaleway_secret_version","name":"argon",
           "instances":[{"attributes":{"id":"fr-par/1","data":"FAKE-SECRET-VALUE","region":"fr-par"}}]},
          {"module":"module.storage","mode":"managed","type":"scaleway_object_bucket","name":"this",
           "instances":[{"index_key":"a","attributes":{"id":"fr-par/b","name":"b","region":"fr-par","project_id":"p"}}]}]}"#;
        let shown = r#"{"format_version":"1.0","values":{"root_module":{"child_modules":[
          {"address":"module.secrets","resources":[{"address":"module.secrets.scaleway_secret_version.argon","mode":"managed",
           "type":"scaleway_secret_version","name":"argon","values":{"id":"fr-par/1","data":"FAKE-SECRET-VALUE","region":"fr-par"}}]},
          {"address":"module.storage","resources":[{"address":"module.storage.scaleway_object_bucket.this[\"a\"]","mode":"managed",
           "type":"scaleway_object_bucket","name":"this","index":"a","values":{"id":"fr-par/b","name":"b","region":"fr-par","project_id":"p"}}]}]}}}"#;
        let a = read(raw).unwrap();
        let b = read(shown).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a[1].address,
            "module.storage.scaleway_object_bucket.this[\"a\"]"
        );
        assert_eq!(a[1].resource, "module.storage.scaleway_object_bucket.this");
        assert!(!format!("{a:?}").contains("FAKE-SECRET"));
        let err = read("{\"version\":4, \"x\": FAKE-SECRET").unwrap_err();
        assert!(!err.0.contains("FAKE"), "{err:?}");
        assert!(read("{\"version\":3,\"resources\":[]}").is_err());
    }
}
