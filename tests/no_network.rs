//! The product never opens a network connection (README: "It never opens a network
//! connection"): (a) no network client, TLS or socket crate is in the dependency tree, and
//! tokio is built without its `net` feature; (b) a full server session under `strace` makes no
//! socket or connect call for anything but a Unix socket.
//!
//! Both parts need a tool (`cargo`, `strace`): locally they are skipped with a message when it
//! is missing; under CI (`CI=true`) they fail instead. `.ci/run` installs strace if needed.

#[path = "hostile/client.rs"]
mod client;

use client::{BIN, Lsp, Sandbox, uri};
use serde_json::json;
use std::process::Command;
use std::time::Duration;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Skips (locally) or fails (in CI) for want of `tool`.
fn missing(tool: &str, why: &str) {
    assert!(!in_ci(), "{tool} is required under CI: {why}");
    eprintln!("skipped: {tool} unavailable ({why})");
}

/// Crates whose purpose is to talk over a network, by what they are:
/// - HTTP clients and stacks: hyper*, reqwest, ureq, isahc, curl, surf, attohttpc, minreq,
///   http_req, ehttp, h2, h3, quinn (QUIC), tonic (gRPC);
/// - TLS: rustls*, native-tls, openssl*, boring*, schannel, security-framework, webpki*;
/// - WebSockets, DNS, SSH: tungstenite*, hickory-*, trust-dns-*, ssh2, libssh2-sys;
/// - raw sockets and reporting: socket2, sentry, opentelemetry-otlp.
///
/// Allowed on purpose: `mio` (tokio's I/O driver, also used for stdio; it is absent today) and
/// `httparse` (tower-lsp-server parses the LSP `Content-Length` header with it; a parser only).
/// tokio itself is allowed, but not with its `net` feature (checked below).
const NETWORK_CRATES: &[&str] = &[
    "hyper",
    "hyper-util",
    "hyper-tls",
    "hyper-rustls",
    "reqwest",
    "ureq",
    "ureq-proto",
    "isahc",
    "curl",
    "curl-sys",
    "surf",
    "attohttpc",
    "minreq",
    "http_req",
    "ehttp",
    "h2",
    "h3",
    "quinn",
    "quinn-proto",
    "tonic",
    "rustls",
    "tokio-rustls",
    "rustls-native-certs",
    "rustls-platform-verifier",
    "webpki",
    "webpki-roots",
    "rustls-webpki",
    "native-tls",
    "tokio-native-tls",
    "openssl",
    "openssl-sys",
    "boring",
    "boring-sys",
    "schannel",
    "security-framework",
    "tungstenite",
    "tokio-tungstenite",
    "async-tungstenite",
    "hickory-resolver",
    "hickory-proto",
    "trust-dns-resolver",
    "trust-dns-proto",
    "ssh2",
    "libssh2-sys",
    "socket2",
    "sentry",
    "opentelemetry-otlp",
];

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

