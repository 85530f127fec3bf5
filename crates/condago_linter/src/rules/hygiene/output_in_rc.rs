use std::ops::Range;

use condago_syntax::Shell;

use crate::diagnostic::Severity;
use crate::model::{ChainOp, Command, FileKind, StartupFile, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::{captured_ranges, inside, redirects_stdout};

crate::declare_rule! {
    /// ## What it does
    /// Finds output on standard output — `echo`, `printf`, `cat`, `fortune`, fetch tools
    /// (`neofetch`, `fastfetch`, `hyfetch`), `clear`, bash's `pushd`/`popd` (they print the
    /// directory stack), `nvm use` ("Now using node …"), `eval $(ssh-agent)` ("Agent pid
    /// …"), and calls of a function defined in the file that runs one of these — that runs
    /// unconditionally in a startup file that
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
    /// Also checked: `eval $(ssh-agent)` prints "Agent pid N" in bash, zsh and fish;
    /// `pushd`/`popd` print the directory stack in a non-interactive bash, but not in a
    /// non-interactive zsh or fish (so only bash files are reported for them); `clear` with
    /// no `TERM` (scp, rsync and `ssh host cmd` get none) prints "TERM environment variable
    /// not set." on stderr, and with `TERM` set writes escape codes to standard output.
    /// `nvm use` prints "Now using node v… (npm v…)" unless given `--silent`.
    ///
    /// Output sent elsewhere (`>> ~/.log`, `>&2`, `eval "$(ssh-agent -s)" >/dev/null`),
    /// inside a command substitution, or under a condition is not reported.
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
    "hyfetch",
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
    let printing_functions = printing_functions(file, &captured);
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let context = &statement.context;
        let Some(prints) = what_prints(file, command, &printing_functions) else {
            continue;
        };
        if context.interactive_only
            || context.function.is_some()
            || !context.conditions.is_empty()
            || context.conda_block.is_some()
            || inside(&statement.range, &captured)
            || command.redirects.iter().any(|r| redirects_stdout(r))
            || stdout_redirected_around(file, &statement.range)
        {
            continue;
        }
        if feeds_pipe(file, index) {
            continue;
        }
        let help = match file.shell {
            Shell::Fish => "print only in interactive shells: inside `if status is-interactive`, or to stderr (`>&2`)",
            Shell::Zsh => "print from `.zshrc` instead (interactive shells only), or to stderr (`>&2`)",
            _ => "move it below the interactive-only guard (`case $- in *i*) ;; *) return;; esac`), or print to stderr (`>&2`)",
        };
        let message = match prints {
            Prints::Clear => format!(
                "`clear` runs on every start, and {where_}: there is no screen to clear — it writes escape codes into their output when `TERM` is set, and \"TERM environment variable not set.\" on stderr when it is not"
            ),
            Prints::Output(what) => format!(
                "{what} on every start, and {where_}: the extra output corrupts their protocol"
            ),
        };
        checker.report(statement.range.clone(), message).help(help);
    }
}

/// What a command prints, when it prints.
enum Prints {
    Clear,
    /// "`neofetch` prints", "`nvm use` prints \"Now using node …\"".
    Output(String),
}

