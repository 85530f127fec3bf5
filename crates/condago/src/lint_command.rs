//! `condago lint`: read files, lint (and fix) them on every core, report.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use condago_linter::{Applicability, Diagnostic, Selection, Settings};
use condago_syntax::{Detection, DetectionSource, Shell};

use crate::discover::{self, Candidate};
use crate::output;
use crate::write::{write_fixed, WriteOutcome};
use crate::{exit, ColorArg, LintArgs};

/// Everything known about one linted file, for the reporters.
#[derive(Debug)]
pub(crate) struct FileReport {
    /// The path as the user should see it.
    pub path: PathBuf,
    /// The text the findings point into (after fixes, when fixes were applied).
    pub source: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
    /// Fixes applied (or, with `--diff`, that would be), by rule code.
    pub fixed: Vec<(&'static str, usize)>,
    /// The original text, when fixes changed it.
    pub original: Option<Vec<u8>>,
    /// A problem reading or writing the file, already worded for the user.
    pub error: Option<String>,
    /// A note for the user (e.g. not written because it changed).
    pub note: Option<String>,
}

/// Where the text comes from.
enum Input {
    File(Candidate),
    Stdin(PathBuf),
}

/// Runs `condago lint` and returns the exit code.
pub(crate) fn run(args: &LintArgs) -> u8 {
    let settings = Settings {
        selection: Selection {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        ..Settings::default()
    };
    let unknown = settings.selection.unknown_patterns();
    if !unknown.is_empty() {
        eprintln!(
            "condago: error: `{}` matches no rule; see `condago rules`",
            unknown.join("`, `")
        );
        return exit::ERROR;
    }
    let mut errors = Vec::new();
    let inputs: Vec<Input> = if let Some(home) = &args.home {
        let files = crate::startup_command::home_startup_files(home);
        files
            .into_iter()
            .map(|path| {
                Input::File(Candidate {
                    path,
                    explicit: true,
                })
            })
            .collect()
    } else if args.paths.is_empty() {
        let own = discover::own_startup_files();
        if own.is_empty() {
            eprintln!("condago: no startup files found in $HOME, $ZDOTDIR or $XDG_CONFIG_HOME/fish; name files or directories to lint");
            return exit::CLEAN;
        }
        let names: Vec<String> = own.iter().map(|c| c.path.display().to_string()).collect();
        eprintln!("condago: linting your startup files: {}", names.join(", "));
        own.into_iter().map(Input::File).collect()
    } else {
        let (mut stdin, paths): (Vec<&PathBuf>, Vec<PathBuf>) = (Vec::new(), Vec::new());
        let mut paths = paths;
        for path in &args.paths {
            if path.as_os_str() == "-" {
                stdin.push(path);
            } else {
                paths.push(path.clone());
            }
        }
        let (files, expand_errors) = discover::expand(&paths, args.shell.is_some());
        errors.extend(expand_errors);
        let mut inputs: Vec<Input> = files.into_iter().map(Input::File).collect();
        if !stdin.is_empty() {
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("-"));
            inputs.insert(0, Input::Stdin(name));
        }
        inputs
    };

    let mut reports = lint_all(inputs, args, &settings);
    if args.paths.is_empty() {
        crate::startup_command::add_cross_file_findings(
            &mut reports,
            args.home.as_deref(),
            &settings,
            args,
        );
    }
    // NO_COLOR wins over everything; otherwise colour only on a terminal or when asked.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => std::io::stdout().is_terminal(),
        };
    for error in &errors {
        eprintln!("condago: error: {error}");
    }
    for report in &reports {
        if let Some(error) = &report.error {
            eprintln!("condago: error: {}: {error}", report.path.display());
        }
        if let Some(note) = &report.note {
            eprintln!("condago: {}: {note}", report.path.display());
        }
    }
    let stdin_fixed = args.fix
        && !args.diff
        && reports.len() == 1
        && matches!(args.paths.as_slice(), [p] if p.as_os_str() == "-");
    if args.diff {
        output::print_diffs(&reports);
    } else if stdin_fixed {
        // ruff's convention: fixing standard input prints the fixed text.
        let _ = std::io::Write::write_all(&mut std::io::stdout(), &reports[0].source);
    } else if args.statistics {
        output::print_statistics(&reports, args.format);
    } else {
        output::print(&reports, args.format, color, args);
    }

