//! The real corpus: every shell file of Debian's `bash-completion`, `fish` and `zsh`
//! packages (about 3,000 files) lints without a panic, a hang or runaway memory, each
//! within the parse budget. Prints how many files fell back and how many findings each
//! rule made, so a rule that fires on hundreds of completion scripts stands out.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use condago_linter::Settings;
use condago_syntax::{Detection, DetectionSource};

/// What linting one corpus file gave.
struct Outcome {
    path: PathBuf,
    elapsed: Duration,
    codes: Vec<&'static str>,
    /// The parse needed a fallback (CG002).
    fell_back: bool,
    panicked: bool,
}

/// No file may take longer than this (the parse budget plus the rules).
const PER_FILE_LIMIT: Duration = Duration::from_secs(2);

#[test]
fn debian_corpus_lints_within_budget() {
    let files = support::debian_corpus();
    if files.is_empty() {
        return;
    }
    let settings = Settings::default();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let started = Instant::now();
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
                let detection = Detection {
                    shell: *shell,
                    source: DetectionSource::FileName,
                    read_by_sh: false,
                };
                let began = Instant::now();
                let outcome = std::panic::catch_unwind(|| {
                    condago_linter::lint(path, &source, detection, &settings)
                });
                let elapsed = began.elapsed();
                let entry = match outcome {
                    Ok(result) => Outcome {
                        path: path.clone(),
                        elapsed,
                        codes: result.diagnostics.iter().map(|d| d.code).collect(),
                        fell_back: !result.parse_problems.is_empty(),
                        panicked: false,
                    },
                    Err(_) => Outcome {
                        path: path.clone(),
                        elapsed,
                        codes: Vec::new(),
                        fell_back: false,
                        panicked: true,
                    },
                };
                if let Ok(mut results) = results.lock() {
                    results.push(entry);
                }
            });
        }
    });
    let total = started.elapsed();
    let results = results.into_inner().unwrap_or_default();
    let panics: Vec<&PathBuf> = results
        .iter()
        .filter(|r| r.panicked)
        .map(|r| &r.path)
        .collect();
    let slow: Vec<String> = results
        .iter()
        .filter(|r| r.elapsed > PER_FILE_LIMIT)
        .map(|r| format!("{} ({} ms)", r.path.display(), r.elapsed.as_millis()))
        .collect();
    let fell_back: Vec<&PathBuf> = results
        .iter()
        .filter(|r| r.fell_back)
        .map(|r| &r.path)
        .collect();
    let mut per_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for outcome in &results {
        let mut seen: Vec<&str> = Vec::new();
        for code in &outcome.codes {
            let entry = per_rule.entry(code).or_default();
            entry.0 += 1;
            if !seen.contains(code) {
                entry.1 += 1;
                seen.push(code);
            }
        }
    }
    let slowest = results.iter().max_by_key(|r| r.elapsed);
    println!(
        "corpus: {} files linted in {} ms",
        results.len(),
        total.as_millis()
    );
    if let Some(slowest) = slowest {
        println!(
            "slowest: {} ({} ms)",
            slowest.path.display(),
            slowest.elapsed.as_millis()
        );
    }
    println!("fell back (CG002): {} files", fell_back.len());
    for path in &fell_back {
        println!("  {}", path.display());
    }
    println!("findings per rule (findings / files):");
    for (code, (findings, in_files)) in &per_rule {
        println!("  {code}: {findings} / {in_files}");
    }
    if let Some(peak) = peak_memory_kb() {
        println!("peak memory: {} MB", peak / 1024);
        assert!(peak < 512 * 1024, "peak memory {} MB", peak / 1024);
    }
    assert!(panics.is_empty(), "panicked on: {panics:?}");
    assert!(
        slow.is_empty(),
        "over {} ms: {slow:?}",
        PER_FILE_LIMIT.as_millis()
    );
    assert!(
        results.len() > 2_500,
        "expected about 3,000 files, linted {}",
        results.len()
    );
}

/// The process's peak resident memory, from Linux's /proc.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
