use std::ops::Range;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{FileKind, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::delete_statement;

crate::declare_rule! {
    /// ## What it does
    /// Finds `set -e` (also inside `set -euo pipefail`), `set -o errexit` and zsh's
    /// `setopt err_exit` / `errexit` / `ERR_EXIT` at the top level of a startup file that
    /// interactive shells read (`.bashrc`, `.bash_profile`, `.profile`, `.zshenv`,
    /// `.zprofile`, `.zshrc`, `.zlogin`) or of a conda activation hook, which runs inside
    /// the user's shell.
    ///
    /// ## Why is this bad?
    /// The option stays on in the interactive shell: the first command that fails —
    /// a typo, a `grep` that finds nothing, a missing file in a later `source` — closes
    /// the terminal (checked with bash 5.2 and zsh 5.9: `false` at the prompt ends the
    /// shell). Script templates start with `set -euo pipefail`; startup files must not.
    ///
    /// ## Example
    /// ```bash
    /// set -e
    /// ```
    ///
    /// ## Use instead
    /// Delete the line; handle failures where they matter (`[ -f f ] && . f`).
    ///
    /// ## Fix safety
    /// Unsafe: the fix deletes the option (only the `e` of `-euo`, only `err_exit` of
    /// several options), so later lines that fail no longer stop the file. Inside a
    /// function or a subshell the option is left alone.
    pub(crate) const RULE = Rule {
        code: "CG403",
        name: "errexit-in-rc",
        summary: "`set -e` / `setopt err_exit` in an interactive startup file: the first failing command closes the terminal",
        shells: Shells::BASH_ZSH,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::Other | FileKind::FishConfig | FileKind::FishConfD
    ) {
        return;
    }
    for statement in &file.statements {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let context = &statement.context;
        if context.function.is_some()
            || context.in_subshell
            || context.conda_block.is_some()
            || (!context.interactive_only
                && context.conditions.iter().any(|condition| {
                    let test = condition.test.as_str();
                    ["$-", "PS1", "interactive", "CI"]
                        .iter()
                        .any(|word| test.contains(word))
                }))
        {
            continue;
        }
        let words: Vec<(Range<usize>, String)> = command
            .args
            .iter()
            .map(|arg| (arg.range.clone(), file.text(arg.range.clone()).into_owned()))
            .collect();
        let Some(option) = (match command.name.as_deref() {
            Some("set") => set_errexit(&words),
            Some("setopt") => setopt_errexit(&words),
            _ => None,
        }) else {
            continue;
        };
        let shown = file.text(option.range.clone());
        let what = match file.kind {
            FileKind::CondaActivateHook | FileKind::CondaDeactivateHook => {
                "this runs inside the shell that calls `conda activate`, and the option stays on there"
            }
            _ => "the option stays on in the interactive shell",
        };
        let message = format!(
            "`{shown}` turns on errexit: {what}, so the first command that fails — a typo, a `grep` that finds nothing — closes the terminal"
        );
        let fix = fix_for(file, statement, &words, &option);
        let report = checker
            .report(option.range.clone(), message)
            .help("remove it; startup files must survive failing commands");
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// Where errexit is turned on in a command's words.
struct Option_ {
    /// The words to show (`-e`, `-o errexit`, `err_exit`).
    range: Range<usize>,
    /// What to delete: a whole word, or one letter of a flag cluster.
    kind: OptionKind,
}

enum OptionKind {
    /// One letter of `-euo`: its offset in the word, and the word's index.
    Letter { word: usize },
    /// Words `first..=last` (`-o errexit`, `err_exit`).
    Words { first: usize, last: usize },
}

fn set_errexit(words: &[(Range<usize>, String)]) -> Option<Option_> {
    let mut i = 0;
    while i < words.len() {
        let (range, word) = &words[i];
        if word == "--" || !word.starts_with('-') {
            return None;
        }
        if word == "-o" {
            let (next_range, next) = words.get(i + 1)?;
            if is_errexit_name(next) {
                return Some(Option_ {
                    range: range.start..next_range.end,
                    kind: OptionKind::Words {
                        first: i,
                        last: i + 1,
                    },
                });
            }
            i += 2;
            continue;
        }
        if !word.starts_with("--") {
            if word.contains('e') {
                return Some(Option_ {
                    range: range.clone(),
                    kind: OptionKind::Letter { word: i },
                });
            }
            // `-eo` style clusters take their option names from the following words.
            let takes = word.matches('o').count();
            i += 1 + takes;
            continue;
        }
        i += 1;
    }
    None
}

fn setopt_errexit(words: &[(Range<usize>, String)]) -> Option<Option_> {
    words
        .iter()
        .position(|(_, word)| is_errexit_name(word))
        .map(|i| Option_ {
            range: words[i].0.clone(),
            kind: OptionKind::Words { first: i, last: i },
        })
}

/// zsh compares option names without case or underscores.
fn is_errexit_name(word: &str) -> bool {
    let normal: String = word
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    normal == "errexit"
}

fn fix_for(
    file: &StartupFile,
    statement: &Statement,
    words: &[(Range<usize>, String)],
    option: &Option_,
) -> Option<Fix> {
    let message = "Remove errexit";
    let remaining = match option.kind {
        OptionKind::Letter { word } => {
            let (range, _) = &words[word];
            // Offsets in the source's bytes: the word's text is decoded lossily, so with
            // invalid UTF-8 in it, offsets into the text point elsewhere.
            let at = file
                .source
                .get(range.clone())?
                .iter()
                .position(|&b| b == b'e')?;
            if range.len() > 2 {
                // `-euo` → `-uo`
                return Some(Fix::unsafe_(
                    message,
                    vec![Edit::delete(range.start + at..range.start + at + 1)],
                ));
            }
            words.len() - 1
        }
        OptionKind::Words { first, last } => words.len() - (last - first + 1),
    };
    if remaining == 0 {
        if statement.chain.after.is_some() || file_has_chain_after(file, statement) {
            return None;
        }
        return Some(Fix::unsafe_(
            message,
            vec![delete_statement(file, statement)?],
        ));
    }
    let (first, last) = match option.kind {
        OptionKind::Letter { word, .. } => (word, word),
        OptionKind::Words { first, last } => (first, last),
    };
    // Delete the words and the space before them (or after, at the start).
    let start = words[first].0.start;
    let end = words[last].0.end;
    let range = if first > 0 {
        words[first - 1].0.end..end
    } else {
        start..words.get(last + 1).map_or(end, |next| next.0.start)
    };
    Some(Fix::unsafe_(message, vec![Edit::delete(range)]))
}

fn file_has_chain_after(file: &StartupFile, statement: &Statement) -> bool {
    file.statements
        .iter()
        .position(|other| std::ptr::eq(other, statement))
        .is_some_and(|index| file.next_in_chain(index).is_some())
}

#[cfg(test)]
mod tests {
    use condago_oracle::{FakeHome, OracleShell};
    use condago_syntax::Shell;

    use super::super::oracle::interactive;
    use crate::rules::test_support::*;

    #[test]
    fn finds_errexit() {
        for (shell, text) in [
            (Shell::Bash, "set -e\n"),
            (Shell::Bash, "set -euo pipefail\n"),
            (Shell::Bash, "set -o errexit\n"),
            (Shell::Bash, "set -o pipefail -o errexit\n"),
            (Shell::Zsh, "setopt err_exit\n"),
            (Shell::Zsh, "setopt ERR_EXIT\n"),
            (Shell::Zsh, "setopt extended_glob errexit\n"),
            (Shell::Zsh, "set -e\n"),
            (Shell::Bash, "if [ -d ~/bin ]; then\n  set -e\nfi\n"),
        ] {
            assert_eq!(findings("CG403", shell, text).len(), 1, "{shell}: {text}");
        }
        for path in [
            "home/.zshenv",
            "home/.zprofile",
            "home/.zlogin",
            "env/etc/conda/activate.d/x.sh",
        ] {
            assert_eq!(
                findings_at("CG403", Shell::Zsh, path, "setopt errexit\n").len(),
                1
            );
        }
        assert_eq!(
            findings_at("CG403", Shell::Bash, "home/.bash_profile", "set -e\n").len(),
            1
        );
        assert_eq!(
            findings_at("CG403", Shell::Sh, "home/.profile", "set -e\n").len(),
            1
        );
    }

    #[test]
    fn fix_offsets_are_bytes_with_invalid_utf8_in_the_word() {
        // Found by fuzzing (`scripts/fuzz`, target lint): the edit pointed past the text.
        let source = b"set -\xff\xff\xffe\xb5x\n";
        let result = crate::lint(
            std::path::Path::new("home/.zshrc"),
            source,
            condago_syntax::Detection {
                shell: Shell::Zsh,
                source: condago_syntax::DetectionSource::FileName,
                read_by_sh: false,
            },
            &crate::Settings::default(),
        );
        let finding = result
            .diagnostics
            .iter()
            .find(|d| d.code == "CG403")
            .expect("CG403");
        let fix = finding.fix.as_ref().expect("fix");
        assert_eq!(fix.edits[0].range, 8..9, "{fix:?}");
        assert_eq!(
            crate::apply_edits(source, &fix.edits),
            b"set -\xff\xff\xff\xb5x\n"
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "set +e\n"),
            (Shell::Bash, "set -o pipefail\n"),
            (Shell::Bash, "set -o vi\n"),
            (Shell::Bash, "set -x\n"),
            (Shell::Bash, "set -- -e\n"),
            (Shell::Zsh, "setopt no_err_exit\n"),
            (Shell::Zsh, "unsetopt err_exit\n"),
            (Shell::Bash, "deploy() {\n  set -e\n  make\n}\n"),
            (Shell::Bash, "(set -e; make)\n"),
            (Shell::Bash, "[[ $- == *i* ]] || set -e\n"),
        ] {
            assert!(findings("CG403", shell, text).is_empty(), "{shell}: {text}");
        }
        // A script is not a startup file.
        assert!(findings_at("CG403", Shell::Bash, "home/bin/deploy.sh", "set -e\n").is_empty());
    }

    #[test]
    fn fixes_by_deleting_errexit() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "# rc\nset -e\nexport A=1\n",
                "# rc\nexport A=1\n",
            ),
            (Shell::Bash, "set -euo pipefail\n", "set -uo pipefail\n"),
            (Shell::Bash, "set -o errexit\n", ""),
            (
                Shell::Bash,
                "set -o pipefail -o errexit\n",
                "set -o pipefail\n",
            ),
            (Shell::Bash, "set -e; export A=1\n", "export A=1\n"),
            (
                Shell::Zsh,
                "setopt err_exit\nsetopt auto_cd\n",
                "setopt auto_cd\n",
            ),
            (
                Shell::Zsh,
                "setopt errexit extended_glob\n",
                "setopt extended_glob\n",
            ),
            (
                Shell::Zsh,
                "setopt extended_glob ERR_EXIT\n",
                "setopt extended_glob\n",
            ),
        ] {
            assert_eq!(
                assert_fix_converges("CG403", shell, before),
                after,
                "{before}"
            );
        }
    }

    /// bash 5.2 and zsh 5.9 started interactively: with errexit from the rc file, `false`
    /// at the prompt ends the shell before the next command; after the fix it does not.
    #[test]
    fn oracle_the_terminal_closes() {
        for (oracle, shell, rc, before) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                ".bashrc",
                "set -euo pipefail\nexport A=1\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                ".zshrc",
                "setopt err_exit\nexport A=1\n",
            ),
        ] {
            let home = FakeHome::new();
            home.write(rc, before);
            let Some(run) = interactive(oracle, &home, "false; echo still-here") else {
                continue;
            };
            assert!(!run.stdout.contains("still-here"), "{oracle:?}: {run:?}");
            let after = assert_fix_converges("CG403", shell, before);
            home.write(rc, &after);
            let run = interactive(oracle, &home, "false; echo still-here").expect("shell ran");
            assert!(
                run.stdout.contains("still-here"),
                "{oracle:?}: {after}: {run:?}"
            );
        }
    }
}
