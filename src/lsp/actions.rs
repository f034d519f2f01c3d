//! Quick fixes: the fixes each diagnostic carries (see [`crate::diagnostic::Fix`]), for
//! the diagnostics that touch the range the editor asks about.

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::span::Span;

/// The fixes of the diagnostics that touch `range`, each with its diagnostic, and
/// whether it is the one to prefer (the first safe fix of its diagnostic).
pub fn fixes<'a>(
    diags: &'a [Diagnostic],
    range: Span,
) -> impl Iterator<Item = (&'a Diagnostic, &'a Fix, bool)> + 'a {
    diags
        .iter()
        .filter(move |d| {
            let s = d.span();
            s.start <= range.end && range.start <= s.end
        })
        .flat_map(|d| {
            d.fixes.iter().enumerate().map(move |(i, f)| {
                let preferred = i == 0 && f.applicability == Applicability::Safe;
                (d, f, preferred)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_diagnostics_in_range() {
        let fix = Fix::replace(
            Applicability::Safe,
            "Replace with `b`",
            Span::new(2, 3),
            "b",
        );
        let d = Diagnostic::error("x", "m")
            .at(Span::new(2, 3), "")
            .fix(fix.clone());
        let far = Diagnostic::error("y", "m")
            .at(Span::new(40, 41), "")
            .fix(fix);
        let diags = [d, far];
        let got: Vec<_> = fixes(&diags, Span::new(0, 5)).collect();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.code, "x");
        assert!(got[0].2);
    }
}