fn what_prints(
    file: &StartupFile,
    command: &Command,
    printing_functions: &[(String, String)],
) -> Option<Prints> {
    let name = command.name.as_deref()?;
    let first = command.args.first().and_then(|arg| arg.literal());
    if name == "clear" {
        return Some(Prints::Clear);
    }
    if PRINTERS.contains(&name) {
        return Some(Prints::Output(format!("`{name}` prints")));
    }
    // bash prints the directory stack after `pushd`/`popd`; a non-interactive zsh and
    // fish do not (checked with zsh 5.9, fish 3.6).
    if matches!(name, "pushd" | "popd") && matches!(file.shell, Shell::Bash | Shell::Sh) {
        return Some(Prints::Output(format!(
            "`{name}` prints the directory stack"
        )));
    }
    if name == "nvm"
        && first.as_deref() == Some("use")
        && !command.args.iter().any(|arg| arg.is_literal("--silent"))
    {
        return Some(Prints::Output(
            "`nvm use` prints \"Now using node …\"".to_string(),
        ));
    }
    if name == "eval" {
        let text = file.text(command.name_range.start..command.args.last()?.range.end);
        if text.contains("ssh-agent") {
            return Some(Prints::Output(
                "`eval` of `ssh-agent` prints \"Agent pid …\" (ssh-agent's output echoes it)"
                    .to_string(),
            ));
        }
    }
    printing_functions
        .iter()
        .find(|(function, _)| function == name)
        .map(|(_, printer)| {
            Prints::Output(format!(
                "`{name}`, a function defined in this file, runs `{printer}`, which prints"
            ))
        })
}

/// Functions defined in the file that print (a printer in their body, not redirected or
/// captured), with the printer's name.
fn printing_functions(file: &StartupFile, captured: &[Range<usize>]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let (Some(function), Some(name)) = (&statement.context.function, &command.name) else {
            continue;
        };
        let printer = PRINTERS.contains(&name.as_str()) || name == "clear";
        if !printer
            || out.iter().any(|(known, _)| known == function)
            || inside(&statement.range, captured)
            || command.redirects.iter().any(|r| redirects_stdout(r))
            || feeds_pipe(file, index)
            || stdout_redirected_around(file, &statement.range)
        {
            continue;
        }
        out.push((function.clone(), name.clone()));
    }
    out
}

