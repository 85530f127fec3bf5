use std::ops::Range;

use crate::diagnostic::Severity;
use crate::model::{ConditionKind, FileKind, PathEntryKind, StartupFile};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::rules::conda::shared::line_number;
use crate::rules::go::shared::{exported, is_plain_dir, normalize, value_of};

crate::declare_rule! {
    /// ## What it does
    /// Finds a file that exports `GOROOT=X` while the first Go toolchain it puts on `PATH`
    /// is another one: `$GOROOT/bin` appended after `/usr/local/go/bin` was prepended,
    /// `GOROOT=/usr/local/go` with `~/sdk/go1.22.1/bin` first on `PATH`, `GOROOT` pointing at
    /// one version and `fish_add_path` adding another's `bin`.
    ///
    /// It follows the order the file builds (prepends in front, appends behind), and only
    /// what the file itself adds: a Go toolchain's `bin` is `$GOROOT/bin`, `X/bin`, or a
    /// directory that looks like one (`…/go/bin` outside the home directory, `…/go1.22/bin`,
    /// `/usr/lib/go-1.21/bin`, Homebrew's `…/go/libexec/bin`). `~/go/bin` and `$GOPATH/bin`
    /// hold installed programs, not a toolchain. A Go already on the inherited `PATH`
    /// (`/usr/bin/go`, conda's) is the startup model's to see (CG505).
    ///
    /// ## Why is this bad?
    /// The `go` that runs is the first one on `PATH`, and it obeys the exported `GOROOT`: it
    /// compiles against the other toolchain's standard library and tools (`compile: version
    /// "go1.21.0" does not match go tool version "go1.22.1"`), while `go version` looks
    /// right.
    ///
    /// ## Example
    /// ```bash
    /// export GOROOT=/usr/local/go
    /// export PATH="$HOME/sdk/go1.22.1/bin:$PATH"
    /// export PATH="$PATH:$GOROOT/bin"
    /// ```
    ///
    /// ## Use instead
    /// One toolchain on `PATH`, and no exported `GOROOT` (see CG501).
    ///
    /// ## Fix safety
    /// No fix: which toolchain was meant is the user's call.
    pub(crate) const RULE = Rule {
        code: "CG502",
        name: "goroot-bin-mismatch",
        summary: "`GOROOT` names one Go toolchain while another one comes first on `PATH`",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

/// One entry of the `PATH` this file builds: its text and where it was written.
#[derive(Clone)]
struct Built {
    dir: String,
    range: Option<Range<usize>>,
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if matches!(
        file.kind,
        FileKind::CondaActivateHook | FileKind::CondaDeactivateHook
    ) {
        return;
    }
    let Some(goroot) = exported(file, "GOROOT").pop() else {
        return;
    };
    let Some(root) = value_of(file, goroot.assignment) else {
        return;
    };
    if !is_plain_dir(&root) {
        return;
    }
    let Some(built) = build_path(file) else {
        return;
    };
    let own = |dir: &str| dir == "$GOROOT/bin" || dir == format!("{root}/bin");
    let Some(first) = built
        .iter()
        .find(|entry| is_toolchain_bin(&entry.dir, &own))
    else {
        return;
    };
    if own(&first.dir) {
        return;
    }
    let Some(range) = first.range.clone() else {
        return;
    };
    let ours = if built.iter().any(|entry| own(&entry.dir)) {
        ", ahead of `$GOROOT/bin`".to_string()
    } else {
        String::new()
    };
    let line = line_number(file, goroot.statement.range.start);
    let go = first.dir.trim_end_matches("/bin");
    checker
        .report(
            range,
            format!(
                "`GOROOT` is `{root}` (line {line}), but the first Go this file puts on PATH is `{}/go`{ours}: that `go` runs with the other toolchain's tree (`compile: version … does not match go tool version …`)",
                first.dir
            ),
        )
        .help(format!(
            "put one Go on PATH: `{root}/bin`, or `{go}/bin` without exporting `GOROOT`"
        ));
}

/// The `PATH` the file builds, in order, with `$OLD` standing for the inherited value;
/// `None` when an edit runs only in some branches (`else`, `case`) or in a function or
/// loop, where the order cannot be known.
fn build_path(file: &StartupFile) -> Option<Vec<Built>> {
    let mut built = vec![Built {
        dir: "$OLD".to_string(),
        range: None,
    }];
    for (statement, edit) in file.path_edits() {
        let context = &statement.context;
        if context.conda_block.is_some() {
            continue;
        }
        if context.function.is_some()
            || context.in_loop
            || context.conditions.iter().any(|condition| {
                matches!(condition.kind, ConditionKind::Else | ConditionKind::Case)
            })
        {
            return None;
        }
        let mut next = Vec::new();
        for entry in &edit.entries {
            match entry.kind {
                PathEntryKind::Old => next.extend(built.iter().cloned()),
                _ => next.push(Built {
                    dir: normalize(&entry.display(file.source)),
                    range: Some(entry.range.clone()),
                }),
            }
        }
        built = next;
    }
    Some(built)
}

/// Whether a `PATH` entry is a Go toolchain's `bin` (not a `GOPATH`'s).
fn is_toolchain_bin(dir: &str, own: &dyn Fn(&str) -> bool) -> bool {
    if own(dir) {
        return true;
    }
    let Some(parent) = dir.strip_suffix("/bin") else {
        return false;
    };
    if parent.contains("GOPATH")
        || parent.contains("GOBIN")
        || (parent.contains('$') && !parent.starts_with("$HOME"))
    {
        return false;
    }
    let name = parent.rsplit('/').next().unwrap_or(parent);
    if name == "go" {
        // `~/go/bin` is GOPATH's default; a `go` directory elsewhere is a toolchain.
        let home = parent == "$HOME/go"
            || (parent.starts_with("/home/") && parent.matches('/').count() == 3)
            || (parent.starts_with("/Users/") && parent.matches('/').count() == 3)
            || parent == "/root/go";
        return !home;
    }
    if parent.ends_with("/go/libexec") {
        return true;
    }
    let version = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_ascii_digit())
    };
    version("go") || version("go-")
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_another_go_first_in_each_shell() {
        let bash = "export GOROOT=/usr/local/go\nexport PATH=\"$HOME/sdk/go1.22.1/bin:$PATH\"\nexport PATH=\"$PATH:$GOROOT/bin\"\n";
        assert_eq!(lines("CG502", Shell::Bash, bash), vec![2]);
        let zsh =
            "export GOROOT=$HOME/sdk/go1.21\npath+=($GOROOT/bin)\npath=(/usr/local/go/bin $path)\n";
        assert_eq!(lines("CG502", Shell::Zsh, zsh), vec![3]);
        let fish = "set -gx GOROOT /usr/local/go\nfish_add_path -g /usr/lib/go-1.19/bin\n";
        assert_eq!(lines("CG502", Shell::Fish, fish), vec![2]);
        let brew = "export GOROOT=/usr/local/go\nexport PATH=/opt/homebrew/opt/go/libexec/bin:$PATH:$GOROOT/bin\n";
        assert_eq!(lines("CG502", Shell::Bash, brew), vec![2]);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export GOROOT=/usr/local/go\nexport PATH=$GOROOT/bin:$PATH\nexport PATH=$PATH:$HOME/go/bin\n"),
            (Shell::Bash, "export GOROOT=/usr/local/go\nexport PATH=$PATH:/usr/local/go/bin:$GOPATH/bin\n"),
            (Shell::Bash, "export GOROOT=~/sdk/go1.22\nexport PATH=$HOME/sdk/go1.22/bin:$PATH\n"),
            // Not exported: the go that runs finds its own root.
            (Shell::Bash, "GOROOT=/usr/local/go\nexport PATH=$HOME/sdk/go1.22/bin:$PATH:$GOROOT/bin\n"),
            // A root computed at run time: unknown.
            (Shell::Bash, "export GOROOT=$(go env GOROOT)\nexport PATH=/usr/local/go/bin:$PATH\n"),
            // Alternatives in branches.
            (Shell::Bash, "export GOROOT=/usr/local/go\nif [ -d ~/sdk/go1.22 ]; then\n  PATH=~/sdk/go1.22/bin:$PATH\nelse\n  PATH=$GOROOT/bin:$PATH\nfi\n"),
            (Shell::Fish, "set -gx GOROOT /usr/local/go\nfish_add_path -g $GOROOT/bin ~/go/bin\n"),
        ] {
            assert!(lines("CG502", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    /// The real shells, with two stand-in toolchains whose `go` prints its own version and
    /// the `GOROOT` it got: the `go` that runs is go1.22's, with go1.21's root.
    #[test]
    fn oracle_the_first_go_gets_the_other_root() {
        for (oracle, shell, text) in [
            (OracleShell::Bash, Shell::Bash, "export GOROOT=$HOME/sdk/go1.21\nexport PATH=\"$HOME/sdk/go1.22/bin:$PATH\"\nexport PATH=\"$PATH:$GOROOT/bin\"\n"),
            (OracleShell::Zsh, Shell::Zsh, "export GOROOT=$HOME/sdk/go1.21\npath=($HOME/sdk/go1.22/bin $path $GOROOT/bin)\n"),
            (OracleShell::Fish, Shell::Fish, "set -gx GOROOT $HOME/sdk/go1.21\nset -gx PATH $HOME/sdk/go1.22/bin $PATH $GOROOT/bin\n"),
        ] {
            assert_eq!(lines("CG502", shell, text).len(), 1, "{text}");
            let home = FakeHome::new();
            for version in ["go1.21", "go1.22"] {
                home.write_executable(
                    format!("sdk/{version}/bin/go"),
                    format!("#!/bin/sh\necho \"{version} with GOROOT=$GOROOT\"\n"),
                );
            }
            let Some(run) = run_snippet(oracle, &home, &format!("{text}go\n")) else {
                continue;
            };
            let root = format!("{}/sdk/go1.21", home.path().display());
            assert_eq!(run.stdout.trim(), format!("go1.22 with GOROOT={root}"), "{oracle:?}");
        }
    }
}
