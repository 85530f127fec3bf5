//! A small LSP client for the language server tests: spawns the real `condago server`,
//! speaks JSON-RPC over its stdin and stdout, and knows LSP positions on its own (so the
//! tests do not share the server's conversion code).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use condago_linter::{Diagnostic, Settings};
use serde_json::{json, Value};

/// How long any one answer may take before a test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A message from the server and when it arrived.
pub struct Incoming {
    pub at: Instant,
    pub message: Value,
}

pub struct Client {
    /// The server's stderr lines, when captured.
    pub stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Incoming>,
    /// Messages read but not yet asked for.
    pending: VecDeque<Incoming>,
    next_id: i64,
}

impl Client {
    /// Starts `condago server`.
    pub fn spawn() -> Client {
        Client::spawn_with(&[], false)
    }

    /// Starts `condago server` with extra environment variables, maybe keeping its stderr.
    pub fn spawn_with(env: &[(&str, &str)], capture_stderr: bool) -> Client {
        let mut command = Command::new(env!("CARGO_BIN_EXE_condago"));
        command
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if capture_stderr {
                Stdio::piped()
            } else {
                Stdio::inherit()
            });
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("start condago server");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        if let Some(pipe) = child.stderr.take() {
            let lines = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Ok(mut lines) = lines.lock() {
                        lines.push(line);
                    }
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (sender, incoming) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                let at = Instant::now();
                if sender.send(Incoming { at, message }).is_err() {
                    break;
                }
            }
        });
        Client {
            stderr,
            child,
            stdin,
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes raw bytes (several messages at once make a burst).
    pub fn write_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to the server");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        let bytes = frame(message);
        self.write_raw(&bytes);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&notification(method, params));
    }

    /// Sends a request and returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.take_id();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    pub fn take_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// Sends a request and waits for its response (the whole response object).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.response(&json!(id))
    }

    /// Waits for the response with this id.
    pub fn response(&mut self, id: &Value) -> Value {
        self.wait_for(|message| message.get("method").is_none() && message.get("id") == Some(id))
            .message
    }

    /// Waits for a message that satisfies `wanted`, keeping the others for later.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Incoming {
        if let Some(at) = self
            .pending
            .iter()
            .position(|incoming| wanted(&incoming.message))
        {
            return self.pending.remove(at).expect("present");
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(incoming) => {
                    if self.answer_server_request(&incoming.message) {
                        continue;
                    }
                    if wanted(&incoming.message) {
                        return incoming;
                    }
                    self.pending.push_back(incoming);
                }
                Err(RecvTimeoutError::Timeout) => panic!(
                    "no awaited message from the server within {PATIENCE:?}; got {:#?}",
                    self.pending.iter().map(|i| &i.message).collect::<Vec<_>>()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output")
                }
            }
        }
    }

    /// Every message received so far, without waiting (kept for later `wait_for`s too).
    pub fn drain_now(&mut self) -> Vec<&Value> {
        while let Ok(incoming) = self.incoming.try_recv() {
            if !self.answer_server_request(&incoming.message) {
                self.pending.push_back(incoming);
            }
        }
        self.pending
            .iter()
            .map(|incoming| &incoming.message)
            .collect()
    }

    /// Takes every pending `publishDiagnostics`.
    pub fn take_publications(&mut self) -> Vec<Incoming> {
        self.drain_now();
        let (published, rest): (Vec<Incoming>, Vec<Incoming>) = self
            .pending
            .drain(..)
            .partition(|incoming| is_publication(&incoming.message));
        self.pending = rest.into();
        published
    }

    /// Waits for the diagnostics of one version of a document.
    pub fn diagnostics_for(&mut self, uri: &str, version: Option<i64>) -> Incoming {
        self.wait_for(|message| {
            is_publication(message)
                && message["params"]["uri"] == uri
                && version.is_none_or(|version| message["params"]["version"] == version)
        })
    }

    fn answer_server_request(&mut self, message: &Value) -> bool {
        if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
            let reply = json!({"jsonrpc": "2.0", "id": id, "result": Value::Null});
            self.send(&reply);
            return true;
        }
        false
    }

    /// `initialize` and `initialized`; returns the initialize result.
    pub fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let response = self.call(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        response["result"].clone()
    }

    pub fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri, "languageId": language_id, "version": version, "text": text,
            }}),
        );
    }

    /// `shutdown` then `exit`, leaving stdin open; returns the exit status and how long the
    /// process took to end after `exit`.
    pub fn shutdown_and_exit(&mut self) -> (ExitStatus, Duration) {
        let response = self.call("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.exit()
    }

    /// `exit`, leaving stdin open.
    pub fn exit(&mut self) -> (ExitStatus, Duration) {
        self.notify("exit", Value::Null);
        let sent = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status, sent.elapsed());
            }
            if sent.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                panic!("the server did not exit within 10 s of `exit`");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

pub fn is_publication(message: &Value) -> bool {
    message.get("method") == Some(&json!("textDocument/publishDiagnostics"))
}

pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// A message with its `Content-Length` header.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("json");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A position encoding, as the tests count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf16,
    Utf32,
}

impl Enc {
    pub fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Utf16 => "utf-16",
            Enc::Utf32 => "utf-32",
        }
    }

    fn units(self, c: char) -> usize {
        match self {
            Enc::Utf8 => c.len_utf8(),
            Enc::Utf16 => c.len_utf16(),
            Enc::Utf32 => 1,
        }
    }
}

/// Where each line starts and where its text ends (before `\n`, `\r\n` or `\r`).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\n' => {
                out.push((start, at));
                start = at + 1;
            }
            b'\r' => {
                out.push((start, at));
                if bytes.get(at + 1) == Some(&b'\n') {
                    at += 1;
                }
                start = at + 1;
            }
            _ => {}
        }
        at += 1;
    }
    out.push((start, bytes.len()));
    out
}

/// The LSP position of a byte offset (on a character boundary, not inside a CRLF).
pub fn lsp_position(text: &str, offset: usize, enc: Enc) -> Value {
    let lines = lines(text);
    let line = lines
        .iter()
        .rposition(|(start, _)| *start <= offset)
        .unwrap_or(0);
    let (start, end) = lines[line];
    let column: usize = text[start..offset.min(end)]
        .chars()
        .map(|c| enc.units(c))
        .sum();
    json!({"line": line, "character": column})
}

pub fn lsp_range(text: &str, range: std::ops::Range<usize>, enc: Enc) -> Value {
    json!({"start": lsp_position(text, range.start, enc), "end": lsp_position(text, range.end, enc)})
}

/// The byte offset of an LSP position, clamped as LSP says.
pub fn byte_offset(text: &str, position: &Value, enc: Enc) -> usize {
    let lines = lines(text);
    let line = position["line"].as_u64().expect("line") as usize;
    let column = position["character"].as_u64().expect("character") as usize;
    let Some(&(start, end)) = lines.get(line) else {
        return text.len();
    };
    let mut units = 0;
    for (at, c) in text[start..end].char_indices() {
        if units >= column {
            return start + at;
        }
        units += enc.units(c);
        if units > column {
            return start + at;
        }
    }
    end
}

/// Applies LSP text edits (non-overlapping, against `text`) to `text`.
pub fn apply_text_edits(text: &str, edits: &[Value], enc: Enc) -> String {
    let mut byte_edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                byte_offset(text, &edit["range"]["start"], enc),
                byte_offset(text, &edit["range"]["end"], enc),
                edit["newText"].as_str().expect("newText").to_string(),
            )
        })
        .collect();
    byte_edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::new();
    let mut at = 0;
    for (start, end, new_text) in byte_edits {
        out.push_str(&text[at..start]);
        out.push_str(&new_text);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The text edits of a code action's workspace edit for one document.
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(edits) = edit["changes"][uri].as_array() {
        return edits.clone();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["textDocument"]["uri"] == uri)
        .flat_map(|change| change["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A fresh lint of a text, as the CLI does it.
pub fn fresh_lint(path: &Path, text: &str) -> Vec<Diagnostic> {
    let detection =
        condago_linter::resolve_shell(path, text.as_bytes(), None).expect("a shell file");
    condago_linter::lint(path, text.as_bytes(), detection, &Settings::default()).diagnostics
}

/// Findings as comparable tuples: code, range, severity, message.
pub fn expected(path: &Path, text: &str, enc: Enc) -> Vec<(String, Value, i64, String)> {
    let mut out: Vec<_> = fresh_lint(path, text)
        .iter()
        .map(|finding| {
            let severity = match finding.severity {
                condago_linter::Severity::Error => 1,
                condago_linter::Severity::Warning => 2,
                condago_linter::Severity::Info => 3,
            };
            (
                finding.code.to_string(),
                lsp_range(text, finding.range.clone(), enc),
                severity,
                finding.message.clone(),
            )
        })
        .collect();
    out.sort_by_key(|entry| format!("{entry:?}"));
    out
}

/// A publication's diagnostics as the same tuples; checks the fixed fields on the way.
pub fn published(message: &Value) -> Vec<(String, Value, i64, String)> {
    let mut out: Vec<_> = message["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            let code = diagnostic["code"].as_str().expect("code").to_string();
            assert_eq!(diagnostic["source"], "condago");
            assert_eq!(
                diagnostic["codeDescription"]["href"],
                format!("https://github.com/condago/condago/blob/main/docs/rules/{code}.md")
            );
            (
                code,
                diagnostic["range"].clone(),
                diagnostic["severity"].as_i64().expect("severity"),
                diagnostic["message"].as_str().expect("message").to_string(),
            )
        })
        .collect();
    out.sort_by_key(|entry| format!("{entry:?}"));
    out
}

/// A small deterministic random source (no dependency, same sequence everywhere).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The server's resident memory in kB (Linux).
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
