use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `SHELL ["/bin/bash", "--login", "-c"]` (or `-l`) in a stage built on a Debian
    /// image (`debian`, the official `golang`, `python`, `node`, … images, the conda and
    /// devcontainers images) after an `ENV PATH=…` that adds directories, when a `RUN`
    /// follows.
    ///
    /// ## Why is this bad?
    /// A login bash reads `/etc/profile` first, and Debian's sets `PATH` to a fixed list
    /// (`/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` for root), dropping
    /// what `ENV PATH` added: `/opt/conda/bin`, `/usr/local/go/bin`, a venv's `bin`. The
    /// `--login` is usually there to make `conda` work, and it takes conda (and the image's
    /// Go) off `PATH` for every `RUN` that follows (checked with Debian 12's bash and
    /// `/etc/profile`: `type conda` says not found).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM continuumio/miniconda3
    /// ENV PATH=/opt/conda/envs/app/bin:$PATH
    /// SHELL ["/bin/bash", "--login", "-c"]
    /// RUN python -m pip install -e .
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// SHELL ["conda", "run", "-n", "app", "/bin/bash", "-c"]
    /// ```
    /// or keep `/bin/sh -c` and name the environment's programs by their path.
    ///
    /// ## Fix safety
    /// No fix: what the login shell was for is the author's.
    pub(crate) const RULE = Rule {
        code: "CG810",
        name: "run-login-shell-resets-path",
        summary: "`SHELL [\"/bin/bash\", \"--login\", \"-c\"]` on a Debian image: `/etc/profile` resets `PATH`, dropping what `ENV PATH` added",
        shells: Shells::NONE,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Container(check),
    };
}

/// Whether an image is Debian-based, by its name and tag.
fn is_debian_image(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    if [
        "alpine",
        "ubuntu",
        "focal",
        "jammy",
        "noble",
        "fedora",
        "ubi",
        "centos",
        "rocky",
        "distroless",
        "windows",
    ]
    .iter()
    .any(|other| image.contains(other))
    {
        return false;
    }
    let name = image.split([':', '@']).next().unwrap_or(&image);
    let name = name.rsplit('/').next().unwrap_or(name);
    ["debian", "bookworm", "bullseye", "buster", "trixie"]
        .iter()
        .any(|d| image.contains(d))
        || matches!(
            name,
            "golang"
                | "python"
                | "node"
                | "ruby"
                | "rust"
                | "buildpack-deps"
                | "openjdk"
                | "miniconda3"
                | "anaconda3"
                | "miniforge3"
                | "mambaforge"
        )
        || image.contains("devcontainers/")
}

fn check(checker: &mut ContainerChecker) {
    let file = checker.file;
    let Some(build) = file.dockerfile_build() else {
        return;
    };
    for (stage_index, stage) in build.stages.iter().enumerate() {
        if !is_debian_image(&stage.image) {
            continue;
        }
        let Some(run) = build.runs.iter().find(|run| {
            run.stage == stage_index
                && run.shell_argv.first().is_some_and(|p| p.ends_with("bash"))
                && run.shell_argv.iter().any(|w| w == "--login" || w == "-l")
        }) else {
            continue;
        };
        let added: Vec<&str> = build
            .env_settings
            .iter()
            .filter(|s| {
                s.name == "PATH" && s.stage == stage_index && s.range.start < run.range.start
            })
            .flat_map(|s| s.value.split(':'))
            .filter(|dir| !dir.is_empty() && *dir != "$PATH")
            .collect();
        if added.is_empty() {
            continue;
        }
        // The SHELL instruction in effect for that RUN.
        let Some(shell) = build
            .dockerfile
            .instructions
            .iter()
            .rfind(|i| i.keyword == "SHELL" && i.range.start < run.range.start)
        else {
            continue;
        };
        checker
            .report(
                shell.range.clone(),
                format!(
                    "a login bash reads `/etc/profile`, and on this Debian-based image ({}) it sets `PATH` to a fixed list: `{}` from `ENV PATH` is gone in every `RUN` under this `SHELL`",
                    stage.image,
                    added.join(":")
                ),
            )
            .help("drop `--login` (use `conda run -n ENV` as the `SHELL`, or full paths), or set `PATH` again in each `RUN`");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    fn count(text: &str) -> usize {
        findings_at("CG810", Shell::Sh, "Dockerfile", text).len()
    }

    #[test]
    fn login_shell_after_env_path_on_debian() {
        assert_eq!(count("FROM continuumio/miniconda3\nENV PATH=/opt/conda/envs/app/bin:$PATH\nSHELL [\"/bin/bash\", \"--login\", \"-c\"]\nRUN python -V\n"), 1);
        assert_eq!(count("FROM golang:1.22-bookworm\nENV PATH=/opt/conda/bin:$PATH\nSHELL [\"/bin/bash\", \"-l\", \"-c\"]\nRUN go version\n"), 1);
    }

    #[test]
    fn no_login_no_env_path_or_another_distribution_is_quiet() {
        assert_eq!(count("FROM continuumio/miniconda3\nENV PATH=/opt/conda/envs/app/bin:$PATH\nSHELL [\"/bin/bash\", \"-c\"]\nRUN python -V\n"), 0);
        assert_eq!(count("FROM continuumio/miniconda3\nSHELL [\"/bin/bash\", \"--login\", \"-c\"]\nRUN conda info\n"), 0);
        assert_eq!(count("FROM ubuntu:22.04\nENV PATH=/opt/conda/bin:$PATH\nSHELL [\"/bin/bash\", \"--login\", \"-c\"]\nRUN conda info\n"), 0);
    }
}
