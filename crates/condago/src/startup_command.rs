//! `condago startup` and `condago which`: the startup model on the command line, and the
//! cross-file findings that `condago lint` adds for a home directory.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use condago_linter::{Applicability, Settings};
use condago_startup::{
    analyze, render, which, Inputs, Layout, LayoutKind, Mode, Startup, StartupShell,
};

use crate::lint_command::FileReport;
use crate::write::{write_fixed, WriteOutcome};
use crate::{exit, LintArgs};

/// Options both commands share: whose startup, against which system.
#[derive(Debug, Args)]
pub(crate) struct ModelArgs {
    /// The shell (default: your login shell from $SHELL; `which`: every shell).
    #[arg(long, value_enum)]
    pub shell: Option<ShellChoice>,
    /// The mode (default: every mode).
    #[arg(long, value_enum)]
    pub mode: Option<ModeChoice>,
    /// A directory laid out like a home (a dotfiles repository, a test fixture) instead of
    /// $HOME.
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Read system files (/etc/profile, /etc/zsh, /usr/share/fish) under DIR instead of /.
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The user id /etc/profile's `id -u` sees (default: yours).
    #[arg(long)]
    pub uid: Option<u32>,
    /// The PATH the shell inherits.
    #[arg(long, value_name = "PATH", default_value = condago_startup::DEFAULT_INHERITED_PATH)]
    pub inherited_path: String,
    /// Another inherited variable, NAME=VALUE (repeatable): ZDOTDIR, XDG_CONFIG_HOME, BASH_ENV…
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    #[command(flatten)]
    pub layout: LayoutArgs,
}

/// How a `--home` dotfiles repository is laid out.
#[derive(Debug, Args)]
pub(crate) struct LayoutArgs {
    /// With --home: how the repository is laid out (default: detected, with a note).
    #[arg(long, value_enum, default_value_t = LayoutChoice::Auto)]
    pub layout: LayoutChoice,
    /// With --home: the operating system whose yadm alternates and chezmoi ignores apply
    /// (`linux`, `darwin`; default: this one).
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LayoutChoice {
    /// Detect it: bare repository, chezmoi, yadm, stow, else plain.
    Auto,
    /// Laid out like $HOME.
    Plain,
    /// GNU stow: each top-level directory is a package merged into the home.
    Stow,
    /// A chezmoi source directory (dot_bashrc, *.tmpl, .chezmoiroot, .chezmoiignore).
    Chezmoi,
    /// yadm: like $HOME, with alternates (name##os.Darwin, name##default).
    Yadm,
    /// A bare repository whose work tree is the home.
    Bare,
}

impl LayoutArgs {
    /// The home a dotfiles repository makes, read through its layout: `--layout`/`--os`,
    /// else `[home]` of the repository's configuration (`config`), else detected. The
    /// layout's note says which was found (see [`print_layout_note`]).
    pub(crate) fn inputs(
        &self,
        home: &Path,
        config: Option<&condago_config::Config>,
    ) -> Result<Inputs, String> {
        let configured = config.map(|c| &c.home);
        let kind = match self.layout {
            LayoutChoice::Auto => configured
                .and_then(|h| h.layout)
                .map(|layout| match layout {
                    condago_config::Layout::Plain => LayoutKind::Plain,
                    condago_config::Layout::Stow => LayoutKind::Stow,
                    condago_config::Layout::Chezmoi => LayoutKind::Chezmoi,
                    condago_config::Layout::Yadm => LayoutKind::Yadm,
                    condago_config::Layout::Bare => LayoutKind::Bare,
                }),
            LayoutChoice::Plain => Some(LayoutKind::Plain),
            LayoutChoice::Stow => Some(LayoutKind::Stow),
            LayoutChoice::Chezmoi => Some(LayoutKind::Chezmoi),
            LayoutChoice::Yadm => Some(LayoutKind::Yadm),
            LayoutChoice::Bare => Some(LayoutKind::Bare),
        };
        let os = self
            .os
            .clone()
            .or_else(|| configured.and_then(|h| h.os.clone()))
            .map(|os| os.to_ascii_lowercase())
            .map(|os| {
                if os == "macos" {
                    "darwin".to_string()
                } else {
                    os
                }
            })
            .unwrap_or_else(|| condago_startup::layout::current_os().to_string());
        let mut layout = Layout::open(home, kind, &os).map_err(|e| format!("{e} (--home)"))?;
        if let (LayoutChoice::Auto, Some(config), Some(_)) = (self.layout, config, kind) {
            let place = match config.line_of("home.layout") {
                Some(line) => format!("{}:{line}", config.path.display()),
                None => config.path.display().to_string(),
            };
            layout.note = layout
                .note
                .replacen("(as asked)", &format!("(set in {place})"), 1);
        }
        let mut inputs = Inputs::from_layout(layout);
        inputs.env.retain(|(k, _)| k == "PATH");
        Ok(inputs)
    }

