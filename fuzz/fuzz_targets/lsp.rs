//! The language server fed a session derived from arbitrary bytes, in process over
//! `Connection::memory()`.
//!
//! Input layout: the first byte picks the position encoding offered at `initialize`
//! (odd: UTF-8, even: UTF-16). The rest is split at 0xFF bytes into messages. A message
//! that parses as a JSON object with a string `method` is sent as a request (when it has
//! an `id`) or a notification; one with an `id` and a `result` or `error` as a response.
//! Anything else is an editor action: its first byte picks the action (open, change in
//! full, change a range, open/change the secrets file, a request at a position, close,
//! save, open a second stack) and the rest is the text or the positions. After each
//! message the client waits for an answer to an unknown request, so that the server
//! drains its queue and publishes diagnostics between messages, as with a real editor.
//!
//! The server must not panic (libfuzzer aborts on any panic, even one the server
//! catches), must answer every request, must answer `shutdown` and then stop cleanly on
//! `exit`, and every published range must be ordered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::time::Duration;

const STACK: &str = "file:///fuzz/project/stack.kdl";
const SECRETS: &str = "file:///fuzz/project/secrets.auto.tfvars";
const OTHER: &str = "file:///fuzz/other/stack.kdl";
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    conn: Connection,
    next: i64,
    version: i32,
}

impl Client {
    fn send(&self, m: impl Into<Message>) {
        self.conn
            .sender
            .send(m.into())
            .expect("the server is running");
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(Notification::new(method.into(), params));
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        self.next += 1;
        let id = RequestId::from(format!("fuzz-{}", self.next));
        self.send(Request::new(id.clone(), method.into(), params));
        self.wait(&id)
    }

    /// Reads messages until the response to `id`, checking the notifications on the way.
    fn wait(&self, id: &RequestId) -> Response {
        loop {
            match self.conn.receiver.recv_timeout(WAIT) {
                Ok(Message::Response(r)) if r.id == *id => return r,
                Ok(Message::Response(_)) => {}
                Ok(Message::Notification(n)) => check_notification(&n),
                Ok(Message::Request(r)) => panic!("the server asked {r:?}"),
                Err(e) => panic!("no answer to {id}: {e}"),
            }
        }
    }

    fn version(&mut self) -> i32 {
        self.version += 1;
        self.version
    }
}

