//! A stand-in for conda's executable, for the real-shell tests of the conda rules: it prints
//! what `conda shell.<shell> hook|activate|deactivate` prints, without installing conda.
//!
//! It follows conda's own activation code (`conda/activate.py`): the POSIX hook (the same for
//! `bash`, `zsh`, `posix`, `dash` and `ash`) defines the `conda` function, puts
//! `<base>/condabin` on `PATH` the first time and runs `conda activate base`; activating from
//! level 0 puts `<env>/bin` first; activating another environment replaces the active one's
//! `bin` in place (`_replace_prefix_in_path`: the first occurrence only); asking for the
//! environment one level down steps back (a deactivation); deactivating removes the first
//! `<env>/bin` and nothing else. On activation it prints `PATH` and the other variables, then
//! sources the environment's `etc/conda/activate.d` scripts; on deactivation it prints the new
//! `PATH` first (computed before the scripts run), then sources `deactivate.d`, then the
//! other variables — conda's order. Other shells' hooks (`csh`, `xonsh`, `powershell`) print
//! a line of those shells' syntax; an unknown shell name fails like conda's.

use condago_oracle::FakeHome;

const STUB: &str = r#"#!/bin/sh
base='@BASE@'
cmd=${1-}
[ $# -gt 0 ] && shift
case $cmd in
    shell.*) shell=${cmd#shell.}; action=${1-}; [ $# -gt 0 ] && shift ;;
    *) printf 'conda %s %s\n' "$cmd" "$*"; exit 0 ;;
esac
case $shell in
    posix|bash|zsh|dash|ash) syntax=posix ;;
    fish) syntax=fish ;;
    csh|tcsh) syntax=csh ;;
    xonsh|powershell) syntax=$shell ;;
    *) printf 'CondaError: %s is not a supported shell.\n' "$shell" >&2; exit 1 ;;
esac

# conda's _replace_prefix_in_path: the first OLD entry becomes NEW (dropped when NEW is
# empty); NEW goes first when OLD is not there.
replace_in_path() {
    old=$1 new=$2 out='' done=''
    set -f
    IFS=:
    for entry in $PATH; do
        if [ -z "$done" ] && [ "$entry" = "$old" ]; then
            done=1
            [ -n "$new" ] && out="$out${out:+:}$new"
        else
            out="$out${out:+:}$entry"
        fi
    done
    unset IFS
    if [ -z "$done" ] && [ -n "$new" ]; then out="$new${out:+:}$out"; fi
    printf '%s' "$out"
}

emit_export() {
    if [ "$syntax" = fish ]; then
        if [ "$1" = PATH ]; then
            printf 'set -gx PATH'
            set -f
            IFS=:
            for entry in $2; do printf " '%s'" "$entry"; done
            unset IFS
            printf '\n'
        else
            printf "set -gx %s '%s'\n" "$1" "$2"
        fi
    else
        printf "export %s='%s'\n" "$1" "$2"
    fi
}

emit_unset() {
    if [ "$syntax" = fish ]; then printf 'set -e %s\n' "$1"; else printf 'unset %s\n' "$1"; fi
}

emit_scripts() {
    dir=$1/etc/conda/$2.d
    [ -d "$dir" ] || return 0
    if [ "$syntax" = fish ]; then ext=fish; run=source; else ext=sh; run=.; fi
    if [ "$2" = deactivate ]; then order='-r'; else order=''; fi
    ls $order "$dir" | while IFS= read -r script; do
        case $script in *.$ext) printf '%s "%s"\n' "$run" "$dir/$script" ;; esac
    done
}

