use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StatementKind, Word};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::silences_stderr;

crate::declare_rule! {
    /// ## What it does
    /// Finds `source f` / `. f` of a user-specific file — one under `~`, `$HOME`,
    /// `$ZDOTDIR` or `$XDG_CONFIG_HOME` — that no existence test guards.
    ///
    /// ## Why is this bad?
    /// Startup files travel: a dotfiles repository, a new laptop, a server where
    /// `~/.cargo` or `~/.bash_aliases` does not exist. There, every shell start prints an
    /// error ("No such file or directory" in bash and zsh, "Error encountered while
    /// sourcing file" in fish — checked with bash 5.2, zsh 5.9 and fish 3.6).
    ///
    /// A test on the file, or on a directory above it, counts as a guard:
    /// `[ -f f ] && . f`, `if [ -r f ]; then . f; fi`, `[[ ! -f f ]] || source f`,
    /// `if [ -d ~/.nvm ]; then . ~/.nvm/nvm.sh; fi`, fish `test -e f; and source f`.
    /// System files (`/usr/share/…`, `/etc/…`) and paths through other variables
    /// (`$ZSH/oh-my-zsh.sh`) are not reported, nor a `source f 2>/dev/null`.
    ///
    /// ## Example
    /// ```bash
    /// . "$HOME/.cargo/env"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    /// ```
    ///
    /// ## Fix safety
    /// A suggestion: it adds the test (fish: `test -f f; and source f`), after which a
    /// missing file is skipped without a word — which may hide a real mistake.
    pub(crate) const RULE = Rule {
        code: "CG407",
        name: "source-missing-guard",
        summary: "`source`/`.` of a file under `~` with no existence check: an error at every start where it is missing",
        shells: Shells::ALL,
        severity: Severity::Info,
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
        let Some(name) = command.name.as_deref() else {
            continue;
        };
        if !matches!(name, "source" | ".")
            || statement.context.conda_block.is_some()
            || statement.context.function.is_some()
            || statement.context.in_subshell
            || silences_stderr(&command.redirects)
        {
            continue;
        }
        let Some(arg) = command.args.first() else {
            continue;
        };
        if !user_specific(arg, file.source) {
            continue;
        }
        let path = normalize(&arg.display(file.source));
        let guarded = statement
            .context
            .conditions
            .iter()
            .any(|condition| tests_path(&normalize(&condition.test), &path));
        if guarded {
            continue;
        }
        let shown = file.text(arg.range.clone()).into_owned();
        let in_chain = statement.chain.after.is_some() || file.next_in_chain(index).is_some();
        let (test, help) = match file.shell {
            Shell::Fish => (
                format!("test -f {shown}; and "),
                format!("write `test -f {shown}; and {name} {shown}`"),
            ),
            _ => (
                format!("[ -f {shown} ] && "),
                format!("write `[ -f {shown} ] && {name} {shown}`"),
            ),
        };
        let report = checker
            .report(
                statement.range.clone(),
                format!(
                    "`{shown}` is sourced without checking that it exists: on a machine without it, every shell start prints an error"
                ),
            )
            .help(help);
        if !in_chain {
            report.fix(Fix::suggestion(
                "Source it only if it exists",
                vec![Edit::insert(statement.range.start, test)],
            ));
        }
    }
}

/// A path under the user's home or config directories.
fn user_specific(word: &Word, source: &[u8]) -> bool {
    let Some(first) = word.parts.first() else {
        return false;
    };
    let text = source.get(first.range.clone()).unwrap_or_default();
    match &first.kind {
        // `${ZDOTDIR:-$HOME}`
        PartKind::Other => ["${HOME", "${ZDOTDIR", "${XDG_CONFIG_HOME"]
            .iter()
            .any(|start| text.starts_with(start.as_bytes())),
        PartKind::Literal(text) => {
            first.quote == Quote::None && (text == "~" || text.starts_with("~/"))
        }
        PartKind::Variable { name, .. } => {
            matches!(name.as_str(), "HOME" | "ZDOTDIR" | "XDG_CONFIG_HOME")
        }
        _ => false,
    }
}

/// Spelling differences that do not matter for comparing a test with a path.
fn normalize(text: &str) -> String {
    let text: String = text.chars().filter(|c| *c != '"' && *c != '\'').collect();
    let text = text.replace("${HOME}", "$HOME").replace("\\.", ".");
    let text = text.replace(" ~/", " $HOME/").replace("~/", "$HOME/");
    text.replace("$HOME:", "$HOME/")
}

