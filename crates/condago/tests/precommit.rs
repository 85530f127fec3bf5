//! The pre-commit hooks (`.pre-commit-hooks.yaml`), run by real `pre-commit` (PyPI) with
//! `pre-commit try-repo <this repository>` in a temporary git repository of dotfiles, as a
//! user trying the hooks would.
//!
//! `try-repo` clones this repository at its committed HEAD (`--ref`: without it, try-repo
//! adds the uncommitted changes to tracked files, but not new files, as a shadow commit,
//! which in a work tree with work in progress may not build), so commit changes to the hooks
//! before running this test. The hook builds condago in that clone with cargo; the builds
//! share their compiled dependencies through `CARGO_TARGET_DIR` (under cargo's
//! `target/tmp`), so only the first one is slow.
//!
//! Without `pre-commit` the test says SKIPPED; under `CI=true` that is a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BAD_BASHRC: &str = "# my bashrc\nexport PATH=\"~/go/bin:$PATH\"\n";
/// Best practice, so that no rule has anything to say about it.
const CLEAN_ZSHRC: &str = "typeset -U path\npath=(\"$HOME/go/bin\" $path)\n";
/// Clean once condago-fix has replaced the quoted `~`.
const BAD_CONFIG_FISH: &str = "fish_add_path -g \"~/go/bin\"\n";
const CONFIG_FISH: &str = ".config/fish/config.fish";

/// One pre-commit run may build condago from scratch: generous, but not endless.
const DEADLINE: Duration = Duration::from_secs(30 * 60);

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `pre-commit` if installed; otherwise SKIPPED (a failure under `CI=true`).
fn require_pre_commit() -> Option<PathBuf> {
    if let Some(found) = find_on_path("pre-commit") {
        return Some(found);
    }
    let why = "pre-commit is not installed (`pip install pre-commit`; `.ci/install-tools` does)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}, and CI=true makes this a failure");
    }
    eprintln!("SKIPPED: the pre-commit hook test did not run: {why}");
    None
}

struct Run {
    code: Option<i32>,
    output: String,
    seconds: f64,
}

/// Runs `command` to completion or the deadline, its output (both streams) in a file so that
/// nothing blocks on a full pipe.
fn run(mut command: Command, what: &str) -> Run {
    let log = tempfile::NamedTempFile::new().expect("log file");
    let out = log.reopen().expect("log");
    let err = log.reopen().expect("log");
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{what}: still running after {DEADLINE:?}; output so far:\n{}",
                fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let run = Run {
        code: status.code(),
        output: String::from_utf8_lossy(&fs::read(log.path()).expect("read log")).into_owned(),
        seconds: started.elapsed().as_secs_f64(),
    };
    eprintln!(
        "{what}: exit {:?} in {:.1} s\n{}",
        run.code, run.seconds, run.output
    );
    run
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A git repository of these files, committed.
fn git_repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for (path, content) in files {
        let path = d.join(path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, content).expect("write");
    }
    git(d, &["init", "-q"]);
    git(d, &["config", "user.name", "Dot Files"]);
    git(d, &["config", "user.email", "dotfiles@example.invalid"]);
    git(d, &["config", "commit.gpgsign", "false"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "dotfiles"]);
    dir
}

/// A dotfiles repository: a `.bashrc` and a `config.fish` with a finding (CG102), a clean
/// `.zshrc`, a README.
fn dotfiles_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    fs::write(d.join(".bashrc"), BAD_BASHRC).expect("write");
    fs::write(d.join(".zshrc"), CLEAN_ZSHRC).expect("write");
    fs::create_dir_all(d.join(".config/fish")).expect("mkdir");
    fs::write(d.join(CONFIG_FISH), BAD_CONFIG_FISH).expect("write");
    fs::write(d.join("README.md"), "my dotfiles\n").expect("write");
    git(d, &["init", "-q"]);
    git(d, &["config", "user.name", "Dot Files"]);
    git(d, &["config", "user.email", "dotfiles@example.invalid"]);
    git(d, &["config", "commit.gpgsign", "false"]);
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "dotfiles"]);
    dir
}

struct PreCommit {
    program: PathBuf,
    home: tempfile::TempDir,
    target_dir: PathBuf,
    /// The commit tested: the same for every run, even if HEAD moves meanwhile.
    head: String,
}

impl PreCommit {
    /// `pre-commit try-repo <this repository> <hook> --files <files>` in `dir`.
    fn try_repo(&self, dir: &Path, hook: &str, files: &[&str]) -> Run {
        let root = repository_root();
        let mut command = Command::new(&self.program);
        command
            .arg("try-repo")
            .arg(&root)
            .arg(hook)
            .args(["--ref", &self.head])
            .arg("--files")
            .args(files)
            .arg("--color=never")
            .current_dir(dir)
            .env("PRE_COMMIT_HOME", self.home.path())
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("NO_COLOR");
        // The hook builds with the cargo running these tests.
        if let Some(cargo_dir) = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .and_then(|cargo| cargo.parent().map(Path::to_path_buf))
        {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![cargo_dir];
            dirs.extend(std::env::split_paths(&path));
            command.env("PATH", std::env::join_paths(dirs).expect("PATH"));
        }
        run(
            command,
            &format!("pre-commit try-repo {hook} --files {}", files.join(" ")),
        )
    }
}

