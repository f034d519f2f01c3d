//! Latency of the language server: from a `didChange` (a one-character edit) to the
//! `publishDiagnostics` it causes, in process over `Connection::memory()`, for the
//! canonical example and for a generated stack of 2,000 services.

use criterion::{criterion_group, criterion_main, Criterion};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::time::Duration;

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

struct Session {
    conn: Connection,
    next: i32,
    version: i32,
}

impl Session {
    fn start() -> Session {
        let (server, client) = Connection::memory();
        std::thread::spawn(move || cellac::lsp::serve(server));
        let mut s = Session {
            conn: client,
            next: 0,
            version: 1,
        };
        s.request("initialize", json!({"capabilities": {}}));
        s.notify("initialized", json!({}));
        s
    }

    fn request(&mut self, method: &str, params: Value) {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            if let Message::Response(r) = self.conn.receiver.recv().unwrap() {
                if r.id == id {
                    return;
                }
            }
        }
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// Waits for the diagnostics of URI; returns how many there are.
    fn published(&self) -> usize {
        loop {
            if let Message::Notification(n) = self.conn.receiver.recv().unwrap() {
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == URI {
                    return n.params["diagnostics"].as_array().map_or(0, Vec::len);
                }
            }
        }
    }

    fn open(&mut self, text: &str) -> usize {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "kdl", "version": 1, "text": text}}),
        );
        self.published()
    }

    /// Replaces one character at (line, character) and waits for the diagnostics.
    fn edit(&mut self, line: u32, character: u32, text: &str) -> usize {
        self.version += 1;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": URI, "version": self.version},
                "contentChanges": [{"range": {"start": {"line": line, "character": character},
                                              "end": {"line": line, "character": character + 1}}, "text": text}],
            }),
        );
        self.published()
    }
}

/// The line and column of the last digit of the first `port NNNN` in `text`.
fn port_digit(text: &str) -> (u32, u32) {
    let off = text.find("port ").unwrap() + "port 400".len();
    let line = text[..off].matches('\n').count() as u32;
    let col = (off - text[..off].rfind('\n').map_or(0, |i| i + 1)) as u32;
    (line, col)
}

fn bench(c: &mut Criterion, name: &str, text: &str) {
    let mut s = Session::start();
    let diags = s.open(text);
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
    let mut flip = false;
    c.bench_function(name, |b| {
        b.iter(|| {
            flip = !flip;
            s.edit(line, col, if flip { "1" } else { "0" })
        })
    });
    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
}

fn lsp(c: &mut Criterion) {
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
