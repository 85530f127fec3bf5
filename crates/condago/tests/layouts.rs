//! Dotfiles repositories as people keep them, given to `--home`: GNU stow packages, a
//! chezmoi source directory with templates, yadm alternates, a bare repository. The layout
//! is detected (with a note), the startup model reads the home the repository makes, and
//! findings name the repository's own files.

use std::path::Path;
use std::process::{Command, Output};

fn condago(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_condago"))
        .args(args)
        .current_dir(dir)
        .env_remove("SHELL")
        .env("NO_COLOR", "1")
        .output()
        .expect("run condago")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("condago-layout-")
        .tempdir()
        .expect("tempdir");
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

/// `lint --home .` in the repository: the concise findings and standard error.
fn lint_home(dir: &Path, extra: &[&str]) -> (Vec<String>, String) {
    let mut args = vec!["lint", "--home", ".", "--format", "concise"];
    args.extend_from_slice(extra);
    let output = condago(dir, &args);
    let findings = text(&output.stdout)
        .lines()
        .filter(|line| line.contains(": CG"))
        .map(str::to_string)
        .collect();
    (findings, text(&output.stderr))
}

const LOGIN: &str = "# login shells\nexport EDITOR=vim\n";
const BASHRC: &str = "# interactive shells\nexport PATH=\"$HOME/.local/bin:$PATH\"\n";

#[test]
fn stow_packages_make_one_home_for_the_cross_file_rules() {
    let repo = repository(&[
        ("login/.bash_profile", LOGIN),
        ("bash/.bashrc", BASHRC),
        // stow's default ignore list: a package's top-level README is not linked.
        ("bash/README.md", "export PATH=/nowhere\n"),
        // --dotfiles spelling.
        (
            "zsh/dot-zshenv",
            "typeset -U path\npath=(\"$HOME/go/bin\" $path)\n",
        ),
        // A package's own ignore list replaces the default one.
        ("fish/.stow-local-ignore", "notes\\..*\n"),
        ("fish/.config/fish/config.fish", "fish_add_path -g ~/bin\n"),
        ("fish/notes.fish", "set -gx PATH /x:$PATH\n"),
    ]);
    let (findings, stderr) = lint_home(repo.path(), &[]);
    assert!(
        stderr.contains("a GNU stow repository (found); packages bash, fish, login, zsh"),
        "{stderr}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("login/.bash_profile:1:1: CG601")
                && f.contains("(bash/.bashrc:2)")),
        "CG601 across two packages, on the repository's file: {findings:#?}"
    );
    assert!(
        findings
            .iter()
            .all(|f| !f.contains("README") && !f.contains("notes.fish")),
        "ignored files are not read: {findings:#?}"
    );
    let startup = condago(
        repo.path(),
        &[
            "startup",
            "--home",
            ".",
            "--shell",
            "zsh",
            "--mode",
            "non-interactive",
        ],
    );
    let out = text(&startup.stdout);
    assert!(out.contains("~/.zshenv"), "{out}");
    assert!(
        out.contains("/go/bin") && out.contains("~/.zshenv:2"),
        "{out}"
    );
}

