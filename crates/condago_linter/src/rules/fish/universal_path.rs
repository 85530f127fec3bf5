use std::ops::Range;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{AssignOp, Command, FileKind, Scope, StartupFile, Statement, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds, in `config.fish` and `conf.d/*.fish`, the lines that *ask* for a universal
    /// variable to put directories on `PATH`: `set -U fish_user_paths …`, `set -U PATH …`,
    /// `fish_add_path -U …`.
    ///
    /// A plain `fish_add_path dir` is not reported here: fish's own documentation says it
    /// "is (by default) safe to use fish_add_path in config.fish" — it skips directories
    /// already on `PATH` and ones that do not exist, so running it at every start changes
    /// nothing after the first. That it writes a universal variable is reported, as
    /// information and only when asked for, by CG306 (fish-add-path-universal).
    ///
    /// ## Why is this bad?
    /// A universal variable is stored in `~/.config/fish/fish_variables` and shared by
    /// every fish session, so it outlives the line that set it: delete the line from
    /// `config.fish` and the directory stays on `PATH`, silently, until someone runs
    /// `set -e -U fish_user_paths`. The file no longer says what `PATH` is, a dotfiles
    /// repository cannot reproduce it, and fish before 3.3 added the directory again at
    /// every start (3.3 and later remove duplicates from `fish_user_paths`); with an older
    /// `fish-version` in `condago.toml`, the message says so.
    ///
    /// `set -U PATH` makes `PATH` itself universal: every fish session, the ones started
    /// with another `PATH` (an IDE's, `env -i`), gets this list. `fish_add_path -U` forces
    /// the universal variable even where the file (or `conf.d`) made `fish_user_paths`
    /// global, which a plain `fish_add_path` would respect. fish's documentation
    /// describes the universal form as the one to run "once, interactively".
    ///
    /// ## Example
    /// ```fish
    /// set -U fish_user_paths $HOME/.local/bin $fish_user_paths
    /// fish_add_path -U ~/go/bin
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// set -g fish_user_paths $HOME/.local/bin $fish_user_paths
    /// fish_add_path -g ~/go/bin
    /// ```
    ///
    /// Run `set -U fish_user_paths` (or `set -e -U fish_user_paths`) once at the prompt
    /// instead, if a universal value is what you want.
    ///
    /// ## Fix safety
    /// Unsafe: the fix makes the variable global (`set -U` → `set -g`, `fish_add_path -U`
    /// → `fish_add_path -g`), so this file's directories are set for this session only and
    /// no longer written to `fish_variables`. What is already stored there stays (the
    /// global value starts from it) until removed with `set -e -U fish_user_paths`.
    pub(crate) const RULE = Rule {
        code: "CG303",
        name: "fish-universal-path",
        summary: "`set -U fish_user_paths`, `set -U PATH` or `fish_add_path -U` in config.fish: outlives the file",
        shells: Shells::FISH,
        severity: Severity::Warning,
        fix: FixAvailability::Sometimes(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !matches!(file.kind, FileKind::FishConfig | FileKind::FishConfD) {
        return;
    }
    let mut user_paths_global = false;
    for statement in &file.statements {
        if statement.context.conda_block.is_some() || statement.context.function.is_some() {
            continue;
        }
        match &statement.kind {
            StatementKind::Assignment(assignment) => {
                if !matches!(assignment.name.as_str(), "fish_user_paths" | "PATH")
                    || assignment.keyword.as_deref() != Some("set")
                {
                    continue;
                }
                if assignment.scope == Scope::Global
                    && assignment.name == "fish_user_paths"
                    && statement.context.is_unconditional()
                {
                    user_paths_global = true;
                }
                if assignment.scope != Scope::Universal || assignment.operator == AssignOp::Erase {
                    continue;
                }
                let name = &assignment.name;
                let mut message = format!(
                    "`set -U {name}` stores the list in fish_variables: it outlives this file (delete the line and the directories stay on PATH) and every fish session shares it"
                );
                // fish 3.3 removes duplicates from fish_user_paths; older ones let it grow.
                if let Some(version) = checker
                    .versions
                    .fish
                    .filter(|version| *version < crate::Version::new(3, 3))
                {
                    message.push_str(&format!(
                        "; fish {version} (the project's `fish-version`) adds the directories again at every start"
                    ));
                }
                let fix = set_flag_fix(file, statement);
                let report = checker
                    .report(statement.range.clone(), message)
                    .help(format!(
                        "use `set -g {name} …` here; set universal variables once at the prompt"
                    ));
                if let Some(fix) = fix {
                    report.fix(fix);
                }
            }
            StatementKind::Command(command) => {
                if add_path_scope(command, user_paths_global) != Some(Universal::AskedFor) {
                    continue;
                }
                let message = "`fish_add_path -U` stores the directory in the universal fish_user_paths: it outlives this file (delete the line and it stays on PATH) and every fish session shares it";
                let fix = universal_flag_fix(file, statement);
                let report = checker
                    .report(statement.range.clone(), message)
                    .help("use `fish_add_path -g …` (or plain `fish_add_path …`) in config files");
                if let Some(fix) = fix {
                    report.fix(fix);
                }
            }
        }
    }
}

/// Whether a `fish_add_path` call writes the universal `fish_user_paths`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Universal {
    /// `-U`/`--universal`.
    AskedFor,
    /// No scope option while `fish_user_paths` is not global: fish 3.6's `fish_add_path`
    /// then writes (or creates) a universal `fish_user_paths`.
    ByDefault,
    /// `-g`, `-P`, a global `fish_user_paths` set earlier in the file, or a call that sets
    /// nothing (`-n`, `-h`).
    Not,
}

/// The scope a `fish_add_path` command writes; `None` for other commands.
pub(crate) fn add_path_scope(command: &Command, user_paths_global: bool) -> Option<Universal> {
    if command.name.as_deref() != Some("fish_add_path") {
        return None;
    }
    let flags: Vec<String> = command
        .args
        .iter()
        .filter_map(|arg| arg.literal())
        .take_while(|arg| arg != "--")
        .filter(|arg| arg.starts_with('-') && arg.len() > 1)
        .collect();
    let has = |short: char, long: &str| {
        flags
            .iter()
            .any(|flag| flag == long || (!flag.starts_with("--") && flag[1..].contains(short)))
    };
    if has('n', "--dry-run") || has('h', "--help") || has('P', "--path") {
        return Some(Universal::Not);
    }
    if has('U', "--universal") {
        return Some(Universal::AskedFor);
    }
    if has('g', "--global") || user_paths_global {
        return Some(Universal::Not);
    }
    Some(Universal::ByDefault)
}

/// Whether an unconditional top-level `set -g fish_user_paths …` comes before `offset`.
pub(crate) fn user_paths_global_before(file: &StartupFile, offset: usize) -> bool {
    file.assignments().any(|(statement, assignment)| {
        statement.range.end <= offset
            && statement.context.is_unconditional()
            && assignment.name == "fish_user_paths"
            && assignment.keyword.as_deref() == Some("set")
            && assignment.scope == Scope::Global
    })
}

/// The options right after the command name (`-Ux`, `--universal`), with their ranges.
fn option_words(file: &StartupFile, statement: &Statement) -> Vec<(Range<usize>, String)> {
    let range = statement.range.clone();
    let bytes = file.source.get(range.clone()).unwrap_or_default();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at > start {
            tokens.push(start..at);
        }
    }
    tokens
        .into_iter()
        .skip(1)
        // A word that is not UTF-8 is no option fish knows; offsets inside it are bytes, so
        // reading it lossily would misplace them.
        .map_while(|token| {
            let text = std::str::from_utf8(&bytes[token.clone()]).ok()?.to_string();
            Some((range.start + token.start..range.start + token.end, text))
        })
        .take_while(|(_, text)| text.starts_with('-') && text.len() > 1 && text != "--")
        .collect()
}

