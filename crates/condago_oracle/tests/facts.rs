//! DESIGN.md's "Facts the rules rest on", proved in the real shells.
//!
//! Where a fact holds in more shells than DESIGN.md names, the test says so.

use condago_oracle::{
    lookup_after, path_after, run_snippet, startup_path, FakeHome, Mode, OracleShell,
};

/// `/usr/bin:/bin`, the PATH every snippet starts with.
const START: [&str; 2] = ["/usr/bin", "/bin"];

fn owned(entries: &[&str]) -> Vec<String> {
    entries.iter().map(|e| (*e).to_owned()).collect()
}

// --- a quoted `~` in PATH (CG102) ---

#[test]
fn bash_finds_a_quoted_tilde_entry_itself_but_a_child_does_not() {
    let home = FakeHome::new();
    let stub = home.stub("go/bin", "gostub");
    let snippet = r#"export PATH="~/go/bin:$PATH""#;
    let Some(found) = lookup_after(OracleShell::Bash, &home, snippet, "gostub") else {
        return;
    };
    assert_eq!(found.shell_finds, Some(stub.to_string_lossy().into_owned()));
    assert_eq!(found.child_finds, None);
    // The entry itself stays a literal `~` in the environment.
    let entries = path_after(OracleShell::Bash, &home, snippet).expect("installed");
    assert_eq!(entries, ["~/go/bin", "/usr/bin", "/bin"]);
}

