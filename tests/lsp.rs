//! The language server, in process over `Connection::memory()`: one scripted session
//! per feature, results snapshotted into snapshots/lsp_*.snap.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failure"
)]
use crate::common;

use cellac::lsp::server::ServeError;
use common::lsp::Client;
use serde_json::{json, Value};

const BROKEN: &str = include_str!("lsp/broken.kdl");
const CELLA: &str = include_str!("../examples/cella/stack.kdl");
const URI: &str = "file:///home/dev/project/stack.kdl";

macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// The position of the `nth` occurrence of `needle` in `text`, plus `delta` bytes (ASCII lines).
fn find(text: &str, needle: &str, delta: usize) -> Value {
    let off = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"))
        + delta;
    let line = text[..off].matches('\n').count();
    let col = off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    pos(line as u32, col as u32)
}

fn at(uri: &str, p: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": p})
}

/// `L:C-L:C` (1-based lines, 0-based characters, as editors show them).
fn range(r: &Value) -> String {
    format!(
        "{}:{}-{}:{}",
        r["start"]["line"].as_u64().unwrap() + 1,
        r["start"]["character"],
        r["end"]["line"].as_u64().unwrap() + 1,
        r["end"]["character"]
    )
}

/// One line per diagnostic: range, severity, code, message (help included).
fn render_diagnostics(p: &Value) -> String {
    let mut out = String::new();
    for d in p["diagnostics"].as_array().unwrap() {
        let sev = if d["severity"] == 1 {
            "error"
        } else {
            "warning"
        };
        out.push_str(&format!(
            "{} {sev} {} {}\n",
            range(&d["range"]),
            d["code"].as_str().unwrap(),
            d["message"].as_str().unwrap().replace('\n', "\n    ")
        ));
        for r in d["relatedInformation"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "    related {} {}\n",
                range(&r["location"]["range"]),
                r["message"].as_str().unwrap()
            ));
        }
    }
    out
}

#[test]
fn lsp_initialize() {
    let mut c = Client::raw();
    let r = c.result("initialize", json!({"capabilities": {}}));
    c.notify("initialized", json!({}));
    snap!("lsp_initialize", serde_json::to_string_pretty(&r).unwrap());
    c.shutdown();

    let mut c = Client::raw();
    let r = c.result(
        "initialize",
        json!({"capabilities": {"general": {"positionEncodings": ["utf-32", "utf-8", "utf-16"]}}}),
    );
    assert_eq!(r["capabilities"]["positionEncoding"], "utf-8");
    c.notify("initialized", json!({}));
    c.shutdown();
}

#[test]
fn lsp_diagnostics() {
    let mut c = Client::start();
    let p = c.open(URI, BROKEN);
    assert_eq!(p["version"], 1);
    snap!("lsp_diagnostics", render_diagnostics(&p));
    let p = c.open("file:///home/dev/project/cella.kdl", CELLA);
    assert_eq!(p["diagnostics"], json!([]));
    c.shutdown();
}

/// The UTF-16 column of a byte offset, counted independently of the server.
fn utf16_position(text: &str, off: usize) -> (u64, u64) {
    let line = text[..off].matches('\n').count();
    let start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    (line as u64, text[start..off].encode_utf16().count() as u64)
}

