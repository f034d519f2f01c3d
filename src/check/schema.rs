//! `cellac::schema::*`: the shape of the file, checked against `schema/language.json`.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::{Applicability, Fix};
use crate::schema::{language, ArgSpec, NodeSpec, PropSpec};
use crate::suggest::{did_you_mean, nearest, one_of};
use crate::syntax::{Lit, Node, Value};
use std::collections::HashMap;

/// Top-level nodes that another check explains better than "unknown".
const EXPLAINED_ELSEWHERE: [&str; 1] = ["load-balancer"];

pub fn check(nodes: &[Node], out: &mut Vec<Diagnostic>) {
    match nodes.iter().position(|n| n.name.value == "stack") {
        None => {
            let at = nodes.first().map_or(Default::default(), |n| n.name.span);
            out.push(
                Diagnostic::error(
                    "cellac::schema::missing-node",
                    "the file has no `stack` node",
                )
                .at(at, "expected `stack NAME` before this")
                .help("start the file with `stack NAME region=fr-par`"),
            );
        }
        Some(0) => {}
        Some(i) => {
            if let (Some(stack), Some(first)) = (nodes.get(i), nodes.first()) {
                out.push(
                    Diagnostic::error(
                        "cellac::schema::stack-first",
                        "`stack` must be the first node",
                    )
                    .at(stack.name.span, "`stack` is here")
                    .also(first.name.span, "but the file starts here")
                    .help("move the `stack` line to the top of the file"),
                );
            }
        }
    }
    walk(nodes, &[], out);
}

fn walk(nodes: &[Node], path: &[&str], out: &mut Vec<Diagnostic>) {
    let lang = language();
    let Some(specs) = lang.children_at(path) else {
        return;
    };
    let valid: Vec<&str> = specs.iter().map(|(k, _)| *k).collect();
    let mut seen: HashMap<(String, Option<String>), &Node> = HashMap::new();
    for node in nodes {
        let name = node.name.value.as_str();
        let Some((_, spec)) = specs.iter().find(|(k, _)| *k == name) else {
            if path.len() <= 1 && EXPLAINED_ELSEWHERE.contains(&name) {
                continue;
            }
            let where_ = match path.last() {
                None => "at the top level".to_string(),
                Some(p) => format!("inside `{p}`"),
            };
            let message = if path == ["environment"] && name == "stack" {
                "`stack` cannot be changed by an environment".to_string()
            } else {
                format!("unknown node `{name}` {where_}")
            };
            let mut d = Diagnostic::error("cellac::schema::unknown-node", message)
                .at(node.name.span, "not known here")
                .help(did_you_mean(name, &valid));
            if let Some(n) = nearest(name, valid.iter().copied()) {
                d = d.fix(super::rename_nearest(node.name.span, name, n));
            }
            out.push(d);
            continue;
        };
        // Duplicates: a single node twice, or an identified node with the same name twice.
        let key = match (spec.multiple, node.first_str()) {
            _ if matches!(name, "env" | "secret-env" | "link") => None,
            (true, Some(id)) => Some((name.to_string(), Some(id.value.to_string()))),
            (true, None) => None,
            (false, _) => Some((name.to_string(), None)),
        };
        if let Some(key) = key {
            if let Some(first) = seen.get(&key) {
                let what = match &key.1 {
                    Some(id) => format!("`{name} {id}`"),
                    None => format!("`{name}`"),
                };
                out.push(
                    Diagnostic::error(
                        "cellac::schema::duplicate",
                        format!("{what} is declared twice"),
                    )
                    .at(node.head_span(), "declared again here")
                    .also(first.head_span(), "first declared here")
                    .help(format!("merge the two into one {what} node")),
                );
                continue;
            }
            seen.insert(key, node);
        }
        check_node(node, spec, path, out);
        let mut child_path = path.to_vec();
        child_path.push(name);
        match (&spec.children, &node.children) {
            (Some(_), Some(children)) => walk(children, &child_path, out),
            (None, Some(children)) => {
                for child in children {
                    out.push(
                        Diagnostic::error(
                            "cellac::schema::unknown-node",
                            format!("`{name}` takes no children"),
                        )
                        .at(child.name.span, "not allowed here")
                        .help(format!("remove the `{{ }}` block after `{name}`")),
                    );
                }
            }
            _ => {}
        }
    }
}

