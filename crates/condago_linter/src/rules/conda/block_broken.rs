use crate::diagnostic::Severity;
use crate::model::CondaBlock;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::{init_command, line_number};

crate::declare_rule! {
    /// ## What it does
    /// Finds init blocks that `conda init` / `mamba shell init` can no longer find: a start
    /// marker without its end marker (or the reverse), a block started inside another one,
    /// a conda start marker closed by a mamba end marker, and a conda start marker that was
    /// indented or edited.
    ///
    /// ## Why is this bad?
    /// The tools manage their block by its markers alone. conda looks for
    /// `^# >>> conda initialize >>>` at the very start of a line, followed directly by the
    /// line break, then for the first `# <<< conda initialize <<<` after it
    /// (`CONDA_INITIALIZE_RE_BLOCK` in `conda/core/initialize.py`); mamba looks for
    /// `# >>> mamba initialize >>>` … `# <<< mamba initialize <<<` anywhere. When the pair is
    /// not found, a re-run of the init command (after an update, or `conda init --all`)
    /// appends a fresh block — now the file has two — and `conda init --reverse` leaves this
    /// one in place. Nothing in the shell says so: the broken block keeps running.
    ///
    /// mamba's start marker may be indented (its pattern is not anchored); conda's may
    /// not, and its end marker may be indented.
    ///
    /// ## Example
    /// ```bash
    ///     # >>> conda initialize >>>
    ///     __conda_setup="$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)"
    ///     …
    ///     # <<< conda initialize <<<
    /// ```
    ///
    /// ## Use instead
    /// The markers exactly as the tool wrote them, the start marker at the start of its line.
    ///
    /// ## Fix safety
    /// No fix: which lines belong to the block is exactly what is unclear. Run the init
    /// command again after restoring the markers, or delete the block and run it again.
    pub(crate) const RULE = Rule {
        code: "CG203",
        name: "conda-block-broken",
        summary: "an init block whose markers `conda init` / `mamba shell init` can no longer find",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let blocks = &file.conda_blocks;
    for (index, block) in blocks.iter().enumerate() {
        let tool = block.tool.as_str();
        let init = init_command(tool);
        let start_text = |block: &CondaBlock| {
            block
                .start_marker
                .clone()
                .map(|range| file.text(range).into_owned())
                .unwrap_or_default()
        };
        match (&block.start_marker, &block.end_marker) {
            (Some(start), None) => {
                // A start inside this block is reported there.
                if blocks
                    .get(index + 1)
                    .is_some_and(|next| next.nested && next.start_marker.is_some())
                {
                    continue;
                }
                checker
                    .report(
                        start.clone(),
                        format!(
                            "this `{tool} initialize` block has no end marker `# <<< {tool} initialize <<<`: `{init}` cannot find it, so a re-run appends a second block and `--reverse` leaves this one"
                        ),
                    )
                    .help(format!(
                        "put `# <<< {tool} initialize <<<` back after the block's last line"
                    ));
            }
            (None, Some(end)) => {
                checker
                    .report(
                        end.clone(),
                        format!(
                            "an end marker without its start marker `# >>> {tool} initialize >>>`: `{init}` cannot find this block, so a re-run appends a second block and `--reverse` leaves these lines"
                        ),
                    )
                    .help(format!(
                        "put `# >>> {tool} initialize >>>` back before the block's first line"
                    ));
            }
            (Some(start), Some(end)) if block.nested => {
                let end_text = file.text(end.clone()).into_owned();
                if !end_text.contains(tool) {
                    checker
                        .report(
                            end.clone(),
                            format!(
                                "`# >>> {tool} initialize >>>` (line {}) is closed by `{}`: neither `conda init` nor `mamba shell init` finds this block",
                                line_number(file, start.start),
                                end_text.trim()
                            ),
                        )
                        .help(format!("close the block with `# <<< {tool} initialize <<<`"));
                } else {
                    let outer = blocks[..index]
                        .iter()
                        .rev()
                        .find(|outer| outer.end_marker.is_none() && outer.start_marker.is_some());
                    let outer_line = outer
                        .and_then(|outer| outer.start_marker.as_ref())
                        .map_or(0, |range| line_number(file, range.start));
                    checker
                        .report(
                            start.clone(),
                            format!(
                                "a `{tool} initialize` block starts inside the one opened on line {outer_line}, which has no end marker of its own: `{init}` takes both for one block and rewrites them as one"
                            ),
                        )
                        .help("keep one block; delete the other's lines");
                }
            }
            (Some(start), Some(_)) if tool == "conda" => {
                let text = start_text(block);
                let text = text.strip_suffix('\r').unwrap_or(&text);
                if text != "# >>> conda initialize >>>" {
                    let what = if text.starts_with([' ', '\t']) {
                        "indented"
                    } else {
                        "edited"
                    };
                    checker
                        .report(
                            start.clone(),
                            format!(
                                "the start marker is {what}: `conda init` looks for exactly `# >>> conda initialize >>>` at the start of a line, so it cannot find this block — a re-run appends a second block and `conda init --reverse` leaves this one"
                            ),
                        )
                        .help("write the start marker exactly as `# >>> conda initialize >>>`, at the start of its line");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{conda_finds, init_block, install_conda};
    use crate::rules::test_support::*;

    #[test]
    fn finds_broken_markers_in_each_shell() {
        let bash = init_block("bash", "/x/m");
        let no_end = bash.replace("# <<< conda initialize <<<\n", "");
        assert_eq!(lines("CG203", Shell::Bash, &no_end), vec![1]);
        let no_start = bash.replace("# >>> conda initialize >>>\n", "");
        assert_eq!(lines("CG203", Shell::Zsh, &no_start), vec![13]);
        let indented = format!(
            "if true; then\n{}fi\n",
            bash.replace("# >>> conda", "  # >>> conda")
        );
        assert_eq!(lines("CG203", Shell::Bash, &indented), vec![2]);
        let fish = init_block("fish", "/x/m")
            .replace("# >>> conda initialize >>>", "# >>> conda initialize >>> ");
        assert_eq!(lines("CG203", Shell::Fish, &fish), vec![1]);
        let mixed = bash.replace("# <<< conda initialize <<<", "# <<< mamba initialize <<<");
        assert_eq!(lines("CG203", Shell::Bash, &mixed), vec![14]);
        let nested = format!("# >>> conda initialize >>>\neval x\n{bash}");
        assert_eq!(lines("CG203", Shell::Bash, &nested), vec![3]);
        // micromamba's block with its end marker lost (the realistic zsh-09 fixture).
        let micromamba = "# >>> mamba initialize >>>\nexport MAMBA_EXE='/home/u/.local/bin/micromamba';\nexport MAMBA_ROOT_PREFIX='/home/u/micromamba';\n";
        assert_eq!(lines("CG203", Shell::Zsh, micromamba), vec![1]);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for shell in ["bash", "zsh", "fish"] {
            let file_shell = match shell {
                "bash" => Shell::Bash,
                "zsh" => Shell::Zsh,
                _ => Shell::Fish,
            };
            assert!(lines("CG203", file_shell, &init_block(shell, "/x/m")).is_empty());
        }
        // CRLF line endings, an indented end marker, an indented mamba block.
        let crlf = init_block("bash", "/x/m").replace('\n', "\r\n");
        assert!(lines("CG203", Shell::Bash, &crlf).is_empty());
        let end = init_block("bash", "/x/m").replace("# <<< conda", "  # <<< conda");
        assert!(lines("CG203", Shell::Bash, &end).is_empty());
        let mamba = "if true; then\n  # >>> mamba initialize >>>\n  export MAMBA_ROOT_PREFIX='/x';\n  # <<< mamba initialize <<<\nfi\n";
        assert!(lines("CG203", Shell::Bash, mamba).is_empty());
        // Two separate good blocks are CG202's.
        let two = format!("{0}{0}", init_block("bash", "/x/m"));
        assert!(lines("CG203", Shell::Bash, &two).is_empty());
    }

    /// Every block the tools really write, in its own shell: no CG2xx rule says a word.
    #[test]
    fn the_reference_blocks_are_clean_for_every_conda_rule() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/realistic/init-blocks");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("SKIPPED: {} not found", dir.display());
            return;
        };
        let mut checked = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let shell = match name.rsplit('.').next() {
                Some("bash") => Shell::Bash,
                Some("zsh") => Shell::Zsh,
                Some("fish") => Shell::Fish,
                _ => continue,
            };
            let Ok(text) = std::fs::read_to_string(entry.path()) else {
                continue;
            };
            for code in [
                "CG201", "CG202", "CG203", "CG204", "CG205", "CG206", "CG207",
            ] {
                assert!(lines(code, shell, &text).is_empty(), "{code} on {name}");
            }
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} reference blocks");
    }

    /// The markers conda itself finds: the intact block is found; an indented or edited
    /// start marker, or a missing end marker, is not — so `conda init` appends a new block
    /// and the real shell then runs both (the hook twice, two `conda` set-ups).
    #[test]
    fn oracle_conda_cannot_find_the_block() {
        let block = init_block("bash", "/x/m");
        assert_eq!(conda_finds(&block).len(), 1);
        for broken in [
            block.replace("# >>> conda", "    # >>> conda"),
            block.replace(">>> conda initialize >>>", ">>> conda initialize >>> "),
            block.replace("# <<< conda initialize <<<\n", ""),
        ] {
            assert_eq!(lines("CG203", Shell::Bash, &broken).len(), 1, "{broken}");
            assert!(conda_finds(&broken).is_empty(), "{broken}");
        }
        // What a re-run of `conda init` then does (`"\n" + block + "\n"` appended), in the
        // real shell: the hook runs twice.
        let home = FakeHome::new();
        let base = install_conda(&home, "miniconda3");
        home.write_executable(
            "miniconda3/bin/conda-counter",
            "#!/bin/sh\necho hook >> \"$HOME/hooks.log\"\n",
        );
        let counted = init_block("bash", &base).replace(
            "__conda_setup=",
            &format!("{base}/bin/conda-counter\n__conda_setup="),
        );
        let indented = counted.replace("# >>> conda", "    # >>> conda");
        let rerun = format!("{indented}\n{counted}\n");
        assert_eq!(conda_finds(&rerun).len(), 1);
        let Some(run) = run_snippet(OracleShell::Bash, &home, &rerun) else {
            return;
        };
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        let log = std::fs::read_to_string(home.path().join("hooks.log")).unwrap_or_default();
        assert_eq!(log.lines().count(), 2, "the hook ran {log:?}");
    }
}