#[test]
fn chezmoi_templates_are_linted_around_their_actions() {
    let bashrc = "{{- /* managed by chezmoi */ -}}\n\
                  export GOROOT_HINT=1\n\
                  {{ if eq .chezmoi.os \"darwin\" }}\n\
                  export PATH=\"/opt/homebrew/bin:$PATH\"\n\
                  {{ else }}\n\
                  export PATH=\"{{ .goroot }}/bin:$PATH\"\n\
                  {{ end }}\n\
                  export PATH=\"~/bin:$PATH\"\n";
    let repo = repository(&[
        (".chezmoiroot", "home\n"),
        ("README.md", "my dotfiles\n"),
        ("home/dot_bash_profile", LOGIN),
        ("home/dot_bashrc.tmpl", bashrc),
        (
            "home/.chezmoiignore",
            "{{ if ne .chezmoi.os \"darwin\" }}\n.zshrc\n{{ end }}\n",
        ),
        ("home/dot_zshrc", "export PATH=\"~/zbin:$PATH\"\n"),
        ("home/run_once_install.sh", "exit 1\n"),
    ]);
    let (findings, stderr) = lint_home(repo.path(), &["--os", "linux"]);
    assert!(
        stderr.contains("a chezmoi source directory (found)"),
        "{stderr}"
    );
    assert!(
        findings.iter().all(|f| !f.contains(": CG001")),
        "no syntax error from template actions: {findings:#?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("home/dot_bashrc.tmpl:8:14: CG102")),
        "the finding names the template and its line: {findings:#?}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("home/dot_bash_profile:1:1: CG601")),
        "{findings:#?}"
    );
    assert!(
        findings.iter().all(|f| !f.contains("dot_zshrc")),
        ".chezmoiignore leaves .zshrc out on linux: {findings:#?}"
    );
    // On macOS the ignore does not apply.
    let (darwin, _) = lint_home(repo.path(), &["--os", "darwin"]);
    assert!(
        darwin.iter().any(|f| f.contains("home/dot_zshrc:1")),
        "{darwin:#?}"
    );

    // Both branches of `{{ if }}` are read: what they put on PATH is conditional.
    let startup = condago(
        repo.path(),
        &[
            "startup",
            "--home",
            ".",
            "--shell",
            "bash",
            "--mode",
            "interactive",
        ],
    );
    let out = text(&startup.stdout);
    assert!(
        out.contains("depends on `{{…}}` at ~/.bashrc:3: /opt/homebrew/bin or …/bin"),
        "{out}"
    );

    // A fix edits the shell code around the actions, never an action.
    let fix = condago(
        repo.path(),
        &["lint", "--home", ".", "--fix", "--os", "linux"],
    );
    assert!(fix.status.code().is_some(), "{}", text(&fix.stderr));
    let fixed = std::fs::read_to_string(repo.path().join("home/dot_bashrc.tmpl")).expect("read");
    assert_eq!(
        fixed,
        bashrc.replace("\"~/bin:", "\"$HOME/bin:"),
        "only the quoted ~ changed"
    );
}

#[test]
fn a_chezmoi_template_on_its_own_is_linted_around_its_actions() {
    let repo = repository(&[(
        "dot_zshrc.tmpl",
        "{{ if .work -}}\nexport PATH=\"{{ .workbin }}:$PATH\"\n{{ end -}}\nexport PATH=\"~/bin:$PATH\"\n",
    )]);
    let output = condago(
        repo.path(),
        &["lint", "dot_zshrc.tmpl", "--format", "concise"],
    );
    let out = text(&output.stdout);
    assert!(!out.contains("CG001"), "{out}");
    assert!(out.contains("dot_zshrc.tmpl:4:14: CG102"), "{out}");
    assert!(
        !out.contains("dot_zshrc.tmpl:2:14"),
        "nothing placed inside an action: {out}"
    );
}

#[test]
fn yadm_alternates_are_chosen_for_the_os() {
    let repo = repository(&[
        (
            ".bashrc##os.Darwin",
            "export PATH=\"/opt/homebrew/bin:$PATH\"\n",
        ),
        (
            ".bashrc##default",
            "export PATH=\"$HOME/.local/bin:$PATH\"\n",
        ),
        (".bashrc##class.Work", "export PATH=\"/work/bin:$PATH\"\n"),
        (".config/yadm/bootstrap", "#!/bin/sh\n"),
    ]);
    let path_for = |os: &str| {
        let output = condago(
            repo.path(),
            &[
                "startup",
                "--home",
                ".",
                "--shell",
                "bash",
                "--mode",
                "interactive",
                "--os",
                os,
            ],
        );
        (text(&output.stdout), text(&output.stderr))
    };
    let (darwin, note) = path_for("darwin");
    assert!(
        note.contains("a yadm repository (alternates for darwin) (found)"),
        "{note}"
    );
    assert!(
        note.contains(".bashrc##class.Work"),
        "says what it could not decide: {note}"
    );
    assert!(
        darwin.contains("/opt/homebrew/bin  ~/.bashrc:1"),
        "{darwin}"
    );
    let (linux, _) = path_for("linux");
    assert!(linux.contains("~/.local/bin  ~/.bashrc:1"), "{linux}");
    assert!(!linux.contains("homebrew"), "{linux}");
    let (findings, _) = lint_home(repo.path(), &["--os", "darwin"]);
    assert!(
        findings
            .iter()
            .all(|f| f.starts_with(".bashrc##os.Darwin:")),
        "findings name the alternate: {findings:#?}"
    );
}

