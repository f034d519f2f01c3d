//! The integration tests, as one test binary: one link instead of one per file (a
//! test binary links the whole compiler; thirty of them filled a CI machine's disk).
//! Each file of `tests/` is a module here; run one with `cargo test --test integration
//! MODULE::` (for instance `cargo test --test integration docs::`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

mod common;

mod adopt;
mod build;
mod build_env;
mod cache;
mod checks;
mod ci;
mod cli;
mod completions;
mod conformance;
mod cost;
mod coverage;
mod diff;
mod docs;
mod emit_tf;
mod examples;
mod fmt;
mod fuzz_regressions;
mod graph;
mod help;
mod init;
mod integrate;
mod jobs;
mod kdl_suite;
mod layers;
mod lsp;
mod lsp_transport;
mod numbers;
mod queues;
mod robust;
mod sarif;
mod scale;
mod scripts;
mod secrets_hidden;
mod write;