fn check_node(node: &Node, spec: &NodeSpec, path: &[&str], out: &mut Vec<Diagnostic>) {
    let name = node.name.value.as_str();
    let in_env = path.first() == Some(&"environment");
    // Arguments.
    for (i, arg) in node.args.iter().enumerate() {
        let variadic = || spec.args.last().filter(|a| a.variadic);
        match spec.args.get(i).or_else(variadic) {
            Some(a) if name == "var" && i == 1 && !in_env => {
                out.push(
                    Diagnostic::error(
                        "cellac::schema::extra-argument",
                        "a `var` takes its value inside an `environment`",
                    )
                    .at(arg.span, "a value at the top level")
                    .help(format!(
                        "write `default={}` to give every environment this value",
                        kdl_repr(arg)
                    ))
                    .also(node.name.span, a.doc.clone()),
                );
            }
            Some(a) => {
                check_arg(node, a, arg, out);
                let what = format!("`{name} {}`", a.name);
                check_range(&what, a.range, a.range_code.as_deref(), &a.doc, arg, out);
            }
            // A secret's value in the stack file: `cellac::secret::inline` explains it.
            None if name == "secret" && path.len() <= 1 => {}
            None => {
                let expected = match spec.args.len() {
                    0 => format!("`{name}` takes no arguments"),
                    1 => format!("`{name}` takes one argument"),
                    n => format!("`{name}` takes at most {n} arguments"),
                };
                let help = if spec.flag {
                    format!("`{name}` is a flag: write `{name}` alone")
                } else if !spec.props.is_empty() {
                    format!(
                        "did you mean a property? `{name}` accepts {}",
                        prop_list(spec)
                    )
                } else {
                    format!("remove the extra value{}", usage(name, spec))
                };
                let mut d = Diagnostic::error("cellac::schema::extra-argument", expected)
                    .at(arg.span, "unexpected argument")
                    .help(help);
                // `singleton #true` (or "true"): the flag alone says the same.
                let says_true = matches!(&arg.lit, Lit::Bool(true)) || arg.as_str() == Some("true");
                if spec.flag && says_true && node.args.len() == 1 {
                    d = d.fix(Fix::replace(
                        Applicability::Safe,
                        format!("Write `{name}` alone"),
                        crate::span::Span::new(node.name.span.end, arg.span.end),
                        "",
                    ));
                }
                out.push(d);
            }
        }
    }
    for (i, a) in spec.args.iter().enumerate() {
        if a.required && node.args.len() <= i {
            out.push(
                Diagnostic::error(
                    "cellac::schema::missing-argument",
                    format!("`{name}` needs its {} argument", a.name),
                )
                .at(node.name.span, format!("{} missing", a.name))
                .help(format!("write `{name} {}`: {}", a.name, a.doc)),
            );
        }
    }
    // Properties.
    let mut seen: HashMap<&str, &crate::syntax::Prop> = HashMap::new();
    for prop in &node.props {
        let key = prop.key.value.as_str();
        if let Some(first) = seen.insert(key, prop) {
            out.push(
                Diagnostic::error(
                    "cellac::schema::duplicate",
                    format!("`{key}` is set twice on `{name}`"),
                )
                .at(prop.key.span, "set again here")
                .also(first.key.span, "first set here")
                .help(format!("keep one `{key}=`")),
            );
        }
        match spec.props.get(key).or(spec.any_props.as_ref()) {
            Some(p) if p.list => check_list(&format!("`{key}`"), p, &prop.value, out),
            Some(p) => {
                check_value(
                    &format!("`{key}`"),
                    p.ty.as_str(),
                    p.var,
                    &p.values,
                    p.closed,
                    &prop.value,
                    out,
                );
                let what = format!("`{key}=`");
                check_range(
                    &what,
                    p.range,
                    p.range_code.as_deref(),
                    &p.doc,
                    &prop.value,
                    out,
                );
            }
            None if name == "secret" && matches!(key, "value" | "default") => {}
            None => {
                // A property already set is not what a misspelt one meant.
                let valid: Vec<&str> = spec
                    .props
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !node.props.iter().any(|p| p.key.value == *k))
                    .collect();
                let help = if spec.props.is_empty() {
                    format!("`{name}` takes no properties{}", usage(name, spec))
                } else {
                    did_you_mean(key, &valid)
                };
                let mut d = Diagnostic::error(
                    "cellac::schema::unknown-property",
                    format!("`{name}` has no property `{key}`"),
                )
                .at(prop.key.span, "unknown property")
                .help(help);
                if let Some(n) = nearest(key, valid.iter().copied()) {
                    d = d.fix(super::rename_nearest(prop.key.span, key, n));
                }
                out.push(d);
            }
        }
    }
    for (key, p) in &spec.props {
        // A required property may come from the top level when this is an override.
        if p.required && !in_env && node.prop(key).is_none() {
            out.push(
                Diagnostic::error(
                    "cellac::schema::missing-argument",
                    format!("`{name}` needs `{key}=`"),
                )
                .at(node.head_span(), format!("`{key}` missing"))
                .help(format!("write `{name} {key}=...`: {}", p.doc)),
            );
        }
    }
}