#[test]
fn lsp_diagnostics_equal_cellac_check() {
    let syntax = "stack x\nservice a {\n  port 80\n  memory = \n";
    let mixed = "// Café ☕ et crème 😀\nstack démo\nservice api { env GREETING=\"héllo 😀\" X=(var)nope; memory 100; }\n";
    // Nesting past the one depth guard (`cellac::syntax::depth`, 64): the editor used an
    // older guard of its own (200, `cellac::syntax`) and answered differently (issue 24).
    let deep = format!("stack x\n{}", "a {\n".repeat(300));
    let dashes = format!("stack x\n{}node\n", "/- ".repeat(65));
    for (i, text) in [BROKEN, CELLA, syntax, mixed, &deep, &dashes]
        .into_iter()
        .enumerate()
    {
        let mut c = Client::start();
        let uri = format!("file:///home/dev/project/s{i}.kdl");
        let published = c.open(&uri, text);
        let published = published["diagnostics"].as_array().unwrap();
        let expected = cellac::check(text).diagnostics;
        assert_eq!(published.len(), expected.len(), "{text}");
        if i >= 4 {
            assert_eq!(expected[0].code, "cellac::syntax::depth", "{text}");
        }
        for (p, e) in published.iter().zip(&expected) {
            assert_eq!(p["code"], e.code);
            assert_eq!(p["source"], "cellac");
            let message = p["message"].as_str().unwrap();
            assert_eq!(message.split("\nhelp: ").next().unwrap(), e.message);
            if let Some(help) = &e.help {
                assert!(message.ends_with(&format!("\nhelp: {help}")));
            }
            assert_eq!(p["severity"], if e.is_error() { 1 } else { 2 });
            let (sl, sc) = utf16_position(text, e.span().start);
            let (el, ec) = utf16_position(text, e.span().end);
            assert_eq!(
                p["range"],
                json!({"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}})
            );
        }
        c.shutdown();
    }
}

#[test]
fn lsp_non_ascii_positions() {
    // Accents and an emoji before the diagnostic, on the same line and the lines above.
    let text = "// Café ☕ crème\nstack démo region=fr-par\nsecret s\nservice api { env GREETING=\"héllo 😀\" X=(var)nope; secret-env S=s; }\n";
    let line = "service api { env GREETING=\"héllo 😀\" X=(var)nope; secret-env S=s; }";
    let before = &line[..line.find("(var)nope").unwrap()];
    let units = before.encode_utf16().count() as u64;
    let bytes = before.len() as u64;
    assert_eq!((units, bytes), (40, 43));
    let var = |p: &Value| {
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "cellac::var::undeclared")
            .cloned()
            .unwrap()
    };

    let mut c = Client::start();
    let d = var(&c.open(URI, text));
    assert_eq!(
        d["range"],
        json!({"start": {"line": 3, "character": units}, "end": {"line": 3, "character": units + 9}})
    );
    // Hover on the reference, in UTF-16.
    let h = c.result("textDocument/hover", at(URI, pos(3, units as u32 + 6)));
    assert_eq!(
        h["range"],
        json!({"start": {"line": 3, "character": units + 5}, "end": {"line": 3, "character": units + 9}})
    );
    // An edit after the emoji, in UTF-16: `nope` → `none`.
    let p = c.change(
        URI,
        2,
        json!([{"range": {"start": pos(3, units as u32 + 7), "end": pos(3, units as u32 + 8)}, "text": "n"}]),
    );
    let d = var(&p);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("variable `none` is not declared"),
        "{d}"
    );
    c.shutdown();

    let mut c =
        Client::with_capabilities(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    let d = var(&c.open(URI, text));
    assert_eq!(
        d["range"],
        json!({"start": {"line": 3, "character": bytes}, "end": {"line": 3, "character": bytes + 9}})
    );
    let p = c.change(
        URI,
        2,
        json!([{"range": {"start": pos(3, bytes as u32 + 7), "end": pos(3, bytes as u32 + 8)}, "text": "n"}]),
    );
    assert!(var(&p)["message"]
        .as_str()
        .unwrap()
        .starts_with("variable `none` is not declared"));
    // A position inside the emoji's bytes is clamped to its start, not a panic.
    let emoji = line.find('😀').unwrap() as u32;
    let r = c.request("textDocument/hover", at(URI, pos(3, emoji + 2)));
    assert!(r.error.is_none());
    c.shutdown();
}

#[test]
fn lsp_change() {
    let mut c = Client::start();
    let text = "stack shop\nservice api {\n    memory 1000\n}\n";
    let p = c.open(URI, text);
    snap!("lsp_change_open", render_diagnostics(&p));
    // Incremental: two edits in one notification, applied in order.
    let p = c.change(
        URI,
        2,
        json!([
            {"range": {"start": pos(2, 11), "end": pos(2, 15)}, "text": "512"},
            {"range": {"start": pos(3, 1), "end": pos(3, 1)}, "text": "\nservice api {\n    port 8012\n}"},
        ]),
    );
    assert_eq!(p["version"], 2);
    snap!("lsp_change_incremental", render_diagnostics(&p));
    // Full text.
    let p = c.change(
        URI,
        3,
        json!([{"text": "stack shop\nservice api { port 8080; }\n"}]),
    );
    assert_eq!(p["diagnostics"], json!([]));
    // Save: published again.
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(c.diagnostics(URI)["diagnostics"], json!([]));
    // Close: cleared.
    let p = c.change(
        URI,
        4,
        json!([{"text": "stack shop\nservice api { port 8080; memory 7; }\n"}]),
    );
    assert_eq!(p["diagnostics"].as_array().unwrap().len(), 1);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(c.diagnostics(URI)["diagnostics"], json!([]));
    c.shutdown();
}

#[test]
fn lsp_hover() {
    let mut c = Client::start();
    c.open(URI, CELLA);
    let cases = [
        ("node `service`", "service backend", 0),
        ("property `region`", "region=nl-ams", 2),
        ("property `zone`", "zone=nl-ams-1", 0),
        ("child `memory`", "memory 1024", 2),
        ("argument of `memory`", "memory 1024", 8),
        ("child `scale` property `min`", "min=0 max=10", 1),
        ("secret reference", "=database_url", 3),
        ("var reference", "(var)admin_email SYSTEM", 8),
        ("link target", "link backend", 7),
        ("domain service=", "service=backend", 10),
        ("domain site=", "site=frontend", 6),
        ("environment override", "service backend { scale min=2", 10),
        ("env property", "NODE_ENV=production DEV_MODE=core", 2),
        ("environment node", "environment dev", 3),
        ("comment", "// Plain settings", 4),
    ];
    let mut out = String::new();
    for (what, needle, delta) in cases {
        let h = c.result("textDocument/hover", at(URI, find(CELLA, needle, delta)));
        out.push_str(&format!("=== {what} ({needle:?} +{delta})\n"));
        if h.is_null() {
            out.push_str("null\n\n");
        } else {
            out.push_str(&format!(
                "range {}\n{}\n\n",
                range(&h["range"]),
                h["contents"]["value"].as_str().unwrap()
            ));
            assert_eq!(h["contents"]["kind"], "markdown");
        }
    }
    snap!("lsp_hover", out);
    // On text that does not parse, node and property docs still come from the line.
    let broken = "stack x\nservice api {\n    scale min=1 max=\n";
    c.open("file:///home/dev/project/b.kdl", broken);
    let h = c.result(
        "textDocument/hover",
        at("file:///home/dev/project/b.kdl", pos(2, 11)),
    );
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("fewest instances"),
        "{h}"
    );
    c.shutdown();
}

