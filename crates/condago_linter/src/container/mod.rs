//! Containers: Dockerfiles (`Dockerfile`, `Containerfile`, `*.Dockerfile`) and
//! `devcontainer.json`. A Dockerfile's `RUN` code goes through the shell parse and a few
//! shell rules at the Dockerfile's own offsets; the container rules read the build model
//! ([`build::Build`]) and the devcontainer model ([`devcontainer::DevContainer`]).

pub mod build;
pub mod devcontainer;
pub mod which;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::{Check, Report, Rule};
use crate::Settings;

pub use build::Build;
pub use devcontainer::DevContainer;

/// The container files condago reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Dockerfile,
    DevContainer,
}

/// Whether a path is a Dockerfile or a devcontainer.json, by its name.
pub fn container_kind(path: &Path) -> Option<ContainerKind> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
    {
        return Some(ContainerKind::Dockerfile);
    }
    if lower == ".devcontainer.json" {
        return Some(ContainerKind::DevContainer);
    }
    if lower == "devcontainer.json" {
        // `.devcontainer/devcontainer.json` or `.devcontainer/NAME/devcontainer.json`.
        let in_folder = path
            .ancestors()
            .skip(1)
            .take(2)
            .any(|dir| dir.file_name().is_some_and(|n| n == ".devcontainer"));
        if in_folder || path.parent().is_none_or(|p| p.as_os_str().is_empty()) {
            return Some(ContainerKind::DevContainer);
        }
    }
    None
}

/// One container file with what it refers to.
#[derive(Debug)]
pub struct ContainerFile<'a> {
    pub path: &'a Path,
    pub source: &'a [u8],
    pub kind: ContainerKind,
    /// The Dockerfile's build model: the file itself, or the one a devcontainer.json builds.
    pub build: Option<Build>,
    /// The devcontainer.json: the file itself, or the one beside a Dockerfile that builds it.
    pub devcontainer: Option<DevContainer>,
    /// Where the companion file (the other one of the pair) was read from.
    pub companion: Option<PathBuf>,
    /// The Dockerfile's text when it is the companion (empty otherwise).
    companion_source: Vec<u8>,
}

impl<'a> ContainerFile<'a> {
    /// Reads a container file and its companion (a devcontainer.json beside a Dockerfile
    /// that it builds; the Dockerfile a devcontainer.json names).
    pub fn new(path: &'a Path, source: &'a [u8], settings: &Settings) -> ContainerFile<'a> {
        let kind = container_kind(path).unwrap_or(ContainerKind::Dockerfile);
        let mut file = ContainerFile {
            path,
            source,
            kind,
            build: None,
            devcontainer: None,
            companion: None,
            companion_source: Vec::new(),
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        match kind {
            ContainerKind::Dockerfile => {
                file.build = Some(Build::new(source, &settings.budget));
                for name in ["devcontainer.json", ".devcontainer.json"] {
                    let candidate = folder.join(name);
                    let Ok(text) = std::fs::read(&candidate) else {
                        continue;
                    };
                    let devcontainer = DevContainer::parse(&text);
                    let builds_this = devcontainer
                        .dockerfile
                        .as_deref()
                        .is_some_and(|d| folder.join(d).file_name() == path.file_name());
                    if builds_this {
                        file.devcontainer = Some(devcontainer);
                        file.companion = Some(candidate);
                        break;
                    }
                }
            }
            ContainerKind::DevContainer => {
                let devcontainer = DevContainer::parse(source);
                if let Some(dockerfile) = &devcontainer.dockerfile {
                    let candidate = folder.join(dockerfile);
                    let limit = settings.budget.max_file_bytes as u64;
                    let small = std::fs::metadata(&candidate).is_ok_and(|m| m.len() <= limit);
                    if let Some(text) = small.then(|| std::fs::read(&candidate).ok()).flatten() {
                        file.build = Some(Build::new(&text, &settings.budget));
                        file.companion = Some(candidate);
                        file.companion_source = text;
                    }
                }
                file.devcontainer = Some(devcontainer);
            }
        }
        file
    }

    /// The user the IDE's terminal, its tools and the lifecycle commands run as: the
    /// devcontainer.json's `remoteUser`/`containerUser`, else the devcontainers base
    /// images' `vscode` (their image metadata sets it), else the Dockerfile's last `USER`.
    pub fn remote_user(&self) -> Option<String> {
        if let Some(user) = self.devcontainer.as_ref().and_then(DevContainer::user) {
            return Some(user.value.clone());
        }
        let build = self.build.as_ref()?;
        let last = build.stages.last()?;
        if last.final_user != "root" {
            return Some(last.final_user.clone());
        }
        let devcontainers_image =
            last.image.contains("devcontainers/") || last.image.contains("vscode/devcontainers");
        if devcontainers_image {
            return Some("vscode".to_string());
        }
        None
    }

