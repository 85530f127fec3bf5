use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StatementKind, Word};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::silences_stderr;

crate::declare_rule! {
    /// ## What it does
    /// Finds `source f` / `. f` of a file that exists on some machines only, with no
    /// existence test around it:
    /// - a user-specific file, under `~`, `$HOME`, `$ZDOTDIR` or `$XDG_CONFIG_HOME`;
    /// - a Homebrew path of one architecture: `/opt/homebrew/…` (Apple silicon) or
    ///   Homebrew's `/usr/local/opt|Cellar|Homebrew|Caskroom/…` and the snippets its
    ///   formulae put in `/usr/local/share/zsh-*`, `/usr/local/share/powerlevel10k`,
    ///   `/usr/local/etc/profile.d`, `/usr/local/etc/bash_completion*` (Intel Macs) — the
    ///   other architecture and Linux have them elsewhere or not at all;
    /// - a path inside a named user's home, `/home/alice/…` or `/Users/bob/…`, which is
    ///   wrong for every other account (Homebrew's `/home/linuxbrew` is not reported).
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
    /// For the absolute paths any enclosing test counts (`if [ -d /opt/homebrew ]`,
    /// `[[ $(uname -m) == arm64 ]]`, `[[ $OSTYPE == darwin* ]]`).
    /// System files (`/usr/share/…`, `/etc/…`) and paths through other variables
    /// (`$ZSH/oh-my-zsh.sh`, `$(brew --prefix)/…`) are not reported, nor a
    /// `source f 2>/dev/null`.
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
        summary: "`source`/`.` with no existence check of a file under `~`, under one Homebrew architecture's prefix, or in a named user's home: an error at every start where it is missing",
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
        let Some(origin) = origin(arg, file.source) else {
            continue;
        };
        let path = normalize(&arg.display(file.source));
        // Any test around a machine-specific path (`[ -d /opt/homebrew ]`, `uname -m`,
        // `$OSTYPE`) shows the author thought about other machines.
        let guarded = match origin {
            Origin::Home => statement
                .context
                .conditions
                .iter()
                .any(|condition| tests_path(&normalize(&condition.test), &path)),
            _ => !statement.context.conditions.is_empty(),
        };
        if guarded {
            continue;
        }
        let shown = file.text(arg.range.clone()).into_owned();
        let exists_where = match origin {
            Origin::Home => "on a machine without it".to_string(),
            Origin::AppleSilicon => "it exists only where Homebrew lives in /opt/homebrew (Apple-silicon Macs); on an Intel Mac (/usr/local) or Linux".to_string(),
            Origin::IntelHomebrew => "it exists only where Homebrew lives in /usr/local (Intel Macs); on an Apple-silicon Mac (/opt/homebrew) or Linux".to_string(),
            Origin::User(user) => format!("it is inside {user}'s home directory; on a machine or account where that path does not exist"),
        };
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
                    "`{shown}` is sourced without checking that it exists: {exists_where}, every shell start prints an error"
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

/// Why a sourced path may be missing on another machine.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    /// Under `~`, `$HOME`, `$ZDOTDIR`, `$XDG_CONFIG_HOME`.
    Home,
    /// Under `/opt/homebrew`: Homebrew on Apple silicon.
    AppleSilicon,
    /// Homebrew's own directories under `/usr/local` (`opt`, `Cellar`, `Homebrew`,
    /// `Caskroom`): Homebrew on Intel Macs.
    IntelHomebrew,
    /// Inside a named user's home (`/home/alice/…`, `/Users/bob/…`).
    User(String),
}

/// Where a sourced path lives, when it is one that differs between machines.
fn origin(word: &Word, source: &[u8]) -> Option<Origin> {
    let first = word.parts.first()?;
    let text = source.get(first.range.clone()).unwrap_or_default();
    match &first.kind {
        // `${ZDOTDIR:-$HOME}`
        PartKind::Other => ["${HOME", "${ZDOTDIR", "${XDG_CONFIG_HOME"]
            .iter()
            .any(|start| text.starts_with(start.as_bytes()))
            .then_some(Origin::Home),
        PartKind::Literal(text)
            if first.quote == Quote::None && (text == "~" || text.starts_with("~/")) =>
        {
            Some(Origin::Home)
        }
        PartKind::Literal(_) => machine_specific(&word.literal()?),
        PartKind::Variable { name, .. } => {
            matches!(name.as_str(), "HOME" | "ZDOTDIR" | "XDG_CONFIG_HOME").then_some(Origin::Home)
        }
        _ => None,
    }
}

