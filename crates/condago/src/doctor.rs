//! `condago doctor [TOOL]`: why this terminal's `PATH` is what it is. It reads the process
//! chain from `/proc` (`ps` where there is none), puts this `PATH`, a fresh shell's (traced:
//! that RUNS the startup files, unless `--no-trace`) and the model's side by side, says in
//! words why they differ, and prints the commands that confirm each claim. It changes
//! nothing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use condago_startup::{analyze, short_path, Inputs, Mode, StartupShell};

use crate::exit;
use crate::trace::{resolve, run, split_path, Request};

/// Options of `condago doctor`.
#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    /// Show where this command resolves in each PATH.
    pub tool: Option<String>,
    /// Do not run a fresh shell (tracing one RUNS your startup files).
    #[arg(long)]
    pub no_trace: bool,
    /// The PATH a fresh shell inherits.
    #[arg(long, value_name = "PATH", default_value = condago_startup::DEFAULT_INHERITED_PATH)]
    pub inherited_path: String,
    /// Read processes from DIR instead of /proc (for tests).
    #[arg(long, value_name = "DIR", default_value = "/proc", hide = true)]
    pub proc_root: PathBuf,
    /// Start the process chain at this pid instead of this process's parent (for tests).
    #[arg(long, hide = true)]
    pub pid: Option<u32>,
}

/// One process in the chain.
#[derive(Debug, Clone)]
struct Process {
    pid: u32,
    ppid: u32,
    /// The program's name (`comm`).
    name: String,
    argv: Vec<String>,
    /// Seconds since the epoch, when known.
    started: Option<u64>,
}

impl Process {
    /// The shell this process is, if it is one.
    fn shell(&self) -> Option<StartupShell> {
        StartupShell::from_name(&self.name)
            .or_else(|| self.argv.first().and_then(|a| StartupShell::from_name(a)))
    }

    /// A login shell: `-bash` as its name, or `-l`/`--login`.
    fn login(&self) -> bool {
        self.argv.first().is_some_and(|a| a.starts_with('-'))
            || self.argv.iter().skip(1).any(|a| {
                a == "--login" || (a.starts_with('-') && !a.starts_with("--") && a.contains('l'))
            })
    }

    /// An interactive shell: `-i`, or no `-c` and no script to run.
    fn interactive(&self) -> bool {
        let args: Vec<&String> = self.argv.iter().skip(1).collect();
        let flag = |c: char| {
            args.iter()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(c))
        };
        flag('i') || (!flag('c') && !args.iter().any(|a| !a.starts_with('-')))
    }

    fn shown(&self) -> String {
        let mut args = self.argv.join(" ");
        if args.chars().count() > 80 {
            args = args.chars().take(77).collect::<String>() + "...";
        }
        if args.is_empty() {
            format!("{} (pid {})", self.name, self.pid)
        } else {
            format!("{args} (pid {})", self.pid)
        }
    }
}

