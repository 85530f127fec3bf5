//! `condago completions SHELL`, loaded into the real shell the way users install it:
//! completing `condago li` must offer `lint`.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn script(shell: &str, dir: &Path, name: &str) -> std::path::PathBuf {
    let output = Command::new(env!("CARGO_BIN_EXE_condago"))
        .args(["completions", shell])
        .stdin(Stdio::null())
        .output()
        .expect("condago runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(!output.stdout.is_empty());
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, &output.stdout).expect("write");
    path
}

/// Runs a shell with a deadline (zsh in a pseudo-terminal could otherwise wait forever).
fn shell_output(program: &str, args: &[&str], dir: &Path) -> Option<String> {
    if Command::new(program)
        .arg("-c")
        .arg("exit 0")
        .stdin(Stdio::null())
        .output()
        .is_err()
    {
        support::skip_or_fail(&format!("{program} is not installed"));
        return None;
    }
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir)
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shell starts");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{program} did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    assert!(
        output.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn bash_completes_lint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = script("bash", dir.path(), "condago.bash");
    // Source it, find the function `complete -p` names, and call it as readline would.
    let program = format!(
        r#"source {}
spec=$(complete -p condago) || exit 1
func=${{spec#*-F }}; func=${{func%% *}}
COMP_LINE="condago li"; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=(condago li); COMP_CWORD=1
"$func" condago li condago
printf '%s\n' "${{COMPREPLY[@]}}""#,
        path.display()
    );
    let Some(out) = shell_output(
        "bash",
        &["--norc", "--noprofile", "-c", &program],
        dir.path(),
    ) else {
        return;
    };
    assert_eq!(out.lines().collect::<Vec<_>>(), ["lint"], "{out}");
}

#[test]
fn fish_completes_lint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = script("fish", dir.path(), "condago.fish");
    let program = format!("source {}; complete -C 'condago li'", path.display());
    let Some(out) = shell_output("fish", &["--no-config", "-c", &program], dir.path()) else {
        return;
    };
    let offered: Vec<&str> = out
        .lines()
        .map(|line| line.split('\t').next().unwrap_or(line))
        .collect();
    assert_eq!(offered, ["lint"], "{out}");
}

/// zsh completes only in its line editor: an interactive `zsh -f` in a pseudo-terminal
/// (the zpty module), with the script installed as `_condago` on `fpath` and `compinit`
/// run, is sent `condago li` and a Tab; a key bound to print the edited line then shows
/// what completion made of it.
#[test]
fn zsh_completes_lint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let functions = dir.path().join("zfunc");
    script("zsh", &functions, "_condago");
    let driver = dir.path().join("drive.zsh");
    std::fs::write(
        &driver,
        r#"zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'report() { print -r -- "$((6*7))<$BUFFER>"; }; zle -N report; bindkey "^X" report'
zpty -w -n z $'condago li\t\x18'
zpty -r -m z out '*42<*>*'
out=${out##*42<}
print -r -- "${out%%>*}"
zpty -d z
"#,
    )
    .expect("write");
    let Some(out) = shell_output(
        "zsh",
        &[
            "-f",
            &driver.display().to_string(),
            &functions.display().to_string(),
        ],
        dir.path(),
    ) else {
        return;
    };
    assert_eq!(out, "condago lint \n", "the line after Tab");
}
