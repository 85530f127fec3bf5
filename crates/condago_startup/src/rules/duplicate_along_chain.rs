//! CG103 `path-duplicate-entry` along a startup chain: a directory put on `PATH` by one file
//! when another file of the same startup already put it there. (Duplicates within one file
//! are the single-file rule's.)

use std::collections::HashMap;
use std::path::PathBuf;

use condago_linter::rule::Rule;

use super::{Finding, Model};
use crate::{Mode, StartupShell};

fn rule() -> Option<&'static Rule> {
    condago_linter::registry::find("CG103")
}

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let Some(rule) = rule() else {
        return;
    };
    let mut by_line: Vec<((String, usize), String, Vec<String>)> = Vec::new();
    for shell in StartupShell::ALL {
        for mode in Mode::ALL {
            let startup = model.startup(shell, mode).clone();
            // Who put each directory on PATH first (None: inherited).
            let mut first: HashMap<String, Option<crate::Location>> = HashMap::new();
            if let Some(change) = startup.changes.first() {
                for dir in &change.before {
                    first.entry(dir.clone()).or_insert(None);
                }
            }
            for change in &startup.changes {
                if change.via.is_some() || !change.certain {
                    // conda's hook and fish's fish_user_paths manage their own entries.
                    for dir in &change.after {
                        first.entry(dir.clone()).or_insert(Some(change.at.clone()));
                    }
                    continue;
                }
                let mut dirs: Vec<&String> = Vec::new();
                for dir in change.after.iter().filter(|d| *d != "?") {
                    if !dirs.contains(&dir) {
                        dirs.push(dir);
                    }
                }
                for dir in dirs {
                    let before = change.before.iter().filter(|d| *d == dir).count();
                    let after = change.after.iter().filter(|d| *d == dir).count();
                    if after > before && before >= 1 {
                        if let Some(Some(earlier)) = first.get(dir) {
                            let same_read = earlier.read == change.at.read;
                            let user = startup.files.get(change.at.read).is_some_and(|f| !f.system);
                            if !same_read && user {
                                let detail = format!(
                                    "`{}` is already on PATH: {} put it there",
                                    model.short(dir),
                                    model.place(&earlier.file, earlier.line),
                                );
                                let key = (change.at.file.clone(), change.at.line);
                                let label = format!("{} {}", shell.name(), mode.name());
                                match by_line
                                    .iter_mut()
                                    .find(|(k, d, _)| *k == key && *d == detail)
                                {
                                    Some((_, _, labels)) => {
                                        if !labels.contains(&label) {
                                            labels.push(label);
                                        }
                                    }
                                    None => by_line.push((key, detail, vec![label])),
                                }
                            }
                        }
                    }
                    first.entry(dir.clone()).or_insert(Some(change.at.clone()));
                }
            }
        }
    }
    for ((file, line), detail, labels) in by_line {
        let message = format!(
            "{detail} earlier in the same startup ({})",
            labels.join(", ")
        );
        if let Some(finding) = model.finding(rule, &PathBuf::from(&file), line, message, None) {
            out.push(finding);
        }
    }
}