#[test]
fn a_bare_repository_reads_its_work_tree() {
    let home = repository(&[(".bashrc", BASHRC)]);
    let git = Command::new("git")
        .args(["init", "-q", "--bare", ".cfg"])
        .current_dir(home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home.path())
        .status();
    if !git.is_ok_and(|s| s.success()) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "git is needed"
        );
        eprintln!("SKIPPED: git is not installed");
        return;
    }
    let output = condago(
        home.path(),
        &[
            "startup",
            "--home",
            ".cfg",
            "--shell",
            "bash",
            "--mode",
            "interactive",
        ],
    );
    let (out, note) = (text(&output.stdout), text(&output.stderr));
    assert!(
        note.contains("a bare repository of a home (found)"),
        "{note}"
    );
    assert!(out.contains("~/.local/bin  ~/.bashrc:2"), "{out}");
}

#[test]
fn a_layout_named_on_the_command_line_wins() {
    let repo = repository(&[("bash/.bashrc", BASHRC)]);
    let output = condago(
        repo.path(),
        &[
            "startup",
            "--home",
            ".",
            "--layout",
            "plain",
            "--shell",
            "bash",
            "--mode",
            "interactive",
        ],
    );
    let note = text(&output.stderr);
    assert!(note.contains("laid out like a home (as asked)"), "{note}");
    assert!(!text(&output.stdout).contains(".local/bin"));
    let bad = condago(repo.path(), &["startup", "--home", ".", "--layout", "bare"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("not a bare git repository"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn the_repository_configuration_names_the_layout_and_the_os() {
    let repo = repository(&[
        // Laid out like stow, but the configuration says plain: `bash/` is a directory.
        ("bash/.bashrc", BASHRC),
        (
            ".bashrc##os.Darwin",
            "export PATH=\"/opt/homebrew/bin:$PATH\"\n",
        ),
        (
            ".bashrc##default",
            "export PATH=\"$HOME/.local/bin:$PATH\"\n",
        ),
        (
            "condago.toml",
            "[home]\nlayout = \"yadm\"\nos = \"darwin\"\n",
        ),
    ]);
    let output = condago(
        repo.path(),
        &[
            "startup",
            "--home",
            ".",
            "--shell",
            "bash",
            "--mode",
            "interactive",
        ],
    );
    let note = text(&output.stderr);
    assert!(
        note.contains("a yadm repository (alternates for darwin) (set in")
            && note.contains("condago.toml:2)"),
        "{note}"
    );
    assert!(
        text(&output.stdout).contains("/opt/homebrew/bin"),
        "{}",
        text(&output.stdout)
    );
    // The command line wins over the configuration.
    let linux = condago(
        repo.path(),
        &[
            "startup",
            "--home",
            ".",
            "--os",
            "linux",
            "--shell",
            "bash",
            "--mode",
            "interactive",
        ],
    );
    assert!(
        text(&linux.stdout).contains("~/.local/bin"),
        "{}",
        text(&linux.stdout)
    );
    // `lint --quiet` prints findings only, no note.
    let quiet = condago(repo.path(), &["lint", "--home", ".", "--quiet"]);
    assert!(
        !text(&quiet.stderr).contains("note"),
        "{}",
        text(&quiet.stderr)
    );
}
