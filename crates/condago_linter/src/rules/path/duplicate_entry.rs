use std::ops::Range;

use super::shared::{
    comparable, entry_deletion, entry_variables, exclusive, guarded_by_path_test, own_lines,
    runs_whenever, ZshUnique,
};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, PathEdit, PathEditKind, PathEntryKind, StartupFile, Statement};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a directory put on `PATH` a second time in the same file:
    /// `export PATH="$HOME/.local/bin:$PATH"` twice, `~/bin` in one line and `$HOME/bin`
    /// in another, a directory in a hard-coded `PATH=…` list that is prepended again
    /// later. Entries are compared as written, with `~`, `$HOME` and `${HOME}` read alike
    /// and a trailing `/` ignored; other variables are not expanded, and an entry whose
    /// variable is assigned again between the two lines is not a duplicate.
    ///
    /// ## Why is this bad?
    /// `PATH` holds the directory twice. The copy nearer the front decides the lookup
    /// order, so the other line does nothing but make `PATH` longer — and it misleads the
    /// reader about which line really puts the directory where it is, which is what
    /// matters once conda's environments compete with it.
    ///
    /// Not reported: the two branches of one `if`/`else` or two items of one `case`
    /// (only one runs), a second edit that is guarded by a test of `PATH` or that cannot
    /// add a duplicate (`fish_add_path`, zsh under the matching `typeset -U`, fish's
    /// `fish_user_paths`), edits in functions and loops, conda blocks, and anything
    /// before a `PATH` reset or filter (a later `PATH=…` without the old value).
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME/.local/bin:$PATH"
    /// export EDITOR=nvim
    /// export PATH="$HOME/.local/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$HOME/.local/bin:$PATH"
    /// export EDITOR=nvim
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the later copy is removed (the whole line when it adds nothing else), and
    /// only where that leaves every lookup as it was: the later copy is an append, or it is
    /// a prepend with nothing put in front of the earlier copy in between. The earlier line
    /// must run whenever the later one does. Lines a user keeps on purpose for another
    /// machine may still be meant.
    pub(crate) const RULE = Rule {
        code: "CG103",
        name: "path-duplicate-entry",
        summary: "the same directory put on `PATH` twice in one file",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// A directory already put on `PATH`.
struct Seen<'s> {
    key: String,
    statement: &'s Statement,
    edit: usize,
    entry: usize,
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let unique = ZshUnique::of(file);
    let edits = super::shared::sound_path_edits(file);
    let mut seen: Vec<Seen> = Vec::new();
    for (edit_index, (statement, edit)) in edits.iter().enumerate() {
        let context = &statement.context;
        if context.conda_block.is_some()
            || context.function.is_some()
            || context.in_loop
            || edit.kind == PathEditKind::Declare
            || edit.variable == "fish_user_paths"
        {
            continue;
        }
        // A reset or a filter (`${path:#*x*}`, `$PATH[2..]`): what came before may be gone.
        let filters = edit.entries.iter().any(|entry| {
            entry.kind == PathEntryKind::Old
                && entry
                    .parts
                    .iter()
                    .any(|part| !matches!(part.kind, PartKind::Variable { complex: false, .. }))
        });
        if edit.kind == PathEditKind::Replace || filters {
            seen.clear();
        }
        let quiet = edit.idempotent || unique.covers(edit) || guarded_by_path_test(statement);
        for (index, entry) in edit.entries.iter().enumerate() {
            if entry.kind != PathEntryKind::Dir {
                continue;
            }
            let Some(key) = comparable(entry, file.source) else {
                continue;
            };
            let earlier = seen.iter().find(|earlier| {
                earlier.key == key
                    && !exclusive(&earlier.statement.context.conditions, &context.conditions)
                    && !entry_variables(entry)
                        .iter()
                        .any(|name| assigned_between(file, name, earlier.statement, statement))
            });
            match earlier {
                Some(earlier) if !quiet => {
                    report(checker, &edits, earlier, edit_index, index, &key);
                }
                Some(_) => {}
                None => seen.push(Seen {
                    key,
                    statement,
                    edit: edit_index,
                    entry: index,
                }),
            }
        }
    }
}

