//! `cellac lsp` as a process, through real pipes, under hostile clients (issue 15):
//! after each bad message the server still answers a hover, and it exits with the
//! documented code (0 after shutdown then exit, 1 otherwise).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]

use crate::common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const URI: &str = "file:///home/dev/hostile/stack.kdl";
const STACK: &str = "stack shop region=fr-par\nservice api {\n    port 8080\n    memory 512\n}\n";
const WAIT: Duration = Duration::from_secs(30);

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    stderr: mpsc::Receiver<String>,
    next: i64,
    /// Messages read while waiting for something else.
    seen: Vec<Value>,
}

/// Reads the server's frames (it writes well-formed ones) into a channel.
fn read_frames(out: impl Read + Send + 'static, tx: mpsc::Sender<Value>) {
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                assert!(line.ends_with(|c: char| c.is_ascii_digit()), "{line:?}");
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    len = Some(v.parse::<usize>().unwrap());
                }
            }
            let mut body = vec![0; len.expect("Content-Length")];
            if r.read_exact(&mut body).is_err() {
                return;
            }
            let v: Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
                // Deeper than serde_json's recursion limit (a deep outline): the id only.
                let text = String::from_utf8(body.clone()).expect("UTF-8");
                assert!(e.to_string().contains("recursion limit"), "{e}: {text}");
                let id = text
                    .split("\"id\":")
                    .nth(1)
                    .and_then(|r| r.split(',').next());
                json!({"id": serde_json::from_str::<Value>(id.unwrap()).unwrap(), "result": "deep"})
            });
            if tx.send(v).is_err() {
                return;
            }
        }
    });
}

