//! The main loop over an `lsp_server::Connection` and dispatch. Handlers produce what
//! the server sends as data (`Server::outbox`: replies, diagnostics to publish); the
//! loop alone writes it to the connection (`Server::send`). URIs
//! live in `uri.rs`, leniency towards clients in `lenient.rs`, the little IO the server
//! does (reading `secrets.auto.tfvars` beside a stack) in `disk.rs`.

use super::analysis::Analysis;
use super::documents::{Document, Documents};
use super::position::{Encoding, LineIndex};
use super::{actions, completion, definition, diagnostics, format, hover, symbols};
use crate::diagnostic::{Diagnostic, Source};
use crate::span::Span;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::{self as notif, Notification as _};
use lsp_types::request::{self as req, Request as _};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::rc::Rc;
use std::str::FromStr;

use super::disk::{read_regular, DiskFile};
pub use super::lenient::lenient;
use super::lenient::restore_aliases;
pub use super::uri::{encode_uri, file_path, is_secrets, secrets_beside, SECRETS_FILE};

/// The secrets file is read from disk only when it is a regular file (after following
/// symbolic links: not a FIFO, a device or `/dev/zero`) of at most this many bytes: the
/// one reader of [`crate::textfile`], which the CLI uses too.
pub use crate::textfile::MAX_SECRETS_FILE;

/// Documents larger than this (about 800 services) are checked [`DEBOUNCE`] after the
/// last edit of a burst rather than at once: their check takes tens of milliseconds or
/// more. Smaller ones are checked as soon as the messages that arrived are handled.
const DEBOUNCE_BYTES: usize = 256 << 10;
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(50);

/// The outline sent for a document holds at most this many symbols (a 10 MB stack
/// would otherwise give a reply of over 100 MB).
pub const MAX_SYMBOLS: usize = 20_000;

/// Why the server stopped other than by `shutdown` then `exit`.
#[derive(Debug)]
pub enum ServeError {
    /// The client sent `exit` without `shutdown` first (exit code 1 by the protocol).
    ExitWithoutShutdown,
    /// The connection closed before `exit`.
    Disconnected,
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::ExitWithoutShutdown => f.write_str("exit before shutdown"),
            ServeError::Disconnected => f.write_str("the client closed the connection"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Runs the language server over stdin and stdout; returns the process exit code: 0
/// after `shutdown` then `exit`, 1 after `exit` without `shutdown` or when the input
/// ends first. Every reply is written and flushed before it returns.
pub fn run() -> i32 {
    let (conn, transport) = match super::transport::stdio() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cellac lsp: cannot start: {e}");
            return 1;
        }
    };
    let result = serve(conn);
    // `serve` dropped the server's end: the writer drains what is queued, then stops.
    transport.finish();
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cellac lsp: {e}");
            1
        }
    }
}

/// The capabilities the server announces, for the negotiated encoding.
pub fn capabilities(enc: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                    lsp::SaveOptions {
                        include_text: Some(false),
                    },
                )),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["=".into(), "(".into(), ")".into()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::SOURCE_FIX_ALL,
                ]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// Serves one client on `conn` until `exit`. Usable with `Connection::memory()`.
