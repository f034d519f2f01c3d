//! The byte transport: `Content-Length` framing over any reader and writer, replacing
//! `lsp_server`'s stdio threads, which end the server on the first framing or JSON error.
//!
//! What a hostile or buggy client can send, and what happens:
//!
//! - A body that is not JSON: a `ParseError` (-32700) reply with id `null`.
//! - JSON that is not a message (`{}`, `42`, `null`, a batch, a numeric `method`, an id
//!   that is not a 32-bit integer or a string): an `InvalidRequest` (-32600) reply, with
//!   the id echoed when it is a number or a string, else `null`. A batch gets one reply
//!   per element that has an id (the protocol has no batches), or one with id `null`.
//! - A missing, negative, non-numeric or overflowing `Content-Length`: a `ParseError`
//!   reply, then the input is skipped up to the next header.
//! - A `Content-Length` over [`MAX_MESSAGE`]: an error reply, and the body is skipped
//!   without being stored.
//! - A `Content-Length` longer than the body: the body ends where the next header starts
//!   (a `Content-Length: N` line cannot occur inside valid JSON, since JSON strings hold
//!   no raw line breaks), so the next message is not lost. Shorter than the body: the
//!   rest is skipped up to the next header.
//! - LF-only line ends, a byte order mark, `Content-Length:N` without the space, other
//!   headers, stray blank lines: accepted.
//! - Invalid UTF-8 in a body, and lone UTF-16 surrogates in `\u` escapes (which
//!   JavaScript clients produce): read as U+FFFD.
//! - A response from the client that cannot be read: logged and dropped (nothing to
//!   answer).
//!
//! Everything else that is skipped is logged to stderr. Replies the transport gives
//! itself are written by the reader thread; the server's messages by the writer thread,
//! one whole frame at a time under one lock.

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};
use std::borrow::Cow;
use std::io::{self, BufWriter, Read, Write};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The largest message body read, in bytes: 64 MiB. Larger ones are skipped unread.
pub const MAX_MESSAGE: usize = 64 << 20;
/// Header lines are kept up to this length; the rest of a longer line is dropped.
const MAX_LINE: usize = 4096;
const CHUNK: usize = 64 << 10;
const HEADER: &[u8] = b"content-length";

pub const PARSE_ERROR: i32 = -32700;
pub const INVALID_REQUEST: i32 = -32600;

/// What the framing layer read.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A message body, as sent (at most [`MAX_MESSAGE`] bytes).
    Body(Vec<u8>),
    /// A framing error. `reply`: a message was attempted, so the client gets a
    /// `ParseError`; otherwise only logged.
    Error { message: String, reply: bool },
}

/// Reads `Content-Length` frames, resynchronising on the next header after an error.
pub struct FrameReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Frames found while reading (a warning before a body).
    queued: Vec<Frame>,
}

fn lower(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

/// Where the last `content-length` (any case) starts in `line`.
fn rfind_header(line: &[u8]) -> Option<usize> {
    if line.len() < HEADER.len() {
        return None;
    }
    (0..=line.len() - HEADER.len())
        .rev()
        .find(|&i| line[i..i + HEADER.len()].eq_ignore_ascii_case(HEADER))
}

/// If `line` (the bytes before a `\n`) ends with `Content-Length: <digits>`, where
/// that header starts. Only such a line can mark a header inside a body.
fn header_line_start(line: &[u8]) -> Option<usize> {
    let mut i = line.len();
    let skip_ws = |i: &mut usize| {
        while *i > 0 && matches!(line[*i - 1], b' ' | b'\t' | b'\r') {
            *i -= 1;
        }
    };
    skip_ws(&mut i);
    let digits_end = i;
    while i > 0 && line[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i == digits_end {
        return None;
    }
    skip_ws(&mut i);
    if i == 0 || line[i - 1] != b':' {
        return None;
    }
    i -= 1;
    skip_ws(&mut i);
    let start = i.checked_sub(HEADER.len())?;
    line[start..i]
        .iter()
        .zip(HEADER)
        .all(|(a, b)| lower(*a) == *b)
        .then_some(start)
}

/// A header name is an HTTP token.
fn is_token(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
}

fn shown(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]);
    let more = if bytes.len() > 60 { "..." } else { "" };
    format!("{:?}{more}", s)
}

