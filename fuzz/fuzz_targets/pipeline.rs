//! `cellac::build` on UTF-8 text: the whole pipeline. Whatever is generated must stay inside the
//! output folder (relative paths, no `..`), and every JSON file must parse
//! (tests/common/invariants.rs, shared with tests/fuzz_regressions.rs).
#![no_main]

#[path = "../../tests/common/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    invariants::build("input", text);
});