    /// Where the remote user comes from, for messages.
    pub fn remote_user_origin(&self) -> &'static str {
        if self
            .devcontainer
            .as_ref()
            .and_then(|d| d.remote_user.as_ref())
            .is_some()
        {
            "the devcontainer.json's `remoteUser`"
        } else if self
            .devcontainer
            .as_ref()
            .and_then(|d| d.container_user.as_ref())
            .is_some()
        {
            "the devcontainer.json's `containerUser`"
        } else if self
            .build
            .as_ref()
            .and_then(|b| b.stages.last())
            .is_some_and(|s| s.final_user != "root")
        {
            "the last `USER`"
        } else {
            "the devcontainers base image's metadata"
        }
    }

    /// The text of the Dockerfile that `build` was read from.
    pub fn source_of_build(&self) -> &[u8] {
        match self.kind {
            ContainerKind::Dockerfile => self.source,
            ContainerKind::DevContainer => &self.companion_source,
        }
    }

    /// The build model, when this file is the Dockerfile itself (findings about the build
    /// belong to it, not to the devcontainer.json that names it).
    pub fn dockerfile_build(&self) -> Option<&Build> {
        self.build.as_ref().filter(|_| self.is_dockerfile())
    }

    /// The 1-based line of an offset in the Dockerfile's text.
    pub fn build_line(&self, offset: usize) -> usize {
        crate::lines::LineIndex::new(self.source_of_build()).line_of(offset) + 1
    }

    /// Whether findings about the build belong to this file (the Dockerfile itself).
    pub fn is_dockerfile(&self) -> bool {
        self.kind == ContainerKind::Dockerfile
    }
}

/// What a container rule's check gets.
pub struct ContainerChecker<'a, 'f> {
    pub file: &'a ContainerFile<'f>,
    rule: &'static Rule,
    findings: &'a mut Vec<Diagnostic>,
}

impl ContainerChecker<'_, '_> {
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) -> Report<'_> {
        self.findings.push(Diagnostic {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            range,
            message: message.into(),
            help: None,
            fix: None,
        });
        Report(self.findings.last_mut())
    }
}

/// The shell rules that also hold for a `RUN`'s code (the rest are about startup files).
pub const RUN_CODE_RULES: &[&str] = &["CG001", "CG102", "CG105", "CG109", "CG413"];

/// Lints a Dockerfile or devcontainer.json.
pub fn lint(path: &Path, source: &[u8], settings: &Settings) -> Vec<Diagnostic> {
    let is_dockerfile = container_kind(path) != Some(ContainerKind::DevContainer);
    if is_dockerfile && !Build::mentions_conda_or_go(source) {
        return Vec::new();
    }
    let file = ContainerFile::new(path, source, settings);
    let mut diagnostics = Vec::new();
    if let (ContainerKind::Dockerfile, Some(build)) = (file.kind, &file.build) {
        // Only the rules that hold for a build step run on a `RUN`'s code, as far as the
        // user's selection allows.
        let mut run_settings = settings.clone();
        run_settings.selection.select = RUN_CODE_RULES
            .iter()
            .copied()
            .filter(|code| {
                crate::registry::find(code).is_some_and(|rule| settings.selection.is_enabled(rule))
            })
            .map(str::to_string)
            .collect();
        run_settings.selection.extend_select.clear();
        if !run_settings.selection.select.is_empty() {
            for run in &build.runs {
                let Some(parse) = &run.parse else {
                    continue;
                };
                let found = crate::lint_parsed(path, &run.text, parse, false, &run_settings);
                // CG003 (unused suppression) speaks of the whole file, not of one `RUN`.
                diagnostics.extend(found.into_iter().filter(|d| d.code != "CG003"));
            }
        }
    }
    if let Some((range, why)) = file.devcontainer.as_ref().and_then(|d| d.error.clone()) {
        if file.kind == ContainerKind::DevContainer {
            diagnostics.push(Diagnostic {
                code: crate::rules::file::syntax_error::RULE.code,
                name: crate::rules::file::syntax_error::RULE.name,
                severity: Severity::Error,
                range,
                message: format!(
                    "this devcontainer.json is not valid JSON with comments ({why}); VS Code and the devcontainers CLI refuse it"
                ),
                help: Some("fix the JSON; condago reads nothing else of this file until then".into()),
                fix: None,
            });
        }
    }
    for rule in crate::registry::RULES.iter().copied() {
        let Check::Container(check) = rule.check else {
            continue;
        };
        if !settings.selection.is_enabled(rule) {
            continue;
        }
        check(&mut ContainerChecker {
            file: &file,
            rule,
            findings: &mut diagnostics,
        });
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
    });
    diagnostics.dedup_by(|a, b| a.code == b.code && a.range == b.range && a.message == b.message);
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "FROM continuumio/miniconda3\nRUN export PATH=\"~/bin:$PATH\" && \\\n    conda info\n";

    /// A `RUN`'s code gets the shell rules that hold for a build step, at the Dockerfile's
    /// own offsets, and the user's selection still applies.
    #[test]
    fn run_code_gets_the_run_rules_at_dockerfile_offsets() {
        let found = lint(
            Path::new("Dockerfile"),
            TEXT.as_bytes(),
            &Settings::default(),
        );
        let tilde: Vec<&Diagnostic> = found.iter().filter(|d| d.code == "CG102").collect();
        assert_eq!(tilde.len(), 1, "{found:#?}");
        assert_eq!(&TEXT[tilde[0].range.clone()], "~");
        // Startup-file rules (CG104: a prepend that is not idempotent) stay quiet in a RUN.
        assert!(
            found
                .iter()
                .all(|d| RUN_CODE_RULES.contains(&d.code) || d.code.starts_with("CG8")),
            "{found:#?}"
        );
        let mut settings = Settings::default();
        settings.selection.ignore = vec!["CG102".to_string()];
        let found = lint(Path::new("Dockerfile"), TEXT.as_bytes(), &settings);
        assert!(found.iter().all(|d| d.code != "CG102"), "{found:#?}");
    }
}