pub fn serve(conn: Connection) -> Result<(), ServeError> {
    let mut server = Server::new(&conn);
    let mut initialized = false;
    let mut shutdown = false;
    loop {
        // Diagnostics are published once the messages that arrived are handled, so a
        // burst of edits is checked once, not once per keystroke. Messages that arrived
        // during a check wait in the inbox (see `check_and_publish`).
        let next = server
            .inbox
            .pop_front()
            .or_else(|| conn.receiver.try_recv().ok());
        let msg = match next {
            Some(msg) => msg,
            None => {
                server.flush();
                match server
                    .inbox
                    .pop_front()
                    .or_else(|| conn.receiver.recv().ok())
                {
                    Some(msg) => msg,
                    None => break,
                }
            }
        };
        match msg {
            Message::Request(r) if r.method == req::Initialize::METHOD => {
                if initialized {
                    server.reply(Response::new_err(
                        r.id,
                        ErrorCode::InvalidRequest as i32,
                        "already initialized".into(),
                    ));
                    server.send();
                    continue;
                }
                let params: lsp::InitializeParams =
                    serde_json::from_value(r.params).unwrap_or_default();
                let offered = params
                    .capabilities
                    .general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref());
                server.enc = Encoding::negotiate(offered);
                let result = lsp::InitializeResult {
                    capabilities: capabilities(server.enc),
                    server_info: Some(lsp::ServerInfo {
                        name: "cellac".into(),
                        version: Some(env!("CARGO_PKG_VERSION").into()),
                    }),
                };
                initialized = true;
                server.reply(Response::new_ok(r.id, result));
            }
            Message::Request(r) if !initialized => {
                server.reply(Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "initialize first".into(),
                ));
            }
            Message::Request(r) if shutdown => {
                server.reply(Response::new_err(
                    r.id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shutting down".into(),
                ));
            }
            Message::Request(r) if r.method == req::Shutdown::METHOD => {
                shutdown = true;
                server.reply(Response::new_ok(r.id, ()));
            }
            Message::Request(r) => {
                let id = r.id.clone();
                let method = r.method.clone();
                let resp =
                    catch_unwind(AssertUnwindSafe(|| server.request(r))).unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!("{method} failed"),
                        )
                    });
                server.reply(resp);
            }
            Message::Notification(n) if n.method == notif::Exit::METHOD => {
                server.send();
                return if shutdown {
                    Ok(())
                } else {
                    Err(ServeError::ExitWithoutShutdown)
                };
            }
            Message::Notification(n) if initialized && !shutdown => {
                let _ = catch_unwind(AssertUnwindSafe(|| server.notification(n)));
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
        server.send();
    }
    Err(ServeError::Disconnected)
}

struct Server<'c> {
    conn: &'c Connection,
    docs: Documents,
    enc: Encoding,
    /// The analysis of each open stack, for its current version.
    cache: HashMap<lsp::Uri, Rc<Analysis>>,
    /// Secrets files whose diagnostics were published, with the stack that checked them.
    secrets: HashMap<lsp::Uri, lsp::Uri>,
    /// Stacks changed since their diagnostics were last published, in order.
    dirty: Vec<lsp::Uri>,
    /// Secrets files read from disk.
    disk: HashMap<PathBuf, DiskFile>,
    /// URIs the client sent without percent-encoding: encoded → as sent, so that what
    /// the server sends back names them as the client does.
    aliases: HashMap<String, String>,
    /// Messages that arrived while a check ran, handled before any newer one.
    inbox: std::collections::VecDeque<Message>,
    /// What the handlers produced and is not sent yet: replies and notifications as
    /// data. Handlers never write to the connection; [`Server::send`] alone does.
    outbox: Vec<Message>,
}

/// Decodes params, or answers InvalidParams.
fn params<R: req::Request>(r: &Request) -> Result<R::Params, Response> {
    R::Params::deserialize(&r.params).map_err(|e| {
        Response::new_err(
            r.id.clone(),
            ErrorCode::InvalidParams as i32,
            format!("invalid params: {e}"),
        )
    })
}

fn ok<T: serde::Serialize>(id: RequestId, v: T) -> Response {
    Response::new_ok(id, v)
}

impl<'c> Server<'c> {
    fn new(conn: &'c Connection) -> Self {
        Server {
            conn,
            docs: Documents::default(),
            enc: Encoding::Utf16,
            cache: HashMap::new(),
            secrets: HashMap::new(),
            dirty: Vec::new(),
            disk: HashMap::new(),
            aliases: HashMap::new(),
            inbox: std::collections::VecDeque::new(),
            outbox: Vec::new(),
        }
    }

    /// Answers a request (sent by [`Server::send`]).
    fn reply(&mut self, resp: Response) {
        self.outbox.push(resp.into());
    }

    /// Sends a notification (by [`Server::send`]).
    fn notify<N: notif::Notification>(&mut self, params: N::Params) {
        self.outbox
            .push(Notification::new(N::METHOD.to_string(), params).into());
    }

    /// Sends what the handlers produced, in order, naming each URI as the client does.
    fn send(&mut self) {
        for mut m in std::mem::take(&mut self.outbox) {
            if !self.aliases.is_empty() {
                match &mut m {
                    Message::Response(r) => {
                        if let Some(r) = r.result.as_mut() {
                            restore_aliases(r, &self.aliases);
                        }
                    }
                    Message::Notification(n) => restore_aliases(&mut n.params, &self.aliases),
                    Message::Request(_) => {}
                }
            }
            let _ = self.conn.sender.send(m);
        }
    }

