//! `cellac::build` on UTF-8 text: the whole pipeline. Whatever is generated must stay inside the
//! output folder (relative paths, no `..`), and every JSON file must parse.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (checked, files) = cellac::build(text, "../stack.kdl");
    let Some(files) = files else {
        return;
    };
    assert!(!checked.has_errors());
    assert!(!files.is_empty());
    for (path, bytes) in &files {
        assert!(!path.is_empty(), "an empty path");
        assert!(
            !path.starts_with('/') && !path.starts_with('\\') && !path.contains(':'),
            "absolute path {path:?}"
        );
        assert!(
            path.split(['/', '\\'])
                .all(|c| !c.is_empty() && c != ".." && c != "."),
            "path {path:?} leaves the output folder or has an empty component"
        );
        assert!(!path.contains('\0'), "NUL in path {path:?}");
        if path.ends_with(".json") {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
                panic!("{path} is not JSON: {e}");
            }
        }
    }
});
