use condago_syntax::Shell;

use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::model::HookSite;
use crate::rule::{Check, Checker, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a conda, mamba or micromamba hook that asks for another shell's code: `conda
    /// 'shell.fish' 'hook'` in a bash or zsh file, `'shell.bash'` in `config.fish`, `mamba
    /// shell hook --shell csh`, and conda's non-existent `shell.sh`. It looks inside init
    /// blocks and at hand-written `eval "$(conda shell.bash hook)"` lines alike.
    ///
    /// ## Why is this bad?
    /// The hook prints code for the shell it names, and the file's shell runs it: bash
    /// cannot run fish's `function … end`, fish cannot run bash's `conda() { … }`. The
    /// `eval` (or `| source`) fails with syntax errors, the `conda` function is never
    /// defined and base is never activated — inside conda's block the hook's own errors are
    /// thrown away by `2> /dev/null`, so the only trace is a confusing error from `eval`.
    /// conda has no `sh` shell at all (`shell.sh` fails, and conda's block silently takes its
    /// fallback branch).
    ///
    /// The POSIX names are interchangeable: conda maps `posix`, `bash`, `zsh`, `dash` and
    /// `ash` to the same activator (`activator_map` in `conda/activate.py`), and mamba maps
    /// `bash`, `zsh` and `posix` to the same `PosixActivator`; the code they print is
    /// identical and works in bash, zsh and dash alike (it tests `$ZSH_VERSION` at run
    /// time). So `'shell.bash'` in a `.zshrc`, or `shell.posix` in a `.profile` that `/bin/sh`
    /// reads, is not reported.
    ///
    /// ## Example
    /// ```bash
    /// eval "$(conda shell.fish hook)"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// eval "$(conda shell.bash hook)"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix names the file's own shell (`bash`, `zsh`, `fish`; `posix` for a file
    /// `/bin/sh` reads), which is what the line was meant to ask for. It is offered only
    /// when the line around the hook is written for the file's shell (`"$(…)"` in bash and
    /// zsh, `| source` or `(…)` in fish); a whole block pasted from another shell is
    /// reported without a fix — run `conda init <shell>` instead.
    pub(crate) const RULE = Rule {
        code: "CG201",
        name: "conda-hook-wrong-shell",
        summary: "a conda/mamba hook that prints another shell's code",
        shells: Shells::ALL,
        severity: Severity::Error,
        fix: FixAvailability::Sometimes(Applicability::Safe),
        opt_in: false,
        check: Check::File(check),
    };
}

/// The names conda's and mamba's hooks accept for POSIX shells (one activator for all).
const POSIX_NAMES: &[&str] = &["posix", "bash", "zsh", "dash", "ash"];

/// Other shells' names, whose hooks print code no POSIX shell (or fish) can run.
const OTHER_NAMES: &[&str] = &[
    "fish",
    "csh",
    "tcsh",
    "xonsh",
    "powershell",
    "pwsh",
    "cmd",
    "nu",
    "nushell",
];

fn check(checker: &mut Checker) {
    let file = checker.file;
    let is_fish = file.shell == Shell::Fish;
    for site in file.hook_sites() {
        let name = site.call.shell.as_str();
        let wrong = if is_fish {
            name != "fish"
                && (POSIX_NAMES.contains(&name) || OTHER_NAMES.contains(&name) || name == "sh")
        } else {
            OTHER_NAMES.contains(&name) || (site.conda_syntax && name == "sh")
        };
        if !wrong {
            continue;
        }
        report(checker, &site);
    }
}

fn report(checker: &mut Checker, site: &HookSite) {
    let file = checker.file;
    let name = site.call.shell.as_str();
    let own = own_name(file.shell, file.read_by_sh);
    let shell = file.shell;
    let hook = if site.conda_syntax {
        format!("`conda shell.{name} hook`")
    } else {
        format!("`mamba shell hook --shell {name}`")
    };
    let message = if name == "sh" && site.conda_syntax {
        "conda has no `sh` shell (its POSIX names are `posix`, `bash`, `zsh`, `dash` and `ash`): the hook fails, `conda` is not set up by it, and conda's block hides the error and silently takes its fallback branch".to_string()
    } else {
        let language = match name {
            "bash" | "zsh" | "posix" | "dash" | "ash" | "sh" => "POSIX shell",
            "csh" | "tcsh" => "csh",
            "pwsh" => "powershell",
            "cmd" => "cmd.exe",
            "nushell" => "nu",
            other => other,
        };
        format!(
            "{hook} prints {language} code, which {shell} cannot run: it fails with errors, the `conda` function is never defined and base is never activated"
        )
    };
    let fix = fixable(
        file.source,
        file.line_range(file.line_of(site.call.shell_range.start)),
        shell,
    )
    .then(|| {
        Fix::safe(
            format!("Ask the hook for `{own}` code"),
            vec![Edit::replace(site.call.shell_range.clone(), own)],
        )
    });
    let report = checker
        .report(site.call.shell_range.clone(), message)
        .help(format!(
            "ask the hook for `{own}`, the shell that reads this file (or run `conda init {}`)",
            if own == "posix" { "bash" } else { own }
        ));
    if let Some(fix) = fix {
        report.fix(fix);
    }
}

