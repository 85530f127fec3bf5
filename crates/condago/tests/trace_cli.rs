//! `condago trace`, run as users run it, against the real shells: on every fixture home
//! (`tests/fixtures/homes`) in bash, zsh and fish and every mode, the traced final `PATH` is
//! the one the shell really ends with (the oracle runs it untraced), the changes add up to
//! it, and where condago's model is complete each change is at the line the model (itself
//! checked against the real shells) names. Then the corners: an `eval "$(tool init)"` the
//! model cannot see, a missing sourced file, a `sleep 100`, a file that reads stdin.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use condago_oracle::{startup_path, FakeHome, Mode as OracleMode, OracleShell};
use serde_json::Value;

fn condago() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_condago"));
    command.env_remove("SHELL");
    command
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/homes")
}

/// A fixture home copied into a fresh one (`/home/u` becomes its path).
fn materialize(name: &str) -> FakeHome {
    FakeHome::from_fixture(&fixtures().join(name))
}

/// Variables a fixture's shells inherit besides `HOME` and `PATH` (`$HOME` is replaced).
fn extra_env(fixture: &str) -> Vec<(&'static str, &'static str)> {
    match fixture {
        "bash-env" => vec![("BASH_ENV", "$HOME/.bash_env")],
        _ => Vec::new(),
    }
}

const SHELLS: [(&str, OracleShell); 3] = [
    ("bash", OracleShell::Bash),
    ("zsh", OracleShell::Zsh),
    ("fish", OracleShell::Fish),
];

const MODES: [(&str, OracleMode); 4] = [
    ("login", OracleMode::Login),
    ("interactive", OracleMode::Interactive),
    ("non-interactive", OracleMode::NonInteractive),
    ("interactive-login", OracleMode::InteractiveLogin),
];

