use std::path::Path;

use crate::container::build::command_words;
use crate::container::ContainerChecker;
use crate::diagnostic::{Edit, Fix, Severity};
use crate::model::StatementKind;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `go env -w NAME=VALUE` in a `RUN` that runs as another user than the one the
    /// container is used as (the devcontainer.json's `remoteUser`/`containerUser`, the
    /// devcontainers base images' `vscode`, or the last `USER`).
    ///
    /// ## Why is this bad?
    /// `go env -w` writes the running user's Go environment file, `$(go env GOENV)`:
    /// `$XDG_CONFIG_HOME/go/env`, by default `$HOME/.config/go/env`, so `/root/.config/go/env`
    /// for a `RUN` as root. Go reads that file for the user who runs `go`; the container's
    /// user never sees the setting, and `go env GOPATH` in the IDE's terminal shows the
    /// default with no error anywhere.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM mcr.microsoft.com/devcontainers/go:1.22-bookworm
    /// RUN go env -w GOPATH=/workspace/go
    /// ```
    ///
    /// ## Use instead
    /// ```dockerfile
    /// ENV GOPATH=/workspace/go
    /// ```
    /// (or run `go env -w` after `USER vscode`).
    ///
    /// ## Fix safety
    /// Unsafe, and only for a `RUN` that is just `go env -w …`: it becomes `ENV …`, which
    /// every user and every later `RUN` gets, and which `go env -w` can no longer override.
    pub(crate) const RULE = Rule {
        code: "CG805",
        name: "go-env-write-other-user",
        summary: "`go env -w` in a `RUN` as another user than the container's: it writes that user's Go env file",
        shells: Shells::NONE,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(crate::diagnostic::Applicability::Unsafe),
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
    for run in build.runs.iter().filter(|r| r.stage == last_stage) {
        if same_user(&run.user, &remote) {
            continue;
        }
        let Some(model) = build.run_model(run, Path::new("Dockerfile")) else {
            continue;
        };
        let commands = model
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Command(_)))
            .count();
        for statement in &model.statements {
            let StatementKind::Command(command) = &statement.kind else {
                continue;
            };
            let name = command.name.as_deref().unwrap_or("");
            let words = command_words(command);
            if !(name == "go" || name.ends_with("/go"))
                || words.len() < 3
                || words[0] != "env"
                || words[1] != "-w"
            {
                continue;
            }
            let settings: Vec<&String> = words[2..].iter().filter(|w| w.contains('=')).collect();
            let user = &run.user;
            let env_file = format!("{}/.config/go/env", run.home);
            let mut report = checker.report(
                statement.range.clone(),
                format!(
                    "`go env -w` runs as `{user}` here and writes `{env_file}`; the container is used as `{remote}` ({origin}), whose `go` never reads that file"
                ),
            );
            report = report.help(format!(
                "set it with `ENV {}` instead, or run `go env -w` after `USER {remote}`",
                settings
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
            let whole_run =
                commands == 1 && !settings.is_empty() && settings.len() == words.len() - 2;
            if whole_run {
                let instruction = build.instruction(run);
                let replacement = format!(
                    "ENV {}",
                    settings
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let _ = report.fix(Fix::unsafe_(
                    format!("Replace the `RUN` with `{replacement}`"),
                    vec![Edit::replace(instruction.range.clone(), replacement)],
                ));
            }
        }
    }
}

fn same_user(a: &str, b: &str) -> bool {
    let name = |u: &str| u.split(':').next().unwrap_or(u).to_string();
    let (a, b) = (name(a), name(b));
    a == b || (a == "0" && b == "root") || (a == "root" && b == "0")
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{findings_at, fixed_at};
    use crate::Applicability;
    use condago_syntax::Shell;

    #[test]
    fn root_writes_its_own_go_env() {
        let text =
            "FROM mcr.microsoft.com/devcontainers/go:1.22\nRUN go env -w GOPATH=/workspace/go\n";
        let found = findings_at("CG805", Shell::Sh, "Dockerfile", text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("/root/.config/go/env"),
            "{found:?}"
        );
        let fixed = fixed_at(
            "CG805",
            Shell::Sh,
            "Dockerfile",
            text,
            Applicability::Unsafe,
        );
        assert_eq!(
            fixed,
            "FROM mcr.microsoft.com/devcontainers/go:1.22\nENV GOPATH=/workspace/go\n"
        );
    }

    #[test]
    fn the_users_own_run_is_fine() {
        let text = "FROM golang:1.22\nUSER dev\nRUN go env -w GOPATH=/workspace/go\n";
        assert!(findings_at("CG805", Shell::Sh, "Dockerfile", text).is_empty());
        // Nothing says who uses the container: root it is.
        let text = "FROM golang:1.22\nRUN go env -w GOFLAGS=-mod=mod\n";
        assert!(findings_at("CG805", Shell::Sh, "Dockerfile", text).is_empty());
    }
}
