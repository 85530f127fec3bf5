//! `condago server` spoken to over JSON-RPC, as an editor does: bursts of incremental
//! changes interleaved with requests, in each position encoding; the protocol's edges.

mod lsp_common;

use std::path::Path;
use std::time::Duration;

use lsp_common::*;
use serde_json::{json, Value};

const URI: &str = "file:///home/u/.zshrc";
const PATH: &str = "/home/u/.zshrc";

/// A document the random sessions edit.
struct Subject {
    uri: &'static str,
    path: &'static str,
    language: &'static str,
    start: &'static str,
}

const ZSHRC: Subject = Subject {
    uri: URI,
    path: PATH,
    language: "zsh",
    start: START,
};

const BASHRC: Subject = Subject {
    uri: "file:///home/u/.bashrc",
    path: "/home/u/.bashrc",
    language: "shellscript",
    start: "# ünï 😀\r\nexport PATH=\"/opt/漢:~/go/bin:$PATH\"\nif [ -d ~/x ]; then\n\tPATH=$PATH:'~/x'\nfi\n. \"~/.bash_aliases\"\n",
};

const CONFIG_FISH: Subject = Subject {
    uri: "file:///home/u/.config/fish/config.fish",
    path: "/home/u/.config/fish/config.fish",
    language: "fish",
    start: "# 漢字 😀\r\nset -gx PATH \"/opt/é:~/go/bin\" $PATH\nif status is-interactive\n\tfish_add_path -g '~/x'\nend\nexport GOPATH='~/go'\n",
};

/// Non-ASCII text before findings on the same line, CRLF, tabs, emoji and CJK.
const START: &str = "# 漢字 and 😀 before the findings\r\n\
export PATH=\"/opt/ünï/😀:~/go/bin:$PATH\"\r\n\
if [[ -o interactive ]]; then\n\
\texport GOPATH='~/go' # é\n\
\tpath=(\"~/漢字/bin\" $path)\n\
fi\n\
source \"~/.zsh_aliases\"\n";

/// What random edits insert.
const PIECES: &[&str] = &[
    "~",
    "é",
    "😀",
    "漢字",
    "\t",
    "\r\n",
    "\n",
    "x",
    " ",
    "\"",
    "'",
    "$HOME",
    ":",
    "/bin",
    "export PATH=\"~/bin:$PATH\"\n",
    "# condago: disable=CG102\n",
    "\u{2028}",
    "fi\n",
    "if true; then\n",
    "path+=(\"~/x\")\n",
    "\r",
];

fn capabilities(offered: &[&str]) -> Value {
    json!({
        "general": {"positionEncodings": offered},
        "workspace": {"workspaceEdit": {"documentChanges": true}},
        "textDocument": {"publishDiagnostics": {"versionSupport": true}},
    })
}

