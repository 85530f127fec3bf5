use std::ops::Range;

use condago_syntax::tree_sitter::Node;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{FileKind, StartupFile};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds bash-only syntax in `~/.profile` (and any file `/bin/sh` reads): `[[ … ]]`,
    /// `source`, `==` in `[ … ]` or `test`, `function f`, arrays (`a=(…)`) and `$'…'`.
    ///
    /// ## Why is this bad?
    /// `~/.profile` is read by `/bin/sh` too — dash on Debian and Ubuntu — by display
    /// managers, `sh -l`, and scripts that source it. Checked with dash 0.5.12:
    ///
    /// - `[[ … ]]`: "[[: not found"; the test counts as false, so what it guards (a `PATH`
    ///   entry) silently does not happen.
    /// - `source f`: "source: not found"; nothing from `f` is loaded.
    /// - `[ a == b ]`: "unexpected operator"; the test counts as false.
    /// - `$'…'`: dash keeps the `$` and the escapes, so the value is different.
    /// - `function f { … }` and `a=(…)` are *syntax errors*: dash stops reading the file
    ///   at that line, and `sh -l -c cmd` exits with status 2 without running `cmd`.
    ///
    /// Runtime bashisms under a test for bash (`if [ -n "$BASH_VERSION" ]`) are left
    /// alone: dash never runs them. The syntax errors are reported even there, because
    /// dash fails while reading the block.
    ///
    /// ## Example
    /// ```bash
    /// if [[ -d "$HOME/go/bin" ]]; then
    ///     PATH="$HOME/go/bin:$PATH"
    /// fi
    /// source "$HOME/.cargo/env"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// if [ -d "$HOME/go/bin" ]; then
    ///     PATH="$HOME/go/bin:$PATH"
    /// fi
    /// . "$HOME/.cargo/env"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, where the rewrite is mechanical: `source f` → `. f` (when `f` has a `/`:
    /// `.` would search `PATH` otherwise), `==` → `=` inside `[ ]`, `function f {` →
    /// `f() {`, and `[[ … ]]` → `[ … ]` only for one `-f`/`-d`/`-n`/… test or one `=`/`!=`
    /// comparison on quoted or plain words, where both mean the same. What was skipped
    /// under dash now runs.
    pub(crate) const RULE = Rule {
        code: "CG406",
        name: "bashism-in-profile",
        summary: "`[[ ]]`, `source`, `function f`, arrays, `$'…'`, `==` in `~/.profile`, which `/bin/sh` also reads",
        shells: Shells::BASH,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

struct Finding {
    range: Range<usize>,
    message: String,
    help: &'static str,
    fix: Option<Vec<Edit>>,
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !(file.kind == FileKind::Profile || file.read_by_sh) {
        return;
    }
    let Some(tree) = file.tree else {
        return;
    };
    let mut found = Vec::new();
    walk(tree.root_node(), file, false, &mut found);
    for finding in found {
        let in_block = file.conda_blocks.iter().any(|block| {
            block.range.start <= finding.range.start && finding.range.end <= block.range.end
        });
        if in_block {
            continue;
        }
        let report = checker
            .report(finding.range, finding.message)
            .help(finding.help);
        if let Some(edits) = finding.fix {
            report.fix(Fix::unsafe_("Write it for /bin/sh", edits));
        }
    }
}

/// Whether a test only bash passes (`[ -n "$BASH_VERSION" ]`, `[ "$BASH" ]`).
fn tests_for_bash(text: &str) -> bool {
    text.contains("BASH_VERSION") || text.contains("ZSH_VERSION") || text.contains("$BASH")
}

fn walk(node: Node, file: &StartupFile, bash_only: bool, out: &mut Vec<Finding>) {
    let text = |n: Node| file.text(n.byte_range()).into_owned();
    match node.kind() {
        "if_statement" => {
            let mut cursor = node.walk();
            let mut condition = String::new();
            for (i, child) in node.children(&mut cursor).enumerate() {
                if node.field_name_for_child(i as u32) == Some("condition") {
                    condition.push_str(&text(child));
                    walk(child, file, bash_only, out);
                } else if matches!(child.kind(), "elif_clause" | "else_clause") {
                    walk(child, file, bash_only, out);
                } else {
                    walk(child, file, bash_only || tests_for_bash(&condition), out);
                }
            }
            return;
        }
        "list" => {
            let mut cursor = node.walk();
            let mut guarded = bash_only;
            for child in node.children(&mut cursor) {
                walk(child, file, guarded, out);
                if child.is_named() && tests_for_bash(&text(child)) {
                    guarded = true;
                }
            }
            return;
        }
        "test_command" => {
            let source = text(node);
            if source.starts_with("[[") {
                if !bash_only {
                    out.push(Finding {
                        range: node.byte_range(),
                        message: "`/bin/sh` (dash) has no `[[ … ]]`: it prints \"[[: not found\", the test counts as false, and what it guards silently does not happen".to_string(),
                        help: "use `[ … ]` (quote the variables)",
                        fix: double_bracket_fix(node, file),
                    });
                }
                return;
            }
            if let Some(op) = equals_equals(node) {
                if !bash_only {
                    out.push(equals_finding(op));
                }
            }
        }
        "command" => {
            let name = node
                .child_by_field_name("name")
                .map(text)
                .unwrap_or_default();
            if name == "source" && !bash_only {
                let argument = node.child_by_field_name("argument");
                let shown = argument.map(text).unwrap_or_default();
                let fix = node
                    .child_by_field_name("name")
                    .filter(|_| shown.contains('/'))
                    .map(|name| vec![Edit::replace(name.byte_range(), ".")]);
                out.push(Finding {
                    range: node.byte_range(),
                    message: format!(
                        "`/bin/sh` (dash) has no `source`: it prints \"source: not found\" and nothing from `{shown}` is loaded"
                    ),
                    help: "use `.` (with a path that has a `/`)",
                    fix,
                });
            }
            if name == "test" && !bash_only {
                let mut cursor = node.walk();
                let op = node
                    .children(&mut cursor)
                    .find(|child| !child.is_named() && child.kind() == "==");
                if let Some(op) = op {
                    out.push(equals_finding(op));
                }
            }
        }
        "function_definition" => {
            let first = node.child(0);
            if first.is_some_and(|first| first.kind() == "function") {
                out.push(Finding {
                    range: node
                        .child_by_field_name("name")
                        .map_or(node.byte_range(), |name| node.start_byte()..name.end_byte()),
                    message: "`function f` is a syntax error for `/bin/sh` (dash): it stops reading the file here, so nothing below is set, and `sh -l -c cmd` exits without running `cmd`".to_string(),
                    help: "write `f() { … }`",
                    fix: function_fix(node, file),
                });
            }
        }
        "variable_assignment"
            if node
                .child_by_field_name("value")
                .is_some_and(|value| value.kind() == "array") =>
        {
            out.push(Finding {
                range: node.byte_range(),
                message: "arrays are a syntax error for `/bin/sh` (dash): it stops reading the file here, so nothing below is set, and `sh -l -c cmd` exits without running `cmd`".to_string(),
                help: "use a plain string, or move the line to `.bashrc`",
                fix: None,
            });
        }
        "ansi_c_string" => {
            if !bash_only {
                out.push(Finding {
                    range: node.byte_range(),
                    message: "`/bin/sh` (dash) does not know `$'…'`: it keeps the `$` and the backslash escapes as text, so the value differs".to_string(),
                    help: "use `printf` to make the string, or plain quotes",
                    fix: None,
                });
            }
            return;
        }
        _ => {}
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, file, bash_only, out);
    }
}

