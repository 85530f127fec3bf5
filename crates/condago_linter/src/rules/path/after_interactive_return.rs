use std::ops::Range;

use crate::diagnostic::{Applicability, Fix, Severity};
use crate::model::{ChainOp, ConditionKind, FileKind, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `PATH` set up after the line that makes non-interactive shells stop reading
    /// the file: `[[ $- != *i* ]] && return`, `case $- in *i*) ;; *) return;; esac`,
    /// `[ -z "$PS1" ] && return`, zsh's `[[ -o interactive ]] || return`. Reported are
    /// `PATH` edits, exported `GOPATH`/`GOBIN`/`GOROOT`, `conda activate` and tool
    /// initialisations (`eval "$(pyenv init -)"`, `eval "$(brew shellenv)"`) below it, in
    /// the files non-interactive shells read:
    ///
    /// - `.bashrc`: bash reads it for commands run over ssh (`ssh host cmd`, and so scp,
    ///   rsync and `git` over ssh), because sshd hands it a socket as standard input;
    /// - `.bash_profile`, `.bash_login`, `.profile`: bash login shells that run a command
    ///   (`bash -l -c`, what IDEs and display managers start);
    /// - `.zshenv`: every zsh, `zsh -c` and scripts included; `.zprofile`: `zsh -l -c`.
    ///
    /// ## Why is this bad?
    /// Those shells stop at the `return`, so every line after it is skipped: the tool
    /// works in a terminal and is "command not found" in `ssh host tool`, an rsync with a
    /// remote `rsync`, a cron job or an IDE task. This is the layout of Debian's, Ubuntu's
    /// and Arch's default `.bashrc` (the guard at the top), with `PATH` lines appended
    /// below it. Checked with bash 5.2 (a non-interactive `bash -c` whose standard input
    /// is a socket, as sshd starts it, reads `.bashrc` and stops at the guard) and zsh 5.9.
    ///
    /// Not reported: `.zshrc` (only interactive zsh reads it, the guard changes nothing),
    /// lines inside functions, conda's init block (CG206 reports that) and `conda
    /// activate` after such a block.
    ///
    /// ## Example
    /// ```bash
    /// [[ $- != *i* ]] && return
    /// export PATH="$HOME/.local/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$HOME/.local/bin:$PATH"
    /// [[ $- != *i* ]] && return
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the line (with its line break) moves to just above the guard, so
    /// non-interactive shells get it too — which changes what they run. Offered only for
    /// a line that stands alone at the top level and uses no variable set between the
    /// guard and the line.
    pub(crate) const RULE = Rule {
        code: "CG110",
        name: "path-after-interactive-return",
        summary: "`PATH` set up after the interactive-only `return`: ssh commands, scp/rsync, `bash -l -c`, `zsh -c` never see it",
        shells: Shells::BASH_ZSH,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// Who reads the file without being interactive, and so stops at the guard.
fn readers(kind: FileKind) -> Option<&'static str> {
    Some(match kind {
        FileKind::Bashrc => "commands run over ssh (`ssh host cmd`, scp, rsync, git over ssh)",
        FileKind::BashProfile | FileKind::Profile => {
            "bash login shells that run a command (`bash -l -c`, IDE tasks, display managers)"
        }
        FileKind::Zshenv => "every non-interactive zsh (`zsh -c`, scripts, IDE tasks, cron)",
        FileKind::Zprofile => "zsh login shells that run a command (`zsh -l -c`, IDE tasks)",
        _ => return None,
    })
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let Some(who) = readers(file.kind) else {
        return;
    };
    let Some(guard) = interactive_return(file) else {
        return;
    };
    let guard_line = file.line_of(guard.start) + 1;
    // Looked up once per statement: sets, not scans (a 5 MB file has 10^5 statements).
    let new_entry_edits: std::collections::HashSet<*const Statement> = file
        .path_edits()
        .iter()
        .filter(|(_, path)| has_new_entry(path))
        .map(|(edit, _)| *edit as *const Statement)
        .collect();
    let inits: std::collections::HashMap<usize, &crate::model::ToolInit> = file
        .tool_inits
        .iter()
        .rev()
        .map(|init| (init.statement, init))
        .collect();
    // Where each variable is first set after the guard (a line that uses it cannot move
    // above that).
    let mut first_set_after_guard: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::new();
    for (other, assignment) in file.assignments() {
        if other.range.start >= guard.end {
            first_set_after_guard
                .entry(assignment.name.as_str())
                .or_insert(other.range.start);
        }
    }
    for (index, statement) in file.statements.iter().enumerate() {
        if statement.range.start < guard.end
            || statement.context.function.is_some()
            || statement.context.in_subshell
            || statement.context.conda_block.is_some()
            || file.in_error(&statement.range)
        {
            continue;
        }
        let is_path_edit = new_entry_edits.contains(&(statement as *const Statement));
        let what = if is_path_edit {
            Some("`PATH` is changed".to_string())
        } else if let Some(init) = inits.get(&index) {
            Some(format!(
                "`{}` puts its directories on `PATH`",
                init.effect.tool.init_name()
            ))
        } else {
            match &statement.kind {
                StatementKind::Assignment(assignment)
                    if assignment.exported
                        && matches!(assignment.name.as_str(), "GOPATH" | "GOBIN" | "GOROOT") =>
                {
                    Some(format!("`{}` is exported", assignment.name))
                }
                // After a block that is itself past the guard, CG206 has said it all.
                StatementKind::Command(command)
                    if matches!(command.name.as_deref(), Some("conda" | "mamba"))
                        && command
                            .args
                            .first()
                            .is_some_and(|a| a.is_literal("activate"))
                        && !file
                            .conda_blocks
                            .iter()
                            .any(|block| block.range.start >= guard.end) =>
                {
                    Some("`conda activate` runs".to_string())
                }
                _ => None,
            }
        };
        let Some(what) = what else {
            continue;
        };
        let message = format!(
            "{what} after the interactive-only `return` on line {guard_line}: {who} stop there and never get it"
        );
        let fix = move_above_guard(file, statement, &guard, &first_set_after_guard);
        let range = statement.range.start
            ..statement
                .range
                .end
                .min(file.line_range(file.line_of(statement.range.start)).end);
        let report = checker.report(range, message).help(format!(
            "move it above line {guard_line}, where every shell that reads this file gets it"
        ));
        if let Some(fix) = fix {
            report.fix(fix);
        }
    }
}

fn has_new_entry(edit: &crate::model::PathEdit) -> bool {
    edit.new_entries().next().is_some()
}

/// The top-level statement holding the first `return` that runs only when the shell is
/// not interactive: its range.
fn interactive_return(file: &StartupFile) -> Option<Range<usize>> {
    let statement = file.statements.iter().find(|statement| {
        let StatementKind::Command(command) = &statement.kind else {
            return false;
        };
        command.name.as_deref() == Some("return")
            && statement.context.function.is_none()
            && !statement.context.in_loop
            && !statement.context.in_subshell
            && returns_when_not_interactive(file, statement)
    })?;
    let root = file.tree?.root_node();
    let mut cursor = root.walk();
    let top = root.named_children(&mut cursor).find(|node| {
        node.start_byte() <= statement.range.start && statement.range.end <= node.end_byte()
    })?;
    Some(top.byte_range())
}

/// Whether the conditions around a `return` make it run in non-interactive shells only.
fn returns_when_not_interactive(file: &StartupFile, statement: &Statement) -> bool {
    let [condition] = statement.context.conditions.as_slice() else {
        return false;
    };
    let test = condition.test.as_str();
    let about_interactive =
        test.contains("$-") || test.contains("PS1") || test.contains("-o interactive");
    if !about_interactive {
        return false;
    }
    // `[[ $- != *i* ]]`, `[ -z "$PS1" ]`, `[[ ! -o interactive ]]`, `! [[ … ]]`.
    let negative = test.contains("!=") || test.contains("-z") || test.contains('!');
    match condition.kind {
        ConditionKind::List => match statement.chain.after {
            Some(ChainOp::And) => negative,
            Some(ChainOp::Or) => !negative,
            _ => false,
        },
        ConditionKind::If => negative,
        ConditionKind::Else => !negative,
        // `case $- in *i*) ;; *) return;; esac`: the arm whose pattern is not `*i*`.
        ConditionKind::Case => {
            let arm = file.text(condition.range.clone());
            let pattern = arm.split(')').next().unwrap_or("");
            test.contains("$-") && !pattern.contains('i')
        }
        ConditionKind::While => false,
    }
}

/// Moves the statement's lines to just above the guard.
fn move_above_guard(
    file: &StartupFile,
    statement: &Statement,
    guard: &Range<usize>,
    first_set_after_guard: &std::collections::HashMap<&str, usize>,
) -> Option<Fix> {
    if !statement.context.is_unconditional() {
        return None;
    }
    // A variable set between the guard and the line would not be set yet above it.
    let text = file.text(statement.range.clone());
    let set_between = referenced_variables(&text).any(|name| {
        first_set_after_guard
            .get(name)
            .is_some_and(|&at| at < statement.range.start)
    });
    if set_between {
        return None;
    }
    let insert_at = file.line_starts[file.line_of(guard.start)];
    crate::rules::lines::move_lines_to(
        file,
        statement,
        insert_at,
        format!(
            "Move this line above line {}",
            file.line_of(guard.start) + 1
        ),
    )
}

/// The names after each `$` or `${` in a text.
fn referenced_variables(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('$').filter_map(move |(at, _)| {
        let rest = &text[at + 1..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        (len > 0).then(|| &rest[..len])
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::net::UnixStream;
    use std::process::{Command, Stdio};

    use condago_oracle::{require, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::diagnostic::Applicability;
    use crate::rules::test_support::*;

    #[test]
    fn finds_path_lines_after_the_guard() {
        for guard in [
            "[[ $- != *i* ]] && return\n",
            "case $- in\n    *i*) ;;\n      *) return;;\nesac\n",
            "[ -z \"$PS1\" ] && return\n",
            "if [[ $- != *i* ]]; then\n  return\nfi\n",
            "[[ $- == *i* ]] || return\n",
        ] {
            let text = format!("# ~/.bashrc\n{guard}export PATH=\"$HOME/.local/bin:$PATH\"\nexport GOPATH=$HOME/go\neval \"$(pyenv init -)\"\nalias ll='ls -l'\n");
            let after = 1 + guard.lines().count();
            assert_eq!(
                lines("CG110", Shell::Bash, &text),
                vec![after + 1, after + 2, after + 3],
                "{guard}"
            );
        }
        let text = "[[ -o interactive ]] || return\npath=(~/bin $path)\n";
        assert_eq!(
            findings_at("CG110", Shell::Zsh, "home/.zshenv", text).len(),
            1
        );
        let text = "[ -z \"$PS1\" ] && return\nPATH=\"$HOME/bin:$PATH\"\n";
        assert_eq!(
            findings_at("CG110", Shell::Sh, "home/.profile", text).len(),
            1
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (path, shell, text) in [
            // Before the guard.
            (
                "home/.bashrc",
                Shell::Bash,
                "export PATH=\"$HOME/bin:$PATH\"\n[[ $- != *i* ]] && return\nalias ll='ls -l'\n",
            ),
            // The guard returns in *interactive* shells: the lines after it run for scripts.
            (
                "home/.bashrc",
                Shell::Bash,
                "[[ $- == *i* ]] && return\nexport PATH=\"$HOME/bin:$PATH\"\n",
            ),
            // `.zshrc` is read by interactive zsh only.
            (
                "home/.zshrc",
                Shell::Zsh,
                "[[ -o interactive ]] || return\npath=(~/bin $path)\n",
            ),
            // An append of nothing new, and a function body.
            (
                "home/.bashrc",
                Shell::Bash,
                "[[ $- != *i* ]] && return\nexport PATH\naddpath() { PATH=\"$1:$PATH\"; }\n",
            ),
            // Not a guard: a return inside a function.
            (
                "home/.bashrc",
                Shell::Bash,
                "f() { [[ $- != *i* ]] && return; }\nexport PATH=\"$HOME/bin:$PATH\"\n",
            ),
        ] {
            assert!(findings_at("CG110", shell, path, text).is_empty(), "{text}");
        }
        // The conda block after the guard is CG206's, and so is `conda activate` after it.
        let text = "[[ $- != *i* ]] && return\n# >>> conda initialize >>>\nexport PATH=\"/home/u/miniconda3/bin:$PATH\"\n# <<< conda initialize <<<\nconda activate work\n";
        assert!(lines("CG110", Shell::Bash, text).is_empty());
        let text = "# >>> conda initialize >>>\nexport PATH=\"/home/u/miniconda3/bin:$PATH\"\n# <<< conda initialize <<<\n[[ $- != *i* ]] && return\nconda activate work\n";
        assert_eq!(lines("CG110", Shell::Bash, text), vec![5]);
    }

    #[test]
    fn fix_moves_the_line_above_the_guard() {
        let before = "# ~/.bashrc\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nHISTSIZE=1000\nexport PATH=\"$HOME/.local/bin:$PATH\"  # pipx\n";
        let after = "# ~/.bashrc\nexport PATH=\"$HOME/.local/bin:$PATH\"  # pipx\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\n\nHISTSIZE=1000\n";
        assert_eq!(assert_fix_converges("CG110", Shell::Bash, before), after);
        // Uses a variable set after the guard: reported, not moved.
        let text = "[[ $- != *i* ]] && return\nGO=$HOME/go\nexport PATH=\"$GO/bin:$PATH\"\n";
        assert_eq!(lines("CG110", Shell::Bash, text), vec![3]);
        assert_eq!(fixed("CG110", Shell::Bash, text), text);
        // zsh's `.zshenv`, CRLF kept.
        let before = "[[ -o interactive ]] || return\r\npath=(~/bin $path)\r\n";
        let after = "path=(~/bin $path)\r\n[[ -o interactive ]] || return\r\n";
        assert_eq!(
            fixed_at(
                "CG110",
                Shell::Zsh,
                "home/.zshenv",
                before,
                Applicability::Unsafe
            ),
            after
        );
    }

    /// bash run as sshd runs `ssh host cmd`: not interactive, standard input a socket. It
    /// reads `.bashrc`, stops at the guard, and misses the line; after the fix it has it.
    /// `zsh -c` reads `.zshenv` the same way.
    #[test]
    fn oracle_non_interactive_shells_stop_at_the_guard() {
        let bashrc = "[[ $- != *i* ]] && return\nexport PATH=\"$HOME/tools/bin:$PATH\"\n";
        let zshenv = "[[ -o interactive ]] || return\npath=($HOME/tools/bin $path)\n";
        for (oracle, shell, file, text) in [
            (OracleShell::Bash, Shell::Bash, ".bashrc", bashrc),
            (OracleShell::Zsh, Shell::Zsh, ".zshenv", zshenv),
        ] {
            let Some(program) = require(oracle) else {
                continue;
            };
            let path = format!("home/{file}");
            assert_eq!(findings_at("CG110", shell, &path, text).len(), 1);
            let after = fixed_at("CG110", shell, &path, text, Applicability::Unsafe);
            assert_ne!(after, text);
            let run = |content: &str| {
                let home = FakeHome::new();
                home.write(file, content);
                let (stdin, _peer) = UnixStream::pair().expect("socket pair");
                let output = Command::new(&program)
                    .args(["-c", "printf %s \"$PATH\""])
                    .env_clear()
                    .env("HOME", home.path())
                    .env("PATH", "/usr/bin:/bin")
                    .stdin(Stdio::from(std::os::fd::OwnedFd::from(stdin)))
                    .output()
                    .expect("run the shell");
                let path = String::from_utf8_lossy(&output.stdout).into_owned();
                (path, home.path().join("tools/bin").display().to_string())
            };
            let (path, tools) = run(text);
            assert!(!path.contains(&tools), "{oracle:?} before the fix: {path}");
            let (path, tools) = run(&after);
            assert!(path.starts_with(&tools), "{oracle:?} after the fix: {path}");
        }
    }
}
