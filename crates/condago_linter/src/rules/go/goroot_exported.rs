use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{FileKind, StartupFile, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::deletable_lines;
use crate::rules::go::shared::{exported, Exported};

crate::declare_rule! {
    /// ## What it does
    /// Finds `GOROOT` exported from a startup file: `export GOROOT=/usr/local/go`,
    /// `GOROOT=…` with `export GOROOT`, fish `set -gx GOROOT …`.
    ///
    /// ## Why is this bad?
    /// Every `go` finds its own root from the location of its executable; `GOROOT` only
    /// overrides that. Exported once for every program, it points *every* Go at one tree:
    /// conda-forge's `go` (which does not set `GOROOT` in current builds and relies on
    /// finding `$PREFIX/go` itself), a newer download, the distribution's `/usr/bin/go`.
    /// Such a `go` compiles with the other tree's standard library and tools — `compile:
    /// version "go1.21.0" does not match go tool version "go1.22.1"` — or stops with `go:
    /// cannot find GOROOT directory` once that tree is gone. (Older conda-forge builds set
    /// `GOROOT` in their activation script, backed up in `CONDA_BACKUP_GOROOT`; outside an
    /// environment the exported value still wins.)
    ///
    /// Activation scripts (`etc/conda/activate.d`) are not checked here: there, `GOROOT` is
    /// the environment's own.
    ///
    /// ## Example
    /// ```bash
    /// export GOROOT=/usr/local/go
    /// export PATH="$PATH:$GOROOT/bin"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// GOROOT=/usr/local/go
    /// export PATH="$PATH:$GOROOT/bin"
    /// ```
    /// or just `export PATH="$PATH:/usr/local/go/bin"`.
    ///
    /// ## Fix safety
    /// Unsafe: Go programs stop seeing the variable. When the file uses `$GOROOT` itself
    /// (`$GOROOT/bin` on `PATH`), the fix keeps the shell variable and only stops exporting
    /// it (`export GOROOT=x` → `GOROOT=x`, fish `set -gx` → `set -g`); otherwise it deletes
    /// the line. A `GOROOT` inherited already exported from a parent process stays exported
    /// in bash and zsh.
    pub(crate) const RULE = Rule {
        code: "CG501",
        name: "goroot-exported",
        summary: "`GOROOT` exported for every program: another `go` (conda's) uses this toolchain's tree",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) {
        return;
    }
    let used = uses_goroot(file);
    for found in exported(file, "GOROOT") {
        let reported = found.export.unwrap_or(found.statement);
        let value = found
            .assignment
            .values
            .first()
            .map(|word| word.display(file.source))
            .unwrap_or_default();
        let message = format!(
            "`GOROOT` ({value}) is exported to every program: any other `go` — conda-forge's, a newer download, `/usr/bin/go` — then uses this tree instead of its own (`compile: version … does not match go tool version …`, or `cannot find GOROOT directory`)"
        );
        let fix = fix_for(file, &found, used);
        let report = checker
            .report(reported.range.clone(), message)
            .help(if used {
                "keep `GOROOT` as a shell variable for `$GOROOT/bin`, but do not export it"
            } else {
                "delete this line: Go finds its root from its own executable"
            });
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// Whether the file reads `$GOROOT` (other than to export it).
fn uses_goroot(file: &StartupFile) -> bool {
    file.statements.iter().any(|statement| {
        let words = match &statement.kind {
            StatementKind::Assignment(assignment) => &assignment.values,
            StatementKind::Command(command) => &command.args,
        };
        words.iter().any(|word| word.mentions_variable("GOROOT"))
            || file.text(statement.range.clone()).contains("$GOROOT")
                && !matches!(&statement.kind, StatementKind::Assignment(a) if a.name == "GOROOT")
    })
}

fn fix_for(file: &StartupFile, found: &Exported, used: bool) -> Option<Fix> {
    if let Some(export) = found.export {
        // `GOROOT=x` … `export GOROOT`: drop the export, keep the variable.
        let others = file
            .statements
            .iter()
            .filter(|s| s.range == export.range)
            .count();
        if others != 1 {
            return None;
        }
        let lines = deletable_lines(file, export)?;
        return Some(Fix::unsafe_(
            "Stop exporting `GOROOT`",
            vec![Edit::delete(lines)],
        ));
    }
    let statement = found.statement;
    let assignment = found.assignment;
    if !used {
        let shared = file
            .statements
            .iter()
            .filter(|s| s.range == statement.range)
            .count();
        if shared != 1 {
            return None;
        }
        let lines = deletable_lines(file, statement)?;
        return Some(Fix::unsafe_(
            "Delete the `GOROOT` line",
            vec![Edit::delete(lines)],
        ));
    }
    match (file.shell, assignment.keyword.as_deref()) {
        (Shell::Fish, Some("set")) => {
            let flag = assignment
                .flags
                .iter()
                .find(|flag| !flag.starts_with("--") && flag.contains('x'))?;
            let source = file.source;
            let text = String::from_utf8_lossy(source.get(statement.range.clone())?);
            let at = text.find(flag.as_str())? + statement.range.start;
            let kept: String = flag.chars().filter(|&c| c != 'x').collect();
            let replacement = if kept == "-" {
                "-g".to_string()
            } else if kept.contains('g') || kept.contains('U') || kept.contains('l') {
                kept
            } else {
                format!("{kept}g")
            };
            Some(Fix::unsafe_(
                "Keep `GOROOT` as a global fish variable, not exported",
                vec![Edit::replace(at..at + flag.len(), replacement)],
            ))
        }
        (Shell::Bash | Shell::Zsh | Shell::Sh, Some("export")) => {
            let shared = file
                .statements
                .iter()
                .filter(|s| s.range == statement.range)
                .count();
            if shared != 1 || !assignment.flags.is_empty() {
                return None;
            }
            let prefix = statement.range.start..assignment.name_range.start;
            let text = file.text(prefix.clone());
            (text.trim_end() == "export").then(|| {
                Fix::unsafe_(
                    "Keep `GOROOT` as a shell variable, not exported",
                    vec![Edit::delete(prefix)],
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_exported_goroot_in_each_shell() {
        assert_eq!(
            lines("CG501", Shell::Bash, "export GOROOT=/usr/local/go\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG501",
                Shell::Zsh,
                "GOROOT=$HOME/sdk/go1.22\nexport GOROOT\n"
            ),
            vec![2]
        );
        assert_eq!(
            lines("CG501", Shell::Fish, "set -gx GOROOT /usr/local/go\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG501", Shell::Fish, "export GOROOT=/usr/local/go\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG501", Shell::Bash, "export GOROOT=\"$(go env GOROOT)\"\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG501",
                Shell::Bash,
                "if [ -d /usr/local/go ]; then\n  export GOROOT=/usr/local/go\nfi\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, path, text) in [
            (Shell::Bash, "home/.bashrc", "GOROOT=/usr/local/go\nexport PATH=\"$PATH:$GOROOT/bin\"\n"),
            (Shell::Bash, "home/.bashrc", "GOROOT=/tmp/go go build ./...\n"),
            (Shell::Bash, "home/.bashrc", "gouse() { export GOROOT=\"$1\"; }\n"),
            (Shell::Fish, "home/.config/fish/config.fish", "set -g GOROOT /usr/local/go\n"),
            (Shell::Bash, "env/etc/conda/activate.d/go.sh", "export CONDA_BACKUP_GOROOT=\"${GOROOT:-}\"\nexport GOROOT=\"${CONDA_PREFIX}/go\"\n"),
        ] {
            assert!(findings_at("CG501", shell, path, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn fixes() {
        // `$GOROOT` used: stop exporting, keep the variable.
        assert_eq!(
            assert_fix_converges(
                "CG501",
                Shell::Bash,
                "export GOROOT=/usr/local/go\nexport PATH=$GOROOT/bin:$PATH\n"
            ),
            "GOROOT=/usr/local/go\nexport PATH=$GOROOT/bin:$PATH\n"
        );
        assert_eq!(
            assert_fix_converges(
                "CG501",
                Shell::Fish,
                "set -gx GOROOT /usr/local/go\nfish_add_path -g $GOROOT/bin\n"
            ),
            "set -g GOROOT /usr/local/go\nfish_add_path -g $GOROOT/bin\n"
        );
        assert_eq!(
            assert_fix_converges(
                "CG501",
                Shell::Zsh,
                "GOROOT=/usr/local/go\nexport GOROOT\npath+=($GOROOT/bin)\n"
            ),
            "GOROOT=/usr/local/go\npath+=($GOROOT/bin)\n"
        );
        // Not used: delete.
        assert_eq!(
            assert_fix_converges(
                "CG501",
                Shell::Bash,
                "export GOROOT=/usr/local/go\nexport PATH=$PATH:/usr/local/go/bin\n"
            ),
            "export PATH=$PATH:/usr/local/go/bin\n"
        );
        // The only line of an `if`: bash rejects an empty body, so no fix.
        let text = "if [ -d /usr/local/go ]; then\n  export GOROOT=/usr/local/go\nfi\n";
        assert_eq!(fixed("CG501", Shell::Bash, text), text);
    }

    /// The real shells: an exported `GOROOT` reaches a child `go` (a stand-in that prints
    /// the `GOROOT` it was given); after the fix the child gets none, and `$GOROOT/bin` is
    /// still on PATH.
    #[test]
    fn oracle_the_child_go_sees_goroot() {
        let cases = [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export GOROOT=$HOME/sdk/go1.21\nexport PATH=$PATH:$GOROOT/bin\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export GOROOT=$HOME/sdk/go1.21\npath+=($GOROOT/bin)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx GOROOT $HOME/sdk/go1.21\nset -gx PATH $PATH $GOROOT/bin\n",
            ),
        ];
        for (oracle, shell, before) in cases {
            let home = FakeHome::new();
            home.write_executable(
                "sdk/go1.22/bin/go",
                "#!/bin/sh\necho \"GOROOT=${GOROOT-unset}\"\n",
            );
            let after = assert_fix_converges("CG501", shell, before);
            assert_ne!(after, before);
            let probe = format!("\n{}/sdk/go1.22/bin/go\n", home.path().display());
            let Some(run) = run_snippet(oracle, &home, &format!("{before}{probe}")) else {
                continue;
            };
            let root = format!("{}/sdk/go1.21", home.path().display());
            assert!(
                run.stdout.contains(&format!("GOROOT={root}")),
                "{oracle:?}: {}",
                run.stdout
            );
            let run = run_snippet(oracle, &home, &format!("{after}{probe}")).expect("shell");
            assert!(
                run.stdout.contains("GOROOT=unset"),
                "{oracle:?}: {}",
                run.stdout
            );
            assert!(
                run.path_entries()
                    .expect("PATH")
                    .contains(&format!("{root}/bin")),
                "{oracle:?}"
            );
        }
    }
}