    /// Tells the user (and stderr) that a message about a document could not be read.
    /// An open document it was about is stale until the editor sends its whole text:
    /// its diagnostics are cleared, requests on it answer nothing.
    fn lost(&mut self, what: &str, params: &Value, why: &str) {
        let uri = params["textDocument"]["uri"]
            .as_str()
            .and_then(|u| lsp::Uri::from_str(u).ok());
        let message = match uri {
            Some(uri) if self.docs.get(&uri).is_some() => {
                if let Some(d) = self.docs.get_any_mut(&uri) {
                    d.stale = true;
                }
                self.cache.remove(&uri);
                self.dirty.retain(|u| *u != uri);
                self.publish(&uri, Vec::new(), None);
                let shown = self.aliases.get(uri.as_str()).map_or(uri.as_str(), |s| s);
                format!(
                    "cellac: a {what} for {shown} could not be read ({why}). The server no longer \
                     knows this file's text: close and reopen it to check it again."
                )
            }
            _ => format!("cellac: a {what} could not be read ({why})."),
        };
        eprintln!("{message}");
        self.notify::<notif::ShowMessage>(lsp::ShowMessageParams {
            typ: lsp::MessageType::WARNING,
            message,
        });
    }

    fn analysis(&mut self, uri: &lsp::Uri) -> Option<Rc<Analysis>> {
        if let Some(a) = self.cache.get(uri) {
            return Some(a.clone());
        }
        let doc = self.docs.get(uri)?;
        let a = Rc::new(Analysis::new(&doc.text));
        self.cache.insert(uri.clone(), a.clone());
        Some(a)
    }

