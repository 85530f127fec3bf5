//! Which files each shell reads in each mode, in order, and the environment it starts with.

use crate::engine::{Engine, Flow};
use crate::state::Var;
use crate::value::{Origin, Value};
use crate::StartupShell;

/// The bash version the model assumes (`$BASH_VERSION`, `$BASH_VERSINFO`).
pub const BASH_VERSION: &str = "5.2.15(1)-release";
/// The zsh version the model assumes.
pub const ZSH_VERSION: &str = "5.9";
/// The fish version the model assumes.
pub const FISH_VERSION: &str = "3.6.0";

impl Engine<'_> {
    /// Runs the whole startup of the shell in its mode.
    pub(crate) fn run_startup(&mut self) {
        self.seed();
        match self.shell {
            StartupShell::Bash => self.bash_startup(),
            StartupShell::Zsh => self.zsh_startup(),
            StartupShell::Fish => self.fish_startup(),
        }
    }

    fn exited(&self) -> bool {
        self.trace.exited.is_some()
    }

    /// The inherited environment, and what the shell sets by itself.
    fn seed(&mut self) {
        let home = self.home();
        let fish = self.shell == StartupShell::Fish;
        let mut env: Vec<(String, String)> = self.inputs.env.clone();
        env.retain(|(k, _)| k != "HOME");
        env.insert(0, ("HOME".to_string(), home.clone()));
        for (name, value) in env {
            let mut value = Value::text(value);
            value.stamp(Origin::Inherited);
            let items = if fish && name.ends_with("PATH") {
                value.split(':')
            } else {
                vec![value]
            };
            let var = Var {
                items,
                array: fish,
                exported: true,
                certain: true,
            };
            self.state.vars.insert(name, var);
        }
        let uid = self.inputs.uid;
        let set = |engine: &mut Engine, name: &str, value: Value| {
            let mut var = Var::scalar(value);
            var.array = fish;
            engine.state.vars.entry(name.to_string()).or_insert(var);
        };
        match self.shell {
            StartupShell::Bash => {
                set(self, "BASH", Value::text("/usr/bin/bash"));
                set(self, "BASH_VERSION", Value::text(BASH_VERSION));
                let mut versinfo = Var::list(
                    ["5", "2", "15", "1", "release", std::env::consts::ARCH]
                        .iter()
                        .map(|s| Value::text(*s))
                        .collect(),
                );
                versinfo.exported = false;
                self.state
                    .vars
                    .insert("BASH_VERSINFO".to_string(), versinfo);
                if self.mode.interactive() {
                    set(self, "PS1", Value::text("\\s-\\v\\$ "));
                }
                if !self.state.vars.contains_key("SHELL") {
                    if let Some(shell) = self.passwd_shell() {
                        set(self, "SHELL", Value::text(shell));
                    }
                }
            }
            StartupShell::Zsh => {
                set(self, "ZSH_VERSION", Value::text(ZSH_VERSION));
                set(self, "ZSH_NAME", Value::text("zsh"));
                set(self, "PS1", Value::text("%m%# "));
            }
            StartupShell::Fish => {
                let config = self.fish_config_dir();
                set(self, "__fish_config_dir", Value::text(config));
                set(self, "__fish_data_dir", Value::text(self.fish_data_dir()));
                set(self, "__fish_sysconf_dir", Value::text("/etc/fish"));
                set(
                    self,
                    "__fish_user_data_dir",
                    Value::text(format!("{home}/.local/share/fish")),
                );
                set(self, "version", Value::text(FISH_VERSION));
                set(self, "FISH_VERSION", Value::text(FISH_VERSION));
            }
        }
        if !fish {
            if let Some(uid) = uid {
                set(self, "UID", Value::text(uid.to_string()));
                set(self, "EUID", Value::text(uid.to_string()));
            }
            if std::env::consts::OS == "linux" {
                set(self, "OSTYPE", Value::text("linux-gnu"));
            } else {
                let value = self.unknown_value("$OSTYPE on this system");
                set(self, "OSTYPE", value);
            }
            for name in ["HOSTNAME", "HOST", "PPID", "RANDOM", "SECONDS"] {
                let value = self.unknown_value(format!("${name}"));
                set(self, name, value);
            }
        }
    }

    /// The login shell in `/etc/passwd` for the modelled user.
    fn passwd_shell(&self) -> Option<String> {
        let uid = self.inputs.uid?;
        let passwd = self.fs.read("/etc/passwd")?;
        let passwd = String::from_utf8_lossy(&passwd);
        passwd.lines().find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() >= 7 && fields[2].parse::<u32>().ok() == Some(uid))
                .then(|| fields[6].to_string())
        })
    }

    fn readable_file(&self, path: &str) -> bool {
        self.fs.is_file(path) && self.fs.permitted(path, 4) != Some(false)
    }

    fn bash_startup(&mut self) {
        let home = self.home();
        if self.mode.login() {
            if self.readable_file("/etc/profile")
                && self.run_posix_file("/etc/profile", None, None) == Flow::Exit
            {
                return;
            }
            if self.exited() {
                return;
            }
            for name in [".bash_profile", ".bash_login", ".profile"] {
                let path = format!("{home}/{name}");
                if self.readable_file(&path) {
                    self.run_posix_file(&path, None, None);
                    break;
                }
            }
            if self.exited() {
                return;
            }
        }
        if !self.mode.interactive() {
            let env = self
                .state
                .vars
                .get("BASH_ENV")
                .map(Var::value)
                .filter(|v| !v.is_empty());
            if let Some(env) = env {
                match env.known() {
                    Some(path) => {
                        let path = if path.starts_with('/') {
                            path
                        } else {
                            format!("{home}/{path}")
                        };
                        if self.readable_file(&path) {
                            self.run_posix_file(&path, None, None);
                        }
                    }
                    None => {
                        let site = self.site_with(0, 0, Some("$BASH_ENV".to_string()));
                        self.taint_path(site, "$BASH_ENV is not known".to_string());
                    }
                }
            }
            return;
        }
        if !self.mode.login() {
            if self.readable_file("/etc/bash.bashrc") {
                self.run_posix_file("/etc/bash.bashrc", None, None);
                if self.exited() {
                    return;
                }
            }
            let path = format!("{home}/.bashrc");
            if self.readable_file(&path) {
                self.run_posix_file(&path, None, None);
            }
        }
    }

    /// zsh's system files live in `/etc/zsh` on Debian and in `/etc` elsewhere.
    fn zsh_etc(&self) -> &'static str {
        if self.fs.is_dir("/etc/zsh") {
            "/etc/zsh"
        } else {
            "/etc"
        }
    }

    fn zdotdir(&mut self) -> Option<String> {
        match self.state.vars.get("ZDOTDIR").map(Var::value) {
            Some(value) if !value.is_empty() => value.known(),
            _ => Some(self.home()),
        }
    }

    fn zsh_startup(&mut self) {
        let etc = self.zsh_etc();
        let mut steps: Vec<(&str, bool)> = vec![("zshenv", true)];
        if self.mode.login() {
            steps.push(("zprofile", true));
        }
        if self.mode.interactive() {
            steps.push(("zshrc", true));
        }
        if self.mode.login() {
            steps.push(("zlogin", true));
        }
        for (name, _) in steps {
            let system = format!("{etc}/{name}");
            let global = name == "zshenv" || self.state.option("globalrcs", true);
            let wanted = global && self.state.option("rcs", true) || name == "zshenv";
            if wanted && self.readable_file(&system) {
                self.run_posix_file(&system, None, None);
            }
            if self.exited() {
                return;
            }
            if !self.state.option("rcs", true) {
                continue;
            }
            let Some(dir) = self.zdotdir() else {
                let site = self.site_with(0, 0, Some("$ZDOTDIR".to_string()));
                self.taint_path(
                    site,
                    format!("$ZDOTDIR is not known, so ~/.{name} cannot be found"),
                );
                continue;
            };
            let path = format!("{}/.{name}", dir.trim_end_matches('/'));
            if self.readable_file(&path) {
                self.run_posix_file(&path, None, None);
            }
            if self.exited() {
                return;
            }
        }
    }

    pub(crate) fn fish_data_dir(&self) -> String {
        if self.fs.is_dir("/usr/share/fish") || !self.fs.is_dir("/usr/local/share/fish") {
            "/usr/share/fish".to_string()
        } else {
            "/usr/local/share/fish".to_string()
        }
    }

    fn fish_startup(&mut self) {
        let config = self.fish_config_dir();
        let data = self.fish_data_dir();
        // fish's own config.fish runs first; it reads the universal variables, sets up the
        // fish_user_paths handler (and path_helper on macOS), then runs the conf.d pass.
        let own = format!("{data}/config.fish");
        let own_text = self
            .fs
            .read(&own)
            .map(|t| String::from_utf8_lossy(&t).into_owned())
            .unwrap_or_default();
        let line_of = |needle: &str| {
            own_text
                .lines()
                .position(|l| l.trim_start().starts_with(needle))
                .map_or(1, |n| n as u32 + 1)
        };
        let read = self.begin_read(&own, None);
        self.read = read;
        let variables = format!("{config}/fish_variables");
        let mut user_paths_site = None;
        if let Some(text) = self.fs.read(&variables) {
            let file = self.begin_read(&variables, None);
            for (line, name, items, exported) in
                parse_fish_variables(&String::from_utf8_lossy(&text))
            {
                let mut items: Vec<Value> = items.into_iter().map(Value::text).collect();
                if name.ends_with("PATH") {
                    items = items.into_iter().flat_map(|v| v.split(':')).collect();
                }
                if name == "fish_user_paths" {
                    let site = self.site_with(file, line as u32, None);
                    for item in &mut items {
                        item.stamp(Origin::Site(site));
                    }
                    user_paths_site = Some(site);
                }
                let mut var = Var::list(items);
                var.exported = exported;
                self.state.universal.insert(name, var);
            }
        }
        if self.state.universal.contains_key("fish_user_paths")
            || self.state.vars.contains_key("fish_user_paths")
        {
            let line = line_of("__fish_reconstruct_path");
            let site = user_paths_site.unwrap_or_else(|| self.site_with(read, line, None));
            self.reconstruct_path(site);
        }
        if self.mode.login() && self.fs.is_executable("/usr/libexec/path_helper") {
            // fish's own copy of macOS path_helper.
            let line = line_of("__fish_macos_set_env PATH");
            let site = self.site_with(read, line, None);
            self.path_helper(site);
        }
        let home = self.home();
        let mut dirs = vec![
            format!("{config}/conf.d"),
            "/etc/fish/conf.d".to_string(),
            format!("{home}/.local/share/fish/vendor_conf.d"),
        ];
        match self
            .state
            .vars
            .get("XDG_DATA_DIRS")
            .map(|v| Value::join(&v.items, ":"))
        {
            Some(value) => match value.known() {
                Some(text) => {
                    for dir in text.split(':').filter(|d| !d.is_empty()) {
                        dirs.push(format!("{}/fish/vendor_conf.d", dir.trim_end_matches('/')));
                    }
                }
                None => {
                    let site = self.site_with(read, 0, None);
                    self.taint_path(site, "$XDG_DATA_DIRS is not known".to_string());
                }
            },
            None => dirs.push(format!("{data}/vendor_conf.d")),
        }
        let extra = "/usr/share/fish/vendor_conf.d".to_string();
        if !dirs.contains(&extra) {
            dirs.push(extra);
        }
        let mut seen = std::collections::HashSet::new();
        for dir in dirs {
            let mut names: Vec<String> = self
                .fs
                .list(&dir)
                .into_iter()
                .filter(|n| n.ends_with(".fish") && !n.starts_with('.'))
                .collect();
            names.sort_by(|a, b| crate::fs::fish_name_cmp(a, b));
            for name in names {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let path = format!("{dir}/{name}");
                if self.readable_file(&path) {
                    self.run_fish_file(&path, None, None);
                }
            }
        }
        for path in [
            "/etc/fish/config.fish".to_string(),
            format!("{config}/config.fish"),
        ] {
            if self.readable_file(&path) {
                self.run_fish_file(&path, None, None);
            }
        }
    }
}

