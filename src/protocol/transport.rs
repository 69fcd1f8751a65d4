//! The stdio transport around `tower-lsp-server`.
//!
//! Incoming frames are read and checked here before the framework sees them, because its own
//! transport stops serving after a bad frame, never answers requests named `$/…`, and exits
//! with status 0 on `exit` without `shutdown` (`shared/reference/engineering.md`, appendix):
//! - a frame with a bad header (missing or non-numeric `Content-Length`, or one over
//!   [`MAX_BODY`]) is skipped, and reading resumes at the next header;
//! - a body that is not JSON gets a ParseError (-32700) with `"id": null`;
//! - a message that is no request, notification or response gets InvalidRequest (-32600);
//! - a request whose method starts with `$/` gets MethodNotFound (-32601);
//! - the exit status is 0 after `shutdown` then `exit`, else 1 (also on end of input).
//!
//! Outgoing frames (the framework's and these error replies) are written whole, one at a time.

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};

/// Largest message body accepted.
pub const MAX_BODY: usize = 256 * 1024 * 1024;

enum Frame {
    Body(Vec<u8>),
    /// A header block that could not be used; reading goes on.
    Bad(String),
    Eof,
}

/// Reads one frame: headers up to an empty line, then `Content-Length` bytes.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut line = Vec::new();
    let mut saw_header = false;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(if saw_header {
                Frame::Bad("end of input inside a header".into())
            } else {
                Frame::Eof
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        // After a bad frame its leftover body may run into the next header on one line: take
        // the header from where it starts.
        let lower = text.to_ascii_lowercase();
        if let Some(at) = lower.find("content-length:") {
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
    }
    match length {
        Some(Ok(n)) => {
            let mut body = vec![0; n];
            match reader.read_exact(&mut body).await {
                Ok(_) => Ok(Frame::Body(body)),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    Ok(Frame::Bad("end of input inside a message body".into()))
                }
                Err(e) => Err(e),
            }
        }
        Some(Err(why)) => Ok(Frame::Bad(why)),
        None => Ok(Frame::Bad("a header block without Content-Length".into())),
    }
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

/// What to do with one incoming message.
enum Verdict {
    Forward,
    Reply(Vec<u8>),
}

fn judge(body: &[u8], shutdown: &AtomicBool) -> Verdict {
    let Ok(msg) = serde_json::from_slice::<Value>(body) else {
        tracing::warn!("a message body that is not JSON ({} bytes)", body.len());
        return Verdict::Reply(error_reply(
            Value::Null,
            -32700,
            "Parse error: the body is not JSON",
        ));
    };
    let Some(obj) = msg.as_object() else {
        return Verdict::Reply(error_reply(
            Value::Null,
            -32600,
            "Invalid Request: not a JSON-RPC object",
        ));
    };
    let id = obj.get("id").cloned();
    let id_ok = id
        .as_ref()
        .is_none_or(|i| i.is_string() || i.is_number() || i.is_null());
    match obj.get("method") {
        Some(Value::String(method)) if id_ok => {
            if id.is_some() && method.starts_with("$/") {
                return Verdict::Reply(error_reply(
                    id.unwrap_or(Value::Null),
                    -32601,
                    &format!("Method not found: {method}"),
                ));
            }
            if method == "shutdown" && id.is_some() {
                shutdown.store(true, Ordering::SeqCst);
            }
            Verdict::Forward
        }
        None if id.is_some() && (obj.contains_key("result") || obj.contains_key("error")) => {
            Verdict::Forward
        }
        _ => {
            let id = id
                .filter(|i| i.is_string() || i.is_number())
                .unwrap_or(Value::Null);
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
    let (mut to_server, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, from_server) = tokio::io::duplex(1 << 20);
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let shutdown = Arc::new(AtomicBool::new(false));

    // Writer: whole frames, one at a time; an empty frame stops it.
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(frame) = rx.recv().await {
            if frame.is_empty() {
                break;
            }
            if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });

    // The framework's output, re-framed so that replies injected here never split a frame.
    let relay_tx = tx.clone();
    let relay = tokio::spawn(async move {
        let mut reader = BufReader::new(from_server);
        while let Ok(Frame::Body(body)) = read_frame(&mut reader).await {
            if relay_tx.send(framed(&body)).is_err() {
                break;
            }
        }
    });

    // Input: checked frames go on to the framework.
    let stop = tx.clone();
    let reader_shutdown = shutdown.clone();
    tokio::spawn(async move {
        let mut reader = BufReader::new(input);
        loop {
            match read_frame(&mut reader).await {
                Ok(Frame::Body(body)) => match judge(&body, &reader_shutdown) {
                    Verdict::Forward => {
                        if to_server.write_all(&framed(&body)).await.is_err() {
                            break;
                        }
                    }
                    Verdict::Reply(reply) => {
                        let _ = tx.send(reply);
                    }
                },
                Ok(Frame::Bad(why)) => tracing::warn!("skipping a bad message frame: {why}"),
                Ok(Frame::Eof) | Err(_) => break,
            }
        }
        // End of input: closing the framework's input ends `serve`.
        let _ = to_server.shutdown().await;
    });

    Server::new(server_in, server_out, socket)
        .concurrency_level(1)
        .serve(service)
        .await;
    // The framework has returned (after `exit`, or at the end of input) and closed its output:
    // the relay ends once all it wrote is queued, then the writer drains the queue and stops.
    let _ = relay.await;
    let _ = stop.send(Vec::new());
    let _ = writer.await;
    if shutdown.load(Ordering::SeqCst) {
        0
    } else {
        1
    }
}
