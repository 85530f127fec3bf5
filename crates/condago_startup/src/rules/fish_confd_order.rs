//! CG605 `fish-confd-order` (documented in `condago_linter::rules::startup`).

use std::path::PathBuf;

use condago_linter::model::{StartupFile, StatementKind};
use condago_linter::rules::startup::fish_confd_order::RULE;

use super::{Finding, Model};
use crate::{Mode, StartupShell};

/// Variables fish sets by itself.
const FISH_OWN: &[&str] = &[
    "argv",
    "status",
    "pipestatus",
    "fish_pid",
    "last_pid",
    "version",
    "hostname",
    "PWD",
    "SHLVL",
    "CMD_DURATION",
    "COLUMNS",
    "LINES",
    "history",
];

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let startup = model
        .startup(StartupShell::Fish, Mode::InteractiveLogin)
        .clone();
    let Some((config_read, config)) = startup
        .files
        .iter()
        .enumerate()
        .find(|(_, f)| !f.system && f.depth == 0 && f.path.ends_with("/fish/config.fish"))
    else {
        return;
    };
    let Some(source) = model.shell_text(&config.real, condago_syntax::Shell::Fish) else {
        return;
    };
    let parse = condago_syntax::parse(
        &source,
        condago_syntax::Shell::Fish,
        &condago_syntax::Budget::default(),
    );
    let file = StartupFile::new(&config.real, &source, &parse, false);
    let line_of_set = |name: &str| {
        file.statements
            .iter()
            .find_map(|statement| match &statement.kind {
                StatementKind::Assignment(a) if a.name == name && a.has_value => {
                    Some(file.line_of(statement.range.start) + 1)
                }
                _ => None,
            })
    };
    let line_of_function = |name: &str| {
        file.statements
            .iter()
            .find(|s| s.context.function.as_deref() == Some(name))
            .map(|s| file.line_of(s.range.start))
    };
    let in_confd = |read: usize| {
        let mut at = read;
        loop {
            let Some(f) = startup.files.get(at) else {
                return false;
            };
            match &f.from {
                Some(from) if f.depth > 0 => at = from.read,
                _ => return f.path.contains("/conf.d/") && at < config_read,
            }
        }
    };
    let mut reported = Vec::new();
    for (at, name) in &startup.unset_reads {
        if FISH_OWN.contains(&name.as_str()) || !in_confd(at.read) {
            continue;
        }
        let Some(line) = line_of_set(name) else {
            continue;
        };
        if reported.contains(&(at.clone(), name.clone())) {
            continue;
        }
        reported.push((at.clone(), name.clone()));
        let message = format!(
            "`${name}` is empty here: `config.fish` sets it (line {line}), but conf.d files run before `config.fish`"
        );
        if let Some(finding) =
            model.finding(&RULE, &PathBuf::from(&at.file), at.line, message, None)
        {
            out.push(finding);
        }
    }
    for (at, name) in &startup.undefined_calls {
        if !in_confd(at.read) {
            continue;
        }
        let Some(line) = line_of_function(name) else {
            continue;
        };
        let message = format!(
            "`{name}` is not defined yet: `config.fish` defines it (line {line}), but conf.d files run before `config.fish`"
        );
        if let Some(finding) =
            model.finding(&RULE, &PathBuf::from(&at.file), at.line, message, None)
        {
            out.push(finding);
        }
    }
}
