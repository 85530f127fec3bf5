use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{Command, FileKind, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `exit` at the top level (not in a function or subshell) of a startup file —
    /// `.bashrc`, `.bash_profile`, `.profile`, `.zshenv`, `.zprofile`, `.zshrc`,
    /// `.zlogin` — or of a conda activation hook.
    ///
    /// ## Why is this bad?
    /// These files are *sourced*: they run inside the shell that reads them, and `exit`
    /// ends that shell, not the file. The `.bashrc` guard written with `exit` instead of
    /// `return` (`[ -z "$PS1" ] && exit`) kills every non-interactive bash that reads
    /// `.bashrc` — bash does when sshd starts it, so `ssh host cmd`, `scp`, `rsync` and
    /// `git` over ssh never run their command; the same in `.zshenv` kills `zsh -c`; an
    /// `exit` in an `activate.d` script closes the terminal of whoever runs
    /// `conda activate`.
    ///
    /// Checked with bash 5.2 and zsh 5.9. fish is different, and not reported: in fish
    /// 3.6, `exit` in `config.fish`, `conf.d` or a sourced file ends only that file (the
    /// idiom `status is-interactive; or exit` is fine), so RULES.md's `f` does not apply.
    ///
    /// `exit` right after a command that takes over the session (`tmux`, `exec`, `startx`:
    /// `[ -z "$TMUX" ] && tmux && exit`) is deliberate and left alone.
    ///
    /// ## Example
    /// ```bash
    /// case $- in
    ///     *i*) ;;
    ///     *) exit;;
    /// esac
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// case $- in
    ///     *i*) ;;
    ///     *) return;;
    /// esac
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `return` (with the same status) stops reading the file and keeps the shell,
    /// which is what a startup file means; a shell that used to close stays open.
    pub(crate) const RULE = Rule {
        code: "CG404",
        name: "exit-in-sourced-file",
        summary: "`exit` at the top level of a sourced startup file or conda hook: closes the shell, not the file",
        shells: Shells::BASH_ZSH,
        severity: Severity::Error,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// Commands after which an `exit` ends a session on purpose.
const TAKES_OVER: &[&str] = &[
    "tmux",
    "screen",
    "zellij",
    "byobu",
    "exec",
    "startx",
    "xinit",
    "sway",
    "Hyprland",
    "startplasma-wayland",
    "startplasma-x11",
    "gnome-session",
    "dbus-run-session",
    "fish",
    "zsh",
    "bash",
    "nu",
    "ssh",
    "mosh",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(file.kind, FileKind::Other) {
        return;
    }
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        if command.name.as_deref() != Some("exit")
            || statement.context.function.is_some()
            || statement.context.in_subshell
            || statement.context.conda_block.is_some()
            || follows_takeover(&file.statements[..index], statement)
        {
            continue;
        }
        let message = match file.kind {
            FileKind::CondaActivateHook | FileKind::CondaDeactivateHook => {
                "`exit` in an activation script ends the shell that runs `conda activate` — the user's terminal closes — not just this script".to_string()
            }
            FileKind::Bashrc => "`exit` ends the shell reading `.bashrc`, not the file: a terminal closes, and commands run over ssh (`ssh host cmd`, scp, rsync, git), for which bash reads `.bashrc` too, never run".to_string(),
            FileKind::Zshenv => "`exit` ends the shell reading `.zshenv`, not the file: every zsh reads it, so `zsh -c`, scripts and commands over ssh never run".to_string(),
            _ => "`exit` ends the shell reading this file, not the file: the login or terminal that sources it closes".to_string(),
        };
        checker
            .report(statement.range.clone(), message)
            .help("use `return` to stop reading the file")
            .fix(fix(command));
    }
}

/// `exit` right after `tmux`, `exec …`, `startx` in the same list or block.
fn follows_takeover(before: &[Statement], exit: &Statement) -> bool {
    let Some(previous) = before.iter().rev().find(|other| !other.context.in_subshell) else {
        return false;
    };
    // Same list, or the same block (the exit's conditions enclose the previous command).
    let outer = &exit.context.conditions;
    let inner = &previous.context.conditions;
    let same_place = previous.chain.list == exit.chain.list
        || (inner.len() >= outer.len()
            && outer
                .iter()
                .zip(inner.iter())
                .all(|(a, b)| a.range == b.range && a.kind == b.kind));
    let StatementKind::Command(command) = &previous.kind else {
        return false;
    };
    same_place
        && command
            .name
            .as_deref()
            .map(|name| name.rsplit('/').next().unwrap_or(name))
            .is_some_and(|name| TAKES_OVER.contains(&name))
}

fn fix(command: &Command) -> Fix {
    Fix::unsafe_(
        "Replace `exit` with `return`",
        vec![Edit::replace(command.name_range.clone(), "return")],
    )
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    const GUARD: &str = "case $- in\n    *i*) ;;\n    *) exit;;\nesac\nexport A=1\n";

    #[test]
    fn finds_exit() {
        assert_eq!(lines("CG404", Shell::Bash, GUARD), vec![3]);
        assert_eq!(
            lines("CG404", Shell::Bash, "[ -z \"$PS1\" ] && exit\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG404", Shell::Zsh, "[[ -o interactive ]] || exit\n"),
            vec![1]
        );
        assert_eq!(
            findings_at(
                "CG404",
                Shell::Zsh,
                "home/.zshenv",
                "[[ -o interactive ]] || exit\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings_at(
                "CG404",
                Shell::Bash,
                "env/etc/conda/activate.d/tools.sh",
                "export PATH=\"$CONDA_PREFIX/opt/bin:$PATH\"\nexit 0\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings_at(
                "CG404",
                Shell::Sh,
                "home/.profile",
                "if [ -z \"$HOME\" ]; then\n  exit 1\nfi\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "case $- in *i*) ;; *) return;; esac\n"),
            (Shell::Bash, "quit() {\n  exit\n}\n"),
            (Shell::Bash, "(exit 1)\n"),
            (Shell::Bash, "x=$(exit 3)\n"),
            (Shell::Bash, "[ -z \"$TMUX\" ] && tmux && exit\n"),
            (
                Shell::Zsh,
                "if [[ -z $TMUX ]]; then\n  tmux attach || tmux new\n  exit\nfi\n",
            ),
            (
                Shell::Bash,
                "if [ \"$(tty)\" = /dev/tty1 ]; then\n  startx\n  exit\nfi\n",
            ),
            (Shell::Bash, "alias x='exit'\n"),
        ] {
            assert!(findings("CG404", shell, text).is_empty(), "{shell}: {text}");
        }
        // fish ends only the file: not reported.
        assert!(findings("CG404", Shell::Fish, "status is-interactive; or exit\n").is_empty());
        // A script may exit.
        assert!(findings_at("CG404", Shell::Bash, "home/bin/x.sh", "exit 1\n").is_empty());
    }

    #[test]
    fn fixes_with_return() {
        assert_eq!(
            assert_fix_converges("CG404", Shell::Bash, GUARD),
            GUARD.replace("exit", "return")
        );
        assert_eq!(
            assert_fix_converges("CG404", Shell::Zsh, "[[ -o interactive ]] || exit 0\n"),
            "[[ -o interactive ]] || return 0\n"
        );
    }

    /// bash 5.2 (run like sshd runs it, with `SSH_CLIENT` set, so it reads `.bashrc`), zsh
    /// 5.9 (`zsh -c` reads `.zshenv`) and a sourced conda hook: `exit` ends the shell before
    /// its command runs; `return` does not. fish 3.6: `exit` in config.fish ends the file only.
    #[test]
    fn oracle_exit_ends_the_shell() {
        let mut home = FakeHome::new();
        home.set_env("SSH_CLIENT", "192.0.2.1 50000 22");
        let cases = [
            (OracleShell::Bash, Shell::Bash, ".bashrc", GUARD.to_string()),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                ".zshenv",
                "[[ -o interactive ]] || exit\nexport A=1\n".to_string(),
            ),
        ];
        for (oracle, shell, rc, before) in cases {
            home.write(rc, &before);
            let Some((_, run)) = startup_path(oracle, Mode::NonInteractive, &home, "/usr/bin:/bin")
            else {
                continue;
            };
            assert!(
                run.exported.is_none(),
                "{oracle:?}: the command ran: {run:?}"
            );
            let after = assert_fix_converges("CG404", shell, &before);
            home.write(rc, &after);
            let (_, run) =
                startup_path(oracle, Mode::NonInteractive, &home, "/usr/bin:/bin").expect("ran");
            assert!(run.exported.is_some(), "{oracle:?}: {after}: {run:?}");
            home.write(rc, "");
        }

        // A conda activation hook is sourced by `conda activate`.
        let hook = "export TOOLS=1\nexit 0\n";
        home.write("env/etc/conda/activate.d/tools.sh", hook);
        let run = run_snippet(
            OracleShell::Bash,
            &home,
            ". ~/env/etc/conda/activate.d/tools.sh\n",
        )
        .expect("bash ran");
        assert!(
            run.exported.is_none(),
            "the sourcing shell went on: {run:?}"
        );
        let path = "env/etc/conda/activate.d/tools.sh";
        let after = fixed_at(
            "CG404",
            Shell::Bash,
            path,
            hook,
            crate::Applicability::Unsafe,
        );
        home.write(path, &after);
        let run = run_snippet(
            OracleShell::Bash,
            &home,
            ". ~/env/etc/conda/activate.d/tools.sh\n",
        )
        .expect("bash ran");
        assert_eq!(run.var("TOOLS"), Some("1"));

        // fish: `exit` in config.fish stops the file, the shell goes on.
        home.write(
            ".config/fish/config.fish",
            "status is-interactive; or exit\nset -gx AFTER 1\n",
        );
        if let Some((_, run)) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) {
            assert!(run.exported.is_some(), "{run:?}");
            assert_eq!(run.var("AFTER"), None);
        }
    }
}
