//! Project configuration as users meet it: `condago.toml` found next to the files, what it
//! changes, `condago config FILE`, and the exact message of every bad configuration.

mod support;

use std::fs;
use std::process::Output;

use support::{run, stderr, stdout};

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }
    dir
}

/// The codes reported per file, `file:CODE` sorted.
fn codes(output: &Output) -> Vec<String> {
    let mut codes: Vec<String> = stdout(output)
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(4, ':');
            let file = parts.next()?;
            let _line = parts.next()?;
            let rest = parts.nth(1)?;
            let code = rest.split_whitespace().next()?;
            Some(format!("{file}:{code}"))
        })
        .collect();
    codes.sort();
    codes
}

const PREPEND: &str = "export PATH=\"$HOME/bin:$PATH\"\n";

/// A dotfiles repository as people keep them: plugins that may grow PATH, an `aliases`
/// file that is zsh by convention, vendored files not to lint.
fn dotfiles() -> tempfile::TempDir {
    repo(&[
        (
            "condago.toml",
            "exclude = [\"vendor\"]\n\n[per-file-ignores]\n\"zsh/plugins/*\" = [\"CG102\"]\n\n[shells]\n\"aliases\" = \"zsh\"\n",
        ),
        ("zsh/.zshrc", PREPEND),
        ("zsh/plugins/go.zsh", "export PATH=\"~/go/bin:$PATH\"\n"),
        // No shebang, no known name: linted only because `[shells]` names it.
        ("shell/aliases", "path=(\"~/go/bin\" $path)\n"),
        ("vendor/.bashrc", "export PATH=\"~/x:$PATH\"\n"),
    ])
}

#[test]
fn the_nearest_configuration_applies_per_file() {
    let dir = dotfiles();
    let output = run(&["lint", "--format", "concise", "."], dir.path());
    assert_eq!(
        codes(&output),
        ["./shell/aliases:CG102", "./zsh/.zshrc:CG104"],
        "{}",
        stdout(&output)
    );
    // A nested configuration wins for the files below it, ruff's way: it replaces the
    // outer one (no merging), so the outer per-file-ignores no longer apply there.
    fs::write(
        dir.path().join("zsh/.condago.toml"),
        "ignore = [\"path-prepend-not-idempotent\"]\n",
    )
    .expect("write");
    let output = run(&["lint", "--format", "concise", "."], dir.path());
    assert_eq!(
        codes(&output),
        ["./shell/aliases:CG102", "./zsh/plugins/go.zsh:CG102"]
    );
}

#[test]
fn config_and_isolated_override_discovery() {
    let dir = dotfiles();
    let isolated = run(
        &["lint", "--isolated", "--format", "concise", "zsh", "vendor"],
        dir.path(),
    );
    assert_eq!(
        codes(&isolated),
        [
            "vendor/.bashrc:CG102",
            "vendor/.bashrc:CG104",
            "zsh/.zshrc:CG104",
            "zsh/plugins/go.zsh:CG102"
        ]
    );
    fs::write(dir.path().join("other.toml"), "select = [\"CG102\"]\n").expect("write");
    let chosen = run(
        &["lint", "--config", "other.toml", "--format", "concise", "."],
        dir.path(),
    );
    // other.toml has no `exclude`, `per-file-ignores` or `[shells]`: vendor/ and the
    // plugin's CG102 are reported, `aliases` is not linted.
    assert_eq!(
        codes(&chosen),
        ["./vendor/.bashrc:CG102", "./zsh/plugins/go.zsh:CG102"]
    );
}

#[test]
fn exclude_applies_to_named_files_with_force_exclude() {
    let dir = dotfiles();
    let named = run(
        &["lint", "--format", "concise", "vendor/.bashrc"],
        dir.path(),
    );
    assert_eq!(
        codes(&named),
        ["vendor/.bashrc:CG102", "vendor/.bashrc:CG104"],
        "named on the command line, as ruff does"
    );
    let forced = run(
        &[
            "lint",
            "--force-exclude",
            "--format",
            "concise",
            "vendor/.bashrc",
        ],
        dir.path(),
    );
    assert_eq!(forced.status.code(), Some(0));
    assert!(codes(&forced).is_empty());
}

#[test]
fn the_command_line_select_wins_and_ignore_adds() {
    let dir = dotfiles();
    let selected = run(
        &[
            "lint",
            "--select",
            "CG102,CG104",
            "--format",
            "concise",
            "zsh",
        ],
        dir.path(),
    );
    // per-file-ignores still apply: go.zsh's CG102 stays ignored.
    assert_eq!(
        codes(&selected),
        ["zsh/.zshrc:CG104"],
        "{}",
        stdout(&selected)
    );
    let ignored = run(
        &["lint", "--ignore", "CG102", "--format", "concise", "shell"],
        dir.path(),
    );
    assert!(codes(&ignored).is_empty(), "{}", stdout(&ignored));
}