/// Runs `condago doctor`.
pub(crate) fn doctor(args: &DoctorArgs) -> u8 {
    let start = args.pid.or_else(|| parent_of_self(&args.proc_root));
    let chain = match start {
        Some(pid) => ancestry(&args.proc_root, pid),
        None => Vec::new(),
    };
    let home = match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home),
        None => {
            eprintln!("condago: error: HOME is not set");
            return exit::ERROR;
        }
    };
    let home_text = home.to_string_lossy().into_owned();
    let short = |p: &str| short_path(p, &home_text);
    let current = std::env::var("PATH").unwrap_or_default();
    let current = split_path(&current);
    let mut out = String::new();
    let mut confirm: Vec<String> = Vec::new();

    let _ = writeln!(out, "process chain (this shell first):");
    if chain.is_empty() {
        let _ = writeln!(
            out,
            "  (not readable: no {} and no ps)",
            args.proc_root.display()
        );
    }
    for (i, process) in chain.iter().enumerate() {
        let arrow = if i == 0 { "  " } else { "  ← " };
        let _ = writeln!(out, "{arrow}{}", process.shown());
    }
    let shell_process = chain.iter().find(|p| p.shell().is_some());
    let (shell, mode) = match shell_process {
        Some(p) => {
            let mode = match (p.login(), p.interactive()) {
                (true, true) => Mode::InteractiveLogin,
                (true, false) => Mode::Login,
                (false, true) => Mode::Interactive,
                (false, false) => Mode::NonInteractive,
            };
            (p.shell().unwrap_or(StartupShell::Bash), mode)
        }
        None => (
            crate::startup_command::login_shell().unwrap_or(StartupShell::Bash),
            Mode::Interactive,
        ),
    };
    let _ = writeln!(
        out,
        "this shell: {} {} — {}, {}",
        shell.name(),
        mode.name(),
        if mode.login() {
            "a login shell"
        } else {
            "not a login shell"
        },
        if mode.interactive() {
            "interactive"
        } else {
            "not interactive"
        }
    );
    if let Some(p) = shell_process {
        confirm.push(format!(
            "ps -o pid,ppid,args -p {}   # a login shell's name starts with `-`",
            p.pid
        ));
    }
    let mut inputs = Inputs::new(&home);
    inputs.set_env("PATH", &args.inherited_path);
    for name in ["ZDOTDIR", "XDG_CONFIG_HOME", "BASH_ENV"] {
        if let Ok(value) = std::env::var(name) {
            inputs.set_env(name, &value);
        }
    }
    let model = analyze(shell, mode, &inputs);
    let _ = writeln!(out, "startup files this mode reads:");
    for file in &model.files {
        let _ = writeln!(out, "  {}{}", "  ".repeat(file.depth), short(&file.path));
    }

    let fresh = if args.no_trace {
        None
    } else {
        let request = Request {
            shell,
            mode,
            home: home.clone(),
            inherited_path: args.inherited_path.clone(),
            env: Vec::new(),
            timeout: Duration::from_secs(10),
            strace: false,
        };
        match run(&request) {
            Ok(trace) => trace.final_path,
            Err(error) => {
                let _ = writeln!(out, "(no fresh shell: {error})");
                None
            }
        }
    };
    let predicted = model.path_strings();
    let _ = writeln!(out, "PATH, side by side:");
    let columns: Vec<(&str, Option<&Vec<String>>)> = vec![
        ("this shell", Some(&current)),
        (
            if args.no_trace {
                "a fresh shell (not run: --no-trace)"
            } else {
                "a fresh shell (its startup files RAN)"
            },
            fresh.as_ref(),
        ),
        ("condago's model", Some(&predicted)),
    ];
    for (label, path) in &columns {
        let _ = writeln!(out, "  {label}:");
        match path {
            Some(path) => {
                for entry in path.iter() {
                    let _ = writeln!(out, "    {}", short(entry));
                }
            }
            None => {
                let _ = writeln!(out, "    (not known)");
            }
        }
        if let (Some(tool), Some(path)) = (&args.tool, path) {
            let winner = resolve(path, tool);
            let _ = writeln!(
                out,
                "    → {tool}: {}",
                winner.as_deref().map(short).unwrap_or("not found".into())
            );
        }
    }

    let mut reasons: Vec<String> = Vec::new();
    if let Ok(prefix) = std::env::var("CONDA_PREFIX") {
        let name = std::env::var("CONDA_DEFAULT_ENV").unwrap_or_else(|_| {
            Path::new(&prefix)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let bin = format!("{}/bin", prefix.trim_end_matches('/'));
        let place = match current.iter().position(|e| *e == bin) {
            Some(0) => "comes first".to_string(),
            Some(i) => format!("is entry {} of this PATH", i + 1),
            None => "is not in this PATH".to_string(),
        };
        reasons.push(format!(
            "conda environment `{name}` is active (CONDA_PREFIX={}): $CONDA_PREFIX/bin {place}",
            short(&prefix)
        ));
        confirm.push("echo \"$CONDA_PREFIX\"; conda info --envs".to_string());
    }
    if std::env::var_os("TMUX").is_some() {
        let server = chain.iter().find(|p| p.name.starts_with("tmux"));
        let when = server
            .and_then(|p| p.started)
            .map(|t| format!(" when it started at {}", clock(t)))
            .unwrap_or_default();
        reasons.push(format!(
            "inside tmux: the tmux server kept the environment it had{when} (see `tmux show-environment -g PATH`); panes inherit that snapshot"
        ));
        confirm.push("tmux show-environment -g PATH".to_string());
    }
    if !mode.login() && !chain.iter().any(Process::login) {
        if let Some(parent) = chain
            .iter()
            .skip_while(|p| p.shell().is_some())
            .find(|p| p.shell().is_none() && !p.name.starts_with("tmux"))
        {
            let login_files: Vec<String> = analyze(shell, Mode::Login, &inputs)
                .files
                .iter()
                .filter(|f| !model.reads(&f.real))
                .map(|f| short(&f.path))
                .collect();
            let files = if login_files.is_empty() {
                "the login files".to_string()
            } else {
                login_files.join(", ")
            };
            reasons.push(format!(
                "this shell inherited PATH from `{}` (pid {}), which was not started from a login shell, so {files} never ran",
                parent.name, parent.pid
            ));
            confirm.push(format!("ps -o pid,args -p {}", parent.pid));
            confirm.push(format!(
                "tr '\\0' '\\n' < /proc/{}/environ | grep '^PATH='",
                parent.pid
            ));
        }
    }
    if let Some(fresh) = &fresh {
        let only_here: Vec<String> = current
            .iter()
            .filter(|e| !fresh.contains(e))
            .map(|e| short(e))
            .collect();
        let only_fresh: Vec<String> = fresh
            .iter()
            .filter(|e| !current.contains(e))
            .map(|e| short(e))
            .collect();
        if !only_here.is_empty() {
            reasons.push(format!(
                "in this PATH but not in a fresh shell's: {} (added after startup, or inherited)",
                only_here.join(", ")
            ));
        }
        if !only_fresh.is_empty() {
            reasons.push(format!(
                "in a fresh shell's PATH but not in this one: {} (the startup files changed since this shell started, or did not run here)",
                only_fresh.join(", ")
            ));
        }
        confirm.push(format!(
            "condago trace --shell {} --mode {}{}",
            shell.name(),
            mode.name(),
            args.tool
                .as_deref()
                .map(|t| format!(" {t}"))
                .unwrap_or_default()
        ));
    }
    let _ = writeln!(out, "why:");
    if reasons.is_empty() {
        let _ = writeln!(out, "  nothing unusual found");
    }
    for reason in &reasons {
        let _ = writeln!(out, "  - {reason}");
    }
    let _ = writeln!(out, "to confirm (condago changed nothing):");
    for command in &confirm {
        let _ = writeln!(out, "  $ {command}");
    }
    print!("{out}");
    exit::CLEAN
}

/// The parent of this process, from `/proc/self/stat`.
fn parent_of_self(proc_root: &Path) -> Option<u32> {
    let stat = std::fs::read_to_string(proc_root.join("self/stat")).ok()?;
    parse_stat(&stat).map(|(ppid, _, _)| ppid)
}

/// `(ppid, comm, starttime in clock ticks)` from a `stat` line.
fn parse_stat(stat: &str) -> Option<(u32, String, Option<u64>)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_string();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After `)`: state is field 3, ppid field 4, starttime field 22.
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19).and_then(|s| s.parse().ok());
    Some((ppid, name, start))
}