    let had_error = !errors.is_empty() || reports.iter().any(|r| r.error.is_some());
    let findings = if args.diff {
        reports.iter().any(|r| r.original.is_some())
    } else {
        reports.iter().any(|r| !r.diagnostics.is_empty())
    };
    if had_error {
        exit::ERROR
    } else if findings && !args.exit_zero {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn lint_all(inputs: Vec<Input>, args: &LintArgs, settings: &Settings) -> Vec<FileReport> {
    let count = inputs.len();
    let slots: Vec<Mutex<Option<FileReport>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let inputs: Vec<Mutex<Option<Input>>> =
        inputs.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(count.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= count {
                    break;
                }
                let input = inputs[index].lock().ok().and_then(|mut slot| slot.take());
                if let Some(input) = input {
                    let report = lint_one(input, args, settings);
                    if let Ok(mut slot) = slots[index].lock() {
                        *slot = Some(report);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|slot| slot.into_inner().ok().flatten())
        .collect()
}

fn lint_one(input: Input, args: &LintArgs, settings: &Settings) -> FileReport {
    let limit = settings.budget.max_file_bytes as u64 + 1;
    let (path, read, explicit, is_stdin) = match input {
        Input::File(candidate) => {
            let read = std::fs::File::open(&candidate.path).and_then(|file| {
                let mut bytes = Vec::new();
                file.take(limit).read_to_end(&mut bytes).map(|_| bytes)
            });
            (candidate.path, read, candidate.explicit, false)
        }
        Input::Stdin(name) => {
            let mut bytes = Vec::new();
            let read = std::io::stdin()
                .take(limit)
                .read_to_end(&mut bytes)
                .map(|_| bytes);
            (name, read, true, true)
        }
    };
    let mut report = FileReport {
        path: path.clone(),
        source: Vec::new(),
        diagnostics: Vec::new(),
        fixed: Vec::new(),
        original: None,
        error: None,
        note: None,
    };
    let source = match read {
        Ok(source) => source,
        Err(error) => {
            report.error = Some(format!("cannot read it: {error}"));
            return report;
        }
    };
    let override_shell = args.shell.map(Shell::from);
    let detection = condago_linter::resolve_shell(&path, &source, override_shell).or_else(|| {
        // Named explicitly but not recognisable: read it as bash, the most common case.
        explicit.then_some(Detection {
            shell: Shell::Bash,
            source: DetectionSource::FileName,
            read_by_sh: false,
        })
    });
    let Some(detection) = detection else {
        report.source = source;
        return report;
    };
    let wants_fixes = args.fix || args.diff;
    if !wants_fixes {
        let result = condago_linter::lint(&path, &source, detection, settings);
        report.diagnostics = result.diagnostics;
        report.source = source;
        return report;
    }
    let level = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let outcome = condago_linter::fix_until_stable(&path, &source, detection, settings, level);
    report.fixed = outcome.applied.clone();
    report.diagnostics = outcome.remaining;
    if outcome.text != source {
        if args.fix && !args.diff && !is_stdin {
            match write_fixed(&path, &source, &outcome.text) {
                Ok(WriteOutcome::Written) => {}
                Ok(WriteOutcome::ChangedSinceRead) => {
                    report.note = Some(
                        "changed since condago read it; not written (run condago again)"
                            .to_string(),
                    );
                    let result = condago_linter::lint(&path, &source, detection, settings);
                    report.diagnostics = result.diagnostics;
                    report.fixed.clear();
                    report.source = source;
                    return report;
                }
                Err(error) => {
                    report.error = Some(format!("cannot write the fixed file: {error}"));
                    report.source = source;
                    return report;
                }
            }
        }
        report.original = Some(source);
    }
    report.source = outcome.text;
    report
}

/// The path as shown in reports: relative paths as given, the rest as they are.
pub(crate) fn shown_path(path: &Path) -> String {
    path.display().to_string()
}
