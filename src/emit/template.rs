//! Compiling a handlebars template in pieces, for the same [`Template`] sooner.
//!
//! handlebars asks pest for the line and column of every element it parses, and pest
//! counts them from the start of the text each time: compiling a template costs its
//! length times its number of elements. Most of `cellac build`'s own time went there.
//! [`compile`] cuts the text into pieces at lines where nothing can reach across the
//! cut, compiles each piece on its own and joins the results into the template a
//! compile of the whole text gives: same elements, same line and column for each
//! (the `pieces_compile_to_the_whole` test checks this for every template).
//!
//! A cut goes between two lines that hold no `{{`, both with something other than
//! whitespace (so that no `~` whitespace control and no standalone-line rule reaches
//! across it), outside every block. A text with an escaped `\{{` or a raw block
//! (`{{{{`) is compiled whole.
//!
//! Then each piece that holds a tag is shortened before handlebars sees it
//! ([`shortened`]): pest spends about as much per character of raw text as per
//! character of a tag, and most of a script is raw text. The inside of every run of raw
//! text, from just after its first character that is not whitespace to just before its
//! last one, is replaced by a marker (`\u{E000}N\u{E001}`); no whitespace rule reaches
//! inside (each stops at the first character that is not whitespace), so handlebars
//! builds the same tree around the markers. The markers are then replaced by the text
//! they stand for, and every element's line and column are mapped back to the
//! original text.

use handlebars::template::TemplateElement;
use handlebars::{Template, TemplateError};

/// The same template as `Template::compile_with_name(text, name)`, compiled in pieces.
pub fn compile(name: &str, text: &str) -> Result<Template, TemplateError> {
    let cuts = cuts(text);
    if cuts.is_empty() {
        return shortened(name, text);
    }
    let mut whole = Template::default();
    let mut start = 0;
    let mut lines_before = 0;
    for end in cuts.into_iter().chain([text.len()]) {
        let piece = &text[start..end];
        // Plain text after plain text (a piece begins after a plain line): no parser.
        if let (false, Some(TemplateElement::RawString(last))) =
            (piece.contains("{{"), whole.elements.last_mut())
        {
            last.push_str(piece);
            lines_before += piece.matches('\n').count();
            start = end;
            continue;
        }
        let t = shortened(name, piece)?;
        // The first element of a piece may continue the last one's raw text.
        let join = matches!(whole.elements.last(), Some(TemplateElement::RawString(_)))
            && matches!(t.elements.first(), Some(TemplateElement::RawString(_)));
        let mut elements = t.elements.into_iter();
        let mut mapping = t.mapping.into_iter();
        if join {
            if let (
                Some(TemplateElement::RawString(last)),
                Some(TemplateElement::RawString(first)),
            ) = (whole.elements.last_mut(), elements.next())
            {
                last.push_str(&first);
                mapping.next();
            }
        }
        let mut elements: Vec<TemplateElement> = elements.collect();
        for e in &mut elements {
            shift_inner(e, lines_before);
        }
        whole.elements.extend(elements);
        whole.mapping.extend(mapping.map(|mut m| {
            m.0 += lines_before;
            m
        }));
        lines_before += piece.matches('\n').count();
        start = end;
    }
    whole.name = Some(name.to_string());
    Ok(whole)
}

/// The templates inside an element: a block's body and its `else`, a decorator's or
/// partial block's body. None in raw text and comments (nor in any later kind: the
/// tests compare with handlebars' compile of the whole).
fn inner(e: &mut TemplateElement) -> Vec<&mut Template> {
    match e {
        TemplateElement::HtmlExpression(h)
        | TemplateElement::Expression(h)
        | TemplateElement::HelperBlock(h) => {
            h.template.iter_mut().chain(h.inverse.iter_mut()).collect()
        }
        TemplateElement::DecoratorExpression(d)
        | TemplateElement::DecoratorBlock(d)
        | TemplateElement::PartialExpression(d)
        | TemplateElement::PartialBlock(d) => d.template.iter_mut().collect(),
        _ => Vec::new(),
    }
}

/// Moves the line numbers of the templates inside an element (a block's body, its
/// `else`) down by `lines`.
fn shift_inner(e: &mut TemplateElement, lines: usize) {
    for t in inner(e) {
        for m in &mut t.mapping {
            m.0 += lines;
        }
        for e in &mut t.elements {
            shift_inner(e, lines);
        }
    }
}

