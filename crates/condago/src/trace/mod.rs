//! `condago trace`: runs the real shell's startup (it RUNS the startup files) with its own
//! tracing turned on, and turns what it printed, with `strace` where installed, into a
//! timeline: the files read, each `PATH` change at its `file:line`, the programs run.

mod check;
mod events;
mod output;
mod strace;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use condago_startup::{Inputs, Mode, StartupShell};

use crate::exit;
use crate::startup_command::{login_shell, ModeChoice, ShellChoice};

pub(crate) use events::resolve;

/// Options of `condago trace`.
#[derive(Debug, Args)]
pub(crate) struct TraceArgs {
    /// Show where this command resolves after each PATH change that moved it.
    pub tool: Option<String>,
    /// The shell to run (default: your login shell from $SHELL, else bash).
    #[arg(long, value_enum)]
    pub shell: Option<ShellChoice>,
    /// The mode to start it in.
    #[arg(long, value_enum, default_value_t = ModeChoice::Interactive)]
    pub mode: ModeChoice,
    /// The home directory whose startup files run (default: $HOME). Its code RUNS.
    #[arg(long, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Another inherited variable, NAME=VALUE (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// The PATH the shell inherits.
    #[arg(long, value_name = "PATH", default_value = condago_startup::DEFAULT_INHERITED_PATH)]
    pub inherited_path: String,
    /// Seconds before the shell's whole process group is killed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Compare with what `condago startup` predicts; exit 1 at the first difference.
    #[arg(long)]
    pub check: bool,
    /// Do not use strace even when it is installed.
    #[arg(long)]
    pub no_strace: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TraceFormat::Text)]
    pub format: TraceFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TraceFormat {
    /// The timeline for people.
    Text,
    /// One JSON object (schema in docs/trace.md).
    Json,
}

/// What to run.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub shell: StartupShell,
    pub mode: Mode,
    pub home: PathBuf,
    pub inherited_path: String,
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub strace: bool,
}

/// Whether system calls were recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StraceUse {
    Used,
    NotInstalled,
    Disabled,
}

/// How `PATH` changes were tied to lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attribution {
    /// The shell printed the file and line of every command (bash's and zsh's `PS4`).
    Exact,
    /// The shell printed commands only (fish, or bash as root, which ignores `PS4` from the
    /// environment): lines found by matching the commands with the files' text.
    Matched,
}

/// A file the shell read, or tried to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileSeen {
    pub path: String,
    /// `None`: read; `Some("ENOENT")`, `Some("EACCES")`: failed to open.
    pub error: Option<String>,
    /// The `source` line that read it.
    pub from: Option<(String, usize)>,
    pub depth: usize,
}

/// One `PATH` change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TracedChange {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub command: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// A program run during startup (from strace).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Program {
    pub argv: Vec<String>,
    pub status: Option<i32>,
    pub seconds: Option<f64>,
}

/// Where the shell was when the timeout struck.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stuck {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub command: String,
}

/// The traced startup of one shell in one mode.
#[derive(Debug, Clone)]
pub(crate) struct Trace {
    pub shell: StartupShell,
    pub mode: Mode,
    pub home: String,
    pub inherited: Vec<String>,
    pub attribution: Attribution,
    pub strace: StraceUse,
    pub files: Vec<FileSeen>,
    pub changes: Vec<TracedChange>,
    pub programs: Vec<Program>,
    /// `PATH` when the startup files were done; `None` when the shell never got there.
    pub final_path: Option<Vec<String>>,
    /// The trace lost track of `PATH` somewhere: the changes do not add up to the final one.
    pub untracked: bool,
    pub timed_out: Option<Stuck>,
    pub timeout: Duration,
    pub status: Option<i32>,
    pub stderr: String,
    pub seconds: f64,
}

/// Marks the line that carries the final `PATH` on standard output.
const FINAL_MARK: &str = "@@@condago-final-path@@@";

