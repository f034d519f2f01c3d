//! Latency of the language server: from a `didChange` (a one-character edit) to the
//! `publishDiagnostics` it causes, in process over `Connection::memory()`, for the
//! canonical example and for a generated stack of 2,000 services.
//!
//! Before those, through pipes to the release binary (`cellac lsp`), printed rather
//! than sampled: a burst of 2,052 keystrokes sent in one write (publishes, and the
//! final diagnostics' delay after the last byte), and a 10 MB document (open,
//! keystroke, outline, memory at rest).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::lsp::Client;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const URI: &str = "file:///bench/stack.kdl";

/// A stack of `n` services, each with port, memory, scale, env and secret-env, a few
/// secrets and vars, and three environments with overrides.
fn generated(n: usize) -> String {
    let mut s =
        String::from("stack big region=fr-par\n\nstate bucket=big-terraform-state\nnetwork\n\n");
    for name in ["database_url", "api_key", "cookie_secret", "smtp_password"] {
        s.push_str(&format!("secret {name} min-length=8\n"));
    }
    s.push_str("var admin_email format=email default=\"ops@example.com\"\nvar log_level default=info\nvar region_label\n\n");
    for i in 0..n {
        s.push_str(&format!(
            "service svc-{i:04} {{\n    port {}\n    memory {}\n    scale min=0 max=5 concurrency=50\n    \
             env NODE_ENV=production LOG_LEVEL=(var)log_level INDEX={i}\n    \
             secret-env DATABASE_URL=database_url API_KEY=api_key\n    secret-env COOKIE_SECRET=cookie_secret SMTP_PASSWORD=smtp_password\n}}\n",
            4000 + i % 1000,
            [256, 512, 1024][i % 3]
        ));
    }
    for (env, scale) in [
        ("dev", "min=0 max=2"),
        ("staging", "min=1 max=3"),
        ("prod", "min=2 max=10"),
    ] {
        s.push_str(&format!(
            "\nenvironment {env} {{\n    var region_label \"{env}\"\n"
        ));
        for i in (0..n).step_by(10) {
            s.push_str(&format!(
                "    service svc-{i:04} {{ scale {scale}; env LOG_LEVEL=debug; }}\n"
            ));
        }
        s.push_str("}\n");
    }
    s
}

/// Replaces one character at (line, character), as version `version`, and waits for
/// the diagnostics; returns how many there are.
fn edit(c: &mut Client, version: i32, line: u32, character: u32, text: &str) -> usize {
    let range = json!({"start": {"line": line, "character": character},
                       "end": {"line": line, "character": character + 1}});
    let published = c.change(URI, version, json!([{"range": range, "text": text}]));
    count(&published)
}

fn count(published: &Value) -> usize {
    published["diagnostics"].as_array().map_or(0, Vec::len)
}

/// The line and column of the last digit of the first `port NNNN` in `text`.
fn port_digit(text: &str) -> (u32, u32) {
    let off = text.find("port ").unwrap() + "port 400".len();
    let line = text[..off].matches('\n').count() as u32;
    let col = (off - text[..off].rfind('\n').map_or(0, |i| i + 1)) as u32;
    (line, col)
}

fn bench(c: &mut Criterion, name: &str, text: &str) {
    let mut s = Client::start();
    let diags = count(&s.open(URI, text));
    let (line, col) = port_digit(text);
    eprintln!(
        "{name}: {} bytes, {} lines, {diags} diagnostics",
        text.len(),
        text.lines().count()
    );
    // Where the time goes: the front end alone, then the server's own index.
    let t = std::time::Instant::now();
    for _ in 0..5 {
        std::hint::black_box(cellac::check(text));
    }
    eprintln!("  cellac::check alone: {:?}", t.elapsed() / 5);
    let t = std::time::Instant::now();
    for _ in 0..5 {
        std::hint::black_box(cellac::lsp::analysis::Analysis::new(text));
    }
    eprintln!("  check + symbol index: {:?}", t.elapsed() / 5);
    let mut version = 1;
    c.bench_function(name, |b| {
        b.iter(|| {
            version += 1;
            let digit = if version % 2 == 0 { "1" } else { "0" };
            edit(&mut s, version, line, col, digit)
        })
    });
    s.shutdown();
}

/// `cellac lsp` through pipes: frames written, (arrival time, message) read.
struct Process {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    rx: mpsc::Receiver<(Instant, Value)>,
}

fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body.into_bytes());
    out
}