/// Byte offsets of the line starts where the text can be cut (see the module's
/// documentation), in order.
fn cuts(text: &str) -> Vec<usize> {
    if text.contains("\\{{") || text.contains("{{{{") {
        return Vec::new();
    }
    // Every tag: where it starts and ends, and how it changes the block depth.
    // Unclosed: let handlebars report it on the whole text.
    let Some(spans) = tag_spans(text) else {
        return Vec::new();
    };
    let tags: Vec<(usize, usize, i32)> = spans
        .into_iter()
        .map(|(start, end)| {
            let inner = text[start + 2..end].trim_start_matches('~').trim_start();
            let depth = match inner.as_bytes().first() {
                Some(b'#') => 1,
                Some(b'/') => -1,
                _ => 0,
            };
            (start, end, depth)
        })
        .collect();
    // Each line: its start, end (after the newline), and whether it holds no tag.
    let mut lines: Vec<(usize, usize, bool)> = Vec::new();
    let mut start = 0;
    let mut next = 0; // the first tag that ends after this line's start
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        while next < tags.len() && tags[next].1 <= start {
            next += 1;
        }
        let plain = tags.get(next).is_none_or(|t| t.0 >= end);
        lines.push((start, end, plain));
        start = end;
    }
    let solid = |from: usize, to: usize| !text[from..to].trim().is_empty();
    let mut out = Vec::new();
    let (mut depth, mut next) = (0, 0); // the first tag after the cut
    for pair in lines.windows(2) {
        let ((_, cut, a), (_, _, b)) = (pair[0], pair[1]);
        while next < tags.len() && tags[next].1 <= cut {
            depth += tags[next].2;
            next += 1;
        }
        let before = if next == 0 { 0 } else { tags[next - 1].1 };
        let after = tags.get(next).map_or(text.len(), |t| t.0);
        // Something other than whitespace on both sides of the cut, before the tags
        // nearest to it: whitespace control (`~`) stops there.
        if a && b && depth == 0 && solid(before, cut) && solid(cut, after) {
            out.push(cut);
        }
    }
    out
}

/// Where a marker starts, in the text handlebars parses instead of a template's.
const OPEN: char = '\u{E000}';
/// Where a marker ends.
const CLOSE: char = '\u{E001}';
/// Stretches of raw text shorter than this stay as they are.
const SHORTEST: usize = 12;

/// Every tag of `text`, as (start, end) byte offsets; `None` when one is not closed.
fn tag_spans(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut tags = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("{{") {
        let start = at + found;
        let rest = &text[start..];
        let close = if rest.starts_with("{{!--") {
            "--}}"
        } else if rest.starts_with("{{{") {
            "}}}"
        } else {
            "}}"
        };
        let len = rest.find(close)? + close.len();
        tags.push((start, start + len));
        at = start + len;
    }
    Some(tags)
}

/// `Template::compile_with_name(text, name)`, with handlebars parsing a shortened text
/// (see the module's documentation). A text with an escaped `\{{`, a raw block, a
/// carriage return or a character used by the markers, or one whose shortened form
/// does not compile, is compiled as it is (and so reports its errors as handlebars
/// does).
fn shortened(name: &str, text: &str) -> Result<Template, TemplateError> {
    match try_shortened(name, text) {
        Some(t) => Ok(t),
        None => Template::compile_with_name(text, name.to_string()),
    }
}

/// [`shortened`], or `None` when the text is better compiled as it is.
fn try_shortened(name: &str, text: &str) -> Option<Template> {
    if text.contains("\\{{") || text.contains("{{{{") || text.contains(['\r', OPEN, CLOSE]) {
        return None;
    }
    let tags = tag_spans(text)?;
    // The runs of raw text: between the tags, and before the first and after the last.
    let mut gaps = Vec::with_capacity(tags.len() + 1);
    let mut gap_start = 0;
    for &(start, end) in &tags {
        gaps.push((gap_start, start));
        gap_start = end;
    }
    gaps.push((gap_start, text.len()));
    // The stretches replaced: from after each run's first character that is not
    // whitespace to its last one.
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    for (start, end) in gaps {
        let gap = &text[start..end];
        let solid = |c: &(usize, char)| !c.1.is_whitespace();
        let (Some((first, c)), Some((last, _))) = (
            gap.char_indices().find(solid),
            gap.char_indices().rev().find(solid),
        ) else {
            continue;
        };
        let (from, to) = (start + first + c.len_utf8(), start + last);
        if to > from + SHORTEST {
            stretches.push((from, to));
        }
    }
    if stretches.is_empty() {
        return None;
    }
    let mut short = String::with_capacity(text.len() / 2);
    // (where a marker ends in `short`, what to add to an offset in `short` from there
    // on to get the offset in `text`)
    let mut shifts = Vec::with_capacity(stretches.len());
    let mut at = 0;
    for (i, &(from, to)) in stretches.iter().enumerate() {
        short.push_str(&text[at..from]);
        short.push(OPEN);
        short.push_str(&i.to_string());
        short.push(CLOSE);
        shifts.push((short.len(), to - short.len()));
        at = to;
    }
    short.push_str(&text[at..]);
    let mut t = Template::compile_with_name(&short, name.to_string()).ok()?;
    let back = Back {
        text,
        short: &short,
        short_lines: line_starts(&short),
        lines: line_starts(text),
        shifts,
        stretches,
    };
    back.template(&mut t)?;
    Some(t)
}