fn equals_finding(op: Node) -> Finding {
    Finding {
        range: op.byte_range(),
        message: "`/bin/sh` (dash) has no `==` in `[ ]` or `test`: it prints \"unexpected operator\" and the test counts as false".to_string(),
        help: "use `=`",
        fix: Some(vec![Edit::replace(op.byte_range(), "=")]),
    }
}

/// The `==` operator of a `[ a == b ]`.
fn equals_equals(test: Node) -> Option<Node> {
    let mut cursor = test.walk();
    let expression = test
        .named_children(&mut cursor)
        .find(|child| child.kind() == "binary_expression")?;
    let mut cursor = expression.walk();
    let op = expression
        .children(&mut cursor)
        .find(|child| child.kind() == "==");
    op
}

/// `function f {` / `function f() {` → `f() {`.
fn function_fix(node: Node, file: &StartupFile) -> Option<Vec<Edit>> {
    let name = node.child_by_field_name("name")?;
    let body = node.child_by_field_name("body")?;
    let name_text = file.text(name.byte_range());
    Some(vec![Edit::replace(
        node.start_byte()..body.start_byte(),
        format!("{name_text}() "),
    )])
}

/// `[[ -d "$x" ]]` → `[ -d "$x" ]`, `[[ "$a" == b ]]` → `[ "$a" = b ]`: only where `[`
/// reads it the same (one simple test, quoted or plain operands).
fn double_bracket_fix(node: Node, file: &StartupFile) -> Option<Vec<Edit>> {
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    let [open, expression, close] = children.as_slice() else {
        return None;
    };
    if open.kind() != "[[" || close.kind() != "]]" {
        return None;
    }
    let mut edits = vec![
        Edit::replace(open.byte_range(), "["),
        Edit::replace(close.byte_range(), "]"),
    ];
    if !simple_test(*expression, file, &mut edits) {
        return None;
    }
    Some(edits)
}

