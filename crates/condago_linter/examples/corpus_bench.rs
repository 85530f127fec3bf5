//! Times parsing (the floor) or linting of many files, the way `condago lint` does it: one
//! worker per core, each reading, parsing and linting whole files. `scripts/bench` drives it.
//!
//! ```text
//! corpus_bench parse|lint [--jobs N] [--top N] --shell SHELL (FILE | @LIST)... [--shell ...]
//! ```
//!
//! `@LIST` names a file holding one path a line. `parse` only parses (tree-sitter under the
//! parse budget, with the zsh fallback); `lint` parses and then builds the model and runs
//! every default rule, timing the two apart, so one run shows what the rules add to the parse.
//! Prints `key: value` lines, then the slowest files.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use condago_linter::{Settings, Shell};

struct Timing {
    path: PathBuf,
    bytes: usize,
    parse: Duration,
    rules: Duration,
    fell_back: bool,
    findings: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("corpus_bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let lint =
        match args.next().as_deref() {
            Some("parse") => false,
            Some("lint") => true,
            _ => return Err(
                "usage: corpus_bench parse|lint [--jobs N] [--top N] --shell SHELL FILE|@LIST ..."
                    .into(),
            ),
        };
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut top = 5;
    let mut shell: Option<Shell> = None;
    let mut files: Vec<(PathBuf, Shell)> = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" => jobs = number(args.next())?,
            "--top" => top = number(args.next())?,
            "--shell" => shell = Some(args.next().unwrap_or_default().parse()?),
            _ => {
                let shell = shell.ok_or("name a --shell before the files")?;
                match arg.strip_prefix('@') {
                    Some(list) => {
                        let text =
                            std::fs::read_to_string(list).map_err(|e| format!("{list}: {e}"))?;
                        files.extend(
                            text.lines()
                                .filter(|l| !l.is_empty())
                                .map(|l| (PathBuf::from(l), shell)),
                        );
                    }
                    None => files.push((PathBuf::from(arg), shell)),
                }
            }
        }
    }
    let jobs = jobs.clamp(1, files.len().max(1));

    let settings = Settings::default();
    let next = AtomicUsize::new(0);
    let timings: Mutex<Vec<Timing>> = Mutex::new(Vec::with_capacity(files.len()));
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, shell)) = files.get(index) else {
                    break;
                };
                let Ok(source) = std::fs::read(path) else {
                    continue;
                };
                let began = Instant::now();
                let parse = condago_syntax::parse(&source, *shell, &settings.budget);
                let parsed = Instant::now();
                let findings = if lint {
                    condago_linter::lint_parsed(path, &source, &parse, false, &settings).len()
                } else {
                    0
                };
                let timing = Timing {
                    path: path.clone(),
                    bytes: source.len(),
                    parse: parsed - began,
                    rules: parsed.elapsed(),
                    fell_back: !parse.problems.is_empty(),
                    findings,
                };
                if let Ok(mut timings) = timings.lock() {
                    timings.push(timing);
                }
            });
        }
    });
    let wall = started.elapsed();
    let mut timings = timings.into_inner().map_err(|_| "a worker panicked")?;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let parse_sum: Duration = timings.iter().map(|t| t.parse).sum();
    let rules_sum: Duration = timings.iter().map(|t| t.rules).sum();
    println!("mode: {}", if lint { "lint" } else { "parse" });
    println!("files: {}", timings.len());
    println!("bytes: {}", timings.iter().map(|t| t.bytes).sum::<usize>());
    println!("threads: {jobs}");
    println!("wall_ms: {:.1}", ms(wall));
    println!("parse_ms_sum: {:.1}", ms(parse_sum));
    if lint {
        println!("rules_ms_sum: {:.1}", ms(rules_sum));
        println!(
            "rules_over_parse: {:.3}",
            rules_sum.as_secs_f64() / parse_sum.as_secs_f64().max(1e-9)
        );
        println!(
            "findings: {}",
            timings.iter().map(|t| t.findings).sum::<usize>()
        );
    }
    println!(
        "fell_back: {}",
        timings.iter().filter(|t| t.fell_back).count()
    );
    if let Some(kb) = peak_rss_kb() {
        println!("peak_rss_mb: {:.1}", kb as f64 / 1024.0);
    }
    timings.sort_by_key(|t| std::cmp::Reverse(t.parse + t.rules));
    for t in timings.iter().take(top) {
        println!(
            "slowest: {:.1} ms (parse {:.1} ms, rules {:.1} ms, {} bytes{}) {}",
            ms(t.parse + t.rules),
            ms(t.parse),
            ms(t.rules),
            t.bytes,
            if t.fell_back { ", fell back" } else { "" },
            t.path.display()
        );
    }
    Ok(())
}

fn number(arg: Option<String>) -> Result<usize, String> {
    arg.as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|_| "expected a number".to_string())
}

/// The process's peak resident memory, from Linux's /proc.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