/// The byte offset where each line of `s` starts.
fn line_starts(s: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(s.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Puts a shortened text's stretches back into a template compiled from it.
struct Back<'a> {
    text: &'a str,
    short: &'a str,
    short_lines: Vec<usize>,
    lines: Vec<usize>,
    shifts: Vec<(usize, usize)>,
    stretches: Vec<(usize, usize)>,
}

impl Back<'_> {
    /// The line and column (from 1, in characters, as pest counts them) in the
    /// original text of a line and column in the shortened one.
    fn position(&self, line: usize, col: usize) -> Option<(usize, usize)> {
        let line_start = *self.short_lines.get(line.checked_sub(1)?)?;
        let mut chars = self.short.get(line_start..)?.char_indices();
        let offset = line_start
            + match col.checked_sub(1)? {
                0 => 0,
                n => chars.nth(n - 1).map(|(i, c)| i + c.len_utf8())?,
            };
        let i = self.shifts.partition_point(|&(at, _)| at <= offset);
        let orig = offset + i.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        let l = self.lines.partition_point(|&s| s <= orig);
        let start = *self.lines.get(l.checked_sub(1)?)?;
        Some((l, self.text.get(start..orig)?.chars().count() + 1))
    }

    /// A raw string with its markers replaced by the text they stand for.
    fn raw(&self, s: &mut String) -> Option<()> {
        if !s.contains(OPEN) {
            return Some(());
        }
        let mut out = String::with_capacity(s.len() * 4);
        let mut rest = s.as_str();
        while let Some(i) = rest.find(OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + OPEN.len_utf8()..];
            let j = after.find(CLOSE)?;
            let (from, to) = *self.stretches.get(after[..j].parse::<usize>().ok()?)?;
            out.push_str(self.text.get(from..to)?);
            rest = &after[j + CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        *s = out;
        Some(())
    }

    /// Every raw string and every line and column of `t` and the templates inside it,
    /// back as in the original text. `None` if something does not map back (then the
    /// text is compiled as it is).
    fn template(&self, t: &mut Template) -> Option<()> {
        for m in &mut t.mapping {
            (m.0, m.1) = self.position(m.0, m.1)?;
        }
        for e in &mut t.elements {
            if let TemplateElement::RawString(s) = e {
                self.raw(s)?;
            }
            for t in inner(e) {
                self.template(t)?;
            }
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_between_plain_lines_outside_blocks() {
        let text = "a\nb\n{{#if x}}\nc\nd\n{{/if}}\ne\n\nf\ng\n";
        // After "a", after "e" and after the blank line: not inside the block, not
        // next to a tag's line.
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(cuts(text), vec![2, at("\nf"), at("f\n"), at("g\n")]);
        assert!(cuts("a\n\\{{x}}\nb\nc\n").is_empty());
        assert!(cuts("a\nb\n{{x\nc\nd\n").is_empty());
    }

    #[test]
    fn multi_line_tags_and_comments_are_not_cut() {
        let text = "a\n{{!-- one\ntwo\nthree --}}\nb\nc\n";
        assert_eq!(cuts(text), vec![text.find("c\n").unwrap()]);
    }

    /// Shortened, texts with every kind of tag and whitespace rule compile to what
    /// handlebars makes of them as they are, lines and columns included.
    #[test]
    fn shortened_texts_compile_to_the_same_template() {
        let texts = [
            "plain text only, long enough to be shortened\n",
            "  leading {{x}} and a long stretch of text here {{y}} trailing  \n",
            "a long line of text before\n  {{#if x}}\n  inside, a long stretch of text\n  {{else}}\n  the other long stretch of text\n  {{/if}}\nafter, a long stretch of text\n",
            "text before, long enough   \n\n   {{~x~}}   \n\n   text after, long enough\n",
            "é, ü, long unicode text — with dashes\n{{#each xs}}\n  ünïcödé body text {{this}} more text\n{{/each}}\n",
            "{{!-- a comment, {{x}} inside --}} then some long text after it\n{{! short }}\n",
            "{{#*inline \"p\"}}\n  partial body, a long line of text\n{{/inline}}\n  {{> p}}\nend of the long text\n",
            "x{{#unless a}}no newline around a long body of text{{/unless}}y\n",
            "{{{raw}}} and a long stretch of text {{&amp}} more long text\n",
        ];
        for text in texts {
            let whole = Template::compile_with_name(text, "t".into()).unwrap();
            // Really shortened, not compiled as it is.
            assert_eq!(try_shortened("t", text), Some(whole.clone()), "{text:?}");
            assert_eq!(compile("t", text).unwrap(), whole, "{text:?}");
        }
        // Errors are handlebars' own, from the text as it is.
        let bad = "a long line of text\n{{#if x}}\nmore long text here\n{{/each}}\n";
        assert_eq!(
            shortened("t", bad).unwrap_err().to_string(),
            Template::compile_with_name(bad, "t".into())
                .unwrap_err()
                .to_string()
        );
    }

    #[test]
    fn whitespace_control_and_standalone_lines_compile_as_whole() {
        let text = "x\ny\n  {{#each a}}\n  {{~this~}}  \nz\n{{/each}}\nw\nv\n   {{~y}}\nu\nt\n";
        let whole = Template::compile_with_name(text, "t".into()).unwrap();
        assert_eq!(compile("t", text).unwrap(), whole);
    }
}
