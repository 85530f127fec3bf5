//! The server in-process, with a linter that panics: a panic fails one request (or leaves
//! one rule out), is logged, and the server goes on. (The protocol tests that spawn the
//! real binary are in `crates/condago/tests/lsp_*.rs`.)

use std::path::Path;
use std::time::Duration;

use condago_linter::{Diagnostic, Parse, Settings};
use serde_json::{json, Value};
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream};

use crate::transport::{read_frame, Frame};

/// Panics like a broken rule CG102 would, on texts that say "boom".
fn cg102_panics(
    path: &Path,
    source: &[u8],
    parse: &Parse,
    read_by_sh: bool,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let cg102 = condago_linter::registry::find("CG102").expect("CG102");
    let says_boom = source.windows(4).any(|window| window == b"boom");
    if says_boom && settings.selection.is_enabled(cg102) {
        panic!("CG102 exploded");
    }
    condago_linter::lint_parsed(path, source, parse, read_by_sh, settings)
}

/// Panics outside any one rule, on texts that say "kaboom".
fn everything_panics(
    path: &Path,
    source: &[u8],
    parse: &Parse,
    read_by_sh: bool,
    settings: &Settings,
) -> Vec<Diagnostic> {
    if source.windows(6).any(|window| window == b"kaboom") {
        panic!("the linter exploded");
    }
    condago_linter::lint_parsed(path, source, parse, read_by_sh, settings)
}

struct Client {
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    next_id: i64,
    server: tokio::task::JoinHandle<Result<(), crate::ServerError>>,
}

impl Client {
    async fn start(lint: crate::lint::LintFn) -> Client {
        Client::start_with(lint, json!({})).await
    }

    async fn start_with(lint: crate::lint::LintFn, capabilities: Value) -> Client {
        let (to_server, server_input) = tokio::io::duplex(1 << 16);
        let (server_output, from_server) = tokio::io::duplex(1 << 16);
        let server = tokio::spawn(crate::serve(server_input, server_output, lint));
        let mut client = Client {
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 0,
            server,
        };
        let id = client
            .request("initialize", json!({ "capabilities": capabilities }))
            .await;
        client.response(id).await;
        client.notify("initialized", json!({})).await;
        client
    }

    async fn send(&mut self, message: Value) {
        let body = message.to_string();
        let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.to_server
            .write_all(framed.as_bytes())
            .await
            .expect("write");
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}))
            .await;
    }

    async fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        id
    }

    /// The next message that satisfies `wanted` (others are skipped).
    async fn next(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let read = async {
            loop {
                let Ok(Some(Frame::Body(body))) = read_frame(&mut self.from_server).await else {
                    panic!("the server stopped talking");
                };
                let message: Value = serde_json::from_slice(&body).expect("json");
                if wanted(&message) {
                    return message;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("an answer in time")
    }

    async fn response(&mut self, id: i64) -> Value {
        self.next(|message| message["id"] == id && message.get("method").is_none())
            .await
    }

    async fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "zsh", "version": 1, "text": text}}),
        )
        .await;
    }

    async fn code_actions(&mut self, uri: &str) -> Value {
        let range =
            json!({"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}});
        let id = self
            .request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
            )
            .await;
        self.response(id).await
    }

    async fn stop(mut self) {
        let id = self.request("shutdown", Value::Null).await;
        self.response(id).await;
        self.notify("exit", Value::Null).await;
        let result = tokio::time::timeout(Duration::from_secs(5), self.server)
            .await
            .expect("the server ends after exit")
            .expect("no panic");
        assert!(result.is_ok(), "{result:?}");
    }
}