impl Server {
    fn spawn() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellac"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        read_frames(child.stdout.take().unwrap(), tx);
        let (etx, stderr) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = BufReader::new(err).read_to_string(&mut s);
            let _ = etx.send(s);
        });
        Server {
            stdin: child.stdin.take(),
            child,
            rx,
            stderr,
            next: 0,
            seen: Vec::new(),
        }
    }

    /// Started, initialized, with `STACK` open and its diagnostics received.
    fn start() -> Server {
        let mut s = Server::spawn();
        let r = s.request("initialize", json!({"capabilities": {}}));
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        s.notify("initialized", json!({}));
        s.open(URI, STACK);
        s
    }

    fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn raw(&mut self, bytes: &[u8]) {
        let w = self.stdin.as_mut().expect("stdin open");
        w.write_all(bytes).unwrap();
        w.flush().unwrap();
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(WAIT)
            .unwrap_or_else(|e| panic!("no message from the server ({e}); seen {:?}", self.seen))
    }

    /// The next message matching `pred`; the others are kept in `seen`.
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&pred) {
            return self.seen.remove(i);
        }
        loop {
            let m = self.recv();
            if pred(&m) {
                return m;
            }
            self.seen.push(m);
        }
    }

    fn response(&mut self, id: &Value) -> Value {
        let id = id.clone();
        self.wait(|m| m["id"] == id && m.get("method").is_none())
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = json!(self.next);
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&id)
    }

    fn diagnostics(&mut self, uri: &str) -> Value {
        self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
            ["params"]
            .clone()
    }

    /// Error replies with id null received so far (and taken out of `seen`).
    fn null_errors(&mut self) -> Vec<i64> {
        // Anything already written is read first.
        while let Ok(m) = self.rx.recv_timeout(Duration::from_millis(50)) {
            self.seen.push(m);
        }
        let (errs, rest): (Vec<Value>, Vec<Value>) = std::mem::take(&mut self.seen)
            .into_iter()
            .partition(|m| m["id"].is_null() && m.get("error").is_some());
        self.seen = rest;
        errs.iter()
            .map(|e| e["error"]["code"].as_i64().unwrap())
            .collect()
    }

    /// A hover on `stack` answers with its documentation.
    fn assert_hover(&mut self, after: &str) {
        let r = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 2}}),
        );
        assert!(
            r["result"]["contents"]["value"].is_string(),
            "no hover after {after}: {r}"
        );
    }

    /// Shuts down cleanly (or just sends `exit` when `shutdown` is false): the exit code.
    fn exit(mut self, shutdown: bool) -> (i32, String) {
        if shutdown {
            let r = self.request("shutdown", Value::Null);
            assert!(r.get("error").is_none(), "{r}");
        }
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    fn wait_exit(mut self) -> (i32, String) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let err = self.stderr.recv_timeout(WAIT).unwrap_or_default();
                return (status.code().unwrap_or(-1), err);
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

const HOVER_BODY: &str = r#"{"jsonrpc":"2.0","id":"late","method":"textDocument/hover","params":{"textDocument":{"uri":"file:///home/dev/hostile/stack.kdl"},"position":{"line":0,"character":2}}}"#;

#[test]
fn transport_survives_bad_messages() {
    let mut s = Server::start();
    // (what is sent, the error codes replied with id null)
    let cases: Vec<(String, &[i64])> = vec![
        (frame("{}"), &[-32600]),
        (frame("42"), &[-32600]),
        (frame("null"), &[-32600]),
        (frame("[]"), &[-32600]),
        (
            frame(r#"[{"jsonrpc":"2.0","method":"initialized"}]"#),
            &[-32600],
        ),
        (frame("this is not json"), &[-32700]),
        (frame(r#"{"jsonrpc":"2.0","id":1,"method":"x""#), &[-32700]),
        (frame(&"[".repeat(100_000)), &[-32700]),
        ("Content-Type: application/json\r\n\r\n{}".into(), &[-32700]),
        ("Content-Length: -5\r\n\r\n{}".into(), &[-32700]),
        ("Content-Length: abc\r\n\r\n{}".into(), &[-32700]),
        ("Content-Length 2\r\n\r\n{}".into(), &[-32700]),
        (
            "Content-Length: 18446744073709551615\r\n\r\n{}".into(),
            &[-32700],
        ),
        // Shorter than the body: the start is not JSON, the rest is skipped.
        (
            "Content-Length: 5\r\n\r\n{\"jsonrpc\":\"2.0\"}".into(),
            &[-32700],
        ),
        // Longer than the body: the next message is found (no reply needed).
        ("Content-Length: 100000\r\n\r\n{}".into(), &[-32600]),
        // LF-only headers, a byte order mark, no space after the colon: accepted.
        ("\u{feff}Content-Length:2\n\n{}".into(), &[-32600]),
        // Junk between messages: logged, skipped.
        ("garbage\r\n".into(), &[]),
    ];
    for (input, codes) in &cases {
        s.raw(input.as_bytes());
        s.assert_hover(input);
        assert_eq!(s.null_errors(), *codes, "replies to {input:?}");
    }
    // Invalid UTF-8 in a body: read as U+FFFD.
    let body = HOVER_BODY.replace(r#""id":"late""#, "\"id\":\"utf8\",\"x\":\"\u{1}\"");
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend(body.bytes().map(|b| if b == 1 { 0xFF } else { b }));
    s.raw(&bytes);
    let r = s.response(&json!("utf8"));
    assert!(r["result"]["contents"].is_object(), "{r}");
    // A length longer than the body, followed by a request: the request is answered.
    s.raw(
        format!(
            "Content-Length: 1000\r\n\r\n{{\"jsonrpc\":\"2.0\"{}",
            frame(HOVER_BODY)
        )
        .as_bytes(),
    );
    let r = s.response(&json!("late"));
    assert!(r["result"]["contents"].is_object(), "{r}");
    let (code, stderr) = s.exit(true);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("Content-Length"), "{stderr}");
}

#[test]
fn transport_exit_codes() {
    // Exit without shutdown: 1. The input ending before exit: 1.
    let s = Server::start();
    assert_eq!(s.exit(false).0, 1);
    let mut s = Server::start();
    s.stdin.take();
    let (code, stderr) = s.wait_exit();
    assert_eq!(code, 1);
    assert!(stderr.contains("closed the connection"), "{stderr}");
}

/// Peak resident memory of a process, in KiB (Linux).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn transport_bounded_reads() {
    let mut s = Server::start();
    for len in [
        "30000000000",
        "2000000000",
        "18446744073709551615",
        "67108865",
    ] {
        s.raw(format!("Content-Length: {len}\r\n\r\n{{}}").as_bytes());
        s.assert_hover(len);
        assert_eq!(s.null_errors(), [-32700], "{len}");
    }
    // A body just over the limit, really sent: skipped as it streams.
    let big = 64 * 1024 * 1024 + 1;
    s.raw(format!("Content-Length: {big}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        s.raw(&chunk);
    }
    s.raw(b" ");
    s.assert_hover("a body of 64 MiB + 1");
    assert_eq!(s.null_errors(), [-32700]);
    if let Some(kib) = peak_kib(s.child.id()) {
        assert!(kib < 64 * 1024, "peak RSS {kib} KiB");
    }
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_lone_surrogates() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/emoji.kdl";
    // `\ud83d` alone (JavaScript strings can hold one), in a didOpen and a didChange.
    let open = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"kdl","version":1,"text":"stack a\n// \ud83d x \udc00\\ud83d\n"}}}}}}"#
    );
    s.raw(frame(&open).as_bytes());
    let d = s.diagnostics(uri);
    assert!(d["diagnostics"].is_array(), "{d}");
    let change = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":2}},"contentChanges":[{{"text":"stack \ud83d\ude00\ud83d\n"}}]}}}}"#
    );
    s.raw(frame(&change).as_bytes());
    let d = s.diagnostics(uri);
    assert_eq!(d["version"], 2, "{d}");
    s.assert_hover("lone surrogates");
    assert_eq!(s.null_errors(), Vec::<i64>::new());
    let r = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
    );
    assert!(r["result"]["contents"].is_object(), "{r}");
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_every_request_answered() {
    let mut s = Server::start();
    for id in [
        "2147483648",
        "9007199254740991",
        "1.5",
        "-2147483649",
        "1e3",
        "true",
        "[1]",
    ] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"{URI}"}},"position":{{"line":0,"character":2}}}}}}"#
        );
        s.raw(frame(&body).as_bytes());
        let echoed: Value = serde_json::from_str(id).unwrap();
        let echoed = if echoed.is_number() {
            echoed
        } else {
            Value::Null
        };
        let r = s.wait(|m| m.get("error").is_some());
        assert_eq!(r["error"]["code"], -32600, "{id}: {r}");
        assert_eq!(r["id"], echoed, "{id}: {r}");
        s.assert_hover(id);
    }
    // A numeric method, with and without an id.
    s.raw(frame(r#"{"jsonrpc":"2.0","id":77,"method":42}"#).as_bytes());
    let r = s.response(&json!(77));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    s.raw(frame(r#"{"jsonrpc":"2.0","method":42}"#).as_bytes());
    s.assert_hover("a numeric method");
    assert_eq!(s.null_errors(), [-32600]);
    // Ids that are in range: answered normally.
    for id in [json!(-2147483648), json!(2147483647), json!(""), json!("é")] {
        s.send(&json!({"jsonrpc":"2.0","id":id,"method":"textDocument/hover","params":{"textDocument":{"uri":URI},"position":{"line":0,"character":2}}}));
        let r = s.response(&id);
        assert!(r["result"]["contents"].is_object(), "{r}");
    }
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_replies_not_lost_at_exit() {
    // Requests, then stdin closed at once: every reply is written before the process exits.
    for i in 0..20 {
        let mut s = Server::spawn();
        let mut bytes = String::new();
        bytes += &frame(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        );
        bytes += &frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
        bytes += &frame(&json!({"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":URI,"languageId":"kdl","version":1,"text":STACK}}}).to_string());
        bytes += &frame(&HOVER_BODY.replace(r#""late""#, "2"));
        bytes += &frame(r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#);
        s.raw(bytes.as_bytes());
        s.stdin.take();
        let r = s.response(&json!(2));
        assert!(r["result"]["contents"].is_object(), "run {i}: {r}");
        let r = s.response(&json!(3));
        assert!(r.get("error").is_none(), "run {i}: {r}");
        assert_eq!(s.wait_exit().0, 1, "run {i}: the input ended before exit");
    }
}

#[cfg(unix)]
#[test]
fn transport_special_secrets_files() {
    let dir = common::scratch("special");
    let stack = "stack shop\nsecret api_key\nservice api { secret-env KEY=api_key; }\n";
    let secrets = dir.join("secrets.auto.tfvars");
    let uri = format!("file://{}/stack.kdl", dir.display());
    let suri = format!("file://{}/secrets.auto.tfvars", dir.display());
    let mut s = Server::start();
    let mut version = 1;
    let mut recheck = |s: &mut Server, what: &str| {
        version += 1;
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": stack}]}),
        );
        let d = s.diagnostics(&uri);
        assert_eq!(d["version"], version, "{what}: {d}");
        s.assert_hover(what);
        d
    };
    s.open(&uri, stack);
    // A named pipe nobody writes to: not opened (it would block forever).
    let ok = Command::new("mkfifo").arg(&secrets).status().unwrap();
    assert!(ok.success());
    recheck(&mut s, "a FIFO");
    std::fs::remove_file(&secrets).unwrap();
    // A symbolic link to /dev/zero: not read (gigabytes of zeros).
    std::os::unix::fs::symlink("/dev/zero", &secrets).unwrap();
    recheck(&mut s, "/dev/zero");
    std::fs::remove_file(&secrets).unwrap();
    // Over 1 MiB: not read.
    std::fs::write(&secrets, "x".repeat(2 << 20)).unwrap();
    recheck(&mut s, "a large file");
    // A regular file: read, and read again when it changes.
    std::fs::write(&secrets, "api_key = \"short\"\n").unwrap();
    recheck(&mut s, "a regular file");
    let d = s.diagnostics(&suri);
    assert_eq!(d["diagnostics"], json!([]), "{d}");
    std::fs::write(&secrets, "api_key = \"short\"\nstray = \"x\"\n").unwrap();
    recheck(&mut s, "a changed file");
    let d = s.diagnostics(&suri);
    assert_eq!(d["diagnostics"].as_array().unwrap().len(), 1, "{d}");
    let (code, stderr) = s.exit(true);
    assert_eq!(code, 0);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn change(s: &mut Server, uri: &str, version: Value, changes: Value) {
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn codes(d: &Value) -> Vec<String> {
    d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn transport_never_silently_out_of_sync() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/sync.kdl";
    s.open(uri, "stack a\nservice api { port 8080\n    memory 512\n}\n");
    let r = |l: i64, c: i64, l2: i64, c2: i64| json!({"start": {"line": l, "character": c}, "end": {"line": l2, "character": c2}});
    // A negative line, a character of 2^32, a version of 2^31: clamped, not dropped.
    change(
        &mut s,
        uri,
        json!(2),
        json!([{"range": r(-1, 0, 0, 0), "text": "// top\n"}]),
    );
    let d = s.diagnostics(uri);
    assert_eq!(d["version"], 2);
    assert_eq!(codes(&d), Vec::<String>::new());
    change(
        &mut s,
        uri,
        json!(2147483648i64),
        json!([{"range": r(3, 11, 3, 4294967296), "text": "7"}]),
    );
    let d = s.diagnostics(uri);
    assert_eq!(d["version"], 2147483647);
    assert_eq!(codes(&d), ["cellac::memory::tier"], "{d}");
    change(
        &mut s,
        uri,
        json!(4),
        json!([{"range": r(3, 0, 3, 1.5e10 as i64), "text": "    memory 512"}]),
    );
    assert_eq!(codes(&s.diagnostics(uri)), Vec::<String>::new());
    s.assert_hover("clamped edits");
    // An edit that cannot be read: the user is told, the document is stale.
    change(
        &mut s,
        uri,
        json!(5),
        json!([{"range": "line 3", "text": "x"}]),
    );
    let m = s.wait(|m| m["method"] == "window/showMessage");
    assert!(
        m["params"]["message"].as_str().unwrap().contains("reopen"),
        "{m}"
    );
    assert_eq!(s.diagnostics(uri)["diagnostics"], json!([]));
    let hover = json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}});
    assert_eq!(
        s.request("textDocument/hover", hover.clone())["result"],
        Value::Null
    );
    // Incremental edits do not apply to the stale text; the whole text brings it back.
    change(
        &mut s,
        uri,
        json!(6),
        json!([{"range": r(0, 0, 0, 0), "text": "x"}]),
    );
    change(
        &mut s,
        uri,
        json!(7),
        json!([{"text": "stack a\nservice api { port 8080; memory 7; }\n"}]),
    );
    let d = s.diagnostics(uri);
    assert_eq!(d["version"], 7);
    assert_eq!(codes(&d), ["cellac::memory::tier"], "{d}");
    assert!(s.request("textDocument/hover", hover)["result"].is_object());
    // A didOpen that cannot be read: told too.
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "version": 1}}),
    );
    let m = s.wait(|m| m["method"] == "window/showMessage");
    assert!(
        m["params"]["message"].as_str().unwrap().contains("didOpen"),
        "{m}"
    );
    s.assert_hover("a bad didOpen");
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_uris_and_languages() {
    let mut s = Server::start();
    for uri in [
        "file:///tmp/my stack.kdl",
        "file:///tmp/日本/stack.kdl",
        "file:///tmp/a\"b.kdl",
    ] {
        let d = s.open(uri, "stack a\nservice api { port 8080; memory 7; }\n");
        assert_eq!(codes(&d), ["cellac::memory::tier"], "{uri}: {d}");
        let d = &d["diagnostics"][0];
        assert_eq!(
            d["relatedInformation"][0]["location"]["uri"]
                .as_str()
                .unwrap_or(uri),
            uri
        );
        let r = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 2}}),
        );
        assert!(r["result"]["contents"].is_object(), "{uri}: {r}");
        let r = s.request(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 9}}),
        );
        assert!(r.get("error").is_none(), "{r}");
    }
    // Not KDL: not checked (no diagnostics flood), nothing answered.
    for (uri, lang) in [
        ("file:///tmp/README.md", "markdown"),
        ("file:///tmp/Cargo.toml", "toml"),
    ] {
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": lang, "version": 1, "text": "# Title\n[package]\n"}}),
        );
        let r = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(r["result"], Value::Null);
    }
    s.assert_hover("documents in other languages");
    assert!(
        !s.seen.iter().any(|m| m["params"]["uri"]
            .as_str()
            .is_some_and(|u| !u.ends_with(".kdl"))),
        "{:?}",
        s.seen
    );
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_line_breaks_and_surrogates() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/cr.kdl";
    // Lone `\r` line breaks: the diagnostic is on line 2.
    let d = s.open(
        uri,
        "stack a\r// note\rservice api { port 8080; memory 7; }\r",
    );
    assert_eq!(codes(&d), ["cellac::memory::tier"]);
    assert_eq!(d["diagnostics"][0]["range"]["start"]["line"], 2, "{d}");
    // Completion sees the lines too: inside the service block after a `//` comment line.
    s.open(uri, "stack a\r// note\rservice api {\r    \r}\r");
    let r = s.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 4}}),
    );
    let labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"port"), "{labels:?}");
    // Deleting either half of an emoji's surrogate pair deletes the emoji.
    let text = "stack a\nservice 😀x { port 8080; }\n";
    for half in [(8, 9), (9, 10)] {
        let d = s.open(uri, text);
        assert_eq!(codes(&d), ["cellac::name::invalid"], "{d}");
        let range = json!({"start": {"line": 1, "character": half.0}, "end": {"line": 1, "character": half.1}});
        change(&mut s, uri, json!(2), json!([{"range": range, "text": ""}]));
        let d = s.diagnostics(uri);
        assert_eq!(codes(&d), Vec::<String>::new(), "deleting {half:?}: {d}");
    }
    s.assert_hover("line breaks");
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_deep_shapes() {
    let mut s = Server::start();
    let nested = |n: usize| format!("stack x\n{}{}", "a {".repeat(n), "}".repeat(n));
    let shapes = [
        format!("stack x\n{}", "/*".repeat(3603)),
        "/- ".repeat(2048),
        "}".repeat(14924),
        "a=\n".repeat(20_000),
        nested(1274),
        nested(199),
    ];
    for (i, text) in shapes.iter().enumerate() {
        let uri = format!("file:///home/dev/hostile/deep{i}.kdl");
        let d = s.open(&uri, text);
        assert!(d["diagnostics"].is_array(), "shape {i}");
        for (method, extra) in [
            (
                "textDocument/formatting",
                json!({"options": {"tabSize": 2, "insertSpaces": true}}),
            ),
            ("textDocument/documentSymbol", json!({})),
            (
                "textDocument/hover",
                json!({"position": {"line": 1, "character": 0}}),
            ),
        ] {
            let mut params = extra;
            params["textDocument"] = json!({"uri": uri});
            let r = s.request(method, params);
            assert!(r.get("error").is_none(), "shape {i} {method}: {r}");
        }
        s.assert_hover(&format!("deep shape {i}"));
    }
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_formatting_keeps_everything() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/format.kdl";
    let format = |s: &mut Server, text: &str| {
        s.open(uri, text);
        let r = s.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        assert!(r.get("error").is_none(), "{r}");
        r["result"].clone()
    };
    // Slashdash comments are not deleted: such a document is left as it is.
    for text in [
        "stack x\nservice api {\n  memory /-1 512\n}\n",
        "stack x\nservice api {\n  memory 512\n  /-scale min=1 {\n    x 1\n  }\n}\n",
        "stack x\n/-service api {\n  memory 512\n}\n",
    ] {
        let r = format(&mut s, text);
        let kept = r.is_null()
            || r.as_array().unwrap().iter().all(|e| {
                e["newText"].as_str().unwrap().matches("/-").count() == text.matches("/-").count()
            });
        assert!(kept, "{text:?}: {r}");
    }
    // CRLF files come back CRLF.
    let r = format(
        &mut s,
        "stack x\r\nservice api {\r\n        memory 512\r\n}\r\n",
    );
    let text = r[0]["newText"].as_str().unwrap();
    assert_eq!(text, "stack x\r\nservice api {\r\n    memory 512\r\n}\r\n");
    s.assert_hover("formatting");
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_big_documents_bounded_replies() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/big.kdl";
    // A huge value is not echoed whole in a diagnostic.
    let huge = "x".repeat(1 << 20);
    let d = s.open(uri, &format!("stack a region={huge}\n"));
    let raw = d.to_string();
    assert!(
        !d["diagnostics"].as_array().unwrap().is_empty(),
        "{}",
        &raw[..200]
    );
    assert!(raw.len() < 20_000, "{} bytes of diagnostics", raw.len());
    // The outline is capped.
    let text: String = std::iter::once("stack a\n".to_string())
        .chain((0..30_000).map(|i| format!("secret s{i}\n")))
        .collect();
    s.open(uri, &text);
    let r = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let count = |v: &Value| -> usize {
        fn walk(v: &Value) -> usize {
            v.as_array()
                .map_or(0, |a| a.iter().map(|s| 1 + walk(&s["children"])).sum())
        }
        walk(v)
    };
    let n = count(&r["result"]);
    assert!((1..=20_000).contains(&n), "{n} symbols");
    s.assert_hover("big documents");
    assert_eq!(s.exit(true).0, 0);
}

#[test]
fn transport_formatting_comment_indentation() {
    let mut s = Server::start();
    let uri = "file:///home/dev/hostile/comments.kdl";
    for (text, want) in [
        (
            "stack x\nservice api {\n  port 1\n  // before brace\n}\n",
            "stack x\nservice api {\n    port 1\n    // before brace\n}\n",
        ),
        ("stack x\n// end", "stack x\n// end\n"),
    ] {
        s.open(uri, text);
        let r = s.request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        assert_eq!(r["result"][0]["newText"], want, "{text:?}: {r}");
    }
    s.assert_hover("formatting comments");
    assert_eq!(s.exit(true).0, 0);
}