/// An absolute path that exists on some machines only.
fn machine_specific(path: &str) -> Option<Origin> {
    if path.starts_with("/opt/homebrew/") {
        return Some(Origin::AppleSilicon);
    }
    // Homebrew's own directories, and the shell snippets its formulae install under
    // `/usr/local/share` and `/usr/local/etc` on Intel Macs.
    let brew = [
        "/usr/local/opt/",
        "/usr/local/Cellar/",
        "/usr/local/Homebrew/",
        "/usr/local/Caskroom/",
        "/usr/local/share/zsh-",
        "/usr/local/share/powerlevel10k/",
        "/usr/local/etc/profile.d/",
        "/usr/local/etc/bash_completion",
    ];
    if brew.iter().any(|prefix| path.starts_with(prefix)) {
        return Some(Origin::IntelHomebrew);
    }
    for home in ["/home/", "/Users/"] {
        let Some(rest) = path.strip_prefix(home) else {
            continue;
        };
        let (user, below) = rest.split_once('/')?;
        // Homebrew on Linux lives in `/home/linuxbrew` on every machine that has it.
        if user.is_empty() || below.is_empty() || user == "linuxbrew" || user == "Shared" {
            return None;
        }
        return Some(Origin::User(user.to_string()));
    }
    None
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
    fn finds_machine_specific_absolute_paths() {
        for (shell, text, says) in [
            (
                Shell::Zsh,
                "source /opt/homebrew/share/zsh-autosuggestions/zsh-autosuggestions.zsh\n",
                "/opt/homebrew",
            ),
            (Shell::Bash, ". /usr/local/opt/nvm/nvm.sh\n", "Intel"),
            (
                Shell::Zsh,
                "source /usr/local/share/zsh-syntax-highlighting/zsh-syntax-highlighting.zsh\n",
                "Intel",
            ),
            (
                Shell::Bash,
                ". \"/usr/local/etc/profile.d/bash_completion.sh\"\n",
                "Intel",
            ),
            (
                Shell::Bash,
                "source \"/usr/local/Cellar/fzf/0.44.1/shell/completion.bash\"\n",
                "Intel",
            ),
            (
                Shell::Zsh,
                "source /Users/bob/.iterm2_shell_integration.zsh\n",
                "bob's home",
            ),
            (
                Shell::Fish,
                "source /home/alice/.config/fish/local.fish\n",
                "alice's home",
            ),
        ] {
            let found = findings("CG407", shell, text);
            assert_eq!(found.len(), 1, "{shell}: {text}");
            assert!(found[0].message.contains(says), "{}", found[0].message);
        }
        for (shell, text) in [
            (Shell::Zsh, "if [[ $(uname -m) == arm64 ]]; then\n    source /opt/homebrew/opt/chruby/share/chruby/chruby.sh\nfi\n"),
            (Shell::Bash, "[ -d /usr/local/opt/nvm ] && . /usr/local/opt/nvm/nvm.sh\n"),
            (Shell::Bash, ". /home/linuxbrew/.linuxbrew/opt/nvm/nvm.sh 2>/dev/null\n"),
            (Shell::Bash, ". /home/linuxbrew/.linuxbrew/etc/profile.d/bash_completion.sh\n"),
            (Shell::Bash, ". /usr/local/share/chruby/chruby.sh\n"),
            (Shell::Zsh, "source $(brew --prefix)/opt/nvm/nvm.sh\n"),
        ] {
            assert!(findings("CG407", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    /// An Apple-silicon path on a machine that has Homebrew elsewhere: an error at start in
    /// bash and zsh; none under the test of the prefix.
    #[test]
    fn oracle_other_architecture_errors_at_start() {
        let home = FakeHome::new();
        let line = "source /opt/homebrew/opt/nvm/nvm.sh\n";
        if std::path::Path::new("/opt/homebrew").exists() {
            eprintln!("SKIPPED: this machine has /opt/homebrew");
            return;
        }
        for oracle in [OracleShell::Bash, OracleShell::Zsh] {
            let Some(run) = condago_oracle::run_snippet(oracle, &home, line) else {
                continue;
            };
            assert!(run.stderr.contains("o such file"), "{oracle:?}: {run:?}");
            let guarded = "[ -d /opt/homebrew ] && source /opt/homebrew/opt/nvm/nvm.sh\n";
            let run = condago_oracle::run_snippet(oracle, &home, guarded).expect("ran");
            assert!(run.stderr.is_empty(), "{oracle:?}: {run:?}");
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
