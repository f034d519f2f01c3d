//! What looks like a credential, and hiding it.
//!
//! A literal looks like a credential on its own when it is a URL with a password or
//! starts with a known key prefix (`sk_live_`, `ghp_`, `AKIA`, `SCW`, `xoxb-`, ...), and
//! under a key named like a secret (`SECRET`, `TOKEN`, `KEY`, `PASSWORD`, ...) when it
//! is high-entropy. The checks flag such literals (`cellac::secret::inline` where a
//! secret belongs, `cellac::secret::literal` elsewhere); every report hides them:
//! [`spans`] finds them in a stack file's text without parsing it (so next to a syntax
//! error too, and in comments), [`mask`] replaces each with [`MASK`], whatever its
//! length, and [`scrub`] removes them from diagnostics' words.

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::syntax::lex;

/// What a hidden value is shown as: the same for every value, so that its length does not
/// show.
pub const MASK: &str = "*****";

/// Codes whose primary label covers a secret value written in the stack file: every
/// report hides the value they point at.
pub const SECRET_VALUE_CODES: [&str; 2] = ["cellac::secret::inline", "cellac::secret::literal"];

mod hide;
mod looks;
mod scan;

pub use hide::{content, hide_in, mask, scrub, values, Masked};
pub use looks::{
    high_entropy, inner, looks_like, looks_like_name, looks_like_under, secret_key,
    url_with_password,
};
pub use scan::spans;
use scan::unescape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_on_their_own() {
        for s in [
            "postgres://user:pass@host/db",
            "https://u:p@example.com",
            "sk_live_51Habcdefghijkl",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "AKIAIOSFODNN7EXAMPLE",
            "SCWXXXXXXXXXXXXXXXX1",
            "xoxb-1234567890-abcdef",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcd1234",
            "-----BEGIN PRIVATE KEY-----",
        ] {
            assert!(looks_like(s), "{s}");
        }
        for s in [
            "https://example.com/a@b",
            "https://user@example.com",
            "SCW_ACCESS_KEY",
            "SCW_DEFAULT_REGION",
            "sk_live_",
            "skeleton",
            "database_url",
            "AKIA",
            "mailto:a@b.c",
        ] {
            assert!(!looks_like(s), "{s}");
        }
    }

    #[test]
    fn random_under_a_secret_key() {
        let random = "q8Zr2LmX9vTb4KpW";
        assert!(looks_like_under(Some("API_TOKEN"), random));
        assert!(looks_like_under(Some("stripe_key"), random));
        assert!(!looks_like_under(Some("MODE"), random));
        assert!(!looks_like_under(Some("PASSWORD"), "change-me-please"));
        assert!(!looks_like_under(Some("PASSWORD"), "short1"));
        assert!(looks_like_under(
            Some("SCW_SECRET_KEY"),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        ));
    }

    #[test]
    fn spans_without_parsing() {
        let cut = "a\nservice w {\n    env URL=https://u:pw@h/x OTHER=1\n}\n";
        let found: Vec<&str> = spans(cut)
            .into_iter()
            .map(|(s, _)| &cut[s.range()])
            .collect();
        assert_eq!(found, ["https://u:pw@h/x"]);
        let text = "stack a\nvar api_token default=\"q8Zr2LmX9vTb4KpW\"\nservice web {\n    env DB=\"postgres://u:p@h/db\" MODE=q8Zr2LmX9vTb4KpW\n    secret-env K=\"not a name\" L=name\n    port 70000 \"unclosed\n}\nsecret s \"hunter2\" min-length=32\n// sk_live_abcdefghijkl in a comment\n";
        let found: Vec<&str> = spans(text)
            .into_iter()
            .map(|(s, _)| &text[s.range()])
            .collect();
        assert_eq!(
            found,
            [
                "q8Zr2LmX9vTb4KpW",
                "postgres://u:p@h/db",
                "not a name",
                "hunter2",
                "sk_live_abcdefghijkl"
            ]
        );
    }

    /// Issue 22, class 7: names are not values, and a credential inside a command or a
    /// path is found.
    #[test]
    fn names_are_not_random_and_commands_are_searched() {
        assert!(!high_entropy("oauth2_client_secret"));
        assert!(!high_entropy("stripe_key_v2"));
        assert!(!looks_like_under(
            Some("OAUTH2_CLIENT_SECRET"),
            "oauth2_client_secret"
        ));
        // Negative controls: random values and UUIDs still are.
        assert!(high_entropy("q8Zr2LmX9vTb4KpW"));
        assert!(looks_like_under(
            Some("SCW_SECRET_KEY"),
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        ));
        let text = "stack a\nsecret oauth2_client_secret\nservice web {\n    secret-env OAUTH2_CLIENT_SECRET=oauth2_client_secret\n    migrate \"psql postgres://admin:hunter22@db/app -c 'select 1'\"\n    health \"/health?token=q8Zr2LmX9vTb4KpW&x=1\"\n}\njob j {\n    command \"curl -H 'Authorization: Bearer q8Zr2LmX9vTb4KpWa1' https://x\"\n}\nsite s {\n    build \"API_KEY=q8Zr2LmX9vTb4KpW npm run build\"\n}\n";
        let found: Vec<&str> = spans(text)
            .into_iter()
            .map(|(s, _)| &text[s.range()])
            .collect();
        assert_eq!(
            found,
            [
                "postgres://admin:hunter22@db/app",
                "q8Zr2LmX9vTb4KpW",
                "q8Zr2LmX9vTb4KpWa1",
                "q8Zr2LmX9vTb4KpW"
            ]
        );
    }

    #[test]
    fn masks_hide_the_length_and_spans_follow() {
        let text = "a \"short\" b \"a much longer secret value\" c";
        let s1 = Span::new(3, 8);
        let s2 = Span::new(13, 39);
        let m = mask(text, &[s2, s1]);
        assert_eq!(m.text, "a \"*****\" b \"*****\" c");
        assert_eq!(&m.text[m.span(s2).range()], MASK);
        let c = Span::new(text.len() - 1, text.len());
        assert_eq!(&m.text[m.span(c).range()], "c");
        assert_eq!(m.span(Span::new(0, text.len())), Span::new(0, m.text.len()));
        let multi = mask("x\nsecret\nline\ny", &[Span::new(2, 13)]);
        assert_eq!(multi.text, "x\n*****\n*****\ny");
    }

    #[test]
    fn content_inside_quotes() {
        let text = r####"a "x" #"y"# ##"""
z
"""## "open w"####;
        let c = |s: &str| {
            let at = text.find(s).unwrap();
            &text[content(text, Span::new(at, at + s.len())).range()]
        };
        assert_eq!(c("\"x\""), "x");
        assert_eq!(c("#\"y\"#"), "y");
        assert_eq!(c("w"), "w");
        assert_eq!(c("\"open w"), "open w");
    }

    #[test]
    fn hidden_in_any_text() {
        let diff = "-  \"API_TOKEN\": \"q8Zr2LmX9vTb4KpW\",\n+  \"API_TOKEN\": \"w7Yt3NkZ8uRc5JqV\",\n   \"MODE\": \"q8Zr2LmX9vTb4KpW0\",\n+ URL=postgres://a:pw@h/db x sk_live_abcdefghijkl\n";
        let h = hide_in(diff, &["known-value-1".into()]);
        for s in ["q8Zr2LmX9vTb4KpW\"", "w7Yt3NkZ8uRc5JqV", "pw@h", "sk_live_"] {
            assert!(!h.contains(s), "{s}: {h}");
        }
        assert!(h.contains("MODE"), "{h}");
        assert_eq!(
            hide_in("a known-value-1 b", &["known-value-1".into()]),
            "a ***** b"
        );
    }

    /// Random text of the characters that matter never panics, and masks keep lines.
    #[test]
    fn random_text_never_panics() {
        let alphabet: Vec<char> = "\"#/*\\=-{};:@ \n\tabcSK_é€😀0123456789'".chars().collect();
        let mut state = 7u64;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize % n
        };
        for _ in 0..3000 {
            let len = next(60);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let found: Vec<Span> = spans(&text).into_iter().map(|(s, _)| s).collect();
            for s in &found {
                assert!(text.get(s.range()).is_some(), "{text:?} {s:?}");
            }
            let m = mask(&text, &found);
            assert_eq!(m.text.matches('\n').count(), text.matches('\n').count());
            let a = next(text.len() + 1);
            let b = a + next(text.len() + 1 - a);
            if text.is_char_boundary(a) && text.is_char_boundary(b) {
                let c = content(&text, Span::new(a, b));
                assert!(text.get(c.range()).is_some());
                let moved = m.span(Span::new(a, b));
                assert!(moved.start <= moved.end && moved.end <= m.text.len());
                assert!(m.text.is_char_boundary(moved.start) && m.text.is_char_boundary(moved.end));
            }
            hide_in(&text, std::slice::from_ref(&text));
        }
    }

    #[test]
    fn scrub_words() {
        let mut d = vec![
            Diagnostic::error("c", "secret `sk_live_abcdefghijkl` is not declared")
                .at(Span::new(0, 1), "sk_live_abcdefghijkl")
                .help("declare `secret sk_live_abcdefghijkl`"),
        ];
        scrub(&mut d, ["sk_live_abcdefghijkl", "ab"]);
        assert!(!format!("{d:?}").contains("sk_live_"));
    }
}
