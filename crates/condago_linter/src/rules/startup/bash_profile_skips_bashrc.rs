use crate::diagnostic::{Applicability, Severity};
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a `~/.bash_profile` (or, without one, a `~/.bash_login`) that never reads
    /// `~/.bashrc` — not directly, not through `~/.profile`, on no path through its
    /// conditions — while `~/.bashrc` sets up `PATH` or a conda/mamba block.
    ///
    /// ## Why is this bad?
    /// bash as a login shell reads `/etc/profile` and then the first of `~/.bash_profile`,
    /// `~/.bash_login` and `~/.profile`; it never reads `~/.bashrc` by itself. Login shells
    /// are what ssh, a console login, tmux's default and macOS Terminal start, so there
    /// `conda init`'s block and every `PATH` line of `~/.bashrc` are missing: `go` is
    /// "command not found" in one terminal and found in the next.
    ///
    /// The check follows the startup model: a `~/.bash_profile` that sources `~/.profile`,
    /// which sources `~/.bashrc` (Ubuntu's layout), reads it.
    ///
    /// ## Example
    /// ```bash
    /// # ~/.bash_profile
    /// export PATH="$HOME/go/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// # ~/.bash_profile
    /// export PATH="$HOME/go/bin:$PATH"
    /// [ -f ~/.bashrc ] && . ~/.bashrc
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix appends `[ -f ~/.bashrc ] && . ~/.bashrc` to the login file, the
    /// standard line bash's documentation suggests. Login shells then get what every other
    /// interactive bash already gets, in the same order (the login file first).
    pub const RULE = Rule {
        code: "CG601",
        name: "bash-profile-skips-bashrc",
        summary: "`~/.bash_profile` never reads `~/.bashrc`, which sets up `PATH` or conda: login shells miss it",
        shells: Shells::BASH,
        severity: Severity::Error,
        fix: FixAvailability::Always(Applicability::Safe),
        opt_in: false,
        check: Check::Startup,
    };
}
