//! The real shells as a test oracle.
//!
//! condago's rules claim that a line breaks `PATH`; the tests of those rules prove each claim
//! by running the snippet in the real shell (bash, zsh, fish, `/bin/sh`) in a clean
//! environment and a throwaway home directory, then reading the environment a child process
//! sees. `condago lint` and the language server never run a shell; `condago trace` (which
//! says plainly that it runs the startup files) uses this crate's clean environment and
//! process group handling, so that what it shows is what these tests check.
//!
//! Every run has a clean environment (`HOME`, `PATH` and nothing else unless asked), no user
//! startup files unless asked, `/dev/null` as standard input, its own session and process
//! group (so an interactive shell cannot grab a terminal), and a timeout after which the whole
//! process group is killed.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A shell the oracle can run; `Sh` is `/bin/sh` (dash on Debian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OracleShell {
    /// GNU bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// `/bin/sh` (dash on Debian).
    Sh,
}

/// How [`startup_path`] starts the shell, which decides the startup files it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `shell -c` (scripts, IDE tasks, `ssh host cmd` for zsh).
    NonInteractive,
    /// `shell -i -c` (a terminal tab that is not a login shell).
    Interactive,
    /// `shell -l -c` (a login shell that runs a command).
    Login,
    /// `shell -i -l -c` (macOS Terminal, `ssh host`, a console login).
    InteractiveLogin,
}

/// What one run of a shell produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellRun {
    /// Standard output of the snippet or startup files, without the probe's output.
    pub stdout: String,
    /// Standard error, as the shell wrote it.
    pub stderr: String,
    /// Exit status of the snippet (the probe keeps it); `None` when killed by a signal.
    pub status: Option<i32>,
    /// Whether the run was killed at the timeout.
    pub timed_out: bool,
    /// The environment a child program saw after the run (`/usr/bin/env`); `None` when the probe never ran.
    pub exported: Option<Vec<(String, String)>>,
}

/// Where a command name was found after a snippet ran ([`lookup_after`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// What the shell itself finds at its own prompt (`type -P`, `whence -p`, `command -s`, `command -v`).
    pub shell_finds: Option<String>,
    /// What a child process finds with the exported `PATH` (dash's `command -v`, no tilde expansion).
    pub child_finds: Option<String>,
}

/// A throwaway home directory for one fake user, removed when dropped.
#[derive(Debug)]
pub struct FakeHome {
    dir: tempfile::TempDir,
    fish_config: tempfile::TempDir,
    env: Vec<(String, String)>,
    timeout: Duration,
}

/// How long a run may take before its process group is killed, unless [`FakeHome::set_timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The `PATH` every snippet run starts with.
pub const SNIPPET_PATH: &str = "/usr/bin:/bin";

/// Finds the shell's binary; when missing prints "SKIPPED: <shell> is not installed" and returns `None` (panics under `CI=true`).
pub fn require(shell: OracleShell) -> Option<PathBuf> {
    if let Some(found) = find_shell(shell) {
        return Some(found);
    }
    let name = shell.name();
    if env::var("CI").as_deref() == Ok("true") {
        panic!(
            "{name} is not installed, and CI=true makes a missing shell a failure: install {name}"
        );
    }
    eprintln!(
        "SKIPPED: {name} is not installed; the real-shell test that needs it did not run \
         (in CI, CI=true turns this into a failure)"
    );
    None
}

/// Runs `snippet` with `HOME=<home>`, `PATH=/usr/bin:/bin`, no user startup files (fish: an empty config dir), then probes the exported environment.
pub fn run_snippet(shell: OracleShell, home: &FakeHome, snippet: &str) -> Option<ShellRun> {
    let program = require(shell)?;
    let script = format!("{snippet}{}", probe(shell, &[]));
    Some(shell_run(run_clean(shell, &program, home, script)).0)
}