    fn notification(&mut self, n: Notification) {
        let mut params = n.params;
        lenient(&mut params, &mut self.aliases);
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                let p = match lsp::DidOpenTextDocumentParams::deserialize(&params) {
                    Ok(p) => p,
                    Err(e) => return self.lost("didOpen", &params, &e.to_string()),
                };
                let d = p.text_document;
                // README.md, Cargo.toml...: not stacks. Secrets files have their own language.
                if !d.language_id.eq_ignore_ascii_case("kdl")
                    && !d.uri.as_str().ends_with(".kdl")
                    && !is_secrets(&d.uri)
                {
                    return;
                }
                self.docs.open(
                    d.uri.clone(),
                    Document::new(d.text, d.version, d.language_id),
                );
                self.changed(&d.uri);
            }
            notif::DidChangeTextDocument::METHOD => {
                let p = match lsp::DidChangeTextDocumentParams::deserialize(&params) {
                    Ok(p) => p,
                    Err(e) => return self.lost("didChange", &params, &e.to_string()),
                };
                let uri = p.text_document.uri;
                let enc = self.enc;
                let Some(doc) = self.docs.get_any_mut(&uri) else {
                    return;
                };
                let mut changes = p.content_changes;
                if doc.stale {
                    // Only a whole text brings a stale document back.
                    match changes.iter().rposition(|c| c.range.is_none()) {
                        Some(i) => {
                            changes.drain(..i);
                            doc.stale = false;
                        }
                        None => return,
                    }
                }
                doc.apply(changes, enc);
                doc.version = p.text_document.version;
                self.changed(&uri);
            }
            notif::DidSaveTextDocument::METHOD => {
                let Ok(p) = lsp::DidSaveTextDocumentParams::deserialize(&params) else {
                    return;
                };
                let uri = p.text_document.uri;
                if let (Some(text), Some(doc)) = (p.text, self.docs.get_any_mut(&uri)) {
                    *doc = Document::new(text, doc.version, doc.language.clone());
                    self.cache.remove(&uri);
                }
                if self.docs.get(&uri).is_some() {
                    self.changed(&uri);
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) = lsp::DidCloseTextDocumentParams::deserialize(&params) else {
                    return;
                };
                let uri = p.text_document.uri;
                self.docs.close(&uri);
                self.cache.remove(&uri);
                self.dirty.retain(|u| *u != uri);
                if is_secrets(&uri) {
                    // The file on disk, if any, is what counts now.
                    self.recheck_stacks_beside(&uri);
                    return;
                }
                self.publish(&uri, Vec::new(), None);
                let orphans: Vec<lsp::Uri> = self
                    .secrets
                    .iter()
                    .filter(|(_, stack)| **stack == uri)
                    .map(|(s, _)| s.clone())
                    .collect();
                for s in orphans {
                    self.secrets.remove(&s);
                    self.publish(&s, Vec::new(), None);
                }
            }
            _ => {}
        }
    }

    /// A document's text changed: publish what follows from it (soon: see `flush`).
    fn changed(&mut self, uri: &lsp::Uri) {
        self.cache.remove(uri);
        if is_secrets(uri) {
            self.recheck_stacks_beside(uri);
        } else if !self.dirty.contains(uri) {
            self.dirty.push(uri.clone());
        }
    }

    /// Publishes the diagnostics of every changed stack. When one of them is large
    /// (a check of it takes long enough to matter), waits [`DEBOUNCE`] for the next
    /// message first: a burst of keystrokes on a large document is checked once, after
    /// it. A check a newer version overtakes anyway is dropped (`check_and_publish`).
    fn flush(&mut self) {
        let large = self.dirty.iter().any(|u| {
            self.docs
                .get(u)
                .is_some_and(|d| d.text.len() > DEBOUNCE_BYTES)
        });
        if large {
            if let Ok(m) = self.conn.receiver.recv_timeout(DEBOUNCE) {
                self.inbox.push_back(m);
                return;
            }
        }
        for uri in std::mem::take(&mut self.dirty) {
            self.check_one(&uri);
            // Each stack's diagnostics as soon as they are known.
            self.send();
        }
    }

    /// Checks a changed stack, its diagnostics left in the outbox; a panic in a check
    /// loses that check, never the server.
    fn check_one(&mut self, uri: &lsp::Uri) {
        let _ = catch_unwind(AssertUnwindSafe(|| self.check_and_publish(uri)));
    }

    /// Checks every changed stack at once, leaving what to publish in the outbox.
    #[cfg(test)]
    fn flush_checks(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            self.check_one(&uri);
        }
    }

    /// Moves the messages that arrived into the inbox, and says whether one of them
    /// changes or closes `uri` (a check of it that just ended is out of date).
    fn newer_version_waiting(&mut self, uri: &lsp::Uri) -> bool {
        while let Ok(m) = self.conn.receiver.try_recv() {
            self.inbox.push_back(m);
        }
        self.inbox.iter().any(|m| match m {
            Message::Notification(n)
                if n.method == notif::DidChangeTextDocument::METHOD
                    || n.method == notif::DidCloseTextDocument::METHOD
                    || n.method == notif::DidOpenTextDocument::METHOD =>
            {
                n.params["textDocument"]["uri"]
                    .as_str()
                    .is_some_and(|s| encode_uri(s) == uri.as_str())
            }
            _ => false,
        })
    }

    /// Re-checks the open stacks in the same folder as a secrets file.
    fn recheck_stacks_beside(&mut self, secrets: &lsp::Uri) {
        let stacks: Vec<lsp::Uri> = self
            .docs
            .uris()
            .filter(|u| !is_secrets(u) && secrets_beside(u).is_some_and(|(s, _)| s == *secrets))
            .cloned()
            .collect();
        if stacks.is_empty() && self.secrets.remove(secrets).is_some() {
            self.publish(secrets, Vec::new(), None);
        }
        for s in stacks {
            if !self.dirty.contains(&s) {
                self.dirty.push(s);
            }
        }
    }

    fn publish(&mut self, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.notify::<notif::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        });
    }

    /// Checks a stack and publishes its diagnostics, and those of the secrets file beside
    /// it (whose check can also point into the stack: a secret with no value).
    fn check_and_publish(&mut self, uri: &lsp::Uri) {
        let Some(a) = self.analysis(uri) else { return };
        // A newer version arrived while it was checked: its result is dropped, never
        // published over the newer text (the change marks the stack to check again).
        if self.newer_version_waiting(uri) {
            return;
        }
        let secrets = self.secrets_text(uri).filter(|_| a.checked.nodes.is_some());
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let (stack, beside) = match &secrets {
            Some((suri, text)) => {
                let (stack, own) = with_secrets(&a.checked, text);
                let index = LineIndex::new(text);
                (
                    stack,
                    Some((
                        suri.clone(),
                        diagnostics::convert(&own, suri, text, &index, self.enc),
                    )),
                )
            }
            None => (
                a.checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.source == Source::Stack)
                    .cloned()
                    .collect(),
                None,
            ),
        };
        self.publish(
            uri,
            diagnostics::convert(&stack, uri, &doc.text, doc.index(), self.enc),
            Some(doc.version),
        );
        match beside {
            Some((suri, diags)) => {
                self.secrets.insert(suri.clone(), uri.clone());
                let version = self.docs.get(&suri).map(|d| d.version);
                self.publish(&suri, diags, version);
            }
            None => {
                // The stack does not read (keep what was published) or there is no file.
                let gone = secrets_beside(uri)
                    .filter(|(suri, path)| self.docs.get(suri).is_none() && !path.exists());
                if let Some((suri, _)) = gone {
                    if self.secrets.remove(&suri).is_some() {
                        self.publish(&suri, Vec::new(), None);
                    }
                }
            }
        }
    }

    /// The secrets file beside a stack: from the editor when it is open, else from disk.
    fn secrets_text(&mut self, uri: &lsp::Uri) -> Option<(lsp::Uri, String)> {
        let (suri, path) = secrets_beside(uri)?;
        let text = match self.docs.get(&suri) {
            Some(d) => d.text.clone(),
            None => read_regular(&path, &mut self.disk)?,
        };
        Some((suri, text))
    }

    fn request(&mut self, mut r: Request) -> Response {
        lenient(&mut r.params, &mut self.aliases);
        let id = r.id.clone();
        macro_rules! p {
            ($R:ty) => {
                match params::<$R>(&r) {
                    Ok(p) => p,
                    Err(resp) => return resp,
                }
            };
        }
        match r.method.as_str() {
            req::HoverRequest::METHOD => {
                let p = p!(req::HoverRequest);
                ok(id, self.hover(p.text_document_position_params))
            }
            req::Completion::METHOD => {
                let p = p!(req::Completion);
                ok(id, self.completion(p.text_document_position))
            }
            req::GotoDefinition::METHOD => {
                let p = p!(req::GotoDefinition);
                let tdp = p.text_document_position_params;
                let uri = tdp.text_document.uri.clone();
                let res = self
                    .at(&tdp)
                    .and_then(|(a, off)| definition::definition(&a, off))
                    .and_then(|span| {
                        let doc = self.docs.get(&uri)?;
                        let range = doc.index().to_range(&doc.text, span, self.enc);
                        Some(lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                            uri.clone(),
                            range,
                        )))
                    });
                ok(id, res)
            }
            req::References::METHOD => {
                let p = p!(req::References);
                let tdp = p.text_document_position;
                let uri = tdp.text_document.uri.clone();
                let spans = self
                    .at(&tdp)
                    .map(|(a, off)| definition::references(&a, off, p.context.include_declaration))
                    .unwrap_or_default();
                let locs: Option<Vec<lsp::Location>> = self.docs.get(&uri).map(|doc| {
                    spans
                        .into_iter()
                        .map(|s| {
                            lsp::Location::new(
                                uri.clone(),
                                doc.index().to_range(&doc.text, s, self.enc),
                            )
                        })
                        .collect()
                });
                ok(id, locs)
            }
            req::DocumentSymbolRequest::METHOD => {
                let p = p!(req::DocumentSymbolRequest);
                ok(id, self.symbols(&p.text_document.uri))
            }
            req::Formatting::METHOD => {
                let p = p!(req::Formatting);
                let uri = p.text_document.uri;
                let edits = self
                    .docs
                    .get(&uri)
                    .filter(|_| !is_secrets(&uri))
                    .and_then(|doc| {
                        let (tab, spaces) = (p.options.tab_size, p.options.insert_spaces);
                        let text = &doc.text;
                        // The same safety checks as `cellac fmt`: a result that does not
                        // parse, is not stable or changes the diagnostics is refused.
                        let new_text = super::analysis::on_big_stack(text, || {
                            format::format_safely(text, tab, spaces).ok()
                        })?;
                        if new_text == doc.text {
                            return Some(Vec::new());
                        }
                        let range =
                            doc.index()
                                .to_range(&doc.text, Span::new(0, doc.text.len()), self.enc);
                        Some(vec![lsp::TextEdit { range, new_text }])
                    });
                ok(id, edits)
            }
            req::CodeActionRequest::METHOD => {
                let p = p!(req::CodeActionRequest);
                ok(id, self.code_actions(p))
            }
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown method {}", r.method),
            ),
        }
    }

    /// The analysis of a stack document and the byte offset of a position in it.
    fn at(&mut self, tdp: &lsp::TextDocumentPositionParams) -> Option<(Rc<Analysis>, usize)> {
        let uri = &tdp.text_document.uri;
        if is_secrets(uri) {
            return None;
        }
        let off = {
            let doc = self.docs.get(uri)?;
            doc.index().offset(&doc.text, tdp.position, self.enc)
        };
        Some((self.analysis(uri)?, off))
    }

    fn hover(&mut self, tdp: lsp::TextDocumentPositionParams) -> Option<lsp::Hover> {
        let (a, off) = self.at(&tdp)?;
        let doc = self.docs.get(&tdp.text_document.uri)?;
        let (value, span) = hover::hover(&doc.text, &a, off)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value,
            }),
            range: Some(doc.index().to_range(&doc.text, span, self.enc)),
        })
    }

    fn completion(
        &mut self,
        tdp: lsp::TextDocumentPositionParams,
    ) -> Option<lsp::CompletionResponse> {
        let uri = &tdp.text_document.uri;
        if is_secrets(uri) {
            return None;
        }
        let doc = self.docs.get(uri)?;
        let off = doc.index().offset(&doc.text, tdp.position, self.enc);
        let items = completion::complete(&doc.text, off)
            .into_iter()
            .map(|i| lsp::CompletionItem {
                label: i.label.clone(),
                kind: Some(match i.kind {
                    completion::ItemKind::Node => lsp::CompletionItemKind::KEYWORD,
                    completion::ItemKind::Property => lsp::CompletionItemKind::PROPERTY,
                    completion::ItemKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
                    completion::ItemKind::Reference => lsp::CompletionItemKind::REFERENCE,
                }),
                detail: i.detail,
                documentation: i.doc.map(|value| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value,
                    })
                }),
                filter_text: Some(i.label),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                    range: doc.index().to_range(&doc.text, i.replace, self.enc),
                    new_text: i.insert,
                })),
                ..Default::default()
            })
            .collect();
        Some(lsp::CompletionResponse::Array(items))
    }

    fn symbols(&mut self, uri: &lsp::Uri) -> Option<lsp::DocumentSymbolResponse> {
        if is_secrets(uri) {
            return None;
        }
        let a = self.analysis(uri)?;
        let doc = self.docs.get(uri)?;
        let outline = symbols::symbols(a.nodes()?, &doc.text);
        /// Converts at most `*left` symbols; a level's symbols count before their children.
        #[allow(deprecated)]
        fn convert(
            outline: Vec<symbols::Outline>,
            doc: &Document,
            enc: Encoding,
            left: &mut usize,
        ) -> Vec<lsp::DocumentSymbol> {
            let take = outline.len().min(*left);
            *left -= take;
            outline
                .into_iter()
                .take(take)
                .map(|o| lsp::DocumentSymbol {
                    name: diagnostics::shorten(&o.name).into_owned(),
                    detail: o.detail.map(|d| diagnostics::shorten(&d).into_owned()),
                    kind: o.kind,
                    tags: None,
                    deprecated: None,
                    range: doc.index().to_range(&doc.text, o.span, enc),
                    selection_range: doc.index().to_range(&doc.text, o.selection, enc),
                    children: Some(convert(o.children, doc, enc, left))
                        .filter(|c: &Vec<_>| !c.is_empty()),
                })
                .collect()
        }
        let mut left = MAX_SYMBOLS;
        Some(lsp::DocumentSymbolResponse::Nested(convert(
            outline, doc, self.enc, &mut left,
        )))
    }

    fn code_actions(&mut self, p: lsp::CodeActionParams) -> Option<Vec<lsp::CodeActionOrCommand>> {
        let uri = p.text_document.uri;
        // A secrets file's fixes come from checking it against the stack beside it.
        let stack: Vec<Diagnostic> = if is_secrets(&uri) {
            let stack_uri = self.secrets.get(&uri)?.clone();
            let a = self.analysis(&stack_uri)?;
            let text = &self.docs.get(&uri)?.text;
            with_secrets(&a.checked, text).1
        } else {
            let a = self.analysis(&uri)?;
            a.checked
                .diagnostics
                .iter()
                .filter(|d| d.source == Source::Stack)
                .cloned()
                .collect()
        };
        let doc = self.docs.get(&uri)?;
        let range = doc.index().to_span(&doc.text, p.range, self.enc);
        // What the client asks for: quick fixes unless it names other kinds; "fix all"
        // (a source action, on save say) only when it asks for it.
        let only = p.context.only.as_deref();
        let asks = |kind: &lsp::CodeActionKind| {
            only.is_some_and(|o| o.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        };
        let mut fix_all = Vec::new();
        if asks(&lsp::CodeActionKind::SOURCE_FIX_ALL) && !is_secrets(&uri) {
            // `cellac check --fix`: every safe fix, as one edit of the whole document.
            let fixed = crate::fix::fix(&doc.text, crate::fix::Mode::Safe);
            if fixed.applied > 0 {
                let whole = crate::span::Span::new(0, doc.text.len());
                let edit = lsp::TextEdit {
                    range: doc.index().to_range(&doc.text, whole, self.enc),
                    new_text: fixed.text,
                };
                fix_all.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("Apply {} safe fixes (cellac check --fix)", fixed.applied),
                    kind: Some(lsp::CodeActionKind::SOURCE_FIX_ALL),
                    edit: Some(lsp::WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    ..Default::default()
                }));
            }
        }
        if only.is_some() && !asks(&lsp::CodeActionKind::QUICKFIX) {
            return Some(fix_all);
        }
        let mut actions: Vec<lsp::CodeActionOrCommand> = actions::fixes(&stack, range)
            .map(|(d, f, preferred)| {
                let edits = f
                    .edits
                    .iter()
                    .map(|e| lsp::TextEdit {
                        range: doc.index().to_range(&doc.text, e.span, self.enc),
                        new_text: e.text.clone(),
                    })
                    .collect();
                lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: f.title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostics::to_lsp(
                        d,
                        &uri,
                        &doc.text,
                        doc.index(),
                        self.enc,
                    )]),
                    edit: Some(lsp::WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), edits)])),
                        ..Default::default()
                    }),
                    is_preferred: Some(preferred),
                    ..Default::default()
                })
            })
            .collect();
        actions.extend(fix_all);
        Some(actions)
    }
}

