//! conda and mamba, modelled by what their shell hooks do to `PATH` rather than by running
//! them.
//!
//! - `eval "$(conda shell.bash hook)"` (any shell): defines the `conda` function and, when
//!   the base environment auto-activates (the default; `auto_activate_base: false` or
//!   `auto_activate: false` in a `.condarc` turns it off), activates it.
//! - Activation from no environment: `<base>/condabin` goes first unless an entry already ends
//!   in `condabin`, then the environment's `bin` before it; activating the environment that
//!   is already active changes nothing; another one replaces the active one's `bin` in place.
//! - `mamba`/`micromamba shell hook` (mamba 2): puts `<root>/condabin` first when no conda
//!   level is set, and activates base only when a `.condarc`/`.mambarc` says
//!   `auto_activate_base: true`.
//!
//! When the executable the block calls does not exist, the hook prints nothing and fails,
//! and the block's own fallback lines run (they are ordinary shell code).

use crate::engine::{Engine, Flow, Hook};
use crate::state::{Func, Native, Var};
use crate::value::{Origin, Value};

/// Which tool wrote the hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Conda,
    Mamba,
    Micromamba,
    /// Not conda: macOS `path_helper -s`, whose output is modelled the same way.
    PathHelper,
    /// Not conda: a tool's init command (`pyenv init -`, `brew shellenv`).
    Init,
}

impl Tool {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tool::Conda => "conda",
            Tool::Mamba => "mamba",
            Tool::Micromamba => "micromamba",
            Tool::PathHelper => "path_helper",
            Tool::Init => "tool init",
        }
    }
}

