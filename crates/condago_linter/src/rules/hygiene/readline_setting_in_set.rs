use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::StatementKind;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a readline setting given to the shell's `set` — `set completion-ignore-case on`,
    /// `set show-all-if-ambiguous on`, `set editing-mode vi` — a line that belongs in
    /// `~/.inputrc` (or in `bind 'set …'`), copied into a startup file.
    ///
    /// ## Why is this bad?
    /// Checked with bash 5.2, zsh 5.9 and fish 3.6:
    /// - bash's `set` makes its words the positional parameters: `$1` is
    ///   `completion-ignore-case`, `$2` is `on`, and `bind -v` still says
    ///   `set completion-ignore-case off`. Nothing is said, nothing changes.
    /// - zsh does the same (positional parameters, no message); its line editor reads no
    ///   readline settings at all, not even from `~/.inputrc`.
    /// - fish rejects the name: "set: completion-ignore-case: invalid variable name", at
    ///   every start.
    ///
    /// ## Example
    /// ```bash
    /// set completion-ignore-case on
    /// ```
    ///
    /// ## Use instead
    /// In `~/.inputrc` (read by bash and every readline program):
    /// ```text
    /// set completion-ignore-case on
    /// ```
    /// or in `.bashrc`, after the interactive-only guard (`bind` in a non-interactive bash
    /// warns "line editing not enabled"):
    /// ```bash
    /// bind 'set completion-ignore-case on'
    /// ```
    /// zsh: the matching zsh setting (`zstyle ':completion:*' matcher-list 'm:{a-z}={A-Z}'`
    /// for case-insensitive completion, `bindkey -v` for vi mode). fish: its own settings
    /// (`fish_vi_key_bindings`).
    ///
    /// ## Fix safety
    /// A suggestion, in bash only: `bind 'set …'`, which makes the setting take effect —
    /// better placed after the interactive-only guard or in `~/.inputrc`.
    pub(crate) const RULE = Rule {
        code: "CG409",
        name: "readline-setting-in-set",
        summary: "a readline setting given to `set` (`set completion-ignore-case on`): sets the positional parameters and changes nothing (fish: an error)",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Suggestion),
        opt_in: false,
        check: Check::File(check),
    };
}

/// The variables bash 5.2's readline knows (`bind -v`).
const READLINE_VARIABLES: &[&str] = &[
    "bell-style",
    "bind-tty-special-chars",
    "blink-matching-paren",
    "byte-oriented",
    "colored-completion-prefix",
    "colored-stats",
    "comment-begin",
    "completion-display-width",
    "completion-ignore-case",
    "completion-map-case",
    "completion-prefix-display-length",
    "completion-query-items",
    "convert-meta",
    "disable-completion",
    "echo-control-characters",
    "editing-mode",
    "emacs-mode-string",
    "enable-active-region",
    "enable-bracketed-paste",
    "enable-keypad",
    "enable-meta-key",
    "expand-tilde",
    "history-preserve-point",
    "history-size",
    "horizontal-scroll-mode",
    "input-meta",
    "keymap",
    "keyseq-timeout",
    "mark-directories",
    "mark-modified-lines",
    "mark-symlinked-directories",
    "match-hidden-files",
    "menu-complete-display-prefix",
    "meta-flag",
    "output-meta",
    "page-completions",
    "prefer-visible-bell",
    "print-completions-horizontally",
    "revert-all-at-newline",
    "show-all-if-ambiguous",
    "show-all-if-unmodified",
    "show-mode-in-prompt",
    "skip-completed-text",
    "vi-cmd-mode-string",
    "vi-ins-mode-string",
    "visible-stats",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    for statement in &file.statements {
        // fish lifts `set name value` as an assignment; bash and zsh see a command.
        let (variable, count) = match &statement.kind {
            StatementKind::Command(command) if command.name.as_deref() == Some("set") => {
                let Some(variable) = command.args.first().and_then(|arg| arg.literal()) else {
                    continue;
                };
                (variable, command.args.len())
            }
            StatementKind::Assignment(assignment)
                if assignment.keyword.as_deref() == Some("set") && assignment.flags.is_empty() =>
            {
                (assignment.name.clone(), 1 + assignment.values.len())
            }
            _ => continue,
        };
        if !READLINE_VARIABLES.contains(&variable.as_str()) || count > 2 {
            continue;
        }
        let setting = file.text(statement.range.clone()).into_owned();
        let (message, help) = match file.shell {
            Shell::Fish => (
                format!("`{setting}` is a readline setting; fish's `set` rejects the name (\"invalid variable name\") at every start, and fish's line editor has no such setting"),
                "fish has its own settings (`fish_vi_key_bindings` for vi mode); put readline settings in `~/.inputrc`".to_string(),
            ),
            Shell::Zsh => (
                format!("`{setting}` is a readline setting, but zsh's `set` makes its words the positional parameters (`$1` is `{variable}`): nothing changes, and zsh's line editor reads no readline settings"),
                zsh_equivalent(&variable),
            ),
            _ => (
                format!("`{setting}` is a readline setting, but bash's `set` makes its words the positional parameters (`$1` is `{variable}`): the setting stays as it was"),
                format!("put `{setting}` in `~/.inputrc`, or write `bind '{setting}'` after the interactive-only guard"),
            ),
        };
        let report = checker.report(statement.range.clone(), message).help(help);
        if matches!(file.shell, Shell::Bash | Shell::Sh) && !setting.contains('\'') {
            report.fix(Fix::suggestion(
                "Give it to readline with `bind`",
                vec![Edit::replace(
                    statement.range.clone(),
                    format!("bind '{setting}'"),
                )],
            ));
        }
    }
}

