//! CG601 `bash-profile-skips-bashrc` (documented in `condago_linter::rules::startup`).

use condago_linter::rules::startup::bash_profile_skips_bashrc::RULE;
use condago_linter::{Edit, Fix};

use super::{read_of, subtree, Finding, Model};
use crate::{Mode, StartupShell};

/// The login file bash reads instead of `~/.profile`, if any: its name in the home and
/// the file behind it.
pub(crate) fn bash_login_file(model: &Model) -> Option<(&'static str, std::path::PathBuf)> {
    ["~/.bash_profile", "~/.bash_login"]
        .into_iter()
        .find_map(|name| Some((name, model.home_file(&name[2..])?)))
}

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let Some((login_name, login_file)) = bash_login_file(model) else {
        return;
    };
    let Some(bashrc) = model.home_file(".bashrc") else {
        return;
    };
    let login = model.startup(StartupShell::Bash, Mode::InteractiveLogin);
    if login.exited.is_some() || login.reads(&bashrc) {
        return;
    }
    // What ~/.bashrc sets up, as an interactive bash runs it.
    let interactive = model.startup(StartupShell::Bash, Mode::Interactive).clone();
    let Some(read) = read_of(&interactive, &bashrc) else {
        return;
    };
    let inside = subtree(&interactive, read);
    let change = interactive
        .changes
        .iter()
        .find(|c| inside.contains(&c.at.read));
    let Some(change) = change else {
        return;
    };
    let what = match change.added().first() {
        Some(dir) => format!("puts `{}` on PATH", model.short(dir)),
        None => "changes PATH".to_string(),
    };
    let where_ = model.place(&change.at.file, change.at.line);
    let Some(text) = model.text(&login_file) else {
        return;
    };
    let mut insertion = String::new();
    if !text.is_empty() && !text.ends_with(b"\n") {
        insertion.push('\n');
    }
    insertion.push_str("[ -f ~/.bashrc ] && . ~/.bashrc\n");
    let fix = Fix::safe(
        "Read `~/.bashrc` at the end of the login file",
        vec![Edit::insert(text.len(), insertion)],
    );
    let message = format!(
        "`{login_name}` never reads `~/.bashrc`, which {what} ({where_}): bash login shells (ssh, a console, macOS Terminal) miss it"
    );
    if let Some(finding) = model.finding(&RULE, &login_file, 1, message, Some(fix)) {
        out.push(finding);
    }
}