impl PreCommit {
    fn new() -> Option<PreCommit> {
        Some(PreCommit {
            program: require_pre_commit()?,
            home: tempfile::tempdir().expect("tempdir"),
            target_dir: Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit-hook-target"),
            head: git(&repository_root(), &["rev-parse", "HEAD"])
                .trim()
                .to_string(),
        })
    }
}

#[test]
fn pre_commit_try_repo_runs_the_condago_hooks() {
    let Some(pre_commit) = PreCommit::new() else {
        return;
    };
    let repo = dotfiles_repository();
    let d = repo.path();

    // Each try-repo clones the repository and builds condago in the clone (only the
    // workspace's own crates, after the first): the runs are few.

    // A bad file and a clean one: the hook fails, naming the finding, the bad file and the
    // line, and nothing in the clean one.
    let bad = pre_commit.try_repo(d, "condago", &[".bashrc", ".zshrc"]);
    assert_eq!(bad.code, Some(1), "the hook fails on a bad file");
    assert!(bad.output.contains("Failed"), "{}", bad.output);
    assert!(
        bad.output.contains("CG102"),
        "names the rule:\n{}",
        bad.output
    );
    assert!(
        bad.output.contains(".bashrc:2:14"),
        "names the place:\n{}",
        bad.output
    );
    assert!(!bad.output.contains(".zshrc:"), "{}", bad.output);
    assert!(
        !bad.output.contains("building condago failed"),
        "{}",
        bad.output
    );

    // A file the hook does not select is skipped: pre-commit passes no files to it.
    let skipped = pre_commit.try_repo(d, "condago", &["README.md"]);
    assert_eq!(skipped.code, Some(0));
    assert!(
        skipped.output.contains("(no files to check)Skipped"),
        "{}",
        skipped.output
    );

    // condago-fix fixes the files in the work tree (pre-commit reports the modification
    // as a failure, as for every fixing hook) and leaves them ready to stage.
    let fix = pre_commit.try_repo(d, "condago-fix", &[".bashrc", CONFIG_FISH]);
    assert_eq!(
        fix.code,
        Some(1),
        "pre-commit fails a hook that modified files"
    );
    assert!(
        fix.output.contains("files were modified by this hook"),
        "{}",
        fix.output
    );
    assert_eq!(
        fs::read_to_string(d.join(".bashrc")).expect("read"),
        "# my bashrc\nexport PATH=\"$HOME/go/bin:$PATH\"\n"
    );
    assert_eq!(
        fs::read_to_string(d.join(CONFIG_FISH)).expect("read"),
        "fish_add_path -g \"$HOME/go/bin\"\n"
    );
    assert_eq!(
        git(d, &["status", "--porcelain"]),
        format!(" M .bashrc\n M {CONFIG_FISH}\n"),
        "only the two files changed, not yet staged"
    );
    git(d, &["add", ".bashrc", CONFIG_FISH]);
    // Clean files, fixed or not: the hook passes.
    let again = pre_commit.try_repo(d, "condago", &[".zshrc", CONFIG_FISH]);
    assert_eq!(again.code, Some(0), "the hook passes on clean files");
    assert!(again.output.contains("Passed"), "{}", again.output);
    git(d, &["commit", "-q", "-m", "fixed by condago"]);

    eprintln!(
        "pre-commit runs took {:.1} s (the first build), then {:.1} s, {:.1} s, {:.1} s",
        bad.seconds, skipped.seconds, fix.seconds, again.seconds
    );
}

/// A GNU stow repository: the login file in one package, `.bashrc` in another.
const STOW_BASH_PROFILE: &str = "# login shells\nexport EDITOR=vim\n";
const STOW_BASHRC: &str = "# interactive shells\nexport PATH=\"~/go/bin:$PATH\"\n";

/// The stow repository's configuration: its layout, one file's shell, one rule off for one
/// file.
const STOW_CONFIG: &str = "[home]\nlayout = \"stow\"\n\n[shells]\n\"zsh/.zsh/*.sh\" = \"zsh\"\n\n[per-file-ignores]\n\"bash/.bashrc\" = [\"CG104\"]\n";

/// The chezmoi repository's configuration.
const CHEZMOI_CONFIG: &str = "[shells]\n\"dot_config/sh/*.sh.tmpl\" = \"zsh\"\n\n[per-file-ignores]\n\"dot_bashrc.tmpl\" = [\"CG104\"]\n";

