use crate::diagnostic::Severity;
use crate::model::{CondaBlock, StartupFile};
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
    /// The tools manage their block by its markers alone. conda finds its block with
    /// `CONDA_INITIALIZE_RE_BLOCK` in `conda/core/initialize.py`, in multi-line mode:
    ///
    /// ```text
    /// ^# >>> conda initialize >>>(?:\n|\r\n)([\s\S]*?)# <<< conda initialize <<<(?:\n|\r\n)?
    /// ```
    ///
    /// The start marker must stand at the very start of a line and be followed directly by
    /// the line break; the end marker is the first `# <<< conda initialize <<<` after it,
    /// *wherever* it stands — so `## <<< conda initialize <<<` (an end marker commented out
    /// once more) still closes the block, and is not reported here. `conda init` replaces
    /// every match with a fresh block, then appends a block only
    /// `if "# >>> conda initialize >>>" not in rc_content` — a plain substring test. So,
    /// for a block conda cannot find:
    ///
    /// - while the file still holds the text `# >>> conda initialize >>>` (an indented
    ///   start marker, one with trailing blanks, a block without its end marker), a re-run
    ///   of `conda init` adds nothing and changes nothing: it reports "no change", and the
    ///   block is never updated again (a moved installation, a new template);
    /// - when that text is gone (the start marker deleted or reworded), a re-run appends a
    ///   fresh block — now the file has two, and both run;
    /// - `conda init --reverse` (`^\s*` + the same pattern) removes only blocks the pattern
    ///   finds, so it leaves this one in place.
    ///
    /// mamba looks for `# >>> mamba initialize >>>` … `# <<< mamba initialize <<<` anywhere
    /// (its pattern is not anchored), so its start marker may be indented; when it finds
    /// no block it appends one. A block whose every line is commented out is CG208
    /// (conda-block-commented-out), not this rule.
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

/// What a re-run of the init command does to a block it cannot find.
fn rerun_outcome(file: &StartupFile, tool: &str) -> String {
    if tool != "conda" {
        return format!(
            "`{}` cannot find it, so a re-run appends a second block and `--reverse` leaves this one",
            init_command(tool)
        );
    }
    let still_there = file
        .source
        .windows(CONDA_START.len())
        .any(|window| window == CONDA_START.as_bytes());
    if still_there {
        "`conda init` cannot find it, and because the file still holds the text `# >>> conda initialize >>>` it adds none either: a re-run reports no change and never updates this block, and `conda init --reverse` leaves it".to_string()
    } else {
        "`conda init` cannot find it, so a re-run appends a second block (both then run) and `conda init --reverse` leaves this one".to_string()
    }
}

/// conda's start marker, which `conda init` tests for as a substring before appending.
const CONDA_START: &str = "# >>> conda initialize >>>";

fn check(checker: &mut Checker) {
    let file = checker.file;
    let blocks = &file.conda_blocks;
    for (index, block) in blocks.iter().enumerate() {
        let tool = block.tool.as_str();
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
                            "this `{tool} initialize` block has no end marker `# <<< {tool} initialize <<<`: {}",
                            rerun_outcome(file, tool)
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
                            "an end marker without its start marker `# >>> {tool} initialize >>>`: {}",
                            rerun_outcome(file, tool)
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
                                "a `{tool} initialize` block starts inside the one opened on line {outer_line}, which has no end marker of its own: `{}` takes both for one block and rewrites them as one",
                                init_command(tool)
                            ),
                        )
                        .help("keep one block; delete the other's lines");
                }
            }
            (Some(start), Some(_)) if tool == "conda" => {
                let text = start_text(block);
                let text = text.strip_suffix('\r').unwrap_or(&text);
                if text != CONDA_START {
                    let what = if text.starts_with([' ', '\t']) {
                        "indented"
                    } else {
                        "edited"
                    };
                    checker
                        .report(
                            start.clone(),
                            format!(
                                "the start marker is {what}: `conda init` looks for exactly `# >>> conda initialize >>>` at the start of a line, followed by the line break; {}",
                                rerun_outcome(file, tool)
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

    use crate::rules::conda::stub::{conda_finds, conda_init, init_block, install_conda};
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

    /// The markers conda itself finds (`conda_finds`: `CONDA_INITIALIZE_RE_BLOCK` written out)
    /// and what a re-run of `conda init` does (`conda_init`): an indented or edited start
    /// marker, or a missing end marker, is not found, and since the file still holds the
    /// marker text nothing is appended — the file stays as it is. With the start marker
    /// deleted, a second block is appended, and the real shell then runs the hook twice.
    #[test]
    fn oracle_conda_cannot_find_the_block() {
        let block = init_block("bash", "/x/m");
        assert_eq!(conda_finds(&block).len(), 1);
        for broken in [
            block.replace("# >>> conda", "    # >>> conda"),
            block.replace(">>> conda initialize >>>", ">>> conda initialize >>> "),
            block.replace("# <<< conda initialize <<<\n", ""),
        ] {
            let found = findings("CG203", Shell::Bash, &broken);
            assert_eq!(found.len(), 1, "{broken}");
            assert!(
                found[0].message.contains("no change"),
                "{}",
                found[0].message
            );
            assert!(conda_finds(&broken).is_empty(), "{broken}");
            assert_eq!(conda_init(&broken, &block), broken, "conda init changed it");
        }
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
        let orphan = counted.replace("# >>> conda initialize >>>\n", "");
        let found = findings("CG203", Shell::Bash, &orphan);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("appends a second block"));
        let rerun = conda_init(&orphan, &counted);
        assert_eq!(conda_finds(&rerun).len(), 1);
        let Some(run) = run_snippet(OracleShell::Bash, &home, &rerun) else {
            return;
        };
        assert_eq!(run.status, Some(0), "{}", run.stderr);
        let log = std::fs::read_to_string(home.path().join("hooks.log")).unwrap_or_default();
        assert_eq!(log.lines().count(), 2, "the hook ran {log:?}");
    }

    /// conda's end marker is not anchored: `## <<< conda initialize <<<` closes the block
    /// for conda (a re-run replaces it in place), so it is no broken block.
    #[test]
    fn a_commented_end_marker_still_closes_the_block() {
        for shell in ["bash", "zsh", "fish"] {
            let file_shell = match shell {
                "bash" => Shell::Bash,
                "zsh" => Shell::Zsh,
                _ => Shell::Fish,
            };
            let block = init_block(shell, "/x/m");
            for end in [
                "## <<< conda initialize <<<",
                "# # <<< conda initialize <<<",
            ] {
                let edited = block.replace("# <<< conda initialize <<<", end);
                assert!(lines("CG203", file_shell, &edited).is_empty(), "{edited}");
                assert_eq!(conda_finds(&edited).len(), 1);
                assert_eq!(conda_init(&edited, &block), block);
            }
        }
    }
}
