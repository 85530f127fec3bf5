use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::StartupFile;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::line_break_at;
use crate::rules::hooks::shared::{hook_exports, is_precious, HookExport};

crate::declare_rule! {
    /// ## What it does
    /// Finds an activation script (`$PREFIX/etc/conda/activate.d/*.sh`, `*.fish`) that
    /// overwrites a variable users commonly have set — `GOROOT`, `GOPATH`, `CGO_ENABLED`,
    /// `CC`, `CFLAGS`, `JAVA_HOME`, `SSL_CERT_FILE`, `LANG`, a search path (`PATH`,
    /// `LD_LIBRARY_PATH`, any `*PATH`) replaced outright — without saving the old value
    /// first, the way conda-forge's scripts do (`export CONDA_BACKUP_GOROOT="${GOROOT:-}"`;
    /// any variable saved from `$GOROOT` counts).
    ///
    /// ## Why is this bad?
    /// Once overwritten, the user's value is gone for good: no `deactivate.d` script can
    /// give it back, so after `conda deactivate` the shell keeps the environment's
    /// `GOROOT` (or none at all), and a `PATH` that was replaced loses every inherited
    /// entry — `ls` and `git` included — when the deactivation script restores "nothing".
    ///
    /// Checked against conda's activation code, a `PATH` entry added *in front of* the old
    /// value (`PATH="$X/bin:$PATH"`) keeps the old value, and saving `PATH` is not how it
    /// is undone (restoring a copy saved in `activate.d` brings `<env>/bin` back); that
    /// case is CG701's, not this rule's (the rule table names `PATH` for both).
    ///
    /// ## Example
    /// ```bash
    /// export GOROOT="$CONDA_PREFIX/go"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export CONDA_BACKUP_GOROOT="${GOROOT:-}"
    /// export GOROOT="$CONDA_PREFIX/go"
    /// ```
    /// with a `deactivate.d` script that restores it:
    /// `export GOROOT="$CONDA_BACKUP_GOROOT"; unset CONDA_BACKUP_GOROOT; [ -n "$GOROOT" ] ||
    /// unset GOROOT`.
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds the backup line before the assignment (fish: `set -gx
    /// CONDA_BACKUP_GOROOT "$GOROOT"`). It exports one more variable and restores nothing
    /// by itself; the `deactivate.d` script still has to use it.
    pub(crate) const RULE = Rule {
        code: "CG702",
        name: "activate-hook-clobbers",
        summary: "an `activate.d` script overwrites `GOROOT`, `CC`, `JAVA_HOME`, … without saving the old value",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for export in hook_exports(file) {
        let name = export.assignment.name.as_str();
        if export.saved || export.keeps_old || !is_precious(file, name) {
            continue;
        }
        let message = if name.ends_with("PATH") {
            format!(
                "`{name}` is replaced on activation and its old value is not saved (`CONDA_BACKUP_{name}`): after `conda deactivate` nothing can give the user's entries back"
            )
        } else {
            format!(
                "`{name}` is overwritten on activation and its old value is not saved (`CONDA_BACKUP_{name}`): after `conda deactivate` the user's `{name}` cannot come back"
            )
        };
        let fix = backup_fix(file, &export);
        let report = checker
            .report(export.statement.range.clone(), message)
            .help(format!(
                "save the old value first (`CONDA_BACKUP_{name}`) and restore it in a `deactivate.d` script"
            ));
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// `export CONDA_BACKUP_X="${X:-}"` on its own line before the assignment, indented alike.
fn backup_fix(file: &StartupFile, export: &HookExport) -> Option<Fix> {
    let name = export.assignment.name.as_str();
    let start = export.statement.range.start;
    let line_start = file.line_starts.get(file.line_of(start)).copied()?;
    let indent = file.text(line_start..start).into_owned();
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let line = match file.shell {
        Shell::Fish => format!("set -gx CONDA_BACKUP_{name} \"${name}\""),
        _ => format!("export CONDA_BACKUP_{name}=\"${{{name}:-}}\""),
    };
    let newline = line_break_at(file, start);
    Some(Fix::unsafe_(
        format!("Save the old `{name}` in `CONDA_BACKUP_{name}` first"),
        vec![Edit::insert(start, format!("{line}{newline}{indent}"))],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::diagnostic::Applicability;
    use crate::rules::conda::stub::{create_env, init_block, install_conda};
    use crate::rules::test_support::*;

    const HOOK: &str = "env/etc/conda/activate.d/go.sh";
    const FISH_HOOK: &str = "env/etc/conda/activate.d/go.fish";

    fn hook_lines(shell: Shell, path: &str, text: &str) -> Vec<usize> {
        findings_at("CG702", shell, path, text)
            .iter()
            .map(|finding| text[..finding.range.start].matches('\n').count() + 1)
            .collect()
    }

    fn hook_fixed(shell: Shell, path: &str, text: &str) -> String {
        let once = fixed_at("CG702", shell, path, text, Applicability::Unsafe);
        let twice = fixed_at("CG702", shell, path, &once, Applicability::Unsafe);
        assert_eq!(once, twice, "fixing twice changed the text");
        assert!(hook_lines(shell, path, &once).is_empty(), "{once}");
        once
    }

    #[test]
    fn finds_clobbered_variables() {
        assert_eq!(
            hook_lines(
                Shell::Bash,
                HOOK,
                "#!/bin/sh\nexport GOROOT=\"${CONDA_PREFIX}/go\"\nexport CGO_ENABLED=0\n"
            ),
            vec![2, 3]
        );
        assert_eq!(
            hook_lines(
                Shell::Zsh,
                HOOK,
                "export LD_LIBRARY_PATH=$CONDA_PREFIX/lib\n"
            ),
            vec![1]
        );
        assert_eq!(
            hook_lines(
                Shell::Bash,
                HOOK,
                "export PATH=\"$CONDA_PREFIX/bin:/usr/bin:/bin\"\n"
            ),
            vec![1]
        );
        assert_eq!(
            hook_lines(Shell::Fish, FISH_HOOK, "set -gx GOROOT $CONDA_PREFIX/go\n"),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, path, text) in [
            (Shell::Bash, HOOK, "export CONDA_BACKUP_GOROOT=\"${GOROOT:-}\"\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"),
            (Shell::Bash, HOOK, "export CONDA_GOROOT_BACKUP=\"${GOROOT:-}\"\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"),
            // The old value is kept: CG701's.
            (Shell::Bash, HOOK, "export PATH=\"$CONDA_PREFIX/go/bin:$PATH\"\n"),
            (Shell::Bash, HOOK, "export LD_LIBRARY_PATH=\"$CONDA_PREFIX/lib:${LD_LIBRARY_PATH:-}\"\n"),
            // A variable of the package's own.
            (Shell::Bash, HOOK, "export CONDA_GO_COMPILER=1\n"),
            // Not an activation script.
            (Shell::Bash, "home/.bashrc", "export GOROOT=/usr/local/go\n"),
        ] {
            assert!(hook_lines(shell, path, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fix_saves_the_old_value_first() {
        assert_eq!(
            hook_fixed(Shell::Bash, HOOK, "#!/bin/sh\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"),
            "#!/bin/sh\nexport CONDA_BACKUP_GOROOT=\"${GOROOT:-}\"\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"
        );
        assert_eq!(
            hook_fixed(Shell::Bash, HOOK, "if [ -d \"$CONDA_PREFIX/go\" ]; then\n    export GOROOT=\"$CONDA_PREFIX/go\"\nfi\n"),
            "if [ -d \"$CONDA_PREFIX/go\" ]; then\n    export CONDA_BACKUP_GOROOT=\"${GOROOT:-}\"\n    export GOROOT=\"$CONDA_PREFIX/go\"\nfi\n"
        );
        assert_eq!(
            hook_fixed(Shell::Fish, FISH_HOOK, "set -gx GOROOT $CONDA_PREFIX/go\n"),
            "set -gx CONDA_BACKUP_GOROOT \"$GOROOT\"\nset -gx GOROOT $CONDA_PREFIX/go\n"
        );
    }

    /// The real shells with conda's activation order and the conventional `deactivate.d`
    /// script (restore from `CONDA_BACKUP_…`, unset when empty): without the backup the
    /// user's `GOROOT` is gone after `conda deactivate` (and a replaced `PATH` loses
    /// `/bin`); with the fix's line they come back.
    #[test]
    fn oracle_the_old_value_is_lost_then_restored() {
        let cases = [
            (
                OracleShell::Bash,
                "bash",
                "sh",
                "GOROOT",
                "export GOROOT=\"$CONDA_PREFIX/go\"\n",
                "export GOROOT=\"$CONDA_BACKUP_GOROOT\"\nunset CONDA_BACKUP_GOROOT\n[ -n \"$GOROOT\" ] || unset GOROOT\n",
            ),
            (
                OracleShell::Zsh,
                "zsh",
                "sh",
                "PATH",
                "export PATH=\"$CONDA_PREFIX/bin:/usr/bin\"\n",
                "export PATH=\"$CONDA_BACKUP_PATH\"\nunset CONDA_BACKUP_PATH\n",
            ),
            (
                OracleShell::Fish,
                "fish",
                "fish",
                "GOROOT",
                "set -gx GOROOT $CONDA_PREFIX/go\n",
                "set -gx GOROOT $CONDA_BACKUP_GOROOT\nset -e CONDA_BACKUP_GOROOT\ntest -n \"$GOROOT\"; or set -e GOROOT\n",
            ),
        ];
        for (oracle, shell, ext, variable, activate, deactivate) in cases {
            let file_shell = if ext == "fish" {
                Shell::Fish
            } else {
                Shell::Bash
            };
            let hook = format!("env/etc/conda/activate.d/go.{ext}");
            assert_eq!(
                hook_lines(file_shell, &hook, activate).len(),
                1,
                "{activate}"
            );
            let fixed = hook_fixed(file_shell, &hook, activate);
            for (script, expect_back) in [(activate, false), (fixed.as_str(), true)] {
                let home = FakeHome::new();
                let base = install_conda(&home, "miniconda3");
                create_env(&home, "miniconda3", "goenv");
                home.write(
                    format!("miniconda3/envs/goenv/etc/conda/activate.d/go.{ext}"),
                    script,
                );
                home.write(
                    format!("miniconda3/envs/goenv/etc/conda/deactivate.d/go.{ext}"),
                    deactivate,
                );
                let user = if ext == "fish" {
                    "set -gx GOROOT /usr/local/go\n"
                } else {
                    "export GOROOT=/usr/local/go\n"
                };
                let snippet = format!(
                    "{user}{}conda activate goenv\nconda deactivate\n",
                    init_block(shell, &base)
                );
                let Some(run) = run_snippet(oracle, &home, &snippet) else {
                    break;
                };
                let back = match variable {
                    "GOROOT" => run.var("GOROOT") == Some("/usr/local/go"),
                    _ => run
                        .path_entries()
                        .is_some_and(|path| path.contains(&"/bin".to_string())),
                };
                assert_eq!(
                    back, expect_back,
                    "{oracle:?} {script}: {:?} {}",
                    run.exported, run.stderr
                );
            }
        }
    }
}
