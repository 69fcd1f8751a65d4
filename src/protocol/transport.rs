//! The stdio transport around `tower-lsp-server`.
//!
//! Incoming frames are read and checked here before the framework sees them, because its own
//! transport stops serving after a bad frame, never answers requests named `$/…`, and exits
//! with status 0 on `exit` without `shutdown` (`shared/reference/engineering.md`, appendix):
//! - a frame with a bad header (missing or non-numeric `Content-Length`, or one over
//!   [`MAX_BODY`]) is skipped, and reading resumes at the next header;
//! - a header line is kept to its last [`MAX_HEADER_LINE`] bytes: a longer one is a bad frame
//!   (its body, when its length is known, is skipped unread), unless a `Content-Length` header
//!   starts in its tail (the leftover of an earlier bad frame run into the next header); a
//!   header block of more than [`MAX_HEADER_LINES`] lines is a bad frame too (read through to
//!   its empty line, keeping nothing, and its body skipped);
//! - a body that is not JSON gets a ParseError (-32700) with `"id": null`;
//! - a message that is no request, notification or response gets InvalidRequest (-32600);
//! - a request whose method starts with `$/` gets MethodNotFound (-32601);
//! - the exit status is 0 after a successful `shutdown` (one the framework answered with a
//!   result, not, say, ServerNotInitialized) then `exit`, else 1 (also on end of input).
//!
//! A body's shape is checked without building it: it is deserialized into [`Shape`], which
//! keeps only the `id`, the method name and whether `result`/`error` are there, yet accepts
//! exactly the JSON that `serde_json::Value` accepts (same recursion limit, same string and
//! number rules).
//!
//! The framework's own stdio loop (`Server`) is not used: a checked body is decoded once, from
//! its bytes, into the framework's `Request` (or a client's `Response`) and handed to its
//! `LspService`; handlers run one at a time in arrival order on their own task, while input
//! keeps being read (a handler may wait for a client's response). This keeps a large
//! `didOpen` from passing through a pipe, a codec buffer that grows by doubling and a buffered
//! copy of the whole message (1 MB document: 6 → about 3 MiB of transient memory).
//!
//! Outgoing frames (answers, the server's own messages and these error replies) are written
//! whole, one at a time.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LanguageServer, LspService};

/// Largest message body accepted.
pub const MAX_BODY: usize = 256 * 1024 * 1024;
/// Longest header line kept (its last bytes, when longer).
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Most lines in one header block.
pub const MAX_HEADER_LINES: usize = 64;

enum Frame {
    Body(Vec<u8>),
    /// A header block that could not be used; reading goes on.
    Bad(String),
    Eof,
}

/// Reads one line, up to and including `\n` (or to the end of input), into `line`, keeping
/// only its last [`MAX_HEADER_LINE`] bytes. Returns the bytes read and the bytes dropped.
async fn read_header_line<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    line: &mut Vec<u8>,
) -> std::io::Result<(usize, usize)> {
    let (mut read, mut dropped) = (0, 0);
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok((read, dropped));
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        read += take;
        if line.len() > MAX_HEADER_LINE {
            let excess = line.len() - MAX_HEADER_LINE;
            line.drain(..excess);
            dropped += excess;
        }
        if done {
            return Ok((read, dropped));
        }
    }
}

