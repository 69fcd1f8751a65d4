//! A raw LSP client for the hostile, secrets and no-network tests (included with `#[path]`):
//! it can write arbitrary bytes, records every byte the server writes to stdout and stderr,
//! parses stdout strictly (anything that is not a well-formed frame is recorded as garbage),
//! and never waits without a deadline.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_qwen-settings-ls");

/// What the server wrote to stdout, frame by frame.
#[derive(Debug)]
pub enum Incoming {
    Message(Value),
    /// Bytes that are not a well-formed frame with a JSON body.
    Garbage(String),
}

pub struct Lsp {
    pub child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Incoming>,
    pending: VecDeque<Value>,
    pub garbage: Vec<String>,
    pub stdout: Arc<Mutex<Vec<u8>>>,
    pub stderr: Arc<Mutex<Vec<u8>>>,
    next_id: i64,
}

/// The base environment of every spawned process: HOME and the system scope paths inside
/// `home`'s sandbox, so no real settings file of this machine influences a test.
pub fn base_command(home: &Path, args: &[&str]) -> Command {
    let root = home.parent().unwrap_or(home);
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(
            "QWEN_CODE_SYSTEM_SETTINGS_PATH",
            root.join("etc/settings.json"),
        )
        .env(
            "QWEN_CODE_SYSTEM_DEFAULTS_PATH",
            root.join("etc/system-defaults.json"),
        )
        .current_dir(home);
    cmd
}

pub fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Splits `buf` into frames; returns the messages, and garbage for anything else.
pub fn parse_frames(buf: &[u8]) -> (Vec<Value>, Vec<String>, usize) {
    let mut at = 0;
    let mut messages = Vec::new();
    let mut garbage = Vec::new();
    loop {
        match next_frame(&buf[at..]) {
            Frame::Incomplete => return (messages, garbage, at),
            Frame::Bad(n, what) => {
                garbage.push(what);
                at += n;
                if n == 0 {
                    return (messages, garbage, buf.len());
                }
            }
            Frame::Ok(n, value) => {
                messages.push(value);
                at += n;
            }
        }
    }
}

enum Frame {
    Incomplete,
    Bad(usize, String),
    Ok(usize, Value),
}

fn next_frame(buf: &[u8]) -> Frame {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        if buf.len() > 4096
            || (!buf.is_empty() && !b"Content-".starts_with(&buf[..buf.len().min(8)]))
        {
            return Frame::Bad(
                0,
                String::from_utf8_lossy(&buf[..buf.len().min(200)]).into(),
            );
        }
        return Frame::Incomplete;
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut len = None;
    for line in head.split("\r\n") {
        match line.split_once(": ") {
            Some((name, v)) if name.eq_ignore_ascii_case("content-length") => {
                len = v.trim().parse::<usize>().ok()
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => return Frame::Bad(end + 4, format!("bad header line {line:?}")),
        }
    }
    let Some(len) = len else {
        return Frame::Bad(end + 4, format!("no Content-Length in {head:?}"));
    };
    let body_start = end + 4;
    if buf.len() < body_start + len {
        return Frame::Incomplete;
    }
    let body = &buf[body_start..body_start + len];
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.get("jsonrpc") == Some(&json!("2.0")) => Frame::Ok(body_start + len, v),
        Ok(v) => Frame::Bad(body_start + len, format!("not JSON-RPC 2.0: {v}")),
        Err(e) => Frame::Bad(
            body_start + len,
            format!("body is not JSON ({e}): {}", String::from_utf8_lossy(body)),
        ),
    }
}

