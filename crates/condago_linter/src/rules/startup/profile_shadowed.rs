use crate::diagnostic::{Applicability, Severity};
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a `~/.profile` that sets `PATH`, a Go variable (`GOPATH`, `GOROOT`, `GOBIN`)
    /// or a conda/mamba block, next to a `~/.bash_profile` (or `~/.bash_login`) that never
    /// reads it.
    ///
    /// ## Why is this bad?
    /// bash as a login shell reads only the first of `~/.bash_profile`, `~/.bash_login`
    /// and `~/.profile`. Once a tool creates `~/.bash_profile` (installers do), everything
    /// in `~/.profile` silently stops applying to bash login shells, while `/bin/sh` and
    /// display managers still read it: the same machine has two different `PATH`s.
    ///
    /// ## Example
    /// ```bash
    /// # ~/.bash_profile
    /// [ -f ~/.bashrc ] && . ~/.bashrc
    /// # ~/.profile
    /// export PATH="$HOME/.local/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// # ~/.bash_profile
    /// [ -f ~/.profile ] && . ~/.profile
    /// [ -f ~/.bashrc ] && . ~/.bashrc
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix puts `[ -f ~/.profile ] && . ~/.profile` at the top of the login
    /// file, so bash login shells run `~/.profile` again. That is usually what was meant,
    /// but `~/.profile` may do things for `/bin/sh` only, or source `~/.bashrc` itself.
    pub const RULE = Rule {
        code: "CG602",
        name: "profile-shadowed",
        summary: "`~/.profile` sets `PATH`/conda/Go but `~/.bash_profile` never reads it: bash login shells ignore it",
        shells: Shells::BASH,
        severity: Severity::Warning,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::Startup,
    };
}
