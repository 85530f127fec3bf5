//! The model against fake roots (`--root`): system files other systems ship, and inputs
//! the oracle cannot vary (the user id, macOS's `path_helper`).

use std::path::Path;

use condago_startup::{analyze, Inputs, Mode, StartupShell};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    write(path, "#!/bin/sh\n");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn inputs(root: &Path, home: &Path) -> Inputs {
    let mut inputs = Inputs::new(home);
    inputs.root = root.to_path_buf();
    inputs
}

/// The final PATH with `~` for the home and `@file:line` for where each entry comes from.
fn shown(startup: &condago_startup::Startup) -> Vec<String> {
    startup
        .path
        .iter()
        .map(|entry| {
            let dir = condago_startup::short_path(&entry.text, &startup.home);
            match &entry.origin {
                Some(at) => format!(
                    "{dir}@{}:{}",
                    condago_startup::short_path(&at.file, &startup.home),
                    at.line
                ),
                None => dir,
            }
        })
        .collect()
}

#[test]
fn etc_profile_decides_by_the_modelled_user_id() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    write(
        &root.path().join("etc/profile"),
        "if [ \"$(id -u)\" -eq 0 ]; then\n  PATH=\"/usr/sbin:/usr/bin\"\nelse\n  PATH=\"/usr/bin:/usr/games\"\nfi\nexport PATH\n",
    );
    let mut as_root = inputs(root.path(), home.path());
    as_root.uid = Some(0);
    let mut as_user = as_root.clone();
    as_user.uid = Some(1000);
    let mut unknown = as_root.clone();
    unknown.uid = None;
    assert_eq!(
        shown(&analyze(StartupShell::Bash, Mode::Login, &as_root)),
        ["/usr/sbin@/etc/profile:2", "/usr/bin@/etc/profile:2"]
    );
    assert_eq!(
        shown(&analyze(StartupShell::Bash, Mode::Login, &as_user)),
        ["/usr/bin@/etc/profile:4", "/usr/games@/etc/profile:4"]
    );
    // Without a user id the branch is not known: kept as unknown, never guessed.
    let startup = analyze(StartupShell::Bash, Mode::Login, &unknown);
    assert!(!startup.complete);
    assert_eq!(startup.path.len(), 1);
    let why = startup.path[0].unknown.as_deref().unwrap_or("");
    assert!(
        why.contains("/usr/sbin:/usr/bin or /usr/bin:/usr/games"),
        "{why}"
    );
}

#[test]
fn macos_path_helper_moves_zshenv_entries_to_the_end() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    write(
        &root.path().join("etc/paths"),
        "/usr/local/bin\n/usr/bin\n/bin\n",
    );
    write(
        &root.path().join("etc/paths.d/10-homebrew"),
        "/opt/homebrew/bin\n",
    );
    executable(&root.path().join("usr/libexec/path_helper"));
    write(
        &root.path().join("etc/zprofile"),
        "if [ -x /usr/libexec/path_helper ]; then\n\teval `/usr/libexec/path_helper -s`\nfi\n",
    );
    write(
        &home.path().join(".zshenv"),
        "export PATH=\"$HOME/bin:$PATH\"\n",
    );
    write(
        &home.path().join(".config/fish/config.fish"),
        "set -gx PATH $HOME/fish/bin $PATH\n",
    );
    let inputs = inputs(root.path(), home.path());
    let login = analyze(StartupShell::Zsh, Mode::Login, &inputs);
    assert!(login.complete);
    assert_eq!(
        shown(&login),
        [
            "/usr/local/bin@/etc/zprofile:2",
            "/usr/bin",
            "/bin",
            "/opt/homebrew/bin@/etc/zprofile:2",
            "~/bin@~/.zshenv:1"
        ]
    );
    assert_eq!(
        shown(&analyze(StartupShell::Zsh, Mode::Interactive, &inputs)),
        ["~/bin@~/.zshenv:1", "/usr/bin", "/bin"]
    );
    let fish = analyze(StartupShell::Fish, Mode::Login, &inputs);
    assert_eq!(shown(&fish)[0], "~/fish/bin@~/.config/fish/config.fish:1");
    assert!(shown(&fish).contains(&"/opt/homebrew/bin@/usr/share/fish/config.fish:1".to_string()));
}