    /// Like [`LayoutArgs::inputs`], with the nearest configuration file of `home`.
    fn inputs_with_nearest_config(&self, home: &Path) -> Result<Inputs, String> {
        let mut resolver = condago_config::Resolver::new(condago_config::Discovery::Nearest);
        let config = resolver
            .for_directory(home)
            .map_err(|error| error.to_string())?;
        let inputs = self.inputs(home, config.as_deref())?;
        print_layout_note(&inputs);
        Ok(inputs)
    }
}

/// Says on standard error which layout a `--home` repository was read with.
pub(crate) fn print_layout_note(inputs: &Inputs) {
    if let Some(layout) = &inputs.layout {
        eprintln!("condago: note: {}", layout.note);
    }
}

/// Options of `condago startup`.
#[derive(Debug, Args)]
pub(crate) struct StartupArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StartupFormat::Text)]
    pub format: StartupFormat,
}

/// Options of `condago which`.
#[derive(Debug, Args)]
pub(crate) struct WhichArgs {
    /// The command to look up (`go`, `python`, `conda`, …).
    pub tool: String,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhichFormat::Text)]
    pub format: WhichFormat,
    /// A container instead of a home: a Dockerfile (its devcontainer.json beside it is
    /// read too) or a devcontainer.json. Shows the tool a later `RUN`, `docker exec`, the
    /// IDE's terminal and a `postCreateCommand` get.
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShellChoice {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModeChoice {
    Login,
    Interactive,
    NonInteractive,
    InteractiveLogin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StartupFormat {
    /// The files read and the final PATH with where each entry comes from.
    Text,
    /// One JSON object per mode, one per line.
    Json,
    /// A Mermaid flowchart of the files each mode reads and the PATH changes each makes.
    Mermaid,
    /// The same as a Graphviz DOT graph (`| dot -Tsvg`).
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WhichFormat {
    Text,
    Json,
}

impl From<ShellChoice> for StartupShell {
    fn from(shell: ShellChoice) -> Self {
        match shell {
            ShellChoice::Bash => StartupShell::Bash,
            ShellChoice::Zsh => StartupShell::Zsh,
            ShellChoice::Fish => StartupShell::Fish,
        }
    }
}

impl From<ModeChoice> for Mode {
    fn from(mode: ModeChoice) -> Self {
        match mode {
            ModeChoice::Login => Mode::Login,
            ModeChoice::Interactive => Mode::Interactive,
            ModeChoice::NonInteractive => Mode::NonInteractive,
            ModeChoice::InteractiveLogin => Mode::InteractiveLogin,
        }
    }
}

/// The user's login shell from `$SHELL`.
pub(crate) fn login_shell() -> Option<StartupShell> {
    std::env::var("SHELL")
        .ok()
        .and_then(|shell| StartupShell::from_name(&shell))
}

impl ModelArgs {
    fn inputs(&self) -> Result<Inputs, String> {
        let home = match &self.home {
            Some(home) => home.clone(),
            None => std::env::var_os("HOME")
                .map(PathBuf::from)
                .ok_or("HOME is not set; name a home directory with --home DIR")?,
        };
        if !home.is_dir() {
            return Err(format!("{}: not a directory (--home)", home.display()));
        }
        let mut inputs = match &self.home {
            Some(home) => self.layout.inputs_with_nearest_config(home)?,
            None => Inputs::new(home),
        };
        if let Some(root) = &self.root {
            if !root.is_dir() {
                return Err(format!("{}: not a directory (--root)", root.display()));
            }
            inputs.root = std::path::absolute(root).unwrap_or_else(|_| root.clone());
        }
        if let Some(uid) = self.uid {
            inputs.uid = Some(uid);
        }
        inputs.set_env("PATH", &self.inherited_path);
        if self.home.is_none() {
            // Your own home: the variables that decide which files are read come along.
            for name in ["ZDOTDIR", "XDG_CONFIG_HOME", "XDG_DATA_DIRS", "BASH_ENV"] {
                if let Ok(value) = std::env::var(name) {
                    inputs.set_env(name, &value);
                }
            }
        }
        for pair in &self.env {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(format!("--env {pair}: expected NAME=VALUE"));
            };
            inputs.set_env(name, value);
        }
        Ok(inputs)
    }

    fn modes(&self) -> Vec<Mode> {
        match self.mode {
            Some(mode) => vec![mode.into()],
            None => Mode::ALL.to_vec(),
        }
    }
}

/// Runs `condago startup`.
pub(crate) fn startup(args: &StartupArgs) -> u8 {
    let inputs = match args.model.inputs() {
        Ok(inputs) => inputs,
        Err(error) => {
            eprintln!("condago: error: {error}");
            return exit::ERROR;
        }
    };
    let shell = args
        .model
        .shell
        .map(StartupShell::from)
        .or_else(login_shell)
        .unwrap_or(StartupShell::Bash);
    let startups: Vec<Startup> = args
        .model
        .modes()
        .into_iter()
        .map(|mode| analyze(shell, mode, &inputs))
        .collect();
    match args.format {
        StartupFormat::Text => {
            let texts: Vec<String> = startups.iter().map(render::text).collect();
            print!("{}", texts.join("\n"));
        }
        StartupFormat::Json => {
            for startup in &startups {
                println!("{}", render::json(startup));
            }
        }
        StartupFormat::Mermaid => print!("{}", render::mermaid(&startups)),
        StartupFormat::Dot => print!("{}", render::dot(&startups)),
    }
    exit::CLEAN
}

/// Runs `condago which`.
pub(crate) fn which_tool(args: &WhichArgs) -> u8 {
    if let Some(dockerfile) = &args.dockerfile {
        return which_in_container(args, dockerfile);
    }
    let inputs = match args.model.inputs() {
        Ok(inputs) => inputs,
        Err(error) => {
            eprintln!("condago: error: {error}");
            return exit::ERROR;
        }
    };
    let shells: Vec<StartupShell> = match args.model.shell {
        Some(shell) => vec![shell.into()],
        None => StartupShell::ALL.to_vec(),
    };
    let mut found_anywhere = false;
    if args.format == WhichFormat::Text {
        println!("{}:", args.tool);
    }
    for shell in shells {
        for mode in args.model.modes() {
            let startup = analyze(shell, mode, &inputs);
            let result = which(&startup, &args.tool, &inputs);
            found_anywhere |= result.winner.is_some();
            match args.format {
                WhichFormat::Text => print!("{}", render::which_text(&startup, &result)),
                WhichFormat::Json => println!(
                    "{}",
                    render::to_line(&render::which_json(&startup, &result))
                ),
            }
        }
    }
    if found_anywhere {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// `condago which TOOL --dockerfile FILE`.
fn which_in_container(args: &WhichArgs, path: &Path) -> u8 {
    use condago_linter::container::{self, ContainerFile};
    let source = match std::fs::read(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("condago: error: {}: {error}", path.display());
            return exit::ERROR;
        }
    };
    if container::container_kind(path).is_none() {
        eprintln!(
            "condago: error: {}: not a Dockerfile, Containerfile or devcontainer.json (by its name)",
            path.display()
        );
        return exit::ERROR;
    }
    let settings = condago_linter::Settings::default();
    let file = ContainerFile::new(path, &source, &settings);
    if file.build.is_none() {
        eprintln!(
            "condago: error: {}: no Dockerfile to read (the devcontainer.json has no `build.dockerfile`, or it cannot be read)",
            path.display()
        );
        return exit::ERROR;
    }
    let results = container::which::which(&file, &args.tool);
    match args.format {
        WhichFormat::Text => print!("{}", container::which::render(&args.tool, &results)),
        WhichFormat::Json => {
            for result in &results {
                println!("{}", serde_json::to_string(result).unwrap_or_default());
            }
        }
    }
    if results.iter().any(|r| r.winner.is_some()) {
        exit::CLEAN
    } else {
        exit::FINDINGS
    }
}

/// The startup files of a home directory that exist (for `condago lint --home DIR`): for
/// a dotfiles repository, the repository files behind them.
pub(crate) fn home_startup_files(inputs: &Inputs) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = Vec::new();
    for shell in StartupShell::ALL {
        for mode in Mode::ALL {
            for file in analyze(shell, mode, inputs).files {
                if !file.system && file.real.is_file() && !files.contains(&file.real) {
                    files.push(file.real);
                }
            }
        }
    }
    files
}

/// Adds the cross-file findings (CG505, CG6xx, CG103 along a chain) for `home` to the
/// reports, honouring `--select`/`--ignore` and suppression comments; with `--fix` or
/// `--diff`, applies their fixes first (the files are linted again afterwards).
pub(crate) fn add_cross_file_findings(
    reports: &mut Vec<FileReport>,
    home: Option<&Inputs>,
    settings: &Settings,
    args: &LintArgs,
) {
    let inputs = match home {
        Some(inputs) => inputs.clone(),
        None => {
            let Some(home) = std::env::var_os("HOME") else {
                return;
            };
            let mut inputs = Inputs::new(PathBuf::from(home));
            for name in ["ZDOTDIR", "XDG_CONFIG_HOME", "XDG_DATA_DIRS"] {
                if let Ok(value) = std::env::var(name) {
                    inputs.set_env(name, &value);
                }
            }
            inputs
        }
    };
    let enabled = |code: &str| {
        condago_linter::registry::find(code).is_some_and(|rule| settings.selection.is_enabled(rule))
    };
    if args.fix || args.diff {
        let level = if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        let findings = condago_startup::rules::check(&inputs, login_shell(), &enabled);
        apply_cross_file_fixes(reports, findings, level, args, settings);
    }
    let (findings, silenced) = condago_startup::rules::check_all(&inputs, login_shell(), &enabled);
    forget_unused_suppressions(reports, &silenced);
    for finding in findings {
        let Some(index) = report_for(reports, &finding.path) else {
            continue;
        };
        let report = &mut reports[index];
        if args.diff && report.original.is_some() {
            // The findings of a file shown as a diff point into the fixed text; this one
            // points into the file on disk.
            continue;
        }
        report.diagnostics.push(finding.diagnostic);
        report.diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
        });
    }
}

