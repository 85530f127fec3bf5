//! The oracle itself: clean environment, probe, status, timeout, helpers.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use condago_oracle::{
    lookup_after, path_after, require, run_snippet, syntax_check, FakeHome, OracleShell,
    SNIPPET_PATH,
};

const ALL: [OracleShell; 4] = OracleShell::ALL;

#[test]
fn probe_output_is_split_from_the_snippet_output() {
    let home = FakeHome::new();
    for shell in ALL {
        let Some(run) = run_snippet(shell, &home, "echo hello") else {
            continue;
        };
        assert_eq!(run.stdout, "hello\n", "{shell:?}");
        assert_eq!(run.status, Some(0), "{shell:?}: {}", run.stderr);
        assert!(!run.timed_out);
        // Output without a final newline stays as written.
        let run = run_snippet(shell, &home, "printf partial").expect("installed");
        assert_eq!(run.stdout, "partial", "{shell:?}");
    }
}

#[test]
fn environment_is_clean_home_and_path_only() {
    let home = FakeHome::new();
    for shell in ALL {
        let Some(run) = run_snippet(shell, &home, "true") else {
            continue;
        };
        let home_path = home.path().to_string_lossy();
        assert_eq!(run.var("HOME"), Some(&*home_path), "{shell:?}");
        assert_eq!(run.var("PATH"), Some(SNIPPET_PATH), "{shell:?}");
        // Nothing leaks from the test runner's environment.
        assert_eq!(run.var("CARGO_PKG_NAME"), None, "{shell:?}");
        assert_eq!(run.var("RUST_TEST_THREADS"), None, "{shell:?}");
        // The shell starts in the home directory.
        assert_eq!(run.var("PWD"), Some(&*home_path), "{shell:?}");
    }
}

#[test]
fn set_env_adds_and_overrides_variables() {
    let mut home = FakeHome::new();
    home.set_env("GOPATH", "/srv/go")
        .set_env("PATH", "/opt/a:/usr/bin:/bin");
    for shell in ALL {
        let Some(entries) = path_after(shell, &home, "true") else {
            continue;
        };
        assert_eq!(entries, ["/opt/a", "/usr/bin", "/bin"], "{shell:?}");
        let run = run_snippet(shell, &home, "true").expect("installed");
        assert_eq!(run.var("GOPATH"), Some("/srv/go"), "{shell:?}");
    }
}

#[test]
fn exit_status_of_the_snippet_is_kept() {
    let home = FakeHome::new();
    for shell in ALL {
        let Some(run) = run_snippet(shell, &home, "false") else {
            continue;
        };
        assert_eq!(run.status, Some(1), "{shell:?}");
        assert!(run.exported.is_some(), "the probe still runs: {shell:?}");
        // A snippet that exits ends the shell before the probe.
        let run = run_snippet(shell, &home, "echo before\nexit 3").expect("installed");
        assert_eq!(run.status, Some(3), "{shell:?}");
        assert_eq!(run.stdout, "before\n", "{shell:?}");
        assert_eq!(run.exported, None, "{shell:?}");
        assert_eq!(run.path_entries(), None, "{shell:?}");
    }
}

#[test]
#[should_panic(expected = "no exported PATH after the snippet")]
fn path_after_panics_when_the_probe_never_ran() {
    let home = FakeHome::new();
    if path_after(OracleShell::Sh, &home, "exit 0").is_none() {
        panic!("no exported PATH after the snippet (sh is not installed)");
    }
}

#[test]
fn stdin_is_dev_null_and_there_is_no_terminal() {
    let home = FakeHome::new();
    for shell in ALL {
        // `cat` would block forever on a terminal or an open pipe.
        let Some(run) = run_snippet(shell, &home, "cat; echo done") else {
            continue;
        };
        assert_eq!(run.stdout, "done\n", "{shell:?}");
        let run = run_snippet(
            shell,
            &home,
            "/bin/sh -c ': </dev/tty' 2>/dev/null && echo tty || echo no-tty",
        )
        .expect("installed");
        assert_eq!(run.stdout, "no-tty\n", "{shell:?}");
    }
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let mut home = FakeHome::new();
    home.set_timeout(Duration::from_millis(500));
    for shell in ALL {
        let started = Instant::now();
        let Some(run) = run_snippet(shell, &home, "sleep 60") else {
            continue;
        };
        assert!(run.timed_out, "{shell:?}");
        assert_eq!(run.status, None, "{shell:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{shell:?}");
    }
}

#[test]
fn background_jobs_holding_stdout_do_not_hang_the_run() {
    let home = FakeHome::new();
    for shell in ALL {
        let started = Instant::now();
        let Some(run) = run_snippet(shell, &home, "sleep 60 &\necho started") else {
            continue;
        };
        assert!(!run.timed_out, "{shell:?}");
        assert_eq!(run.stdout, "started\n", "{shell:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "{shell:?}");
    }
}

#[test]
fn fake_home_writes_files_and_stubs() {
    let home = FakeHome::new();
    let rc = home.write(".config/fish/conf.d/10-path.fish", "set -gx X 1\n");
    assert!(rc.starts_with(home.path()));
    assert_eq!(
        std::fs::read_to_string(&rc).expect("written"),
        "set -gx X 1\n"
    );
    let script = home.write_executable("bin/hello", "#!/bin/sh\necho hello\n");
    let mode = std::fs::metadata(&script)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755);

    let stub = home.stub("go/bin", "go");
    assert_eq!(stub, home.path().join("go/bin/go"));
    let output = Command::new(&stub).output().expect("stub runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{}\n", stub.display())
    );
}

