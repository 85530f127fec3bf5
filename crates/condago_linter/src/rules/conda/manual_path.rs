use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{Assignment, PathEditKind, PathEntryKind, StartupFile, Statement};
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
    /// environments (`…/envs/<name>/bin`) and `$CONDA_PREFIX/bin` do not count. An
    /// entry spelled through a variable the file set before (`X=$HOME/.local/conda/bin` …
    /// `export PATH=$OTHER:$X:$PATH`, `CONDA_HOME=~/miniforge3` … `$CONDA_HOME/bin`) counts
    /// by the variable's value.
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
    let assignments = top_level_assignments(file);
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
            let written = entry.display(file.source);
            // `$X` or `$X/bin`, with `X` set to the installation earlier in the file.
            let through = through_variable(file, &assignments, statement.range.start, &written);
            let dir = through
                .as_ref()
                .map_or_else(|| written.clone(), |(value, _, _)| value.clone());
            let Some(base) = conda_base(&dir, &bases) else {
                continue;
            };
            let shown = match &through {
                Some((value, name, line)) => {
                    format!("`{written}` (`{name}` is `{value}` from line {line})")
                }
                None => format!("`{dir}`"),
            };
            let message = if has_block {
                format!(
                    "{shown} is put on PATH by hand, next to conda's init block: `conda deactivate` removes only the entry its own activation added, so base's programs (`python`, `pip`, …) keep shadowing the system's, and `auto_activate_base: false` no longer keeps base off PATH"
                )
            } else {
                format!(
                    "{shown} is put on PATH by hand (the idiom from before `conda init`): base's programs (`python`, `pip`, …) shadow the system's in every shell, `conda deactivate` cannot take them away, and `conda activate` needs the init block"
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
                        format!("Delete the line that puts {shown} on PATH"),
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

/// An entry that starts with a variable the file set before `before` (at top level, not
/// conda's own): the entry with the variable's value, the variable, and its 1-based line.
/// The assignments `through_variable` may read, by name, in the file's order: with a value,
/// not a command's prefix, outside functions, conda blocks and subshells.
fn top_level_assignments<'f>(
    file: &'f StartupFile,
) -> std::collections::HashMap<&'f str, Vec<(&'f Statement, &'f Assignment)>> {
    let mut by_name: std::collections::HashMap<&str, Vec<_>> = std::collections::HashMap::new();
    for (statement, assignment) in file.assignments() {
        if assignment.has_value
            && !assignment.command_prefix
            && statement.context.function.is_none()
            && statement.context.conda_block.is_none()
            && !statement.context.in_subshell
        {
            by_name
                .entry(assignment.name.as_str())
                .or_default()
                .push((statement, assignment));
        }
    }
    by_name
}

fn through_variable(
    file: &StartupFile,
    assignments: &std::collections::HashMap<&str, Vec<(&Statement, &Assignment)>>,
    before: usize,
    entry: &str,
) -> Option<(String, String, usize)> {
    let rest = entry.strip_prefix('$')?;
    let (name, tail) = match rest.strip_prefix('{') {
        Some(braced) => {
            let end = braced.find('}')?;
            (&braced[..end], &braced[end + 1..])
        }
        None => {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
    };
    if name.is_empty() || matches!(name, "HOME" | "CONDA_PREFIX" | "PATH") {
        return None;
    }
    // The last one, in the file's order, that ends before the entry.
    let (statement, assignment) = *assignments
        .get(name)?
        .iter()
        .rev()
        .find(|(statement, _)| statement.range.end <= before)?;
    let [word] = assignment.values.as_slice() else {
        return None;
    };
    let value = word.display(file.source);
    if value.contains("$(") || value.contains('`') {
        return None;
    }
    let line = file.line_of(statement.range.start) + 1;
    Some((format!("{value}{tail}"), name.to_string(), line))
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
    fn finds_the_base_bin_through_a_variable() {
        for (shell, text, line) in [
            (
                Shell::Bash,
                "X=$HOME/.local/conda/bin\nOTHER=$HOME/bin\nexport PATH=$OTHER:$X:$PATH\n",
                3,
            ),
            (
                Shell::Zsh,
                "export CONDA_HOME=~/miniforge3\npath=($CONDA_HOME/bin $path)\n",
                2,
            ),
            (
                Shell::Bash,
                "CONDA_DIR=\"/opt/conda\"\nexport PATH=\"${CONDA_DIR}/bin:$PATH\"\n",
                2,
            ),
            (
                Shell::Fish,
                "set -l conda_bin $HOME/mambaforge/bin\nfish_add_path -g $conda_bin\n",
                2,
            ),
        ] {
            let found = findings("CG205", shell, text);
            assert_eq!(lines("CG205", shell, text), vec![line], "{shell}: {text}");
            assert!(
                found[0].message.contains("from line 1"),
                "{}",
                found[0].message
            );
        }
        // Set after the PATH line, set to something else, or an environment: not reported.
        for text in [
            "export PATH=$X:$PATH\nX=$HOME/miniconda3/bin\n",
            "X=$HOME/tools/bin\nexport PATH=$X:$PATH\n",
            "ENV_BIN=$HOME/miniconda3/envs/work/bin\nexport PATH=$ENV_BIN:$PATH\n",
        ] {
            assert!(lines("CG205", Shell::Bash, text).is_empty(), "{text}");
        }
    }

    /// The shells expand the variable to the installation's `bin`: it is on PATH.
    #[test]
    fn oracle_the_variable_puts_the_base_bin_on_path() {
        for (oracle, shell, text) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "X=$HOME/miniconda3/bin\nOTHER=$HOME/bin\nexport PATH=$OTHER:$X:$PATH\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "CONDA_HOME=~/miniconda3\npath=($CONDA_HOME/bin $path)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -l conda_bin $HOME/miniconda3/bin\nset -gx PATH $conda_bin $PATH\n",
            ),
        ] {
            assert_eq!(lines("CG205", shell, text).len(), 1, "{text}");
            let home = FakeHome::new();
            let Some(run) = run_snippet(oracle, &home, text) else {
                continue;
            };
            let bin = home.path().join("miniconda3/bin").display().to_string();
            assert!(
                run.path_entries().expect("PATH").contains(&bin),
                "{oracle:?}: {text}"
            );
        }
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
