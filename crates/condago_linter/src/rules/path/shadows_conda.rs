use std::ops::Range;

use super::shared::{comparable, guarded_by_path_test};
use crate::diagnostic::{Applicability, Fix, Severity};
use crate::model::{
    CondaBlock, InitDir, PartKind, PathEdit, PathEntryKind, StartupFile, Statement, StatementKind,
    ToolInit,
};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a directory put in front of `PATH` *after* the conda or mamba init block,
    /// when that directory usually holds programs conda also provides: a Go toolchain
    /// (`/usr/local/go/bin`, `$GOROOT/bin`), Homebrew (`/opt/homebrew/bin`,
    /// `/usr/local/bin`, `/usr/local/opt/*`, `/opt/homebrew/opt/*`, Linuxbrew), the
    /// system's `/usr/bin`, MacPorts, pyenv/goenv/asdf/mise shims, and `~/.local/bin`
    /// (pip `--user`, pipx and uv tools).
    ///
    /// Tool initialisations count as the prepends they make: `eval "$(pyenv init -)"`
    /// (pyenv's shims), `rbenv`/`nodenv`/`goenv init`, `eval "$(brew shellenv)"` (the
    /// prefix's `bin` and `sbin`, for `/opt/homebrew`, `/usr/local` and Linuxbrew),
    /// `mise activate`, `fnm env`, asdf's `asdf.sh`, SDKMAN!'s `sdkman-init.sh` and Nix's
    /// profile scripts. What each puts on `PATH` was read from the tool's source at the
    /// release the message names (see docs/tool-initialisations.md); rustup's
    /// `~/.cargo/env` is modelled too but holds nothing conda users get from conda.
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
    /// the line. A tool initialisation moves only when nothing is set between the block
    /// and it (the tool may need its own `bin` on `PATH`, or `PYENV_ROOT`).
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
                );
                break;
            }
        }
    }
    for init in &file.tool_inits {
        check_tool_init(checker, init);
    }
}

