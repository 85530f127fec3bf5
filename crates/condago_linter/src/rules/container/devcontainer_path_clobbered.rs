use crate::container::ContainerChecker;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `PATH` in a devcontainer.json's `remoteEnv` without `${containerEnv:PATH}`, and
    /// `PATH` in its `containerEnv`.
    ///
    /// ## Why is this bad?
    /// `remoteEnv` replaces the variable for the IDE's server, its terminals, tasks and
    /// lifecycle commands: `"PATH": "/opt/conda/bin"` drops `/usr/bin`, `/usr/local/go/bin`
    /// and everything the image's `ENV PATH` put there, and `${containerEnv:PATH}` is how
    /// the file keeps them. `containerEnv` is passed to `docker run` as `-e PATH=…`: it
    /// replaces the image's `PATH` for every process of the container, and it cannot refer
    /// to the container's own `PATH`.
    ///
    /// ## Example
    /// ```json
    /// "remoteEnv": { "PATH": "/opt/conda/bin:/home/vscode/go/bin" }
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// "remoteEnv": { "PATH": "/opt/conda/bin:/home/vscode/go/bin:${containerEnv:PATH}" }
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, for `remoteEnv` only: appends `:${containerEnv:PATH}`, so the image's
    /// programs come back (after the ones listed).
    pub(crate) const RULE = Rule {
        code: "CG807",
        name: "devcontainer-path-clobbered",
        summary: "devcontainer.json sets `PATH` without `${containerEnv:PATH}`: the image's `PATH` is gone",
        shells: Shells::NONE,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(crate::diagnostic::Applicability::Unsafe),
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
    for entry in devcontainer.remote_env.iter().filter(|e| e.name == "PATH") {
        let value = &entry.value.value;
        if value.contains("${containerEnv:PATH}") || value.contains("${remoteEnv:PATH}") {
            continue;
        }
        let range = entry.value.range.clone();
        let end = range.end.saturating_sub(1);
        checker
            .report(
                range,
                format!(
                    "`remoteEnv` sets `PATH` to `{value}` for the IDE's server, terminals, tasks and lifecycle commands: the image's `PATH` (`/usr/bin`, its Go, everything `ENV PATH` added) is gone"
                ),
            )
            .help("end it with `:${containerEnv:PATH}`")
            .fix(Fix::unsafe_(
                "Append `:${containerEnv:PATH}`",
                vec![Edit::insert(end, ":${containerEnv:PATH}")],
            ));
    }
    for entry in devcontainer
        .container_env
        .iter()
        .filter(|e| e.name == "PATH")
    {
        checker
            .report(
                entry.value.range.clone(),
                format!(
                    "`containerEnv` passes `PATH={}` to `docker run`: it replaces the image's `PATH` for every process of the container, and `containerEnv` cannot refer to the image's own `PATH`",
                    entry.value.value
                ),
            )
            .help("set `PATH` in `remoteEnv` with `${containerEnv:PATH}`, or with `ENV PATH=…:$PATH` in the Dockerfile");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings_at, fixed_at};
    use crate::Applicability;
    use condago_syntax::Shell;

    const PATH: &str = ".devcontainer/devcontainer.json";

    #[test]
    fn remote_env_path_without_container_path() {
        let text = "{\n  // comment\n  \"remoteEnv\": { \"PATH\": \"/opt/conda/bin\" }\n}\n";
        assert_eq!(findings_at("CG807", Shell::Sh, PATH, text).len(), 1);
        let fixed = fixed_at("CG807", Shell::Sh, PATH, text, Applicability::Unsafe);
        assert!(
            fixed.contains("\"/opt/conda/bin:${containerEnv:PATH}\""),
            "{fixed}"
        );
        let container = "{ \"containerEnv\": { \"PATH\": \"/opt/conda/bin:/usr/bin\" } }";
        assert_eq!(findings_at("CG807", Shell::Sh, PATH, container).len(), 1);
    }

    #[test]
    fn keeping_the_container_path_is_fine() {
        let text = "{ \"remoteEnv\": { \"PATH\": \"${containerEnv:PATH}:/home/vscode/go/bin\" } }";
        assert!(findings_at("CG807", Shell::Sh, PATH, text).is_empty());
    }
}
