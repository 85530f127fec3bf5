//! The framing in front of `tower-lsp-server`'s transport.
//!
//! That transport reads stdin through a tokio-util `FramedRead`, which ends the stream
//! after the first message it cannot decode: one malformed message would stop the
//! server. So condago frames stdin itself: every message that is well-formed JSON-RPC goes
//! on to the transport unchanged and in order; every other one is answered here as
//! JSON-RPC prescribes (`-32700` parse error, `-32600` invalid request) and the server
//! keeps going. Answers from here and from the transport are written whole, one message
//! at a time.

use std::io;

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

/// Larger messages are refused (the parse budget stops at 16 MB of text anyway).
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// One message's framing, as read.
pub(crate) enum Frame {
    Body(Vec<u8>),
    /// The header block had no usable `Content-Length`.
    BadHeader(String),
}

/// Reads the next message. `Ok(None)` at the end of the input.
pub(crate) async fn read_frame<R: AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut any_line = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(if any_line {
                Some(Frame::BadHeader("the input ended inside a header".into()))
            } else {
                None
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !any_line {
                // Blank lines between messages.
                continue;
            }
            break;
        }
        any_line = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length =
                    Some(value.trim().parse::<usize>().map_err(|_| {
                        format!("`Content-Length: {}` is not a length", value.trim())
                    }));
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::BadHeader("no `Content-Length` header".into()))),
        Some(Err(message)) => return Ok(Some(Frame::BadHeader(message))),
        Some(Ok(length)) if length > MAX_MESSAGE_BYTES => {
            return Ok(Some(Frame::BadHeader(format!(
                "a message of {length} bytes is over the limit"
            ))))
        }
        Some(Ok(length)) => length,
    };
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
}

fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_response(id: Value, code: i64, message: String) -> Vec<u8> {
    let response = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    framed(response.to_string().as_bytes())
}

/// What to do with a message body.
enum Verdict {
    /// Well-formed: on to the transport. `exit` ends the input.
    Forward { exit: bool },
    /// Answer this instead.
    Answer(Vec<u8>),
    /// Drop it silently (a malformed notification or response: JSON-RPC answers neither).
    Drop,
}

fn judge(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Verdict::Answer(error_response(
                Value::Null,
                -32700,
                format!("Parse error: {error}"),
            ))
        }
    };
    let Some(object) = value.as_object() else {
        return Verdict::Answer(error_response(
            Value::Null,
            -32600,
            "Invalid request: a message is a JSON object (LSP has no batches)".into(),
        ));
    };
    let id = object.get("id");
    let id_ok = matches!(
        id,
        None | Some(Value::Number(_) | Value::String(_) | Value::Null)
    );
    let reply_id = match id {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    let invalid = |why: &str| {
        Verdict::Answer(error_response(
            reply_id.clone(),
            -32600,
            format!("Invalid request: {why}"),
        ))
    };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return invalid("`jsonrpc` must be \"2.0\"");
    }
    if !id_ok {
        return invalid("`id` must be a number or a string");
    }
    match object.get("method") {
        Some(Value::String(method)) => {
            let params_ok = matches!(
                object.get("params"),
                None | Some(Value::Object(_) | Value::Array(_) | Value::Null)
            );
            match (params_ok, id.is_some()) {
                (true, _) => Verdict::Forward {
                    exit: method == "exit" && id.is_none(),
                },
                (false, true) => invalid("`params` must be an object or an array"),
                (false, false) => Verdict::Drop,
            }
        }
        Some(_) => invalid("`method` must be a string"),
        None if id.is_some() && (object.contains_key("result") || object.contains_key("error")) => {
            Verdict::Forward { exit: false }
        }
        None if id.is_some() => Verdict::Drop,
        None => invalid("neither a request, a notification nor a response"),
    }
}

/// Copies well-formed messages from `input` to the transport; answers the others.
pub async fn read_input<I, W>(input: I, mut to_server: W, answers: UnboundedSender<Out>)
where
    I: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let frame = match read_frame(&mut reader).await {
            Ok(Some(frame)) => frame,
            // The end of the input, or it failed: the transport sees its end too.
            Ok(None) | Err(_) => break,
        };
        match frame {
            Frame::BadHeader(why) => {
                let _ = answers.send(Out::Message(error_response(
                    Value::Null,
                    -32700,
                    format!("Parse error: {why}"),
                )));
            }
            Frame::Body(body) => match judge(&body) {
                Verdict::Forward { exit } => {
                    if to_server.write_all(&framed(&body)).await.is_err() {
                        break;
                    }
                    if to_server.flush().await.is_err() {
                        break;
                    }
                    if exit {
                        break;
                    }
                }
                Verdict::Answer(answer) => {
                    let _ = answers.send(Out::Message(answer));
                }
                Verdict::Drop => {}
            },
        }
    }
    let _ = to_server.shutdown().await;
}

/// What the output writer is given.
pub enum Out {
    /// A whole framed message.
    Message(Vec<u8>),
    /// The transport's output ended: nothing more is written.
    End,
}

/// Passes the transport's messages on to the writer, whole.
pub async fn pump_server_output<R: AsyncRead + Unpin>(from_server: R, out: UnboundedSender<Out>) {
    let mut from_server = BufReader::new(from_server);
    while let Ok(Some(Frame::Body(body))) = read_frame(&mut from_server).await {
        if out.send(Out::Message(framed(&body))).is_err() {
            return;
        }
    }
    let _ = out.send(Out::End);
}

/// Writes messages to `output` one at a time, until the transport's output ends.
pub async fn write_output<O: AsyncWrite + Unpin>(
    mut messages: UnboundedReceiver<Out>,
    mut output: O,
) {
    while let Some(Out::Message(message)) = messages.recv().await {
        if output.write_all(&message).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_messages_as_json_rpc_does() {
        let answer = |body: &str| match judge(body.as_bytes()) {
            Verdict::Answer(bytes) => {
                let text = String::from_utf8(bytes).expect("utf-8");
                let body = text.split("\r\n\r\n").nth(1).expect("body").to_string();
                Some(serde_json::from_str::<Value>(&body).expect("json"))
            }
            _ => None,
        };
        assert_eq!(answer("{").expect("answer")["error"]["code"], -32700);
        assert_eq!(answer("[]").expect("answer")["error"]["code"], -32600);
        let wrong_version = answer(r#"{"jsonrpc":"1.0","id":4,"method":"x"}"#).expect("answer");
        assert_eq!(wrong_version["error"]["code"], -32600);
        assert_eq!(wrong_version["id"], 4);
        assert!(answer(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{}}"#).is_none());
        assert!(answer(r#"{"jsonrpc":"2.0","method":"x","params":3}"#).is_none());
        assert!(answer(r#"{"jsonrpc":"2.0","id":1,"method":"x","params":3}"#).is_some());
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","method":"exit"}"#),
            Verdict::Forward { exit: true }
        ));
        assert!(matches!(
            judge(br#"{"jsonrpc":"2.0","id":7,"result":null}"#),
            Verdict::Forward { exit: false }
        ));
    }
}
