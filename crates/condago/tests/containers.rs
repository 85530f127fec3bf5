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
        .unwrap();
    assert!(output.status.success(), "{}", support::stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let file = finding["file"].as_str().unwrap().trim_start_matches("./");
            let line = &finding["range"]["start"]["line"];
            let code = finding["code"].as_str().unwrap();
            format!("{file}:{line} {code}")
        })
        .collect()
}

#[test]
fn container_fixtures_get_exactly_their_expected_findings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/containers");
    let mut folders: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("expected").exists())
        .collect();
    folders.sort();
    assert!(folders.len() >= 12, "{} fixtures", folders.len());
    let mut failures = Vec::new();
    for folder in &folders {
        let expected: BTreeSet<String> = std::fs::read_to_string(folder.join("expected"))
            .unwrap()
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
    std::fs::create_dir_all(&folder).unwrap();
    let dockerfile = folder.join("Dockerfile");
    let text = "FROM mcr.microsoft.com/devcontainers/go:1.22\nENV PATH=\"/opt/conda/bin:$PATH\" \\\n    GOPATH=/go\nRUN go env -w GOPATH=/workspace/go\nRUN apt-get update \\\n    && apt-get install -y curl\n";
    std::fs::write(&dockerfile, text).unwrap();
    let output = support::condago()
        .args(["lint", "--fix", "--unsafe-fixes", "--exit-zero"])
        .arg(&dockerfile)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", support::stderr(&output));
    let fixed = std::fs::read_to_string(&dockerfile).unwrap();
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
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("Dockerfile"),
        "FROM mcr.microsoft.com/devcontainers/go:1.22-bookworm\nRUN bash /tmp/Miniforge3.sh -b -p /opt/conda\nENV PATH=\"/opt/conda/bin:$PATH\"\nRUN conda install -y -c conda-forge go\n",
    )
    .unwrap();
    std::fs::write(
        folder.join("devcontainer.json"),
        "{ \"build\": { \"dockerfile\": \"Dockerfile\" },\n  \"remoteEnv\": { \"PATH\": \"/home/vscode/bin\" } }\n",
    )
    .unwrap();
    let output = support::condago()
        .args(["which", "go", "--format", "json", "--dockerfile"])
        .arg(folder.join("Dockerfile"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", support::stderr(&output));
    let results: Vec<serde_json::Value> = support::stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let winner = |context: &str| {
        let result = results.iter().find(|r| r["context"] == context).unwrap();
        result["winner"]["file"].as_str().map(str::to_string)
    };
    // conda's go wins wherever the image's ENV PATH is used, over the image's own Go.
    assert_eq!(winner("a later RUN").as_deref(), Some("/opt/conda/bin/go"));
    assert_eq!(winner("docker exec").as_deref(), Some("/opt/conda/bin/go"));
    let run = results
        .iter()
        .find(|r| r["context"] == "a later RUN")
        .unwrap();
    assert_eq!(run["shadowed"][0]["file"], "/usr/local/go/bin/go");
    // remoteEnv dropped the image's PATH: the terminal and postCreateCommand find no go.
    assert_eq!(winner("VS Code terminal"), None);
    assert_eq!(winner("postCreateCommand"), None);
    let _ = std::fs::remove_dir_all(&folder);
}
