//! `condago startup`, `condago which` and the cross-file findings of `condago lint`, run as
//! users run them, on fixture homes (`tests/fixtures/homes`) and a fake root.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn condago() -> Command {
    Command::new(env!("CARGO_BIN_EXE_condago"))
}

fn run(args: &[&str]) -> Output {
    condago()
        .args(args)
        .env_remove("SHELL")
        .output()
        .expect("run condago")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fixture home copied into a temporary directory; `/home/u` in files becomes its path.
fn home(name: &str) -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/homes")
        .join(name);
    let dir = tempfile::Builder::new()
        .prefix("condago-cli-home-")
        .tempdir()
        .expect("tempdir");
    copy(&fixture, dir.path(), &dir.path().display().to_string());
    dir
}

fn copy(from: &Path, to: &Path, home: &str) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture").flatten() {
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            copy(&source, &target, home);
            continue;
        }
        let bytes = std::fs::read(&source).expect("read");
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => text.replace("/home/u", home).into_bytes(),
            Err(error) => error.into_bytes(),
        };
        std::fs::write(&target, bytes).expect("write");
        let permissions = std::fs::metadata(&source).expect("stat").permissions();
        std::fs::set_permissions(&target, permissions).expect("chmod");
    }
}

/// A root with a minimal `/etc/profile`, so that outputs do not depend on this machine.
fn root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("etc")).expect("mkdir");
    std::fs::write(
        dir.path().join("etc/profile"),
        "PATH=\"/usr/local/bin:/usr/bin:/bin\"\nexport PATH\n",
    )
    .expect("write");
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

