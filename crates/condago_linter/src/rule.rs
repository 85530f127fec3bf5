//! What a rule is, and how a rule reports.

use std::ops::Range;

use condago_syntax::{Parse, Shell};

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::model::StartupFile;
use crate::settings::Versions;

/// One rule: its metadata, its documentation and its check.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    /// kebab-case, stable like the code.
    pub name: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    pub shells: Shells,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Off unless selected explicitly (rules that need the file system, for example).
    pub opt_in: bool,
    /// The rule's documentation in Markdown (What it does / Why is this bad / Example /
    /// Use instead / Fix safety), taken from the doc comment of its file.
    pub doc: &'static str,
    pub check: Check,
}

/// How a rule looks at a file.
#[derive(Clone, Copy)]
pub enum Check {
    /// Reads the single-file model.
    File(fn(&mut Checker)),
    /// Reads the parse itself (syntax errors, budget fallbacks).
    Parse(fn(&Parse, &mut Checker)),
    /// Needs the startup model across files; run by `condago_startup`, not here.
    Startup,
    /// Produced by the lint driver itself (suppression bookkeeping).
    Driver,
    /// Reads a Dockerfile or devcontainer.json (see `crate::container`).
    Container(fn(&mut crate::container::ContainerChecker)),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::File(_) => "File",
            Check::Parse(_) => "Parse",
            Check::Startup => "Startup",
            Check::Driver => "Driver",
            Check::Container(_) => "Container",
        })
    }
}

/// The shells a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shells {
    pub bash: bool,
    pub zsh: bool,
    pub fish: bool,
}

impl Shells {
    pub const ALL: Shells = Shells {
        bash: true,
        zsh: true,
        fish: true,
    };
    pub const BASH: Shells = Shells {
        bash: true,
        zsh: false,
        fish: false,
    };
    pub const ZSH: Shells = Shells {
        bash: false,
        zsh: true,
        fish: false,
    };
    pub const FISH: Shells = Shells {
        bash: false,
        zsh: false,
        fish: true,
    };
    /// Container rules: they read Dockerfiles and devcontainer.json, not a shell's files.
    pub const NONE: Shells = Shells {
        bash: false,
        zsh: false,
        fish: false,
    };
    pub const BASH_ZSH: Shells = Shells {
        bash: true,
        zsh: true,
        fish: false,
    };

    /// Whether the rule applies to files of `shell` (sh counts as bash).
    pub fn contains(self, shell: Shell) -> bool {
        match shell {
            Shell::Bash | Shell::Sh => self.bash,
            Shell::Zsh => self.zsh,
            Shell::Fish => self.fish,
        }
    }

    /// `bzf`-style letters, as in the rule table.
    pub fn letters(self) -> String {
        if self == Shells::NONE {
            return "container".to_string();
        }
        [(self.bash, 'b'), (self.zsh, 'z'), (self.fish, 'f')]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, letter)| *letter)
            .collect()
    }
}

/// Whether a rule offers a fix, and of which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Always(crate::diagnostic::Applicability),
    Sometimes(crate::diagnostic::Applicability),
}

impl FixAvailability {
    /// `S`, `U`, `G` or `–` as in the rule table.
    pub fn letter(self) -> &'static str {
        use crate::diagnostic::Applicability::*;
        match self {
            FixAvailability::None => "–",
            FixAvailability::Always(Safe) | FixAvailability::Sometimes(Safe) => "S",
            FixAvailability::Always(Unsafe) | FixAvailability::Sometimes(Unsafe) => "U",
            FixAvailability::Always(Suggestion) | FixAvailability::Sometimes(Suggestion) => "G",
        }
    }
}

/// What a rule's check gets: the file, and a place to put findings.
pub struct Checker<'a, 'f> {
    pub file: &'a StartupFile<'f>,
    /// The shell versions the project says its files must work with.
    pub versions: Versions,
    rule: &'static Rule,
    findings: &'a mut Vec<Diagnostic>,
}

impl<'a, 'f> Checker<'a, 'f> {
    pub(crate) fn new(
        file: &'a StartupFile<'f>,
        rule: &'static Rule,
        findings: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Checker {
            file,
            versions: Versions::default(),
            rule,
            findings,
        }
    }

    /// The checker for a project that pins these shell versions.
    pub(crate) fn assuming(mut self, versions: Versions) -> Self {
        self.versions = versions;
        self
    }

    /// Reports a finding of this rule. Findings inside regions the parser could not
    /// understand are dropped, except syntax errors themselves.
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) -> Report<'_> {
        let keep = matches!(self.rule.check, Check::Parse(_)) || !self.file.in_error(&range);
        let diagnostic = Diagnostic {
            code: self.rule.code,
            name: self.rule.name,
            severity: self.rule.severity,
            range,
            message: message.into(),
            help: None,
            fix: None,
        };
        if keep {
            self.findings.push(diagnostic);
            Report(self.findings.last_mut())
        } else {
            Report(None)
        }
    }
}

/// A finding just reported, to add help and a fix to.
pub struct Report<'a>(pub(crate) Option<&'a mut Diagnostic>);

impl Report<'_> {
    pub fn help(mut self, help: impl Into<String>) -> Self {
        if let Some(diagnostic) = self.0.as_deref_mut() {
            diagnostic.help = Some(help.into());
        }
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        if let Some(diagnostic) = self.0.as_deref_mut() {
            diagnostic.fix = Some(fix);
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        if let Some(diagnostic) = self.0.as_deref_mut() {
            diagnostic.severity = severity;
        }
        self
    }
}

/// Declares a rule from its doc comment and fields; the doc comment becomes `Rule::doc`, so
/// `condago rule CODE` prints exactly what the rule's file says.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $vis:vis const $rule:ident = Rule { $($field:ident : $value:expr),* $(,)? };
    ) => {
        $(#[doc = $doc])*
        $vis const $rule: $crate::rule::Rule = $crate::rule::Rule {
            doc: concat!($($doc, "\n"),*),
            $($field: $value),*
        };
    };
}