#[test]
fn condago_config_says_what_applies_and_why() {
    let dir = dotfiles();
    let output = run(&["config", "zsh/plugins/go.zsh"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let root = dir.path().join("condago.toml");
    let root = std::path::absolute(&root).expect("absolute");
    let root = root.display();
    assert_eq!(
        stdout(&output),
        format!(
            "file: zsh/plugins/go.zsh
configuration: {root}
select         the default rules  [default]
extend-select  none  [default]
ignore         CG102  [{root}:4]
shell          detected from the file  [default]
fish-version   not set (rules say which versions differ)  [default]
bash-version   not set (rules say which versions differ)  [default]
exclude        not excluded  [default]
home.layout    detected from the repository  [default]
home.os        the one condago runs on  [default]
"
        )
    );
    let aliases = run(&["config", "shell/aliases"], dir.path());
    assert!(
        stdout(&aliases).contains(&format!("shell          zsh (\"aliases\")  [{root}:7]")),
        "{}",
        stdout(&aliases)
    );
}

/// `condago lint` on a repository whose configuration holds `text`: exit 2 and the message.
fn bad_config(files: &[(&str, &str)]) -> String {
    let mut all = vec![("zsh/.zshrc", PREPEND)];
    all.extend_from_slice(files);
    let dir = repo(&all);
    let output = run(&["lint", "zsh/.zshrc"], dir.path());
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stdout(&output).is_empty(),
        "nothing linted: {}",
        stdout(&output)
    );
    let absolute = std::path::absolute(dir.path()).expect("absolute");
    stderr(&output).replace(&format!("{}/", absolute.display()), "REPO/")
}

#[test]
fn unknown_key() {
    assert_eq!(
        bad_config(&[("condago.toml", "selct = [\"CG1\"]\n")]),
        "condago: error: REPO/condago.toml:1:1: `selct`: unknown key in condago.toml; did you mean `select`?\n"
    );
    assert_eq!(
        bad_config(&[("condago.toml", "[home]\nlayuot = \"stow\"\n")]),
        "condago: error: REPO/condago.toml:2:1: `layuot`: unknown key in [home]; did you mean `layout`?\n"
    );
    assert_eq!(
        bad_config(&[("condago.toml", "line-length = 88\n")]),
        "condago: error: REPO/condago.toml:1:1: `line-length`: unknown key in condago.toml; the keys are `select`, `extend-select`, `ignore`, `exclude`, `per-file-ignores`, `shells`, `fish-version`, `bash-version`, `home`\n"
    );
}

#[test]
fn wrong_type() {
    assert_eq!(
        bad_config(&[("condago.toml", "ignore = 104\nfish-version = 3.4\n")]),
        "condago: error: REPO/condago.toml:1:10: `ignore`: expected a list of strings, found an integer\n\
         condago: error: REPO/condago.toml:2:16: `fish-version`: expected a string, found a float; write it quoted: fish-version = \"3.4\"\n"
    );
    assert_eq!(
        bad_config(&[("condago.toml", "shells = \"zsh\"\n")]),
        "condago: error: REPO/condago.toml:1:10: `shells`: expected a table, found a string\n"
    );
}

#[test]
fn unknown_rule() {
    assert_eq!(
        bad_config(&[(
            "condago.toml",
            "ignore = [\"CG104\", \"path-tilde-quote\"]\n[per-file-ignores]\n\"zsh/*\" = [\"CG9\"]\n"
        )]),
        "condago: error: REPO/condago.toml:1:20: `ignore`: `path-tilde-quote` matches no rule; did you mean `path-tilde-quoted`?\n\
         condago: error: REPO/condago.toml:3:12: `per-file-ignores.\"zsh/*\"`: `CG9` matches no rule; did you mean `CG109`?\n"
    );
}

#[test]
fn bad_glob() {
    assert_eq!(
        bad_config(&[(
            "condago.toml",
            "exclude = [\"zsh/[plugins\"]\n[shells]\n\"a**/b\" = \"zsh\"\n"
        )]),
        "condago: error: REPO/condago.toml:1:17: `exclude`: bad glob `zsh/[plugins`: invalid range pattern at character 5; `*` matches within a directory, `**` (a whole path component) across directories, `[abc]` one of the characters\n\
         condago: error: REPO/condago.toml:3:2: `shells`: bad glob `a**/b`: recursive wildcards must form a single path component at character 1; `*` matches within a directory, `**` (a whole path component) across directories, `[abc]` one of the characters\n"
    );
}

#[test]
fn two_files_that_conflict() {
    assert_eq!(
        bad_config(&[
            ("condago.toml", "ignore = [\"CG104\"]\n"),
            (".condago.toml", "ignore = [\"CG105\"]\n"),
        ]),
        "condago: error: REPO/.condago.toml: conflicts with REPO/condago.toml in the same directory: condago would read only one of them; merge them into one file and delete the other (condago.toml or .condago.toml)\n"
    );
}

#[test]
fn invalid_toml_and_bad_values() {
    assert_eq!(
        bad_config(&[(
            "condago.toml",
            "[shells]\n\"*.sh\" = \"bsh\"\n[home]\nlayout = \"chezmoy\"\n"
        )]),
        "condago: error: REPO/condago.toml:2:10: `shells.\"*.sh\"`: unknown shell `bsh`; did you mean `bash`?\n\
         condago: error: REPO/condago.toml:4:10: `home.layout`: unknown layout `chezmoy`; did you mean `chezmoi`?\n"
    );
    assert_eq!(
        bad_config(&[("condago.toml", "select = [\"CG1\"\n")]),
        "condago: error: REPO/condago.toml:1:16: not valid TOML: unclosed array, expected `]`\n"
    );
    let missing = repo(&[("zsh/.zshrc", PREPEND)]);
    let output = run(
        &["lint", "--config", "nope.toml", "zsh/.zshrc"],
        missing.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "condago: error: nope.toml: cannot read it: No such file or directory (os error 2)\n"
    );
}