impl Engine<'_> {
    /// Recognises a hook command (`<base>/bin/conda shell.zsh hook`, `"$MAMBA_EXE" shell
    /// hook --shell zsh --root-prefix …`): its output and status.
    pub(crate) fn hook_output(
        &mut self,
        name: &str,
        args: &[String],
    ) -> Option<(Value, Option<i32>)> {
        let base_name = name.rsplit('/').next().unwrap_or(name);
        let tool = match base_name {
            "conda" => Tool::Conda,
            "mamba" => Tool::Mamba,
            "micromamba" => Tool::Micromamba,
            _ => return None,
        };
        let is_hook = args.iter().any(|a| a == "hook");
        if !is_hook {
            return None;
        }
        let shell = args
            .iter()
            .find_map(|a| a.strip_prefix("shell.").map(str::to_string))
            .or_else(|| {
                let at = args.iter().position(|a| a == "--shell" || a == "-s")?;
                args.get(at + 1).cloned()
            })
            .or_else(|| {
                args.iter()
                    .find_map(|a| a.strip_prefix("--shell=").map(str::to_string))
            })
            .unwrap_or_else(|| self.shell.name().to_string());
        let exe = if name.contains('/') {
            Some(name.to_string())
        } else {
            match self.find_on_path(name) {
                Some(found) => found,
                None => {
                    let why = format!("whether `{name}` is on PATH");
                    return Some((self.unknown_value(why), None));
                }
            }
        };
        let Some(exe) = exe.filter(|exe| self.fs.is_executable(exe)) else {
            return Some((Value::default(), Some(127)));
        };
        let flag_value = |flags: &[&str]| {
            args.iter()
                .position(|a| flags.contains(&a.as_str()))
                .and_then(|at| args.get(at + 1).cloned())
        };
        let base = match tool {
            Tool::Conda => parent(&parent(&exe)),
            _ => flag_value(&["--root-prefix", "-r", "--prefix", "-p"])
                .or_else(|| self.posix_or_fish_var("MAMBA_ROOT_PREFIX"))
                .unwrap_or_else(|| parent(&parent(&exe))),
        };
        self.hooks.push(Hook {
            tool,
            exe,
            base,
            shell,
            init: None,
        });
        Some((Value::hook((self.hooks.len() - 1) as u32), Some(0)))
    }

    fn posix_or_fish_var(&self, name: &str) -> Option<String> {
        self.state
            .vars
            .get(name)
            .and_then(|var| var.value().known())
            .filter(|v| !v.is_empty())
    }

    /// Runs a hook's output: defines the tool's function and activates base when configured.
    pub(crate) fn apply_hook(&mut self, id: u32, site: u32) {
        let Some(hook) = self.hooks.get(id as usize).cloned() else {
            return;
        };
        if hook.tool == Tool::PathHelper {
            self.path_helper(site);
            return;
        }
        if hook.tool == Tool::Init {
            self.apply_init(&hook, site);
            return;
        }
        let auto = auto_activate(self, &hook);
        let note = match (hook.tool, auto) {
            (Tool::Conda, true) => "conda's hook: base auto-activates".to_string(),
            (Tool::Conda, false) => "conda's hook: base does not auto-activate".to_string(),
            (tool, _) => format!("{}'s hook", tool.name()),
        };
        self.trace.conda.push((site, hook.clone(), auto));
        let hook_site = self.hook_site(site, note);
        self.state.functions.insert(
            hook.tool.name().to_string(),
            Func::Native(Native::CondaTool(id)),
        );
        if hook.tool == Tool::Conda {
            self.set_exported("CONDA_EXE", &hook.exe);
        } else {
            self.set_exported("MAMBA_EXE", &hook.exe);
            self.set_exported("MAMBA_ROOT_PREFIX", &hook.base);
        }
        let first = !self.state.vars.contains_key("CONDA_SHLVL");
        if first {
            self.set_exported("CONDA_SHLVL", "0");
            if hook.tool != Tool::Conda {
                let mut items = self.path_items();
                items.insert(0, Value::text(format!("{}/condabin", hook.base)));
                self.store_path(items, hook_site);
            }
        }
        self.state.status = Some(0);
        if auto {
            let status = self.activate(&hook, "base", hook_site);
            self.state.status = status;
        }
    }

    /// A site for what a hook does, at the line that ran it.
    fn hook_site(&mut self, site: u32, note: String) -> u32 {
        match self.trace.sites.get(site as usize).cloned() {
            Some(s) => self.site_with(s.read, s.line, Some(note)),
            None => site,
        }
    }

    fn set_exported(&mut self, name: &str, value: &str) {
        let mut var = Var::scalar(Value::text(value));
        var.exported = true;
        if self.shell == crate::StartupShell::Fish {
            var.array = true;
        }
        self.state.vars.insert(name.to_string(), var);
    }

    /// `conda activate ENV` (and mamba's): returns the status.
    pub(crate) fn activate(&mut self, hook: &Hook, env: &str, site: u32) -> Option<i32> {
        let prefix = if matches!(env, "base" | "root") {
            Some(hook.base.clone())
        } else if env.contains('/') {
            Some(env.to_string()).filter(|p| self.fs.is_dir(p))
        } else {
            [
                format!("{}/envs/{env}", hook.base),
                format!("{}/.conda/envs/{env}", self.home()),
            ]
            .into_iter()
            .find(|p| self.fs.is_dir(p))
        };
        let Some(prefix) = prefix else {
            return Some(1);
        };
        let level = match self.state.vars.get("CONDA_SHLVL").map(Var::value) {
            None => Some(0),
            Some(value) => value.known().and_then(|v| v.trim().parse::<i64>().ok()),
        };
        let Some(level) = level else {
            self.taint_path(site, "conda's activation level is not known".to_string());
            return None;
        };
        let current = self
            .state
            .vars
            .get("CONDA_PREFIX")
            .and_then(|v| v.value().known());
        if level > 0 && current.as_deref() == Some(prefix.as_str()) {
            return Some(0);
        }
        let mut items = self.path_items();
        let bin = Value::text(format!("{prefix}/bin"));
        if level == 0 {
            if hook.tool == Tool::Conda
                && !items
                    .iter()
                    .any(|e| e.known().is_some_and(|d| d.ends_with("condabin")))
            {
                items.insert(0, Value::text(format!("{}/condabin", hook.base)));
            }
            items.insert(0, bin);
        } else {
            let old = current.map(|c| format!("{c}/bin"));
            let at = old.and_then(|old| {
                items
                    .iter()
                    .position(|e| e.known().as_deref() == Some(old.as_str()))
            });
            match at {
                Some(at) => {
                    let mut bin = bin;
                    bin.stamp(Origin::Site(site));
                    items[at] = bin;
                }
                None => items.insert(0, bin),
            }
        }
        self.store_path(items, site);
        self.set_exported("CONDA_PREFIX", &prefix);
        self.set_exported("CONDA_SHLVL", &(level + 1).to_string());
        let name = if prefix == hook.base {
            "base".to_string()
        } else {
            env.to_string()
        };
        self.set_exported("CONDA_DEFAULT_ENV", &name);
        Some(0)
    }

    /// `conda …` after the hook defined the function.
    pub(crate) fn call_native(&mut self, native: Native, args: &[Value], site: u32) -> Flow {
        let Native::CondaTool(id) = native;
        let Some(hook) = self.hooks.get(id as usize).cloned() else {
            return Flow::Next;
        };
        let words: Vec<Option<String>> = args.iter().map(Value::known).collect();
        match words.first().cloned().flatten().as_deref() {
            Some("activate") => {
                let env = words
                    .iter()
                    .skip(1)
                    .flatten()
                    .find(|w| !w.starts_with('-'))
                    .cloned()
                    .unwrap_or_else(|| "base".to_string());
                if words.iter().skip(1).any(Option::is_none) {
                    self.taint_path(
                        site,
                        "`conda activate` of an environment not known".to_string(),
                    );
                    return Flow::Next;
                }
                let site = self.hook_site(site, format!("{} activate {env}", hook.tool.name()));
                self.state.status = self.activate(&hook, &env, site);
            }
            Some("deactivate") => {
                let current = self
                    .state
                    .vars
                    .get("CONDA_PREFIX")
                    .and_then(|v| v.value().known());
                if let Some(current) = current {
                    let bin = format!("{current}/bin");
                    let items: Vec<Value> = self
                        .path_items()
                        .into_iter()
                        .filter(|e| e.known().as_deref() != Some(bin.as_str()))
                        .collect();
                    self.store_path(items, site);
                    self.state.vars.remove("CONDA_PREFIX");
                    self.set_exported("CONDA_SHLVL", "0");
                }
                self.state.status = Some(0);
            }
            _ => self.state.status = None,
        }
        Flow::Next
    }
}