/// Reads one frame: headers up to an empty line, then `Content-Length` bytes.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut bad: Option<String> = None;
    let mut line = Vec::new();
    let mut lines = 0;
    loop {
        line.clear();
        let (read, dropped) = read_header_line(reader, &mut line).await?;
        if read == 0 {
            return Ok(if lines > 0 {
                Frame::Bad("end of input inside a header".into())
            } else {
                Frame::Eof
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() && dropped == 0 {
            if lines > 0 {
                break;
            }
            continue; // stray blank lines between frames
        }
        lines += 1;
        if lines == MAX_HEADER_LINES + 1 {
            // read through to its end all the same, keeping nothing
            bad = Some(format!(
                "a header block of more than {MAX_HEADER_LINES} lines"
            ));
        }
        // After a bad frame its leftover body may run into the next header on one line: take
        // the header from where it starts.
        let lower = text.to_ascii_lowercase();
        let Some(at) = lower.find("content-length:") else {
            if dropped > 0 && bad.is_none() {
                bad = Some(format!(
                    "a header line of {read} bytes, over the {MAX_HEADER_LINE}-byte limit"
                ));
            }
            continue;
        };
        if dropped > 0 {
            tracing::warn!("skipping {} bytes before a header", dropped + at);
        }
        let value = text[at + "content-length:".len()..].trim();
        length = Some(
            value
                .parse::<usize>()
                .map_err(|_| format!("Content-Length {value:?} is not a length"))
                .and_then(|n| {
                    if n > MAX_BODY {
                        Err(format!(
                            "Content-Length {n} is over the {MAX_BODY}-byte limit"
                        ))
                    } else {
                        Ok(n)
                    }
                }),
        );
    }
    match (length, bad) {
        (Some(Ok(n)), None) => {
            let mut body = vec![0; n];
            match read_chunked(reader, &mut body).await {
                Ok(()) => Ok(Frame::Body(body)),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    Ok(Frame::Bad("end of input inside a message body".into()))
                }
                Err(e) => Err(e),
            }
        }
        (Some(Ok(n)), Some(why)) => {
            // The length is known: skip the body unread rather than take it for headers.
            let mut body = (&mut *reader).take(n as u64);
            tokio::io::copy(&mut body, &mut tokio::io::sink()).await?;
            Ok(Frame::Bad(why))
        }
        (Some(Err(why)), _) | (None, Some(why)) => Ok(Frame::Bad(why)),
        (None, None) => Ok(Frame::Bad("a header block without Content-Length".into())),
    }
}

/// Largest single read or write handed to the input or output. Tokio's stdin and stdout keep
/// a buffer as large as the largest read or write they were asked for (up to 2 MiB), for the
/// life of the process: reading a 1 MB `didOpen` in one call left 1.3 MiB behind.
const IO_CHUNK: usize = 64 * 1024;

/// `read_exact` of `body`, in reads of at most [`IO_CHUNK`] bytes.
async fn read_chunked<R: AsyncRead + Unpin>(
    reader: &mut BufReader<R>,
    body: &mut [u8],
) -> std::io::Result<()> {
    for chunk in body.chunks_mut(IO_CHUNK) {
        reader.read_exact(chunk).await?;
    }
    Ok(())
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
    framed(body.to_string().as_bytes())
}

/// Any JSON value, read through and dropped. It goes through `deserialize_any` at every
/// level, as `serde_json::Value` does, so it accepts exactly what `Value` accepts (unlike
/// `serde::de::IgnoredAny`, which has no recursion limit and lets `1e999` through).
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Skip)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = Skip;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

/// A JSON-RPC `id` as far as the checks need it.
enum Id {
    Str(String),
    Num(serde_json::Number),
    Null,
    /// A boolean, array or object.
    Other,
}