/// Runs `condago trace`.
pub(crate) fn trace_command(args: &TraceArgs) -> u8 {
    let request = match request(args) {
        Ok(request) => request,
        Err(error) => {
            eprintln!("condago: error: {error}");
            return exit::ERROR;
        }
    };
    let trace = match run(&request) {
        Ok(trace) => trace,
        Err(error) => {
            eprintln!("condago: error: {error}");
            return exit::ERROR;
        }
    };
    let verdict = args.check.then(|| check::compare(&trace, &request));
    match args.format {
        TraceFormat::Text => print!(
            "{}",
            output::text(&trace, args.tool.as_deref(), verdict.as_ref())
        ),
        TraceFormat::Json => println!(
            "{}",
            output::json(&trace, args.tool.as_deref(), verdict.as_ref())
        ),
    }
    if trace.timed_out.is_some() {
        return exit::ERROR;
    }
    match verdict {
        Some(verdict) if !verdict.same => exit::FINDINGS,
        _ => exit::CLEAN,
    }
}

fn request(args: &TraceArgs) -> Result<Request, String> {
    let home = match &args.home {
        Some(home) => home.clone(),
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .ok_or("HOME is not set; name a home directory with --home DIR")?,
    };
    if !home.is_dir() {
        return Err(format!("{}: not a directory (--home)", home.display()));
    }
    let home = std::path::absolute(&home).unwrap_or(home);
    let mut env = Vec::new();
    for pair in &args.env {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--env {pair}: expected NAME=VALUE"));
        };
        env.retain(|(k, _): &(String, String)| k != name);
        env.push((name.to_string(), value.to_string()));
    }
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return Err(format!(
            "--timeout {}: expected a positive number of seconds",
            args.timeout
        ));
    }
    Ok(Request {
        shell: args
            .shell
            .map(StartupShell::from)
            .or_else(login_shell)
            .unwrap_or(StartupShell::Bash),
        mode: args.mode.into(),
        home,
        inherited_path: args.inherited_path.clone(),
        env,
        timeout: Duration::from_secs_f64(args.timeout),
        strace: !args.no_strace,
    })
}

/// The model's inputs for the same shell, mode, home and environment.
pub(crate) fn model_inputs(request: &Request) -> Inputs {
    let mut inputs = Inputs::new(&request.home);
    inputs.set_env("PATH", &request.inherited_path);
    for (name, value) in &request.env {
        inputs.set_env(name, value);
    }
    inputs
}

fn oracle_shell(shell: StartupShell) -> condago_oracle::OracleShell {
    match shell {
        StartupShell::Bash => condago_oracle::OracleShell::Bash,
        StartupShell::Zsh => condago_oracle::OracleShell::Zsh,
        StartupShell::Fish => condago_oracle::OracleShell::Fish,
    }
}