/// The single-file pass cannot see cross-file findings, so it calls a suppression of one
/// unused (CG003): drop those where the comment names a rule only the startup model runs,
/// or one that silenced a cross-file finding in that file.
fn forget_unused_suppressions(
    reports: &mut [FileReport],
    silenced: &[condago_startup::rules::Finding],
) {
    for report in reports.iter_mut() {
        let source = report.source.clone();
        report.diagnostics.retain(|diagnostic| {
            if diagnostic.code != "CG003" {
                return true;
            }
            let Some(named) = source
                .get(diagnostic.range.clone())
                .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
            else {
                return true;
            };
            let Some(rule) = condago_linter::registry::find(named.trim()) else {
                return true;
            };
            let startup_only = matches!(rule.check, condago_linter::rule::Check::Startup);
            let used = silenced
                .iter()
                .any(|f| f.diagnostic.code == rule.code && same_file(&f.path, &report.path));
            !(startup_only || used)
        });
    }
}

/// The report of a file, added (with its text) when the file was not linted.
fn report_for(reports: &mut Vec<FileReport>, path: &Path) -> Option<usize> {
    if let Some(index) = reports.iter().position(|r| same_file(&r.path, path)) {
        return Some(index);
    }
    let source = std::fs::read(path).ok()?;
    reports.push(FileReport {
        path: path.to_path_buf(),
        source,
        diagnostics: Vec::new(),
        fixed: Vec::new(),
        original: None,
        error: None,
        note: None,
    });
    Some(reports.len() - 1)
}