/// The hook name for the file's own shell.
fn own_name(shell: Shell, read_by_sh: bool) -> &'static str {
    match shell {
        Shell::Fish => "fish",
        Shell::Zsh => "zsh",
        Shell::Sh => "posix",
        Shell::Bash if read_by_sh => "posix",
        Shell::Bash => "bash",
    }
}

/// Whether the line around the hook is written for the file's shell, so that naming the
/// right shell is the whole fix.
fn fixable(source: &[u8], line: std::ops::Range<usize>, shell: Shell) -> bool {
    let text = String::from_utf8_lossy(source.get(line).unwrap_or_default());
    let pipes_to_source = text.contains("| source") || text.contains("|source");
    if shell == Shell::Fish {
        pipes_to_source || text.contains("eval (") || text.contains("source (")
    } else {
        (text.contains("$(") || text.contains('`')) && !pipes_to_source
    }
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::conda::stub::{init_block, install_conda};
    use crate::rules::test_support::*;

    #[test]
    fn finds_other_shells_hooks_in_each_shell() {
        assert_eq!(
            lines("CG201", Shell::Bash, "eval \"$(conda shell.fish hook)\"\n"),
            vec![1]
        );
        let bash_block = init_block("bash", "/x/miniconda3").replace("shell.bash", "shell.csh");
        assert_eq!(lines("CG201", Shell::Bash, &bash_block), vec![3]);
        let fish_block = init_block("fish", "/x/miniconda3").replace("shell.fish", "shell.bash");
        assert_eq!(lines("CG201", Shell::Fish, &fish_block), vec![4]);
        assert_eq!(
            lines("CG201", Shell::Fish, "conda shell.zsh hook | source\n"),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG201",
                Shell::Zsh,
                "eval \"$(\"$MAMBA_EXE\" shell hook --shell fish --root-prefix \"$MAMBA_ROOT_PREFIX\")\"\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG201",
                Shell::Fish,
                "$MAMBA_EXE shell hook --shell bash --root-prefix $MAMBA_ROOT_PREFIX | source\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines(
                "CG201",
                Shell::Bash,
                "eval \"$(/opt/conda/bin/conda shell.sh hook)\"\n"
            ),
            vec![1]
        );
        assert_eq!(
            lines("CG201", Shell::Fish, "eval (conda shell.bash hook)\n"),
            vec![1]
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        for (shell, text) in [
            // One POSIX activator for all these names.
            (Shell::Zsh, "eval \"$(conda shell.bash hook)\"\n"),
            (Shell::Bash, "eval \"$(conda shell.zsh hook)\"\n"),
            (Shell::Sh, "eval \"$(conda shell.posix hook)\"\n"),
            (Shell::Sh, "eval \"$(conda shell.bash hook)\"\n"),
            (Shell::Bash, "eval \"$(micromamba shell hook -s posix)\"\n"),
            (Shell::Fish, "conda shell.fish hook | source\n"),
            (Shell::Fish, "eval (conda shell.fish hook)\n"),
            // Not hooks.
            (Shell::Bash, "echo 'run: conda shell.fish hook'\n"),
            (Shell::Bash, "# eval \"$(conda shell.fish hook)\"\n"),
            (
                Shell::Bash,
                "conda shell.fish activate base > /tmp/x.fish\n",
            ),
            (Shell::Bash, "mamba shell init --shell fish\n"),
        ] {
            assert!(lines("CG201", shell, text).is_empty(), "{shell}: {text}");
        }
        // The real templates, each in its own shell.
        for shell in ["bash", "zsh", "fish"] {
            let file_shell = match shell {
                "bash" => Shell::Bash,
                "zsh" => Shell::Zsh,
                _ => Shell::Fish,
            };
            assert!(lines("CG201", file_shell, &init_block(shell, "/x/m")).is_empty());
        }
        let mamba = "# >>> mamba initialize >>>\nexport MAMBA_EXE='/x/bin/micromamba';\nexport MAMBA_ROOT_PREFIX='/x/micromamba';\n__mamba_setup=\"$(\"$MAMBA_EXE\" shell hook --shell zsh --root-prefix \"$MAMBA_ROOT_PREFIX\" 2> /dev/null)\"\nif [ $? -eq 0 ]; then\n    eval \"$__mamba_setup\"\nelse\n    alias micromamba=\"$MAMBA_EXE\"\nfi\nunset __mamba_setup\n# <<< mamba initialize <<<\n";
        assert!(lines("CG201", Shell::Zsh, mamba).is_empty());
        assert!(lines("CG201", Shell::Bash, mamba).is_empty());
    }

    #[test]
    fn fixes_with_the_file_s_own_shell() {
        assert_eq!(
            assert_fix_converges("CG201", Shell::Bash, "eval \"$(conda shell.fish hook)\"\n"),
            "eval \"$(conda shell.bash hook)\"\n"
        );
        assert_eq!(
            assert_fix_converges("CG201", Shell::Zsh, "eval \"$(conda shell.xonsh hook)\"\n"),
            "eval \"$(conda shell.zsh hook)\"\n"
        );
        assert_eq!(
            assert_fix_converges("CG201", Shell::Sh, "eval \"$(conda shell.sh hook)\"\n"),
            "eval \"$(conda shell.posix hook)\"\n"
        );
        assert_eq!(
            assert_fix_converges("CG201", Shell::Fish, "conda \"shell.bash\" hook | source\n"),
            "conda \"shell.fish\" hook | source\n"
        );
        assert_eq!(
            assert_fix_converges(
                "CG201",
                Shell::Fish,
                "$MAMBA_EXE shell hook --shell zsh --root-prefix $MAMBA_ROOT_PREFIX | source\n"
            ),
            "$MAMBA_EXE shell hook --shell fish --root-prefix $MAMBA_ROOT_PREFIX | source\n"
        );
        let block = init_block("bash", "/x/m").replace("'shell.bash'", "'shell.fish'");
        assert_eq!(
            assert_fix_converges("CG201", Shell::Bash, &block),
            init_block("bash", "/x/m")
        );
        // A bash block pasted into config.fish: naming fish would not make it fish code.
        let pasted = init_block("bash", "/x/m");
        let found = findings("CG201", Shell::Fish, &pasted);
        assert!(found.iter().all(|finding| finding.fix.is_none()));
    }

    /// The real shells: a hook asking for another shell's code breaks the shell that runs
    /// it, and `conda` is never defined; with the file's own shell named, conda is set up
    /// and base is activated.
    #[test]
    fn oracle_before_and_after_the_fix() {
        let cases = [
            (OracleShell::Bash, Shell::Bash, "bash", "fish"),
            (OracleShell::Zsh, Shell::Zsh, "zsh", "csh"),
            (OracleShell::Fish, Shell::Fish, "fish", "bash"),
        ];
        for (oracle, shell, own, other) in cases {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let broken = init_block(own, &base)
                .replace(&format!("shell.{own}\""), &format!("shell.{other}\""))
                .replace(&format!("shell.{own}'"), &format!("shell.{other}'"));
            assert_eq!(lines("CG201", shell, &broken).len(), 1, "{broken}");
            let fixed = assert_fix_converges("CG201", shell, &broken);
            assert_eq!(fixed, init_block(own, &base));
            let probe = if oracle == OracleShell::Fish {
                "functions -q conda; and echo conda-is-a-function\n"
            } else {
                "type conda 2>/dev/null | grep -q function && echo conda-is-a-function\n"
            };
            let Some(before) = run_snippet(oracle, &home, &format!("{broken}{probe}")) else {
                continue;
            };
            assert!(
                !before.stdout.contains("conda-is-a-function"),
                "{oracle:?}: conda defined with a {other} hook"
            );
            assert!(
                !before.stderr.is_empty(),
                "{oracle:?}: running {other} code should print errors"
            );
            let path = before.path_entries().unwrap_or_default();
            assert!(
                !path.contains(&format!("{base}/bin")),
                "{oracle:?}: {path:?}"
            );

            let after = run_snippet(oracle, &home, &format!("{fixed}{probe}")).expect("shell");
            assert!(
                after.stdout.contains("conda-is-a-function"),
                "{oracle:?}: {}",
                after.stderr
            );
            assert_eq!(
                after.path_entries().expect("PATH")[..2],
                [format!("{base}/bin"), format!("{base}/condabin")],
                "{oracle:?}"
            );
        }
    }
}
