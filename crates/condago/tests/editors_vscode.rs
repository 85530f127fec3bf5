//! The VS Code extension (`editors/vscode`) builds as its README says — `npm ci && npm run
//! compile` (a type check against `@types/vscode`) — passes its own tests, and packages to a
//! `.vsix` with `@vscode/vsce`, from a copy of the directory so the work tree stays clean.
//! Everything comes from the npm registry: the lock file is checked for anything else, and
//! install scripts are off (`editors/vscode/.npmrc`).
//!
//! Without node and npm the test says SKIPPED; under `CI=true` that is a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DEADLINE: Duration = Duration::from_secs(15 * 60);
/// `@vscode/vsce` 3 needs node 20.
const NODE_MAJOR: u32 = 20;

fn extension_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/vscode")
}

fn skip_or_fail(why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}, and CI=true makes this a failure (`.ci/install-tools` installs them)");
    }
    eprintln!("SKIPPED: the VS Code extension test did not run: {why}");
}

/// node's major version, if node and npm are installed.
fn node_major() -> Option<u32> {
    let version = Command::new("node").arg("--version").output().ok()?;
    let npm = Command::new("npm").arg("--version").output().ok()?;
    if !version.status.success() || !npm.status.success() {
        return None;
    }
    String::from_utf8_lossy(&version.stdout)
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Runs `program args` in `dir` to completion (or the deadline) and panics with its output
/// if it fails; returns the output.
fn run_ok(dir: &Path, program: &str, args: &[&str]) -> String {
    let log = tempfile::NamedTempFile::new().expect("log file");
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false")
        .stdin(Stdio::null())
        .stdout(log.reopen().expect("log"))
        .stderr(log.reopen().expect("log"))
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: cannot start: {e}"));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{program} {args:?}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = String::from_utf8_lossy(&fs::read(log.path()).expect("log")).into_owned();
    eprintln!(
        "{program} {}: {status} in {:.1} s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    );
    assert!(
        status.success(),
        "{program} {args:?} failed ({status}):\n{output}"
    );
    output
}

/// The extension's sources, without what a build leaves behind.
fn copy_sources(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read editors/vscode") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if matches!(name.as_ref(), "node_modules" | "out") || name.ends_with(".vsix") {
            continue;
        }
        let target = to.join(&*name);
        if entry.file_type().expect("file type").is_dir() {
            fs::create_dir_all(&target).expect("mkdir");
            copy_sources(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
fn the_lock_file_takes_everything_from_the_npm_registry() {
    let lock = read_json(&extension_dir().join("package-lock.json"));
    assert_eq!(lock["lockfileVersion"], 3);
    let packages = lock["packages"].as_object().expect("packages");
    assert!(packages.len() > 10, "a real lock file");
    for (name, package) in packages {
        if let Some(resolved) = package["resolved"].as_str() {
            assert!(
                resolved.starts_with("https://registry.npmjs.org/"),
                "{name} comes from {resolved}"
            );
        }
        if !name.is_empty() {
            assert!(
                package["integrity"].is_string() || package["link"] == true,
                "{name} has no integrity hash"
            );
        }
    }
    let manifest = read_json(&extension_dir().join("package.json"));
    for section in ["dependencies", "devDependencies"] {
        for (name, spec) in manifest[section].as_object().expect("dependencies") {
            let spec = spec.as_str().expect("version");
            assert!(
                spec.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "{name} is pinned to a registry version, not `{spec}`"
            );
        }
    }
}

#[test]
fn the_manifest_declares_the_settings_and_the_files() {
    let manifest = read_json(&extension_dir().join("package.json"));
    let properties = &manifest["contributes"]["configuration"]["properties"];
    assert_eq!(properties["condago.path"]["default"], "condago");
    assert_eq!(properties["condago.enable"]["default"], true);
    assert_eq!(properties["condago.trace.server"]["default"], "off");
    let events: Vec<&str> = manifest["activationEvents"]
        .as_array()
        .expect("activationEvents")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for event in [
        "onLanguage:shellscript",
        "onLanguage:zsh",
        "onLanguage:fish",
        // Startup files VS Code does not know as shell (`config.fish` without a fish
        // extension, chezmoi's `dot_bashrc`): the extension starts anyway and picks them out
        // by name.
        "onStartupFinished",
    ] {
        assert!(events.contains(&event), "{event} in {events:?}");
    }
    // An untrusted workspace cannot point the extension at another executable.
    assert_eq!(
        manifest["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"][0],
        "condago.path"
    );
    let source = fs::read_to_string(extension_dir().join("src/files.ts")).expect("src/files.ts");
    for name in [
        "bashrc",
        "bash_profile",
        "profile",
        "zshrc",
        "zshenv",
        "zprofile",
        "config.fish",
        "conf.d/*.fish",
    ] {
        assert!(source.contains(name), "{name} is selected by name");
    }
}

#[test]
fn the_extension_builds_type_checks_and_packages() {
    match node_major() {
        None => return skip_or_fail("node and npm are not installed"),
        Some(major) if major < NODE_MAJOR => {
            return skip_or_fail(&format!(
                "node {major} is installed; the extension's tools need node {NODE_MAJOR}+"
            ))
        }
        Some(_) => {}
    }
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path().join("vscode");
    fs::create_dir_all(&dir).expect("mkdir");
    copy_sources(&extension_dir(), &dir);

    run_ok(&dir, "npm", &["ci"]);
    // `tsc -p ./` in strict mode: a type error against @types/vscode fails the build.
    run_ok(&dir, "npm", &["run", "compile"]);
    assert!(dir.join("out/extension.js").is_file());
    // Which files are linted; how `condago.path` is resolved and a missing one reported.
    let tests = run_ok(&dir, "npm", &["test"]);
    assert!(tests.contains("# fail 0"), "{tests}");
    assert!(!tests.contains("# pass 0"), "{tests}");

    let vsix = work.path().join("condago.vsix");
    let packaged = run_ok(
        &dir,
        "npx",
        &[
            "--no-install",
            "vsce",
            "package",
            "--out",
            vsix.to_str().expect("UTF-8 path"),
        ],
    );
    assert!(packaged.contains("DONE"), "{packaged}");
    // A .vsix is a zip; its names are stored uncompressed.
    let bytes = fs::read(&vsix).expect("the .vsix exists");
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip file");
    let contains = |name: &str| bytes.windows(name.len()).any(|w| w == name.as_bytes());
    for name in [
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/out/extension.js",
        "extension/out/files.js",
        "extension/out/executable.js",
        "extension/node_modules/vscode-languageclient/package.json",
        "extension/LICENSE",
        "extension/readme.md",
    ] {
        assert!(contains(name), "{name} is in the .vsix");
    }
    for name in [
        "extension/src/",
        "extension/out/test/",
        "extension/tsconfig.json",
    ] {
        assert!(!contains(name), "{name} is not in the .vsix");
    }
}