/// Applies the fixes of cross-file findings at `level`, file by file, last edit first.
fn apply_cross_file_fixes(
    reports: &mut Vec<FileReport>,
    findings: Vec<condago_startup::rules::Finding>,
    level: Applicability,
    args: &LintArgs,
    settings: &Settings,
) {
    let mut by_file: Vec<(PathBuf, Vec<condago_linter::Diagnostic>)> = Vec::new();
    for finding in findings {
        let fixable = finding
            .diagnostic
            .fix
            .as_ref()
            .is_some_and(|fix| fix.applicability >= level);
        if !fixable {
            continue;
        }
        match by_file.iter_mut().find(|(p, _)| *p == finding.path) {
            Some((_, list)) => list.push(finding.diagnostic),
            None => by_file.push((finding.path, vec![finding.diagnostic])),
        }
    }
    for (path, mut diagnostics) in by_file {
        let Some(index) = report_for(reports, &path) else {
            continue;
        };
        let report = &mut reports[index];
        if args.diff && report.original.is_some() {
            continue;
        }
        let old = report.source.clone();
        let mut new = old.clone();
        let start = |d: &condago_linter::Diagnostic| {
            d.fix
                .as_ref()
                .and_then(|f| f.edits.iter().map(|e| e.range.start).min())
                .unwrap_or(0)
        };
        diagnostics.sort_by_key(|d| std::cmp::Reverse(start(d)));
        let mut applied = Vec::new();
        let mut limit = usize::MAX;
        for diagnostic in &diagnostics {
            let Some(fix) = &diagnostic.fix else {
                continue;
            };
            let end = fix.edits.iter().map(|e| e.range.end).max().unwrap_or(0);
            if end > limit {
                continue;
            }
            new = condago_linter::apply_edits(&new, &fix.edits);
            limit = start(diagnostic);
            applied.push(diagnostic.code);
        }
        if applied.is_empty() {
            continue;
        }
        if args.fix && !args.diff {
            match write_fixed(&path, &old, &new) {
                Ok(WriteOutcome::Written) => {}
                Ok(WriteOutcome::ChangedSinceRead) => {
                    report.note = Some(
                        "changed since condago read it; not written (run condago again)"
                            .to_string(),
                    );
                    continue;
                }
                Err(error) => {
                    report.error = Some(format!("cannot write the fixed file: {error}"));
                    continue;
                }
            }
        }
        for code in applied {
            match report.fixed.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => report.fixed.push((code, 1)),
            }
        }
        if report.original.is_none() {
            report.original = Some(old);
        }
        // The file's own findings, again, on the fixed text.
        if let Some(detection) = condago_linter::resolve_shell(&path, &new, None) {
            report.diagnostics = condago_linter::lint(&path, &new, detection, settings).diagnostics;
        }
        report.source = new;
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}