/// A document being typed, with `|` marking each completion point.
const TYPING: &str = "stack shop region=nl-ams zone=|
secret database_url postgres=|
secret cookie_secret
var admin_email format=email
var level default=info
|
service api {
    |
    memory |
    protocol |
    secret-env DATABASE_URL=|
    secret-env COOKIE=cook|
    env ADMIN=(var)|
    env LEVEL=|
    sc|
    scale m|
}
service worker {
    link |
    health \"/\" |
}
site web {
    dist \"web/dist\"
}
bucket files {
    |
}
monitoring {
    alerts email=(|
}
domain shop.example.com service=|
domain www.example.com site=|
environment prod {
    |
    service |
    service api { memory |
";

#[test]
fn lsp_completion() {
    let marks: Vec<usize> = TYPING.match_indices('|').map(|(i, _)| i).collect();
    let text = TYPING.replace('|', "");
    let mut c = Client::start();
    let p = c.open(URI, &text);
    assert!(
        !p["diagnostics"].as_array().unwrap().is_empty(),
        "the document is broken"
    );
    let mut out = String::new();
    for (n, m) in marks.iter().enumerate() {
        let off = m - n; // each earlier `|` removed
        let line = text[..off].matches('\n').count();
        let line_start = text[..off].rfind('\n').map_or(0, |i| i + 1);
        let col = off - line_start;
        let r = c.result(
            "textDocument/completion",
            at(URI, pos(line as u32, col as u32)),
        );
        let items = r.as_array().cloned().unwrap_or_default();
        let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
        let line_text = text[line_start..].lines().next().unwrap_or_default();
        out.push_str(&format!(
            "{:>2}:{:<2} {:?}|\n    {}\n",
            line + 1,
            col,
            &line_text[..col],
            labels.join(" ")
        ));
        if let Some(first) = items.first() {
            let e = &first["textEdit"];
            out.push_str(&format!(
                "    edit {} {:?}\n",
                range(&e["range"]),
                e["newText"].as_str().unwrap()
            ));
        }
    }
    snap!("lsp_completion", out);
    // One whole item.
    let r = c.result("textDocument/completion", at(URI, pos(8, 11)));
    snap!(
        "lsp_completion_item",
        serde_json::to_string_pretty(&r[0]).unwrap()
    );
    c.shutdown();
}

#[test]
fn lsp_definition_references() {
    let mut c = Client::start();
    c.open(URI, CELLA);
    let mut out = String::new();
    let cases = [
        ("secret ref", "=cookie_secret", 2),
        ("var ref", "(var)admin_email SYSTEM", 7),
        ("link target", "link backend", 6),
        ("domain service", "service=backend", 9),
        ("domain site", "site=frontend", 6),
        ("override", "site frontend { bucket", 6),
        ("declaration", "secret cdc_internal_secret", 8),
        ("not a name", "port 4000", 6),
    ];
    for (what, needle, delta) in cases {
        let p = find(CELLA, needle, delta);
        let d = c.result("textDocument/definition", at(URI, p.clone()));
        let mut params = at(URI, p);
        params["context"] = json!({"includeDeclaration": true});
        let refs = c.result("textDocument/references", params);
        let refs: Vec<String> = refs
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| range(&l["range"]))
            .collect();
        out.push_str(&format!(
            "{what}: definition {} references [{}]\n",
            if d.is_null() {
                "null".into()
            } else {
                format!("{} {}", d["uri"].as_str().unwrap(), range(&d["range"]))
            },
            refs.join(", ")
        ));
    }
    let mut params = at(URI, find(CELLA, "link backend", 6));
    params["context"] = json!({"includeDeclaration": false});
    let refs = c.result("textDocument/references", params);
    out.push_str(&format!(
        "backend without its declaration: {}\n",
        refs.as_array().unwrap().len()
    ));
    snap!("lsp_definition_references", out);
    c.shutdown();
}

fn outline(symbols: &Value, depth: usize, out: &mut String) {
    for s in symbols.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}{} [{}] {} {}{}\n",
            "  ".repeat(depth),
            s["name"].as_str().unwrap(),
            s["kind"],
            range(&s["range"]),
            range(&s["selectionRange"]),
            s["detail"]
                .as_str()
                .map(|d| format!(" — {d}"))
                .unwrap_or_default()
        ));
        outline(&s["children"], depth + 1, out);
    }
}

