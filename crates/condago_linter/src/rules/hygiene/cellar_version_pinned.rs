use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::rule::{Check, Checker, FixAvailability, Shells};

use super::statement_words;

crate::declare_rule! {
    /// ## What it does
    /// Finds a Homebrew path with a version in it — `…/Cellar/<formula>/<version>/…` — in a
    /// `PATH` entry, a variable (`JAVA_HOME`, `GOROOT`, `*_HOME`) or a `source` argument:
    /// `export JAVA_HOME=/opt/homebrew/Cellar/openjdk@17/17.0.9/libexec/…`.
    ///
    /// ## Why is this bad?
    /// `brew upgrade` installs the new version in a new `Cellar/<formula>/<version>`
    /// directory and, by default, removes the old one (`brew cleanup`). The pinned path then
    /// names a directory that no longer exists: the tool is "command not found", the variable
    /// points nowhere, `source` fails at every start — with no change to the startup file.
    /// Homebrew keeps a stable link for each formula, `<prefix>/opt/<formula>`, which follows
    /// the installed version. (The lookup itself is the shell's: the test builds a Cellar
    /// with an `opt` link, "upgrades" it, and runs bash.)
    ///
    /// ## Example
    /// ```bash
    /// export PATH="/opt/homebrew/Cellar/python@3.11/3.11.6/bin:$PATH"
    /// ```
    ///
    /// ## Use instead
    /// ```bash
    /// export PATH="/opt/homebrew/opt/python@3.11/bin:$PATH"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes `opt/<formula>` for `Cellar/<formula>/<version>`; the path then
    /// follows upgrades, so what it names changes with them (which is the point).
    pub(crate) const RULE = Rule {
        code: "CG410",
        name: "cellar-version-pinned",
        summary: "a Homebrew `Cellar/<formula>/<version>` path in PATH, a variable or a source: gone after the next `brew upgrade`; use `opt/<formula>`",
        shells: Shells::ALL,
        severity: Severity::Warning,
        fix: FixAvailability::Always(Applicability::Unsafe),
        opt_in: false,
        check: Check::File(check),
    };
}

fn check(checker: &mut Checker) {
    let file = checker.file;
    // Nested statements share words with their outer ones: each word once.
    let mut seen = std::collections::HashSet::new();
    for statement in &file.statements {
        for word in statement_words(statement) {
            let text = file.source.get(word.range.clone()).unwrap_or_default();
            if !text.windows(8).any(|w| w == b"/Cellar/") || !seen.insert(word.range.start) {
                continue;
            }
            for pinned in pinned_paths(text) {
                let start = word.range.start + pinned.start;
                let end = word.range.start + pinned.end;
                let shown = file.text(start..end).into_owned();
                let formula = shown.split('/').nth(1).unwrap_or_default().to_string();
                let version = shown.split('/').nth(2).unwrap_or_default().to_string();
                checker
                    .report(
                        word.range.clone(),
                        format!(
                            "`{shown}` pins {formula} {version}: the next `brew upgrade` (and its cleanup) removes that directory, and this line then names nothing"
                        ),
                    )
                    .help(format!(
                        "use Homebrew's stable link `opt/{formula}`, which follows upgrades"
                    ))
                    .fix(Fix::unsafe_(
                        format!("Use `opt/{formula}`"),
                        vec![Edit::replace(start..end, format!("opt/{formula}"))],
                    ));
            }
        }
    }
}

