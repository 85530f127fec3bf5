//! CG603 `zsh-path-only-in-zshrc` (documented in `condago_linter::rules::startup`).

use std::path::PathBuf;

use condago_linter::rules::startup::zsh_path_only_in_zshrc::RULE;

use super::{subtree, Finding, Model};
use crate::{Mode, StartupShell};

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let login = model
        .startup(StartupShell::Zsh, Mode::InteractiveLogin)
        .clone();
    let is_user = |name: &str| {
        login
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.system && f.depth == 0 && f.path.ends_with(name))
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
    };
    let zshrc_reads = is_user("/.zshrc");
    let Some(&zshrc) = zshrc_reads.first() else {
        return;
    };
    // Does .zshenv or .zprofile set up PATH at all?
    let early: Vec<usize> = is_user("/.zshenv")
        .into_iter()
        .chain(is_user("/.zprofile"))
        .flat_map(|read| subtree(&login, read))
        .collect();
    if login.changes.iter().any(|c| early.contains(&c.at.read)) {
        return;
    }
    let inside = subtree(&login, zshrc);
    let plain = model
        .startup(StartupShell::Zsh, Mode::NonInteractive)
        .clone();
    let plain_dirs: Vec<String> = plain.path.iter().filter_map(|e| e.dir.clone()).collect();
    let mut reported: Vec<(String, usize)> = Vec::new();
    for entry in &login.path {
        let (Some(dir), Some(origin)) = (&entry.dir, &entry.origin) else {
            continue;
        };
        if !inside.contains(&origin.read) || plain_dirs.contains(dir) {
            continue;
        }
        if entry.via.is_some() || in_conda_block(model, &origin.file, origin.line) {
            continue;
        }
        if reported.contains(&(origin.file.clone(), origin.line)) {
            continue;
        }
        reported.push((origin.file.clone(), origin.line));
        let message = format!(
            "`{}` is put on PATH only by `.zshrc`: `zsh -c` (IDE tasks, scripts, `ssh host cmd`) does not have it; set it up in `.zshenv` or `.zprofile`",
            model.short(dir)
        );
        let path = PathBuf::from(&origin.file);
        if let Some(finding) = model.finding(&RULE, &path, origin.line, message, None) {
            out.push(finding);
        }
    }
}

/// Whether a line is inside a conda/mamba init block (by its markers).
pub(crate) fn in_conda_block(model: &mut Model, file: &str, line: usize) -> bool {
    let Some(text) = model.text(std::path::Path::new(file)) else {
        return false;
    };
    let text = String::from_utf8_lossy(text);
    let mut inside = false;
    for (n, content) in text.lines().enumerate() {
        let trimmed = content.trim();
        if trimmed.starts_with('#') && trimmed.contains(">>>") && trimmed.contains("initialize") {
            inside = true;
        }
        if n + 1 == line {
            return inside;
        }
        if trimmed.starts_with('#') && trimmed.contains("<<<") && trimmed.contains("initialize") {
            inside = false;
        }
    }
    false
}
