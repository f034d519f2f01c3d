//! The formatter (`textDocument/formatting`) must not change what a stack means: when it
//! formats UTF-8 text, the result parses, is a fixed point, and checks to the same
//! diagnostic codes as the original.
#![no_main]

use cellac::lsp::format::format;
use libfuzzer_sys::fuzz_target;

fn codes(text: &str) -> Vec<&'static str> {
    let mut codes: Vec<_> = cellac::check(text)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes
}

fuzz_target!(|data: &[u8]| {
    let Some((&opts, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (tab_size, spaces) = ((opts % 9) as u32, opts & 0x80 == 0);
    let Some(out) = format(text, tab_size, spaces) else {
        return;
    };
    assert!(
        cellac::check(&out).nodes.is_some(),
        "the formatted text does not parse:\n{out}"
    );
    assert_eq!(
        format(&out, tab_size, spaces).as_deref(),
        Some(out.as_str()),
        "formatting is not a fixed point"
    );
    assert_eq!(
        codes(text),
        codes(&out),
        "formatting changed the diagnostics:\n{out}"
    );
});