/// Offsets where an edit may start or end: character boundaries, not inside a CRLF.
fn boundaries(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    (0..=text.len())
        .filter(|&at| text.is_char_boundary(at))
        .filter(|&at| !(at > 0 && bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n')))
        .collect()
}

/// One random change: its LSP form (against `text`) and the text after it.
fn random_change(rng: &mut Rng, text: &str, enc: Enc) -> (Value, String) {
    let points = boundaries(text);
    let start_index = rng.below(points.len());
    let start = points[start_index];
    let end = match rng.below(4) {
        0 | 1 => start,
        _ => points[(start_index + 1 + rng.below(12)).min(points.len() - 1)],
    };
    let insert = if end > start && rng.below(3) == 0 {
        String::new()
    } else {
        (0..=rng.below(2))
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect()
    };
    let change = json!({
        "range": lsp_range(text, start..end, enc),
        "text": insert,
    });
    let mut next = text.to_string();
    next.replace_range(start..end, &insert);
    (change, next)
}

/// Checks a code action answer against a fresh lint of the text it was asked on.
fn check_code_actions(subject: &Subject, response: &Value, text: &str, enc: Enc) {
    let actions = response["result"]
        .as_array()
        .unwrap_or_else(|| panic!("{response}"));
    let findings = fresh_lint(Path::new(subject.path), text);
    let mut wanted: Vec<String> = findings
        .iter()
        .filter_map(|finding| finding.fix.as_ref())
        .map(|fix| {
            String::from_utf8(condago_linter::apply_edits(text.as_bytes(), &fix.edits))
                .expect("utf-8")
        })
        .collect();
    let mut got = Vec::new();
    for action in actions {
        let title = action["title"].as_str().expect("title");
        let fixed = apply_text_edits(text, &action_edits(action, subject.uri), enc);
        if action["kind"] == "quickfix" && title.starts_with("Disable ") {
            let code = title.split(' ').nth(1).expect("code");
            assert!(
                fixed.contains(&format!("condago: disable={code}"))
                    || fixed.contains(&format!(",{code}"))
            );
        } else if action["kind"] == "quickfix" {
            got.push(fixed);
        }
    }
    wanted.sort();
    got.sort();
    assert_eq!(got, wanted, "quick-fixes for {text:?}");
}

/// A session of random bursts; after every published version, the diagnostics are a fresh
/// lint of the client's text at that version.
fn bursts(subject: &Subject, offered: &[&str], enc: Enc, seed: u64, rounds: usize) {
    let mut client = Client::spawn();
    let result = client.initialize(capabilities(offered), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], enc.name());
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    let (uri, path) = (subject.uri, Path::new(subject.path));
    let mut texts: Vec<String> = vec![String::new(), subject.start.to_string()];
    client.open(uri, subject.language, 1, subject.start);
    let first = client.diagnostics_for(uri, Some(1));
    assert_eq!(
        published(&first.message),
        expected(path, subject.start, enc)
    );
    let mut rng = Rng::new(seed);
    let mut requests: Vec<(Value, usize, &str)> = Vec::new();
    let mut checked_versions = 1;
    for _burst in 0..rounds {
        let mut buffer = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let version = texts.len();
            let mut text = texts.last().expect("text").clone();
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let (change, next) = random_change(&mut rng, &text, enc);
                changes.push(change);
                text = next;
            }
            texts.push(text);
            buffer.extend(frame(&notification(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
            )));
            // Requests between the changes see exactly the text before them.
            if rng.below(3) == 0 {
                let text = texts.last().expect("text");
                let id = client.take_id();
                buffer.extend(frame(&json!({
                    "jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction",
                    "params": {
                        "textDocument": {"uri": uri},
                        "range": {"start": {"line": 0, "character": 0}, "end": lsp_position(text, text.len(), enc)},
                        "context": {"diagnostics": [], "only": ["quickfix"]},
                    },
                })));
                requests.push((json!(id), version, "codeAction"));
            }
            if rng.below(3) == 0 {
                let text = texts.last().expect("text");
                if let Some(finding) = fresh_lint(path, text).first() {
                    let id = client.take_id();
                    buffer.extend(frame(&json!({
                        "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
                        "params": {
                            "textDocument": {"uri": uri},
                            "position": lsp_position(text, finding.range.start, enc),
                        },
                    })));
                    requests.push((json!(id), version, finding.code));
                }
            }
        }
        client.write_raw(&buffer);
        let last = texts.len() - 1;
        let last_publication = client.diagnostics_for(uri, Some(last as i64));
        for (id, version, what) in requests.drain(..) {
            let response = client.response(&id);
            let text = &texts[version];
            if what == "codeAction" {
                check_code_actions(subject, &response, text, enc);
            } else {
                let hover = response["result"]["contents"]["value"]
                    .as_str()
                    .unwrap_or_default();
                assert!(
                    hover.contains(&format!("**{what}**")),
                    "hover at version {version}: {response}"
                );
            }
        }
        // Every publication so far, including the last version's.
        let mut previous = 0;
        let mut publications: Vec<Incoming> = client.take_publications();
        publications.push(last_publication);
        publications.sort_by_key(|incoming| incoming.at);
        for message in publications.iter().map(|incoming| &incoming.message) {
            let version = message["params"]["version"].as_u64().expect("version") as usize;
            assert!(version > previous, "versions are published in order, once");
            previous = version;
            assert_eq!(
                published(message),
                expected(path, &texts[version], enc),
                "version {version}, text {:?}",
                texts[version]
            );
        }
        checked_versions += publications.len();
    }
    let (status, _) = client.shutdown_and_exit();
    assert!(status.success());
    eprintln!(
        "{} in {}, seed {seed}: {} versions, {checked_versions} publications checked",
        subject.path,
        enc.name(),
        texts.len() - 1
    );
}