/// The byte ranges of `Cellar/<formula>/<version>` in a word, where the version starts with
/// a digit.
fn pinned_paths(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let needle = b"/Cellar/";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].windows(needle.len()).position(|w| w == needle) {
        let start = at + found + 1;
        let component_end = |from: usize| {
            text[from..]
                .iter()
                .position(|b| matches!(b, b'/' | b'"' | b'\'' | b':' | b' ' | b'$'))
                .map_or(text.len(), |p| from + p)
        };
        let formula_start = start + "Cellar/".len();
        let formula_end = component_end(formula_start);
        at = formula_start;
        if formula_end == formula_start || text.get(formula_end) != Some(&b'/') {
            continue;
        }
        let version_start = formula_end + 1;
        let version_end = component_end(version_start);
        if text.get(version_start).is_some_and(u8::is_ascii_digit) {
            out.push(start..version_end);
            at = version_end;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use condago_oracle::{lookup_after, FakeHome, OracleShell};
    use condago_syntax::Shell;

    use crate::rules::test_support::*;

    #[test]
    fn finds_pinned_versions() {
        assert_found_once(
            "CG410",
            &[
            (Shell::Bash, "export PATH=\"/opt/homebrew/Cellar/python@3.11/3.11.6/bin:$PATH\"\n"),
            (Shell::Zsh, "export JAVA_HOME=/usr/local/Cellar/openjdk@17/17.0.9/libexec/openjdk.jdk/Contents/Home\n"),
            (Shell::Bash, "source /usr/local/Cellar/nvm/0.39.7/nvm.sh\n"),
            (Shell::Fish, "set -gx GOROOT /opt/homebrew/Cellar/go/1.21.5/libexec\n"),
            (Shell::Fish, "fish_add_path /opt/homebrew/Cellar/ruby/3.2.2_1/bin\n"),
            ],
        );
    }

    #[test]
    fn looks_similar_but_is_fine() {
        assert_not_found(
            "CG410",
            &[
                (
                    Shell::Bash,
                    "export PATH=\"/opt/homebrew/opt/python@3.11/bin:$PATH\"\n",
                ),
                (Shell::Bash, "export HOMEBREW_CELLAR=/opt/homebrew/Cellar\n"),
                (
                    Shell::Bash,
                    "export X=/opt/homebrew/Cellar/go/current/bin\n",
                ),
                (
                    Shell::Zsh,
                    "fpath=(/usr/local/share/zsh/site-functions $fpath)\n",
                ),
            ],
        );
    }

    #[test]
    fn fixes_to_the_opt_link() {
        assert_eq!(
            assert_fix_converges(
                "CG410",
                Shell::Bash,
                "export PATH=\"/opt/homebrew/Cellar/python@3.11/3.11.6/bin:$PATH\"\n"
            ),
            "export PATH=\"/opt/homebrew/opt/python@3.11/bin:$PATH\"\n"
        );
    }

    /// A Cellar with an `opt` link, as Homebrew lays it out: the pinned entry finds the tool
    /// until the "upgrade" moves it to a new version directory; the fixed entry finds it
    /// before and after.
    #[test]
    fn oracle_upgrade_removes_the_pinned_directory() {
        let home = FakeHome::new();
        let prefix = home.path().join("brew");
        home.stub("brew/Cellar/tool/1.0/bin", "tool");
        std::fs::create_dir_all(prefix.join("opt")).expect("opt");
        std::os::unix::fs::symlink("../Cellar/tool/1.0", prefix.join("opt/tool")).expect("link");
        let pinned = format!(
            "export PATH=\"{}/Cellar/tool/1.0/bin:$PATH\"\n",
            prefix.display()
        );
        let fixed = fixed("CG410", Shell::Bash, &pinned);
        assert!(fixed.contains("/opt/tool/bin"), "{fixed}");
        let Some(before) = lookup_after(OracleShell::Bash, &home, &pinned, "tool") else {
            return;
        };
        assert!(before.child_finds.is_some(), "{before:?}");
        // `brew upgrade tool`: a new version directory, the link moved, the old one removed.
        std::fs::rename(
            prefix.join("Cellar/tool/1.0"),
            prefix.join("Cellar/tool/1.1"),
        )
        .expect("upgrade");
        std::fs::remove_file(prefix.join("opt/tool")).expect("unlink");
        std::os::unix::fs::symlink("../Cellar/tool/1.1", prefix.join("opt/tool")).expect("link");
        let after = lookup_after(OracleShell::Bash, &home, &pinned, "tool").expect("ran");
        assert_eq!(after.child_finds, None, "{after:?}");
        let with_fix = lookup_after(OracleShell::Bash, &home, &fixed, "tool").expect("ran");
        assert!(with_fix.child_finds.is_some(), "{with_fix:?}");
    }
}
