use std::collections::HashSet;

use condago_syntax::Shell;

use super::shared::mentions_search_path;
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{
    Assignment, FileKind, PartKind, PathEdit, PathEditKind, PathEntry, PathEntryKind, Quote, Scope,
    StartupFile, Statement, StatementKind,
};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds an assignment of `PATH` (zsh `path`, fish `PATH` or `fish_user_paths`) that
    /// does not keep its own old value: `export PATH=/usr/local/bin:/usr/bin:/bin`,
    /// `path=(/opt/bin)`, `set -gx PATH /usr/bin /bin`.
    ///
    /// ## Why is this bad?
    /// Everything already on `PATH` is dropped: what `/etc/profile` and the login shell
    /// put there, what the terminal or IDE passed down, the environment of a `conda
    /// activate` in the parent shell — and, after a conda or mamba init block, the base
    /// environment's `bin` and `condabin` that the block just put in front. `go`,
    /// `python` and every other program conda provides are "command not found", with no
    /// error anywhere. In fish, setting `fish_user_paths` without its old value drops the
    /// directories stored in it before (`fish_add_path` stores them universally by
    /// default), so they vanish from `PATH`.
    ///
    /// Not reported: `local PATH=…` and `PATH` made local earlier in the same function,
    /// one-command prefixes (`PATH=/x cmd`), values that mention the old value in any
    /// form (`${PATH:+…}`, `$(… $PATH …)`, a saved copy such as `$OLD_PATH`), values
    /// computed by a command substitution, assignments under a test of `PATH` itself
    /// (`[ -z "$PATH" ] && PATH=…`), system files under `/etc` (they build the base
    /// `PATH` before any user file runs), conda blocks, and conda activation hooks
    /// (CG702 covers those).
    ///
    /// ## Example
    /// ```bash
    /// export PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin:$PATH
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the old value is appended (`:$PATH` inside the value's own quoting; zsh
    /// `$path` as a last array element; fish `$PATH` / `$fish_user_paths` as a last list
    /// element), so the new directories keep their precedence and the dropped entries come
    /// back after them. A reset that was meant to remove entries stops removing them.
    pub(crate) const RULE = Rule {
        code: "CG101",
        name: "path-clobbered",
        summary: "`PATH` assigned without its own old value: everything inherited, conda's entries included, is dropped",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// Names of variables that hold a different list than `PATH`, so an entry `$GOPATH` is a
/// directory, not a saved copy of `PATH`.
const OTHER_PATH_VARIABLES: &[&str] = &[
    "GOPATH",
    "MANPATH",
    "INFOPATH",
    "PYTHONPATH",
    "LD_LIBRARY_PATH",
    "LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "DYLD_FALLBACK_LIBRARY_PATH",
    "PKG_CONFIG_PATH",
    "CLASSPATH",
    "CDPATH",
    "NODE_PATH",
    "GEM_PATH",
    "FPATH",
    "CPATH",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) || file.path.starts_with("/etc")
    {
        return;
    }
    let local_in = functions_with_local_path(file);
    let saved = saved_copies(file);
    for (statement, edit) in super::shared::sound_path_edits(file) {
        if statement.context.conda_block.is_some() || edit.kind != PathEditKind::Replace {
            continue;
        }
        let StatementKind::Assignment(assignment) = &statement.kind else {
            continue;
        };
        if statement
            .context
            .function
            .as_ref()
            .is_some_and(|function| local_in.contains(function))
        {
            continue;
        }
        if statement
            .context
            .conditions
            .iter()
            .any(|condition| mentions_search_path(&condition.test))
        {
            continue;
        }
        let value_text = assignment
            .value_range
            .clone()
            .map(|range| file.text(range).into_owned())
            .unwrap_or_default();
        if mentions_search_path(&value_text) {
            continue;
        }
        let computed = assignment.values.iter().any(|word| {
            word.parts
                .iter()
                .any(|part| part.kind == PartKind::CommandSubstitution)
        });
        if computed
            || edit
                .entries
                .iter()
                .any(|entry| may_hold_old_value(entry, &saved))
        {
            continue;
        }
        report(checker, statement, assignment, &edit);
    }
}

/// Functions in which `PATH` was made local (`local PATH`, `typeset path`, `set -l PATH`):
/// their later assignments change only the function's own copy.
fn functions_with_local_path(file: &StartupFile) -> HashSet<String> {
    file.assignments()
        .filter(|(_, assignment)| {
            assignment.scope == Scope::Local
                && crate::model::is_path_variable(file.shell, &assignment.name)
        })
        .filter_map(|(statement, _)| statement.context.function.clone())
        .collect()
}

/// Variables this file assigns from the old `PATH` (`OLD_PATH=$PATH`).
fn saved_copies(file: &StartupFile) -> HashSet<String> {
    file.assignments()
        .filter(|(_, assignment)| !crate::model::is_path_variable(file.shell, &assignment.name))
        .filter(|(_, assignment)| {
            assignment
                .value_range
                .clone()
                .is_some_and(|range| mentions_search_path(&file.text(range)))
        })
        .map(|(_, assignment)| assignment.name.clone())
        .collect()
}

/// An entry that is a single variable which may hold a whole saved `PATH`
/// (`$OLD_PATH`, `$CONDA_BACKUP_PATH`, a copy made earlier in the file).
fn may_hold_old_value(entry: &PathEntry, saved: &HashSet<String>) -> bool {
    let [part] = entry.parts.as_slice() else {
        return false;
    };
    let PartKind::Variable { name, .. } = &part.kind else {
        return false;
    };
    if saved.contains(name) {
        return true;
    }
    let upper = name.to_ascii_uppercase();
    upper.contains("PATH") && !OTHER_PATH_VARIABLES.contains(&upper.as_str())
}

fn report(checker: &mut Checker, statement: &Statement, assignment: &Assignment, edit: &PathEdit) {
    let file = checker.file;
    let name = assignment.name.as_str();
    let shown: Vec<String> = edit
        .entries
        .iter()
        .map(|entry| entry.display(file.source))
        .collect();
    let becomes = if shown.iter().all(String::is_empty) {
        "empty".to_string()
    } else if file.shell == Shell::Fish || assignment.is_list {
        format!("only `{}`", shown.join(" "))
    } else {
        format!("only `{}`", shown.join(":"))
    };
    let block = file
        .conda_blocks
        .iter()
        .find(|block| block.start_marker.is_some() && block.range.end <= statement.range.start);
    let message = if name == "fish_user_paths" {
        format!(
            "`fish_user_paths` is set without its old value and becomes {becomes}: the directories stored in it before (by `fish_add_path`, which stores them universally by default, or by an earlier file) are dropped from `PATH`"
        )
    } else if let Some(block) = block {
        let base = block.base.as_deref().unwrap_or("<base>");
        let line = file.line_of(block.range.start) + 1;
        format!(
            "`{name}` becomes {becomes}, without its old value: `{base}/bin` and `{base}/condabin`, which the {tool} block on line {line} just put in front, are dropped with everything inherited, so conda's `python`, `go` and other programs are no longer found",
            tool = block.tool
        )
    } else {
        format!(
            "`{name}` becomes {becomes}, without its old value: everything inherited is dropped — what the system's profile, the terminal or IDE, and a `conda activate` in the parent shell put on `PATH`"
        )
    };
    let old = old_reference(file.shell, name);
    let fix = fix_for(file, assignment, edit);
    let report = checker
        .report(statement.range.clone(), message)
        .help(format!(
            "keep the old value: append `{old}` to the new entries"
        ));
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

/// How the old value is written in this shell.
fn old_reference(shell: Shell, name: &str) -> String {
    match (shell, name) {
        (Shell::Zsh, "path") => "$path".to_string(),
        (Shell::Fish, "fish_user_paths") => "$fish_user_paths".to_string(),
        _ => "$PATH".to_string(),
    }
}

fn fix_for(file: &StartupFile, assignment: &Assignment, edit: &PathEdit) -> Option<Fix> {
    if !edit
        .entries
        .iter()
        .any(|entry| entry.kind == PathEntryKind::Dir)
    {
        return None;
    }
    let source = file.source;
    let name = assignment.name.as_str();
    let old = old_reference(file.shell, name);
    let message = format!("Keep the old value: append `{old}`");
    let last = assignment.values.last()?;
    let edit = if file.shell == Shell::Fish && assignment.is_list {
        // `set -gx PATH a b` → `set -gx PATH a b $PATH`
        Edit::insert(last.range.end, format!(" {old}"))
    } else if assignment.is_list {
        // zsh `path=(a b)` → `path=(a b $path)`
        if name != "path" {
            return None;
        }
        let value = assignment.value_range.clone()?;
        if source.get(value.end.checked_sub(1)?) != Some(&b')') {
            return None;
        }
        Edit::insert(value.end - 1, format!(" {old}"))
    } else {
        // The grammar ended the value inside what the shell reads as one word
        // (`PATH="x"y:$@z"`, `PATH=#:$PATH`): what is appended there is read as another
        // word, so the fix would never take.
        let next = source.get(last.range.end).copied();
        if next
            .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b')'))
        {
            return None;
        }
        let part = last.parts.last()?;
        let ends_with_colon = matches!(&part.kind, PartKind::Literal(text) if text.ends_with(':'));
        let separator = if ends_with_colon { "" } else { ":" };
        match part.quote {
            Quote::Double => {
                let end = last.range.end.checked_sub(1)?;
                if source.get(end) != Some(&b'"') {
                    return None;
                }
                Edit::insert(end, format!("{separator}{old}"))
            }
            // fish's `export` wrapper: an unquoted `$PATH` would be a cartesian product.
            Quote::None if file.shell != Shell::Fish => {
                Edit::insert(last.range.end, format!("{separator}{old}"))
            }
            Quote::None | Quote::Single => {
                Edit::insert(last.range.end, format!("{separator}\"{old}\""))
            }
        }
    };
    Some(Fix::unsafe_(message, vec![edit]))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    const BLOCK: &str = "# >>> conda initialize >>>\n# !! Contents within this block are managed by 'conda init' !!\n__conda_setup=\"$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)\"\neval \"$__conda_setup\"\n# <<< conda initialize <<<\n";

    #[test]
    fn finds_clobbers_in_each_shell() {
        for (shell, text) in [
            (
                Shell::Bash,
                "export PATH=/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin\n",
            ),
            (Shell::Bash, "PATH=\"$HOME/bin\"\n"),
            (Shell::Sh, "PATH=/usr/bin:/bin; export PATH\n"),
            (Shell::Zsh, "path=(/opt/bin /usr/bin)\n"),
            (Shell::Zsh, "export PATH=/usr/bin:/bin\n"),
            (Shell::Fish, "set -gx PATH /usr/local/bin /usr/bin /bin\n"),
            (Shell::Fish, "set -gx fish_user_paths ~/.cargo/bin\n"),
            (Shell::Fish, "export PATH=/usr/bin:/bin\n"),
        ] {
            assert_eq!(lines("CG101", shell, text), vec![1], "{shell}: {text}");
        }
        // A function that resets PATH drops it whenever it runs.
        let text = "f() {\n  export PATH=/usr/bin\n}\n";
        assert_eq!(lines("CG101", Shell::Bash, text), vec![2]);
    }

    #[test]
    fn message_names_what_is_dropped() {
        let text = format!("{BLOCK}export PATH=/usr/local/bin:/usr/bin:/bin\n");
        let found = findings("CG101", Shell::Bash, &text);
        assert_eq!(found.len(), 1);
        let message = &found[0].message;
        assert!(message.contains("/home/u/miniconda3/bin"), "{message}");
        assert!(message.contains("line 1"), "{message}");
        assert!(
            message.contains("only `/usr/local/bin:/usr/bin:/bin`"),
            "{message}"
        );
        let found = findings("CG101", Shell::Bash, "export PATH=/usr/bin\n");
        assert!(found[0].message.contains("everything inherited"));
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/bin:$PATH\"\n"),
            (Shell::Bash, "PATH=$PATH:/opt/bin\n"),
            (Shell::Bash, "PATH=\"${PATH:+${PATH}:}$HOME/bin\"\n"),
            (Shell::Bash, "PATH=/usr/bin make\n"),
            (Shell::Bash, "f() {\n  local PATH=/usr/bin\n  PATH=/bin\n}\n"),
            (Shell::Bash, "OLD=$PATH\nPATH=/x:$OLD\n"),
            (Shell::Bash, "PATH=\"$CONDA_BACKUP_PATH\"\n"),
            (Shell::Bash, "PATH=$(getconf PATH)\n"),
            (Shell::Bash, "PATH=$(printf %s \"$PATH\" | awk 1)\n"),
            (Shell::Bash, "[ -z \"$PATH\" ] && PATH=/usr/bin:/bin\n"),
            (Shell::Bash, "export PATH\n"),
            (Shell::Bash, "(PATH=/usr/bin; make)\n"),
            (Shell::Zsh, "path=($HOME/bin $path)\n"),
            (Shell::Zsh, "path=(${path:#*/conda/*})\n"),
            (Shell::Zsh, "typeset -U path PATH\n"),
            (Shell::Fish, "set -gx PATH $HOME/bin $PATH\n"),
            (Shell::Fish, "set -gx PATH (string match -v '*conda*' $PATH)\n"),
            (Shell::Fish, "function f\n  set -l PATH /usr/bin\nend\n"),
            (Shell::Fish, "set -e PATH\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"/home/u/miniconda3/bin\"\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(lines("CG101", shell, text).is_empty(), "{shell}: {text}");
        }
        // System files build the base PATH; conda hooks are CG702's.
        let text = "PATH=\"/usr/local/bin:/usr/bin:/bin\"\n";
        assert!(findings_at("CG101", Shell::Sh, "/etc/profile", text).is_empty());
        assert!(findings_at(
            "CG101",
            Shell::Bash,
            "env/etc/conda/activate.d/x.sh",
            "export PATH=/x\n"
        )
        .is_empty());
    }

    #[test]
    fn no_fix_where_the_grammar_splits_the_value() {
        // Found by fuzzing (`scripts/fuzz`, target fix): each round appended another
        // `:$PATH` that the grammar reads as a word of its own, never as part of the value.
        for text in ["export PATH=\"x\"y:$@z\"\n", "export PATH=#:$PATH ~/x\n"] {
            let found = findings("CG101", Shell::Sh, text);
            assert!(found.iter().all(|d| d.fix.is_none()), "{found:?}");
            assert_fix_converges("CG101", Shell::Sh, text);
        }
        assert_fix_converges("CG101", Shell::Bash, "export PATH=# ~/.zshenv\n");
    }

    #[test]
    fn fixes_by_appending_the_old_value() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "export PATH=/usr/local/bin:/usr/bin:/bin\n",
                "export PATH=/usr/local/bin:/usr/bin:/bin:$PATH\n",
            ),
            (
                Shell::Bash,
                "export PATH=\"$HOME/bin\"\n",
                "export PATH=\"$HOME/bin:$PATH\"\n",
            ),
            (Shell::Bash, "PATH='/opt/x'\n", "PATH='/opt/x':\"$PATH\"\n"),
            (Shell::Bash, "PATH=/opt/x:\n", "PATH=/opt/x:$PATH\n"),
            (
                Shell::Zsh,
                "path=(/opt/bin /usr/bin)\n",
                "path=(/opt/bin /usr/bin $path)\n",
            ),
            (Shell::Zsh, "PATH=$GOBIN\n", "PATH=$GOBIN:$PATH\n"),
            (
                Shell::Fish,
                "set -gx PATH /usr/local/bin /usr/bin\n",
                "set -gx PATH /usr/local/bin /usr/bin $PATH\n",
            ),
            (
                Shell::Fish,
                "set -gx fish_user_paths ~/.cargo/bin\n",
                "set -gx fish_user_paths ~/.cargo/bin $fish_user_paths\n",
            ),
            (
                Shell::Fish,
                "export PATH=/usr/bin\n",
                "export PATH=/usr/bin:\"$PATH\"\n",
            ),
            (
                Shell::Fish,
                "export PATH=\"/usr/bin\"\n",
                "export PATH=\"/usr/bin:$PATH\"\n",
            ),
        ] {
            assert_eq!(
                assert_fix_converges("CG101", shell, before),
                after,
                "{shell}"
            );
        }
        // Nothing to keep in front: reported, not rewritten.
        let text = "PATH=\n";
        assert_eq!(lines("CG101", Shell::Bash, text), vec![1]);
        assert_eq!(fixed("CG101", Shell::Bash, text), text);
    }

    /// The real shells: a program in conda's `bin` (put on `PATH` before the line, as the
    /// init block does) is not found after the clobber, and is found after the fix; the
    /// new entries stay in front. fish: a directory in the universal `fish_user_paths`
    /// vanishes when config sets a global `fish_user_paths`.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$HOME/miniconda3/bin:$PATH\"\n",
                "export PATH=$HOME/tools:/usr/bin:/bin\n",
            ),
            (
                OracleShell::Sh,
                Shell::Sh,
                "PATH=\"$HOME/miniconda3/bin:$PATH\"; export PATH\n",
                "PATH=\"$HOME/tools:/usr/bin:/bin\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "path=($HOME/miniconda3/bin $path)\n",
                "path=($HOME/tools /usr/bin /bin)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH $HOME/miniconda3/bin $PATH\n",
                "set -gx PATH $HOME/tools /usr/bin /bin\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH $HOME/miniconda3/bin $PATH\n",
                "export PATH=$HOME/tools:/usr/bin:/bin\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "fish_add_path -U $HOME/miniconda3/bin\n",
                "set -gx fish_user_paths $HOME/tools\n",
            ),
        ];
        for (oracle, shell, setup, clobber) in cases {
            let home = FakeHome::new();
            home.stub("miniconda3/bin", "hello-conda");
            home.stub("tools", "hello-tool");
            let before = format!("{setup}{clobber}");
            assert_eq!(lines("CG101", shell, &before), vec![2], "{before}");
            let after = assert_fix_converges("CG101", shell, &before);
            assert_ne!(after, before);
            let Some(broken) = lookup_after(oracle, &home, &before, "hello-conda") else {
                continue;
            };
            assert!(
                broken.shell_finds.is_none(),
                "{oracle:?} still finds it: {before}"
            );
            assert!(broken.child_finds.is_none(), "{oracle:?} child: {before}");
            let fixed = lookup_after(oracle, &home, &after, "hello-conda").expect("shell");
            assert!(fixed.shell_finds.is_some(), "{oracle:?} after: {after}");
            assert!(
                fixed.child_finds.is_some(),
                "{oracle:?} child after: {after}"
            );
            let tool = lookup_after(oracle, &home, &after, "hello-tool").expect("shell");
            assert!(
                tool.child_finds.is_some(),
                "{oracle:?} new entry kept: {after}"
            );
        }
    }
}