/// The exported `PATH` entries (split on `:`) a child program sees after `snippet` ran; panics if the probe never ran.
pub fn path_after(shell: OracleShell, home: &FakeHome, snippet: &str) -> Option<Vec<String>> {
    let run = run_snippet(shell, home, snippet)?;
    match run.path_entries() {
        Some(entries) => Some(entries),
        None => panic!(
            "{}: no exported PATH after the snippet (it exited, failed to parse, or unexported PATH)\n\
             snippet:\n{snippet}\nstatus: {:?}, timed out: {}\nstdout:\n{}\nstderr:\n{}",
            shell.name(),
            run.status,
            run.timed_out,
            run.stdout,
            run.stderr
        ),
    }
}

/// Where `name` is found after `snippet` ran: by the shell itself and by a child process; panics if the probe never ran.
pub fn lookup_after(
    shell: OracleShell,
    home: &FakeHome,
    snippet: &str,
    name: &str,
) -> Option<Lookup> {
    let program = require(shell)?;
    let own = match shell {
        OracleShell::Bash => format!("type -P {}", quote(shell, name)),
        OracleShell::Zsh => format!("whence -p {}", quote(shell, name)),
        OracleShell::Fish => format!("command -s {}", quote(shell, name)),
        OracleShell::Sh => format!("command -v {}", quote(shell, name)),
    };
    let child = format!(
        "{} -c 'command -v \"$1\"' sh {}",
        child_shell(),
        quote(shell, name)
    );
    let script = format!(
        "{snippet}{}",
        probe(shell, &[("shell", own.as_str()), ("child", child.as_str())])
    );
    let (run, sections) = shell_run(run_clean(shell, &program, home, script));
    if run.exported.is_none() {
        panic!(
            "{}: the lookup probe never ran (the snippet exited or failed to parse)\n\
             snippet:\n{snippet}\nstatus: {:?}, timed out: {}\nstdout:\n{}\nstderr:\n{}",
            shell.name(),
            run.status,
            run.timed_out,
            run.stdout,
            run.stderr
        );
    }
    let found = |label: &str| {
        sections
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, text)| text.trim_end_matches('\n').to_owned())
            .filter(|text| !text.is_empty())
    };
    Some(Lookup {
        shell_finds: found("shell"),
        child_finds: found("child"),
    })
}

/// Starts the shell in `mode` with `HOME=<home>`, `PATH=<inherited_path>`, reading its real startup files (`/etc` and the home); returns the exported `PATH` entries (empty if the shell exited first) and the run.
pub fn startup_path(
    shell: OracleShell,
    mode: Mode,
    home: &FakeHome,
    inherited_path: &str,
) -> Option<(Vec<String>, ShellRun)> {
    let program = require(shell)?;
    let mut args: Vec<OsString> = Vec::new();
    if matches!(mode, Mode::Interactive | Mode::InteractiveLogin) {
        args.push("-i".into());
    }
    if matches!(mode, Mode::Login | Mode::InteractiveLogin) {
        args.push("-l".into());
    }
    args.push("-c".into());
    args.push(probe(shell, &[]).trim_start().into());
    let env = base_env(home, inherited_path);
    let raw = execute(&program, &args, &env, home.path(), home.timeout);
    let run = shell_run(raw).0;
    Some((run.path_entries().unwrap_or_default(), run))
}

/// Parses `text` without running it (`bash -n`, `zsh -n`, `fish --no-execute`, `sh -n`): `Ok(())` or `Err(stderr)`.
pub fn syntax_check(shell: OracleShell, text: &str) -> Option<Result<(), String>> {
    let program = require(shell)?;
    let dir = tempfile::tempdir().expect("create a temporary directory for the syntax check");
    let file = dir.path().join("snippet");
    fs::write(&file, text).expect("write the text to check");
    let flags: &[&str] = match shell {
        OracleShell::Bash => &["--norc", "--noprofile", "-n"],
        OracleShell::Zsh => &["-f", "-n"],
        OracleShell::Fish => &["--no-config", "--no-execute"],
        OracleShell::Sh => &["-n"],
    };
    let mut args: Vec<OsString> = flags.iter().map(OsString::from).collect();
    args.push(file.clone().into());
    let env = vec![
        ("HOME".to_owned(), dir.path().to_string_lossy().into_owned()),
        ("PATH".to_owned(), SNIPPET_PATH.to_owned()),
    ];
    let raw = execute(&program, &args, &env, dir.path(), DEFAULT_TIMEOUT);
    let stderr = String::from_utf8_lossy(&raw.stderr).replace(&*file.to_string_lossy(), "snippet");
    if raw.timed_out {
        return Some(Err(format!(
            "timed out after {DEFAULT_TIMEOUT:?}\n{stderr}"
        )));
    }
    if raw.status == Some(0) && stderr.trim().is_empty() {
        Some(Ok(()))
    } else {
        Some(Err(stderr))
    }
}

