use std::ops::Range;

use super::shared::{comparable, guarded_by_path_test, line_break_at, own_lines};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{
    CondaBlock, PartKind, PathEdit, PathEntryKind, StartupFile, Statement, StatementKind,
};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a directory put in front of `PATH` *after* the conda or mamba init block,
    /// when that directory usually holds programs conda also provides: a Go toolchain
    /// (`/usr/local/go/bin`, `$GOROOT/bin`), Homebrew (`/opt/homebrew/bin`,
    /// `/usr/local/bin`, `/usr/local/opt/*`, `/opt/homebrew/opt/*`, Linuxbrew), the
    /// system's `/usr/bin`, MacPorts, pyenv/goenv/asdf/mise shims, and `~/.local/bin`
    /// (pip `--user`, pipx and uv tools). A `$PYENV_ROOT/bin` (or goenv) prepend counts
    /// when `pyenv init` runs after it, since that puts the shims in front.
    ///
    /// ## Why is this bad?
    /// The init block puts the base environment's `bin` first on `PATH`; a prepend after it
    /// goes in front of that, so its `go` or `python` wins over conda's. `conda activate
    /// env` later puts the environment's `bin` where base's was — behind the prepended
    /// directory — so the environment's programs are shadowed too, silently: `which
    /// python` names the wrong one and packages installed with conda "are not there".
    ///
    /// Not reported: appends (`PATH=$PATH:/x`), prepends before the block, conda blocks
    /// themselves, base `bin` directories (CG205), and `/usr/local/bin`, `/usr/bin` or
    /// `/bin` added through a guard or `fish_add_path`, which skip a directory that is
    /// already on `PATH` (as those normally are).
    ///
    /// ## Example
    /// ```bash
    /// # >>> conda initialize >>>
    /// ...
    /// # <<< conda initialize <<<
    /// export PATH="/opt/homebrew/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="/opt/homebrew/bin:$PATH"
    /// # >>> conda initialize >>>
    /// ...
    /// # <<< conda initialize <<<
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the line (with its own line break, `\r\n` kept) moves above the first init
    /// block before it, so conda's `bin` goes in front of the directory and conda's
    /// programs win — which changes which `go`/`python` runs. Offered only for a line
    /// that stands alone at the top level and uses no variable set between the block and
    /// the line.
    pub(crate) const RULE = Rule {
        code: "CG106",
        name: "path-shadows-conda",
        summary: "a `PATH` prepend after the conda/mamba block whose directory shadows conda's programs",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// What a directory holds that conda also provides, by its text (`$HOME` for `~`).
fn shadowed_programs(dir: &str) -> Option<&'static str> {
    let programs = match dir {
        "/usr/local/go/bin" | "$GOROOT/bin" => "Go's `go` and `gofmt`",
        "/usr/local/bin" => {
            "`python3`, `go` and whatever else Homebrew (on Intel Macs) or `make install` put there"
        }
        "/usr/bin" | "/bin" => "the system's `python3` and other tools",
        "/opt/homebrew/bin" | "/home/linuxbrew/.linuxbrew/bin" | "$HOMEBREW_PREFIX/bin" => {
            "Homebrew's `python3`, `go` and other formulae"
        }
        "/opt/local/bin" => "MacPorts' `python3`, `go` and other ports",
        "$HOME/.local/bin" => "pip `--user`, pipx and uv tools (and uv's `python`)",
        "$PYENV_ROOT/shims" | "$HOME/.pyenv/shims" => "pyenv's `python` and `pip`",
        "$GOENV_ROOT/shims" | "$HOME/.goenv/shims" => "goenv's `go`",
        "$HOME/.asdf/shims" | "$ASDF_DATA_DIR/shims" => "asdf's `python`, `go` and `node`",
        "$HOME/.local/share/mise/shims" => "mise's `python`, `go` and `node`",
        _ if dir.starts_with("/usr/local/opt/") || dir.starts_with("/opt/homebrew/opt/") => {
            "this Homebrew formula's programs"
        }
        _ if dir.starts_with("/usr/lib/go") && dir.ends_with("/bin") => "Go's `go`",
        _ if dir.starts_with("$(brew --prefix") && dir.ends_with("/bin") => {
            "Homebrew's `python3`, `go` and other formulae"
        }
        _ if dir.starts_with("$(pyenv root)") && dir.ends_with("/shims") => {
            "pyenv's `python` and `pip`"
        }
        _ => return None,
    };
    Some(programs)
}

