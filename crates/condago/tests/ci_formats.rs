//! The formats CI reads: `--format sarif` (validated against the official SARIF 2.1.0
//! schema), `--format github` (workflow commands, parsed back the way the runner does) and
//! `--statistics`.
//!
//! The schema is `tests/data/sarif-schema-2.1.0.json` (see `tests/data/README.md` for where it
//! comes from); Python's `jsonschema` validates against it. A machine without it skips the
//! validation loudly; under `CI=true` that is a failure.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BAD_BASHRC: &str = "export PATH=\"~/go/bin:$PATH\"\n";

fn condago(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_condago"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("condago runs")
}

/// `condago lint` with the rules these tests know about, so that new rules do not change
/// the counts.
fn lint(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["lint", "--select", "CG0,CG102"];
    all.extend_from_slice(args);
    condago(dir, &all)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A directory of startup files: a bad `.bashrc` (CG102, fixable), a `.zshrc` whose finding
/// comes after multi-byte characters, a fish file whose name needs escaping and percent-
/// encoding, a bash file with a syntax error (CG001, an error) and a clean file.
fn dotfiles() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: &[(&str, &str)] = &[
        (".bashrc", BAD_BASHRC),
        (
            ".zshrc",
            "# héllo wörld ✓\nexport PATH=\"~/bin:$PATH\"  # ✓ 🐍\n",
        ),
        ("fish dir/a,b:c%d.fish", "set -gx PATH \"~/x\" $PATH\n"),
        (
            "broken.bash",
            "if [ -d x ]; then\n  PATH=\"$HOME/bin:$PATH\"\n",
        ),
        ("clean.zsh", "export PATH=\"$HOME/bin:$PATH\"\n"),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    dir
}

const ALL_FILES: &[&str] = &[
    ".bashrc",
    ".zshrc",
    "fish dir/a,b:c%d.fish",
    "broken.bash",
    "clean.zsh",
];

// ---------------------------------------------------------------------------------------
// SARIF

fn schema_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json")
}

/// Validates `document` against the SARIF 2.1.0 schema (with format checks: `uri`,
/// `uri-reference`, …) and returns the validator's complaints, or `None` when Python's
/// `jsonschema` is not there (skipped loudly; a failure under `CI=true`).
fn schema_errors(document: &str) -> Option<Vec<String>> {
    const SCRIPT: &str = r#"
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
document = json.load(sys.stdin)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors:
    print("/".join(map(str, error.absolute_path)) + ": " + error.message)
print("checked with", cls.__name__, "formats:", ",".join(sorted(validator.format_checker.checkers)))
"#;
    let python = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import jsonschema, rfc3986_validator"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let Some(python) = python else {
        let why = "python3 with the `jsonschema` and `rfc3986-validator` packages is not \
                   installed (`.ci/install-tools` installs them)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{why}, and CI=true makes this a failure");
        }
        eprintln!("SKIPPED: SARIF schema validation: {why}");
        return None;
    };
    let mut child = Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(schema_path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), document.as_bytes())
        .expect("write to python");
    let output = child.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let summary = lines.pop().unwrap_or_default();
    // The format checks that matter here must really have run.
    let formats: Vec<&str> = summary
        .split_once("formats: ")
        .map(|(_, list)| list.split(',').collect())
        .unwrap_or_default();
    for format in ["uri", "uri-reference"] {
        assert!(
            formats.contains(&format),
            "the validator does not check `{format}`: {summary}"
        );
    }
    Some(lines)
}

fn sarif_of(dir: &Path, args: &[&str]) -> (Output, Value, String) {
    let mut all = vec!["--format", "sarif"];
    all.extend_from_slice(args);
    let output = lint(dir, &all);
    let text = stdout(&output);
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("SARIF output is not JSON ({e}):\n{text}"));
    (output, value, text)
}

fn assert_valid_sarif(text: &str) {
    if let Some(errors) = schema_errors(text) {
        assert!(
            errors.is_empty(),
            "SARIF output violates the 2.1.0 schema:\n{}\n\n{text}",
            errors.join("\n")
        );
    }
}

#[test]
fn the_vendored_schema_is_the_sarif_2_1_0_schema() {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(schema_path()).expect("schema file"))
            .expect("schema is JSON");
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    assert_eq!(schema["properties"]["version"]["enum"][0], "2.1.0");
    assert!(schema["definitions"]["result"].is_object());
}

