use std::ops::Range;

use super::shared::sole_word;
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PathEntry, PathEntryKind, StartupFile, Statement};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds an empty entry in a `PATH` value — a leading `:` (`:$PATH`), a trailing `:`
    /// (`$PATH:`), `::` in the middle, an empty zsh array element or fish list element —
    /// and a `.` entry.
    ///
    /// ## Why is this bad?
    /// An empty entry and `.` both mean the current directory. bash, zsh, dash and fish
    /// (checked with bash 5.2, zsh 5.9, dash and fish 3.6; fish shows the empty entry as
    /// `.`), and every program that searches `PATH` (`env`, `execvp`, Python's
    /// `shutil.which`), then run programs from whatever folder you are in. A file named
    /// `ls`, `git` or `python` in a downloaded project runs instead of the real one; and a
    /// tool "works in one folder only". Where the empty entry sits decides how much it
    /// shadows: a leading one beats every other entry.
    ///
    /// ## Example
    /// ```bash
    /// export PATH=$PATH:$HOME/.local/bin:
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH=$PATH:$HOME/.local/bin
    /// ```
    ///
    /// Run a program in the current directory as `./prog`.
    ///
    /// ## Fix safety
    /// Safe: removes the empty entry (one `:`) or the `.` entry with its separator. The
    /// current directory is no longer searched, which is what the line was meant to do.
    pub(crate) const RULE = Rule {
        code: "CG105",
        name: "path-empty-entry",
        summary: "an empty entry or `.` in `PATH`: the current directory becomes searchable",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Safe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for (statement, edit) in super::shared::sound_path_edits(file) {
        if statement.context.conda_block.is_some() || edit.idempotent || edit.entries.len() < 2 {
            continue;
        }
        for (index, entry) in edit.entries.iter().enumerate() {
            if !matches!(entry.kind, PathEntryKind::Empty | PathEntryKind::Dot) {
                continue;
            }
            let (range, deletion) = locate(file, statement, &edit.entries, index);
            let what = if entry.kind == PathEntryKind::Dot {
                "`.` in `PATH`".to_string()
            } else if index == 0 {
                "an empty entry (leading `:`) in `PATH`".to_string()
            } else if index == edit.entries.len() - 1 {
                "an empty entry (trailing `:`) in `PATH`".to_string()
            } else {
                "an empty entry in `PATH`".to_string()
            };
            let message = format!(
                "{what} means the current directory: bash, zsh, dash, fish and every program that searches `PATH` run commands from whatever folder you are in, so a file named `ls` or `python` there runs instead of the real one"
            );
            let fix_message = if entry.kind == PathEntryKind::Dot {
                "Remove `.` from `PATH`"
            } else {
                "Remove the empty entry"
            };
            let report = checker
                .report(range, message)
                .help("remove it; run programs in the current directory as `./prog`");
            if let Some(deletion) = deletion {
                report.fix(Fix::safe(fix_message, vec![Edit::delete(deletion)]));
            }
        }
    }
}

