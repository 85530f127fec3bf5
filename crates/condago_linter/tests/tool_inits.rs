//! The `PATH` effects the model gives well-known tool initialisations, checked in the real
//! shells. pyenv, rbenv, goenv, Homebrew, mise, asdf, Nix and rustup are not installed here:
//! each is replaced by a stand-in that prints (or is) what the release named in
//! `Tool::checked_against` prints for `PATH`, written from that tool's source. The model
//! reads the startup line, and its prediction must equal the `PATH` the shell ends with.

use std::path::Path;

use condago_linter::model::{InitDir, StartupFile, ToolInit};
use condago_linter::{Budget, Shell};
use condago_oracle::{path_after, FakeHome, OracleShell};

/// pyenv 2.4: removes every `<root>/shims`, then prepends it.
const PYENV: &str = r#"#!/bin/sh
root="${PYENV_ROOT:-$HOME/.pyenv}"
if [ "$3" = fish ]; then
  printf 'while set i (contains -i -- "%s/shims" $PATH); set -eg PATH[$i]; end; set -e i\n' "$root"
  printf 'set -gx PATH "%s/shims" $PATH\n' "$root"
else
  printf '%s\n' "PATH=\"\$(bash --norc -ec 'IFS=:; d=(\$PATH); for i in \${!d[@]}; do if [[ \${d[i]} == \"$root/shims\" ]]; then unset \"d[i]\"; fi; done; echo \"\${d[*]}\"')\""
  printf 'export PATH="%s/shims:${PATH}"\n' "$root"
fi
"#;

/// rbenv 1.2: prepends `<root>/shims` only when it is not on `PATH`.
const RBENV: &str = r#"#!/bin/sh
root="${RBENV_ROOT:-$HOME/.rbenv}"
case ":$PATH:" in *":$root/shims:"*) exit 0 ;; esac
if [ "$3" = fish ]; then
  printf "set -gx PATH '%s/shims' \$PATH\n" "$root"
else
  printf 'export PATH="%s/shims:${PATH}"\n' "$root"
fi
"#;

/// goenv 2.x: prepends `<root>/shims` every time.
const GOENV: &str = r#"#!/bin/sh
root="${GOENV_ROOT:-$HOME/.goenv}"
if [ "$3" = fish ]; then
  printf "setenv PATH '%s/shims' \$PATH\n" "$root"
else
  printf 'export PATH="%s/shims:${PATH}"\n' "$root"
fi
"#;

/// nodenv 1.4: prepends `<root>/shims` every time.
const NODENV: &str = r#"#!/bin/sh
root="${NODENV_ROOT:-$HOME/.nodenv}"
printf 'export PATH="%s/shims:${PATH}"\n' "$root"
"#;

/// Homebrew 4.4 on Linux (and fish anywhere): nothing when bin and sbin lead `PATH`.
const BREW: &str = r#"#!/bin/sh
prefix="$(cd "$(dirname "$0")/.." && pwd)"
case "$PATH" in "$prefix/bin:$prefix/sbin"|"$prefix/bin:$prefix/sbin:"*) exit 0 ;; esac
if [ "$2" = fish ]; then
  printf 'fish_add_path --global --move --path "%s/bin" "%s/sbin";\n' "$prefix" "$prefix"
else
  printf 'export PATH="%s/bin:%s/sbin:$PATH";\n' "$prefix" "$prefix"
fi
"#;

/// `mise activate --shims`: the shims directory in front.
const MISE: &str = r#"#!/bin/sh
data="${MISE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/mise}"
if [ "$3" = fish ]; then
  printf 'set -gx PATH "%s/shims" $PATH\n' "$data"
else
  printf 'export PATH="%s/shims:$PATH"\n' "$data"
fi
"#;

/// asdf 0.15's asdf.sh: `bin`, then shims, each only when absent.
const ASDF: &str = r#"ASDF_DIR="$HOME/.asdf"
case ":$PATH:" in *":$ASDF_DIR/bin:"*) : ;; *) PATH="$ASDF_DIR/bin:$PATH" ;; esac
case ":$PATH:" in *":${ASDF_DATA_DIR:-$HOME/.asdf}/shims:"*) : ;; *) PATH="${ASDF_DATA_DIR:-$HOME/.asdf}/shims:$PATH" ;; esac
"#;

/// Nix's single-user profile script.
const NIX: &str = "export PATH=\"$HOME/.nix-profile/bin:$PATH\"\n";

/// rustup's `env`: `~/.cargo/bin` in front unless already there.
const CARGO: &str = "case \":${PATH}:\" in\n  *:\"$HOME/.cargo/bin\":*) ;;\n  *) export PATH=\"$HOME/.cargo/bin:$PATH\" ;;\nesac\n";
const CARGO_FISH: &str =
    "if not contains \"$HOME/.cargo/bin\" $PATH\n  set -x PATH \"$HOME/.cargo/bin\" $PATH\nend\n";

fn home_with_stand_ins() -> FakeHome {
    let home = FakeHome::new();
    home.write_executable(".pyenv/bin/pyenv", PYENV);
    home.write_executable(".rbenv/bin/rbenv", RBENV);
    home.write_executable(".goenv/bin/goenv", GOENV);
    home.write_executable(".nodenv/bin/nodenv", NODENV);
    home.write_executable(".linuxbrew/bin/brew", BREW);
    home.write(".linuxbrew/sbin/.keep", "");
    home.write_executable(".local/bin/mise", MISE);
    home.write(".asdf/asdf.sh", ASDF);
    home.write(".nix-profile/etc/profile.d/nix.sh", NIX);
    home.write(".cargo/env", CARGO);
    home.write(".cargo/env.fish", CARGO_FISH);
    for dir in [
        ".pyenv/shims",
        ".rbenv/shims",
        ".goenv/shims",
        ".nodenv/shims",
        ".local/share/mise/shims",
        ".asdf/shims",
        ".nix-profile/bin",
        ".cargo/bin",
    ] {
        home.write(format!("{dir}/.keep"), "");
    }
    home
}

