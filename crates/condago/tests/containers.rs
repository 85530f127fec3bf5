//! Realistic Dockerfiles and devcontainer.json files (tests/fixtures/containers/*): each
//! folder is linted as a user would (`condago lint FOLDER`), and gets exactly the findings
//! its `expected` file lists, as `PATH:LINE CODE`.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

fn findings(folder: &Path) -> BTreeSet<String> {
    let output = support::condago()
        .args(["lint", ".", "--format", "json", "--exit-zero"])
        .current_dir(folder)
        .output()
        .expect("container test setup");
    assert!(output.status.success(), "{}", support::stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("container test setup");
    json.as_array()
        .expect("container test setup")
        .iter()
        .map(|finding| {
            let file = finding["file"]
                .as_str()
                .expect("container test setup")
                .trim_start_matches("./");
            let line = &finding["range"]["start"]["line"];
            let code = finding["code"].as_str().expect("container test setup");
            format!("{file}:{line} {code}")
        })
        .collect()
}

#[test]
fn container_fixtures_get_exactly_their_expected_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/containers");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .expect("container test setup")
        .map(|entry| entry.expect("container test setup").path())
        .filter(|path| path.join("expected").exists())
        .collect();
    folders.sort();
    assert!(folders.len() >= 12, "{} fixtures", folders.len());
    let mut failures = Vec::new();
    for folder in &folders {
        let expected: BTreeSet<String> = std::fs::read_to_string(folder.join("expected"))
            .expect("container test setup")
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(str::to_string)
            .collect();
        let found = findings(folder);
        if found != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  found    {found:?}",
                folder.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixes_keep_continuations_and_indentation() {
    let folder = std::env::temp_dir().join(format!("condago-container-fix-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("container test setup");
    let dockerfile = folder.join("Dockerfile");
    let text = "FROM mcr.microsoft.com/devcontainers/go:1.22\nENV PATH=\"/opt/conda/bin:$PATH\" \\\n    GOPATH=/go\nRUN go env -w GOPATH=/workspace/go\nRUN apt-get update \\\n    && apt-get install -y curl\n";
    std::fs::write(&dockerfile, text).expect("container test setup");
    let output = support::condago()
        .args(["lint", "--fix", "--unsafe-fixes", "--exit-zero"])
        .arg(&dockerfile)
        .output()
        .expect("container test setup");
    assert!(output.status.success(), "{}", support::stderr(&output));
    let fixed = std::fs::read_to_string(&dockerfile).expect("container test setup");
    assert_eq!(
        fixed,
        "FROM mcr.microsoft.com/devcontainers/go:1.22\nENV PATH=\"$PATH:/opt/conda/bin\" \\\n    GOPATH=/go\nENV GOPATH=/workspace/go\nRUN apt-get update \\\n    && apt-get install -y curl\n"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn which_shows_the_copy_each_container_process_gets() {
    let folder =
        std::env::temp_dir().join(format!("condago-container-which-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("container test setup");
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM mcr.microsoft.com/devcontainers/go:1.22-bookworm\nRUN bash /tmp/Miniforge3.sh -b -p /opt/conda\nENV PATH=\"/opt/conda/bin:$PATH\"\nRUN conda install -y -c conda-forge go\n",
    )
    .expect("container test setup");
    std::fs::write(
        folder.join("devcontainer.json"),
        "{ \"build\": { \"dockerfile\": \"Dockerfile\" },\n  \"remoteEnv\": { \"PATH\": \"/home/vscode/bin\" } }\n",
    )
    .expect("container test setup");
    let output = support::condago()
        .args(["which", "go", "--format", "json", "--dockerfile"])
        .arg(folder.join("Dockerfile"))
        .output()
        .expect("container test setup");
    assert!(output.status.success(), "{}", support::stderr(&output));
    let results: Vec<serde_json::Value> = support::stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("container test setup"))
        .collect();
    let winner = |context: &str| {
        let result = results
            .iter()
            .find(|r| r["context"] == context)
            .expect("container test setup");
        result["winner"]["file"].as_str().map(str::to_string)
    };
    // conda's go wins wherever the image's ENV PATH is used, over the image's own Go.
    assert_eq!(winner("a later RUN").as_deref(), Some("/opt/conda/bin/go"));
    assert_eq!(winner("docker exec").as_deref(), Some("/opt/conda/bin/go"));
    let run = results
        .iter()
        .find(|r| r["context"] == "a later RUN")
        .expect("container test setup");
    assert_eq!(run["shadowed"][0]["file"], "/usr/local/go/bin/go");
    // remoteEnv dropped the image's PATH: the terminal and postCreateCommand find no go.
    assert_eq!(winner("VS Code terminal"), None);
    assert_eq!(winner("postCreateCommand"), None);
    let _ = std::fs::remove_dir_all(&folder);
}

/// The benchmark's Dockerfiles (tests/fixtures/containers/corpus, written in the style of
/// common public ones): those that mention neither conda, mamba nor Go get no finding, and
/// no `RUN` of any of them is misread as a syntax error.
#[test]
fn corpus_dockerfiles_without_conda_or_go_get_no_finding() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/containers/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("container test setup")
        .map(|entry| entry.expect("container test setup").path())
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{} files", files.len());
    let output = support::condago()
        .args(["lint", "--format", "json", "--exit-zero"])
        .args(&files)
        .output()
        .expect("container test setup");
    assert!(output.status.success(), "{}", support::stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("container test setup");
    let mut unrelated = 0;
    for file in &files {
        let text = std::fs::read(file).expect("container test setup");
        let related = condago_linter::container::Build::mentions_conda_or_go(&text);
        unrelated += usize::from(!related);
        let name = file.display().to_string();
        let findings: Vec<&serde_json::Value> = json
            .as_array()
            .expect("container test setup")
            .iter()
            .filter(|finding| finding["file"] == name.as_str())
            .collect();
        if !related {
            assert!(findings.is_empty(), "{name}: {findings:#?}");
        }
        assert!(
            findings.iter().all(|finding| finding["code"] != "CG001"),
            "{name}: {findings:#?}"
        );
    }
    assert!(unrelated >= 10, "{unrelated} files without conda or Go");
}
