//! What the system startup files in `/etc` (and fish's vendor files) do to `PATH`.
//!
//! The oracle never hides them: these tests pin down what Debian's files do, so the startup
//! model can say the same. On a system whose files differ from Debian's, each test says
//! "SKIPPED" and returns.

use std::fs;
use std::os::unix::fs::MetadataExt;

use condago_oracle::{run_snippet, startup_path, FakeHome, Mode, OracleShell};

const INHERITED: &str = "/inherited:/usr/bin:/bin";
const ROOT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const USER_PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";
/// What Debian's `/etc/zsh/zshenv` sets when `PATH` is empty or exactly `/bin:/usr/bin`.
const ZSHENV_PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/games";

fn split(path: &str) -> Vec<String> {
    path.split(':').map(str::to_owned).collect()
}

fn is_root() -> bool {
    fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// Whether `file` contains `needle`; if not, says the test is skipped.
fn system_file_has(file: &str, needle: &str) -> bool {
    let found = fs::read_to_string(file)
        .map(|text| text.contains(needle))
        .unwrap_or(false);
    if !found {
        eprintln!("SKIPPED: {file} is not Debian's (no `{needle}`)");
    }
    found
}

fn debian_profile() -> bool {
    system_file_has(
        "/etc/profile",
        "PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin",
    ) && system_file_has(
        "/etc/profile",
        "PATH=\"/usr/local/bin:/usr/bin:/bin:/usr/local/games",
    )
}

#[test]
fn etc_profile_replaces_the_inherited_path_in_login_bash_and_sh() {
    if !debian_profile() {
        return;
    }
    let expected = split(if is_root() { ROOT_PATH } else { USER_PATH });
    let home = FakeHome::new();
    for shell in [OracleShell::Bash, OracleShell::Sh] {
        for mode in [Mode::Login, Mode::InteractiveLogin] {
            let Some((entries, run)) = startup_path(shell, mode, &home, INHERITED) else {
                continue;
            };
            assert_eq!(entries, expected, "{shell:?} {mode:?}: {}", run.stderr);
        }
    }
}

#[test]
fn etc_profile_runs_before_the_users_login_file() {
    if !debian_profile() {
        return;
    }
    let home = FakeHome::new();
    home.write(".bash_profile", "export PATH=/mine:$PATH\n");
    home.write(".profile", "export PATH=/mine:$PATH\n");
    let mut expected = vec!["/mine".to_owned()];
    expected.extend(split(if is_root() { ROOT_PATH } else { USER_PATH }));
    for shell in [OracleShell::Bash, OracleShell::Sh] {
        let Some((entries, _)) = startup_path(shell, Mode::Login, &home, INHERITED) else {
            continue;
        };
        assert_eq!(entries, expected, "{shell:?}");
    }
}

#[test]
fn non_login_bash_and_sh_keep_the_inherited_path() {
    let home = FakeHome::new();
    for shell in [OracleShell::Bash, OracleShell::Sh] {
        for mode in [Mode::NonInteractive, Mode::Interactive] {
            let Some((entries, run)) = startup_path(shell, mode, &home, INHERITED) else {
                continue;
            };
            assert_eq!(
                entries,
                split(INHERITED),
                "{shell:?} {mode:?}: {}",
                run.stderr
            );
        }
    }
}

#[test]
fn interactive_bash_reads_etc_bash_bashrc_before_the_users_bashrc() {
    // Debian builds bash with a system bashrc; it sets PS1 and leaves PATH alone.
    if !system_file_has(
        "/etc/bash.bashrc",
        "PS1='${debian_chroot:+($debian_chroot)}",
    ) {
        return;
    }
    let home = FakeHome::new();
    home.write(".bashrc", "printf 'PS1=%s\\n' \"$PS1\"\n");
    let Some((entries, run)) = startup_path(OracleShell::Bash, Mode::Interactive, &home, INHERITED)
    else {
        return;
    };
    assert!(
        run.stdout
            .contains("PS1=${debian_chroot:+($debian_chroot)}\\u@\\h:\\w\\$ "),
        "{}",
        run.stdout
    );
    assert_eq!(entries, split(INHERITED));
    // A non-tty interactive bash complains about job control on stderr: noise, not failure.
    assert_eq!(run.status, Some(0), "{}", run.stderr);
}

#[test]
fn zsh_keeps_the_inherited_path_in_every_mode() {
    let home = FakeHome::new();
    for mode in [
        Mode::NonInteractive,
        Mode::Interactive,
        Mode::Login,
        Mode::InteractiveLogin,
    ] {
        let Some((entries, run)) = startup_path(OracleShell::Zsh, mode, &home, INHERITED) else {
            return;
        };
        assert_eq!(entries, split(INHERITED), "{mode:?}: {}", run.stderr);
    }
}

#[test]
fn etc_zsh_zshenv_resets_an_empty_or_bare_path_even_under_zsh_f() {
    if !system_file_has("/etc/zsh/zshenv", "\"$PATH\" == \"/bin:/usr/bin\"") {
        return;
    }
    let home = FakeHome::new();
    for inherited in ["", "/bin:/usr/bin"] {
        for mode in [Mode::NonInteractive, Mode::InteractiveLogin] {
            let Some((entries, _)) = startup_path(OracleShell::Zsh, mode, &home, inherited) else {
                return;
            };
            assert_eq!(entries, split(ZSHENV_PATH), "{inherited:?} {mode:?}");
        }
    }
    // `zsh -f` skips every startup file except /etc/zsh/zshenv, which cannot be skipped.
    let mut bare = FakeHome::new();
    bare.set_env("PATH", "/bin:/usr/bin");
    let run = run_snippet(OracleShell::Zsh, &bare, "true").expect("installed");
    assert_eq!(run.path_entries(), Some(split(ZSHENV_PATH)));
    // Any other value, even the same directories in the other order, is kept.
    let (entries, _) =
        startup_path(OracleShell::Zsh, Mode::Login, &home, "/usr/bin:/bin").expect("installed");
    assert_eq!(entries, ["/usr/bin", "/bin"]);
}

#[test]
fn login_fish_appends_the_etc_profile_directories_that_exist() {
    let vendor = "/usr/share/fish/vendor_conf.d/00debian-profile.fish";
    if !system_file_has(vendor, "fish_add_path -aP /usr/local/bin") {
        return;
    }
    let root_dirs = [
        "/usr/local/sbin",
        "/usr/local/bin",
        "/usr/sbin",
        "/usr/bin",
        "/sbin",
        "/bin",
    ];
    let user_dirs = [
        "/usr/local/bin",
        "/usr/bin",
        "/bin",
        "/usr/local/games",
        "/usr/games",
    ];
    let dirs: &[&str] = if is_root() { &root_dirs } else { &user_dirs };
    // fish_add_path -aP: append, skip what is already there (by path, so a symlinked /bin
    // is still its own entry) and what does not exist.
    let mut expected = split(INHERITED);
    for dir in dirs {
        if fs::metadata(dir).is_ok() && !expected.iter().any(|e| e == dir) {
            expected.push((*dir).to_owned());
        }
    }
    let home = FakeHome::new();
    for mode in [Mode::Login, Mode::InteractiveLogin] {
        let Some((entries, run)) = startup_path(OracleShell::Fish, mode, &home, INHERITED) else {
            return;
        };
        assert_eq!(entries, expected, "{mode:?}: {}", run.stderr);
    }
    for mode in [Mode::NonInteractive, Mode::Interactive] {
        let Some((entries, _)) = startup_path(OracleShell::Fish, mode, &home, INHERITED) else {
            return;
        };
        assert_eq!(entries, split(INHERITED), "{mode:?}");
    }
    // The vendor file runs after the user's conf.d files (all conf.d directories are read in
    // one pass: user, then /etc/fish/conf.d, then vendor), so it repairs a PATH they clobbered,
    // in login shells only. The user's config.fish runs after it.
    home.write(
        ".config/fish/conf.d/00-clobber.fish",
        "set -gx PATH /mine\n",
    );
    home.write(".config/fish/config.fish", "set -gx PATH /last $PATH\n");
    let (entries, _) =
        startup_path(OracleShell::Fish, Mode::Login, &home, INHERITED).expect("installed");
    let mut want = vec!["/last".to_owned(), "/mine".to_owned()];
    want.extend(
        dirs.iter()
            .filter(|dir| fs::metadata(dir).is_ok())
            .map(|dir| (*dir).to_owned()),
    );
    assert_eq!(entries, want);
    let (entries, _) =
        startup_path(OracleShell::Fish, Mode::NonInteractive, &home, INHERITED).expect("installed");
    assert_eq!(entries, ["/last", "/mine"]);
    // A user conf.d file with the same name masks the vendor file.
    home.write(".config/fish/conf.d/00debian-profile.fish", "# masked\n");
    let (entries, _) =
        startup_path(OracleShell::Fish, Mode::Login, &home, INHERITED).expect("installed");
    assert_eq!(entries, ["/last", "/mine"]);
}
