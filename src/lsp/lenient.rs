//! Leniency towards clients: positions clamped into range, URIs sent without
//! percent-encoding accepted and answered in the client's own spelling.

use super::uri::encode_uri;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// Clamps a number to `lo..=hi` (dropping a fraction); leaves anything else.
pub(super) fn clamp_number(v: &mut Value, lo: f64, hi: f64) {
    if let Some(f) = v.as_f64() {
        *v = Value::from(f.clamp(lo, hi).trunc() as i64);
    }
}

pub(super) fn clamp_position(mut p: Option<&mut Value>) {
    for k in ["line", "character"] {
        if let Some(v) = p.as_deref_mut().and_then(|p| p.get_mut(k)) {
            clamp_number(v, 0.0, u32::MAX as f64);
        }
    }
}

pub(super) fn clamp_range(r: Option<&mut Value>) {
    if let Some(r) = r {
        clamp_position(r.get_mut("start"));
        clamp_position(r.get_mut("end"));
    }
}

/// Makes params that a strict reading would refuse readable where that is safe: a URI
/// that is not percent-encoded (remembered in `aliases`), a version outside `i32`,
/// lines and characters outside `u32` (clamped), a `rangeLength` (unused) of any kind.
pub fn lenient(params: &mut Value, aliases: &mut HashMap<String, String>) {
    if let Some(td) = params.get_mut("textDocument") {
        if let Some(Value::String(u)) = td.get_mut("uri") {
            if let Cow::Owned(enc) = encode_uri(u) {
                aliases.insert(enc.clone(), std::mem::replace(u, enc));
            }
        }
        if let Some(v) = td.get_mut("version") {
            clamp_number(v, i32::MIN as f64, i32::MAX as f64);
        }
    }
    clamp_position(params.get_mut("position"));
    clamp_range(params.get_mut("range"));
    if let Some(Value::Array(changes)) = params.get_mut("contentChanges") {
        for c in changes {
            if let Some(o) = c.as_object_mut() {
                o.remove("rangeLength");
                clamp_range(o.get_mut("range"));
            }
        }
    }
}

/// Puts back the URIs as the client sent them.
pub(super) fn restore_aliases(v: &mut Value, aliases: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(orig) = aliases.get(s.as_str()) {
                *s = orig.clone();
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| restore_aliases(v, aliases)),
        Value::Object(o) => {
            let renamed: Vec<String> = o
                .keys()
                .filter(|k| aliases.contains_key(k.as_str()))
                .cloned()
                .collect();
            for k in renamed {
                if let Some(v) = o.remove(&k) {
                    o.insert(aliases[&k].clone(), v);
                }
            }
            o.values_mut().for_each(|v| restore_aliases(v, aliases));
        }
        _ => {}
    }
}
