use crate::diagnostic::Severity;
use crate::model::FileKind;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{block_statements, line_number};

crate::declare_rule! {
    /// ## What it does
    /// Finds an init block that only interactive shells reach: after the `.bashrc` line
    /// that returns early in non-interactive shells (`case $- in *i*) ;; *) return;; esac`,
    /// `[[ $- != *i* ]] && return`, Debian's and Ubuntu's default), inside
    /// `if [[ $- == *i* ]]` / `[[ -o interactive ]]`, or inside fish's
    /// `if status is-interactive` (or after `status is-interactive; or return`).
    ///
    /// ## Why is this bad?
    /// Shells that are not interactive still read some startup files, and they get no
    /// conda: fish reads `config.fish` for `fish -c` and every fish script; bash reads
    /// `.bashrc` for commands run over ssh (`ssh host python train.py`, `ssh host conda
    /// env list`) and where `BASH_ENV` points at it; login shells that run a command (`bash
    /// -lc`, `zsh -lc`, what IDEs use to read the environment) read the profile files. In
    /// all of these `conda` is not defined and base is not on `PATH`, with no message.
    ///
    /// This is sometimes what you want (conda's hook is slow, and scripts should not
    /// depend on it); hence only an info. Not reported in `.zshrc`, which only interactive
    /// zsh reads anyway.
    ///
    /// ## Example
    /// ```fish
    /// if status is-interactive
    ///     # >>> conda initialize >>>
    ///     …
    ///     # <<< conda initialize <<<
    /// end
    /// ```
    ///
    /// ## Use instead
    /// The block at top level, before the interactive-only part of the file.
    ///
    /// ## Fix safety
    /// No fix: moving the block changes what every non-interactive shell does.
    pub(crate) const RULE = Rule {
        code: "CG206",
        name: "conda-block-guarded",
        summary: "an init block only interactive shells reach: `bash -c`/`fish -c`, ssh commands and IDE tasks get no conda",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(file.kind, FileKind::Zshrc) {
        return;
    }
    for (index, block) in file.conda_blocks.iter().enumerate() {
        let Some(marker) = block.start_marker.clone() else {
            continue;
        };
        let mut statements = block_statements(file, index).peekable();
        let Some(first) = statements.peek().copied() else {
            continue;
        };
        if !statements.all(|statement| statement.context.interactive_only) {
            continue;
        }
        let guard = first
            .context
            .conditions
            .iter()
            .find(|condition| condition.range.start < block.range.start)
            .map(|condition| {
                format!(
                    "inside `if {}` (line {})",
                    condition.test.trim(),
                    line_number(file, condition.range.start)
                )
            })
            .unwrap_or_else(|| {
                "after the line that returns early in non-interactive shells".to_string()
            });
        let tool = block.tool.as_str();
        let who = match file.kind {
            FileKind::Bashrc => {
                "commands run over ssh (`ssh host python …`: bash runs them non-interactively, with `.bashrc`)"
            }
            FileKind::FishConfig | FileKind::FishConfD => {
                "`fish -c`, fish scripts and tools that start fish non-interactively"
            }
            FileKind::Zshenv => "`zsh -c`, zsh scripts and every non-interactive zsh",
            _ => "non-interactive shells that read this file (`bash -lc`, `zsh -lc`, IDE tasks)",
        };
        checker
            .report(
                marker,
                format!(
                    "the `{tool} initialize` block sits {guard}: only interactive shells run it, so {who} get no `{tool}` and no base on PATH"
                ),
            )
            .help("move the block before the interactive-only part if scripts and remote commands need conda");
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{init_block, install_conda};
    use crate::rules::test_support::*;

    const DEBIAN_GUARD: &str = "# If not running interactively, don't do anything\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nHISTCONTROL=ignoreboth\n";

    #[test]
    fn finds_guarded_blocks_in_each_shell() {
        let bash = format!("{DEBIAN_GUARD}{}", init_block("bash", "/x/m"));
        assert_eq!(lines("CG206", Shell::Bash, &bash), vec![8]);
        let arch = format!("[[ $- != *i* ]] && return\n{}", init_block("bash", "/x/m"));
        assert_eq!(lines("CG206", Shell::Bash, &arch), vec![2]);
        let wrapped = format!(
            "if [[ $- == *i* ]]; then\n{}fi\n",
            init_block("bash", "/x/m")
        );
        assert_eq!(lines("CG206", Shell::Bash, &wrapped), vec![2]);
        let fish = format!(
            "if status is-interactive\n{}end\n",
            init_block("fish", "/x/m")
        );
        assert_eq!(lines("CG206", Shell::Fish, &fish), vec![2]);
        let zshenv = format!(
            "if [[ -o interactive ]]; then\n{}fi\n",
            init_block("zsh", "/x/m")
        );
        assert_eq!(
            findings_at("CG206", Shell::Zsh, "home/.zshenv", &zshenv).len(),
            1
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        // Top level.
        for (shell, name) in [(Shell::Bash, "bash"), (Shell::Fish, "fish")] {
            assert!(lines("CG206", shell, &init_block(name, "/x/m")).is_empty());
        }
        // Before the guard.
        let before = format!("{}{DEBIAN_GUARD}", init_block("bash", "/x/m"));
        assert!(lines("CG206", Shell::Bash, &before).is_empty());
        // A guard in .zshrc changes nothing: only interactive zsh reads it.
        let zshrc = format!(
            "if [[ -o interactive ]]; then\n{}fi\n",
            init_block("zsh", "/x/m")
        );
        assert!(lines("CG206", Shell::Zsh, &zshrc).is_empty());
        // Other conditions.
        let dir = format!("if [ -d ~/m ]; then\n{}fi\n", init_block("bash", "/x/m"));
        assert!(lines("CG206", Shell::Bash, &dir).is_empty());
    }

    /// The real shells: an interactive bash (fish) that reads the file gets base on PATH;
    /// a non-interactive one that reads the same file (bash through `BASH_ENV`, as over
    /// ssh; `fish -c`) stops at the guard and gets none.
    #[test]
    fn oracle_non_interactive_shells_get_no_conda() {
        let mut home = FakeHome::new();
        let base = install_conda(&home, "miniconda3");
        let bashrc = format!("{DEBIAN_GUARD}{}", init_block("bash", &base));
        assert_eq!(lines("CG206", Shell::Bash, &bashrc).len(), 1);
        let rc = home.write(".bashrc", &bashrc);
        let fish = format!(
            "if status is-interactive\n{}end\n",
            init_block("fish", &base)
        );
        assert_eq!(lines("CG206", Shell::Fish, &fish).len(), 1);
        home.write(".config/fish/config.fish", &fish);
        home.set_env("BASH_ENV", &rc.to_string_lossy());
        let base_bin = format!("{base}/bin");
        for shell in [OracleShell::Bash, OracleShell::Fish] {
            let Some((interactive, _)) =
                startup_path(shell, Mode::Interactive, &home, "/usr/bin:/bin")
            else {
                continue;
            };
            assert_eq!(interactive.first(), Some(&base_bin), "{shell:?}");
            let (scripted, run) =
                startup_path(shell, Mode::NonInteractive, &home, "/usr/bin:/bin").expect("shell");
            assert!(
                !scripted.contains(&base_bin),
                "{shell:?}: {scripted:?} {}",
                run.stderr
            );
            assert_eq!(scripted, vec!["/usr/bin".to_string(), "/bin".to_string()]);
        }
    }
}
