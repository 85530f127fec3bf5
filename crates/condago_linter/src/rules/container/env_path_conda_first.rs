use crate::container::ContainerChecker;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `ENV PATH=…` that puts conda's base `bin` (`/opt/conda/bin`,
    /// `…/miniconda3/bin`, `…/miniforge3/bin`, `…/mambaforge/bin`) before the image's `PATH`.
    ///
    /// ## Why is this bad?
    /// `ENV` is the environment of every process of the image: each later `RUN`,
    /// `docker exec`, the IDE's server, its terminal and its tools. With base's `bin`
    /// first, base's `python`, `pip` and everything else conda installed there shadow the
    /// image's own, and a `go` that some package pulls into base (conda-forge has one)
    /// wins over the image's `/usr/local/go/bin/go` with no error anywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM mcr.microsoft.com/devcontainers/go:1.22-bookworm
    /// ENV PATH="/opt/conda/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ENV PATH="$PATH:/opt/conda/bin"
    /// ```
    /// (conda's command stays reachable; `conda activate` still puts an environment first
    /// where you ask for it).
    ///
    /// ## Fix safety
    /// Unsafe: the image's own programs win afterwards, which is the point, but a build
    /// step that relied on base's `python` gets the system's.
    pub(crate) const RULE = Rule {
        code: "CG804",
        name: "env-path-conda-base-first",
        summary: "`ENV PATH` puts conda's base `bin` before the image's own programs, for every process",
        shells: Shells::NONE,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(crate::diagnostic::Applicability::Unsafe),
        opt_in: false,
        check: Check::Container(check),
    };
}

/// Whether a directory is a conda installation's base `bin`.
pub(crate) fn is_conda_base_bin(entry: &str) -> bool {
    let entry = entry.trim_end_matches('/');
    let Some(root) = entry.strip_suffix("/bin") else {
        return false;
    };
    let name = root.rsplit('/').next().unwrap_or(root).to_ascii_lowercase();
    !root.contains("/envs/")
        && (name == "conda"
            || name.starts_with("miniconda")
            || name.starts_with("anaconda")
            || name.starts_with("miniforge")
            || name.starts_with("mambaforge")
            || name == "micromamba"
            || name == "${conda_dir}"
            || name == "$conda_dir")
}

fn check(checker: &mut ContainerChecker) {
    let file = checker.file;
    let Some(build) = file.dockerfile_build() else {
        return;
    };
    for setting in &build.env_settings {
        if setting.name != "PATH" {
            continue;
        }
        let entries: Vec<&str> = setting.value.split(':').collect();
        let Some(base) = entries.iter().position(|e| *e == "$PATH") else {
            continue;
        };
        let Some(conda) = entries[..base].iter().find(|e| is_conda_base_bin(e)) else {
            continue;
        };
        let range = setting.value_range.clone().unwrap_or(setting.range.clone());
        let mut report = checker.report(
            range.clone(),
            format!(
                "`{conda}` comes before the image's `PATH` for every process of the image (each `RUN`, `docker exec`, the IDE and its terminal): conda base's `python` and `pip` shadow the image's, and a `go` installed into base would win over the image's Go"
            ),
        );
        report = report.help("append it instead: `ENV PATH=\"$PATH:/opt/conda/bin\"`");
        // Rewrite a plain `DIR…:$PATH` value as `$PATH:DIR…`, keeping its quoting.
        let raw_parts: Vec<&str> = setting.raw.split(':').collect();
        let simple = raw_parts.len() == entries.len()
            && raw_parts
                .iter()
                .filter(|p| **p == "$PATH" || **p == "${PATH}")
                .count()
                == 1;
        if simple && setting.value_range.is_some() {
            let at = raw_parts
                .iter()
                .position(|p| *p == "$PATH" || *p == "${PATH}")
                .unwrap_or(0);
            let mut reordered: Vec<&str> = vec![raw_parts[at]];
            reordered.extend(raw_parts[..at].iter());
            reordered.extend(raw_parts[at + 1..].iter());
            let written = String::from_utf8_lossy(&file.source[range.clone()]).to_string();
            let quote = if written.starts_with('"') { "\"" } else { "" };
            let content = format!("{quote}{}{quote}", reordered.join(":"));
            let _ = report.fix(Fix::unsafe_(
                "Move the image's `$PATH` first",
                vec![Edit::replace(range, content)],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings_at, fixed_at};
    use crate::Applicability;
    use condago_syntax::Shell;

    #[test]
    fn conda_base_before_the_image_path() {
        let text = "FROM condaforge/miniforge3\nENV PATH=\"/opt/conda/bin:$PATH\"\n";
        assert_eq!(findings_at("CG804", Shell::Sh, "Dockerfile", text).len(), 1);
        let fixed = fixed_at(
            "CG804",
            Shell::Sh,
            "Dockerfile",
            text,
            Applicability::Unsafe,
        );
        assert_eq!(
            fixed,
            "FROM condaforge/miniforge3\nENV PATH=\"$PATH:/opt/conda/bin\"\n"
        );
        let legacy = "FROM condaforge/miniforge3\nENV PATH /opt/miniconda3/bin:$PATH\n";
        assert_eq!(
            findings_at("CG804", Shell::Sh, "Dockerfile", legacy).len(),
            1
        );
    }

    #[test]
    fn appended_or_an_environment_is_fine() {
        for text in [
            "FROM condaforge/miniforge3\nENV PATH=\"$PATH:/opt/conda/bin\"\n",
            "FROM condaforge/miniforge3\nENV PATH=/opt/conda/envs/app/bin:$PATH\n",
            "FROM condaforge/miniforge3\nENV PATH=/usr/local/go/bin:$PATH\n",
        ] {
            assert!(
                findings_at("CG804", Shell::Sh, "Dockerfile", text).is_empty(),
                "{text}"
            );
        }
    }
}
