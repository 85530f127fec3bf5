use std::path::PathBuf;

use crate::diagnostic::Severity;
use crate::model::{PartKind, PathEntry, PathEntryKind, Quote};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// (Opt-in: select it with `--select CG107`; it reads this machine's file system.)
    /// Finds a `PATH` entry whose directory does not exist on this machine. Only entries
    /// that can be resolved without running the file are checked: literal paths, and
    /// paths under `~`, `$HOME` or `${HOME}` (resolved with the `HOME` environment
    /// variable). Entries with any other expansion are skipped.
    ///
    /// ## Why is this bad?
    /// The entry finds nothing. Usually that is a leftover — a tool that was uninstalled, a
    /// path from another machine, a typo (`~/.local/bn`) — and the programs you expect
    /// from it are missing, or come from somewhere else on `PATH` without a word.
    ///
    /// Not reported: entries under a test of that directory or of `PATH`
    /// (`[ -d ~/bin ] && PATH=~/bin:$PATH`), `fish_add_path` (which skips a directory
    /// that does not exist by itself), and conda blocks. A dotfiles repository shared
    /// between machines will see findings for the other machines' directories: that is
    /// why the rule is opt-in.
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME/.local/go/bin:$PATH"   # Go was installed elsewhere since
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// [ -d "$HOME/.local/go/bin" ] && export PATH="$HOME/.local/go/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whether the line is stale or the directory is missing is for you to say.
    pub(crate) const RULE = Rule {
        code: "CG107",
        name: "path-entry-missing",
        summary: "a `PATH` entry whose directory does not exist on this machine (opt-in)",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: true,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|home| home.is_absolute());
    check_with_home(checker, home.as_deref());
}

fn check_with_home(checker: &mut Checker, home: Option<&std::path::Path>) {
    let file = checker.file;
    for (statement, edit) in super::shared::sound_path_edits(file) {
        if statement.context.conda_block.is_some() || edit.idempotent {
            continue;
        }
        for entry in &edit.entries {
            if entry.kind != PathEntryKind::Dir {
                continue;
            }
            let Some(resolved) = resolve(entry, home) else {
                continue;
            };
            let shown = entry.display(file.source);
            let tested = statement.context.conditions.iter().any(|condition| {
                super::shared::mentions_search_path(&condition.test)
                    || condition.test.contains(&shown)
                    || condition.test.contains(&resolved)
                    || condition.test.contains(&shown.replacen('~', "$HOME", 1))
            });
            if tested || std::path::Path::new(&resolved).exists() {
                continue;
            }
            let message = if resolved == shown {
                format!("`{shown}` does not exist on this machine: the entry finds nothing, and the programs expected from it are missing or come from elsewhere on `PATH`")
            } else {
                format!("`{shown}` (`{resolved}`) does not exist on this machine: the entry finds nothing, and the programs expected from it are missing or come from elsewhere on `PATH`")
            };
            checker.report(entry.range.clone(), message).help(
                "remove the line if it is stale, or add it only when the directory exists (`[ -d dir ] && …`)",
            );
        }
    }
}