/// A version manager's own `bin`, whose `init` (run later) puts its shims in front.
fn manager_bin(dir: &str) -> Option<(&'static str, &'static str)> {
    match dir {
        "$PYENV_ROOT/bin" | "$HOME/.pyenv/bin" => {
            Some(("pyenv init", "pyenv's `python` and `pip`"))
        }
        "$GOENV_ROOT/bin" | "$HOME/.goenv/bin" => Some(("goenv init", "goenv's `go`")),
        _ => None,
    }
}

/// Directories a normal `PATH` already holds: a guard or `fish_add_path` skips them.
fn usually_present(dir: &str) -> bool {
    matches!(dir, "/usr/local/bin" | "/usr/bin" | "/bin")
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    for (statement, edit) in super::shared::sound_path_edits(file) {
        if statement.context.conda_block.is_some() {
            continue;
        }
        let Some(block) = file
            .conda_blocks
            .iter()
            .find(|block| block.is_well_formed() && block.range.end <= statement.range.start)
        else {
            continue;
        };
        let Some(old) = edit
            .entries
            .iter()
            .position(|entry| entry.kind == PathEntryKind::Old)
        else {
            continue;
        };
        let skips_present = edit.idempotent || guarded_by_path_test(statement);
        for entry in edit.entries[..old]
            .iter()
            .filter(|entry| entry.kind == PathEntryKind::Dir)
        {
            let Some(dir) = comparable(entry, file.source) else {
                continue;
            };
            if skips_present && usually_present(&dir) {
                continue;
            }
            if let Some(programs) = shadowed_programs(&dir) {
                report(
                    checker,
                    statement,
                    &edit,
                    block,
                    entry.range.clone(),
                    &dir,
                    programs,
                    None,
                );
                break;
            }
            if let Some((init, programs)) = manager_bin(&dir) {
                let init_line = file.commands().find_map(|(other, _)| {
                    (other.range.start > statement.range.end
                        && other.context.conda_block.is_none()
                        && file.text(other.range.clone()).contains(init))
                    .then(|| file.line_of(other.range.start) + 1)
                });
                if let Some(line) = init_line {
                    let via = Some((init, line));
                    report(
                        checker,
                        statement,
                        &edit,
                        block,
                        entry.range.clone(),
                        &dir,
                        programs,
                        via,
                    );
                    break;
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    checker: &mut Checker,
    statement: &Statement,
    edit: &PathEdit,
    block: &CondaBlock,
    range: Range<usize>,
    dir: &str,
    programs: &str,
    via: Option<(&str, usize)>,
) {
    let file = checker.file;
    let line = file.line_of(block.range.start) + 1;
    let tool = &block.tool;
    let base = block.base.as_deref().unwrap_or("<base>");
    let message = match via {
        Some((init, init_line)) => format!(
            "`{dir}` is put in front of `PATH` after the {tool} block on line {line}, and `{init}` on line {init_line} then puts its shims in front too: {programs} win over `{base}/bin` and over any environment `conda activate` puts in its place"
        ),
        None => format!(
            "`{dir}` is put in front of `PATH` after the {tool} block on line {line}: {programs} now win over the same programs in `{base}/bin`, and over any environment `conda activate` later puts in its place"
        ),
    };
    let help = match via {
        Some((init, _)) => format!("move these lines, `{init}` included, above the {tool} block"),
        None => {
            format!("move this line above the {tool} block, so conda's `bin` goes in front of it")
        }
    };
    let fix = if via.is_none() {
        move_above(file, statement, edit, block)
    } else {
        None
    };
    let report = checker.report(range, message).help(help);
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

/// Moves the statement's lines to just before the block.
fn move_above(
    file: &StartupFile,
    statement: &Statement,
    edit: &PathEdit,
    block: &CondaBlock,
) -> Option<Fix> {
    let context = &statement.context;
    if !context.conditions.is_empty() || context.function.is_some() || context.in_loop {
        return None;
    }
    // A variable set between the block and the line would not be set yet above the block.
    let used: Vec<&str> = edit
        .entries
        .iter()
        .flat_map(|entry| entry.parts.iter())
        .filter_map(|part| match &part.kind {
            PartKind::Variable { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .filter(|name| !matches!(*name, "HOME" | "PATH" | "path" | "fish_user_paths"))
        .collect();
    let set_between = file.assignments().any(|(other, assignment)| {
        other.range.start >= block.range.start
            && other.range.start < statement.range.start
            && used.contains(&assignment.name.as_str())
    });
    if set_between {
        return None;
    }
    if let StatementKind::Command(command) = &statement.kind {
        if command.name.as_deref() != Some("fish_add_path") {
            return None;
        }
    }
    let lines = own_lines(file, statement)?;
    let source = file.source;
    let mut moved = String::from_utf8(source.get(lines.clone())?.to_vec()).ok()?;
    let mut deletion = lines.clone();
    if !moved.ends_with('\n') {
        // The last line of a file without a final line break.
        moved.push_str(line_break_at(file, block.range.start));
        let before = if source[..lines.start].ends_with(b"\r\n") {
            2
        } else if source[..lines.start].ends_with(b"\n") {
            1
        } else {
            0
        };
        deletion = lines.start - before..lines.end;
    }
    Some(Fix::unsafe_(
        format!("Move this line above the {} block", block.tool),
        vec![
            Edit::insert(block.range.start, moved),
            Edit::delete(deletion),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    const BASH_BLOCK: &str = "# >>> conda initialize >>>\n# !! Contents within this block are managed by 'conda init' !!\n__conda_setup=\"$('/home/u/miniconda3/bin/conda' 'shell.bash' 'hook' 2> /dev/null)\"\nif [ $? -eq 0 ]; then\n    eval \"$__conda_setup\"\nelse\n    export PATH=\"/home/u/miniconda3/bin:$PATH\"\nfi\nunset __conda_setup\n# <<< conda initialize <<<\n";
    const FISH_BLOCK: &str = "# >>> conda initialize >>>\n# !! Contents within this block are managed by 'conda init' !!\nif test -f /home/u/miniconda3/bin/conda\n    eval /home/u/miniconda3/bin/conda \"shell.fish\" \"hook\" $argv | source\nend\n# <<< conda initialize <<<\n";

    #[test]
    fn finds_prepends_after_the_block() {
        for (shell, block, line) in [
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"/opt/homebrew/bin:$PATH\"\n",
            ),
            (Shell::Bash, BASH_BLOCK, "export PATH=$GOROOT/bin:$PATH\n"),
            (
                Shell::Bash,
                BASH_BLOCK,
                "PATH=/usr/local/go/bin:$PATH:$HOME/go/bin\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"$HOME/.local/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=/usr/local/opt/python@3.12/libexec/bin:$PATH\n",
            ),
            (
                Shell::Sh,
                BASH_BLOCK,
                "PATH=\"$(brew --prefix)/bin:$PATH\"\n",
            ),
            (Shell::Zsh, BASH_BLOCK, "path=(/opt/homebrew/bin $path)\n"),
            (Shell::Zsh, BASH_BLOCK, "path=(~/.pyenv/shims $path)\n"),
            (
                Shell::Fish,
                FISH_BLOCK,
                "set -gx PATH /opt/homebrew/bin $PATH\n",
            ),
            (
                Shell::Fish,
                FISH_BLOCK,
                "fish_add_path -g /usr/local/go/bin\n",
            ),
        ] {
            let text = format!("{block}{line}");
            let expected = text.lines().count();
            assert_eq!(
                lines("CG106", shell, &text),
                vec![expected],
                "{shell}: {line}"
            );
        }
        // pyenv's own `bin`: only when `pyenv init` follows and puts the shims in front.
        let text = format!(
            "{BASH_BLOCK}export PYENV_ROOT=\"$HOME/.pyenv\"\nexport PATH=\"$PYENV_ROOT/bin:$PATH\"\neval \"$(pyenv init -)\"\n"
        );
        let found = findings("CG106", Shell::Bash, &text);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("pyenv init"),
            "{}",
            found[0].message
        );
        assert!(found[0].fix.is_none());
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, block, line) in [
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"$PATH:/opt/homebrew/bin\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"$HOME/go/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"$HOME/.cargo/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "export PATH=\"$PYENV_ROOT/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "case \":$PATH:\" in *:/usr/local/bin:*) ;; *) PATH=/usr/local/bin:$PATH ;; esac\n",
            ),
            (Shell::Fish, FISH_BLOCK, "fish_add_path -g /usr/local/bin\n"),
            (
                Shell::Fish,
                FISH_BLOCK,
                "fish_add_path -ga /opt/homebrew/bin\n",
            ),
        ] {
            let text = format!("{block}{line}");
            assert!(lines("CG106", shell, &text).is_empty(), "{shell}: {line}");
        }
        // Before the block is the right place.
        let text = format!("export PATH=\"/opt/homebrew/bin:$PATH\"\n{BASH_BLOCK}");
        assert!(lines("CG106", Shell::Bash, &text).is_empty());
        // No block, nothing to shadow.
        assert!(lines(
            "CG106",
            Shell::Bash,
            "export PATH=\"/opt/homebrew/bin:$PATH\"\n"
        )
        .is_empty());
    }

    #[test]
    fn fix_moves_the_line_above_the_block() {
        let before = format!("# ~/.zshrc\n{BASH_BLOCK}\n# Homebrew first\nexport PATH=\"/opt/homebrew/bin:$PATH\"  # brew\nalias ll='ls -l'\n");
        let after = format!("# ~/.zshrc\nexport PATH=\"/opt/homebrew/bin:$PATH\"  # brew\n{BASH_BLOCK}\n# Homebrew first\nalias ll='ls -l'\n");
        assert_eq!(assert_fix_converges("CG106", Shell::Zsh, &before), after);
        // CRLF lines keep their line breaks; a last line without one gets the block's.
        let crlf = BASH_BLOCK.replace('\n', "\r\n");
        let before = format!("{crlf}export PATH=\"$HOME/.local/bin:$PATH\"");
        let after = format!(
            "export PATH=\"$HOME/.local/bin:$PATH\"\r\n{}",
            crlf.trim_end_matches("\r\n")
        );
        assert_eq!(assert_fix_converges("CG106", Shell::Bash, &before), after);
        let before = format!("{crlf}export PATH=\"$HOME/.local/bin:$PATH\"\r\n");
        let after = format!("export PATH=\"$HOME/.local/bin:$PATH\"\r\n{crlf}");
        assert_eq!(assert_fix_converges("CG106", Shell::Bash, &before), after);
        let before = format!("{FISH_BLOCK}fish_add_path -g /opt/homebrew/bin\n");
        let after = format!("fish_add_path -g /opt/homebrew/bin\n{FISH_BLOCK}");
        assert_eq!(assert_fix_converges("CG106", Shell::Fish, &before), after);
        // `$GOROOT` is set after the block: moving only the PATH line would break it.
        let text =
            format!("{BASH_BLOCK}export GOROOT=/usr/local/go\nexport PATH=$GOROOT/bin:$PATH\n");
        assert_eq!(lines("CG106", Shell::Bash, &text), vec![12]);
        assert_eq!(fixed("CG106", Shell::Bash, &text), text);
        // Inside an `if`: reported, not moved.
        let text = format!(
            "{BASH_BLOCK}if [ -d /opt/homebrew ]; then\n  PATH=/opt/homebrew/bin:$PATH\nfi\n"
        );
        assert_eq!(lines("CG106", Shell::Bash, &text), vec![12]);
        assert_eq!(fixed("CG106", Shell::Bash, &text), text);
    }

    /// The real shells: with a block that puts conda's `bin` in front (as the init block's
    /// activation does) and a `~/.local/bin` prepend after it, `python3` resolves to
    /// `~/.local/bin`; with the line moved above the block, to conda's.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (
                OracleShell::Bash,
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"$HOME/miniconda3/bin:$PATH\"\n# <<< conda initialize <<<\nexport PATH=\"$HOME/.local/bin:$PATH\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "# >>> conda initialize >>>\npath=($HOME/miniconda3/bin $path)\n# <<< conda initialize <<<\npath=($HOME/.local/bin $path)\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "# >>> conda initialize >>>\nset -gx PATH $HOME/miniconda3/bin $PATH\n# <<< conda initialize <<<\nset -gx PATH $HOME/.local/bin $PATH\n",
            ),
            (
                OracleShell::Sh,
                Shell::Sh,
                "# >>> conda initialize >>>\r\nPATH=\"$HOME/miniconda3/bin:$PATH\"; export PATH\r\n# <<< conda initialize <<<\r\nPATH=\"$HOME/.local/bin:$PATH\"\r\n",
            ),
        ];
        for (oracle, shell, before) in cases {
            let home = FakeHome::new();
            let conda = home.stub("miniconda3/bin", "python3");
            let local = home.stub(".local/bin", "python3");
            assert_eq!(lines("CG106", shell, before), vec![4], "{before}");
            let after = assert_fix_converges("CG106", shell, before);
            assert_ne!(after, before);
            // dash reads `\r` as part of a word: check the CRLF case with it removed.
            let run = |text: &str| {
                let text = if oracle == OracleShell::Sh {
                    text.replace('\r', "")
                } else {
                    text.to_string()
                };
                lookup_after(oracle, &home, &text, "python3")
            };
            let Some(shadowed) = run(before) else {
                continue;
            };
            let shown = |path: &std::path::Path| Some(path.display().to_string());
            assert_eq!(shadowed.shell_finds, shown(&local), "{oracle:?}: {before}");
            let fixed = run(&after).expect("shell");
            assert_eq!(fixed.shell_finds, shown(&conda), "{oracle:?}: {after}");
            assert_eq!(fixed.child_finds, shown(&conda), "{oracle:?}: {after}");
        }
    }
}