impl Lsp {
    /// Starts the server with `cmd` (see [`base_command`]); stdout and stderr are recorded.
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn server");
        let mut out = child.stdout.take().unwrap();
        let mut err = child.stderr.take().unwrap();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = channel();
        let raw = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let mut chunk = vec![0u8; 1 << 16];
            loop {
                let n = match out.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                raw.lock().unwrap().extend_from_slice(&chunk[..n]);
                buf.extend_from_slice(&chunk[..n]);
                let (messages, garbage, used) = parse_frames(&buf);
                buf.drain(..used);
                for g in garbage {
                    let _ = tx.send(Incoming::Garbage(g));
                }
                for m in messages {
                    if tx.send(Incoming::Message(m)).is_err() {
                        return;
                    }
                }
            }
        });
        let log = stderr.clone();
        std::thread::spawn(move || {
            let mut chunk = vec![0u8; 1 << 14];
            while let Ok(n) = err.read(&mut chunk) {
                if n == 0 {
                    return;
                }
                log.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Lsp {
            stdin: child.stdin.take(),
            child,
            rx,
            pending: VecDeque::new(),
            garbage: Vec::new(),
            stdout,
            stderr,
            next_id: 1,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident memory (VmHWM) in KiB, while the process runs.
    pub fn vm_hwm_kib(&self) -> Option<u64> {
        vm_hwm_kib(self.pid())
    }

    /// Writes raw bytes; returns false when the server closed its stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) -> bool {
        let Some(stdin) = self.stdin.as_mut() else {
            return false;
        };
        stdin.write_all(bytes).and_then(|()| stdin.flush()).is_ok()
    }

    pub fn send_body(&mut self, body: &[u8]) -> bool {
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(body);
        self.send_raw(&frame)
    }

    pub fn send(&mut self, msg: &Value) -> bool {
        self.send_body(&serde_json::to_vec(msg).unwrap())
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Sends a request and waits for its response (the whole message), up to `timeout`.
    pub fn call(&mut self, method: &str, params: Value, timeout: Duration) -> Option<Value> {
        let id = self.next_id();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id), timeout)
    }

    /// The response with `id`.
    pub fn response(&mut self, id: &Value, timeout: Duration) -> Option<Value> {
        let id = id.clone();
        self.wait_for(
            move |m| m.get("id") == Some(&id) && m.get("method").is_none(),
            timeout,
        )
    }

    /// Sends a request and returns its `result`; panics on an error or after `timeout`.
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> Value {
        let msg = self
            .call(method, params, timeout)
            .unwrap_or_else(|| panic!("no response to {method} within {timeout:?}"));
        if let Some(err) = msg.get("error") {
            panic!("{method} failed: {err}");
        }
        msg["result"].clone()
    }

    /// Waits for (and consumes) the first message matching `pred`.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Incoming::Message(m)) if pred(&m) => return Some(m),
                Ok(Incoming::Message(m)) => self.pending.push_back(m),
                Ok(Incoming::Garbage(g)) => self.garbage.push(g),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Everything received so far (within `settle`) that was not consumed.
    pub fn drain(&mut self, settle: Duration) -> Vec<Value> {
        let deadline = Instant::now() + settle;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Incoming::Message(m)) => self.pending.push_back(m),
                Ok(Incoming::Garbage(g)) => self.garbage.push(g),
                Err(_) => break,
            }
        }
        self.pending.drain(..).collect()
    }

    pub fn initialize(&mut self, encodings: &[&str], timeout: Duration) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } }
                },
            }),
            timeout,
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

    /// The diagnostics of `path` at `version` (earlier versions are skipped).
    pub fn diagnostics(
        &mut self,
        path: &Path,
        version: i32,
        timeout: Duration,
    ) -> Option<Vec<Value>> {
        let uri = uri(path);
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.wait_for(
                |m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == uri.as_str()
                },
                left,
            )?;
            if msg["params"]["version"].as_i64() == Some(i64::from(version)) {
                return Some(msg["params"]["diagnostics"].as_array()?.clone());
            }
        }
    }

    /// Closes stdin (EOF).
    pub fn close_stdin(&mut self) {
        drop(self.stdin.take());
    }

    /// Waits for the process to end.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// `shutdown` then `exit`; the exit status.
    pub fn shutdown(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.request("shutdown", Value::Null, timeout);
        self.notify("exit", Value::Null);
        self.close_stdin();
        self.wait_exit(timeout)
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }
}

impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// VmHWM of a running process, in KiB.
pub fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The result of running a command to completion under a deadline.
pub struct Run {
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
    /// The largest VmHWM seen while polling, in KiB (a lower bound of the real peak).
    pub peak_kib: u64,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `cmd` (stdin closed), killing it after `timeout`; polls its VmHWM while it runs.
pub fn run(mut cmd: Command, timeout: Duration) -> Run {
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = started.elapsed();
    Run {
        status,
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        elapsed,
        peak_kib: peak,
    }
}

/// A temporary directory holding `home/` (HOME) and `etc/` (the system scope paths).
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Self { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        base_command(&self.home(), args)
    }
}
