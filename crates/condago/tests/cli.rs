//! `condago lint` as users run it: exit codes, output formats, colour, standard input,
//! selection, and fixes written to disk without damage.

mod support;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::{condago, run, stderr, stdout};

const BAD_BASHRC: &str = "export PATH=\"~/go/bin:$PATH\"\n";

fn home_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn exit_codes() {
    let dir = home_with(&[
        (".bash_profile", BAD_BASHRC.as_bytes()),
        ("clean.bash", b"export A=1\n"),
    ]);
    let d = dir.path();
    assert_eq!(run(&["lint", "clean.bash"], d).status.code(), Some(0));
    assert_eq!(run(&["lint", ".bash_profile"], d).status.code(), Some(1));
    assert_eq!(
        run(&["lint", "--exit-zero", ".bash_profile"], d)
            .status
            .code(),
        Some(0)
    );
    let missing = run(&["lint", "nope/.zprofile"], d);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("nope/.zprofile: No such file or directory"),
        "{}",
        stderr(&missing)
    );
    let bad_select = run(&["lint", "--select", "CG999", ".bash_profile"], d);
    assert_eq!(bad_select.status.code(), Some(2));
    assert!(stderr(&bad_select).contains("`CG999` matches no rule"));
    assert_eq!(
        run(&["lint", "--format", "yaml", ".bash_profile"], d)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["rule", "CG999"], d).status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_exit_2_naming_path_and_os_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = home_with(&[(".zprofile", b"x=1\n")]);
    let file = dir.path().join(".zprofile");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).expect("chmod");
    if fs::read(&file).is_ok() {
        eprintln!("SKIPPED: running as root, permissions do not stop reads");
        return;
    }
    let output = run(&["lint", ".zprofile"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(".zprofile: cannot read it: Permission denied"));
}

#[test]
fn concise_format() {
    let dir = home_with(&[(".bash_profile", BAD_BASHRC.as_bytes())]);
    let output = run(
        &["lint", "--format", "concise", ".bash_profile"],
        dir.path(),
    );
    assert_eq!(
        stdout(&output),
        ".bash_profile:1:14: CG102 [*] [warning] bash expands this quoted `~` only for its own command lookup: `which`, `sh -c`, make, editors and every other program see the literal `~/go/bin` and will not find programs there\n"
    );
}