/// `set -U`/`-Ux`/`--universal` → `set -g`/`-gx`/`--global`.
fn set_flag_fix(file: &StartupFile, statement: &Statement) -> Option<Fix> {
    let edit = option_words(file, statement)
        .into_iter()
        .find_map(|(range, word)| universal_to_global(&range, &word))?;
    Some(Fix::unsafe_("Make it global (`set -g`)", vec![edit]))
}

/// `fish_add_path -U`/`--universal` → `-g`/`--global`.
fn universal_flag_fix(file: &StartupFile, statement: &Statement) -> Option<Fix> {
    let edit = option_words(file, statement)
        .into_iter()
        .find_map(|(range, word)| universal_to_global(&range, &word))?;
    Some(Fix::unsafe_("Make it global (`-g`)", vec![edit]))
}

fn universal_to_global(range: &Range<usize>, word: &str) -> Option<Edit> {
    if word == "--universal" {
        return Some(Edit::replace(range.clone(), "--global"));
    }
    if word.starts_with("--") {
        return None;
    }
    let at = word.find('U')?;
    Some(Edit::replace(range.start + at..range.start + at + 1, "g"))
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    /// fish before 3.3 lets a universal fish_user_paths grow: with that `fish-version`
    /// pinned, the message says so; from 3.3 it does not.
    #[test]
    fn an_old_pinned_fish_is_named_in_the_message() {
        let versions = |minor| crate::Versions {
            fish: Some(crate::Version::new(3, minor)),
            bash: None,
        };
        let path = "home/.config/fish/config.fish";
        let text = "set -U fish_user_paths ~/bin $fish_user_paths\n";
        let old = findings_assuming("CG303", Shell::Fish, path, text, versions(2));
        assert!(
            old[0].message.ends_with(
                "fish 3.2 (the project's `fish-version`) adds the directories again at every start"
            ),
            "{}",
            old[0].message
        );
        let new = findings_assuming("CG303", Shell::Fish, path, text, versions(3));
        assert!(!new[0].message.contains("fish-version"));
    }

    const CONF_D: &str = "home/.config/fish/conf.d/paths.fish";

    #[test]
    fn finds_universal_paths() {
        for text in [
            "set -U fish_user_paths $HOME/.local/bin $fish_user_paths\n",
            "set -Ux PATH /x $PATH\n",
            "set --universal fish_user_paths /x\n",
            "set -pU fish_user_paths /x\n",
            "fish_add_path -U /x\n",
            "fish_add_path --universal --append /x\n",
            "set -g fish_user_paths\nfish_add_path -U /x\n",
            "if status is-interactive\n    fish_add_path -U ~/bin\nend\n",
        ] {
            assert_eq!(findings("CG303", Shell::Fish, text).len(), 1, "{text}");
        }
        assert_eq!(
            findings_at("CG303", Shell::Fish, CONF_D, "fish_add_path -U /x\n").len(),
            1
        );
    }

    /// Found by fuzzing: a flag word with bytes that are not UTF-8 (`set -\xff…U`) put the
    /// fix's edit past the end of the text (offsets came from the lossy text).
    #[test]
    fn fix_edits_stay_inside_text_that_is_not_utf8() {
        let mut text = b"set -".to_vec();
        text.extend(std::iter::repeat_n(0xff_u8, 80));
        text.extend_from_slice(b"U fish_user_paths $HOME/bin $fish_user_paths\n");
        let result = crate::lint(
            std::path::Path::new("config.fish"),
            &text,
            condago_syntax::Detection {
                shell: Shell::Fish,
                source: condago_syntax::DetectionSource::FileName,
                read_by_sh: false,
            },
            &crate::Settings::default(),
        );
        for diagnostic in &result.diagnostics {
            for edit in diagnostic.fix.iter().flat_map(|fix| &fix.edits) {
                assert!(
                    edit.range.end <= text.len(),
                    "{}: {edit:?}",
                    diagnostic.code
                );
            }
        }
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "set -g fish_user_paths /x $fish_user_paths\n",
            "set -gx PATH /x $PATH\n",
            "set -e -U fish_user_paths\n",
            "set -U EDITOR vim\n",
            "fish_add_path -g /x\n",
            // fish's documentation: safe in config.fish (CG306, opt-in, says it is universal).
            "fish_add_path /x\n",
            "fish_add_path -a ~/.local/bin ~/go/bin\n",
            "if status is-interactive\n    fish_add_path ~/bin\nend\n",
            "fish_add_path -gP /x\n",
            "fish_add_path --path /x\n",
            "fish_add_path -n /x\n",
            "set -g fish_user_paths\nfish_add_path /x\n",
            "function addpath\n    fish_add_path -U $argv\nend\n",
        ] {
            assert!(findings("CG303", Shell::Fish, text).is_empty(), "{text}");
        }
        // A script or a function file is run on purpose, not at every start.
        let script = "home/bin/setup.fish";
        assert!(findings_at("CG303", Shell::Fish, script, "fish_add_path -U /x\n").is_empty());
        assert!(findings_at("CG303", Shell::Fish, CONF_D, "fish_add_path /x\n").is_empty());
    }

    #[test]
    fn fixes_with_the_global_form() {
        for (before, after) in [
            (
                "set -U fish_user_paths $HOME/.local/bin $fish_user_paths\n",
                "set -g fish_user_paths $HOME/.local/bin $fish_user_paths\n",
            ),
            ("set -Ux PATH /x $PATH\n", "set -gx PATH /x $PATH\n"),
            ("set -xU PATH /x $PATH\n", "set -xg PATH /x $PATH\n"),
            (
                "set --universal fish_user_paths /x\n",
                "set --global fish_user_paths /x\n",
            ),
            ("fish_add_path -U /x\n", "fish_add_path -g /x\n"),
            ("fish_add_path -aU /x\n", "fish_add_path -ag /x\n"),
        ] {
            assert_eq!(
                assert_fix_converges("CG303", Shell::Fish, before),
                after,
                "{before}"
            );
        }
    }

    /// fish 3.6: `fish_add_path -U` and `set -U fish_user_paths` in config.fish keep their
    /// directory on PATH after the line is deleted; the global form does not.
    #[test]
    fn oracle_the_directory_outlives_the_line() {
        for line in [
            "fish_add_path -U $HOME/tools/bin\n",
            "set -U fish_user_paths $HOME/tools/bin $fish_user_paths\n",
        ] {
            let home = FakeHome::new();
            std::fs::create_dir_all(home.path().join("tools/bin")).expect("mkdir");
            let dir = home.path().join("tools/bin").to_string_lossy().into_owned();
            let config = ".config/fish/config.fish";
            home.write(config, line);
            let Some((entries, _)) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            ) else {
                return;
            };
            assert!(entries.contains(&dir), "{line}: {entries:?}");
            home.write(config, "");
            let (entries, _) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            )
            .expect("fish ran");
            assert!(
                entries.contains(&dir),
                "{line}: deleting the line removed it: {entries:?}"
            );

            // The fixed line puts it there for the session only.
            let home = FakeHome::new();
            std::fs::create_dir_all(home.path().join("tools/bin")).expect("mkdir");
            let fixed_line = assert_fix_converges("CG303", Shell::Fish, line);
            home.write(config, &fixed_line);
            let (entries, _) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            )
            .expect("fish ran");
            let dir = home.path().join("tools/bin").to_string_lossy().into_owned();
            assert!(entries.contains(&dir), "{fixed_line}: {entries:?}");
            home.write(config, "");
            let (entries, _) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            )
            .expect("fish ran");
            assert!(!entries.contains(&dir), "{fixed_line}: {entries:?}");
        }
    }
}
