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

use handlebars::template::TemplateElement;
use handlebars::{Template, TemplateError};

/// The same template as `Template::compile_with_name(text, name)`, compiled in pieces.
pub fn compile(name: &str, text: &str) -> Result<Template, TemplateError> {
    let cuts = cuts(text);
    if cuts.is_empty() {
        return Template::compile_with_name(text, name.to_string());
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
        let t = Template::compile_with_name(piece, name.to_string())?;
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

/// Moves the line numbers of the templates inside an element (a block's body, its
/// `else`) down by `lines`.
fn shift_inner(e: &mut TemplateElement, lines: usize) {
    let inner: Vec<&mut Template> = match e {
        TemplateElement::HtmlExpression(h)
        | TemplateElement::Expression(h)
        | TemplateElement::HelperBlock(h) => {
            h.template.iter_mut().chain(h.inverse.iter_mut()).collect()
        }
        TemplateElement::DecoratorExpression(d)
        | TemplateElement::DecoratorBlock(d)
        | TemplateElement::PartialExpression(d)
        | TemplateElement::PartialBlock(d) => d.template.iter_mut().collect(),
        // Raw text and comments (and any later kind: the tests compare with the whole).
        _ => Vec::new(),
    };
    for t in inner {
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
    let mut tags: Vec<(usize, usize, i32)> = Vec::new();
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
        let Some(len) = rest.find(close).map(|i| i + close.len()) else {
            // Unclosed: let handlebars report it on the whole text.
            return Vec::new();
        };
        let inner = rest[2..].trim_start_matches('~').trim_start();
        let depth = match inner.as_bytes().first() {
            Some(b'#') => 1,
            Some(b'/') => -1,
            _ => 0,
        };
        tags.push((start, start + len, depth));
        at = start + len;
    }
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

    #[test]
    fn whitespace_control_and_standalone_lines_compile_as_whole() {
        let text = "x\ny\n  {{#each a}}\n  {{~this~}}  \nz\n{{/each}}\nw\nv\n   {{~y}}\nu\nt\n";
        let whole = Template::compile_with_name(text, "t".into()).unwrap();
        assert_eq!(compile("t", text).unwrap(), whole);
    }
}
