//! The language server's benchmark (reports numbers, asserts none):
//! keystroke-to-`publishDiagnostics` latency on a 2,000-line startup file, and the server's
//! memory with 20 files open. Run it on a release build:
//!
//! ```sh
//! cargo test --release -p condago --test lsp_bench -- --ignored --nocapture
//! ```

mod lsp_common;

use std::time::{Duration, Instant};

use lsp_common::*;
use serde_json::{json, Value};

/// Most of a long `.zshrc`: functions, aliases, options, completion (40 lines); `{n}`
/// makes each copy different.
const BLOCK: &str = r#"# ── section {n}: helpers ─ 漢字 ─────────────────────────────
alias ll{n}='ls -la'
alias gs{n}='git status --short'
alias gd{n}='git diff'
function mkcd{n}() {
  mkdir -p "$1" && cd "$1"
}
function extract{n}() {
  case "$1" in
    *.tar.gz) tar xzf "$1" ;;
    *.zip) unzip "$1" ;;
    *) echo "unknown archive: $1" >&2; return 1 ;;
  esac
}
setopt HIST_IGNORE_DUPS SHARE_HISTORY
HISTSIZE=10000
SAVEHIST=10000
[[ -f ~/.fzf{n}.zsh ]] && source ~/.fzf{n}.zsh
if command -v direnv >/dev/null 2>&1; then
  eval "$(direnv hook zsh)"