/// A tool's initialisation after the block: its directories go in front of conda's `bin`.
fn check_tool_init(checker: &mut Checker, init: &ToolInit) {
    let file = checker.file;
    let statement = &file.statements[init.statement];
    let tool = init.effect.tool;
    let Some(programs) = tool.shadows() else {
        return;
    };
    if statement.context.conda_block.is_some() || file.in_error(&statement.range) {
        return;
    }
    let Some(block) = file
        .conda_blocks
        .iter()
        .find(|block| block.is_well_formed() && block.range.end <= statement.range.start)
    else {
        return;
    };
    let dirs: Vec<String> = init
        .effect
        .dirs
        .iter()
        .map(|dir| match dir {
            InitDir::Known(dir) => format!("`{dir}`"),
            InitDir::Unknown(what) => what.to_string(),
        })
        .collect();
    let line = file.line_of(block.range.start) + 1;
    let conda = &block.tool;
    let base = block.base.as_deref().unwrap_or("<base>");
    let message = format!(
        "`{}` runs after the {conda} block on line {line} and puts {} in front of `PATH` ({} does): {programs} now win over the same programs in `{base}/bin`, and over any environment `conda activate` later puts in its place",
        tool.init_name(),
        dirs.join(" and "),
        tool.checked_against(),
    );
    let help = format!(
        "move the `{}` line (and the lines it needs) above the {conda} block, so conda's `bin` goes in front of its directories",
        tool.init_name()
    );
    // The tool may need what the lines between the block and it set (its `bin` on `PATH`,
    // `PYENV_ROOT`): only a line that follows the block with nothing set in between moves.
    let between = |range: &Range<usize>| {
        range.start >= block.range.end && range.start < statement.range.start
    };
    let set_between = file.statements.iter().any(|other| {
        between(&other.range)
            && !other.context.in_subshell
            && match &other.kind {
                StatementKind::Assignment(_) => true,
                StatementKind::Command(command) => command.name.as_deref() == Some("fish_add_path"),
            }
    }) || file.tool_inits.iter().any(|other| between(&other.range));
    let fix = if set_between || !statement.context.is_unconditional() {
        None
    } else {
        move_lines(file, statement, block)
    };
    let first_line_end = file.line_range(file.line_of(init.range.start)).end;
    let range = init.range.start..init.range.end.min(first_line_end);
    let report = checker.report(range, message).help(help);
    if let Some(fix) = fix {
        report.fix(fix);
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
) {
    let file = checker.file;
    let line = file.line_of(block.range.start) + 1;
    let tool = &block.tool;
    let base = block.base.as_deref().unwrap_or("<base>");
    let message = format!(
        "`{dir}` is put in front of `PATH` after the {tool} block on line {line}: {programs} now win over the same programs in `{base}/bin`, and over any environment `conda activate` later puts in its place"
    );
    let help =
        format!("move this line above the {tool} block, so conda's `bin` goes in front of it");
    let fix = move_above(file, statement, edit, block);
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
    move_lines(file, statement, block)
}

/// Moves the lines the statement stands on alone to just before the block.
fn move_lines(file: &StartupFile, statement: &Statement, block: &CondaBlock) -> Option<Fix> {
    crate::rules::lines::move_lines_to(
        file,
        statement,
        block.range.start,
        format!("Move this line above the {} block", block.tool),
    )
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

    #[test]
    fn tool_initialisations_after_the_block() {
        for (shell, block, line) in [
            (Shell::Bash, BASH_BLOCK, "eval \"$(pyenv init -)\"\n"),
            (Shell::Zsh, BASH_BLOCK, "eval \"$(pyenv init --path)\"\n"),
            (
                Shell::Zsh,
                BASH_BLOCK,
                "eval \"$(/opt/homebrew/bin/brew shellenv)\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                "eval $(/home/linuxbrew/.linuxbrew/bin/brew shellenv)\n",
            ),
            (Shell::Zsh, BASH_BLOCK, "eval \"$(mise activate zsh)\"\n"),
            (Shell::Bash, BASH_BLOCK, "eval \"$(rbenv init - bash)\"\n"),
            (Shell::Bash, BASH_BLOCK, "eval \"$(fnm env --use-on-cd)\"\n"),
            (
                Shell::Bash,
                BASH_BLOCK,
                "source \"$HOME/.sdkman/bin/sdkman-init.sh\"\n",
            ),
            (
                Shell::Bash,
                BASH_BLOCK,
                ". /nix/var/nix/profiles/default/etc/profile.d/nix-daemon.sh\n",
            ),
            (Shell::Zsh, BASH_BLOCK, ". ~/.asdf/asdf.sh\n"),
            (Shell::Fish, FISH_BLOCK, "pyenv init - | source\n"),
            (
                Shell::Fish,
                FISH_BLOCK,
                "/opt/homebrew/bin/brew shellenv | source\n",
            ),
            (Shell::Fish, FISH_BLOCK, "source (rbenv init -|psub)\n"),
        ] {
            let text = format!("{block}{line}");
            let expected = text.lines().count();
            let found = findings("CG106", shell, &text);
            assert_eq!(found.len(), 1, "{shell}: {line}");
            assert_eq!(
                lines("CG106", shell, &text),
                vec![expected],
                "{shell}: {line}"
            );
            assert!(found[0].message.contains(" does)"), "{}", found[0].message);
        }
        // Not reported: rustup's env (nothing conda users expect from conda), `pyenv init`
        // without `-` (prints help), an init before the block.
        for (shell, text) in [
            (Shell::Bash, format!("{BASH_BLOCK}. \"$HOME/.cargo/env\"\n")),
            (Shell::Bash, format!("{BASH_BLOCK}pyenv init\n")),
            (
                Shell::Bash,
                format!("eval \"$(pyenv init -)\"\n{BASH_BLOCK}"),
            ),
            (Shell::Fish, format!("pyenv init - | source\n{FISH_BLOCK}")),
        ] {
            assert!(lines("CG106", shell, &text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fix_moves_a_tool_initialisation_that_needs_nothing_set_after_the_block() {
        let line = "eval \"$(/opt/homebrew/bin/brew shellenv)\"\n";
        let before = format!("{BASH_BLOCK}{line}alias ll='ls -l'\n");
        let after = format!("{line}{BASH_BLOCK}alias ll='ls -l'\n");
        assert_eq!(assert_fix_converges("CG106", Shell::Zsh, &before), after);
        // pyenv needs `PYENV_ROOT` and its `bin`, set between the block and the init.
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
        // Inside a guard: reported, not moved.
        let text = format!(
            "{BASH_BLOCK}if command -v pyenv >/dev/null; then\n  eval \"$(pyenv init -)\"\nfi\n"
        );
        assert_eq!(lines("CG106", Shell::Bash, &text), vec![12]);
        assert_eq!(fixed("CG106", Shell::Bash, &text), text);
    }

    /// The real shells, with a stand-in `pyenv` that prints what pyenv 2.4's `init -`
    /// prints for `PATH`: after the block, its shims' `python3` wins; moved above, conda's.
    #[test]
    fn oracle_tool_initialisation_before_and_after_the_fix() {
        const PYENV: &str =
            "#!/bin/sh\nprintf 'export PATH=\"%s/.pyenv/shims:${PATH}\"\\n' \"$HOME\"\n";
        for (oracle, shell, block) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "# >>> conda initialize >>>\nexport PATH=\"$HOME/miniconda3/bin:$PATH\"\n# <<< conda initialize <<<\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "# >>> conda initialize >>>\npath=($HOME/miniconda3/bin $path)\n# <<< conda initialize <<<\n",
            ),
        ] {
            let home = FakeHome::new();
            let conda = home.stub("miniconda3/bin", "python3");
            let shims = home.stub(".pyenv/shims", "python3");
            home.write_executable(".pyenv/bin/pyenv", PYENV);
            let before = format!("{block}eval \"$($HOME/.pyenv/bin/pyenv init -)\"\n");
            assert_eq!(lines("CG106", shell, &before), vec![4]);
            let after = assert_fix_converges("CG106", shell, &before);
            let Some(shadowed) = lookup_after(oracle, &home, &before, "python3") else {
                continue;
            };
            let shown = |path: &std::path::Path| Some(path.display().to_string());
            assert_eq!(shadowed.shell_finds, shown(&shims), "{oracle:?}");
            let fixed = lookup_after(oracle, &home, &after, "python3").expect("shell");
            assert_eq!(fixed.shell_finds, shown(&conda), "{oracle:?}: {after}");
            assert_eq!(fixed.child_finds, shown(&conda), "{oracle:?}: {after}");
        }
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
