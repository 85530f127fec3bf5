//! What `conda init` writes between its markers, per shell and release, from
//! `conda/core/initialize.py` in conda/conda: `_bashrc_content()` (bash and zsh, unchanged
//! since conda 4.6), `_config_fish_content()` (fish, four forms over the releases),
//! `_bashrc_content_to_add_condabin_to_path()` and
//! `_config_fish_content_to_add_condabin_to_path()` (`conda init --condabin`); plus the
//! `mamba.sh`/`mamba.fish` snippet that the Python mamba 1.x inserted before conda's end
//! marker (`mamba/mamba_shell_init.py`).

/// The block the current `conda init` writes for `shell` (`bash`, `zsh`, `fish`, …) with
/// the installation at `base`, markers and final line break included.
pub(crate) fn written_block(shell: &str, base: &str) -> String {
    let body = if shell == "fish" {
        fish_current(base)
    } else {
        posix(base, shell)
    };
    format!("# >>> conda initialize >>>\n{HEADER}\n{body}# <<< conda initialize <<<\n")
}

/// The managed-by header every form starts with.
pub(crate) const HEADER: &str = "# !! Contents within this block are managed by 'conda init' !!";

/// Every form conda (and mamba 1.x) wrote between the markers for this family of shells,
/// header left out, one string per line with the indentation removed.
pub(crate) fn known_forms(fish: bool, base: &str, shell: &str) -> Vec<Vec<String>> {
    let forms = if fish {
        let mamba = format!(
            "{}\nif test -f \"{base}/etc/fish/conf.d/mamba.fish\"\n    source \"{base}/etc/fish/conf.d/mamba.fish\"\nend\n",
            fish_current(base)
        );
        vec![
            fish_current(base),
            // conda 22.11: the `if test -f` without the fallback.
            format!("if test -f {base}/bin/conda\n    eval {base}/bin/conda \"shell.fish\" \"hook\" $argv | source\nend\n"),
            // conda 4.7 to 22.9.
            format!("eval {base}/bin/conda \"shell.fish\" \"hook\" $argv | source\n"),
            // conda 4.6.
            format!("eval (eval {base}/bin/conda \"shell.fish\" \"hook\" $argv)\n"),
            format!("set -x PATH \"{base}/condabin\" $PATH\n"),
            mamba,
        ]
    } else {
        let mamba = format!(
            "{}\nif [ -f \"{base}/etc/profile.d/mamba.sh\" ]; then\n    . \"{base}/etc/profile.d/mamba.sh\"\nfi\n",
            posix(base, shell)
        );
        vec![
            posix(base, shell),
            format!("export PATH=\"{base}/condabin:$PATH\"\n"),
            mamba,
        ]
    };
    forms.iter().map(|form| lines(form)).collect()
}

/// A text's lines as compared: indentation and trailing blanks removed, blank lines and the
/// header left out.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !is_header(line))
        .map(str::to_string)
        .collect()
}

/// The `!! Contents within this block are managed by …` line.
pub(crate) fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('#')
        && line.contains("!! Contents within this block are managed by")
}

fn posix(base: &str, shell: &str) -> String {
    format!(
        "__conda_setup=\"$('{base}/bin/conda' 'shell.{shell}' 'hook' 2> /dev/null)\"\n\
         if [ $? -eq 0 ]; then\n    \
             eval \"$__conda_setup\"\n\
         else\n    \
             if [ -f \"{base}/etc/profile.d/conda.sh\" ]; then\n        \
                 . \"{base}/etc/profile.d/conda.sh\"\n    \
             else\n        \
                 export PATH=\"{base}/bin:$PATH\"\n    \
             fi\n\
         fi\n\
         unset __conda_setup\n"
    )
}

fn fish_current(base: &str) -> String {
    format!(
        "if test -f {base}/bin/conda\n    \
             eval {base}/bin/conda \"shell.fish\" \"hook\" $argv | source\n\
         else\n    \
             if test -f \"{base}/etc/fish/conf.d/conda.fish\"\n        \
                 . \"{base}/etc/fish/conf.d/conda.fish\"\n    \
             else\n        \
                 set -x PATH \"{base}/bin\" $PATH\n    \
             end\n\
         end\n"
    )
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The reference blocks (`tests/fixtures/realistic/init-blocks`) are known forms.
    #[test]
    fn reference_blocks_are_known_forms() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/realistic/init-blocks");
        let mut checked = 0;
        for (name, fish, base, shell) in [
            ("conda.bash", false, "/home/u/miniconda3", "bash"),
            ("conda.zsh", false, "/home/u/miniconda3", "zsh"),
            ("conda-condabin.bash", false, "/home/u/miniconda3", "bash"),
            ("mamba-1.x.bash", false, "/home/u/miniforge3", "bash"),
            ("mamba-1.x.zsh", false, "/home/u/miniforge3", "zsh"),
            ("conda.fish", true, "/home/u/miniconda3", "fish"),
            ("conda-22.11.fish", true, "/home/u/miniconda3", "fish"),
            ("conda-4.7.fish", true, "/home/u/miniconda3", "fish"),
            ("conda-4.6.fish", true, "/home/u/miniconda3", "fish"),
            ("conda-condabin.fish", true, "/home/u/miniconda3", "fish"),
            ("mamba-1.x.fish", true, "/home/u/miniforge3", "fish"),
        ] {
            let Ok(text) = std::fs::read_to_string(dir.join(name)) else {
                continue;
            };
            let body: Vec<String> = lines(&text)
                .into_iter()
                .filter(|line| !line.contains("conda initialize"))
                .collect();
            assert!(
                known_forms(fish, base, shell).contains(&body),
                "{name}: {body:?}"
            );
            checked += 1;
        }
        if checked == 0 {
            eprintln!("SKIPPED: tests/fixtures/realistic/init-blocks not found");
        }
        assert_eq!(
            lines(&written_block("bash", "/b")),
            [
                vec!["# >>> conda initialize >>>".to_string()],
                known_forms(false, "/b", "bash")[0].clone(),
                vec!["# <<< conda initialize <<<".to_string()],
            ]
            .concat()
        );
    }
}
