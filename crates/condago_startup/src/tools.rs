//! Well-known tool initialisations (`eval "$(pyenv init -)"`, `eval "$(brew shellenv)"`,
//! `. ~/.nix-profile/etc/profile.d/nix.sh`), modelled by what they do to `PATH` rather than
//! by running them. The effects and the releases they were read from live in the linter's
//! model (`condago_linter::model::tools`), so both models agree; here they run against the
//! modelled state, and every entry they add carries the line that ran them.

use condago_linter::model::{
    command_effect, init_command, init_script, script_effect, InitCommand, InitDir, InitEffect,
    Tool,
};

use crate::engine::{Engine, Hook};
use crate::state::Var;
use crate::value::Value;

impl Engine<'_> {
    /// The output of a tool's init command (`pyenv init -`), as a hook the `eval` (or fish's
    /// `| source`) that runs it applies; `None` when the words are no init command.
    pub(crate) fn init_output(&mut self, words: &[String]) -> Option<(Value, Option<i32>)> {
        let init = init_command(words)?;
        let program = init.program.clone();
        let exe = if program.contains('/') {
            self.fs.is_executable(&program).then_some(program)
        } else {
            match self.find_on_path(&program) {
                Some(found) => found,
                None => {
                    let why = format!("whether `{program}` is on PATH");
                    return Some((self.unknown_value(why), None));
                }
            }
        };
        // A tool that is not there prints nothing and fails.
        let Some(exe) = exe else {
            return Some((Value::default(), Some(127)));
        };
        self.hooks.push(Hook {
            tool: crate::conda::Tool::Init,
            exe,
            base: String::new(),
            shell: String::new(),
            init: Some(init),
        });
        Some((Value::hook((self.hooks.len() - 1) as u32), Some(0)))
    }

    /// Runs a tool's init output (the hook made by [`Engine::init_output`]).
    pub(crate) fn apply_init(&mut self, hook: &Hook, site: u32) {
        let Some(init) = hook.init.clone() else {
            return;
        };
        let init = InitCommand {
            // `brew shellenv` through `PATH`: the prefix is the one of the `brew` found.
            program: hook.exe.clone(),
            ..init
        };
        let effect = {
            let var = |name: &str| self.known_var(name);
            command_effect(&init, &var, &self.home())
        };
        self.apply_effect(effect, site);
        self.state.status = Some(0);
    }

    /// `source`/`.` of a tool's own script that exists: its modelled effect. `false` when
    /// the path is no known script (the file is then read as usual).
    pub(crate) fn source_init_script(&mut self, path: &str, site: u32) -> bool {
        let Some(tool) = init_script(path) else {
            return false;
        };
        if tool == Tool::NixDaemon {
            // The script returns at once when it ran before in this shell.
            if self.known_var("__ETC_PROFILE_NIX_SOURCED").is_some() {
                self.state.status = Some(0);
                return true;
            }
            let mut var = Var::scalar(Value::text("1"));
            var.exported = false;
            self.state
                .vars
                .insert("__ETC_PROFILE_NIX_SOURCED".to_string(), var);
        }
        let mut effect = {
            let var = |name: &str| self.known_var(name);
            script_effect(tool, path, &var, &self.home())
        };
        if tool == Tool::Sdkman {
            effect.dirs = self.sdkman_candidates();
        }
        self.apply_effect(effect, site);
        self.state.status = Some(0);
        true
    }

    /// The `current/bin` (or `current`) of each installed SDKMAN! candidate, last listed
    /// first: sdkman-init.sh prepends them in the order it lists them.
    fn sdkman_candidates(&self) -> Vec<InitDir> {
        let dir = self.known_var("SDKMAN_CANDIDATES_DIR").unwrap_or_else(|| {
            let root = self
                .known_var("SDKMAN_DIR")
                .unwrap_or_else(|| format!("{}/.sdkman", self.home()));
            format!("{root}/candidates")
        });
        let mut names = self.fs.list(&dir);
        names.sort();
        names
            .iter()
            .rev()
            .map(|name| format!("{dir}/{name}/current"))
            .filter(|current| self.fs.is_dir(current))
            .map(|current| {
                let bin = format!("{current}/bin");
                InitDir::Known(if self.fs.is_dir(&bin) { bin } else { current })
            })
            .collect()
    }

    fn known_var(&self, name: &str) -> Option<String> {
        self.state
            .vars
            .get(name)
            .and_then(|var| var.value().known())
            .filter(|value| !value.is_empty())
    }

    /// Applies an effect to `PATH`, at a site that names the tool and the release.
    fn apply_effect(&mut self, effect: InitEffect, site: u32) {
        let tool = effect.tool;
        let note = format!("{} (as {} does)", tool.init_name(), tool.checked_against());
        let site = match self.trace.sites.get(site as usize).cloned() {
            Some(s) => self.site_with(s.read, s.line, Some(note)),
            None => site,
        };
        // Homebrew moves its directories to the front through `path_helper` on macOS and
        // `fish_add_path --move` in fish; on Linux it prepends them.
        let brew_moves = self.shell == crate::StartupShell::Fish || std::env::consts::OS == "macos";
        let mut unknowns: Vec<(&'static str, Value)> = Vec::new();
        for dir in &effect.dirs {
            if let InitDir::Unknown(what) = dir {
                self.trace.incomplete = true;
                let value = self.unknown_value(format!("{what} ({})", tool.init_name()));
                unknowns.push((what, value));
            }
        }
        let items = self.path_items();
        let updated = effect.apply(
            items,
            Value::known,
            |dir| match dir {
                InitDir::Known(text) => Value::text(text.clone()),
                InitDir::Unknown(what) => unknowns
                    .iter()
                    .find(|(w, _)| w == what)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_default(),
            },
            brew_moves,
        );
        self.store_path(updated, site);
    }
}