/// Where to point at the entry, and the bytes that remove it.
fn locate(
    file: &StartupFile,
    statement: &Statement,
    entries: &[PathEntry],
    index: usize,
) -> (Range<usize>, Option<Range<usize>>) {
    let source = file.source;
    let entry = &entries[index];
    // A list element of its own: `''` in zsh `path=('' $path)`, `.` or `""` in fish.
    if let Some(element) = sole_word(statement, entries, index) {
        let deletion = super::shared::entry_deletion(file, statement, entries, index);
        return (element, deletion);
    }
    match entry.kind {
        PathEntryKind::Dot => {
            let plain = source.get(entry.range.clone()) == Some(b".".as_slice());
            let deletion = plain
                .then(|| super::shared::entry_deletion(file, statement, entries, index))
                .flatten();
            (entry.range.clone(), deletion)
        }
        _ => {
            // The `:` that makes the empty entry: after it, or before it for the last.
            let after = entry.range.end;
            let colon = if index + 1 < entries.len() && source.get(after) == Some(&b':') {
                Some(after)
            } else if index > 0 {
                let before = entries[index - 1].range.end;
                (source.get(before) == Some(&b':')).then_some(before)
            } else {
                None
            };
            match colon {
                Some(colon) => (colon..colon + 1, Some(colon..colon + 1)),
                None => (statement.range.clone(), None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_empty_entries_in_each_shell() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=$PATH:$HOME/.local/bin:\n"),
            (Shell::Bash, "export PATH=\":$PATH\"\n"),
            (Shell::Bash, "PATH=/opt/bin::$PATH\n"),
            (Shell::Bash, "PATH=.:$PATH\n"),
            (Shell::Sh, "PATH=$PATH:.\n"),
            (Shell::Zsh, "path=('' $path)\n"),
            (Shell::Zsh, "path=(. $path)\n"),
            (Shell::Zsh, "export PATH=$PATH:\n"),
            (Shell::Fish, "set -gx PATH . $PATH\n"),
            (Shell::Fish, "set -gx PATH \"\" $PATH\n"),
            (Shell::Fish, "set -gx PATH \"/opt/bin::$PATH\"\n"),
            (Shell::Fish, "export PATH=\"$PATH:\"\n"),
        ] {
            assert_eq!(lines("CG105", shell, text), vec![1], "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$PATH:$HOME/bin\"\n"),
            (Shell::Bash, "PATH=\"${PATH:+$PATH:}$HOME/bin\"\n"),
            (Shell::Bash, "PATH=./bin:$PATH\n"),
            (Shell::Bash, "PATH=$X:$PATH\n"),
            (Shell::Bash, "CDPATH=.:~/src\n"),
            (Shell::Bash, "PATH=\n"),
            (Shell::Zsh, "path=($HOME/bin $path)\n"),
            (Shell::Fish, "set -gx PATH $HOME/bin $PATH\n"),
            (Shell::Fish, "fish_add_path -g .\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"/opt/conda/bin:$PATH:\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(lines("CG105", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn fixes_by_removing_the_entry() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "export PATH=$PATH:$HOME/.local/bin:\n",
                "export PATH=$PATH:$HOME/.local/bin\n",
            ),
            (
                Shell::Bash,
                "export PATH=\":$PATH\"\n",
                "export PATH=\"$PATH\"\n",
            ),
            (
                Shell::Bash,
                "PATH=/opt/bin:::$PATH\n",
                "PATH=/opt/bin:$PATH\n",
            ),
            (Shell::Bash, "PATH=.:$PATH\n", "PATH=$PATH\n"),
            (Shell::Bash, "PATH=\"$PATH:.\"\n", "PATH=\"$PATH\"\n"),
            (Shell::Bash, "PATH=/a:.:/b:$PATH\n", "PATH=/a:/b:$PATH\n"),
            (Shell::Zsh, "path=('' $path)\n", "path=($path)\n"),
            (Shell::Zsh, "path=($path .)\n", "path=($path)\n"),
            (
                Shell::Fish,
                "set -gx PATH . $PATH\n",
                "set -gx PATH $PATH\n",
            ),
            (
                Shell::Fish,
                "set -gx PATH \"\" $PATH\n",
                "set -gx PATH $PATH\n",
            ),
            (
                Shell::Fish,
                "set -gx PATH \"/opt/bin::$PATH\"\n",
                "set -gx PATH \"/opt/bin:$PATH\"\n",
            ),
        ] {
            assert_eq!(
                assert_fix_converges("CG105", shell, before),
                after,
                "{shell}: {before}"
            );
        }
    }

    /// The real shells: with the empty entry or `.`, a program in the current directory (the
    /// fake home) is found by the shell and by a child program; after the fix, by neither.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (OracleShell::Bash, Shell::Bash, "export PATH=$PATH:\n"),
            (OracleShell::Bash, Shell::Bash, "export PATH=\":$PATH\"\n"),
            (
                OracleShell::Sh,
                Shell::Sh,
                "PATH=$PATH::/opt; export PATH\n",
            ),
            (OracleShell::Sh, Shell::Sh, "PATH=.:$PATH; export PATH\n"),
            (OracleShell::Zsh, Shell::Zsh, "path=('' $path)\n"),
            (OracleShell::Zsh, Shell::Zsh, "export PATH=$PATH:\n"),
            (OracleShell::Fish, Shell::Fish, "set -gx PATH \"\" $PATH\n"),
            (OracleShell::Fish, Shell::Fish, "set -gx PATH $PATH .\n"),
        ];
        for (oracle, shell, before) in cases {
            let home = FakeHome::new();
            home.stub(".", "hello-here");
            let after = assert_fix_converges("CG105", shell, before);
            assert_ne!(after, before);
            let Some(broken) = lookup_after(oracle, &home, before, "hello-here") else {
                continue;
            };
            assert!(broken.shell_finds.is_some(), "{oracle:?}: {before}");
            assert!(broken.child_finds.is_some(), "{oracle:?} child: {before}");
            let fixed = lookup_after(oracle, &home, &after, "hello-here").expect("shell");
            assert!(fixed.shell_finds.is_none(), "{oracle:?} after: {after}");
            assert!(
                fixed.child_finds.is_none(),
                "{oracle:?} child after: {after}"
            );
        }
    }
}