/// Whether the statement is a pipeline stage that feeds the next one (`echo $PATH | grep`):
/// its output goes to that command, not to the terminal.
fn feeds_pipe(file: &StartupFile, index: usize) -> bool {
    let Some(statement) = file.statements.get(index) else {
        return false;
    };
    file.statements[index + 1..]
        .iter()
        .find(|next| next.chain.list == statement.chain.list)
        .is_some_and(|next| next.chain.after == Some(ChainOp::Pipe))
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
    use condago_oracle::{run_snippet, startup_path, FakeHome, Mode, OracleShell};
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
    fn finds_more_commands_that_print() {
        for (shell, path, text) in [
            (Shell::Bash, "home/.bashrc", "clear\n"),
            (Shell::Bash, "home/.bashrc", "pushd ~/src\n"),
            (Shell::Bash, "home/.bashrc", "hyfetch\n"),
            (Shell::Bash, "home/.bashrc", "nvm use 20\n"),
            (Shell::Bash, "home/.bashrc", "eval $(ssh-agent)\n"),
            (Shell::Zsh, "home/.zshenv", "eval \"$(ssh-agent -s)\"\n"),
            (
                Shell::Fish,
                "home/.config/fish/config.fish",
                "eval (ssh-agent -c)\n",
            ),
            (
                Shell::Zsh,
                "home/.zshenv",
                "greet() {\n    fastfetch\n}\ngreet\n",
            ),
            (
                Shell::Fish,
                "home/.config/fish/config.fish",
                "function hello\n    neofetch\nend\nhello\n",
            ),
        ] {
            assert_eq!(
                findings_at("CG405", shell, path, text).len(),
                1,
                "{shell}: {text}"
            );
        }
    }

    #[test]
    fn more_commands_that_stay_quiet() {
        for (shell, path, text) in [
            (Shell::Bash, "home/.bashrc", "pushd ~/src >/dev/null\n"),
            (Shell::Bash, "home/.bashrc", "nvm use --silent 20\n"),
            (
                Shell::Bash,
                "home/.bashrc",
                "eval \"$(ssh-agent -s)\" >/dev/null\n",
            ),
            (Shell::Bash, "home/.bashrc", "[[ $- == *i* ]] && clear\n"),
            (Shell::Zsh, "home/.zshenv", "pushd ~/src\n"),
            (
                Shell::Fish,
                "home/.config/fish/config.fish",
                "pushd ~/src\n",
            ),
            (Shell::Zsh, "home/.zshenv", "greet() {\n    fastfetch\n}\n"),
            (
                Shell::Zsh,
                "home/.zshenv",
                "greet() {\n    fastfetch\n}\ngreet >/dev/null\n",
            ),
            (
                Shell::Bash,
                "home/.bashrc",
                "greet() {\n    echo hi >&2\n}\ngreet\n",
            ),
            // The function's `echo` feeds a pipe whose end is silenced.
            (
                Shell::Bash,
                "home/.bashrc",
                "addtopath() {\n    echo $PATH | grep -q \":$1:\" || PATH=\"$1:$PATH\"\n}\naddtopath ~/bin\n",
            ),
            (
                Shell::Zsh,
                "home/.zshenv",
                "quiet() {\n    { echo one; printf 'two\\n'; } >/dev/null\n}\nquiet\n",
            ),
            (
                Shell::Fish,
                "home/.config/fish/config.fish",
                "if status is-interactive; and not set -q TMUX\n    fastfetch\nend\n",
            ),
        ] {
            assert!(
                findings_at("CG405", shell, path, text).is_empty(),
                "{shell}: {text}"
            );
        }
    }

    /// zsh 5.9 `zsh -c` reading `.zshenv`: `eval $(ssh-agent)` prints "Agent pid", a
    /// function that echoes prints, `clear` prints escape codes with `TERM` set and an
    /// error on stderr without it, `pushd` prints nothing; bash run as sshd runs it prints
    /// `pushd`'s directory stack.
    #[test]
    fn oracle_more_commands_print() {
        let mut home = FakeHome::new();
        home.write(".zshenv", "eval $(ssh-agent)\nkill $SSH_AGENT_PID\n");
        let zsh = |home: &FakeHome| {
            startup_path(
                OracleShell::Zsh,
                Mode::NonInteractive,
                home,
                "/usr/bin:/bin",
            )
            .map(|(_, run)| run)
        };
        if let Some(run) = zsh(&home) {
            assert!(run.stdout.contains("Agent pid"), "{run:?}");
            home.write(
                ".zshenv",
                "greet() {\n    echo greet-says-hi\n}\ngreet\npushd /tmp\n",
            );
            let run = zsh(&home).expect("ran");
            assert_eq!(run.stdout.trim(), "greet-says-hi", "{run:?}");
            home.write(".zshenv", "clear\n");
            let run = zsh(&home).expect("ran");
            assert!(
                run.stderr.contains("TERM environment variable not set"),
                "{run:?}"
            );
            home.set_env("TERM", "xterm");
            let run = zsh(&home).expect("ran");
            assert!(run.stdout.contains('\u{1b}'), "{run:?}");
        }
        let mut home = FakeHome::new();
        home.write(".bashrc", "pushd /tmp\n");
        home.set_env("SSH_CLIENT", "192.0.2.1 50000 22");
        if let Some((_, run)) = startup_path(
            OracleShell::Bash,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) {
            assert!(run.stdout.contains("/tmp"), "{run:?}");
        }
    }

    /// bash 5.2: a function whose `echo` feeds a silenced pipe prints nothing when called.
    #[test]
    fn oracle_a_piped_echo_in_a_function_stays_quiet() {
        let text = "addtopath() {\n    echo $PATH | grep -q \":$1:\" || PATH=\"$1:$PATH\"\n}\naddtopath /opt/x\n";
        assert!(findings_at("CG405", Shell::Bash, "home/.bashrc", text).is_empty());
        let Some(run) = run_snippet(OracleShell::Bash, &FakeHome::new(), text) else {
            return;
        };
        assert!(run.stdout.trim().is_empty(), "{run:?}");
        assert!(
            run.path_entries().is_some_and(|path| path[0] == "/opt/x"),
            "{run:?}"
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