#[test]
fn zsh_fish_and_sh_never_find_a_quoted_tilde_entry() {
    let home = FakeHome::new();
    home.stub("go/bin", "gostub");
    let cases = [
        (OracleShell::Zsh, r#"export PATH="~/go/bin:$PATH""#),
        (OracleShell::Zsh, "path+=('~/go/bin')"),
        (OracleShell::Sh, r#"export PATH="~/go/bin:$PATH""#),
        (OracleShell::Fish, r#"set -gx PATH "~/go/bin" $PATH"#),
        (OracleShell::Fish, r#"export PATH="~/go/bin:$PATH""#),
        (OracleShell::Fish, "fish_add_path -g '~/go/bin'"),
    ];
    for (shell, snippet) in cases {
        let Some(found) = lookup_after(shell, &home, snippet, "gostub") else {
            continue;
        };
        assert_eq!(found.shell_finds, None, "{shell:?}: {snippet}");
        assert_eq!(found.child_finds, None, "{shell:?}: {snippet}");
    }
}

#[test]
fn home_instead_of_a_quoted_tilde_is_found_everywhere() {
    let home = FakeHome::new();
    let stub = home.stub("go/bin", "gostub");
    let expected = Some(stub.to_string_lossy().into_owned());
    let cases = [
        (OracleShell::Bash, r#"export PATH="$HOME/go/bin:$PATH""#),
        (OracleShell::Zsh, r#"export PATH="$HOME/go/bin:$PATH""#),
        (OracleShell::Zsh, r#"path+=("$HOME/go/bin")"#),
        (OracleShell::Sh, r#"export PATH="$HOME/go/bin:$PATH""#),
        (OracleShell::Fish, r#"set -gx PATH "$HOME/go/bin" $PATH"#),
        (OracleShell::Fish, r#"export PATH="$HOME/go/bin:$PATH""#),
    ];
    for (shell, snippet) in cases {
        let Some(found) = lookup_after(shell, &home, snippet, "gostub") else {
            continue;
        };
        assert_eq!(found.shell_finds, expected, "{shell:?}: {snippet}");
        assert_eq!(found.child_finds, expected, "{shell:?}: {snippet}");
    }
}

#[test]
fn an_unquoted_tilde_in_an_assignment_is_expanded_by_posix_shells_not_fish() {
    let home = FakeHome::new();
    let go_bin = home.path().join("go/bin").to_string_lossy().into_owned();
    // bash, zsh and dash expand `~` after `=` and after `:` in an assignment.
    for shell in [OracleShell::Bash, OracleShell::Zsh, OracleShell::Sh] {
        let Some(entries) = path_after(shell, &home, "export PATH=/a:~/go/bin:$PATH") else {
            continue;
        };
        assert_eq!(
            entries,
            ["/a", go_bin.as_str(), "/usr/bin", "/bin"],
            "{shell:?}"
        );
    }
    // fish's `export` wrapper gets one word `PATH=~/...`: the `~` is not at its start.
    if let Some(entries) = path_after(OracleShell::Fish, &home, r#"export PATH="$PATH:~/go/bin""#) {
        assert_eq!(entries, ["/usr/bin", "/bin", "~/go/bin"]);
    }
}

// --- fish lists (CG301, CG305) ---

#[test]
fn fish_export_unquoted_keeps_only_the_last_old_entry() {
    let mut home = FakeHome::new();
    home.set_env("PATH", "/usr/local/bin:/usr/bin:/bin");
    let Some(entries) = path_after(OracleShell::Fish, &home, "export PATH=$PATH:/x") else {
        return;
    };
    assert_eq!(entries, ["/bin", "/x"]);
    // Prepending is no better: again only the last old entry survives.
    let entries = path_after(OracleShell::Fish, &home, "export PATH=/x:$PATH").expect("installed");
    assert_eq!(entries, ["/x", "/bin"]);
}

#[test]
fn fish_export_quoted_works() {
    let mut home = FakeHome::new();
    home.set_env("PATH", "/usr/local/bin:/usr/bin:/bin");
    let Some(entries) = path_after(OracleShell::Fish, &home, r#"export PATH="$PATH:/x""#) else {
        return;
    };
    assert_eq!(entries, ["/usr/local/bin", "/usr/bin", "/bin", "/x"]);
}

#[test]
fn fish_set_unquoted_colon_join_puts_the_entry_before_every_element() {
    let mut home = FakeHome::new();
    home.set_env("PATH", "/usr/local/bin:/usr/bin:/bin");
    let Some(entries) = path_after(OracleShell::Fish, &home, "set -gx PATH /x:$PATH") else {
        return;
    };
    assert_eq!(
        entries,
        ["/x", "/usr/local/bin", "/x", "/usr/bin", "/x", "/bin"]
    );
}

#[test]
fn fish_set_quoted_colon_join_is_split_into_a_list() {
    let home = FakeHome::new();
    let Some(run) = run_snippet(
        OracleShell::Fish,
        &home,
        r#"set -gx PATH "/a:$PATH"; count $PATH"#,
    ) else {
        return;
    };
    assert_eq!(run.stdout, "3\n", "PATH is a three-element list");
    assert_eq!(run.path_entries(), Some(owned(&["/a", "/usr/bin", "/bin"])));
}

#[test]
fn fish_set_prepend_twice_adds_the_entry_twice() {
    let home = FakeHome::new();
    let snippet = "set -gx PATH /x $PATH\nset -gx PATH /x $PATH";
    let Some(entries) = path_after(OracleShell::Fish, &home, snippet) else {
        return;
    };
    assert_eq!(entries, ["/x", "/x", "/usr/bin", "/bin"]);
}

#[test]
fn fish_add_path_is_idempotent_and_skips_missing_directories() {
    let home = FakeHome::new();
    home.stub("tools", "t");
    let tools = home.path().join("tools").to_string_lossy().into_owned();
    let snippet = format!(
        "fish_add_path -g '{tools}'\nfish_add_path -g '{tools}'\nfish_add_path -g /condago/no/such/dir"
    );
    let Some(entries) = path_after(OracleShell::Fish, &home, &snippet) else {
        return;
    };
    assert_eq!(entries, [tools.as_str(), "/usr/bin", "/bin"]);
}

#[test]
fn fish_removes_duplicates_from_fish_user_paths() {
    let home = FakeHome::new();
    let Some(run) = run_snippet(
        OracleShell::Fish,
        &home,
        "set -g fish_user_paths /u /u /v /u\necho $fish_user_paths",
    ) else {
        return;
    };
    assert_eq!(run.stdout, "/u /v\n");
    assert_eq!(
        run.path_entries(),
        Some(owned(&["/u", "/v", "/usr/bin", "/bin"]))
    );
}

// --- zsh (CG104) ---

#[test]
fn zsh_typeset_unique_path_dedups_the_array_but_not_scalar_path_assignments() {
    // DESIGN.md: "`typeset -U path` keeps PATH free of duplicates". Only half true: it
    // dedups assignments to the `path` array; `export PATH=/x:$PATH` (a scalar assignment)
    // still adds a duplicate. `typeset -U path PATH` covers both.
    let home = FakeHome::new();
    let Some(entries) = path_after(
        OracleShell::Zsh,
        &home,
        "typeset -U path\npath=(/x $path /x /usr/bin)",
    ) else {
        return;
    };
    assert_eq!(entries, ["/x", "/usr/bin", "/bin"]);
    let entries = path_after(
        OracleShell::Zsh,
        &home,
        "typeset -U path\nexport PATH=/usr/bin:$PATH:/y:/y",
    )
    .expect("installed");
    assert_eq!(entries, ["/usr/bin", "/usr/bin", "/bin", "/y", "/y"]);
    let entries = path_after(
        OracleShell::Zsh,
        &home,
        "typeset -U path PATH\nexport PATH=/usr/bin:$PATH:/y:/y",
    )
    .expect("installed");
    assert_eq!(entries, ["/usr/bin", "/bin", "/y"]);
    // Without it, every duplicate stays.
    let entries =
        path_after(OracleShell::Zsh, &home, "path=(/x $path /x /usr/bin)").expect("installed");
    assert_eq!(entries, ["/x", "/usr/bin", "/bin", "/x", "/usr/bin"]);
}

// --- an empty entry (CG105) ---

#[test]
fn an_empty_path_entry_searches_the_current_directory_in_every_shell() {
    // DESIGN.md names bash and fish; zsh and dash do it too.
    let home = FakeHome::new();
    home.stub("work", "cwdstub");
    for value in [":/usr/bin:/bin", "/usr/bin:/bin:", "/usr/bin::/bin"] {
        for shell in OracleShell::ALL {
            let snippet = match shell {
                OracleShell::Fish => format!("cd work; set -gx PATH '{value}'"),
                _ => format!("cd work; export PATH='{value}'"),
            };
            let Some(found) = lookup_after(shell, &home, &snippet, "cwdstub") else {
                continue;
            };
            assert!(found.shell_finds.is_some(), "{shell:?} {value}");
            assert!(found.child_finds.is_some(), "{shell:?} {value}");
            // Where it is found is the current directory, spelt relative.
            let shown = found.shell_finds.unwrap_or_default();
            assert!(!shown.starts_with('/'), "{shell:?} {value}: {shown}");
        }
    }
    // Without the empty entry, nothing in the current directory is found.
    for shell in OracleShell::ALL {
        let Some(found) = lookup_after(shell, &home, "cd work", "cwdstub") else {
            continue;
        };
        assert_eq!(found.shell_finds, None, "{shell:?}");
        assert_eq!(found.child_finds, None, "{shell:?}");
    }
}

// --- startup order (CG403, CG601, CG602, CG406) ---

#[test]
fn set_e_in_bashrc_closes_an_interactive_bash_at_the_first_failure() {
    let home = FakeHome::new();
    home.write(
        ".bashrc",
        "set -e\nexport PATH=/before:$PATH\nfalse\nexport PATH=/after:$PATH\n",
    );
    let Some((entries, run)) =
        startup_path(OracleShell::Bash, Mode::Interactive, &home, "/usr/bin:/bin")
    else {
        return;
    };
    assert_eq!(run.status, Some(1), "{}", run.stderr);
    assert_eq!(
        run.exported, None,
        "the shell closed before any command ran"
    );
    assert!(entries.is_empty());
    // Without `set -e`, the same file goes on past the failure.
    home.write(
        ".bashrc",
        "export PATH=/before:$PATH\nfalse\nexport PATH=/after:$PATH\n",
    );
    let (entries, _) = startup_path(OracleShell::Bash, Mode::Interactive, &home, "/usr/bin:/bin")
        .expect("installed");
    assert_eq!(entries, ["/after", "/before", "/usr/bin", "/bin"]);
}

#[test]
fn bash_login_reads_bash_profile_and_then_ignores_profile_and_bashrc() {
    let home = FakeHome::new();
    home.write(".bash_profile", "export PATH=/from-bash-profile:$PATH\n");
    home.write(".profile", "export PATH=/from-profile:$PATH\n");
    home.write(".bashrc", "export PATH=/from-bashrc:$PATH\n");
    for mode in [Mode::Login, Mode::InteractiveLogin] {
        let Some((entries, run)) = startup_path(OracleShell::Bash, mode, &home, "/usr/bin:/bin")
        else {
            return;
        };
        assert_eq!(
            entries.first().map(String::as_str),
            Some("/from-bash-profile")
        );
        assert!(!entries.iter().any(|e| e == "/from-profile"), "{mode:?}");
        assert!(
            !entries.iter().any(|e| e == "/from-bashrc"),
            "{mode:?}: {}",
            run.stderr
        );
    }
    // `.bash_login` also wins over `.profile`, and `.bash_profile` over `.bash_login`.
    home.write(".bash_login", "export PATH=/from-bash-login:$PATH\n");
    let (entries, _) =
        startup_path(OracleShell::Bash, Mode::Login, &home, "/usr/bin:/bin").expect("installed");
    assert_eq!(
        entries.first().map(String::as_str),
        Some("/from-bash-profile")
    );
    assert!(!entries.iter().any(|e| e == "/from-bash-login"));
    std::fs::remove_file(home.path().join(".bash_profile")).expect("remove");
    let (entries, _) =
        startup_path(OracleShell::Bash, Mode::Login, &home, "/usr/bin:/bin").expect("installed");
    assert_eq!(
        entries.first().map(String::as_str),
        Some("/from-bash-login")
    );
    assert!(!entries.iter().any(|e| e == "/from-profile"));
    // With neither, `.profile` is read.
    std::fs::remove_file(home.path().join(".bash_login")).expect("remove");
    let (entries, _) =
        startup_path(OracleShell::Bash, Mode::Login, &home, "/usr/bin:/bin").expect("installed");
    assert_eq!(entries.first().map(String::as_str), Some("/from-profile"));
}

#[test]
fn bash_profile_that_sources_bashrc_gets_its_path() {
    let home = FakeHome::new();
    home.write(
        ".bash_profile",
        "[ -f ~/.bashrc ] && . ~/.bashrc\nexport PATH=/from-bash-profile:$PATH\n",
    );
    home.write(".bashrc", "export PATH=/from-bashrc:$PATH\n");
    let Some((entries, _)) = startup_path(OracleShell::Bash, Mode::Login, &home, "/usr/bin:/bin")
    else {
        return;
    };
    assert_eq!(entries[..2], owned(&["/from-bash-profile", "/from-bashrc"]));
}

#[test]
fn dash_reading_a_profile_with_bashisms_skips_just_those_lines() {
    let home = FakeHome::new();
    home.write(
        ".profile",
        "[[ -d /usr ]] && export PATH=/guarded:$PATH\n\
         source /dev/null && export PATH=/sourced:$PATH\n\
         export PATH=/plain:$PATH\n",
    );
    let Some((entries, run)) = startup_path(OracleShell::Sh, Mode::Login, &home, "/usr/bin:/bin")
    else {
        return;
    };
    assert_eq!(run.status, Some(0));
    assert!(run.stderr.contains("[[: not found"), "{}", run.stderr);
    assert!(run.stderr.contains("source: not found"), "{}", run.stderr);
    assert_eq!(entries.first().map(String::as_str), Some("/plain"));
    assert!(!entries.iter().any(|e| e == "/guarded" || e == "/sourced"));
    // bash reading the same file as its login profile runs every line.
    let (entries, _) =
        startup_path(OracleShell::Bash, Mode::Login, &home, "/usr/bin:/bin").expect("installed");
    assert_eq!(entries[..3], owned(&["/plain", "/sourced", "/guarded"]));
}

#[test]
fn fish_reads_conf_d_in_name_order_then_config_fish_in_every_mode() {
    let home = FakeHome::new();
    home.write(".config/fish/conf.d/20-b.fish", "set -gx PATH /b $PATH\n");
    home.write(".config/fish/conf.d/10-a.fish", "set -gx PATH /a $PATH\n");
    home.write(".config/fish/config.fish", "set -gx PATH /config $PATH\n");
    for mode in [
        Mode::NonInteractive,
        Mode::Interactive,
        Mode::Login,
        Mode::InteractiveLogin,
    ] {
        let Some((entries, run)) = startup_path(OracleShell::Fish, mode, &home, "/usr/bin:/bin")
        else {
            return;
        };
        assert_eq!(
            entries[..5],
            owned(&["/config", "/b", "/a", "/usr/bin", "/bin"]),
            "{mode:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn zsh_reads_zshenv_always_and_zshrc_only_when_interactive() {
    let home = FakeHome::new();
    home.write(".zshenv", "export PATH=/zshenv:$PATH\n");
    home.write(".zprofile", "export PATH=/zprofile:$PATH\n");
    home.write(".zshrc", "export PATH=/zshrc:$PATH\n");
    home.write(".zlogin", "export PATH=/zlogin:$PATH\n");
    let expected: [(Mode, &[&str]); 4] = [
        (Mode::NonInteractive, &["/zshenv"]),
        (Mode::Interactive, &["/zshrc", "/zshenv"]),
        (Mode::Login, &["/zlogin", "/zprofile", "/zshenv"]),
        (
            Mode::InteractiveLogin,
            &["/zlogin", "/zshrc", "/zprofile", "/zshenv"],
        ),
    ];
    for (mode, added) in expected {
        let Some((entries, _)) = startup_path(OracleShell::Zsh, mode, &home, "/usr/bin:/bin")
        else {
            return;
        };
        let mut want = owned(added);
        want.extend(owned(&START));
        assert_eq!(entries, want, "{mode:?}");
    }
    // `ZDOTDIR` moves the user files.
    let mut moved = FakeHome::new();
    moved.write("zdot/.zshenv", "export PATH=/zdot:$PATH\n");
    moved.write(".zshenv", "export PATH=/home-zshenv:$PATH\n");
    let zdot = moved.path().join("zdot").to_string_lossy().into_owned();
    moved.set_env("ZDOTDIR", &zdot);
    let (entries, _) = startup_path(
        OracleShell::Zsh,
        Mode::NonInteractive,
        &moved,
        "/usr/bin:/bin",
    )
    .expect("installed");
    assert_eq!(entries, ["/zdot", "/usr/bin", "/bin"]);
}