fn trace_json(home: &Path, shell: &str, mode: &str, extra: &[String]) -> (Value, Output) {
    let output = condago()
        .args([
            "trace", "--format", "json", "--check", "--shell", shell, "--mode", mode,
        ])
        .arg("--home")
        .arg(home)
        .args(extra)
        .output()
        .expect("run condago trace");
    let text = String::from_utf8_lossy(&output.stdout);
    let value: Value = serde_json::from_str(text.trim()).unwrap_or_else(|e| {
        panic!(
            "{shell} {mode}: not JSON ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (value, output)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn installed(shell: OracleShell) -> bool {
    condago_oracle::find_shell(shell).is_some()
}

/// Startups that tracing itself changes, or whose lines it cannot tell yet, and why
/// (docs/trace.md says so too).
const PERTURBED: &[(&str, &str, &str)] = &[
    (
        "shell-corners",
        "bash",
        "its `case $-` has an `*x*)` branch, and tracing turns on xtrace (`-x`)",
    ),
    (
        "fish-user-paths",
        "fish",
        "fish runs the handler that rebuilds PATH after `set fish_user_paths` without tracing it",
    ),
    (
        "zsh-path-forms",
        "zsh",
        "not yet: the trace does not read zsh's subscript assignment `path[1,0]=( … )` as a PATH change",
    ),
    (
        "tool-inits-after-conda",
        "fish",
        "not yet: the change `brew shellenv fish | source` makes is not matched to its line",
    ),
];

/// One fixture home, one shell, one mode: `None` when it agrees, else what differs.
fn check_one(name: &str, shell: (&str, OracleShell), mode: (&str, OracleMode)) -> Option<String> {
    if let Some((_, _, why)) = PERTURBED
        .iter()
        .find(|(home, s, _)| *home == name && *s == shell.0)
    {
        eprintln!("not compared: {name} {}: {why}", shell.0);
        return None;
    }
    let mut home = materialize(name);
    let home_path = home.path().to_string_lossy().into_owned();
    let mut extra = Vec::new();
    for (key, value) in extra_env(name) {
        let value = value.replace("$HOME", &home_path);
        home.set_env(key, &value);
        extra.push("--env".to_string());
        extra.push(format!("{key}={value}"));
    }
    // compinit under xtrace prints tens of thousands of lines: give it time on a busy machine.
    extra.extend(["--timeout".to_string(), "60".to_string()]);
    let (traced, output) = trace_json(home.path(), shell.0, mode.0, &extra);
    let (real, run) = startup_path(shell.1, mode.1, &home, "/usr/bin:/bin")?;
    let label = format!("{name} {} {}", shell.0, mode.0);
    let short = |v: &[String]| v.join(":").replace(&home_path, "~");
    // The shell exited (or exec'd) during startup: nothing to compare.
    run.exported.as_ref()?;
    let traced_final = strings(&traced["final_path"]);
    if traced_final != real {
        return Some(format!(
            "{label}: traced final PATH {}, the real shell's {}",
            short(&traced_final),
            short(&real)
        ));
    }
    if traced["untracked"] != Value::Bool(false) {
        return Some(format!(
            "{label}: the traced changes do not add up to the final PATH: {}",
            String::from_utf8_lossy(&output.stdout).replace(&home_path, "~")
        ));
    }
    let model_complete = Command::new(env!("CARGO_BIN_EXE_condago"))
        .args([
            "startup", "--format", "json", "--shell", shell.0, "--mode", mode.0,
        ])
        .arg("--home")
        .arg(home.path())
        .args(&extra[..extra.len() - 2])
        .output()
        .ok()
        .and_then(|o| serde_json::from_slice::<Value>(&o.stdout).ok())
        .is_some_and(|v| v["complete"] == Value::Bool(true));
    // Where the model is complete, every change is at the line it names. A change at the
    // right line whose intermediate PATH differs is the model's to fix, not the trace's:
    // it is reported, not failed.
    let divergences = strings(&traced["check"]["divergences"]);
    let (values, places): (Vec<&String>, Vec<&String>) = divergences
        .iter()
        .partition(|d| d.contains(", condago's model predicted "));
    for value in values {
        eprintln!(
            "model differs at a traced line: {label}: {}",
            value.replace(&home_path, "~")
        );
    }
    if model_complete && !places.is_empty() {
        return Some(format!(
            "{label}: the model is complete but the trace differs: {}",
            places[0].replace(&home_path, "~")
        ));
    }
    // Every change names a line of a file that was read.
    for change in traced["changes"].as_array().into_iter().flatten() {
        if change["file"].is_null() || change["line"].is_null() {
            return Some(format!("{label}: a change without its line: {change}"));
        }
    }
    None
}

#[test]
fn traced_path_is_the_real_shells_on_every_fixture_home() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/homes")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "at least 10 fixture homes");
    let mut jobs = Vec::new();
    for name in &names {
        for shell in SHELLS {
            if !installed(shell.1) {
                support::skip_or_fail(&format!("{} is not installed", shell.0));
                continue;
            }
            for mode in MODES {
                jobs.push((name.clone(), shell, mode));
            }
        }
    }
    let total = jobs.len();
    let jobs = Mutex::new(jobs);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let Some((name, shell, mode)) = jobs.lock().expect("lock").pop() else {
                    break;
                };
                if let Some(failure) = check_one(&name, shell, mode) {
                    failures.lock().expect("lock").push(failure);
                }
            });
        }
    });
    let mut failures = failures.into_inner().expect("failures");
    failures.sort();
    eprintln!(
        "{total} traces ({} fixture homes × 3 shells × 4 modes), {} differ",
        names.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_points_at_the_eval_line_the_model_cannot_see() {
    let cases = [
        (
            "bash",
            OracleShell::Bash,
            ".bashrc:2",
            "eval \"$(standin init bash)\"",
        ),
        (
            "zsh",
            OracleShell::Zsh,
            ".zshrc:2",
            "eval \"$(standin init zsh)\"",
        ),
        (
            "fish",
            OracleShell::Fish,
            "config.fish:2",
            "standin init fish | source",
        ),
    ];
    for (shell, oracle, place, line) in cases {
        if !installed(oracle) {
            support::skip_or_fail(&format!("{shell} is not installed"));
            continue;
        }
        let home = materialize("eval-stand-in");
        let (traced, output) = trace_json(home.path(), shell, "interactive", &[]);
        assert_eq!(output.status.code(), Some(1), "{shell}: --check exits 1");
        let shims = format!("{}/.standin/shims", home.path().display());
        let first = traced["check"]["first"].as_str().unwrap_or_default();
        assert!(
            first.contains(place) && first.contains(line) && first.contains("~/.standin/shims"),
            "{shell}: {first}"
        );
        let change = traced["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| strings(&c["added"]).contains(&shims)))
            .unwrap_or_else(|| panic!("{shell}: no change adds the shims: {traced}"));
        assert_eq!(change["line"], 2, "{shell}: {change}");
        assert_eq!(strings(&traced["final_path"])[0], shims, "{shell}");
    }
}

#[test]
fn a_missing_sourced_file_shows_enoent_with_strace() {
    if !Path::new("/usr/bin/strace").exists() {
        support::skip_or_fail("strace is not installed");
        return;
    }
    let home = FakeHome::new();
    home.write(
        ".bashrc",
        ". ~/.config/shell/gone.sh\nexport PATH=/opt/after:$PATH\n",
    );
    home.write(
        ".zshrc",
        "source ~/.config/shell/gone.zsh\npath+=(/opt/after)\n",
    );
    for (shell, missing) in [("bash", "gone.sh"), ("zsh", "gone.zsh")] {
        let (traced, _) = trace_json(home.path(), shell, "interactive", &[]);
        assert_eq!(traced["strace"], "used");
        let files = traced["files"].as_array().expect("files");
        let gone = files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(missing)))
            .unwrap_or_else(|| panic!("{shell}: {missing} not among {files:?}"));
        assert_eq!(gone["error"], "ENOENT", "{shell}");
        assert!(strings(&traced["final_path"]).contains(&"/opt/after".to_string()));
    }
    // Without strace, the output says so.
    let output = condago()
        .args(["trace", "--no-strace", "--shell", "bash", "--home"])
        .arg(home.path())
        .output()
        .expect("run condago trace");
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("files and programs come from the shell's trace alone"));
}

