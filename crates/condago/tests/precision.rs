//! Precision on startup files as people really have them: every file under
//! `tests/fixtures/precision/<shell>/<layout>/` (distribution defaults, oh-my-zsh, prezto,
//! zinit, powerlevel10k, Homebrew on both architectures, fisher, conda blocks, tool
//! installers, Docker Desktop and OrbStack lines) is correct as it stands, so condago must
//! report nothing at warning or error level on it (info is allowed). Each file is linted
//! under its real name, passes the real shell's syntax check, and still passes it after
//! `--fix --unsafe-fixes`.

use std::path::{Path, PathBuf};

use condago_linter::{fix_until_stable, Applicability, Settings, Severity};
use condago_oracle::{syntax_check, OracleShell};
use condago_syntax::Shell;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/precision")
}

/// Every fixture, as its path under the fixture root.
fn fixtures() -> Vec<PathBuf> {
    let root = root();
    walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter(|entry| entry.file_name() != "README.md")
        .filter_map(|entry| entry.path().strip_prefix(&root).ok().map(Path::to_path_buf))
        .collect()
}

/// The shells whose syntax check a file must pass: its own, and `sh` for a file `/bin/sh`
/// reads too (`~/.profile`).
fn oracles(shell: Shell, read_by_sh: bool) -> Vec<OracleShell> {
    let own = match shell {
        Shell::Bash => OracleShell::Bash,
        Shell::Zsh => OracleShell::Zsh,
        Shell::Fish => OracleShell::Fish,
        Shell::Sh => OracleShell::Sh,
    };
    let mut shells = vec![own];
    if read_by_sh && own != OracleShell::Sh {
        shells.push(OracleShell::Sh);
    }
    shells
}

/// Everything wrong with one fixture: warning/error findings, a failed syntax check before
/// or after the fixes. Empty when the file is clean.
fn problems(relative: &Path) -> Vec<String> {
    let path = root().join(relative);
    let shown = relative.display();
    let source = std::fs::read(&path).expect("read fixture");
    let Some(detection) = condago_linter::resolve_shell(&path, &source, None) else {
        return vec![format!("{shown}: no shell detected from its name")];
    };
    let settings = Settings::default();
    let result = condago_linter::lint(&path, &source, detection, &settings);
    let index = condago_linter::lines::LineIndex::new(&source);
    let mut out: Vec<String> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            format!(
                "{shown}:{}: {} [{}] {}",
                index.line_of(d.range.start) + 1,
                d.code,
                d.severity.name(),
                d.message
            )
        })
        .collect();

    let text = String::from_utf8(source.clone()).expect("fixtures are UTF-8");
    let fixed = fix_until_stable(&path, &source, detection, &settings, Applicability::Unsafe);
    let fixed_text = String::from_utf8(fixed.text).expect("fixed text is UTF-8");
    for oracle in oracles(detection.shell, detection.read_by_sh) {
        match syntax_check(oracle, &text) {
            None => continue, // the oracle said so (a failure under CI=true)
            Some(Err(stderr)) => out.push(format!(
                "{shown}: `{} -n` rejects the fixture itself: {}",
                oracle.name(),
                stderr.trim()
            )),
            Some(Ok(())) => {}
        }
        if fixed.applied.is_empty() {
            continue;
        }
        if let Some(Err(stderr)) = syntax_check(oracle, &fixed_text) {
            out.push(format!(
                "{shown}: after `--fix --unsafe-fixes` ({:?}) `{} -n` rejects it: {}",
                fixed.applied,
                oracle.name(),
                stderr.trim()
            ));
        }
    }
    out
}

fn check_all(files: &[PathBuf]) {
    let found: Vec<String> = files.iter().flat_map(|f| problems(f)).collect();
    assert!(
        found.is_empty(),
        "{} problems in {} precision fixtures (each a correct, realistic startup file):\n{}",
        found.len(),
        files.len(),
        found.join("\n")
    );
}

#[test]
fn precision_fixtures_are_clean() {
    let all = fixtures();
    for shell in ["bash", "zsh", "fish"] {
        let count = all.iter().filter(|f| f.starts_with(shell)).count();
        assert!(
            count >= 10,
            "expected at least 10 {shell} fixtures, found {count}"
        );
    }
    check_all(&all);
}