enum Length {
    Missing,
    Valid(usize),
    TooLarge(String),
    Invalid(String),
}

impl<R: Read> FrameReader<R> {
    pub fn new(inner: R) -> FrameReader<R> {
        FrameReader {
            inner,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            queued: Vec::new(),
        }
    }

    /// Reads more input; false at the end.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        loop {
            match self.inner.read(&mut self.buf[old..]) {
                Ok(n) => {
                    self.buf.truncate(old + n);
                    self.eof = n == 0;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        }
    }

    /// Puts bytes back in front of the unread input.
    fn unread(&mut self, bytes: &[u8]) {
        self.buf.splice(self.pos..self.pos, bytes.iter().copied());
    }

    /// The next line without its `\n` (nor a `\r` before it), None at the end of the
    /// input. A line longer than `MAX_LINE` keeps its last `MAX_LINE` bytes (where a
    /// header after junk would be); the flag says so.
    fn line(&mut self) -> io::Result<Option<(Vec<u8>, bool)>> {
        let mut line = Vec::new();
        let mut long = false;
        loop {
            let avail = &self.buf[self.pos..];
            if let Some(nl) = avail.iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&avail[..nl]);
                self.pos += nl + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > MAX_LINE {
                    line.drain(..line.len() - MAX_LINE);
                    long = true;
                }
                return Ok(Some((line, long)));
            }
            line.extend_from_slice(avail);
            self.pos = self.buf.len();
            if line.len() > 2 * MAX_LINE {
                line.drain(..line.len() - MAX_LINE);
                long = true;
            }
            if !self.fill()? {
                return Ok(if line.is_empty() {
                    None
                } else {
                    Some((line, long))
                });
            }
        }
    }

    /// Reads a body of `len` bytes, stopping early where a header starts inside it
    /// (the header is put back). `keep`: false skips the body, storing only a tail.
    /// Returns the body (empty when skipped), how many bytes were consumed, and whether
    /// the input ended first.
    fn body(&mut self, len: usize, keep: bool) -> io::Result<(Vec<u8>, usize, bool)> {
        // `kept[..]` are the last bytes read; `dropped` how many came before them.
        let mut kept: Vec<u8> = Vec::with_capacity(if keep { len.min(CHUNK * 16) } else { 0 });
        let mut dropped = 0usize;
        loop {
            let total = dropped + kept.len();
            if total == len {
                return Ok((kept, total, false));
            }
            if self.pos == self.buf.len() && !self.fill()? {
                return Ok((kept, total, true));
            }
            let avail = &self.buf[self.pos..];
            let take = avail.len().min(len - total);
            let from = kept.len();
            kept.extend_from_slice(&avail[..take]);
            self.pos += take;
            // A header line inside the body: the length was too long.
            let mut search = from;
            while let Some(nl) = kept[search..].iter().position(|&b| b == b'\n') {
                let nl = search + nl;
                let look = nl.saturating_sub(80);
                if let Some(start) = header_line_start(&kept[look..nl]) {
                    let start = look + start;
                    let rest = kept.split_off(start);
                    self.unread(&rest);
                    return Ok((kept, dropped + start, false));
                }
                search = nl + 1;
            }
            if !keep && kept.len() > 4096 {
                let cut = kept.len() - 128;
                kept.drain(..cut);
                dropped += cut;
            }
        }
    }

    /// The next frame, None at the end of the input.
    pub fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        if !self.queued.is_empty() {
            return Ok(Some(self.queued.remove(0)));
        }
        let mut headers = 0;
        let mut length = Length::Missing;
        let mut junk = 0usize;
        let mut first_junk: Option<Vec<u8>> = None;
        loop {
            let Some((mut line, mut long)) = self.line()? else {
                if headers > 0 {
                    return Ok(Some(Frame::Error {
                        message: "the input ended inside a message's headers".into(),
                        reply: false,
                    }));
                }
                if junk > 0 {
                    return Ok(Some(skipped(junk, first_junk)));
                }
                return Ok(None);
            };
            if line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
            if line.is_empty() && !long {
                if headers == 0 && junk > 0 {
                    // Lines that are not headers, then the blank line that ends headers:
                    // a message was attempted.
                    return Ok(Some(Frame::Error {
                        message: format!(
                            "malformed headers: skipped {junk} bytes from {}",
                            shown(first_junk.as_deref().unwrap_or_default())
                        ),
                        reply: true,
                    }));
                }
                if headers == 0 {
                    // A stray line break between messages.
                    continue;
                }
                break;
            }
            // Junk, then a header on the same line: what is left of a body shorter
            // than its Content-Length said.
            if headers == 0 {
                if let Some(k) = rfind_header(&line).filter(|&k| k > 0) {
                    junk += k;
                    first_junk.get_or_insert_with(|| line[..k].to_vec());
                    line.drain(..k);
                    // What is left starts at the header: not a long line any more.
                    long = false;
                }
            }
            let colon = line.iter().position(|&b| b == b':');
            let name = colon.map(|c| line[..c].trim_ascii());
            match name {
                Some(name) if is_token(name) && !long => {
                    headers += 1;
                    if name.eq_ignore_ascii_case(HEADER) {
                        let value = line[colon.unwrap_or(0) + 1..].trim_ascii();
                        length = parse_length(value);
                    }
                }
                _ if headers == 0 => {
                    junk += line.len() + 1;
                    first_junk.get_or_insert(line);
                }
                _ => {
                    // Not a header inside a header block: end the block here.
                    length = Length::Invalid(format!("malformed header {}", shown(&line)));
                    break;
                }
            }
        }
        let mut frames = Vec::new();
        if junk > 0 {
            frames.push(skipped(junk, first_junk));
        }
        match length {
            Length::Valid(n) => {
                let (mut body, read, ended) = self.body(n, true)?;
                if ended {
                    frames.push(Frame::Error {
                        message: format!("the input ended inside a message ({read} of {n} bytes)"),
                        reply: false,
                    });
                } else {
                    if read < n {
                        frames.push(Frame::Error {
                            message: format!(
                                "Content-Length was {n} but the next header came after {read} bytes"
                            ),
                            reply: false,
                        });
                    }
                    if body.starts_with(b"\xEF\xBB\xBF") {
                        body.drain(..3);
                    }
                    frames.push(Frame::Body(body));
                }
            }
            Length::TooLarge(n) => {
                frames.push(Frame::Error {
                    message: format!(
                        "message of {n} bytes refused: the limit is {MAX_MESSAGE} bytes (64 MiB)"
                    ),
                    reply: true,
                });
                if let Ok(n) = n.parse::<usize>() {
                    let (_, read, _) = self.body(n, false)?;
                    if read < n {
                        frames.push(Frame::Error {
                            message: format!("skipped {read} bytes up to the next header"),
                            reply: false,
                        });
                    }
                }
            }
            Length::Missing => frames.push(Frame::Error {
                message: "a message without Content-Length: skipped up to the next header".into(),
                reply: true,
            }),
            Length::Invalid(why) => frames.push(Frame::Error {
                message: format!("{why}: skipped up to the next header"),
                reply: true,
            }),
        }
        self.queued = frames;
        Ok(Some(self.queued.remove(0)))
    }
}