impl Id {
    fn to_value(&self) -> Value {
        match self {
            Id::Str(s) => Value::String(s.clone()),
            Id::Num(n) => Value::Number(n.clone()),
            Id::Null | Id::Other => Value::Null,
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Id, E> {
                Ok(Id::Other)
            }
            fn visit_i64<E>(self, v: i64) -> Result<Id, E> {
                Ok(Id::Num(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Id, E> {
                Ok(Id::Num(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Id, E> {
                Ok(serde_json::Number::from_f64(v).map_or(Id::Other, Id::Num))
            }
            fn visit_str<E>(self, v: &str) -> Result<Id, E> {
                Ok(Id::Str(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Id, E> {
                Ok(Id::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Id, A::Error> {
                Skip.visit_seq(seq).map(|_| Id::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Id, A::Error> {
                Skip.visit_map(map).map(|_| Id::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// A JSON-RPC `method` member.
enum Method {
    Absent,
    Name(String),
    NotString,
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Method;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Method, E> {
                Ok(Method::NotString)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Method, E> {
                Ok(Method::NotString)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Method, E> {
                Ok(Method::NotString)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Method, E> {
                Ok(Method::NotString)
            }
            fn visit_str<E>(self, v: &str) -> Result<Method, E> {
                Ok(Method::Name(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Method, E> {
                Ok(Method::NotString)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Method, A::Error> {
                Skip.visit_seq(seq).map(|_| Method::NotString)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Method, A::Error> {
                Skip.visit_map(map).map(|_| Method::NotString)
            }
        }
        d.deserialize_any(V)
    }
}

/// The shape of one message: whether it is an object, and its `id`, `method`, `result` and
/// `error` members (the last one wins when a key repeats, as in `serde_json::Value`).
struct Shape {
    object: bool,
    id: Option<Id>,
    method: Method,
    result: bool,
    error: bool,
}

impl Shape {
    fn not_object() -> Self {
        Shape {
            object: false,
            id: None,
            method: Method::Absent,
            result: false,
            error: false,
        }
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// A member name: one of the four that matter, or another.
        enum Key {
            Id,
            Method,
            Result,
            Error,
            Other,
        }
        impl<'de> Deserialize<'de> for Key {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = Key;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("a member name")
                    }
                    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                        Ok(match v {
                            "id" => Key::Id,
                            "method" => Key::Method,
                            "result" => Key::Result,
                            "error" => Key::Error,
                            _ => Key::Other,
                        })
                    }
                }
                d.deserialize_str(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_unit<E>(self) -> Result<Shape, E> {
                Ok(Shape::not_object())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Shape, A::Error> {
                Skip.visit_seq(seq).map(|_| Shape::not_object())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let mut shape = Shape::not_object();
                shape.object = true;
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Id => shape.id = Some(map.next_value()?),
                        Key::Method => shape.method = map.next_value()?,
                        Key::Result => {
                            map.next_value::<Skip>()?;
                            shape.result = true;
                        }
                        Key::Error => {
                            map.next_value::<Skip>()?;
                            shape.error = true;
                        }
                        Key::Other => {
                            map.next_value::<Skip>()?;
                        }
                    }
                }
                Ok(shape)
            }
        }
        d.deserialize_any(V)
    }
}

/// The ids of `shutdown` requests not answered yet, and whether one was answered with a
/// result (the framework refuses one before `initialize`, with ServerNotInitialized).
#[derive(Default)]
struct Shutdown {
    pending: Mutex<Vec<Value>>,
    done: AtomicBool,
}

impl Shutdown {
    fn requested(&self, id: Value) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(id);
    }

    /// Looks at one outgoing message: the answer to a pending `shutdown`?
    fn answered(&self, body: &[u8]) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.is_empty() {
            return;
        }
        let Ok(msg) = serde_json::from_slice::<Shape>(body) else {
            return;
        };
        if !msg.object || !matches!(msg.method, Method::Absent) {
            return;
        }
        let Some(id) = msg.id.as_ref().map(Id::to_value) else {
            return;
        };
        if let Some(at) = pending.iter().position(|p| *p == id) {
            pending.remove(at);
            if msg.result && !msg.error {
                self.done.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// What to do with one incoming message.
enum Verdict {
    /// A request or notification for the server.
    Forward,
    /// A response to a request the server sent.
    Response,
    Reply(Vec<u8>),
}

fn judge(body: &[u8], shutdown: &Shutdown) -> Verdict {
    let Ok(msg) = serde_json::from_slice::<Shape>(body) else {
        tracing::warn!("a message body that is not JSON ({} bytes)", body.len());
        return Verdict::Reply(error_reply(
            Value::Null,
            -32700,
            "Parse error: the body is not JSON",
        ));
    };
    if !msg.object {
        return Verdict::Reply(error_reply(
            Value::Null,
            -32600,
            "Invalid Request: not a JSON-RPC object",
        ));
    }
    let id_ok = !matches!(msg.id, Some(Id::Other));
    match msg.method {
        Method::Name(method) if id_ok => {
            if let Some(id) = &msg.id {
                if method.starts_with("$/") {
                    return Verdict::Reply(error_reply(
                        id.to_value(),
                        -32601,
                        &format!("Method not found: {method}"),
                    ));
                }
                if method == "shutdown" {
                    shutdown.requested(id.to_value());
                }
            }
            Verdict::Forward
        }
        Method::Absent if msg.id.is_some() && (msg.result || msg.error) => Verdict::Response,
        _ => {
            let id = match &msg.id {
                Some(id @ (Id::Str(_) | Id::Num(_))) => id.to_value(),
                _ => Value::Null,
            };
            Verdict::Reply(error_reply(
                id,
                -32600,
                "Invalid Request: not a request, notification or response",
            ))
        }
    }
}

/// Serves `service` on `input`/`output` until `exit` or end of input; returns the exit status.
pub async fn serve<I, O, B>(input: I, output: O, service: LspService<B>, socket: ClientSocket) -> u8
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    B: LanguageServer,
{
    use futures::{SinkExt, StreamExt};
    use tower::Service;

    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let shutdown = Arc::new(Shutdown::default());

    // Writer: whole frames, one at a time; an empty frame stops it.
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(frame) = rx.recv().await {
            if frame.is_empty() {
                break;
            }
            let mut failed = false;
            for chunk in frame.chunks(IO_CHUNK) {
                if output.write_all(chunk).await.is_err() {
                    failed = true;
                    break;
                }
            }
            if failed || output.flush().await.is_err() {
                break;
            }
        }
    });

    // Messages the server sends on its own (diagnostics, registrations, log messages).
    let (mut to_client, mut client_responses) = socket.split();
    let client_tx = tx.clone();
    let client = tokio::spawn(async move {
        while let Some(request) = to_client.next().await {
            match serde_json::to_vec(&request) {
                Ok(body) => {
                    if client_tx.send(framed(&body)).is_err() {
                        break;
                    }
                }
                Err(e) => tracing::error!("cannot encode a message to the client: {e}"),
            }
        }
    });

    // Handlers run one at a time, in arrival order (the framework's `concurrency_level(1)`), on
    // their own task, so that the input keeps being read while one waits for the client.
    type Pending = std::pin::Pin<
        Box<dyn std::future::Future<Output = Option<tower_lsp_server::jsonrpc::Response>> + Send>,
    >;
    let (task_tx, mut task_rx) = mpsc::unbounded_channel::<Pending>();
    let answers_tx = tx.clone();
    let answers_shutdown = shutdown.clone();
    let handlers = tokio::spawn(async move {
        while let Some(task) = task_rx.recv().await {
            let Some(response) = task.await else {
                continue;
            };
            match serde_json::to_vec(&response) {
                Ok(body) => {
                    answers_shutdown.answered(&body);
                    if answers_tx.send(framed(&body)).is_err() {
                        break;
                    }
                }
                Err(e) => tracing::error!("cannot encode a response: {e}"),
            }
        }
    });

    // Input: each frame is checked, then decoded once, straight from its bytes, into what the
    // framework's service takes (no second buffer, no intermediate JSON tree of the document).
    let mut service = service;
    let mut reader = BufReader::new(input);
    loop {
        match read_frame(&mut reader).await {
            Ok(Frame::Body(body)) => match judge(&body, &shutdown) {
                Verdict::Reply(reply) => {
                    let _ = tx.send(reply);
                }
                Verdict::Response => {
                    match serde_json::from_slice::<tower_lsp_server::jsonrpc::Response>(&body) {
                        Ok(response) => {
                            if client_responses.send(response).await.is_err() {
                                tracing::warn!("a response to no pending request");
                            }
                        }
                        Err(e) => tracing::warn!("skipping a response that cannot be read: {e}"),
                    }
                }
                Verdict::Forward => {
                    let request =
                        serde_json::from_slice::<tower_lsp_server::jsonrpc::Request>(&body);
                    drop(body);
                    let request = match request {
                        Ok(request) => request,
                        Err(e) => {
                            tracing::warn!("a message the framework cannot read: {e}");
                            let _ = tx.send(error_reply(
                                Value::Null,
                                if e.is_data() { -32600 } else { -32700 },
                                "Invalid Request",
                            ));
                            continue;
                        }
                    };
                    if futures::future::poll_fn(|cx| service.poll_ready(cx))
                        .await
                        .is_err()
                    {
                        break; // the service has exited
                    }
                    let will_exit = request.method() == "exit";
                    let call = service.call(request);
                    let task: Pending = Box::pin(async move { call.await.unwrap_or(None) });
                    if task_tx.send(task).is_err() || will_exit {
                        break;
                    }
                }
            },
            Ok(Frame::Bad(why)) => tracing::warn!("skipping a bad message frame: {why}"),
            Ok(Frame::Eof) | Err(_) => break,
        }
    }
    // After `exit` or at the end of input: let the queued handlers finish and their answers go
    // out, then stop the writer.
    drop(task_tx);
    let _ = handlers.await;
    client.abort();
    let _ = client.await;
    let _ = tx.send(Vec::new());
    let _ = writer.await;
    if shutdown.done.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error code `judge` answers `body` with, or `None` when it forwards it.
    fn verdict(body: &str) -> Option<i64> {
        match judge(body.as_bytes(), &Shutdown::default()) {
            Verdict::Forward | Verdict::Response => None,
            Verdict::Reply(reply) => {
                let at = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                let v: Value = serde_json::from_slice(&reply[at..]).unwrap();
                v["error"]["code"].as_i64()
            }
        }
    }

    /// The shape check accepts exactly the JSON `serde_json::Value` accepts, without building it.
    #[test]
    fn judge_agrees_with_value() {
        let deep = |n| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let cases = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#.to_string(),
            r#"{"jsonrpc":"2.0","method":"initialized","params":{"a":[1,2.5,-3,null,true]}}"#
                .into(),
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#.into(),
            format!(r#"{{"jsonrpc":"2.0","method":"x","params":{}}}"#, deep(120)),
            format!(r#"{{"jsonrpc":"2.0","method":"x","params":{}}}"#, deep(200)),
            r#"{"jsonrpc":"2.0","method":"x","params":1e999}"#.into(),
            r#"{"jsonrpc":"2.0","method":"x","params":"\ud800"}"#.into(),
            r#"{"jsonrpc":"2.0","method":"x","params":"a\u0001"}"#.into(),
            "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":\"\t\"}".into(),
            r#"{"jsonrpc":"2.0","method":"x"} x"#.into(),
            r#"{"jsonrpc":"2.0","method":"x",}"#.into(),
            r#"{"method":1,"method":"x"}"#.into(),
            r#"{"method":"x","method":1}"#.into(),
            r#"{"id":[1],"method":"x"}"#.into(),
            r#"{"id":true,"result":1}"#.into(),
            r#"{"id":1.5,"method":"$/x"}"#.into(),
            r#"[{"jsonrpc":"2.0","method":"x"}]"#.into(),
            r#""x""#.into(),
            "".into(),
        ];
        for body in &cases {
            let value = serde_json::from_str::<Value>(body);
            let got = verdict(body);
            match value {
                Err(_) => assert_eq!(got, Some(-32700), "{body}"),
                Ok(v) => assert_ne!(got, Some(-32700), "{body} is JSON ({v})"),
            }
        }
        assert_eq!(verdict(r#"{"method":"x","method":1}"#), Some(-32600));
        assert_eq!(verdict(r#"{"method":1,"method":"x"}"#), None);
        assert_eq!(verdict(r#"{"id":[1],"method":"x"}"#), Some(-32600));
        assert_eq!(verdict(r#"{"id":true,"result":1}"#), None);
        assert_eq!(verdict(r#"{"id":1.5,"method":"$/x"}"#), Some(-32601));
        assert_eq!(verdict(r#""x""#), Some(-32600));
    }

    #[test]
    fn only_a_successful_shutdown_counts() {
        let s = Shutdown::default();
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":"s","method":"shutdown"}"#, &s),
            Verdict::Forward
        ));
        s.answered(br#"{"jsonrpc":"2.0","method":"window/logMessage","params":{}}"#);
        s.answered(br#"{"jsonrpc":"2.0","id":"s","error":{"code":-32002,"message":"x"}}"#);
        assert!(!s.done.load(Ordering::SeqCst));
        judge(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#, &s);
        s.answered(br#"{"jsonrpc":"2.0","id":1,"result":null}"#);
        assert!(!s.done.load(Ordering::SeqCst));
        s.answered(br#"{"jsonrpc":"2.0","result":null,"id":2}"#);
        assert!(s.done.load(Ordering::SeqCst));
    }
}