fi
export EDITOR=nvim
export LANG=en_US.UTF-8
zstyle ':completion:*' menu select
zstyle ':completion:*:descriptions' format '%B%d%b'
autoload -Uz compinit
bindkey -e
bindkey '^R' history-incremental-search-backward
for file in ~/.zsh{n}/*.zsh(N); do
  source "$file"
done
precmd_{n}() { print -Pn "\e]0;%~\a" }
# 😀 notes for section {n}
export VAR_{n}="value {n}"
typeset -A colors_{n}
colors_{n}[red]=$'\e[31m'
colors_{n}[reset]=$'\e[0m'
greet_{n}() {
  print -P "%F{green}hello $USER%f"
}
"#;

/// The `PATH` part (40 lines), once every ten blocks.
const PATHS: &str = r#"# ── section {n}: PATH ──────────────────────────────────────
typeset -U PATH path
export GOPATH="$HOME/go"
path=("$HOME/.local/bin" $path)
if [[ -d "$HOME/.cargo/bin" ]]; then
  path=("$HOME/.cargo/bin" $path)
fi
case ":$PATH:" in
  *":/opt/tool{n}/bin:"*) ;;
  *) export PATH="$PATH:/opt/tool{n}/bin" ;;
esac
if command -v pyenv >/dev/null 2>&1; then
  eval "$(pyenv init -)"
fi
export MANPATH="/usr/local/man:$MANPATH"
export PATH="~/bin{n}:$PATH"
for dir in ~/scripts{n} ~/tools{n}; do
  [ -d "$dir" ] && path=("$dir" $path)
done
export GOBIN="$GOPATH/bin"
path+=("$GOBIN")
export PAGER=less
export LESS=-R
alias path{n}='print -l $path'
function addpath{n}() {
  [[ -d "$1" ]] && path=("$1" $path)
}
export NODE_OPTIONS=--max-old-space-size=4096
export NPM_CONFIG_PREFIX="$HOME/.npm-global"
path+=("$NPM_CONFIG_PREFIX/bin")
export PNPM_HOME="$HOME/.local/share/pnpm"
case ":$PATH:" in
  *":$PNPM_HOME:"*) ;;
  *) export PATH="$PNPM_HOME:$PATH" ;;
esac
export DENO_INSTALL="$HOME/.deno"
path+=("$DENO_INSTALL/bin")
export BUN_INSTALL="$HOME/.bun"
path+=("$BUN_INSTALL/bin")
# end of PATH section {n}
"#;

/// A 2,000-line `.zshrc`: a conda block, then sections, a few of them about `PATH`.
fn startup_file(variant: usize) -> String {
    let mut text = String::from(
        "# >>> conda initialize >>>\n\
         # !! Contents within this block are managed by 'conda init' !!\n\
         __conda_setup=\"$('/home/u/miniconda3/bin/conda' 'shell.zsh' 'hook' 2> /dev/null)\"\n\
         if [ $? -eq 0 ]; then\n\
         \x20   eval \"$__conda_setup\"\n\
         else\n\
         \x20   export PATH=\"/home/u/miniconda3/bin:$PATH\"\n\
         fi\n\
         unset __conda_setup\n\
         # <<< conda initialize <<<\n",
    );
    let mut n = 0;
    while text.lines().count() + 40 <= 2000 {
        let block = if n % 10 == 0 { PATHS } else { BLOCK };
        text.push_str(&block.replace("{n}", &format!("{variant}_{n}")));
        n += 1;
    }
    while text.lines().count() < 2000 {
        text.push_str("# padding\n");
    }
    text
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn report(label: &str, latencies: &mut [Duration]) {
    latencies.sort();
    eprintln!(
        "{label}: n={}, p50 {}, p90 {}, p99 {}, max {}",
        latencies.len(),
        ms(percentile(latencies, 0.50)),
        ms(percentile(latencies, 0.90)),
        ms(percentile(latencies, 0.99)),
        ms(*latencies.last().expect("samples")),
    );
}

/// A keystroke: one character typed at the end of `line`.
fn keystroke(uri: &str, version: i64, line: usize, column: usize, typed: &str) -> Value {
    let at = json!({"line": line, "character": column});
    notification(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": typed}],
        }),
    )
}

/// Sends keystrokes one at a time, each waiting for its diagnostics; returns the latencies.
fn type_one_at_a_time(
    client: &mut Client,
    uri: &str,
    version: &mut i64,
    keystrokes: &[(usize, usize, &str)],
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    for (line, column, typed) in keystrokes {
        *version += 1;
        let sent = Instant::now();
        client.send(&keystroke(uri, *version, *line, *column, typed));
        let published = client.diagnostics_for(uri, Some(*version));
        latencies.push(published.at.duration_since(sent));
    }
    latencies
}

/// Typing `typed` again and again from the start of `line` (a new line of its own).
fn typing_a_line(line: usize, typed: &str, count: usize) -> Vec<(usize, usize, &str)> {
    let chars: Vec<(usize, &str)> = typed
        .char_indices()
        .map(|(at, c)| (at, &typed[at..at + c.len_utf8()]))
        .collect();
    let mut out = Vec::new();
    let mut line = line;
    let mut column = 0;
    let mut index = 0;
    while out.len() < count {
        let (_, piece) = chars[index % chars.len()];
        out.push((line, column, piece));
        if piece == "\n" {
            line += 1;
            column = 0;
        } else {
            column += piece.encode_utf16().count();
        }
        index += 1;
    }
    out
}

/// The server's own timings (`CONDAGO_SERVER_TIMING`): parse, lint, publish.
fn server_breakdown(client: &Client) {
    let lines = client
        .stderr
        .lock()
        .map(|lines| lines.clone())
        .unwrap_or_default();
    let mut parse = Vec::new();
    let mut lint = Vec::new();
    let mut publish = Vec::new();
    for line in lines
        .iter()
        .filter(|line| line.starts_with("condago-timing"))
    {
        for field in line.split(' ') {
            let Some((name, value)) = field.split_once('=') else {
                continue;
            };
            let Ok(micros) = value.parse::<u64>() else {
                continue;
            };
            let duration = Duration::from_micros(micros);
            match name {
                "parse_us" => parse.push(duration),
                "lint_us" => lint.push(duration),
                "publish_us" => publish.push(duration),
                _ => {}
            }
        }
    }
    for (label, samples) in [
        ("  server: parse", &mut parse),
        ("  server: lint", &mut lint),
        ("  server: convert and send", &mut publish),
    ] {
        if !samples.is_empty() {
            report(label, samples);
        }
    }
    if let Ok(mut lines) = client.stderr.lock() {
        lines.clear();
    }
}

#[test]
#[ignore = "a benchmark: run it by hand on a release build"]
fn keystroke_latency_and_memory() {
    let text = startup_file(0);
    eprintln!("file: {} lines, {} bytes", text.lines().count(), text.len());
    let mut client = Client::spawn_with(&[("CONDAGO_SERVER_TIMING", "1")], true);
    client.initialize(
        json!({"general": {"positionEncodings": ["utf-16"]}}),
        Value::Null,
    );
    let uri = "file:///home/u/.zshrc";
    let opened = Instant::now();
    client.open(uri, "zsh", 1, &text);
    let first = client.diagnostics_for(uri, Some(1));
    let findings = first.message["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    eprintln!(
        "open: first diagnostics after {} ({findings} findings)",
        ms(first.at.duration_since(opened))
    );
    server_breakdown(&client);
    let mut version = 1;

    // Typing new lines in the middle of the file, one keystroke at a time, each waiting
    // for its diagnostics.
    client.send(&keystroke(uri, version + 1, 1000, 0, "\n"));
    version += 1;
    client.diagnostics_for(uri, Some(version));
    server_breakdown(&client);
    let typed = "export GOFLAGS=-mod=mod # keep the module cache read-only\n";
    let keystrokes = typing_a_line(1000, typed, 500);
    let mut latencies = type_one_at_a_time(&mut client, uri, &mut version, &keystrokes);
    report(
        "typing new lines, keystroke to publishDiagnostics",
        &mut latencies,
    );
    server_breakdown(&client);

    // Typing that breaks the syntax on every keystroke: `done` of a loop becomes
    // `donexxx…`, so the zsh tree has errors and the bash grammar is compared too.
    let done_line = text
        .lines()
        .position(|line| line == "done")
        .expect("a done line");
    assert!(done_line < 1000, "before the lines typed above");
    let keystrokes: Vec<(usize, usize, &str)> = (0..200).map(|i| (done_line, 4 + i, "x")).collect();
    let mut latencies = type_one_at_a_time(&mut client, uri, &mut version, &keystrokes);
    report(
        "typing a syntax error, keystroke to publishDiagnostics",
        &mut latencies,
    );
    server_breakdown(&client);
    // Undo it, so the rest types into a file without errors again.
    version += 1;
    let start = json!({"line": done_line, "character": 4});
    let end = json!({"line": done_line, "character": 204});
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": start, "end": end}, "text": ""}],
        }),
    );
    client.diagnostics_for(uri, Some(version));
    server_breakdown(&client);

    // Fast typing: a keystroke every 10 ms without waiting; each keystroke's latency is
    // until the first publication of its version or a later one.
    version += 1;
    client.send(&keystroke(uri, version, 1500, 0, "\n"));
    client.diagnostics_for(uri, Some(version));
    server_breakdown(&client);
    let keystrokes = typing_a_line(1500, typed, 300);
    let mut sent_at = Vec::new();
    for (line, column, piece) in &keystrokes {
        version += 1;
        sent_at.push((version, Instant::now()));
        client.send(&keystroke(uri, version, *line, *column, piece));
        std::thread::sleep(Duration::from_millis(10));
    }
    client.diagnostics_for(uri, Some(version));
    let mut publications: Vec<(i64, Instant)> = client
        .take_publications()
        .into_iter()
        .map(|incoming| {
            let v = incoming.message["params"]["version"].as_i64().unwrap_or(0);
            (v, incoming.at)
        })
        .collect();
    publications.push((version, Instant::now()));
    publications.sort_by_key(|(_, at)| *at);
    let mut latencies: Vec<Duration> = sent_at
        .iter()
        .filter_map(|(v, sent)| {
            publications
                .iter()
                .find(|(published, at)| published >= v && at >= sent)
                .map(|(_, at)| at.duration_since(*sent))
        })
        .collect();
    eprintln!(
        "fast typing: {} keystrokes, {} publications",
        sent_at.len(),
        publications.len()
    );
    report(
        "typing every 10 ms, keystroke to publishDiagnostics",
        &mut latencies,
    );
    server_breakdown(&client);

    // Memory: 20 open files of 2,000 lines.
    let before = rss_kb(client.pid()).unwrap_or(0);
    for i in 1..20 {
        let uri = format!("file:///home/u/dotfiles/host{i}/.zshrc");
        client.open(&uri, "zsh", 1, &startup_file(i));
        client.diagnostics_for(&uri, Some(1));
    }
    std::thread::sleep(Duration::from_millis(200));
    let after = rss_kb(client.pid()).unwrap_or(0);
    let peak = std::fs::read_to_string(format!("/proc/{}/status", client.pid()))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .map(|rest| rest.trim().to_string())
        })
        .unwrap_or_default();
    eprintln!(
        "memory: {:.1} MB resident with 1 file, {:.1} MB with 20 files (peak {peak})",
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    client.shutdown_and_exit();
}