impl Process {
    fn start() -> Process {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellac"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(out);
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let len: usize = line["Content-Length: ".len()..].trim().parse().unwrap();
                r.read_line(&mut line).unwrap();
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
                if tx.send((Instant::now(), v)).is_err() {
                    return;
                }
            }
        });
        let mut p = Process {
            stdin: child.stdin.take().unwrap(),
            child,
            rx,
        };
        p.write(&frame(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"capabilities": {}}})));
        p.until(|m| m["id"] == 0);
        p.write(&frame(
            &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        ));
        p
    }

    fn write(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Messages until one matches; returns how many publishes came, and the match.
    fn until(&mut self, pred: impl Fn(&Value) -> bool) -> (usize, Instant, Value) {
        let mut publishes = 0;
        loop {
            let (t, m) = self.rx.recv_timeout(Duration::from_secs(600)).unwrap();
            if m["method"] == "textDocument/publishDiagnostics" {
                publishes += 1;
            }
            if pred(&m) {
                return (publishes, t, m);
            }
        }
    }

    fn rss_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap_or(0)
    }

    fn finish(mut self) {
        self.write(&frame(
            &json!({"jsonrpc": "2.0", "id": "s", "method": "shutdown"}),
        ));
        self.until(|m| m["id"] == "s");
        self.write(&frame(&json!({"jsonrpc": "2.0", "method": "exit"})));
        let _ = self.child.wait();
    }
}

fn did_open(text: &str) -> Vec<u8> {
    frame(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params":
        {"textDocument": {"uri": URI, "languageId": "kdl", "version": 1, "text": text}}}),
    )
}

fn keystroke(version: i32, line: u32, character: u32, text: &str, len: u32) -> Vec<u8> {
    frame(
        &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": version},
        "contentChanges": [{"range": {"start": {"line": line, "character": character},
                                      "end": {"line": line, "character": character + len}}, "text": text}]}}),
    )
}

fn is_version(m: &Value, v: i32) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == v
}

/// 2,052 keystrokes (typing then deleting a character) on the canonical stack, in one write.
fn burst() {
    let text = include_str!("../examples/cella/stack.kdl");
    let mut p = Process::start();
    p.write(&did_open(text));
    p.until(|m| is_version(m, 1));
    let (line, col) = port_digit(text);
    let mut bytes = Vec::new();
    let n = 2052;
    for i in 0..n {
        let v = i + 2;
        bytes.extend(if i % 2 == 0 {
            keystroke(v, line, col, "7", 0)
        } else {
            keystroke(v, line, col, "", 1)
        });
    }
    let first = Instant::now();
    p.write(&bytes);
    let last = Instant::now();
    let (publishes, at, _) = p.until(|m| is_version(m, n + 1));
    eprintln!(
        "burst: {n} keystrokes, {} KB in one write: {publishes} publishes; final diagnostics \
         {:?} after the first byte, {:?} after the last byte was written",
        bytes.len() / 1024,
        at - first,
        at.saturating_duration_since(last)
    );
    p.finish();
}

/// A generated stack of about 10 MB: open, a keystroke, the outline, memory.
fn big_document() {
    let text = generated(34_000);
    let mut p = Process::start();
    let t = Instant::now();
    p.write(&did_open(&text));
    let (_, at, m) = p.until(|m| is_version(m, 1));
    eprintln!(
        "10 MB document ({} bytes, {} diagnostics): didOpen→publishDiagnostics {:?}",
        text.len(),
        m["params"]["diagnostics"].as_array().map_or(0, Vec::len),
        at - t
    );
    let (line, col) = port_digit(&text);
    for (v, digit) in [(2, "1"), (3, "0")] {
        let t = Instant::now();
        p.write(&keystroke(v, line, col, digit, 1));
        let (_, at, _) = p.until(|m| is_version(m, v));
        eprintln!("  keystroke→publishDiagnostics {:?}", at - t);
    }
    let t = Instant::now();
    p.write(&frame(
        &json!({"jsonrpc": "2.0", "id": "sym", "method": "textDocument/documentSymbol",
        "params": {"textDocument": {"uri": URI}}}),
    ));
    let (_, at, m) = p.until(|m| m["id"] == "sym");
    eprintln!(
        "  documentSymbol {:?}, {} bytes of JSON",
        at - t,
        m["result"].to_string().len()
    );
    eprintln!(
        "  memory: {} MB resident at rest, {} MB peak",
        p.rss_kib("VmRSS:") / 1024,
        p.rss_kib("VmHWM:") / 1024
    );
    p.finish();
}

fn lsp(c: &mut Criterion) {
    burst();
    big_document();
    bench(
        c,
        "didChange→publishDiagnostics cella",
        include_str!("../examples/cella/stack.kdl"),
    );
    // How the front end scales with the number of services.
    for n in [250, 500, 1000, 2000] {
        let text = generated(n);
        let t = std::time::Instant::now();
        std::hint::black_box(cellac::check(&text));
        eprintln!("cellac::check, {n} services: {:?}", t.elapsed());
    }
    let big = generated(2000);
    // Fewer, longer samples for the large stack.
    let mut slow = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    bench(
        &mut slow,
        "didChange→publishDiagnostics 2000 services",
        &big,
    );
}

criterion_group!(benches, lsp);
criterion_main!(benches);