/// Whether `name` is assigned after `earlier` and before `later` starts.
fn assigned_between(
    file: &StartupFile,
    name: &str,
    earlier: &Statement,
    later: &Statement,
) -> bool {
    file.assignments().any(|(statement, assignment)| {
        assignment.name == name
            && statement.range.start >= earlier.range.end
            && statement.range.start < later.range.start
    })
}

fn report(
    checker: &mut Checker,
    edits: &[(&Statement, PathEdit)],
    earlier: &Seen,
    edit_index: usize,
    index: usize,
    key: &str,
) {
    let file = checker.file;
    let (_, edit) = &edits[edit_index];
    let entry = &edit.entries[index];
    let shown = entry.display(file.source);
    let same_statement = earlier.edit == edit_index;
    let where_ = if same_statement {
        "earlier on this line".to_string()
    } else {
        format!(
            "on line {}",
            file.line_of(earlier.statement.range.start) + 1
        )
    };
    let in_front = in_front_of_old(edit, index);
    let decides = if in_front && !same_statement {
        "; this copy, in front, is the one that decides the lookup order"
    } else {
        "; the earlier copy decides the lookup order, this one only makes `PATH` longer"
    };
    let same_text = if key == shown {
        String::new()
    } else {
        format!(" (as `{key}`)")
    };
    let message = format!(
        "`{shown}` is already put on `PATH` {where_}{same_text}: this adds a second copy, so `PATH` holds it twice{decides}"
    );
    let fix = fix_for(file, edits, earlier, edit_index, index);
    let report = checker
        .report(entry.range.clone(), message)
        .help("remove one of the two, keeping the one whose place on `PATH` you want");
    if let Some(fix) = fix {
        report.fix(Fix::unsafe_(
            format!("Remove the second `{shown}`"),
            vec![Edit::delete(fix)],
        ));
    }
}

/// The entry sits before the old value in its edit (a prepend).
fn in_front_of_old(edit: &PathEdit, index: usize) -> bool {
    edit.entries
        .iter()
        .position(|entry| entry.kind == PathEntryKind::Old)
        .is_some_and(|old| index < old)
}

/// New entries of `edit` between positions `from` and `to` (exclusive).
fn dirs_between(edit: &PathEdit, from: usize, to: usize) -> bool {
    edit.entries
        .iter()
        .enumerate()
        .any(|(i, entry)| from < i && i < to && entry.kind != PathEntryKind::Old)
}

/// The bytes to delete so that only the later copy goes and every lookup stays as it was.
fn fix_for(
    file: &StartupFile,
    edits: &[(&Statement, PathEdit)],
    earlier: &Seen,
    edit_index: usize,
    index: usize,
) -> Option<Range<usize>> {
    let (statement, edit) = &edits[edit_index];
    if !runs_whenever(earlier.statement, statement) {
        return None;
    }
    let same_statement = earlier.edit == edit_index;
    if !same_statement && in_front_of_old(edit, index) {
        // The later copy moves the directory to the front: removing it is neutral only if
        // nothing else lands between the two copies.
        let (_, earlier_edit) = &edits[earlier.edit];
        let old = edit
            .entries
            .iter()
            .position(|entry| entry.kind == PathEntryKind::Old)?;
        let earlier_first = in_front_of_old(earlier_edit, earlier.entry)
            && first_new(earlier_edit) == Some(earlier.entry);
        let nothing_after = !dirs_between(edit, index, old);
        let nothing_in_between =
            edits[earlier.edit + 1..edit_index]
                .iter()
                .all(|(_, other)| {
                    !other.entries.iter().enumerate().any(|(i, entry)| {
                        entry.kind != PathEntryKind::Old && in_front_of_old(other, i)
                    })
                });
        if !(earlier_first && nothing_after && nothing_in_between) {
            return None;
        }
    }
    let new_entries = edit
        .entries
        .iter()
        .filter(|entry| entry.kind != PathEntryKind::Old)
        .count();
    if new_entries == 1 && !same_statement {
        if !statement.context.conditions.is_empty() {
            return None;
        }
        return own_lines(file, statement);
    }
    entry_deletion(file, statement, &edit.entries, index)
}

