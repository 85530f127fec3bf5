//! CG604 `conda-init-other-shell-only` (documented in `condago_linter::rules::startup`).

use std::path::PathBuf;

use condago_linter::model::StartupFile;
use condago_linter::rules::startup::conda_init_other_shell_only::RULE;

use super::{Finding, Model};
use crate::{Mode, StartupShell};

pub(super) fn check(model: &mut Model, out: &mut Vec<Finding>) {
    let Some(login_shell) = model.login_shell else {
        return;
    };
    // Does any startup of the login shell run a hook or put an installation on PATH?
    let mut login_has_conda = false;
    let mut login_dirs: Vec<String> = Vec::new();
    for mode in Mode::ALL {
        let startup = model.startup(login_shell, mode);
        login_has_conda |= !startup.conda.is_empty();
        login_dirs.extend(startup.path.iter().filter_map(|e| e.dir.clone()));
    }
    if login_has_conda {
        return;
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for shell in StartupShell::ALL {
        if shell == login_shell {
            continue;
        }
        let mut files: Vec<PathBuf> = Vec::new();
        for mode in Mode::ALL {
            for file in &model.startup(shell, mode).files {
                if !file.system && !files.contains(&file.real) {
                    files.push(file.real.clone());
                }
            }
        }
        for path in files {
            if seen.contains(&path) {
                continue;
            }
            seen.push(path.clone());
            let Some(source) = model.text(&path).map(<[u8]>::to_vec) else {
                continue;
            };
            let syntax = match shell {
                StartupShell::Fish => condago_syntax::Shell::Fish,
                StartupShell::Zsh => condago_syntax::Shell::Zsh,
                StartupShell::Bash => condago_syntax::Shell::Bash,
            };
            let parse = condago_syntax::parse(&source, syntax, &condago_syntax::Budget::default());
            let file = StartupFile::new(&path, &source, &parse, false);
            for block in file
                .conda_blocks
                .iter()
                .filter(|b| b.start_marker.is_some())
            {
                let on_path = block.base.as_ref().is_some_and(|base| {
                    login_dirs.iter().any(|dir| dir.starts_with(base.as_str()))
                });
                if on_path {
                    continue;
                }
                let line = file.line_of(block.range.start) + 1;
                let message = format!(
                    "{} is initialised here for {} only, but your login shell is {}, and no {} startup runs its hook: run `{} init {}`",
                    block.tool,
                    shell.name(),
                    login_shell.name(),
                    login_shell.name(),
                    if block.tool == "conda" { "conda" } else { "mamba shell" },
                    login_shell.name()
                );
                if let Some(finding) = model.finding(&RULE, &path, line, message, None) {
                    out.push(finding);
                }
            }
        }
    }
}
