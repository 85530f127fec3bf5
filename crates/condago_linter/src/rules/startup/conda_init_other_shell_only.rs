use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a conda/mamba init block in the startup files of a shell that is not the
    /// user's login shell (`$SHELL`), when no startup of the login shell, in any mode, runs
    /// a conda/mamba hook or puts the installation on `PATH`.
    ///
    /// ## Why is this bad?
    /// `conda init` with no shell named initialises bash, also on macOS, where the login
    /// shell has been zsh since 2019. Terminals then start zsh, which never reads
    /// `~/.bashrc` or `~/.bash_profile`: `conda` is "command not found" and the base
    /// environment's `python` and `go` are nowhere, although the install "worked".
    ///
    /// ## Example
    /// `~/.bashrc` holds `# >>> conda initialize >>>`, `$SHELL` is `/bin/zsh`, and no zsh
    /// file runs conda's hook.
    ///
    /// ## Use instead
    /// Run `conda init zsh` (or `conda init fish`) for the shell you use.
    ///
    /// ## Fix safety
    /// No fix: the block is written by `conda init`, with the installation's own paths.
    pub const RULE = Rule {
        code: "CG604",
        name: "conda-init-other-shell-only",
        summary: "conda is initialised only for a shell that is not your login shell",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Startup,
    };
}