#[test]
fn lsp_symbols() {
    let mut c = Client::start();
    c.open(URI, CELLA);
    let r = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let mut out = String::new();
    outline(&r, 0, &mut out);
    snap!("lsp_symbols", out);
    c.shutdown();
}

#[test]
fn lsp_formatting() {
    let messy = "// The stack\nstack   shop   region=nl-ams\nservice api {  // the API\nport 4000 // the port\n        memory 512 /* MB */\n  env A=\"x\"   B=1\n\n\n  // scaling\n  scale min=0 max=2; timeout 30\n}\n";
    let mut c = Client::start();
    c.open(URI, messy);
    let params =
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 4, "insertSpaces": true}});
    let edits = c.result("textDocument/formatting", params.clone());
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["range"],
        json!({"start": pos(0, 0), "end": pos(11, 0)})
    );
    let formatted = edits[0]["newText"].as_str().unwrap().to_string();
    snap!("lsp_formatting", formatted.clone());
    // Formatted text: nothing to change.
    c.change(URI, 2, json!([{"text": formatted}]));
    assert_eq!(
        c.result("textDocument/formatting", params.clone()),
        json!([])
    );
    // The canonical example: every comment kept, the same diagnostics.
    c.change(URI, 3, json!([{"text": CELLA}]));
    let edits = c.result("textDocument/formatting", params.clone());
    let formatted = edits[0]["newText"].as_str().unwrap_or(CELLA);
    // A comment starts a line or follows a space (`wss://` is not one).
    let comment = |l: &'static str| {
        l.match_indices("//")
            .find(|(i, _)| *i == 0 || l.as_bytes()[i - 1].is_ascii_whitespace())
            .map(|(i, _)| &l[i..])
    };
    for line in CELLA.lines().filter_map(comment) {
        assert!(formatted.contains(line), "{line:?} lost:\n{formatted}");
    }
    assert_eq!(cellac::check(formatted).diagnostics, vec![]);
    // A comment after a closing brace: formatted, and kept (issue 22).
    c.change(
        URI,
        4,
        json!([{"text": "stack x\nservice api {\n  port 1\n} // end\n"}]),
    );
    assert_eq!(
        c.result("textDocument/formatting", params.clone())[0]["newText"],
        "stack x\nservice api {\n    port 1\n} // end\n"
    );
    // Text that does not parse: nothing.
    c.change(URI, 5, json!([{"text": "service api {\n  port"}]));
    assert_eq!(c.result("textDocument/formatting", params), Value::Null);
    c.shutdown();
}

