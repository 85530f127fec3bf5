//! What several container rules ask of a `RUN`'s shell code.

use crate::container::build::{command_words, Run};
use crate::model::{Command, StartupFile, Statement, StatementKind};

/// What a command does to the shell that runs it, when that is all it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShellChange {
    /// `conda activate`, `mamba activate`, `micromamba activate`, `source activate`.
    Activate,
    /// `. FILE` / `source FILE` (other than conda's `activate`).
    Source,
    /// `export NAME=…`, `NAME=…`.
    Export,
}

/// What `statement` changes in its own shell, if that is what it is for.
pub(crate) fn shell_change(statement: &Statement) -> Option<ShellChange> {
    match &statement.kind {
        StatementKind::Assignment(assignment) if !assignment.command_prefix => {
            Some(ShellChange::Export)
        }
        StatementKind::Command(command) => {
            if is_activation(command) {
                return Some(ShellChange::Activate);
            }
            let name = command.name.as_deref()?;
            matches!(name, "." | "source").then_some(ShellChange::Source)
        }
        _ => None,
    }
}

/// `conda activate …` and friends, or `source activate …`.
pub(crate) fn is_activation(command: &Command) -> bool {
    let name = command.name.as_deref().unwrap_or("");
    let base = name.rsplit('/').next().unwrap_or(name);
    let words = command_words(command);
    let first = words.first().map(String::as_str);
    (matches!(base, "conda" | "mamba" | "micromamba") && first == Some("activate"))
        || (matches!(base, "." | "source") && first == Some("activate"))
}

/// Whether `command` loads conda's shell function into the running shell.
pub(crate) fn loads_conda_hook(model: &StartupFile, statement: &Statement) -> bool {
    let StatementKind::Command(command) = &statement.kind else {
        return false;
    };
    if !matches!(command.name.as_deref(), Some("." | "source" | "eval")) {
        return false;
    }
    let text = model.text(statement.range.clone());
    text.contains("conda.sh")
        || text.contains("mamba.sh")
        || (text.contains("shell.") && text.contains("hook"))
        || text.contains("shell hook")
}

/// Whether the `SHELL` of a `RUN` starts an interactive shell (which reads `~/.bashrc`)
/// or runs the code through `conda run`.
pub(crate) fn shell_sets_up_conda(run: &Run) -> bool {
    let argv = &run.shell_argv;
    argv.iter().any(|w| w == "-i" || w == "--interactive")
        || argv
            .first()
            .is_some_and(|p| p.ends_with("conda") || p.ends_with("mamba"))
}

/// The commands of a model's top level (not in a function or substitution).
pub(crate) fn top_level<'m>(model: &'m StartupFile) -> Vec<&'m Statement> {
    model
        .statements
        .iter()
        .filter(|s| s.context.function.is_none() && !s.context.in_subshell)
        .collect()
}
