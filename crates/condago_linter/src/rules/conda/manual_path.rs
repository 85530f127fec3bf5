use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PathEditKind, PathEntryKind, StartupFile};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::deletable_lines;

crate::declare_rule! {
    /// ## What it does
    /// Finds the idiom from before `conda init`: a conda installation's `bin` put on `PATH`
    /// by hand, outside the init block — `export PATH="$HOME/miniconda3/bin:$PATH"` (what
    /// the Anaconda installers wrote until 2018), zsh `path=(~/miniforge3/bin $path)`, fish
    /// `set -gx PATH ~/miniconda3/bin $PATH` or `fish_add_path ~/miniconda3/bin`. A
    /// directory counts as a conda installation when a part of it names one (`*conda*`,
    /// `*mamba*`, `miniforge*`, `mambaforge*`) or it is the base of the file's init block;
    /// environments (`…/envs/<name>/bin`) and `$CONDA_PREFIX/bin` do not count.
    ///
    /// ## Why is this bad?
    /// conda activates and deactivates by editing `PATH`, and it only ever removes the entry
    /// its own activation put there (the first `<base>/bin`). A hand-made `<base>/bin`
    /// stays: after `conda deactivate`, base's `python`, `pip` and every other program in it
    /// still shadow the system's, and `auto_activate_base: false` no longer keeps base off
    /// `PATH`. Without an init block, `conda activate` does not work at all, and base's
    /// programs shadow the system's in every shell.
    ///
    /// Lines inside the init block (its own fallback `export PATH="<base>/bin:$PATH"`) are
    /// conda's and are not reported, nor are lines in functions (an on-demand switch).
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME/miniconda3/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// `conda init bash` (its block), and nothing else.
    ///
    /// ## Fix safety
    /// Unsafe: deleting the line takes base's programs off `PATH` wherever the init block
    /// does not activate base. Offered only when the file has an init block and the line
    /// adds nothing else.
    pub(crate) const RULE = Rule {
        code: "CG205",
        name: "conda-manual-path",
        summary: "a conda installation's `bin` put on `PATH` by hand, outside the init block",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let bases: Vec<String> = file
        .conda_blocks
        .iter()
        .filter_map(|block| block.base.as_deref().map(normalize))
        .collect();
    let has_block = file
        .conda_blocks
        .iter()
        .any(|block| block.is_well_formed() && block.tool == "conda");
    for (statement, edit) in file.path_edits() {
        if statement.context.conda_block.is_some()
            || statement.context.function.is_some()
            || edit.kind == PathEditKind::Declare
        {
            continue;
        }
        let new: Vec<_> = edit.new_entries().collect();
        for entry in &new {
            if entry.kind != PathEntryKind::Dir {
                continue;
            }
            let dir = entry.display(file.source);
            let Some(base) = conda_base(&dir, &bases) else {
                continue;
            };
            let message = if has_block {
                format!(
                    "`{dir}` is put on PATH by hand, next to conda's init block: `conda deactivate` removes only the entry its own activation added, so base's programs (`python`, `pip`, …) keep shadowing the system's, and `auto_activate_base: false` no longer keeps base off PATH"
                )
            } else {
                format!(
                    "`{dir}` is put on PATH by hand (the idiom from before `conda init`): base's programs (`python`, `pip`, …) shadow the system's in every shell, `conda deactivate` cannot take them away, and `conda activate` needs the init block"
                )
            };
            let help = if has_block {
                "delete this line: the init block puts base on PATH when it should be".to_string()
            } else {
                format!(
                    "run `{base}/bin/conda init {}` and delete this line",
                    shell_name(file)
                )
            };
            let fix = (has_block && new.len() == 1)
                .then(|| deletable_lines(file, statement))
                .flatten()
                .map(|lines| {
                    Fix::unsafe_(
                        format!("Delete the line that puts `{dir}` on PATH"),
                        vec![Edit::delete(lines)],
                    )
                });
            let report = checker.report(entry.range.clone(), message).help(help);
            if let Some(fix) = fix {
                report.fix(fix);
            }
        }
    }
}

fn shell_name(file: &StartupFile) -> &'static str {
    match file.shell {
        condago_syntax::Shell::Fish => "fish",
        condago_syntax::Shell::Zsh => "zsh",
        _ => "bash",
    }
}

/// `~` and `${HOME}` spelled as `$HOME`, no trailing `/`.
fn normalize(dir: &str) -> String {
    let dir = dir.trim_end_matches('/');
    let dir = match dir.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("$HOME{rest}"),
        _ => dir.to_string(),
    };
    dir.replace("${HOME}", "$HOME")
}

