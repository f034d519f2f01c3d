//! The language server's byte transport: arbitrary bytes written to a real pipe that
//! `cellac::lsp::transport` reads (as it reads stdin), with the server behind it.
//!
//! The session: a well-formed `initialize` and `initialized`, then the input as it is
//! (headers, bodies, junk: anything), then sync requests (each with a fresh id, up to
//! five, one second apart) until one is answered, then the pipe is closed.
//!
//! Must hold: nothing panics; every frame the server writes is `Content-Length: N`,
//! a blank line and N bytes of JSON (a response with an `id`, or a notification with
//! a `method`); a sync request is answered unless the input sent `exit` (after which
//! the server stops reading); closing the pipe ends the server and the transport's
//! threads (no hang).
#![no_main]

use cellac::lsp::transport;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::Duration;

fn frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Reads the server's frames, checking each, into a channel.
fn read_frames(
    out: impl Read + Send + 'static,
    tx: mpsc::Sender<Value>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut r = BufReader::new(out);
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).expect("the server writes UTF-8 headers") == 0 {
                return;
            }
            let len: usize = line
                .strip_prefix("Content-Length: ")
                .and_then(|l| l.strip_suffix("\r\n"))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad header from the server: {line:?}"));
            line.clear();
            r.read_line(&mut line).expect("a blank line");
            assert_eq!(line, "\r\n", "headers end with a blank line");
            let mut body = vec![0; len];
            r.read_exact(&mut body).expect("the whole body");
            let v: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                // A deep outline can exceed serde_json's default recursion limit.
                Err(e) if e.to_string().contains("recursion limit") => {
                    serde_json::json!({"id": "deep", "result": null})
                }
                Err(e) => panic!("the server wrote invalid JSON ({e}): {body:?}"),
            };
            assert!(
                v.get("method").is_some_and(Value::is_string) || v.get("id").is_some(),
                "not a message: {v}"
            );
            let _ = tx.send(v);
        }
    })
}

extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
}

fuzz_target!(|data: &[u8]| {
    // As in the `cellac` binary (Rust's runtime does it; libFuzzer's main does not): a
    // write to a closed pipe is an error, not a SIGPIPE that kills the process.
    static IGNORE_SIGPIPE: std::sync::Once = std::sync::Once::new();
    // SAFETY: SIGPIPE (13) set to SIG_IGN (1), once, before any pipe is written.
    IGNORE_SIGPIPE.call_once(|| unsafe {
        signal(13, 1);
    });
    let (input, mut to_server) = std::io::pipe().expect("a pipe");
    let (from_server, output) = std::io::pipe().expect("a pipe");
    let (conn, threads) = transport::spawn(input, output).expect("threads start");
    let server = std::thread::spawn(move || cellac::lsp::server::serve(conn));
    let (tx, rx) = mpsc::channel();
    let frames = read_frames(from_server, tx);

    let init = r#"{"jsonrpc":"2.0","id":"fuzz-init","method":"initialize","params":{"capabilities":{}}}"#;
    let mut session = frame(init);
    session.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#));
    session.extend_from_slice(data);
    // The server may stop reading (after `exit`): a broken pipe is not a failure.
    let _ = to_server.write_all(&session);

    let mut answered = false;
    let mut exited = false;
    'sync: for attempt in 0..5 {
        let id = format!("fuzz-sync-{attempt}");
        let body = format!(r#"{{"jsonrpc":"2.0","id":"{id}","method":"$/fuzz/sync"}}"#);
        let mut bytes = b"\r\n".to_vec();
        bytes.extend(frame(&body));
        if to_server.write_all(&bytes).is_err() {
            exited = true;
            break;
        }
        loop {
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(v) if v["id"] == id.as_str() => {
                    answered = true;
                    break 'sync;
                }
                Ok(_) => {}
                Err(_) => {
                    exited = server.is_finished();
                    if exited {
                        break 'sync;
                    }
                    continue 'sync;
                }
            }
        }
    }
    drop(to_server);
    let result = server.join().expect("the server thread does not panic");
    threads.join();
    // Every thread is joined (LeakSanitizer reports a running thread's TLS as a leak).
    frames.join().expect("the frames are well-formed");
    assert!(
        answered || exited,
        "the server neither answered a sync request nor stopped"
    );
    let _ = result;
});
