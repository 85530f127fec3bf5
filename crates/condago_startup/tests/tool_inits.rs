//! Tool initialisations after the conda block, through the startup model: the entries
//! they add carry the line that ran them and the release their effect was read from, and
//! `which python3` names the tool that shadows conda's.

mod common;

use common::{fixtures, materialize};
use condago_startup::{analyze, which, Inputs, Mode, StartupShell};

#[test]
fn tool_entries_carry_their_line_and_release() {
    let home = materialize(&fixtures().join("tool-inits-after-conda"));
    let mut inputs = Inputs::new(home.path());
    inputs.set_env("PATH", "/usr/bin:/bin");
    let root = home.path().display().to_string();
    for (shell, file) in [
        (StartupShell::Bash, ".bashrc"),
        (StartupShell::Zsh, ".zshrc"),
        (StartupShell::Fish, ".config/fish/config.fish"),
    ] {
        let startup = analyze(shell, Mode::Interactive, &inputs);
        assert!(startup.complete, "{shell:?}: {:?}", startup.notes);
        let entry = |dir: &str| {
            let dir = format!("{root}/{dir}");
            startup
                .path
                .iter()
                .find(|e| e.dir.as_deref() == Some(dir.as_str()))
                .unwrap_or_else(|| panic!("{shell:?}: no {dir} in {:?}", startup.path_strings()))
                .clone()
        };
        let shims = entry(".pyenv/shims");
        let origin = shims.origin.expect("origin");
        assert!(origin.file.ends_with(file), "{}", origin.file);
        let via = shims.via.expect("via");
        assert!(via.contains("pyenv init (as pyenv 2.4/2.5"), "{via}");
        let brew = entry(".linuxbrew/sbin");
        assert!(brew.via.expect("via").contains("Homebrew 4.4+"));
        let found = which(&startup, "python3", &inputs);
        let winner = found.winner.expect("python3");
        assert_eq!(
            winner.path,
            format!("{root}/.pyenv/shims/python3"),
            "{shell:?}"
        );
        assert!(
            found
                .shadowed
                .iter()
                .any(|f| f.path == format!("{root}/miniconda3/bin/python3")),
            "{shell:?}: conda's python3 is shadowed"
        );
        if shell != StartupShell::Fish {
            let java = entry(".sdkman/candidates/java/current/bin");
            assert!(java.via.expect("via").contains("SDKMAN!"));
            assert!(entry(".nix-profile/bin")
                .via
                .expect("via")
                .contains("Nix 2.x"));
        }
    }
}