/// `SETUVAR [--export] NAME:VALUE` lines of `fish_variables` (1-based line, name, items,
/// exported); list items are separated by `\x1e`.
fn parse_fish_variables(text: &str) -> Vec<(usize, String, Vec<String>, bool)> {
    let mut out = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("SETUVAR ") else {
            continue;
        };
        let (exported, rest) = match rest.strip_prefix("--export ") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let Some((name, value)) = rest.split_once(':') else {
            continue;
        };
        let items: Vec<String> = value.split("\\x1e").map(unescape_fish_variable).collect();
        let items = if items.len() == 1 && items[0].is_empty() {
            Vec::new()
        } else {
            items
        };
        out.push((number + 1, name.to_string(), items, exported));
    }
    out
}

fn unescape_fish_variable(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                if let Ok(byte) = u8::from_str_radix(&hex, 16) {
                    out.push(byte as char);
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fish_variables_file() {
        let text = "# This file contains fish universal variable definitions.\n\
                    SETUVAR fish_user_paths:/a\\x1e/b\\x20c\n\
                    SETUVAR --export EDITOR:vim\n";
        let vars = parse_fish_variables(text);
        assert_eq!((vars[0].0, vars[0].1.as_str()), (2, "fish_user_paths"));
        assert_eq!(vars[0].2, vec!["/a", "/b c"]);
        assert!(vars[1].3);
    }
}