#[test]
fn lsp_code_action() {
    let mut c = Client::start();
    let p = c.open(URI, BROKEN);
    let diags = p["diagnostics"].clone();
    let whole = json!({"start": pos(0, 0), "end": pos(100, 0)});
    let r = c.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": whole, "context": {"diagnostics": diags}}),
    );
    let mut out = String::new();
    let mut text = BROKEN.to_string();
    let mut edits = Vec::new();
    for a in r.as_array().unwrap() {
        assert_eq!(a["kind"], "quickfix");
        let e = &a["edit"]["changes"][URI][0];
        out.push_str(&format!(
            "{} — {} at {} for {}\n",
            a["title"].as_str().unwrap(),
            e["newText"],
            range(&e["range"]),
            a["diagnostics"][0]["code"].as_str().unwrap()
        ));
        edits.push(e.clone());
    }
    // Apply them, last first, and check again: the typos are gone.
    for e in edits.iter().rev() {
        let line_off = |l: u64| {
            text.split_inclusive('\n')
                .take(l as usize)
                .map(str::len)
                .sum::<usize>()
        };
        let s = line_off(e["range"]["start"]["line"].as_u64().unwrap())
            + e["range"]["start"]["character"].as_u64().unwrap() as usize;
        let t = line_off(e["range"]["end"]["line"].as_u64().unwrap())
            + e["range"]["end"]["character"].as_u64().unwrap() as usize;
        text.replace_range(s..t, e["newText"].as_str().unwrap());
    }
    let p = c.change(URI, 2, json!([{"text": text}]));
    out.push_str("\nafter applying every fix:\n");
    out.push_str(&render_diagnostics(&p));
    snap!("lsp_code_action", out);
    // A range with no diagnostic: no actions.
    let r = c.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": pos(0, 0), "end": pos(0, 2)}, "context": {"diagnostics": []}}),
    );
    assert_eq!(r, json!([]));
    c.shutdown();
}

