use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `PATH` entries that only `.zshrc` (or a file it sources) puts on `PATH` —
    /// directories that `zsh -c` does not have — when neither `.zshenv` nor `.zprofile`
    /// sets up `PATH` at all. conda/mamba blocks are left out: their place is `.zshrc`.
    ///
    /// ## Why is this bad?
    /// zsh reads `.zshrc` only in interactive shells. `zsh -c` (IDE tasks, `make`, `ssh
    /// host cmd`, scripts with a zsh shebang) reads `.zshenv` alone, and login shells read
    /// `.zprofile` before `.zshrc`: a tool found at the prompt is "command not found"
    /// from the editor's task runner.
    ///
    /// ## Example
    /// ```zsh
    /// # ~/.zshrc
    /// export PATH="$HOME/go/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```zsh
    /// # ~/.zshenv (every zsh) or ~/.zprofile (login shells)
    /// export PATH="$HOME/go/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of `.zshenv` and `.zprofile` is right depends on what else the line
    /// needs (`.zshenv` runs for every script, before `/etc/zsh/zprofile` on some systems).
    pub const RULE = Rule {
        code: "CG603",
        name: "zsh-path-only-in-zshrc",
        summary: "`PATH` set up only in `.zshrc`: `zsh -c` (IDE tasks, scripts) misses it",
        shells: Shells::ZSH,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Startup,
    };
}