/// The chain from `pid` up to the first process, from `/proc` or else `ps`.
fn ancestry(proc_root: &Path, pid: u32) -> Vec<Process> {
    let boot = std::fs::read_to_string(proc_root.join("stat"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("btime "))
                .and_then(|v| v.trim().parse::<u64>().ok())
        });
    let mut chain = Vec::new();
    let mut next = pid;
    while next > 0 && chain.len() < 64 {
        let dir = proc_root.join(next.to_string());
        let process = match std::fs::read_to_string(dir.join("stat")) {
            Ok(stat) => {
                let Some((ppid, name, ticks)) = parse_stat(&stat) else {
                    break;
                };
                let argv = std::fs::read(dir.join("cmdline"))
                    .map(|b| {
                        String::from_utf8_lossy(&b)
                            .split('\0')
                            .filter(|a| !a.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                // Clock ticks are 100 a second on Linux.
                let started = boot.zip(ticks).map(|(boot, ticks)| boot + ticks / 100);
                Process {
                    pid: next,
                    ppid,
                    name,
                    argv,
                    started,
                }
            }
            Err(_) if !proc_root.is_dir() => match from_ps(next) {
                Some(process) => process,
                None => break,
            },
            Err(_) => break,
        };
        next = process.ppid;
        chain.push(process);
    }
    chain
}

/// One process from `ps` (where there is no `/proc`).
fn from_ps(pid: u32) -> Option<Process> {
    let output = std::process::Command::new("ps")
        .args(["-o", "ppid=,comm=,args=", "-p", &pid.to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut words = text.split_whitespace();
    let ppid = words.next()?.parse().ok()?;
    let name = words.next()?.to_string();
    Some(Process {
        pid,
        ppid,
        name,
        argv: words.map(str::to_string).collect(),
        started: None,
    })
}

/// `HH:MM UTC` of a time in seconds since the epoch.
fn clock(seconds: u64) -> String {
    let day = seconds % 86_400;
    format!("{:02}:{:02} UTC", day / 3600, day % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_parse() {
        let stat =
            "4242 (tmux: server) S 1 4242 4242 0 -1 4194368 1 0 0 0 0 0 0 0 20 0 1 0 3300000 0";
        let (ppid, name, start) = parse_stat(stat).expect("a stat line");
        assert_eq!(
            (ppid, name.as_str(), start),
            (1, "tmux: server", Some(3_300_000))
        );
        assert_eq!(clock(1_700_000_000 + 33_000), "07:23 UTC");
    }
}
