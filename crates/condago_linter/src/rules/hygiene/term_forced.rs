use crate::diagnostic::Severity;
use crate::model::AssignOp;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `TERM` set unconditionally in a startup file: `export TERM=xterm-256color`,
    /// fish `set -gx TERM xterm-256color`.
    ///
    /// ## Why is this bad?
    /// `TERM` tells programs which terminal they draw on, and the terminal sets it: tmux and
    /// screen set `tmux-256color`/`screen-256color`, the Linux console `linux`, an editor's
    /// terminal its own. A startup file that forces one value overrides all of them in every
    /// shell it starts (checked with bash 5.2, zsh 5.9 and fish 3.6: a shell started with
    /// `TERM=screen-256color` passes the forced value to its children). Inside tmux that
    /// means wrong key codes, broken colours or redraws; on a console or over ssh to a
    /// machine without that terminfo entry, "unknown terminal type" from `less`, `vim`,
    /// `clear`.
    ///
    /// A `TERM` set under a condition (`[ "$TERM" = xterm ] && export TERM=xterm-256color`,
    /// `if [ -z "$TMUX" ]`) is not reported.
    ///
    /// ## Example
    /// ```bash
    /// export TERM=xterm-256color
    /// ```
    ///
    /// ## Use instead
    /// Set it where the terminal is configured: the terminal emulator's settings, tmux's
    /// `set -g default-terminal "tmux-256color"`; or only for the terminal it fits:
    /// ```bash
    /// [ "$TERM" = xterm ] && export TERM=xterm-256color
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which terminal the value was meant for is the user's knowledge.
    pub(crate) const RULE = Rule {
        code: "CG412",
        name: "term-forced",
        summary: "`TERM` set unconditionally in a startup file: overrides what tmux, screen, the console or the terminal set",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !file.kind.is_startup() {
        return;
    }
    for (statement, assignment) in file.assignments() {
        if assignment.name != "TERM"
            || !assignment.has_value
            || assignment.command_prefix
            || assignment.operator == AssignOp::Erase
            || !statement.context.is_unconditional()
        {
            continue;
        }
        let value = assignment
            .values
            .first()
            .map(|word| word.display(file.source))
            .unwrap_or_default();
        // `TERM=$TERM` or `${TERM:-…}` keep what the terminal said.
        if assignment
            .values
            .iter()
            .any(|word| word.mentions_variable("TERM"))
        {
            continue;
        }
        checker
            .report(
                statement.range.clone(),
                format!(
                    "`TERM` is forced to `{value}` in every shell this file starts: it overrides what tmux, screen, the console or your terminal set (wrong keys and colours, \"unknown terminal type\" where `{value}` has no terminfo)"
                ),
            )
            .help("set the terminal type in the terminal or in tmux (`default-terminal`), or only under a test of the current `$TERM`");
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_forced_term() {
        assert_found_once(
            "CG412",
            &[
                (Shell::Bash, "export TERM=xterm-256color\n"),
                (Shell::Bash, "TERM=screen-256color\n"),
                (Shell::Zsh, "export TERM=\"xterm-256color\"\n"),
                (Shell::Fish, "set -gx TERM xterm-256color\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG412",
            &[
                (
                    Shell::Bash,
                    "[ \"$TERM\" = xterm ] && export TERM=xterm-256color\n",
                ),
                (
                    Shell::Bash,
                    "if [ -z \"$TMUX\" ]; then\n    export TERM=xterm-256color\nfi\n",
                ),
                (
                    Shell::Bash,
                    "case $TERM in\n    xterm) TERM=xterm-256color;;\nesac\n",
                ),
                (Shell::Bash, "export TERM=${TERM:-xterm}\n"),
                (Shell::Bash, "TERM=dumb git log\n"),
                (
                    Shell::Zsh,
                    "[[ -n $SSH_CONNECTION ]] && export TERM=xterm-256color\n",
                ),
                (
                    Shell::Fish,
                    "if not set -q TMUX\n    set -gx TERM xterm-256color\nend\n",
                ),
            ],
        );
    }

    /// A shell started inside tmux (`TERM=screen-256color`) passes the forced value on.
    #[test]
    fn oracle_overrides_the_terminal() {
        let mut home = FakeHome::new();
        home.set_env("TERM", "screen-256color");
        for (oracle, line) in [
            (OracleShell::Bash, "export TERM=xterm-256color\n"),
            (OracleShell::Zsh, "export TERM=xterm-256color\n"),
            (OracleShell::Fish, "set -gx TERM xterm-256color\n"),
        ] {
            let Some(before) = run_snippet(oracle, &home, "") else {
                continue;
            };
            assert_eq!(before.var("TERM"), Some("screen-256color"), "{oracle:?}");
            let run = run_snippet(oracle, &home, line).expect("ran");
            assert_eq!(run.var("TERM"), Some("xterm-256color"), "{oracle:?}");
        }
    }
}