#[test]
fn a_known_tool_init_is_modelled_not_unknown() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    executable(&home.path().join(".pyenv/bin/pyenv"));
    write(
        &home.path().join(".bashrc"),
        "export PATH=\"$HOME/.pyenv/bin:$PATH\"\neval \"$(pyenv init -)\"\n",
    );
    let startup = analyze(
        StartupShell::Bash,
        Mode::Interactive,
        &inputs(root.path(), home.path()),
    );
    assert!(startup.complete, "{:?}", startup.notes);
    assert_eq!(
        shown(&startup),
        [
            "~/.pyenv/shims@~/.bashrc:2",
            "~/.pyenv/bin@~/.bashrc:1",
            "/usr/bin",
            "/bin"
        ]
    );
    let via = startup.path[0].via.as_deref().unwrap_or("");
    assert!(via.starts_with("pyenv init (as pyenv 2.4/2.5"), "{via}");
}

#[test]
fn an_unknown_eval_is_kept_and_explained() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    executable(&home.path().join(".sometool/bin/sometool"));
    write(
        &home.path().join(".bashrc"),
        "eval \"$(not-installed init)\"\nexport PATH=\"$HOME/.sometool/bin:$PATH\"\neval \"$(sometool init -)\"\neval \"$(dircolors -b)\"\n",
    );
    let startup = analyze(
        StartupShell::Bash,
        Mode::Interactive,
        &inputs(root.path(), home.path()),
    );
    assert!(!startup.complete);
    assert_eq!(startup.path[0].dir, None);
    let why = startup.path[0].unknown.as_deref().unwrap_or("");
    assert!(why.contains("eval \"$(sometool init -)\""), "{why}");
    assert_eq!(
        startup.notes.len(),
        1,
        "dircolors and a missing tool are known: {:?}",
        startup.notes
    );
}

#[test]
fn zdotdir_inherited_and_xdg_config_home() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("cfg");
    write(&config.join("zsh/.zshenv"), "path=(/from/zdotdir $path)\n");
    write(
        &config.join("fish/config.fish"),
        "set -gx PATH /from/xdg $PATH\n",
    );
    let mut inputs = inputs(root.path(), home.path());
    inputs.set_env("ZDOTDIR", &config.join("zsh").display().to_string());
    inputs.set_env("XDG_CONFIG_HOME", &config.display().to_string());
    let zsh = analyze(StartupShell::Zsh, Mode::NonInteractive, &inputs);
    assert_eq!(zsh.path_strings()[0], "/from/zdotdir");
    let fish = analyze(StartupShell::Fish, Mode::NonInteractive, &inputs);
    assert_eq!(fish.path_strings()[0], "/from/xdg");
}

#[test]
fn a_condition_that_cannot_be_decided_keeps_what_both_branches_agree_on() {
    let root = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("tempdir");
    write(
        &home.path().join(".bashrc"),
        "export PATH=\"/first:$PATH\"\nif [ \"$TERM_PROGRAM\" = vscode ]; then\n  export PATH=\"/vscode/bin:$PATH\"\nfi\nexport PATH=\"$PATH:/last\"\n",
    );
    let startup = analyze(
        StartupShell::Bash,
        Mode::Interactive,
        &inputs(root.path(), home.path()),
    );
    // TERM_PROGRAM is not inherited: unset, so the branch is known not to run.
    assert!(startup.complete);
    // `tty` is installed under this root: what it prints is not known.
    executable(&root.path().join("usr/bin/tty"));
    let inputs = inputs(root.path(), home.path());
    let text = std::fs::read_to_string(home.path().join(".bashrc")).expect("read");
    write(
        &home.path().join(".bashrc"),
        &text.replace("\"$TERM_PROGRAM\" = vscode", "\"$(tty)\" = /dev/pts/0"),
    );
    let startup = analyze(StartupShell::Bash, Mode::Interactive, &inputs);
    assert!(!startup.complete);
    assert_eq!(
        startup.path_strings(),
        ["?", "/first", "/usr/bin", "/bin", "/last"]
    );
    let why = startup.path[0].unknown.as_deref().unwrap_or("");
    assert!(why.contains("/vscode/bin or nothing"), "{why}");
    assert_eq!(startup.path[0].origin.as_ref().map(|o| o.line), Some(2));
}
