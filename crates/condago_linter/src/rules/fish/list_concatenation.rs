use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{AssignOp, Assignment, PartKind, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::{
    as_list, colon_joined_list_variables, is_list_path_variable, joined_list_variable, joined_text,
    list_comes_first,
};

crate::declare_rule! {
    /// ## What it does
    /// Finds an unquoted word in fish that joins text to a path list with `:` —
    /// `$PATH:/x`, `/x:$PATH`, `$HOME/bin:$MANPATH` — in the value of `set` or `export`
    /// for `PATH`, `fish_user_paths` or any other `*PATH` variable, where the list is known
    /// not to hold exactly one element: the variable being set itself, `PATH`,
    /// `fish_user_paths`, or a variable this file set earlier to several elements (or
    /// erased).
    ///
    /// Not reported: `$GOPATH/bin` (no `:`; fish gives `bin` of each element, which is what
    /// Go means by it), and `$GOPATH:/x` where this file set `GOPATH` to one directory or
    /// does not set it at all — with one element the word is that element joined once.
    ///
    /// ## Why is this bad?
    /// In fish, `$PATH` is a list, and a word that joins text to a list is expanded once per
    /// element (a cartesian product), so the text is not added once:
    ///
    /// - `set -gx PATH /x:$PATH` puts `/x` before *every* entry
    ///   (`/x /usr/bin /x /bin`); `$PATH:/x` puts it after every entry.
    /// - `export PATH=$PATH:/x` hands fish's `export` wrapper one `PATH=…` argument per
    ///   entry; it sets them one after the other, so `PATH` ends as its *last* old entry
    ///   plus `/x` — `/usr/bin`, conda's `bin` and everything else are gone.
    /// - When the list is empty (an unset `LD_LIBRARY_PATH`), the word expands to nothing:
    ///   `set` leaves the variable empty, without `/x`, and `export` with no argument
    ///   prints every exported variable.
    ///
    /// Checked with fish 3.6: the bullets above are what it does.
    ///
    /// ## Example
    /// ```fish
    /// export PATH=$PATH:/usr/local/go/bin
    /// set -gx PATH /opt/nvim/bin:$PATH
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// set -gx PATH $PATH /usr/local/go/bin
    /// set -gx PATH /opt/nvim/bin $PATH
    /// ```
    ///
    /// The quoted forms work too (`export PATH="$PATH:/x"`, `set -gx PATH "/x:$PATH"`):
    /// fish joins a quoted path list with `:` and splits the result again.
    ///
    /// ## Fix safety
    /// Safe: the fix writes the list the word meant, each `:`-separated piece as its own
    /// element, keeping the order (`export PATH=$PATH:/x` becomes
    /// `set -gx PATH $PATH /x`). No fix is offered when a piece is empty or holds a
    /// command substitution.
    pub(crate) const RULE = Rule {
        code: "CG301",
        name: "fish-list-concatenation",
        summary: "`$PATH:/x` or `/x:$PATH` unquoted in fish: joined to every entry, or PATH keeps only its last entry",
        shells: Shells::FISH,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Safe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for statement in &file.statements {
        if statement.context.conda_block.is_some() {
            continue;
        }
        let StatementKind::Assignment(assignment) = &statement.kind else {
            continue;
        };
        if !is_list_path_variable(&assignment.name) || assignment.operator == AssignOp::Erase {
            continue;
        }
        let is_export = match assignment.keyword.as_deref() {
            Some("export") => true,
            Some("set") => false,
            _ => continue,
        };
        let Some((word, variable)) = assignment.values.iter().find_map(|value| {
            colon_joined_list_variables(value)
                .into_iter()
                .find(|variable| known_problem(file, statement, assignment, variable))
                .map(|variable| (value, variable.to_string()))
        }) else {
            continue;
        };
        let text = joined_text(word, file.source, &variable);
        let name = &assignment.name;
        // PATH is never empty in practice; other lists often are.
        let when_empty = if variable == "PATH" {
            ""
        } else if is_export {
            " (and with an empty list it sets nothing at all)"
        } else {
            " (and is dropped entirely while the list is empty)"
        };
        let message = if is_export {
            format!(
                "fish's `export` wrapper gets one `{name}=…` argument per entry of `${variable}` and keeps only the last: `{name}` ends as the last old entry joined with `{text}`, every other directory is gone{when_empty}"
            )
        } else {
            let side = if list_comes_first(word) {
                "after"
            } else {
                "before"
            };
            format!(
                "fish expands `{}` once per entry of `${variable}`: `{text}` lands {side} every entry instead of being added once{when_empty}",
                word.display(file.source)
            )
        };
        let help = format!(
            "write a list instead: `set -gx {name} {}`, or quote the whole value",
            as_list(word, file.source).unwrap_or_else(|| "… $PATH …".to_string())
        );
        let fix = fix_for(file, statement, assignment, is_export);
        let report = checker.report(word.range.clone(), message).help(help);
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// Whether joining text to `variable` with `:` is known to go wrong here: the assigned
/// variable itself (unset, it swallows the text; with several entries, it multiplies it),
/// `PATH` and `fish_user_paths` (always several entries), or a variable this file set
/// earlier to anything but exactly one element. A variable from elsewhere, or one set to a
/// single directory (`set -gx GOPATH $HOME/go`), is not reported: with one element the
/// word is that element joined to the text, once.
fn known_problem(
    file: &StartupFile,
    statement: &Statement,
    assignment: &Assignment,
    variable: &str,
) -> bool {
    if variable == assignment.name || variable == "PATH" || variable == "fish_user_paths" {
        return true;
    }
    elements_before(file, statement.range.start, variable).is_some_and(|count| count != 1)
}

/// How many elements `variable` holds at `offset`, from the last assignment of it earlier in
/// the file; `None` when the file does not say (never set here, set in a function or
/// condition, appended to, or set from an expansion whose size is unknown).
fn elements_before(file: &StartupFile, offset: usize, variable: &str) -> Option<usize> {
    let (statement, assignment) = file
        .assignments()
        .filter(|(statement, assignment)| {
            statement.range.end <= offset
                && assignment.name == variable
                && !assignment.command_prefix
                && statement.context.function.is_none()
                && !statement.context.in_subshell
        })
        .last()?;
    if !statement.context.is_unconditional() {
        return None;
    }
    match assignment.operator {
        AssignOp::Erase => return Some(0),
        AssignOp::Append | AssignOp::Prepend => return None,
        AssignOp::Set => {}
    }
    let mut count = 0;
    for value in &assignment.values {
        for part in &value.parts {
            match &part.kind {
                PartKind::Literal(_) => {}
                PartKind::Variable { name, .. } if !is_list_path_variable(name) => {}
                _ => return None,
            }
        }
        // fish splits a path variable (any `*PATH`) on `:` when it is set.
        let colons = value
            .parts
            .iter()
            .map(|part| match &part.kind {
                PartKind::Literal(text) => text.matches(':').count(),
                _ => 0,
            })
            .sum::<usize>();
        count += 1 + if variable.ends_with("PATH") {
            colons
        } else {
            0
        };
    }
    Some(count)
}

/// `set`: each multiplied word becomes its list. `export NAME=…`: the whole command becomes
/// `set -gx NAME <list>` (shared with CG302, so either fix leaves the same text).
fn fix_for(
    file: &StartupFile,
    statement: &Statement,
    assignment: &Assignment,
    is_export: bool,
) -> Option<Fix> {
    let message = "Write the value as a fish list";
    if is_export {
        let content = export_as_set(file, statement, assignment)?;
        return Some(Fix::safe(
            message,
            vec![Edit::replace(statement.range.clone(), content)],
        ));
    }
    let mut edits = Vec::new();
    for value in &assignment.values {
        if joined_list_variable(value).is_some() {
            edits.push(Edit::replace(
                value.range.clone(),
                as_list(value, file.source)?,
            ));
        }
    }
    Some(Fix::safe(message, edits))
}

/// `export NAME=$NAME:/x` as `set -gx NAME $NAME /x`, when the command is exactly that.
pub(crate) fn export_as_set(
    file: &StartupFile,
    statement: &Statement,
    assignment: &Assignment,
) -> Option<String> {
    let value = assignment.values.first()?;
    if assignment.values.len() != 1 || value.range.end != statement.range.end {
        return None;
    }
    Some(format!(
        "set -gx {} {}",
        assignment.name,
        as_list(value, file.source)?
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{path_after, run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_joined_lists() {
        for text in [
            "export PATH=$PATH:/usr/local/go/bin\n",
            "export PATH=/x:$PATH\n",
            "set -gx PATH /opt/nvim/bin:$PATH\n",
            "set -gx PATH $PATH:/x\n",
            "set -x PATH $HOME/bin:$PATH\n",
            "set -gx MANPATH $MANPATH:/opt/man\n",
            "set -gx LD_LIBRARY_PATH /opt/lib:$LD_LIBRARY_PATH\n",
            "set -g fish_user_paths ~/bin:$fish_user_paths\n",
            "if not contains /x $PATH\n    export PATH=$PATH:/x\nend\n",
            // Known to hold several elements: set here as a list, or as `a:b` (split on `:`).
            "set -gx GOPATH $HOME/go $HOME/work\nset -gx CDPATH $GOPATH:/x\n",
            "set -gx GOPATH \"$HOME/go:$HOME/work\"\nset -gx PYTHONPATH /x:$GOPATH\n",
            // Known to be empty: the text is swallowed.
            "set -e GOPATH\nset -gx PYTHONPATH $GOPATH:/x\n",
        ] {
            assert_eq!(findings("CG301", Shell::Fish, text).len(), 1, "{text}");
        }
        let message = &findings("CG301", Shell::Fish, "export PATH=$PATH:/x\n")[0].message;
        assert!(message.contains("keeps only the last"), "{message}");
        let message = &findings("CG301", Shell::Fish, "set -gx PATH /x:$PATH\n")[0].message;
        assert!(
            message.contains("`/x` lands before every entry"),
            "{message}"
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "export PATH=\"$PATH:/x\"\n",
            "set -gx PATH \"/x:$PATH\"\n",
            "set -gx PATH /x $PATH\n",
            "set -gx PATH $HOME/bin $PATH\n",
            "set -gx GOBIN $HOME/go/bin\n",
            "set -gx PATH $HOME/bin:\"$PATH\"\n",
            "set -gx EDITOR $HOME/bin/vim\n",
            "echo $PATH:/x\n",
            // One element per directory is what `$GOPATH/bin` means (no `:` join).
            "set -gx GOPATH $HOME/go\nset -gx PATH $GOPATH/bin $PATH\n",
            "set -gx PATH $GOPATH/bin $PATH\n",
            "set -gx GOPATH $HOME/go $HOME/work\nset -gx PATH $GOPATH/bin $PATH\n",
            // Joined with `:`, but known to hold one element, or not known here at all.
            "set -gx GOPATH $HOME/go\nset -gx PYTHONPATH $GOPATH:/x\n",
            "set -gx PYTHONPATH $SOME_TOOL_PATH:/x\n",
            "function f\n    set -gx GOPATH /a /b\nend\nset -gx GOPATH /a\nset -gx PYTHONPATH $GOPATH:/x\n",
            "# >>> conda initialize >>>\nset -gx PATH /c/bin:$PATH\n# <<< conda initialize <<<\n",
        ] {
            assert!(findings("CG301", Shell::Fish, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fixes_with_a_list() {
        for (before, after) in [
            (
                "export PATH=$PATH:/usr/local/go/bin\n",
                "set -gx PATH $PATH /usr/local/go/bin\n",
            ),
            ("export PATH=/x:$PATH\n", "set -gx PATH /x $PATH\n"),
            (
                "set -gx PATH /opt/nvim/bin:$PATH\n",
                "set -gx PATH /opt/nvim/bin $PATH\n",
            ),
            (
                "set -gx PATH $HOME/bin:$PATH:/y\n",
                "set -gx PATH $HOME/bin $PATH /y\n",
            ),
            (
                "set -gx PATH $PATH':/my dir'\n",
                "set -gx PATH $PATH '/my dir'\n",
            ),
            (
                "set -gx PATH \"$HOME/bin\":$PATH\n",
                "set -gx PATH \"$HOME/bin\" $PATH\n",
            ),
            (
                "test -d /x; and export PATH=$PATH:/x\n",
                "test -d /x; and set -gx PATH $PATH /x\n",
            ),
        ] {
            assert_eq!(assert_fix_converges("CG301", Shell::Fish, before), after);
        }
        // An empty piece has no exact list: reported, not rewritten.
        let text = "set -gx PATH $PATH:\n";
        assert_eq!(lines("CG301", Shell::Fish, text), vec![1]);
        assert_eq!(fixed("CG301", Shell::Fish, text), text);
    }

    /// CG302 (fish-export) fixes the same line; either fix first, or both together, ends in
    /// the same working list.
    #[test]
    fn the_export_fix_and_this_fix_agree() {
        let before = "export PATH=$PATH:/usr/local/go/bin\n";
        let expected = "set -gx PATH $PATH /usr/local/go/bin\n";
        let this_first = fixed("CG302", Shell::Fish, &fixed("CG301", Shell::Fish, before));
        let export_first = fixed("CG301", Shell::Fish, &fixed("CG302", Shell::Fish, before));
        assert_eq!(this_first, expected);
        assert_eq!(export_first, expected);
        let both = fixed_at(
            "CG3",
            Shell::Fish,
            default_path(Shell::Fish),
            before,
            crate::Applicability::Safe,
        );
        assert_eq!(both, expected);
    }

    /// fish 3.6: `$GOPATH/bin` gives one directory per element of `GOPATH` — one with the
    /// usual one-element value, `bin` of each with several (what Go wants); `$GOPATH:/x` is
    /// one `a:b` element (split again by `PATH`) while `GOPATH` has one element, and
    /// multiplies once it has several.
    #[test]
    fn oracle_one_element_lists_are_fine() {
        let home = FakeHome::new();
        let go = home.path().join("go").to_string_lossy().into_owned();
        let one = "set -gx GOPATH $HOME/go\nset -gx PATH $GOPATH/bin $PATH\n";
        assert!(findings("CG301", Shell::Fish, one).is_empty());
        let Some(entries) = path_after(OracleShell::Fish, &home, one) else {
            return;
        };
        assert_eq!(
            entries,
            [format!("{go}/bin"), "/usr/bin".into(), "/bin".into()]
        );
        let two = "set -gx GOPATH /a /b\nset -gx PATH $GOPATH/bin $PATH\n";
        assert!(findings("CG301", Shell::Fish, two).is_empty());
        let entries = path_after(OracleShell::Fish, &home, two).expect("fish ran");
        assert_eq!(entries, ["/a/bin", "/b/bin", "/usr/bin", "/bin"]);
        let joined = "set -gx GOPATH $HOME/go\nset -gx PATH $GOPATH:/x $PATH\n";
        assert!(findings("CG301", Shell::Fish, joined).is_empty());
        let entries = path_after(OracleShell::Fish, &home, joined).expect("fish ran");
        assert_eq!(
            entries,
            [go.clone(), "/x".into(), "/usr/bin".into(), "/bin".into()]
        );
        let several = "set -gx GOPATH /a /b\nset -gx PATH $GOPATH:/x $PATH\n";
        assert_eq!(lines("CG301", Shell::Fish, several), vec![2]);
        let entries = path_after(OracleShell::Fish, &home, several).expect("fish ran");
        assert_eq!(entries, ["/a", "/x", "/b", "/x", "/usr/bin", "/bin"]);
        let fixed = assert_fix_converges("CG301", Shell::Fish, several);
        let entries = path_after(OracleShell::Fish, &home, &fixed).expect("fish ran");
        assert_eq!(entries, ["/a", "/b", "/x", "/usr/bin", "/bin"]);
    }

    /// fish 3.6: `export PATH=$PATH:/x` leaves the last entry plus /x; `set -gx PATH /x:$PATH`
    /// puts /x before every entry; an empty list swallows the text. The fix gives the list.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let home = FakeHome::new();
        let cases: [(&str, &[&str], &[&str]); 3] = [
            (
                "export PATH=$PATH:/opt/x/bin\n",
                &["/bin", "/opt/x/bin"],
                &["/usr/bin", "/bin", "/opt/x/bin"],
            ),
            (
                "set -gx PATH /opt/x/bin:$PATH\n",
                &["/opt/x/bin", "/usr/bin", "/opt/x/bin", "/bin"],
                &["/opt/x/bin", "/usr/bin", "/bin"],
            ),
            (
                "set -gx PATH $PATH:/opt/x/bin\n",
                &["/usr/bin", "/opt/x/bin", "/bin", "/opt/x/bin"],
                &["/usr/bin", "/bin", "/opt/x/bin"],
            ),
        ];
        for (before, broken, working) in cases {
            let Some(entries) = path_after(OracleShell::Fish, &home, before) else {
                return;
            };
            assert_eq!(entries, broken, "{before}");
            let after = assert_fix_converges("CG301", Shell::Fish, before);
            let entries = path_after(OracleShell::Fish, &home, &after).expect("fish ran");
            assert_eq!(entries, working, "{after}");
        }
        // An unset list swallows the text.
        let before = "set -gx LD_LIBRARY_PATH /opt/x/lib:$LD_LIBRARY_PATH\n";
        let run = run_snippet(OracleShell::Fish, &home, before).expect("fish ran");
        assert_eq!(run.var("LD_LIBRARY_PATH"), Some(""));
        let after = assert_fix_converges("CG301", Shell::Fish, before);
        assert_eq!(
            after,
            "set -gx LD_LIBRARY_PATH /opt/x/lib $LD_LIBRARY_PATH\n"
        );
        let run = run_snippet(OracleShell::Fish, &home, &after).expect("fish ran");
        assert_eq!(run.var("LD_LIBRARY_PATH"), Some("/opt/x/lib"));
    }
}
