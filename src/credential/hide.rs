//! Hiding values: masks of one length in a text, and no word of a diagnostic that
//! repeats one.

use super::*;
use aho_corasick::AhoCorasick;
use std::borrow::Cow;

/// `text` with each of `spans` (sorted or not, overlapping or not) replaced by [`MASK`],
/// line breaks kept; and a function from offsets in `text` to offsets in the result.
pub fn mask(text: &str, spans: &[Span]) -> Masked {
    let mut spans: Vec<Span> = spans
        .iter()
        .map(|s| Span::clamp(*s, text.len()))
        .map(|s| {
            Span::new(
                crate::span::floor_char_boundary(text, s.start),
                crate::span::floor_char_boundary(text, s.end),
            )
        })
        .filter(|s| !s.is_empty())
        .collect();
    spans.sort_by_key(|s| (s.start, s.end));
    // Merge overlapping spans, then split each at line breaks.
    let mut merged: Vec<Span> = Vec::new();
    for s in spans {
        match merged.last_mut() {
            Some(m) if s.start <= m.end => m.end = m.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut parts: Vec<Span> = Vec::new();
    for m in merged {
        let mut start = m.start;
        for (k, c) in text[m.range()].char_indices() {
            if c == '\n' || c == '\r' {
                if start < m.start + k {
                    parts.push(Span::new(start, m.start + k));
                }
                start = m.start + k + 1;
            }
        }
        if start < m.end {
            parts.push(Span::new(start, m.end));
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut moved = Vec::with_capacity(parts.len());
    for p in &parts {
        out.push_str(&text[from..p.start]);
        let start = out.len();
        out.push_str(MASK);
        moved.push((*p, Span::new(start, out.len())));
        from = p.end;
    }
    out.push_str(&text[from..]);
    Masked { text: out, moved }
}

/// A masked text, and where each masked span went.
pub struct Masked {
    pub text: String,
    moved: Vec<(Span, Span)>,
}

impl Masked {
    /// Where an offset of the original text is in the masked one (inside a masked span:
    /// its start for a start, its end for an end).
    fn map(&self, o: usize, end: bool) -> usize {
        // The masked spans are sorted and apart: only the last one that starts before
        // `o` matters (found by binary search, for reports of many diagnostics).
        let before = self.moved.partition_point(|(old, _)| old.start < o);
        let Some((old, new)) = before.checked_sub(1).map(|i| self.moved[i]) else {
            return o;
        };
        if o < old.end {
            return if end { new.end } else { new.start };
        }
        let delta = new.end as isize - old.end as isize;
        (o as isize + delta).max(0) as usize
    }

    pub fn span(&self, s: Span) -> Span {
        Span::new(
            self.map(s.start, false),
            self.map(s.end, true).max(self.map(s.start, false)),
        )
    }

    /// Moves every label of `d` into the masked text.
    pub fn diagnostic(&self, d: &mut Diagnostic) {
        for l in &mut d.labels {
            l.span = self.span(l.span);
        }
    }
}

/// The content of the value at `span`: inside its quotes (`"..."`, `#"..."#`, `"""`).
pub fn content(text: &str, span: Span) -> Span {
    let span = span.clamp(text.len());
    let Some(v) = text.get(span.range()) else {
        return span;
    };
    match lex::string(v.as_bytes(), 0) {
        Some(s) => Span::new(span.start + s.body.start, span.start + s.body.end),
        None => span,
    }
}

/// Every value to hide in a stack file's words: what [`spans`] finds, and the values at
/// `extra` (spans of values a check called secret), as written and as read.
pub fn values(text: &str, extra: impl IntoIterator<Item = Span>) -> Vec<String> {
    let mut out: Vec<String> = spans(text).into_iter().map(|(_, v)| v).collect();
    for s in extra {
        if let Some(raw) = text.get(content(text, s).range()) {
            out.push(unescape(raw));
            out.push(raw.to_string());
        }
    }
    out
}

/// `text` of any kind (a diff of generated files) with `known` values (4 characters or
/// more) and every word that looks like a credential replaced by [`MASK`], as are values
/// written `KEY": "value"`, `KEY = "value"` or `KEY=value` under a key named like a secret
/// when they look random.
pub fn hide_in(text: &str, known: &[String]) -> String {
    let out = Known::new(known.iter().map(String::as_str)).hide(text);
    let sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | ',' | '(' | ')' | '[' | ']' | '{' | '}' | ';'
            )
    };
    let mut hidden = String::with_capacity(out.len());
    for line in out.split_inclusive('\n') {
        let mut l = line.to_string();
        let words: Vec<&str> = line.split(sep).filter(|w| !w.is_empty()).collect();
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_end_matches(':');
            let (key, value) = match w.split_once('=') {
                Some((k, v)) if !v.is_empty() => (Some(k), v),
                _ => (
                    words[..i]
                        .iter()
                        .rev()
                        .map(|k| k.trim_matches([':', '=']))
                        .find(|k| !k.is_empty()),
                    w,
                ),
            };
            let key = key.map(|k| k.trim_start_matches(['+', '-']));
            if looks_like_under(key, value) && value.len() >= 4 {
                l = l.replace(value, MASK);
            }
        }
        hidden.push_str(&l);
    }
    hidden
}

/// Values to hide (of 4 characters or more, trimmed), found in a text in one pass
/// whatever their number: a report of thousands of diagnostics over a stack of
/// thousands of credentials stays linear.
pub struct Known {
    /// The values, sorted; empty when none is long enough to hide.
    values: Vec<String>,
    /// All of them at once; `None` only if the automaton could not be built (a limit
    /// of aho-corasick's), and then each value is searched on its own: never a value
    /// left shown.
    matcher: Option<AhoCorasick>,
}

impl Known {
    pub fn new<'a>(values: impl IntoIterator<Item = &'a str>) -> Self {
        let mut values: Vec<String> = values
            .into_iter()
            .map(str::trim)
            .filter(|v| v.chars().count() >= 4)
            .map(str::to_string)
            .collect();
        values.sort_unstable();
        values.dedup();
        // Every occurrence of every value, overlapping ones included (see `hide`).
        let matcher = (!values.is_empty())
            .then(|| AhoCorasick::new(&values).ok())
            .flatten();
        Known { values, matcher }
    }

    fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `text` holds one of the values.
    pub fn in_text(&self, text: &str) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(text),
            None => self.values.iter().any(|v| text.contains(v.as_str())),
        }
    }

    /// Where the values occur in `text`, overlapping occurrences included.
    fn occurrences(&self, text: &str) -> Vec<(usize, usize)> {
        match &self.matcher {
            Some(m) => m
                .find_overlapping_iter(text)
                .map(|f| (f.start(), f.end()))
                .collect(),
            None => self
                .values
                .iter()
                .flat_map(|v| {
                    text.match_indices(v.as_str())
                        .map(|(i, _)| (i, i + v.len()))
                })
                .collect(),
        }
    }

    /// `text` with every occurrence of a value replaced by [`MASK`]; occurrences that
    /// overlap (a value inside or across another) become one mask, so that no part of
    /// either shows.
    pub fn hide<'t>(&self, text: &'t str) -> Cow<'t, str> {
        if !self.in_text(text) {
            return Cow::Borrowed(text);
        }
        let mut found = self.occurrences(text);
        found.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        let mut i = 0;
        while i < found.len() {
            let (start, mut end) = found[i];
            i += 1;
            while i < found.len() && found[i].0 < end {
                end = end.max(found[i].1);
                i += 1;
            }
            out.push_str(&text[from..start]);
            out.push_str(MASK);
            from = end;
        }
        out.push_str(&text[from..]);
        Cow::Owned(out)
    }
}

