use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `source`/`.` of a relative path in a startup file: `source .bashrc`,
    /// `. .ssh/agent`, `source .config/fish/local.fish` — often right after a test of the
    /// full path (`[ -f ~/.bashrc ] && . .bashrc`).
    ///
    /// ## Why is this bad?
    /// A relative path is read from the current directory of whoever starts the shell. A
    /// login shell starts in the home directory, so the line works there — and fails in a
    /// terminal opened in a project (VS Code, a tmux split, `cd src && bash`). Checked with
    /// bash 5.2, zsh 5.9, fish 3.6 and dash:
    /// - bash looks the name up on `PATH` first when it has no `/`, then in the current
    ///   directory; `.ssh/agent` only in the current directory. Elsewhere: "No such file or
    ///   directory".
    /// - zsh's `source` reads the current directory; zsh's `.` with a name without `/`
    ///   looks only on `$path` — `. .bashrc` fails even in the home directory.
    /// - fish and `/bin/sh` read it from the current directory only.
    ///
    /// ## Example
    /// ```bash
    /// [ -f ~/.ssh/agent ] && . .ssh/agent
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// [ -f ~/.ssh/agent ] && . ~/.ssh/agent
    /// ```
    ///
    /// ## Fix safety
    /// A suggestion: `~/<path>`, which is right when the file lives in the home directory
    /// (the directory a login shell starts in).
    pub(crate) const RULE = Rule {
        code: "CG411",
        name: "source-relative-path",
        summary: "`source`/`.` of a relative path in a startup file: read from whatever directory the shell starts in",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !file.kind.is_startup() {
        return;
    }
    for statement in &file.statements {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let Some(name) = command.name.as_deref() else {
            continue;
        };
        if !matches!(name, "source" | ".") || statement.context.conda_block.is_some() {
            continue;
        }
        let Some(arg) = command.args.first() else {
            continue;
        };
        let Some(path) = arg.literal() else {
            continue;
        };
        let unquoted_tilde = arg
            .parts
            .first()
            .is_some_and(|part| part.quote == Quote::None && path.starts_with('~'));
        if path.is_empty()
            || path.starts_with('/')
            || unquoted_tilde
            || path == "-"
            || !matches!(
                arg.parts.first().map(|p| &p.kind),
                Some(PartKind::Literal(_))
            )
        {
            continue;
        }
        let shown = file.text(arg.range.clone()).into_owned();
        let how = match (file.shell, name, path.contains('/')) {
            (Shell::Zsh, ".", false) => format!(
                "zsh's `.` looks for `{path}` only on `$path`, never in the current directory, so this fails even in your home directory"
            ),
            (Shell::Bash, _, false) => format!(
                "bash looks for `{path}` on `PATH` and then in the current directory, not in your home directory"
            ),
            _ => format!("`{path}` is read from the current directory, not from your home directory"),
        };
        let relative = path.trim_start_matches("./");
        let simple = relative
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | '@' | '+'));
        let report = checker
            .report(
                arg.range.clone(),
                format!(
                    "`{name} {shown}` uses a relative path: {how}; a shell started elsewhere (an editor's terminal, a tmux split) cannot read it"
                ),
            )
            .help(format!("write the full path: `{name} ~/{relative}`"));
        if simple {
            report.fix(Fix::suggestion(
                "Source it from the home directory",
                vec![Edit::replace(arg.range.clone(), format!("~/{relative}"))],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_relative_sources() {
        assert_found_once(
            "CG411",
            &[
                (Shell::Bash, "[ -f ~/.bash_aliases ] && . .bash_aliases\n"),
                (Shell::Bash, "source .ssh/agent\n"),
                (Shell::Zsh, ". .zsh_local\n"),
                (Shell::Zsh, "source './.zsh/aliases.zsh'\n"),
                (Shell::Fish, "source .config/fish/local.fish\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG411",
            &[
                (Shell::Bash, ". ~/.bash_aliases\n"),
                (Shell::Bash, "source \"$HOME/.ssh/agent\"\n"),
                (Shell::Bash, ". /etc/bashrc\n"),
                (Shell::Zsh, "source ${ZDOTDIR:-$HOME}/.zsh_local\n"),
                (Shell::Zsh, "source $ZSH/oh-my-zsh.sh\n"),
                (Shell::Fish, "source (status dirname)/local.fish\n"),
                (Shell::Fish, "starship init fish | source\n"),
            ],
        );
        // A fragment sourced by other files may name paths relative to its caller.
        assert!(findings_at("CG411", Shell::Bash, "dotfiles/lib/load.sh", ". .x\n").is_empty());
    }

    #[test]
    fn suggests_the_home_directory() {
        let text = "source .ssh/agent\n";
        let found = findings("CG411", Shell::Bash, text);
        let fix = found[0].fix.as_ref().expect("a suggestion");
        let applied =
            String::from_utf8(crate::apply_edits(text.as_bytes(), &fix.edits)).expect("utf-8");
        assert_eq!(applied, "source ~/.ssh/agent\n");
        assert!(findings("CG411", Shell::Bash, &applied).is_empty());
    }

    /// The relative path works in the home directory and fails one directory down (zsh's
    /// `.` fails in both); `~/…` works in both.
    #[test]
    fn oracle_depends_on_the_current_directory() {
        let home = FakeHome::new();
        home.write(".ssh/agent", "export SSH_AUTH_SOCK=/tmp/agent.sock\n");
        home.write("project/.keep", "");
        for (oracle, source) in [
            (OracleShell::Bash, ". .ssh/agent"),
            (OracleShell::Zsh, "source .ssh/agent"),
            (OracleShell::Fish, "source .ssh/agent"),
            (OracleShell::Sh, ". .ssh/agent"),
        ] {
            let fixed = source.replace(".ssh", "~/.ssh");
            for (line, in_home, in_project) in [(source, true, false), (fixed.as_str(), true, true)]
            {
                for (dir, expected) in [("", in_home), ("project", in_project)] {
                    let snippet = format!("cd ./{dir}\n{line}\necho \"[$SSH_AUTH_SOCK]\"\n");
                    let Some(run) = run_snippet(oracle, &home, &snippet) else {
                        continue;
                    };
                    assert_eq!(
                        run.stdout.contains("[/tmp/agent.sock]"),
                        expected,
                        "{oracle:?} in ./{dir}: {line}: {run:?}"
                    );
                }
            }
        }
        // zsh's `.` with no `/` in the name: not even in the home directory.
        home.write(".zsh_local", "export LOCAL_LOADED=1\n");
        if let Some(run) = run_snippet(
            OracleShell::Zsh,
            &home,
            ". .zsh_local\necho \"[$LOCAL_LOADED]\"\n",
        ) {
            assert!(run.stdout.contains("[]"), "{run:?}");
        }
    }
}