impl OracleShell {
    /// Every shell the oracle knows, in a fixed order.
    pub const ALL: [OracleShell; 4] = [
        OracleShell::Bash,
        OracleShell::Zsh,
        OracleShell::Fish,
        OracleShell::Sh,
    ];

    /// The shell's program name: `bash`, `zsh`, `fish` or `sh`.
    pub fn name(self) -> &'static str {
        match self {
            OracleShell::Bash => "bash",
            OracleShell::Zsh => "zsh",
            OracleShell::Fish => "fish",
            OracleShell::Sh => "sh",
        }
    }
}

impl ShellRun {
    /// The value of an exported variable after the run; `None` if it was not exported or the probe never ran.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.exported
            .as_ref()?
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The exported `PATH` split on `:` (an empty `PATH` is one empty entry); `None` if not exported or the probe never ran.
    pub fn path_entries(&self) -> Option<Vec<String>> {
        self.var("PATH")
            .map(|path| path.split(':').map(str::to_owned).collect())
    }
}

impl FakeHome {
    /// Creates an empty home directory under the system's temporary directory.
    pub fn new() -> FakeHome {
        FakeHome {
            dir: tempfile::Builder::new()
                .prefix("condago-home-")
                .tempdir()
                .expect("create a temporary home directory"),
            fish_config: tempfile::Builder::new()
                .prefix("condago-fish-config-")
                .tempdir()
                .expect("create an empty fish configuration directory"),
            env: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A fresh home holding a copy of `fixture` (a directory laid out like a home), with
    /// `/home/u` in its text files replaced by the new home's path and modes kept.
    pub fn from_fixture(fixture: &Path) -> FakeHome {
        let home = FakeHome::new();
        home.copy_in(fixture, Path::new(""));
        home
    }

    fn copy_in(&self, from: &Path, relative: &Path) {
        let target = self.path().to_string_lossy().into_owned();
        let mut entries: Vec<_> = fs::read_dir(from)
            .unwrap_or_else(|e| panic!("read {}: {e}", from.display()))
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let source = entry.path();
            let inside = relative.join(entry.file_name());
            if source.is_dir() {
                fs::create_dir_all(self.path().join(&inside)).expect("create a directory");
                self.copy_in(&source, &inside);
                continue;
            }
            let bytes =
                fs::read(&source).unwrap_or_else(|e| panic!("read {}: {e}", source.display()));
            let bytes = match String::from_utf8(bytes) {
                Ok(text) => text.replace("/home/u", &target).into_bytes(),
                Err(error) => error.into_bytes(),
            };
            let mode = fs::metadata(&source)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o644);
            if mode & 0o111 != 0 {
                self.write_executable(&inside, bytes);
            } else {
                self.write(&inside, bytes);
            }
        }
    }

    /// The home directory's absolute path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Exports `name=value` in every run in this home (after `HOME` and `PATH`, so it may override them).
    pub fn set_env(&mut self, name: &str, value: &str) -> &mut FakeHome {
        self.env.retain(|(key, _)| key != name);
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the timeout of every run in this home (default [`DEFAULT_TIMEOUT`]).
    pub fn set_timeout(&mut self, timeout: Duration) -> &mut FakeHome {
        self.timeout = timeout;
        self
    }

    /// Writes `contents` to `relative` (a path inside the home), creating parent directories; returns the absolute path.
    pub fn write(&self, relative: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.inside(relative.as_ref());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("create directory {}: {e}", parent.display()));
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        path
    }