fn check_arg(node: &Node, spec: &ArgSpec, value: &Value, out: &mut Vec<Diagnostic>) {
    let what = format!("`{}`'s {}", node.name.value, spec.name);
    let var_ok = node.name.value == "var";
    check_value(
        &what,
        &spec.ty,
        var_ok,
        &spec.values,
        spec.closed,
        value,
        out,
    );
}

fn check_value(
    what: &str,
    ty: &str,
    var_ok: bool,
    values: &[String],
    closed: bool,
    value: &Value,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(t) = &value.ty {
        if t.value != "var" || !var_ok {
            let help = if t.value == "var" {
                format!("{what} cannot be a `(var)` reference: write the value itself")
            } else {
                "the only type annotation cellac knows is `(var)`, on values that accept a variable"
                    .to_string()
            };
            out.push(
                Diagnostic::error(
                    "cellac::schema::wrong-type",
                    format!("unexpected type annotation `({})`", t.value),
                )
                .at(t.span, "not allowed here")
                .help(help),
            );
            return;
        }
        if !matches!(value.lit, Lit::Str(_)) {
            out.push(
                Diagnostic::error(
                    "cellac::schema::wrong-type",
                    "a `(var)` reference names a variable",
                )
                .at(value.span, format!("{}, not a name", value.lit.kind()))
                .help("write `(var)NAME` with the name of a declared `var`"),
            );
        }
        return;
    }
    if ty == "secret" && !matches!(value.lit, Lit::Str(_)) {
        return; // a value where a secret's name belongs: `cellac::secret::inline`, unshown
    }
    let ok = match ty {
        "integer" => matches!(value.lit, Lit::Int(_)),
        "number" => matches!(value.lit, Lit::Int(_) | Lit::Float(_)),
        "bool" => matches!(value.lit, Lit::Bool(_)),
        "scalar" => !matches!(value.lit, Lit::Null),
        "duration-or-seconds" => matches!(value.lit, Lit::Int(_) | Lit::Str(_)),
        _ => matches!(value.lit, Lit::Str(_)),
    };
    if !ok {
        let expected = crate::schema::language()
            .types
            .get(ty)
            .cloned()
            .unwrap_or_else(|| ty.to_string());
        // Help that, followed, gives a value of the right type (never one that would
        // bring the opposite help: quote it, then unquote it).
        let whole = |f: f64| {
            if f.is_finite() && f.abs() < 1e15 {
                format!("write a whole number, such as {}", f.trunc() as i64)
            } else {
                format!("write {expected}")
            }
        };
        let stringy = !matches!(ty, "integer" | "number" | "bool");
        // The help, and the value it asks for when following it keeps the meaning.
        let (help, fixed) = match (&value.lit, ty) {
            (Lit::Str(s), "integer") => match (s.trim().parse::<i128>(), s.trim().parse::<f64>()) {
                (Ok(n), _) => (
                    format!("write the number without quotes: {n}"),
                    Some(n.to_string()),
                ),
                (_, Ok(f)) => (whole(f), None),
                _ => (format!("write {expected}"), None),
            },
            (Lit::Str(s), "number") if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => (
                format!("write the number without quotes: {}", s.trim()),
                Some(s.trim().to_string()),
            ),
            (Lit::Float(f), "integer") => (whole(*f), None),
            (Lit::Str(s), "bool") if s == "true" || s == "false" => {
                (format!("write `#{s}`"), Some(format!("#{s}")))
            }
            (Lit::Int(_) | Lit::Float(_) | Lit::Bool(_), _) if stringy => {
                let quoted = format!("\"{}\"", value.lit.display());
                (format!("put the value in quotes: {quoted}"), Some(quoted))
            }
            _ => (format!("write {expected}"), None),
        };
        let mut d = Diagnostic::error(
            "cellac::schema::wrong-type",
            format!("{what} must be {expected}"),
        )
        .at(value.span, format!("this is {}", value.lit.kind()))
        .help(help);
        // An annotated value (`(var)...`) is left to the person: its annotation goes too.
        if let (Some(text), None) = (fixed, &value.ty) {
            d = d.fix(super::replace(
                Applicability::Safe,
                value.span,
                &text,
                text.clone(),
            ));
        }
        out.push(d);
        return;
    }
    if closed {
        if let Some(s) = value.as_str() {
            if !values.iter().any(|v| v == s) {
                let valid: Vec<&str> = values.iter().map(String::as_str).collect();
                let near = nearest(s, valid.iter().copied());
                let help = match near {
                    Some(n) => format!("did you mean `{n}`? Accepted: {}", one_of(&valid)),
                    None => format!("accepted: {}", one_of(&valid)),
                };
                let mut d = Diagnostic::error(
                    "cellac::schema::unknown-value",
                    format!("{what} cannot be `{s}`"),
                )
                .at(value.span, "not an accepted value")
                .help(help);
                if let Some(n) = near {
                    d = d.fix(super::replace(
                        super::applicability_of(s, n),
                        value.span,
                        n,
                        value.rewritten(n),
                    ));
                }
                out.push(d);
            }
        }
    }
}

