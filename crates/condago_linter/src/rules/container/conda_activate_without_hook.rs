use std::path::Path;

use super::shared::{is_activation, loads_conda_hook, shell_sets_up_conda};
use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::model::StatementKind;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `conda activate` (or `mamba activate`) in a `RUN` whose shell has not loaded
    /// conda's shell function: no `. …/etc/profile.d/conda.sh` or
    /// `eval "$(conda shell.bash hook)"` earlier in the same `RUN`.
    ///
    /// ## Why is this bad?
    /// `conda activate` is a shell function that `conda init`'s block or `conda.sh` defines.
    /// A `RUN` is a non-interactive `/bin/sh -c` (or `SHELL`'s command) that reads no
    /// startup file, so `conda init`'s block in `~/.bashrc` is never read; even
    /// `SHELL ["/bin/bash", "--login", "-c"]` reads `~/.profile`, whose `.bashrc` returns
    /// before the block on Debian and Ubuntu (`case $- in *i*)`). Without the function,
    /// `conda` is conda's program, which cannot change its caller's environment: current
    /// conda refuses with "Your shell has not been properly configured to use 'conda
    /// activate'" and exits 1, failing the build (or, after a `;`, going on unactivated).
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN conda init bash && conda activate base
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// RUN . /opt/conda/etc/profile.d/conda.sh && conda activate myenv && pip install -e .
    /// ```
    /// or `conda run -n myenv …`.
    ///
    /// ## Fix safety
    /// No fix: where conda lives is the image's.
    pub(crate) const RULE = Rule {
        code: "CG802",
        name: "run-conda-activate-without-hook",
        summary: "`conda activate` in a `RUN` whose shell never loaded conda's shell function: conda refuses",
        shells: Shells::NONE,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Container(check),
    };
}

fn check(checker: &mut ContainerChecker) {
    let file = checker.file;
    let Some(build) = file.dockerfile_build() else {
        return;
    };
    for run in &build.runs {
        if shell_sets_up_conda(run) {
            continue;
        }
        let Some(model) = build.run_model(run, Path::new("Dockerfile")) else {
            continue;
        };
        let mut hooked = false;
        for statement in &model.statements {
            if loads_conda_hook(&model, statement) {
                hooked = true;
            }
            let StatementKind::Command(command) = &statement.kind else {
                continue;
            };
            let name = command.name.as_deref().unwrap_or("");
            // A path (`/opt/conda/bin/conda activate`) runs the program even after the hook.
            if (hooked && !name.contains('/'))
                || matches!(name, "." | "source")
                || !is_activation(command)
            {
                continue;
            }
            let shell = run.shell_argv.join(" ");
            let initialised = build
                .startup_writes
                .iter()
                .any(|w| w.what == crate::container::build::Written::CondaInit);
            let why = if initialised {
                "reads no startup file, so `conda init`'s block is never read here"
            } else {
                "reads no startup file and loads no `conda.sh`"
            };
            checker
                .report(
                    statement.range.clone(),
                    format!(
                        "this `RUN`'s shell (`{shell}`) {why}: `conda` is conda's program, which cannot activate anything in its caller and refuses (\"Your shell has not been properly configured to use 'conda activate'\", exit 1)"
                    ),
                )
                .help("load the function first in the same `RUN` (`. /opt/conda/etc/profile.d/conda.sh && conda activate ENV && …`) or use `conda run -n ENV …`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    fn count(text: &str) -> usize {
        findings_at("CG802", Shell::Sh, "Dockerfile", text).len()
    }

    #[test]
    fn activate_without_the_function() {
        assert_eq!(
            count(
                "FROM condaforge/miniforge3\nRUN conda init bash && \\\n    conda activate base\n"
            ),
            1
        );
        assert_eq!(count("FROM condaforge/miniforge3\nRUN . /opt/conda/etc/profile.d/conda.sh && /opt/conda/bin/conda activate base\n"), 1);
        assert_eq!(count("FROM condaforge/miniforge3\nRUN echo '. /opt/conda/etc/profile.d/conda.sh' >> ~/.bashrc && conda activate base\n"), 1);
        assert_eq!(count("FROM condaforge/miniforge3\nSHELL [\"/bin/bash\", \"--login\", \"-c\"]\nRUN conda activate base && pip install x\n"), 1);
    }

    #[test]
    fn quiet_when_the_function_is_loaded_or_the_shell_is_interactive() {
        assert_eq!(
            count("FROM condaforge/miniforge3\nRUN . /opt/conda/etc/profile.d/conda.sh && conda activate env\n"),
            0
        );
        assert_eq!(
            count("FROM condaforge/miniforge3\nRUN eval \"$(conda shell.bash hook)\" && conda activate env\n"),
            0
        );
        assert_eq!(
            count("FROM condaforge/miniforge3\nSHELL [\"/bin/bash\", \"-i\", \"-c\"]\nRUN conda activate env\n"),
            0
        );
        assert_eq!(count("FROM condaforge/miniforge3\nSHELL [\"conda\", \"run\", \"-n\", \"env\", \"/bin/bash\", \"-c\"]\nRUN conda activate env\n"), 0);
    }
}
