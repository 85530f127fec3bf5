use crate::diagnostic::Severity;
use crate::model::CondaBlock;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a conda or mamba init block whose every line between the markers is commented
    /// out — the usual way of turning conda off by hand — and says what the next
    /// `conda init` will do to it.
    ///
    /// ## Why is this bad?
    /// Today the block does nothing, which is what was wanted. But conda manages the block
    /// by its markers, and what a re-run of `conda init` (an installer, `conda init --all`,
    /// advice to "run conda init") does depends on them. conda finds its block with
    /// `CONDA_INITIALIZE_RE_BLOCK` in `conda/core/initialize.py` (multi-line mode):
    ///
    /// ```text
    /// ^# >>> conda initialize >>>(?:\n|\r\n)([\s\S]*?)# <<< conda initialize <<<(?:\n|\r\n)?
    /// ```
    ///
    /// and appends a block only `if "# >>> conda initialize >>>" not in rc_content`.
    ///
    /// - Start marker left as it was (`# >>> conda initialize >>>` at the start of its
    ///   line), the lines below commented, the end marker too (`## <<< conda initialize
    ///   <<<` still contains the unanchored end text): conda finds the block and replaces
    ///   it with a fresh, active one. The next `conda init` turns conda back on — base
    ///   activated, its `bin` first on `PATH` — without a word.
    /// - Start marker commented too (`## >>> conda initialize >>>`, `# # >>> …`): the
    ///   anchored start no longer matches, and the substring test still finds the marker
    ///   text inside the comment, so `conda init` neither replaces nor appends: it reports
    ///   "no change" and conda stays uninitialised in this shell. `conda init --reverse`
    ///   leaves the lines too.
    /// - mamba's pattern is not anchored (`# >>> mamba initialize >>>` anywhere), so
    ///   `mamba shell init` finds a commented mamba block and makes it active again.
    ///
    /// ## Example
    /// ```bash
    /// # >>> conda initialize >>>
    /// # !! Contents within this block are managed by 'conda init' !!
    /// #__conda_setup="$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)"
    /// #…
    /// ## <<< conda initialize <<<
    /// ```
    ///
    /// ## Use instead
    /// To keep the `conda` command but stop base from taking over `PATH`:
    /// `conda config --set auto_activate_base false` (`auto_activate: false` in recent
    /// conda) and the block as `conda init` wrote it. To remove conda from this shell:
    /// `conda init --reverse` (or delete the lines), and do not run `conda init` again.
    ///
    /// ## Fix safety
    /// No fix: whether conda should come back is the user's call.
    pub(crate) const RULE = Rule {
        code: "CG208",
        name: "conda-block-commented-out",
        summary: "an init block commented out line by line: the next `conda init` re-enables it (or, with the start marker commented, silently does nothing)",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for block in &file.commented_conda_blocks {
        let Some(start) = block.start_marker.clone() else {
            continue;
        };
        let message = match (block.tool.as_str(), conda_finds_it(file, block)) {
            ("conda", true) => "this conda block is commented out, but its start marker is not: `conda init` still finds the block and replaces it with an active one — the next run turns conda back on (base first on PATH)".to_string(),
            ("conda", false) => "this conda block is commented out, its start marker too: `conda init` no longer finds it and, seeing the marker text, adds none — a re-run reports no change and leaves conda off in this shell".to_string(),
            (tool, _) => format!("this {tool} block is commented out: `mamba shell init` still finds its markers (they are not anchored) and replaces it with an active block"),
        };
        checker.report(start, message).help(
            "keep conda but not base on PATH: `conda config --set auto_activate_base false` and the block as written; no conda here: `conda init --reverse` or delete the lines",
        );
    }
}

