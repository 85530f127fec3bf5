//! CG505 `go-path-shadowed` (documented in `condago_linter::rules::startup`).

use std::path::PathBuf;

use condago_linter::rules::startup::go_path_shadowed::RULE;

use super::{Finding, Model};
use crate::{which, Mode, StartupShell};

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    // Findings by the line that puts the winning directory on PATH, with where it happens.
    let mut by_line: Vec<((String, usize), String, Vec<String>)> = Vec::new();
    for shell in StartupShell::ALL {
        for mode in Mode::ALL {
            let inputs = model.inputs;
            let startup = model.startup(shell, mode).clone();
            let found = which(&startup, "go", inputs);
            let Some(winner) = &found.winner else {
                continue;
            };
            if found.shadowed.is_empty() {
                continue;
            }
            let (intended, why) = match (startup.var("GOROOT"), startup.var("CONDA_PREFIX")) {
                (Some(root), _) if !root.is_empty() => (
                    format!("{}/bin/go", root.trim_end_matches('/')),
                    "GOROOT".to_string(),
                ),
                (_, Some(prefix)) if !prefix.is_empty() => (
                    format!("{}/bin/go", prefix.trim_end_matches('/')),
                    "the active conda environment".to_string(),
                ),
                _ => continue,
            };
            if winner.path == intended || !found.shadowed.iter().any(|s| s.path == intended) {
                continue;
            }
            let Some(origin) = &winner.entry.origin else {
                continue;
            };
            if startup.files.get(origin.read).is_some_and(|f| f.system) {
                continue;
            }
            let key = (origin.file.clone(), origin.line);
            let detail = format!(
                "`{}` wins over `{}`, which {why} intends",
                model.short(&winner.path),
                model.short(&intended)
            );
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
    for ((file, line), detail, labels) in by_line {
        let message = format!("two `go` on PATH: {detail} (in {})", labels.join(", "));
        if let Some(finding) = model.finding(&RULE, &PathBuf::from(&file), line, message, None) {
            out.push(finding);
        }
    }
}