fn check_notification(n: &Notification) {
    if n.method != "textDocument/publishDiagnostics" {
        return;
    }
    let diags = n.params["diagnostics"]
        .as_array()
        .expect("diagnostics is a list");
    for d in diags {
        let r = &d["range"];
        let pos = |p: &Value| {
            (
                p["line"].as_u64().expect("a line"),
                p["character"].as_u64().expect("a character"),
            )
        };
        assert!(
            pos(&r["start"]) <= pos(&r["end"]),
            "a published range ends before it starts: {d}"
        );
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn byte(bytes: &[u8], i: usize) -> u32 {
    bytes.get(i).copied().unwrap_or(0) as u32
}

fn position(bytes: &[u8], i: usize) -> Value {
    json!({"line": byte(bytes, i), "character": byte(bytes, i + 1)})
}

fn range(bytes: &[u8], i: usize) -> Value {
    json!({"start": position(bytes, i), "end": position(bytes, i + 2)})
}

fn open(c: &mut Client, uri: &str, text: String) {
    let version = c.version();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": version, "text": text}}),
    );
}

fn change(c: &mut Client, uri: &str, changes: Value) {
    let version = c.version();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

/// An editor action from a message that is not JSON-RPC.
fn action(c: &mut Client, op: u8, rest: &[u8]) {
    match op % 9 {
        0 => open(c, STACK, text(rest)),
        1 => change(c, STACK, json!([{ "text": text(rest) }])),
        2 => {
            let edit = json!({"range": range(rest, 0), "text": text(rest.get(4..).unwrap_or(&[]))});
            change(c, STACK, json!([edit]))
        }
        3 => open(c, SECRETS, text(rest)),
        4 => change(c, SECRETS, json!([{ "text": text(rest) }])),
        5 => {
            let uri = if byte(rest, 0) & 0x80 != 0 {
                SECRETS
            } else {
                STACK
            };
            let doc = json!({ "uri": uri });
            let at = position(rest, 1);
            let (method, params) = match byte(rest, 0) % 7 {
                0 => (
                    "textDocument/hover",
                    json!({"textDocument": doc, "position": at}),
                ),
                1 => (
                    "textDocument/completion",
                    json!({"textDocument": doc, "position": at}),
                ),
                2 => (
                    "textDocument/definition",
                    json!({"textDocument": doc, "position": at}),
                ),
                3 => (
                    "textDocument/references",
                    json!({"textDocument": doc, "position": at, "context": {"includeDeclaration": byte(rest, 3) & 1 == 1}}),
                ),
                4 => (
                    "textDocument/documentSymbol",
                    json!({ "textDocument": doc }),
                ),
                5 => (
                    "textDocument/formatting",
                    json!({"textDocument": doc, "options": {"tabSize": byte(rest, 1) % 9, "insertSpaces": byte(rest, 2) & 1 == 1}}),
                ),
                _ => (
                    "textDocument/codeAction",
                    json!({"textDocument": doc, "range": range(rest, 1), "context": {"diagnostics": []}}),
                ),
            };
            let r = c.request(method, params);
            if let Some(e) = &r.error {
                // -32603 is what the server answers when a handler panicked.
                assert_ne!(e.code, -32603, "{method}: {}", e.message);
            }
        }
        6 => {
            let uri = if byte(rest, 0) & 1 == 1 {
                SECRETS
            } else {
                STACK
            };
            c.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            );
        }
        7 => {
            let params = if rest.is_empty() {
                json!({"textDocument": {"uri": STACK}})
            } else {
                json!({"textDocument": {"uri": STACK}, "text": text(rest)})
            };
            c.notify("textDocument/didSave", params);
        }
        _ => open(c, OTHER, text(rest)),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let (server, conn) = Connection::memory();
    let handle = std::thread::spawn(move || cellac::lsp::server::serve(server));
    let mut c = Client {
        conn,
        next: 0,
        version: 0,
    };
    let encodings = if first & 1 == 1 {
        json!(["utf-8", "utf-16"])
    } else {
        json!(["utf-16"])
    };
    let init = c.request(
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": encodings}}}),
    );
    assert!(init.error.is_none(), "{init:?}");
    c.notify("initialized", json!({}));

    let mut shut_down = false;
    for msg in rest.split(|b| *b == 0xFF) {
        let Some((&op, body)) = msg.split_first() else {
            continue;
        };
        match serde_json::from_slice::<Value>(msg) {
            Ok(Value::Object(o)) => {
                let method = o.get("method").and_then(Value::as_str).map(str::to_owned);
                let id = match o.get("id") {
                    Some(Value::Number(n)) => n.as_i64().map(|n| RequestId::from(n as i32)),
                    Some(Value::String(s)) => Some(RequestId::from(s.clone())),
                    _ => None,
                };
                let params = o.get("params").cloned().unwrap_or(Value::Null);
                match (method, id) {
                    // The harness ends the session itself.
                    (Some(m), _) if m == "exit" => continue,
                    (Some(m), Some(id)) => {
                        shut_down |= m == "shutdown";
                        c.send(Request::new(id, m, params));
                    }
                    (Some(m), None) => c.notify(&m, params),
                    (None, Some(id)) if o.contains_key("result") || o.contains_key("error") => {
                        c.send(Response::new_ok(id, o.get("result").cloned()));
                    }
                    _ => continue,
                }
            }
            Ok(_) => continue,
            Err(_) => action(&mut c, op, body),
        }
        // Every request so far is answered, and the queue drained before the next message.
        let r = c.request("$/fuzz/sync", Value::Null);
        assert!(r.error.is_some(), "an unknown method is an error");
    }

    let r = c.request("shutdown", Value::Null);
    if !shut_down {
        assert!(r.error.is_none(), "shutdown failed: {r:?}");
    }
    c.notify("exit", Value::Null);
    let result = handle.join().expect("the server thread does not panic");
    assert!(result.is_ok(), "the server stops cleanly: {result:?}");
});