#[test]
fn a_sleeping_startup_file_times_out_and_leaves_no_process() {
    let home = FakeHome::new();
    // A duration no other process on this machine sleeps, to find leftovers by.
    home.write(
        ".bashrc",
        "export PATH=/opt/a:$PATH\nsleep 100.0421\nexport PATH=/opt/b:$PATH\n",
    );
    let started = std::time::Instant::now();
    let output = condago()
        .args(["trace", "--shell", "bash", "--timeout", "1", "--home"])
        .arg(home.path())
        .output()
        .expect("run condago trace");
    assert!(
        started.elapsed().as_secs() < 8,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("TIMED OUT after 1.0 s while running ~/.bashrc:2 (`sleep 100.0421`)"),
        "{text}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("100.0421") && !c.contains("cargo"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_startup_file_that_reads_stdin_does_not_hang() {
    let home = FakeHome::new();
    home.write(
        ".bashrc",
        "read -r answer\ncat >/dev/null\nexport PATH=/opt/after:$PATH\n",
    );
    home.write(
        ".config/fish/config.fish",
        "read answer\ncat >/dev/null\nset -gx PATH /opt/after $PATH\n",
    );
    for shell in ["bash", "fish"] {
        let started = std::time::Instant::now();
        let (traced, _) = trace_json(home.path(), shell, "interactive", &[]);
        assert!(
            started.elapsed().as_secs() < 8,
            "{shell}: took {:?}",
            started.elapsed()
        );
        assert!(traced["timed_out"].is_null(), "{shell}: {traced}");
        assert_eq!(strings(&traced["final_path"])[0], "/opt/after", "{shell}");
    }
}

/// A fake `/proc`: `chain` is (pid, ppid, name, argv), this shell first; started at
/// `ticks` clock ticks after a boot at `btime`.
fn fake_proc(chain: &[(u32, u32, &str, &[&str])], btime: u64, ticks: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("stat"),
        format!("cpu 1 2 3\nbtime {btime}\n"),
    )
    .expect("stat");
    for (pid, ppid, name, argv) in chain {
        let at = dir.path().join(pid.to_string());
        std::fs::create_dir_all(&at).expect("mkdir");
        std::fs::write(
            at.join("stat"),
            format!(
                "{pid} ({name}) S {ppid} {pid} {pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {ticks} 0 0"
            ),
        )
        .expect("write stat");
        let mut cmdline = argv.join("\0");
        cmdline.push('\0');
        std::fs::write(at.join("cmdline"), cmdline).expect("write cmdline");
    }
    dir
}