/// The entry as an absolute path, when it is a literal or starts with `~`/`$HOME`.
fn resolve(entry: &PathEntry, home: Option<&std::path::Path>) -> Option<String> {
    let mut out = String::new();
    for (index, part) in entry.parts.iter().enumerate() {
        match &part.kind {
            PartKind::Literal(text) => {
                let tilde = index == 0
                    && part.quote == Quote::None
                    && (text == "~" || text.starts_with("~/"));
                if tilde {
                    out.push_str(home?.to_str()?);
                    out.push_str(&text[1..]);
                } else {
                    out.push_str(text);
                }
            }
            PartKind::Variable { name, complex } if index == 0 && name == "HOME" && !complex => {
                out.push_str(home?.to_str()?);
            }
            _ => return None,
        }
    }
    out.starts_with('/').then_some(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::{Detection, DetectionSource, Shell};

    use crate::diagnostic::Diagnostic;
    use crate::model::StartupFile;
    use crate::rule::Checker;

    /// Lints with a given home directory instead of this process's `HOME`.
    fn findings_with_home(shell: Shell, text: &str, home: &Path) -> Vec<Diagnostic> {
        let parse = condago_syntax::parse(text.as_bytes(), shell, &Default::default());
        let path = Path::new(crate::rules::test_support::default_path(shell));
        let file = StartupFile::new(path, text.as_bytes(), &parse, false);
        let mut out = Vec::new();
        let mut checker = Checker::new(&file, &super::RULE, &mut out);
        super::check_with_home(&mut checker, Some(home));
        out
    }

    fn lines_with_home(shell: Shell, text: &str, home: &Path) -> Vec<usize> {
        findings_with_home(shell, text, home)
            .iter()
            .map(|d| text[..d.range.start].matches('\n').count() + 1)
            .collect()
    }

    #[test]
    fn is_opt_in() {
        let settings = crate::Settings::default();
        let detection = Detection {
            shell: Shell::Bash,
            source: DetectionSource::FileName,
            read_by_sh: false,
        };
        let text = "export PATH=/condago/does/not/exist:$PATH\n";
        let result = crate::lint(Path::new(".bashrc"), text.as_bytes(), detection, &settings);
        assert!(result.diagnostics.iter().all(|d| d.code != "CG107"));
        // Selected by its code, it runs.
        let found = crate::rules::test_support::findings("CG107", Shell::Bash, text);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn finds_missing_directories_in_each_shell() {
        let home = FakeHome::new();
        std::fs::create_dir_all(home.path().join("bin")).expect("mkdir");
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/.local/go/bin:$PATH\"\n"),
            (Shell::Bash, "PATH=~/bin:~/gone:$PATH\n"),
            (Shell::Bash, "PATH=$PATH:${HOME}/gone\n"),
            (Shell::Sh, "PATH=/condago/does/not/exist:$PATH\n"),
            (Shell::Zsh, "path=(~/gone $path)\n"),
            (Shell::Fish, "set -gx PATH $HOME/gone $PATH\n"),
        ] {
            assert_eq!(
                lines_with_home(shell, text, home.path()),
                vec![1],
                "{shell}: {text}"
            );
        }
        let found = findings_with_home(Shell::Bash, "PATH=~/gone:$PATH\n", home.path());
        assert!(found[0]
            .message
            .contains(&format!("{}/gone", home.path().display())));
    }

    #[test]
    fn looks_similar_but_is_fine() {
        let home = FakeHome::new();
        std::fs::create_dir_all(home.path().join("bin")).expect("mkdir");
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/bin:$PATH\"\n"),
            (Shell::Bash, "PATH=/usr/bin:$PATH\n"),
            (Shell::Bash, "PATH=$GOPATH/bin:$PATH\n"),
            (Shell::Bash, "PATH=\"$(brew --prefix)/bin:$PATH\"\n"),
            (Shell::Bash, "[ -d ~/gone ] && PATH=~/gone:$PATH\n"),
            (Shell::Bash, "if [ -d \"$HOME/gone\" ]; then\n  PATH=\"$HOME/gone:$PATH\"\nfi\n"),
            (Shell::Bash, "PATH=\"~/gone:$PATH\"\n"),
            (Shell::Bash, "PATH=relative/bin:$PATH\n"),
            (Shell::Fish, "fish_add_path -g ~/gone\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"/condago/conda/bin:$PATH\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(lines_with_home(shell, text, home.path()).is_empty(), "{shell}: {text}");
        }
    }

    /// The real shells: a program expected from the missing directory is not found; once
    /// the directory exists, it is.
    #[test]
    fn oracle_missing_directory_finds_nothing() {
        for (oracle, shell, text) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$HOME/gone/bin:$PATH\"\n",
            ),
            (OracleShell::Zsh, Shell::Zsh, "path=(~/gone/bin $path)\n"),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH ~/gone/bin $PATH\n",
            ),
        ] {
            let home = FakeHome::new();
            assert_eq!(lines_with_home(shell, text, home.path()), vec![1]);
            let Some(missing) = lookup_after(oracle, &home, text, "hello-gone") else {
                continue;
            };
            assert!(missing.shell_finds.is_none() && missing.child_finds.is_none());
            home.stub("gone/bin", "hello-gone");
            assert!(lines_with_home(shell, text, home.path()).is_empty());
            let present = lookup_after(oracle, &home, text, "hello-gone").expect("shell");
            assert!(present.child_finds.is_some(), "{oracle:?}");
        }
    }
}
