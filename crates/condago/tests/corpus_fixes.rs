//! Fixes keep real files valid: for every file of the Debian corpus (bash-completion, fish,
//! zsh) that condago has fixes for, the text after every fix (safe and unsafe) passes the
//! real shell's syntax check (`bash -n`, `zsh -n`, `fish --no-execute`) whenever the
//! original did, and fixing the fixed text again changes nothing.
//!
//! Completion scripts are not startup files, and most rules only look at startup files, so
//! each file is also linted as the shell's rc file (`.bashrc`, `.zshrc`, `config.fish`):
//! that is where the fixes have real code to work on. The realistic startup files of
//! `tests/fixtures/realistic/files` are checked the same way. Only files with fixes go to
//! the shells, so they run a few dozen times, not 6,000.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use condago_linter::{fix_until_stable, Applicability, Settings};
use condago_oracle::{syntax_check, OracleShell};
use condago_syntax::{Detection, DetectionSource, Shell};

fn corpus() -> Vec<(PathBuf, Shell)> {
    let mut files = fixtures();
    files.extend(support::debian_corpus());
    files
}

/// The realistic startup files, with the shell their name says.
fn fixtures() -> Vec<(PathBuf, Shell)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/realistic/files");
    walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let text = std::fs::read(entry.path()).ok()?;
            let detection = condago_syntax::detect_shell(entry.path(), &text)?;
            Some((entry.into_path(), detection.shell))
        })
        .collect()
}

/// The shell's own startup file, which every rule looks at.
fn rc_file(shell: Shell) -> &'static Path {
    Path::new(match shell {
        Shell::Bash => "/home/u/.bashrc",
        Shell::Zsh => "/home/u/.zshrc",
        Shell::Fish => "/home/u/.config/fish/config.fish",
        Shell::Sh => "/home/u/.profile",
    })
}

fn oracle_shell(shell: Shell) -> OracleShell {
    match shell {
        Shell::Bash => OracleShell::Bash,
        Shell::Zsh => OracleShell::Zsh,
        Shell::Fish => OracleShell::Fish,
        Shell::Sh => OracleShell::Sh,
    }
}

/// What happened to one file with fixes.
enum Outcome {
    /// The fixed text passes the syntax check; the fixes applied.
    Valid(String),
    /// The original does not pass the shell's own check: nothing to compare with.
    OriginalInvalid,
    /// Not UTF-8, so the shell check (which takes text) is not run.
    NotText,
    /// The shell is not installed (a failure under `CI=true`, from the oracle).
    NoShell,
    Broken(String),
}

#[test]
fn fixed_corpus_files_pass_the_shells_syntax_check() {
    let files = corpus();
    if files.is_empty() {
        return;
    }
    let settings = Settings::default();
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<(PathBuf, Outcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..std::thread::available_parallelism().map_or(2, |n| n.get()) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, shell)) = files.get(index) else {
                    break;
                };
                let Ok(source) = std::fs::read(path) else {
                    continue;
                };
                for linted_as in [path.as_path(), rc_file(*shell)] {
                    if let Some(outcome) = check_file(linted_as, &source, *shell, &settings) {
                        if let Ok(mut outcomes) = outcomes.lock() {
                            let shown = if linted_as == path.as_path() {
                                path.clone()
                            } else {
                                PathBuf::from(format!(
                                    "{} (as {})",
                                    path.display(),
                                    linted_as.display()
                                ))
                            };
                            outcomes.push((shown, outcome));
                        }
                    }
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_default();
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    let count = |f: fn(&Outcome) -> bool| outcomes.iter().filter(|(_, o)| f(o)).count();
    println!(
        "corpus fixes: {} of {} files (each linted as itself and as an rc file) have fixes; {} fixed texts pass the syntax check, {} originals fail it already, {} are not UTF-8, {} broken",
        outcomes.len(),
        files.len(),
        count(|o| matches!(o, Outcome::Valid(_))),
        count(|o| matches!(o, Outcome::OriginalInvalid)),
        count(|o| matches!(o, Outcome::NotText)),
        count(|o| matches!(o, Outcome::Broken(_))),
    );
    for (path, outcome) in &outcomes {
        let what = match outcome {
            Outcome::Valid(applied) => format!("fixed ({applied}), passes"),
            Outcome::OriginalInvalid => "the original fails the check already".to_string(),
            Outcome::NotText => "not UTF-8".to_string(),
            Outcome::NoShell => "shell missing".to_string(),
            Outcome::Broken(_) => "BROKEN".to_string(),
        };
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../");
        let shown = path.strip_prefix(&repository).unwrap_or(path);
        println!("  {}: {what}", shown.display());
    }
    let missing = count(|o| matches!(o, Outcome::NoShell));
    if missing > 0 {
        eprintln!("SKIPPED: {missing} files, their shell is not installed");
    }
    let broken: Vec<String> = outcomes
        .iter()
        .filter_map(|(path, outcome)| match outcome {
            Outcome::Broken(why) => Some(format!("{}: {why}", path.display())),
            _ => None,
        })
        .collect();
    assert!(
        broken.is_empty(),
        "{} fixed files fail the syntax check or do not converge:\n{}",
        broken.len(),
        broken.join("\n\n")
    );
    assert!(
        count(|o| matches!(o, Outcome::Valid(_))) > 0 || missing > 0,
        "no corpus file had a fix: the check checked nothing"
    );
}

/// `None` when the file has no fix.
fn check_file(path: &Path, source: &[u8], shell: Shell, settings: &Settings) -> Option<Outcome> {
    let detection = Detection {
        shell,
        source: DetectionSource::FileName,
        read_by_sh: false,
    };
    let level = Applicability::Unsafe;
    let fixed = fix_until_stable(path, source, detection, settings, level);
    if fixed.applied.is_empty() {
        return None;
    }
    let again = fix_until_stable(path, &fixed.text, detection, settings, level);
    if again.text != fixed.text {
        return Some(Outcome::Broken(format!(
            "fixing the fixed text again changed it (applied {:?}, then {:?})",
            fixed.applied, again.applied
        )));
    }
    let (Ok(original), Ok(text)) = (
        std::str::from_utf8(source),
        std::str::from_utf8(&fixed.text),
    ) else {
        return Some(Outcome::NotText);
    };
    let oracle = oracle_shell(shell);
    match syntax_check(oracle, original) {
        None => return Some(Outcome::NoShell),
        Some(Err(_)) => return Some(Outcome::OriginalInvalid),
        Some(Ok(())) => {}
    }
    Some(match syntax_check(oracle, text) {
        None => Outcome::NoShell,
        Some(Ok(())) => Outcome::Valid(
            fixed
                .applied
                .iter()
                .map(|(code, n)| format!("{code} ×{n}"))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(Err(stderr)) => {
            let diff = similar::TextDiff::from_lines(original, text)
                .unified_diff()
                .context_radius(1)
                .to_string();
            Outcome::Broken(format!(
                "`{} -n` accepts the original but not the fixed text (fixes {:?}):\n{}\n{diff}",
                oracle.name(),
                fixed.applied,
                stderr.trim()
            ))
        }
    })
}