/// The index of the first new entry of an edit.
fn first_new(edit: &PathEdit) -> Option<usize> {
    edit.entries
        .iter()
        .position(|entry| entry.kind != PathEntryKind::Old)
}

#[cfg(test)]
mod tests {
    use condago_oracle::{path_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_duplicates_in_each_shell() {
        for (shell, text, line) in [
            (
                Shell::Bash,
                "export PATH=\"$HOME/.local/bin:$PATH\"\nexport EDITOR=nvim\nexport PATH=\"$HOME/.local/bin:$PATH\"\n",
                3,
            ),
            (Shell::Bash, "PATH=~/bin:$PATH\nPATH=$PATH:${HOME}/bin/\n", 2),
            (
                Shell::Bash,
                "PATH=/usr/local/bin:/usr/bin:/bin\nPATH=/usr/local/bin:$PATH\n",
                2,
            ),
            (Shell::Bash, "PATH=/opt/a:/opt/a:$PATH\n", 1),
            (
                Shell::Bash,
                "[ -d ~/bin ] && PATH=~/bin:$PATH\nPATH=$HOME/bin:$PATH\n",
                2,
            ),
            (Shell::Sh, "PATH=$HOME/bin:$PATH\nPATH=$HOME/bin:$PATH\n", 2),
            (Shell::Zsh, "path=(~/bin $path)\npath+=(~/bin)\n", 2),
            (
                Shell::Fish,
                "set -gx PATH ~/bin $PATH\nset -gx PATH $HOME/bin $PATH\n",
                2,
            ),
            (
                Shell::Fish,
                "fish_add_path -g ~/go/bin\nset -gx PATH ~/go/bin $PATH\n",
                2,
            ),
        ] {
            assert_eq!(lines("CG103", shell, text), vec![line], "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (
                Shell::Bash,
                "if [ \"$(uname)\" = Darwin ]; then\n  PATH=/opt/x/bin:$PATH\nelse\n  PATH=/opt/x/bin:$PATH\nfi\n",
            ),
            (
                Shell::Bash,
                "case \"$(uname)\" in\n  Darwin) PATH=/opt/x/bin:$PATH ;;\n  Linux) PATH=/opt/x/bin:$PATH ;;\nesac\n",
            ),
            (
                Shell::Bash,
                "GOPATH=~/go\nPATH=$GOPATH/bin:$PATH\nGOPATH=~/work\nPATH=$GOPATH/bin:$PATH\n",
            ),
            (
                Shell::Bash,
                "PATH=$HOME/bin:$PATH\ncase \":$PATH:\" in *\":$HOME/bin:\"*) ;; *) PATH=$HOME/bin:$PATH ;; esac\n",
            ),
            (
                Shell::Bash,
                "PATH=$HOME/bin:$PATH\nPATH=/usr/bin:/bin\nPATH=$HOME/bin:$PATH\n",
            ),
            (Shell::Bash, "f() { PATH=$1:$PATH; }\ng() { PATH=$1:$PATH; }\n"),
            (Shell::Bash, "PATH=$HOME/bin:$PATH\nPATH=$HOME/sbin:$PATH\n"),
            (Shell::Bash, "PATH=\"~/bin:$PATH\"\nPATH=~/bin:$PATH\n"),
            (Shell::Zsh, "typeset -U path\npath=(~/bin $path)\npath+=(~/bin)\n"),
            // Text the grammar cannot read after a PATH line: not entries.
            (
                Shell::Zsh,
                "PATH=/sbin:$PATH\nx=(\n  /$'(<->(.<->|)|)|[:[:xdigit]]#:[:[:xdigit:]]#)(|/<->)\\0'/\n  \":ip:IP ( $(ip addr show) )\"\n)\n",
            ),
            (
                Shell::Fish,
                "set -gx PATH ~/go/bin $PATH\nfish_add_path -g ~/go/bin\n",
            ),
            (
                Shell::Fish,
                "set -gx fish_user_paths ~/bin $fish_user_paths\nset -gx fish_user_paths ~/bin $fish_user_paths\n",
            ),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"/opt/conda/bin:$PATH\"\n# <<< conda initialize <<<\n# >>> conda initialize >>>\nexport PATH=\"/opt/conda/bin:$PATH\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(lines("CG103", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn fixes_by_removing_the_later_copy() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "export PATH=\"$HOME/.local/bin:$PATH\"\nexport EDITOR=nvim\nexport PATH=\"$HOME/.local/bin:$PATH\"\n",
                "export PATH=\"$HOME/.local/bin:$PATH\"\nexport EDITOR=nvim\n",
            ),
            (
                Shell::Bash,
                "PATH=$HOME/bin:$PATH\nPATH=$PATH:/opt/x:$HOME/bin\n",
                "PATH=$HOME/bin:$PATH\nPATH=$PATH:/opt/x\n",
            ),
            (
                Shell::Bash,
                "PATH=/opt/a:/opt/b:/opt/a:$PATH\n",
                "PATH=/opt/a:/opt/b:$PATH\n",
            ),
            (
                Shell::Zsh,
                "path=(~/bin $path)\npath+=(/opt/x ~/bin)\n",
                "path=(~/bin $path)\npath+=(/opt/x)\n",
            ),
            (
                Shell::Fish,
                "set -gx PATH ~/bin $PATH\r\nset -gx PATH ~/bin $PATH\r\n",
                "set -gx PATH ~/bin $PATH\r\n",
            ),
        ] {
            assert_eq!(assert_fix_converges("CG103", shell, before), after, "{shell}: {before}");
        }
        // Something was put in front in between: removing the later copy would change
        // which directory wins, so no fix.
        let text = "PATH=$HOME/bin:$PATH\nPATH=/opt/x:$PATH\nPATH=$HOME/bin:$PATH\n";
        assert_eq!(lines("CG103", Shell::Bash, text), vec![3]);
        assert_eq!(fixed("CG103", Shell::Bash, text), text);
        // The earlier one is conditional: it may not have run.
        let text = "[ -d ~/bin ] && PATH=~/bin:$PATH\nPATH=$PATH:$HOME/bin\n";
        assert_eq!(fixed("CG103", Shell::Bash, text), text);
    }

