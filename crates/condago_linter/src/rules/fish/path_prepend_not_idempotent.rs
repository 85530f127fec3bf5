use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{
    AssignOp, Assignment, PartKind, PathEditKind, StartupFile, Statement, StatementKind, Word,
};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a bare `set -gx PATH dir $PATH` (or `$PATH dir`, `set -p PATH dir`,
    /// `set -a PATH dir`) in `config.fish` or `conf.d`, with no `contains` guard (nor
    /// pnpm's `string match -q -- $PNPM_HOME $PATH`).
    ///
    /// ## Why is this bad?
    /// fish reads `config.fish` and `conf.d` in every fish it starts, and a fish started
    /// from another one (a nested `fish`, a tmux pane, `exec fish`, an editor's terminal)
    /// inherits the `PATH` the first one built: the line adds `dir` again at each level,
    /// so `PATH` fills with duplicates (checked with fish 3.6: a nested fish has
    /// `dir dir /usr/bin /bin`).
    ///
    /// ## Example
    /// ```fish
    /// set -gx PATH $HOME/.cargo/bin $PATH
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// fish_add_path -gPm $HOME/.cargo/bin
    /// ```
    ///
    /// `fish_add_path -g -P -m` (global, on `PATH` itself, moving an entry that is already
    /// there) puts the directory first exactly once. Plain `fish_add_path dir` would write
    /// a universal variable (CG306, opt-in), and `fish_add_path -g dir` goes through
    /// `fish_user_paths`, which fish puts in front of *everything* on `PATH` whenever it
    /// changes — also in front of conda's `bin` set up later.
    ///
    /// `fish_add_path` arrived in fish 3.2: when `condago.toml` pins an older
    /// `fish-version`, no fix is offered and the help suggests a `contains` guard.
    ///
    /// ## Fix safety
    /// Unsafe (RULES.md's table says safe; fish 3.6 disagrees): `fish_add_path` skips a
    /// directory that does not exist when the line runs, so a directory created later in
    /// the session (`~/go/bin` before the first `go install`) is no longer on `PATH`
    /// until the next shell; it also makes the path absolute and canonical (a trailing
    /// `/` goes), and returns 1 when it added nothing. The fix is offered when the line is
    /// a plain `set` of whole directory words around one `$PATH`, not part of an
    /// `and`/`or` chain.
    pub(crate) const RULE = Rule {
        code: "CG305",
        name: "fish-path-prepend-not-idempotent",
        summary: "`set -gx PATH dir $PATH` in config.fish: PATH grows every time a nested fish reads it",
        shells: Shells::FISH,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !file.kind.is_rc() {
        return;
    }
    for (statement, edit) in file.path_edits() {
        let context = &statement.context;
        let StatementKind::Assignment(assignment) = &statement.kind else {
            continue;
        };
        // `PathEdit::cartesian` also counts `$HOME/bin`; only a joined list matters (CG301).
        let joined = assignment
            .values
            .iter()
            .any(|value| super::joined_list_variable(value).is_some());
        if edit.variable != "PATH"
            || joined
            || edit.idempotent
            || !matches!(edit.kind, PathEditKind::Prepend | PathEditKind::Append)
            || context.conda_block.is_some()
            || context.function.is_some()
            || context
                .conditions
                .iter()
                .any(|condition| tests_membership(&condition.test))
        {
            continue;
        }
        let dirs: Vec<String> = edit
            .new_entries()
            .map(|entry| format!("`{}`", entry.display(file.source)))
            .collect();
        if dirs.is_empty() {
            continue;
        }
        let message = format!(
            "this adds {} to PATH again every time a fish reads this file — each nested fish, tmux pane or `exec fish` — so PATH fills with duplicates",
            dirs.join(", ")
        );
        // fish_add_path arrived in fish 3.2: for an older pinned fish, guard instead.
        let has_add_path = checker
            .versions
            .fish
            .is_none_or(|version| version >= crate::Version::new(3, 2));
        let (fix, help) = if has_add_path {
            (
                fix_for(file, statement, assignment, edit.kind),
                "use `fish_add_path -gPm DIR`, which puts it on PATH once".to_string(),
            )
        } else {
            (
                None,
                format!(
                    "fish {} (the project's `fish-version`) has no `fish_add_path`: guard the line with `contains -- DIR $PATH; or …`",
                    checker.versions.fish.map(|v| v.to_string()).unwrap_or_default()
                ),
            )
        };
        let report = checker.report(statement.range.clone(), message).help(help);
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// A test for the directory being on `PATH` already: `contains d $PATH`, or pnpm's
/// `string match -q -- $PNPM_HOME $PATH`.
fn tests_membership(test: &str) -> bool {
    test.contains("contains") || (test.contains("string match") && test.contains("$PATH"))
}

fn fix_for(
    file: &StartupFile,
    statement: &Statement,
    assignment: &Assignment,
    kind: PathEditKind,
) -> Option<Fix> {
    if assignment.keyword.as_deref() != Some("set") || statement.chain.after.is_some() {
        return None;
    }
    let index = file
        .statements
        .iter()
        .position(|other| std::ptr::eq(other, statement))?;
    if file.next_in_chain(index).is_some() {
        return None;
    }
    let last = assignment.values.last()?;
    if last.range.end != statement.range.end {
        return None;
    }
    let mut dirs = Vec::new();
    let mut old_at = None;
    for (i, value) in assignment.values.iter().enumerate() {
        if is_old_path(value) {
            if old_at.is_some() {
                return None;
            }
            old_at = Some(i);
        } else if has_colon(value) {
            return None;
        } else {
            dirs.push(file.text(value.range.clone()).into_owned());
        }
    }
    let append = match (assignment.operator, old_at) {
        (AssignOp::Prepend, None) => false,
        (AssignOp::Append, None) => true,
        (AssignOp::Set, Some(0)) => true,
        (AssignOp::Set, Some(at)) if at + 1 == assignment.values.len() => false,
        _ => return None,
    };
    if dirs.is_empty() || append != (kind == PathEditKind::Append) {
        return None;
    }
    let flags = if append { "-gPam" } else { "-gPm" };
    Some(Fix::unsafe_(
        "Use `fish_add_path`, which adds each directory once",
        vec![Edit::replace(
            statement.range.clone(),
            format!("fish_add_path {flags} {}", dirs.join(" ")),
        )],
    ))
}

fn is_old_path(word: &Word) -> bool {
    matches!(
        word.parts.as_slice(),
        [part] if matches!(&part.kind, PartKind::Variable { name, complex: false } if name == "PATH")
    )
}

fn has_colon(word: &Word) -> bool {
    word.parts
        .iter()
        .any(|part| matches!(&part.kind, PartKind::Literal(text) if text.contains(':')))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_bare_prepends() {
        for text in [
            "set -gx PATH $HOME/.cargo/bin $PATH\n",
            "set -x PATH $PATH /opt/bin\n",
            "set -pgx PATH /opt/bin\n",
            "set -a PATH /opt/bin\n",
            "set -gx PATH \"$HOME/bin\" \"$PATH\"\n",
            "test -d ~/bin; and set -gx PATH ~/bin $PATH\n",
            "export PATH=\"/opt/bin:$PATH\"\n",
        ] {
            assert_eq!(findings("CG305", Shell::Fish, text).len(), 1, "{text}");
        }
        let conf_d = "home/.config/fish/conf.d/cargo.fish";
        let text = "set -gx PATH $HOME/.cargo/bin $PATH\n";
        assert_eq!(findings_at("CG305", Shell::Fish, conf_d, text).len(), 1);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "fish_add_path -g ~/bin\n",
            "if not contains ~/bin $PATH\n    set -gx PATH ~/bin $PATH\nend\n",
            "contains ~/bin $PATH; or set -gx PATH ~/bin $PATH\n",
            // pnpm's own block.
            "set -gx PNPM_HOME \"$HOME/.local/share/pnpm\"\nif not string match -q -- $PNPM_HOME $PATH\n  set -gx PATH \"$PNPM_HOME\" $PATH\nend\n",
            // fish runs an `and` job right after the condition as part of it.
            "if test -d ~/bin; and not contains ~/bin $PATH\n    set -gx PATH ~/bin $PATH\nend\n",
            "set -gx PATH /x:$PATH\n",
            "set -gx PATH /usr/local/bin /usr/bin /bin\n",
            "set -g fish_user_paths ~/bin $fish_user_paths\n",
            "function addpath\n    set -gx PATH $argv $PATH\nend\n",
            "# >>> conda initialize >>>\nset -gx PATH /c/bin $PATH\n# <<< conda initialize <<<\n",
        ] {
            assert!(findings("CG305", Shell::Fish, text).is_empty(), "{text}");
        }
        // A script run on purpose is not read again by every nested shell.
        let script = "home/bin/setup.fish";
        let text = "set -gx PATH ~/bin $PATH\n";
        assert!(findings_at("CG305", Shell::Fish, script, text).is_empty());
    }

    /// fish before 3.2 has no `fish_add_path`: no fix that would call it.
    #[test]
    fn no_fish_add_path_fix_for_fish_before_3_2() {
        let versions = |minor| crate::Versions {
            fish: Some(crate::Version::new(3, minor)),
            bash: None,
        };
        let path = "home/.config/fish/config.fish";
        let text = "set -gx PATH $HOME/.cargo/bin $PATH\n";
        let old = findings_assuming("CG305", Shell::Fish, path, text, versions(1));
        assert_eq!(old.len(), 1);
        assert!(old[0].fix.is_none());
        assert!(old[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("contains --")));
        let new = findings_assuming("CG305", Shell::Fish, path, text, versions(2));
        assert!(new[0].fix.is_some());
    }

    #[test]
    fn fixes_with_fish_add_path() {
        for (before, after) in [
            (
                "set -gx PATH $HOME/.cargo/bin $PATH\n",
                "fish_add_path -gPm $HOME/.cargo/bin\n",
            ),
            (
                "set -gx PATH /a \"$HOME/b\" $PATH\n",
                "fish_add_path -gPm /a \"$HOME/b\"\n",
            ),
            (
                "set -x PATH $PATH /opt/bin\n",
                "fish_add_path -gPam /opt/bin\n",
            ),
            ("set -pgx PATH /opt/bin\n", "fish_add_path -gPm /opt/bin\n"),
            ("set -a PATH /opt/bin\n", "fish_add_path -gPam /opt/bin\n"),
            (
                "if status is-interactive\n    set -gx PATH ~/bin $PATH\nend\n",
                "if status is-interactive\n    fish_add_path -gPm ~/bin\nend\n",
            ),
        ] {
            assert_eq!(
                assert_fix_converges("CG305", Shell::Fish, before),
                after,
                "{before}"
            );
        }
        // In a chain the status matters; around `$PATH` there is no single mode.
        for text in [
            "test -d ~/bin; and set -gx PATH ~/bin $PATH\n",
            "set -gx PATH /a $PATH /b\n",
            "export PATH=\"/opt/bin:$PATH\"\n",
        ] {
            assert_eq!(fixed("CG305", Shell::Fish, text), text, "{text}");
        }
    }

    /// fish 3.6: a nested fish reading the line again has the directory twice; after the
    /// fix once. The fix is unsafe: a directory that does not exist yet is left out.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let before = "set -gx PATH $HOME/tools/bin $PATH\n";
        let after = assert_fix_converges("CG305", Shell::Fish, before);
        let nested = |config: &str, create: bool| {
            let home = FakeHome::new();
            if create {
                std::fs::create_dir_all(home.path().join("tools/bin")).expect("mkdir");
            }
            home.write(".config/fish/config.fish", config);
            let dir = home.path().join("tools/bin").to_string_lossy().into_owned();
            let (first, _) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            )?;
            let (second, _) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                &first.join(":"),
            )?;
            let count = second.iter().filter(|entry| **entry == dir).count();
            Some((count, second))
        };
        let Some((count, entries)) = nested(before, true) else {
            return;
        };
        assert_eq!(count, 2, "{entries:?}");
        let (count, entries) = nested(&after, true).expect("fish ran");
        assert_eq!(count, 1, "{entries:?}");
        // pnpm's guard, read twice: one entry.
        let pnpm = "if not string match -q -- $HOME/tools/bin $PATH\n    set -gx PATH \"$HOME/tools/bin\" $PATH\nend\n";
        let (count, entries) = nested(pnpm, true).expect("fish ran");
        assert_eq!(count, 1, "{entries:?}");
        // The guard that needs no fix: `and not contains` right after `if`'s condition.
        let guarded = "if test -d $HOME/tools/bin; and not contains -- $HOME/tools/bin $PATH\n    set -gx PATH $HOME/tools/bin $PATH\nend\n";
        assert!(findings("CG305", Shell::Fish, guarded).is_empty());
        let (count, entries) = nested(guarded, true).expect("fish ran");
        assert_eq!(count, 1, "{entries:?}");
        assert_eq!(entries[1..], ["/usr/bin", "/bin"]);
        // Why the fix is unsafe: a missing directory stays on PATH before, not after.
        let (count, _) = nested(before, false).expect("fish ran");
        assert_eq!(count, 2);
        let (count, _) = nested(&after, false).expect("fish ran");
        assert_eq!(count, 0);
    }
}