/// zsh code in a template whose name says `.sh`.
const CHEZMOI_ZSH_PATH: &str =
    "{{ if .work -}}\npath+=(\"{{ .workbin }}\")\npath+=(\"~/go/bin\")\n{{ end -}}\n";

/// A chezmoi template: actions around shell lines, a quoted `~` outside them.
const CHEZMOI_BASHRC: &str = "{{- /* managed by chezmoi */ -}}\n\
    {{ if eq .chezmoi.os \"darwin\" }}\n\
    export PATH=\"/opt/homebrew/bin:$PATH\"\n\
    {{ end }}\n\
    export GOBIN=\"{{ .chezmoi.homeDir }}/go/bin\"\n\
    export PATH=\"~/.local/bin:$PATH\"\n";

#[test]
fn pre_commit_hooks_on_stow_and_chezmoi_repositories() {
    let Some(pre_commit) = PreCommit::new() else {
        return;
    };
    let stow = git_repository(&[
        ("login/.bash_profile", STOW_BASH_PROFILE),
        ("bash/.bashrc", STOW_BASHRC),
        ("bash/README.md", "my bash setup\n"),
        // zsh code in a `.sh` file: only `[shells]` says it is zsh (as bash, `path` is an
        // ordinary array and its quoted `~` harms nothing).
        ("zsh/.zshenv", "source ~/.zsh/path.sh\n"),
        ("zsh/.zsh/path.sh", "path+=(\"~/go/bin\")\n"),
        ("condago.toml", STOW_CONFIG),
    ]);
    // The repository as the home it makes: the cross-file rule sees both packages, and
    // every finding names the repository's own file.
    let home = pre_commit.try_repo(stow.path(), "condago-home", &["bash/.bashrc"]);
    assert_eq!(home.code, Some(1), "{}", home.output);
    assert!(
        home.output.contains("a GNU stow repository (set in"),
        "{}",
        home.output
    );
    assert!(
        home.output.contains("login/.bash_profile:1:1") && home.output.contains("CG601"),
        "CG601 across packages:\n{}",
        home.output
    );
    assert!(
        home.output.contains("bash/.bashrc:2:14") && home.output.contains("CG102"),
        "{}",
        home.output
    );
    assert!(
        !home.output.contains("bash/.bashrc:2:1:"),
        "per-file-ignores leaves CG104 out for bash/.bashrc:\n{}",
        home.output
    );
    // A changed file is linted with its shell from `[shells]`.
    let zsh = pre_commit.try_repo(stow.path(), "condago", &["zsh/.zsh/path.sh"]);
    assert_eq!(zsh.code, Some(1), "{}", zsh.output);
    assert!(
        zsh.output.contains("zsh/.zsh/path.sh:1:9") && zsh.output.contains("zsh does not expand"),
        "{}",
        zsh.output
    );

    let chezmoi = git_repository(&[
        ("dot_bashrc.tmpl", CHEZMOI_BASHRC),
        ("dot_bash_profile", "[ -f ~/.bashrc ] && . ~/.bashrc\n"),
        ("dot_config/sh/path.sh.tmpl", CHEZMOI_ZSH_PATH),
        // A dotfile, which chezmoi itself never applies.
        (".condago.toml", CHEZMOI_CONFIG),
    ]);
    let lint = pre_commit.try_repo(chezmoi.path(), "condago", &["dot_bashrc.tmpl"]);
    assert_eq!(lint.code, Some(1), "{}", lint.output);
    assert!(
        !lint.output.contains("CG001"),
        "no syntax error:\n{}",
        lint.output
    );
    assert!(
        lint.output.contains("dot_bashrc.tmpl:6:14") && lint.output.contains("CG102"),
        "{}",
        lint.output
    );
    assert!(
        !lint.output.contains("dot_bashrc.tmpl:6:1:"),
        "per-file-ignores leaves CG104 out:\n{}",
        lint.output
    );
    let zsh = pre_commit.try_repo(chezmoi.path(), "condago", &["dot_config/sh/path.sh.tmpl"]);
    assert!(
        zsh.output.contains("dot_config/sh/path.sh.tmpl:3:9")
            && zsh.output.contains("zsh does not expand"),
        "{}",
        zsh.output
    );
    // condago-fix edits the shell code, never an action.
    let fix = pre_commit.try_repo(chezmoi.path(), "condago-fix", &["dot_bashrc.tmpl"]);
    assert_eq!(fix.code, Some(1), "{}", fix.output);
    assert_eq!(
        fs::read_to_string(chezmoi.path().join("dot_bashrc.tmpl")).expect("read"),
        CHEZMOI_BASHRC.replace("\"~/.local/bin:", "\"$HOME/.local/bin:")
    );
    let home = pre_commit.try_repo(chezmoi.path(), "condago-home", &["dot_bashrc.tmpl"]);
    assert!(
        home.output.contains("a chezmoi source directory (found)"),
        "{}",
        home.output
    );
    assert!(!home.output.contains("CG001"), "{}", home.output);
}
