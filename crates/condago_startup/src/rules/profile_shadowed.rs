//! CG602 `profile-shadowed` (documented in `condago_linter::rules::startup`).

use condago_linter::model::StartupFile;
use condago_linter::rules::startup::profile_shadowed::RULE;
use condago_linter::{Edit, Fix};
use condago_syntax::Shell;

use super::bash_profile_skips_bashrc::bash_login_file;
use super::{Finding, Model};
use crate::{Mode, StartupShell};

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let Some((login_name, login_file)) = bash_login_file(model) else {
        return;
    };
    let Some(profile) = model.home_file(".profile") else {
        return;
    };
    let login = model.startup(StartupShell::Bash, Mode::InteractiveLogin);
    if login.exited.is_some() || login.reads(&profile) {
        return;
    }
    let Some(source) = model.shell_text(&profile, Shell::Bash) else {
        return;
    };
    let Some(what) = what_it_sets(&profile, &source) else {
        return;
    };
    let Some(text) = model.text(&login_file).map(<[u8]>::to_vec) else {
        return;
    };
    let at = after_header(&text);
    let line = "[ -f ~/.profile ] && . ~/.profile\n";
    let insertion = if at > 0 && text[at - 1] != b'\n' {
        format!("\n{line}")
    } else {
        line.to_string()
    };
    let fix = Fix::unsafe_(
        "Read `~/.profile` at the top of the login file",
        vec![Edit::insert(at, insertion)],
    );
    let message = format!(
        "`~/.profile` {what}, but `{login_name}` never reads it: bash login shells ignore `~/.profile`"
    );
    if let Some(finding) = model.finding(&RULE, &login_file, 1, message, Some(fix)) {
        out.push(finding);
    }
}

/// What `~/.profile` sets that matters: `PATH`, a Go variable, a conda block.
fn what_it_sets(path: &std::path::Path, source: &[u8]) -> Option<String> {
    let parse = condago_syntax::parse(source, Shell::Sh, &condago_syntax::Budget::default());
    let file = StartupFile::new(path, source, &parse, true);
    if let Some(block) = file.conda_blocks.first() {
        let line = file.line_of(block.range.start) + 1;
        return Some(format!("sets up {} (line {line})", block.tool));
    }
    if let Some((statement, _)) = file.path_edits().first() {
        let line = file.line_of(statement.range.start) + 1;
        return Some(format!("sets PATH (line {line})"));
    }
    let found = file
        .assignments()
        .find(|(_, a)| matches!(a.name.as_str(), "GOPATH" | "GOROOT" | "GOBIN"))
        .map(|(statement, a)| {
            let line = file.line_of(statement.range.start) + 1;
            format!("sets `{}` (line {line})", a.name)
        });
    found
}

/// The offset after a leading block of comments and blank lines.
fn after_header(text: &[u8]) -> usize {
    let mut at = 0;
    while at < text.len() {
        let end = text[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |e| at + e + 1);
        let line = String::from_utf8_lossy(&text[at..end]);
        let trimmed = line.trim();
        if !(trimmed.is_empty() || trimmed.starts_with('#')) {
            break;
        }
        at = end;
    }
    at
}
