//! The `kdl` crate's syntax errors in cellac's words.
//!
//! The crate gives no error kind: a `KdlDiagnostic` holds only English text (a message,
//! a label, a help) and a span. So the text is read in ONE place, the [`KDL_ERRORS`]
//! table, which turns what the crate says into a [`Kind`]; everything else works on
//! kinds. The test `every_kdl_error_shape_is_recognised` pins each row of the table
//! with a text that produces it: a `kdl` upgrade that rewords an error fails that test
//! instead of silently losing cellac's wording and help. (kdl 6.7 also words a
//! missing closing quote, "missing string closing quote", but never reports it: an
//! unclosed string is "Expected quoted string". Such unreachable text is not mapped.)

use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// A `kdl` crate error that cellac words itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    // Known by the message.
    TextAfterDocument,
    InvalidNodeName,
    NamelessBlock,
    UnclosedBlock,
    /// The same unclosed block, reported a second time over the whole block.
    UnclosedBlockAgain,
    NewlineInString,
    NoPropertyValue,
    BadBareWord,
    BadKeyword,
    // Known by the help.
    NoValueTerminator,
    NodeNameAnyString,
    NodeNameForgotten,
    MultiLineWanted,
    MultiLinePrefix,
    FloatExponent,
    RawTripleQuotes,
    KeywordList,
}

/// Where the `kdl` crate says it.
#[derive(Clone, Copy, Debug)]
enum Said {
    Message(&'static str),
    Help(&'static str),
}

use Said::{Help, Message};

/// What the `kdl` crate (6.7) says, word for word, for each kind.
const KDL_ERRORS: &[(Said, Kind)] = &[
    (Message("Expected end of document"), Kind::TextAfterDocument),
    (Message("Found invalid node name"), Kind::InvalidNodeName),
    (
        Message("Found child block instead of node name"),
        Kind::NamelessBlock,
    ),
    (Message("No closing '}' for child block"), Kind::UnclosedBlock),
    (
        Message("Closing '}' was not found after nodes"),
        Kind::UnclosedBlockAgain,
    ),
    (
        Message("Unexpected newline in single-line quoted string"),
        Kind::NewlineInString,
    ),
    (Message("Expected property value"), Kind::NoPropertyValue),
    (Message("Expected identifier string"), Kind::BadBareWord),
    (Message("Expected keyword"), Kind::BadKeyword),
    (
        Help("A valid value was partially parsed, but was not followed by a value terminator. Did you want a space here?"),
        Kind::NoValueTerminator,
    ),
    (
        Help("This can be any string type, including a quoted, raw, or multiline string, as well as a plain identifier string."),
        Kind::NodeNameAnyString,
    ),
    (
        Help("Did you forget to add the node name itself? Or perhaps terminated the node before its child block?"),
        Kind::NodeNameForgotten,
    ),
    (
        Help("You can make a string multi-line by wrapping it in '\"\"\"', with a newline immediately after the opening quotes."),
        Kind::MultiLineWanted,
    ),
    (
        Help("Multi-line string bodies must be prefixed by the exact same whitespace as the leading whitespace before the closing '\"\"\"'"),
        Kind::MultiLinePrefix,
    ),
    (
        Help("Floats with exponent parts should look like '2.0e123', or '43.3E-4'."),
        Kind::FloatExponent,
    ),
    (
        Help("Consider using a regular escaped string if all you want is a single quote: \"\\\"\""),
        Kind::RawTripleQuotes,
    ),
    (
        Help("Available keywords in KDL are '#true', '#false', '#null', '#nan', '#inf', and '#-inf'; they are case-sensitive."),
        Kind::KeywordList,
    ),
];

/// The kind known by the error's message.
pub(super) fn by_message(d: &kdl::KdlDiagnostic) -> Option<Kind> {
    let m = d.message.as_deref()?;
    KDL_ERRORS.iter().find_map(|&(said, kind)| match said {
        Message(s) if s == m => Some(kind),
        _ => None,
    })
}

/// The kind known by the error's help.
fn by_help(d: &kdl::KdlDiagnostic) -> Option<Kind> {
    let h = d.help.as_deref()?;
    KDL_ERRORS.iter().find_map(|&(said, kind)| match said {
        Help(s) if s == h => Some(kind),
        _ => None,
    })
}

impl Kind {
    fn unclosed_block(self) -> bool {
        matches!(self, Kind::UnclosedBlock | Kind::UnclosedBlockAgain)
    }

    /// cellac's message, for the kinds known by the message.
    fn message(self) -> Option<&'static str> {
        Some(match self {
            Kind::TextAfterDocument => {
                "unexpected text where a node or the end of the file should be"
            }
            Kind::InvalidNodeName => "a node name was expected here",
            Kind::NamelessBlock => "a `{ }` block without a node name",
            Kind::UnclosedBlock | Kind::UnclosedBlockAgain => "this block is not closed",
            Kind::NewlineInString => "this string is not closed on its line",
            Kind::NoPropertyValue => "this property has no value after `=`",
            Kind::BadBareWord => "this bare word is not a valid value here",
            Kind::BadKeyword => "an unknown keyword after `#`",
            _ => return None,
        })
    }

    fn label(self) -> Option<&'static str> {
        Some(match self {
            Kind::TextAfterDocument => "unexpected here",
            Kind::UnclosedBlock | Kind::UnclosedBlockAgain => "opened here, never closed",
            Kind::NewlineInString => "the string starts here",
            _ => return None,
        })
    }

