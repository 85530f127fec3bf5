//! The container rules' claims, checked by doing what the builder does with real shells:
//! each `RUN` of `tests/fixtures/containers/oracle/Dockerfile` runs in a fresh process with
//! exactly the environment condago's build model says the builder gives it (`env -i`, the
//! `ENV`/`ARG` values, the user's `HOME`, the `SHELL` argv and the builder-joined command),
//! inside a private mount namespace where `/opt`, `/root`, `/home`, `/usr/local` and
//! `/etc/bash.bashrc` are throwaway copies. conda and go are stand-ins (no network here):
//! conda's `init` appends its block to `~/.bashrc`, its program refuses `activate`, and its
//! `conda.sh` defines the `conda` function and logs each time it is read.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use condago_linter::container::Build;

const BASE_PATH: &str =
    "/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(path: &Path, text: &str, executable: bool) {
    std::fs::create_dir_all(path.parent().expect("container test setup"))
        .expect("container test setup");
    std::fs::write(path, text).expect("container test setup");
    if executable {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .expect("container test setup");
    }
}

/// Single quotes for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The throwaway root: stand-in conda and go, Debian's own skeleton startup files.
fn stand_ins(root: &Path) {
    write(
        &root.join("opt/conda/bin/conda"),
        r#"#!/bin/sh
case "$1" in
init)
    printf '# >>> conda initialize >>>\n. /opt/conda/etc/profile.d/conda.sh\n# <<< conda initialize <<<\n' >> "$HOME/.bashrc" ;;
activate)
    echo "CondaError: Your shell has not been properly configured to use 'conda activate'." >&2
    exit 1 ;;
esac
"#,
        true,
    );
    write(
        &root.join("opt/conda/etc/profile.d/conda.sh"),
        r#"echo hook >> /root/hook-log
conda() {
    if [ "$1" = activate ]; then
        export CONDA_DEFAULT_ENV="$2"
        export PATH="/opt/conda/bin:$PATH"
    else
        /opt/conda/bin/conda "$@"
    fi
}
"#,
        false,
    );
    write(
        &root.join("usr-local/go/bin/go"),
        r#"#!/bin/sh
# Go's documented rule: `go env -w` writes $(go env GOENV), $XDG_CONFIG_HOME/go/env or
# $HOME/.config/go/env, and `go env NAME` reads it back.
file="${XDG_CONFIG_HOME:-$HOME/.config}/go/env"
if [ "$1 $2" = "env -w" ]; then
    mkdir -p "$(dirname "$file")"
    shift 2
    for setting in "$@"; do echo "$setting" >> "$file"; done
elif [ "$1" = env ]; then
    value=$(sed -n "s/^$2=//p" "$file" 2>/dev/null | tail -n 1)
    [ -n "$value" ] || value="$HOME/go"
    echo "$value"
fi
"#,
        true,
    );
    // As if a package had pulled Go into conda's base (`conda install go`), for CG804; it
    // behaves as the image's Go does.
    write(
        &root.join("opt/conda/bin/go"),
        "#!/bin/sh\nexec /usr/local/go/bin/go \"$@\"\n",
        true,
    );
    for (skeleton, name) in [
        ("/etc/skel/.bashrc", ".bashrc"),
        ("/etc/skel/.profile", ".profile"),
    ] {
        let text = std::fs::read_to_string(skeleton).unwrap_or_else(|_| {
            // Debian's skeleton, in the part that matters: non-interactive shells return.
            "case $- in\n    *i*) ;;\n      *) return;;\nesac\n".to_string()
        });
        write(&root.join("root").join(name), &text, false);
        write(&root.join("home/vscode").join(name), &text, false);
    }
    write(
        &root.join("etc-bash.bashrc"),
        "# stand-in /etc/bash.bashrc\n",
        false,
    );
}

