use std::ops::Range;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{AssignOp, Assignment, PartKind, Quote, StartupFile, Statement};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::lines::{line_break_at, own_lines};

crate::declare_rule! {
    /// ## What it does
    /// Finds a `PATH` entry built from a variable that this file sets only *later*:
    /// `export PATH="$TOOL_HOME/bin:$PATH"` a few lines above `export TOOL_HOME=…`, or
    /// `export PATH=$PATH:$GOPATH/bin` above `export GOPATH=$HOME/go` (Go's "GOPATH used
    /// before it is set"). The same in zsh (`path=($TOOL_HOME/bin $path)`) and fish
    /// (`set -x PATH "$TOOL_HOME/bin:$PATH"`, `fish_add_path $TOOL_HOME/bin`).
    ///
    /// It fires only when the order is certain: the variable is assigned later in the same
    /// file, at top level (not in a function, a condition or a loop), and nowhere before
    /// the `PATH` line; the `PATH` line is not in a function or a loop. A variable that
    /// comes from the environment or an earlier startup file, and is never set here, is
    /// not reported.
    ///
    /// ## Why is this bad?
    /// A shell runs the file top to bottom. When the `PATH` line runs, the variable is
    /// still empty (unless some earlier file exported it), so the entry is not the tool's
    /// directory — checked with bash 5, zsh 5.9 and fish 3.6:
    ///
    /// - `"$TOOL_HOME/bin:$PATH"` puts `/bin` first instead (bash, zsh, fish quoted);
    /// - `$TOOL_BIN:$PATH` starts `PATH` with an empty entry, the current directory;
    /// - in fish, an unquoted `$TOOL_HOME/bin` element expands to nothing at all.
    ///
    /// The variable is set right after, so everything looks right in `echo $TOOL_HOME`,
    /// and the tool is still "command not found".
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$GOPATH/bin:$PATH"
    /// export GOPATH="$HOME/go"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export GOPATH="$HOME/go"
    /// export PATH="$GOPATH/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix moves the assignment (its whole lines) above the first `PATH` line
    /// that uses it, so `PATH` gets the directory it names — a different `PATH` than
    /// today's. It is offered only when both stand alone on their lines at top level and
    /// the moved value uses no variable set in between and no command substitution.
    pub(crate) const RULE = Rule {
        code: "CG108",
        name: "path-variable-set-later",
        summary: "a PATH entry uses a variable this file sets only further down: it is empty when the line runs",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let mut fixed: Vec<String> = Vec::new();
    // Each variable's first assignment, found once (statements are in source order).
    let mut first_assignments: std::collections::HashMap<&str, (&Statement, &Assignment)> =
        std::collections::HashMap::new();
    for (other, assignment) in file.assignments() {
        if !assignment.command_prefix {
            first_assignments
                .entry(assignment.name.as_str())
                .or_insert((other, assignment));
        }
    }
    for (statement, edit) in file.path_edits() {
        let context = &statement.context;
        if context.function.is_some() || context.in_loop || context.conda_block.is_some() {
            continue;
        }
        let mut reported: Vec<&str> = Vec::new();
        for entry in edit.new_entries() {
            for part in &entry.parts {
                let PartKind::Variable {
                    name,
                    complex: false,
                } = &part.kind
                else {
                    continue;
                };
                if reported.contains(&name.as_str()) {
                    continue;
                }
                let Some(later) = set_later(&first_assignments, statement, name) else {
                    continue;
                };
                reported.push(name);
                let (later_statement, later_assignment) = later;
                let line = file.line_of(later_statement.range.start) + 1;
                let entry_text = entry.as_word().display(file.source);
                let empty = entry_text
                    .replace(&format!("${{{name}}}"), "")
                    .replace(&format!("${name}"), "");
                let effect =
                    if file.shell == condago_syntax::Shell::Fish && part.quote == Quote::None {
                        "fish drops the whole element".to_string()
                    } else if empty.is_empty() {
                        "the entry is empty — the current directory".to_string()
                    } else {
                        format!("the entry is `{empty}`")
                    };
                let go = if matches!(name.as_str(), "GOPATH" | "GOBIN" | "GOROOT") {
                    " (Go's tools are then not on PATH)"
                } else {
                    ""
                };
                let message = format!(
                    "`${name}` is set only on line {line}, below this line: here it is still empty (unless inherited), so {effect} instead of `{entry_text}`{go}"
                );
                let fix = if fixed.contains(name) {
                    None
                } else {
                    fixed.push(name.clone());
                    move_above(file, statement, later_statement, later_assignment)
                };
                let report = checker
                    .report(entry.range.clone(), message)
                    .help(format!("set `{name}` before the line that puts it on PATH"));
                if let Some(fix) = fix {
                    report.fix(fix);
                }
            }
        }
    }
}

/// The first top-level, unconditional assignment of `name` after `statement`, when nothing
/// assigns it before.
fn set_later<'f>(
    first_assignments: &std::collections::HashMap<&str, (&'f Statement, &'f Assignment)>,
    statement: &Statement,
    name: &str,
) -> Option<(&'f Statement, &'f Assignment)> {
    let &(other, assignment) = first_assignments.get(name)?;
    if other.range.start < statement.range.end {
        // Assigned before (or in the PATH line itself): the order is not ours to judge.
        return None;
    }
    let usable = other.context.is_unconditional()
        && other.context.conda_block.is_none()
        && assignment.operator == AssignOp::Set
        && assignment.has_value;
    usable.then_some((other, assignment))
}