#[test]
fn no_network_crate_in_the_dependency_tree() {
    let out = Command::new(cargo())
        .args(["tree", "--prefix", "none", "-e", "normal", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return missing(
                "cargo tree",
                &String::from_utf8_lossy(&o.stderr)
                    .chars()
                    .take(500)
                    .collect::<String>(),
            );
        }
        Err(e) => return missing("cargo", &e.to_string()),
    };
    let tree = String::from_utf8(out.stdout).unwrap();
    let crates: std::collections::BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(
        crates.contains("qwen-settings-ls") && crates.contains("tokio"),
        "unexpected cargo tree output:\n{tree}"
    );
    let found: Vec<&&str> = NETWORK_CRATES
        .iter()
        .filter(|c| crates.contains(**c))
        .collect();
    assert!(found.is_empty(), "network crates in the tree: {found:?}");

    // tokio without `net`: the runtime cannot open a socket
    let out = Command::new(cargo())
        .args(["tree", "-e", "features", "-i", "tokio", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree -e features");
    let features = String::from_utf8(out.stdout).unwrap();
    assert!(
        features.contains("tokio feature \"rt\""),
        "unexpected output:\n{features}"
    );
    assert!(
        !features.contains("tokio feature \"net\""),
        "tokio is built with its net feature:\n{features}"
    );
}

#[test]
fn a_full_session_opens_no_socket() {
    match Command::new("strace").arg("-V").output() {
        Ok(o) if o.status.success() => {}
        _ => return missing("strace", "not installed (apt-get install strace)"),
    }
    let sandbox = Sandbox::new();
    let trace = sandbox.dir.path().join("strace.out");
    let text = r#"{
  "$version": 4,
  "modelProviders": {
    "openai": [{ "id": "qwen3-coder-plus", "baseUrl": "http://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions", "envKey": "DASHSCOPE_API_KEY" }],
    "anthropic": [{ "id": "claude", "baseUrl": "https://openrouter.ai/api", "envKey": "OPENROUTER_API_KEY" }]
  },
  "security": { "auth": { "selectedType": "openai" } },
  "model": { "name": "qwen3-coder" },
}
"#;
    let path = sandbox.write("proj/.qwen/settings.json", text);
    sandbox.write(
        "proj/.env",
        "DASHSCOPE_API_KEY=sk-0123456789abcdef0123456789abcdef\n",
    );
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=network", "-o"])
        .arg(&trace)
        .arg(BIN)
        .env_clear()
        .env("HOME", sandbox.home())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(
            "QWEN_CODE_SYSTEM_SETTINGS_PATH",
            sandbox.dir.path().join("etc/settings.json"),
        )
        .env(
            "QWEN_CODE_SYSTEM_DEFAULTS_PATH",
            sandbox.dir.path().join("etc/system-defaults.json"),
        )
        .current_dir(sandbox.path("proj"));
    let t = Duration::from_secs(30);
    let mut lsp = Lsp::start(cmd);
    lsp.initialize(&["utf-16"], t);
    lsp.open(&path, text, 1);
    let diags = lsp.diagnostics(&path, 1, t).expect("diagnostics");
    assert!(!diags.is_empty());
    lsp.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri(&path), "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": 7, "character": 33 }, "end": { "line": 7, "character": 34 } }, "text": "" }]
        }),
    );
    lsp.diagnostics(&path, 2, t).expect("diagnostics");
    let doc = json!({ "uri": uri(&path) });
    for (line, character) in [(3, 40), (3, 70), (3, 130), (7, 20), (6, 40), (1, 4)] {
        let pos =
            json!({ "textDocument": doc, "position": { "line": line, "character": character } });
        lsp.request("textDocument/hover", pos.clone(), t);
        lsp.request("textDocument/completion", pos.clone(), t);
        lsp.request(
            "textDocument/codeAction",
            json!({ "textDocument": doc, "range": { "start": pos["position"], "end": pos["position"] }, "context": { "diagnostics": [] } }),
            t,
        );
    }
    lsp.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": doc }),
        t,
    );
    lsp.notify("textDocument/didSave", json!({ "textDocument": doc }));
    lsp.notify("textDocument/didClose", json!({ "textDocument": doc }));
    let status = lsp.shutdown(t).expect("exit");
    assert_eq!(status.code(), Some(0), "{}", lsp.stderr_text());

    let log = std::fs::read_to_string(&trace).expect("strace output");
    let calls: Vec<&str> = log
        .lines()
        .filter(|l| {
            let call = l.split_whitespace().nth(1).unwrap_or("");
            [
                "socket(",
                "connect(",
                "bind(",
                "sendto(",
                "sendmsg(",
                "socketpair(",
            ]
            .iter()
            .any(|c| call.starts_with(c))
        })
        .collect();
    eprintln!(
        "strace: {} network syscalls, all listed: {calls:#?}",
        calls.len()
    );
    let bad: Vec<&&str> = calls
        .iter()
        .filter(|l| {
            let families: Vec<&str> = l
                .match_indices("AF_")
                .map(|(i, _)| {
                    l[i..]
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .next()
                        .unwrap()
                })
                .collect();
            families.is_empty() && (l.contains("socket(") || l.contains("connect("))
                || families.iter().any(|f| *f != "AF_UNIX")
        })
        .collect();
    assert!(bad.is_empty(), "network syscalls: {bad:#?}");
}
