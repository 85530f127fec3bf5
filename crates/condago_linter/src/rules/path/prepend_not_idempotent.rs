use condago_syntax::Shell;

use super::shared::{comparable, guarded_by_path_test, own_lines, ZshUnique};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{
    ConditionKind, FileKind, PathEdit, PathEditKind, PathEntryKind, StartupFile, Statement,
    StatementKind,
};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a bare prepend or append to `PATH` (`export PATH="$HOME/bin:$PATH"`,
    /// `PATH=$PATH:/x`, zsh `path=(~/bin $path)`, `path+=(~/go/bin)`) in a file that
    /// shells read again and again: `.bashrc` and `.zshrc`, and zsh's `.zshenv` (every
    /// zsh reads it: each script, `zsh -c` and nested shell started from a zsh adds
    /// another copy) and `.zprofile` (each nested login shell: tmux panes, `exec zsh -l`),
    /// both checked with zsh 5.9.
    ///
    /// ## Why is this bad?
    /// Every nested shell, tmux pane, `exec $SHELL` and `source ~/.bashrc` after an edit
    /// runs the line again with the `PATH` it inherited, so the directory is added once
    /// more each time. `PATH` keeps growing, lookups get slower, and `echo $PATH` no longer
    /// tells which entry really decides the order.
    ///
    /// Not reported: edits under a test of `PATH` itself (`case ":$PATH:" in *":$d:"*)`,
    /// `[[ ":$PATH:" != *":$d:"* ]] &&`, an `if` that tests `$PATH`), edits under a
    /// run-once guard (`if [ -z "$X" ]` whose body sets `X`), edits in functions, conda
    /// blocks, and zsh edits that `typeset -U` de-duplicates. zsh's `typeset -U path`
    /// only de-duplicates assignments to the array `path`: with it alone,
    /// `export PATH="/x:$PATH"` run twice still leaves `/x:/x:…` (checked with zsh 5.9);
    /// `typeset -U PATH path` covers both forms. fish files are left to CG305, the
    /// fish-specific rule for the same mistake (`set -gx PATH dir $PATH`, `set -p`/`-a`,
    /// with a `fish_add_path` fix), so one line is not reported twice; fish already
    /// removes duplicates from `fish_user_paths` by itself.
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME/.local/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// case ":$PATH:" in
    ///     *":$HOME/.local/bin:"*) ;;
    ///     *) export PATH="$HOME/.local/bin:$PATH" ;;
    /// esac
    /// ```
    ///
    /// In zsh, declare `typeset -U PATH path` once, near the top of `.zshrc`.
    ///
    /// ## Fix safety
    /// A suggestion, never applied by itself: in bash the line is wrapped in a
    /// `case ":$PATH:"` guard (one directory per line only); in zsh `typeset -U PATH path`
    /// is added before it, which also removes duplicates that other files added.
    pub(crate) const RULE = Rule {
        code: "CG104",
        name: "path-prepend-not-idempotent",
        summary: "a bare `PATH` prepend/append in a re-sourced rc file: `PATH` grows every time it is read",
        shells: Shells::BASH_ZSH,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let zsh_startup =
        file.shell == Shell::Zsh && matches!(file.kind, FileKind::Zshenv | FileKind::Zprofile);
    if !(file.kind.is_rc() || zsh_startup) || file.shell == Shell::Fish {
        return;
    }
    let unique = ZshUnique::of(file);
    for (statement, edit) in super::shared::sound_path_edits(file) {
        if statement.context.conda_block.is_some()
            || statement.context.function.is_some()
            || edit.idempotent
            || !matches!(
                edit.kind,
                PathEditKind::Prepend | PathEditKind::Append | PathEditKind::Surround
            )
            || unique.covers(&edit)
            || guarded_by_path_test(statement)
            || run_once(file, statement)
        {
            continue;
        }
        let dirs: Vec<String> = edit
            .entries
            .iter()
            .filter(|entry| entry.kind == PathEntryKind::Dir)
            .map(|entry| entry.display(file.source))
            .collect();
        if dirs.is_empty() {
            continue;
        }
        report(checker, statement, &edit, &dirs);
    }
}

/// A run-once guard: `if [ -z "$X" ]; then export X=1; …; fi` (or `[ -z "$X" ] && { … }`).
fn run_once(file: &StartupFile, statement: &Statement) -> bool {
    statement.context.conditions.iter().any(|condition| {
        matches!(condition.kind, ConditionKind::If | ConditionKind::List)
            && condition.test.contains("-z")
            && file.assignments().any(|(other, assignment)| {
                condition.range.start <= other.range.start
                    && other.range.end <= condition.range.end
                    && (condition.test.contains(&format!("${}", assignment.name))
                        || condition.test.contains(&format!("${{{}", assignment.name)))
            })
    })
}

fn report(checker: &mut Checker, statement: &Statement, edit: &PathEdit, dirs: &[String]) {
    let file = checker.file;
    let rc = file
        .path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "this file".to_string());
    let listed = dirs
        .iter()
        .map(|dir| format!("`{dir}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (verb, place) = match edit.kind {
        PathEditKind::Append => ("added", "at the end of"),
        PathEditKind::Surround => ("added", "around"),
        _ => ("put", "in front of"),
    };
    let again = if file.kind == FileKind::Zshenv {
        "every zsh started from a zsh (a script, `zsh -c`, a nested shell, a tmux pane)"
    } else if file.kind == FileKind::Zprofile {
        "each nested login shell (tmux panes, `exec zsh -l`, `zsh -l -c`)"
    } else if file.shell == Shell::Zsh {
        "each nested shell, tmux pane, `exec zsh` or `source ~/.zshrc`"
    } else {
        "each nested shell, tmux pane, `exec bash` or `source ~/.bashrc`"
    };
    let message = format!(
        "{listed} {is} {verb} {place} `PATH` every time `{rc}` runs: {again} adds another copy, so `PATH` keeps growing",
        is = if dirs.len() == 1 { "is" } else { "are" }
    );
    let help = match (file.shell, edit.variable.as_str()) {
        (Shell::Zsh, "path") => {
            "declare `typeset -U path` once, before this line, so zsh keeps a single copy".to_string()
        }
        (Shell::Zsh, _) => "declare `typeset -U PATH path` once, before this line (`typeset -U path` alone does not de-duplicate `PATH=…` assignments)".to_string(),
        _ => match dirs {
            [dir] => format!(
                "guard it: `case \":$PATH:\" in *\":{}:\"*) ;; *) …;; esac` runs it only when the directory is missing",
                dir.replace('~', "$HOME")
            ),
            _ => "guard it with a `case \":$PATH:\" in *\":<dir>:\"*)` test per directory".to_string(),
        },
    };
    let fix = suggestion(file, statement, edit);
    let report = checker.report(statement.range.clone(), message).help(help);
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

fn suggestion(file: &StartupFile, statement: &Statement, edit: &PathEdit) -> Option<Fix> {
    let lines = own_lines(file, statement)?;
    let indent: String = file
        .text(lines.start..statement.range.start)
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .collect();
    if file.shell == Shell::Zsh {
        let line_break = super::shared::line_break_at(file, statement.range.start);
        return Some(Fix::suggestion(
            "Add `typeset -U PATH path` before it",
            vec![Edit::insert(
                lines.start,
                format!("{indent}typeset -U PATH path{line_break}"),
            )],
        ));
    }
    let mut dirs = edit
        .entries
        .iter()
        .filter(|entry| entry.kind == PathEntryKind::Dir);
    let (entry, None) = (dirs.next()?, dirs.next()) else {
        return None;
    };
    let dir = comparable(entry, file.source)?;
    let text = file.text(statement.range.clone());
    let multi_line = text.contains('\n');
    if multi_line
        || dir.contains(['"', '\\', '`'])
        || !matches!(statement.kind, StatementKind::Assignment(_))
    {
        return None;
    }
    Some(Fix::suggestion(
        "Run it only when the directory is not on `PATH` yet",
        vec![Edit::replace(
            statement.range.clone(),
            format!("case \":$PATH:\" in *\":{dir}:\"*) ;; *) {text} ;; esac"),
        )],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;
    use crate::{apply_edits, Applicability};

    #[test]
    fn finds_bare_edits_in_rc_files() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/.local/bin:$PATH\"\n"),
            (Shell::Bash, "PATH=$PATH:/opt/bin\n"),
            (Shell::Bash, "export PATH=$PATH:$GOPATH/bin\n"),
            (Shell::Bash, "[ -d ~/bin ] && PATH=~/bin:$PATH\n"),
            (Shell::Zsh, "path=(~/bin $path)\n"),
            (Shell::Zsh, "path+=(~/go/bin)\n"),
            (Shell::Zsh, "export PATH=\"$HOME/bin:$PATH\"\n"),
            // `typeset -U path` does not de-duplicate scalar assignments.
            (
                Shell::Zsh,
                "typeset -U path\nexport PATH=\"$HOME/bin:$PATH\"\n",
            ),
        ] {
            assert_eq!(
                lines("CG104", shell, text),
                vec![text.lines().count()],
                "{shell}: {text}"
            );
        }
    }

    /// `.zshenv` is read by every zsh and `.zprofile` by every login zsh: a zsh started
    /// from one gets the directory twice (checked below with real nested zsh).
    #[test]
    fn finds_bare_edits_in_zshenv_and_zprofile() {
        for file in ["home/.zshenv", "home/.zprofile"] {
            let text = "export PATH=\"$HOME/bin:$PATH\"\n";
            let found = findings_at("CG104", Shell::Zsh, file, text);
            assert_eq!(found.len(), 1, "{file}");
            assert!(found[0].message.contains("zsh"), "{}", found[0].message);
            let text = "typeset -U PATH path\nexport PATH=\"$HOME/bin:$PATH\"\n";
            assert!(findings_at("CG104", Shell::Zsh, file, text).is_empty());
        }
        // `.bash_profile` and `.profile` stay quiet: login shells rarely nest there.
        let text = "export PATH=\"$HOME/bin:$PATH\"\n";
        assert!(findings_at("CG104", Shell::Bash, "home/.bash_profile", text).is_empty());
    }

    #[test]
    fn oracle_nested_zsh_reads_zshenv_again() {
        let Some(zsh) = condago_oracle::require(OracleShell::Zsh) else {
            return;
        };
        let before = "export PATH=\"$HOME/bin:$PATH\"\n";
        let found = findings_at("CG104", Shell::Zsh, "home/.zshenv", before);
        let fix = found[0].fix.as_ref().expect("a suggestion");
        let after = String::from_utf8(apply_edits(before.as_bytes(), &fix.edits)).expect("utf-8");
        assert!(after.starts_with("typeset -U PATH path\n"), "{after}");
        for (name, flags) in [(".zshenv", "-c"), (".zprofile", "-l -c")] {
            let count = |text: &str| {
                let home = FakeHome::new();
                home.write(name, text);
                let inner = format!("zsh {flags} 'print -r -- $PATH'");
                let output = std::process::Command::new(&zsh)
                    .args(flags.split(' '))
                    .arg(&inner)
                    .env_clear()
                    .env("HOME", home.path())
                    .env("PATH", "/usr/bin:/bin")
                    .output()
                    .expect("run zsh");
                let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
                let bin = home.path().join("bin").display().to_string();
                path.split(':').filter(|entry| *entry == bin).count()
            };
            assert_eq!(count(before), 2, "{name}: a nested zsh adds a second copy");
            assert_eq!(count(&after), 1, "{name}: typeset -U keeps one");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (
                Shell::Bash,
                "case \":$PATH:\" in *\":$HOME/bin:\"*) ;; *) PATH=\"$HOME/bin:$PATH\" ;; esac\n",
            ),
            (
                Shell::Bash,
                "[[ \":$PATH:\" != *\":$HOME/bin:\"* ]] && PATH=\"$HOME/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                "if ! [[ \"$PATH\" =~ \"$HOME/bin:\" ]]; then\n    PATH=\"$HOME/bin:$PATH\"\nfi\n",
            ),
            (
                Shell::Bash,
                "if [ -z \"$MY_ENV\" ]; then\n  export MY_ENV=1\n  PATH=/opt/bin:$PATH\nfi\n",
            ),
            (Shell::Bash, "pathadd() {\n  PATH=\"$1:$PATH\"\n}\n"),
            (Shell::Bash, "export PATH=/usr/bin:/bin\n"),
            (Shell::Zsh, "typeset -U path\npath=(~/bin $path)\n"),
            (Shell::Zsh, "typeset -U PATH path\nexport PATH=\"$HOME/bin:$PATH\"\n"),
            (Shell::Zsh, "path+=(~/go/bin)\ntypeset -aU path\n"),
            (Shell::Fish, "set -gx PATH ~/bin $PATH\n"),
            (Shell::Fish, "export PATH=\"$HOME/bin:$PATH\"\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"/opt/conda/bin:$PATH\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(lines("CG104", shell, text).is_empty(), "{shell}: {text}");
        }
        // bash's profiles are not re-read by nested shells.
        for path in ["home/.profile", "home/.bash_profile"] {
            let text = "export PATH=\"$HOME/bin:$PATH\"\n";
            assert!(
                findings_at("CG104", Shell::Bash, path, text).is_empty(),
                "{path}"
            );
        }
    }

    fn suggested(shell: Shell, text: &str) -> String {
        let found = findings("CG104", shell, text);
        assert_eq!(found.len(), 1, "{text}");
        let fix = found[0].fix.as_ref().expect("a suggestion");
        assert_eq!(fix.applicability, Applicability::Suggestion);
        // Never applied by itself.
        assert_eq!(fixed(shell, text), text);
        String::from_utf8(apply_edits(text.as_bytes(), &fix.edits)).expect("utf-8")
    }

    fn fixed(shell: Shell, text: &str) -> String {
        fixed_at(
            "CG104",
            shell,
            default_path(shell),
            text,
            Applicability::Suggestion,
        )
    }

    #[test]
    fn suggests_a_guard() {
        assert_eq!(
            suggested(Shell::Bash, "export PATH=\"$HOME/.local/bin:$PATH\"\n"),
            "case \":$PATH:\" in *\":$HOME/.local/bin:\"*) ;; *) export PATH=\"$HOME/.local/bin:$PATH\" ;; esac\n"
        );
        assert_eq!(
            suggested(Shell::Bash, "PATH=~/bin:$PATH\n"),
            "case \":$PATH:\" in *\":$HOME/bin:\"*) ;; *) PATH=~/bin:$PATH ;; esac\n"
        );
        assert_eq!(
            suggested(Shell::Zsh, "if true; then\n  path+=(~/go/bin)\nfi\n"),
            "if true; then\n  typeset -U PATH path\n  path+=(~/go/bin)\nfi\n"
        );
        assert_eq!(
            suggested(Shell::Zsh, "export PATH=\"$HOME/bin:$PATH\"\r\n"),
            "typeset -U PATH path\r\nexport PATH=\"$HOME/bin:$PATH\"\r\n"
        );
        // Two directories: no one-line guard.
        let found = findings("CG104", Shell::Bash, "PATH=/a:/b:$PATH\n");
        assert!(found[0].fix.is_none());
        // The suggestion leaves nothing to report.
        let after = suggested(Shell::Bash, "export PATH=$PATH:$GOPATH/bin\n");
        assert!(lines("CG104", Shell::Bash, &after).is_empty(), "{after}");
        let after = suggested(Shell::Zsh, "export PATH=\"$HOME/bin:$PATH\"\n");
        assert!(lines("CG104", Shell::Zsh, &after).is_empty(), "{after}");
    }

    /// The real shells: reading the rc file twice puts the directory on `PATH` twice; with
    /// the suggested guard (bash) or `typeset -U PATH path` (zsh) it is there once. zsh's
    /// `typeset -U path` alone does not help a scalar `PATH=` assignment, and does help
    /// the `path` array.
    #[test]
    fn oracle_reading_twice() {
        let copies = |oracle: OracleShell, rc: &str| -> Option<usize> {
            let home = FakeHome::new();
            home.write("rc", rc);
            let run = run_snippet(oracle, &home, ". \"$HOME/rc\"\n. \"$HOME/rc\"\n")?;
            let entries = run.path_entries().expect("PATH exported");
            let dir = format!("{}/tools", home.path().display());
            Some(entries.iter().filter(|entry| **entry == dir).count())
        };
        let bash = "export PATH=\"$HOME/tools:$PATH\"\n";
        if let Some(count) = copies(OracleShell::Bash, bash) {
            assert_eq!(count, 2, "bash grows");
            assert_eq!(
                copies(OracleShell::Bash, &suggested(Shell::Bash, bash)),
                Some(1)
            );
        }
        let bash = "export PATH=$PATH:$HOME/tools\n";
        if let Some(count) = copies(OracleShell::Bash, bash) {
            assert_eq!(count, 2, "bash grows");
            assert_eq!(
                copies(OracleShell::Bash, &suggested(Shell::Bash, bash)),
                Some(1)
            );
        }
        let zsh = "typeset -U path\nexport PATH=\"$HOME/tools:$PATH\"\n";
        if let Some(count) = copies(OracleShell::Zsh, zsh) {
            assert_eq!(
                count, 2,
                "`typeset -U path` alone leaves the scalar form growing"
            );
            assert_eq!(
                copies(OracleShell::Zsh, &suggested(Shell::Zsh, zsh)),
                Some(1)
            );
        }
        let zsh = "path=($HOME/tools $path)\n";
        if let Some(count) = copies(OracleShell::Zsh, zsh) {
            assert_eq!(count, 2, "zsh grows");
            assert_eq!(
                copies(OracleShell::Zsh, &suggested(Shell::Zsh, zsh)),
                Some(1)
            );
            let array = "typeset -U path\npath=($HOME/tools $path)\n";
            assert!(lines("CG104", Shell::Zsh, array).is_empty());
            assert_eq!(copies(OracleShell::Zsh, array), Some(1));
        }
    }
}
