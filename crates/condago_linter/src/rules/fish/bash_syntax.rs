use condago_syntax::tree_sitter::Node;

use crate::diagnostic::Severity;
use crate::model::{FileKind, StartupFile, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};
use crate::settings::Version;

crate::declare_rule! {
    /// ## What it does
    /// Finds bash syntax in a fish file that the fish grammar still reads, but fish itself
    /// rejects or runs differently:
    ///
    /// - `VAR=value` on its own line;
    /// - `[[ … ]]`;
    /// - `$(…)`, for fish before 3.4;
    /// - `source` (or `.`) of a bash or sh file: `~/.bashrc`, `~/.profile`, `*.sh`,
    ///   `~/.cargo/env`.
    ///
    /// ## Why is this bad?
    /// Checked with fish 3.6:
    ///
    /// - `VAR=value` alone is refused when fish *reads* the file ("Unsupported use of
    ///   '='"), so none of the file runs — not even the lines above it. (`VAR=value cmd`,
    ///   a prefix for one command, is fine since fish 3.1.)
    /// - `[[` is not fish syntax: fish looks for a command named `[[`, prints "Unknown
    ///   command" at every start, and the test counts as false, so what it guards never
    ///   runs.
    /// - `$(…)` is accepted by fish 3.4 and later, which read it like `(…)`; fish before
    ///   3.4 (Ubuntu 22.04 ships 3.3) refuses the whole file, as for `VAR=value`. fish's
    ///   own 3.6 functions use it, so it is reported only in `config.fish` and `conf.d`
    ///   (files that travel to other machines), and only as information. A project that
    ///   sets `fish-version` in `condago.toml` gets a decision instead: nothing for 3.4 and
    ///   later, an error in every fish file for older versions.
    /// - `source ~/.bashrc` makes fish read bash as fish: the first bash-only line
    ///   (`if …; then`, `case`, `[[ ]]`, `VAR=value`) makes fish refuse the whole sourced
    ///   file, so nothing in it is loaded, and an error prints at every start.
    ///
    /// Bash constructs the fish grammar cannot parse at all (`if …; then … fi`,
    /// `for …; do … done`, `function f() {`) are syntax errors, reported once by CG001,
    /// not here. `&&` and `||` are not reported: only fish before 3.0 (2018) rejects them.
    ///
    /// ## Example
    /// ```fish
    /// GOPATH=$HOME/go
    /// if [[ -d $HOME/.krew/bin ]]
    ///     fish_add_path -g $HOME/.krew/bin
    /// end
    /// source ~/.cargo/env
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// set -gx GOPATH $HOME/go
    /// if test -d $HOME/.krew/bin
    ///     fish_add_path -g $HOME/.krew/bin
    /// end
    /// source ~/.cargo/env.fish
    /// ```
    ///
    /// ## Fix safety
    /// No fix: each case needs a decision (exported or not, which test, which fish file
    /// replaces the bash one).
    pub(crate) const RULE = Rule {
        code: "CG304",
        name: "fish-bash-syntax",
        summary: "bash syntax fish rejects or reads differently: `VAR=value` alone, `[[ ]]`, `$(…)` before fish 3.4, `source ~/.bashrc`",
        shells: Shells::FISH,
        severity: Severity::Error,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    // Lines already reported as refused by fish: a `$(…)` in them needs no second finding.
    let mut refused: Vec<std::ops::Range<usize>> = Vec::new();
    for statement in &file.statements {
        if statement.context.conda_block.is_some() {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let name_text = file.text(command.name_range.clone()).into_owned();
        if is_assignment_word(&name_text)
            && command
                .args
                .iter()
                .all(|arg| is_assignment_word(&file.text(arg.range.clone())))
        {
            refused.push(statement.range.clone());
            let (name, value) = name_text.split_once('=').unwrap_or((&name_text, ""));
            checker
                .report(
                    statement.range.clone(),
                    format!(
                        "fish refuses `{name}=…` on its own line (\"Unsupported use of '='\") when it reads this file, and then runs none of it: nothing in this file takes effect"
                    ),
                )
                .help(format!("write `set -gx {name} {value}` (or `set -g` if it need not be exported)"));
        } else if name_text.starts_with("[[") {
            checker
                .report(
                    statement.range.clone(),
                    "fish has no `[[ … ]]`: it looks for a command named `[[`, prints \"Unknown command\" at every start, and the test counts as false, so what it guards never runs",
                )
                .help("use fish's `test …` (or `[ … ]`)");
        } else if matches!(command.name.as_deref(), Some("source") | Some(".")) {
            let Some(arg) = command.args.first() else {
                continue;
            };
            let shown = arg.display(file.source);
            if !is_bash_file(&shown) {
                continue;
            }
            let help = if shown.ends_with(".cargo/env") {
                format!("source `{shown}.fish` instead, which rustup writes for fish")
            } else {
                "port the lines you need to fish (or load them through a bridge such as `bass`)"
                    .to_string()
            };
            checker
                .report(
                    statement.range.clone(),
                    format!(
                        "fish reads `{shown}` as fish code: its first bash-only line (`if …; then`, `case`, `[[ ]]`, `VAR=value`) makes fish refuse the whole file, so nothing in it is loaded and an error prints at every start"
                    ),
                )
                .help(help);
        }
    }
    // `$(…)` is fine in fish 3.4+ (fish's own functions use it). With no `fish-version`
    // pinned, only startup files, which travel to machines with older fish, get an
    // informational finding; a pinned version decides for every fish file.
    let startup = matches!(file.kind, FileKind::FishConfig | FileKind::FishConfD);
    let pinned = checker.versions.fish;
    let wanted = match pinned {
        Some(version) => version < DOLLAR_PAREN_SINCE,
        None => startup,
    };
    if let Some(tree) = file.tree.filter(|_| wanted) {
        let mut found = Vec::new();
        dollar_substitutions(tree.root_node(), file, &mut found);
        for range in found {
            if refused
                .iter()
                .any(|line| line.start <= range.start && range.end <= line.end)
            {
                continue;
            }
            match pinned {
                Some(version) => checker
                    .report(
                        range,
                        format!(
                            "fish {version} (the project's `fish-version`) refuses `$(…)` when it reads this file and then runs none of it; only fish 3.4 and later read it like `(…)`"
                        ),
                    )
                    .help("write `(…)`, which every fish reads"),
                None => checker
                    .report(
                        range,
                        "fish before 3.4 refuses `$(…)` when it reads this file and then runs none of it; fish 3.4 and later read it like `(…)`",
                    )
                    .help("write `(…)`, which every fish reads (or set `fish-version` in condago.toml)")
                    .severity(Severity::Info),
            };
        }
    }
}

/// The first fish that reads `$(…)`.
const DOLLAR_PAREN_SINCE: Version = Version::new(3, 4);

/// `NAME=…` as written (a bash assignment).
fn is_assignment_word(text: &str) -> bool {
    let Some((name, _)) = text.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A file written for bash or sh, by its name.
fn is_bash_file(path: &str) -> bool {
    if path.ends_with(".fish") {
        return false;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        ".bashrc"
            | ".bash_profile"
            | ".bash_login"
            | ".bash_aliases"
            | ".profile"
            | ".zshrc"
            | ".zshenv"
            | ".zprofile"
            | ".zlogin"
    ) || [".sh", ".bash", ".zsh"]
        .iter()
        .any(|extension| name.ends_with(extension) && name.len() > extension.len())
        || path.ends_with(".cargo/env")
        || matches!(
            path,
            "/etc/profile" | "/etc/bashrc" | "/etc/bash.bashrc" | "/etc/zshrc" | "/etc/zshenv"
        )
}

/// `$(…)` substitutions outside conda blocks.
fn dollar_substitutions(node: Node, file: &StartupFile, out: &mut Vec<std::ops::Range<usize>>) {
    if node.kind() == "command_substitution"
        && file.source.get(node.start_byte()) == Some(&b'$')
        && !file.conda_blocks.iter().any(|block| {
            block.range.start <= node.start_byte() && node.end_byte() <= block.range.end
        })
    {
        out.push(node.byte_range());
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        dollar_substitutions(child, file, out);
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::diagnostic::Severity;
    use crate::rules::test_support::*;

    #[test]
    fn finds_bash_syntax() {
        for text in [
            "GOPATH=$HOME/go\n",
            "x=$(pwd)\n",
            "A=1 B=2\n",
            "if [[ -d $HOME/.krew/bin ]]\n    fish_add_path -g $HOME/.krew/bin\nend\n",
            "[[ -f ~/.x ]] && source ~/.x.fish\n",
            "source ~/.bashrc\n",
            ". ~/.profile\n",
            "source ~/.cargo/env\n",
            "source /opt/ros/humble/setup.bash\n",
            "set -gx X (string trim $(cat ~/.x))\n",
        ] {
            assert_eq!(findings("CG304", Shell::Fish, text).len(), 1, "{text}");
        }
        let found = findings("CG304", Shell::Fish, "set -gx X $(pwd)\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Info);
        assert!(found[0].message.contains("3.4"));
        // Outside startup files (functions, completions) `$(…)` is modern fish.
        let function_file = "home/.config/fish/functions/f.fish";
        assert!(findings_at("CG304", Shell::Fish, function_file, "set -gx X $(pwd)\n").is_empty());
        let found = findings("CG304", Shell::Fish, "FOO=bar\n");
        assert_eq!(found[0].severity, Severity::Error);
    }

    /// `fish-version` decides: silent from 3.4, an error in every fish file before.
    #[test]
    fn the_pinned_fish_version_decides_about_dollar_paren() {
        let pin = |major, minor| crate::Versions {
            fish: Some(crate::Version::new(major, minor)),
            bash: None,
        };
        let config = "home/.config/fish/config.fish";
        let function_file = "home/.config/fish/functions/f.fish";
        let text = "set -gx X $(pwd)\n";
        assert!(findings_assuming("CG304", Shell::Fish, config, text, pin(3, 4)).is_empty());
        assert!(findings_assuming("CG304", Shell::Fish, config, text, pin(3, 6)).is_empty());
        let old = findings_assuming("CG304", Shell::Fish, function_file, text, pin(3, 3));
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].severity, Severity::Error);
        assert!(old[0]
            .message
            .starts_with("fish 3.3 (the project's `fish-version`)"));
        // Other bash syntax does not depend on the version.
        let assignment = findings_assuming("CG304", Shell::Fish, config, "A=1\n", pin(3, 6));
        assert_eq!(assignment.len(), 1);
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "set -gx GOPATH $HOME/go\n",
            "GOFLAGS=-mod=mod go build\n",
            "if test -d ~/bin\n    fish_add_path -g ~/bin\nend\n",
            "[ -d ~/bin ]; and fish_add_path -g ~/bin\n",
            "test -f ~/.x; and source ~/.x\n",
            "true && echo ok\n",
            "source ~/.cargo/env.fish\n",
            "source ~/.config/fish/aliases.fish\n",
            "echo (pwd)\n",
            "echo 'A=1'\n",
            "set -l n (count $PATH)\n",
            "# >>> conda initialize >>>\nset -l x $(conda info --base)\n# <<< conda initialize <<<\n",
        ] {
            assert!(findings("CG304", Shell::Fish, text).is_empty(), "{text}");
        }
    }

    /// bash's `if …; then … fi` does not parse as fish: CG001 reports it, this rule not.
    #[test]
    fn parse_errors_are_left_to_cg001() {
        let text = "if [[ -d /x ]]; then\n    PATH=/x:$PATH\nfi\n";
        assert!(findings("CG304", Shell::Fish, text).is_empty());
        assert!(!findings("CG001", Shell::Fish, text).is_empty());
    }

    /// fish 3.6: `VAR=value` makes config.fish run not at all; `[[` is an unknown command
    /// and its test is false; `source ~/.bashrc` loads nothing from a bash file; `$(…)`
    /// works in 3.6.
    #[test]
    fn oracle_what_fish_does() {
        let home = FakeHome::new();
        home.write(
            ".config/fish/config.fish",
            "set -gx BEFORE 1\nGOPATH=$HOME/go\nset -gx AFTER 1\n",
        );
        let Some((_, run)) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        ) else {
            return;
        };
        assert_eq!(run.var("BEFORE"), None, "{run:?}");
        assert_eq!(run.var("AFTER"), None);
        assert!(
            run.stderr.contains("Unsupported use of '='"),
            "{}",
            run.stderr
        );

        let run = run_snippet(
            OracleShell::Fish,
            &home,
            "if [[ -d / ]]\n    set -gx GUARDED 1\nend\n",
        )
        .expect("fish ran");
        assert_eq!(run.var("GUARDED"), None);
        assert!(run.stderr.contains("Unknown command"), "{}", run.stderr);

        home.write(
            ".bashrc",
            "export FROM_BASHRC=1\nif [ -d \"$HOME\" ]; then\n    export ALSO=1\nfi\n",
        );
        let run = run_snippet(OracleShell::Fish, &home, "source ~/.bashrc\n").expect("fish ran");
        assert_eq!(run.var("FROM_BASHRC"), None, "{run:?}");
        assert!(!run.stderr.is_empty());

        let run =
            run_snippet(OracleShell::Fish, &home, "set -gx X $(echo hi)\n").expect("fish ran");
        assert_eq!(run.var("X"), Some("hi"), "fish 3.4+ reads `$(…)`");
    }
}
