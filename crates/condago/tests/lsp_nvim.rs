//! A real client: Neovim's own LSP client (`vim.lsp.start_client`, Neovim 0.7+) talks to
//! `condago server`, receives its diagnostics and applies its quick-fix.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::neovim;

#[test]
fn neovim_receives_diagnostics_and_applies_the_quick_fix() {
    let Some(version) = neovim() else { return };
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join(".zshrc");
    // Non-ASCII before the finding on its line: Neovim counts UTF-16 units.
    let text = "# 漢字 😀\nexport PATH=\"/opt/ünï/😀:~/go/bin:$PATH\"\n";
    std::fs::write(&file, text).expect("write .zshrc");
    let out = dir.path().join("report.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/nvim/code_action.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-u", "NONE"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("CONDAGO_BIN", env!("CARGO_BIN_EXE_condago"))
        .env("CONDAGO_FILE", &file)
        .env("CONDAGO_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nvim");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nvim") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let report = std::fs::read_to_string(&out).unwrap_or_else(|_| {
        panic!("{version} wrote no report (status {status:?})");
    });
    assert!(!report.contains("ERROR"), "{version}:\n{report}");
    let lines: Vec<&str> = report.lines().collect();
    assert!(lines.contains(&"encoding utf-16"), "{report}");
    // `export PATH="/opt/ünï/😀:` is 29 bytes: Neovim's byte column of the `~`.
    assert!(
        lines.contains(&"diagnostic condago CG102 line 1 col 29"),
        "{report}"
    );
    assert!(
        lines.contains(&"applied Replace `~` with `$HOME` (CG102)"),
        "{report}"
    );
    assert!(lines.contains(&"stopped"), "{report}");
    let buffer = report.split("--- buffer\n").nth(1).expect("buffer");
    assert_eq!(
        buffer,
        "# 漢字 😀\nexport PATH=\"/opt/ünï/😀:$HOME/go/bin:$PATH\"\n"
    );
    // The server never wrote the file: only the buffer changed.
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
}
