//! A language-server client in process, over `Connection::memory()`: the server runs on a
//! thread of its own; requests wait for their response, keeping the notifications that
//! come first for [`Client::diagnostics`].

use cellac::lsp::server::ServeError;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Client {
    pub conn: Connection,
    pub server: Option<JoinHandle<Result<(), ServeError>>>,
    pub next: i32,
    /// Notifications received while waiting for a response.
    pub pending: Vec<Notification>,
}

impl Client {
    pub fn start() -> Client {
        Client::with_capabilities(json!({}))
    }

    pub fn with_capabilities(caps: Value) -> Client {
        let mut c = Client::raw();
        let r = c.request("initialize", json!({ "capabilities": caps }));
        assert!(r.error.is_none(), "{r:?}");
        c.notify("initialized", json!({}));
        c
    }

    pub fn raw() -> Client {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || cellac::lsp::serve(server));
        Client {
            conn: client,
            server: Some(handle),
            next: 0,
            pending: Vec::new(),
        }
    }

    pub fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers")
    }

    pub fn request(&mut self, method: &str, params: Value) -> Response {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.error.is_none(), "{method}: {:?}", r.error);
        r.result.unwrap_or(Value::Null)
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// The next publishDiagnostics for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|n| is_publish(n, uri)) {
            return self.pending.remove(i).params;
        }
        loop {
            match self.recv() {
                Message::Notification(n) if is_publish(&n, uri) => return n.params,
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    pub fn change(&mut self, uri: &str, version: i32, changes: Value) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
        self.diagnostics(uri)
    }

    pub fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.error.is_none());
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert!(result.is_ok(), "{result:?}");
    }
}

pub fn is_publish(n: &Notification, uri: &str) -> bool {
    n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
}
