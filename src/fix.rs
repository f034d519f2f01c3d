//! `cellac check --fix`: applies the fixes diagnostics carry (see
//! [`crate::diagnostic::Fix`]) to a stack file's text, as ruff does: the safe ones, or
//! the unsafe ones too when asked; fixes that overlap wait for the next round; rounds go
//! on until nothing more applies. Pure: text in, text out.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Source};

/// How many rounds at most: a fix may uncover another (a misspelt node, then its
/// misspelt property), never a cycle, but the bound makes sure.
const ROUNDS: usize = 100;

/// The outcome of fixing a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The text with every applicable fix applied.
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
}

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Only fixes that keep what the author meant.
    Safe,
    /// Unsafe fixes too (a declared name guessed from a misspelling).
    Unsafe,
}

impl Mode {
    fn allows(self, a: Applicability) -> bool {
        a == Applicability::Safe || self == Mode::Unsafe
    }
}

/// Applies the fixes of `text`'s diagnostics, round after round. A round's result that
/// would not parse is thrown away (and fixing stops there), so a fix never turns a
/// checked file into one that cannot be read.
pub fn fix(text: &str, mode: Mode) -> Fixed {
    let mut text = text.to_string();
    let mut applied = 0;
    for _ in 0..ROUNDS {
        let checked = crate::check(&text);
        let Some((next, n)) = apply(&text, &checked.diagnostics, mode) else {
            break;
        };
        if crate::syntax::parse(&next).is_err() {
            break;
        }
        text = next;
        applied += n;
    }
    Fixed { text, applied }
}

/// One round: the first allowed fix of each stack diagnostic whose edits overlap no
/// edit taken before, applied from the end of the text. `None` when nothing applies.
pub fn apply(text: &str, diags: &[Diagnostic], mode: Mode) -> Option<(String, usize)> {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut count = 0;
    for d in diags.iter().filter(|d| d.source == Source::Stack) {
        let Some(f) = d.fixes.iter().find(|f| mode.allows(f.applicability)) else {
            continue;
        };
        let fits = f.edits.iter().all(|e| {
            e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
                && taken
                    .iter()
                    .all(|t| e.span.end <= t.span.start || e.span.start >= t.span.end)
        });
        if fits && !f.edits.is_empty() {
            taken.extend(&f.edits);
            count += 1;
        }
    }
    if taken.is_empty() {
        return None;
    }
    taken.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for e in taken {
        out.replace_range(e.span.range(), &e.text);
    }
    (out != text).then_some((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_keyword_is_fixed_and_a_misspelt_name_only_when_asked() {
        let text = "stack shop region=fr-pr\nservice api {\n  port 8080\n}\nservice web {\n  port 8081\n  link apj env=API_URL\n}\n";
        let safe = fix(text, Mode::Safe);
        assert!(safe.text.contains("region=fr-par"), "{}", safe.text);
        assert!(safe.text.contains("link apj"), "{}", safe.text);
        assert_eq!(safe.applied, 1);
        let all = fix(text, Mode::Unsafe);
        assert!(all.text.contains("link api"), "{}", all.text);
        assert_eq!(all.applied, 2);
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        use crate::diagnostic::Fix;
        use crate::span::Span;
        let a = Diagnostic::error("a", "m").fix(Fix::replace(
            Applicability::Safe,
            "t",
            Span::new(0, 3),
            "x",
        ));
        let b = Diagnostic::error("b", "m").fix(Fix::replace(
            Applicability::Safe,
            "t",
            Span::new(2, 4),
            "y",
        ));
        assert_eq!(
            apply("abcd", &[a, b], Mode::Safe),
            Some(("xd".to_string(), 1))
        );
    }

    #[test]
    fn nothing_to_fix_is_none() {
        assert_eq!(
            apply("abc", &[Diagnostic::error("a", "m")], Mode::Unsafe),
            None
        );
        let t = "stack shop region=fr-par\n";
        assert_eq!(
            fix(t, Mode::Unsafe),
            Fixed {
                text: t.into(),
                applied: 0
            }
        );
    }
}