    /// The real shells: the directory is on `PATH` twice; after the fix once, and the
    /// order of the distinct entries is unchanged.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$HOME/.local/bin:$PATH\"\nexport EDITOR=nvim\nexport PATH=\"$HOME/.local/bin:$PATH\"\n",
            ),
            (
                OracleShell::Sh,
                Shell::Sh,
                "PATH=$HOME/.local/bin:$PATH\nPATH=$PATH:/opt/x:$HOME/.local/bin\nexport PATH\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "path=(~/.local/bin $path)\npath+=(/opt/x ~/.local/bin)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH ~/.local/bin $PATH\nset -gx PATH ~/.local/bin $PATH\n",
            ),
        ];
        for (oracle, shell, before) in cases {
            let home = FakeHome::new();
            let after = assert_fix_converges("CG103", shell, before);
            assert_ne!(after, before);
            let Some(broken) = path_after(oracle, &home, before) else {
                continue;
            };
            let dir = format!("{}/.local/bin", home.path().display());
            assert_eq!(
                broken.iter().filter(|e| **e == dir).count(),
                2,
                "{oracle:?}: {broken:?}"
            );
            let fixed = path_after(oracle, &home, &after).expect("shell");
            assert_eq!(
                fixed.iter().filter(|e| **e == dir).count(),
                1,
                "{oracle:?}: {fixed:?}"
            );
            let mut distinct = broken.clone();
            let mut seen = std::collections::HashSet::new();
            distinct.retain(|entry| seen.insert(entry.clone()));
            assert_eq!(fixed, distinct, "{oracle:?}: lookup order kept");
        }
    }
}
