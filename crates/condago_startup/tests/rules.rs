//! The cross-file rules on fixture homes: each fails where it should and passes where it
//! should; the fixable ones are fixed and the real shell shows that the fix works.

mod common;

use common::{fixtures, materialize};
use condago_linter::apply_edits;
use condago_oracle::{startup_path, FakeHome, Mode as OracleMode, OracleShell};
use condago_startup::rules::{check, Finding};
use condago_startup::{Inputs, StartupShell};

/// The findings of `code` in a fixture home as `(file relative to the home, line)`.
fn run(
    home: &FakeHome,
    code: &str,
    login: Option<StartupShell>,
) -> (Vec<(String, usize)>, Vec<Finding>) {
    let inputs = Inputs::new(home.path());
    let findings: Vec<Finding> = check(&inputs, login, &|c| c == code)
        .into_iter()
        .filter(|f| f.diagnostic.code == code)
        .collect();
    let places = findings
        .iter()
        .map(|finding| {
            let text = std::fs::read(&finding.path).expect("the file of a finding");
            let line = text[..finding.diagnostic.range.start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            let relative = finding
                .path
                .strip_prefix(home.path())
                .expect("inside the home")
                .display()
                .to_string();
            (relative, line)
        })
        .collect();
    (places, findings)
}

fn home(name: &str) -> FakeHome {
    materialize(&fixtures().join(name))
}

fn places(list: &[(&str, usize)]) -> Vec<(String, usize)> {
    list.iter().map(|(f, l)| (f.to_string(), *l)).collect()
}

/// Applies a finding's fix to its file.
fn apply_fix(finding: &Finding) {
    let fix = finding.diagnostic.fix.as_ref().expect("a fix");
    let text = std::fs::read(&finding.path).expect("read");
    let fixed = apply_edits(&text, &fix.edits);
    std::fs::write(&finding.path, fixed).expect("write");
}

fn real_path(home: &FakeHome, shell: OracleShell, mode: OracleMode) -> Option<Vec<String>> {
    startup_path(shell, mode, home, "/usr/bin:/bin").map(|(entries, _)| entries)
}

fn under(home: &FakeHome, relative: &str) -> String {
    home.path().join(relative).display().to_string()
}

#[test]
fn cg601_bash_profile_skips_bashrc() {
    let home = home("bash-profile-skips-bashrc");
    let (found, findings) = run(&home, "CG601", None);
    assert_eq!(found, places(&[(".bash_profile", 1)]));
    // The real login shell misses ~/.bashrc's directory; with the fix it has it.
    let cargo = under(&home, ".cargo/bin");
    if let Some(before) = real_path(&home, OracleShell::Bash, OracleMode::InteractiveLogin) {
        assert!(!before.contains(&cargo), "{before:?}");
    }
    apply_fix(&findings[0]);
    let text = std::fs::read_to_string(home.path().join(".bash_profile")).expect("read");
    assert!(
        text.ends_with("\n[ -f ~/.bashrc ] && . ~/.bashrc\n")
            || text.ends_with("vim\n[ -f ~/.bashrc ] && . ~/.bashrc\n"),
        "{text}"
    );
    if let Some(after) = real_path(&home, OracleShell::Bash, OracleMode::InteractiveLogin) {
        assert!(after.contains(&cargo), "{after:?}");
    }
    assert!(
        run(&home, "CG601", None).0.is_empty(),
        "fixed once, nothing left"
    );

    for passing in [
        "bash-profile-sources-bashrc",
        "ubuntu-skeleton",
        "nested-source",
        "duplicates",
    ] {
        assert!(
            run(&self::home(passing), "CG601", None).0.is_empty(),
            "{passing}"
        );
    }
}

#[test]
fn cg602_profile_shadowed() {
    let home = home("profile-shadowed");
    let (found, findings) = run(&home, "CG602", None);
    assert_eq!(found, places(&[(".bash_profile", 1)]));
    let local = under(&home, ".local/bin");
    if let Some(before) = real_path(&home, OracleShell::Bash, OracleMode::Login) {
        assert!(!before.contains(&local), "{before:?}");
    }
    apply_fix(&findings[0]);
    let text = std::fs::read_to_string(home.path().join(".bash_profile")).expect("read");
    assert!(
        text.starts_with("# ~/.bash_profile\n[ -f ~/.profile ] && . ~/.profile\n"),
        "{text}"
    );
    if let Some(after) = real_path(&home, OracleShell::Bash, OracleMode::Login) {
        assert!(after.contains(&local), "{after:?}");
    }
    assert!(run(&home, "CG602", None).0.is_empty());

    let fallback = self::home("bash-login-fallback");
    assert_eq!(
        run(&fallback, "CG602", None).0,
        places(&[(".bash_login", 1)])
    );
    for passing in [
        "ubuntu-skeleton",
        "duplicates",
        "bash-profile-sources-bashrc",
    ] {
        assert!(
            run(&self::home(passing), "CG602", None).0.is_empty(),
            "{passing}"
        );
    }
}

#[test]
fn cg603_zsh_path_only_in_zshrc() {
    let home = home("zsh-path-only-zshrc");
    let (found, _) = run(&home, "CG603", None);
    assert_eq!(found, places(&[(".zshrc", 2), (".zshrc", 3)]));
    // What the rule says: `zsh -c` lacks the directory that `zsh -i` has.
    let go = under(&home, "go/bin");
    if let (Some(plain), Some(interactive)) = (
        real_path(&home, OracleShell::Zsh, OracleMode::NonInteractive),
        real_path(&home, OracleShell::Zsh, OracleMode::Interactive),
    ) {
        assert!(
            !plain.contains(&go) && interactive.contains(&go),
            "{plain:?} {interactive:?}"
        );
    }
    for passing in [
        "zdotdir",
        "conda-zsh-no-autoactivate",
        "nested-source",
        "interactive-guards",
    ] {
        assert!(
            run(&self::home(passing), "CG603", None).0.is_empty(),
            "{passing}"
        );
    }
}

#[test]
fn cg604_conda_init_other_shell_only() {
    let home = home("conda-bash");
    let (found, _) = run(&home, "CG604", Some(StartupShell::Zsh));
    assert_eq!(
        found,
        places(&[(".bashrc", 5), (".config/fish/config.fish", 2)])
    );
    assert!(run(&home, "CG604", Some(StartupShell::Bash)).0.is_empty());
    assert!(
        run(&home, "CG604", None).0.is_empty(),
        "no login shell known, no finding"
    );
    let zsh = self::home("conda-zsh-no-autoactivate");
    assert!(run(&zsh, "CG604", Some(StartupShell::Zsh)).0.is_empty());
    assert_eq!(
        run(&zsh, "CG604", Some(StartupShell::Bash)).0,
        places(&[(".zshrc", 5)])
    );
}

#[test]
fn cg605_fish_confd_order() {
    let home = home("fish-confd-order");
    let (found, _) = run(&home, "CG605", None);
    assert_eq!(found, places(&[(".config/fish/conf.d/go.fish", 1)]));
    // fish runs conf.d first: `$GOPATH/bin` expands to nothing there.
    let go = under(&home, "go/bin");
    if let Some(real) = real_path(&home, OracleShell::Fish, OracleMode::Interactive) {
        assert!(!real.contains(&go), "{real:?}");
    }
    for passing in ["fish-user-paths", "nested-source", "interactive-guards"] {
        assert!(
            run(&self::home(passing), "CG605", None).0.is_empty(),
            "{passing}"
        );
    }
}

#[test]
fn cg505_go_path_shadowed() {
    let home = home("go-two-installs");
    let (found, findings) = run(&home, "CG505", None);
    assert_eq!(found, places(&[(".bashrc", 17)]));
    assert!(
        findings[0].diagnostic.message.contains("bash interactive"),
        "{}",
        findings[0].diagnostic.message
    );
    // With GOROOT naming the Go that wins, nothing is shadowed that is meant.
    let bashrc = home.path().join(".bashrc");
    let mut text = std::fs::read_to_string(&bashrc).expect("read");
    text.push_str("export GOROOT=\"$HOME/sdk/go\"\n");
    std::fs::write(&bashrc, text).expect("write");
    assert!(run(&home, "CG505", None).0.is_empty());
    assert!(run(&self::home("conda-bash"), "CG505", None).0.is_empty());
}

#[test]
fn cg103_duplicate_along_a_chain() {
    let home = home("duplicates");
    let (found, _) = run(&home, "CG103", None);
    assert_eq!(
        found,
        places(&[(".bashrc", 1), (".bashrc", 2), (".zshrc", 1)])
    );
    for passing in ["zdotdir", "bash-profile-sources-bashrc", "fish-user-paths"] {
        assert!(
            run(&self::home(passing), "CG103", None).0.is_empty(),
            "{passing}"
        );
    }
}

#[test]
fn suppression_comments_apply_to_cross_file_findings() {
    let home = home("bash-profile-skips-bashrc");
    let path = home.path().join(".bash_profile");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        format!("{text}# condago: disable-file=bash-profile-skips-bashrc\n"),
    )
    .expect("write");
    assert!(run(&home, "CG601", None).0.is_empty());
}