/// A comma-separated list property: a string whose every item is one of `values`.
fn check_list(what: &str, spec: &PropSpec, value: &Value, out: &mut Vec<Diagnostic>) {
    check_value(what, &spec.ty, spec.var, &[], false, value, out);
    let Some(s) = value.as_str() else {
        return;
    };
    let valid: Vec<&str> = spec.values.iter().map(String::as_str).collect();
    for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if valid.contains(&item) {
            continue;
        }
        let near = valid
            .iter()
            .find(|v| v.eq_ignore_ascii_case(item))
            .copied()
            .or_else(|| nearest(item, valid.iter().copied()));
        let help = match near {
            Some(n) => format!(
                "did you mean `{n}`? Accepted, comma-separated: {}",
                one_of(&valid)
            ),
            None => format!("accepted, comma-separated: {}", one_of(&valid)),
        };
        let mut d = Diagnostic::error(
            "cellac::schema::unknown-value",
            format!("{what} cannot hold `{item}`"),
        )
        .at(value.span, format!("`{item}` is not accepted"))
        .help(help);
        if let Some(n) = near {
            let list: Vec<&str> = s
                .split(',')
                .map(str::trim)
                .filter(|i| !i.is_empty())
                .map(|i| if i == item { n } else { i })
                .collect();
            let list = list.join(",");
            let case_only = n.eq_ignore_ascii_case(item);
            d = d.fix(super::replace(
                if case_only {
                    Applicability::Safe
                } else {
                    super::applicability_of(item, n)
                },
                value.span,
                &list,
                value.rewritten(&list),
            ));
        }
        out.push(d);
    }
}

/// `cellac::schema::range`: an integer outside its range, unless another check (named by
/// `code`) explains it.
fn check_range(
    what: &str,
    range: Option<[i64; 2]>,
    code: Option<&str>,
    doc: &str,
    value: &Value,
    out: &mut Vec<Diagnostic>,
) {
    let (Some([lo, hi]), None, Some(n)) = (range, code, value.as_int()) else {
        return;
    };
    if value.ty.is_some() || (i128::from(lo)..=i128::from(hi)).contains(&n) {
        return;
    }
    out.push(
        Diagnostic::error(
            "cellac::schema::range",
            format!("{what} is {n}, outside {lo}..{hi}"),
        )
        .at(value.span, "out of range")
        .help(format!(
            "write a value between {lo} and {hi}: {}",
            doc.trim_end_matches(&format!(", {lo}..{hi}"))
        )),
    );
}

fn kdl_repr(v: &Value) -> String {
    match &v.lit {
        Lit::Str(s) => format!("{s:?}"),
        other => other.display(),
    }
}

fn prop_list(spec: &NodeSpec) -> String {
    let keys: Vec<String> = spec.props.keys().map(|k| format!("{k}=")).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    one_of(&refs)
}

fn usage(name: &str, spec: &NodeSpec) -> String {
    if spec.args.is_empty() {
        String::new()
    } else {
        let args: Vec<&str> = spec.args.iter().map(|a| a.name.as_str()).collect();
        format!(": write `{name} {}`", args.join(" "))
    }
}

/// The spec of a property, for checks that need its accepted values.
pub fn prop_spec<'a>(path: &[&str], key: &str) -> Option<&'a PropSpec> {
    crate::schema::language().node_at(path)?.props.get(key)
}
