//! A minimal LSP client that drives the real binary over stdio.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received but not yet consumed.
    pending: VecDeque<Value>,
    next_id: i64,
}

/// A temporary HOME with a project directory; the server runs with HOME pointing there, so no
/// real user settings file influences a test.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Writes `text` to `rel` under HOME and returns the absolute path.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A path under HOME (not created).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Server {
    pub fn spawn(sandbox: &Sandbox) -> Self {
        Self::spawn_with_env(sandbox, &[])
    }

    pub fn spawn_with_env(sandbox: &Sandbox, extra: &[(&str, &str)]) -> Self {
        std::fs::create_dir_all(sandbox.home()).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_qwen-settings-ls"))
            .env_clear()
            .env("HOME", sandbox.home())
            // the variables the test documents' envKeys name, as a user would export them
            .env("DASHSCOPE_API_KEY", "sk-0123456789abcdef0123456789abcdef")
            .env("IDEALAB_API_KEY", "idealab-test-key")
            .env("K", "test-key")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env(
                "QWEN_CODE_SYSTEM_SETTINGS_PATH",
                sandbox.path("etc/settings.json"),
            )
            .env(
                "QWEN_CODE_SYSTEM_DEFAULTS_PATH",
                sandbox.path("etc/system-defaults.json"),
            )
            .envs(extra.iter().copied())
            .current_dir(sandbox.home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("server sent JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            rx,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    /// Writes raw bytes to the server's stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Closes stdin after `exit` and waits for the process; returns its status.
    pub fn wait(mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its `result` (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let msg = self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none());
        if let Some(err) = msg.get("error") {
            panic!("{method} failed: {err}");
        }
        msg["result"].clone()
    }

    /// Waits for (and consumes) the first message matching `pred`.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.pending.push_back(msg),
                Err(RecvTimeoutError::Timeout) => panic!("timed out; pending: {:?}", self.pending),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("server exited; pending: {:?}", self.pending)
                }
            }
        }
    }

    pub fn initialize(&mut self, encodings: &[&str]) -> Value {
        self.initialize_with(encodings, Value::Null)
    }

    pub fn initialize_with(&mut self, encodings: &[&str], options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": { "general": { "positionEncodings": encodings } },
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, path: &Path, text: &str, version: i32) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": "json", "version": version, "text": text } }),
        );
    }

    /// Waits for the diagnostics of `path` at `version`; stale versions are skipped (and must
    /// never come after a newer one).
    pub fn diagnostics(&mut self, path: &Path, version: i32) -> Vec<Value> {
        let uri = uri(path);
        loop {
            let msg = self.wait_for(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri.as_str()
            });
            let got = msg["params"]["version"].as_i64();
            if got == Some(i64::from(version)) {
                return msg["params"]["diagnostics"].as_array().unwrap().clone();
            }
            assert!(
                got.is_some_and(|v| v < i64::from(version)),
                "diagnostics for version {got:?} while waiting for {version}"
            );
        }
    }

    /// Everything received so far that is still pending.
    pub fn drain_pending(&mut self) -> Vec<Value> {
        while let Ok(msg) = self.rx.try_recv() {
            self.pending.push_back(msg);
        }
        self.pending.drain(..).collect()
    }

    pub fn shutdown(mut self) -> ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(code, line)` pairs of diagnostics, for compact assertions.
pub fn codes(diags: &[Value]) -> Vec<(String, u64)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The position of byte `offset` of `text` in `encoding` ("utf-8" or "utf-16"), computed
/// independently of the server's code.
pub fn position(text: &str, offset: usize, encoding: &str) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = &text[line_start..offset];
    let character = if encoding == "utf-8" {
        col.len()
    } else {
        col.encode_utf16().count()
    };
    json!({ "line": line, "character": character })
}
