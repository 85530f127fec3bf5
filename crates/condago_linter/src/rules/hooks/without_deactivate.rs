use crate::diagnostic::Severity;
use crate::model::is_path_variable;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::hooks::shared::hook_exports;

crate::declare_rule! {
    /// ## What it does
    /// Finds variables an activation script (`$PREFIX/etc/conda/activate.d/*.sh`,
    /// `*.fish`) exports without the preparation a deactivation needs: no old value saved
    /// before it (the convention of conda-forge's scripts: `export
    /// CONDA_BACKUP_X="${X:-}"` — any variable saved from `$X` counts, as do
    /// `_CONDA_BACKUP_X` and gdal's `_CONDA_SET_X`), and, for `PATH`-like variables, an
    /// entry added in front of the inherited value.
    ///
    /// This is the single-file half of the rule: whether a `deactivate.d` script undoes the
    /// export can only be seen with the environment's other files, which is the startup
    /// model's part. Scripts that save their backups dynamically (conda-forge's compiler
    /// activation, `eval export "CONDA_BACKUP_${thing}=…"`) are skipped.
    ///
    /// ## Why is this bad?
    /// conda undoes only what conda did. `conda deactivate` removes the environment's own
    /// `bin` from `PATH` (the first occurrence) and unsets the variables conda itself set;
    /// everything an activation script exported stays, unless a `deactivate.d` script
    /// takes it back: the environment's tools stay on `PATH` and its settings (`JAVA_HOME`,
    /// `GDAL_DATA`, `SSL_CERT_FILE`) stay in effect in a shell that looks deactivated, and
    /// every new activation adds the `PATH` entry once more.
    ///
    /// For an added `PATH` entry, saving `PATH` is not the remedy: conda sources the
    /// `activate.d` scripts after it has put `<env>/bin` on `PATH`, so a saved copy
    /// contains `<env>/bin`, and restoring it in `deactivate.d` (which conda runs after
    /// exporting the deactivated `PATH`) brings `<env>/bin` back. The `deactivate.d`
    /// script has to remove the entry.
    ///
    /// ## Example
    /// ```bash
    /// # etc/conda/activate.d/tools.sh
    /// export TOOLS_HOME="$CONDA_PREFIX/opt/tools"
    /// export PATH="$TOOLS_HOME/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// # etc/conda/activate.d/tools.sh
    /// export CONDA_BACKUP_TOOLS_HOME="${TOOLS_HOME:-}"
    /// export TOOLS_HOME="$CONDA_PREFIX/opt/tools"
    /// export PATH="$TOOLS_HOME/bin:$PATH"
    /// # etc/conda/deactivate.d/tools.sh
    /// PATH=$(printf '%s' ":$PATH:" | sed "s|:$TOOLS_HOME/bin:|:|; s|^:||; s|:$||")
    /// export TOOLS_HOME="$CONDA_BACKUP_TOOLS_HOME"; unset CONDA_BACKUP_TOOLS_HOME
    /// [ -n "$TOOLS_HOME" ] || unset TOOLS_HOME
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the counterpart belongs in another file.
    pub(crate) const RULE = Rule {
        code: "CG701",
        name: "activate-hook-without-deactivate",
        summary: "an `activate.d` script exports a variable with nothing prepared to undo it on deactivation",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for export in hook_exports(file) {
        if export.saved {
            continue;
        }
        let name = export.assignment.name.as_str();
        let path_like = is_path_variable(file.shell, name) || name.ends_with("PATH");
        let message = if path_like && export.keeps_old {
            let edits = file.path_edits();
            let added: Vec<String> = match edits
                .iter()
                .find(|(statement, _)| statement.range == export.statement.range)
            {
                Some((_, edit)) => edit
                    .new_entries()
                    .map(|entry| entry.display(file.source))
                    .collect(),
                None => export
                    .assignment
                    .values
                    .iter()
                    .map(|word| word.display(file.source))
                    .collect(),
            };
            format!(
                "`{name}` gets `{}` on activation, and `conda deactivate` removes only the environment's own `bin`: the entry stays after deactivation, and every activation adds it again — unless a `deactivate.d` script removes it",
                added.join("`, `")
            )
        } else {
            format!(
                "`{name}` is exported on activation and its old value is not saved (`CONDA_BACKUP_{name}`): it stays set after `conda deactivate` unless a `deactivate.d` script unsets it, and a value the user had is gone"
            )
        };
        checker
            .report(export.statement.range.clone(), message)
            .help(if path_like && export.keeps_old {
                "remove the entry again in a `deactivate.d` script of the same package"
            } else {
                "save the old value in `CONDA_BACKUP_<VAR>` first, and restore or unset it in a `deactivate.d` script"
            });
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{create_env, init_block, install_conda};
    use crate::rules::test_support::*;

    const HOOK: &str = "env/etc/conda/activate.d/tools.sh";
    const FISH_HOOK: &str = "env/etc/conda/activate.d/tools.fish";

    fn hook_lines(shell: Shell, path: &str, text: &str) -> Vec<usize> {
        findings_at("CG701", shell, path, text)
            .iter()
            .map(|finding| text[..finding.range.start].matches('\n').count() + 1)
            .collect()
    }

    #[test]
    fn finds_exports_nothing_undoes() {
        let text = "#!/bin/bash\n# Make the vendored tools usable.\nexport TOOLS_HOME=\"$CONDA_PREFIX/opt/tools\"\nexport PATH=\"$TOOLS_HOME/bin:$PATH\"\n";
        assert_eq!(hook_lines(Shell::Bash, HOOK, text), vec![3, 4]);
        assert_eq!(
            hook_lines(Shell::Zsh, HOOK, "export JAVA_HOME=$CONDA_PREFIX/lib/jvm\n"),
            vec![1]
        );
        assert_eq!(
            hook_lines(Shell::Fish, FISH_HOOK, "set -gx PATH $CONDA_PREFIX/go/bin $PATH\nset -gx GDAL_DATA $CONDA_PREFIX/share/gdal\n"),
            vec![1, 2]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, path, text) in [
            // conda-forge's convention.
            (Shell::Bash, HOOK, "export CONDA_BACKUP_GOROOT=\"${GOROOT:-}\"\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"),
            // Saved only when set (the realistic hook-01 fixture).
            (Shell::Bash, HOOK, "if [ -n \"${SSL_CERT_FILE:-}\" ]; then\n    export CONDA_BACKUP_SSL_CERT_FILE=\"$SSL_CERT_FILE\"\nfi\nexport SSL_CERT_FILE=\"$CONDA_PREFIX/ssl/cacert.pem\"\n"),
            // gdal's naming.
            (Shell::Bash, HOOK, "if [[ -n \"$GDAL_DATA\" ]]; then\n    export _CONDA_SET_GDAL_DATA=$GDAL_DATA\nfi\nexport GDAL_DATA=$CONDA_PREFIX/share/gdal\n"),
            (Shell::Fish, FISH_HOOK, "set -gx CONDA_BACKUP_GOROOT \"$GOROOT\"\nset -gx GOROOT $CONDA_PREFIX/go\n"),
            // Not exported.
            (Shell::Bash, HOOK, "flags=\"-O2\"\n"),
            // Dynamic backups (conda-forge's compiler activation).
            (Shell::Bash, HOOK, "thing=CC\neval export \"CONDA_BACKUP_${thing}=x\"\nexport CC=gcc\n"),
            // Not an activation script.
            (Shell::Bash, "home/.bashrc", "export TOOLS_HOME=/opt/tools\n"),
            (Shell::Bash, "env/etc/conda/deactivate.d/tools.sh", "export TOOLS_HOME=\"$CONDA_BACKUP_TOOLS_HOME\"\n"),
        ] {
            assert!(hook_lines(shell, path, text).is_empty(), "{text}");
        }
    }

    fn environment(home: &FakeHome, activate: &str, deactivate: Option<&str>) -> String {
        let base = install_conda(home, "miniconda3");
        create_env(home, "miniconda3", "tools");
        home.write(
            "miniconda3/envs/tools/etc/conda/activate.d/tools.sh",
            activate,
        );
        if let Some(deactivate) = deactivate {
            home.write(
                "miniconda3/envs/tools/etc/conda/deactivate.d/tools.sh",
                deactivate,
            );
        }
        format!(
            "{}conda activate tools\nconda deactivate\n",
            init_block("bash", &base)
        )
    }

    /// The real shell with conda's activation order: what the script exported is still
    /// there after `conda deactivate` — the variable and the `PATH` entry.
    #[test]
    fn oracle_exports_outlive_deactivation() {
        let activate = "export TOOLS_HOME=\"$CONDA_PREFIX/opt/tools\"\nexport PATH=\"$TOOLS_HOME/bin:$PATH\"\n";
        assert_eq!(hook_lines(Shell::Bash, HOOK, activate).len(), 2);
        let home = FakeHome::new();
        let snippet = environment(&home, activate, None);
        let Some(run) = run_snippet(OracleShell::Bash, &home, &snippet) else {
            return;
        };
        let tools = format!("{}/miniconda3/envs/tools/opt/tools", home.path().display());
        assert_eq!(run.var("CONDA_SHLVL"), Some("1"), "{}", run.stderr);
        assert_eq!(run.var("TOOLS_HOME"), Some(tools.as_str()));
        assert!(run
            .path_entries()
            .expect("PATH")
            .contains(&format!("{tools}/bin")));
    }

    /// Why a `PATH` entry is not undone by a saved `PATH`: restoring `CONDA_BACKUP_PATH`
    /// in `deactivate.d` brings back `<env>/bin`, which was already on `PATH` when the
    /// activation script saved it. Removing the entry is what works.
    #[test]
    fn oracle_restoring_a_saved_path_brings_env_bin_back() {
        let home = FakeHome::new();
        let activate =
            "export CONDA_BACKUP_PATH=\"$PATH\"\nexport PATH=\"$CONDA_PREFIX/opt/bin:$PATH\"\n";
        let restore = "export PATH=\"$CONDA_BACKUP_PATH\"\nunset CONDA_BACKUP_PATH\n";
        let snippet = environment(&home, activate, Some(restore));
        let Some(run) = run_snippet(OracleShell::Bash, &home, &snippet) else {
            return;
        };
        let env_bin = format!("{}/miniconda3/envs/tools/bin", home.path().display());
        assert!(
            run.path_entries().expect("PATH").contains(&env_bin),
            "{:?}",
            run.path_entries()
        );

        let home = FakeHome::new();
        let remove = "PATH=$(printf '%s' \":$PATH:\" | sed \"s|:$CONDA_PREFIX/opt/bin:|:|; s|^:||; s|:$||\")\n";
        let snippet = environment(&home, activate, Some(remove));
        let run = run_snippet(OracleShell::Bash, &home, &snippet).expect("bash");
        let path = run.path_entries().expect("PATH");
        let env = format!("{}/miniconda3/envs/tools", home.path().display());
        assert!(
            path.iter().all(|entry| !entry.starts_with(&env)),
            "{path:?}"
        );
    }
}