/// Replaces every occurrence of `values` (of 4 characters or more) in the words of
/// `diags` (message, help, labels) by [`MASK`].
pub fn scrub<'a>(diags: &mut [Diagnostic], values: impl IntoIterator<Item = &'a str>) {
    let known = Known::new(values);
    if known.is_empty() {
        return;
    }
    let clean = |s: &mut String| {
        if let Cow::Owned(hidden) = known.hide(s) {
            *s = hidden;
        }
    };
    for d in diags {
        // A fix cannot be masked (applied, it would write the mask): one that holds a
        // hidden value is dropped.
        d.fixes.retain(|f| {
            !known.in_text(&f.title) && !f.edits.iter().any(|e| known.in_text(&e.text))
        });
        clean(&mut d.message);
        if let Some(h) = &mut d.help {
            clean(h);
        }
        for l in &mut d.labels {
            if let Some(m) = &mut l.message {
                clean(m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Known, MASK};

    /// Every occurrence is hidden, overlapping ones as one mask, whether the values are
    /// searched at once or one by one (the fallback).
    #[test]
    fn known_values_are_hidden_whole() {
        let known = Known::new(["abcdef", "xabc", "zz", " long-value-1 "]);
        let mut plain = Known::new(["abcdef", "xabc", "zz", " long-value-1 "]);
        plain.matcher = None;
        for k in [&known, &plain] {
            assert_eq!(k.hide("1 xabcdef 2"), format!("1 {MASK} 2"));
            assert_eq!(k.hide("long-value-1long-value-1"), format!("{MASK}{MASK}"));
            assert_eq!(k.hide("zz stays: too short"), "zz stays: too short");
            assert!(k.in_text("a abcdef") && !k.in_text("abcde"));
        }
    }
}