/// Whether `CONDA_INITIALIZE_RE_BLOCK` finds the block: its start marker is exactly
/// `# >>> conda initialize >>>` at the start of its line (an end marker was found after it).
fn conda_finds_it(file: &crate::model::StartupFile, block: &CondaBlock) -> bool {
    let Some(start) = block.start_marker.clone() else {
        return false;
    };
    let text = file.text(start);
    let text = text.strip_suffix('\r').unwrap_or(&text);
    text == "# >>> conda initialize >>>" && block.end_marker.is_some()
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{conda_finds, conda_init, init_block, install_conda};
    use crate::rules::test_support::*;

    const SHELLS: [(&str, Shell, OracleShell); 3] = [
        ("bash", Shell::Bash, OracleShell::Bash),
        ("zsh", Shell::Zsh, OracleShell::Zsh),
        ("fish", Shell::Fish, OracleShell::Fish),
    ];

    /// Every line commented out but the start marker (what an editor's "toggle comment" on
    /// the lines below the marker gives, or a hand edit).
    fn body_commented(block: &str) -> String {
        block
            .lines()
            .map(|line| {
                if line == "# >>> conda initialize >>>" {
                    line.to_string()
                } else {
                    format!("#{line}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    /// Every line commented out, the markers included.
    fn all_commented(block: &str) -> String {
        block
            .lines()
            .map(|line| format!("# {line}"))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }

    #[test]
    fn finds_commented_blocks_in_each_shell() {
        for (name, shell, _) in SHELLS {
            let block = init_block(name, "/x/m");
            let body = format!("export EDITOR=vim\n{}echo hi\n", body_commented(&block));
            assert_eq!(lines("CG208", shell, &body), vec![2], "{name}");
            let found = findings("CG208", shell, &body);
            assert!(found[0].message.contains("turns conda back on"));
            let all = all_commented(&block);
            assert_eq!(lines("CG208", shell, &all), vec![1], "{name}");
            let found = findings("CG208", shell, &all);
            assert!(found[0].message.contains("no change"));
            // No other conda rule takes these for a broken block.
            for text in [&body, &all] {
                for code in ["CG201", "CG202", "CG203", "CG205", "CG206", "CG207"] {
                    assert!(
                        lines(code, shell, text).is_empty(),
                        "{code} {name}:\n{text}"
                    );
                }
            }
        }
        let mamba = "# >>> mamba initialize >>>\n#export MAMBA_EXE='/x/bin/mamba';\n# <<< mamba initialize <<<\n";
        assert_eq!(lines("CG208", Shell::Bash, mamba), vec![1]);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (name, shell, _) in SHELLS {
            let block = init_block(name, "/x/m");
            // The block as written; one extra commented line in a working block; a
            // commented end marker under working lines (conda still finds the block).
            let one_comment = block.replace(
                "# <<< conda initialize <<<",
                "# conda activate base\n# <<< conda initialize <<<",
            );
            let end_only = block.replace("# <<< conda", "## <<< conda");
            for text in [block.clone(), one_comment, end_only] {
                assert!(lines("CG208", shell, &text).is_empty(), "{name}:\n{text}");
            }
        }
        // A stray commented marker and a block holding only its header.
        for text in [
            "## <<< conda initialize <<<\necho hi\n",
            "## >>> conda initialize >>>\nexport A=1\n",
            "# >>> conda initialize >>>\n# !! Contents within this block are managed by 'conda init' !!\n# <<< conda initialize <<<\n",
        ] {
            assert!(lines("CG208", Shell::Bash, text).is_empty(), "{text}");
        }
    }

    /// In each real shell the commented block defines no `conda`. After conda's own
    /// re-init (`conda_init`: its pattern and its substring test), the block with its start
    /// marker intact runs again — `conda` is a function and base's `condabin` is on PATH —
    /// while the fully commented one is left as it was, still without conda.
    #[test]
    fn oracle_what_the_next_conda_init_does() {
        for (name, _, oracle) in SHELLS {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let block = init_block(name, &base);
            let probe = match name {
                "fish" => "\nif functions -q conda; echo conda-defined; end\n",
                _ => "\nif command -v conda >/dev/null 2>&1; then echo conda-defined; fi\n",
            };
            let body = body_commented(&block);
            let all = all_commented(&block);
            for text in [&body, &all] {
                let Some(run) = run_snippet(oracle, &home, &format!("{text}{probe}")) else {
                    return;
                };
                assert!(
                    !run.stdout.contains("conda-defined"),
                    "{name}: {}",
                    run.stdout
                );
            }
            assert_eq!(conda_finds(&body).len(), 1);
            let reinit = conda_init(&body, &block);
            assert_eq!(reinit, block);
            let run = run_snippet(oracle, &home, &format!("{reinit}{probe}")).expect("ran");
            assert!(
                run.stdout.contains("conda-defined"),
                "{name}: {}",
                run.stderr
            );
            let entries = run.path_entries().expect("PATH");
            assert!(
                entries.contains(&format!("{base}/condabin")),
                "{name}: {entries:?}"
            );

            assert!(conda_finds(&all).is_empty());
            assert_eq!(
                conda_init(&all, &block),
                all,
                "{name}: conda init changed it"
            );
        }
    }
}