    fn help(self) -> Option<&'static str> {
        Some(match self {
            Kind::UnclosedBlock | Kind::UnclosedBlockAgain => {
                "add the `}` that closes this block: every `{` needs its `}`"
            }
            Kind::NoPropertyValue => {
                "write a value after `=`, such as `KEY=\"value\"`, or remove the `=`"
            }
            Kind::TextAfterDocument => {
                "a `}` without its `{`, or text where a node should start: check this line and the one above"
            }
            Kind::BadBareWord => {
                "quote the value (\"...\"); KDL v2 writes booleans `#true` and `#false`"
            }
            Kind::NoValueTerminator => {
                "a value ends at a space, `;`, `{`, `}` or the end of the line: put a space after it, or quote the whole value"
            }
            Kind::NodeNameAnyString => {
                "a node starts with its name, a word or a quoted string: check this line for a stray character, and the lines above for a missing `}` or quote"
            }
            Kind::NodeNameForgotten => "write the node's name before `{`, on the same line",
            Kind::MultiLineWanted => {
                "close the string with `\"` on the same line; for text over several lines, put `\"\"\"` alone on the lines before and after it"
            }
            Kind::MultiLinePrefix => {
                "indent every line of the text at least as much as the closing `\"\"\"`"
            }
            Kind::FloatExponent => "write a number such as `2.5e3` or `4.2E-4`",
            Kind::RawTripleQuotes => "write a one-line raw string with one quote, `#\"text\"#`",
            Kind::KeywordList => {
                "KDL's keywords are `#true`, `#false`, `#null`, `#inf`, `#-inf` and `#nan`, in lower case"
            }
            _ => return None,
        })
    }
}

