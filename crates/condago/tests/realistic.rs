//! Precision on realistic startup files: every file under `tests/fixtures/realistic/files`
//! gets exactly the findings its `.expected` file lists (`LINE CODE` per line). A finding
//! not expected is a bug in a rule, not a fixture to update.

use std::path::{Path, PathBuf};

use condago_linter::Settings;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/realistic/files")
}

fn expected(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("read .expected");
    let mut out: Vec<(usize, String)> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let (number, code) = line.split_once(' ')?;
            Some((number.parse().ok()?, code.trim().to_string()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn realistic_files_get_exactly_their_expected_findings() {
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for entry in walkdir::WalkDir::new(fixtures()).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(target_name) = name.strip_suffix(".expected") else {
            continue;
        };
        let target = path.with_file_name(target_name);
        let source = std::fs::read(&target).expect("read fixture");
        let detection = condago_linter::resolve_shell(&target, &source, None)
            .unwrap_or_else(|| panic!("no shell detected for {}", target.display()));
        let result = condago_linter::lint(&target, &source, detection, &Settings::default());
        let index = condago_linter::lines::LineIndex::new(&source);
        let mut actual: Vec<(usize, String)> = result
            .diagnostics
            .iter()
            .map(|d| (index.line_of(d.range.start) + 1, d.code.to_string()))
            .collect();
        actual.sort();
        let wanted = expected(path);
        checked += 1;
        if actual != wanted {
            let shown = target
                .strip_prefix(fixtures())
                .unwrap_or(&target)
                .display()
                .to_string();
            let unexpected: Vec<String> = actual
                .iter()
                .filter(|f| !wanted.contains(f))
                .map(|(line, code)| {
                    let message = result
                        .diagnostics
                        .iter()
                        .find(|d| d.code == code && index.line_of(d.range.start) + 1 == *line)
                        .map(|d| d.message.clone())
                        .unwrap_or_default();
                    format!("{line} {code} ({message})")
                })
                .collect();
            let missing: Vec<String> = wanted
                .iter()
                .filter(|f| !actual.contains(f))
                .map(|(line, code)| format!("{line} {code}"))
                .collect();
            mismatches.push(format!(
                "{shown}:\n  unexpected: {unexpected:?}\n  missing:    {missing:?}"
            ));
        }
    }
    assert!(
        checked >= 30,
        "expected at least 30 realistic files, found {checked}"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} files differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