#[test]
fn bursts_in_utf8() {
    bursts(&ZSHRC, &["utf-16", "utf-8"], Enc::Utf8, 1, 60);
}

#[test]
fn bursts_in_utf16() {
    bursts(&ZSHRC, &["utf-16"], Enc::Utf16, 2, 60);
}

#[test]
fn bursts_in_utf32() {
    bursts(&ZSHRC, &["utf-32", "utf-16"], Enc::Utf32, 3, 60);
}

#[test]
fn bursts_in_bash_and_fish() {
    bursts(&BASHRC, &["utf-16"], Enc::Utf16, 4, 30);
    bursts(&CONFIG_FISH, &["utf-8"], Enc::Utf8, 5, 30);
}

/// More seeds: `CONDAGO_LSP_SOAK=200 [CONDAGO_LSP_SOAK_FROM=100] cargo test -p condago --test lsp_protocol -- --ignored`.
#[test]
#[ignore = "a soak: run it by hand"]
fn bursts_soak() {
    let seeds: u64 = std::env::var("CONDAGO_LSP_SOAK")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let from: u64 = std::env::var("CONDAGO_LSP_SOAK_FROM")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    for seed in from..from + seeds {
        let (subject, offered, enc) = match seed % 3 {
            0 => (&ZSHRC, &["utf-16"][..], Enc::Utf16),
            1 => (&BASHRC, &["utf-8"][..], Enc::Utf8),
            _ => (&CONFIG_FISH, &["utf-32"][..], Enc::Utf32),
        };
        bursts(subject, offered, enc, seed, 60);
    }
}

#[test]
fn no_encoding_offered_means_utf16() {
    let mut client = Client::spawn();
    let result = client.initialize(json!({}), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    let text = "export PATH=\"/😀/漢:~/bin:$PATH\"\n";
    client.open("file:///home/u/.bashrc", "shellscript", 1, text);
    let message = client
        .diagnostics_for("file:///home/u/.bashrc", Some(1))
        .message;
    assert_eq!(
        published(&message),
        expected(Path::new("/home/u/.bashrc"), text, Enc::Utf16)
    );
    let tilde = &message["params"]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "CG102")
        .expect("CG102")["range"]["start"];
    // `export PATH="` 13, `/😀/漢:` 6 units: the `~` is at 19.
    assert_eq!(tilde, &json!({"line": 0, "character": 19}));
    client.shutdown_and_exit();
}