#[test]
#[should_panic(expected = "is outside the fake home")]
fn fake_home_refuses_absolute_paths_elsewhere() {
    let home = FakeHome::new();
    home.write("/etc/condago-should-never-exist", "x");
}

#[test]
fn every_shell_finds_a_stub_on_a_plain_path() {
    let home = FakeHome::new();
    let stub = home.stub("tools", "it's");
    let dir = home.path().join("tools");
    for shell in ALL {
        let snippet = match shell {
            OracleShell::Fish => format!("set -gx PATH '{}' $PATH", dir.display()),
            _ => format!("export PATH='{}':$PATH", dir.display()),
        };
        let Some(found) = lookup_after(shell, &home, &snippet, "it's") else {
            continue;
        };
        let expected = Some(stub.to_string_lossy().into_owned());
        assert_eq!(found.shell_finds, expected, "{shell:?}");
        assert_eq!(found.child_finds, expected, "{shell:?}");
        let missing =
            lookup_after(shell, &home, &snippet, "condago-no-such-program").expect("installed");
        assert_eq!(missing.shell_finds, None, "{shell:?}");
        assert_eq!(missing.child_finds, None, "{shell:?}");
    }
}

#[test]
fn syntax_check_accepts_valid_text_and_reports_errors() {
    let cases = [
        (
            OracleShell::Bash,
            "if true; then echo ok; fi\n",
            "if true; then\n",
        ),
        (
            OracleShell::Zsh,
            "if true; then echo ok; fi\n",
            "if true; then\n",
        ),
        (
            OracleShell::Sh,
            "if true; then echo ok; fi\n",
            "if true; then\n",
        ),
        (OracleShell::Fish, "if true\n  echo ok\nend\n", "if true\n"),
    ];
    for (shell, good, bad) in cases {
        let Some(result) = syntax_check(shell, good) else {
            continue;
        };
        assert_eq!(result, Ok(()), "{shell:?}");
        let error = syntax_check(shell, bad)
            .expect("installed")
            .expect_err("unterminated if");
        assert!(error.contains("snippet"), "{shell:?}: {error}");
        let temp = std::env::temp_dir();
        assert!(
            !error.contains(&*temp.to_string_lossy()),
            "temp path is hidden: {error}"
        );
    }
}

#[test]
fn syntax_check_knows_each_dialect() {
    // fish rejects a bare bash assignment; bash accepts it.
    if let Some(result) = syntax_check(OracleShell::Fish, "FOO=bar\n") {
        let error = result.expect_err("fish rejects VAR=value alone");
        assert!(error.contains("set FOO bar"), "{error}");
    }
    if let Some(result) = syntax_check(OracleShell::Bash, "FOO=bar\n") {
        assert_eq!(result, Ok(()));
    }
    // `function f { ...; }` is bash and zsh syntax; dash rejects it.
    let text = "function f { :; }\n";
    if let Some(result) = syntax_check(OracleShell::Bash, text) {
        assert_eq!(result, Ok(()));
    }
    if let Some(result) = syntax_check(OracleShell::Zsh, text) {
        assert_eq!(result, Ok(()));
    }
    if let Some(result) = syntax_check(OracleShell::Sh, text) {
        assert!(result.is_err());
    }
    // `[[ ]]` parses in dash: it is a command name that fails only when run.
    if let Some(result) = syntax_check(OracleShell::Sh, "[[ 1 == 1 ]]\n") {
        assert_eq!(result, Ok(()));
    }
}

#[test]
fn require_finds_installed_shells() {
    for shell in ALL {
        if let Some(path) = require(shell) {
            assert!(path.is_absolute(), "{shell:?}: {}", path.display());
            assert!(
                path.ends_with(shell.name()),
                "{shell:?}: {}",
                path.display()
            );
        }
    }
}

#[test]
fn snippet_runs_ignore_the_users_startup_files() {
    let home = FakeHome::new();
    for file in [".bashrc", ".bash_profile", ".profile", ".zshenv", ".zshrc"] {
        home.write(file, "export PATH=/from-startup-file:$PATH\n");
    }
    home.write(
        ".config/fish/config.fish",
        "set -gx PATH /from-startup-file $PATH\n",
    );
    home.write(
        ".config/fish/conf.d/a.fish",
        "set -gx PATH /from-startup-file $PATH\n",
    );
    for shell in ALL {
        let Some(entries) = path_after(shell, &home, "true") else {
            continue;
        };
        assert_eq!(entries, ["/usr/bin", "/bin"], "{shell:?}");
    }
}