    /// Like [`FakeHome::write`], then makes the file executable (mode 755).
    pub fn write_executable(
        &self,
        relative: impl AsRef<Path>,
        contents: impl AsRef<[u8]>,
    ) -> PathBuf {
        let path = self.write(relative, contents);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("make {} executable: {e}", path.display()));
        path
    }

    /// Creates an executable `<dir>/<name>` (dir relative to the home) that prints its own absolute path; returns that path.
    pub fn stub(&self, dir: impl AsRef<Path>, name: &str) -> PathBuf {
        let path = self.inside(&dir.as_ref().join(name));
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' {}\n",
            quote(OracleShell::Sh, &path.to_string_lossy())
        );
        self.write_executable(&path, script)
    }

    fn inside(&self, relative: &Path) -> PathBuf {
        if relative.is_absolute() {
            assert!(
                relative.starts_with(self.path()),
                "{} is outside the fake home {}",
                relative.display(),
                self.path().display()
            );
        }
        self.path().join(relative)
    }
}

impl Default for FakeHome {
    fn default() -> FakeHome {
        FakeHome::new()
    }
}

/// Separates the probe's output from the snippet's; no real snippet prints it.
const MARKER: &str = "__condago_oracle_probe_5b1e7d__";

/// Raw result of one process run ([`execute`]).
#[derive(Debug)]
pub struct RawRun {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status; `None` when killed by a signal or at the timeout.
    pub status: Option<i32>,
    /// Whether the run was killed at the timeout.
    pub timed_out: bool,
}

/// Where `shell`'s program is: the first executable `shell.name()` on `PATH`, `/usr/bin`,
/// `/bin` or `/usr/local/bin`; `/bin/sh` for [`OracleShell::Sh`].
pub fn find_shell(shell: OracleShell) -> Option<PathBuf> {
    if shell == OracleShell::Sh {
        return Some(PathBuf::from("/bin/sh")).filter(|p| is_executable(p));
    }
    let mut dirs: Vec<PathBuf> = env::var_os("PATH")
        .map(|path| env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/bin", "/bin", "/usr/local/bin"].map(PathBuf::from));
    dirs.into_iter()
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(shell.name()))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path)
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs `script` with `-c` in a clean environment, kept away from the user's startup files:
/// `bash --norc --noprofile`, `zsh -f`, `sh`; fish runs with an empty configuration directory
/// instead of `--no-config`, because `--no-config` also skips fish's own
/// `$__fish_data_dir/config.fish`, which makes `fish_user_paths` and `fish_add_path` work.
fn run_clean(shell: OracleShell, program: &Path, home: &FakeHome, script: String) -> RawRun {
    let flags: &[&str] = match shell {
        OracleShell::Bash => &["--norc", "--noprofile"],
        OracleShell::Zsh => &["-f"],
        OracleShell::Fish | OracleShell::Sh => &[],
    };
    let mut args: Vec<OsString> = flags.iter().map(OsString::from).collect();
    args.push("-c".into());
    args.push(script.into());
    let mut env = base_env(home, SNIPPET_PATH);
    if shell == OracleShell::Fish && !home.env.iter().any(|(k, _)| k == "XDG_CONFIG_HOME") {
        let config = home.fish_config.path().to_string_lossy().into_owned();
        env.push(("XDG_CONFIG_HOME".to_owned(), config));
    }
    execute(program, &args, &env, home.path(), home.timeout)
}

/// The shell a child lookup runs in: dash when installed (never expands `~` in `PATH`), else `/bin/sh`.
fn child_shell() -> &'static str {
    ["/bin/dash", "/usr/bin/dash"]
        .into_iter()
        .find(|p| is_executable(Path::new(p)))
        .unwrap_or("/bin/sh")
}

fn base_env(home: &FakeHome, path: &str) -> Vec<(String, String)> {
    clean_env(home.path(), path, &home.env)
}

/// The clean environment every real-shell run starts from: `HOME`, `PATH` and nothing else
/// but `extra` (which may override them). `condago trace` runs the shells in it too, so
/// that what it shows is what the oracle tests check.
pub fn clean_env(home: &Path, path: &str, extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("HOME".to_owned(), home.to_string_lossy().into_owned()),
        ("PATH".to_owned(), path.to_owned()),
    ];
    for (key, value) in extra {
        env.retain(|(k, _)| k != key);
        env.push((key.clone(), value.clone()));
    }
    env
}

