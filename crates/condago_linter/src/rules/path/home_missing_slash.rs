use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{PartKind, Quote, StatementKind, Word};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds `$HOME.tool` (or `${HOME}.tool`, `~.tool`) where `$HOME/.tool` was meant, in a
    /// `PATH` entry, a `source`/`.` argument, or a test (`[`, `[[`, `test`) that guards a
    /// statement: `export PATH="$HOME.cargo/bin:$PATH"`, `. $HOME.nvm/nvm.sh`,
    /// `[ -d ~.local/bin ] && PATH=…`. (A bash/zsh test standing alone is not read.)
    ///
    /// ## Why is this bad?
    /// A variable name stops at the `.`, so `$HOME.cargo/bin` is the home directory's path
    /// with `.cargo/bin` glued on: `/home/u.cargo/bin`, a directory that does not exist —
    /// in bash, zsh and fish alike (checked with bash 5, zsh 5.9, fish 3.6). `~.cargo` is
    /// different but no better: bash and zsh read `~.cargo` as the home of a user named
    /// `.cargo`; there is none, so bash leaves the word as it is (a literal `~.cargo/bin`)
    /// and zsh stops with "no such user or named directory". Either way the tool is not
    /// found, the file it was to source is "not found", the test is false — quietly.
    ///
    /// ## Example
    /// ```bash
    /// export PATH="$HOME.cargo/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="$HOME/.cargo/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds the missing `/` (`$HOME/.cargo`, `~/.cargo`), so the line now
    /// names the directory it meant — which changes what `PATH` holds or what is sourced.
    pub(crate) const RULE = Rule {
        code: "CG109",
        name: "path-home-missing-slash",
        summary: "`$HOME.tool` / `~.tool` for `$HOME/.tool` in a PATH entry, source or test: names a directory that does not exist",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    let mut words: Vec<Word> = Vec::new();
    for (statement, edit) in file.path_edits() {
        if statement.context.conda_block.is_some() {
            continue;
        }
        words.extend(edit.new_entries().map(|entry| entry.as_word()));
    }
    for statement in &file.statements {
        if statement.context.conda_block.is_some() {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        if matches!(
            command.name.as_deref(),
            Some("source" | "." | "[" | "test" | "[[")
        ) {
            words.extend(command.args.iter().cloned());
        }
    }
    // Tests (`[ -d … ]`, `[[ … ]]`, fish `test`) that guard a statement: read from the
    // condition's text.
    let mut tests: Vec<std::ops::Range<usize>> = Vec::new();
    // Every statement in a block repeats the block's conditions: look at each one once.
    let mut seen = std::collections::HashSet::new();
    let mut seen_ranges = std::collections::HashSet::new();
    for statement in &file.statements {
        for condition in &statement.context.conditions {
            if !seen.insert((condition.range.clone(), condition.test.as_str())) {
                continue;
            }
            let Some(text) = file.source.get(condition.range.clone()) else {
                continue;
            };
            let Some(at) = find(text, condition.test.as_bytes()) else {
                continue;
            };
            let start = condition.range.start + at;
            let range = start..start + condition.test.len();
            if seen_ranges.insert(range.clone()) {
                tests.push(range);
            }
        }
    }
    for range in tests {
        let text = file.source.get(range.clone()).unwrap_or_default();
        for (at, insert) in missing_slashes(text) {
            let shown = String::from_utf8_lossy(text).into_owned();
            checker
                .report(
                    range.clone(),
                    format!(
                        "this test names `{}` with no `/` after the home directory: a sibling of your home that does not exist, so the test is always false",
                        String::from_utf8_lossy(&text[at..])
                            .split(|c: char| c.is_whitespace() || c == '"' || c == ']')
                            .next()
                            .unwrap_or(&shown)
                    ),
                )
                .help("write `$HOME/.…` (or `~/.…`)")
                .fix(Fix::unsafe_(
                    "Add the missing `/`",
                    vec![Edit::insert(range.start + insert, "/")],
                ));
        }
    }
    words.sort_by_key(|word| word.range.start);
    words.dedup_by_key(|word| word.range.start);
    for word in &words {
        for (index, part) in word.parts.iter().enumerate() {
            let edit = match &part.kind {
                PartKind::Variable {
                    name,
                    complex: false,
                } if name == "HOME" => {
                    let Some(next) = word.parts.get(index + 1) else {
                        continue;
                    };
                    let PartKind::Literal(text) = &next.kind else {
                        continue;
                    };
                    if !hidden_name(text) {
                        continue;
                    }
                    Edit::insert(part.range.end, "/")
                }
                PartKind::Literal(text)
                    if index == 0 && part.quote == Quote::None && text.starts_with('~') =>
                {
                    if !hidden_name(&text[1..]) {
                        continue;
                    }
                    let source = file.source.get(part.range.clone()).unwrap_or_default();
                    if !source.starts_with(b"~.") {
                        continue;
                    }
                    Edit::insert(part.range.start + 1, "/")
                }
                _ => continue,
            };
            let shown = word.display(file.source);
            checker
                .report(
                    word.range.clone(),
                    format!(
                        "`{shown}` has no `/` after the home directory: it names `<home>{}`, a sibling of your home that does not exist, not a directory inside it",
                        shown
                            .trim_start_matches("$HOME")
                            .trim_start_matches('~')
                    ),
                )
                .help("write `$HOME/.…` (or `~/.…`)")
                .fix(Fix::unsafe_("Add the missing `/`", vec![edit]));
        }
    }
}

/// Where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// In a test's text: each `$HOME.x`, `${HOME}.x` or unquoted `~.x`, as (where it starts,
/// where the `/` goes).
fn missing_slashes(text: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for at in 0..text.len() {
        let rest = &text[at..];
        let variable = if rest.starts_with(b"${HOME}") {
            Some(7)
        } else if rest.starts_with(b"$HOME") {
            Some(5)
        } else if rest.starts_with(b"~") && (at == 0 || text[at - 1].is_ascii_whitespace()) {
            Some(1)
        } else {
            None
        };
        let Some(length) = variable else { continue };
        let after = String::from_utf8_lossy(&rest[length..]);
        if hidden_name(&after) {
            found.push((at, at + length));
        }
    }
    found
}

/// `.cargo/bin`, `.local`: a dot followed by a name (not `./`, `..`, or a bare `.`).
fn hidden_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next() == Some('.')
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_the_missing_slash_in_each_shell() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME.cargo/bin:$PATH\"\n"),
            (Shell::Bash, "export PATH=$PATH:${HOME}.local/bin\n"),
            (Shell::Bash, ". $HOME.nvm/nvm.sh\n"),
            (
                Shell::Bash,
                "[ -d ~.local/bin ] && PATH=~/.local/bin:$PATH\n",
            ),
            (Shell::Zsh, "path=($HOME.cargo/bin $path)\n"),
            (Shell::Zsh, "source \"$HOME.zsh/aliases.zsh\"\n"),
            (Shell::Fish, "set -gx PATH $HOME.cargo/bin $PATH\n"),
            (Shell::Fish, "fish_add_path -g $HOME.local/bin\n"),
            (
                Shell::Fish,
                "test -f $HOME.config/env.fish; and source ~/.config/env.fish\n",
            ),
        ] {
            assert_eq!(findings("CG109", shell, text).len(), 1, "{text}");
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            (Shell::Bash, "export PATH=\"$HOME/.cargo/bin:$PATH\"\n"),
            (Shell::Bash, "export PATH=~/.local/bin:$PATH\n"),
            (Shell::Bash, "cp ~/.bashrc $HOME.bak\n"),
            (Shell::Bash, "[ \"$HOME\" = /root ] && PATH=/sbin:$PATH\n"),
            (Shell::Bash, ". \"$HOME/.cargo/env\"\n"),
            (Shell::Zsh, "path=(~/.cargo/bin $path)\n"),
            (Shell::Fish, "set -gx PATH $HOME/.cargo/bin $PATH\n"),
        ] {
            assert!(findings("CG109", shell, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fixes_with_the_slash() {
        for (shell, before, after) in [
            (
                Shell::Bash,
                "export PATH=\"$HOME.cargo/bin:$PATH\"\n",
                "export PATH=\"$HOME/.cargo/bin:$PATH\"\n",
            ),
            (
                Shell::Bash,
                "export PATH=$PATH:${HOME}.local/bin\n",
                "export PATH=$PATH:${HOME}/.local/bin\n",
            ),
            (
                Shell::Bash,
                "if [ -d \"$HOME.local/bin\" ]; then\n    PATH=\"$HOME/.local/bin:$PATH\"\nfi\n",
                "if [ -d \"$HOME/.local/bin\" ]; then\n    PATH=\"$HOME/.local/bin:$PATH\"\nfi\n",
            ),
            (
                Shell::Bash,
                "[ -d ~.local/bin ] && PATH=~/.local/bin:$PATH\n",
                "[ -d ~/.local/bin ] && PATH=~/.local/bin:$PATH\n",
            ),
            (
                Shell::Fish,
                "set -gx PATH $HOME.cargo/bin $PATH\n",
                "set -gx PATH $HOME/.cargo/bin $PATH\n",
            ),
        ] {
            assert_eq!(assert_fix_converges("CG109", shell, before), after);
        }
    }

    /// bash, zsh, fish: `$HOME.tool/bin` is `<home>.tool/bin` and the tool is not found;
    /// with the fix it is. `~.tool`: bash keeps it literal, zsh refuses it.
    #[test]
    fn oracle_the_tool_is_not_found() {
        for (oracle, shell, before) in [
            (
                OracleShell::Bash,
                Shell::Bash,
                "export PATH=\"$HOME.tool/bin:$PATH\"\n",
            ),
            (
                OracleShell::Zsh,
                Shell::Zsh,
                "export PATH=\"$HOME.tool/bin:$PATH\"\n",
            ),
            (
                OracleShell::Fish,
                Shell::Fish,
                "set -gx PATH $HOME.tool/bin $PATH\n",
            ),
        ] {
            let home = FakeHome::new();
            let tool = home.stub(".tool/bin", "mytool");
            let Some(found) = lookup_after(oracle, &home, before, "mytool") else {
                continue;
            };
            assert_eq!(found.shell_finds, None, "{before}");
            let after = assert_fix_converges("CG109", shell, before);
            let found = lookup_after(oracle, &home, &after, "mytool").expect("ran");
            let tool = tool.to_string_lossy().into_owned();
            assert_eq!(found.shell_finds.as_deref(), Some(tool.as_str()), "{after}");
        }
        let home = FakeHome::new();
        if let Some(run) = run_snippet(OracleShell::Bash, &home, "echo ~.tool/bin\n") {
            assert_eq!(run.stdout.trim(), "~.tool/bin");
        }
        if let Some(run) = run_snippet(OracleShell::Zsh, &home, "echo ~.tool/bin\n") {
            assert!(run.stderr.contains("no such user"), "{}", run.stderr);
        }
    }
}
