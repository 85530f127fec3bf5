use std::ops::Range;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{ChainOp, Command, PartKind, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::silences_stderr;

crate::declare_rule! {
    /// ## What it does
    /// Finds a tool's setup code loaded with its errors thrown away, outside a conda/mamba
    /// managed block: `eval "$(pyenv init - 2>/dev/null)"`, `eval (tool init 2>/dev/null)`
    /// and fish's `tool init fish 2>/dev/null | source` — for tools that print shell setup
    /// (`init`, `hook`, `shellenv`, `env`, `activate`, conda's `shell.*`), not for
    /// completions.
    ///
    /// ## Why is this bad?
    /// When the tool is missing, broken or fails, its error goes to `/dev/null` and
    /// `eval` (or `source`) gets nothing: no `PATH` entry, no shims, no hook — and not a
    /// word about it (checked with bash 5.2, zsh 5.9 and fish 3.6: nothing on standard
    /// error, status 0). `python` then quietly resolves to another interpreter.
    ///
    /// A tool guarded by an existence test (`command -v pyenv >/dev/null && eval …`,
    /// `if type -q pyenv`) is left alone: its absence is handled on purpose.
    ///
    /// ## Example
    /// ```bash
    /// eval "$(pyenv init - 2>/dev/null)"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// command -v pyenv >/dev/null && eval "$(pyenv init -)"
    /// ```
    ///
    /// ## Fix safety
    /// A suggestion: remove the `2>/dev/null`, so a failing tool says why. Whether a
    /// missing tool should be tested for first is the user's call.
    pub(crate) const RULE = Rule {
        code: "CG402",
        name: "silenced-init",
        summary: "`eval \"$(tool init … 2>/dev/null)\"`: when the tool is missing or fails, nothing is said and nothing is set",
        shells: Shells::ALL,
        severity: Severity::Info,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let mut found: Vec<(&Statement, &Command, &Statement)> = Vec::new();
    for (index, statement) in file.statements.iter().enumerate() {
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        if statement.context.conda_block.is_some() {
            continue;
        }
        match command.name.as_deref() {
            // fish `tool init fish 2>/dev/null | source`, bash `tool … 2>/dev/null | source /dev/stdin`.
            Some("source") | Some(".") if statement.chain.after == Some(ChainOp::Pipe) => {
                let Some(feeder) = file.statements[..index]
                    .iter()
                    .rev()
                    .find(|other| other.chain.list == statement.chain.list)
                else {
                    continue;
                };
                if let StatementKind::Command(tool) = &feeder.kind {
                    if sets_up_shell(tool) && silences_stderr(&tool.redirects) {
                        found.push((feeder, tool, statement));
                    }
                }
            }
            // `eval "$(tool …)"`, fish `eval (tool …)`, bash/zsh `source <(tool …)`: the
            // tools inside the substitution.
            Some("eval") | Some("source") | Some(".") => {
                let substitutions: Vec<Range<usize>> = command
                    .args
                    .iter()
                    .flat_map(|arg| arg.parts.iter())
                    .filter(|part| match part.kind {
                        PartKind::CommandSubstitution => true,
                        PartKind::Other => file
                            .source
                            .get(part.range.clone())
                            .is_some_and(|text| text.starts_with(b"<(")),
                        _ => false,
                    })
                    .map(|part| part.range.clone())
                    .collect();
                if substitutions.is_empty() {
                    // `source file`: nothing runs inside it (and no scan of every statement).
                    continue;
                }
                // The statements inside each substitution, found through the file's
                // statement index (a scan of all of them per `eval` is quadratic).
                let mut inside: Vec<&Statement> = substitutions
                    .iter()
                    .flat_map(|range| {
                        file.overlapping(range.clone()).filter(move |inner| {
                            inner.context.in_subshell
                                && range.start <= inner.range.start
                                && inner.range.end <= range.end
                        })
                    })
                    .collect();
                // In the order of `file.statements`, each once, as a scan finds them.
                inside.sort_by_key(|inner| std::ptr::from_ref::<Statement>(inner));
                inside.dedup_by(|a, b| std::ptr::eq(*a, *b));
                for inner in inside {
                    let StatementKind::Command(tool) = &inner.kind else {
                        continue;
                    };
                    if sets_up_shell(tool) && silences_stderr(&tool.redirects) {
                        found.push((inner, tool, statement));
                    }
                }
            }
            _ => {}
        }
    }
    for (inner, tool, loader) in found {
        let Some(name) = tool.name.as_deref() else {
            continue;
        };
        let short = name.rsplit('/').next().unwrap_or(name);
        if guarded(loader, short) {
            continue;
        }
        let shown = file.text(inner.range.clone());
        let message = format!(
            "`{shown}` throws its errors away: when `{short}` is missing or fails, nothing is loaded and nothing says so"
        );
        let fix = suggestion(file, inner, tool);
        let report = checker.report(inner.range.clone(), message).help(format!(
            "drop the `2>/dev/null`; test for the tool first if it may be missing (`command -v {short} >/dev/null && …`)"
        ));
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

/// A tool printing shell setup code: `pyenv init -`, `direnv hook zsh`, `brew shellenv`,
/// `fnm env`, `mise activate`, `conda shell.bash hook` (completions are not setup).
fn sets_up_shell(tool: &Command) -> bool {
    tool.name.is_some()
        && tool.args.iter().any(|arg| {
            arg.literal().is_some_and(|arg| {
                matches!(
                    arg.as_str(),
                    "init" | "hook" | "shellenv" | "env" | "activate" | "virtualenv-init"
                ) || arg.starts_with("shell.")
            })
        })
}

/// An enclosing test that the tool exists (`command -v x`, `type -q x`, `which x`, `-x`).
fn guarded(loader: &Statement, tool: &str) -> bool {
    loader.context.conditions.iter().any(|condition| {
        let test = condition.test.as_str();
        test.contains(tool)
            && ["command", "type", "which", "hash", "-x", "-e", "-f"]
                .iter()
                .any(|probe| test.contains(probe))
    })
}

/// Removes the silencing redirection from the tool's command.
fn suggestion(file: &StartupFile, inner: &Statement, tool: &Command) -> Option<Fix> {
    let [redirect] = tool.redirects.as_slice() else {
        return None;
    };
    let text = file.source.get(inner.range.clone())?;
    let at = find_last(text, redirect.as_bytes())?;
    let mut start = inner.range.start + at;
    while start > inner.range.start && matches!(file.source[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    Some(Fix::suggestion(
        "Let the tool's errors show",
        vec![Edit::delete(start..inner.range.start + at + redirect.len())],
    ))
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| &haystack[i..i + needle.len()] == needle)
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_silenced_init() {
        for (shell, text) in [
            (Shell::Zsh, "eval \"$(pyenv init - 2>/dev/null)\"\n"),
            (Shell::Bash, "eval \"$(rbenv init - bash 2> /dev/null)\"\n"),
            (Shell::Bash, "eval \"$(fnm env --use-on-cd &>/dev/null)\"\n"),
            (Shell::Fish, "pyenv init - fish 2>/dev/null | source\n"),
            (Shell::Fish, "eval (direnv hook fish 2>/dev/null)\n"),
            (
                Shell::Bash,
                "eval \"$(/opt/homebrew/bin/brew shellenv 2>/dev/null)\"\n",
            ),
            (Shell::Bash, "source <(fnm env 2>/dev/null)\n"),
            (
                Shell::Fish,
                "source (pyenv init - fish 2>/dev/null | psub)\n",
            ),
        ] {
            assert_eq!(findings("CG402", shell, text).len(), 1, "{shell}: {text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Zsh, "eval \"$(pyenv init -)\"\n"),
            (Shell::Bash, "eval \"$(ssh-agent -s)\" >/dev/null\n"),
            (
                Shell::Zsh,
                "command -v pyenv >/dev/null && eval \"$(pyenv init - 2>/dev/null)\"\n",
            ),
            (
                Shell::Bash,
                "if command -v zoxide >/dev/null; then\n  eval \"$(zoxide init bash 2>/dev/null)\"\nfi\n",
            ),
            (
                Shell::Fish,
                "if type -q pyenv\n    pyenv init - fish 2>/dev/null | source\nend\n",
            ),
            (Shell::Bash, "x=\"$(git branch 2>/dev/null)\"\n"),
            (Shell::Fish, "starship init fish | source\n"),
            (Shell::Fish, "kubectl completion fish 2>/dev/null | source\n"),
            (Shell::Zsh, "eval \"$(rubber --version 2>/dev/null)\"\n"),
            (
                Shell::Bash,
                "# >>> conda initialize >>>\n__conda_setup=\"$('/c/bin/conda' 'shell.bash' 'hook' 2> /dev/null)\"\neval \"$__conda_setup\"\n# <<< conda initialize <<<\n",
            ),
            (
                Shell::Fish,
                "# >>> conda initialize >>>\neval /c/bin/conda \"shell.fish\" \"hook\" $argv 2>/dev/null | source\n# <<< conda initialize <<<\n",
            ),
        ] {
            assert!(findings("CG402", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn suggests_dropping_the_redirection() {
        let text = "eval \"$(pyenv init - 2>/dev/null)\"\n";
        let found = findings("CG402", Shell::Zsh, text);
        let edits = &found[0].fix.as_ref().expect("a suggestion").edits;
        let suggested =
            String::from_utf8(crate::apply_edits(text.as_bytes(), edits)).expect("utf-8");
        assert_eq!(suggested, "eval \"$(pyenv init -)\"\n");
        let text = "pyenv init - fish 2>/dev/null | source\n";
        let found = findings("CG402", Shell::Fish, text);
        let edits = &found[0].fix.as_ref().expect("a suggestion").edits;
        let suggested =
            String::from_utf8(crate::apply_edits(text.as_bytes(), edits)).expect("utf-8");
        assert_eq!(suggested, "pyenv init - fish | source\n");
        assert_eq!(fixed("CG402", Shell::Zsh, text), text);
    }

    /// A tool that fails: silenced, the shell says nothing and sets nothing; without the
    /// redirection its error shows.
    #[test]
    fn oracle_a_failing_tool_says_nothing() {
        let home = FakeHome::new();
        home.write_executable(
            "bin/mytool",
            "#!/bin/sh\necho 'mytool: cannot read config' >&2\nexit 1\n",
        );
        for (oracle, shell, text) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "PATH=$HOME/bin:$PATH\neval \"$(mytool init - 2>/dev/null)\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "PATH=$HOME/bin:$PATH\neval \"$(mytool init - 2>/dev/null)\"\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set PATH $HOME/bin $PATH\nmytool init - fish 2>/dev/null | source\n",
            ),
            (
                OracleShell::Bash,
                Shell::Bash,
                "PATH=$HOME/bin:$PATH\neval \"$(no-such-tool init - 2>/dev/null)\"\n",
            ),
        ] {
            let Some(run) = run_snippet(oracle, &home, text) else {
                continue;
            };
            assert_eq!(run.stderr, "", "{oracle:?}");
            assert_eq!(run.status, Some(0), "{oracle:?}");
            assert_eq!(lines("CG402", shell, text), vec![2]);
            let found = findings("CG402", shell, text);
            let edits = &found[0].fix.as_ref().expect("a suggestion").edits;
            let suggested =
                String::from_utf8(crate::apply_edits(text.as_bytes(), edits)).expect("utf-8");
            let run = run_snippet(oracle, &home, &suggested).expect("shell ran");
            assert!(!run.stderr.is_empty(), "{oracle:?}: {suggested}");
        }
    }
}
