//! The stack edits `cellac adopt` proposes: a property set in `environment ENV`, on the
//! environment's override of a node (added when there is none, and the environment
//! block added when there is none either).

use crate::diagnostic::Edit;
use crate::span::Span;
use crate::syntax::Node;

/// A KDL string literal for `s`: quoted, with `\` and `"` escaped.
pub fn quoted(s: &str) -> String {
    if s.chars().all(|c| !c.is_control() && c != '"' && c != '\\') {
        format!("\"{s}\"")
    } else {
        crate::syntax::string_literal(s)
    }
}

/// Where a node's head ends: after its name, arguments and properties.
fn head_end(node: &Node) -> usize {
    node.args
        .iter()
        .map(|a| a.span.end)
        .chain(node.props.iter().map(|p| p.span().end))
        .fold(node.name.span.end, usize::max)
}

/// The edit that writes `PROP=VALUE` (`setting`) on node `KIND` with first argument
/// `ARG` (`node`) inside `environment ENV`. `replaces`: properties of the override that
/// the new one replaces (`create` for `project id=`), removed with it.
pub fn set_in_env(
    text: &str,
    nodes: &[Node],
    env: &str,
    node: (&str, Option<&str>),
    setting: (&str, &str),
    replaces: &[&str],
) -> Vec<Edit> {
    let ((kind, arg), (prop, value)) = (node, setting);
    let setting = format!("{prop}={}", quoted(value));
    let line = match arg {
        Some(a) => format!("{kind} {a} {setting}"),
        None => format!("{kind} {setting}"),
    };
    let block = nodes
        .iter()
        .rev()
        .find(|n| n.name.value == "environment" && n.arg(0).and_then(|a| a.as_str()) == Some(env));
    let Some(block) = block else {
        // No block for the environment: one at the end of the file.
        let sep = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        return vec![Edit {
            span: Span::new(text.len(), text.len()),
            text: format!("{sep}\nenvironment {env} {{\n    {line}\n}}\n"),
        }];
    };
    let node = block.children().iter().rev().find(|c| {
        c.name.value == kind && arg.is_none_or(|a| c.arg(0).and_then(|v| v.as_str()) == Some(a))
    });
    if let Some(node) = node {
        if let Some(p) = node.props.iter().rev().find(|p| p.key.value == prop) {
            return vec![Edit {
                span: p.value.span,
                text: quoted(value),
            }];
        }
        let mut edits: Vec<Edit> = node
            .props
            .iter()
            .filter(|p| replaces.contains(&p.key.value.as_str()))
            .map(|p| Edit {
                span: p.span(),
                text: String::new(),
            })
            .collect();
        let at = head_end(node);
        if edits.iter().all(|e| e.span.end != at) {
            edits.push(Edit {
                span: Span::new(at, at),
                text: format!(" {setting}"),
            });
        } else if let Some(last) = edits.iter_mut().find(|e| e.span.end == at) {
            last.text = setting;
        }
        return edits;
    }
    // A line before the block's closing brace.
    let body = text.get(block.span.range()).unwrap_or_default();
    let Some(close) = body.rfind('}').map(|i| block.span.start + i) else {
        return Vec::new();
    };
    let line_start = text
        .get(..close)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let before = text.get(line_start..close).unwrap_or_default();
    if before.trim().is_empty() {
        vec![Edit {
            span: Span::new(line_start, line_start),
            text: format!("    {line}\n"),
        }]
    } else {
        vec![Edit {
            span: Span::new(close, close),
            text: format!("\n    {line}\n"),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(
        text: &str,
        env: &str,
        kind: &str,
        arg: Option<&str>,
        prop: &str,
        value: &str,
        replaces: &[&str],
    ) -> String {
        let nodes = crate::syntax::parse(text).unwrap_or_default();
        let mut edits = set_in_env(text, &nodes, env, (kind, arg), (prop, value), replaces);
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut out = text.to_string();
        for e in edits {
            out.replace_range(e.span.range(), &e.text);
        }
        out
    }

    #[test]
    fn a_setting_lands_in_the_environment_block() {
        let text = "stack s\nbucket up\nenvironment dev {\n    var a \"b\"\n}\n";
        let out = applied(
            text,
            "dev",
            "bucket",
            Some("up"),
            "name",
            "dev-s-up-v2",
            &[],
        );
        assert_eq!(out, "stack s\nbucket up\nenvironment dev {\n    var a \"b\"\n    bucket up name=\"dev-s-up-v2\"\n}\n");
        // Again: the value is replaced, not added twice.
        let again = applied(&out, "dev", "bucket", Some("up"), "name", "other", &[]);
        assert!(again.contains("bucket up name=\"other\"\n"), "{again}");
        // An override with a block: the property goes on its head.
        let text = "stack s\nsite f\nenvironment dev {\n    site f { bucket-suffix \"-v2\"; }\n}\n";
        let out = applied(text, "dev", "site", Some("f"), "name", "x-v2", &[]);
        assert!(
            out.contains("site f name=\"x-v2\" { bucket-suffix"),
            "{out}"
        );
        // No environment block: one is added.
        let out = applied(
            "stack s\n",
            "dev",
            "registry",
            None,
            "namespace",
            "devs",
            &[],
        );
        assert_eq!(
            out,
            "stack s\n\nenvironment dev {\n    registry namespace=\"devs\"\n}\n"
        );
        // A one-line block.
        let out = applied(
            "stack s\nenvironment dev {}\n",
            "dev",
            "project",
            None,
            "id",
            "u",
            &[],
        );
        assert!(crate::syntax::parse(&out).is_ok(), "{out}");
        assert!(out.contains("project id=\"u\""), "{out}");
        // `create=#true` in the override gives way to `id=`.
        let out = applied(
            "stack s\nenvironment dev {\n    project create=#true\n}\n",
            "dev",
            "project",
            None,
            "id",
            "u",
            &["create"],
        );
        assert!(out.contains("project id=\"u\"\n"), "{out}");
        assert!(!out.contains("create"), "{out}");
    }
}