#[test]
fn close_clears_and_configuration_selects_rules() {
    let mut client = Client::spawn();
    client.initialize(
        capabilities(&["utf-16"]),
        json!({"ignore": ["CG102", "CG999"]}),
    );
    let shown = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(shown.message["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("`CG999`"));
    let text = "export PATH=\"~/bin:$PATH\"\n";
    client.open(URI, "zsh", 1, text);
    let message = client.diagnostics_for(URI, Some(1)).message;
    let codes: Vec<String> = published(&message).into_iter().map(|d| d.0).collect();
    assert!(!codes.contains(&"CG102".to_string()), "{codes:?}");
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"condago": {"ignore": [], "select": ["CG102"]}}}),
    );
    let message = client.diagnostics_for(URI, Some(1)).message;
    let codes: Vec<String> = published(&message).into_iter().map(|d| d.0).collect();
    assert_eq!(codes, ["CG102"]);
    // An unknown rule is said, not silently ignored.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"select": ["CG999"]}}),
    );
    let shown = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(shown.message["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("CG999"));
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let cleared = client.wait_for(|m| {
        is_publication(m)
            && m["params"]["diagnostics"] == json!([])
            && m["params"].get("version").is_none()
    });
    assert_eq!(cleared.message["params"]["uri"], URI);
    client.shutdown_and_exit();
}

#[test]
fn code_actions_fix_disable_and_fix_all() {
    let mut client = Client::spawn();
    client.initialize(
        json!({"general": {"positionEncodings": ["utf-8"]}}),
        Value::Null,
    );
    let text =
        "if true; then\r\n\texport PATH=\"/é:~/go/bin:$PATH\"\r\nfi\r\nexport GOPATH='~/go'\r\n";
    client.open(URI, "zsh", 3, text);
    client.diagnostics_for(URI, Some(3));
    let line = json!({"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 5}});
    let response = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": line, "context": {"diagnostics": []}}),
    );
    let actions = response["result"].as_array().expect("actions").clone();
    let fix = actions
        .iter()
        .find(|a| a["title"] == "Replace `~` with `$HOME` (CG102)")
        .unwrap_or_else(|| panic!("{actions:#?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "CG102");
    // No client `documentChanges` capability: plain `changes`.
    assert!(fix["edit"]["changes"][URI].is_array());
    assert_eq!(
        apply_text_edits(text, &action_edits(fix, URI), Enc::Utf8),
        text.replace("/é:~/go", "/é:$HOME/go")
    );
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable CG102 for this line")
        .expect("disable action");
    let disabled = apply_text_edits(text, &action_edits(disable, URI), Enc::Utf8);
    assert_eq!(
        disabled,
        text.replace(
            "\texport PATH",
            "\t# condago: disable=CG102\r\n\texport PATH"
        )
    );
    let count = |text: &str| {
        fresh_lint(Path::new(PATH), text)
            .iter()
            .filter(|f| f.code == "CG102")
            .count()
    };
    assert_eq!(count(&disabled), count(text) - 1, "{disabled}");
    // Only fix-all, asked as a parent kind (as editors do on save): safe fixes only.
    let whole = json!({"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}});
    let response = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = response["result"].as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.condago");
    let fixed = apply_text_edits(text, &action_edits(&actions[0], URI), Enc::Utf8);
    let detection =
        condago_linter::resolve_shell(Path::new(PATH), text.as_bytes(), None).expect("zsh");
    let outcome = condago_linter::fix_until_stable(
        Path::new(PATH),
        text.as_bytes(),
        detection,
        &condago_linter::Settings::default(),
        condago_linter::Applicability::Safe,
    );
    assert_eq!(fixed.as_bytes(), outcome.text.as_slice());
    assert!(
        fixed.contains("$HOME/go/bin") && fixed.contains("GOPATH=\"$HOME/go\""),
        "{fixed}"
    );
    client.shutdown_and_exit();
}

#[test]
fn hover_shows_the_rule_and_the_path_so_far() {
    let mut client = Client::spawn();
    client.initialize(capabilities(&["utf-16"]), Value::Null);
    let text = "export PATH=\"$HOME/go/bin:$PATH\"\nexport PATH=\"/opt/😀/bin:~/x:$PATH\"\n";
    client.open("file:///home/u/.bashrc", "shellscript", 1, text);
    client.diagnostics_for("file:///home/u/.bashrc", Some(1));
    let tilde = text.find('~').expect("~");
    let response = client.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///home/u/.bashrc"}, "position": lsp_position(text, tilde, Enc::Utf16)}),
    );
    let value = response["result"]["contents"]["value"]
        .as_str()
        .expect("markdown");
    assert_eq!(response["result"]["contents"]["kind"], "markdown");
    assert!(value.contains("**CG102** `path-tilde-quoted`"), "{value}");
    assert!(value.contains("## What it does"), "{value}");
    let expected_path = "1. `/opt/😀/bin` (line 2)\n2. `~/x` (line 2)\n3. `$HOME/go/bin` (line 1)\n4. the inherited `$PATH`";
    assert!(value.contains("**`PATH` after line 2**"), "{value}");
    assert!(value.contains(expected_path), "{value}");
    // A line that changes nothing: no hover.
    let response = client.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///home/u/.bashrc"}, "position": {"line": 2, "character": 0}}),
    );
    assert_eq!(response["result"], Value::Null);
    client.shutdown_and_exit();
}

#[test]
fn malformed_messages_unknown_methods_and_out_of_range_positions() {
    let mut client = Client::spawn();
    // Before `initialize`: "server not initialized".
    let response = client.call("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32002, "{response}");
    client.initialize(capabilities(&["utf-16"]), Value::Null);
    // Not JSON: a parse error, with a null id.
    let broken = b"{\"jsonrpc\": 2";
    let mut bytes = format!("Content-Length: {}\r\n\r\n", broken.len()).into_bytes();
    bytes.extend(broken);
    client.write_raw(&bytes);
    let response = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(
        response.message["error"]["code"], -32700,
        "{}",
        response.message
    );
    assert_eq!(response.message["id"], Value::Null);
    // JSON, but not a request.
    client.send(&json!({"jsonrpc": "2.0", "params": 3}));
    let response = client.wait_for(|m| m.get("error").is_some());
    assert_eq!(
        response.message["error"]["code"], -32600,
        "{}",
        response.message
    );
    // Unknown request: method not found. Unknown notifications are ignored.
    client.notify("condago/unknownNotification", json!({}));
    client.notify("$/unknown", json!({}));
    let response = client.call("condago/unknown", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    // Wrong params: invalid params.
    let response = client.call("textDocument/hover", json!({"textDocument": 3}));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    // Positions past the end of a line or the text are clamped to it.
    let text = "export PATH=\"~/bin:$PATH\"\r\n";
    client.open(URI, "zsh", 1, text);
    client.diagnostics_for(URI, Some(1));
    let far = json!({"line": 99, "character": 99});
    let change = json!({"range": {"start": far, "end": far}, "text": "export GOPATH='~/go'\n"});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [change]}),
    );
    let past_line_end = json!({"range": {"start": {"line": 0, "character": 200}, "end": {"line": 0, "character": 300}}, "text": " # x"});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [past_line_end]}),
    );
    let expected_text = "export PATH=\"~/bin:$PATH\" # x\r\nexport GOPATH='~/go'\n";
    let message = client.diagnostics_for(URI, Some(3)).message;
    assert_eq!(
        published(&message),
        expected(Path::new(PATH), expected_text, Enc::Utf16)
    );
    let response = client.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": far}),
    );
    assert!(response.get("error").is_none(), "{response}");
    let response = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": far, "end": far}, "context": {"diagnostics": []}}),
    );
    assert!(response["result"].is_array(), "{response}");
    // A document that is not open.
    let response = client.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(response["result"], Value::Null);
    // After `shutdown`, requests are invalid; `exit` ends the process at once although
    // stdin stays open, with status 0.
    let response = client.call("shutdown", Value::Null);
    assert_eq!(response["result"], Value::Null);
    let response = client.call("textDocument/hover", json!({}));
    assert_eq!(response["error"]["code"], -32600, "{response}");
    let (status, took) = client.exit();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(1), "exit took {took:?}");
}