fn doctor(home: &Path, proc_root: &Path, env: &[(&str, String)], extra: &[&str]) -> String {
    let mut command = condago();
    command
        .env_clear()
        .env("HOME", home)
        .args(["doctor", "go", "--pid", "300", "--proc-root"])
        .arg(proc_root)
        .args(extra);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run condago doctor");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn doctor_explains_conda_tmux_and_a_non_login_parent() {
    let home = materialize("go-two-installs");
    let h = home.path().display().to_string();
    home.stub("miniforge3/envs/tools/bin", "go");
    // zsh ← tmux server ← VS Code ← init: the editor was not started from a login shell.
    let proc_root = fake_proc(
        &[
            (300, 200, "bash", &["/usr/bin/bash"]),
            (200, 100, "tmux: server", &["tmux"]),
            (100, 1, "code", &["/usr/share/code/code", "--no-sandbox"]),
            (1, 0, "systemd", &["/sbin/init"]),
        ],
        1_700_000_000,
        3_300_000,
    );
    let env = [
        (
            "PATH",
            format!("{h}/miniforge3/envs/tools/bin:/usr/bin:/bin"),
        ),
        ("CONDA_PREFIX", format!("{h}/miniforge3/envs/tools")),
        ("CONDA_DEFAULT_ENV", "tools".to_string()),
        ("TMUX", "/tmp/tmux-1000/default,4242,0".to_string()),
    ];
    let text = doctor(home.path(), proc_root.path(), &env, &[]);
    for expected in [
        "  /usr/bin/bash (pid 300)",
        "← tmux (pid 200)",
        "← /usr/share/code/code --no-sandbox (pid 100)",
        "this shell: bash interactive — not a login shell, interactive",
        "conda environment `tools` is active (CONDA_PREFIX=~/miniforge3/envs/tools): $CONDA_PREFIX/bin comes first",
        "inside tmux: the tmux server kept the environment it had when it started at 07:23 UTC",
        "tmux show-environment -g PATH",
        "this shell inherited PATH from `code` (pid 100), which was not started from a login shell, so /etc/profile, ",
        "~/.bash_profile never ran",
        "→ go: ~/miniforge3/envs/tools/bin/go",
        "→ go: ~/sdk/go/bin/go",
        "$ echo \"$CONDA_PREFIX\"; conda info --envs",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // A fresh shell ran: its PATH (the traced one) has the SDK's go first.
    let fresh = text
        .split("a fresh shell (its startup files RAN):")
        .nth(1)
        .expect("a fresh shell column");
    assert!(fresh.trim_start().starts_with("~/sdk/go/bin"), "{text}");
}

#[test]
fn doctor_says_nothing_of_login_files_for_a_login_shell() {
    let home = materialize("go-two-installs");
    let proc_root = fake_proc(
        &[
            (300, 200, "bash", &["-bash"]),
            (200, 1, "sshd", &["sshd: u@pts/0"]),
        ],
        1_700_000_000,
        100,
    );
    let text = doctor(
        home.path(),
        proc_root.path(),
        &[("PATH", "/usr/bin:/bin".to_string())],
        &["--no-trace"],
    );
    assert!(
        text.contains("this shell: bash interactive-login — a login shell, interactive"),
        "{text}"
    );
    assert!(!text.contains("inherited PATH from"), "{text}");
    assert!(!text.contains("conda environment"), "{text}");
    assert!(!text.contains("inside tmux"), "{text}");
    assert!(
        text.contains("a fresh shell (not run: --no-trace)"),
        "{text}"
    );
}

#[test]
fn bash_lines_are_exact_for_a_user_other_than_root() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    // bash run as root ignores PS4 from the environment (the other tests, as root, match
    // lines instead); any other user gets condago's PS4, and lines from bash itself.
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let setpriv = Path::new("/usr/bin/setpriv");
    if root && !setpriv.exists() {
        support::skip_or_fail("running as root without setpriv to become another user");
        return;
    }
    for (name, mode) in [
        ("tool-installers", "interactive"),
        ("nested-source", "login"),
    ] {
        let home = materialize(name);
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod the home");
        let mut command = if root {
            let mut command = Command::new(setpriv);
            command
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(env!("CARGO_BIN_EXE_condago"));
            command
        } else {
            condago()
        };
        let output = command
            .env_remove("SHELL")
            .env("HOME", home.path())
            .args([
                "trace", "--format", "json", "--check", "--shell", "bash", "--mode", mode,
            ])
            .arg("--home")
            .arg(home.path())
            .output()
            .expect("run condago trace as another user");
        let traced: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        assert_eq!(traced["attribution"], "exact", "{name}: {traced}");
        assert_eq!(traced["check"]["same"], true, "{name}: {}", traced["check"]);
        assert!(
            !traced["changes"].as_array().expect("changes").is_empty(),
            "{name}"
        );
    }
}
