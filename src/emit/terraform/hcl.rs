//! Writing literals inside Terraform expressions.

/// A quoted HCL string literal: escapes `\`, `"`, newlines and template sequences.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Terraform list of strings, e.g. `["dev", "prod"]`.
pub fn list(items: &[&str]) -> String {
    let items: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A literal that is not a template: `${` and `%{` doubled.
pub fn literal(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings() {
        assert_eq!(super::string(r#"a"b\c${x}"#), r#""a\"b\\c$${x}""#);
        assert_eq!(super::list(&["dev", "prod"]), r#"["dev", "prod"]"#);
    }
}
