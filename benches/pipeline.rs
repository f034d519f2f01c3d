//! The compiler's stages, separately and end to end, for the canonical stack and
//! generated stacks of 100, 1,000 and 10,000 services (`gen::stack`, tests/common/gen.rs), plus
//! `check` on a stack full of mistakes (`gen::broken(1000)`).
//!
//! - parse: `syntax::parse`
//! - check: `cellac::check` (parse, schema, merge, lower, every check)
//! - emit: `emit::emit` on already checked environments
//! - write: `write::write` of already emitted files into a temporary folder
//! - build+write: `cellac::build` then `write::write`, what `cellac build` does
//! - process: the release binary's `cellac build` on the canonical stack, over an
//!   up-to-date output folder and after a change
//!
//! Run: `cargo bench --bench pipeline`; figures in BENCHMARKS.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use cellac::{emit, syntax, write};
use common::{gen, scratch};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

const CANONICAL: &str = include_str!("../examples/cella/stack.kdl");

fn inputs() -> Vec<(String, String, usize)> {
    let mut v = vec![("canonical".to_string(), CANONICAL.to_string(), 2)];
    for n in [100, 1_000, 10_000] {
        v.push((n.to_string(), gen::stack(n), n));
    }
    v
}

fn tune(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    services: usize,
) {
    if services >= 10_000 {
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(5));
    } else {
        group.sample_size(30);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
    }
}

fn pipeline(c: &mut Criterion) {
    for (name, text, services) in inputs() {
        let mut group = c.benchmark_group("pipeline");
        tune(&mut group, services);
        group.throughput(Throughput::Bytes(text.len() as u64));

        group.bench_with_input(BenchmarkId::new("parse", &name), &text, |b, t| {
            b.iter(|| syntax::parse(black_box(t)).map(|n| n.len()).unwrap_or(0))
        });
        group.bench_with_input(BenchmarkId::new("check", &name), &text, |b, t| {
            b.iter(|| cellac::check(black_box(t)))
        });

        let checked = cellac::check(&text);
        assert!(checked.diagnostics.is_empty(), "{name} checks clean");
        group.bench_with_input(BenchmarkId::new("emit", &name), &checked.envs, |b, envs| {
            b.iter(|| emit::emit(black_box(envs), "stack.kdl"))
        });

        let files = emit::emit(&checked.envs, "stack.kdl");
        let dir = scratch(&format!("write-{name}"));
        group.bench_with_input(BenchmarkId::new("write", &name), &files, |b, files| {
            // Rewrites the same folder each time: with its manifest in place, every
            // iteration is a rebuild over a previous build's output.
            b.iter(|| write::write(&dir, black_box(files), "stack.kdl", true).unwrap())
        });

        let dir2 = scratch(&format!("build-{name}"));
        group.bench_with_input(BenchmarkId::new("build+write", &name), &text, |b, t| {
            b.iter(|| {
                let (_, files) = cellac::build(black_box(t), "stack.kdl");
                write::write(&dir2, &files.unwrap(), "stack.kdl", true).unwrap()
            })
        });
        group.finish();
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&dir2);
    }

    let broken = gen::broken(1000);
    let mut group = c.benchmark_group("pipeline");
    tune(&mut group, 10_000);
    group.throughput(Throughput::Bytes(broken.len() as u64));
    let count = cellac::check(&broken).diagnostics.len();
    eprintln!(
        "gen::broken(1000): {} bytes, {count} diagnostics",
        broken.len()
    );
    group.bench_with_input(BenchmarkId::new("check", "broken-1000"), &broken, |b, t| {
        b.iter(|| cellac::check(black_box(t)))
    });
    // The reports of a broken stack's diagnostics, as `cellac check` prints them:
    // every position and snippet found through a line index, every hidden value in
    // one pass (gen::broken(200): ~240 KB, ~9,600 diagnostics).
    let small = gen::broken(200);
    let checked = cellac::check(&small);
    let files = cellac::render::Files {
        stack_name: "stack.kdl",
        stack: &small,
        secrets: None,
    };
    group.bench_function(BenchmarkId::new("report human", "broken-200"), |b| {
        b.iter(|| cellac::render::human(&checked.diagnostics, &files, false))
    });
    group.bench_function(BenchmarkId::new("report json", "broken-200"), |b| {
        b.iter(|| cellac::render::json(&checked.diagnostics, &files))
    });
    group.finish();
}

/// The stack with its first `port` set to 9999: one value edited.
fn edited(text: &str) -> String {
    let first_port = text.find("port ").expect("the stack has a port");
    let end = first_port + text[first_port..].find('\n').unwrap();
    format!("{}port 9999{}", &text[..first_port], &text[end..])
}

/// The whole `cellac build` process (the release binary), on the canonical stack: over
/// an output folder already up to date, and after a change (the stack alternates
/// between two ports of its first service, so every run rewrites the files that
/// depend on it); and after a change of a 20-service stack (`gen::stack(20)`, the
/// size issue 24 compares with Pkl).
fn process(c: &mut Criterion) {
    let dir = scratch("process");
    let (a, b) = (dir.join("a.kdl"), dir.join("b.kdl"));
    std::fs::write(&a, CANONICAL).unwrap();
    std::fs::write(&b, edited(CANONICAL)).unwrap();
    let twenty = gen::stack(20);
    let (a20, b20) = (dir.join("a20.kdl"), dir.join("b20.kdl"));
    std::fs::write(&a20, &twenty).unwrap();
    std::fs::write(&b20, edited(&twenty)).unwrap();
    let out = dir.join("out");
    let out20 = dir.join("out20");
    let build_into = |stack: &std::path::Path, out: &std::path::Path| {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_cellac"))
            .arg("build")
            .arg(stack)
            .arg("-o")
            .arg(out)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    };
    let build = |stack: &std::path::Path| build_into(stack, &out);
    build(&a);
    build_into(&a20, &out20);
    let mut group = c.benchmark_group("process");
    group.sample_size(100);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("build canonical, up to date", |bench| {
        bench.iter(|| build(&a))
    });
    let mut flip = false;
    group.bench_function("build canonical, after a change", |bench| {
        bench.iter(|| {
            flip = !flip;
            build(if flip { &b } else { &a })
        })
    });
    group.bench_function("build 20 services, after a change", |bench| {
        bench.iter(|| {
            flip = !flip;
            build_into(if flip { &b20 } else { &a20 }, &out20)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, pipeline, process);
criterion_main!(benches);
