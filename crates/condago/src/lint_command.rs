//! `condago lint`: read files, lint (and fix) them on every core, report.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use condago_config::{resolve, ConfigError, Overrides, Resolved, Resolver};
use condago_linter::{Applicability, Diagnostic, Selection};
use condago_syntax::{Detection, DetectionSource, Shell};

use crate::discover::{self, Candidate, Walked};
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
    let cli = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        extend_select: args.extend_select.clone(),
    };
    let unknown = cli.unknown_patterns();
    if !unknown.is_empty() {
        eprintln!(
            "condago: error: `{}` matches no rule; see `condago rules`",
            unknown.join("`, `")
        );
        return exit::ERROR;
    }
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        shell: args.shell.map(Shell::from),
        origin: "the command line",
    };
    let discovery = match crate::config_command::discovery(&args.config_file) {
        Ok(discovery) => discovery,
        Err(error) => return config_error(&[error], args),
    };
    let mut resolver = Resolver::new(discovery);
    let mut config_errors: Vec<ConfigError> = Vec::new();
    let mut errors = Vec::new();
    let home = match &args.home {
        Some(home) => {
            let config = match resolver.for_directory(home) {
                Ok(config) => config,
                Err(error) => return config_error(&[error], args),
            };
            match args.layout.inputs(home, config.as_deref()) {
                Ok(inputs) => {
                    if !args.silent && !args.quiet {
                        crate::startup_command::print_layout_note(&inputs);
                    }
                    Some(inputs)
                }
                Err(error) => {
                    eprintln!("condago: error: {error}");
                    return exit::ERROR;
                }
            }
        }
        None => None,
    };
    let inputs: Vec<Input> = if let Some(home) = &home {
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
            if !args.silent {
                eprintln!("condago: no startup files found in $HOME, $ZDOTDIR or $XDG_CONFIG_HOME/fish; name files or directories to lint");
            }
            return exit::CLEAN;
        }
        let names: Vec<String> = own.iter().map(|c| c.path.display().to_string()).collect();
        if !args.silent && !args.quiet {
            eprintln!("condago: linting your startup files: {}", names.join(", "));
        }
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
        let mut classify = |path: &Path| match resolver.for_file(path) {
            Ok(Some(config)) if config.is_excluded(path) => Walked::Excluded,
            Ok(Some(config)) if config.shell_for(path).is_some() => Walked::Shell,
            Ok(_) => Walked::Detect,
            Err(error) => {
                if !config_errors.contains(&error) {
                    config_errors.push(error);
                }
                Walked::Detect
            }
        };
        let (files, expand_errors) = discover::expand(&paths, args.shell.is_some(), &mut classify);
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

    // Each file's settings, from its own configuration file.
    let mut planned = Vec::with_capacity(inputs.len());
    for input in inputs {
        let (path, explicit) = match &input {
            Input::File(candidate) => (candidate.path.clone(), candidate.explicit),
            // Standard input is configured as if it were `--stdin-filename` (or a file in
            // the current directory).
            Input::Stdin(name) => (
                if name.as_os_str() == "-" {
                    PathBuf::from("stdin")
                } else {
                    name.clone()
                },
                true,
            ),
        };
        match resolver.for_file(&path) {
            Ok(config) => {
                let resolved = resolve(config.as_deref(), &overrides, &path);
                if resolved.excluded && (!explicit || args.force_exclude) {
                    continue;
                }
                planned.push((input, resolved));
            }
            Err(error) => {
                if !config_errors.contains(&error) {
                    config_errors.push(error);
                }
            }
        }
    }
    if !config_errors.is_empty() {
        return config_error(&config_errors, args);
    }
    // The cross-file rules run on a whole home: its directory's configuration.
    let home_dir = args
        .home
        .clone()
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."));
    let settings = match resolver.for_directory(&home_dir) {
        Ok(config) => resolve(config.as_deref(), &overrides, &home_dir).settings,
        Err(error) => return config_error(&[error], args),
    };

    let mut reports = lint_all(planned, args);
    if args.paths.is_empty() {
        crate::startup_command::add_cross_file_findings(
            &mut reports,
            home.as_ref(),
            &settings,
            args,
        );
    }
    if home.is_some() {
        // A repository's files as the user names them: relative to where condago runs.
        if let Ok(cwd) = std::env::current_dir() {
            for report in &mut reports {
                if let Ok(rel) = report.path.strip_prefix(&cwd) {
                    report.path = rel.to_path_buf();
                }
            }
        }
    }
    // NO_COLOR wins over everything; otherwise colour only on a terminal or when asked.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color
        && match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => std::io::stdout().is_terminal(),
        };
    if !args.silent {
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
    }
    let stdin_fixed = args.fix
        && !args.diff
        && reports.len() == 1
        && matches!(args.paths.as_slice(), [p] if p.as_os_str() == "-");
    let unreadable = errors.len() + reports.iter().filter(|r| r.error.is_some()).count();
    if args.silent {
        // Nothing printed: the exit code says it all.
    } else if args.diff {
        output::print_diffs(&reports);
    } else if stdin_fixed {
        // ruff's convention: fixing standard input prints the fixed text.
        let _ = std::io::Write::write_all(&mut std::io::stdout(), &reports[0].source);
    } else if args.statistics {
        output::print_statistics(&reports, args.format);
    } else {
        output::print(&reports, args.format, color, args, unreadable);
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

fn lint_all(inputs: Vec<(Input, Resolved)>, args: &LintArgs) -> Vec<FileReport> {
    let count = inputs.len();
    let slots: Vec<Mutex<Option<FileReport>>> = (0..count).map(|_| Mutex::new(None)).collect();
    let inputs: Vec<Mutex<Option<(Input, Resolved)>>> =
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
                if let Some((input, resolved)) = input {
                    let report = lint_one(input, args, &resolved);
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

fn lint_one(input: Input, args: &LintArgs, resolved: &Resolved) -> FileReport {
    let settings = &resolved.settings;
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
    let override_shell = resolved.shell;
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

/// Prints configuration errors (unless `--silent`) and returns the usage-error exit code.
fn config_error(errors: &[ConfigError], args: &LintArgs) -> u8 {
    if !args.silent {
        for error in errors {
            eprintln!("{}", crate::config_command::worded(error));
        }
    }
    exit::ERROR
}
