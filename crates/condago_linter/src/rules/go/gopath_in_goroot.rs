use crate::diagnostic::Severity;
use crate::model::{FileKind, StartupFile};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::go::shared::{exported, normalize, value_of};

crate::declare_rule! {
    /// ## What it does
    /// Finds `GOPATH` (or one of its `:`-separated elements) set to a Go installation or
    /// to a directory inside one: `GOPATH=/usr/local/go`, `GOPATH=$GOROOT`,
    /// `GOPATH=$GOROOT/work`, `GOPATH=/usr/lib/go`, Homebrew's
    /// `/opt/homebrew/opt/go/libexec`, or the value this file gives `GOROOT`.
    ///
    /// ## Why is this bad?
    /// `GOPATH` is where Go writes: the module cache (`$GOPATH/pkg/mod`) and the programs
    /// `go install` builds (`$GOPATH/bin`). Equal to the installation, `go` prints
    /// `warning: GOPATH set to GOROOT (…) has no effect` on every command (Go's
    /// `cmd/go/main.go`), and the downloads and installed tools land inside the Go tree:
    /// "permission denied" for a tree owned by root, and gone at the next upgrade, which
    /// replaces the tree (Go's install instructions remove `/usr/local/go` first). Inside
    /// the installation the same happens without the warning.
    ///
    /// ## Example
    /// ```bash
    /// export GOROOT=/usr/local/go
    /// export GOPATH=$GOROOT
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export GOPATH="$HOME/go"   # or leave it unset: Go uses ~/go
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the module cache and the installed tools should live is the user's
    /// choice (and moving it leaves the old ones behind).
    pub(crate) const RULE = Rule {
        code: "CG506",
        name: "gopath-in-goroot",
        summary: "`GOPATH` set to a Go installation or inside one: Go warns, and its cache and `go install`ed tools land in the toolchain's tree",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

/// Directories that are Go installations wherever they appear.
const INSTALLATIONS: &[&str] = &[
    "/usr/local/go",
    "/usr/lib/go",
    "/usr/share/go",
    "/opt/homebrew/opt/go/libexec",
    "/usr/local/opt/go/libexec",
    "/home/linuxbrew/.linuxbrew/opt/go/libexec",
    "$GOROOT",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) {
        return;
    }
    let goroots: Vec<String> = file
        .assignments()
        .filter(|(statement, assignment)| {
            assignment.name == "GOROOT"
                && assignment.has_value
                && statement.context.function.is_none()
                && !statement.context.in_subshell
        })
        .filter_map(|(_, assignment)| value_of(file, assignment))
        .filter(|value| !value.is_empty() && value != "$GOROOT")
        .collect();
    for found in exported(file, "GOPATH") {
        let Some(elements) = elements(file, found.assignment) else {
            continue;
        };
        for element in elements {
            let Some((install, inside)) = installation_of(&element, &goroots) else {
                continue;
            };
            let how = if inside {
                format!("is inside the Go installation `{install}`")
            } else {
                format!("is the Go installation `{install}`")
            };
            let message = format!(
                "`GOPATH` element `{element}` {how}: Go's module cache (`pkg/mod`) and `go install`ed programs (`bin`) land in the toolchain's tree (permission denied when root owns it, gone at the next upgrade){}",
                if inside {
                    String::new()
                } else {
                    ", and `go` warns `GOPATH set to GOROOT … has no effect` on every command"
                        .to_string()
                }
            );
            checker
                .report(found.statement.range.clone(), message)
                .help("use a directory of your own, such as `$HOME/go` (Go's default when `GOPATH` is unset)");
            break;
        }
    }
}

/// The `:`-separated elements of a `GOPATH` value (fish: its list elements), normalised.
fn elements(file: &StartupFile, assignment: &crate::model::Assignment) -> Option<Vec<String>> {
    if assignment.values.len() > 1 {
        let mut out = Vec::new();
        for word in &assignment.values {
            let single = crate::model::Assignment {
                values: vec![word.clone()],
                ..assignment.clone()
            };
            out.extend(value_of(file, &single)?.split(':').map(normalize));
        }
        return Some(out);
    }
    Some(
        value_of(file, assignment)?
            .split(':')
            .filter(|element| !element.is_empty())
            .map(normalize)
            .collect(),
    )
}

/// The installation an element is, or is inside: `(installation, inside)`.
fn installation_of(element: &str, goroots: &[String]) -> Option<(String, bool)> {
    INSTALLATIONS
        .iter()
        .map(|dir| dir.to_string())
        .chain(goroots.iter().cloned())
        .chain(versioned(element))
        .find_map(|install| {
            if element == install {
                Some((install, false))
            } else if element
                .strip_prefix(install.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
            {
                Some((install, true))
            } else {
                None
            }
        })
}

/// Versioned installations the element may name: Debian's `/usr/lib/go-1.22`, Go's own
/// `$HOME/sdk/go1.22.1`, Homebrew's `…/Cellar/go/1.22.1/libexec`.
fn versioned(element: &str) -> Option<String> {
    let parts: Vec<&str> = element.split('/').collect();
    for (at, part) in parts.iter().enumerate() {
        let installation = (part.starts_with("go-1.") && at > 0 && parts[at - 1] == "lib")
            || (part.starts_with("go1.") && at > 0 && parts[at - 1] == "sdk");
        if installation {
            return Some(parts[..=at].join("/"));
        }
        if *part == "Cellar" && parts.get(at + 1) == Some(&"go") && parts.len() > at + 3 {
            return Some(parts[..at + 4].join("/"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_gopath_in_a_go_installation() {
        for (shell, text) in [
            (Shell::Bash, "export GOPATH=/usr/local/go\n"),
            (
                Shell::Bash,
                "export GOROOT=/usr/local/go\nexport GOPATH=$GOROOT\n",
            ),
            (Shell::Zsh, "export GOPATH=${GOROOT}/work\n"),
            (
                Shell::Bash,
                "GOROOT=$HOME/go\nGOPATH=~/go\nexport GOROOT GOPATH\n",
            ),
            (Shell::Bash, "export GOPATH=$HOME/gopath:/usr/lib/go-1.22\n"),
            (
                Shell::Zsh,
                "export GOPATH=/opt/homebrew/Cellar/go/1.22.1/libexec\n",
            ),
            (Shell::Bash, "export GOPATH=$HOME/sdk/go1.22.1/work\n"),
            (Shell::Fish, "set -gx GOPATH /usr/local/go\n"),
            (
                Shell::Fish,
                "set -gx GOROOT /opt/go\nset -gx GOPATH /opt/go/packages\n",
            ),
        ] {
            assert_eq!(findings("CG506", shell, text).len(), 1, "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export GOPATH=$HOME/go\n"),
            (
                Shell::Bash,
                "export GOROOT=/usr/local/go\nexport GOPATH=$HOME/go\n",
            ),
            (Shell::Bash, "export GOPATH=/usr/local/gopath\n"),
            (Shell::Bash, "export GOPATH=/usr/local/go-workspace\n"),
            // Not exported: no Go program sees it.
            (Shell::Bash, "GOPATH=/usr/local/go\n"),
            (Shell::Fish, "set -gx GOPATH $HOME/go\n"),
            (Shell::Zsh, "export GOPATH=$(go env GOROOT)\n"),
        ] {
            assert!(findings("CG506", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    /// The real shells give `GOPATH` the value the rule reads: the installation itself
    /// (through `$GOROOT`, `${GOROOT}`, `~`) or a directory inside it.
    #[test]
    fn oracle_the_exported_gopath_is_in_the_installation() {
        for (oracle, shell, text, inside) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "GOROOT=$HOME/go\nGOPATH=~/go\nexport GOROOT GOPATH\n",
                false,
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export GOROOT=$HOME/sdk/go1.22.1\nexport GOPATH=${GOROOT}/work\n",
                true,
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx GOROOT $HOME/go\nset -gx GOPATH $GOROOT\n",
                false,
            ),
        ] {
            assert_eq!(findings("CG506", shell, text).len(), 1, "{text}");
            let home = FakeHome::new();
            let Some(run) = run_snippet(oracle, &home, text) else {
                continue;
            };
            let gopath = run.var("GOPATH").expect("GOPATH exported").to_string();
            let goroot = run.var("GOROOT").expect("GOROOT exported").to_string();
            if inside {
                assert!(
                    gopath.starts_with(&format!("{goroot}/")),
                    "{gopath} in {goroot}"
                );
            } else {
                assert_eq!(gopath, goroot, "{text}");
            }
        }
    }
}