fn skipped(junk: usize, first: Option<Vec<u8>>) -> Frame {
    Frame::Error {
        message: format!(
            "skipped {junk} bytes that are not a message, from {}",
            shown(first.as_deref().unwrap_or_default())
        ),
        reply: false,
    }
}

fn parse_length(value: &[u8]) -> Length {
    let text = String::from_utf8_lossy(value);
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Length::Invalid(format!("invalid Content-Length {text:?}"));
    }
    match text.parse::<usize>() {
        Ok(n) if n <= MAX_MESSAGE => Length::Valid(n),
        _ => Length::TooLarge(text.into_owned()),
    }
}

/// Replaces `\uD800`-`\uDFFF` escapes that are not part of a surrogate pair with
/// `\uFFFD` (serde_json refuses them). Other escapes, `\\` included, are kept.
pub fn fix_surrogates(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    let hex4 = |i: usize| -> Option<u32> {
        let s = b.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
    };
    let unit = |i: usize| -> Option<u32> {
        (b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u'))
            .then(|| hex4(i + 2))
            .flatten()
    };
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(u) = unit(i) else {
            i += 2;
            continue;
        };
        let lone = match u {
            0xD800..=0xDBFF => match unit(i + 6) {
                Some(0xDC00..=0xDFFF) => {
                    i += 12;
                    continue;
                }
                _ => true,
            },
            0xDC00..=0xDFFF => true,
            _ => false,
        };
        if lone {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len()));
            o.push_str(&text[copied..i]);
            o.push_str("\\uFFFD");
            copied = i + 6;
        }
        i += 6;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[copied..]);
            Cow::Owned(o)
        }
    }
}