/// A stack's diagnostics once its secrets file is checked too, as `cellac check
/// --secrets` gives them: those in the stack, and those in the secrets file. The
/// latter never contain a value (the check masks them).
pub fn with_secrets(checked: &crate::Checked, text: &str) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let mut c = crate::Checked {
        nodes: None,
        envs: checked.envs.iter().take(1).cloned().collect(),
        diagnostics: checked.diagnostics.clone(),
    };
    c.check_secrets_in_place(text, &[]);
    c.diagnostics
        .into_iter()
        .partition(|d| d.source == Source::Stack)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code: a panic is the failure")]
    use super::*;

    fn open(uri: &str, text: &str) -> Notification {
        Notification::new(
            notif::DidOpenTextDocument::METHOD.into(),
            lsp::DidOpenTextDocumentParams {
                text_document: lsp::TextDocumentItem {
                    uri: lsp::Uri::from_str(uri).unwrap(),
                    language_id: "kdl".into(),
                    version: 3,
                    text: text.into(),
                },
            },
        )
    }

    /// A handler writes nothing: what it produces waits in the outbox, as data, until
    /// `send`; the diagnostics of an opened stack are published for its version.
    #[test]
    fn handlers_produce_messages_as_data() {
        let (conn, client) = Connection::memory();
        let mut server = Server::new(&conn);
        server.notification(open("file:///p/stack.kdl", "stack \"x\" {\n  bogus 1\n}\n"));
        server.flush_checks();
        assert!(
            client.receiver.try_recv().is_err(),
            "nothing sent before send()"
        );
        let published: Vec<lsp::PublishDiagnosticsParams> = server
            .outbox
            .iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == notif::PublishDiagnostics::METHOD => {
                    serde_json::from_value(n.params.clone()).ok()
                }
                _ => None,
            })
            .collect();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].version, Some(3));
        assert!(!published[0].diagnostics.is_empty());
        server.send();
        assert!(server.outbox.is_empty());
        assert!(client.receiver.try_recv().is_ok());
    }
}
