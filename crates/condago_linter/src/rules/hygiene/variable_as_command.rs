use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::PartKind;
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::statement_words;

crate::declare_rule! {
    /// ## What it does
    /// Finds `$(PATH)` (or `$(HOME)`, `$(GOPATH)`, fish `(PATH)`) where `$PATH` was meant: a
    /// command substitution of a command named like a variable — a Makefile habit, where
    /// `$(PATH)` is the variable.
    ///
    /// ## Why is this bad?
    /// The shell runs a command called `PATH`. There is none, so it prints "command not
    /// found" once and the substitution expands to nothing (checked with bash 5.2 and zsh
    /// 5.9): `export PATH="$(PATH):/opt/x"` leaves `PATH` as `:/opt/x` — every inherited
    /// directory is gone, `ls` is "command not found", and the empty entry makes the current
    /// directory searchable. fish 3.6 stops at the unknown command and does not run the line
    /// at all ("Unknown command: PATH"): nothing is set, at every start.
    ///
    /// Only a substitution whose whole text is one upper-case name is reported (commands are
    /// rarely named in capitals; `$(GET url)` has arguments and is left alone).
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$(PATH):$HOME/.local/bin"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$PATH:$HOME/.local/bin"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes `$PATH` for `$(PATH)`, which changes what the line does — to
    /// what it was written for.
    pub(crate) const RULE = Rule {
        code: "CG408",
        name: "variable-as-command",
        summary: "`$(PATH)` for `$PATH`: runs a command named `PATH` that does not exist; the value loses everything it was to keep",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let mut seen = std::collections::HashSet::new();
    for statement in &file.statements {
        for word in statement_words(statement) {
            for part in &word.parts {
                if part.kind != PartKind::CommandSubstitution || seen.contains(&part.range.start) {
                    continue;
                }
                let text = file.text(part.range.clone());
                let Some(name) = variable_name(&text) else {
                    continue;
                };
                seen.insert(part.range.start);
                let message = match file.shell {
                    Shell::Fish => format!(
                        "`{text}` runs a command named `{name}`, not the variable: fish stops at the unknown command and skips this whole line at every start (\"Unknown command: {name}\")"
                    ),
                    _ if name == "PATH" => format!(
                        "`{text}` runs a command named `PATH`, not the variable: it is not found and expands to nothing, so `PATH` loses every inherited directory (and gets an empty entry: the current directory)"
                    ),
                    _ => format!(
                        "`{text}` runs a command named `{name}`, not the variable: it is not found (\"command not found\" at every start) and expands to nothing"
                    ),
                };
                checker
                    .report(part.range.clone(), message)
                    .help(format!("write `${name}`"))
                    .fix(Fix::unsafe_(
                        format!("Use the variable `${name}`"),
                        vec![Edit::replace(part.range.clone(), format!("${name}"))],
                    ));
            }
        }
    }
}

/// `$(PATH)`, `$( PATH )`, fish `(PATH)` → `PATH`: one upper-case name and nothing else.
fn variable_name(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('$').unwrap_or(text);
    let inner = inner.strip_prefix('(')?.strip_suffix(')')?.trim();
    let mut chars = inner.chars();
    let first = chars.next()?;
    let upper = (first.is_ascii_uppercase() || first == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && inner.chars().any(|c| c.is_ascii_uppercase());
    upper.then_some(inner)
}

#[cfg(test)]
mod tests {
    use condago_oracle::{path_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_variables_typed_as_commands() {
        assert_found_once(
            "CG408",
            &[
                (Shell::Bash, "export PATH=\"$(PATH):/opt/x\"\n"),
                (Shell::Bash, "PATH=$HOME/bin:$(PATH)\n"),
                (Shell::Zsh, "export GOPATH=$(HOME)/go\n"),
                (Shell::Fish, "set -gx PATH (PATH) /opt/x\n"),
                (Shell::Fish, "set -gx PATH $(PATH) /opt/x\n"),
                (Shell::Bash, "source $( HOME )/.cargo/env\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG408",
            &[
                (Shell::Bash, "export PATH=\"$PATH:/opt/x\"\n"),
                (Shell::Bash, "export NOW=$(date)\n"),
                (Shell::Bash, "X=$(GET http://example.org)\n"),
                (Shell::Bash, "export X=$(brew --prefix)\n"),
                (Shell::Fish, "set -gx X (pwd)\n"),
            ],
        );
    }

    #[test]
    fn fixes_to_the_variable() {
        assert_eq!(
            assert_fix_converges("CG408", Shell::Bash, "export PATH=\"$(PATH):/opt/x\"\n"),
            "export PATH=\"$PATH:/opt/x\"\n"
        );
        assert_eq!(
            assert_fix_converges("CG408", Shell::Fish, "set -gx PATH (PATH) /opt/x\n"),
            "set -gx PATH $PATH /opt/x\n"
        );
    }

    /// bash and zsh: `PATH` becomes `:/opt/x`; fish skips the line. After the fix all three
    /// keep `/usr/bin:/bin` and add `/opt/x`.
    #[test]
    fn oracle_path_loses_everything() {
        let home = FakeHome::new();
        for (oracle, shell, line) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$(PATH):/opt/x\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export PATH=\"$(PATH):/opt/x\"\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH (PATH) /opt/x\n",
            ),
        ] {
            let Some(before) = path_after(oracle, &home, line) else {
                continue;
            };
            if oracle == OracleShell::Fish {
                assert_eq!(before, ["/usr/bin", "/bin"], "{oracle:?}");
            } else {
                assert_eq!(before, ["", "/opt/x"], "{oracle:?}");
            }
            let after = path_after(oracle, &home, &fixed("CG408", shell, line)).expect("ran");
            assert_eq!(after, ["/usr/bin", "/bin", "/opt/x"], "{oracle:?}");
        }
    }
}
