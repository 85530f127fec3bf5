use crate::container::build::Written;
use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `"userEnvProbe": "none"` in a devcontainer.json whose Dockerfile sets up tools
    /// in startup files (`conda init`, lines appended to `~/.bashrc`, `/etc/bash.bashrc`,
    /// `~/.profile` or `/etc/profile.d/`).
    ///
    /// ## Why is this bad?
    /// VS Code probes the user's environment by starting a shell (by default an
    /// interactive login shell) and gives what it finds to its server, its extensions'
    /// language servers, debuggers and tasks. With `none` they get only the container's
    /// own environment: the `PATH` and conda set-up that the startup files add reach the
    /// terminal but not the Go or Python extension, which then report the tool missing or
    /// use another copy.
    ///
    /// ## Example
    /// ```json
    /// { "build": { "dockerfile": "Dockerfile" }, "userEnvProbe": "none" }
    /// ```
    /// with `RUN conda init bash` in the Dockerfile.
    ///
    /// ## Use instead
    /// Drop `userEnvProbe` (the default, `loginInteractiveShell`, reads them), or set the
    /// variables with `ENV` in the Dockerfile.
    ///
    /// ## Fix safety
    /// No fix: `none` is sometimes chosen for start-up time.
    pub(crate) const RULE = Rule {
        code: "CG809",
        name: "devcontainer-user-env-probe-none",
        summary: "`userEnvProbe: none` while the Dockerfile sets tools up in startup files: the IDE's tools never see them",
        shells: Shells::NONE,
        severity: Severity::Warning,
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
    let (Some(devcontainer), Some(build)) = (&file.devcontainer, &file.build) else {
        return;
    };
    let Some(probe) = &devcontainer.user_env_probe else {
        return;
    };
    if probe.value != "none" {
        return;
    }
    let Some(write) = build.startup_writes.first() else {
        return;
    };
    let what = match write.what {
        Written::CondaInit => "runs `conda init`, which writes",
        _ => "appends to",
    };
    let line = build
        .dockerfile
        .instructions
        .iter()
        .position(|i| i.range.contains(&write.range.start));
    let _ = line;
    checker
        .report(
            probe.range.clone(),
            format!(
                "`userEnvProbe` is `none`, but the Dockerfile {what} `{}`: the IDE's server, language servers, debuggers and tasks never read it, so the tools it sets up are missing for them",
                write.file
            ),
        )
        .help("remove `userEnvProbe` (the default reads startup files) or set the variables with `ENV`");
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    #[test]
    fn needs_the_dockerfile_beside_it() {
        let dir = std::env::temp_dir().join(format!("condago-cg809-{}", std::process::id()));
        let folder = dir.join(".devcontainer");
        std::fs::create_dir_all(&folder).expect("container test setup");
        std::fs::write(
            folder.join("Dockerfile"),
            "FROM condaforge/miniforge3\nRUN /opt/conda/bin/conda init bash\n",
        )
        .expect("container test setup");
        let json = "{ \"build\": { \"dockerfile\": \"Dockerfile\" }, \"userEnvProbe\": \"none\" }";
        let path = folder.join("devcontainer.json");
        let found = findings_at(
            "CG809",
            Shell::Sh,
            path.to_str().expect("container test setup"),
            json,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        std::fs::write(
            folder.join("Dockerfile"),
            "FROM condaforge/miniforge3\nENV PATH=/opt/conda/bin:$PATH\n",
        )
        .expect("container test setup");
        assert!(findings_at(
            "CG809",
            Shell::Sh,
            path.to_str().expect("container test setup"),
            json
        )
        .is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
