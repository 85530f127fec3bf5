use condago_syntax::Shell;

use crate::diagnostic::Severity;
use crate::model::ConditionKind;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{enclosure, init_command, line_number, Enclosure};

crate::declare_rule! {
    /// ## What it does
    /// Finds an init block inside a function or a conditional (`if [ -d ~/miniconda3 ];
    /// then … fi`, a `case` branch, `cond && { … }`). The markers are comments, so the
    /// containment is decided from the statements inside the block.
    ///
    /// ## Why is this bad?
    /// `conda init` and `mamba shell init` manage the block by its marker lines alone and
    /// know nothing of the code around it. `conda init --reverse` deletes the block's lines
    /// and leaves the surrounding `if …; then` / `fi` (or `f() {` / `}`) behind with an empty
    /// body — which bash and `/bin/sh` reject: from then on every new bash stops with
    /// `syntax error near unexpected token 'fi'`, and nothing after that line runs. zsh and
    /// fish accept the empty body, but the leftover condition stays. A re-init rewrites
    /// the block in place, still inside the condition, whatever the new template assumes.
    ///
    /// A block in a function runs only when the function is called.
    ///
    /// The block already copes with a missing installation (its hook runs only when conda's
    /// executable works), so the usual reason for wrapping it — dotfiles shared by machines
    /// without conda — does not need the wrapper.
    ///
    /// ## Example
    /// ```bash
    /// if [ -d "$HOME/miniconda3" ]; then
    /// # >>> conda initialize >>>
    /// …
    /// # <<< conda initialize <<<
    /// fi
    /// ```
    ///
    /// ## Use instead
    /// The block at top level, as the init command wrote it.
    ///
    /// ## Fix safety
    /// No fix: unwrapping the block changes when it runs.
    pub(crate) const RULE = Rule {
        code: "CG207",
        name: "conda-block-in-function",
        summary: "an init block inside a function or conditional, where `conda init` cannot manage it",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let strict = matches!(file.shell, Shell::Bash | Shell::Sh);
    for (index, block) in file.conda_blocks.iter().enumerate() {
        let Some(marker) = block.start_marker.clone() else {
            continue;
        };
        let Some(around) = enclosure(file, index) else {
            continue;
        };
        let tool = block.tool.as_str();
        let init = init_command(tool);
        let (place, leftover) = match around {
            Enclosure::Function(name) => (
                format!("inside function `{name}`, so it runs only when `{name}` is called"),
                format!("`{name}` with an empty body"),
            ),
            Enclosure::Condition(condition) => {
                let line = line_number(file, condition.range.start);
                let test = condition.test.trim();
                match condition.kind {
                    ConditionKind::Case => (
                        format!("inside a `case {test}` branch (line {line})"),
                        "an empty `case` branch".to_string(),
                    ),
                    ConditionKind::List => (
                        format!("behind `{test} &&` (line {line})"),
                        "an empty `{ }` group".to_string(),
                    ),
                    ConditionKind::While => (
                        format!("inside a loop (line {line})"),
                        "an empty loop".to_string(),
                    ),
                    _ => (
                        format!("inside `if {test}` (line {line})"),
                        "the `if` with an empty body".to_string(),
                    ),
                }
            }
        };
        let consequence = if strict {
            format!(
                "`{init} --reverse` deletes the block's lines and leaves {leftover}, which {} rejects: every new shell then stops with a syntax error",
                if file.shell == Shell::Sh { "sh" } else { "bash" }
            )
        } else {
            format!(
                "`{init} --reverse` deletes only the block's lines and leaves {leftover} behind, and a re-init rewrites the block in place without knowing it is wrapped"
            )
        };
        checker
            .report(
                marker,
                format!("the `{tool} initialize` block sits {place}: `{init}` manages it by its markers alone — {consequence}"),
            )
            .help("keep the block at top level; it already copes with a machine without conda");
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{syntax_check, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{conda_reverse, init_block};
    use crate::rules::test_support::*;

    fn wrapped(shell: &str) -> String {
        match shell {
            "fish" => format!(
                "if test -d $HOME/miniconda3\n{}end\n",
                init_block("fish", "/home/u/miniconda3")
            ),
            _ => format!(
                "if [ -d \"$HOME/miniconda3\" ]; then\n{}fi\n",
                init_block(shell, "/home/u/miniconda3")
            ),
        }
    }

    #[test]
    fn finds_wrapped_blocks_in_each_shell() {
        assert_eq!(lines("CG207", Shell::Bash, &wrapped("bash")), vec![2]);
        assert_eq!(lines("CG207", Shell::Zsh, &wrapped("zsh")), vec![2]);
        assert_eq!(lines("CG207", Shell::Fish, &wrapped("fish")), vec![2]);
        let function = format!(
            "setup_conda() {{\n{}}}\nsetup_conda\n",
            init_block("bash", "/x")
        );
        assert_eq!(lines("CG207", Shell::Bash, &function), vec![2]);
        let fish_function = format!("function setup_conda\n{}end\n", init_block("fish", "/x"));
        assert_eq!(lines("CG207", Shell::Fish, &fish_function), vec![2]);
        let list = format!("[ -d /x ] && {{\n{}}}\n", init_block("bash", "/x"));
        assert_eq!(lines("CG207", Shell::Bash, &list), vec![2]);
        let message = &findings("CG207", Shell::Bash, &wrapped("bash"))[0].message;
        assert!(message.contains("syntax error"), "{message}");
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, name) in [
            (Shell::Bash, "bash"),
            (Shell::Zsh, "zsh"),
            (Shell::Fish, "fish"),
        ] {
            assert!(lines("CG207", shell, &init_block(name, "/x")).is_empty());
        }
        // An `if` after the block, and one before it.
        let text = format!(
            "if true; then\n  echo a\nfi\n{}if true; then\n  echo b\nfi\n",
            init_block("bash", "/x")
        );
        assert!(lines("CG207", Shell::Bash, &text).is_empty());
        // A function defined inside the block (edited by hand) does not wrap it.
        let inner = init_block("bash", "/x")
            .replace("unset __conda_setup\n", "unset __conda_setup\nf() { :; }\n");
        assert!(lines("CG207", Shell::Bash, &inner).is_empty());
    }

    /// The real shells' parsers after what `conda init --reverse` does (delete every block
    /// conda's pattern finds): bash and `/bin/sh` reject the emptied `if`; zsh and fish
    /// accept it. The top-level block leaves a valid file everywhere.
    #[test]
    fn oracle_reverse_leaves_an_empty_if() {
        for (oracle, shell) in [
            (OracleShell::Bash, "bash"),
            (OracleShell::Sh, "bash"),
            (OracleShell::Zsh, "zsh"),
            (OracleShell::Fish, "fish"),
        ] {
            let text = wrapped(shell);
            let reversed = conda_reverse(&text);
            assert_ne!(reversed, text);
            let Some(original) = syntax_check(oracle, &text) else {
                continue;
            };
            assert_eq!(original, Ok(()), "{oracle:?}");
            let after = syntax_check(oracle, &reversed).expect("shell");
            if matches!(oracle, OracleShell::Bash | OracleShell::Sh) {
                let error = after.expect_err("bash rejects an empty then");
                assert!(error.contains("fi"), "{oracle:?}: {error}");
            } else {
                assert_eq!(after, Ok(()), "{oracle:?}: {reversed}");
            }
            let top = init_block(shell, "/home/u/miniconda3");
            assert_eq!(syntax_check(oracle, &conda_reverse(&top)), Some(Ok(())));
        }
    }
}