prefix_of() {
    case $1 in
        base|root|'') printf '%s' "$base" ;;
        */*) printf '%s' "$1" ;;
        *) printf '%s/envs/%s' "$base" "$1" ;;
    esac
}

deactivate() {
    shlvl=${CONDA_SHLVL:-0}
    [ "$shlvl" -ge 1 ] && [ -n "${CONDA_PREFIX:-}" ] || return 0
    old=$CONDA_PREFIX
    if [ "$shlvl" -eq 1 ]; then
        emit_export PATH "$(replace_in_path "$old/bin" '')"
        emit_scripts "$old" deactivate
        emit_unset CONDA_PREFIX
        emit_unset CONDA_DEFAULT_ENV
        emit_export CONDA_SHLVL 0
    else
        eval "prev=\${CONDA_PREFIX_$((shlvl - 1)):-}"
        emit_export PATH "$(replace_in_path "$old/bin" "$prev/bin")"
        emit_scripts "$old" deactivate
        emit_unset "CONDA_PREFIX_$((shlvl - 1))"
        emit_export CONDA_PREFIX "$prev"
        emit_export CONDA_SHLVL "$((shlvl - 1))"
        emit_scripts "$prev" activate
    fi
}

activate() {
    prefix=$(prefix_of "${1-}")
    shlvl=${CONDA_SHLVL:-0}
    if [ ! -d "$prefix" ]; then
        printf 'EnvironmentNameNotFound: Could not find conda environment: %s\n' "${1-}" >&2
        exit 1
    fi
    if [ "$shlvl" -gt 0 ] && [ "${CONDA_PREFIX:-}" = "$prefix" ]; then
        emit_scripts "$prefix" deactivate
        emit_export PATH "$(replace_in_path "$prefix/bin" "$prefix/bin")"
        emit_scripts "$prefix" activate
        return
    fi
    if [ "$shlvl" -gt 0 ]; then
        eval "down=\${CONDA_PREFIX_$((shlvl - 1)):-}"
        if [ "$down" = "$prefix" ]; then deactivate; return; fi
    fi
    if [ "$shlvl" -eq 0 ]; then
        path=$PATH
        case ":$path:" in
            *condabin:*) ;;
            *) path="$base/condabin${path:+:$path}" ;;
        esac
        emit_export PATH "$prefix/bin:$path"
        emit_export CONDA_PREFIX "$prefix"
        emit_export CONDA_SHLVL 1
    else
        emit_scripts "$CONDA_PREFIX" deactivate
        emit_export PATH "$(replace_in_path "$CONDA_PREFIX/bin" "$prefix/bin")"
        emit_export "CONDA_PREFIX_$shlvl" "$CONDA_PREFIX"
        emit_export CONDA_PREFIX "$prefix"
        emit_export CONDA_SHLVL "$((shlvl + 1))"
    fi
    emit_scripts "$prefix" activate
}

hook() {
    case $syntax in
        posix)
            cat <<EOF
export CONDA_EXE='$base/bin/conda'
conda() {
    case "\${1-}" in
        activate|deactivate)
            __conda_out="\$("\$CONDA_EXE" shell.posix "\$@")" || return
            eval "\$__conda_out"
            unset __conda_out
            ;;
        *) "\$CONDA_EXE" "\$@" ;;
    esac
}
if [ -z "\${CONDA_SHLVL+x}" ]; then
    export CONDA_SHLVL=0
    export PATH="$base/condabin\${PATH:+:\$PATH}"
fi
EOF
            ;;
        fish)
            cat <<EOF
set -gx CONDA_EXE '$base/bin/conda'
function conda
    switch "\$argv[1]"
        case activate deactivate
            "\$CONDA_EXE" shell.fish \$argv | source
        case '*'
            "\$CONDA_EXE" \$argv
    end
end
if not set -q CONDA_SHLVL
    set -gx CONDA_SHLVL 0
    set -gx PATH '$base/condabin' \$PATH
end
EOF
            ;;
        csh)
            printf 'setenv CONDA_EXE "%s/bin/conda";\n' "$base"
            printf 'alias conda source "%s/etc/profile.d/conda.csh";\n' "$base"
            ;;
        xonsh) printf '$CONDA_EXE = "%s/bin/conda"\n' "$base" ;;
        powershell) printf '$Env:CONDA_EXE = "%s/bin/conda"\n' "$base" ;;
    esac
    if [ "$(cat "$base/.auto_activate" 2>/dev/null || echo true)" = true ]; then
        echo "conda activate base"
    fi
}

case $action in
    hook) hook ;;
    activate) activate "$@" ;;
    deactivate) deactivate ;;
    *) printf 'ArgumentError: %s\n' "$action" >&2; exit 1 ;;
esac
"#;

/// Installs the stand-in conda at `<home>/<base>` (`bin/conda`, `condabin/`, an empty
/// `bin/`); returns the absolute base.
pub(crate) fn install_conda(home: &FakeHome, base: &str) -> String {
    let absolute = home.path().join(base).to_string_lossy().into_owned();
    home.write_executable(
        format!("{base}/bin/conda"),
        STUB.replace("@BASE@", &absolute),
    );
    home.write(format!("{base}/condabin/.keep"), "");
    absolute
}

/// Creates the environment `<base>/envs/<name>` with a program `name` in its `bin`.
pub(crate) fn create_env(home: &FakeHome, base: &str, name: &str) -> String {
    home.stub(format!("{base}/envs/{name}/bin"), name);
    home.path()
        .join(base)
        .join("envs")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The block `conda init` writes for `shell` (`bash`, `zsh` or `fish`), with `base` in it.
pub(crate) fn init_block(shell: &str, base: &str) -> String {
    super::template::written_block(shell, base)
}

/// conda's `CONDA_INITIALIZE_RE_BLOCK`, `^# >>> conda initialize >>>(?:\n|\r\n)([\s\S]*?)#
/// <<< conda initialize <<<(?:\n|\r\n)?` in multi-line mode, written out: where a
/// `conda init` (or `--reverse`) would find blocks.
pub(crate) fn conda_finds(text: &str) -> Vec<std::ops::Range<usize>> {
    let start = "# >>> conda initialize >>>";
    let end = "# <<< conda initialize <<<";
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = text[at..].find(start) {
        let begin = at + offset;
        let line_start = begin == 0 || text.as_bytes()[begin - 1] == b'\n';
        let rest = &text[begin + start.len()..];
        let breaks = rest.starts_with('\n') || rest.starts_with("\r\n");
        if line_start && breaks {
            if let Some(close) = rest.find(end) {
                let mut stop = begin + start.len() + close + end.len();
                if text[stop..].starts_with("\r\n") {
                    stop += 2;
                } else if text[stop..].starts_with('\n') {
                    stop += 1;
                }
                found.push(begin..stop);
                at = stop;
                continue;
            }
        }
        at = begin + start.len();
    }
    found
}

/// What `conda init` (`init_sh_user` / `init_fish_user` in `conda/core/initialize.py`) makes
/// of a file, leaving out its comment-outs of pre-`conda init` lines: every block
/// `CONDA_INITIALIZE_RE_BLOCK` finds is replaced by `block`; then, only when the text
/// `# >>> conda initialize >>>` is nowhere in the file (a plain substring test), `"\n" +
/// block + "\n"` is appended.
pub(crate) fn conda_init(text: &str, block: &str) -> String {
    let mut out = text.to_string();
    for range in conda_finds(text).into_iter().rev() {
        out.replace_range(range, block);
    }
    if !out.contains("# >>> conda initialize >>>") {
        out.push('\n');
        out.push_str(block);
        out.push('\n');
    }
    out
}

/// What `conda init --reverse` leaves of a file: every block conda finds, deleted.
pub(crate) fn conda_reverse(text: &str) -> String {
    let mut out = text.to_string();
    for range in conda_finds(text).into_iter().rev() {
        out.replace_range(range, "");
    }
    out
}

#[cfg(test)]
mod tests {
    use condago_oracle::{run_snippet, FakeHome, OracleShell};

    use super::*;

    /// The stand-in behaves like conda: base first, then condabin; an environment replaces
    /// base in place; deactivation gives back the `PATH` from before.
    #[test]
    fn the_stub_activates_like_conda() {
        for (oracle, shell) in [
            (OracleShell::Bash, "bash"),
            (OracleShell::Zsh, "zsh"),
            (OracleShell::Fish, "fish"),
        ] {
            let home = FakeHome::new();
            let base = install_conda(&home, "miniconda3");
            let env = create_env(&home, "miniconda3", "goenv");
            let mut snippet = init_block(shell, &base);
            snippet.push_str("conda activate goenv\n");
            let Some(run) = run_snippet(oracle, &home, &snippet) else {
                continue;
            };
            assert_eq!(
                run.path_entries().expect("PATH"),
                vec![
                    format!("{env}/bin"),
                    format!("{base}/condabin"),
                    "/usr/bin".into(),
                    "/bin".into()
                ],
                "{shell}: {}",
                run.stderr
            );
            snippet.push_str("conda deactivate\nconda deactivate\n");
            let run = run_snippet(oracle, &home, &snippet).expect("shell");
            assert_eq!(
                run.path_entries().expect("PATH"),
                vec![format!("{base}/condabin"), "/usr/bin".into(), "/bin".into()],
                "{shell}: {}",
                run.stderr
            );
        }
    }
}
