//! The layouts against the real tools: what GNU stow links and what yadm's `alt` links are
//! exactly the home paths and repository files the layout maps.
//!
//! Without `stow` or `yadm` a test says SKIPPED; under `CI=true` that is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use condago_startup::{Layout, LayoutKind};

fn require(program: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    if !found {
        let why = format!("{program} is not installed (Debian package `{program}`)");
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{why}, and CI=true makes this a failure"
        );
        eprintln!("SKIPPED: {why}");
    }
    found
}

fn write(root: &Path, files: &[&str]) {
    for file in files {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, format!("# {file}\n")).expect("write");
    }
}

/// Every symbolic link under `dir` (relative path) and the file it ends at.
fn links(dir: &Path) -> BTreeMap<String, PathBuf> {
    fn go(dir: &Path, rel: &str, out: &mut BTreeMap<String, PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.file_type().is_symlink() {
                out.insert(rel, path.canonicalize().expect("link target"));
            } else if meta.is_dir() {
                go(&path, &rel, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, "", &mut out);
    out
}

fn mapped(layout: &Layout) -> BTreeMap<String, PathBuf> {
    layout
        .files()
        .map(|(home, file)| (home.to_string(), file.canonicalize().expect("file")))
        .collect()
}

#[test]
fn stow_links_what_the_stow_layout_maps() {
    if !require("stow") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    let target = dir.path().join("target");
    std::fs::create_dir_all(&target).expect("mkdir");
    write(
        &repo,
        &[
            "bash/dot-bashrc",
            "bash/.profile",
            "bash/README.md",
            "bash/.bash_aliases~",
            "bash/docs/README.md",
            "fish/.config/fish/config.fish",
            "fish/.config/fish/conf.d/go.fish",
            "fish/notes.txt",
            "fish/README.md",
            "fish/extra/a.fish",
            "zsh/.zshrc",
            "zsh/.gitignore",
            "zsh/.zsh/path.zsh",
        ],
    );
    std::fs::write(
        repo.join("fish/.stow-local-ignore"),
        "notes\\..*\n^/extra\n",
    )
    .expect("write");
    let status = Command::new("stow")
        .args(["--dotfiles", "--no-folding", "-d"])
        .arg(&repo)
        .arg("-t")
        .arg(&target)
        .args(["bash", "fish", "zsh"])
        .status()
        .expect("run stow");
    assert!(status.success());
    let layout = Layout::open(&repo, None, "linux").expect("layout");
    assert_eq!(layout.kind, LayoutKind::Stow);
    let linked = links(&target);
    assert_eq!(mapped(&layout), linked);
    assert!(linked.contains_key(".bashrc") && !linked.contains_key("notes.txt"));
}

#[test]
fn yadm_alt_links_the_alternates_the_yadm_layout_reads() {
    if !require("yadm") || !require("git") {
        return;
    }
    let files = [
        ".bashrc##os.Linux",
        ".bashrc##default",
        ".zshrc##os.Darwin",
        ".zshrc##default",
        ".profile##default",
        ".config/fish/config.fish##class.Work",
        ".config/fish/config.fish##default",
        ".zshenv##os.Darwin",
    ];
    // The layout reads a checkout of the repository; yadm links in a home of its own.
    let checkout = tempfile::tempdir().expect("tempdir");
    write(checkout.path(), &files);
    let home = tempfile::tempdir().expect("tempdir");
    write(home.path(), &files);
    let yadm = |args: &[&str]| {
        let output = Command::new("yadm")
            .args(args)
            .current_dir(home.path())
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_DATA_HOME")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("run yadm");
        assert!(
            output.status.success(),
            "yadm {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    yadm(&["init", "-w", &home.path().display().to_string()]);
    let mut add = vec!["add"];
    add.extend(files);
    yadm(&add);
    yadm(&["alt"]);
    // What yadm linked, as names in the checkout.
    let linked: BTreeMap<String, String> = links(home.path())
        .into_iter()
        .map(|(name, target)| {
            let target = target
                .strip_prefix(home.path().canonicalize().expect("home"))
                .expect("in the home")
                .display()
                .to_string();
            (name, target)
        })
        .collect();
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let layout = Layout::open(checkout.path(), None, os).expect("layout");
    assert_eq!(layout.kind, LayoutKind::Yadm);
    let base = checkout.path().canonicalize().expect("checkout");
    let chosen: BTreeMap<String, String> = mapped(&layout)
        .into_iter()
        .filter(|(name, file)| file.file_name() != Path::new(name).file_name())
        .map(|(name, file)| {
            let file = file
                .strip_prefix(&base)
                .expect("in the checkout")
                .display()
                .to_string();
            (name, file)
        })
        .collect();
    assert_eq!(chosen, linked);
    assert_eq!(
        linked.get(".bashrc").map(String::as_str),
        (os == "linux").then_some(".bashrc##os.Linux")
    );
    assert!(
        linked.contains_key(".config/fish/config.fish"),
        "{linked:?}"
    );
}
