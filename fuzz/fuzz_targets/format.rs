//! The formatter (`textDocument/formatting`) must not change what a stack means: when it
//! formats UTF-8 text, the result parses, is a fixed point, and checks to the same
//! diagnostic codes as the original (tests/common/invariants.rs, shared with
//! tests/fuzz_regressions.rs).
#![no_main]

#[path = "../../tests/common/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&opts, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    invariants::format("input", text, (opts % 9) as u32, opts & 0x80 == 0);
});
