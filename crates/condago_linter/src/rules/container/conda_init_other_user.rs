use crate::container::build::Written;
use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `conda init` (or `mamba init`), or conda's hook or `conda activate` appended by
    /// hand to a `~/.bashrc`, in a `RUN` as one user when the container is used as another
    /// (the devcontainer.json's `remoteUser`/`containerUser`, the devcontainers base
    /// images' `vscode`, or the last `USER`).
    ///
    /// ## Why is this bad?
    /// `conda init bash` writes its block into the running user's `~/.bashrc`:
    /// `/root/.bashrc` for a `RUN` as root. The container's user has their own `~/.bashrc`
    /// and never reads root's, so `conda activate` in the IDE's terminal says the shell is
    /// not configured, and `conda` may not be found at all.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM mcr.microsoft.com/devcontainers/base:bookworm
    /// RUN /opt/conda/bin/conda init bash
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// USER vscode
    /// RUN /opt/conda/bin/conda init bash
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the user switch may need other steps (ownership of `/opt/conda`).
    pub(crate) const RULE = Rule {
        code: "CG806",
        name: "conda-init-other-user",
        summary: "`conda init` (or conda's hook written by hand) as another user than the container's: it lands in a `.bashrc` nobody reads",
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
    let Some(remote) = file.remote_user() else {
        return;
    };
    let origin = file.remote_user_origin();
    let last_stage = build.stages.len().saturating_sub(1);
    let remote_home = crate::container::build::home_of(&remote, &[]);
    let mut reported_runs = Vec::new();
    for write in &build.startup_writes {
        let run = &build.runs[write.run];
        let conda = matches!(
            write.what,
            Written::CondaInit | Written::CondaHook | Written::CondaActivate
        );
        // Only a user's own files: /etc/bash.bashrc is read by every user.
        let in_own_home = write.file.starts_with(&format!("{}/", run.home));
        if !conda || !in_own_home || run.stage != last_stage || reported_runs.contains(&write.run) {
            continue;
        }
        let user = write.user.split(':').next().unwrap_or("");
        if user == remote || write.file.starts_with(&format!("{remote_home}/")) {
            continue;
        }
        reported_runs.push(write.run);
        let what = if write.what == Written::CondaInit {
            format!("`conda init` runs as `{user}` and writes `{}`", write.file)
        } else {
            format!(
                "this line writes conda's set-up into `{}`, as `{user}`",
                write.file
            )
        };
        checker
            .report(
                write.range.clone(),
                format!(
                    "{what}; the container is used as `{remote}` ({origin}), whose shells read `{remote_home}/.bashrc` instead"
                ),
            )
            .help(format!(
                "write it after `USER {remote}` (or as `su {remote} -c …`)"
            ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    #[test]
    fn root_init_in_a_devcontainers_image() {
        let text = "FROM mcr.microsoft.com/devcontainers/base:bookworm\nRUN /opt/conda/bin/conda init bash\n";
        let found = findings_at("CG806", Shell::Sh, "Dockerfile", text);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("/root/.bashrc"), "{found:?}");
    }

    #[test]
    fn a_hand_written_hook_in_roots_bashrc() {
        let text = "FROM debian:12\nRUN echo '. /opt/conda/etc/profile.d/conda.sh' >> ~/.bashrc && \\\n    echo 'conda activate base' >> ~/.bashrc\nRUN useradd -m analyst\nUSER analyst\n";
        let found = findings_at("CG806", Shell::Sh, "Dockerfile", text);
        assert_eq!(found.len(), 1, "{found:?}");
        // Every user reads /etc/bash.bashrc.
        let text = "FROM debian:12\nRUN echo '. /opt/conda/etc/profile.d/conda.sh' >> /etc/bash.bashrc\nUSER analyst\n";
        assert!(findings_at("CG806", Shell::Sh, "Dockerfile", text).is_empty());
    }

    #[test]
    fn init_as_the_user_is_fine() {
        let text = "FROM debian:12\nUSER dev\nRUN /opt/conda/bin/conda init bash\n";
        assert!(findings_at("CG806", Shell::Sh, "Dockerfile", text).is_empty());
        let text = "FROM continuumio/miniconda3\nRUN conda init bash\n";
        assert!(findings_at("CG806", Shell::Sh, "Dockerfile", text).is_empty());
    }
}