fn parent(path: &str) -> String {
    match path.trim_end_matches('/').rsplit_once('/') {
        Some(("", _)) => "/".to_string(),
        Some((parent, _)) => parent.to_string(),
        None => ".".to_string(),
    }
}

/// Whether base auto-activates: conda reads its configuration files in order (later ones
/// win), then `CONDA_AUTO_ACTIVATE_BASE` / `CONDA_AUTO_ACTIVATE`.
fn auto_activate(engine: &Engine, hook: &Hook) -> bool {
    let home = engine.home();
    let config = engine
        .state
        .vars
        .get("XDG_CONFIG_HOME")
        .and_then(|v| v.value().known())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("{home}/.config"));
    let mut files = vec![
        "/etc/conda/.condarc".to_string(),
        "/etc/conda/condarc".to_string(),
        format!("{}/.condarc", hook.base),
        format!("{}/condarc", hook.base),
        format!("{config}/conda/.condarc"),
        format!("{config}/conda/condarc"),
        format!("{home}/.config/conda/.condarc"),
        format!("{home}/.config/conda/condarc"),
        format!("{home}/.conda/.condarc"),
        format!("{home}/.conda/condarc"),
        format!("{home}/.condarc"),
    ];
    if hook.tool != Tool::Conda {
        files.push(format!("{home}/.mambarc"));
        files.push(format!("{}/.mambarc", hook.base));
    }
    let mut value = hook.tool == Tool::Conda;
    for file in files {
        let Some(text) = engine.fs.read(&file) else {
            continue;
        };
        let text = String::from_utf8_lossy(&text);
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim_end();
            for key in ["auto_activate_base:", "auto_activate:"] {
                if let Some(rest) = line.strip_prefix(key) {
                    match rest
                        .trim()
                        .trim_matches(['"', '\''])
                        .to_ascii_lowercase()
                        .as_str()
                    {
                        "true" | "yes" | "on" => value = true,
                        "false" | "no" | "off" => value = false,
                        _ => {}
                    }
                }
            }
        }
    }
    for name in ["CONDA_AUTO_ACTIVATE_BASE", "CONDA_AUTO_ACTIVATE"] {
        if let Some(setting) = engine.state.vars.get(name).and_then(|v| v.value().known()) {
            match setting.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => value = true,
                "false" | "no" | "0" => value = false,
                _ => {}
            }
        }
    }
    value
}