#[test]
fn lsp_robustness() {
    // Requests before initialize are refused, not fatal.
    let mut c = Client::raw();
    let r = c.request("textDocument/hover", at(URI, pos(0, 0)));
    assert_eq!(r.error.unwrap().code, -32002);
    c.result(
        "initialize",
        json!({"capabilities": {}, "processId": "not a number"}),
    );
    c.notify("initialized", json!({}));

    // Unknown requests: MethodNotFound. Unknown notifications: ignored.
    let r = c.request("cellac/unknown", json!({}));
    assert_eq!(r.error.unwrap().code, -32601);
    c.notify("cellac/unknownNotification", json!([1, 2]));
    // Malformed params: InvalidParams, and the server still answers.
    let r = c.request("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(r.error.unwrap().code, -32602);
    c.notify("textDocument/didOpen", json!({"nonsense": true}));
    c.notify("textDocument/didChange", json!(null));
    // Requests on documents that are not open.
    assert_eq!(
        c.result("textDocument/hover", at("file:///nowhere.kdl", pos(0, 0))),
        Value::Null
    );
    assert_eq!(
        c.result(
            "textDocument/completion",
            at("file:///nowhere.kdl", pos(0, 0))
        ),
        Value::Null
    );

    // Not stacks at all.
    for (i, text) in [
        "{\"json\": true}",
        "",
        "\u{feff}\0\u{7}",
        "}}}}{{{{",
        "/* unterminated",
        "\"unterminated",
    ]
    .iter()
    .enumerate()
    {
        let uri = format!("file:///home/dev/x{i}.kdl");
        let p = c.open(&uri, text);
        assert!(p["diagnostics"].is_array());
        for req in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
            "textDocument/references",
            "textDocument/documentSymbol",
            "textDocument/formatting",
        ] {
            let mut params = at(&uri, pos(0, 1));
            if req == "textDocument/references" {
                params["context"] = json!({"includeDeclaration": true});
            }
            if req == "textDocument/formatting" {
                params["options"] = json!({"tabSize": 2, "insertSpaces": true});
            }
            let r = c.request(req, params);
            assert!(r.error.is_none(), "{req} on {text:?}: {r:?}");
        }
    }

    // Edits out of range are clamped.
    c.open(URI, "stack shop\n");
    let p = c.change(URI, 2, json!([{"range": {"start": pos(50, 3), "end": pos(2, 1)}, "text": "\nservice api { port 8080; memory 7; }"}]));
    assert_eq!(p["diagnostics"][0]["code"], "cellac::memory::tier");
    let p = c.change(
        URI,
        3,
        json!([{"range": {"start": pos(0, 4000), "end": pos(0, 0)}, "text": "X"}]),
    );
    assert!(p["diagnostics"].is_array());
    assert_eq!(
        c.result("textDocument/hover", at(URI, pos(u32::MAX, u32::MAX))),
        Value::Null
    );

    // Huge documents: very deep nesting, and many megabytes.
    let deep = "a {".repeat(100_000);
    let p = c.open("file:///home/dev/deep.kdl", &deep);
    // The front end's one depth guard, as `cellac check` (issue 24).
    assert_eq!(p["diagnostics"][0]["code"], "cellac::syntax::depth");
    c.result(
        "textDocument/completion",
        at("file:///home/dev/deep.kdl", pos(0, 300_000)),
    );
    c.result(
        "textDocument/hover",
        at("file:///home/dev/deep.kdl", pos(0, 3)),
    );
    // Just under the guard: parsed, on this thread's 2 MB stack.
    let nested = format!("{}{}", "a {".repeat(199), "}".repeat(199));
    let p = c.open("file:///home/dev/nested.kdl", &nested);
    assert!(p["diagnostics"].is_array());
    c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": "file:///home/dev/nested.kdl"}}),
    );
    let big: String = (0..20_000).map(|i| format!("secret s{i}\n")).collect();
    let p = c.open("file:///home/dev/big.kdl", &format!("stack big\n{big}"));
    assert!(p["diagnostics"].as_array().unwrap().len() >= 20_000);

    // Still answering.
    let r = c.request("cellac/unknown", json!({}));
    assert_eq!(r.error.unwrap().code, -32601);
    c.shutdown();
}

