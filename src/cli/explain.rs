//! `cellac explain`: a diagnostic code's explanation, or the list of codes.

use super::report::fail;
use super::Exit;

pub(super) fn run(code: Option<&str>) -> Exit {
    match code {
        None => {
            for c in crate::codes::CODES {
                println!("{:<38} {}", c.code, c.summary());
            }
            Exit::Ok
        }
        Some(code) => match crate::codes::find(code) {
            Some(c) => {
                print!("{}", crate::codes::explain(c));
                Exit::Ok
            }
            None => {
                let all: Vec<&str> = crate::codes::CODES.iter().map(|c| c.code).collect();
                let hint = crate::suggest::nearest(code, all.iter().copied())
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                fail(format!(
                    "unknown code `{code}`{hint} Run `cellac explain` for the list"
                ))
            }
        },
    }
}
