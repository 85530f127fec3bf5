use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{block_lines, enclosure, line_number};

crate::declare_rule! {
    /// ## What it does
    /// Finds a second init block of the same tool in one file: two `# >>> conda initialize
    /// >>>` blocks (copied dotfiles, a merge, or a re-run of `conda init` that could not find
    /// an edited block), or two `# >>> mamba initialize >>>` blocks.
    ///
    /// ## Why is this bad?
    /// The second block runs the hook again: conda's Python starts once more at every new
    /// shell, and its `conda activate base` runs again. That second activation undoes
    /// whatever the lines between the blocks activated — `conda activate ml` after the
    /// first block is taken back down to base (conda treats activating the environment one
    /// level down as a deactivation) — and when the two blocks name different
    /// installations, the second one's `bin` replaces the first one's in `PATH` while the
    /// first one's `condabin` stays, and `conda` now runs the second installation.
    ///
    /// Checked against conda's activation code: when the two blocks name the same base and
    /// nothing is activated between them, the second activation is a *re*-activation that
    /// keeps `PATH` in the same order, so the blocks do not by themselves reorder `PATH`
    /// (as the rule table says); the lost activation and the doubled start-up cost are what
    /// is left.
    ///
    /// A conda block followed by a mamba block is not reported: Miniforge users need both
    /// (`mamba shell init` defines `mamba activate` for mamba 2), and mamba's hook does not
    /// activate base again when an environment is already active.
    ///
    /// ## Example
    /// ```bash
    /// # >>> conda initialize >>>
    /// …
    /// # <<< conda initialize <<<
    /// conda activate ml
    /// # >>> conda initialize >>>
    /// …
    /// # <<< conda initialize <<<
    /// ```
    ///
    /// ## Use instead
    /// One block, and activations after it.
    ///
    /// ## Fix safety
    /// Unsafe: deleting the second block changes what the shell runs (one activation
    /// fewer; with two installations, the first one stays in charge). Not offered when the
    /// block sits inside a function or condition.
    pub(crate) const RULE = Rule {
        code: "CG202",
        name: "conda-block-duplicated",
        summary: "a second init block of the same tool: the hook and `conda activate base` run twice",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let blocks = &file.conda_blocks;
    for (index, block) in blocks.iter().enumerate() {
        if !block.is_well_formed() {
            continue;
        }
        let Some(first) = blocks[..index]
            .iter()
            .find(|earlier| earlier.is_well_formed() && earlier.tool == block.tool)
        else {
            continue;
        };
        let Some(marker) = block.start_marker.clone() else {
            continue;
        };
        let first_line = line_number(file, first.range.start);
        let tool = block.tool.as_str();
        let message = match (&first.base, &block.base) {
            (Some(a), Some(b)) if a != b => format!(
                "a second `{tool} initialize` block, for another installation (`{b}`; the block on line {first_line} sets up `{a}`): its `{tool} activate base` replaces `{a}/bin` with `{b}/bin` in PATH, leaves `{a}/condabin` behind, and `{tool}` now runs `{b}`'s"
            ),
            _ => format!(
                "a second `{tool} initialize` block (the first is on line {first_line}): the hook runs twice at every start, and this block's `{tool} activate base` undoes any environment activated between the two blocks"
            ),
        };
        let fix = enclosure(file, index).is_none().then(|| {
            Fix::unsafe_(
                "Delete the second block",
                vec![Edit::delete(block_lines(file, block))],
            )
        });
        let report = checker
            .report(marker, message)
            .help("keep one init block and put `conda activate …` lines after it");
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{create_env, init_block, install_conda};
    use crate::rules::test_support::*;

    fn twice(shell: &str, between: &str) -> String {
        format!(
            "{}{between}{}",
            init_block(shell, "/home/u/miniconda3"),
            init_block(shell, "/home/u/miniconda3")
        )
    }

    #[test]
    fn finds_the_second_block_in_each_shell() {
        assert_eq!(lines("CG202", Shell::Bash, &twice("bash", "\n")), vec![16]);
        assert_eq!(
            lines("CG202", Shell::Zsh, &twice("zsh", "alias x=y\n")),
            vec![16]
        );
        assert_eq!(lines("CG202", Shell::Fish, &twice("fish", "")), vec![13]);
        let mamba = "# >>> mamba initialize >>>\nexport MAMBA_ROOT_PREFIX='/x/m';\n# <<< mamba initialize <<<\n";
        assert_eq!(
            lines("CG202", Shell::Zsh, &format!("{mamba}{mamba}")),
            vec![4]
        );
        let other = format!(
            "{}{}",
            init_block("bash", "/home/u/miniconda3"),
            init_block("bash", "/home/u/anaconda3")
        );
        let found = findings("CG202", Shell::Bash, &other);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("/home/u/anaconda3"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        // One block.
        assert!(lines("CG202", Shell::Bash, &init_block("bash", "/x")).is_empty());
        // conda's block and mamba's block: Miniforge with mamba 2 needs both.
        let both = format!(
            "{}\n# >>> mamba initialize >>>\nexport MAMBA_EXE='/x/bin/mamba';\nexport MAMBA_ROOT_PREFIX='/x';\n__mamba_setup=\"$(\"$MAMBA_EXE\" shell hook --shell zsh --root-prefix \"$MAMBA_ROOT_PREFIX\" 2> /dev/null)\"\nif [ $? -eq 0 ]; then\n    eval \"$__mamba_setup\"\nfi\nunset __mamba_setup\n# <<< mamba initialize <<<\n",
            init_block("zsh", "/x")
        );
        assert!(lines("CG202", Shell::Zsh, &both).is_empty());
        // A broken first block is CG203's.
        let broken = format!(
            "# >>> conda initialize >>>\neval x\n{}",
            init_block("bash", "/x")
        );
        assert!(lines("CG202", Shell::Bash, &broken).is_empty());
    }

    #[test]
    fn fix_deletes_the_second_block() {
        let text = twice("bash", "conda activate ml\n");
        assert_eq!(
            assert_fix_converges("CG202", Shell::Bash, &text),
            format!(
                "{}conda activate ml\n",
                init_block("bash", "/home/u/miniconda3")
            )
        );
        let fish = twice("fish", "\n");
        assert_eq!(
            assert_fix_converges("CG202", Shell::Fish, &fish),
            format!("{}\n", init_block("fish", "/home/u/miniconda3"))
        );
        // Inside an `if`, deleting would leave `then fi`: reported, not fixed.
        let guarded = format!(
            "{}if true; then\n{}fi\n",
            init_block("bash", "/x"),
            init_block("bash", "/x")
        );
        assert_eq!(lines("CG202", Shell::Bash, &guarded), vec![16]);
        assert_eq!(fixed("CG202", Shell::Bash, &guarded), guarded);
    }

    /// The real shells with conda's activation logic: the environment activated between the
    /// two blocks is gone after the second one (PATH starts with base again); with the
    /// second block deleted it stays active.
    #[test]
    fn oracle_the_second_block_undoes_an_activation() {
        for (oracle, shell, name) in [
            (OracleShell::Bash, Shell::Bash, "bash"),
            (OracleShell::Zsh, Shell::Zsh, "zsh"),
            (OracleShell::Fish, Shell::Fish, "fish"),
        ] {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let env = create_env(&home, "miniconda3", "ml");
            let block = init_block(name, &base);
            let text = format!("{block}conda activate ml\n{block}");
            assert_eq!(lines("CG202", shell, &text).len(), 1);
            let after = assert_fix_converges("CG202", shell, &text);
            let Some(before) = run_snippet(oracle, &home, &text) else {
                continue;
            };
            let path = before.path_entries().expect("PATH");
            assert_eq!(path[0], format!("{base}/bin"), "{oracle:?}: {path:?}");
            assert!(
                !path.contains(&format!("{env}/bin")),
                "{oracle:?}: {path:?}"
            );
            assert_eq!(before.var("CONDA_PREFIX"), Some(base.as_str()));

            let fixed = run_snippet(oracle, &home, &after).expect("shell");
            let path = fixed.path_entries().expect("PATH");
            assert_eq!(path[0], format!("{env}/bin"), "{oracle:?}: {path:?}");
            assert_eq!(fixed.var("CONDA_PREFIX"), Some(env.as_str()));
        }
    }
}
