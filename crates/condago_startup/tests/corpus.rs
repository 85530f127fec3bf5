//! Every shell file Debian ships (bash-completion, fish, zsh) run as a startup file: the
//! model must finish each without a panic and within a few seconds. Files the zsh grammar
//! cannot parse (runaway memory, no end, an aborting scanner) are covered by the parse
//! budget.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use condago_startup::{analyze, Inputs, Mode, StartupShell};

fn files(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() && keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn debian_shell_files_as_startup_files() {
    let trees: [(&str, StartupShell, &str); 3] = [
        ("/usr/share/bash-completion", StartupShell::Bash, ".bashrc"),
        (
            "/usr/share/fish",
            StartupShell::Fish,
            ".config/fish/config.fish",
        ),
        ("/usr/share/zsh", StartupShell::Zsh, ".zshrc"),
    ];
    let budget = Duration::from_secs(10);
    let mut total = 0;
    for (dir, shell, name) in trees {
        let keep = |p: &Path| match shell {
            StartupShell::Fish => p.extension().is_some_and(|e| e == "fish"),
            _ => p.extension().is_none_or(|e| e != "zwc"),
        };
        let list = files(dir, keep);
        if list.is_empty() {
            eprintln!("SKIPPED: {dir} is not installed");
            continue;
        }
        // Every third file keeps the debug-build run short; the release sweep runs them all.
        let step = if cfg!(debug_assertions) { 3 } else { 1 };
        for path in list.iter().step_by(step) {
            let home = tempfile::tempdir().expect("tempdir");
            let target = home.path().join(name);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::copy(path, &target).expect("copy");
            let inputs = Inputs::new(home.path());
            let started = Instant::now();
            let startup = analyze(shell, Mode::InteractiveLogin, &inputs);
            let elapsed = started.elapsed();
            assert!(
                elapsed < budget,
                "{} took {elapsed:?} as a {} startup file",
                path.display(),
                shell.name()
            );
            assert!(!startup.files.is_empty());
            total += 1;
        }
    }
    eprintln!("{total} files modelled");
}