/// The installation whose `bin` this is: `<base>` of `<base>/bin`, when `<base>` looks
/// like a conda installation or is the base of the file's block.
fn conda_base(dir: &str, bases: &[String]) -> Option<String> {
    let dir = normalize(dir);
    let base = dir.strip_suffix("/bin")?;
    if base.is_empty() || base.contains("/envs/") || base.contains("/pkgs/") {
        return None;
    }
    if bases.iter().any(|known| known == base) {
        return Some(base.to_string());
    }
    let named = base
        .split('/')
        .filter(|part| !part.starts_with('$'))
        .any(|part| {
            let part = part.to_ascii_lowercase();
            part.contains("conda")
                || part.contains("mamba")
                || part.starts_with("miniforge")
                || part.starts_with("mambaforge")
        });
    named.then(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{init_block, install_conda};
    use crate::rules::test_support::*;

    #[test]
    fn finds_manual_base_bin_in_each_shell() {
        assert_eq!(
            lines(
                "CG205",
                Shell::Bash,
                "export PATH=\"$HOME/miniconda3/bin:$PATH\"\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG205",
                Shell::Bash,
                "PATH=\"/Users/u/anaconda3/bin:${PATH}\"\nexport PATH\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines("CG205", Shell::Zsh, "path=(~/miniforge3/bin $path)\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG205",
                Shell::Fish,
                "set -gx PATH ~/miniconda3/bin $PATH\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG205",
                Shell::Fish,
                "fish_add_path -g /opt/homebrew/Caskroom/miniforge/base/bin\n"
            ),
            vec![1]
        );
        // The base of the file's own block, whatever its name.
        let block = init_block("bash", "/opt/py");
        assert_eq!(
            lines(
                "CG205",
                Shell::Bash,
                &format!("export PATH=/opt/py/bin:$PATH\n{block}")
            ),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/miniconda3/condabin:$PATH\"\n"),
            (Shell::Bash, "export PATH=\"$HOME/miniconda3/envs/tools/bin:$PATH\"\n"),
            (Shell::Bash, "export PATH=\"$CONDA_PREFIX/bin:$PATH\"\n"),
            (Shell::Bash, "export PATH=\"$HOME/.local/bin:$PATH\"\n"),
            (Shell::Bash, "conda_on() { export PATH=\"$HOME/miniconda3/bin:$PATH\"; }\n"),
            (Shell::Bash, "# export PATH=\"/home/u/miniconda3/bin:$PATH\"  # commented out by conda initialize\n"),
            (Shell::Fish, "fish_add_path -g ~/.local/bin\n"),
        ] {
            assert!(lines("CG205", shell, text).is_empty(), "{shell}: {text}");
        }
        // The block's own fallback line.
        for shell in ["bash", "zsh"] {
            let file_shell = if shell == "bash" {
                Shell::Bash
            } else {
                Shell::Zsh
            };
            assert!(lines(
                "CG205",
                file_shell,
                &init_block(shell, "/home/u/miniconda3")
            )
            .is_empty());
        }
        assert!(lines(
            "CG205",
            Shell::Fish,
            &init_block("fish", "/home/u/miniconda3")
        )
        .is_empty());
    }

    #[test]
    fn fix_deletes_the_line_when_a_block_exists() {
        let block = init_block("bash", "/home/u/miniconda3");
        let text = format!("export PATH=\"/home/u/miniconda3/bin:$PATH\"\n{block}");
        assert_eq!(assert_fix_converges("CG205", Shell::Bash, &text), block);
        let fish_block = init_block("fish", "/home/u/miniconda3");
        let text = format!("{fish_block}set -gx PATH /home/u/miniconda3/bin $PATH\n");
        assert_eq!(
            assert_fix_converges("CG205", Shell::Fish, &text),
            fish_block
        );
        // No block: reported, not deleted.
        let alone = "export PATH=\"/home/u/miniconda3/bin:$PATH\"\n";
        assert_eq!(fixed("CG205", Shell::Bash, alone), alone);
        // Other entries on the line: not deleted.
        let more = format!("export PATH=\"/home/u/miniconda3/bin:$HOME/bin:$PATH\"\n{block}");
        assert_eq!(lines("CG205", Shell::Bash, &more), vec![1]);
        assert_eq!(fixed("CG205", Shell::Bash, &more), more);
    }

    /// The real shells with conda's activation logic: after `conda deactivate`, base's
    /// `bin` is still on PATH when it was also put there by hand; without the hand-made
    /// line it is gone.
    #[test]
    fn oracle_base_stays_after_deactivate() {
        for (oracle, shell, name, manual) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "bash",
                "export PATH=\"BASE/bin:$PATH\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "zsh",
                "path=(BASE/bin $path)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "fish",
                "set -gx PATH BASE/bin $PATH\n",
            ),
        ] {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let text = format!(
                "{}{}",
                manual.replace("BASE", &base),
                init_block(name, &base)
            );
            let after = assert_fix_converges("CG205", shell, &text);
            assert_eq!(after, init_block(name, &base));
            let deactivate = "conda deactivate\n";
            let Some(before) = run_snippet(oracle, &home, &format!("{text}{deactivate}")) else {
                continue;
            };
            let path = before.path_entries().expect("PATH");
            assert!(
                path.contains(&format!("{base}/bin")),
                "{oracle:?}: {path:?}"
            );
            let fixed = run_snippet(oracle, &home, &format!("{after}{deactivate}")).expect("shell");
            let path = fixed.path_entries().expect("PATH");
            assert!(
                !path.contains(&format!("{base}/bin")),
                "{oracle:?}: {path:?}"
            );
        }
    }
}