#[test]
fn lsp_shutdown() {
    let mut c = Client::start();
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r.result, Some(Value::Null));
    // After shutdown, requests are invalid.
    let r = c.request("textDocument/hover", at(URI, pos(0, 0)));
    assert_eq!(r.error.unwrap().code, -32600);
    c.notify("exit", Value::Null);
    assert!(c.server.take().unwrap().join().unwrap().is_ok());

    // Exit without shutdown: an error (the process exits with 1).
    let mut c = Client::start();
    c.notify("exit", Value::Null);
    assert!(matches!(
        c.server.take().unwrap().join().unwrap(),
        Err(ServeError::ExitWithoutShutdown)
    ));
}

#[test]
fn lsp_secrets_file() {
    let dir = common::scratch("secrets");
    let stack = "stack shop\nsecret database_url postgres=pooled\nsecret api_key min-length=32\n\
                 service api { port 8080; secret-env DATABASE_URL=database_url KEY=api_key; }\n";
    let secrets = "database_url = \"postgres://user:hunter2-pässword@db.example.com/app\"\n\
                   api_key = \"too-short-sekrit\"\nstray = \"leaked-value\"\n";
    std::fs::write(dir.join("stack.kdl"), stack).unwrap();
    std::fs::write(dir.join("secrets.auto.tfvars"), secrets).unwrap();
    let uri = format!("file://{}/stack.kdl", dir.display());
    let suri = format!("file://{}/secrets.auto.tfvars", dir.display());

    let mut c = Client::start();
    let p = c.open(&uri, stack);
    assert_eq!(p["diagnostics"], json!([]));
    let s = c.diagnostics(&suri);
    let raw = s.to_string();
    for value in ["hunter2", "pässword", "too-short-sekrit", "leaked-value"] {
        assert!(!raw.contains(value), "{value} sent to the client: {raw}");
    }
    snap!("lsp_secrets_file", render_diagnostics(&s));
    // Compare with the CLI's check.
    let mut checked = cellac::check(stack);
    checked.check_secrets(secrets, &[]);
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    let published: Vec<&str> = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .chain(s["diagnostics"].as_array().unwrap())
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(published, codes);

    // The secrets file opened and fixed in the editor: checked from memory.
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": suri, "languageId": "hcl", "version": 1, "text": secrets}}),
    );
    c.diagnostics(&uri);
    c.diagnostics(&suri);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": suri, "version": 2}, "contentChanges": [{"text": "api_key = \"0123456789abcdef0123456789abcdef\"\n"}]}),
    );
    // `database_url` now has no value: reported at its declaration, in the stack.
    let p = c.diagnostics(&uri);
    let codes: Vec<&str> = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["cellac::secrets-file::missing"]);
    assert_eq!(range(&p["diagnostics"][0]["range"]), "2:7-2:19");
    let s = c.diagnostics(&suri);
    assert_eq!(s["version"], 2);
    assert_eq!(s["diagnostics"], json!([]));
    // Closing the stack clears both.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(c.diagnostics(&uri)["diagnostics"], json!([]));
    assert_eq!(c.diagnostics(&suri)["diagnostics"], json!([]));
    c.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A misspelt key in the secrets file beside a stack: the quick fix renames it to the