/// Quotes `text` as one word for `shell`.
fn quote(shell: OracleShell, text: &str) -> String {
    match shell {
        OracleShell::Fish => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        _ => format!("'{}'", text.replace('\'', "'\\''")),
    }
}

/// Shell code appended to a snippet: keeps its status, prints the exported environment as
/// `/usr/bin/env` sees it, then each extra section, each after a marker line.
fn probe(shell: OracleShell, sections: &[(&str, &str)]) -> String {
    let mark = |label: &str| format!("/usr/bin/printf '\\n%s\\n' '{MARKER}:{label}'\n");
    let mut code = String::from("\n");
    code.push_str(match shell {
        OracleShell::Fish => "set -l __condago_status $status\n",
        _ => "__condago_status=$?\n",
    });
    code.push_str(&mark("env"));
    code.push_str("/usr/bin/env -0\n");
    for (label, command) in sections {
        code.push_str(&mark(label));
        code.push_str(command);
        code.push('\n');
    }
    code.push_str("exit $__condago_status\n");
    code
}

/// Splits the probe's output off a raw run; returns the run and the extra sections.
fn shell_run(raw: RawRun) -> (ShellRun, Vec<(String, String)>) {
    let stdout = String::from_utf8_lossy(&raw.stdout).into_owned();
    let first = format!("\n{MARKER}:");
    let (own, exported, sections) = match stdout.find(&first) {
        None => (stdout, None, Vec::new()),
        Some(at) => {
            let mut sections: Vec<(String, String)> = stdout[at + first.len()..]
                .split(&first)
                .map(|section| {
                    let (label, text) = section.split_once('\n').unwrap_or((section, ""));
                    (label.to_owned(), text.to_owned())
                })
                .collect();
            let exported = sections
                .iter()
                .position(|(label, _)| label == "env")
                .map(|i| parse_env(&sections.remove(i).1));
            (stdout[..at].to_owned(), exported, sections)
        }
    };
    let run = ShellRun {
        stdout: own,
        stderr: String::from_utf8_lossy(&raw.stderr).into_owned(),
        status: raw.status,
        timed_out: raw.timed_out,
        exported,
    };
    (run, sections)
}

/// Parses `env -0` output: NUL-separated `NAME=value` pairs.
fn parse_env(text: &str) -> Vec<(String, String)> {
    text.split('\0')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// Runs `program` in its own session and process group with exactly `env`, stdin `/dev/null`,
/// and kills the whole group at `timeout` (and after exit, for anything it left behind).
pub fn execute(
    program: &Path,
    args: &[OsString],
    env: &[(String, String)],
    cwd: &Path,
    timeout: Duration,
) -> RawRun {
    // `setsid` (util-linux) gives the shell a new session without a controlling terminal, so an
    // interactive shell cannot stop on the test runner's terminal; it never forks here because a
    // fresh child is not a process group leader, so the session id is the child's pid.
    let mut command = match ["/usr/bin/setsid", "/bin/setsid"]
        .into_iter()
        .find(|p| is_executable(Path::new(p)))
    {
        Some(setsid) => {
            let mut command = Command::new(setsid);
            command.arg(program);
            command
        }
        None => {
            let mut command = Command::new(program);
            command.process_group(0);
            command
        }
    };
    command
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
    let group = child.id();
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                kill_group(group);
                let _ = child.kill();
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    // Background jobs the snippet started would keep the pipes open: end them too.
    kill_group(group);
    let grace = Duration::from_secs(2);
    let status = status.and_then(|s| s.code());
    RawRun {
        stdout: stdout.recv_timeout(grace).unwrap_or_default(),
        stderr: stderr.recv_timeout(grace).unwrap_or_default(),
        status: if timed_out { None } else { status },
        timed_out,
    }
}

/// Reads a pipe to its end on a thread; the bytes arrive on the returned channel.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = send.send(bytes);
    });
    receive
}

/// Sends SIGKILL to the process group `group` (the one this crate created for a run).
fn kill_group(group: u32) {
    let _ = Command::new("/bin/sh")
        .args(["-c", "kill -s KILL -- \"-$1\" 2>/dev/null", "sh"])
        .arg(group.to_string())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