/// Moves the assignment's lines to just above the `PATH` line.
fn move_above(
    file: &StartupFile,
    statement: &Statement,
    later: &Statement,
    assignment: &Assignment,
) -> Option<Fix> {
    if !statement.context.is_unconditional() {
        return None;
    }
    let target = own_lines(file, statement)?;
    let lines = own_lines(file, later)?;
    // The moved value must mean the same above: no variable set in between, no
    // command substitution (it may need what lies in between).
    for value in &assignment.values {
        for part in &value.parts {
            match &part.kind {
                PartKind::Literal(_) => {}
                PartKind::Variable { name, .. } => {
                    let set_between = file.assignments().any(|(other, set)| {
                        &set.name == name
                            && other.range.start >= target.start
                            && other.range.start < lines.start
                    });
                    if set_between {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
    let source = file.source;
    let mut moved = String::from_utf8(source.get(lines.clone())?.to_vec()).ok()?;
    let mut deletion: Range<usize> = lines.clone();
    if !moved.ends_with('\n') {
        moved.push_str(line_break_at(file, target.start));
        let before = if source[..lines.start].ends_with(b"\r\n") {
            2
        } else if source[..lines.start].ends_with(b"\n") {
            1
        } else {
            0
        };
        deletion = lines.start - before..lines.end;
    }
    Some(Fix::unsafe_(
        format!(
            "Move the assignment of `{}` above this line",
            assignment.name
        ),
        vec![Edit::insert(target.start, moved), Edit::delete(deletion)],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{path_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_variables_set_later_in_each_shell() {
        for (shell, text, line) in [
            (
                Shell::Bash,
                "export PATH=\"$TOOL_HOME/bin:$PATH\"\nexport TOOL_HOME=/opt/tool\n",
                1,
            ),
            (
                Shell::Bash,
                "export PATH=$PATH:$GOPATH/bin\nexport GOPATH=$HOME/go\n",
                1,
            ),
            (
                Shell::Bash,
                "alias ll='ls -l'\nPATH=${TOOL_BIN}:$PATH\nTOOL_BIN=/opt/tool/bin\n",
                2,
            ),
            (
                Shell::Zsh,
                "path=($TOOL_HOME/bin $path)\nexport TOOL_HOME=/opt/tool\n",
                1,
            ),
            (
                Shell::Zsh,
                "if [[ -o interactive ]]; then\n  export PATH=\"$GOPATH/bin:$PATH\"\nfi\nexport GOPATH=~/go\n",
                2,
            ),
            (
                Shell::Fish,
                "set -x PATH \"$TOOL_HOME/bin:$PATH\"\nset -x TOOL_HOME /opt/tool\n",
                1,
            ),
            (
                Shell::Fish,
                "fish_add_path -g $GOPATH/bin\nset -gx GOPATH $HOME/go\n",
                1,
            ),
        ] {
            assert_eq!(lines("CG108", shell, text), vec![line], "{text}");
        }
        let message = &findings(
            "CG108",
            Shell::Bash,
            "export PATH=\"$TOOL_HOME/bin:$PATH\"\nexport TOOL_HOME=/opt/tool\n",
        )[0]
        .message;
        assert!(message.contains("the entry is `/bin`"), "{message}");
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            // Set before; never set here (from the environment); set before and after.
            (
                Shell::Bash,
                "export GOPATH=$HOME/go\nexport PATH=$PATH:$GOPATH/bin\n",
            ),
            (Shell::Bash, "export PATH=$PATH:$GOPATH/bin\n"),
            (
                Shell::Bash,
                "GOPATH=$HOME/go\nPATH=$PATH:$GOPATH/bin\nGOPATH=$HOME/work\n",
            ),
            // The later assignment is conditional or in a function: order unknowable.
            (
                Shell::Bash,
                "PATH=$PATH:$GOPATH/bin\nif [ -d ~/work ]; then GOPATH=~/work; fi\n",
            ),
            (
                Shell::Bash,
                "PATH=$PATH:$GOPATH/bin\nsetgo() { GOPATH=~/work; }\n",
            ),
            // The PATH line is in a function (runs when called) or a loop over the name.
            (
                Shell::Bash,
                "addgo() { PATH=$PATH:$GOPATH/bin; }\nGOPATH=~/go\naddgo\n",
            ),
            (
                Shell::Bash,
                "for d in /a /b; do PATH=$d/bin:$PATH; done\nd=/c\n",
            ),
            // A default in the expansion.
            (
                Shell::Bash,
                "PATH=${GOPATH:-$HOME/go}/bin:$PATH\nGOPATH=$HOME/go\n",
            ),
            (Shell::Zsh, "export GOPATH=~/go\npath+=($GOPATH/bin)\n"),
            (
                Shell::Fish,
                "set -gx GOPATH $HOME/go\nset -gx PATH $GOPATH/bin $PATH\n",
            ),
        ] {
            assert!(lines("CG108", shell, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fixes_by_moving_the_assignment_up() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "export PATH=\"$GOPATH/bin:$PATH\"\nexport EDITOR=vim\nexport GOPATH=\"$HOME/go\"\n",
                "export GOPATH=\"$HOME/go\"\nexport PATH=\"$GOPATH/bin:$PATH\"\nexport EDITOR=vim\n",
            ),
            (
                Shell::Fish,
                "set -x PATH \"$TOOL_HOME/bin:$PATH\"\nset -x TOOL_HOME /opt/tool",
                // No final line break: the moved line takes one, the last line keeps none.
                "set -x TOOL_HOME /opt/tool\nset -x PATH \"$TOOL_HOME/bin:$PATH\"",
            ),
        ] {
            assert_eq!(assert_fix_converges("CG108", shell, before), after);
        }
        // A value that needs what lies between is not moved.
        let text =
            "export PATH=\"$GOPATH/bin:$PATH\"\nexport GOHOME=$HOME/go\nexport GOPATH=$GOHOME\n";
        assert_eq!(lines("CG108", Shell::Bash, text), vec![1]);
        assert_eq!(fixed("CG108", Shell::Bash, text), text);
    }

    /// bash, zsh and fish: the entry is `/bin` (or nothing) instead of the tool's directory;
    /// with the assignment moved up, the directory is on PATH.
    #[test]
    fn oracle_the_variable_is_empty_when_the_line_runs() {
        for (oracle, shell, before) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$TOOL_HOME/bin:$PATH\"\nexport TOOL_HOME=\"$HOME/tool\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export PATH=\"$TOOL_HOME/bin:$PATH\"\nexport TOOL_HOME=\"$HOME/tool\"\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -x PATH \"$TOOL_HOME/bin:$PATH\"\nset -x TOOL_HOME $HOME/tool\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -x PATH $TOOL_HOME/bin $PATH\nset -x TOOL_HOME $HOME/tool\n",
            ),
        ] {
            let home = FakeHome::new();
            let dir = home.path().join("tool/bin").to_string_lossy().into_owned();
            assert_eq!(lines("CG108", shell, before), vec![1], "{before}");
            let Some(entries) = path_after(oracle, &home, before) else {
                continue;
            };
            assert!(!entries.contains(&dir), "{before}: {entries:?}");
            let quoted = before.contains('"');
            if quoted {
                assert_eq!(
                    entries.first().map(String::as_str),
                    Some("/bin"),
                    "{before}"
                );
            } else {
                assert_eq!(entries, ["/usr/bin", "/bin"], "{before}");
            }
            let after = assert_fix_converges("CG108", shell, before);
            let entries = path_after(oracle, &home, &after).expect("ran");
            assert_eq!(entries.first(), Some(&dir), "{after}");
        }
    }
}
