//! Diagnostics rendered for people (miette), as JSON, and as GitHub annotations.

mod github;
mod human;
mod json;

pub use github::github;
pub use human::human;
pub use json::{json, JSON_FORMAT_VERSION};

use crate::diagnostic::{Diagnostic, Source};

/// The texts diagnostics point into, as they may be shown.
pub struct Files<'a> {
    pub stack_name: &'a str,
    pub stack: &'a str,
    /// The secrets file's name and its masked text.
    pub secrets: Option<(&'a str, &'a str)>,
}

impl<'a> Files<'a> {
    pub fn get(&self, d: &Diagnostic) -> (&'a str, &'a str) {
        match (d.source, self.secrets) {
            (Source::Secrets, Some(s)) => s,
            _ => (self.stack_name, self.stack),
        }
    }
}