#[test]
fn container_claims_hold_when_the_build_is_replayed_with_real_shells() {
    let unshare_works = Command::new("unshare")
        .args(["-m", "--propagation", "private", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !unshare_works {
        // A private mount namespace needs root (CI runs as root); nothing is checked here.
        eprintln!("SKIPPED: `unshare -m` is not permitted here");
        return;
    }
    let dockerfile = repository().join("tests/fixtures/containers/oracle/Dockerfile");
    let source = std::fs::read(&dockerfile).expect("container test setup");
    let build = Build::new(&source, &Default::default());
    let root =
        std::env::temp_dir().join(format!("condago-container-oracle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    stand_ins(&root);

    // One driver script: the mounts, then each RUN as its own `env -i` process.
    let mut script = String::from("set -u\n");
    for (from, to) in [
        ("opt", "/opt"),
        ("root", "/root"),
        ("home", "/home"),
        ("usr-local", "/usr/local"),
        ("etc-bash.bashrc", "/etc/bash.bashrc"),
    ] {
        script.push_str(&format!(
            "mount --bind {} {} || exit 99\n",
            quote(&root.join(from).display().to_string()),
            to
        ));
    }
    for (index, run) in build.runs.iter().enumerate() {
        let instruction = build.instruction(run);
        let mut env = vec![format!("HOME={}", run.home)];
        let mut has_path = false;
        for (name, value) in &run.env {
            has_path |= name == "PATH";
            env.push(format!("{name}={}", value.replace("$PATH", BASE_PATH)));
        }
        if !has_path {
            env.push(format!("PATH={BASE_PATH}"));
        }
        let argv: Vec<String> = run
            .shell_argv
            .iter()
            .map(|w| quote(w))
            .chain([quote(&instruction.args)])
            .collect();
        let env: Vec<String> = env.iter().map(|e| quote(e)).collect();
        script.push_str(&format!(
            "env -i {} {} > /root/run-{index}.out 2>&1; echo $? > /root/run-{index}.status\n",
            env.join(" "),
            argv.join(" ")
        ));
    }
    // After the build: the IDE's terminal, an interactive bash as root, reads the startup
    // files; `go` as the container's user reads its own env file.
    script.push_str(&format!(
        "env -i HOME=/root PATH=/opt/conda/bin:{BASE_PATH} TERM=dumb bash -i -c true > /dev/null 2>&1 </dev/null\n"
    ));
    script.push_str(&format!(
        "env -i HOME=/home/vscode PATH={BASE_PATH} go env GOPATH > /root/vscode-gopath\n"
    ));
    // CG806: an interactive bash as vscode never reads root's `.bashrc` (conda init's
    // block): it sets the hook up once, from /etc/bash.bashrc only.
    script.push_str(&format!(
        "cp /root/hook-log /root/hook-log-before-vscode\nenv -i HOME=/home/vscode PATH={BASE_PATH} TERM=dumb bash -i -c true > /dev/null 2>&1 </dev/null\n"
    ));
    script.push_str(&format!(
        "cp -r /root/. {}\n",
        quote(&root.join("result").display().to_string())
    ));
    std::fs::create_dir_all(root.join("result")).expect("container test setup");
    let status = Command::new("unshare")
        .args(["-m", "--propagation", "private", "sh", "-c", &script])
        .status()
        .expect("container test setup");
    assert!(
        status.success(),
        "the replayed build failed to start: {status}"
    );
    let read =
        |name: &str| std::fs::read_to_string(root.join("result").join(name)).unwrap_or_default();

    // CG802: the third RUN's `conda activate` is conda's program, which refuses; the RUN
    // fails (the build would stop there).
    assert_eq!(read("run-0.status").trim(), "1", "{}", read("run-0.out"));
    assert!(read("run-0.out").contains("not been properly configured"));
    // CG801: what a RUN exports or activates is gone in the next RUN.
    assert_eq!(read("after-runs").trim(), "GOFLAGS=[] CONDA_DEFAULT_ENV=[]");
    // CG802 and CG810: a login bash (`SHELL ["/bin/bash", "--login", "-c"]`) gets no `conda`
    // function from `conda init`'s block (Debian's .bashrc returns first), and Debian's
    // /etc/profile resets its PATH, so `ENV PATH`'s /opt/conda/bin is gone: not found at all.
    let login = read("login-conda");
    assert_eq!(login.trim(), "missing", "{login}");
    // CG803: an interactive bash as root reads conda's hook twice.
    let hooks = read("hook-log-before-vscode").lines().count();
    // One read by the fourth RUN, two by the interactive bash.
    assert_eq!(hooks, 3, "hook log: {:?}", read("hook-log"));
    // CG804: with `ENV PATH="/opt/conda/bin:$PATH"`, a `RUN` finds conda's go first.
    assert_eq!(read("which-go").trim(), "/opt/conda/bin/go");
    // CG806: vscode's terminal read the hook once (from /etc/bash.bashrc), not root's block.
    let vscode_hooks =
        read("hook-log").lines().count() - read("hook-log-before-vscode").lines().count();
    assert_eq!(
        vscode_hooks, 1,
        "vscode's interactive bash read the hook {vscode_hooks} times"
    );
    // CG805: root's `go env -w` is in root's file; the container's user does not see it.
    assert!(read(".config/go/env").contains("GOPATH=/workspace/go"));
    assert_eq!(read("vscode-gopath").trim(), "/home/vscode/go");

    // And condago says so, on these lines.
    let output = support::condago()
        .args(["lint", "--format", "concise"])
        .arg(&dockerfile)
        .output()
        .expect("container test setup");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let codes: Vec<(usize, String)> = text
        .lines()
        .filter_map(|line| {
            let mut parts = line.split(':');
            let _file = parts.next()?;
            let line_no = parts.next()?.parse().ok()?;
            let _col = parts.next()?;
            let code = parts.next()?.split_whitespace().next()?.to_string();
            Some((line_no, code))
        })
        .collect();
    for expected in [
        (5, "CG806"),
        (6, "CG803"),
        (7, "CG801"),
        (7, "CG802"),
        (8, "CG805"),
        (9, "CG801"),
        (10, "CG801"),
        (4, "CG804"),
        (13, "CG810"),
    ] {
        assert!(
            codes.contains(&(expected.0, expected.1.to_string())),
            "missing {expected:?} in\n{text}"
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}

/// With a running Docker daemon and a local Debian-based image (`CONDAGO_DOCKER_IMAGE`,
/// default `debian:bookworm-slim`; nothing can be pulled here), the same claims through a
/// real `docker build`: what a `RUN` exports is gone in the next `RUN`, and `conda init`'s
/// stand-in block in root's `.bashrc` is not read by a `RUN`.
#[test]
fn container_claims_hold_in_a_real_docker_build() {
    let image =
        std::env::var("CONDAGO_DOCKER_IMAGE").unwrap_or_else(|_| "debian:bookworm-slim".into());
    let daemon = Command::new("docker")
        .args(["image", "inspect", &image])
        .output();
    if !daemon.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "SKIPPED: no Docker daemon with the local image {image} (set CONDAGO_DOCKER_IMAGE)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("condago-docker-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("container test setup");
    let dockerfile = format!(
        "FROM {image}\nRUN export GOFLAGS=-mod=mod\nRUN test -z \"$GOFLAGS\"\nRUN printf 'conda_hook_ran() {{ :; }}\\n' >> /root/.bashrc\nRUN ! command -v conda_hook_ran\n"
    );
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("container test setup");
    let status = Command::new("docker")
        .args(["build", "--pull=false", "--no-cache", "-q", "."])
        .current_dir(&dir)
        .status()
        .expect("container test setup");
    assert!(
        status.success(),
        "the real build disagrees with condago's model"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