fn zsh_equivalent(variable: &str) -> String {
    match variable {
        "completion-ignore-case" => "for case-insensitive completion in zsh: `zstyle ':completion:*' matcher-list 'm:{a-z}={A-Z}'`".to_string(),
        "editing-mode" => "for vi mode in zsh: `bindkey -v`".to_string(),
        "show-all-if-ambiguous" => "in zsh: `setopt no_list_ambiguous` lists the choices at the first Tab".to_string(),
        "bell-style" => "in zsh: `unsetopt beep`".to_string(),
        _ => "zsh's line editor is configured with `setopt`, `zstyle` and `bindkey`, not readline settings".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_readline_settings() {
        assert_found_once(
            "CG409",
            &[
                (Shell::Bash, "set completion-ignore-case on\n"),
                (Shell::Bash, "set show-all-if-ambiguous on\n"),
                (Shell::Bash, "set editing-mode vi\n"),
                (Shell::Zsh, "set completion-ignore-case on\n"),
                (Shell::Fish, "set completion-ignore-case on\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG409",
            &[
                (Shell::Bash, "set -o vi\n"),
                (Shell::Bash, "bind 'set completion-ignore-case on'\n"),
                (Shell::Bash, "set -- a b\n"),
                (Shell::Zsh, "set -o emacs\n"),
                (Shell::Fish, "set -g fish_greeting\n"),
            ],
        );
    }

    #[test]
    fn suggests_bind() {
        let text = "set completion-ignore-case on\n";
        let found = findings("CG409", Shell::Bash, text);
        let fix = found[0].fix.as_ref().expect("a suggestion");
        let applied =
            String::from_utf8(crate::apply_edits(text.as_bytes(), &fix.edits)).expect("utf-8");
        assert_eq!(applied, "bind 'set completion-ignore-case on'\n");
        assert!(findings("CG409", Shell::Bash, &applied).is_empty());
        assert!(findings("CG409", Shell::Zsh, text)[0].fix.is_none());
    }

    /// bash and zsh: the words become `$1`/`$2`, readline keeps its value (bash: `bind -v`
    /// says `off`); after `bind 'set …'` it says `on`. fish: "invalid variable name".
    #[test]
    fn oracle_set_changes_positional_parameters() {
        let home = FakeHome::new();
        let line = "set completion-ignore-case on\n";
        for oracle in [OracleShell::Bash, OracleShell::Zsh] {
            let Some(run) = run_snippet(oracle, &home, &format!("{line}echo \"[$#:$1:$2]\"\n"))
            else {
                continue;
            };
            assert!(
                run.stdout.contains("[2:completion-ignore-case:on]"),
                "{run:?}"
            );
        }
        // bash: readline's own value, before and after the suggested `bind`.
        let bash = condago_oracle::require(OracleShell::Bash);
        if let Some(bash) = bash {
            let show = "bind -v | grep completion-ignore-case";
            let fixed_line = "bind 'set completion-ignore-case on'";
            for (setup, expected) in [(line.trim(), "off"), (fixed_line, "on")] {
                let output = std::process::Command::new("setsid")
                    .arg(&bash)
                    .args(["--norc", "--noprofile", "-i", "-c"])
                    .arg(format!("{setup}; {show}"))
                    .env_clear()
                    .env("HOME", home.path())
                    .env("PATH", "/usr/bin:/bin")
                    .env("INPUTRC", "/dev/null")
                    .stdin(std::process::Stdio::null())
                    .output()
                    .expect("run bash");
                let stdout = String::from_utf8_lossy(&output.stdout);
                assert!(
                    stdout.contains(&format!("set completion-ignore-case {expected}")),
                    "{setup}: {stdout}"
                );
            }
        }
        if let Some(run) = run_snippet(OracleShell::Fish, &home, line) {
            assert!(run.stderr.contains("invalid variable name"), "{run:?}");
        }
    }
}