/// One KDL error as a diagnostic: a narrow span inside the text, and help.
pub(super) fn diagnostic(text: &str, d: &kdl::KdlDiagnostic) -> Diagnostic {
    let kind = by_message(d);
    let mut span = Span::from(d.span).clamp(text.len());
    span = Span::new(
        crate::span::floor_char_boundary(text, span.start),
        crate::span::floor_char_boundary(text, span.end),
    );
    if kind.is_some_and(Kind::unclosed_block) {
        // Point at the `{` that is not closed.
        let brace = text[..span.start]
            .rfind('{')
            .filter(|i| text[*i + 1..span.start].trim().is_empty());
        if let Some(i) = brace {
            span = Span::new(i, i + 1);
        } else if span.start < span.end {
            span = Span::new(span.start, span.start);
        }
    } else if text[span.range()].trim_end().contains('\n') {
        // kdl sometimes spans everything from the start of the document: the problem
        // is where the span ends, on its last line.
        let covered = &text[span.range()];
        let end = span.start + covered.trim_end().len();
        let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1).max(span.start);
        let first =
            line_start + (text[line_start..end].len() - text[line_start..end].trim_start().len());
        span = Span::new(first, end);
    }
    let written = text[span.range()].trim();
    let help = if matches!(written, "true" | "false" | "null") {
        format!("KDL v2 writes `#{written}`")
    } else {
        kind.and_then(Kind::help)
            .or_else(|| by_help(d).and_then(Kind::help))
            .unwrap_or("stack files are KDL v2 documents: see https://kdl.dev")
            .to_string()
    };
    // The crate words the errors it does not name from the grammar rule that failed:
    // message `Expected RULE`, label `not RULE`.
    let label = match (kind.and_then(Kind::label), d.label.as_deref()) {
        (Some(l), _) => l.to_string(),
        (None, Some(l)) => match l.strip_prefix("not ") {
            Some(rule) => format!(
                "expected {} here",
                an(&rule.replace("identifier string", "plain word"))
            ),
            None => l.to_string(),
        },
        (None, None) => String::new(),
    };
    let message = match (kind.and_then(Kind::message), d.message.as_deref()) {
        (Some(m), _) => m.to_string(),
        (None, Some(m)) => match m.strip_prefix("Expected ") {
            Some(rule) => format!("expected {}", an(rule)),
            None => lower_first(m),
        },
        (None, None) => "invalid KDL".to_string(),
    };
    let d = Diagnostic::error("cellac::syntax", message)
        .at(span, label)
        .help(help);
    // A KDL v1 keyword: KDL v2 writes the same value with `#`.
    match text.get(span.range()).and_then(|w| {
        let start = span.start + (w.len() - w.trim_start().len());
        matches!(w.trim(), "true" | "false" | "null").then(|| (start, w.trim()))
    }) {
        Some((start, word)) => d.fix(crate::diagnostic::Fix::replace(
            crate::diagnostic::Applicability::Safe,
            format!("Write `#{word}`"),
            Span::new(start, start + word.len()),
            format!("#{word}"),
        )),
        None => d,
    }
}

/// `a node name`, `an integer`.
fn an(what: &str) -> String {
    let vowel = what.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

fn lower_first(m: &str) -> String {
    let mut c = m.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => "invalid KDL".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text that makes the `kdl` crate report each kind, by message or by help.
    const SHAPES: &[(&str, Kind)] = &[
        ("a }", Kind::TextAfterDocument),
        ("a\n=b", Kind::InvalidNodeName),
        ("{ a }", Kind::NamelessBlock),
        ("a {", Kind::UnclosedBlock),
        ("a {\nb\n", Kind::UnclosedBlockAgain),
        ("a \"x\nb", Kind::NewlineInString),
        ("a k=", Kind::NoPropertyValue),
        ("a b(", Kind::BadBareWord),
        ("a #foo", Kind::BadKeyword),
        ("a 1x", Kind::NoValueTerminator),
        ("a\n=b", Kind::NodeNameAnyString),
        ("{ a }", Kind::NodeNameForgotten),
        ("a \"x\nb", Kind::MultiLineWanted),
        ("a \"\"\"\n  x\n y\n  \"\"\"", Kind::MultiLinePrefix),
        ("a 1.0ex", Kind::FloatExponent),
        ("a #\"\"\"#", Kind::RawTripleQuotes),
        ("a #foo", Kind::KeywordList),
    ];

    fn kinds(text: &str) -> Vec<(Option<Kind>, Option<Kind>, String)> {
        let err = kdl::KdlDocument::parse_v2(text).expect_err(text);
        err.diagnostics
            .iter()
            .map(|d| (by_message(d), by_help(d), format!("{d:?}")))
            .collect()
    }

    #[test]
    fn every_kdl_error_shape_is_recognised() {
        let missed: Vec<String> = SHAPES
            .iter()
            .filter_map(|&(text, kind)| {
                let found = kinds(text);
                let seen = found
                    .iter()
                    .any(|(m, h, _)| *m == Some(kind) || *h == Some(kind));
                (!seen).then(|| format!("{kind:?} for {text:?}, got {found:#?}"))
            })
            .collect();
        assert!(
            missed.is_empty(),
            "the kdl crate no longer says these in the words of KDL_ERRORS:\n{}",
            missed.join("\n")
        );
        for (said, kind) in KDL_ERRORS {
            assert!(
                SHAPES.iter().any(|(_, k)| k == kind),
                "no text pins {said:?}"
            );
        }
    }

    #[test]
    fn every_kind_has_words() {
        for &(said, kind) in KDL_ERRORS {
            match said {
                Message(_) => assert!(kind.message().is_some(), "{kind:?}"),
                Help(_) => assert!(kind.help().is_some(), "{kind:?}"),
            }
        }
    }
}
