use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::joined_list_variable;
use super::list_concatenation::export_as_set;

crate::declare_rule! {
    /// ## What it does
    /// Finds `export NAME=value` (and `export NAME`) in a fish file.
    ///
    /// ## Why is this bad?
    /// fish has no `export` builtin: `export` is a compatibility function that takes each
    /// `NAME=value` argument apart as text and calls `set -gx`. It works for plain values,
    /// and goes wrong as soon as the value is a list or empty, because fish expands the
    /// whole `NAME=value` word once per element: `export A=$B` with `$B` unset calls
    /// `export` with no argument at all, which prints every exported variable (on standard
    /// output, at every start — enough to break `scp` to a fish user), and with several
    /// elements only the last one is kept (see CG301 for `PATH`). `set -gx` is fish's own
    /// form, and does what it says with lists and empty values.
    ///
    /// ## Example
    /// ```fish
    /// export EDITOR=vim
    /// export GOPATH=$HOME/go
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// set -gx EDITOR vim
    /// set -gx GOPATH $HOME/go
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `export NAME=value` becomes `set -gx NAME value` with the value's text kept
    /// as written (quoted stays quoted), `export NAME` becomes `set -gx NAME $NAME` and
    /// `export NAME=` becomes `set -gx NAME ''`. An unquoted `$PATH:/x` becomes the list
    /// `$PATH /x`, exactly as CG301's fix does, so the two fixes agree in any order. No
    /// fix is offered when the value starts with an unquoted `~` (which `set` would
    /// expand and `export` does not) or when one `export` sets several variables.
    pub(crate) const RULE = Rule {
        code: "CG302",
        name: "fish-export",
        summary: "`export VAR=value` in fish: a bash-compatibility wrapper; `set -gx` is the native form",
        shells: Shells::FISH,
        severity: Severity::Warning,
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
        if assignment.keyword.as_deref() != Some("export") || assignment.name.starts_with('-') {
            continue;
        }
        let name = &assignment.name;
        let shown = match assignment.values.first() {
            Some(value) if assignment.has_value => file.text(value.range.clone()).into_owned(),
            _ => format!("${name}"),
        };
        let message = format!(
            "`export` is only a bash-compatibility function in fish: it takes `{name}=…` apart as text, which goes wrong when the value is a list or empty (an empty one makes it print every exported variable); `set -gx` is fish's own form"
        );
        let help = format!("write `set -gx {name} {shown}`");
        let fix = replacement(file, statement).map(|content| {
            Fix::safe(
                "Replace `export` with `set -gx`",
                vec![Edit::replace(statement.range.clone(), content)],
            )
        });
        let report = checker.report(statement.range.clone(), message).help(help);
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// The `set -gx` command that does what the `export` command does.
fn replacement(file: &StartupFile, statement: &Statement) -> Option<String> {
    let StatementKind::Assignment(assignment) = &statement.kind else {
        return None;
    };
    let name = &assignment.name;
    // `set -gx` needs a real variable name; `export` takes anything apart as text.
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    if !assignment.has_value {
        // `export NAME` only exports the variable as it is.
        if assignment.name_range.end != statement.range.end {
            return None;
        }
        return Some(format!("set -gx {name} ${name}"));
    }
    let value = assignment.values.first()?;
    if assignment.values.len() != 1 || value.range.end != statement.range.end {
        return None;
    }
    if joined_list_variable(value).is_some() {
        return export_as_set(file, statement, assignment);
    }
    if value.parts.is_empty() || value.range.is_empty() {
        return Some(format!("set -gx {name} ''"));
    }
    let starts_with_tilde = value.parts.first().is_some_and(|part| {
        part.quote == Quote::None
            && matches!(&part.kind, PartKind::Literal(text) if text.starts_with('~'))
    });
    if starts_with_tilde {
        return None;
    }
    // Copied as it is: a value that is not UTF-8 would come out changed.
    let text = std::str::from_utf8(file.source.get(value.range.clone())?).ok()?;
    Some(format!("set -gx {name} {text}"))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_export() {
        assert_eq!(lines("CG302", Shell::Fish, "export EDITOR=vim\n"), vec![1]);
        assert_eq!(
            lines(
                "CG302",
                Shell::Fish,
                "if true\n    export PATH=\"$HOME/bin:$PATH\"\nend\n"
            ),
            vec![2]
        );
        assert_eq!(lines("CG302", Shell::Fish, "export GOPATH\n"), vec![1]);
        // The same line in bash is the real thing.
        assert!(lines("CG302", Shell::Bash, "export EDITOR=vim\n").is_empty());
        assert!(lines("CG302", Shell::Zsh, "export EDITOR=vim\n").is_empty());
    }

    #[test]
    fn no_fix_for_names_that_are_not_variables() {
        // Found by fuzzing (`scripts/fuzz`, target fix): `set -gx ð/x $ð/x` is a syntax error.
        for text in ["export ð/x\n", "export A-B=1\n", "export é=1\n"] {
            let found = findings("CG302", Shell::Fish, text);
            assert_eq!(found.len(), 1, "{text}");
            assert!(found[0].fix.is_none(), "{text}: {:?}", found[0].fix);
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "set -gx EDITOR vim\n",
            "export\n",
            "echo export A=1\n",
            "function export_all\n    set -gx A 1\nend\n",
            "# >>> conda initialize >>>\nexport A=1\n# <<< conda initialize <<<\n",
        ] {
            assert!(lines("CG302", Shell::Fish, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fixes_with_set_gx() {
        for (before, after) in [
            ("export EDITOR=vim\n", "set -gx EDITOR vim\n"),
            ("export A=$B\n", "set -gx A $B\n"),
            ("export GOPATH=$HOME/go\n", "set -gx GOPATH $HOME/go\n"),
            ("export A=\"b c\"\n", "set -gx A \"b c\"\n"),
            ("export A='b c'\n", "set -gx A 'b c'\n"),
            ("export A\n", "set -gx A $A\n"),
            ("export A=\n", "set -gx A ''\n"),
            (
                "export PATH=\"$HOME/.local/bin:$PATH\"\n",
                "set -gx PATH \"$HOME/.local/bin:$PATH\"\n",
            ),
            ("export PATH=$PATH:/x\n", "set -gx PATH $PATH /x\n"),
            (
                "export LESS=-R; and echo ok\n",
                "set -gx LESS -R; and echo ok\n",
            ),
        ] {
            assert_eq!(
                assert_fix_converges("CG302", Shell::Fish, before),
                after,
                "{before}"
            );
        }
        // `set` would expand the `~` that `export A=~/x` keeps: reported, not rewritten.
        for text in ["export A=~/x\n", "export A=1 B=2\n"] {
            assert_eq!(lines("CG302", Shell::Fish, text), vec![1], "{text}");
            assert_eq!(fixed("CG302", Shell::Fish, text), text);
        }
    }

    /// fish 3.6: `export A=$B` with `$B` unset prints every exported variable and sets
    /// nothing; the fixed `set -gx A $B` prints nothing. Plain values end the same.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let home = FakeHome::new();
        let before = "export A=$UNSET_VARIABLE\n";
        let Some(run) = run_snippet(OracleShell::Fish, &home, before) else {
            return;
        };
        assert!(run.stdout.contains("HOME"), "{run:?}");
        let after = assert_fix_converges("CG302", Shell::Fish, before);
        let run = run_snippet(OracleShell::Fish, &home, &after).expect("fish ran");
        assert_eq!(run.stdout, "");
        assert!(run.stderr.is_empty(), "{run:?}");

        for before in [
            "export EDITOR=vim\n",
            "export A=\"b c\"\n",
            "export PATH=\"/opt/x/bin:$PATH\"\n",
            "set -g A 1\nexport A\n",
            "export A=\n",
        ] {
            let after = assert_fix_converges("CG302", Shell::Fish, before);
            assert_ne!(after, before);
            let old = run_snippet(OracleShell::Fish, &home, before).expect("fish ran");
            let new = run_snippet(OracleShell::Fish, &home, &after).expect("fish ran");
            assert_eq!(old.exported, new.exported, "{before} / {after}");
            assert_eq!(old.stdout, new.stdout);
        }
    }
}