#[test]
fn json_is_exactly_the_documented_shape() {
    let home = home("bash-profile-sources-bashrc");
    let root = root();
    let h = path_str(home.path());
    let output = run(&[
        "startup",
        "--shell",
        "bash",
        "--mode",
        "login",
        "--home",
        h,
        "--root",
        path_str(root.path()),
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{output:?}");
    let expected = format!(
        "{{\"shell\": \"bash\", \"mode\": \"login\", \
         \"files\": [\"/etc/profile\", \"{h}/.bash_profile\", \"{h}/.bashrc\"], \
         \"path\": [{{\"dir\": \"{h}/.local/bin\", \"file\": \"{h}/.bashrc\", \"line\": 2}}, \
         {{\"dir\": \"{h}/go/bin\", \"file\": \"{h}/.bash_profile\", \"line\": 3}}, \
         {{\"dir\": \"/usr/local/bin\", \"file\": \"/etc/profile\", \"line\": 1}}, \
         {{\"dir\": \"/usr/bin\", \"file\": \"/etc/profile\", \"line\": 1}}, \
         {{\"dir\": \"/bin\", \"file\": \"/etc/profile\", \"line\": 1}}], \
         \"complete\": true}}\n"
    );
    assert_eq!(stdout(&output), expected);
}

#[test]
fn inherited_entries_have_no_file_and_every_mode_is_one_line() {
    let home = home("interactive-guards");
    let root = root();
    let output = run(&[
        "startup",
        "--shell",
        "bash",
        "--home",
        path_str(home.path()),
        "--root",
        path_str(root.path()),
        "--format",
        "json",
    ]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    let non_interactive: serde_json::Value =
        serde_json::from_str(lines[2]).expect("one JSON object per line");
    assert_eq!(non_interactive["mode"], "non-interactive");
    assert_eq!(non_interactive["files"], serde_json::json!([]));
    assert_eq!(
        non_interactive["path"][0],
        serde_json::json!({"dir": "/usr/bin", "file": null, "line": null})
    );
}

#[test]
fn text_names_each_entrys_line() {
    let home = home("zdotdir");
    let output = run(&[
        "startup",
        "--shell",
        "zsh",
        "--mode",
        "interactive-login",
        "--home",
        path_str(home.path()),
    ]);
    let text = stdout(&output);
    assert!(text.contains("~/.config/zsh/.zshrc"), "{text}");
    assert!(!text.contains("/decoy"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("~/.zlogin-bin") && l.contains("~/.config/zsh/.zlogin:2")),
        "{text}"
    );
}

/// Runs Graphviz's `dot` on the DOT output: it must render.
#[test]
fn dot_renders_with_graphviz() {
    let home = home("conda-bash");
    let output = run(&[
        "startup",
        "--shell",
        "bash",
        "--home",
        path_str(home.path()),
        "--format",
        "dot",
    ]);
    assert!(output.status.success());
    let dot = stdout(&output);
    assert_eq!(dot.matches("subgraph cluster_").count(), 4, "{dot}");
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("Graphviz's `dot` is not installed, and CI=true makes that a failure");
        }
        eprintln!("SKIPPED: Graphviz's `dot` is not installed; the DOT output was not rendered");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write DOT");
    let rendered = child.wait_with_output().expect("dot");
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let svg = String::from_utf8_lossy(&rendered.stdout);
    assert!(svg.contains("<svg") && svg.contains(".bashrc"), "{svg}");
}

#[test]
fn mermaid_draws_every_mode() {
    let home = home("fish-confd-order");
    let output = run(&[
        "startup",
        "--shell",
        "fish",
        "--home",
        path_str(home.path()),
        "--format",
        "mermaid",
    ]);
    let text = stdout(&output);
    assert!(text.starts_with("flowchart TB\n"), "{text}");
    assert_eq!(text.matches("  subgraph ").count(), 4, "{text}");
    assert!(
        text.contains("9-early.fish") && text.contains("10-late.fish"),
        "{text}"
    );
}

#[test]
fn which_names_the_winner_what_it_shadows_and_the_line() {
    let home = home("go-two-installs");
    let h = path_str(home.path());
    let output = run(&[
        "which",
        "go",
        "--shell",
        "bash",
        "--mode",
        "interactive",
        "--home",
        h,
    ]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(
        text.contains("~/sdk/go/bin/go   ← ~/.bashrc:17"),
        "the winner and its line: {text}"
    );
    assert!(
        text.contains(
            "shadows ~/miniforge3/bin/go   ← ~/.bashrc:6 (conda's hook: base auto-activates)"
        ),
        "{text}"
    );
    let json = run(&[
        "which", "go", "--shell", "bash", "--mode", "login", "--home", h, "--format", "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(stdout(&json).trim()).expect("JSON");
    assert_eq!(value["winner"]["path"], format!("{h}/sdk/go/bin/go"));
    assert_eq!(value["winner"]["line"], 17);
    assert_eq!(
        value["shadowed"][0]["path"],
        format!("{h}/miniforge3/bin/go")
    );
    let missing = run(&["which", "no-such-tool-here", "--home", h]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stdout(&missing).contains("not found"));
}

#[test]
fn lint_home_reports_and_fixes_cross_file_findings() {
    let home = home("bash-profile-skips-bashrc");
    let h = path_str(home.path());
    let output = run(&[
        "lint", "--home", h, "--format", "concise", "--select", "CG6",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("{h}/.bash_profile:1:1: CG601")),
        "{text}"
    );
    let fixed = run(&[
        "lint", "--home", h, "--fix", "--select", "CG6", "--format", "concise",
    ]);
    assert_eq!(fixed.status.code(), Some(0), "{fixed:?}");
    let profile = std::fs::read_to_string(home.path().join(".bash_profile")).expect("read");
    assert!(
        profile.ends_with("[ -f ~/.bashrc ] && . ~/.bashrc\n"),
        "{profile}"
    );
    let again = run(&[
        "lint", "--home", h, "--select", "CG6", "--format", "concise",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn lint_home_respects_ignore_and_suppressions() {
    let home = home("duplicates");
    let h = path_str(home.path());
    let all = stdout(&run(&[
        "lint", "--home", h, "--format", "concise", "--select", "CG103",
    ]));
    assert!(all.contains(&format!("{h}/.bashrc:2:1: CG103")), "{all}");
    let ignored = stdout(&run(&[
        "lint", "--home", h, "--format", "concise", "--select", "CG103", "--ignore", "CG103",
    ]));
    assert!(!ignored.contains("CG103"), "{ignored}");
    let bashrc = home.path().join(".bashrc");
    let text = std::fs::read_to_string(&bashrc).expect("read");
    let text = text.replacen(
        "export PATH=\"$PATH:/usr/local/bin\"",
        "# condago: disable=path-duplicate-entry\nexport PATH=\"$PATH:/usr/local/bin\"",
        1,
    );
    std::fs::write(&bashrc, text).expect("write");
    let suppressed = stdout(&run(&[
        "lint", "--home", h, "--format", "concise", "--select", "CG103",
    ]));
    assert!(!suppressed.contains(".bashrc:3:1: CG103"), "{suppressed}");
    assert!(suppressed.contains(".bashrc:1:1: CG103"), "{suppressed}");
    // The comment silences a cross-file finding: the single-file pass must not call it unused.
    let used = stdout(&run(&[
        "lint",
        "--home",
        h,
        "--format",
        "concise",
        "--select",
        "CG103,CG003",
    ]));
    assert!(!used.contains("CG003"), "{used}");
}

#[test]
fn errors_name_the_problem() {
    let output = run(&["startup", "--home", "/nonexistent/condago-home"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/condago-home: not a directory (--home)"),
        "{stderr}"
    );
    let bad_env = run(&["startup", "--home", "/", "--env", "ZDOTDIR"]);
    assert!(String::from_utf8_lossy(&bad_env.stderr).contains("expected NAME=VALUE"));
}