#[test]
fn exit_without_shutdown_is_an_error_exit() {
    let mut client = Client::spawn();
    client.initialize(json!({}), Value::Null);
    let (status, took) = client.exit();
    assert_eq!(status.code(), Some(1));
    assert!(took < Duration::from_secs(1), "exit took {took:?}");
}

#[test]
fn a_file_past_the_parse_budget_gets_cg002_and_never_stalls() {
    let mut client = Client::spawn();
    client.initialize(capabilities(&["utf-8"]), Value::Null);
    let text = "export PATH=\"$HOME/bin:$PATH\"\n".repeat(50);
    client.open(URI, "zsh", 1, &text);
    let message = client.diagnostics_for(URI, Some(1)).message;
    assert!(published(&message).iter().all(|d| d.0 != "CG002"));
    // Typing a line nested so deep that its parse needs more than the memory budget.
    let runaway = format!("echo {}\n", "$(".repeat(100_000));
    let start = json!({"line": 0, "character": 0});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"range": {"start": start, "end": start}, "text": runaway}]}),
    );
    let message = client.diagnostics_for(URI, Some(2)).message;
    let codes: Vec<String> = published(&message).into_iter().map(|d| d.0).collect();
    assert!(codes.contains(&"CG002".to_string()), "{codes:?}");
    // The next keystrokes do not retry the runaway grammar.
    for version in 3..8 {
        let end = json!({"line": 1, "character": 0});
        let sent = std::time::Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"range": {"start": end, "end": end}, "text": "#"}]}),
        );
        let incoming = client.diagnostics_for(URI, Some(version));
        let codes: Vec<String> = published(&incoming.message)
            .into_iter()
            .map(|d| d.0)
            .collect();
        assert!(codes.contains(&"CG002".to_string()), "{codes:?}");
        let took = incoming.at.duration_since(sent);
        assert!(
            took < Duration::from_millis(500),
            "a keystroke took {took:?}"
        );
    }
    client.shutdown_and_exit();
}