fn codes(publication: &Value) -> Vec<String> {
    publication["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().expect("code").to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_rule_is_left_out_logged_and_the_rest_published() {
    let mut client = Client::start(cg102_panics).await;
    let uri = "file:///home/u/.zshrc";
    client
        .open(uri, "# boom\nexport GOPATH='~/go'\nif then\n")
        .await;
    let log = client.next(|m| m["method"] == "window/logMessage").await;
    let text = log["params"]["message"].as_str().expect("message");
    assert!(
        text.contains("rule CG102 panicked") && text.contains("CG102 exploded"),
        "{text}"
    );
    assert_eq!(log["params"]["type"], 1, "an error");
    let published = client
        .next(|m| m["method"] == "textDocument/publishDiagnostics")
        .await;
    let found = codes(&published);
    assert!(found.contains(&"CG001".to_string()), "{found:?}");
    assert!(!found.contains(&"CG102".to_string()), "{found:?}");
    let response = client.code_actions(uri).await;
    assert!(response["result"].is_array(), "{response}");
    client.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_lint_fails_its_requests_only() {
    let mut client = Client::start(everything_panics).await;
    let broken = "file:///home/u/.zshrc";
    client
        .open(broken, "# kaboom\nexport GOPATH='~/go'\n")
        .await;
    let log = client.next(|m| m["method"] == "window/logMessage").await;
    assert!(
        log["params"]["message"]
            .as_str()
            .is_some_and(|text| text.contains("the linter exploded")),
        "{log}"
    );
    let response = client.code_actions(broken).await;
    assert_eq!(response["error"]["code"], -32603, "{response}");
    let id = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": broken}, "position": {"line": 1, "character": 16}}),
        )
        .await;
    let response = client.response(id).await;
    assert_eq!(response["error"]["code"], -32603, "{response}");
    // Another document, and the server, are fine.
    let fine = "file:///home/u/.zprofile";
    client.open(fine, "export GOPATH='~/go'\n").await;
    let published = client
        .next(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == fine)
        .await;
    assert!(codes(&published).contains(&"CG102".to_string()));
    let response = client.code_actions(fine).await;
    let titles: Vec<&str> = response["result"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|action| action["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"Disable CG102 for this line"),
        "{titles:?}"
    );
    client.stop().await;
}

/// A project configuration applies to the documents below it; when it changes on disk
/// (`workspace/didChangeWatchedFiles`) every open document is linted again with it; a bad
/// one is shown to the user, naming the file, line and key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_change_republishes_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().canonicalize().expect("canonical");
    let config = root.join("condago.toml");
    std::fs::write(&config, "ignore = [\"CG104\"]\n").expect("write");
    let watching = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let mut client = Client::start_with(condago_linter::lint_parsed, watching).await;
    // The server asks to be told about condago.toml files.
    let register = client
        .next(|m| m["method"] == "client/registerCapability")
        .await;
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"],
        json!([{"globPattern": "**/condago.toml"}, {"globPattern": "**/.condago.toml"}])
    );
    let id = register["id"].clone();
    client
        .send(json!({"jsonrpc": "2.0", "id": id, "result": null}))
        .await;
    let uri = format!("file://{}/.zshrc", root.display());
    let is_ours = |m: &Value, uri: &str| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
    };
    client.open(&uri, "export PATH=\"~/go/bin:$PATH\"\n").await;
    let first = client.next(|m| is_ours(m, &uri)).await;
    assert_eq!(codes(&first), ["CG102"], "CG104 ignored by condago.toml");

    std::fs::write(&config, "ignore = [\"CG102\"]\n").expect("write");
    let config_uri = format!("file://{}", config.display());
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": config_uri, "type": 2}]}),
        )
        .await;
    let second = client.next(|m| is_ours(m, &uri)).await;
    assert_eq!(codes(&second), ["CG104"], "re-published with the new file");

    std::fs::write(&config, "ignor = [\"CG102\"]\n").expect("write");
    client
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": config_uri, "type": 2}]}),
        )
        .await;
    let shown = client.next(|m| m["method"] == "window/showMessage").await;
    let text = shown["params"]["message"].as_str().expect("message");
    assert!(
        text.contains(
            "condago.toml:1:1: `ignor`: unknown key in condago.toml; did you mean `ignore`?"
        ),
        "{text}"
    );
    let third = client.next(|m| is_ours(m, &uri)).await;
    let mut found = codes(&third);
    found.sort();
    assert_eq!(found, ["CG102", "CG104"], "linted without the bad file");
    client.stop().await;
}