#[test]
fn json_format_snapshot() {
    let dir = home_with(&[(
        ".zlogin",
        "# café ☕\nexport PATH=\"~/go/bin:$PATH\"\n".as_bytes(),
    )]);
    let output = run(&["lint", "--format", "json", ".zlogin"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let expected = r#"[
  {
    "file": ".zlogin",
    "code": "CG102",
    "name": "path-tilde-quoted",
    "severity": "warning",
    "message": "zsh does not expand this quoted `~`: the entry is the literal directory `~/go/bin`, which does not exist, so nothing in it is found",
    "range": {
      "start": {
        "line": 2,
        "column": 14,
        "offset": 25
      },
      "end": {
        "line": 2,
        "column": 15,
        "offset": 26
      }
    },
    "fix": {
      "applicability": "safe",
      "message": "Replace `~` with `$HOME`",
      "edits": [
        {
          "range": {
            "start": {
              "line": 2,
              "column": 14,
              "offset": 25
            },
            "end": {
              "line": 2,
              "column": 15,
              "offset": 26
            }
          },
          "content": "$HOME"
        }
      ]
    }
  }
]
"#;
    assert_eq!(stdout(&output), expected);
    let clean = home_with(&[(".zprofile", b"export A=1\n")]);
    assert_eq!(
        stdout(&run(
            &["lint", "--format", "json", ".zprofile"],
            clean.path()
        )),
        "[]\n"
    );
}

#[test]
fn text_format_shows_the_snippet_help_and_fix() {
    let dir = home_with(&[(".bash_profile", BAD_BASHRC.as_bytes())]);
    let output = run(&["lint", ".bash_profile"], dir.path());
    let text = stdout(&output);
    assert!(
        text.starts_with("warning[CG102]: bash expands this quoted `~`"),
        "{text}"
    );
    assert!(text.contains("┌─ .bash_profile:1:14"), "{text}");
    assert!(
        text.contains("1 │ export PATH=\"~/go/bin:$PATH\""),
        "{text}"
    );
    assert!(
        text.contains("= help: write `$HOME` instead of `~` inside quotes"),
        "{text}"
    );
    assert!(
        text.contains("= fix: Replace `~` with `$HOME` (safe: `--fix`)"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    assert!(stderr(&output).contains("Found 1 finding in 1 file."));
    assert!(stderr(&output).contains("[*] 1 fixable with `condago lint --fix`."));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal_and_never_with_no_color() {
    let dir = home_with(&[(".bash_profile", BAD_BASHRC.as_bytes())]);
    let always = run(&["lint", "--color", "always", ".bash_profile"], dir.path());
    assert!(stdout(&always).contains('\u{1b}'));
    let never = run(&["lint", "--color", "never", ".bash_profile"], dir.path());
    assert!(!stdout(&never).contains('\u{1b}'));
    let no_color = condago()
        .args(["lint", "--color", "always", ".bash_profile"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(!stdout(&no_color).contains('\u{1b}'));
    // A real terminal, through util-linux `script`.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` (util-linux) is not installed: no terminal test");
        return;
    }
    let on_tty = |no_color: bool| {
        let binary = env!("CARGO_BIN_EXE_condago");
        let mut command = Command::new("script");
        command
            .args(["-qec", &format!("{binary} lint .bash_profile"), "/dev/null"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        stdout(&command.output().expect("script runs"))
    };
    assert!(on_tty(false).contains('\u{1b}'), "colour on a terminal");
    assert!(!on_tty(true).contains('\u{1b}'), "no colour with NO_COLOR");
}

#[test]
fn stdin_with_a_file_name() {
    let mut child = condago()
        .args([
            "lint",
            "--format",
            "concise",
            "--stdin-filename",
            "dotfiles/zprofile",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        b"typeset -U PATH path\npath+=('~/go/bin')\n",
    )
    .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .starts_with("dotfiles/zprofile:2:9: CG102 [*] [warning] zsh does not expand"),
        "{}",
        stdout(&output)
    );
    // `--fix` on standard input prints the fixed text.
    let mut child = condago()
        .args(["lint", "--fix", "--stdin-filename", ".bash_profile", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), BAD_BASHRC.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(stdout(&output), "export PATH=\"$HOME/go/bin:$PATH\"\n");
}

#[test]
fn select_and_ignore_take_codes_names_and_prefixes() {
    let dir = home_with(&[(
        ".bash_profile",
        "export PATH=\"~/go/bin:$PATH\"\nif true; then\n".as_bytes(),
    )]);
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["lint", "--format", "concise"];
        all.extend_from_slice(args);
        all.push(".bash_profile");
        stdout(&run(&all, dir.path()))
            .lines()
            .map(|line| line.split(' ').nth(1).unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(codes(&[]), vec!["CG102", "CG001"]);
    assert_eq!(codes(&["--select", "CG1"]), vec!["CG102"]);
    assert_eq!(codes(&["--select", "path-tilde-quoted"]), vec!["CG102"]);
    assert_eq!(codes(&["--ignore", "CG10"]), vec!["CG001"]);
    assert_eq!(
        codes(&["--select", "ALL", "--ignore", "syntax-error"]),
        vec!["CG102"]
    );
}

#[test]
fn walks_directories_and_lints_explicit_files_always() {
    let dir = home_with(&[
        ("dotfiles/bash_profile", BAD_BASHRC.as_bytes()),
        ("dotfiles/.git/hooks/pre-commit.sh", BAD_BASHRC.as_bytes()),
        ("dotfiles/notes.txt", BAD_BASHRC.as_bytes()),
        ("misc", BAD_BASHRC.as_bytes()),
    ]);
    let output = run(
        &["lint", "--format", "concise", "dotfiles", "misc"],
        dir.path(),
    );
    let text = stdout(&output);
    let files: Vec<&str> = text
        .lines()
        .map(|l| l.split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(files, vec!["dotfiles/bash_profile", "misc"]);
}

#[test]
fn no_path_lints_the_users_own_startup_files() {
    let home = home_with(&[
        (".bash_profile", BAD_BASHRC.as_bytes()),
        (
            "zdot/.zprofile",
            b"typeset -U PATH path\npath+=('~/go/bin')\n",
        ),
        ("xdg/fish/conf.d/go.fish", b"fish_add_path -g '~/go/bin'\n"),
        (".zprofile", b"ignored because ZDOTDIR is set\n"),
    ]);
    let h = home.path();
    let output = condago()
        .args(["lint", "--format", "concise"])
        .env("HOME", h)
        .env("ZDOTDIR", h.join("zdot"))
        .env("XDG_CONFIG_HOME", h.join("xdg"))
        .current_dir(h)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let files: Vec<String> = text
        .lines()
        .map(|l| {
            let path = PathBuf::from(l.split(':').next().unwrap_or(""));
            path.strip_prefix(h).unwrap_or(&path).display().to_string()
        })
        .collect();
    assert_eq!(
        files,
        vec![".bash_profile", "zdot/.zprofile", "xdg/fish/conf.d/go.fish"]
    );
    assert!(
        stderr(&output).contains("linting your startup files"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn diff_prints_and_writes_nothing() {
    let dir = home_with(&[(".bash_profile", BAD_BASHRC.as_bytes())]);
    let output = run(&["lint", "--diff", ".bash_profile"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "--- a/.bash_profile\n+++ b/.bash_profile\n@@ -1 +1 @@\n-export PATH=\"~/go/bin:$PATH\"\n+export PATH=\"$HOME/go/bin:$PATH\"\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join(".bash_profile")).expect("read"),
        BAD_BASHRC
    );
}

#[test]
fn fix_keeps_crlf_bom_and_latin1_bytes() {
    let original: &[u8] =
        b"\xEF\xBB\xBF# caf\xE9\r\nexport PATH=\"~/go/bin:$PATH\"\r\nexport GOPATH='~/go'\r\n";
    let dir = home_with(&[(".bash_profile", original)]);
    let output = run(&["lint", "--fix", ".bash_profile"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        fs::read(dir.path().join(".bash_profile")).expect("read"),
        b"\xEF\xBB\xBF# caf\xE9\r\nexport PATH=\"$HOME/go/bin:$PATH\"\r\nexport GOPATH=\"$HOME/go\"\r\n"
    );
    assert!(
        stderr(&output).contains("Found 2 findings (2 fixed, 0 remaining)"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn fix_writes_through_symlinks_and_keeps_mode_bits() {
    use std::os::unix::fs::PermissionsExt;
    let dir = home_with(&[("dotfiles/bash_profile", BAD_BASHRC.as_bytes())]);
    let d = dir.path();
    fs::set_permissions(
        d.join("dotfiles/bash_profile"),
        fs::Permissions::from_mode(0o600),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("dotfiles/bash_profile", d.join(".bash_profile")).expect("symlink");
    let output = run(&["lint", "--fix", ".bash_profile"], d);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(fs::symlink_metadata(d.join(".bash_profile"))
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(d.join("dotfiles/bash_profile")).expect("read"),
        "export PATH=\"$HOME/go/bin:$PATH\"\n"
    );
    let mode = fs::metadata(d.join("dotfiles/bash_profile"))
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = fs::read_dir(d.join("dotfiles")).expect("list").collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn rules_and_rule_print_from_the_registry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let list = stdout(&run(&["rules"], dir.path()));
    assert!(list.contains("CG102  path-tilde-quoted"), "{list}");
    let doc = run(&["rule", "path-tilde-quoted"], dir.path());
    assert_eq!(doc.status.code(), Some(0));
    let doc = stdout(&doc);
    assert!(doc.starts_with("# path-tilde-quoted (CG102)\n"), "{doc}");
    for heading in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Fix safety",
    ] {
        assert!(doc.contains(heading), "{heading} missing");
    }
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["rules", "--format", "json"], dir.path())))
            .expect("json");
    assert!(json
        .as_array()
        .is_some_and(|rules| rules.iter().any(|r| r["code"] == "CG102")));
}

#[test]
fn binary_and_huge_inputs_get_a_clear_diagnostic_not_a_crash() {
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    garbage.extend_from_slice(b"\n");
    let dir = home_with(&[(".zprofile", &garbage)]);
    let output = run(&["lint", "--format", "concise", ".zprofile"], dir.path());
    assert!(
        matches!(output.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&output)
    );
    // 17 MB: over the parse limit, so read only up to it and report CG002.
    let big = dir.path().join("big.bash");
    let line = "export A=1\n".repeat(1_600_000);
    fs::write(&big, line).expect("write");
    let output = run(&["lint", "--format", "concise", "big.bash"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("CG002 [info] the file is"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn quiet_silent_and_the_summary_after_unreadable_paths() {
    let dir = home_with(&[
        (".bashrc", BAD_BASHRC.as_bytes()),
        ("two.bash", b"export PATH=/a::/b\n"),
    ]);
    let d = dir.path();
    let quiet = run(&["lint", "-q", "--format", "concise", ".bashrc"], d);
    assert_eq!(quiet.status.code(), Some(1));
    assert!(
        stdout(&quiet).starts_with(".bashrc:1:"),
        "{}",
        stdout(&quiet)
    );
    assert_eq!(stderr(&quiet), "", "no summary with --quiet");
    let silent = run(&["lint", "--silent", ".bashrc", "missing/.zshrc"], d);
    assert_eq!(silent.status.code(), Some(2));
    assert_eq!(
        (stdout(&silent), stderr(&silent)),
        (String::new(), String::new())
    );
    let unreadable = run(&["lint", "missing/.zshrc"], d);
    assert_eq!(unreadable.status.code(), Some(2));
    assert_eq!(
        stderr(&unreadable),
        "condago: error: missing/.zshrc: No such file or directory (os error 2)\n\
         1 path could not be read; 0 files linted.\n"
    );
    // Several files, findings and summary through one pipe (as pre-commit and CI capture
    // them): every line whole, the summary on a line of its own.
    let merged = condago()
        .args(["lint", "--format", "concise", ".bashrc", "two.bash"])
        .current_dir(d)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .expect("runs");
    let out = stdout(&merged);
    assert!(out.ends_with('\n') && out.lines().count() == 4, "{out}");
    assert!(
        stderr(&merged).starts_with("Found 4 findings in 2 files.\n"),
        "{}",
        stderr(&merged)
    );
    let shell = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} lint --format concise .bashrc two.bash 2>&1",
            env!("CARGO_BIN_EXE_condago")
        ))
        .current_dir(d)
        .env_remove("NO_COLOR")
        .output()
        .expect("sh runs");
    let both = stdout(&shell);
    let found: Vec<&str> = both.lines().filter(|l| l.contains("Found")).collect();
    assert_eq!(found, ["Found 4 findings in 2 files."], "{both}");
}