/// What one body is, for the server or for the transport.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A reply the transport gives itself: a whole JSON-RPC response.
    Reply(Value),
    /// Nothing to answer; logged.
    Dropped(String),
}

pub fn error_reply(id: Value, code: i32, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// The id to echo in an error: a number or a string, else null.
fn echo(id: Option<&Value>) -> Value {
    match id {
        Some(v @ (Value::Number(_) | Value::String(_))) => v.clone(),
        _ => Value::Null,
    }
}

fn request_id(id: &Value) -> Option<RequestId> {
    match id {
        Value::Number(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(RequestId::from),
        Value::String(s) => Some(RequestId::from(s.clone())),
        _ => None,
    }
}

/// Reads one body as JSON-RPC.
pub fn classify(body: &[u8]) -> Vec<Incoming> {
    let text = String::from_utf8_lossy(body);
    let text = fix_surrogates(&text);
    let value = match serde_json::from_str::<Value>(&text) {
        Ok(v) => v,
        Err(e) => {
            return vec![Incoming::Reply(error_reply(
                Value::Null,
                PARSE_ERROR,
                &format!("parse error: {e}"),
            ))]
        }
    };
    match value {
        Value::Object(o) => vec![message(o)],
        Value::Array(items) => {
            let why = "batches are not supported";
            let mut out: Vec<Incoming> = items
                .iter()
                .filter_map(|i| i.get("id"))
                .filter(|id| !id.is_null())
                .map(|id| Incoming::Reply(error_reply(echo(Some(id)), INVALID_REQUEST, why)))
                .collect();
            if out.is_empty() {
                out.push(Incoming::Reply(error_reply(
                    Value::Null,
                    INVALID_REQUEST,
                    why,
                )));
            }
            out
        }
        other => vec![Incoming::Reply(error_reply(
            Value::Null,
            INVALID_REQUEST,
            &format!("not a JSON-RPC message: {}", kind(&other)),
        ))],
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn message(mut o: serde_json::Map<String, Value>) -> Incoming {
    let invalid = |id: Option<&Value>, why: String| {
        Incoming::Reply(error_reply(echo(id), INVALID_REQUEST, &why))
    };
    let params = o.remove("params").unwrap_or(Value::Null);
    match (o.get("method"), o.get("id")) {
        (Some(Value::String(m)), None) => Incoming::Message(Message::Notification(Notification {
            method: m.clone(),
            params,
        })),
        (Some(Value::String(m)), Some(id)) => match request_id(id) {
            Some(id) => Incoming::Message(Message::Request(Request {
                id,
                method: m.clone(),
                params,
            })),
            None => invalid(
                Some(id),
                format!("invalid request id {id}: it must be a 32-bit integer or a string ({m})"),
            ),
        },
        (Some(m), id) => invalid(id, format!("the method must be a string, not {}", kind(m))),
        (None, Some(id)) if o.contains_key("result") || o.contains_key("error") => {
            match serde_json::from_value::<Response>(Value::Object(o.clone())) {
                Ok(r) => Incoming::Message(Message::Response(r)),
                Err(e) => Incoming::Dropped(format!("unreadable response (id {id}): {e}")),
            }
        }
        (None, id) => invalid(id, "not a request, a notification nor a response".into()),
    }
}

/// Writes one frame.
pub fn write_frame(w: &mut dyn Write, body: &[u8]) -> io::Result<()> {
    write!(w, "Content-Length: {}\r\n\r\n", body.len())?;
    w.write_all(body)
}

fn message_json(m: &Message) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct JsonRpc<'a> {
        jsonrpc: &'static str,
        #[serde(flatten)]
        msg: &'a Message,
    }
    serde_json::to_vec(&JsonRpc {
        jsonrpc: "2.0",
        msg: m,
    })
    .unwrap_or_default()
}

type Out = Arc<Mutex<dyn Write + Send>>;

fn lock(out: &Out) -> std::sync::MutexGuard<'_, dyn Write + Send + 'static> {
    out.lock().unwrap_or_else(|e| e.into_inner())
}

/// The reader and writer threads of a connection.
pub struct Transport {
    writer: JoinHandle<()>,
    reader: JoinHandle<()>,
    out: Out,
}

impl Transport {
    /// Waits until every message the server sent is written and flushed. Call once the
    /// server's end of the connection is dropped.
    pub fn finish(self) {
        let _ = self.writer.join();
        // A reply the reader is writing now is written whole.
        let _ = lock(&self.out).flush();
        drop(self.reader);
    }

    /// Also waits for the reader (which ends at `exit` or at the end of the input).
    pub fn join(self) {
        let reader = self.reader;
        let _ = self.writer.join();
        let _ = reader.join();
        let _ = lock(&self.out).flush();
    }
}

fn log(what: &str) {
    eprintln!("cellac lsp: {what}");
}

/// A connection over `input` and `output`: the server's end, and the threads (an error
/// when a thread cannot start).
pub fn spawn(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
) -> io::Result<(Connection, Transport)> {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    let out: Out = Arc::new(Mutex::new(BufWriter::with_capacity(CHUNK, output)));
    let w_out = out.clone();
    let writer = std::thread::Builder::new()
        .name("cellac-lsp-writer".into())
        .spawn(move || {
            while let Ok(first) = receiver.recv() {
                let mut w = lock(&w_out);
                let mut result = write_frame(&mut *w, &message_json(&first));
                // Whatever else is queued goes out with it, then one flush.
                while let (Ok(()), Ok(m)) = (&result, receiver.try_recv()) {
                    result = write_frame(&mut *w, &message_json(&m));
                }
                if let Err(e) = result.and_then(|()| w.flush()) {
                    log(&format!("writing to the client failed: {e}"));
                    return;
                }
            }
        })?;
    let r_out = out.clone();
    let reader = std::thread::Builder::new()
        .name("cellac-lsp-reader".into())
        .spawn(move || {
            let mut frames = FrameReader::new(input);
            let reply = |v: &Value| {
                let mut w = lock(&r_out);
                let body = serde_json::to_vec(v).unwrap_or_default();
                if let Err(e) = write_frame(&mut *w, &body).and_then(|()| w.flush()) {
                    log(&format!("writing to the client failed: {e}"));
                }
            };
            loop {
                let frame = match frames.next_frame() {
                    Ok(Some(f)) => f,
                    Ok(None) => return,
                    Err(e) => {
                        log(&format!("reading from the client failed: {e}"));
                        return;
                    }
                };
                let body = match frame {
                    Frame::Body(b) => b,
                    Frame::Error { message, reply: r } => {
                        log(&message);
                        if r {
                            reply(&error_reply(Value::Null, PARSE_ERROR, &message));
                        }
                        continue;
                    }
                };
                for incoming in classify(&body) {
                    match incoming {
                        Incoming::Message(m) => {
                            let exit = matches!(&m, Message::Notification(n) if n.method == "exit");
                            if sender.send(m).is_err() || exit {
                                return;
                            }
                        }
                        Incoming::Reply(v) => {
                            log(&format!(
                                "{} (id {})",
                                v["error"]["message"].as_str().unwrap_or_default(),
                                v["id"]
                            ));
                            reply(&v);
                        }
                        Incoming::Dropped(why) => log(&why),
                    }
                }
            }
        })?;
    Ok((
        server,
        Transport {
            writer,
            reader,
            out,
        },
    ))
}

/// The connection over stdin and stdout.
pub fn stdio() -> io::Result<(Connection, Transport)> {
    spawn(io::stdin(), io::stdout())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let mut r = FrameReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().unwrap() {
            out.push(f);
        }
        out
    }

    fn msg(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn bodies(input: &[u8]) -> Vec<String> {
        frames(input)
            .into_iter()
            .map(|f| match f {
                Frame::Body(b) => String::from_utf8(b).unwrap(),
                Frame::Error { reply: true, .. } => "ERROR".into(),
                Frame::Error { reply: false, .. } => "LOG".into(),
            })
            .collect()
    }

    #[test]
    fn reads_well_formed_and_lenient_frames() {
        let a = r#"{"a":1}"#;
        let input = format!(
            "{}{}\u{feff}Content-Length:7\n\n{a}\r\ncontent-length: 10\r\nContent-Type: x\r\n\r\n\u{feff}{a}",
            msg(a),
            msg(a)
        );
        assert_eq!(bodies(input.as_bytes()), [a, a, a, a]);
    }

    #[test]
    fn resynchronises_after_bad_lengths() {
        let a = r#"{"a":1}"#;
        for bad in [
            "Content-Length: -5\r\n\r\n{}".to_string(),
            "Content-Length: abc\r\n\r\n{}".to_string(),
            "Content-Length: 18446744073709551616\r\n\r\n{}".to_string(),
            "Content-Type: json\r\n\r\n{\"x\": 1}".to_string(),
            "Content-Length 7\r\n\r\n{}".to_string(),
        ] {
            let input = format!("{bad}{}", msg(a));
            let b = bodies(input.as_bytes());
            assert_eq!(
                b.first().map(String::as_str),
                Some("ERROR"),
                "{bad:?}: {b:?}"
            );
            assert_eq!(b.last().map(String::as_str), Some(a), "{bad:?}: {b:?}");
        }
        // Longer than the body: the next message is found inside.
        let input = format!("Content-Length: 100\r\n\r\n{a}{}", msg(a));
        assert_eq!(bodies(input.as_bytes()), ["LOG", a, a]);
        // Shorter: the rest of the body is skipped.
        let input = format!("Content-Length: 3\r\n\r\n{a}{}", msg(a));
        assert_eq!(bodies(input.as_bytes()), ["{\"a", "LOG", a]);
        // Over the limit: refused and skipped without storing it.
        let input = format!("Content-Length: 30000000000\r\n\r\n{a}{}", msg(a));
        assert_eq!(bodies(input.as_bytes()), ["ERROR", "LOG", a]);
        let big = vec![b'x'; MAX_MESSAGE + 10];
        let mut input = format!("Content-Length: {}\r\n\r\n", big.len()).into_bytes();
        input.extend_from_slice(&big);
        input.extend_from_slice(msg(a).as_bytes());
        assert_eq!(bodies(&input), ["ERROR", a]);
        // A long leftover (over a header line's limit), then the next message.
        let input = format!("Content-Length: 3\r\n\r\n{}{}", "x".repeat(10_000), msg(a));
        assert_eq!(bodies(input.as_bytes()), ["xxx", "LOG", a]);
        // Junk between messages, and the end of input inside a message.
        let input = format!("garbage\n\"id\": 3\n{}Content-Length: 10\r\n\r\n{{", msg(a));
        assert_eq!(bodies(input.as_bytes()), ["LOG", a, "LOG"]);
    }

    #[test]
    fn replaces_lone_surrogates() {
        let cases = [
            (r#""\ud83d""#, r#""\uFFFD""#),
            (r#""\ud83d\ude00""#, r#""\ud83d\ude00""#),
            (r#""\\ud83d""#, r#""\\ud83d""#),
            (r#""\\\ud83d x""#, r#""\\\uFFFD x""#),
            (r#""\ude00\ud83d""#, r#""\uFFFD\uFFFD""#),
            (r#""\ud83d\u0041""#, r#""\uFFFD\u0041""#),
            (r#""\ud83d"#, r#""\uFFFD"#),
            (r#""\u12"#, r#""\u12"#),
        ];
        for (input, want) in cases {
            assert_eq!(fix_surrogates(input), want, "{input}");
        }
        let v: Value = serde_json::from_str(&fix_surrogates(r#""a\ud83db""#)).unwrap();
        assert_eq!(v, "a\u{fffd}b");
    }

    #[test]
    fn classifies_bodies() {
        let code = |body: &str| code_bytes(body.as_bytes());
        fn code_bytes(body: &[u8]) -> Vec<(i64, Value)> {
            classify(body)
                .into_iter()
                .map(|i| match i {
                    Incoming::Reply(v) => (v["error"]["code"].as_i64().unwrap(), v["id"].clone()),
                    Incoming::Message(_) => (0, Value::Null),
                    Incoming::Dropped(_) => (1, Value::Null),
                })
                .collect()
        }
        let e = |c: i32, id: Value| vec![(c as i64, id)];
        assert_eq!(code("{}"), e(INVALID_REQUEST, Value::Null));
        assert_eq!(code("42"), e(INVALID_REQUEST, Value::Null));
        assert_eq!(code("null"), e(INVALID_REQUEST, Value::Null));
        assert_eq!(code("not json"), e(PARSE_ERROR, Value::Null));
        assert_eq!(code("[]"), e(INVALID_REQUEST, Value::Null));
        assert_eq!(
            code(r#"[{"id":1,"method":"a"},{"method":"b"},{"id":"x"}]"#),
            vec![
                (INVALID_REQUEST as i64, json!(1)),
                (INVALID_REQUEST as i64, json!("x"))
            ]
        );
        for id in ["2147483648", "9007199254740991", "1.5", "-2147483649"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover"}}"#);
            let v: Value = serde_json::from_str(id).unwrap();
            assert_eq!(code(&body), e(INVALID_REQUEST, v));
        }
        assert_eq!(
            code(r#"{"id":{"a":1},"method":"x"}"#),
            e(INVALID_REQUEST, Value::Null)
        );
        assert_eq!(
            code(r#"{"id":7,"method":42}"#),
            e(INVALID_REQUEST, json!(7))
        );
        assert_eq!(code(r#"{"method":42}"#), e(INVALID_REQUEST, Value::Null));
        assert_eq!(code(r#"{"id":7,"method":"x"}"#), vec![(0, Value::Null)]);
        assert_eq!(code(r#"{"id":7,"result":null}"#), vec![(0, Value::Null)]);
        assert_eq!(code(r#"{"id":1.5,"result":null}"#), vec![(1, Value::Null)]);
        assert_eq!(
            code("{\"method\":\"x\",\"params\":\"\\ud83d\"}\u{ff}"),
            e(PARSE_ERROR, Value::Null)
        );
        assert_eq!(
            code_bytes(b"{\"method\":\"x\",\"params\":\"\\ud83d\xff\"}"),
            vec![(0, Value::Null)]
        );
    }

    #[test]
    fn finds_headers_inside_bodies() {
        assert_eq!(header_line_start(b"xx}Content-Length: 12\r"), Some(3));
        assert_eq!(header_line_start(b"content-length:12"), Some(0));
        assert_eq!(header_line_start(b"\"Content-Length: 12\""), None);
        assert_eq!(header_line_start(b"Content-Length: "), None);
        assert_eq!(header_line_start(b"Content-Type: 12"), None);
    }
}
