//! Quick fixes: for each diagnostic whose help says "did you mean `X`?", replace the
//! misspelt name with X.

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// A fix: a title, the diagnostic it fixes, and the replacement.
#[derive(Clone, Debug)]
pub struct Fix {
    pub title: String,
    pub diagnostic: Diagnostic,
    pub span: Span,
    pub text: String,
}

/// The `X` of "did you mean `X`?" in a help text.
pub fn suggestion(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean `")? + "did you mean `".len()..];
    let (x, after) = rest.split_once('`')?;
    after.starts_with('?').then_some(x)
}

/// The span of the name to replace inside a diagnostic's range: its last word (so that
/// `service backnd` fixes `backnd`), without a `(type)` annotation or quotes.
fn target(text: &str, span: Span) -> Option<(Span, bool)> {
    let span = span.clamp(text.len());
    let s = text.get(span.range())?;
    let word_start = s.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let mut start = span.start + word_start;
    let mut word = &s[word_start..];
    if word.starts_with('(') {
        let close = word.find(')')?;
        start += close + 1;
        word = &word[close + 1..];
    }
    let quoted = word.len() >= 2 && word.starts_with('"') && word.ends_with('"');
    (!word.is_empty()).then_some((Span::new(start, span.end), quoted))
}

/// Fixes for the diagnostics that touch `range`.
pub fn fixes(text: &str, diags: &[Diagnostic], range: Span) -> Vec<Fix> {
    diags
        .iter()
        .filter(|d| {
            let s = d.span();
            s.start <= range.end && range.start <= s.end
        })
        .filter_map(|d| {
            let x = suggestion(d.help.as_deref()?)?;
            let (span, quoted) = target(text, d.span())?;
            let bare = x.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))
                && !x.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.');
            let replacement = if quoted || !bare {
                format!("{x:?}")
            } else {
                x.to_string()
            };
            Some(Fix {
                title: format!("Replace with `{x}`"),
                diagnostic: d.clone(),
                span,
                text: replacement,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_suggestion() {
        assert_eq!(
            suggestion("did you mean `nl-ams`? Serverless ..."),
            Some("nl-ams")
        );
        assert_eq!(suggestion("did you mean a property? `x` accepts"), None);
        assert_eq!(suggestion("valid here: `a`"), None);
    }

    #[test]
    fn targets_the_last_word() {
        let t = "service backnd { x (var)\"adm\" }";
        assert_eq!(target(t, Span::new(0, 14)), Some((Span::new(8, 14), false)));
        let s = t.find('(').unwrap();
        assert_eq!(
            target(t, Span::new(s, s + 10)),
            Some((Span::new(s + 5, s + 10), true))
        );
    }
}
