use std::path::Path;

use super::shared::{shell_change, top_level, ShellChange};
use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a `RUN` whose last command only changes its own shell: `conda activate`,
    /// `source activate`, `. /opt/conda/etc/profile.d/conda.sh`, `source ~/.bashrc`,
    /// `export GOPATH=/go`.
    ///
    /// ## Why is this bad?
    /// Each `RUN` is a new shell process (`/bin/sh -c`, or what `SHELL` says). When it
    /// ends, everything it activated, sourced or exported ends with it: the next `RUN`, the
    /// image's containers, `docker exec` and the IDE's terminal start from the image's
    /// `ENV` alone. A `RUN` that ends with an activation does nothing that lasts.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN conda activate myenv
    /// RUN python -m pip install -r requirements.txt   # base's python, not myenv's
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ENV PATH=/opt/conda/envs/myenv/bin:$PATH
    /// RUN python -m pip install -r requirements.txt
    /// ```
    /// or `conda run -n myenv …` in each `RUN`, or
    /// `SHELL ["conda", "run", "-n", "myenv", "/bin/bash", "-c"]`.
    ///
    /// ## Fix safety
    /// No fix: which of `ENV`, `conda run` or `SHELL` fits is the author's choice.
    pub(crate) const RULE = Rule {
        code: "CG801",
        name: "run-activation-lost",
        summary: "A `RUN` ends with `conda activate`, `source` or `export`: the change ends with that `RUN`'s shell",
        shells: Shells::NONE,
        severity: Severity::Warning,
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
        let Some(model) = build.run_model(run, Path::new("Dockerfile")) else {
            continue;
        };
        let statements = top_level(&model);
        let Some(last) = statements.iter().max_by_key(|s| s.range.end) else {
            continue;
        };
        // Under a condition it may not be the last thing the shell does.
        let conditional = last
            .context
            .conditions
            .iter()
            .any(|c| c.kind != crate::model::ConditionKind::List);
        if conditional || last.context.in_loop {
            continue;
        }
        let Some(change) = shell_change(last) else {
            continue;
        };
        let text = model.text(last.range.clone()).trim().to_string();
        let what = match change {
            ShellChange::Activate => "activates an environment",
            ShellChange::Source => "sources a file into its shell",
            ShellChange::Export => "sets a variable",
        };
        let shell = run.shell_argv.join(" ");
        checker
            .report(
                last.range.clone(),
                format!(
                    "`{text}` {what} as the last thing this `RUN` does; the `RUN`'s shell (`{shell}`) exits right after, and the next `RUN`, `docker exec` and the IDE's terminal start from the image's `ENV` alone"
                ),
            )
            .help(match change {
                ShellChange::Export => "set it with `ENV` (or `ARG` for the build only)".to_string(),
                _ => "use `ENV PATH=…/envs/NAME/bin:$PATH`, `conda run -n NAME …` in each `RUN`, or `SHELL [\"conda\", \"run\", \"-n\", \"NAME\", \"/bin/bash\", \"-c\"]`".to_string(),
            });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    fn found(text: &str) -> Vec<String> {
        findings_at("CG801", Shell::Sh, "Dockerfile", text)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn activation_source_or_export_at_the_end_of_a_run() {
        assert_eq!(
            found("FROM condaforge/miniforge3\nRUN conda activate base\n").len(),
            1
        );
        assert_eq!(
            found("FROM condaforge/miniforge3\nRUN apt-get update && \\\n    . /opt/conda/etc/profile.d/conda.sh\n")
                .len(),
            1
        );
        assert_eq!(
            found("FROM condaforge/miniforge3\nRUN export GOPATH=/go\n").len(),
            1
        );
        assert_eq!(
            found(
                "FROM condaforge/miniforge3\nSHELL [\"/bin/bash\", \"-c\"]\nRUN source ~/.bashrc\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn quiet_when_the_same_run_uses_it() {
        assert!(found("FROM condaforge/miniforge3\nRUN . /opt/conda/etc/profile.d/conda.sh && conda activate env && pip install x\n").is_empty());
        assert!(found("FROM condaforge/miniforge3\nRUN export A=1; make\n").is_empty());
        assert!(
            found("FROM condaforge/miniforge3\nRUN [\"conda\", \"activate\", \"base\"]\n")
                .is_empty()
        );
    }
}
