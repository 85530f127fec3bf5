use std::ops::Range;

use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StatementKind, Word};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a `~` inside quotes at the start of a `PATH` entry (zsh `path`, fish
    /// `fish_user_paths`, `fish_add_path`), of a `GOPATH`/`GOBIN`/`GOROOT` or any other
    /// `*PATH` value, or of a `source` argument. In fish it also finds an unquoted `~` after
    /// a `:`, which fish does not expand either.
    ///
    /// ## Why is this bad?
    /// A quoted `~` is not expanded. zsh and fish keep it literally, so the entry names a
    /// directory called `~` that does not exist. bash keeps it literally too, but expands
    /// a leading `~` in `PATH` entries during its *own* command lookup — so `go` works at
    /// the bash prompt and fails in `sh -c`, `make`, `which`, VS Code tasks and every
    /// other program, which see the literal `~/go/bin`. Programs never expand `~` in
    /// `GOPATH` and friends.
    ///
    /// ## Example
    /// ```bash
    /// export PATH="~/go/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$HOME/go/bin:$PATH"
    /// ```
    ///
    /// A `~` outside quotes at the start of a word, or after `=` or `:` in an assignment,
    /// is expanded by bash, zsh and sh when the value is assigned, and is fine.
    ///
    /// ## Fix safety
    /// Safe: `$HOME` is what the `~` was meant to be. Single-quoted text is requoted with
    /// double quotes when that changes nothing else; `~user` is left alone.
    pub(crate) const RULE = Rule {
        code: "CG102",
        name: "path-tilde-quoted",
        summary: "a quoted `~` in a `PATH` entry, `*PATH` value or `source` argument: never expanded",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Safe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// What the word is, for the message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target<'a> {
    SearchPath,
    Variable(&'a str),
    Source,
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let mut found: Vec<(Word, Target, bool)> = Vec::new();
    for statement in &file.statements {
        if statement.context.conda_block.is_some() {
            continue;
        }
        match &statement.kind {
            StatementKind::Assignment(assignment) => {
                let name = assignment.name.as_str();
                let target = if crate::model::is_path_variable(file.shell, name) {
                    Target::SearchPath
                } else if is_path_like(name) {
                    Target::Variable(name)
                } else {
                    continue;
                };
                for value in &assignment.values {
                    found.push((value.clone(), target, true));
                }
            }
            StatementKind::Command(command) => match command.name.as_deref() {
                Some("source") | Some(".") => {
                    if let Some(arg) = command.args.first() {
                        found.push((arg.clone(), Target::Source, false));
                    }
                }
                Some("fish_add_path") => {
                    for arg in &command.args {
                        found.push((arg.clone(), Target::SearchPath, false));
                    }
                }
                _ => {}
            },
        }
    }
    for (word, target, colon_list) in found {
        for tilde in tildes(&word, file.source, file.shell, colon_list) {
            report(checker, &word, target, &tilde);
        }
    }
}

fn is_path_like(name: &str) -> bool {
    matches!(name, "GOPATH" | "GOBIN" | "GOROOT" | "GOMODCACHE") || name.ends_with("PATH")
}

/// One unexpanded `~`.
struct Tilde {
    /// The `~` itself in the source, when the source spells it plainly.
    at: Option<usize>,
    /// The part holding it.
    part: usize,
    quote: Quote,
    /// Followed by a user name (`~alice`): no `$HOME` fix.
    named_user: bool,
    /// The entry as written, from the `~` to the next `:` (`~/go/bin`).
    entry: String,
}

fn tildes(word: &Word, source: &[u8], shell: Shell, colon_list: bool) -> Vec<Tilde> {
    let mut out = Vec::new();
    for (index, part) in word.parts.iter().enumerate() {
        let PartKind::Literal(text) = &part.kind else {
            continue;
        };
        let entry_start_before = index == 0
            || (colon_list
                && matches!(&word.parts[index - 1].kind, PartKind::Literal(prev) if prev.ends_with(':')));
        for (at, _) in text.match_indices('~') {
            let starts_entry = if at == 0 {
                entry_start_before
            } else {
                colon_list && text.as_bytes()[at - 1] == b':'
            };
            if !starts_entry {
                continue;
            }
            // Unquoted: bash, zsh and sh expand it; fish only at the start of a word.
            let unexpanded =
                part.quote != Quote::None || (shell == Shell::Fish && !(index == 0 && at == 0));
            if !unexpanded {
                continue;
            }
            let raw = source.get(part.range.clone()).unwrap_or_default();
            let offset = if raw == text.as_bytes() {
                Some(part.range.start + at)
            } else if raw.len() == text.len() + 2
                && raw.get(1..raw.len() - 1) == Some(text.as_bytes())
            {
                Some(part.range.start + 1 + at)
            } else {
                None
            };
            let next = text[at + 1..].chars().next();
            let rest = &text[at..];
            let entry_end = if colon_list {
                rest.find(':').unwrap_or(rest.len())
            } else {
                rest.len()
            };
            out.push(Tilde {
                entry: rest[..entry_end].to_string(),
                at: offset,
                part: index,
                quote: part.quote,
                named_user: next.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-'),
            });
        }
    }
    out
}

fn report(checker: &mut Checker, word: &Word, target: Target, tilde: &Tilde) {
    let file = checker.file;
    let shown = &tilde.entry;
    let range: Range<usize> = match tilde.at {
        Some(at) => at..at + 1,
        None => word.parts[tilde.part].range.clone(),
    };
    let quoted = if tilde.quote == Quote::None {
        ""
    } else {
        "quoted "
    };
    let message = match (target, file.shell) {
        // Checked with dash and `bash --posix`: neither expands it, not even for lookup.
        (Target::SearchPath, Shell::Sh) => format!(
            "`sh` (dash, or bash in POSIX mode) does not expand this {quoted}`~`, and other bash shells only for their own command lookup: no program finds anything in the literal `{shown}`"
        ),
        (Target::SearchPath, Shell::Bash) => format!(
            "bash expands this {quoted}`~` only for its own command lookup: `which`, `sh -c`, make, editors and every other program see the literal `{shown}` and will not find programs there"
        ),
        (Target::SearchPath, shell) => format!(
            "{shell} does not expand this {quoted}`~`: the entry is the literal directory `{shown}`, which does not exist, so nothing in it is found"
        ),
        (Target::Variable(name), _) => format!(
            "`{name}` gets the literal text `{shown}`: the {quoted}`~` is not expanded, and Go and other programs never expand it themselves"
        ),
        (Target::Source, _) => format!(
            "the {quoted}`~` is not expanded: `{shown}` names a directory called `~`, so the file is not found and nothing in it is loaded"
        ),
    };
    let fix = fix_for(file.source, word, tilde, file.shell);
    let report = checker
        .report(range, message)
        .help("write `$HOME` instead of `~` inside quotes");
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

fn fix_for(source: &[u8], word: &Word, tilde: &Tilde, shell: Shell) -> Option<Fix> {
    if tilde.named_user {
        return None;
    }
    let at = tilde.at?;
    let part = &word.parts[tilde.part];
    let next = source.get(at + 1).copied();
    // `${HOME}` where a following character could be read as part of the expansion
    // (zsh's `$HOME:h` modifiers, `$HOME_x`).
    let home = if matches!(next, None | Some(b'/') | Some(b'"') | Some(b'\'')) {
        "$HOME"
    } else {
        "${HOME}"
    };
    let message = "Replace `~` with `$HOME`";
    match part.quote {
        Quote::Double | Quote::None => {
            Some(Fix::safe(message, vec![Edit::replace(at..at + 1, home)]))
        }
        Quote::Single => {
            // Requote the whole single-quoted piece with double quotes.
            let inner = source.get(part.range.start + 1..part.range.end - 1)?;
            let inner = std::str::from_utf8(inner).ok()?;
            let special: &[char] = if shell == Shell::Fish {
                &['$', '\\', '"']
            } else {
                &['$', '\\', '"', '`', '!']
            };
            if inner.contains(special) {
                return None;
            }
            let offset = at - (part.range.start + 1);
            let content = format!("\"{}{}{}\"", &inner[..offset], home, &inner[offset + 1..]);
            Some(Fix::safe(
                message,
                vec![Edit::replace(part.range.clone(), content)],
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_quoted_tilde_in_each_shell() {
        assert_eq!(
            lines("CG102", Shell::Bash, "export PATH=\"~/go/bin:$PATH\"\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Bash, "PATH=\"$PATH:~/go/bin\"\n"),
            vec![1]
        );
        assert_eq!(lines("CG102", Shell::Zsh, "path+=('~/go/bin')\n"), vec![1]);
        assert_eq!(
            lines("CG102", Shell::Zsh, "path=(\"~/go/bin\" $path)\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Fish, "set -gx PATH \"~/go/bin\" $PATH\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Fish, "fish_add_path '~/go/bin'\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Fish, "set -gx PATH $PATH:~/go/bin\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Bash, "export GOPATH=\"~/go\"\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Fish, "set -gx GOPATH '~/go'\n"),
            vec![1]
        );
        assert_eq!(
            lines("CG102", Shell::Bash, "source \"~/.cargo/env\"\n"),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=~/go/bin:$PATH\n"),
            (Shell::Bash, "PATH=$PATH:~/go/bin\n"),
            (Shell::Bash, "export PATH=\"$HOME/go/bin:$PATH\"\n"),
            (Shell::Bash, "alias g='cd ~/go'\n"),
            (Shell::Bash, "echo \"~/go\"\n"),
            (Shell::Bash, "export PATH=\"/opt/a~b:$PATH\"\n"),
            (Shell::Zsh, "path=(~/bin $path)\n"),
            (Shell::Fish, "set -gx PATH ~/go/bin $PATH\n"),
            (Shell::Fish, "fish_add_path ~/go/bin\n"),
            (Shell::Bash, "source ~/.cargo/env\n"),
            (Shell::Bash, "export EDITOR=\"~/bin/vim\"\n"),
        ] {
            assert!(lines("CG102", shell, text).is_empty(), "{shell}: {text}");
        }
    }

    #[test]
    fn inside_a_conda_block_it_is_conda_s() {
        let text = "# >>> conda initialize >>>\nexport PATH=\"~/miniconda3/bin:$PATH\"\n# <<< conda initialize <<<\n";
        assert!(lines("CG102", Shell::Bash, text).is_empty());
    }

    #[test]
    fn fixes_with_home() {
        assert_eq!(
            assert_fix_converges("CG102", Shell::Bash, "export PATH=\"~/go/bin:$PATH\"\n"),
            "export PATH=\"$HOME/go/bin:$PATH\"\n"
        );
        assert_eq!(
            assert_fix_converges("CG102", Shell::Zsh, "path+=('~/go/bin')\n"),
            "path+=(\"$HOME/go/bin\")\n"
        );
        assert_eq!(
            assert_fix_converges("CG102", Shell::Fish, "set -gx PATH $PATH:~/go/bin\n"),
            "set -gx PATH $PATH:$HOME/go/bin\n"
        );
        assert_eq!(
            assert_fix_converges("CG102", Shell::Bash, "PATH=\"$PATH:~:/x\"\n"),
            "PATH=\"$PATH:${HOME}:/x\"\n"
        );
        // `~alice` is another user's home: reported, not rewritten.
        let text = "export PATH=\"~alice/bin:$PATH\"\n";
        assert_eq!(lines("CG102", Shell::Bash, text), vec![1]);
        assert_eq!(fixed("CG102", Shell::Bash, text), text);
    }

    /// The real shells: before the fix a program in ~/go/bin is not found (by zsh, fish and
    /// any child program; bash's own lookup alone finds it); after the fix everyone finds it.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"~/go/bin:$PATH\"\n",
            ),
            (
                OracleShell::Sh,
                Shell::Sh,
                "PATH=\"~/go/bin:$PATH\"; export PATH\n",
            ),
            (OracleShell::Zsh, Shell::Zsh, "path=('~/go/bin' $path)\n"),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH \"~/go/bin\" $PATH\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH $PATH:~/go/bin\n",
            ),
        ];
        for (oracle, shell, before) in cases {
            let home = FakeHome::new();
            home.stub("go/bin", "hello-go");
            let after = assert_fix_converges("CG102", shell, before);
            assert_ne!(after, before);
            let Some(broken) = lookup_after(oracle, &home, before, "hello-go") else {
                continue;
            };
            assert!(
                broken.child_finds.is_none(),
                "{oracle:?}: a child found it before the fix: {before}"
            );
            if oracle == OracleShell::Bash {
                assert!(
                    broken.shell_finds.is_some(),
                    "bash's own lookup expands the ~"
                );
            } else {
                assert!(
                    broken.shell_finds.is_none(),
                    "{oracle:?} found it before the fix: {before}"
                );
            }
            if shell == Shell::Sh {
                // What the message says of sh: dash does not expand it at all.
                let message = &findings("CG102", shell, before)[0].message;
                assert!(message.contains("does not expand"), "{message}");
            }
            let fixed = lookup_after(oracle, &home, &after, "hello-go").expect("shell present");
            assert!(
                fixed.shell_finds.is_some(),
                "{oracle:?} after the fix: {after}"
            );
            assert!(fixed.child_finds.is_some(), "child after the fix: {after}");
        }
    }
}
