//! Arbitrary bytes into the front end. When the input holds a NUL byte, the text before
//! it is the stack and the text after it a secrets file checked against it. Every label
//! must lie inside the text it points into, on character boundaries, and every renderer
//! must cope (tests/common/invariants.rs, shared with tests/fuzz_regressions.rs).
#![no_main]

#[path = "../../tests/common/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    invariants::check_and_render("input", input);
});
