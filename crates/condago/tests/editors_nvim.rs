//! The Neovim plugin (`editors/nvim`), loaded from the repository by a real `nvim --headless`
//! as a user's config would (`require('condago').setup(...)`), starts `condago server` for
//! shell buffers and for startup files by name, and nothing else; says clearly when condago
//! is not installed. The Lua side is `tests/data/nvim/plugin.lua`.
//!
//! Without nvim the test says SKIPPED; under `CI=true` that is a failure.

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::neovim;

const BAD_PATH: &str = "export PATH=\"~/go/bin:$PATH\"\n";

fn write(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

#[test]
fn the_neovim_plugin_lints_startup_files_by_filetype_and_by_name() {
    let Some(version) = neovim() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // A dotfiles repository: one server for all of it.
    fs::create_dir_all(root.join(".git")).expect("mkdir .git");
    write(root, ".zshrc", BAD_PATH);
    // chezmoi's name for ~/.bashrc: no shell filetype, linted by its name.
    write(root, "dot_bashrc", BAD_PATH);
    write(
        root,
        ".config/fish/conf.d/path.fish",
        "fish_add_path -g \"~/go/bin\"\n",
    );
    write(root, ".profile", BAD_PATH);
    write(root, "notes.txt", "export PATH=\"~/go/bin:$PATH\"\n");
    let out = root.join("report.txt");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plugin = manifest
        .join("../../editors/nvim")
        .canonicalize()
        .expect("editors/nvim");
    let script = manifest.join("tests/data/nvim/plugin.lua");

    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-u", "NONE"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("CONDAGO_PLUGIN", &plugin)
        .env("CONDAGO_BIN", env!("CARGO_BIN_EXE_condago"))
        .env("CONDAGO_DIR", root)
        .env("CONDAGO_OUT", &out)
        .current_dir(root)
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
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let report = fs::read_to_string(&out)
        .unwrap_or_else(|_| panic!("{version} wrote no report (status {status:?})"));
    eprintln!("{version}:\n{report}");
    assert!(!report.contains("ERROR "), "{report}");
    assert!(!report.contains("timed out"), "{report}");
    let line = |prefix: &str| -> &str {
        report
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{report}"))
    };
    let has_code = |line: &str, code: &str| {
        line.split("codes=")
            .nth(1)
            .is_some_and(|codes| codes.split(',').any(|c| c == code))
    };

    // By filetype: Neovim reads .zshrc as zsh.
    let zshrc = line("file .zshrc ");
    assert!(zshrc.contains("filetype=zsh clients=condago "), "{zshrc}");
    assert!(has_code(zshrc, "CG102"), "{zshrc}");
    // By name, whatever the filetype.
    let chezmoi = line("file dot_bashrc ");
    assert!(chezmoi.contains("clients=condago "), "{chezmoi}");
    assert!(has_code(chezmoi, "CG102"), "{chezmoi}");
    let fish = line("file .config/fish/conf.d/path.fish ");
    assert!(fish.contains("clients=condago "), "{fish}");
    assert!(has_code(fish, "CG102"), "{fish}");
    // Anything else is left alone.
    assert_eq!(
        line("file notes.txt "),
        "file notes.txt filetype=text clients="
    );
    // One server, rooted at the repository.
    assert_eq!(line("servers "), "servers 1");
    assert_eq!(
        line("root "),
        format!("root {}", root.canonicalize().expect("canonical").display())
    );
    assert!(line("health ").contains("OK"), "{report}");
    assert_eq!(
        line("lsp/condago.lua "),
        "lsp/condago.lua cmd=condago server"
    );

    // Not installed: no server, and a message saying what to do.
    assert_eq!(line("file .profile "), "file .profile clients=");
    let notified = line("notified ");
    assert!(
        notified.contains("`condago-is-not-installed` is not an executable on PATH")
            && notified.contains("docs/editors-and-ci.md#install-condago"),
        "{notified}"
    );
    assert_eq!(line("stopped"), "stopped");
}
