use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{ChainOp, Command, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::silences_stderr;

crate::declare_rule! {
    /// ## What it does
    /// Finds `|| true`, `|| :` and fish's `; or true` after a command that loads
    /// environment — `source`/`.`, `eval`, a tool's `init`/`hook` — whose error output is
    /// also thrown away: `source ~/.fzf.bash 2>/dev/null || true`,
    /// `eval "$(direnv hook zsh)" 2>/dev/null || :`.
    ///
    /// ## Why is this bad?
    /// When the file is missing, broken, or the tool fails, nothing is loaded, no error is
    /// shown and the status is discarded: `PATH`, the prompt hook or the completion are
    /// silently not there, with nothing left to tell why.
    ///
    /// Checked with bash 5.2, zsh 5.9 and fish 3.6: `|| true` alone hides nothing but
    /// the exit status — `source missing || true` still prints "No such file or
    /// directory", `eval "$(missing init)" || true` still prints "command not found" (and
    /// `export A=$(false) || true` never runs `true`: `export` succeeds). So, unlike
    /// RULES.md's wording, this rule fires only when standard error is silenced as well;
    /// `|| true` under `set -e` is how to survive a failure there, and is left alone.
    ///
    /// The line OrbStack writes itself, `source ~/.orbstack/shell/init.zsh 2>/dev/null || :`
    /// (`init.bash`, `init2.fish`), is left alone, like the lines inside conda's block: it is
    /// the tool's, silenced so that a Mac where OrbStack was uninstalled starts quietly, and
    /// OrbStack does not write it again once it is removed.
    ///
    /// ## Example
    /// ```bash
    /// source ~/.fzf.bash 2>/dev/null || true
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// [ -f ~/.fzf.bash ] && source ~/.fzf.bash
    /// ```
    ///
    /// A missing file is then skipped on purpose, and an error *inside* it still shows.
    /// For a tool: `command -v direnv >/dev/null && eval "$(direnv hook zsh)"`.
    ///
    /// ## Fix safety
    /// A suggestion, for `source`/`.` of one file: the existence test replaces the
    /// silencing, so errors inside the file become visible.
    pub(crate) const RULE = Rule {
        code: "CG401",
        name: "masked-failure",
        summary: "`source f 2>/dev/null || true` (and `eval`, `tool init`): a failure that loses environment is hidden",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        if statement.chain.after != Some(ChainOp::Or)
            || !matches!(command.name.as_deref(), Some("true") | Some(":"))
            || !command.args.is_empty()
            || statement.context.conda_block.is_some()
        {
            continue;
        }
        // The command the `|| true` answers: the one right before it in the same list.
        let Some(masked) = file.statements[..index]
            .iter()
            .rev()
            .find(|other| other.chain.list == statement.chain.list)
        else {
            continue;
        };
        let StatementKind::Command(masked_command) = &masked.kind else {
            continue;
        };
        let Some(what) = loads_environment(masked_command) else {
            continue;
        };
        if !silences_stderr(&masked_command.redirects) || written_by_orbstack(file, masked_command)
        {
            continue;
        }
        let or = if file.shell == Shell::Fish
            && !file
                .text(masked.range.end..statement.range.start)
                .contains("||")
        {
            "; or true"
        } else {
            "|| true"
        };
        let message = format!(
            "{what} with its errors sent to /dev/null and `{or}`: when it fails, nothing is loaded and nothing says so"
        );
        let help = match file.shell {
            Shell::Fish => "test that the file or tool exists instead (`test -f f; and source f`), and let its errors show",
            _ => "test that the file or tool exists instead (`[ -f f ] && . f`, `command -v x >/dev/null && eval \"$(x init)\"`), and let its errors show",
        };
        let fix = suggestion(file, masked, masked_command, statement);
        let report = checker
            .report(masked.range.start..statement.range.end, message)
            .help(help);
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// What the command loads, for the message; `None` when it loads nothing.
fn loads_environment(command: &Command) -> Option<String> {
    let name = command.name.as_deref()?;
    match name {
        "source" | "." => Some(format!("`{name}`")),
        "eval" => Some("`eval`".to_string()),
        _ => {
            let verb = command.args.iter().find_map(|arg| {
                arg.literal()
                    .filter(|arg| matches!(arg.as_str(), "init" | "hook" | "shellenv"))
            })?;
            Some(format!("`{name} {verb}`"))
        }
    }
}

/// OrbStack's own integration line: `source ~/.orbstack/shell/init.<shell>`.
fn written_by_orbstack(file: &StartupFile, command: &Command) -> bool {
    if !matches!(command.name.as_deref(), Some("source" | ".")) || command.args.len() != 1 {
        return false;
    }
    let arg = file.text(command.args[0].range.clone());
    let arg = arg.trim_matches('"');
    ["~/", "$HOME/", "${HOME}/"].iter().any(|home| {
        arg.strip_prefix(home)
            .is_some_and(|rest| rest.starts_with(".orbstack/shell/"))
    })
}

/// `source f 2>/dev/null || true` → `[ -f f ] && source f` (fish: `test -f f; and source f`).
fn suggestion(
    file: &StartupFile,
    masked: &Statement,
    command: &Command,
    or_true: &Statement,
) -> Option<Fix> {
    let name = command.name.as_deref()?;
    if !matches!(name, "source" | ".") || command.args.len() != 1 || masked.chain.after.is_some() {
        return None;
    }
    let arg = file.text(command.args[0].range.clone());
    let content = match file.shell {
        Shell::Fish => format!("test -f {arg}; and {name} {arg}"),
        _ => format!("[ -f {arg} ] && {name} {arg}"),
    };
    Some(Fix::suggestion(
        "Test that the file exists instead of hiding the failure",
        vec![Edit::replace(
            masked.range.start..or_true.range.end,
            content,
        )],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_silenced_and_masked() {
        for (shell, text) in [
            (Shell::Bash, "source ~/.fzf.bash 2>/dev/null || true\n"),
            (Shell::Bash, ". /etc/bash_completion &>/dev/null || :\n"),
            (
                Shell::Zsh,
                "eval \"$(direnv hook zsh)\" 2>/dev/null || true\n",
            ),
            (Shell::Zsh, "source ~/.p10k.zsh >/dev/null 2>&1 || true\n"),
            (Shell::Bash, "zoxide init bash 2>/dev/null || true\n"),
            (
                Shell::Fish,
                "source ~/.config/fish/local.fish 2>/dev/null; or true\n",
            ),
            (
                Shell::Fish,
                "source ~/.config/fish/local.fish 2>/dev/null || true\n",
            ),
        ] {
            assert_eq!(findings("CG401", shell, text).len(), 1, "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            // The error still prints (checked in the oracle test below).
            (Shell::Bash, "source /usr/share/doc/fzf/examples/key-bindings.bash || true\n"),
            (Shell::Fish, "source /usr/share/autojump/autojump.fish; or true\n"),
            (Shell::Bash, "eval \"$(zoxide init bash)\" || true\n"),
            (Shell::Bash, "[ -f ~/.x ] && . ~/.x 2>/dev/null\n"),
            (Shell::Bash, "rm -f /tmp/x 2>/dev/null || true\n"),
            (Shell::Bash, "source ~/.x 2>/dev/null || echo 'no ~/.x' >&2\n"),
            (Shell::Bash, "export A=$(false) 2>/dev/null || true\n"),
            // OrbStack's own lines.
            (Shell::Zsh, "source ~/.orbstack/shell/init.zsh 2>/dev/null || :\n"),
            (Shell::Bash, "source ~/.orbstack/shell/init.bash 2>/dev/null || :\n"),
            (Shell::Fish, "source ~/.orbstack/shell/init2.fish 2>/dev/null || :\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\n. /c/etc/profile.d/conda.sh 2>/dev/null || true\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(findings("CG401", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn suggests_an_existence_test() {
        let found = findings(
            "CG401",
            Shell::Bash,
            "source ~/.fzf.bash 2>/dev/null || true\n",
        );
        let fix = found[0].fix.as_ref().expect("a suggestion");
        assert_eq!(fix.applicability, crate::Applicability::Suggestion);
        assert_eq!(
            fix.edits[0].content,
            "[ -f ~/.fzf.bash ] && source ~/.fzf.bash"
        );
        let found = findings(
            "CG401",
            Shell::Fish,
            "source ~/.config/fish/local.fish 2>/dev/null; or true\n",
        );
        let fix = found[0].fix.as_ref().expect("a suggestion");
        assert_eq!(
            fix.edits[0].content,
            "test -f ~/.config/fish/local.fish; and source ~/.config/fish/local.fish"
        );
        // Suggestions are never applied by themselves.
        let text = "source ~/.fzf.bash 2>/dev/null || true\n";
        assert_eq!(fixed("CG401", Shell::Bash, text), text);
    }

    /// OrbStack's line where OrbStack is not installed: each shell goes on quietly.
    #[test]
    fn oracle_orbstack_line_is_quiet_without_orbstack() {
        let home = FakeHome::new();
        for (oracle, shell, line) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "source ~/.orbstack/shell/init.bash 2>/dev/null || :\nexport AFTER=1\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "source ~/.orbstack/shell/init.zsh 2>/dev/null || :\nexport AFTER=1\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "source ~/.orbstack/shell/init2.fish 2>/dev/null || :\nset -gx AFTER 1\n",
            ),
        ] {
            assert!(lines("CG401", shell, line).is_empty(), "{line}");
            let Some(run) = run_snippet(oracle, &home, line) else {
                continue;
            };
            assert!(run.stderr.is_empty(), "{oracle:?}: {}", run.stderr);
            assert_eq!(run.var("AFTER"), Some("1"), "{oracle:?}");
        }
    }

    /// bash, zsh, fish: `|| true` alone still prints the error; with `2>/dev/null` a
    /// broken file fails silently; the suggested test skips a missing file silently and
    /// shows errors inside an existing one.
    #[test]
    fn oracle_what_is_hidden() {
        let home = FakeHome::new();
        home.write(".broken.sh", "export LOADED=1\nno-such-command-here\n");
        for (oracle, shell, plain, silenced) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "source ~/.missing || true\n",
                "source ~/.missing 2>/dev/null || true\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "source ~/.missing || true\n",
                "source ~/.missing 2>/dev/null || true\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "source ~/.missing; or true\n",
                "source ~/.missing 2>/dev/null; or true\n",
            ),
        ] {
            let Some(run) = run_snippet(oracle, &home, plain) else {
                continue;
            };
            assert!(
                !run.stderr.is_empty(),
                "{oracle:?}: `|| true` alone hides the error"
            );
            assert!(lines("CG401", shell, plain).is_empty());
            let run = run_snippet(oracle, &home, silenced).expect("shell ran");
            assert!(run.stderr.is_empty(), "{oracle:?}: {}", run.stderr);
            assert_eq!(lines("CG401", shell, silenced), vec![1]);
            // The suggestion: a missing file is skipped quietly …
            let found = findings("CG401", shell, silenced);
            let edits = &found[0].fix.as_ref().expect("suggestion").edits;
            let suggested =
                String::from_utf8(crate::apply_edits(silenced.as_bytes(), edits)).expect("utf-8");
            let run = run_snippet(oracle, &home, &suggested).expect("shell ran");
            assert!(
                run.stderr.is_empty(),
                "{oracle:?}: {suggested}: {}",
                run.stderr
            );
        }
        // … and an error inside an existing file shows again.
        let silenced = "source ~/.broken.sh 2>/dev/null || true\n";
        let run = run_snippet(OracleShell::Bash, &home, silenced).expect("bash ran");
        assert!(run.stderr.is_empty());
        let found = findings("CG401", Shell::Bash, silenced);
        let edits = &found[0].fix.as_ref().expect("suggestion").edits;
        let suggested =
            String::from_utf8(crate::apply_edits(silenced.as_bytes(), edits)).expect("utf-8");
        let run = run_snippet(OracleShell::Bash, &home, &suggested).expect("bash ran");
        assert!(
            run.stderr.contains("no-such-command-here"),
            "{}",
            run.stderr
        );
        assert_eq!(run.var("LOADED"), Some("1"));
    }
}
