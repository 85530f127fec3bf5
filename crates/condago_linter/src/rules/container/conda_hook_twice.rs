use crate::container::build::{StartupWrite, Written};
use crate::container::ContainerChecker;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Shells};

crate::declare_rule! {
    /// ## What it does
    /// Finds a Dockerfile that sets up conda's shell hook twice for the same interactive
    /// bash: `conda init bash` (which writes its block into the user's `~/.bashrc`) and a
    /// line that sources `conda.sh` or evaluates `conda shell.bash hook` appended to
    /// `/etc/bash.bashrc` or that same `~/.bashrc`.
    ///
    /// ## Why is this bad?
    /// On Debian and Ubuntu images every interactive bash reads `/etc/bash.bashrc` and then
    /// `~/.bashrc`, so each terminal runs conda's hook twice: twice the start-up time of
    /// conda's Python, and the second run re-orders `PATH` behind anything the first one's
    /// activation did. `conda init` itself is idempotent; a hand-written copy is not.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN conda init bash && \
    ///     echo ". /opt/conda/etc/profile.d/conda.sh" >> /etc/bash.bashrc
    /// ```
    ///
    /// ## Use instead
    /// One of them: `conda init bash` for one user, or the line in `/etc/bash.bashrc` for
    /// every user.
    ///
    /// ## Fix safety
    /// No fix: which one to keep depends on the image's users.
    pub(crate) const RULE = Rule {
        code: "CG803",
        name: "conda-hook-twice",
        summary: "conda's hook set up twice for the same interactive bash (`conda init` plus a copy in `/etc/bash.bashrc`)",
        shells: Shells::NONE,
        severity: Severity::Warning,
        fix: FixAvailability::None,
        opt_in: false,
        check: Check::Container(check),
    };
}

fn sets_up_hook(write: &StartupWrite) -> bool {
    matches!(write.what, Written::CondaInit | Written::CondaHook)
}

fn check(checker: &mut ContainerChecker) {
    let file = checker.file;
    let Some(build) = file.dockerfile_build() else {
        return;
    };
    let hooks: Vec<&StartupWrite> = build
        .startup_writes
        .iter()
        .filter(|w| {
            sets_up_hook(w) && (w.file == "/etc/bash.bashrc" || w.file.ends_with("/.bashrc"))
        })
        .collect();
    // Who reads which: everyone reads /etc/bash.bashrc, a user their own ~/.bashrc.
    let mut homes: Vec<String> = hooks
        .iter()
        .filter(|w| w.file != "/etc/bash.bashrc")
        .map(|w| w.file.clone())
        .collect();
    homes.sort();
    homes.dedup();
    let system: Vec<&&StartupWrite> = hooks
        .iter()
        .filter(|w| w.file == "/etc/bash.bashrc")
        .collect();
    let mut reported = Vec::new();
    for home_rc in &homes {
        let own: Vec<&&StartupWrite> = hooks.iter().filter(|w| &w.file == home_rc).collect();
        // `conda init` run again changes nothing; count it once.
        let init = own.iter().find(|w| w.what == Written::CondaInit);
        let copies: Vec<&&StartupWrite> = own
            .iter()
            .filter(|w| w.what != Written::CondaInit)
            .copied()
            .collect();
        let mut sites: Vec<&StartupWrite> = system.iter().map(|w| **w).collect();
        sites.extend(init.map(|w| **w));
        sites.extend(copies.iter().map(|w| **w));
        if sites.len() < 2 {
            continue;
        }
        sites.sort_by_key(|w| w.range.start);
        let first = sites[0];
        let first_line = file.build_line(first.range.start);
        for later in &sites[1..] {
            if reported.contains(&later.range) {
                continue;
            }
            reported.push(later.range.clone());
            let user = home_rc
                .trim_end_matches("/.bashrc")
                .rsplit('/')
                .next()
                .unwrap_or("");
            checker
                .report(
                    later.range.clone(),
                    format!(
                        "conda's hook is already set up on line {first_line} (`{}`); an interactive bash as `{user}` reads `/etc/bash.bashrc` and then `{home_rc}`, so every terminal runs it twice",
                        first.file
                    ),
                )
                .help("keep one: `conda init bash` for this user, or the line in `/etc/bash.bashrc` for everyone");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::findings_at;
    use condago_syntax::Shell;

    fn lines(text: &str) -> Vec<usize> {
        findings_at("CG803", Shell::Sh, "Dockerfile", text)
            .iter()
            .map(|d| text[..d.range.start].lines().count())
            .collect()
    }

    #[test]
    fn init_plus_a_copy_in_bash_bashrc() {
        let text = "FROM condaforge/miniforge3\nRUN conda init bash && \\\n    echo \"source /opt/conda/etc/profile.d/conda.sh\" >> /etc/bash.bashrc\n";
        assert_eq!(lines(text), vec![3]);
    }

    #[test]
    fn init_for_another_user_and_init_twice_are_fine() {
        assert!(
            lines("FROM condaforge/miniforge3\nRUN conda init bash\nRUN conda init bash\n")
                .is_empty()
        );
        assert!(lines(
            "FROM condaforge/miniforge3\nRUN echo '. /opt/conda/etc/profile.d/conda.sh' >> /etc/bash.bashrc\n"
        )
        .is_empty());
        // Root's ~/.bashrc and vscode's: each user reads one plus /etc/bash.bashrc (none).
        assert!(lines(
            "FROM condaforge/miniforge3\nRUN conda init bash\nUSER vscode\nRUN conda init bash\n"
        )
        .is_empty());
    }
}