/// declared secret that has no value yet, and never sends a value.
#[test]
fn lsp_secrets_file_quick_fix() {
    let dir = std::env::temp_dir().join(format!("cellac-lsp-secrets-fix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stack = "stack shop\nsecret database_url\nsecret api_key\n\
                 service api { port 8080; secret-env DATABASE_URL=database_url KEY=api_key; }\n";
    let secrets = "databse_url = \"hunter2-value\"\napi_key = \"0123456789abcdef\"\n";
    std::fs::write(dir.join("stack.kdl"), stack).unwrap();
    std::fs::write(dir.join("secrets.auto.tfvars"), secrets).unwrap();
    let uri = format!("file://{}/stack.kdl", dir.display());
    let suri = format!("file://{}/secrets.auto.tfvars", dir.display());
    let mut c = Client::start();
    c.open(&uri, stack);
    c.diagnostics(&suri);
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": suri, "languageId": "hcl", "version": 1, "text": secrets}}),
    );
    c.diagnostics(&uri);
    c.diagnostics(&suri);
    let r = c.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": suri}, "range": {"start": pos(0, 0), "end": pos(0, 3)}, "context": {"diagnostics": []}}),
    );
    let actions = r.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{r}");
    assert_eq!(actions[0]["title"], "Replace with `database_url`");
    assert_eq!(actions[0]["isPreferred"], false);
    let edit = &actions[0]["edit"]["changes"][&suri][0];
    assert_eq!(edit["newText"], "database_url");
    assert_eq!(range(&edit["range"]), "1:0-1:11");
    assert!(!r.to_string().contains("hunter2"), "{r}");
    c.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// "Fix all" (`source.fixAll`, what editors run on save): every safe fix of
/// `cellac check --fix`, as one edit of the whole document; and nothing else when only
/// that is asked for.
#[test]
fn lsp_fix_all() {
    let mut c = Client::start();
    let text = "stack shop region=fr-pra\nservice api {\n  port \"8080\"\n  memroy 512\n}\n";
    c.open(URI, text);
    let whole = json!({"start": pos(0, 0), "end": pos(5, 0)});
    let r = c.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = r.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{r}");
    assert_eq!(actions[0]["kind"], "source.fixAll");
    assert_eq!(
        actions[0]["title"],
        "Apply 3 safe fixes (cellac check --fix)"
    );
    let edit = &actions[0]["edit"]["changes"][URI][0];
    assert_eq!(
        edit["newText"],
        "stack shop region=fr-par\nservice api {\n  port 8080\n  memory 512\n}\n"
    );
    // Quick fixes alone: no fix-all among them.
    let r = c.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": whole, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let kinds: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["quickfix"; 3]);
    c.shutdown();
}

/// Issue 24, item 7: a check that a newer version overtakes is never published. The
/// change arrives while the first version of a large stack is being checked (or, on a
/// fast machine, before that check starts: then the two are checked once); either way
/// the first publish is of version 2. (Before, version 1's diagnostics were published
/// after its check, and version 2's after another.)
#[test]
fn lsp_drops_a_check_a_newer_version_overtakes() {
    let text = common::gen::stack(1000);
    let uri = "file:///home/dev/project/big.kdl";
    let mut c = Client::start();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "kdl", "version": 1, "text": text}}),
    );
    std::thread::sleep(std::time::Duration::from_millis(30));
    let edited = text.replacen("port ", "port 1", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let first = c.diagnostics(uri);
    assert_eq!(first["version"], 2, "a stale check was published");
    // A document over the editor's limit is not checked at each keystroke: one
    // diagnostic says so (it took 6 s a keystroke at 10 MB).
    let huge = format!("stack x\n{}", "// filler line\n".repeat((2 << 20) / 15 + 1));
    let p = c.open("file:///home/dev/project/huge.kdl", &huge);
    assert_eq!(p["diagnostics"].as_array().unwrap().len(), 1, "{p}");
    assert_eq!(p["diagnostics"][0]["code"], "cellac::lsp::too-large");
    // Just under it: checked (a comment-only stack has no diagnostics).
    let under = format!(
        "stack x\n{}",
        "// filler line\n".repeat((2 << 20) / 15 - 100)
    );
    let p = c.open("file:///home/dev/project/under.kdl", &under);
    assert_eq!(p["diagnostics"], json!([]), "{p}");
    // Negative control: with no newer version, the open's check is published.
    let other = "file:///home/dev/project/other.kdl";
    assert_eq!(c.open(other, CELLA)["version"], 1);
    c.shutdown();
}
