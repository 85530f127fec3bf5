use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::{FileKind, StatementKind};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::universal_path::{add_path_scope, user_paths_global_before, Universal};

crate::declare_rule! {
    /// ## What it does
    /// Opt-in. Finds a plain `fish_add_path dir` (no `-g`, `-U` or `-P`) in `config.fish`
    /// or `conf.d/*.fish`, where `fish_user_paths` is not made global first, and says what
    /// it does: it writes a *universal* `fish_user_paths`.
    ///
    /// ## Why is this bad?
    /// Mostly it is not, which is why this rule is information and off unless selected.
    /// fish's documentation says "It is (by default) safe to use fish_add_path in
    /// config.fish": it skips directories that are already on `PATH` (and ones that do not
    /// exist), so running it at every start changes nothing after the first time.
    ///
    /// What it does, checked with fish 3.6 (`functions/fish_add_path.fish`: with no scope
    /// option and no `fish_user_paths` yet, it uses `set -U`): the directory is stored in
    /// `~/.config/fish/fish_variables`. Delete the line and the directory stays on `PATH`
    /// in every new fish, until `set -e -U fish_user_paths`; a dotfiles repository cloned
    /// on another machine does not carry `fish_variables`, so there the line is the only
    /// thing that adds it. Select this rule where `config.fish` must say everything
    /// `PATH` gets (a reproducible dotfiles repository).
    ///
    /// `set -U fish_user_paths …`, `set -U PATH …` and `fish_add_path -U` are CG303
    /// (fish-universal-path), a warning.
    ///
    /// ## Example
    /// ```fish
    /// fish_add_path ~/go/bin
    /// ```
    ///
    /// ## Use instead
    /// ```fish
    /// fish_add_path -g ~/go/bin
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `-g` makes this session's `fish_user_paths` global, so the directory is no
    /// longer written to `fish_variables` (what is stored there already stays until
    /// `set -e -U fish_user_paths`).
    pub(crate) const RULE = Rule {
        code: "CG306",
        name: "fish-add-path-universal",
        summary: "plain `fish_add_path dir` in config.fish writes a universal fish_user_paths (safe; says where the entry lives)",
        shells: Shells::FISH,
        severity: Severity::Info,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: true,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    if !matches!(file.kind, FileKind::FishConfig | FileKind::FishConfD) {
        return;
    }
    for statement in &file.statements {
        if statement.context.conda_block.is_some() || statement.context.function.is_some() {
            continue;
        }
        let StatementKind::Command(command) = &statement.kind else {
            continue;
        };
        let global = user_paths_global_before(file, statement.range.start);
        if add_path_scope(command, global) != Some(Universal::ByDefault) {
            continue;
        }
        checker
            .report(
                statement.range.clone(),
                "`fish_add_path` without `-g` writes the universal fish_user_paths (fish_variables): safe to run at every start, but the directory stays on PATH if this line is deleted",
            )
            .help("`fish_add_path -g …` keeps config.fish the only place that adds it")
            .fix(Fix::unsafe_(
                "Add `-g` (a global fish_user_paths)",
                vec![Edit::insert(command.name_range.end, " -g")],
            ));
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{startup_path, FakeHome, Mode, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_plain_fish_add_path() {
        for text in [
            "fish_add_path /x\n",
            "fish_add_path -a ~/.local/bin ~/go/bin\n",
            "fish_add_path -m /x\n",
            "if status is-interactive\n    fish_add_path ~/bin\nend\n",
        ] {
            assert_eq!(findings("CG306", Shell::Fish, text).len(), 1, "{text}");
        }
        let conf_d = "home/.config/fish/conf.d/go.fish";
        assert_eq!(
            findings_at("CG306", Shell::Fish, conf_d, "fish_add_path /x\n").len(),
            1
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for text in [
            "fish_add_path -g /x\n",
            "fish_add_path --global /x\n",
            "fish_add_path -P /x\n",
            "fish_add_path -n /x\n",
            // CG303's (a warning): asked for explicitly.
            "fish_add_path -U /x\n",
            "set -g fish_user_paths\nfish_add_path /x\n",
            "function addpath\n    fish_add_path $argv\nend\n",
        ] {
            assert!(findings("CG306", Shell::Fish, text).is_empty(), "{text}");
        }
        let script = "home/bin/setup.fish";
        assert!(findings_at("CG306", Shell::Fish, script, "fish_add_path /x\n").is_empty());
        // Off unless selected: the default settings never report it.
        let result = crate::lint(
            std::path::Path::new(default_path(Shell::Fish)),
            b"fish_add_path /x\n",
            condago_syntax::Detection {
                shell: Shell::Fish,
                source: condago_syntax::DetectionSource::FileName,
                read_by_sh: false,
            },
            &crate::Settings::default(),
        );
        assert!(result.diagnostics.iter().all(|d| d.code != "CG306"));
    }

    #[test]
    fn fixes_with_g() {
        for (before, after) in [
            ("fish_add_path /x\n", "fish_add_path -g /x\n"),
            ("fish_add_path -a /x\n", "fish_add_path -g -a /x\n"),
        ] {
            assert_eq!(assert_fix_converges("CG306", Shell::Fish, before), after);
        }
    }

    /// fish 3.6, config.fish read at every start: a plain `fish_add_path` adds its directory
    /// once however often fish starts (the documented "safe in config.fish"), writes it to the
    /// universal `fish_user_paths` (it stays after the line is deleted); with `-g` it is gone
    /// once the line is.
    #[test]
    fn oracle_idempotent_but_universal() {
        let home = FakeHome::new();
        std::fs::create_dir_all(home.path().join("tools/bin")).expect("mkdir");
        let dir = home.path().join("tools/bin").to_string_lossy().into_owned();
        let config = ".config/fish/config.fish";
        home.write(config, "fish_add_path $HOME/tools/bin\n");
        for _ in 0..3 {
            let Some((entries, _)) = startup_path(
                OracleShell::Fish,
                Mode::NonInteractive,
                &home,
                "/usr/bin:/bin",
            ) else {
                return;
            };
            assert_eq!(entries, vec![dir.as_str(), "/usr/bin", "/bin"]);
        }
        let variables = std::fs::read_to_string(home.path().join(".config/fish/fish_variables"))
            .unwrap_or_default();
        assert!(
            variables.contains("SETUVAR fish_user_paths:"),
            "{variables}"
        );
        home.write(config, "");
        let (entries, _) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        )
        .expect("fish ran");
        assert!(entries.contains(&dir), "deleting the line removed it");

        let home = FakeHome::new();
        std::fs::create_dir_all(home.path().join("tools/bin")).expect("mkdir");
        let dir = home.path().join("tools/bin").to_string_lossy().into_owned();
        let fixed_line =
            assert_fix_converges("CG306", Shell::Fish, "fish_add_path $HOME/tools/bin\n");
        home.write(config, &fixed_line);
        let (entries, _) = startup_path(
            OracleShell::Fish,
            Mode::NonInteractive,
            &home,
            "/usr/bin:/bin",
        )
        .expect("fish ran");
        assert_eq!(entries, vec![dir.as_str(), "/usr/bin", "/bin"]);
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
