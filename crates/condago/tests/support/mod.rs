//! Shared by the integration tests: the Debian corpus, and the rule that a missing tool is
//! a loud skip locally and a failure under `CI=true`.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use condago_syntax::Shell;

/// The condago binary under test, with standard input closed and `NO_COLOR` unset.
pub fn condago() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_condago"));
    command.env_remove("NO_COLOR").stdin(Stdio::null());
    command
}

/// Runs condago in a directory to completion.
pub fn run(args: &[&str], dir: &Path) -> Output {
    condago()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("condago runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Whether this is CI (`CI=true`), where a missing tool fails instead of skipping.
pub fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Says a test (or part of it) cannot run: `SKIPPED: …` locally, a panic under `CI=true`.
pub fn skip_or_fail(why: &str) {
    assert!(!in_ci(), "{why}, and CI=true makes this a failure");
    eprintln!("SKIPPED: {why}");
}

/// Which files of a package directory are shell.
type IsShell = fn(&Path) -> bool;

/// The corpus: Debian's bash-completion, fish and zsh packages, with their shells.
const TREES: &[(&str, Shell, IsShell)] = &[
    ("/usr/share/bash-completion", Shell::Bash, |_| true),
    ("/usr/share/fish", Shell::Fish, |p| {
        p.extension().is_some_and(|e| e == "fish")
    }),
    ("/usr/share/zsh", Shell::Zsh, |p| {
        p.extension().is_none_or(|e| e != "zwc")
    }),
];

/// Every shell file of the corpus (about 3,000), in a stable order; a missing package is
/// skipped loudly (a failure under `CI=true`).
pub fn debian_corpus() -> Vec<(PathBuf, Shell)> {
    let mut files = Vec::new();
    for (root, shell, keep) in TREES {
        if !Path::new(root).is_dir() {
            skip_or_fail(&format!(
                "part of the corpus: {root} is missing (install Debian's bash-completion, fish and zsh packages)"
            ));
            continue;
        }
        for entry in walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_file() && keep(entry.path()) {
                files.push((entry.into_path(), *shell));
            }
        }
    }
    files
}

/// `nvim --version`'s first line, or `None` after [`skip_or_fail`].
pub fn neovim() -> Option<String> {
    let found = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        });
    if found.is_none() {
        skip_or_fail("nvim is not installed (apt-get install neovim)");
    }
    found
}
