use crate::diagnostic::Severity;
use crate::model::FileKind;
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::go::shared::exported;

crate::declare_rule! {
    /// ## What it does
    /// Finds `CGO_ENABLED` exported from a startup file (`export CGO_ENABLED=0`, fish
    /// `set -gx CGO_ENABLED 0`).
    ///
    /// ## Why is this bad?
    /// The value then holds for every `go build` on the machine, whichever Go runs it.
    /// conda-forge's Go packages set `CGO_ENABLED` per environment instead — their
    /// activation scripts export `1` (the cgo build) or `0` (the nocgo build) and give the
    /// old value back on deactivation — so the same `go build` links C code inside an
    /// environment and not outside it (or the reverse), and a binary that worked in one
    /// terminal fails to build or to run in another. The usual reason (static binaries for
    /// containers) is better said where it matters: `CGO_ENABLED=0 go build`, a Makefile,
    /// or `go env -w CGO_ENABLED=0`, which `go env` shows.
    ///
    /// Activation scripts themselves are not checked here.
    ///
    /// ## Example
    /// ```bash
    /// export CGO_ENABLED=0
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// alias gobuild-static='CGO_ENABLED=0 go build'
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the setting belongs is the user's call.
    pub(crate) const RULE = Rule {
        code: "CG504",
        name: "cgo-enabled-exported",
        summary: "`CGO_ENABLED` exported for every shell: builds differ between conda's Go and the system's",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) {
        return;
    }
    for found in exported(file, "CGO_ENABLED") {
        let value = found
            .assignment
            .values
            .first()
            .map(|word| word.display(file.source))
            .unwrap_or_default();
        checker
            .report(
                found.export.unwrap_or(found.statement).range.clone(),
                format!(
                    "`CGO_ENABLED={value}` is exported for every `go build` on this machine, while conda-forge's Go sets `CGO_ENABLED` per environment: the same build differs between a conda environment and the system Go"
                ),
            )
            .help("set it per command (`CGO_ENABLED=0 go build`), in the project, or with `go env -w`");
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{create_env, init_block, install_conda};
    use crate::rules::test_support::*;

    #[test]
    fn finds_exported_cgo_enabled_in_each_shell() {
        assert_eq!(
            lines("CG504", Shell::Bash, "export CGO_ENABLED=0\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG504", Shell::Zsh, "CGO_ENABLED=1\nexport CGO_ENABLED\n"),
            vec![2]
        );
        assert_eq!(
            lines("CG504", Shell::Fish, "set -gx CGO_ENABLED 0\n"),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, path, text) in [
            (
                Shell::Bash,
                "home/.bashrc",
                "CGO_ENABLED=0 go build ./...\n",
            ),
            (
                Shell::Bash,
                "home/.bashrc",
                "alias gbs='CGO_ENABLED=0 go build'\n",
            ),
            (
                Shell::Bash,
                "home/.bashrc",
                "static() { export CGO_ENABLED=0; }\n",
            ),
            (
                Shell::Fish,
                "home/.config/fish/config.fish",
                "set -g CGO_ENABLED 0\n",
            ),
            (
                Shell::Bash,
                "env/etc/conda/activate.d/go.sh",
                "export CONDA_BACKUP_CGO_ENABLED=\"${CGO_ENABLED:-}\"\nexport CGO_ENABLED=0\n",
            ),
        ] {
            assert!(findings_at("CG504", shell, path, text).is_empty(), "{text}");
        }
    }

    /// The real shells, with conda's activation and a cgo environment whose activation
    /// script sets `CGO_ENABLED=1` the conda-forge way (and its deactivation script gives the
    /// old value back): a stand-in `go` sees `0` outside the environment and `1` inside it.
    #[test]
    fn oracle_the_value_differs_inside_and_outside_an_environment() {
        for (oracle, shell, name, export) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "bash",
                "export CGO_ENABLED=0\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "zsh",
                "export CGO_ENABLED=0\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "fish",
                "set -gx CGO_ENABLED 0\n",
            ),
        ] {
            assert_eq!(lines("CG504", shell, export), vec![1]);
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            create_env(&home, "miniconda3", "goenv");
            home.write_executable(
                "bin/go",
                "#!/bin/sh\necho \"CGO_ENABLED=${CGO_ENABLED-unset}\"\n",
            );
            home.write(
                "miniconda3/envs/goenv/etc/conda/activate.d/go-cgo.sh",
                "export CONDA_BACKUP_CGO_ENABLED=\"${CGO_ENABLED:-}\"\nexport CGO_ENABLED=1\n",
            );
            home.write(
                "miniconda3/envs/goenv/etc/conda/activate.d/go-cgo.fish",
                "set -gx CONDA_BACKUP_CGO_ENABLED \"$CGO_ENABLED\"\nset -gx CGO_ENABLED 1\n",
            );
            home.write(
                "miniconda3/envs/goenv/etc/conda/deactivate.d/go-cgo.sh",
                "export CGO_ENABLED=\"${CONDA_BACKUP_CGO_ENABLED}\"\nunset CONDA_BACKUP_CGO_ENABLED\nif [ -z \"$CGO_ENABLED\" ]; then\n    unset CGO_ENABLED\nfi\n",
            );
            home.write(
                "miniconda3/envs/goenv/etc/conda/deactivate.d/go-cgo.fish",
                "set -gx CGO_ENABLED $CONDA_BACKUP_CGO_ENABLED\nset -e CONDA_BACKUP_CGO_ENABLED\n",
            );
            let go = format!("{}/bin/go\n", home.path().display());
            let text = format!(
                "{export}{}{go}conda activate goenv\n{go}conda deactivate\n{go}",
                init_block(name, &base)
            );
            let Some(run) = run_snippet(oracle, &home, &text) else {
                continue;
            };
            let seen: Vec<&str> = run.stdout.lines().collect();
            assert_eq!(
                seen,
                ["CGO_ENABLED=0", "CGO_ENABLED=1", "CGO_ENABLED=0"],
                "{oracle:?}: {}",
                run.stderr
            );
        }
    }
}