#[test]
fn documents_beyond_the_kept_trees_still_lint_hover_and_fix() {
    // The server keeps syntax trees for a few recent documents only; the others are
    // parsed again when needed and must answer exactly as before.
    let mut client = Client::spawn();
    client.initialize(capabilities(&["utf-16"]), Value::Null);
    let text = "export PATH=\"$HOME/go/bin:$PATH\"\nexport GOPATH='~/go'\n";
    let uris: Vec<String> = (0..8)
        .map(|i| format!("file:///home/u/host{i}/.bashrc"))
        .collect();
    for uri in &uris {
        client.open(uri, "shellscript", 1, text);
        client.diagnostics_for(uri, Some(1));
    }
    let path = Path::new("/home/u/.bashrc");
    // Edit the oldest document.
    let end = json!({"line": 2, "character": 0});
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uris[0], "version": 2}, "contentChanges": [{"range": {"start": end, "end": end}, "text": "export PATH=\"~/x:$PATH\"\n"}]}),
    );
    let edited = format!("{text}export PATH=\"~/x:$PATH\"\n");
    let message = client.diagnostics_for(&uris[0], Some(2)).message;
    assert_eq!(published(&message), expected(path, &edited, Enc::Utf16));
    // Hover and code actions on another old one.
    let response = client.call(
        "textDocument/hover",
        json!({"textDocument": {"uri": uris[1]}, "position": {"line": 0, "character": 3}}),
    );
    let value = response["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(value.contains("1. `$HOME/go/bin` (line 1)"), "{response}");
    let response = client.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uris[2]}, "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}, "context": {"diagnostics": []}}),
    );
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
    client.shutdown_and_exit();
}

#[test]
fn dockerfiles_get_container_findings_and_quick_fixes() {
    let mut client = Client::spawn();
    client.initialize(capabilities(&["utf-16"]), json!({}));
    let uri = "file:///tmp/condago-lsp-container/Dockerfile";
    let text = "FROM mcr.microsoft.com/devcontainers/go:1.22\nRUN go env -w GOPATH=/workspace/go\n";
    client.open(uri, "dockerfile", 1, text);
    let message = client.diagnostics_for(uri, Some(1)).message;
    let codes: Vec<String> = published(&message).into_iter().map(|d| d.0).collect();
    assert_eq!(codes, ["CG805"]);
    client.shutdown_and_exit();
}
