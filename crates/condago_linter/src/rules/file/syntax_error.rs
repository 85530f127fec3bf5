use condago_syntax::tree_sitter::Node;
use condago_syntax::Parse;

use crate::diagnostic::Severity;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Reports where the parser found a syntax error or a missing token.
    ///
    /// ## Why is this bad?
    /// A shell that meets a syntax error in a startup file stops reading that file (bash and
    /// zsh abandon the rest of it; fish refuses to run it at all), so everything set after
    /// the error — `PATH` entries, conda's block — silently disappears.
    ///
    /// condago stays quiet inside regions it could not parse, so other findings there may be
    /// missing until the error is fixed.
    ///
    /// ## Example
    /// ```bash
    /// if [ -d "$HOME/bin" ]; then
    ///     PATH="$HOME/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// if [ -d "$HOME/bin" ]; then
    ///     PATH="$HOME/bin:$PATH"
    /// fi
    /// ```
    ///
    /// Check with the shell itself: `bash -n FILE`, `zsh -n FILE`, `fish --no-execute FILE`.
    pub(crate) const RULE = Rule {
        code: "CG001",
        name: "syntax-error",
        summary: "the parser found an error or a missing token",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Parse(check),
    };
}

/// At most this many syntax errors per file: after a few, the rest are usually echoes.
const MAX_ERRORS: usize = 10;

fn check(parse: &Parse, checker: &mut Checker) {
    let Some(tree) = &parse.tree else { return };
    let mut found = Vec::new();
    collect(tree.root_node(), &mut found);
    let source = checker.file.source;
    for node in found.into_iter().take(MAX_ERRORS) {
        let (range, message) = if node.is_missing() {
            let at = node.start_byte();
            (
                at..at,
                format!("syntax error: missing `{}` here", node.kind()),
            )
        } else {
            // An error node often starts with comments it swallowed: point at the first
            // piece of code in it instead.
            let mut cursor = node.walk();
            let first_code = node
                .children(&mut cursor)
                .find(|child| child.kind() != "comment")
                .unwrap_or(node);
            let start = first_code.start_byte();
            let text = String::from_utf8_lossy(&source[start..node.end_byte()]);
            let first_line = text.lines().next().unwrap_or("").trim_end();
            let shown: String = first_line.chars().take(40).collect();
            let range = start..start + first_line.len().max(1).min(node.end_byte() - start);
            let message = if shown.trim().is_empty() {
                "syntax error: the parser could not read this".to_string()
            } else {
                format!("syntax error: unexpected `{}`", shown.trim())
            };
            (range, message)
        };
        let shell = parse.shell;
        // condago's zsh grammar still rejects some valid zsh (15.7% of Debian's zsh
        // functions parse with errors): say so, and do not call it an error.
        let (message, severity) = if shell == condago_syntax::Shell::Zsh {
            (
                format!("{message} (or zsh syntax condago's zsh parser does not know)"),
                Severity::Warning,
            )
        } else {
            (message, Severity::Error)
        };
        checker
            .report(range, message)
            .severity(severity)
            .help(format!(
                "{shell} stops reading the file at an error like this; check it with `{}`",
                match shell {
                    condago_syntax::Shell::Fish => "fish --no-execute FILE",
                    condago_syntax::Shell::Zsh => "zsh -n FILE",
                    condago_syntax::Shell::Sh => "sh -n FILE",
                    condago_syntax::Shell::Bash => "bash -n FILE",
                }
            ));
    }
}

fn collect<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    if !node.has_error() || out.len() >= MAX_ERRORS {
        return;
    }
    if node.is_error() || node.is_missing() {
        out.push(node);
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect(child, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::*;
    use condago_syntax::Shell;

    #[test]
    fn reports_unclosed_if_in_each_shell() {
        assert_eq!(
            lines("CG001", Shell::Bash, "if true; then\n  PATH=/x:$PATH\n").len(),
            1
        );
        assert_eq!(
            lines("CG001", Shell::Zsh, "if true; then\n  x=1\n").len(),
            1
        );
        assert_eq!(lines("CG001", Shell::Fish, "if true\n  set x 1\n").len(), 1);
    }

    #[test]
    fn valid_files_pass() {
        assert!(lines("CG001", Shell::Bash, "if true; then x=1; fi\n").is_empty());
        assert!(lines("CG001", Shell::Fish, "if true\n  set x 1\nend\n").is_empty());
    }

    #[test]
    fn message_names_the_unexpected_text() {
        let found = findings("CG001", Shell::Bash, "echo ok\necho )\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`)`"), "{}", found[0].message);
    }

    /// The doc's claim, in the real shells: bash and zsh stop reading a sourced file at a
    /// syntax error (what comes before it ran); fish runs none of the file.
    #[test]
    fn oracle_the_rest_of_the_file_is_lost() {
        use condago_oracle::{run_snippet, FakeHome, OracleShell};
        for (oracle, shell, text, expected) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "A=1\necho )\nB=2\n",
                "A=1 B=",
            ),
            (OracleShell::Zsh, Shell::Zsh, "A=1\necho )\nB=2\n", "A=1 B="),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set A 1\necho )\nset B 2\n",
                "A= B=",
            ),
        ] {
            assert_eq!(lines("CG001", shell, text), vec![2], "{shell}");
            let home = FakeHome::new();
            home.write("rc", text.as_bytes());
            let snippet = format!("source {}/rc; echo \"A=$A B=$B\"", home.path().display());
            let Some(run) = run_snippet(oracle, &home, &snippet) else {
                continue;
            };
            assert_eq!(run.stdout.trim(), expected, "{oracle:?}: {}", run.stderr);
        }
    }
}
