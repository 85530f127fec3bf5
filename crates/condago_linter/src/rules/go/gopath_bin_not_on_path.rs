use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};

use crate::model::{is_path_variable, FileKind, PartKind, StartupFile, Statement, Word};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{line_break_at, own_lines};
use crate::rules::go::shared::{exported, normalize, value_of, Exported};

crate::declare_rule! {
    /// ## What it does
    /// Finds a file that exports `GOBIN` or `GOPATH` but never puts the directory `go
    /// install` writes to on `PATH`: `$GOBIN` when it is set, else `$GOPATH/bin` (the first
    /// `GOPATH` entry's `bin`). Any `PATH` entry naming `$GOBIN`, `$GOPATH`, the same
    /// directory spelled out (`~/go/bin` for `GOPATH=$HOME/go`), or `$(go env GOPATH)`
    /// counts; so does a zsh array or fish list of this file that holds it
    /// (`prepend=($HOME/bin $GOBIN); path=($prepend $path)`), and a loop over words that
    /// hold it (`for d in ~/bin $GOBIN; do …; done`).
    ///
    /// ## Why is this bad?
    /// `go install golang.org/x/tools/gopls@latest` succeeds and puts `gopls` in that
    /// directory; if the directory is not on `PATH`, the shell, the editor and every script
    /// then say `gopls: command not found`. Setting `GOPATH` moves the directory away from
    /// any `~/go/bin` an earlier setup may have added.
    ///
    /// Only this file is read: a `PATH` line in another startup file (`.zshenv` setting
    /// `GOPATH`, `.zshrc` adding its `bin`) is the startup model's to see. So a file that
    /// every other startup file of its shell reads after it — zsh's `.zshenv`, a fish
    /// `conf.d` snippet — and that puts nothing at all on `PATH` is left alone: it holds
    /// variables, and `PATH` is built in the files read after it (zsh reads `.zprofile`
    /// and `.zshrc` after `.zshenv`; fish runs `config.fish` after `conf.d`).
    ///
    /// ## Example
    /// ```bash
    /// export GOPATH="$HOME/code/go"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export GOPATH="$HOME/code/go"
    /// case ":$PATH:" in *":$GOPATH/bin:"*) ;; *) export PATH="$PATH:$GOPATH/bin" ;; esac
    /// ```
    ///
    /// ## Fix safety
    /// A suggestion, never applied by itself: it appends the directory to `PATH` (behind
    /// everything, so that it shadows nothing) right after the assignment, guarded so that
    /// re-reading the file does not add it twice — a `case` in bash, zsh and sh, `contains`
    /// in fish.
    pub(crate) const RULE = Rule {
        code: "CG503",
        name: "gopath-bin-not-on-path",
        summary: "`GOPATH`/`GOBIN` set, but where `go install` puts programs is never put on `PATH`",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) {
        return;
    }
    if matches!(file.kind, FileKind::Zshenv | FileKind::FishConfD) && file.path_edits().is_empty() {
        return;
    }
    let gobin = exported(file, "GOBIN").pop();
    let gopath = exported(file, "GOPATH").pop();
    let (variable, found) = match (gobin, gopath) {
        (Some(gobin), _) => ("GOBIN", gobin),
        (None, Some(gopath)) => ("GOPATH", gopath),
        (None, None) => return,
    };
    let value = value_of(file, found.assignment);
    let target_value = value.as_deref().map(|value| {
        if variable == "GOBIN" {
            value.to_string()
        } else {
            let first = value.split(':').next().unwrap_or(value);
            format!("{first}/bin")
        }
    });
    if on_path(file, variable, target_value.as_deref()) {
        return;
    }
    let reference = if variable == "GOBIN" {
        "$GOBIN"
    } else {
        "$GOPATH/bin"
    };
    let shown = target_value
        .clone()
        .unwrap_or_else(|| reference.to_string());
    let message = format!(
        "`{variable}` is set, so `go install` puts programs in `{shown}`, but this file never puts that directory on PATH: installed tools are `command not found` (unless another startup file adds it)"
    );
    let multiple = variable == "GOPATH" && value.as_deref().is_some_and(|v| v.contains(':'));
    let fix = (!multiple)
        .then(|| suggestion(file, &found, reference))
        .flatten();
    let report = checker
        .report(
            found.export.unwrap_or(found.statement).range.clone(),
            message,
        )
        .help(format!("add `{reference}` to PATH"));
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

/// Whether some `PATH` edit of the file adds the directory: an entry naming it, a zsh
/// array or fish list variable of this file holding it (`path=($prepend $path)`), or a
/// loop over words naming it (`for d in $GOBIN ~/.cargo/bin; …`).
fn on_path(file: &StartupFile, variable: &str, target: Option<&str>) -> bool {
    file.path_edits().iter().any(|(statement, edit)| {
        edit.new_entries().any(|entry| {
            names_directory(file, variable, target, &entry.as_word(), 0)
                || (statement.context.in_loop
                    && loop_words(file, statement).iter().any(|word| {
                        let text = file.text(word.clone());
                        mentions_text(&text, variable, target)
                            || list_variables(&text)
                                .any(|name| list_holds(file, &name, variable, target, 1))
                    }))
        })
    })
}

/// Whether a word (a `PATH` entry, or an element of a list variable) is the directory.
fn names_directory(
    file: &StartupFile,
    variable: &str,
    target: Option<&str>,
    word: &Word,
    depth: usize,
) -> bool {
    let mentions = word.parts.iter().any(|part| match &part.kind {
        PartKind::Variable { name, .. } => {
            name == variable
                || name == "GOPATH"
                || name == "GOBIN"
                || (word.parts.len() == 1 && list_holds(file, name, variable, target, depth))
        }
        PartKind::CommandSubstitution | PartKind::Other => {
            String::from_utf8_lossy(file.source.get(part.range.clone()).unwrap_or_default())
                .contains("go env")
        }
        PartKind::Literal(_) => false,
    });
    mentions || target.is_some_and(|target| normalize(&word.display(file.source)) == target)
}

/// Whether `name` is an array (zsh `name=(…)`) or fish list this file fills with the
/// directory; one level deep, so that a list naming itself ends.
fn list_holds(
    file: &StartupFile,
    name: &str,
    variable: &str,
    target: Option<&str>,
    depth: usize,
) -> bool {
    depth < 2
        && file.assignments().any(|(_, assignment)| {
            assignment.name == name
                && assignment.is_list
                && !is_path_variable(file.shell, name)
                && assignment
                    .values
                    .iter()
                    .any(|value| names_directory(file, variable, target, value, depth + 1))
        })
}

fn mentions_text(text: &str, variable: &str, target: Option<&str>) -> bool {
    ["GOPATH", "GOBIN", variable, "go env"]
        .iter()
        .any(|needle| text.contains(needle))
        || target.is_some_and(|target| normalize(text.trim_matches('"')) == target)
}

/// The `$name` references in a piece of text.
fn list_variables(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('$').skip(1).filter_map(|rest| {
        let rest = rest.trim_start_matches('{');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        (!name.is_empty()).then_some(name)
    })
}

/// The words a loop around the statement iterates over (`for d in a b c`), from the tree.
fn loop_words(file: &StartupFile, statement: &Statement) -> Vec<std::ops::Range<usize>> {
    let Some(tree) = file.tree else {
        return Vec::new();
    };
    let mut node = tree
        .root_node()
        .descendant_for_byte_range(statement.range.start, statement.range.start);
    while let Some(current) = node {
        if current.kind() == "for_statement" {
            let mut cursor = current.walk();
            return current
                .children_by_field_name("value", &mut cursor)
                .map(|value| value.byte_range())
                .collect();
        }
        node = current.parent();
    }
    Vec::new()
}

/// The line that appends the directory, in the file's syntax, right after the assignment.
fn suggestion(file: &StartupFile, found: &Exported, reference: &str) -> Option<Fix> {
    let statement: &Statement = found.export.unwrap_or(found.statement);
    let lines = match own_lines(file, statement) {
        Some(lines) => lines,
        None if statement.context.is_unconditional() => {
            let line = file.line_of(
                statement
                    .range
                    .end
                    .saturating_sub(1)
                    .max(statement.range.start),
            );
            let start = file
                .line_starts
                .get(file.line_of(statement.range.start))
                .copied()?;
            let end = file
                .line_starts
                .get(line + 1)
                .copied()
                .unwrap_or(file.source.len());
            start..end
        }
        None => return None,
    };
    let indent: String = file
        .text(lines.clone())
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = line_break_at(file, statement.range.start);
    let code = match file.shell {
        Shell::Fish => format!(
            "contains -- {reference} $PATH; or set -gx PATH $PATH {reference}"
        ),
        _ => format!(
            "case \":$PATH:\" in *\":{reference}:\"*) ;; *) export PATH=\"$PATH:{reference}\" ;; esac"
        ),
    };
    let mut text = format!("{indent}{code}{newline}");
    if lines.end == file.source.len() && !file.source.ends_with(b"\n") {
        text.insert_str(0, newline);
    }
    Some(Fix::suggestion(
        format!("Append `{reference}` to PATH"),
        vec![Edit::insert(lines.end, text)],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::diagnostic::Applicability;
    use crate::rules::test_support::*;

    /// The text with the rule's suggestion applied (suggestions are never applied by
    /// `--fix`; an editor applies them on request).
    fn suggested(shell: Shell, text: &str) -> String {
        let found = findings("CG503", shell, text);
        let Some(fix) = found.first().and_then(|finding| finding.fix.as_ref()) else {
            return text.to_string();
        };
        assert_eq!(fix.applicability, Applicability::Suggestion);
        String::from_utf8_lossy(&crate::apply_edits(text.as_bytes(), &fix.edits)).into_owned()
    }

    #[test]
    fn finds_missing_bin_in_each_shell() {
        assert_eq!(
            lines("CG503", Shell::Bash, "export GOPATH=$HOME/code/go\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG503",
                Shell::Zsh,
                "export GOPATH=~/go\nexport GOBIN=~/bin/go\npath+=(~/go/bin)\n"
            ),
            vec![2]
        );
        assert_eq!(
            lines("CG503", Shell::Fish, "set -gx GOPATH $HOME/gocode\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG503",
                Shell::Bash,
                "export GOPATH=$HOME/go\nexport PATH=/usr/local/go/bin:$PATH\n"
            ),
            vec![1]
        );
        // An array or loop that does not hold it.
        assert_eq!(
            lines(
                "CG503",
                Shell::Zsh,
                "export GOBIN=$HOME/go/bin\nprepend=($HOME/bin)\npath=($prepend $path)\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG503",
                Shell::Bash,
                "export GOPATH=$HOME/go\nfor d in ~/bin ~/.cargo/bin; do PATH=\"$d:$PATH\"; done\n"
            ),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (
                Shell::Bash,
                "export GOPATH=$HOME/go\nexport PATH=$PATH:$GOPATH/bin\n",
            ),
            (
                Shell::Bash,
                "export GOPATH=$HOME/go\nexport PATH=$PATH:~/go/bin\n",
            ),
            (
                Shell::Bash,
                "export GOPATH=\"${HOME}/go\"\nexport PATH=\"$HOME/go/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                "export GOBIN=$HOME/.local/bin\nexport PATH=$HOME/.local/bin:$PATH\n",
            ),
            (
                Shell::Bash,
                "export GOPATH=$HOME/go\nexport PATH=\"$PATH:$(go env GOPATH)/bin\"\n",
            ),
            (Shell::Zsh, "export GOPATH=$HOME/go\npath+=($GOPATH/bin)\n"),
            // Through an array of this file.
            (
                Shell::Zsh,
                "export GOBIN=$HOME/go/bin\nprepend=($HOME/bin $GOBIN)\nappend=(/usr/local/go/bin)\npath=($prepend $path $append)\n",
            ),
            (
                Shell::Fish,
                "set -gx GOPATH $HOME/go\nset -l dirs $GOPATH/bin $HOME/.cargo/bin\nset -gx PATH $dirs $PATH\n",
            ),
            // Through a loop over words naming it.
            (
                Shell::Bash,
                "export GOPATH=$HOME/go\nfor d in \"$HOME/bin\" \"$GOPATH/bin\"; do PATH=\"$d:$PATH\"; done\n",
            ),
            (
                Shell::Zsh,
                "export GOBIN=~/go/bin\nfor d in ~/bin $GOBIN; do path=($d $path); done\n",
            ),
            (
                Shell::Fish,
                "set -gx GOBIN $HOME/go/bin\nset -l dirs $GOBIN $HOME/.cargo/bin\nfor d in $dirs\n    contains -- $d $PATH; or set -gx PATH $d $PATH\nend\n",
            ),
            (
                Shell::Fish,
                "set -gx GOPATH $HOME/go\nfish_add_path -g /usr/local/go/bin $GOPATH/bin\n",
            ),
            // Not exported: go does not see it.
            (Shell::Bash, "GOPATH=$HOME/src\n"),
            // Only for one command.
            (Shell::Bash, "GOPATH=/tmp/x go install ./...\n"),
        ] {
            assert!(lines("CG503", shell, text).is_empty(), "{shell}: {text}");
        }
        // Variables-only files read before the rest: PATH is built in the later files.
        for (shell, path, text) in [
            (
                Shell::Zsh,
                "home/.zshenv",
                "export GOPATH=\"$XDG_DATA_HOME/go\"\n",
            ),
            (
                Shell::Fish,
                "fish/conf.d/go.fish",
                "set -gx GOPATH $HOME/code/go\n",
            ),
        ] {
            assert!(findings_at("CG503", shell, path, text).is_empty(), "{path}");
        }
        // They still count when they build PATH themselves and miss the directory.
        assert_eq!(
            findings_at(
                "CG503",
                Shell::Zsh,
                "home/.zshenv",
                "export GOPATH=$HOME/code/go\nexport PATH=$HOME/.local/bin:$PATH\n"
            )
            .len(),
            1
        );
        assert!(findings_at(
            "CG503",
            Shell::Bash,
            "env/etc/conda/activate.d/go.sh",
            "export GOPATH=\"$SRC_DIR\"\n"
        )
        .is_empty());
    }

    #[test]
    fn suggests_a_guarded_append() {
        assert_eq!(
            suggested(Shell::Bash, "export GOPATH=$HOME/code/go\nalias g=go\n"),
            "export GOPATH=$HOME/code/go\ncase \":$PATH:\" in *\":$GOPATH/bin:\"*) ;; *) export PATH=\"$PATH:$GOPATH/bin\" ;; esac\nalias g=go\n"
        );
        assert_eq!(
            suggested(Shell::Fish, "set -gx GOBIN $HOME/bin/go"),
            "set -gx GOBIN $HOME/bin/go\ncontains -- $GOBIN $PATH; or set -gx PATH $PATH $GOBIN\n"
        );
        // Never applied by itself.
        let text = "export GOPATH=$HOME/code/go\n";
        assert_eq!(fixed("CG503", Shell::Bash, text), text);
        // Applying the suggestion leaves nothing to report.
        let once = suggested(Shell::Zsh, "  export GOPATH=$HOME/code/go\n");
        assert_eq!(once, "  export GOPATH=$HOME/code/go\n  case \":$PATH:\" in *\":$GOPATH/bin:\"*) ;; *) export PATH=\"$PATH:$GOPATH/bin\" ;; esac\n");
        assert!(lines("CG503", Shell::Zsh, &once).is_empty());
        assert_eq!(suggested(Shell::Zsh, &once), once);
    }

    /// The real shells: an array, a list or a loop that holds the directory does put it on
    /// `PATH` (so the rule stays quiet there).
    #[test]
    fn oracle_arrays_lists_and_loops_put_it_on_path() {
        for (oracle, shell, text) in [
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export GOBIN=$HOME/code/go/bin\nprepend=($HOME/bin $GOBIN)\npath=($prepend $path)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx GOBIN $HOME/code/go/bin\nset -l dirs $GOBIN $HOME/bin\nfor d in $dirs\n    contains -- $d $PATH; or set -gx PATH $d $PATH\nend\n",
            ),
            (
                OracleShell::Bash,
                Shell::Bash,
                "export GOPATH=$HOME/code/go\nfor d in \"$HOME/bin\" \"$GOPATH/bin\"; do PATH=\"$d:$PATH\"; done\n",
            ),
        ] {
            assert!(lines("CG503", shell, text).is_empty(), "{text}");
            let home = FakeHome::new();
            home.stub("code/go/bin", "gopls");
            let Some(found) = lookup_after(oracle, &home, text, "gopls") else {
                continue;
            };
            assert!(found.shell_finds.is_some(), "{oracle:?}: {text}");
            assert!(found.child_finds.is_some(), "{oracle:?}");
        }
    }

    /// The real shells: a program `go install` put in `$GOPATH/bin` is not found before the
    /// suggestion, and found (by the shell and by a child program) after it — also when the
    /// file is read twice.
    #[test]
    fn oracle_installed_tools_are_found_after_the_suggestion() {
        for (oracle, shell, text) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export GOPATH=$HOME/code/go\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export GOPATH=$HOME/code/go\n",
            ),
            (
                OracleShell::Sh,
                Shell::Sh,
                "GOPATH=$HOME/code/go; export GOPATH\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx GOPATH $HOME/code/go\n",
            ),
        ] {
            let home = FakeHome::new();
            home.stub("code/go/bin", "gopls");
            assert_eq!(lines("CG503", shell, text).len(), 1, "{text}");
            let after = suggested(shell, text);
            assert_ne!(after, text);
            let Some(before) = lookup_after(oracle, &home, text, "gopls") else {
                continue;
            };
            assert_eq!(before.shell_finds, None, "{oracle:?}");
            let twice = format!("{after}{after}");
            let found = lookup_after(oracle, &home, &twice, "gopls").expect("shell");
            assert!(found.shell_finds.is_some(), "{oracle:?}: {after}");
            assert!(found.child_finds.is_some(), "{oracle:?}");
            let path = condago_oracle::path_after(oracle, &home, &twice).expect("shell");
            let bin = format!("{}/code/go/bin", home.path().display());
            assert_eq!(
                path.iter().filter(|entry| **entry == bin).count(),
                1,
                "{path:?}"
            );
            assert_eq!(path.last(), Some(&bin));
        }
    }
}