fn simple_test(expression: Node, file: &StartupFile, edits: &mut Vec<Edit>) -> bool {
    let mut cursor = expression.walk();
    let children: Vec<Node> = expression.children(&mut cursor).collect();
    match expression.kind() {
        "unary_expression" => match children.as_slice() {
            [bang, inner] if bang.kind() == "!" => simple_test(*inner, file, edits),
            [op, operand] if op.kind() == "test_operator" => {
                let op = file.text(op.byte_range());
                matches!(
                    op.as_ref(),
                    "-f" | "-d" | "-e" | "-r" | "-s" | "-x" | "-w" | "-n" | "-z" | "-L" | "-h"
                ) && plain_operand(*operand, file)
            }
            _ => false,
        },
        "binary_expression" => match children.as_slice() {
            [left, op, right] => {
                let ok = match op.kind() {
                    "==" => {
                        edits.push(Edit::replace(op.byte_range(), "="));
                        true
                    }
                    "=" | "!=" => true,
                    _ => false,
                };
                ok && plain_operand(*left, file) && plain_operand(*right, file)
            }
            _ => false,
        },
        _ => false,
    }
}

/// A double-quoted string, or a word with no expansion and no glob character.
fn plain_operand(node: Node, file: &StartupFile) -> bool {
    let text = file.text(node.byte_range());
    match node.kind() {
        "string" | "raw_string" => true,
        "word" | "extglob_pattern" | "number" => !text
            .chars()
            .any(|c| matches!(c, '*' | '?' | '[' | ']' | '$' | '`' | '(' | '\\' | '~')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    const PROFILE: &str = "home/.profile";

    fn profile(text: &str) -> Vec<usize> {
        lines("CG406", Shell::Sh, text)
    }

    #[test]
    fn finds_bashisms() {
        for text in [
            "if [[ -d \"$HOME/go/bin\" ]]; then\n    PATH=\"$HOME/go/bin:$PATH\"\nfi\n",
            "[ -f \"$HOME/.cargo/env\" ] && source \"$HOME/.cargo/env\"\n",
            "if [ \"$XDG_SESSION_TYPE\" == wayland ]; then export MOZ_ENABLE_WAYLAND=1; fi\n",
            "test \"$TERM\" == xterm && export TERM=xterm-256color\n",
            "function addpath {\n    PATH=\"$1:$PATH\"\n}\n",
            "dirs=(\"$HOME/bin\" \"$HOME/.local/bin\")\n",
            "export IFS=$'\\n'\n",
        ] {
            assert_eq!(profile(text).len(), 1, "{text}");
        }
        // Also when the shell is detected as bash: the file name says sh reads it.
        let text = "source ~/.env\n";
        assert_eq!(findings_at("CG406", Shell::Bash, PROFILE, text).len(), 1);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "if [ -d \"$HOME/bin\" ]; then\n    PATH=\"$HOME/bin:$PATH\"\nfi\n",
            ". \"$HOME/.cargo/env\"\n",
            "if [ -n \"$BASH_VERSION\" ]; then\n    if [[ -f \"$HOME/.bashrc\" ]]; then\n        source \"$HOME/.bashrc\"\n    fi\nfi\n",
            "[ -n \"$BASH_VERSION\" ] && source ~/.bashrc\n",
            "addpath() {\n    PATH=\"$1:$PATH\"\n}\n",
            "[ \"$a\" = b ] && export C=1\n",
            "echo '[[ ]] source function'\n",
        ] {
            assert!(profile(text).is_empty(), "{text}");
        }
        // The same lines in .bashrc or .bash_profile are bash's own.
        let text = "if [[ -d ~/bin ]]; then PATH=~/bin:$PATH; fi\nsource ~/.env\n";
        assert!(lines("CG406", Shell::Bash, text).is_empty());
        assert!(findings_at("CG406", Shell::Bash, "home/.bash_profile", text).is_empty());
    }

    #[test]
    fn fixes_what_is_mechanical() {
        for (before, after) in [
            (
                "if [[ -d \"$HOME/go/bin\" ]]; then\n    PATH=\"$HOME/go/bin:$PATH\"\nfi\n",
                "if [ -d \"$HOME/go/bin\" ]; then\n    PATH=\"$HOME/go/bin:$PATH\"\nfi\n",
            ),
            (
                "[[ ! -f \"$f\" ]] || export A=1\n",
                "[ ! -f \"$f\" ] || export A=1\n",
            ),
            (
                "[[ \"$a\" == b ]] && export A=1\n",
                "[ \"$a\" = b ] && export A=1\n",
            ),
            (
                "[ -f \"$HOME/.cargo/env\" ] && source \"$HOME/.cargo/env\"\n",
                "[ -f \"$HOME/.cargo/env\" ] && . \"$HOME/.cargo/env\"\n",
            ),
            (
                "test \"$a\" == b && export A=1\n",
                "test \"$a\" = b && export A=1\n",
            ),
            (
                "[ \"$a\" == b ] && export A=1\n",
                "[ \"$a\" = b ] && export A=1\n",
            ),
            ("function f {\n    :\n}\n", "f() {\n    :\n}\n"),
            ("function f() {\n    :\n}\n", "f() {\n    :\n}\n"),
        ] {
            assert_eq!(
                fixed_at(
                    "CG406",
                    Shell::Sh,
                    PROFILE,
                    before,
                    crate::Applicability::Unsafe
                ),
                after,
                "{before}"
            );
            let once = fixed_at(
                "CG406",
                Shell::Sh,
                PROFILE,
                after,
                crate::Applicability::Unsafe,
            );
            assert_eq!(once, after, "idempotent");
        }
        // `[` would split `$x` and glob `b*`: no mechanical rewrite.
        for text in [
            "[[ -d $x ]] && export A=1\n",
            "[[ $a == b* ]] && export A=1\n",
            "[[ -d a && -d b ]] && export A=1\n",
            "source env.sh\n",
        ] {
            assert_eq!(profile(text).len(), 1, "{text}");
            assert_eq!(
                fixed_at(
                    "CG406",
                    Shell::Sh,
                    PROFILE,
                    text,
                    crate::Applicability::Unsafe
                ),
                text
            );
        }
    }

    /// dash 0.5.12 as a login shell reading ~/.profile: `[[` and `source` skip what they
    /// guard; `function f` stops everything. After the fix each works.
    #[test]
    fn oracle_dash_reads_the_profile() {
        let home = FakeHome::new();
        std::fs::create_dir_all(home.path().join("go/bin")).expect("mkdir");
        home.write(".env", "export FROM_ENV=1\n");
        let go_bin = home.path().join("go/bin").to_string_lossy().into_owned();
        let cases = [
            "if [[ -d \"$HOME/go/bin\" ]]; then\n    PATH=\"$HOME/go/bin:$PATH\"\nfi\nexport PATH\n",
            "source \"$HOME/.env\"\n",
            "function addpath {\n    PATH=\"$1:$PATH\"\n}\naddpath \"$HOME/go/bin\"\nexport PATH\n",
        ];
        for before in cases {
            home.write(".profile", before);
            let Some((entries, run)) =
                startup_path(OracleShell::Sh, Mode::Login, &home, "/usr/bin:/bin")
            else {
                return;
            };
            assert!(!entries.contains(&go_bin), "{before}: {entries:?}");
            assert_eq!(run.var("FROM_ENV"), None);
            assert!(!run.stderr.is_empty(), "{before}: dash said nothing");
            let after = fixed_at(
                "CG406",
                Shell::Sh,
                PROFILE,
                before,
                crate::Applicability::Unsafe,
            );
            assert_ne!(after, before);
            home.write(".profile", &after);
            let (entries, run) =
                startup_path(OracleShell::Sh, Mode::Login, &home, "/usr/bin:/bin").expect("ran");
            assert!(run.stderr.is_empty(), "{after}: {}", run.stderr);
            assert!(
                entries.contains(&go_bin) || run.var("FROM_ENV") == Some("1"),
                "{after}: {entries:?}"
            );
        }
        // `function f` is a syntax error: `sh -l -c cmd` never runs `cmd`.
        home.write(".profile", "function f { :; }\n");
        let (_, run) =
            startup_path(OracleShell::Sh, Mode::Login, &home, "/usr/bin:/bin").expect("ran");
        assert!(run.exported.is_none(), "{run:?}");
        assert_eq!(run.status, Some(2));
    }
}
