use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `conda activate` (or `mamba activate`) in a devcontainer.json lifecycle
    /// command (`onCreateCommand`, `updateContentCommand`, `postCreateCommand`,
    /// `postStartCommand`, `postAttachCommand`) that does not load conda's shell function
    /// first.
    ///
    /// ## Why is this bad?
    /// A string command runs through `/bin/sh -c`, a non-interactive shell that reads no
    /// startup file, so `conda init`'s block in `~/.bashrc` is never read; an array
    /// command runs the program directly. Either way `conda` is conda's program, which
    /// refuses `activate` ("Your shell has not been properly configured to use 'conda
    /// activate'"), and the `pip install` after it goes to base, or the command fails and
    /// the container is left half set up.
    ///
    /// ## Example
    /// ```json
    /// "postCreateCommand": "conda activate app && pip install -e ."
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// "postCreateCommand": "conda run -n app pip install -e ."
    /// ```
    ///
    /// ## Fix safety
    /// No fix.
    pub(crate) const RULE = Rule {
        code: "CG808",
        name: "devcontainer-lifecycle-conda-activate",
        summary: "`conda activate` in a devcontainer lifecycle command: a non-interactive shell without conda's function",
        shells: Shells::NONE,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Container(check),
    };
}

fn check(checker: &mut ContainerChecker) {
    let file = checker.file;
    if file.is_dockerfile() {
        return;
    }
    let Some(devcontainer) = &file.devcontainer else {
        return;
    };
    for command in &devcontainer.lifecycle {
        let text = &command.command.value;
        let Some(at) = ["conda activate", "mamba activate", "micromamba activate"]
            .iter()
            .filter_map(|needle| text.find(needle))
            .min()
        else {
            continue;
        };
        let before = &text[..at];
        if before.contains("conda.sh") || before.contains("hook") || before.contains("bash -i") {
            continue;
        }
        let how = if command.through_shell {
            "runs through `/bin/sh -c`, which reads no startup file"
        } else {
            "runs the program directly, with no shell"
        };
        checker
            .report(
                command.command.range.clone(),
                format!(
                    "`{}` {how}: `conda activate` there is conda's program, which refuses (\"Your shell has not been properly configured to use 'conda activate'\")",
                    command.hook
                ),
            )
            .help("use `conda run -n ENV …`, or `bash -c '. /opt/conda/etc/profile.d/conda.sh && conda activate ENV && …'`");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    const PATH: &str = ".devcontainer/devcontainer.json";

    #[test]
    fn activate_in_post_create() {
        let text = "{ \"postCreateCommand\": \"conda activate app && pip install -e .\" }";
        assert_eq!(findings_at("CG808", Shell::Sh, PATH, text).len(), 1);
        let array = "{ \"postStartCommand\": [\"conda\", \"activate\", \"app\"] }";
        assert_eq!(findings_at("CG808", Shell::Sh, PATH, array).len(), 1);
    }

    #[test]
    fn conda_run_or_a_loaded_function_is_fine() {
        for text in [
            "{ \"postCreateCommand\": \"conda run -n app pip install -e .\" }",
            "{ \"postCreateCommand\": \"bash -c '. /opt/conda/etc/profile.d/conda.sh && conda activate app'\" }",
        ] {
            assert!(findings_at("CG808", Shell::Sh, PATH, text).is_empty(), "{text}");
        }
    }
}