/// Whether a condition tests the path or a directory above it (below the home itself).
fn tests_path(test: &str, path: &str) -> bool {
    if test.contains(path) {
        return true;
    }
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if parent.matches('/').count() == 0 {
            // `$HOME` alone says nothing about the file.
            return false;
        }
        let directory_test = test.match_indices(parent).any(|(at, _)| {
            !test[at + parent.len()..]
                .starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
        });
        if directory_test {
            return true;
        }
        dir = parent;
    }
    false
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_unguarded_sources() {
        for (shell, text) in [
            (Shell::Bash, ". \"$HOME/.cargo/env\"\n"),
            (Shell::Bash, "source ~/.bash_aliases\n"),
            (Shell::Zsh, "source ${ZDOTDIR:-$HOME}/.zsh_local\n"),
            (Shell::Zsh, "source \"$XDG_CONFIG_HOME/zsh/aliases.zsh\"\n"),
            (Shell::Fish, "source \"$HOME/.cargo/env.fish\"\n"),
            (
                Shell::Bash,
                "if [ -n \"$BASH_VERSION\" ]; then\n    . ~/.bash_local\nfi\n",
            ),
            (Shell::Bash, "source ~/.x || true\n"),
        ] {
            assert_eq!(findings("CG407", shell, text).len(), 1, "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "[ -f \"$HOME/.cargo/env\" ] && . \"$HOME/.cargo/env\"\n"),
            (Shell::Bash, "if [ -f ~/.bash_aliases ]; then\n    . ~/.bash_aliases\nfi\n"),
            (Shell::Zsh, "[[ ! -f ~/.p10k.zsh ]] || source ~/.p10k.zsh\n"),
            (Shell::Zsh, "[[ -f ${HOME}/.fzf.zsh ]] && source ~/.fzf.zsh\n"),
            (Shell::Bash, "[ -s \"$HOME/.nvm/nvm.sh\" ] && \\. \"$HOME/.nvm/nvm.sh\"\n"),
            (Shell::Bash, "if [ -d \"$HOME/.nvm\" ]; then\n    . \"$HOME/.nvm/nvm.sh\"\nfi\n"),
            (Shell::Fish, "test -e ~/.config/fish/local.fish; and source ~/.config/fish/local.fish\n"),
            (Shell::Fish, "if test -f $HOME/.cargo/env.fish\n    source $HOME/.cargo/env.fish\nend\n"),
            (Shell::Zsh, "source $ZSH/oh-my-zsh.sh\n"),
            (Shell::Bash, ". /usr/share/bash-completion/bash_completion\n"),
            (Shell::Bash, "source ~/.fzf.bash 2>/dev/null\n"),
            (Shell::Bash, "load() {\n    . ~/.x\n}\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\n. \"$HOME/miniconda3/etc/profile.d/conda.sh\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(findings("CG407", shell, text).is_empty(), "{shell}: {text}");
        }
        // A test on another file under the home is no guard.
        let text = "if [ -d \"$HOME/.local\" ]; then\n    . \"$HOME/.localrc\"\nfi\n";
        assert_eq!(lines("CG407", Shell::Bash, text), vec![2]);
    }

    #[test]
    fn suggests_an_existence_test() {
        for (shell, text, suggested) in [
            (
                Shell::Bash,
                ". \"$HOME/.cargo/env\"\n",
                "[ -f \"$HOME/.cargo/env\" ] && . \"$HOME/.cargo/env\"\n",
            ),
            (
                Shell::Fish,
                "source \"$HOME/.cargo/env.fish\"\n",
                "test -f \"$HOME/.cargo/env.fish\"; and source \"$HOME/.cargo/env.fish\"\n",
            ),
        ] {
            let found = findings("CG407", shell, text);
            let fix = found[0].fix.as_ref().expect("a suggestion");
            assert_eq!(fix.applicability, crate::Applicability::Suggestion);
            let applied =
                String::from_utf8(crate::apply_edits(text.as_bytes(), &fix.edits)).expect("utf-8");
            assert_eq!(applied, suggested);
            assert!(findings("CG407", shell, &applied).is_empty());
            assert_eq!(fixed("CG407", shell, text), text);
        }
    }

    /// bash, zsh and fish print an error at every start when the file is missing; with the
    /// suggested test they start quietly.
    #[test]
    fn oracle_missing_file_errors_at_start() {
        for (oracle, shell, rc, line) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                ".bashrc",
                ". \"$HOME/.cargo/env\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                ".zshenv",
                "source ~/.zsh_local\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                ".config/fish/config.fish",
                "source \"$HOME/.cargo/env.fish\"\n",
            ),
        ] {
            let home = FakeHome::new();
            home.write(rc, line);
            let mode = if oracle == OracleShell::Bash {
                Mode::Interactive
            } else {
                Mode::NonInteractive
            };
            let Some((_, run)) = startup_path(oracle, mode, &home, "/usr/bin:/bin") else {
                continue;
            };
            assert!(
                run.stderr.contains("No such file") || run.stderr.contains("no such file"),
                "{oracle:?}: {}",
                run.stderr
            );
            let found = findings_at("CG407", shell, &format!("home/{rc}"), line);
            let fix = found[0].fix.as_ref().expect("a suggestion");
            let applied =
                String::from_utf8(crate::apply_edits(line.as_bytes(), &fix.edits)).expect("utf-8");
            home.write(rc, &applied);
            let (_, run) = startup_path(oracle, mode, &home, "/usr/bin:/bin").expect("ran");
            let errors: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| {
                    !l.contains("job control")
                        && !l.contains("terminal process group")
                        && *l != "exit"
                })
                .collect();
            assert!(errors.is_empty(), "{oracle:?}: {applied}: {errors:?}");
        }
    }
}
