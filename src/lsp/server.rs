//! The transport: the main loop over an `lsp_server::Connection`, dispatch, and the
//! little IO the server does (reading `secrets.auto.tfvars` beside a stack).

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
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::rc::Rc;
use std::str::FromStr;

/// The file checked beside a stack, when it exists.
pub const SECRETS_FILE: &str = "secrets.auto.tfvars";

/// The secrets file is read from disk only when it is a regular file (after following
/// symbolic links: not a FIFO, a device or `/dev/zero`) of at most this many bytes.
pub const MAX_SECRETS_FILE: u64 = 1 << 20;

/// A file read from disk, kept until its modification time or size changes.
struct DiskFile {
    key: (Option<std::time::SystemTime>, u64, bool),
    text: Option<String>,
}

/// Reads a regular file of at most `MAX_SECRETS_FILE` bytes, from `cache` when its
/// modification time and size did not change. Refusals are logged once per change.
fn read_regular(path: &std::path::Path, cache: &mut HashMap<PathBuf, DiskFile>) -> Option<String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).ok()?;
    let key = (meta.modified().ok(), meta.len(), meta.is_file());
    if let Some(f) = cache.get(path).filter(|f| f.key == key) {
        return f.text.clone();
    }
    let refuse = |why: &str| {
        eprintln!("cellac lsp: {} not read: {why}", path.display());
        None
    };
    let text = if !meta.is_file() {
        refuse("not a regular file")
    } else if meta.len() > MAX_SECRETS_FILE {
        refuse(&format!("larger than {MAX_SECRETS_FILE} bytes"))
    } else {
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        // Never block on a FIFO swapped in since the check above.
        #[cfg(target_os = "linux")]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o4000);
        let mut buf = Vec::new();
        match options.open(path).and_then(|f| {
            if !f.metadata()?.is_file() {
                return Err(std::io::Error::other("not a regular file"));
            }
            f.take(MAX_SECRETS_FILE + 1).read_to_end(&mut buf)
        }) {
            Ok(n) if n as u64 > MAX_SECRETS_FILE => refuse("it grew too large"),
            Ok(_) => String::from_utf8(buf).ok().or_else(|| refuse("not UTF-8")),
            Err(e) => refuse(&e.to_string()),
        }
    };
    cache.insert(
        path.to_path_buf(),
        DiskFile {
            key,
            text: text.clone(),
        },
    );
    text
}

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
    let (conn, transport) = super::transport::stdio();
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
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// Serves one client on `conn` until `exit`. Usable with `Connection::memory()`.
pub fn serve(conn: Connection) -> Result<(), ServeError> {
    let mut server = Server {
        conn: &conn,
        docs: Documents::default(),
        enc: Encoding::Utf16,
        cache: HashMap::new(),
        secrets: HashMap::new(),
        dirty: Vec::new(),
        disk: HashMap::new(),
    };
    let mut initialized = false;
    let mut shutdown = false;
    loop {
        // Diagnostics are published once the messages that arrived are handled, so a
        // burst of edits is checked once, not once per keystroke.
        let msg = match conn.receiver.try_recv() {
            Ok(msg) => msg,
            Err(_) => {
                server.flush();
                match conn.receiver.recv() {
                    Ok(msg) => msg,
                    Err(_) => break,
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
}

/// Decodes params, or answers InvalidParams.
fn params<R: req::Request>(r: &Request) -> Result<R::Params, Response> {
    serde_json::from_value(r.params.clone()).map_err(|e| {
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

/// The local path of a `file://` URI.
pub fn file_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let mut s = String::from_utf8(out).ok()?;
    // file:///C:/dir on Windows.
    if s.len() > 2 && s.as_bytes()[2] == b':' {
        s.remove(0);
    }
    Some(PathBuf::from(s))
}

/// Whether a URI names a secrets file rather than a stack.
pub fn is_secrets(uri: &lsp::Uri) -> bool {
    let s = uri.as_str();
    s.ends_with(".tfvars") || s.ends_with(".tfvars.json")
}

/// The secrets file beside a stack: its URI and path.
pub fn secrets_beside(uri: &lsp::Uri) -> Option<(lsp::Uri, PathBuf)> {
    let path = file_path(uri)?.parent()?.join(SECRETS_FILE);
    let s = uri.as_str();
    let dir = &s[..s.rfind('/')? + 1];
    Some((
        lsp::Uri::from_str(&format!("{dir}{SECRETS_FILE}")).ok()?,
        path,
    ))
}

impl Server<'_> {
    fn reply(&self, resp: Response) {
        let _ = self.conn.sender.send(resp.into());
    }

    fn notify<N: notif::Notification>(&self, params: N::Params) {
        let _ = self
            .conn
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into());
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
        match n.method.as_str() {
            notif::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let d = p.text_document;
                self.docs.open(
                    d.uri.clone(),
                    Document::new(d.text, d.version, d.language_id),
                );
                self.changed(&d.uri);
            }
            notif::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri;
                let enc = self.enc;
                let Some(doc) = self.docs.get_mut(&uri) else {
                    return;
                };
                doc.apply(p.content_changes, enc);
                doc.version = p.text_document.version;
                self.changed(&uri);
            }
            notif::DidSaveTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(n.params)
                else {
                    return;
                };
                let uri = p.text_document.uri;
                if let (Some(text), Some(doc)) = (p.text, self.docs.get_mut(&uri)) {
                    *doc = Document::new(text, doc.version, doc.language.clone());
                    self.cache.remove(&uri);
                }
                if self.docs.get(&uri).is_some() {
                    self.changed(&uri);
                }
            }
            notif::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
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

    /// Publishes the diagnostics of every changed stack.
    fn flush(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            let _ = catch_unwind(AssertUnwindSafe(|| self.check_and_publish(&uri)));
        }
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

    fn publish(&self, uri: &lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
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

    fn request(&mut self, r: Request) -> Response {
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
                        let new_text =
                            format::format(&doc.text, p.options.tab_size, p.options.insert_spaces)?;
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
        #[allow(deprecated)]
        fn convert(o: symbols::Outline, doc: &Document, enc: Encoding) -> lsp::DocumentSymbol {
            lsp::DocumentSymbol {
                name: o.name,
                detail: o.detail,
                kind: o.kind,
                tags: None,
                deprecated: None,
                range: doc.index().to_range(&doc.text, o.span, enc),
                selection_range: doc.index().to_range(&doc.text, o.selection, enc),
                children: (!o.children.is_empty()).then(|| {
                    o.children
                        .into_iter()
                        .map(|c| convert(c, doc, enc))
                        .collect()
                }),
            }
        }
        Some(lsp::DocumentSymbolResponse::Nested(
            outline
                .into_iter()
                .map(|o| convert(o, doc, self.enc))
                .collect(),
        ))
    }

    fn code_actions(&mut self, p: lsp::CodeActionParams) -> Option<Vec<lsp::CodeActionOrCommand>> {
        let uri = p.text_document.uri;
        if is_secrets(&uri) {
            return None;
        }
        let a = self.analysis(&uri)?;
        let doc = self.docs.get(&uri)?;
        let range = doc.index().to_span(&doc.text, p.range, self.enc);
        let stack: Vec<_> = a
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.source == Source::Stack)
            .cloned()
            .collect();
        let actions = actions::fixes(&doc.text, &stack, range)
            .into_iter()
            .map(|f| {
                let edit = lsp::TextEdit {
                    range: doc.index().to_range(&doc.text, f.span, self.enc),
                    new_text: f.text,
                };
                lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: f.title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostics::to_lsp(
                        &f.diagnostic,
                        &uri,
                        &doc.text,
                        doc.index(),
                        self.enc,
                    )]),
                    edit: Some(lsp::WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                })
            })
            .collect();
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
    let _masked = c.check_secrets(text, &[]);
    c.diagnostics
        .into_iter()
        .partition(|d| d.source == Source::Stack)
}
