//! Formatting with the kdl crate's autoformat, which keeps comments. One edit that
//! replaces the whole document, or none when it is already formatted or does not parse.

/// The formatted text, if it parses and differs.
pub fn format(text: &str, tab_size: u32, insert_spaces: bool) -> Option<String> {
    let mut doc = kdl::KdlDocument::parse_v2(text).ok()?;
    let indent = if insert_spaces { " ".repeat(tab_size.clamp(1, 16) as usize) } else { "\t".to_string() };
    doc.autoformat_config(&kdl::FormatConfig::builder().indent(&indent).build());
    let out = doc.to_string();
    (out != text).then_some(out)
}
