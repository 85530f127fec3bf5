use std::ops::Range;

use condago_syntax::Shell;

use crate::diagnostic::Severity;
use crate::model::{ChainOp, FileKind, StartupFile, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::{captured_ranges, inside, redirects_stdout};

crate::declare_rule! {
    /// ## What it does
    /// Finds output on standard output — `echo`, `printf`, `cat`, `fortune`, `neofetch`
    /// and other commands that print — that runs unconditionally in a startup file that
    /// non-interactive shells read too: `.bashrc` before its interactive-only guard,
    /// `.zshenv`, and fish's `config.fish`/`conf.d` outside `if status is-interactive`.
    ///
    /// ## Why is this bad?
    /// `scp`, `rsync`, `sftp` and `git` over ssh talk through the remote shell's standard
    /// output: any extra text corrupts their protocol ("protocol error", "Received message
    /// too long", a hanging rsync).
    ///
    /// Checked with the real shells: `zsh -c true` prints what `.zshenv` echoes, and
    /// `fish -c true` what `config.fish` echoes. bash reads `.bashrc` in a non-interactive
    /// shell only when it thinks sshd started it: Debian's bash 5.2 does so when
    /// `SSH_CLIENT` is set or when its standard input is a socket, as under sshd. So
    /// `bash -c true` prints `.bashrc`'s echo in both of those cases, and a plain
    /// `bash -c true` does not. (The test runs no sshd; it sets `SSH_CLIENT`, and gives
    /// bash a socket as standard input, as sshd does.) RULES.md lists bash and zsh; fish
    /// reads `config.fish` for `fish -c` too, so the rule covers fish as well.
    ///
    /// Output sent elsewhere (`>> ~/.log`, `>&2`), inside a command substitution, or under
    /// a condition is not reported.
    ///
    /// ## Example
    /// ```bash
    /// echo "Welcome back, $USER"
    /// case $- in
    ///     *i*) ;;
    ///     *) return;;
    /// esac
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// case $- in
    ///     *i*) ;;
    ///     *) return;;
    /// esac
    /// echo "Welcome back, $USER"
    /// ```
    ///
    /// zsh: print from `.zshrc`, not `.zshenv`. fish: inside `if status is-interactive`.
    ///
    /// ## Fix safety
    /// No fix: where the line belongs depends on the file.
    pub(crate) const RULE = Rule {
        code: "CG405",
        name: "output-in-rc",
        summary: "unconditional output in `.bashrc`/`.zshenv`/`config.fish` that non-interactive shells also read: breaks scp, rsync, git over ssh",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

/// Commands that print to standard output.
const PRINTERS: &[&str] = &[
    "echo",
    "printf",
    "print",
    "cat",
    "fortune",
    "cowsay",
    "figlet",
    "toilet",
    "lolcat",
    "neofetch",
    "fastfetch",
    "screenfetch",
    "pfetch",
    "archey",
    "date",
    "cal",
    "uptime",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    let where_: &str = match (file.shell, file.kind) {
        (Shell::Bash | Shell::Sh, FileKind::Bashrc) => {
            "bash reads `.bashrc` for commands run over ssh too (`ssh host cmd`, scp, rsync, sftp, git)"
        }
        (Shell::Zsh, FileKind::Zshenv) => {
            "every zsh reads `.zshenv`, also `zsh -c` and commands run over ssh (scp, rsync, sftp, git)"
        }
        (Shell::Fish, FileKind::FishConfig | FileKind::FishConfD) => {
            "fish reads it in every fish, also `fish -c` and commands run over ssh (scp, rsync, sftp, git)"
        }
        _ => return,
    };
    let captured = captured_ranges(file);
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let context = &statement.context;
        let Some(name) = command.name.as_deref() else {
            continue;
        };
        if !PRINTERS.contains(&name)
            || context.interactive_only
            || context.function.is_some()
            || !context.conditions.is_empty()
            || context.conda_block.is_some()
            || inside(&statement.range, &captured)
            || command.redirects.iter().any(|r| redirects_stdout(r))
            || stdout_redirected_around(file, &statement.range)
        {
            continue;
        }
        // A pipeline stage that feeds the next one does not print.
        let feeds_pipe = file.statements[index + 1..]
            .iter()
            .find(|next| next.chain.list == statement.chain.list)
            .is_some_and(|next| next.chain.after == Some(ChainOp::Pipe));
        if feeds_pipe {
            continue;
        }
        let help = match file.shell {
            Shell::Fish => "print only in interactive shells: inside `if status is-interactive`, or to stderr (`>&2`)",
            Shell::Zsh => "print from `.zshrc` instead (interactive shells only), or to stderr (`>&2`)",
            _ => "move it below the interactive-only guard (`case $- in *i*) ;; *) return;; esac`), or print to stderr (`>&2`)",
        };
        checker
            .report(
                statement.range.clone(),
                format!(
                    "`{name}` prints on every start, and {where_}: the extra output corrupts their protocol"
                ),
            )
            .help(help);
    }
}

/// Whether an enclosing block's redirection (`{ …; } >/dev/null`) sends the output elsewhere.
fn stdout_redirected_around(file: &StartupFile, range: &Range<usize>) -> bool {
    let Some(tree) = file.tree else {
        return false;
    };
    let Some(mut node) = tree
        .root_node()
        .descendant_for_byte_range(range.start, range.end)
    else {
        return false;
    };
    loop {
        let mut cursor = node.walk();
        let redirected = node.children(&mut cursor).any(|child| {
            child.kind().contains("redirect") && redirects_stdout(&file.text(child.byte_range()))
        });
        if redirected {
            return true;
        }
        match node.parent() {
            Some(parent) => node = parent,
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    const BASH_GUARD: &str = "case $- in\n    *i*) ;;\n    *) return;;\nesac\n";

    #[test]
    fn finds_output() {
        assert_eq!(
            lines("CG405", Shell::Bash, "echo \"Welcome back, $USER\"\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG405",
                Shell::Bash,
                &format!("fortune | cowsay\n{BASH_GUARD}")
            ),
            vec![1]
        );
        assert_eq!(
            findings_at(
                "CG405",
                Shell::Zsh,
                "home/.zshenv",
                "echo \"zshenv loaded\"\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings_at("CG405", Shell::Zsh, "home/.zshenv", "neofetch\n").len(),
            1
        );
        assert_eq!(lines("CG405", Shell::Fish, "echo hello\n"), vec![1]);
        assert_eq!(
            findings_at(
                "CG405",
                Shell::Fish,
                "home/.config/fish/conf.d/motd.fish",
                "cat ~/.motd\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, format!("{BASH_GUARD}echo hello\n")),
            (
                Shell::Bash,
                "[[ $- != *i* ]] && return\nneofetch\n".to_string(),
            ),
            (
                Shell::Bash,
                "echo started >> /tmp/shell-init.log\n".to_string(),
            ),
            (Shell::Bash, "echo 'no ~/.x' >&2\n".to_string()),
            (Shell::Bash, "{ echo a; echo b; } >/dev/null\n".to_string()),
            (Shell::Bash, "export NOW=\"$(date +%s)\"\n".to_string()),
            (
                Shell::Bash,
                "if [ -t 1 ]; then\n  fortune\nfi\n".to_string(),
            ),
            (Shell::Bash, "greet() {\n  echo hi\n}\n".to_string()),
            (
                Shell::Bash,
                "echo $PATH | tr : '\\n' > /tmp/p\n".to_string(),
            ),
            (Shell::Zsh, "echo hi\n".to_string()),
            (
                Shell::Fish,
                "if status is-interactive\n    fortune\nend\n".to_string(),
            ),
            (
                Shell::Fish,
                "status is-interactive; or exit\nfortune\n".to_string(),
            ),
            (Shell::Fish, "set -gx X (date +%s)\n".to_string()),
        ] {
            assert!(
                findings("CG405", shell, &text).is_empty(),
                "{shell}: {text}"
            );
        }
        for path in ["home/.zprofile", "home/.bash_profile", "home/.profile"] {
            assert!(findings_at("CG405", Shell::Zsh, path, "echo hi\n").is_empty());
            assert!(findings_at("CG405", Shell::Bash, path, "echo hi\n").is_empty());
        }
    }

    /// zsh 5.9: `zsh -c` prints `.zshenv`'s echo; fish 3.6: `fish -c` prints
    /// `config.fish`'s; bash 5.2 run the way sshd runs it (`SSH_CLIENT` set) prints
    /// `.bashrc`'s echo before the guard and not after it.
    #[test]
    fn oracle_non_interactive_shells_print_it() {
        let home = FakeHome::new();
        home.write(".zshenv", "echo zshenv-says-hi\n");
        if let Some((_, run)) = startup_path(
            OracleShell::Zsh,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) {
            assert!(run.stdout.contains("zshenv-says-hi"), "{run:?}");
        }
        home.write(".config/fish/config.fish", "echo fish-says-hi\n");
        if let Some((_, run)) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) {
            assert!(run.stdout.contains("fish-says-hi"), "{run:?}");
        }
        home.write(
            ".config/fish/config.fish",
            "if status is-interactive\n    echo fish-says-hi\nend\n",
        );
        if let Some((_, run)) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) {
            assert!(!run.stdout.contains("fish-says-hi"), "{run:?}");
        }

        let mut home = FakeHome::new();
        home.write(
            ".bashrc",
            format!("echo bashrc-says-hi\n{BASH_GUARD}echo after-guard\n"),
        );
        let Some((_, plain)) = startup_path(
            OracleShell::Bash,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) else {
            return;
        };
        assert!(
            !plain.stdout.contains("bashrc-says-hi"),
            "plain bash -c reads no .bashrc"
        );
        home.set_env("SSH_CLIENT", "192.0.2.1 50000 22");
        let (_, run) = startup_path(
            OracleShell::Bash,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        )
        .expect("bash ran");
        assert!(run.stdout.contains("bashrc-says-hi"), "{run:?}");
        assert!(!run.stdout.contains("after-guard"), "{run:?}");

        // Without `SSH_CLIENT`, a socket on standard input (what sshd gives a command)
        // makes bash read `.bashrc` too.
        let bash = condago_oracle::require(OracleShell::Bash).expect("bash ran above");
        let (_ours, theirs) = std::os::unix::net::UnixStream::pair().expect("socket pair");
        let output = std::process::Command::new(bash)
            .args(["-c", "true"])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", "/usr/bin:/bin")
            .current_dir(home.path())
            .stdin(std::process::Stdio::from(std::os::fd::OwnedFd::from(
                theirs,
            )))
            .output()
            .expect("run bash");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("bashrc-says-hi"), "{stdout}");
    }
}