#[test]
fn sarif_with_findings_is_valid_and_says_what_and_where() {
    let dir = dotfiles();
    let (output, sarif, text) = sarif_of(dir.path(), ALL_FILES);
    assert_eq!(output.status.code(), Some(1), "findings exit 1");
    assert_valid_sarif(&text);

    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "condago");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results");

    // Every result names a rule that the driver describes, at its index.
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
    }
    let cg102 = rules
        .iter()
        .find(|r| r["id"] == "CG102")
        .expect("CG102 described");
    assert_eq!(cg102["name"], "path-tilde-quoted");
    assert_eq!(cg102["defaultConfiguration"]["level"], "warning");
    assert!(
        cg102["help"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("## What it does")),
        "the rule's documentation is its help: {cg102}"
    );

    let by_uri = |uri: &str| -> Vec<&Value> {
        results
            .iter()
            .filter(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .collect()
    };

    // .bashrc:1:14, with the safe fix as a replacement.
    let bashrc = by_uri(".bashrc");
    assert_eq!(bashrc.len(), 1, "{bashrc:?}");
    assert_eq!(bashrc[0]["ruleId"], "CG102");
    assert_eq!(bashrc[0]["level"], "warning");
    let region = &bashrc[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endColumn"]
        ),
        (&Value::from(1), &Value::from(14), &Value::from(15))
    );
    let replacement = &bashrc[0]["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "$HOME");
    assert_eq!(replacement["deletedRegion"]["startColumn"], 14);

    // After multi-byte characters, columns and offsets count characters, not bytes.
    let zshrc = by_uri(".zshrc");
    let region = &zshrc[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 2);
    assert_eq!(region["startColumn"], 14);
    let first_line_chars = "# héllo wörld ✓\n".chars().count();
    assert_eq!(
        region["charOffset"],
        first_line_chars + "export PATH=\"".len(),
        "charOffset counts code points: {region}"
    );
    assert_eq!(region["charLength"], 1);

    // A file name with a space, `,`, `:` and `%` is a percent-encoded relative reference.
    assert_eq!(by_uri("fish%20dir/a%2Cb%3Ac%25d.fish").len(), 1, "{text}");

    // A syntax error is an error.
    let broken = by_uri("broken.bash");
    assert_eq!(broken[0]["ruleId"], "CG001");
    assert_eq!(broken[0]["level"], "error");

    // The clean file has no result.
    assert!(by_uri("clean.zsh").is_empty());
}

#[test]
fn sarif_for_absolute_paths_uses_file_uris() {
    let dir = dotfiles();
    let absolute = dir.path().join(".bashrc");
    let (_, sarif, text) = sarif_of(dir.path(), &[absolute.to_str().expect("UTF-8 path")]);
    assert_valid_sarif(&text);
    let uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"]
        .as_str()
        .expect("uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/.bashrc"),
        "{uri}"
    );
}

#[test]
fn sarif_without_findings_is_valid_and_empty() {
    let dir = dotfiles();
    let (output, sarif, text) = sarif_of(dir.path(), &["clean.zsh"]);
    assert_eq!(output.status.code(), Some(0));
    assert_valid_sarif(&text);
    assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
    // The rules are described even when none reported anything.
    assert!(sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
}

// ---------------------------------------------------------------------------------------
// GitHub annotations

/// One workflow command, parsed (and unescaped) as the Actions runner does.
#[derive(Debug)]
struct Annotation {
    level: String,
    properties: Vec<(String, String)>,
    message: String,
}

impl Annotation {
    fn get(&self, key: &str) -> &str {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no `{key}` in {self:?}"))
    }
}

fn unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(text: &str) -> String {
    unescape_data(&text.replace("%3A", ":").replace("%2C", ","))
}

fn parse_annotation(line: &str) -> Annotation {
    let rest = line
        .strip_prefix("::")
        .unwrap_or_else(|| panic!("not a workflow command: {line}"));
    let (head, message) = rest
        .split_once("::")
        .unwrap_or_else(|| panic!("no `::` before the message: {line}"));
    let (level, properties) = head.split_once(' ').unwrap_or((head, ""));
    let properties = properties
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (key, value) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("property without `=`: {p} in {line}"));
            (key.to_string(), unescape_property(value))
        })
        .collect();
    Annotation {
        level: level.to_string(),
        properties,
        message: unescape_data(message),
    }
}