fn find_strace() -> Option<PathBuf> {
    ["/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// Runs the shell with tracing on and builds its timeline.
pub(crate) fn run(request: &Request) -> Result<Trace, String> {
    let program = condago_oracle::find_shell(oracle_shell(request.shell)).ok_or_else(|| {
        format!(
            "{} is not installed (not on PATH, /usr/bin, /bin or /usr/local/bin): condago trace runs the real shell",
            request.shell.name()
        )
    })?;
    let work = tempfile::Builder::new()
        .prefix("condago-trace-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let trace_file = work.path().join("xtrace");
    let strace_file = work.path().join("strace");
    let strace = match (request.strace, find_strace()) {
        (false, _) => StraceUse::Disabled,
        (true, None) => StraceUse::NotInstalled,
        (true, Some(_)) => StraceUse::Used,
    };

    let mut env = condago_oracle::clean_env(&request.home, &request.inherited_path, &request.env);
    env.extend(events::tracing_env(request.shell));
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    // `sh` opens the trace file on fd 9 (bash's BASH_XTRACEFD), then replaces itself with
    // `env -i …`, which replaces itself with the shell: one process, the exact environment.
    args.push("-c".into());
    args.push("exec 9>\"$0\" || exit 125; exec \"$@\"".into());
    args.push(trace_file.clone().into());
    if strace == StraceUse::Used {
        if let Some(path) = find_strace() {
            args.push(path.into());
            for flag in [
                "-f",
                // Stops only at the calls asked for: tracing costs little.
                "--seccomp-bpf",
                "-q",
                "-tt",
                "-s",
                "4096",
                "-e",
                "trace=execve,openat,open",
                "-e",
                "signal=none",
                "-o",
            ] {
                args.push(flag.into());
            }
            args.push(strace_file.clone().into());
        }
    }
    args.push("/usr/bin/env".into());
    args.push("-i".into());
    for (name, value) in &env {
        args.push(format!("{name}={value}").into());
    }
    args.push(program.clone().into());
    for flag in events::shell_flags(request.shell, request.mode) {
        args.push(flag.into());
    }
    args.push("-c".into());
    args.push(events::final_probe(request.shell).into());

    let started = Instant::now();
    let raw = condago_oracle::execute(
        Path::new("/bin/sh"),
        &args,
        &[],
        &request.home,
        request.timeout,
    );
    let seconds = started.elapsed().as_secs_f64();
    if raw.status == Some(125) && !trace_file.exists() {
        return Err(format!(
            "cannot open the trace file in {}",
            work.path().display()
        ));
    }
    let stdout = String::from_utf8_lossy(&raw.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&raw.stderr).into_owned();
    let xtrace = std::fs::read(&trace_file)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let final_path = stdout
        .lines()
        .rev()
        .find_map(|line| line.strip_prefix(FINAL_MARK))
        .map(split_path);
    let syscalls = match strace {
        StraceUse::Used => std::fs::read(&strace_file)
            .map(|b| strace::parse(&String::from_utf8_lossy(&b)))
            .ok(),
        _ => None,
    };
    let home = request.home.to_string_lossy().into_owned();
    let inherited = split_path(&request.inherited_path);
    let model = condago_startup::analyze(request.shell, request.mode, &model_inputs(request));
    let parsed = events::parse(request.shell, &xtrace, &stderr);
    let built = events::build(
        request.shell,
        &parsed,
        &inherited,
        final_path.as_deref(),
        &model,
    );
    let files = files_seen(&built, syscalls.as_ref(), &model, &home);
    let programs = syscalls
        .as_ref()
        .map(|s| s.programs.clone())
        .unwrap_or_default();
    let timed_out = raw.timed_out.then(|| built.last_place.clone());
    Ok(Trace {
        shell: request.shell,
        mode: request.mode,
        home,
        inherited,
        attribution: built.attribution,
        strace,
        files,
        changes: built.changes,
        programs,
        final_path,
        untracked: built.untracked,
        timed_out,
        timeout: request.timeout,
        status: raw.status,
        stderr: events::strip_trace_lines(request.shell, &stderr),
        seconds,
    })
}

/// `PATH` split on `:` (an empty `PATH` has no entries).
pub(crate) fn split_path(path: &str) -> Vec<String> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split(':').map(str::to_string).collect()
}

/// The files the shell read: from the system calls where recorded, else from the trace.
fn files_seen(
    built: &events::Built,
    syscalls: Option<&strace::Syscalls>,
    model: &condago_startup::Startup,
    home: &str,
) -> Vec<FileSeen> {
    let depth_of = |path: &str| {
        built
            .sourced_from
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, from, depth)| (Some(from.clone()), *depth))
            .unwrap_or((None, 0))
    };
    let Some(syscalls) = syscalls else {
        return built
            .files
            .iter()
            .map(|path| {
                let (from, depth) = depth_of(path);
                FileSeen {
                    path: path.clone(),
                    error: None,
                    from,
                    depth,
                }
            })
            .collect();
    };
    let known = |path: &str| {
        built.files.iter().any(|f| f == path)
            || built.sourced_from.iter().any(|(p, _, _)| p == path)
            || model.files.iter().any(|f| f.path == path)
            || is_startup_candidate(path, home)
    };
    let mut seen: Vec<FileSeen> = Vec::new();
    for open in &syscalls.opens {
        if open.pid != syscalls.shell_pid || !known(&open.path) {
            continue;
        }
        if open.path.ends_with('/') || Path::new(&open.path).is_dir() {
            continue;
        }
        let (from, depth) = depth_of(&open.path);
        let file = FileSeen {
            path: open.path.clone(),
            error: open.error.clone(),
            from,
            depth,
        };
        if seen.last() != Some(&file) {
            seen.push(file);
        }
    }
    seen
}

/// A file under the home directory or `/etc` that a shell opens while starting (not
/// history, caches or its own binary's libraries).
fn is_startup_candidate(path: &str, home: &str) -> bool {
    let under_home = path.starts_with(&format!("{}/", home.trim_end_matches('/')));
    let noise = [
        "_history",
        ".zcompdump",
        "fish_variables",
        "/.cache/",
        "/fish/functions/",
        "/fish/completions/",
    ];
    under_home && !noise.iter().any(|n| path.contains(n))
}