/// The one tool initialisation the model finds in `line`.
fn model(shell: Shell, line: &str) -> ToolInit {
    let parse = condago_syntax::parse(line.as_bytes(), shell, &Budget::default());
    let file = StartupFile::new(Path::new("rc"), line.as_bytes(), &parse, false);
    assert_eq!(file.tool_inits.len(), 1, "{shell}: {line}");
    file.tool_inits[0].clone()
}

/// The model's `PATH` after `line`, starting from `start`.
fn predicted(shell: Shell, line: &str, home: &Path, start: &[String]) -> Vec<String> {
    let mut init = model(shell, line);
    let home = home.display().to_string();
    for dir in &mut init.effect.dirs {
        if let InitDir::Known(text) = dir {
            *text = text.replace("$HOME", &home);
        }
    }
    let brew_moves = shell == Shell::Fish;
    init.effect.apply(
        start.to_vec(),
        |entry| Some(entry.clone()),
        |dir| match dir {
            InitDir::Known(dir) => dir.clone(),
            InitDir::Unknown(what) => panic!("{line}: unknown {what}"),
        },
        brew_moves,
    )
}

#[test]
fn stand_ins_match_the_model() {
    let home = home_with_stand_ins();
    let root = home.path().display().to_string();
    let cases: &[(OracleShell, Shell, &str)] = &[
        (
            OracleShell::Bash,
            Shell::Bash,
            "eval \"$($HOME/.pyenv/bin/pyenv init - bash)\"\n",
        ),
        (
            OracleShell::Zsh,
            Shell::Zsh,
            "eval \"$($HOME/.pyenv/bin/pyenv init --path zsh)\"\n",
        ),
        (
            OracleShell::Fish,
            Shell::Fish,
            "~/.pyenv/bin/pyenv init - fish | source\n",
        ),
        (
            OracleShell::Bash,
            Shell::Bash,
            "eval \"$($HOME/.rbenv/bin/rbenv init - bash)\"\n",
        ),
        (
            OracleShell::Fish,
            Shell::Fish,
            "~/.rbenv/bin/rbenv init - fish | source\n",
        ),
        (
            OracleShell::Zsh,
            Shell::Zsh,
            "eval \"$($HOME/.goenv/bin/goenv init - zsh)\"\n",
        ),
        (
            OracleShell::Bash,
            Shell::Bash,
            "eval \"$($HOME/.nodenv/bin/nodenv init - bash)\"\n",
        ),
        (
            OracleShell::Bash,
            Shell::Bash,
            "eval \"$($HOME/.linuxbrew/bin/brew shellenv bash)\"\n",
        ),
        (
            OracleShell::Zsh,
            Shell::Zsh,
            "eval $($HOME/.linuxbrew/bin/brew shellenv zsh)\n",
        ),
        (
            OracleShell::Fish,
            Shell::Fish,
            "~/.linuxbrew/bin/brew shellenv fish | source\n",
        ),
        (
            OracleShell::Bash,
            Shell::Bash,
            "eval \"$($HOME/.local/bin/mise activate --shims bash)\"\n",
        ),
        (
            OracleShell::Bash,
            Shell::Bash,
            ". \"$HOME/.asdf/asdf.sh\"\n",
        ),
        (
            OracleShell::Zsh,
            Shell::Zsh,
            "source ~/.nix-profile/etc/profile.d/nix.sh\n",
        ),
        (OracleShell::Bash, Shell::Bash, ". \"$HOME/.cargo/env\"\n"),
        (
            OracleShell::Fish,
            Shell::Fish,
            "source \"$HOME/.cargo/env.fish\"\n",
        ),
    ];
    // Each from a plain `PATH`, from one that already holds the tool's directories at its
    // end (placement shows: moved, kept, or added twice), and twice in a row.
    for &(oracle, shell, line) in cases {
        let plain: Vec<String> = ["/usr/bin", "/bin"].map(String::from).to_vec();
        let Some(got) = path_after(oracle, &home, line) else {
            return;
        };
        assert_eq!(
            got,
            predicted(shell, line, home.path(), &plain),
            "{shell}: {line}"
        );
        let twice = format!("{line}{line}");
        let once = predicted(shell, line, home.path(), &plain);
        let again = predicted(shell, line, home.path(), &once);
        let got = path_after(oracle, &home, &twice).expect("shell");
        assert_eq!(got, again, "{shell}: twice {line}");
        let tool_dirs: Vec<String> = once
            .iter()
            .filter(|d| d.starts_with(&root))
            .cloned()
            .collect();
        let mut start = plain.clone();
        start.extend(tool_dirs.iter().cloned());
        let set = match oracle {
            OracleShell::Fish => format!("set -gx PATH {}\n", start.join(" ")),
            _ => format!("export PATH={}\n", start.join(":")),
        };
        let got = path_after(oracle, &home, &format!("{set}{line}")).expect("shell");
        assert_eq!(
            got,
            predicted(shell, line, home.path(), &start),
            "{shell}: {line} after {set}"
        );
    }
}