#[test]
fn github_annotations_are_workflow_commands_that_parse_back() {
    let dir = dotfiles();
    let output = lint(dir.path(), &{
        let mut args = vec!["--format", "github"];
        args.extend_from_slice(ALL_FILES);
        args
    });
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let annotations: Vec<Annotation> = text.lines().map(parse_annotation).collect();
    assert_eq!(
        annotations.len(),
        4,
        "one line per finding, nothing else:\n{text}"
    );

    let bashrc = annotations
        .iter()
        .find(|a| a.get("file") == ".bashrc")
        .expect(".bashrc annotated");
    assert_eq!(bashrc.level, "warning");
    assert_eq!(bashrc.get("title"), "condago (CG102 path-tilde-quoted)");
    assert_eq!(
        (
            bashrc.get("line"),
            bashrc.get("col"),
            bashrc.get("endLine"),
            bashrc.get("endColumn")
        ),
        ("1", "14", "1", "15")
    );
    assert!(
        bashrc.message.starts_with("CG102 ") && bashrc.message.contains("~/go/bin"),
        "{}",
        bashrc.message
    );
    // The exact line, as a user's workflow log shows it.
    assert!(
        text.lines().any(|l| l.starts_with(
            "::warning title=condago (CG102 path-tilde-quoted),file=.bashrc,line=1,col=14,endLine=1,endColumn=15::CG102 "
        )),
        "{text}"
    );

    // Columns count characters.
    let zshrc = annotations
        .iter()
        .find(|a| a.get("file") == ".zshrc")
        .expect(".zshrc annotated");
    assert_eq!((zshrc.get("line"), zshrc.get("col")), ("2", "14"));

    // `,` `:` `%` in a file name are escaped, so the file property survives intact.
    assert!(
        text.contains("file=fish dir/a%2Cb%3Ac%25d.fish,"),
        "escaped file property:\n{text}"
    );
    assert!(annotations
        .iter()
        .any(|a| a.get("file") == "fish dir/a,b:c%d.fish"));

    // A syntax error is an `error` annotation.
    let broken = annotations
        .iter()
        .find(|a| a.get("file") == "broken.bash")
        .expect("broken.bash annotated");
    assert_eq!(broken.level, "error");
    assert!(broken.message.starts_with("CG001 "), "{}", broken.message);
}

#[test]
fn github_format_prints_nothing_for_clean_files() {
    let dir = dotfiles();
    let output = lint(dir.path(), &["--format", "github", "clean.zsh"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

// ---------------------------------------------------------------------------------------
// --statistics

#[test]
fn statistics_count_findings_per_rule_most_first() {
    let dir = dotfiles();
    fs::write(
        dir.path().join(".profile"),
        "export GOPATH=\"~/go\"\nexport A=1  # condago: disable=CG102\n",
    )
    .expect("write");
    let mut args = vec!["--statistics"];
    args.extend_from_slice(ALL_FILES);
    args.push(".profile");
    let output = lint(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1), "findings still exit 1");
    let text = stdout(&output);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let table: Vec<(usize, &str, &str)> = rows
        .iter()
        .map(|row| {
            assert_eq!(row.len(), 3, "count, code, name: {row:?}");
            (row[0].trim().parse().expect("a count"), row[1], row[2])
        })
        .collect();
    assert_eq!(
        table,
        vec![
            (4, "CG102", "[*] path-tilde-quoted"),
            (1, "CG001", "syntax-error"),
            (1, "CG003", "[*] unused-suppression"),
        ],
        "{text}"
    );

    let output = lint(dir.path(), &{
        let mut json = args.clone();
        json.extend_from_slice(&["--format", "json"]);
        json
    });
    let value: Value = serde_json::from_str(&stdout(&output)).expect("JSON statistics");
    assert_eq!(
        value[0],
        serde_json::json!({"code": "CG102", "name": "path-tilde-quoted", "count": 4, "fixable": true})
    );
    assert_eq!(value[1]["code"], "CG001");
    assert_eq!(value[1]["fixable"], false);
    assert_eq!(value.as_array().map(Vec::len), Some(3));
}

#[test]
fn statistics_of_clean_files_are_empty_and_exit_0() {
    let dir = dotfiles();
    let output = lint(dir.path(), &["--statistics", "clean.zsh"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}
