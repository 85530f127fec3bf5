use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a backslash-escaped expansion — `\$fpath`, `\$PATH` — in the value of a
    /// search-path variable: zsh's `fpath`, `path`, `manpath`, `cdpath`, `module_path`, or
    /// any `*PATH` (`fpath=(~/.zfunc \$fpath)`, `export PATH=~/bin:\$PATH`). The escape
    /// belongs to a line generated with `echo "… \$fpath" >> ~/.zshrc`; pasted into the file
    /// itself, it stays.
    ///
    /// ## Why is this bad?
    /// `\$` is a literal dollar sign. Checked with zsh 5.9: `fpath=(~/x \$fpath)` leaves
    /// `fpath` with two elements, `~/x` expanded and the text `$fpath` — every system
    /// function directory is gone, so `compinit`, prompts and completions that autoload from
    /// them fail ("function definition file not found"). With `path`/`PATH` the same line
    /// drops every inherited directory: `ls` is "command not found". bash 5.2 does the same
    /// with `PATH=~/bin:\$PATH` (`PATH` ends with the literal text `$PATH`).
    ///
    /// ## Example
    /// ```zsh
    /// fpath=(~/.zfunc \$fpath)
    /// ```
    ///
    /// ## Use instead
    /// ```zsh
    /// fpath=(~/.zfunc $fpath)
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: removing the backslash makes the old value expand again, which changes the
    /// variable — to what the line was written for.
    pub(crate) const RULE = Rule {
        code: "CG413",
        name: "escaped-expansion-in-path",
        summary: "`\\$fpath`/`\\$PATH` escaped in a search-path value: the old value is replaced by the literal text `$fpath`",
        shells: Shells::BASH_ZSH,
        severity: Severity::Error,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// zsh's array forms of search paths.
const ZSH_PATH_ARRAYS: &[&str] = &["fpath", "path", "manpath", "cdpath", "module_path"];

fn check(checker: &mut Checker) {
    let file = checker.file;
    for (_, assignment) in file.assignments() {
        let name = assignment.name.as_str();
        if !(ZSH_PATH_ARRAYS.contains(&name) || name.ends_with("PATH")) {
            continue;
        }
        for word in &assignment.values {
            let text = file.source.get(word.range.clone()).unwrap_or_default();
            for at in escaped_dollars(text) {
                let start = word.range.start + at;
                let variable: String = file
                    .text(start + 2..word.range.end)
                    .chars()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                checker
                    .report(
                        start..start + 2 + variable.len(),
                        format!(
                            "`\\${variable}` is escaped: `{name}` gets the literal text `${variable}` instead of its old value, so every directory it held is dropped"
                        ),
                    )
                    .help(format!("write `${variable}` without the backslash"))
                    .fix(Fix::unsafe_(
                        "Remove the backslash",
                        vec![Edit::delete(start..start + 1)],
                    ));
            }
        }
    }
}

/// Offsets of `\$` followed by a name or `{` outside single quotes.
fn escaped_dollars(text: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut single = false;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\'' => single = !single,
            b'\\' if !single => {
                let next = text.get(i + 2).copied().unwrap_or(b' ');
                if text.get(i + 1) == Some(&b'$')
                    && (next.is_ascii_alphabetic() || next == b'_' || next == b'{')
                {
                    out.push(i);
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_escaped_expansions() {
        assert_found_once(
            "CG413",
            &[
                (Shell::Zsh, "fpath=(~/.zfunc \\$fpath)\n"),
                (Shell::Zsh, "path=(/opt/x/bin \\$path)\n"),
                (Shell::Bash, "export PATH=~/bin:\\$PATH\n"),
                (Shell::Zsh, "export MANPATH=\"/opt/x/man:\\${MANPATH}\"\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG413",
            &[
                (Shell::Zsh, "fpath=(~/.zfunc $fpath)\n"),
                (Shell::Bash, "export PATH=\"$HOME/bin:$PATH\"\n"),
                (
                    Shell::Bash,
                    "echo \"export PATH=~/bin:\\$PATH\" >> ~/.bashrc\n",
                ),
                (Shell::Bash, "export PS1='\\$ '\n"),
                (Shell::Bash, "PATH='/x:\\$y'\n"),
            ],
        );
    }

    #[test]
    fn fixes_by_removing_the_backslash() {
        assert_eq!(
            assert_fix_converges("CG413", Shell::Zsh, "fpath=(~/.zfunc \\$fpath)\n"),
            "fpath=(~/.zfunc $fpath)\n"
        );
    }

    /// zsh: `fpath` ends as `~/x` and the text `$fpath`; bash: `PATH` ends with `$PATH`.
    /// After the fix the old entries are there.
    #[test]
    fn oracle_old_value_is_replaced_by_text() {
        let home = FakeHome::new();
        let line = "fpath=(/opt/zfunc \\$fpath)\n";
        let show = "print -rl -- $fpath\n";
        if let Some(run) = run_snippet(OracleShell::Zsh, &home, &format!("{line}{show}")) {
            assert_eq!(run.stdout, "/opt/zfunc\n$fpath\n", "{run:?}");
            let fixed = fixed("CG413", Shell::Zsh, line);
            let run = run_snippet(OracleShell::Zsh, &home, &format!("{fixed}{show}")).expect("ran");
            let lines: Vec<&str> = run.stdout.lines().collect();
            assert_eq!(lines[0], "/opt/zfunc");
            assert!(lines.len() > 2 && !lines.contains(&"$fpath"), "{run:?}");
        }
        let line = "export PATH=/opt/x:\\$PATH\n";
        if let Some(run) = run_snippet(OracleShell::Bash, &home, line) {
            assert_eq!(run.path_entries().expect("PATH"), ["/opt/x", "$PATH"]);
            let fixed = fixed("CG413", Shell::Bash, line);
            let run = run_snippet(OracleShell::Bash, &home, &fixed).expect("ran");
            assert_eq!(
                run.path_entries().expect("PATH"),
                ["/opt/x", "/usr/bin", "/bin"]
            );
        }
    }
}
