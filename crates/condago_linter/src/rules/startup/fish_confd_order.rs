use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a fish `conf.d` file that reads a variable, or calls a function, that is not
    /// set (defined) when the file runs but that `config.fish` sets (defines) later.
    ///
    /// ## Why is this bad?
    /// fish runs every `conf.d/*.fish` file, in name order, before `config.fish`. A
    /// `conf.d` file that uses `$GOPATH` from `config.fish` sees nothing there: in fish an
    /// unset variable is an empty list, so `set -gx PATH $GOPATH/bin $PATH` adds nothing
    /// at all — silently.
    ///
    /// ## Example
    /// ```fish
    /// # conf.d/go.fish
    /// set -gx PATH $GOPATH/bin $PATH
    /// # config.fish
    /// set -gx GOPATH $HOME/go
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// # conf.d/go.fish
    /// set -gx GOPATH $HOME/go
    /// fish_add_path -g $GOPATH/bin
    /// ```
    ///
    /// ## Fix safety
    /// No fix: moving the setting changes what `config.fish` and the other files see.
    pub const RULE = Rule {
        code: "CG605",
        name: "fish-confd-order",
        summary: "a `conf.d` file relies on something `config.fish` sets (conf.d runs first)",
        shells: Shells::FISH,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Startup,
    };
}
