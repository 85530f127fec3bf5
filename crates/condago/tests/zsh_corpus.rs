//! condago's zsh grammar on real zsh: of Debian's zsh functions that `zsh -n` accepts, how
//! many still get a syntax error (CG001) or a parse over the budget (CG002). Prints each
//! such file, so the constructs behind them can be listed in the grammar's README.

mod support;

use std::process::{Command, Stdio};

use condago_linter::Settings;
use condago_syntax::{Detection, DetectionSource, Shell};

/// The share of valid files that may still be misread, in per mille. The grammar's README
/// lists the constructs behind the rest.
const MAX_MISREAD_PER_MILLE: usize = 20;

fn zsh_accepts(path: &std::path::Path) -> bool {
    Command::new("zsh")
        .args(["-f", "-n"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn valid_debian_zsh_files_parse_without_errors() {
    if Command::new("zsh").arg("--version").output().is_err() {
        support::skip_or_fail("zsh is not installed");
        return;
    }
    let files: Vec<_> = support::debian_corpus()
        .into_iter()
        .filter(|(_, shell)| *shell == Shell::Zsh)
        .map(|(path, _)| path)
        .collect();
    if files.is_empty() {
        return;
    }
    let settings = Settings::default();
    let detection = Detection {
        shell: Shell::Zsh,
        source: DetectionSource::FileName,
        read_by_sh: false,
    };
    let mut valid = 0;
    let mut misread = Vec::new();
    for path in &files {
        if !zsh_accepts(path) {
            continue;
        }
        let Ok(source) = std::fs::read(path) else {
            continue;
        };
        valid += 1;
        let result = condago_linter::lint(path, &source, detection, &settings);
        if let Some(finding) = result
            .diagnostics
            .iter()
            .find(|d| d.code == "CG001" || d.code == "CG002")
        {
            let line = source[..finding.range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            misread.push(format!("{}:{line} {}", path.display(), finding.code));
        }
    }
    println!(
        "zsh corpus: {} of {valid} files that zsh -n accepts get CG001/CG002 ({:.1}%)",
        misread.len(),
        misread.len() as f64 * 100.0 / valid.max(1) as f64
    );
    for file in &misread {
        println!("  {file}");
    }
    assert!(
        valid > 1_000,
        "expected about 1,200 valid zsh files, found {valid}"
    );
    assert!(
        misread.len() * 1000 <= MAX_MISREAD_PER_MILLE * valid,
        "{} of {valid} valid zsh files misread",
        misread.len()
    );
}
